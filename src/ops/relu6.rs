//! Elementwise ReLU6, a ReLU capped at 6.
//!
//! Forward: `z = min(max(a, 0), 6)`; NaN stays NaN.
//!
//! VJP: `da += g` on the open interval `0 < a < 6`, nothing elsewhere
//! (NaN included). Both
//! kinks (`a = 0` and `a = 6`) get gradient 0: this is PyTorch's rule for
//! `relu6`, which is `hardtanh(a, 0, 6)`. Note that it differs from
//! [`Tape::clamp`], which passes the gradient on the closed interval.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `min(max(a, 0), 6)`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![-1.0, 2.5, 9.0])?);
    /// let z = t.relu6(a)?;
    /// assert_eq!(t.value(z)?, &[0.0, 2.5, 6.0]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?, &[0.0, 1.0, 0.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn relu6(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        let six = T::from_f64_lossy(6.0);
        self.record_unary(Op::Relu6, ia, shape, |a, out| {
            kernels::map(a, out, |x| {
                if x <= T::zero() {
                    T::zero()
                } else if x >= six {
                    six
                } else {
                    x
                }
            })
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let a = c.inputs.value(0);
    let six = T::from_f64_lossy(6.0);
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, a, ga, |g, x| {
            if x > T::zero() && x < six {
                g
            } else {
                T::zero()
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape};

    #[test]
    fn gradient_on_the_open_interval_only() {
        let mut t = Tape::<f64>::new();
        let xs = [-2.0, 0.0, 0.5, 5.5, 6.0, 7.0];
        let a = t.variable_slice(Shape::vector(6), &xs).unwrap();
        let z = t.relu6(a).unwrap();
        assert_eq!(t.value(z).unwrap(), &[0.0, 0.0, 0.5, 5.5, 6.0, 6.0]);
        let w = t
            .constant_slice(Shape::vector(6), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
            .unwrap();
        let zw = t.mul(z, w).unwrap();
        let s = t.sum(zw).unwrap();
        t.backward(s).unwrap();
        // Both kinks, 0 and 6, get nothing.
        assert_eq!(t.grad(a).unwrap(), &[0.0, 0.0, 3.0, 4.0, 0.0, 0.0]);
    }

    #[test]
    fn f32_and_nan() {
        let mut t = Tape::<f32>::new();
        let a = t
            .variable_slice(Shape::vector(3), &[f32::NAN, 3.0, f32::INFINITY])
            .unwrap();
        let z = t.relu6(a).unwrap();
        let v = t.value(z).unwrap();
        assert!(v[0].is_nan());
        assert_eq!(&v[1..], &[3.0, 6.0]);
        // The loss is NaN, but the sweep still runs (checked mode is off).
        let z2 = t.mul_scalar(z, 2.0).unwrap();
        let s = t.sum(z2).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.0, 2.0, 0.0]);
    }
}
