//! [`TrainingRules`]: what a unit needs from the training loop beyond the
//! common protocol (`MSE + lambda(t) * R`, Adam with the run's learning rate,
//! projection after the step).
//!
//! # How a unit declares its needs
//!
//! The training loop ([`crate::experiment::Trainer`]) never looks at a unit's
//! name. It learns everything from two places, both owned by the unit:
//!
//! 1. **Data: [`TrainingRules`]**, returned by [`UnitKind::training_rules`]
//!    (one arm per unit kind in `kind.rs`, calling a `training_rules()`
//!    function in the unit's own file; kinds without an arm need nothing).
//!    [`ModelSpec::training_rules`](super::ModelSpec::training_rules) merges
//!    the layers' rules, and `RunConfig::new` copies them into the run's
//!    configuration, where a preset may override them (e.g. the NPU's L1
//!    schedule differs for `mul` and `div`) and where they become part of the
//!    run's key and record. The fields:
//!    - [`TrainingRules::learning_rate`]: the unit's own Adam learning rate
//!      (`RunConfig::new` uses it instead of 1e-3);
//!    - [`TrainingRules::grad_clip`]: clipping of the gradients after the
//!      backward pass, by value or by global norm ([`GradClip`]);
//!    - [`TrainingRules::penalty`]: the weight schedule of the unit's extra
//!      loss term ([`PenaltyWeight`]: a stepwise schedule such as the NPU's
//!      L1 `beta`, or a weight switched on after a warm-up once the batch
//!      loss is small, such as iNALU's);
//!    - [`TrainingRules::reinit`]: keep a history of losses and ask the
//!      unit every few steps whether to reinitialise ([`ReinitRule`]);
//!    - [`TrainingRules::watch`]: which loss the penalty's switch and the
//!      reinitialisation history read ([`WatchedLoss`]: the step's batch
//!      MSE, or the validation MSE of the latest evaluation).
//! 2. **Behaviour: hooks of the [`Unit`](super::Unit) trait**, each with a
//!    default that does nothing, so a unit overrides only what it needs:
//!    - `Unit::forward_train`: the training-time forward pass (the
//!      train/eval switch). It gets a [`TrainContext`] with the step index
//!      and a noise generator of its own stream. `Unit::forward` is the
//!      evaluation (inference) pass. The NMRU uses a training eps of f32
//!      machine epsilon and 0 at evaluation; the sNMU multiplies its inputs
//!      by noise in training only.
//!    - `Unit::penalty`: the extra loss term, *unweighted* (iNALU's
//!      regularizer, the NPU's L1 norm); the loop multiplies it by
//!      [`PenaltyWeight::weight`] and adds it to the loss when that is
//!      positive. It is separate from `Unit::regularizer`, the sparsity
//!      regularizer that the run's `lambda(t)` ramp weighs.
//!    - `Unit::reinit`: given the loss history, decides whether to redraw
//!      the unit's parameters (and does so); called every
//!      [`ReinitRule::check_every`] steps.
//!
//! Units that declare nothing (all of NAC, NALU, NAU, NMU, gated, linear)
//! train exactly as before: every rule is off, every hook is the default,
//! and the training step does no extra work for them.
//!
//! When both layers of a model declare the same rule, the second (output)
//! layer's value wins ([`TrainingRules::merge`]); the penalty weight and the
//! clipping then apply to the whole model.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::optim::{clip_grad_norm, clip_grad_value};
use crate::random::Rng;
use crate::tape::ParamStore;
use crate::tensor::Element;

#[allow(unused_imports)] // for the doc links
use super::UnitKind;

/// Gradient clipping applied after the backward pass, before the optimizer
/// step (as `torch.nn.utils.clip_grad_value_` / `clip_grad_norm_`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GradClip {
    /// No clipping.
    #[default]
    Off,
    /// Clamp every gradient element to `[-v, v]`.
    Value(f64),
    /// Rescale all gradients together to a global L2 norm of at most this.
    Norm(f64),
}

impl GradClip {
    /// Whether this clips at all.
    pub fn is_off(&self) -> bool {
        matches!(self, GradClip::Off)
    }

    /// Clips the gradients of `params` in place.
    ///
    /// ```
    /// use arithgrad::tape::ParamStore;
    /// use arithgrad::tensor::{Shape, Tensor};
    /// use arithgrad::units::GradClip;
    /// let mut params = ParamStore::<f64>::new();
    /// params.add("w", Tensor::zeros(Shape::vector(2)))?;
    /// params.grads_mut().copy_from_slice(&[3.0, -0.05]);
    /// GradClip::Value(0.1).apply(&mut params)?;
    /// assert_eq!(params.grads(), &[0.1, -0.05]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn apply<T: Element>(&self, params: &mut ParamStore<T>) -> Result<()> {
        match *self {
            GradClip::Off => Ok(()),
            GradClip::Value(v) => clip_grad_value(params, v),
            GradClip::Norm(n) => clip_grad_norm(params, n).map(|_| ()),
        }
    }

    fn validate(&self) -> Result<()> {
        match *self {
            GradClip::Off => Ok(()),
            GradClip::Value(x) | GradClip::Norm(x) if x.is_finite() && x > 0.0 => Ok(()),
            GradClip::Value(x) | GradClip::Norm(x) => Err(Error::invalid(
                "grad_clip",
                format!("the clipping bound must be positive and finite, got {x}"),
            )),
        }
    }
}

/// The weight of a unit's extra loss term (`Unit::penalty`) at a step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PenaltyWeight {
    /// No extra term.
    #[default]
    Off,
    /// `start * factor^floor(t / every)`, held at `end` once reached (a
    /// `factor` above 1 grows towards `end`, below 1 shrinks towards it):
    /// the NPU's L1 `beta`.
    Stepwise {
        start: f64,
        end: f64,
        factor: f64,
        every: u64,
    },
    /// `weight` from step `warmup` on, but only in steps whose watched loss
    /// ([`WatchedLoss`]: the batch MSE, or the latest validation MSE) is
    /// below `below_loss` (0 otherwise): iNALU's regularizer.
    AfterWarmupBelowLoss {
        weight: f64,
        warmup: u64,
        below_loss: f64,
    },
}

impl PenaltyWeight {
    /// Whether the extra term is never used.
    pub fn is_off(&self) -> bool {
        matches!(self, PenaltyWeight::Off)
    }

    /// Whether [`PenaltyWeight::weight`] reads the watched loss (the loop
    /// then reads the batch MSE off the tape before adding the term, when
    /// that is the watched loss).
    pub fn needs_loss(&self) -> bool {
        matches!(self, PenaltyWeight::AfterWarmupBelowLoss { .. })
    }

    /// The weight at step `t` (from 0), given the step's watched loss (see
    /// [`WatchedLoss`]; NaN never switches a term on).
    ///
    /// ```
    /// use arithgrad::units::PenaltyWeight;
    /// let beta = PenaltyWeight::Stepwise { start: 1e-7, end: 1e-5, factor: 10.0, every: 10_000 };
    /// assert_eq!(beta.weight(9_999, 0.0), 1e-7);
    /// assert!((beta.weight(10_000, 0.0) - 1e-6).abs() < 1e-20);
    /// assert_eq!(beta.weight(49_999, 0.0), 1e-5);
    /// let gated = PenaltyWeight::AfterWarmupBelowLoss { weight: 0.05, warmup: 100, below_loss: 1.0 };
    /// assert_eq!(gated.weight(99, 0.5), 0.0);
    /// assert_eq!(gated.weight(100, 2.0), 0.0);
    /// assert_eq!(gated.weight(100, 0.5), 0.05);
    /// ```
    pub fn weight(&self, t: u64, watched_loss: f64) -> f64 {
        match *self {
            PenaltyWeight::Off => 0.0,
            PenaltyWeight::Stepwise {
                start,
                end,
                factor,
                every,
            } => {
                let k = (t / every.max(1)).min(i32::MAX as u64) as i32;
                let b = start * factor.powi(k);
                if factor >= 1.0 {
                    b.min(end)
                } else {
                    b.max(end)
                }
            }
            PenaltyWeight::AfterWarmupBelowLoss {
                weight,
                warmup,
                below_loss,
            } => {
                if t >= warmup && watched_loss < below_loss {
                    weight
                } else {
                    0.0
                }
            }
        }
    }

    fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(Error::invalid("penalty", what));
        match *self {
            PenaltyWeight::Off => Ok(()),
            PenaltyWeight::Stepwise {
                start,
                end,
                factor,
                every,
            } => {
                if !(start.is_finite() && end.is_finite() && start >= 0.0 && end >= 0.0) {
                    return bad(format!(
                        "beta must run between non-negative finite values, got {start} -> {end}"
                    ));
                }
                if !(factor.is_finite() && factor > 0.0) || every == 0 {
                    return bad(format!(
                        "the growth factor must be positive and the step count at least 1, got x{factor} every {every}"
                    ));
                }
                Ok(())
            }
            PenaltyWeight::AfterWarmupBelowLoss { weight, .. } => {
                if weight.is_finite() && weight >= 0.0 {
                    Ok(())
                } else {
                    bad(format!("the weight must be finite and >= 0, got {weight}"))
                }
            }
        }
    }
}

/// The loss that a [`PenaltyWeight::AfterWarmupBelowLoss`] switch and the
/// reinitialisation history ([`ReinitRule`]) read at each step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WatchedLoss {
    /// The step's training-batch MSE (without the regularizer or the
    /// unit's extra term): what the iNALU authors' own code watches.
    #[default]
    Batch,
    /// The validation MSE of the latest periodic evaluation (step 0 and
    /// every `eval_every` steps; the loop is told it through
    /// `Trainer::observe_validation_mse`), held between evaluations: what
    /// the single-module benchmark's harness watches for iNALU. NaN until
    /// the first evaluation is observed.
    Validation,
}

impl WatchedLoss {
    /// Whether this is the default, [`WatchedLoss::Batch`].
    pub fn is_batch(&self) -> bool {
        matches!(self, WatchedLoss::Batch)
    }
}

/// When to ask the unit whether to reinitialise (`Unit::reinit`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReinitRule {
    /// The loop asks after the steps `t > 0` (from 0) with
    /// `t % check_every == 0`, once the step's loss is in the history (at
    /// least 1).
    pub check_every: u64,
    /// How many of the latest watched losses the history keeps (at least
    /// 1; older ones are dropped). Allocated once.
    pub history: usize,
    /// Whether a reinitialisation also restarts the optimizer's state.
    pub reset_optimizer: bool,
}

/// Everything a unit asks of the training loop, as data (see the module
/// documentation for how a unit declares it and for the behavioural hooks).
///
/// ```
/// use arithgrad::units::{GradClip, TrainingRules};
/// let nmru_like = TrainingRules {
///     learning_rate: Some(1e-2),
///     grad_clip: GradClip::Norm(1.0),
///     ..TrainingRules::NONE
/// };
/// assert!(TrainingRules::NONE.is_none() && !nmru_like.is_none());
/// // The output layer's rules win over the hidden layer's.
/// let merged = TrainingRules::NONE.merge(&nmru_like);
/// assert_eq!(merged, nmru_like);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingRules {
    /// The unit's own Adam learning rate (`None`: the run's default, 1e-3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learning_rate: Option<f64>,
    /// Gradient clipping after the backward pass.
    #[serde(default, skip_serializing_if = "GradClip::is_off")]
    pub grad_clip: GradClip,
    /// The weight schedule of the unit's extra loss term.
    #[serde(default, skip_serializing_if = "PenaltyWeight::is_off")]
    pub penalty: PenaltyWeight,
    /// Loss history and reinitialisation checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reinit: Option<ReinitRule>,
    /// The loss the penalty's switch and the reinitialisation history read.
    #[serde(default, skip_serializing_if = "WatchedLoss::is_batch")]
    pub watch: WatchedLoss,
}

impl TrainingRules {
    /// No special rule: the common protocol.
    pub const NONE: TrainingRules = TrainingRules {
        learning_rate: None,
        grad_clip: GradClip::Off,
        penalty: PenaltyWeight::Off,
        reinit: None,
        watch: WatchedLoss::Batch,
    };

    /// Whether every rule is off.
    pub fn is_none(&self) -> bool {
        *self == Self::NONE
    }

    /// These rules with `later`'s wherever `later` sets one (a model merges
    /// its first layer's rules with its second's).
    pub fn merge(&self, later: &TrainingRules) -> TrainingRules {
        TrainingRules {
            learning_rate: later.learning_rate.or(self.learning_rate),
            grad_clip: if later.grad_clip.is_off() {
                self.grad_clip
            } else {
                later.grad_clip
            },
            penalty: if later.penalty.is_off() {
                self.penalty
            } else {
                later.penalty
            },
            reinit: later.reinit.or(self.reinit),
            watch: if later.watch.is_batch() {
                self.watch
            } else {
                later.watch
            },
        }
    }

    /// An error naming the first rule that cannot work.
    pub fn validate(&self) -> Result<()> {
        if let Some(lr) = self.learning_rate {
            if !(lr.is_finite() && lr > 0.0) {
                return Err(Error::invalid(
                    "learning_rate",
                    format!("a unit's learning rate must be positive and finite, got {lr}"),
                ));
            }
        }
        self.grad_clip.validate()?;
        self.penalty.validate()?;
        if let Some(r) = self.reinit {
            if r.check_every == 0 || r.history == 0 {
                return Err(Error::invalid(
                    "reinit",
                    "check_every and history must both be at least 1",
                ));
            }
        }
        Ok(())
    }

    /// A short stable text of the rules, for a run's key (empty when none).
    pub fn key(&self) -> String {
        if self.is_none() {
            return String::new();
        }
        let watch = if self.watch.is_batch() {
            String::new()
        } else {
            format!(" watch={:?}", self.watch)
        };
        format!(
            "lr={:?} clip={:?} penalty={:?} reinit={:?}{watch}",
            self.learning_rate, self.grad_clip, self.penalty, self.reinit
        )
    }
}

/// What `Unit::forward_train` gets besides its input: the step index and a
/// random generator reserved for training-time noise (its own stream of
/// the run's seed, so drawing from it changes no other random number).
pub struct TrainContext<'a> {
    /// The iteration index `t` (from 0).
    pub step: u64,
    /// The generator for training-time noise (e.g. the sNMU's).
    pub noise: &'a mut Rng,
}

/// The latest watched losses (see [`WatchedLoss`]), oldest first, in a
/// buffer allocated once: what `Unit::reinit` decides from.
///
/// Besides the losses it keeps running sums over its older half (positions
/// `[0, n/2)`) and its newer half (`[n/2, n)`), so that
/// [`LossHistory::halves`] — the two halves' means and the newer half's
/// standard deviation, what iNALU's reinitialisation rule compares — costs
/// O(1), and a push O(1) amortised, instead of a pass over the history at
/// every check. The sums are compensated (Neumaier) and taken about a
/// shift near the newer half's mean; they are rebuilt from the stored
/// losses after every `max(len, 64)` updates, so no rounding drift (say,
/// from a huge early loss that has since moved out of a half) outlives
/// one pass's worth of pushes. The results agree with a two-pass
/// computation to about `1e-12` relative in the means; the standard
/// deviation's absolute error is below about `1e-8` times the mean (the
/// square root of the rounding of a variance found as a difference).
/// Non-finite losses are counted instead of summed: with any stored,
/// [`LossHistory::halves`] is `None`.
///
/// ```
/// use arithgrad::units::LossHistory;
/// let mut h = LossHistory::with_capacity(3);
/// for l in [1.0, 2.0, 3.0, 4.0] {
///     h.push(l);
/// }
/// assert_eq!(h.iter().collect::<Vec<_>>(), vec![2.0, 3.0, 4.0]);
/// let (mean, std) = h.mean_std(1..3);
/// assert_eq!(mean, 3.5);
/// assert!((std - 0.5).abs() < 1e-15);
/// // Older half [2], newer half [3, 4].
/// let (older, newer, newer_std) = h.halves().unwrap();
/// assert_eq!((older, newer), (2.0, 3.5));
/// assert!((newer_std - 0.5).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, Default)]
pub struct LossHistory {
    buf: Vec<f64>,
    capacity: usize,
    /// Index of the oldest entry once the buffer is full.
    head: usize,
    /// How many of the oldest losses form the older half (kept at `len / 2`).
    older_len: usize,
    /// Sum of `x - shift` over the older half's finite losses.
    older: CompensatedSum,
    /// Sum of `x - shift` over the newer half's finite losses.
    newer: CompensatedSum,
    /// Sum of `(x - shift)^2` over the newer half's finite losses.
    newer_sq: CompensatedSum,
    shift: f64,
    /// Stored losses that are not finite (left out of the sums).
    non_finite: usize,
    /// Sum updates since the sums were last rebuilt from the buffer.
    updates: usize,
}

/// A running sum with Neumaier's compensation: `hi + lo` carries the
/// rounding errors of the additions, so adding and later subtracting the
/// same values leaves almost nothing behind.
#[derive(Clone, Copy, Debug, Default)]
struct CompensatedSum {
    hi: f64,
    lo: f64,
}

impl CompensatedSum {
    fn add(&mut self, x: f64) {
        let t = self.hi + x;
        self.lo += if self.hi.abs() >= x.abs() {
            (self.hi - t) + x
        } else {
            (x - t) + self.hi
        };
        self.hi = t;
    }

    fn value(&self) -> f64 {
        self.hi + self.lo
    }
}

impl LossHistory {
    /// An empty history keeping at most `capacity` losses.
    pub fn with_capacity(capacity: usize) -> Self {
        LossHistory {
            buf: Vec::with_capacity(capacity),
            capacity,
            ..LossHistory::default()
        }
    }

    /// `x - shift` for a finite loss, 0 (left out) otherwise.
    fn offset(&self, x: f64) -> f64 {
        if x.is_finite() {
            x - self.shift
        } else {
            0.0
        }
    }

    /// Appends a loss, dropping the oldest one when full (no allocation;
    /// O(1) amortised).
    pub fn push(&mut self, loss: f64) {
        if self.capacity == 0 {
            return;
        }
        if self.buf.is_empty() {
            self.shift = if loss.is_finite() { loss } else { 0.0 };
        }
        if self.buf.len() < self.capacity {
            self.buf.push(loss);
        } else {
            // Drop the oldest (position 0: the older half's first, unless
            // the older half is empty, which only a capacity of 1 allows).
            let oldest = self.buf[self.head];
            let d = self.offset(oldest);
            if self.older_len > 0 {
                self.older.add(-d);
                self.older_len -= 1;
            } else {
                self.newer.add(-d);
                self.newer_sq.add(-d * d);
            }
            if !oldest.is_finite() {
                self.non_finite -= 1;
            }
            self.buf[self.head] = loss;
            self.head = (self.head + 1) % self.capacity;
        }
        if !loss.is_finite() {
            self.non_finite += 1;
        }
        let d = self.offset(loss);
        self.newer.add(d);
        self.newer_sq.add(d * d);
        // Move the boundary up to len / 2: the newer half's oldest losses
        // join the older half.
        while self.older_len < self.buf.len() / 2 {
            let x = self.buf[(self.head + self.older_len) % self.buf.len()];
            let d = self.offset(x);
            self.newer.add(-d);
            self.newer_sq.add(-d * d);
            self.older.add(d);
            self.older_len += 1;
            self.updates += 1;
        }
        self.updates += 1;
        if self.updates > self.buf.len() {
            self.rebuild();
        }
    }

    /// Recomputes the sums from the stored losses, about the newest finite
    /// one (so that a history of equal losses sums exact zeros).
    fn rebuild(&mut self) {
        let n = self.buf.len();
        let h = self.older_len;
        if let Some(x) = (0..n)
            .rev()
            .map(|i| self.buf[(self.head + i) % n])
            .find(|x| x.is_finite())
        {
            self.shift = x;
        }
        self.older = CompensatedSum::default();
        self.newer = CompensatedSum::default();
        self.newer_sq = CompensatedSum::default();
        for i in 0..n {
            let d = self.offset(self.buf[(self.head + i) % n]);
            if i < h {
                self.older.add(d);
            } else {
                self.newer.add(d);
                self.newer_sq.add(d * d);
            }
        }
        self.updates = 0;
    }

    /// How many losses are stored.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether no loss is stored.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Forgets every loss (keeps the buffer).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.head = 0;
        self.older_len = 0;
        self.older = CompensatedSum::default();
        self.newer = CompensatedSum::default();
        self.newer_sq = CompensatedSum::default();
        self.shift = 0.0;
        self.non_finite = 0;
        self.updates = 0;
    }

    /// The `i`-th stored loss, oldest first.
    pub fn get(&self, i: usize) -> Option<f64> {
        (i < self.buf.len()).then(|| self.buf[(self.head + i) % self.buf.len()])
    }

    /// The stored losses, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.buf.len()).map(|i| self.buf[(self.head + i) % self.buf.len()])
    }

    /// Mean and population standard deviation of the losses at positions
    /// `range` (oldest first), in two passes over them; NaN for an empty
    /// range.
    pub fn mean_std(&self, range: std::ops::Range<usize>) -> (f64, f64) {
        let range = range.start.min(self.len())..range.end.min(self.len());
        let n = range.len() as f64;
        let mean = range.clone().filter_map(|i| self.get(i)).sum::<f64>() / n;
        let var = range
            .filter_map(|i| self.get(i))
            .map(|l| (l - mean) * (l - mean))
            .sum::<f64>()
            / n;
        (mean, var.sqrt())
    }

    /// `(mean of the older half, mean of the newer half, population
    /// standard deviation of the newer half)`, the halves being positions
    /// `[0, n/2)` and `[n/2, n)` (the newer the longer for an odd count),
    /// from the running sums in O(1). `None` when the older half is empty
    /// or a stored loss is not finite.
    pub fn halves(&self) -> Option<(f64, f64, f64)> {
        let (n, h) = (self.buf.len(), self.older_len);
        if h == 0 || self.non_finite > 0 {
            return None;
        }
        let m = (n - h) as f64;
        let dn = self.newer.value() / m;
        let older = self.shift + self.older.value() / h as f64;
        let newer = self.shift + dn;
        let std = (self.newer_sq.value() / m - dn * dn).max(0.0).sqrt();
        if older.is_finite() && newer.is_finite() && std.is_finite() {
            Some((older, newer, std))
        } else {
            // Squares beyond f64's range: two passes instead.
            let (newer, std) = self.mean_std(h..n);
            Some((self.mean_std(0..h).0, newer, std))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepwise_shrinks_towards_a_smaller_end() {
        let b = PenaltyWeight::Stepwise {
            start: 1.0,
            end: 0.01,
            factor: 0.1,
            every: 10,
        };
        assert_eq!(b.weight(0, 0.0), 1.0);
        assert!((b.weight(10, 0.0) - 0.1).abs() < 1e-15);
        assert_eq!(b.weight(1_000_000, 0.0), 0.01);
        assert_eq!(b.weight(u64::MAX, 0.0), 0.01);
    }

    #[test]
    fn merge_prefers_the_later_layer_field_by_field() {
        let a = TrainingRules {
            learning_rate: Some(0.1),
            grad_clip: GradClip::Value(0.5),
            ..TrainingRules::NONE
        };
        let b = TrainingRules {
            grad_clip: GradClip::Norm(1.0),
            ..TrainingRules::NONE
        };
        let m = a.merge(&b);
        assert_eq!(m.learning_rate, Some(0.1));
        assert_eq!(m.grad_clip, GradClip::Norm(1.0));
        assert_eq!(
            TrainingRules::NONE.merge(&TrainingRules::NONE),
            TrainingRules::NONE
        );
    }

    #[test]
    fn validate_rejects_unusable_rules() {
        assert!(TrainingRules::NONE.validate().is_ok());
        let bad = [
            (
                TrainingRules {
                    learning_rate: Some(0.0),
                    ..TrainingRules::NONE
                },
                "learning_rate",
            ),
            (
                TrainingRules {
                    grad_clip: GradClip::Norm(f64::NAN),
                    ..TrainingRules::NONE
                },
                "grad_clip",
            ),
            (
                TrainingRules {
                    penalty: PenaltyWeight::Stepwise {
                        start: 1.0,
                        end: 2.0,
                        factor: 2.0,
                        every: 0,
                    },
                    ..TrainingRules::NONE
                },
                "penalty",
            ),
            (
                TrainingRules {
                    reinit: Some(ReinitRule {
                        check_every: 0,
                        history: 10,
                        reset_optimizer: false,
                    }),
                    ..TrainingRules::NONE
                },
                "reinit",
            ),
        ];
        for (r, expected) in bad {
            let (name, reason) = crate::error::expect::invalid(r.validate());
            assert_eq!(name, expected, "{r:?}: {reason}");
        }
    }

    #[test]
    fn none_serializes_to_an_empty_object_and_round_trips() {
        assert_eq!(serde_json::to_string(&TrainingRules::NONE).unwrap(), "{}");
        let r = TrainingRules {
            learning_rate: Some(1e-2),
            grad_clip: GradClip::Norm(1.0),
            penalty: PenaltyWeight::AfterWarmupBelowLoss {
                weight: 0.05,
                warmup: 10,
                below_loss: 1.0,
            },
            reinit: Some(ReinitRule {
                check_every: 10,
                history: 100,
                reset_optimizer: true,
            }),
            watch: WatchedLoss::Validation,
        };
        let s = serde_json::to_string(&r).unwrap();
        assert!(s.contains("\"watch\":\"validation\""), "{s}");
        assert_eq!(serde_json::from_str::<TrainingRules>(&s).unwrap(), r);
        assert_eq!(TrainingRules::NONE.key(), "");
    }

    /// The halves written out in two passes over the stored losses.
    fn two_pass(h: &LossHistory) -> (f64, f64, f64) {
        let (n, k) = (h.len(), h.len() / 2);
        let (older, _) = h.mean_std(0..k);
        let (newer, std) = h.mean_std(k..n);
        (older, newer, std)
    }

    fn assert_halves_match(h: &LossHistory, what: &str) {
        let (o, n, s) = h.halves().unwrap();
        let (o2, n2, s2) = two_pass(h);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-300);
        assert!(close(o, o2) && close(n, n2), "{what}: {o} {n} vs {o2} {n2}");
        let slack = 1e-9 * s2 + 3e-8 * (n2.abs() + s2 + h.shift.abs());
        assert!((s - s2).abs() <= slack, "{what}: std {s} vs {s2}");
    }

    #[test]
    fn running_halves_match_two_passes_through_drops_clears_and_outliers() {
        let mut state = 99u64;
        let mut uniform = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for capacity in [1usize, 2, 7, 300, 5_000] {
            let mut h = LossHistory::with_capacity(capacity);
            for step in 0..3 * capacity + 500 {
                // A huge first loss, then falling noisy losses, and a
                // stretch of validation-like constant blocks.
                let x = match step {
                    0 => 1e17,
                    s if s % 700 < 300 => 1e3 / (1.0 + s as f64) + uniform(),
                    s => (s / 100) as f64,
                };
                h.push(x);
                if h.len() >= 2 {
                    assert_halves_match(&h, &format!("capacity {capacity} step {step}"));
                }
                if step == capacity + 3 {
                    h.clear();
                    assert!(h.halves().is_none());
                }
            }
        }
    }

    #[test]
    fn a_constant_history_has_equal_halves_and_no_spread_exactly() {
        let mut h = LossHistory::with_capacity(10_000);
        for _ in 0..7_001 {
            h.push(5.3);
        }
        assert_eq!(h.halves(), Some((5.3, 5.3, 0.0)));
    }

    #[test]
    fn a_non_finite_loss_blanks_the_halves_until_it_is_dropped() {
        let mut h = LossHistory::with_capacity(4);
        h.push(f64::NAN);
        for x in [1.0, 2.0, 3.0] {
            h.push(x);
            assert!(h.halves().is_none());
        }
        h.push(4.0); // drops the NaN
        assert_eq!(h.halves(), Some((1.5, 3.5, 0.5)));
        h.push(f64::INFINITY);
        assert!(h.halves().is_none());
    }

    #[test]
    fn merge_and_key_carry_the_watched_loss() {
        let v = TrainingRules {
            watch: WatchedLoss::Validation,
            ..TrainingRules::NONE
        };
        assert!(!v.is_none());
        assert_eq!(v.merge(&TrainingRules::NONE).watch, WatchedLoss::Validation);
        assert_eq!(TrainingRules::NONE.merge(&v).watch, WatchedLoss::Validation);
        assert!(v.key().ends_with(" watch=Validation"), "{}", v.key());
        let batch = TrainingRules {
            grad_clip: GradClip::Value(0.1),
            ..TrainingRules::NONE
        };
        assert!(!batch.key().contains("watch"), "{}", batch.key());
    }

    #[test]
    fn history_keeps_the_latest_without_growing() {
        let mut h = LossHistory::with_capacity(4);
        let cap = h.buf.capacity();
        for i in 0..10 {
            h.push(i as f64);
        }
        assert_eq!(h.buf.capacity(), cap);
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![6.0, 7.0, 8.0, 9.0]);
        assert_eq!(h.get(0), Some(6.0));
        assert_eq!(h.get(4), None);
        h.clear();
        assert!(h.is_empty());
        h.push(1.0);
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![1.0]);
    }
}
