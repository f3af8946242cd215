//! Student's t distribution (CDF, quantile) and the Student-t interval for a
//! mean, the fallback when a distribution fit is degenerate.

use super::normal::normal_quantile;
use super::root::brent;
use super::special::ln_beta;
use super::{
    check_confidence, check_finite, mean_and_sd, Estimate, FallbackReason, Interval,
    IntervalMethod, NoIntervalReason,
};
use crate::error::Result;

/// From this many degrees of freedom on the quantile comes from the
/// Cornish–Fisher expansion around the normal quantile: checked against
/// scipy's `t.ppf` to about 5e-16 relative for tail probabilities down to
/// 1e-12, while the continued fraction behind the CDF loses digits as `df`
/// grows.
const LARGE_DF: f64 = 1e4;

/// Regularized incomplete beta `I_x(a, b)`, given `x`, `1 - x` and their
/// logarithms (so that the caller can supply them accurately). Continued
/// fraction (modified Lentz), with the symmetry `I_x(a, b) = 1 - I_(1-x)(b, a)`
/// so that the fraction is always evaluated where it converges quickly.
fn incomplete_beta(x: Complementary, a: f64, b: f64) -> f64 {
    if x.value <= 0.0 {
        return 0.0;
    }
    if x.complement <= 0.0 {
        return 1.0;
    }
    if x.value > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(x.swapped(), b, a);
    }
    let front = (a * x.ln_value + b * x.ln_complement - ln_beta(a, b)).exp() / a;
    front * beta_continued_fraction(x.value, a, b)
}

/// A probability-like `x` in `[0, 1]` with `1 - x` and both logarithms, each
/// computed without cancellation by the caller.
#[derive(Clone, Copy)]
struct Complementary {
    value: f64,
    complement: f64,
    ln_value: f64,
    ln_complement: f64,
}

impl Complementary {
    fn swapped(self) -> Self {
        Complementary {
            value: self.complement,
            complement: self.value,
            ln_value: self.ln_complement,
            ln_complement: self.ln_value,
        }
    }
}

/// The continued fraction of the incomplete beta function (Numerical Recipes
/// `betacf`), evaluated by the modified Lentz method.
fn beta_continued_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const MAX_ITER: usize = 100_000;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    let mut h = d;
    for m in 1..MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        let even = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// Upper tail `P(T > t)` for `t >= 0`: `½ I_(df/(df+t²))(df/2, ½)`.
fn upper_tail(t: f64, df: f64) -> f64 {
    // x = df / (df + t²) = 1 / (1 + r) with r = t²/df.
    let r = t * t / df;
    let ln_1p_r = r.ln_1p();
    let x = Complementary {
        value: 1.0 / (1.0 + r),
        complement: r / (1.0 + r),
        ln_value: -ln_1p_r,
        ln_complement: r.ln() - ln_1p_r,
    };
    0.5 * incomplete_beta(x, 0.5 * df, 0.5)
}

/// The CDF of Student's t distribution with `df > 0` degrees of freedom
/// (NaN for `df <= 0` or NaN arguments).
///
/// Only the tests use it (to check the quantile); it is not public because
/// the continued fraction loses about `log10(df)` digits when
/// `df` is large (relative error near `1e-16 df`), which is fine for the
/// quantile below 1e4 degrees of freedom but not for a general-purpose CDF.
#[cfg(test)]
fn t_cdf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    let tail = upper_tail(t.abs(), df);
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The quantile (inverse CDF) of Student's t distribution with `df > 0`
/// degrees of freedom: the `t` with `P(T <= t) = p`. `p = 0` and `p = 1` give
/// `∓∞`; `p` outside `[0, 1]` or `df <= 0` gives NaN.
///
/// Closed forms for `df = 1` and `df = 2`; otherwise Brent's method on the CDF
/// (through the incomplete beta function), or, from `1e4` degrees of freedom
/// on, the Cornish–Fisher expansion. Relative accuracy about 1e-13 or better.
///
/// ```
/// use arithgrad::stats::t_quantile;
/// // The 97.5% point with 9 degrees of freedom, as in any t table.
/// assert!((t_quantile(0.975, 9.0) - 2.262_157_162_798_205).abs() < 1e-13);
/// ```
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p.is_nan() || df.is_nan() || df <= 0.0 || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    // Work in the upper tail: find t > 0 with P(T > t) = tail.
    let tail = if p < 0.5 { p } else { 1.0 - p };
    let t = upper_quantile(tail, df);
    if p < 0.5 {
        -t
    } else {
        t
    }
}

/// The `t > 0` with `P(T > t) = tail`, for `0 < tail < ½`.
fn upper_quantile(tail: f64, df: f64) -> f64 {
    if df == 1.0 {
        // Cauchy: P(T > t) = ½ - atan(t)/π.
        return 1.0 / (std::f64::consts::PI * tail).tan();
    }
    if df == 2.0 {
        // P(T > t) = ½ (1 - t / √(2 + t²))  <=>  t = (1 - 2p) / √(2p(1 - p)).
        return (1.0 - 2.0 * tail) / (2.0 * tail * (1.0 - tail)).sqrt();
    }
    let guess = cornish_fisher(-normal_quantile(tail), df);
    if df >= LARGE_DF {
        return guess;
    }
    let f = |t: f64| upper_tail(t, df) - tail;
    // P(T > t) decreases in t; bracket [lo, hi] with f(lo) > 0 > f(hi).
    let mut lo = 0.0;
    let mut hi = guess.max(1.0);
    let mut f_hi = f(hi);
    while f_hi > 0.0 {
        lo = hi;
        hi *= 2.0;
        f_hi = f(hi);
        if !hi.is_finite() {
            return f64::NAN;
        }
    }
    let f_lo = f(lo);
    brent(f, lo, hi, f_lo, f_hi, 1e-15 * hi).unwrap_or(f64::NAN)
}

/// Cornish–Fisher expansion of the t quantile around the normal quantile `z`
/// (Abramowitz & Stegun 26.7.5).
fn cornish_fisher(z: f64, df: f64) -> f64 {
    let z2 = z * z;
    let g1 = z * (z2 + 1.0) / 4.0;
    let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    let g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
}

/// The density of Student's t (used in tests to check the quantile by its
/// derivative).
#[cfg(test)]
fn t_density(t: f64, df: f64) -> f64 {
    use super::special::ln_gamma;
    (ln_gamma(0.5 * (df + 1.0))
        - ln_gamma(0.5 * df)
        - 0.5 * (df * std::f64::consts::PI).ln()
        - 0.5 * (df + 1.0) * (t * t / df).ln_1p())
    .exp()
}

/// Student-t interval for the mean: `mean ± t_(n-1)((1 + confidence)/2) s/√n`,
/// with `s` the sample standard deviation (divisor `n - 1`).
///
/// With no values there is no estimate; with one value the estimate is that
/// value and there is no interval (the method says why). All values equal
/// give a zero-width interval.
///
/// # Errors
/// [`crate::Error::InvalidArgument`] if `confidence` is not in `(0, 1)` or a
/// value is not finite.
///
/// ```
/// use arithgrad::stats::student_t_mean;
/// let e = student_t_mean(&[1.0, 2.0, 3.0, 4.0], 0.95).unwrap();
/// let iv = e.interval.unwrap();
/// assert_eq!(e.value, Some(2.5));
/// assert!((iv.upper - 2.5 - 3.182_446_305_284_263 * (5f64 / 3.0).sqrt() / 2.0).abs() < 1e-12);
/// ```
pub fn student_t_mean(values: &[f64], confidence: f64) -> Result<Estimate> {
    check_confidence(confidence)?;
    check_finite("values", values)?;
    Ok(student_t_estimate(values, confidence, None))
}

/// [`student_t_mean`] on checked input, recording why it is used.
pub(crate) fn student_t_estimate(
    values: &[f64],
    confidence: f64,
    fallback: Option<FallbackReason>,
) -> Estimate {
    match values.len() {
        0 => return Estimate::without_interval(0, None, confidence, NoIntervalReason::NoValues),
        1 => {
            return Estimate::without_interval(
                1,
                Some(values[0]),
                confidence,
                NoIntervalReason::OneValue,
            )
        }
        _ => {}
    }
    let n = values.len();
    let (mean, sd) = mean_and_sd(values);
    let t = t_quantile(0.5 + 0.5 * confidence, (n - 1) as f64);
    let half_width = t * (sd / (n as f64).sqrt());
    Estimate {
        n,
        value: Some(mean),
        interval: Some(Interval {
            lower: mean - half_width,
            upper: mean + half_width,
        }),
        confidence,
        method: IntervalMethod::StudentT { fallback },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_cases_agree_with_the_general_path() {
        // df = 1 and 2 have closed forms; compare them with the CDF route.
        for &df in &[1.0, 2.0] {
            for &p in &[0.6, 0.9, 0.975, 0.999] {
                let t = t_quantile(p, df);
                assert!((t_cdf(t, df) - p).abs() < 1e-14, "df {df} p {p}");
            }
        }
    }

    #[test]
    fn quantile_inverts_the_cdf() {
        for &df in &[0.5, 1.5, 3.0, 9.0, 30.0, 1e3] {
            for &p in &[1e-10, 0.001, 0.025, 0.3, 0.7, 0.975, 0.999_999] {
                let t = t_quantile(p, df);
                // Compare in the smaller tail, where the CDF is precise.
                let (got, want) = if p < 0.5 {
                    (t_cdf(t, df), p)
                } else {
                    (1.0 - t_cdf(t, df), 1.0 - p)
                };
                assert!(
                    (got - want).abs() < 1e-12 * want,
                    "df {df} p {p}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn cdf_derivative_is_the_density() {
        for &df in &[1.0, 4.0, 25.0] {
            for &t in &[-3.0, -0.5, 0.2, 2.5] {
                let h = 1e-5;
                let numeric = (t_cdf(t + h, df) - t_cdf(t - h, df)) / (2.0 * h);
                assert!((numeric - t_density(t, df)).abs() < 1e-9, "df {df} t {t}");
            }
        }
    }

    #[test]
    fn huge_df_tends_to_the_normal() {
        let z = normal_quantile(0.975);
        let t = t_quantile(0.975, 1e9);
        assert!(t > z && t - z < 1e-8);
        // Just below the switch, the CDF route and Cornish–Fisher agree.
        let df = LARGE_DF * 0.999;
        let via_cdf = t_quantile(0.975, df);
        let expansion = cornish_fisher(normal_quantile(0.975), df);
        assert!((via_cdf - expansion).abs() < 1e-12, "{via_cdf} {expansion}");
    }

    #[test]
    fn cauchy_and_symmetry() {
        assert_eq!(t_cdf(0.0, 3.0), 0.5);
        // df = 1 is the Cauchy distribution: F(1) = 3/4
        assert!((t_cdf(1.0, 1.0) - 0.75).abs() < 1e-15);
        for &t in &[0.3, 2.0, 7.0] {
            assert!((t_cdf(t, 5.0) + t_cdf(-t, 5.0) - 1.0).abs() < 1e-15);
        }
    }

    #[test]
    fn edges() {
        assert_eq!(t_quantile(0.0, 3.0), f64::NEG_INFINITY);
        assert_eq!(t_quantile(1.0, 3.0), f64::INFINITY);
        assert_eq!(t_quantile(0.5, 3.0), 0.0);
        assert!(t_quantile(1.5, 3.0).is_nan());
        assert!(t_quantile(0.5, 0.0).is_nan());
        assert!(t_cdf(1.0, -1.0).is_nan());
        assert_eq!(t_cdf(f64::INFINITY, 2.0), 1.0);
    }

    #[test]
    fn interval_degenerate_inputs() {
        let e = student_t_mean(&[], 0.95).unwrap();
        assert_eq!(e.value, None);
        assert_eq!(e.interval, None);
        assert_eq!(
            e.method,
            IntervalMethod::NoInterval {
                reason: NoIntervalReason::NoValues
            }
        );
        let e = student_t_mean(&[3.5], 0.95).unwrap();
        assert_eq!(e.value, Some(3.5));
        assert_eq!(e.interval, None);
        assert_eq!(
            e.method,
            IntervalMethod::NoInterval {
                reason: NoIntervalReason::OneValue
            }
        );
        let e = student_t_mean(&[2.0, 2.0, 2.0], 0.95).unwrap();
        assert_eq!(
            e.interval,
            Some(Interval {
                lower: 2.0,
                upper: 2.0
            })
        );
        use crate::error::expect::invalid;
        let (name, reason) = invalid(student_t_mean(&[1.0, f64::NAN], 0.95));
        assert_eq!(name, "values");
        assert!(reason.contains("value 1 is NaN"), "{reason}");
        assert_eq!(invalid(student_t_mean(&[1.0, 2.0], 1.0)).0, "confidence");
    }
}
