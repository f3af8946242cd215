//! The success threshold of docs/protocol.md, section 4, by Monte-Carlo simulation.

use serde::{Deserialize, Serialize};

use super::sample::{fill_range, sum_f64, CompensatedSum};
use super::{Layout, Operation, TaskConfig, STREAM_THRESHOLD};
use crate::error::{Error, Result};
use crate::random::LaneRng;
use crate::Compat;

/// The perturbation of every first-layer weight: `1 -> 1 - ε`, `0 -> ε`.
pub const THRESHOLD_EPSILON: f64 = 1e-5;

/// Samples used for the threshold unless the caller asks otherwise.
pub const DEFAULT_THRESHOLD_SAMPLES: usize = 1_000_000;

/// Seed of the threshold's generator unless the caller asks otherwise.
pub const DEFAULT_THRESHOLD_SEED: u64 = 0;

/// Bumped whenever the simulation changes, so cached thresholds are redone.
const THRESHOLD_VERSION: u32 = 1;

/// The estimated test MSE of the nearly perfect model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// `mean((y_ε - y_exact)²)` over the samples: a run is solved when its
    /// test MSE is below this.
    pub mse: f64,
    /// The Monte-Carlo standard error of `mse` (`sd((y_ε - y_exact)²) / √N`;
    /// NaN for a single sample).
    pub standard_error: f64,
    /// `N`, the number of samples.
    pub samples: usize,
    /// The seed of the generator that drew them.
    pub seed: u64,
}

/// Rows drawn per chunk; a multiple of 16, so chunked drawing gives exactly
/// the numbers one big buffer would.
const CHUNK_ROWS: usize = 256;

/// The threshold of docs/protocol.md, section 4 for `config`, from `samples` inputs drawn
/// i.i.d. from the extrapolation range by `LaneRng::stream(seed,
/// STREAM_THRESHOLD)` in `f64` (the same drawing as [`super::Task::fill_batch`]
/// with `T = f64`). A pure function of `(config, samples, seed)`.
///
/// The nearly perfect model has first-layer weights `1 - ε` on the positions
/// of `a` (row 1) and `b` (row 2) and `ε` elsewhere, with `ε` =
/// [`THRESHOLD_EPSILON`]; the second layer applies the operation exactly.
/// With `S` the sum of all inputs, its hidden values are exactly
/// `a + da` and `b + db` where `da = ε(S - 2a)` and `db = ε(S - 2b)`, and
/// `y_ε - y_exact` is [`super::Operation::difference`]`(a, b, da, db)`: the
/// difference is formed without subtracting two nearly equal outputs, so
/// thresholds far below `1e-12` keep their digits. Squares are summed with
/// Neumaier compensation.
///
/// The positions are the unshifted ones: the inputs are i.i.d., so the
/// per-seed offset does not change the distribution of the error.
///
/// `div` with an extrapolation range that reaches 0 has an error with no
/// finite mean; its estimate is then dominated by the sample nearest `b = 0`
/// (or infinite), and the reported standard error is meaningless.
///
/// ```
/// use arithgrad::task::{threshold, Operation, TaskConfig};
/// let t = threshold(&TaskConfig::new(Operation::Add), 20_000, 0)?;
/// // add: y_ε - y = 2ε(rest - overlap), about 2e-5 * 200.
/// assert!(t.mse > 1e-5 && t.mse < 1e-4, "{}", t.mse);
/// # Ok::<(), arithgrad::Error>(())
/// ```
pub fn threshold(config: &TaskConfig, samples: usize, seed: u64) -> Result<Threshold> {
    threshold_with(config, samples, seed, Compat::Default)
}

/// [`threshold`] on the subset geometry `compat` selects
/// ([`TaskConfig::threshold_positions`]): with [`Compat::Published`], that
/// of the authors' R simulation (`s + 1` inputs per subset, `o + 1`
/// overlapping), which is what the paper's thresholds were computed on.
/// The draws are the same in both modes; only the sums differ.
///
/// ```
/// use arithgrad::task::{threshold, threshold_with, Operation, TaskConfig};
/// use arithgrad::Compat;
/// let c = TaskConfig::new(Operation::Add);
/// let own = threshold(&c, 20_000, 0)?;
/// let published = threshold_with(&c, 20_000, 0, Compat::Published)?;
/// // add: 2ε(rest - overlap) with 100 - 39 = 61 unused and 13 shared
/// // inputs instead of 62 and 12: a smaller error.
/// assert!(published.mse < own.mse);
/// # Ok::<(), arithgrad::Error>(())
/// ```
pub fn threshold_with(
    config: &TaskConfig,
    samples: usize,
    seed: u64,
    compat: Compat,
) -> Result<Threshold> {
    let positions = config.threshold_positions(compat)?;
    if samples == 0 {
        return Err(Error::invalid("samples", "need at least one sample"));
    }
    let n = positions.input_size;
    let operation = config.operation;
    let eps = THRESHOLD_EPSILON;
    let mut rng = LaneRng::stream(seed, STREAM_THRESHOLD);
    let mut chunk = vec![0f64; CHUNK_ROWS * n];
    let (mut squares, mut fourth_powers) = (CompensatedSum::default(), CompensatedSum::default());
    let mut remaining = samples;
    while remaining > 0 {
        let rows = remaining.min(CHUNK_ROWS);
        let x = &mut chunk[..rows * n];
        fill_range(&config.extrapolation_range, &mut rng, x);
        for row in x.chunks_exact(n) {
            if config.layout == Layout::Single {
                let d = single_module_difference(operation, row[0], row[1], eps);
                let square = d * d;
                squares.add(square);
                fourth_powers.add(square * square);
                continue;
            }
            let total = sum_f64(row);
            let a = sum_f64(&row[positions.a.clone()]);
            let b = sum_f64(&row[positions.b.clone()]);
            let da = eps * ((total - a) - a);
            let db = eps * ((total - b) - b);
            let d = operation.difference(a, b, da, db);
            let square = d * d;
            squares.add(square);
            fourth_powers.add(square * square);
        }
        remaining -= rows;
    }
    let count = samples as f64;
    let mse = squares.value() / count;
    let standard_error = if samples > 1 {
        let variance = (fourth_powers.value() / count - mse * mse).max(0.0);
        (variance / (count - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    Ok(Threshold {
        mse,
        standard_error,
        samples,
        seed,
    })
}

/// The single-module benchmark's `y_eps - y` for one input pair (Mistry,
/// Farrahi & Hare 2022): the ideal unit with its selection perturbed by
/// `eps`. add/sub lose `eps (|x1| + |x2|)`; mul computes
/// `(1 - eps)^2 x1 x2`; div computes `((1 - eps) / (1 + eps)) x1 / x2`. Each
/// difference is formed directly (never as `y_eps - y`), so it keeps its
/// digits in `f64`.
///
/// ```
/// use arithgrad::task::{single_module_difference, Operation};
/// let d = single_module_difference(Operation::Mul, 3.0, -2.0, 1e-5);
/// // (1 - eps)^2 - 1 = eps^2 - 2 eps, formed without cancelling.
/// let naive = -6.0 * ((1.0 - 1e-5f64).powi(2) - 1.0);
/// assert!((d - naive).abs() < 1e-9 * naive.abs());
/// ```
pub fn single_module_difference(operation: Operation, x1: f64, x2: f64, eps: f64) -> f64 {
    match operation {
        Operation::Add | Operation::Sub => -eps * (x1.abs() + x2.abs()),
        Operation::Mul => (eps * eps - 2.0 * eps) * (x1 * x2),
        Operation::Div => (-2.0 * eps / (1.0 + eps)) * (x1 / x2),
        // Rejected by TaskConfig::validate for this layout.
        Operation::Squared | Operation::Root => f64::NAN,
    }
}

/// A canonical key for caching `threshold(config, samples, seed)`: the
/// simulation's version and ε, the sample count and seed, and
/// [`TaskConfig::cache_key`].
pub fn threshold_cache_key(config: &TaskConfig, samples: usize, seed: u64) -> String {
    threshold_cache_key_with(config, samples, seed, Compat::Default)
}

/// The cache key of [`threshold_with`]: [`threshold_cache_key`] followed by
/// ` compat=published` for [`Compat::Published`] (nothing for the default,
/// so existing caches stay valid).
pub fn threshold_cache_key_with(
    config: &TaskConfig,
    samples: usize,
    seed: u64,
    compat: Compat,
) -> String {
    format!(
        "threshold-v{THRESHOLD_VERSION} eps={THRESHOLD_EPSILON:e} samples={samples} seed={seed} {}{}",
        config.cache_key(),
        compat.key_suffix()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{Operation, Range};

    /// The model written out literally: perturbed weight matrix times the
    /// inputs, the operation on both hidden values, then the difference.
    /// Agrees with the rewritten difference wherever cancellation is mild.
    #[test]
    fn matches_the_literal_perturbed_model() {
        for op in Operation::ALL {
            let config = TaskConfig {
                input_size: 10,
                subset_ratio: 0.4,
                overlap_ratio: 0.5,
                extrapolation_range: Range::new(0.5, 3.0).unwrap(),
                ..TaskConfig::new(op)
            };
            let p = config.unshifted_positions().unwrap();
            let w = p.exact_first_layer();
            let eps = 1e-3; // large, so the literal difference is accurate
            let mut rng = LaneRng::stream(1, 2);
            let mut x = vec![0f64; 10];
            fill_range(&config.extrapolation_range, &mut rng, &mut x);
            let hidden = |perturb: f64| {
                let mut h = [0.0; 2];
                for (j, hj) in h.iter_mut().enumerate() {
                    for i in 0..10 {
                        let wij = w[j * 10 + i];
                        let wij = if wij == 1.0 { 1.0 - perturb } else { perturb };
                        *hj += wij * x[i];
                    }
                }
                h
            };
            let (h0, h1) = (hidden(0.0), hidden(eps));
            let literal = op.apply(h1[0], h1[1]) - op.apply(h0[0], h0[1]);
            let total: f64 = x.iter().sum();
            let (a, b) = (h0[0], h0[1]);
            let d = op.difference(a, b, eps * (total - 2.0 * a), eps * (total - 2.0 * b));
            assert!(
                (d - literal).abs() < 1e-9 * literal.abs(),
                "{op}: {d} vs {literal}"
            );
        }
    }

    #[test]
    fn deterministic_and_seed_dependent() {
        let c = TaskConfig::default();
        let a = threshold(&c, 3000, 5).unwrap();
        let b = threshold(&c, 3000, 5).unwrap();
        let other = threshold(&c, 3000, 6).unwrap();
        assert_eq!(a.mse.to_bits(), b.mse.to_bits());
        assert_ne!(a.mse, other.mse);
        assert_eq!((a.samples, a.seed), (3000, 5));
    }

    #[test]
    fn chunked_drawing_equals_one_big_buffer() {
        // 300 samples cross a chunk boundary; recompute them from a single
        // fill of 300 rows with a plain sum.
        let c = TaskConfig::new(Operation::Mul);
        let samples = CHUNK_ROWS + 44;
        let got = threshold(&c, samples, 9).unwrap();
        let n = c.input_size;
        let mut x = vec![0f64; samples * n];
        fill_range(
            &c.extrapolation_range,
            &mut LaneRng::stream(9, STREAM_THRESHOLD),
            &mut x,
        );
        let p = c.unshifted_positions().unwrap();
        let mut sum = 0.0;
        for row in x.chunks_exact(n) {
            let total: f64 = row.iter().sum();
            let a: f64 = row[p.a.clone()].iter().sum();
            let b: f64 = row[p.b.clone()].iter().sum();
            let (da, db) = (1e-5 * (total - 2.0 * a), 1e-5 * (total - 2.0 * b));
            sum += (a * db + b * da + da * db).powi(2);
        }
        let expected = sum / samples as f64;
        assert!(
            (got.mse - expected).abs() < 1e-12 * expected,
            "{} vs {expected}",
            got.mse
        );
        let one = threshold(&c, 1, 9).unwrap();
        assert!(one.standard_error.is_nan() && one.mse > 0.0);
    }

    #[test]
    fn bad_arguments_are_errors() {
        let err = threshold(&TaskConfig::default(), 0, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("samples"), "{err}");
        let c = TaskConfig {
            subset_ratio: f64::NAN,
            ..TaskConfig::default()
        };
        let err = threshold(&c, 10, 0).unwrap_err().to_string();
        assert!(err.contains("subset_ratio"), "{err}");
    }

    #[test]
    fn cache_key_names_everything() {
        let key = threshold_cache_key(&TaskConfig::default(), 1_000_000, 0);
        assert_eq!(
            key,
            "threshold-v1 eps=1e-5 samples=1000000 seed=0 task-v1 subsets n=100 \
             subset_ratio=0.25 overlap_ratio=0.5 interpolation=[1,2] extrapolation=[2,6] op=mul"
        );
    }
}
