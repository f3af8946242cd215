//! Gamma distribution fitted by maximum likelihood, with a profile-likelihood
//! interval for its mean (how the paper reports "solved at").
//!
//! # The math
//!
//! Parametrise the gamma by its mean `μ` and shape `k` (scale `μ/k`). For
//! values `x_1..x_n` with mean `m` and mean log `L`, Stirling's decomposition
//! `ln Γ(k) = (k - ½) ln k - k + ½ ln 2π + R(k)` turns the log-likelihood into
//!
//! ```text
//! ℓ(μ, k) / n = -L - ½ ln 2π + [ -k c(μ) + ½ ln k - R(k) ],
//! c(μ)        = ln μ - L + m/μ - 1 = s + h(ln(μ/m)),
//! s           = ln m - L > 0,        h(t) = t + e^(-t) - 1 >= 0.
//! ```
//!
//! For fixed `μ` the bracket is maximised by the `k` solving
//! `ln k - ψ(k) = c(μ)` (unique: the left side falls from ∞ to 0). At `μ = m`
//! this is the usual shape equation `ln k - ψ(k) = ln m - L`, so the MLE of the
//! mean is the sample mean. Writing `g(c)` for the maximised bracket, the
//! profile deviance is
//!
//! ```text
//! D(μ) = 2 (ℓ_max - ℓ_profile(μ)) = 2n (g(s) - g(c(μ)))
//! ```
//!
//! which grows monotonically as `μ` moves away from `m` in either direction;
//! the interval is `{μ : D(μ) <= χ²_1(confidence)}`, its ends found by bracket
//! expansion and Brent's method in `t = ln(μ/m)`. Every term of `g` is O(1) even
//! for huge shapes, so the deviance keeps full precision when the values are
//! tightly clustered.
//!
//! The paper's R code parametrises by mean and variance instead; for a fixed
//! mean that is a one-to-one change of the nuisance parameter, which leaves the
//! profile likelihood of the mean unchanged.

use super::profile::profile_interval;
use super::special::{
    exp_neg_minus_one_plus, ln_minus_digamma, ln_minus_digamma_d1, ratio_divergence,
    stirling_correction,
};
use super::student_t::student_t_estimate;
use super::{
    all_equal, check_confidence, check_finite, mean_and_sd, Estimate, FallbackReason, Interval,
    IntervalMethod,
};
use crate::error::{Error, Result};

/// Below this coefficient of variation the values count as too close together
/// for a gamma fit (the shape would exceed ~1e18).
const MIN_RELATIVE_SPREAD: f64 = 1e-9;

/// How far (in `ln(μ/m)`) the interval search may go before giving up.
const MAX_LOG_RATIO: f64 = 700.0;

/// A gamma distribution fitted by maximum likelihood.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaFit {
    /// Number of values fitted.
    pub n: usize,
    /// Shape `k`.
    pub shape: f64,
    /// Scale `θ` (the rate is `1/θ`).
    pub scale: f64,
    /// Mean `k θ` (equal to the sample mean).
    pub mean: f64,
    /// The maximised log-likelihood.
    pub log_likelihood: f64,
}

/// What the fit needs from the values.
struct Sample {
    n: f64,
    mean: f64,
    /// `ln m - mean(ln x)`, strictly positive unless all values are equal.
    s: f64,
    /// The MLE of the shape.
    shape: f64,
    /// `g(s)`, the maximised bracket at the MLE.
    g_max: f64,
}

impl Sample {
    /// Checks the values (finite, at least two) against the gamma's needs.
    fn new(values: &[f64]) -> std::result::Result<Sample, FallbackReason> {
        if all_equal(values) {
            return Err(FallbackReason::AllEqual);
        }
        if values.iter().any(|&v| v <= 0.0) {
            return Err(FallbackReason::OutsideSupport);
        }
        let (mean, spread) = mean_and_sd(values);
        if spread.is_nan() || spread < MIN_RELATIVE_SPREAD * mean {
            return Err(FallbackReason::TooLittleSpread);
        }
        // s = ln m - mean(ln x) = mean(r - 1 - ln r) - mean(r - 1) with r = x/m;
        // each divergence term is >= 0 and accurate, the last mean only
        // corrects for the rounding of m.
        let n = values.len() as f64;
        let divergence: f64 = values.iter().map(|&x| ratio_divergence(x, mean)).sum();
        let drift: f64 = values.iter().map(|&x| (x - mean) / mean).sum();
        let s = (divergence - drift) / n;
        if !(s > 0.0 && s.is_finite()) {
            return Err(FallbackReason::TooLittleSpread);
        }
        let (g_max, shape) = maximised_bracket(s).ok_or(FallbackReason::NotConverged)?;
        Ok(Sample {
            n,
            mean,
            s,
            shape,
            g_max,
        })
    }

    /// `2 n (g(s) - g(c(μ)))` at `μ = m e^t`.
    fn deviance(&self, t: f64) -> f64 {
        match maximised_bracket(self.s + exp_neg_minus_one_plus(t)) {
            Some((g, _)) => 2.0 * self.n * (self.g_max - g),
            None => f64::NAN,
        }
    }

    fn log_likelihood(&self) -> f64 {
        // -L = s - ln m
        self.n * (self.s - self.mean.ln() - 0.918_938_533_204_672_8 + self.g_max)
    }

    fn fit(&self) -> GammaFit {
        GammaFit {
            n: self.n as usize,
            shape: self.shape,
            scale: self.mean / self.shape,
            mean: self.mean,
            log_likelihood: self.log_likelihood(),
        }
    }

    /// The profile-likelihood interval for the mean.
    fn mean_interval(&self, confidence: f64) -> Option<Interval> {
        // About one standard error of ln(mean) per first step.
        let step = 1.0 / (self.n * self.shape).sqrt();
        let (t_lower, t_upper) =
            profile_interval(|t| self.deviance(t), 0.0, confidence, step, MAX_LOG_RATIO)?;
        let (lower, upper) = (self.mean * t_lower.exp(), self.mean * t_upper.exp());
        (lower.is_finite() && upper.is_finite()).then_some(Interval { lower, upper })
    }
}

/// Solves `ln k - ψ(k) = c` for the shape `k` (`c > 0`).
///
/// The root lies in `(1/(2c), 1/c)` because `1/(2k) < ln k - ψ(k) < 1/k`.
/// Newton's method from Minka's (2002) approximation
/// `k ≈ (3 - c + √((c - 3)² + 24c)) / (12c)`, kept inside the shrinking
/// bracket by geometric bisection.
pub(crate) fn solve_shape(c: f64) -> Option<f64> {
    if !(c > 0.0 && c.is_finite()) {
        return None;
    }
    let (mut lo, mut hi) = (0.5 / c, 1.0 / c);
    let mut k = ((3.0 - c + ((c - 3.0) * (c - 3.0) + 24.0 * c).sqrt()) / (12.0 * c)).clamp(lo, hi);
    for _ in 0..200 {
        let f = ln_minus_digamma(k) - c;
        if f == 0.0 {
            return Some(k);
        }
        if f > 0.0 {
            lo = k;
        } else {
            hi = k;
        }
        let mut next = k - f / ln_minus_digamma_d1(k);
        if !(next > lo && next < hi) {
            next = (lo * hi).sqrt();
        }
        if (next - k).abs() <= 1e-15 * k || hi - lo <= 4.0 * f64::EPSILON * hi {
            return Some(next);
        }
        k = next;
    }
    None
}

/// `g(c) = max_k [-k c + ½ ln k - R(k)]` and the maximising `k`.
fn maximised_bracket(c: f64) -> Option<(f64, f64)> {
    let k = solve_shape(c)?;
    Some((-k * c + 0.5 * k.ln() - stirling_correction(k), k))
}

/// Fits a gamma distribution to positive values by maximum likelihood (the
/// shape by Newton's method on `ln k - ψ(k) = ln m - mean(ln x)`, the mean is
/// the sample mean).
///
/// # Errors
/// [`Error::InvalidArgument`] if a value is not finite, there are fewer than
/// two values, a value is not positive, or all values are (nearly) equal: the
/// maximum-likelihood fit does not exist then.
///
/// ```
/// use arithgrad::stats::fit_gamma;
/// let fit = fit_gamma(&[1.0, 2.0, 3.0, 4.0]).unwrap();
/// assert_eq!(fit.mean, 2.5);
/// assert!((fit.shape * fit.scale - 2.5).abs() < 1e-14);
/// ```
pub fn fit_gamma(values: &[f64]) -> Result<GammaFit> {
    check_finite("values", values)?;
    if values.len() < 2 {
        return Err(Error::invalid(
            "values",
            "a gamma fit needs at least two values",
        ));
    }
    Sample::new(values)
        .map(|sample| sample.fit())
        .map_err(|reason| Error::invalid("values", format!("no gamma fit: {reason}")))
}

/// The mean of positive values (e.g. iteration counts) with a profile-likelihood
/// interval from a gamma distribution fitted by maximum likelihood; the
/// paper's method for "solved at". See the module documentation for the math.
///
/// Falls back to a Student-t interval, and says so in
/// [`Estimate::method`], when the gamma fit is degenerate: a value that is not
/// positive, all values equal, values too close together, or no convergence.
/// With fewer than two values there is no interval.
///
/// # Errors
/// [`Error::InvalidArgument`] if `confidence` is not in `(0, 1)` or a value is
/// not finite.
///
/// ```
/// use arithgrad::stats::{gamma_mean, IntervalMethod};
/// let e = gamma_mean(&[1200.0, 3400.0, 2100.0, 5600.0, 2800.0], 0.95).unwrap();
/// assert_eq!(e.method, IntervalMethod::GammaProfileLikelihood);
/// assert_eq!(e.value, Some(3020.0));
/// let iv = e.interval.unwrap();
/// assert!(iv.lower < 3020.0 && 3020.0 < iv.upper);
/// // Skewed like the gamma: further above the mean than below.
/// assert!(iv.upper - 3020.0 > 3020.0 - iv.lower);
/// ```
pub fn gamma_mean(values: &[f64], confidence: f64) -> Result<Estimate> {
    check_confidence(confidence)?;
    check_finite("values", values)?;
    if values.len() < 2 {
        return Ok(student_t_estimate(values, confidence, None));
    }
    let fallback = |reason| Ok(student_t_estimate(values, confidence, Some(reason)));
    let sample = match Sample::new(values) {
        Ok(sample) => sample,
        Err(reason) => return fallback(reason),
    };
    match sample.mean_interval(confidence) {
        Some(interval) => Ok(Estimate {
            n: values.len(),
            value: Some(sample.mean),
            interval: Some(interval),
            confidence,
            method: IntervalMethod::GammaProfileLikelihood,
        }),
        None => fallback(FallbackReason::NotConverged),
    }
}

#[cfg(test)]
mod tests {
    use super::super::special::{digamma, ln_gamma};
    use super::*;
    use crate::stats::NoIntervalReason;

    /// The textbook log-likelihood, to check the reformulated one against.
    fn plain_log_likelihood(values: &[f64], mean: f64, shape: f64) -> f64 {
        let scale = mean / shape;
        values
            .iter()
            .map(|&x| (shape - 1.0) * x.ln() - x / scale - ln_gamma(shape) - shape * scale.ln())
            .sum()
    }

    #[test]
    fn shape_equation_is_solved() {
        for &c in &[1e-12, 1e-6, 0.01, 0.3, 1.0, 5.0, 80.0] {
            let k = solve_shape(c).unwrap();
            let lhs = k.ln() - digamma(k);
            // the naive lhs cancels for huge k; compare with the accurate form there
            let lhs = if k > 1e4 { ln_minus_digamma(k) } else { lhs };
            assert!((lhs - c).abs() <= 1e-13 * c, "c {c}: k {k}");
        }
        assert!(solve_shape(0.0).is_none());
        assert!(solve_shape(f64::NAN).is_none());
    }

    #[test]
    fn reformulated_likelihood_matches_the_textbook_one() {
        let values = [3.0, 7.5, 1.2, 9.9, 4.4, 6.1];
        let sample = Sample::new(&values).unwrap();
        let fit = sample.fit();
        let plain = plain_log_likelihood(&values, fit.mean, fit.shape);
        assert!((fit.log_likelihood - plain).abs() < 1e-12 * plain.abs());
        // The MLE maximises: nudging either parameter lowers the likelihood.
        for (dm, dk) in [(1e-3, 0.0), (-1e-3, 0.0), (0.0, 1e-3), (0.0, -1e-3)] {
            let nudged =
                plain_log_likelihood(&values, fit.mean * (1.0 + dm), fit.shape * (1.0 + dk));
            assert!(nudged < plain);
        }
        // The deviance equals 2 (ℓ_max - max_k ℓ(μ, k)) computed the plain way.
        let t: f64 = 0.2;
        let mu = fit.mean * t.exp();
        let k_mu = solve_shape(sample.s + exp_neg_minus_one_plus(t)).unwrap();
        let profile = plain_log_likelihood(&values, mu, k_mu);
        assert!((sample.deviance(t) - 2.0 * (plain - profile)).abs() < 1e-10);
        for dk in [1e-3, -1e-3] {
            assert!(plain_log_likelihood(&values, mu, k_mu * (1.0 + dk)) < profile);
        }
    }

    #[test]
    fn interval_ends_sit_on_the_critical_deviance() {
        let values = [120.0, 80.0, 300.0, 95.0, 150.0, 210.0, 60.0];
        let e = gamma_mean(&values, 0.95).unwrap();
        let sample = Sample::new(&values).unwrap();
        let iv = e.interval.unwrap();
        for end in [iv.lower, iv.upper] {
            let d = sample.deviance((end / sample.mean).ln());
            assert!((d - 3.841_458_820_694_124).abs() < 1e-9, "{d}");
        }
    }

    #[test]
    fn tightly_clustered_values_stay_accurate() {
        // Shape ~ 5e9: the gamma is then practically normal, whose profile
        // interval for the mean (variance profiled out) solves
        // n ln(1 + (μ - m)²/σ²) = χ²_1 with σ² the MLE (divisor n) variance.
        let values = [1e6 - 20.0, 1e6 - 10.0, 1e6, 1e6 + 10.0, 1e6 + 20.0];
        let e = gamma_mean(&values, 0.95).unwrap();
        assert_eq!(e.method, IntervalMethod::GammaProfileLikelihood);
        let iv = e.interval.unwrap();
        let half = (200.0 * ((3.841_458_820_694_124f64 / 5.0).exp() - 1.0)).sqrt();
        assert!((iv.upper - 1e6 - half).abs() < 1e-3 * half);
        assert!((1e6 - iv.lower - half).abs() < 1e-3 * half);
    }

    #[test]
    fn degenerate_inputs_fall_back_and_say_why() {
        let method = |values: &[f64]| gamma_mean(values, 0.95).unwrap().method;
        let student = |reason| IntervalMethod::StudentT {
            fallback: Some(reason),
        };
        assert_eq!(
            method(&[]),
            IntervalMethod::NoInterval {
                reason: NoIntervalReason::NoValues
            }
        );
        assert_eq!(
            method(&[42.0]),
            IntervalMethod::NoInterval {
                reason: NoIntervalReason::OneValue
            }
        );
        assert_eq!(method(&[5.0, 5.0, 5.0]), student(FallbackReason::AllEqual));
        assert_eq!(
            method(&[0.0, 5.0, 7.0]),
            student(FallbackReason::OutsideSupport)
        );
        assert_eq!(
            method(&[-1.0, 5.0]),
            student(FallbackReason::OutsideSupport)
        );
        assert_eq!(
            method(&[1.0, 1.0 + 1e-12, 1.0 - 1e-12]),
            student(FallbackReason::TooLittleSpread)
        );
        let all_equal = gamma_mean(&[5.0, 5.0, 5.0], 0.95).unwrap();
        assert_eq!(all_equal.value, Some(5.0));
        assert_eq!(
            all_equal.interval,
            Some(Interval {
                lower: 5.0,
                upper: 5.0
            })
        );
        use crate::error::expect::invalid;
        let (name, reason) = invalid(gamma_mean(&[1.0, f64::INFINITY], 0.95));
        assert_eq!(name, "values");
        assert!(reason.contains("value 1 is inf"), "{reason}");
        let (name, reason) = invalid(fit_gamma(&[1.0]));
        assert_eq!(name, "values");
        assert!(reason.contains("at least two values"), "{reason}");
        for (values, why) in [
            (&[2.0, 2.0], FallbackReason::AllEqual),
            (&[0.0, 2.0], FallbackReason::OutsideSupport),
        ] {
            let (name, reason) = invalid(fit_gamma(values));
            assert_eq!((name, reason), ("values", format!("no gamma fit: {why}")));
        }
    }

    #[test]
    fn two_far_apart_values_still_give_an_interval() {
        let e = gamma_mean(&[1.0, 1000.0], 0.95).unwrap();
        assert_eq!(e.method, IntervalMethod::GammaProfileLikelihood);
        let iv = e.interval.unwrap();
        assert!(iv.lower < 500.5 && iv.upper > 500.5 && iv.lower > 0.0);
    }
}
