//! Layer 6: statistics for reporting results over many seeds.
//!
//! Pure numerics over `f64` (no dependency on the autodiff layers), following
//! how Madsen & Johansen, "Neural Arithmetic Units" (ICLR 2020), report a
//! configuration run with many seeds:
//!
//! - success rate: the fraction of solved runs, with a Wilson score interval
//!   ([`wilson`]);
//! - "solved at" (iteration counts): the median ([`median`]), and the mean of
//!   a gamma distribution fitted by maximum likelihood with a
//!   profile-likelihood interval ([`gamma_mean`]);
//! - sparsity error (values in `[0, 0.5]`): the mean of a beta distribution
//!   fitted on `[0, 0.5]` by maximum likelihood, with a profile-likelihood
//!   interval ([`beta_mean`]);
//! - when a fit is degenerate, a Student-t interval ([`student_t_mean`]).
//!
//! Every result is an [`Estimate`] that names the [`IntervalMethod`] actually
//! used, including why a fallback was taken, so that no reader mistakes a
//! Student-t interval for a likelihood interval. [`CellSummary`] puts it all
//! together for one configuration from its per-run [`RunOutcome`]s.
//!
//! The special functions the fits need ([`ln_gamma`], [`digamma`],
//! [`trigamma`], [`normal_quantile`], [`t_quantile`], ...) are implemented
//! here too.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::error::{Error, Result};

mod beta;
mod gamma;
mod normal;
mod profile;
mod root;
mod special;
mod student_t;
mod summary;
mod wilson;

pub use beta::{beta_mean, beta_mean_with, fit_beta, fit_beta_with, BetaFit, BETA_CLAMP_EPS};
pub use gamma::{fit_gamma, gamma_mean, GammaFit};
pub use normal::{chi_square_1_quantile, normal_quantile};
pub use special::{digamma, ln_gamma, trigamma};
pub use student_t::{student_t_mean, t_quantile};
pub use summary::{median, CellSummary, RunOutcome};
pub use wilson::wilson;

/// A closed interval `[lower, upper]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

/// A point estimate with its confidence interval and the method behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// How many values (or trials) the estimate rests on.
    pub n: usize,
    /// The point estimate; `None` without any data.
    pub value: Option<f64>,
    /// The confidence interval; `None` when none can be given (the reason is
    /// in `method`).
    pub interval: Option<Interval>,
    /// The confidence level of `interval`, e.g. 0.95.
    pub confidence: f64,
    /// The method that actually produced `interval`.
    pub method: IntervalMethod,
}

/// How an interval was computed.
///
/// `Display` gives a human-readable name; `Serialize` writes
/// `{"kind": ..., "reason": ..., "description": ...}` with snake-case `kind`
/// and `reason` codes for programs and the `Display` text for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalMethod {
    /// Wilson score interval for a binomial proportion.
    Wilson,
    /// Gamma distribution fitted by maximum likelihood; profile-likelihood
    /// interval for its mean.
    GammaProfileLikelihood,
    /// Beta distribution fitted on `[0, 0.5]` by maximum likelihood;
    /// profile-likelihood interval for its mean. `clamped` values lay on the
    /// boundary 0 or 0.5 and were moved inside by [`BETA_CLAMP_EPS`].
    BetaProfileLikelihood { clamped: usize },
    /// Student-t interval `mean ± t_(n-1) s/√n`. `fallback` says why a
    /// distribution fit was abandoned; `None` when asked for directly.
    StudentT { fallback: Option<FallbackReason> },
    /// No interval could be given.
    NoInterval { reason: NoIntervalReason },
}

/// Why a distribution fit was replaced by a Student-t interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackReason {
    /// Every value is the same: the fitted shape would be infinite.
    AllEqual,
    /// The values differ by less than a relative 1e-9: the fit's shape is
    /// beyond what double precision can resolve.
    TooLittleSpread,
    /// A value lies outside the distribution's support (not positive for the
    /// gamma, outside `[0, 0.5]` for the beta).
    OutsideSupport,
    /// The maximum-likelihood fit or an interval end did not converge (or
    /// lies beyond what double precision can represent).
    NotConverged,
}

/// Why there is no interval at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoIntervalReason {
    /// There are no values (or no trials).
    NoValues,
    /// A single value gives no estimate of spread.
    OneValue,
}

impl IntervalMethod {
    /// A stable snake-case code for the method.
    pub fn code(&self) -> &'static str {
        match self {
            IntervalMethod::Wilson => "wilson",
            IntervalMethod::GammaProfileLikelihood => "gamma_profile_likelihood",
            IntervalMethod::BetaProfileLikelihood { .. } => "beta_profile_likelihood",
            IntervalMethod::StudentT { .. } => "student_t",
            IntervalMethod::NoInterval { .. } => "no_interval",
        }
    }

    /// The snake-case code of the fallback or no-interval reason, if any.
    pub fn reason_code(&self) -> Option<&'static str> {
        match self {
            IntervalMethod::StudentT {
                fallback: Some(reason),
            } => Some(reason.code()),
            IntervalMethod::NoInterval { reason } => Some(reason.code()),
            _ => None,
        }
    }

    /// Whether a distribution fit was abandoned for a Student-t interval.
    pub fn is_fallback(&self) -> bool {
        matches!(self, IntervalMethod::StudentT { fallback: Some(_) })
    }
}

impl FallbackReason {
    /// A stable snake-case code for the reason.
    pub fn code(&self) -> &'static str {
        match self {
            FallbackReason::AllEqual => "all_equal",
            FallbackReason::TooLittleSpread => "too_little_spread",
            FallbackReason::OutsideSupport => "outside_support",
            FallbackReason::NotConverged => "not_converged",
        }
    }
}

impl NoIntervalReason {
    /// A stable snake-case code for the reason.
    pub fn code(&self) -> &'static str {
        match self {
            NoIntervalReason::NoValues => "no_values",
            NoIntervalReason::OneValue => "one_value",
        }
    }
}

impl fmt::Display for FallbackReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FallbackReason::AllEqual => "all values are equal",
            FallbackReason::TooLittleSpread => "values too close together for a stable fit",
            FallbackReason::OutsideSupport => "a value lies outside the distribution's support",
            FallbackReason::NotConverged => "the likelihood fit or its interval did not converge",
        })
    }
}

impl fmt::Display for NoIntervalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NoIntervalReason::NoValues => "no values",
            NoIntervalReason::OneValue => "only one value",
        })
    }
}

impl fmt::Display for IntervalMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntervalMethod::Wilson => f.write_str("Wilson score interval"),
            IntervalMethod::GammaProfileLikelihood => {
                f.write_str("gamma maximum likelihood, profile-likelihood interval")
            }
            IntervalMethod::BetaProfileLikelihood { clamped: 0 } => {
                f.write_str("beta maximum likelihood on [0, 0.5], profile-likelihood interval")
            }
            IntervalMethod::BetaProfileLikelihood { clamped } => write!(
                f,
                "beta maximum likelihood on [0, 0.5], profile-likelihood interval \
                 ({clamped} boundary value(s) moved {BETA_CLAMP_EPS:e} inside)"
            ),
            IntervalMethod::StudentT { fallback: None } => f.write_str("Student-t interval"),
            IntervalMethod::StudentT {
                fallback: Some(reason),
            } => write!(f, "Student-t interval (fallback: {reason})"),
            IntervalMethod::NoInterval { reason } => write!(f, "no interval ({reason})"),
        }
    }
}

impl Serialize for IntervalMethod {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("IntervalMethod", 3)?;
        s.serialize_field("kind", self.code())?;
        s.serialize_field("reason", &self.reason_code())?;
        s.serialize_field("description", &self.to_string())?;
        s.end()
    }
}

impl fmt::Display for Estimate {
    /// Four significant digits, e.g.
    /// `0.7000 [0.3968, 0.8922] (95%, Wilson score interval)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value {
            Some(v) => f.write_str(&significant(v))?,
            None => f.write_str("n/a")?,
        }
        if let Some(Interval { lower, upper }) = self.interval {
            write!(f, " [{}, {}]", significant(lower), significant(upper))?;
        }
        write!(f, " ({}%, {})", self.confidence * 100.0, self.method)
    }
}

/// `v` with four significant digits: fixed-point between 1e-3 and 1e6,
/// scientific outside.
fn significant(v: f64) -> String {
    let magnitude = v.abs();
    if v == 0.0 || !v.is_finite() {
        format!("{v}")
    } else if (1e-3..1e6).contains(&magnitude) {
        let decimals = (3 - magnitude.log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.3e}")
    }
}

impl Estimate {
    /// An estimate without an interval.
    pub(crate) fn without_interval(
        n: usize,
        value: Option<f64>,
        confidence: f64,
        reason: NoIntervalReason,
    ) -> Self {
        Estimate {
            n,
            value,
            interval: None,
            confidence,
            method: IntervalMethod::NoInterval { reason },
        }
    }
}

/// Checks that `confidence` lies strictly between 0 and 1.
pub(crate) fn check_confidence(confidence: f64) -> Result<()> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            "confidence",
            format!("must lie strictly between 0 and 1, got {confidence}"),
        ))
    }
}

/// Checks that every value is finite (NaN and infinities are input errors).
pub(crate) fn check_finite(name: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(Error::invalid(
            name,
            format!("value {i} is {}, every value must be finite", values[i]),
        )),
    }
}

/// Arithmetic mean and sample standard deviation (divisor `n - 1`; NaN for
/// fewer than two values). Two passes over values scaled by the largest
/// magnitude, so that neither tiny (1e-300) nor huge (1e300) values
/// underflow or overflow when squared.
pub(crate) fn mean_and_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let scale = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 || !scale.is_finite() {
        let sd = if values.len() < 2 { f64::NAN } else { 0.0 };
        return (values.iter().sum::<f64>() / n, sd);
    }
    let mut mean = values.iter().sum::<f64>() / n;
    if !mean.is_finite() {
        // The sum overflowed.
        mean = values.iter().map(|v| v / scale).sum::<f64>() / n * scale;
    }
    if values.len() < 2 {
        return (mean, f64::NAN);
    }
    let mean_scaled = mean / scale;
    let squares: f64 = values
        .iter()
        .map(|v| (v / scale - mean_scaled).powi(2))
        .sum();
    (mean, (squares / (n - 1.0)).sqrt() * scale)
}

/// Whether all values are exactly equal.
pub(crate) fn all_equal(values: &[f64]) -> bool {
    values.windows(2).all(|w| w[0] == w[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_say_what_was_done() {
        let t = IntervalMethod::StudentT {
            fallback: Some(FallbackReason::AllEqual),
        };
        assert_eq!(
            t.to_string(),
            "Student-t interval (fallback: all values are equal)"
        );
        assert!(t.is_fallback());
        assert!(!IntervalMethod::StudentT { fallback: None }.is_fallback());
        assert_eq!(
            IntervalMethod::BetaProfileLikelihood { clamped: 2 }.to_string(),
            "beta maximum likelihood on [0, 0.5], profile-likelihood interval \
             (2 boundary value(s) moved 1e-16 inside)"
        );
        let json = serde_json::to_value(t).unwrap();
        assert_eq!(json["kind"], "student_t");
        assert_eq!(json["reason"], "all_equal");
        assert_eq!(json["description"], t.to_string());
        let json = serde_json::to_value(IntervalMethod::Wilson).unwrap();
        assert!(json["reason"].is_null());
    }

    #[test]
    fn estimate_display() {
        let e = Estimate {
            n: 10,
            value: Some(0.7),
            interval: Some(Interval {
                lower: 0.396_778,
                upper: 0.892_209,
            }),
            confidence: 0.95,
            method: IntervalMethod::Wilson,
        };
        assert_eq!(
            e.to_string(),
            "0.7000 [0.3968, 0.8922] (95%, Wilson score interval)"
        );
        assert_eq!(significant(28750.0), "28750");
        assert_eq!(significant(0.002_5), "0.002500");
        assert_eq!(significant(-12.345_67), "-12.35");
        assert_eq!(significant(1.5e23), "1.500e23");
        assert_eq!(significant(8.7e-11), "8.700e-11");
        assert_eq!(significant(0.0), "0");
        let none = Estimate::without_interval(0, None, 0.95, NoIntervalReason::NoValues);
        assert_eq!(none.to_string(), "n/a (95%, no interval (no values))");
    }

    #[test]
    fn input_checks() {
        assert!(check_confidence(0.95).is_ok());
        for bad in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
            let (name, reason) = crate::error::expect::invalid(check_confidence(bad));
            assert_eq!(name, "confidence");
            assert!(reason.contains(&format!("got {bad}")), "{reason}");
        }
        assert!(check_finite("x", &[1.0, 2.0]).is_ok());
        for (values, which) in [
            (&[1.0, f64::NAN][..], "value 1 is NaN"),
            (&[f64::INFINITY][..], "value 0 is inf"),
        ] {
            let (name, reason) = crate::error::expect::invalid(check_finite("x", values));
            assert_eq!(name, "x");
            assert!(reason.contains(which), "{reason}");
        }
    }

    #[test]
    fn mean_and_sd_two_pass_and_scaled() {
        let (m, sd) = mean_and_sd(&[1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0]);
        assert_eq!(m, 1e9 + 2.0);
        assert!((sd - 1.0).abs() < 1e-6);
        // Neither squares of 1e-300 nor of 1e300 fit in an f64.
        let (m, sd) = mean_and_sd(&[1e-300, 3e-300]);
        assert!((m - 2e-300).abs() < 1e-314 && (sd - 2f64.sqrt() * 1e-300).abs() < 1e-313);
        let (m, sd) = mean_and_sd(&[1e308, 1.7e308]);
        assert!((m - 1.35e308).abs() < 1e294 && (sd - 0.7e308 / 2f64.sqrt()).abs() < 1e294);
        let (m, sd) = mean_and_sd(&[1e300, 3e300]);
        assert!((m - 2e300).abs() < 1e286 && (sd - 2f64.sqrt() * 1e300).abs() < 1e286);
        assert_eq!(mean_and_sd(&[0.0, 0.0]), (0.0, 0.0));
        assert!(mean_and_sd(&[4.0]).1.is_nan());
    }
}
