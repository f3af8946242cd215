//! How long a sweep will take, from a short timing probe.
//!
//! The cost of a run is a fixed part (building the trainer and drawing the
//! two fixed sets) plus its iterations times the cost of one iteration,
//! which depends on the model (kinds and sizes), the batch, the evaluation
//! protocol and the precision, not on the seed or the task's ranges. The
//! probe times, for each distinct model of the sweep, what a run does: the
//! set-up, a few training steps with [`Trainer`] after a warm-up, and an
//! evaluation of each fixed set (in `f64` where the run evaluates in
//! `f64`) after a warm-up evaluation. It runs as many copies of that at once
//! as the sweep has workers, because runs side by side are slower than one
//! alone (the cores share caches, memory bandwidth and a power budget, and
//! on a virtual machine two "cores" may be one core's two threads); the
//! probe takes the mean over the copies. A run's estimate is
//! `setup + iterations * (step + (validation + test) / eval_every)`. The
//! estimate is an upper bound for runs that diverge (they stop early).

use std::collections::HashMap;
use std::time::Instant;

use super::error::{CliError, CliResult};
use crate::experiment::{EvalSet, Precision, RunConfig, Trainer};
use crate::task::Split;
use crate::tensor::Element;

/// Training steps timed per distinct model before a sweep.
pub const SWEEP_PROBE_STEPS: u64 = 2000;

/// Training steps timed per distinct model for `arithgrad presets` (which
/// probes the models of every preset). Fewer than 2,000 were too few: the
/// toy's NMU takes 200 steps in half a millisecond, and the estimate came
/// out low.
pub const PRESETS_PROBE_STEPS: u64 = 2000;

/// Measured seconds per iteration, by what determines the cost.
pub struct Probe {
    steps: u64,
    /// Copies of the probe run at once (the sweep's workers).
    concurrent: usize,
    costs: HashMap<String, RunCost>,
    /// Wall-clock seconds spent probing so far.
    pub probe_seconds: f64,
}

/// What one run of a configuration costs, in seconds.
#[derive(Clone, Copy, Debug, Default)]
struct RunCost {
    /// Once per run: the trainer and the fixed sets.
    setup: f64,
    /// Per iteration: a step, and its share of the evaluations.
    per_iteration: f64,
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
    /// A probe that times `steps` steps of each distinct model, on
    /// `concurrent` threads at once (the number of workers the runs will
    /// have; at least one).
    pub fn new(steps: u64, concurrent: usize) -> Probe {
        Probe {
            steps: steps.max(1),
            concurrent: concurrent.max(1),
            costs: HashMap::new(),
            probe_seconds: 0.0,
        }
    }

    /// Estimated seconds of one run of `config` (timed on first use).
    fn run_seconds(&mut self, config: &RunConfig) -> CliResult<f64> {
        let key = cost_key(config);
        let cost = match self.costs.get(&key) {
            Some(&c) => c,
            None => {
                let start = Instant::now();
                let c = self.time(config).map_err(|e| {
                    CliError::Runtime(format!("timing probe of {}: {e}", config.model))
                })?;
                self.probe_seconds += start.elapsed().as_secs_f64();
                self.costs.insert(key, c);
                c
            }
        };
        Ok(cost.setup + cost.per_iteration * config.iterations as f64)
    }

    /// [`time_run`] on `self.concurrent` threads at once, averaged.
    fn time(&self, config: &RunConfig) -> crate::Result<RunCost> {
        // A short run times fewer steps than it has.
        let steps = self.steps.min(config.iterations.max(1));
        let one = || match config.precision {
            Precision::F32 => time_run::<f32>(config, steps),
            Precision::F64 => time_run::<f64>(config, steps),
        };
        let results: Vec<crate::Result<RunCost>> = if self.concurrent == 1 {
            vec![one()]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..self.concurrent).map(|_| scope.spawn(one)).collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("a probe thread panicked"))
                    .collect()
            })
        };
        let mut sum = RunCost::default();
        for r in results {
            let r = r?;
            sum.setup += r.setup;
            sum.per_iteration += r.per_iteration;
        }
        let k = self.concurrent as f64;
        Ok(RunCost {
            setup: sum.setup / k,
            per_iteration: sum.per_iteration / k,
        })
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
            let s = self.run_seconds(config)?;
            cpu += s;
            longest = longest.max(s);
        }
        Ok(Estimate {
            cpu_seconds: cpu,
            seconds: (cpu / workers.max(1) as f64).max(longest),
        })
    }
}

/// Everything the cost of a run depends on.
fn cost_key(c: &RunConfig) -> String {
    format!(
        "{:?} batch={} eval={}x{} {:?} eval_f64={}",
        c.model, c.batch_size, c.eval_every, c.eval_rows, c.precision, c.eval_f64
    )
}

/// Times one run's parts: set-up, `steps` steps after a warm-up, and one
/// evaluation of each fixed set after a warm-up evaluation (the first one
/// sizes the evaluation tape).
fn time_run<T: Element>(config: &RunConfig, steps: u64) -> crate::Result<RunCost> {
    let start = Instant::now();
    let mut trainer = Trainer::<T>::new(config, 0)?;
    let task = trainer.task().clone();
    // As a run: each fixed set recorded once for evaluation, in f64 where
    // the run evaluates in f64.
    let evaluation = if config.eval_f64 {
        let mut valid = EvalSet::new(&task.fixed_set::<f64>(Split::Validation, config.eval_rows))?;
        let mut test = EvalSet::new(&task.fixed_set::<f64>(Split::Test, config.eval_rows))?;
        let setup = start.elapsed().as_secs_f64();
        trainer.evaluate_set_f64(&mut valid)?;
        let start = Instant::now();
        trainer.evaluate_set_f64(&mut valid)?;
        trainer.evaluate_set_f64(&mut test)?;
        (setup, start.elapsed().as_secs_f64())
    } else {
        let mut valid = EvalSet::new(&task.fixed_set::<T>(Split::Validation, config.eval_rows))?;
        let mut test = EvalSet::new(&task.fixed_set::<T>(Split::Test, config.eval_rows))?;
        let setup = start.elapsed().as_secs_f64();
        trainer.evaluate_set(&mut valid)?;
        let start = Instant::now();
        trainer.evaluate_set(&mut valid)?;
        trainer.evaluate_set(&mut test)?;
        (setup, start.elapsed().as_secs_f64())
    };
    let (setup, evaluations) = evaluation;
    // Warm up: the first steps size the tape and fault in its memory.
    for _ in 0..(steps / 10).clamp(20, 200) {
        trainer.step()?;
    }
    let start = Instant::now();
    for _ in 0..steps {
        trainer.step()?;
    }
    let step = start.elapsed().as_secs_f64() / steps as f64;
    Ok(RunCost {
        setup,
        per_iteration: step + evaluations / config.eval_every as f64,
    })
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
        let mut probe = Probe::new(10, 1);
        let one = probe.estimate(&cells, 1).unwrap();
        let three = probe.estimate(&cells, 3).unwrap();
        assert!(one.cpu_seconds > 0.0);
        assert_eq!(one.cpu_seconds, three.cpu_seconds);
        assert!(three.seconds < one.seconds);
        // Each model was timed once.
        assert_eq!(probe.costs.len(), 3);
        let mut longer = cells[0].clone();
        longer.iterations = 2000;
        let e = probe.estimate([&longer], 1).unwrap();
        let base = probe.estimate([&cells[0]], 1).unwrap();
        let cost = probe.costs[&cost_key(&cells[0])];
        assert!(cost.setup > 0.0 && cost.per_iteration > 0.0);
        assert_eq!(base.cpu_seconds, cost.setup + 1000.0 * cost.per_iteration);
        assert_eq!(e.cpu_seconds, cost.setup + 2000.0 * cost.per_iteration);
    }

    #[test]
    fn probes_side_by_side_and_in_the_runs_evaluation_precision() {
        // A single-module cell evaluates in f64: its cost key says so, and
        // the probe runs that evaluation (an error otherwise).
        let mut cell = preset("single-module-mul").unwrap().cells[0].clone();
        assert!(cell.eval_f64);
        cell.iterations = 100;
        let mut probe = Probe::new(10, 2);
        let e = probe.estimate([&cell], 2).unwrap();
        assert!(e.seconds > 0.0 && e.seconds == e.cpu_seconds);
        assert!(cost_key(&cell).ends_with("eval_f64=true"));
    }
}
