//! Multiplying every element by a constant scalar.
//!
//! Forward: `z = c * a` for a fixed `c` (not differentiated).
//!
//! VJP: `da += c * g`.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `c * a` for a constant `c`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, -2.0])?);
    /// let z = t.mul_scalar(a, 3.0)?;
    /// assert_eq!(t.value(z)?, &[3.0, -6.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn mul_scalar(&mut self, a: Var, c: T) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::MulScalar(c), ia, shape, |a, out| {
            kernels::map(a, out, |x| x * c)
        })
    }
}

/// `k` is the constant `c` of the forward pass.
pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>, k: T) {
    if let Some(ga) = c.grads.get(0) {
        for (d, &g) in ga.iter_mut().zip(c.g) {
            *d = *d + g * k;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn gradient_is_scaled_by_the_constant() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0, 2.0, -3.0]).unwrap());
        let z = t.mul_scalar(a, -2.0).unwrap();
        assert_eq!(t.value(z).unwrap(), &[-2.0, -4.0, 6.0]);
        // loss = sum((-2a) * a) = -2 sum(a^2), d/da = -4a.
        let za = t.mul(z, a).unwrap();
        let s = t.sum(za).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[-4.0, -8.0, 12.0]);
    }

    #[test]
    fn f32_value_and_gradient() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(3.0));
        let z = t.mul_scalar(a, 0.5).unwrap();
        assert_eq!(t.item(z).unwrap(), 1.5);
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.5]);
    }
}
