//! The threshold caches of the command line, over [`crate::store::ThresholdCache`]:
//! a sweep keeps its thresholds next to its records (`DIR/thresholds.jsonl`),
//! so a results directory is self-contained; `train` and `threshold` use the
//! user cache (`$ARITHGRAD_CACHE`, else `$XDG_CACHE_HOME/arithgrad`, else
//! `~/.cache/arithgrad`). The cache only saves time: failing to read or
//! write it is a warning, never an error.

use std::path::Path;

use super::error::{CliError, CliResult};
use super::output::warn;
use crate::store::{user_cache_dir, ThresholdCache};
use crate::task::{TaskConfig, Threshold};

/// The cache of the results directory `dir`.
pub fn dir_cache(dir: &Path) -> ThresholdCache {
    let mut cache = ThresholdCache::open(dir);
    print_warnings(&mut cache);
    cache
}

/// The user's cache, or an in-memory one without a home directory.
pub fn user_cache() -> ThresholdCache {
    match user_cache_dir() {
        Some(dir) => dir_cache(&dir),
        None => ThresholdCache::in_memory(),
    }
}

/// The thresholds of `tasks` (an invalid task is a usage error), printing
/// the cache's warnings.
pub fn thresholds_of(
    cache: &mut ThresholdCache,
    tasks: &[TaskConfig],
    samples: usize,
    seed: u64,
    workers: usize,
) -> CliResult<Vec<Threshold>> {
    let result = cache.get_all(tasks, samples, seed, workers);
    print_warnings(cache);
    result.map_err(CliError::usage)
}

fn print_warnings(cache: &mut ThresholdCache) {
    for w in cache.take_warnings() {
        warn(w);
    }
}
