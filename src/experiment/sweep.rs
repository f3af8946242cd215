//! Many runs on worker threads.
//!
//! Each run is single-threaded and depends only on its configuration and
//! seed, so a sweep's records are bit-identical whatever the number of
//! workers; only the order in which they finish changes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::error::Result;

use super::{run, RunConfig, RunRecord};

/// One run of a sweep.
#[derive(Clone, Debug)]
pub struct Job {
    pub config: RunConfig,
    pub seed: u64,
    /// The success threshold of the job's task configuration.
    pub threshold: f64,
}

/// Runs `jobs` on `workers` threads (at least one), taking jobs in order,
/// and calls `on_done(index, result)` on the calling thread as each run
/// finishes (so the caller can write records and draw progress without
/// locking). A run's error (a configuration that cannot run) is passed on
/// and does not stop the other runs.
pub fn sweep(jobs: &[Job], workers: usize, mut on_done: impl FnMut(usize, Result<RunRecord>)) {
    let workers = workers.clamp(1, jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let result = run(&job.config, job.seed, job.threshold);
                if tx.send((i, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (i, result) in rx {
            on_done(i, result);
        }
    });
}
