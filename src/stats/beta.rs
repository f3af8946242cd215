//! Beta distribution fitted on `[0, 0.5]` by maximum likelihood, with a
//! profile-likelihood interval for its mean (how the paper reports the
//! sparsity error).
//!
//! # The math
//!
//! Values `x` in `[0, 0.5]` are scaled to `y = 2x` in `(0, 1)` and modelled as
//! `Beta(α, β)`, parametrised by its mean `ν = α/(α+β)` (through its logit
//! `t = ln(ν/(1-ν))`) and precision `φ = α + β`. With Stirling's
//! decomposition `ln Γ(z) = (z - ½) ln z - z + ½ ln 2π + R(z)`, the
//! log-likelihood per value becomes
//!
//! ```text
//! ℓ(ν, φ)/n = C + ½ ln(ν(1-ν)) + [ -φ q(ν) + ½ ln φ + R(φ) - R(νφ) - R((1-ν)φ) ]
//! q(ν)      = mean_i KL(Bernoulli(ν) ‖ Bernoulli(y_i)) >= 0
//! ```
//!
//! (`C` does not depend on the parameters). For fixed `ν` the bracket is
//! concave in `φ` (the likelihood is concave in `(α, β)` and this is a ray of
//! that plane) and is maximised by Newton's method; its maximum is the
//! profile `F(t)`. The MLE of `t` solves the usual score equation
//! `ψ(α) - ψ(β) = mean(ln y - ln(1 - y))` along that profile (Brent's method);
//! the profile is unimodal, so the interval `{ν : 2n(F(t̂) - F(t)) <= χ²_1}`
//! has one end on each side, found by bracket expansion and Brent's method.
//! Reported means and bounds are `ν/2`, back on the `[0, 0.5]` scale.
//!
//! # Values on the boundary
//!
//! A value of exactly 0 or 0.5 has zero or infinite beta density, so the
//! likelihood is degenerate. As in the paper's code, such values are moved
//! [`BETA_CLAMP_EPS`] inside (to `1e-16` or `0.5 - 1e-16`); the method then
//! reports how many were moved. If all values are equal (e.g. all 0) there is
//! no beta fit and a Student-t interval is used instead.
//!
//! # The published computation
//!
//! The authors' R script (`export/_compute_summary.r`, `compute.beta.stat`)
//! parametrises `alpha = 2 mu v`, `beta = (1 - 2 mu) v` but evaluates the
//! density at `x` rather than at `2x`, and clips every value into
//! `[1e-16, 0.5 - 1e-16]` (values above 0.5 included) instead of falling
//! back. Its `mu` is therefore half the mean of a beta distribution fitted
//! to `x` itself on `(0, 1)`: about half the sparsity error's mean.
//! [`beta_mean_with`] and [`fit_beta_with`] with [`Compat::Published`] do
//! the same (the per-value clipping of the log-density to `±1e6` in that
//! script is not reproduced: it only matters for values within about
//! `e^-1e6` of a boundary, which doubles cannot hold).

use super::profile::profile_interval;
use super::root::{brent, expand_bracket};
use super::special::{
    ln_minus_digamma, ratio_divergence, stirling_correction, stirling_correction_d1,
    stirling_correction_d2,
};
use super::student_t::student_t_estimate;
use super::{
    all_equal, check_confidence, check_finite, mean_and_sd, Estimate, FallbackReason, Interval,
    IntervalMethod,
};
use crate::error::{Error, Result};
use crate::Compat;

/// Values within this distance of 0 or 0.5 are moved this far inside the
/// interval (the paper's choice: `pmin(0.5 - 1e-16, pmax(1e-16, x))`).
pub const BETA_CLAMP_EPS: f64 = 1e-16;

/// Below this spread (standard deviation relative to the distance of the mean
/// from the nearer boundary) the values count as too close together.
const MIN_RELATIVE_SPREAD: f64 = 1e-9;

/// How far in logit the searches may go (ν down to about 1e-304).
const MAX_LOGIT: f64 = 700.0;

/// A beta distribution fitted on `[0, 0.5]` by maximum likelihood: the values
/// `x` are modelled as `x = y/2` with `y ~ Beta(alpha, beta)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BetaFit {
    /// Number of values fitted.
    pub n: usize,
    pub alpha: f64,
    pub beta: f64,
    /// Mean on the `[0, 0.5]` scale: `alpha / (alpha + beta) / 2`.
    pub mean: f64,
    /// The maximised log-likelihood of the values on the `[0, 0.5]` scale.
    pub log_likelihood: f64,
    /// How many values lay on the boundary and were moved [`BETA_CLAMP_EPS`] inside.
    pub clamped: usize,
}

/// Mean `ν` and `1 - ν` from the logit, each without cancellation.
fn mean_from_logit(t: f64) -> (f64, f64) {
    if t >= 0.0 {
        let e = (-t).exp();
        (1.0 / (1.0 + e), e / (1.0 + e))
    } else {
        let e = t.exp();
        (e / (1.0 + e), 1.0 / (1.0 + e))
    }
}

/// The scaled values and what the fit needs from them.
struct Sample {
    n: f64,
    /// `y/x`: 2 for the correct likelihood, 1 for the published one.
    scale: f64,
    /// `y = 2x` (or `x` for the published likelihood) in `(0, 1)` and `1 - y`.
    y: Vec<f64>,
    y_complement: Vec<f64>,
    /// `mean(ln y - ln(1 - y))`.
    mean_logit: f64,
    clamped: usize,
    /// Logit of the MLE mean, and the profile there.
    t_hat: f64,
    profile_max: Profile,
}

/// The profile at one `t`: the best precision and the maximised `F(t)`.
#[derive(Clone, Copy)]
struct Profile {
    precision: f64,
    value: f64,
}

impl Sample {
    /// Checks the values (finite, at least two) and fits the MLE.
    fn new(values: &[f64], compat: Compat) -> std::result::Result<Sample, FallbackReason> {
        if all_equal(values) {
            return Err(FallbackReason::AllEqual);
        }
        // The published script clips every value into the support instead.
        if !compat.is_published() && values.iter().any(|&v| !(0.0..=0.5).contains(&v)) {
            return Err(FallbackReason::OutsideSupport);
        }
        let mut clamped = 0;
        let inside: Vec<f64> = values
            .iter()
            .map(|&v| {
                let c = v.clamp(BETA_CLAMP_EPS, 0.5 - BETA_CLAMP_EPS);
                clamped += usize::from(c != v);
                c
            })
            .collect();
        if all_equal(&inside) {
            return Err(FallbackReason::AllEqual);
        }
        let (mean, spread) = mean_and_sd(&inside);
        if spread.is_nan() || spread < MIN_RELATIVE_SPREAD * mean.min(0.5 - mean) {
            return Err(FallbackReason::TooLittleSpread);
        }
        let scale = if compat.is_published() { 1.0 } else { 2.0 };
        let y: Vec<f64> = inside.iter().map(|&v| scale * v).collect();
        let y_complement: Vec<f64> = inside.iter().map(|&v| 1.0 - scale * v).collect();
        let n = values.len() as f64;
        let mean_logit = y
            .iter()
            .zip(&y_complement)
            .map(|(&a, &b)| a.ln() - b.ln())
            .sum::<f64>()
            / n;
        let mut sample = Sample {
            n,
            scale,
            y,
            y_complement,
            mean_logit,
            clamped,
            t_hat: f64::NAN,
            profile_max: Profile {
                precision: f64::NAN,
                value: f64::NAN,
            },
        };
        let t_hat = sample.mle_logit().ok_or(FallbackReason::NotConverged)?;
        sample.t_hat = t_hat;
        sample.profile_max = sample.profile(t_hat).ok_or(FallbackReason::NotConverged)?;
        Ok(sample)
    }

    /// `q(ν)`: the mean Bernoulli KL divergence of the mean from the values,
    /// written as `ν d(y/ν) + (1-ν) d((1-y)/(1-ν))` with `d(r) = r - 1 - ln r`
    /// so that every term is non-negative.
    fn divergence(&self, nu: f64, nu_complement: f64) -> f64 {
        self.y
            .iter()
            .zip(&self.y_complement)
            .map(|(&a, &b)| {
                nu * ratio_divergence(a, nu) + nu_complement * ratio_divergence(b, nu_complement)
            })
            .sum::<f64>()
            / self.n
    }

    /// Maximises `-φ q + ½ ln φ + R(φ) - R(νφ) - R((1-ν)φ)` over the precision φ.
    fn profile(&self, t: f64) -> Option<Profile> {
        let (nu, nu_c) = mean_from_logit(t);
        if !(nu > 0.0 && nu_c > 0.0) {
            return None;
        }
        let q = self.divergence(nu, nu_c);
        if !(q > 0.0 && q.is_finite()) {
            return None;
        }
        let slope = |phi: f64| {
            -q + 0.5 / phi + stirling_correction_d1(phi)
                - nu * stirling_correction_d1(nu * phi)
                - nu_c * stirling_correction_d1(nu_c * phi)
        };
        let curvature = |phi: f64| {
            -0.5 / (phi * phi) + stirling_correction_d2(phi)
                - nu * nu * stirling_correction_d2(nu * phi)
                - nu_c * nu_c * stirling_correction_d2(nu_c * phi)
        };
        // Bracket the root of the (decreasing) slope, starting from its
        // large-φ approximation 1/(2q).
        let start = 0.5 / q;
        let (mut lo, mut hi) = (start, start);
        // (A NaN slope keeps the loops going until they give up.)
        loop {
            if slope(lo) > 0.0 {
                break;
            }
            lo *= 0.25;
            if lo < 1e-300 {
                return None;
            }
        }
        loop {
            if slope(hi) < 0.0 {
                break;
            }
            hi *= 4.0;
            if hi > 1e300 {
                return None;
            }
        }
        let mut phi = start.clamp(lo, hi);
        let mut converged = false;
        for _ in 0..200 {
            let g = slope(phi);
            if g == 0.0 {
                converged = true;
                break;
            }
            if g > 0.0 {
                lo = phi;
            } else {
                hi = phi;
            }
            let mut next = phi - g / curvature(phi);
            if !(next > lo && next < hi) {
                next = (lo * hi).sqrt();
            }
            let done = (next - phi).abs() <= 1e-15 * phi || hi - lo <= 4.0 * f64::EPSILON * hi;
            phi = next;
            if done {
                converged = true;
                break;
            }
        }
        if !converged {
            return None;
        }
        let bracket = -phi * q + 0.5 * phi.ln() + stirling_correction(phi)
            - stirling_correction(nu * phi)
            - stirling_correction(nu_c * phi);
        let value = 0.5 * (nu * nu_c).ln() + bracket;
        value.is_finite().then_some(Profile {
            precision: phi,
            value,
        })
    }

    /// The score in `t` along the profile, up to a positive factor:
    /// `ψ(α) - ψ(β) - mean(ln y - ln(1-y))`, increasing through 0 at the MLE.
    fn score(&self, t: f64) -> f64 {
        let Some(p) = self.profile(t) else {
            return f64::NAN;
        };
        let (nu, nu_c) = mean_from_logit(t);
        // ψ(z) = ln z - (ln z - ψ(z)), and ln α - ln β = t.
        t - self.mean_logit - ln_minus_digamma(nu * p.precision)
            + ln_minus_digamma(nu_c * p.precision)
    }

    /// The logit of the MLE mean.
    fn mle_logit(&self) -> Option<f64> {
        let mean_y = self.y.iter().sum::<f64>() / self.n;
        let mean_y_c = self.y_complement.iter().sum::<f64>() / self.n;
        let start = (mean_y / mean_y_c).ln();
        let f_start = self.score(start);
        if f_start == 0.0 {
            return Some(start);
        }
        // expand_bracket walks towards f >= 0 from f < 0; flip the sign when
        // the root lies to the left.
        let sign = if f_start < 0.0 { 1.0 } else { -1.0 };
        let f = |t: f64| sign * self.score(t);
        let (a, b, fa, fb) =
            expand_bracket(f, start, sign * f_start, sign * 0.5, sign * MAX_LOGIT)?;
        brent(f, a, b, fa, fb, 1e-14)
    }

    /// `2n (F(t̂) - F(t))`.
    fn deviance(&self, t: f64) -> f64 {
        match self.profile(t) {
            Some(p) => 2.0 * self.n * (self.profile_max.value - p.value),
            None => f64::NAN,
        }
    }

    fn fit(&self) -> BetaFit {
        let (nu, nu_c) = mean_from_logit(self.t_hat);
        let phi = self.profile_max.precision;
        // ℓ/n = F + C with C = -mean(ln y) - mean(ln(1-y)) - ½ ln 2π, plus ln 2
        // per value for the density of x = y/2 (nothing for the published
        // likelihood, which is the density of y = x).
        let constant = -self
            .y
            .iter()
            .zip(&self.y_complement)
            .map(|(&a, &b)| a.ln() + b.ln())
            .sum::<f64>()
            / self.n
            - 0.918_938_533_204_672_8
            + self.scale.ln();
        BetaFit {
            n: self.n as usize,
            alpha: nu * phi,
            beta: nu_c * phi,
            mean: 0.5 * nu,
            log_likelihood: self.n * (self.profile_max.value + constant),
            clamped: self.clamped,
        }
    }

    /// The profile-likelihood interval for the mean, on the `[0, 0.5]` scale.
    fn mean_interval(&self, confidence: f64) -> Option<Interval> {
        let (nu, nu_c) = mean_from_logit(self.t_hat);
        // About one standard error of the logit per first step.
        let step =
            (1.0 / (self.n * (self.profile_max.precision + 1.0) * nu * nu_c).sqrt()).min(1.0);
        let (t_lower, t_upper) = profile_interval(
            |t| self.deviance(t),
            self.t_hat,
            confidence,
            step,
            MAX_LOGIT,
        )?;
        Some(Interval {
            lower: 0.5 * mean_from_logit(t_lower).0,
            upper: 0.5 * mean_from_logit(t_upper).0,
        })
    }
}

/// Fits a beta distribution on `[0, 0.5]` by maximum likelihood (values
/// exactly on the boundary are moved [`BETA_CLAMP_EPS`] inside; see the
/// module documentation).
///
/// # Errors
/// [`Error::InvalidArgument`] if a value is not finite, there are fewer than
/// two values, a value is outside `[0, 0.5]`, the values are (nearly) all
/// equal, or the fit does not converge.
///
/// ```
/// use arithgrad::stats::fit_beta;
/// let fit = fit_beta(&[0.01, 0.03, 0.02, 0.08, 0.05]).unwrap();
/// assert!((fit.mean - fit.alpha / (fit.alpha + fit.beta) / 2.0).abs() < 1e-15);
/// assert_eq!(fit.clamped, 0);
/// ```
pub fn fit_beta(values: &[f64]) -> Result<BetaFit> {
    fit_beta_with(values, Compat::Default)
}

/// [`fit_beta`] with the likelihood `compat` selects: with
/// [`Compat::Published`], that of the authors' R script (the beta density
/// at `x` instead of `2x`, values outside `[0, 0.5]` clipped into it; see
/// the module documentation). `alpha` and `beta` are then the parameters of
/// the distribution of `x` itself, `mean` is half its mean (the script's
/// `mu`), and `log_likelihood` is `sum ln dbeta(x, alpha, beta)`.
///
/// ```
/// use arithgrad::stats::{fit_beta, fit_beta_with};
/// use arithgrad::Compat;
/// let x = [0.01, 0.03, 0.02, 0.08, 0.05];
/// let published = fit_beta_with(&x, Compat::Published).unwrap();
/// assert!((published.mean - published.alpha / (published.alpha + published.beta) / 2.0).abs() < 1e-15);
/// // About half the correct fit's mean.
/// let own = fit_beta(&x).unwrap();
/// assert!(published.mean < 0.6 * own.mean && published.mean > 0.4 * own.mean);
/// ```
pub fn fit_beta_with(values: &[f64], compat: Compat) -> Result<BetaFit> {
    check_finite("values", values)?;
    if values.len() < 2 {
        return Err(Error::invalid(
            "values",
            "a beta fit needs at least two values",
        ));
    }
    Sample::new(values, compat)
        .map(|sample| sample.fit())
        .map_err(|reason| Error::invalid("values", format!("no beta fit: {reason}")))
}

/// The mean of values in `[0, 0.5]` (e.g. sparsity errors) with a
/// profile-likelihood interval from a beta distribution fitted on `[0, 0.5]`
/// by maximum likelihood; the paper's method for the sparsity error. See the
/// module documentation for the math and the handling of 0 and 0.5.
///
/// Falls back to a Student-t interval, and says so in [`Estimate::method`],
/// when the beta fit is degenerate: a value outside `[0, 0.5]`, all values
/// equal, values too close together, or no convergence. With fewer than two
/// values there is no interval.
///
/// # Errors
/// [`Error::InvalidArgument`] if `confidence` is not in `(0, 1)` or a value is
/// not finite.
///
/// ```
/// use arithgrad::stats::{beta_mean, IntervalMethod};
/// let e = beta_mean(&[0.01, 0.03, 0.02, 0.08, 0.05], 0.95).unwrap();
/// assert_eq!(e.method, IntervalMethod::BetaProfileLikelihood { clamped: 0 });
/// let (mean, iv) = (e.value.unwrap(), e.interval.unwrap());
/// assert!(0.0 < iv.lower && iv.lower < mean && mean < iv.upper && iv.upper < 0.5);
/// ```
pub fn beta_mean(values: &[f64], confidence: f64) -> Result<Estimate> {
    beta_mean_with(values, confidence, Compat::Default)
}

/// [`beta_mean`] with the likelihood `compat` selects: with
/// [`Compat::Published`], the authors' R computation (see the module
/// documentation and [`fit_beta_with`]), which reports about half the mean
/// and never falls back for values above 0.5 (it clips them).
///
/// ```
/// use arithgrad::stats::{beta_mean_with, IntervalMethod};
/// use arithgrad::Compat;
/// let e = beta_mean_with(&[0.01, 0.03, 0.02, 0.08, 0.7], 0.95, Compat::Published).unwrap();
/// assert_eq!(e.method, IntervalMethod::BetaProfileLikelihood { clamped: 1 });
/// ```
pub fn beta_mean_with(values: &[f64], confidence: f64, compat: Compat) -> Result<Estimate> {
    check_confidence(confidence)?;
    check_finite("values", values)?;
    if values.len() < 2 {
        return Ok(student_t_estimate(values, confidence, None));
    }
    let fallback = |reason| Ok(student_t_estimate(values, confidence, Some(reason)));
    let sample = match Sample::new(values, compat) {
        Ok(sample) => sample,
        Err(reason) => return fallback(reason),
    };
    match sample.mean_interval(confidence) {
        Some(interval) => Ok(Estimate {
            n: values.len(),
            value: Some(0.5 * mean_from_logit(sample.t_hat).0),
            interval: Some(interval),
            confidence,
            method: IntervalMethod::BetaProfileLikelihood {
                clamped: sample.clamped,
            },
        }),
        None => fallback(FallbackReason::NotConverged),
    }
}

#[cfg(test)]
mod tests {
    use super::super::special::{digamma, ln_gamma};
    use super::*;
    use crate::stats::NoIntervalReason;

    /// The textbook log-likelihood of `x` on `[0, 0.5]`.
    fn plain_log_likelihood(values: &[f64], alpha: f64, beta: f64) -> f64 {
        values
            .iter()
            .map(|&x| {
                let y = 2.0 * x;
                std::f64::consts::LN_2 + ln_gamma(alpha + beta) - ln_gamma(alpha) - ln_gamma(beta)
                    + (alpha - 1.0) * y.ln()
                    + (beta - 1.0) * (1.0 - y).ln()
            })
            .sum()
    }

    const VALUES: [f64; 6] = [0.02, 0.11, 0.05, 0.31, 0.07, 0.16];

    #[test]
    fn mle_solves_the_score_equations() {
        let fit = fit_beta(&VALUES).unwrap();
        let n = VALUES.len() as f64;
        let mean_ln_y = VALUES.iter().map(|x| (2.0 * x).ln()).sum::<f64>() / n;
        let mean_ln_1my = VALUES.iter().map(|x| (1.0 - 2.0 * x).ln()).sum::<f64>() / n;
        let total = digamma(fit.alpha + fit.beta);
        assert!((digamma(fit.alpha) - total - mean_ln_y).abs() < 1e-12);
        assert!((digamma(fit.beta) - total - mean_ln_1my).abs() < 1e-12);
        let plain = plain_log_likelihood(&VALUES, fit.alpha, fit.beta);
        assert!((fit.log_likelihood - plain).abs() < 1e-11 * plain.abs());
    }

    #[test]
    fn profile_matches_a_plain_maximisation() {
        let sample = Sample::new(&VALUES, Compat::Default).unwrap();
        let plain_max = plain_log_likelihood(&VALUES, sample.fit().alpha, sample.fit().beta);
        let t = sample.t_hat + 0.4;
        let (nu, nu_c) = mean_from_logit(t);
        let p = sample.profile(t).unwrap();
        let at = |phi: f64| plain_log_likelihood(&VALUES, nu * phi, nu_c * phi);
        let profile = at(p.precision);
        assert!(at(p.precision * 1.001) < profile && at(p.precision * 0.999) < profile);
        assert!((sample.deviance(t) - 2.0 * (plain_max - profile)).abs() < 1e-10);
    }

    #[test]
    fn interval_ends_sit_on_the_critical_deviance() {
        let e = beta_mean(&VALUES, 0.95).unwrap();
        let sample = Sample::new(&VALUES, Compat::Default).unwrap();
        let iv = e.interval.unwrap();
        for end in [iv.lower, iv.upper] {
            let nu = 2.0 * end;
            let d = sample.deviance((nu / (1.0 - nu)).ln());
            assert!((d - 3.841_458_820_694_124).abs() < 1e-8, "{d}");
        }
    }

    #[test]
    fn boundary_values_are_clamped_and_reported() {
        let values = [0.0, 0.02, 0.05, 0.5, 0.1];
        let e = beta_mean(&values, 0.95).unwrap();
        assert_eq!(
            e.method,
            IntervalMethod::BetaProfileLikelihood { clamped: 2 }
        );
        let iv = e.interval.unwrap();
        assert!(0.0 <= iv.lower && iv.lower <= e.value.unwrap() && e.value.unwrap() <= iv.upper);
        assert!(iv.upper <= 0.5);
        assert_eq!(fit_beta(&values).unwrap().clamped, 2);
    }

    #[test]
    fn degenerate_inputs_fall_back_and_say_why() {
        let method = |values: &[f64]| beta_mean(values, 0.95).unwrap().method;
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
            method(&[0.1]),
            IntervalMethod::NoInterval {
                reason: NoIntervalReason::OneValue
            }
        );
        assert_eq!(method(&[0.0, 0.0, 0.0]), student(FallbackReason::AllEqual));
        assert_eq!(method(&[0.2, 0.2]), student(FallbackReason::AllEqual));
        // 0 and 1e-17 both clamp to 1e-16.
        assert_eq!(method(&[0.0, 1e-17]), student(FallbackReason::AllEqual));
        assert_eq!(method(&[0.1, 0.6]), student(FallbackReason::OutsideSupport));
        assert_eq!(
            method(&[-0.1, 0.2]),
            student(FallbackReason::OutsideSupport)
        );
        assert_eq!(
            method(&[0.2, 0.2 + 1e-13, 0.2 - 1e-13]),
            student(FallbackReason::TooLittleSpread)
        );
        let zeros = beta_mean(&[0.0, 0.0, 0.0], 0.95).unwrap();
        assert_eq!(zeros.value, Some(0.0));
        assert_eq!(
            zeros.interval,
            Some(Interval {
                lower: 0.0,
                upper: 0.0
            })
        );
        use crate::error::expect::invalid;
        let (name, reason) = invalid(beta_mean(&[0.1, f64::NAN], 0.95));
        assert_eq!(name, "values");
        assert!(reason.contains("value 1 is NaN"), "{reason}");
        let (name, reason) = invalid(fit_beta(&[0.1]));
        assert_eq!(name, "values");
        assert!(reason.contains("at least two values"), "{reason}");
        let (name, reason) = invalid(fit_beta(&[0.0, 0.0]));
        assert_eq!(
            (name, reason),
            (
                "values",
                format!("no beta fit: {}", FallbackReason::AllEqual)
            )
        );
    }

    #[test]
    fn tightly_clustered_values_stay_accurate() {
        // Precision ~ 1e11: the beta is then practically normal, whose profile
        // interval for the mean (variance profiled out) solves
        // n ln(1 + (μ - m)²/σ²) = χ²_1 with σ² the MLE (divisor n) variance.
        let values = [0.2 - 2e-6, 0.2 - 1e-6, 0.2, 0.2 + 1e-6, 0.2 + 2e-6];
        let e = beta_mean(&values, 0.95).unwrap();
        assert_eq!(
            e.method,
            IntervalMethod::BetaProfileLikelihood { clamped: 0 }
        );
        let iv = e.interval.unwrap();
        let half = (2e-12 * ((3.841_458_820_694_124f64 / 5.0).exp() - 1.0)).sqrt();
        assert!((iv.upper - 0.2 - half).abs() < 1e-3 * half);
        assert!((0.2 - iv.lower - half).abs() < 1e-3 * half);
    }
}
