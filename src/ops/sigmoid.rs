//! Elementwise logistic sigmoid.
//!
//! Forward: `z = 1 / (1 + exp(-a))`, evaluated in the stable form
//! `e = exp(-|a|)`, `z = 1 / (1 + e)` for `a >= 0` and `z = e / (1 + e)`
//! for `a < 0`. `e` lies in `(0, 1]`, so nothing overflows for any `a`
//! (the naive form computes `exp(1000) = inf` on the way to 0), and for very
//! negative `a` the result is `exp(a)` to full relative precision instead of
//! `1 - (something close to 1)`.
//!
//! In `f32` the forward is the crate's own vectorised `sigmoid_f32` (within 2 ulp,
//! the same bits on every processor; `Element::sigmoid_slice`), in `f64` the
//! standard library's.
//!
//! VJP: `da += g * z * (1 - z)` (reuses the stored output).

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise logistic sigmoid `1 / (1 + exp(-a))`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![0.0, 1000.0, -1000.0])?);
    /// let z = t.sigmoid(a)?;
    /// assert_eq!(t.value(z)?, &[0.5, 1.0, 0.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn sigmoid(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Sigmoid, ia, shape, |a, out| T::sigmoid_slice(a, out))
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, c.out, ga, |g, z| g * z * (T::one() - z));
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn value_and_gradient_at_zero_and_two() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![0.0, 2.0]).unwrap());
        let z = t.sigmoid(a).unwrap();
        let e = (-2.0f64).exp();
        let v = t.value(z).unwrap();
        assert_eq!(v[0], 0.5);
        assert!((v[1] - 1.0 / (1.0 + e)).abs() < 4e-16);
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        let g = t.grad(a).unwrap();
        assert_eq!(g[0], 0.25);
        // sigma'(x) = exp(-x) / (1 + exp(-x))^2.
        assert!((g[1] - e / ((1.0 + e) * (1.0 + e))).abs() < 4e-16);
    }

    #[test]
    fn symmetric_and_accurate_for_negative_inputs() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::from_vec(Shape::vector(2), vec![3.0, -3.0]).unwrap());
        let z = t.sigmoid(a).unwrap();
        let v = t.value(z).unwrap();
        assert!((v[0] + v[1] - 1.0).abs() < 4e-16);
        // Far out on the left the value is exp(a), not a rounded-off 0.
        let b = t.constant(&Tensor::scalar(-700.0));
        let zb = t.sigmoid(b).unwrap();
        let want = (-700.0f64).exp();
        assert!(want > 0.0);
        assert!((t.item(zb).unwrap() - want).abs() <= 1e-15 * want);
    }

    #[test]
    fn f32_saturates_without_overflow_in_checked_mode() {
        let mut t = Tape::<f32>::new();
        t.set_check_finite(true);
        let a = t
            .variable_slice(Shape::vector(4), &[100.0, -100.0, f32::MAX, -f32::MAX])
            .unwrap();
        let z = t.sigmoid(a).unwrap();
        // sigma(-100) = exp(-100) is a subnormal f32, still exact.
        let tiny = (-100.0f32).exp();
        assert!(tiny > 0.0);
        assert_eq!(t.value(z).unwrap(), &[1.0, tiny, 1.0, 0.0]);
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        // z (1 - z): 0 where saturated at 1, ~z where z is tiny.
        assert_eq!(t.grad(a).unwrap(), &[0.0, tiny, 0.0, 0.0]);
    }

    #[test]
    fn nan_stays_nan() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::scalar(f64::NAN));
        let z = t.sigmoid(a).unwrap();
        assert!(t.item(z).unwrap().is_nan());
    }
}
