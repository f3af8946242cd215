//! Wilson score interval for a binomial proportion (the success rate).

use super::normal::normal_quantile;
use super::{check_confidence, Estimate, Interval, IntervalMethod, NoIntervalReason};
use crate::error::{Error, Result};

/// Success rate `successes / n` with its Wilson score interval (Wilson 1927).
///
/// With `p = successes / n` and `z = Φ⁻¹((1 + confidence)/2)`:
///
/// ```text
/// center     = (p + z²/(2n)) / (1 + z²/n)
/// half width = z / (1 + z²/n) · √(p(1 - p)/n + z²/(4n²))
/// ```
///
/// Unlike the normal-approximation interval it stays inside `[0, 1]` and does
/// not collapse to a point when `successes` is 0 or `n`. The bounds are
/// exactly 0 and 1 in those cases. With `n = 0` there is neither an estimate
/// nor an interval.
///
/// # Errors
/// [`Error::InvalidArgument`] if `successes > n` or `confidence` is not in
/// `(0, 1)`.
///
/// ```
/// use arithgrad::stats::{wilson, IntervalMethod};
/// let e = wilson(7, 10, 0.95).unwrap();
/// let iv = e.interval.unwrap();
/// assert_eq!(e.value, Some(0.7));
/// assert_eq!(e.method, IntervalMethod::Wilson);
/// assert!((iv.lower - 0.396_778_1).abs() < 1e-7 && (iv.upper - 0.892_208_7).abs() < 1e-7);
/// ```
pub fn wilson(successes: usize, n: usize, confidence: f64) -> Result<Estimate> {
    check_confidence(confidence)?;
    if successes > n {
        return Err(Error::invalid(
            "successes",
            format!("{successes} successes out of only {n} trials"),
        ));
    }
    if n == 0 {
        return Ok(Estimate::without_interval(
            0,
            None,
            confidence,
            NoIntervalReason::NoValues,
        ));
    }
    let trials = n as f64;
    let p = successes as f64 / trials;
    let z = normal_quantile(0.5 + 0.5 * confidence);
    let z2_n = z * z / trials;
    let center = (p + 0.5 * z2_n) / (1.0 + z2_n);
    let half_width = z / (1.0 + z2_n) * (p * (1.0 - p) / trials + 0.25 * z2_n / trials).sqrt();
    let lower = if successes == 0 {
        0.0
    } else {
        (center - half_width).max(0.0)
    };
    let upper = if successes == n {
        1.0
    } else {
        (center + half_width).min(1.0)
    };
    Ok(Estimate {
        n,
        value: Some(p),
        interval: Some(Interval { lower, upper }),
        confidence,
        method: IntervalMethod::Wilson,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Wilson bounds are the two roots in `π` of `(p - π)² = z² π(1 - π)/n`:
    /// check that property directly, independent of the closed form.
    #[test]
    fn bounds_solve_the_score_equation() {
        let z = normal_quantile(0.975);
        for &(s, n) in &[(1usize, 10usize), (7, 10), (13, 20), (99, 100), (3, 1000)] {
            let e = wilson(s, n, 0.95).unwrap();
            let p = s as f64 / n as f64;
            for pi in [e.interval.unwrap().lower, e.interval.unwrap().upper] {
                let lhs = (p - pi) * (p - pi);
                let rhs = z * z * pi * (1.0 - pi) / n as f64;
                assert!((lhs - rhs).abs() < 1e-15, "{s}/{n}");
            }
        }
    }

    #[test]
    fn all_or_nothing() {
        let none = wilson(0, 10, 0.95).unwrap();
        let iv = none.interval.unwrap();
        assert_eq!(none.value, Some(0.0));
        assert_eq!(iv.lower, 0.0);
        // upper = z²/(n + z²) when p = 0
        let z2 = normal_quantile(0.975).powi(2);
        assert!((iv.upper - z2 / (10.0 + z2)).abs() < 1e-15);
        let all = wilson(10, 10, 0.95).unwrap().interval.unwrap();
        assert_eq!(all.upper, 1.0);
        assert!((all.lower - 10.0 / (10.0 + z2)).abs() < 1e-15);
    }

    #[test]
    fn degenerate_and_invalid() {
        let e = wilson(0, 0, 0.95).unwrap();
        assert_eq!(e.value, None);
        assert_eq!(e.interval, None);
        assert_eq!(
            e.method,
            IntervalMethod::NoInterval {
                reason: NoIntervalReason::NoValues
            }
        );
        use crate::error::expect::invalid;
        let (name, reason) = invalid(wilson(3, 2, 0.95));
        assert_eq!(name, "successes");
        assert!(
            reason.contains("3 successes out of only 2 trials"),
            "{reason}"
        );
        assert_eq!(invalid(wilson(1, 2, 0.0)).0, "confidence");
        assert_eq!(invalid(wilson(1, 2, f64::NAN)).0, "confidence");
    }

    #[test]
    fn wider_with_higher_confidence() {
        let a = wilson(5, 20, 0.8).unwrap().interval.unwrap();
        let b = wilson(5, 20, 0.99).unwrap().interval.unwrap();
        assert!(b.lower < a.lower && b.upper > a.upper);
    }
}
