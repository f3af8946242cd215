//! Raising every element to a constant power.
//!
//! Forward: `z = a^p` for a fixed real `p` (not differentiated), as
//! `Float::powf`: a negative `a` with a non-integer `p` gives NaN, and
//! `a^0 = 1` for every `a` (NaN included).
//!
//! VJP: `da += g * p * a^(p - 1)`. For `p = 0` the gradient is exactly zero
//! (PyTorch's rule), rather than `0 * 0^(-1) = NaN` at `a = 0`. For
//! `0 < p < 1` the gradient at `a = 0` is infinite, as for `sqrt`.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `a^p` for a constant exponent `p`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![4.0, 9.0])?);
    /// let z = t.powf(a, 0.5)?;
    /// assert_eq!(t.value(z)?, &[2.0, 3.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn powf(&mut self, a: Var, p: T) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::PowScalar(p), ia, shape, |a, out| {
            kernels::map(a, out, |x| x.powf(p))
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>, p: T) {
    if p == T::zero() {
        // `a^0` is constant: no gradient (and no `0 * inf` at `a = 0`).
        return;
    }
    let a = c.inputs.value(0);
    let pm1 = p - T::one();
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, a, ga, |g, x| g * p * x.powf(pm1));
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    fn value_and_grad(a: &[f64], p: f64) -> (Vec<f64>, Vec<f64>) {
        let mut t = Tape::<f64>::new();
        let x = t.variable(&Tensor::from_vec(Shape::vector(a.len()), a.to_vec()).unwrap());
        let z = t.powf(x, p).unwrap();
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        (t.value(z).unwrap().to_vec(), t.grad(x).unwrap().to_vec())
    }

    #[test]
    fn cube_including_a_negative_base() {
        let (z, g) = value_and_grad(&[2.0, 3.0, -2.0], 3.0);
        assert_eq!(z, [8.0, 27.0, -8.0]);
        assert_eq!(g, [12.0, 27.0, 12.0]); // 3 a^2
    }

    #[test]
    fn square_root_and_reciprocal() {
        let (z, g) = value_and_grad(&[4.0, 16.0], 0.5);
        assert_eq!(z, [2.0, 4.0]);
        assert_eq!(g, [0.25, 0.125]); // 0.5 / sqrt(a)
        let (z, g) = value_and_grad(&[2.0, -4.0], -1.0);
        assert_eq!(z, [0.5, -0.25]);
        assert_eq!(g, [-0.25, -0.0625]); // -1 / a^2
    }

    #[test]
    fn zero_exponent_has_zero_gradient_even_at_zero() {
        let (z, g) = value_and_grad(&[0.0, -3.0, 5.0], 0.0);
        assert_eq!(z, [1.0, 1.0, 1.0]);
        assert_eq!(g, [0.0, 0.0, 0.0]);
    }

    #[test]
    fn gradient_at_zero_for_p_above_and_below_one() {
        let (_, g) = value_and_grad(&[0.0], 2.0);
        assert_eq!(g, [0.0]);
        let (_, g) = value_and_grad(&[0.0], 0.5);
        assert_eq!(g, [f64::INFINITY]);
    }

    #[test]
    fn negative_base_with_fractional_exponent_is_nan() {
        let (z, g) = value_and_grad(&[-4.0], 0.5);
        assert!(z[0].is_nan() && g[0].is_nan());
    }

    #[test]
    fn f32_value_and_gradient() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(1.5));
        let z = t.powf(a, 2.0).unwrap();
        assert_eq!(t.item(z).unwrap(), 2.25);
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[3.0]);
    }
}
