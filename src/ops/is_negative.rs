//! Elementwise indicator of a negative value, `[a < 0]`.
//!
//! Forward: `z = 1` where `a < 0` (including `-inf`), `0` where `a >= 0`
//! (either signed zero included), NaN where `a` is NaN.
//!
//! VJP: the indicator is piecewise constant, so its derivative is zero
//! wherever it exists (and undefined at 0, where we also use zero): nothing
//! is added to `da`. The node is still recorded so that products such as
//! `W [x < 0]` compose; the gradient of `W` flows through the product.
//!
//! The power units use it for `k = [x < 0]`, the imaginary part of
//! `log(x) / pi` for a real `x`.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `[a < 0]` (1 or 0; NaN stays NaN); its gradient is zero.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(4), vec![-2.5, -0.0, 0.0, 7.0])?);
    /// let z = t.is_negative(a)?;
    /// assert_eq!(t.value(z)?, &[1.0, 0.0, 0.0, 0.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn is_negative(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::IsNegative, ia, shape, |a, out| {
            kernels::map(a, out, |x| {
                if x < T::zero() {
                    T::one()
                } else if x >= T::zero() {
                    T::zero()
                } else {
                    x // NaN
                }
            })
        })
    }
}

/// The derivative of a step is zero: nothing to add.
pub(crate) fn backward<T: Element>(_c: &mut Backward<'_, T>) {}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn values_including_infinities_and_nan() {
        let mut t = Tape::<f32>::new();
        let xs = vec![f32::NEG_INFINITY, -1e-30, 1e-30, f32::INFINITY, f32::NAN];
        let a = t.constant(&Tensor::from_vec(Shape::vector(5), xs).unwrap());
        let z = t.is_negative(a).unwrap();
        let v = t.value(z).unwrap();
        assert_eq!(&v[..4], &[1.0, 1.0, 0.0, 0.0]);
        assert!(v[4].is_nan());
    }

    #[test]
    fn gradient_flows_only_through_the_other_factor() {
        // loss = sum(w * [a < 0]): d/dw = [a < 0], d/da = 0.
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![-2.0, 0.0, 3.0]).unwrap());
        let w = t.variable(&Tensor::from_vec(Shape::vector(3), vec![5.0, 6.0, 7.0]).unwrap());
        let k = t.is_negative(a).unwrap();
        let m = t.mul(w, k).unwrap();
        let l = t.sum(m).unwrap();
        assert_eq!(t.item(l).unwrap(), 5.0);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.0, 0.0, 0.0]);
        assert_eq!(t.grad(w).unwrap(), &[1.0, 0.0, 0.0]);
    }
}
