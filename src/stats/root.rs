//! One-dimensional root finding: bracket expansion and Brent's method.

/// Finds a root of `f` in the bracket `[a, b]`, where `fa = f(a)` and
/// `fb = f(b)` have opposite signs (or one is zero), by Brent's method
/// (inverse quadratic interpolation safeguarded by bisection; Brent 1973,
/// the classic `zeroin`). Stops when the bracket is narrower than about
/// `xtol + 4 ε |x|`. Returns `None` if `f` yields NaN or the iteration limit
/// is hit.
pub(crate) fn brent(
    mut f: impl FnMut(f64) -> f64,
    a: f64,
    b: f64,
    fa: f64,
    fb: f64,
    xtol: f64,
) -> Option<f64> {
    const MAX_ITER: usize = 200;
    let (mut a, mut b, mut fa, mut fb) = (a, b, fa, fb);
    if fa.is_nan() || fb.is_nan() || fa.signum() == fb.signum() && fa != 0.0 && fb != 0.0 {
        return None;
    }
    if fa == 0.0 {
        return Some(a);
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..MAX_ITER {
        if (fb > 0.0) == (fc > 0.0) {
            // b and c on the same side: c takes the old a so the root stays in [b, c].
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            // Keep b the best estimate.
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * xtol;
        let half = 0.5 * (c - b);
        if half.abs() <= tol || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q) = if a == c {
                // Secant step.
                (2.0 * half * s, 1.0 - s)
            } else {
                // Inverse quadratic interpolation.
                let q = fa / fc;
                let r = fb / fc;
                (
                    s * (2.0 * half * q * (q - r) - (b - a) * (r - 1.0)),
                    (q - 1.0) * (r - 1.0) * (s - 1.0),
                )
            };
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < 3.0 * half * q - (tol * q).abs() && p < (0.5 * e * q).abs() {
                e = d;
                d = p / q;
            } else {
                d = half;
                e = d;
            }
        } else {
            d = half;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(half) };
        fb = f(b);
        if fb.is_nan() {
            return None;
        }
    }
    None
}

/// Walks from `start` (where `f(start) < 0`) in steps `step, 2 step, 4 step, ...`
/// (`step` may be negative) until `f` turns non-negative, without passing
/// `limit`. Returns the last point with `f < 0`, the first with `f >= 0`, and
/// their values: a bracket for [`brent`]. `None` if `limit` is reached first
/// or `f` yields NaN.
pub(crate) fn expand_bracket(
    mut f: impl FnMut(f64) -> f64,
    start: f64,
    f_start: f64,
    step: f64,
    limit: f64,
) -> Option<(f64, f64, f64, f64)> {
    let (mut inside, mut f_inside) = (start, f_start);
    let mut offset = step;
    loop {
        let mut x = start + offset;
        let past_limit = if step > 0.0 { x >= limit } else { x <= limit };
        if past_limit {
            x = limit;
        }
        let fx = f(x);
        if fx.is_nan() {
            return None;
        }
        if fx >= 0.0 {
            return Some((inside, x, f_inside, fx));
        }
        if past_limit {
            return None;
        }
        inside = x;
        f_inside = fx;
        offset *= 2.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brent_finds_roots_to_tolerance() {
        let f = |x: f64| x * x * x - 2.0 * x - 5.0; // Wallis' example, root 2.0945514815423265
        let root = brent(f, 2.0, 3.0, f(2.0), f(3.0), 1e-15).unwrap();
        assert!((root - 2.094_551_481_542_326_5).abs() < 1e-14);
        let g = |x: f64| x.exp() - 10.0;
        let root = brent(g, -5.0, 5.0, g(-5.0), g(5.0), 1e-14).unwrap();
        assert!((root - 10f64.ln()).abs() < 1e-13);
        // A function with a jump still gets bracketed down to the jump.
        let step = |x: f64| if x < 0.3 { -1.0 } else { 1.0 };
        let root = brent(step, 0.0, 1.0, -1.0, 1.0, 1e-12).unwrap();
        assert!((root - 0.3).abs() < 1e-11);
    }

    #[test]
    fn brent_rejects_a_non_bracket() {
        let f = |x: f64| x * x + 1.0;
        assert!(brent(f, -1.0, 1.0, 2.0, 2.0, 1e-12).is_none());
    }

    #[test]
    fn bracket_expansion_both_directions_and_limit() {
        let f = |x: f64| x * x - 100.0;
        let (a, b, fa, fb) = expand_bracket(f, 0.0, -100.0, 0.5, 1e6).unwrap();
        assert!(fa < 0.0 && fb >= 0.0 && a < 10.0 && b >= 10.0);
        assert_eq!((f(a), f(b)), (fa, fb));
        let (a, b, _, _) = expand_bracket(f, 0.0, -100.0, -0.5, -1e6).unwrap();
        assert!(a > -10.0 && b <= -10.0);
        assert!(expand_bracket(f, 0.0, -100.0, 0.5, 5.0).is_none());
    }
}
