//! Elementwise `cos(pi a)`, exact at integers and half-integers.
//!
//! Forward: `z = cos(pi a)`. The argument is reduced exactly before any
//! rounding happens: `r = |a| mod 2` (computed exactly as
//! `|a| - 2 floor(|a| / 2)`), then folded
//! into `[0, 1/4]` by the identities `cos(pi r) = cos(pi (2 - r))`,
//! `cos(pi r) = -cos(pi (1 - r))` and `cos(pi r) = sin(pi (1/2 - r))`, whose
//! subtractions are exact (Sterbenz). Only then is `pi r` formed and its
//! cosine or sine taken (`f64`: the standard library's, one element at a
//! time; `f32`: Taylor polynomials evaluated in `f64` and rounded once,
//! vectorised, within 1 ulp; the crate's `tensor::kernels::trig_pi`). So for every integer `n` the result is exactly `(-1)^n`,
//! and for every half-integer exactly 0 (`+0`); `a = +-inf` and NaN give
//! NaN. Every float of magnitude `2^53` or more (`2^24` in `f32`) is an even
//! integer, and the reduction gives 1 there as it should.
//!
//! VJP: `da += -pi g sin(pi a)`, with `sin(pi a)` reduced the same way, so
//! the gradient is exactly zero at every integer (where `cos(pi a)` is at
//! an extremum).
//!
//! This is what the power units need: their `cos(pi W k)` with integer `W`
//! and `k in {0, 1}` must be exactly `+-1`; `cos(pi * x)` through
//! [`Tape::cos`] would be off by up to `1e-16 * |x|` relative, and its
//! gradient would not vanish.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

/// `cos(pi x)` of one value (the slice kernel on one element).
#[cfg(test)]
pub(crate) fn cos_pi<T: Element>(x: T) -> T {
    let mut out = [T::zero()];
    T::cos_pi_slice(&[x], &mut out);
    out[0]
}

/// `sin(pi x)` of one value (the slice kernel on one element).
#[cfg(test)]
pub(crate) fn sin_pi<T: Element>(x: T) -> T {
    let mut out = [T::zero()];
    T::sin_pi_slice(&[x], &mut out);
    out[0]
}

impl<T: Element> Tape<T> {
    /// Elementwise `cos(pi a)`, exactly `+-1` at integers and 0 at
    /// half-integers.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(4), vec![0.0, 1.0, -3.0, 2.5])?);
    /// let z = t.cos_pi(a)?;
    /// assert_eq!(t.value(z)?, &[1.0, -1.0, -1.0, 0.0]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?[..3], [0.0, 0.0, 0.0]); // -pi sin(pi n) = 0 exactly
    /// assert_eq!(t.grad(a)?[3], -std::f64::consts::PI);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn cos_pi(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::CosPi, ia, shape, T::cos_pi_slice)
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let a = c.inputs.value(0);
    let pi = T::from_f64_lossy(std::f64::consts::PI);
    if let Some(ga) = c.grads.get(0) {
        let s = kernels::work_space(c.scratch, a.len());
        T::sin_pi_slice(a, s);
        kernels::zip_map_add(c.g, s, ga, |g, s| -(pi * g * s));
    }
}

#[cfg(test)]
mod tests {
    use super::{cos_pi, sin_pi};
    use crate::{Shape, Tape, Tensor};
    use std::f64::consts::PI;

    #[test]
    fn integers_give_exactly_plus_or_minus_one_f64() {
        for n in -1000i64..=1000 {
            let want = if n % 2 == 0 { 1.0 } else { -1.0 };
            assert_eq!(cos_pi(n as f64), want, "n = {n}");
            assert_eq!(sin_pi(n as f64), 0.0, "n = {n}");
            // And the naive form is not exact: the reason for this op.
            assert!(((PI * n as f64).cos() - want).abs() < 1e-9);
        }
        for n in [1e15, 1e15 + 1.0, 2f64.powi(52) + 1.0, 2f64.powi(53), 1e300] {
            let want = if n % 2.0 == 0.0 { 1.0 } else { -1.0 };
            assert_eq!(cos_pi(n), want, "n = {n}");
            assert_eq!(cos_pi(-n), want, "n = -{n}");
        }
    }

    #[test]
    fn integers_give_exactly_plus_or_minus_one_f32() {
        for n in -300i32..=300 {
            let want = if n % 2 == 0 { 1.0f32 } else { -1.0 };
            assert_eq!(cos_pi(n as f32), want, "n = {n}");
            assert_eq!(sin_pi(n as f32), 0.0, "n = {n}");
        }
        assert_eq!(cos_pi(16_777_217.0f32), 1.0); // rounds to 2^24, even
    }

    #[test]
    fn half_integers_give_zero_and_other_points_agree_with_cos() {
        for n in -20..=20 {
            let x = n as f64 + 0.5;
            assert_eq!(cos_pi(x), 0.0, "x = {x}");
            assert_eq!(sin_pi(x).abs(), 1.0, "x = {x}");
        }
        let mut x = -7.3;
        while x < 7.3 {
            assert!((cos_pi(x) - (PI * x).cos()).abs() < 1e-14, "x = {x}");
            assert!((sin_pi(x) - (PI * x).sin()).abs() < 1e-14, "x = {x}");
            x += 0.0137;
        }
    }

    #[test]
    fn non_finite_inputs_give_nan() {
        for x in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
            assert!(cos_pi(x).is_nan());
            assert!(sin_pi(x).is_nan());
        }
    }

    #[test]
    fn gradient_is_minus_pi_sin_pi_and_zero_at_integers() {
        let xs = vec![-2.0, -1.0, 0.0, 1.0, 0.3, -0.7, 1.5];
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(xs.len()), xs.clone()).unwrap());
        let z = t.cos_pi(a).unwrap();
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        let g = t.grad(a).unwrap();
        assert_eq!(&g[..4], &[0.0, 0.0, 0.0, 0.0]);
        for k in 4..xs.len() {
            assert!(
                (g[k] + PI * (PI * xs[k]).sin()).abs() < 1e-13,
                "x = {}",
                xs[k]
            );
        }
    }
}
