//! Elementwise absolute value.
//!
//! Forward: `z = |a|`.
//!
//! VJP: `da += g * sign(a)`, with sign(0) = 0: at the kink the gradient is
//! zero (PyTorch's choice; any value in `[-1, 1]` is a subgradient). A NaN
//! input gets a NaN gradient.

use super::sign::sign;
use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `|a|`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![-2.0, 0.0, 3.0])?);
    /// let z = t.abs(a)?;
    /// assert_eq!(t.value(z)?, &[2.0, 0.0, 3.0]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?, &[-1.0, 0.0, 1.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn abs(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Abs, ia, shape, |a, out| kernels::map(a, out, T::abs))
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let a = c.inputs.value(0);
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, a, ga, |g, x| {
            let s = sign(x);
            // Select rather than multiply, so an infinite `g` at 0 adds 0, not NaN.
            if s == T::zero() {
                T::zero()
            } else {
                g * s
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn gradient_is_the_sign_and_zero_at_zero() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(
            &Tensor::from_vec(Shape::vector(5), vec![-3.0, -0.0, 0.0, 0.5, f64::NAN]).unwrap(),
        );
        let z = t.abs(a).unwrap();
        // Weights make the incoming gradient differ per element; the infinite
        // one at a = +0 checks that the kink still receives exactly 0.
        let w = t.constant(
            &Tensor::from_vec(Shape::vector(5), vec![2.0, 5.0, f64::INFINITY, 4.0, 1.0]).unwrap(),
        );
        let zw = t.mul(z, w).unwrap();
        let v = t.value(z).unwrap();
        assert_eq!(&v[..4], &[3.0, 0.0, 0.0, 0.5]);
        assert!(v[4].is_nan());
        let s = t.sum(zw).unwrap();
        t.backward(s).unwrap();
        let g = t.grad(a).unwrap();
        assert_eq!(&g[..4], &[-2.0, 0.0, 0.0, 4.0]);
        assert!(g[4].is_nan());
    }

    #[test]
    fn f32_abs_of_negative() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(-1.5));
        let z = t.abs(a).unwrap();
        assert_eq!(t.item(z).unwrap(), 1.5);
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[-1.0]);
    }
}
