//! Elementwise clamping to a closed interval.
//!
//! Forward: `z = min(max(a, lo), hi)` for constants `lo <= hi` (either may be
//! infinite); NaN stays NaN. `lo > hi`, or a NaN bound, is an
//! [`crate::Error::InvalidArgument`].
//!
//! VJP: `da += g` on the CLOSED interval `lo <= a <= hi`, nothing elsewhere
//! (NaN included). At the bounds themselves the gradient passes: this is
//! PyTorch's rule for `clamp`, and it keeps a value sitting exactly on a
//! bound trainable. (Contrast [`Tape::relu6`], which follows `hardtanh` and
//! stops the gradient at its bounds.)

use crate::error::{Error, Result};
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `min(max(a, lo), hi)`; needs `lo <= hi`, neither NaN.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(4), vec![-2.0, -1.0, 0.5, 3.0])?);
    /// let z = t.clamp(a, -1.0, 1.0)?;
    /// assert_eq!(t.value(z)?, &[-1.0, -1.0, 0.5, 1.0]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?, &[0.0, 1.0, 1.0, 0.0]); // a = lo still passes
    /// assert!(matches!(
    ///     t.clamp(a, 1.0, -1.0),
    ///     Err(arithgrad::Error::InvalidArgument { name: "lo", .. })
    /// ));
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn clamp(&mut self, a: Var, lo: T, hi: T) -> Result<Var> {
        if lo.is_nan() {
            return Err(Error::invalid("lo", "the lower clamp bound is NaN"));
        }
        if hi.is_nan() {
            return Err(Error::invalid("hi", "the upper clamp bound is NaN"));
        }
        if lo > hi {
            return Err(Error::invalid(
                "lo",
                format!("clamp needs lo <= hi, but lo = {lo} > hi = {hi}"),
            ));
        }
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Clamp { lo, hi }, ia, shape, |a, out| {
            kernels::map(a, out, |x| {
                if x < lo {
                    lo
                } else if x > hi {
                    hi
                } else {
                    x
                }
            })
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>, lo: T, hi: T) {
    let a = c.inputs.value(0);
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(
            c.g,
            a,
            ga,
            |g, x| {
                if x >= lo && x <= hi {
                    g
                } else {
                    T::zero()
                }
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor};

    #[test]
    fn gradient_on_the_closed_interval() {
        let mut t = Tape::<f64>::new();
        let xs = [-3.0, -1.0, 0.0, 2.0, 2.5];
        let a = t.variable_slice(Shape::vector(5), &xs).unwrap();
        let z = t.clamp(a, -1.0, 2.0).unwrap();
        assert_eq!(t.value(z).unwrap(), &[-1.0, -1.0, 0.0, 2.0, 2.0]);
        let w = t
            .constant_slice(Shape::vector(5), &[1.0, 2.0, 3.0, 4.0, 5.0])
            .unwrap();
        let zw = t.mul(z, w).unwrap();
        let s = t.sum(zw).unwrap();
        t.backward(s).unwrap();
        // Both bounds (-1 and 2) pass the gradient; outside gets none.
        assert_eq!(t.grad(a).unwrap(), &[0.0, 2.0, 3.0, 4.0, 0.0]);
    }

    #[test]
    fn equal_bounds_and_infinite_bounds_f32() {
        let mut t = Tape::<f32>::new();
        let a = t
            .variable_slice(Shape::vector(3), &[0.5, 1.0, 1.5])
            .unwrap();
        let z = t.clamp(a, 1.0, 1.0).unwrap();
        assert_eq!(t.value(z).unwrap(), &[1.0, 1.0, 1.0]);
        let u = t.clamp(a, f32::NEG_INFINITY, 1.25).unwrap();
        assert_eq!(t.value(u).unwrap(), &[0.5, 1.0, 1.25]);
        let zu = t.add(z, u).unwrap();
        let s = t.sum(zu).unwrap();
        t.backward(s).unwrap();
        // From z: only a = 1.0 passes; from u: 0.5 and 1.0 pass.
        assert_eq!(t.grad(a).unwrap(), &[1.0, 2.0, 0.0]);
    }

    #[test]
    fn nan_input_stays_nan_with_no_gradient() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::scalar(f64::NAN));
        let z = t.clamp(a, 0.0, 1.0).unwrap();
        assert!(t.item(z).unwrap().is_nan());
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.0]);
    }

    #[test]
    fn bad_bounds_are_errors_naming_the_bound() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::scalar(0.0));
        let e = t.clamp(a, 2.0, 1.0).unwrap_err();
        assert!(
            matches!(e, Error::InvalidArgument { name: "lo", .. }),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(msg.contains("lo = 2") && msg.contains("hi = 1"), "{msg}");
        let e = t.clamp(a, f64::NAN, 1.0).unwrap_err();
        assert!(
            matches!(e, Error::InvalidArgument { name: "lo", .. }),
            "{e:?}"
        );
        let e = t.clamp(a, 0.0, f64::NAN).unwrap_err();
        assert!(
            matches!(e, Error::InvalidArgument { name: "hi", .. }),
            "{e:?}"
        );
        // Nothing was recorded by the failed calls.
        assert_eq!(t.len(), 1);
    }
}
