//! Elementwise rectified linear unit.
//!
//! Forward: `z = max(a, 0)`; NaN stays NaN (it is not silently turned into
//! 0, so checked mode can still find it).
//!
//! VJP: `da += g` where `a > 0`, and nothing elsewhere (`a <= 0`, or NaN):
//! at the kink `a = 0` the gradient is 0 (PyTorch's choice).

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `max(a, 0)`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![-1.0, 0.0, 2.5])?);
    /// let z = t.relu(a)?;
    /// assert_eq!(t.value(z)?, &[0.0, 0.0, 2.5]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?, &[0.0, 0.0, 1.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn relu(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Relu, ia, shape, |a, out| {
            kernels::map(a, out, |x| if x <= T::zero() { T::zero() } else { x })
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let a = c.inputs.value(0);
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, a, ga, |g, x| if x > T::zero() { g } else { T::zero() });
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape};

    #[test]
    fn passes_gradient_only_where_positive() {
        let mut t = Tape::<f64>::new();
        let a = t
            .variable_slice(Shape::vector(5), &[-3.0, -0.0, 0.0, 1e-300, 4.0])
            .unwrap();
        let z = t.relu(a).unwrap();
        let v = t.value(z).unwrap();
        assert_eq!(v, &[0.0, 0.0, 0.0, 1e-300, 4.0]);
        assert!(v[1].is_sign_positive(), "relu(-0) is +0");
        // loss = sum(relu(a) * w) with distinct weights per element.
        let w = t
            .constant_slice(Shape::vector(5), &[1.0, 2.0, 3.0, 4.0, 5.0])
            .unwrap();
        let zw = t.mul(z, w).unwrap();
        let s = t.sum(zw).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.0, 0.0, 0.0, 4.0, 5.0]);
    }

    #[test]
    fn nan_is_kept_f32() {
        let mut t = Tape::<f32>::new();
        let a = t
            .variable_slice(Shape::vector(2), &[f32::NAN, -2.0])
            .unwrap();
        let z = t.relu(a).unwrap();
        let v = t.value(z).unwrap();
        assert!(v[0].is_nan());
        assert_eq!(v[1], 0.0);
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.0, 0.0]);
    }
}
