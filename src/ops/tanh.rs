//! Elementwise hyperbolic tangent.
//!
//! Forward: `z = tanh(a)` (saturates to `±1` without overflow).
//!
//! In `f32` the forward is the crate's own vectorised `tanh_f32` (within 2 ulp,
//! the same bits on every processor; `Element::tanh_slice`), in `f64` the
//! standard library's.
//!
//! VJP: `da += g * (1 - z^2)` (reuses the stored output).

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `tanh(a)`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![0.0, 50.0])?);
    /// let z = t.tanh(a)?;
    /// assert_eq!(t.value(z)?, &[0.0, 1.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn tanh(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Tanh, ia, shape, |a, out| T::tanh_slice(a, out))
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, c.out, ga, |g, z| g * (T::one() - z * z));
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn derivative_is_one_over_cosh_squared() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![0.0, 0.5, -1.5]).unwrap());
        let z = t.tanh(a).unwrap();
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        let g = t.grad(a).unwrap();
        assert_eq!(g[0], 1.0);
        for (k, x) in [(1, 0.5f64), (2, -1.5)] {
            let want = 1.0 / (x.cosh() * x.cosh());
            assert!((g[k] - want).abs() < 1e-15, "{} vs {want}", g[k]);
        }
    }

    #[test]
    fn odd_function_f32() {
        let mut t = Tape::<f32>::new();
        let a = t.variable_slice(Shape::vector(2), &[0.75, -0.75]).unwrap();
        let z = t.tanh(a).unwrap();
        let v = t.value(z).unwrap();
        assert_eq!(v[0], -v[1]);
        assert_eq!(v[0], 0.75f32.tanh());
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        let g = t.grad(a).unwrap();
        assert_eq!(g[0], g[1]);
        assert!((g[0] - (1.0 - 0.75f32.tanh().powi(2))).abs() < 1e-7);
    }

    #[test]
    fn saturated_gradient_is_zero() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::scalar(-40.0));
        let z = t.tanh(a).unwrap();
        assert_eq!(t.item(z).unwrap(), -1.0);
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.0]);
    }
}
