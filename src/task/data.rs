//! One run's task: training batches and the fixed validation and test sets.

use serde::{Deserialize, Serialize};

use super::sample::{fill_range, fill_targets};
use super::{
    Positions, Range, TaskConfig, FIXED_SETS_SEED, STREAM_TEST, STREAM_TRAIN_BATCHES,
    STREAM_VALIDATION,
};
use crate::error::{Error, Result};
use crate::random::LaneRng;
use crate::tensor::Element;

/// Rows in the fixed validation set and in the fixed test set (docs/protocol.md, section 3).
pub const FIXED_SET_ROWS: usize = 10_000;

/// A validated configuration together with the positions of one run.
///
/// ```
/// use arithgrad::task::{Task, TaskConfig};
/// let task = Task::new(TaskConfig::default(), 7)?;
/// let mut rng = task.batch_rng();
/// let (mut x, mut t) = (vec![0f32; 128 * 100], vec![0f32; 128]);
/// task.fill_batch(&mut rng, &mut x, &mut t)?;
/// let a: f32 = x[task.positions().a.clone()].iter().sum();
/// let b: f32 = x[task.positions().b.clone()].iter().sum();
/// assert!((t[0] - a * b).abs() < 1e-3 * t[0]);
/// # Ok::<(), arithgrad::Error>(())
/// ```
///
/// It serializes (for logs) but does not deserialize: rebuild it from its
/// configuration and seed, which re-validates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Task {
    config: TaskConfig,
    seed: u64,
    positions: Positions,
}

/// Which fixed set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Drawn from the interpolation range, stream [`STREAM_VALIDATION`].
    Validation,
    /// Drawn from the extrapolation range, stream [`STREAM_TEST`].
    Test,
}

/// A fixed data set: `x` is `[rows, cols]` row-major, one target per row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "T: Element")]
pub struct Dataset<T> {
    /// The inputs, `rows · cols` values.
    pub x: Vec<T>,
    /// The targets, `rows` values.
    pub targets: Vec<T>,
    /// Number of examples.
    pub rows: usize,
    /// Inputs per example (`n`).
    pub cols: usize,
}

impl<T: Element> Dataset<T> {
    /// The inputs of example `i` (panics if `i >= rows`, like slice indexing).
    pub fn row(&self, i: usize) -> &[T] {
        &self.x[i * self.cols..(i + 1) * self.cols]
    }
}

impl Task {
    /// Validates `config` and draws the positions of run `seed`
    /// (see [`TaskConfig::positions`]).
    pub fn new(config: TaskConfig, seed: u64) -> Result<Task> {
        let positions = config.positions(seed)?;
        Ok(Task {
            config,
            seed,
            positions,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &TaskConfig {
        &self.config
    }

    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Where `a` and `b` are for this run.
    pub fn positions(&self) -> &Positions {
        &self.positions
    }

    /// `n`, the number of inputs per example.
    pub fn input_size(&self) -> usize {
        self.positions.input_size
    }

    /// The generator for this run's training batches:
    /// `LaneRng::stream(seed, STREAM_TRAIN_BATCHES)`.
    pub fn batch_rng(&self) -> LaneRng {
        LaneRng::stream(self.seed, STREAM_TRAIN_BATCHES)
    }

    /// Draws a fresh training batch: `x` (`[B, n]` row-major) i.i.d. from
    /// the interpolation range in `T`'s precision, and the `B` targets.
    ///
    /// Targets are computed from the stored `x` values: `a` and `b` are
    /// summed in `f64`, the operation is applied in `f64`, and the result is
    /// rounded once to `T`, so an `f32` target is the correctly computed
    /// function of the `f32` inputs the model sees, up to one rounding.
    ///
    /// Allocates nothing. An error if `x.len() != targets.len() · n`.
    pub fn fill_batch<T: Element>(
        &self,
        rng: &mut LaneRng,
        x: &mut [T],
        targets: &mut [T],
    ) -> Result<()> {
        let n = self.input_size();
        if x.len() != targets.len() * n {
            return Err(Error::invalid(
                "x",
                format!(
                    "a batch of {} targets needs {} inputs (n = {n}), got {}",
                    targets.len(),
                    targets.len() * n,
                    x.len()
                ),
            ));
        }
        fill_range(&self.config.interpolation_range, rng, x);
        fill_targets(&self.positions, self.config.operation, x, targets);
        Ok(())
    }

    /// The fixed validation set: [`FIXED_SET_ROWS`] rows from the
    /// interpolation range.
    pub fn validation_set<T: Element>(&self) -> Dataset<T> {
        self.fixed_set(Split::Validation, FIXED_SET_ROWS)
    }

    /// The fixed test set: [`FIXED_SET_ROWS`] rows from the extrapolation
    /// range.
    pub fn test_set<T: Element>(&self) -> Dataset<T> {
        self.fixed_set(Split::Test, FIXED_SET_ROWS)
    }

    /// The first `rows` rows of a fixed set.
    ///
    /// The inputs come from `LaneRng::stream(FIXED_SETS_SEED, stream)`
    /// (stream [`STREAM_VALIDATION`] or [`STREAM_TEST`]), independent of the
    /// run's seed, so every run of a configuration sees the same inputs.
    /// They are always drawn in `f64` and then rounded to `T`, so `f32` and
    /// `f64` runs see the same examples up to rounding. The targets use this
    /// run's positions and are computed as in [`Task::fill_batch`]. A set of
    /// `k` rows is the first `k` rows of any larger one.
    pub fn fixed_set<T: Element>(&self, split: Split, rows: usize) -> Dataset<T> {
        let (range, stream) = self.split_source(split);
        let n = self.input_size();
        let mut drawn = vec![0f64; rows * n];
        fill_range(
            range,
            &mut LaneRng::stream(FIXED_SETS_SEED, stream),
            &mut drawn,
        );
        let x: Vec<T> = drawn.into_iter().map(T::from_f64_lossy).collect();
        let mut targets = vec![T::zero(); rows];
        fill_targets(&self.positions, self.config.operation, &x, &mut targets);
        Dataset {
            x,
            targets,
            rows,
            cols: n,
        }
    }

    fn split_source(&self, split: Split) -> (&Range, u64) {
        match split {
            Split::Validation => (&self.config.interpolation_range, STREAM_VALIDATION),
            Split::Test => (&self.config.extrapolation_range, STREAM_TEST),
        }
    }
}
