//! The on-disk cache of success thresholds.
//!
//! A threshold (the paper's section 4 success criterion) is a
//! 1,000,000-sample simulation per task configuration: deterministic, so it
//! is computed once and kept. Entries are JSON lines `{"key", "mse",
//! "standard_error", "samples", "seed"}` keyed by
//! [`threshold_cache_key_with`] (the simulation's version, ε, the sample
//! count and seed, every task parameter, and the compat mode).
//!
//! Several processes may share a cache (the tasks of a job array share
//! their results directory's `thresholds.jsonl`). New entries are merged
//! with what the file holds at that moment and the file is replaced whole
//! (see [`super::lines`]), so no reader ever sees a torn line; two writers
//! racing can at worst drop an entry, which is then computed again. The
//! cache only saves time: failing to read or write it is a warning, never
//! an error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::task::{threshold_cache_key_with, threshold_with, TaskConfig, Threshold};
use crate::Compat;

use super::lines::{read_lines, replace_lines};

/// The file name of a threshold cache inside its directory.
pub const THRESHOLDS_FILE: &str = "thresholds.jsonl";

/// One cached threshold.
#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
    mse: f64,
    /// `None` when undefined (a single sample).
    standard_error: Option<f64>,
    samples: usize,
    seed: u64,
}

/// Thresholds already known, and the file new ones go to.
pub struct ThresholdCache {
    path: Option<PathBuf>,
    known: HashMap<String, Threshold>,
    warnings: Vec<String>,
    /// The geometry thresholds are simulated on (part of every key).
    compat: Compat,
}

impl ThresholdCache {
    /// The cache in `dir/thresholds.jsonl` (the file is written when a new
    /// threshold is computed). An unreadable file gives a warning and an
    /// empty cache that writes nowhere.
    pub fn open(dir: &Path) -> ThresholdCache {
        let path = dir.join(THRESHOLDS_FILE);
        match read_entries(&path) {
            Ok(entries) => ThresholdCache {
                path: Some(path),
                known: entries,
                warnings: Vec::new(),
                compat: Compat::Default,
            },
            Err(e) => ThresholdCache {
                warnings: vec![format!("threshold cache not used: {e}")],
                ..ThresholdCache::in_memory()
            },
        }
    }

    /// A cache that keeps nothing on disk.
    pub fn in_memory() -> ThresholdCache {
        ThresholdCache {
            path: None,
            known: HashMap::new(),
            warnings: Vec::new(),
            compat: Compat::Default,
        }
    }

    /// The same cache, computing (and looking up) thresholds in mode
    /// `compat` ([`threshold_with`]); the mode is part of the cache key, so
    /// both modes can share one file.
    pub fn with_compat(mut self, compat: Compat) -> ThresholdCache {
        self.compat = compat;
        self
    }

    /// Number of thresholds known.
    pub fn len(&self) -> usize {
        self.known.len()
    }

    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// The warnings gathered so far (a cache that could not be read or
    /// written), emptied.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// The threshold of `task` with `samples` samples and `seed`, from the
    /// cache or computed (and then cached). An invalid task is an error.
    pub fn get(&mut self, task: &TaskConfig, samples: usize, seed: u64) -> Result<Threshold> {
        let all = self.get_all(std::slice::from_ref(task), samples, seed, 1)?;
        Ok(all[0])
    }

    /// The thresholds of `tasks` (same order), computing the missing ones on
    /// up to `workers` threads. Each is a pure function of its task, so the
    /// result does not depend on `workers`.
    pub fn get_all(
        &mut self,
        tasks: &[TaskConfig],
        samples: usize,
        seed: u64,
        workers: usize,
    ) -> Result<Vec<Threshold>> {
        let keys: Vec<String> = tasks
            .iter()
            .map(|t| threshold_cache_key_with(t, samples, seed, self.compat))
            .collect();
        let mut missing: Vec<(&String, &TaskConfig)> = Vec::new();
        for (key, task) in keys.iter().zip(tasks) {
            if !self.known.contains_key(key) && !missing.iter().any(|(k, _)| *k == key) {
                missing.push((key, task));
            }
        }
        if !missing.is_empty() {
            let computed = compute(&missing, samples, seed, self.compat, workers)?;
            for ((key, _), t) in missing.iter().zip(computed) {
                self.known.insert((*key).clone(), t);
            }
            self.save();
        }
        Ok(keys.iter().map(|k| self.known[k]).collect())
    }

    /// Merges the known thresholds into the file (re-read first, so entries
    /// other processes wrote meanwhile are kept).
    fn save(&mut self) {
        let Some(path) = self.path.clone() else {
            return;
        };
        let result = read_entries(&path).and_then(|mut on_disk| {
            let mut added = false;
            for (key, t) in &self.known {
                // JSON cannot hold NaN or infinity (a `div` task whose range
                // reaches 0 can have an infinite threshold): such values are
                // recomputed on demand instead of cached.
                if t.mse.is_finite() && !on_disk.contains_key(key) {
                    on_disk.insert(key.clone(), *t);
                    added = true;
                }
            }
            if !added {
                return Ok(());
            }
            let mut entries: Vec<Entry> = on_disk
                .into_iter()
                .map(|(key, t)| Entry {
                    key,
                    mse: t.mse,
                    standard_error: Some(t.standard_error).filter(|s| s.is_finite()),
                    samples: t.samples,
                    seed: t.seed,
                })
                .collect();
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            replace_lines(&path, &entries)
        });
        if let Err(e) = result {
            self.warnings.push(format!("threshold not cached: {e}"));
            self.path = None;
        }
    }
}

fn read_entries(path: &Path) -> Result<HashMap<String, Threshold>> {
    let (lines, _) = read_lines::<Entry>(path)?;
    Ok(lines
        .into_iter()
        .map(|l| {
            let e = l.value;
            let t = Threshold {
                mse: e.mse,
                standard_error: e.standard_error.unwrap_or(f64::NAN),
                samples: e.samples,
                seed: e.seed,
            };
            (e.key, t)
        })
        .collect())
}

/// Computes the thresholds of `tasks` on up to `workers` threads.
fn compute(
    tasks: &[(&String, &TaskConfig)],
    samples: usize,
    seed: u64,
    compat: Compat,
    workers: usize,
) -> Result<Vec<Threshold>> {
    let workers = workers.clamp(1, tasks.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Threshold>>> = vec![None; tasks.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((_, task)) = tasks.get(i) else { break };
                        done.push((i, threshold_with(task, samples, seed, compat)));
                    }
                    done
                })
            })
            .collect();
        for h in handles {
            // A worker only panics on a bug; pass it on.
            let done = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            for (i, r) in done {
                results[i] = Some(r);
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Error::NotAvailable("a threshold".into()))))
        .collect()
}

/// The user's threshold cache directory: `$ARITHGRAD_CACHE`, else
/// `$XDG_CACHE_HOME/arithgrad`, else `$HOME/.cache/arithgrad`; `None`
/// without any of them.
pub fn user_cache_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("ARITHGRAD_CACHE") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("arithgrad"));
    }
    var("HOME").map(|home| PathBuf::from(home).join(".cache").join("arithgrad"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{threshold, Operation};

    #[test]
    fn cached_thresholds_equal_computed_ones_and_survive_reopening() {
        let dir = std::env::temp_dir().join(format!("arithgrad-thr-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let tasks = [
            TaskConfig::new(Operation::Add),
            TaskConfig::toy(),
            TaskConfig::new(Operation::Add),
        ];
        let first = ThresholdCache::open(&dir)
            .get_all(&tasks, 500, 3, 2)
            .unwrap();
        assert_eq!(first[0], first[2]);
        assert_eq!(first[1], threshold(&tasks[1], 500, 3).unwrap());
        let lines = |dir: &Path| {
            std::fs::read_to_string(dir.join(THRESHOLDS_FILE))
                .unwrap()
                .lines()
                .count()
        };
        assert_eq!(lines(&dir), 2);
        let mut again = ThresholdCache::open(&dir);
        assert_eq!(again.len(), 2);
        assert_eq!(again.get(&tasks[0], 500, 3).unwrap(), first[0]);
        // Another sample count is another entry; what another process
        // wrote meanwhile is kept.
        let mut other_process = ThresholdCache::open(&dir);
        let other = again.get(&tasks[0], 400, 3).unwrap();
        assert_eq!(other.samples, 400);
        other_process.get(&tasks[1], 300, 3).unwrap();
        assert_eq!(lines(&dir), 4);
        assert!(again.take_warnings().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_invalid_task_is_an_error() {
        let bad = TaskConfig {
            subset_ratio: 0.9,
            ..TaskConfig::default()
        };
        let err = ThresholdCache::in_memory().get(&bad, 10, 0).unwrap_err();
        assert!(err.to_string().contains("input_size"), "{err}");
    }
}
