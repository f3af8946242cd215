//! Special functions for the fits: log-gamma, digamma, trigamma, the Stirling
//! remainder and its derivatives, log-beta, and small cancellation-free helpers.
//!
//! Only positive arguments are supported (that is all the fits need). Like
//! `f64::ln`, the functions return NaN outside their domain instead of
//! failing.
//!
//! All of the gamma family rests on one decomposition,
//!
//! ```text
//! ln Γ(x) = (x - ½) ln x - x + ½ ln 2π + R(x)
//! ```
//!
//! where the remainder `R(x)` has the asymptotic Stirling series
//! `Σ_k B_2k / (2k (2k - 1) x^(2k-1))` (`B_2k` Bernoulli numbers). For
//! `x >= 10` eight terms of the series (and of its derivatives) give full
//! double precision; below 10 the recurrences `Γ(x + 1) = x Γ(x)`,
//! `ψ(x + 1) = ψ(x) + 1/x`, `ψ'(x + 1) = ψ'(x) - 1/x²` shift the argument up.
//! Working with `R` directly (instead of `ln Γ`) is what lets the gamma and
//! beta likelihoods stay accurate when their shape parameters are huge: the
//! large `x ln x` parts cancel analytically instead of numerically.

/// ½ ln(2π).
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// From here on the asymptotic series are used directly.
const ASYMPTOTIC_FROM: f64 = 10.0;

/// Coefficients of `R(x) = (1/x) Σ_k c_k x^(-2(k-1))`: `c_k = B_2k / (2k (2k - 1))`.
const R_SERIES: [f64; 8] = [
    1.0 / 12.0,
    -1.0 / 360.0,
    1.0 / 1260.0,
    -1.0 / 1680.0,
    1.0 / 1188.0,
    -691.0 / 360_360.0,
    1.0 / 156.0,
    -3617.0 / 122_400.0,
];

/// Coefficients of `R'(x) = x^-2 Σ_k d_k x^(-2(k-1))`: `d_k = -B_2k / (2k)`.
const R_PRIME_SERIES: [f64; 8] = [
    -1.0 / 12.0,
    1.0 / 120.0,
    -1.0 / 252.0,
    1.0 / 240.0,
    -1.0 / 132.0,
    691.0 / 32_760.0,
    -1.0 / 12.0,
    3617.0 / 8160.0,
];

/// Coefficients of `R''(x) = x^-3 Σ_k e_k x^(-2(k-1))`: `e_k = B_2k`.
const R_SECOND_SERIES: [f64; 8] = [
    1.0 / 6.0,
    -1.0 / 30.0,
    1.0 / 42.0,
    -1.0 / 30.0,
    5.0 / 66.0,
    -691.0 / 2730.0,
    7.0 / 6.0,
    -3617.0 / 510.0,
];

/// Horner evaluation of `Σ_k coef[k] w^k`.
pub(crate) fn polynomial(coef: &[f64], w: f64) -> f64 {
    coef.iter().rev().fold(0.0, |acc, &c| acc * w + c)
}

/// Stirling's main part `(x - ½) ln x - x + ½ ln 2π`.
fn stirling_main(x: f64) -> f64 {
    (x - 0.5) * x.ln() - x + HALF_LN_2PI
}

/// Shifts `x` up to at least [`ASYMPTOTIC_FROM`]; returns the shifted value and
/// the steps `x, x + 1, ...` that were skipped, via a callback.
fn shift_up(x: f64, mut each_step: impl FnMut(f64)) -> f64 {
    let mut z = x;
    while z < ASYMPTOTIC_FROM {
        each_step(z);
        z += 1.0;
    }
    z
}

fn outside_domain(x: f64) -> bool {
    x.is_nan() || x <= 0.0
}

/// The Stirling remainder `R(x) = ln Γ(x) - ((x - ½) ln x - x + ½ ln 2π)`,
/// for `x > 0`. Positive and decreasing, about `1/(12x)` for large `x`.
pub(crate) fn stirling_correction(x: f64) -> f64 {
    if outside_domain(x) {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    if x >= ASYMPTOTIC_FROM {
        return polynomial(&R_SERIES, 1.0 / (x * x)) / x;
    }
    ln_gamma(x) - stirling_main(x)
}

/// `R'(x) = ψ(x) - ln x + 1/(2x)`, for `x > 0`. Negative, about `-1/(12x²)`.
pub(crate) fn stirling_correction_d1(x: f64) -> f64 {
    if outside_domain(x) {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    if x >= ASYMPTOTIC_FROM {
        let w = 1.0 / (x * x);
        return polynomial(&R_PRIME_SERIES, w) * w;
    }
    digamma(x) - x.ln() + 0.5 / x
}

/// `R''(x) = ψ'(x) - 1/x - 1/(2x²)`, for `x > 0`. Positive, about `1/(6x³)`.
pub(crate) fn stirling_correction_d2(x: f64) -> f64 {
    if outside_domain(x) {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    if x >= ASYMPTOTIC_FROM {
        let w = 1.0 / (x * x);
        return polynomial(&R_SECOND_SERIES, w) * w / x;
    }
    trigamma(x) - 1.0 / x - 0.5 / (x * x)
}

/// Natural log of the gamma function, `ln Γ(x)`, for `x > 0` (NaN otherwise).
///
/// Stirling's series for `x >= 10`, the recurrence `ln Γ(x) = ln Γ(x + 1) - ln x`
/// below. Absolute error about 1e-15 near the zeros at 1 and 2, relative error
/// a few ulp elsewhere.
///
/// ```
/// use arithgrad::stats::ln_gamma;
/// // Γ(5) = 4! = 24
/// assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-14);
/// // Γ(½) = √π
/// assert!((ln_gamma(0.5) - 0.5 * std::f64::consts::PI.ln()).abs() < 1e-14);
/// ```
pub fn ln_gamma(x: f64) -> f64 {
    if outside_domain(x) {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return f64::INFINITY;
    }
    let mut ln_skipped = 0.0;
    let z = shift_up(x, |step| ln_skipped += step.ln());
    stirling_main(z) + polynomial(&R_SERIES, 1.0 / (z * z)) / z - ln_skipped
}

/// The digamma function `ψ(x) = d/dx ln Γ(x)`, for `x > 0` (NaN otherwise).
///
/// `ψ(x) = ln x - 1/(2x) + R'(x)` for `x >= 10`, `ψ(x) = ψ(x + 1) - 1/x` below.
///
/// ```
/// use arithgrad::stats::digamma;
/// // ψ(1) = -γ (Euler–Mascheroni)
/// assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-15);
/// ```
pub fn digamma(x: f64) -> f64 {
    if outside_domain(x) {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return f64::INFINITY;
    }
    let mut skipped = 0.0;
    let z = shift_up(x, |step| skipped += 1.0 / step);
    let w = 1.0 / (z * z);
    z.ln() - 0.5 / z + polynomial(&R_PRIME_SERIES, w) * w - skipped
}

/// The trigamma function `ψ'(x)`, for `x > 0` (NaN otherwise).
///
/// `ψ'(x) = 1/x + 1/(2x²) + R''(x)` for `x >= 10`, `ψ'(x) = ψ'(x + 1) + 1/x²` below.
///
/// ```
/// use arithgrad::stats::trigamma;
/// // ψ'(1) = π²/6
/// let pi = std::f64::consts::PI;
/// assert!((trigamma(1.0) - pi * pi / 6.0).abs() < 1e-14);
/// ```
pub fn trigamma(x: f64) -> f64 {
    if outside_domain(x) {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    let mut skipped = 0.0;
    let z = shift_up(x, |step| skipped += 1.0 / (step * step));
    let w = 1.0 / (z * z);
    1.0 / z + 0.5 * w + polynomial(&R_SECOND_SERIES, w) * w / z + skipped
}

/// `ln x - ψ(x)` for `x > 0`, computed without cancellation for large `x`
/// (where it is about `1/(2x)`). It is positive, strictly decreasing, and
/// satisfies `1/(2x) < ln x - ψ(x) < 1/x`.
pub(crate) fn ln_minus_digamma(x: f64) -> f64 {
    0.5 / x - stirling_correction_d1(x)
}

/// Derivative of [`ln_minus_digamma`]: `1/x - ψ'(x) = -1/(2x²) - R''(x)`.
pub(crate) fn ln_minus_digamma_d1(x: f64) -> f64 {
    -0.5 / (x * x) - stirling_correction_d2(x)
}

/// `x - ln(1 + x)` for `x > -1`, accurate also for small `|x|` (where it is
/// about `x²/2` and the direct formula cancels).
pub(crate) fn x_minus_ln_1p(x: f64) -> f64 {
    if x.abs() >= 0.1 {
        return x - x.ln_1p();
    }
    // Σ_{j≥2} (-1)^j x^j / j
    let mut power = x * x;
    let mut sum = 0.0;
    for j in 2..60 {
        let term = power / j as f64;
        sum += if j % 2 == 0 { term } else { -term };
        if term.abs() <= 1e-17 * sum.abs() {
            break;
        }
        power *= x;
    }
    sum
}

/// `r - 1 - ln r` with `r = x / c` (for `x, c > 0`): the non-negative
/// divergence of `x` from `c`, about `(x - c)²/(2c²)` when they are close, and
/// computed without cancellation there.
pub(crate) fn ratio_divergence(x: f64, c: f64) -> f64 {
    let diff = x - c; // exact when x is within a factor 2 of c (Sterbenz)
    if diff.abs() < 0.5 * c {
        x_minus_ln_1p(diff / c)
    } else {
        let r = x / c;
        r - 1.0 - r.ln()
    }
}

/// `t + e^(-t) - 1` (non-negative, about `t²/2` near 0), accurate for small `|t|`.
pub(crate) fn exp_neg_minus_one_plus(t: f64) -> f64 {
    if t.abs() >= 0.1 {
        return (-t).exp_m1() + t;
    }
    // Σ_{j≥2} (-t)^j / j!
    let mut term = t * t / 2.0;
    let mut sum = 0.0;
    for j in 2..60 {
        sum += term;
        if term.abs() <= 1e-17 * sum.abs() {
            break;
        }
        term *= -t / (j + 1) as f64;
    }
    sum
}

/// Natural log of the beta function, `ln B(a, b)`, for `a, b > 0`.
///
/// When the larger argument is at least 10, the large parts of
/// `ln Γ(a) - ln Γ(a + b)` are cancelled analytically via [`stirling_correction`].
pub(crate) fn ln_beta(a: f64, b: f64) -> f64 {
    let (small, large) = if a <= b { (a, b) } else { (b, a) };
    if outside_domain(small) {
        return f64::NAN;
    }
    if large < ASYMPTOTIC_FROM {
        return ln_gamma(small) + ln_gamma(large) - ln_gamma(small + large);
    }
    // ln Γ(large) - ln Γ(large + small)
    //   = -(large - ½) ln(1 + small/large) - small ln(large + small) + small
    //     + R(large) - R(large + small)
    let sum = small + large;
    let ratio_part = -(large - 0.5) * (small / large).ln_1p() - small * sum.ln() + small;
    ln_gamma(small) + ratio_part + (stirling_correction(large) - stirling_correction(sum))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        let pi = std::f64::consts::PI;
        let euler = 0.577_215_664_901_532_9;
        // Γ(n) = (n-1)!
        let mut factorial = 1.0f64;
        for n in 1..30 {
            let lg = ln_gamma(n as f64);
            assert!(
                (lg - factorial.ln()).abs() <= 1e-14 * factorial.ln().max(1.0),
                "{n}"
            );
            factorial *= n as f64;
        }
        assert!((ln_gamma(0.5) - 0.5 * pi.ln()).abs() < 1e-14);
        // ψ(1) = -γ, ψ(½) = -γ - 2 ln 2, ψ(n + 1) = ψ(n) + 1/n
        assert!((digamma(1.0) + euler).abs() < 1e-15);
        assert!((digamma(0.5) + euler + 2.0 * 2f64.ln()).abs() < 1e-15);
        let mut harmonic = 0.0;
        for n in 1..40 {
            assert!((digamma(n as f64 + 1.0) - (harmonic + 1.0 / n as f64 - euler)).abs() < 4e-15);
            harmonic += 1.0 / n as f64;
        }
        // ψ'(1) = π²/6, ψ'(½) = π²/2
        assert!((trigamma(1.0) - pi * pi / 6.0).abs() < 1e-15);
        assert!((trigamma(0.5) - pi * pi / 2.0).abs() < 1e-14);
    }

    #[test]
    fn series_and_recurrence_agree_across_the_switch() {
        for &x in &[9.5, 9.999_999, 10.0, 10.5] {
            // ln Γ(x + 1) - ln Γ(x) = ln x
            assert!((ln_gamma(x + 1.0) - ln_gamma(x) - x.ln()).abs() < 1e-14);
            assert!((digamma(x + 1.0) - digamma(x) - 1.0 / x).abs() < 1e-15);
            assert!((trigamma(x) - trigamma(x + 1.0) - 1.0 / (x * x)).abs() < 1e-16);
        }
    }

    #[test]
    fn derivatives_of_the_remainder_match_finite_differences() {
        for &x in &[0.3, 1.7, 9.0, 11.0, 250.0] {
            let h = 1e-5 * x;
            let d1 = (stirling_correction(x + h) - stirling_correction(x - h)) / (2.0 * h);
            assert!(
                (d1 - stirling_correction_d1(x)).abs() < 1e-7 * d1.abs().max(1e-3),
                "{x}"
            );
            let d2 = (stirling_correction_d1(x + h) - stirling_correction_d1(x - h)) / (2.0 * h);
            assert!(
                (d2 - stirling_correction_d2(x)).abs() < 1e-7 * d2.abs().max(1e-5),
                "{x}"
            );
        }
    }

    #[test]
    fn ln_minus_digamma_is_bracketed_and_accurate_for_huge_arguments() {
        for &x in &[1e-3, 0.5, 1.0, 7.0, 30.0, 1e4, 1e12] {
            let v = ln_minus_digamma(x);
            assert!(v > 0.5 / x && v < 1.0 / x, "{x}: {v}");
        }
        // For x = 1e12 the naive ln x - ψ(x) loses every digit; the series gives
        // 1/(2x) + 1/(12x²) to full precision.
        let x = 1e12;
        let expected = 0.5 / x + 1.0 / (12.0 * x * x);
        assert!((ln_minus_digamma(x) - expected).abs() <= 1e-15 * expected);
    }

    #[test]
    fn small_argument_helpers() {
        for &x in &[1e-9, -3e-5, 0.02, 0.099, -0.099, 0.5, -0.9] {
            let direct = x - f64::ln_1p(x);
            let v = x_minus_ln_1p(x);
            assert!((v - direct).abs() <= 1e-15 + 1e-8 * direct.abs(), "{x}");
            // series check at small x: x²/2 - x³/3
            if x.abs() < 1e-4 {
                let approx = x * x / 2.0 - x * x * x / 3.0 + x * x * x * x / 4.0;
                assert!((v - approx).abs() <= 1e-12 * approx, "{x}");
            }
        }
        for &t in &[1e-9, -2e-4, 0.05, -0.099, 0.3, -2.0, 40.0] {
            let v = exp_neg_minus_one_plus(t);
            if t.abs() < 1e-3 {
                let approx = t * t / 2.0 - t * t * t / 6.0 + t * t * t * t / 24.0;
                assert!((v - approx).abs() <= 1e-9 * approx, "{t}");
            } else {
                let direct = (-t).exp() - 1.0 + t;
                assert!((v - direct).abs() <= 1e-13 * direct, "{t}");
            }
        }
    }

    #[test]
    fn ln_beta_matches_gamma_sums() {
        for &(a, b) in &[
            (0.5, 0.5),
            (2.0, 3.0),
            (0.5, 12.0),
            (15.0, 40.0),
            (1e-3, 200.0),
        ] {
            let direct = ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
            assert!((ln_beta(a, b) - direct).abs() < 1e-12, "{a} {b}");
            assert_eq!(ln_beta(a, b), ln_beta(b, a));
        }
        // B(1, b) = 1/b exactly
        assert!((ln_beta(1.0, 5000.0) + 5000f64.ln()).abs() < 1e-13);
    }

    #[test]
    fn out_of_domain_is_nan() {
        for f in [ln_gamma, digamma, trigamma] {
            assert!(f(0.0).is_nan());
            assert!(f(-1.5).is_nan());
            assert!(f(f64::NAN).is_nan());
        }
    }
}
