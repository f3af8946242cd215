//! The task's parameters, their validation, and where `a` and `b` live.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::{Operation, Positions, Range, STREAM_OFFSET};
use crate::error::{Error, Result};
use crate::random::Rng;
use crate::Compat;

/// Which inputs the two sums `a` and `b` cover.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// docs/protocol.md, section 3: two overlapping subsets of `floor(subset_ratio · n)`
    /// inputs that share `floor(overlap_ratio · subset)` of them, shifted by a
    /// per-seed random offset.
    #[default]
    Subsets,
    /// The 10-parameter toy: `n = 4`, `a = x1 + x2 + x3 + x4`, `b = x1 + x2`.
    /// The ratios are ignored and there is no offset.
    Toy,
    /// The single-module benchmark of Mistry, Farrahi & Hare, "A Primer for
    /// Neural Arithmetic Logic Modules" (JMLR 2022): `n = 2`, `a = x1`,
    /// `b = x2`, so the target is `x1 op x2` (add, sub, mul or div). The
    /// ratios are ignored and there is no offset.
    Single,
}

/// Every parameter of the static arithmetic task (docs/protocol.md, section 3).
///
/// `Default` is the protocol's default task with `mul`: `n = 100`, subset ratio
/// 0.25, overlap ratio 0.5, interpolation `[1,2]`, extrapolation `[2,6]`.
/// Fields are public so that sweeps can set them; [`TaskConfig::validate`]
/// (called by every consumer in this module) rejects bad combinations with
/// an error naming the parameter.
///
/// ```
/// use arithgrad::task::{Operation, TaskConfig};
/// let mut c = TaskConfig::new(Operation::Add);
/// assert!(c.validate().is_ok());
/// c.subset_ratio = 0.75; // subset 75, overlap 37: a and b need 113 inputs
/// let err = c.validate().unwrap_err().to_string();
/// assert_eq!(
///     err,
///     "invalid input_size: a and b need 113 positions (subset 75, overlap 37) but input size is 100"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskConfig {
    /// `n`, the number of inputs.
    pub input_size: usize,
    /// Fraction of `n` in each subset: `subset = floor(subset_ratio · n)`.
    pub subset_ratio: f64,
    /// Fraction of the subset shared by `a` and `b`:
    /// `overlap = floor(overlap_ratio · subset)`.
    pub overlap_ratio: f64,
    /// Training batches and the validation set are drawn from this range.
    #[serde(deserialize_with = "interpolation_range")]
    pub interpolation_range: Range,
    /// The test set and the threshold are drawn from this range.
    #[serde(deserialize_with = "extrapolation_range")]
    pub extrapolation_range: Range,
    /// What the target computes from `a` and `b`.
    pub operation: Operation,
    /// The default subsets, or the 10-parameter toy.
    #[serde(default)]
    pub layout: Layout,
}

fn interpolation_range<'de, D: Deserializer<'de>>(d: D) -> Result<Range, D::Error> {
    let text = String::deserialize(d)?;
    Range::parse("interpolation_range", &text).map_err(serde::de::Error::custom)
}

fn extrapolation_range<'de, D: Deserializer<'de>>(d: D) -> Result<Range, D::Error> {
    let text = String::deserialize(d)?;
    Range::parse("extrapolation_range", &text).map_err(serde::de::Error::custom)
}

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig::new(Operation::Mul)
    }
}

/// Bumped whenever the meaning of a configuration changes, so that cached
/// results keyed by [`TaskConfig::cache_key`] are not reused across it.
const CACHE_KEY_VERSION: u32 = 1;

impl TaskConfig {
    /// The protocol's default task with operation `op`.
    pub fn new(operation: Operation) -> Self {
        TaskConfig {
            input_size: 100,
            subset_ratio: 0.25,
            overlap_ratio: 0.5,
            interpolation_range: Range::new(1.0, 2.0).expect("constant range is valid"),
            extrapolation_range: Range::new(2.0, 6.0).expect("constant range is valid"),
            operation,
            layout: Layout::Subsets,
        }
    }

    /// The 10-parameter toy (`n = 4`, `a = x1+x2+x3+x4`, `b = x1+x2`) with
    /// `t = a · b` and the default ranges. Another operation can be set on
    /// the returned value.
    pub fn toy() -> Self {
        TaskConfig {
            input_size: 4,
            layout: Layout::Toy,
            ..TaskConfig::new(Operation::Mul)
        }
    }

    /// The single-module task `y = x1 op x2` (n = 2) with the training
    /// range `interpolation` and the test range `extrapolation`.
    ///
    /// ```
    /// use arithgrad::task::{Operation, Range, Task, TaskConfig};
    /// let c = TaskConfig::single_module(
    ///     Operation::Div,
    ///     Range::parse("interpolation", "[1,2]")?,
    ///     Range::parse("extrapolation", "[2,6]")?,
    /// );
    /// let task = Task::new(c, 5)?;
    /// let mut x = [0f64; 2];
    /// let mut t = [0f64; 1];
    /// task.fill_batch(&mut task.batch_rng(), &mut x, &mut t)?;
    /// assert_eq!(t[0], x[0] / x[1]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn single_module(operation: Operation, interpolation: Range, extrapolation: Range) -> Self {
        TaskConfig {
            input_size: 2,
            layout: Layout::Single,
            interpolation_range: interpolation,
            extrapolation_range: extrapolation,
            ..TaskConfig::new(operation)
        }
    }

    /// The subset size `floor(subset_ratio · n)` (4 for the toy's `a`, 1 for
    /// the single-module task). Only meaningful for a valid configuration.
    pub fn subset_size(&self) -> usize {
        match self.layout {
            Layout::Toy => 4,
            Layout::Single => 1,
            Layout::Subsets => floor_product(self.subset_ratio, self.input_size),
        }
    }

    /// The overlap size `floor(overlap_ratio · subset)` (2 for the toy).
    pub fn overlap_size(&self) -> usize {
        match self.layout {
            Layout::Toy => 2,
            Layout::Single => 0,
            Layout::Subsets => floor_product(self.overlap_ratio, self.subset_size()),
        }
    }

    /// Checks every parameter; the error names the first bad one.
    pub fn validate(&self) -> Result<()> {
        let n = self.input_size;
        if n == 0 {
            return Err(Error::invalid("input_size", "must be at least 1"));
        }
        if self.layout == Layout::Toy && n != 4 {
            return Err(Error::invalid(
                "input_size",
                format!("the toy task has exactly 4 inputs, got {n}"),
            ));
        }
        if self.layout == Layout::Single {
            if n != 2 {
                return Err(Error::invalid(
                    "input_size",
                    format!("the single-module task has exactly 2 inputs, got {n}"),
                ));
            }
            if !matches!(
                self.operation,
                Operation::Add | Operation::Sub | Operation::Mul | Operation::Div
            ) {
                return Err(Error::invalid(
                    "operation",
                    format!(
                        "the single-module task computes x1 op x2 with add, sub, mul or div, not {}",
                        self.operation
                    ),
                ));
            }
        }
        if self.layout == Layout::Subsets {
            let ratio = self.subset_ratio;
            if !(ratio.is_finite() && ratio > 0.0 && ratio <= 1.0) {
                return Err(Error::invalid(
                    "subset_ratio",
                    format!("must lie in (0, 1], got {ratio}"),
                ));
            }
            let subset = self.subset_size();
            if subset == 0 {
                return Err(Error::invalid(
                    "subset_ratio",
                    format!("subset floor({ratio} * {n}) = 0 is empty"),
                ));
            }
            let overlap_ratio = self.overlap_ratio;
            if !(overlap_ratio.is_finite() && (0.0..=1.0).contains(&overlap_ratio)) {
                return Err(Error::invalid(
                    "overlap_ratio",
                    format!("must lie in [0, 1], got {overlap_ratio}"),
                ));
            }
            let overlap = self.overlap_size();
            let span = 2 * subset - overlap;
            if span > n {
                return Err(Error::invalid(
                    "input_size",
                    format!(
                        "a and b need {span} positions (subset {subset}, overlap {overlap}) \
                         but input size is {n}"
                    ),
                ));
            }
        }
        if self.operation == Operation::Root {
            for (name, range) in [
                ("interpolation_range", &self.interpolation_range),
                ("extrapolation_range", &self.extrapolation_range),
            ] {
                if range.min() < 0.0 {
                    return Err(Error::invalid(
                        name,
                        format!("{range} has negative values, so `a` can be negative and root(a) undefined"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The positions before the offset is applied (offset 0).
    pub fn unshifted_positions(&self) -> Result<Positions> {
        self.validate()?;
        let subset = self.subset_size();
        let overlap = self.overlap_size();
        Ok(match self.layout {
            Layout::Toy => Positions {
                input_size: 4,
                offset: 0,
                a: 0..4,
                b: 0..2,
            },
            Layout::Single => Positions {
                input_size: 2,
                offset: 0,
                a: 0..1,
                b: 1..2,
            },
            Layout::Subsets => Positions {
                input_size: self.input_size,
                offset: 0,
                a: 0..subset,
                b: subset - overlap..2 * subset - overlap,
            },
        })
    }

    /// The positions the threshold is simulated on: the task's own
    /// ([`TaskConfig::unshifted_positions`]) by default; with
    /// [`Compat::Published`], those of the authors' R simulation
    /// (`export/function_task_static_mse_expectation.r`), whose inclusive
    /// 1-based ranges `a = 1:(1 + s)` and `b = (1 + s - o):(1 + 2s - o)`
    /// (`s = floor(subset_ratio n)`, `o = floor(overlap_ratio s)`) hold
    /// `s + 1` inputs each and overlap in `o + 1` (26 and 13 for the
    /// default task, instead of 25 and 12). The toy's sums are the same in
    /// both (the R script names them the other way round, which leaves
    /// every squared error unchanged).
    ///
    /// # Errors
    /// As [`TaskConfig::validate`]; with [`Compat::Published`] also when the
    /// R ranges run past the last input (`2s - o + 1 > n`, where the R
    /// script stops with "subscript out of bounds").
    ///
    /// ```
    /// use arithgrad::task::TaskConfig;
    /// use arithgrad::Compat;
    /// let p = TaskConfig::default().threshold_positions(Compat::Published)?;
    /// assert_eq!((p.a.clone(), p.b.clone()), (0..26, 13..39));
    /// let d = TaskConfig::default().threshold_positions(Compat::Default)?;
    /// assert_eq!((d.a, d.b), (0..25, 13..38));
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn threshold_positions(&self, compat: Compat) -> Result<Positions> {
        let own = self.unshifted_positions()?;
        if compat == Compat::Default || self.layout == Layout::Toy {
            return Ok(own);
        }
        let (s, o, n) = (self.subset_size(), self.overlap_size(), self.input_size);
        let b_end = 2 * s - o + 1;
        if b_end > n {
            return Err(Error::invalid(
                "input_size",
                format!(
                    "the published threshold geometry needs inputs 1..{b_end} \
                     (b = {}:{b_end} in the R script) but n = {n}",
                    s - o + 1
                ),
            ));
        }
        Ok(Positions {
            input_size: n,
            offset: 0,
            a: 0..s + 1,
            b: s - o..b_end,
        })
    }

    /// How many offsets are possible: `n - (2·subset - overlap) + 1` (1 for
    /// the toy).
    pub fn offset_count(&self) -> Result<usize> {
        let p = self.unshifted_positions()?;
        Ok(p.input_size - p.span() + 1)
    }

    /// The positions of run `seed`: the unshifted ones moved by an offset
    /// uniform on `{0, ..., n - (2·subset - overlap)}`, drawn as the first
    /// number of `Rng::stream(seed, STREAM_OFFSET)`. The toy has no offset.
    pub fn positions(&self, seed: u64) -> Result<Positions> {
        let p = self.unshifted_positions()?;
        if self.layout != Layout::Subsets {
            return Ok(p);
        }
        let count = self.offset_count()? as u64;
        let offset = Rng::stream(seed, STREAM_OFFSET).below(count) as usize;
        Ok(p.shifted(offset))
    }

    /// A canonical text naming every parameter that affects the data, with
    /// exactly round-tripping numbers, e.g.
    /// `task-v1 subsets n=100 subset_ratio=0.25 overlap_ratio=0.5
    /// interpolation=[1,2] extrapolation=[2,6] op=mul` (one line). The toy
    /// omits the ignored ratios. Stable across platforms and runs; use it
    /// (or [`TaskConfig::cache_hash`]) to key cached results.
    pub fn cache_key(&self) -> String {
        let v = CACHE_KEY_VERSION;
        let (n, interp, extrap, op) = (
            self.input_size,
            self.interpolation_range,
            self.extrapolation_range,
            self.operation,
        );
        match self.layout {
            Layout::Subsets => format!(
                "task-v{v} subsets n={n} subset_ratio={} overlap_ratio={} \
                 interpolation={interp} extrapolation={extrap} op={op}",
                self.subset_ratio, self.overlap_ratio
            ),
            Layout::Toy => {
                format!("task-v{v} toy n={n} interpolation={interp} extrapolation={extrap} op={op}")
            }
            Layout::Single => format!(
                "task-v{v} single n={n} interpolation={interp} extrapolation={extrap} op={op}"
            ),
        }
    }

    /// 64-bit FNV-1a of [`TaskConfig::cache_key`]: a short, platform-stable
    /// name for file names (print it as `{:016x}`).
    pub fn cache_hash(&self) -> u64 {
        fnv1a(self.cache_key().as_bytes())
    }
}

/// 64-bit FNV-1a, a tiny hash whose output is fixed by its definition.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        h ^= byte as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// `floor(ratio · n)` as the reference code computes it (in `f64`); only
/// called on validated, finite, non-negative ratios.
fn floor_product(ratio: f64, n: usize) -> usize {
    let p = (ratio * n as f64).floor();
    if p.is_finite() && p > 0.0 {
        p as usize
    } else {
        0
    }
}

impl fmt::Display for TaskConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.layout {
            Layout::Subsets => write!(
                f,
                "{} n={} subset_ratio={} overlap_ratio={} {} -> {}",
                self.operation,
                self.input_size,
                self.subset_ratio,
                self.overlap_ratio,
                self.interpolation_range,
                self.extrapolation_range
            ),
            Layout::Toy => write!(
                f,
                "{} toy n=4 {} -> {}",
                self.operation, self.interpolation_range, self.extrapolation_range
            ),
            Layout::Single => write!(
                f,
                "x1 {} x2 (single module) {} -> {}",
                self.operation, self.interpolation_range, self.extrapolation_range
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sizes_follow_the_spec() {
        let c = TaskConfig::default();
        assert_eq!((c.subset_size(), c.overlap_size()), (25, 12));
        let p = c.unshifted_positions().unwrap();
        assert_eq!((p.a.clone(), p.b.clone(), p.span()), (0..25, 13..38, 38));
        assert_eq!(c.offset_count().unwrap(), 63);
    }

    #[test]
    fn toy_positions() {
        let p = TaskConfig::toy().positions(123).unwrap();
        assert_eq!((p.a, p.b, p.offset), (0..4, 0..2, 0));
    }

    #[test]
    fn fnv_reference_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
