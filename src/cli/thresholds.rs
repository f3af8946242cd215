//! The on-disk cache of success thresholds.
//!
//! A threshold (docs/protocol.md, section 4) is a 1,000,000-sample simulation per task
//! configuration: deterministic, so it is computed once and kept. Entries
//! are JSON lines `{"key", "mse", "standard_error", "samples", "seed"}`
//! keyed by [`threshold_cache_key`] (the simulation's version, ε, the sample
//! count and seed, and every task parameter), appended with the same
//! crash-safe writer as the run records.
//!
//! A sweep keeps its thresholds next to its records (`DIR/thresholds.jsonl`),
//! so a results directory is self-contained. `train` and `threshold` use the
//! user cache: `$ARITHGRAD_CACHE`, else `$XDG_CACHE_HOME/arithgrad`, else
//! `~/.cache/arithgrad`. The cache only saves time: failing to read or write
//! it is a warning, never an error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::{CliError, CliResult};
use super::output::warn;
use super::records::RecordFile;
use crate::task::{threshold, threshold_cache_key, TaskConfig, Threshold};

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

/// Thresholds already known, and the file new ones are appended to.
pub struct ThresholdCache {
    file: Option<RecordFile>,
    known: HashMap<String, Threshold>,
}

impl ThresholdCache {
    /// The cache in `dir/thresholds.jsonl` (created if missing). Unreadable
    /// files give a warning and an empty cache that writes nowhere.
    pub fn open(dir: &Path) -> ThresholdCache {
        let path = dir.join(THRESHOLDS_FILE);
        match RecordFile::open::<Entry>(&path) {
            Ok((file, entries)) => {
                let known = entries
                    .into_iter()
                    .map(|e| {
                        let t = Threshold {
                            mse: e.mse,
                            standard_error: e.standard_error.unwrap_or(f64::NAN),
                            samples: e.samples,
                            seed: e.seed,
                        };
                        (e.key, t)
                    })
                    .collect();
                ThresholdCache {
                    file: Some(file),
                    known,
                }
            }
            Err(e) => {
                warn(format!("threshold cache not used: {e}"));
                ThresholdCache::in_memory()
            }
        }
    }

    /// The user's cache (see the module docs), or an in-memory cache if
    /// there is no home directory.
    pub fn user() -> ThresholdCache {
        match user_cache_dir() {
            Some(dir) => ThresholdCache::open(&dir),
            None => ThresholdCache::in_memory(),
        }
    }

    /// A cache that keeps nothing on disk.
    pub fn in_memory() -> ThresholdCache {
        ThresholdCache {
            file: None,
            known: HashMap::new(),
        }
    }

    /// The threshold of `task` with `samples` samples and `seed`, from the
    /// cache or computed (and then cached). An invalid task is a usage error.
    pub fn get(&mut self, task: &TaskConfig, samples: usize, seed: u64) -> CliResult<Threshold> {
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
    ) -> CliResult<Vec<Threshold>> {
        let keys: Vec<String> = tasks
            .iter()
            .map(|t| threshold_cache_key(t, samples, seed))
            .collect();
        let mut missing: Vec<(&String, &TaskConfig)> = Vec::new();
        for (key, task) in keys.iter().zip(tasks) {
            if !self.known.contains_key(key) && !missing.iter().any(|(k, _)| *k == key) {
                missing.push((key, task));
            }
        }
        let computed = compute(&missing, samples, seed, workers)?;
        for ((key, _), t) in missing.iter().zip(computed) {
            self.remember((*key).clone(), t);
        }
        Ok(keys.iter().map(|k| self.known[k]).collect())
    }

    fn remember(&mut self, key: String, t: Threshold) {
        // JSON cannot hold NaN or infinity (a `div` task whose range reaches
        // 0 can have an infinite threshold): such values are recomputed on
        // demand instead of cached.
        if let (Some(file), true) = (&mut self.file, t.mse.is_finite()) {
            let entry = Entry {
                key: key.clone(),
                mse: t.mse,
                standard_error: Some(t.standard_error).filter(|s| s.is_finite()),
                samples: t.samples,
                seed: t.seed,
            };
            if let Err(e) = file.append(&entry) {
                warn(format!("threshold not cached: {e}"));
                self.file = None;
            }
        }
        self.known.insert(key, t);
    }
}

/// Computes the thresholds of `tasks` on up to `workers` threads.
fn compute(
    tasks: &[(&String, &TaskConfig)],
    samples: usize,
    seed: u64,
    workers: usize,
) -> CliResult<Vec<Threshold>> {
    let workers = workers.clamp(1, tasks.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<crate::Result<Threshold>>> = vec![None; tasks.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((_, task)) = tasks.get(i) else { break };
                        done.push((i, threshold(task, samples, seed)));
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
        .map(|r| match r {
            Some(r) => r.map_err(CliError::usage),
            None => Err(CliError::Runtime("a threshold was not computed".into())),
        })
        .collect()
}

/// `$ARITHGRAD_CACHE`, else `$XDG_CACHE_HOME/arithgrad`, else
/// `$HOME/.cache/arithgrad`; `None` without any of them.
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
    use crate::task::Operation;

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
        let text = std::fs::read_to_string(dir.join(THRESHOLDS_FILE)).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        let mut again = ThresholdCache::open(&dir);
        assert_eq!(again.known.len(), 2);
        assert_eq!(again.get(&tasks[0], 500, 3).unwrap(), first[0]);
        // Another sample count is another entry.
        let other = again.get(&tasks[0], 400, 3).unwrap();
        assert_eq!(other.samples, 400);
        assert_eq!(
            std::fs::read_to_string(dir.join(THRESHOLDS_FILE))
                .unwrap()
                .lines()
                .count(),
            3
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_invalid_task_is_a_usage_error() {
        let bad = TaskConfig {
            subset_ratio: 0.9,
            ..TaskConfig::default()
        };
        let err = ThresholdCache::in_memory().get(&bad, 10, 0).unwrap_err();
        assert!(matches!(err, CliError::Usage(m) if m.contains("input_size")));
    }
}
