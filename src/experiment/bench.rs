//! Timing the training step: what `arithgrad bench` reports.
//!
//! [`time_training_step`] builds a [`Trainer`] for a configuration, warms it
//! up, then times `blocks` blocks of `steps_per_block` calls of
//! [`Trainer::step`] on the calling thread (the full step: a fresh batch,
//! forward, loss with the regularizer, backward, Adam, projection) and
//! reports the median, minimum and maximum microseconds per step over the
//! blocks. The median of several blocks is robust to a block that another
//! process on the machine slowed down.
//!
//! The regularizer is switched on from the first step at its full strength
//! `lambda_hat` (a run's schedule only turns it on after `t_start`, which a
//! short benchmark never reaches), so the timed step is the most expensive
//! one of a run, like the PyTorch reference with its constant `lambda`.
//!
//! ```
//! use arithgrad::experiment::{bench, RunConfig};
//! use arithgrad::task::TaskConfig;
//! use arithgrad::units::ModelKind;
//! let config = RunConfig::new(ModelKind::Nmu.spec(4, 2), TaskConfig::toy());
//! let report = bench::time_training_step(&config, 20, 3)?;
//! assert_eq!(report.blocks, 3);
//! assert!(report.us_per_step_min <= report.us_per_step_median);
//! assert!(report.us_per_step_median <= report.us_per_step_max);
//! # Ok::<(), arithgrad::Error>(())
//! ```

use std::hint::black_box;
use std::time::Instant;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::tensor::Element;
use crate::units::RegularizerSchedule;

use super::{Precision, RunConfig, Trainer};

/// The seed every benchmark trains with (timings do not depend on it, but a
/// fixed one makes a benchmark repeatable down to the weights).
pub const BENCH_SEED: u64 = 0;

/// Steps run before timing starts, at least: enough for the allocations of
/// the first steps and the caches to settle.
const MIN_WARMUP_STEPS: u64 = 200;

/// What [`time_training_step`] measured, and on what.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchReport {
    /// The model's name (`nmu`, `nau`, ...).
    pub model: String,
    /// The task's input size `n`.
    pub input_size: usize,
    /// The model's hidden size.
    pub hidden: usize,
    /// The batch size.
    pub batch: usize,
    /// The element type, `f32` or `f64`.
    pub precision: Precision,
    /// Timed steps per block.
    pub steps: u64,
    /// Timed blocks.
    pub blocks: usize,
    /// Steps run before timing.
    pub warmup_steps: u64,
    /// Threads used (always 1: the step runs on the calling thread).
    pub threads: usize,
    /// The regularizer weight used in every timed step (0 when the model has
    /// no regularizer).
    pub lambda: f64,
    /// Median over the blocks of the mean microseconds per step.
    pub us_per_step_median: f64,
    /// The fastest block's microseconds per step.
    pub us_per_step_min: f64,
    /// The slowest block's microseconds per step.
    pub us_per_step_max: f64,
    /// The loss of the last timed step (a check that training did run).
    pub last_loss: f64,
}

/// Times [`Trainer::step`] for `config` (see the module docs): warm-up of
/// `max(200, steps_per_block)` steps, then `blocks` timed blocks.
///
/// An error if the configuration is invalid or either count is zero.
pub fn time_training_step(
    config: &RunConfig,
    steps_per_block: u64,
    blocks: usize,
) -> Result<BenchReport> {
    if steps_per_block == 0 {
        return Err(Error::invalid("steps", "must be at least 1"));
    }
    if blocks == 0 {
        return Err(Error::invalid("blocks", "must be at least 1"));
    }
    config.validate()?;
    let lambda = config.regularizer.lambda_hat();
    let mut config = config.clone();
    config.regularizer = RegularizerSchedule::new(lambda, 0, 0)?;
    match config.precision {
        Precision::F32 => time_typed::<f32>(&config, steps_per_block, blocks, lambda),
        Precision::F64 => time_typed::<f64>(&config, steps_per_block, blocks, lambda),
    }
}

fn time_typed<T: Element>(
    config: &RunConfig,
    steps_per_block: u64,
    blocks: usize,
    lambda: f64,
) -> Result<BenchReport> {
    let mut trainer = Trainer::<T>::new(config, BENCH_SEED)?;
    let warmup_steps = MIN_WARMUP_STEPS.max(steps_per_block);
    let mut loss = T::zero();
    for _ in 0..warmup_steps {
        loss = black_box(trainer.step()?);
    }
    let mut per_step = Vec::with_capacity(blocks);
    for _ in 0..blocks {
        let start = Instant::now();
        for _ in 0..steps_per_block {
            loss = black_box(trainer.step()?);
        }
        let seconds = start.elapsed().as_secs_f64();
        per_step.push(seconds * 1e6 / steps_per_block as f64);
    }
    per_step.sort_by(f64::total_cmp);
    Ok(BenchReport {
        model: config.model.name(),
        input_size: config.task.input_size,
        hidden: config.model.hidden,
        batch: config.batch_size,
        precision: config.precision,
        steps: steps_per_block,
        blocks,
        warmup_steps,
        threads: 1,
        lambda,
        us_per_step_median: median_of_sorted(&per_step),
        us_per_step_min: per_step[0],
        us_per_step_max: per_step[per_step.len() - 1],
        last_loss: loss.to_f64_lossy(),
    })
}

/// The median of a sorted, non-empty slice (the mean of the two middle
/// values for an even length).
fn median_of_sorted(xs: &[f64]) -> f64 {
    let m = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[m]
    } else {
        (xs[m - 1] + xs[m]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::TaskConfig;
    use crate::units::ModelKind;

    /// Losses and final weights of `steps` training steps, as bits.
    fn trajectory<T: crate::tensor::Element>(config: &RunConfig, steps: usize) -> Vec<u64> {
        let mut trainer = Trainer::<T>::new(config, 3).unwrap();
        let mut bits: Vec<u64> = (0..steps)
            .map(|_| trainer.step().unwrap().to_f64_lossy().to_bits())
            .collect();
        let weights = trainer.model().params().values().iter();
        bits.extend(weights.map(|w| w.to_f64_lossy().to_bits()));
        bits
    }

    #[test]
    fn training_is_bit_identical_with_and_without_the_avx2_kernels() {
        for (model, hidden, precision) in [
            (ModelKind::Nmu, 2, Precision::F32),
            (ModelKind::Nmu, 16, Precision::F32),
            (ModelKind::Nau, 3, Precision::F32),
            (ModelKind::Nmu, 2, Precision::F64),
        ] {
            let mut config = RunConfig::new(model.spec(100, hidden), TaskConfig::default());
            config.regularizer = RegularizerSchedule::new(1.0, 0, 0).unwrap();
            config.precision = precision;
            let run = |config: &RunConfig| match precision {
                Precision::F32 => trajectory::<f32>(config, 30),
                Precision::F64 => trajectory::<f64>(config, 30),
            };
            let dispatched = run(&config);
            crate::simd::note_if_no_avx2("training trajectories");
            let portable = crate::simd::portable_only(|| run(&config));
            assert_eq!(
                dispatched, portable,
                "{model} hidden {hidden} {precision:?}"
            );
        }
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median_of_sorted(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median_of_sorted(&[1.0, 2.0, 4.0, 9.0]), 3.0);
        assert_eq!(median_of_sorted(&[5.0]), 5.0);
    }

    #[test]
    fn zero_counts_and_bad_configs_are_errors() {
        let config = RunConfig::new(ModelKind::Nmu.spec(4, 2), TaskConfig::toy());
        use crate::error::expect::invalid;
        assert_eq!(invalid(time_training_step(&config, 0, 3)).0, "steps");
        assert_eq!(invalid(time_training_step(&config, 10, 0)).0, "blocks");
        let wrong = RunConfig::new(ModelKind::Nmu.spec(5, 2), TaskConfig::toy());
        let (name, reason) = invalid(time_training_step(&wrong, 10, 1));
        assert_eq!(name, "model inputs");
        assert!(reason.contains("takes 5 inputs"), "{reason}");
    }

    #[test]
    fn report_describes_the_configuration() {
        let config = RunConfig::new(ModelKind::Nau.spec(4, 3), TaskConfig::toy());
        let r = time_training_step(&config, 5, 2).unwrap();
        assert_eq!(
            (r.model.as_str(), r.input_size, r.hidden, r.batch),
            ("nau", 4, 3, 128)
        );
        assert_eq!((r.steps, r.blocks, r.warmup_steps), (5, 2, 200));
        assert_eq!(r.lambda, 0.01);
        assert!(r.last_loss.is_finite());
        assert!(r.us_per_step_min > 0.0);
    }
}
