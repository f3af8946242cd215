//! How long a sweep will take, from a short timing probe.
//!
//! The cost of a run is its iterations times the cost of one iteration,
//! which depends on the model (kinds and sizes), the batch, the evaluation
//! protocol and the precision, not on the seed or the task's ranges. The
//! probe times a few training steps and one evaluation of each distinct
//! model of the sweep with [`Trainer`]; a run's estimate is
//! `iterations * (step + 2 * evaluation / eval_every)`. The estimate is an
//! upper bound for runs that diverge (they stop early).

use std::collections::HashMap;
use std::time::Instant;

use super::error::{CliError, CliResult};
use crate::experiment::{Precision, RunConfig, Trainer};
use crate::task::Split;
use crate::tensor::Element;

/// Training steps timed per distinct model before a sweep.
pub const SWEEP_PROBE_STEPS: u64 = 2000;

/// Training steps timed per distinct model for `arithgrad presets` (which
/// probes the models of every preset).
pub const PRESETS_PROBE_STEPS: u64 = 200;

/// Measured seconds per iteration, by what determines the cost.
pub struct Probe {
    steps: u64,
    per_iteration: HashMap<String, f64>,
    /// Wall-clock seconds spent probing so far.
    pub probe_seconds: f64,
}

/// The estimated duration of some runs on some workers.
#[derive(Clone, Copy, Debug)]
pub struct Estimate {
    /// Seconds of one core summed over the runs.
    pub cpu_seconds: f64,
    /// Wall-clock seconds on the workers: the CPU time shared among them,
    /// but never less than the longest run.
    pub seconds: f64,
}

impl Probe {
    /// A probe that times `steps` steps of each distinct model.
    pub fn new(steps: u64) -> Probe {
        Probe {
            steps: steps.max(1),
            per_iteration: HashMap::new(),
            probe_seconds: 0.0,
        }
    }

    /// Estimated seconds of one iteration of `config` (timed on first use).
    pub fn seconds_per_iteration(&mut self, config: &RunConfig) -> CliResult<f64> {
        let key = cost_key(config);
        if let Some(&s) = self.per_iteration.get(&key) {
            return Ok(s);
        }
        let start = Instant::now();
        // A short run times fewer steps than it has.
        let steps = self.steps.min(config.iterations.max(1));
        let s = match config.precision {
            Precision::F32 => time_iteration::<f32>(config, steps),
            Precision::F64 => time_iteration::<f64>(config, steps),
        }
        .map_err(|e| CliError::Runtime(format!("timing probe of {}: {e}", config.model)))?;
        self.probe_seconds += start.elapsed().as_secs_f64();
        self.per_iteration.insert(key, s);
        Ok(s)
    }

    /// The estimate of running `runs` on `workers` threads.
    pub fn estimate<'a>(
        &mut self,
        runs: impl IntoIterator<Item = &'a RunConfig>,
        workers: usize,
    ) -> CliResult<Estimate> {
        let mut cpu = 0.0f64;
        let mut longest = 0.0f64;
        for config in runs {
            let s = self.seconds_per_iteration(config)? * config.iterations as f64;
            cpu += s;
            longest = longest.max(s);
        }
        Ok(Estimate {
            cpu_seconds: cpu,
            seconds: (cpu / workers.max(1) as f64).max(longest),
        })
    }
}

/// Everything the cost of an iteration depends on.
fn cost_key(c: &RunConfig) -> String {
    format!(
        "{:?} batch={} eval={}x{} {:?}",
        c.model, c.batch_size, c.eval_every, c.eval_rows, c.precision
    )
}

fn time_iteration<T: Element>(config: &RunConfig, steps: u64) -> crate::Result<f64> {
    let mut trainer = Trainer::<T>::new(config, 0)?;
    // Warm up: the first steps size the tape and fault in its memory.
    for _ in 0..steps.min(20) {
        trainer.step()?;
    }
    let start = Instant::now();
    for _ in 0..steps {
        trainer.step()?;
    }
    let step = start.elapsed().as_secs_f64() / steps as f64;
    let valid = trainer
        .task()
        .fixed_set::<T>(Split::Validation, config.eval_rows);
    let start = Instant::now();
    trainer.evaluate(&valid)?;
    let evaluation = start.elapsed().as_secs_f64();
    Ok(step + 2.0 * evaluation / config.eval_every as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::preset;

    #[test]
    fn estimates_scale_with_iterations_and_workers() {
        let mut cells = preset("toy").unwrap().cells;
        for c in &mut cells {
            c.iterations = 1000;
        }
        let mut probe = Probe::new(10);
        let one = probe.estimate(&cells, 1).unwrap();
        let three = probe.estimate(&cells, 3).unwrap();
        assert!(one.cpu_seconds > 0.0);
        assert_eq!(one.cpu_seconds, three.cpu_seconds);
        assert!(three.seconds < one.seconds);
        // Each model was timed once.
        assert_eq!(probe.per_iteration.len(), 3);
        let mut longer = cells[0].clone();
        longer.iterations = 2000;
        let e = probe.estimate([&longer], 1).unwrap();
        let base = probe.estimate([&cells[0]], 1).unwrap();
        assert_eq!(e.cpu_seconds, 2.0 * base.cpu_seconds);
    }
}
