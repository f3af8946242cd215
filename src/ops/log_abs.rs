//! Elementwise safe logarithm of the magnitude, `ln(max(|a|, eps))`.
//!
//! Forward: `z = ln(max(|a|, eps))` for a constant `eps > 0`: the log of
//! the magnitude, floored at `ln(eps)` so that a zero input gives a finite
//! value. Exactly `ln|a|` wherever `|a| >= eps`. NaN stays NaN. A
//! non-positive, NaN or infinite `eps` is [`crate::Error::InvalidArgument`].
//!
//! VJP: `da += g / a` where `|a| > eps`, nothing where `|a| < eps` (the
//! floor is constant) or `a` is NaN, and `g / (2 a)` at a tie `|a| = eps`:
//! the same as the composition `ln(maximum(abs(a), eps))`, whose maximum
//! splits a tie half and half.
//!
//! The logarithm is `Element::ln_abs_floor_slice`: in `f32` the crate's
//! vectorised `ln` (within 2 ulp, the same bits on every processor), in
//! `f64` the standard library's.
//!
//! The log-space units (iNALU's multiplicative path, the NaiveNPU) use it
//! as `log(max(|x|, 1e-7))`; unlike `log(|x| + eps)` it leaves `|x| >= eps`
//! untouched, so an ideal weight gives an exact product.

use crate::error::{Error, Result};
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `ln(max(|a|, eps))`; needs a finite `eps > 0`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![-1.0, 0.0, 0.5])?);
    /// let z = t.log_abs(a, 1e-7)?;
    /// assert_eq!(t.value(z)?, &[0.0, (1e-7f64).ln(), 0.5f64.ln()]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?, &[-1.0, 0.0, 2.0]); // 1 / a, 0 under the floor
    /// assert!(matches!(
    ///     t.log_abs(a, 0.0),
    ///     Err(arithgrad::Error::InvalidArgument { name: "eps", .. })
    /// ));
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn log_abs(&mut self, a: Var, eps: T) -> Result<Var> {
        if !(eps > T::zero() && eps.is_finite()) {
            return Err(Error::invalid(
                "eps",
                format!("log_abs needs a finite eps > 0, got {eps}"),
            ));
        }
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::LogAbs(eps), ia, shape, |a, out| {
            T::ln_abs_floor_slice(a, eps, out)
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>, eps: T) {
    let a = c.inputs.value(0);
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, a, ga, |g, x| {
            let m = x.abs();
            if m > eps {
                g / x
            } else if m == eps {
                g / (x + x)
            } else {
                T::zero()
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor};

    fn value_and_grad(xs: &[f64], eps: f64) -> (Vec<f64>, Vec<f64>) {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(xs.len()), xs.to_vec()).unwrap());
        let z = t.log_abs(a, eps).unwrap();
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        (t.value(z).unwrap().to_vec(), t.grad(a).unwrap().to_vec())
    }

    #[test]
    fn equals_log_of_the_magnitude_above_the_floor() {
        let xs = [-20.0, -1.5, 0.1, 3.0, 1e-7, -1e-7];
        let (z, g) = value_and_grad(&xs, 1e-7);
        for (k, x) in xs.iter().enumerate() {
            assert_eq!(z[k], x.abs().ln());
        }
        assert_eq!(&g[..4], &[-1.0 / 20.0, -1.0 / 1.5, 1.0 / 0.1, 1.0 / 3.0]);
        // At the tie |a| = eps the gradient is split, as for maximum.
        assert_eq!(g[4], 0.5e7);
        assert_eq!(g[5], -0.5e7);
    }

    #[test]
    fn floor_below_eps_including_zero_and_nan() {
        let (z, g) = value_and_grad(&[0.0, -0.0, 1e-9, f64::NAN], 1e-7);
        let floor = (1e-7f64).ln();
        assert_eq!(&z[..3], &[floor, floor, floor]);
        assert!(z[3].is_nan());
        assert_eq!(g, [0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn bad_eps_is_an_error() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(1.0));
        for eps in [0.0, -1.0, f32::NAN, f32::INFINITY] {
            let e = t.log_abs(a, eps).unwrap_err();
            assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
        }
        let z = t.log_abs(a, f32::EPSILON).unwrap();
        assert_eq!(t.item(z).unwrap(), 0.0);
    }
}
