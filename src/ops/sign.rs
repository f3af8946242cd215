//! Elementwise sign.
//!
//! Forward: `z = -1` for `a < 0`, `0` for `a == 0` (either signed zero),
//! `1` for `a > 0`, and NaN for NaN. Unlike `f64::signum`, zero maps to 0.
//!
//! VJP: the sign is piecewise constant, so its derivative is zero wherever it
//! exists (and undefined at 0, where we also use zero). Nothing is added to
//! `da`. The op still records a node, so `a * sign(a)` and the like compose;
//! gradient then flows only through the other paths.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

/// `-1`, `0` or `1` by the sign of `x`; NaN stays NaN.
#[inline]
pub(crate) fn sign<T: Element>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else if x == T::zero() {
        T::zero()
    } else {
        x
    }
}

impl<T: Element> Tape<T> {
    /// Elementwise sign (`-1`, `0`, `1`); its gradient is zero.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![-2.5, 0.0, 7.0])?);
    /// let z = t.sign(a)?;
    /// assert_eq!(t.value(z)?, &[-1.0, 0.0, 1.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn sign(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Sign, ia, shape, |a, out| kernels::map(a, out, sign))
    }
}

/// The derivative of the sign is zero: nothing to add.
pub(crate) fn backward<T: Element>(_c: &mut Backward<'_, T>) {}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn values_including_signed_zero_and_nan() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(
            &Tensor::from_vec(
                Shape::vector(6),
                vec![-3.0, -0.0, 0.0, 1e-300, f64::INFINITY, f64::NAN],
            )
            .unwrap(),
        );
        let z = t.sign(a).unwrap();
        let v = t.value(z).unwrap();
        assert_eq!(&v[..5], &[-1.0, 0.0, 0.0, 1.0, 1.0]);
        assert!(v[1].is_sign_positive(), "sign(-0) is +0");
        assert!(v[5].is_nan());
    }

    #[test]
    fn gradient_is_zero() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![-2.0, 0.0, 3.0]).unwrap());
        let z = t.sign(a).unwrap();
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.0, 0.0, 0.0]);
    }

    #[test]
    fn composes_with_other_paths() {
        // loss = sum(a * sign(a)) = sum(|a|); only the `a` factor carries
        // gradient, so d/da = sign(a).
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![-2.0, 0.0, 3.0]).unwrap());
        let s = t.sign(a).unwrap();
        let m = t.mul(a, s).unwrap();
        let l = t.sum(m).unwrap();
        assert_eq!(t.item(l).unwrap(), 5.0);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[-1.0, 0.0, 1.0]);
    }
}
