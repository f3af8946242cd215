//! Elementwise natural logarithm.
//!
//! Forward: `z = ln(a)`; `ln(0) = -inf` and a negative `a` gives NaN.
//!
//! In `f32` the forward is the crate's own vectorised `ln_f32` (within 2 ulp,
//! the same bits on every processor; `Element::ln_slice`), in `f64` the
//! standard library's.
//!
//! VJP: `da += g / a`.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise natural logarithm `ln(a)`.
    ///
    /// ```
    /// use arithgrad::{Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::scalar(1.0));
    /// let z = t.log(a)?;
    /// assert_eq!(t.item(z)?, 0.0);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn log(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Log, ia, shape, |a, out| T::ln_slice(a, out))
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let a = c.inputs.value(0);
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, a, ga, |g, x| g / x);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor};

    #[test]
    fn derivative_is_the_reciprocal() {
        let mut t = Tape::<f64>::new();
        let e2 = std::f64::consts::E * std::f64::consts::E;
        let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0, 0.5, e2]).unwrap());
        let z = t.log(a).unwrap();
        let v = t.value(z).unwrap();
        assert_eq!(v[0], 0.0);
        assert_eq!(v[1], -std::f64::consts::LN_2);
        assert!((v[2] - 2.0).abs() < 1e-15);
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        let g = t.grad(a).unwrap();
        assert_eq!(&g[..2], &[1.0, 2.0]);
        assert_eq!(g[2], 1.0 / e2);
    }

    #[test]
    fn log_of_exp_is_identity_f32() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(0.0));
        let e = t.exp(a).unwrap();
        let z = t.log(e).unwrap();
        assert_eq!(t.item(z).unwrap(), 0.0);
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[1.0]);
    }

    #[test]
    fn log_of_zero_is_caught_in_checked_mode() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::scalar(0.0));
        let z = t.log(a).unwrap();
        assert_eq!(t.item(z).unwrap(), f64::NEG_INFINITY);
        t.set_check_finite(true);
        let e = t.log(a).unwrap_err();
        assert!(matches!(e, Error::NonFinite { op: "log", .. }), "{e:?}");
    }
}
