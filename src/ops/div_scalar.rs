//! Dividing every element by a constant scalar.
//!
//! Forward: `z = a / c` for a fixed `c` (not differentiated).
//!
//! VJP: `da += g / c`.
//!
//! This is a division, not a multiplication by `1 / c`: the two round
//! differently (`0.1 / 10` is not `0.1 * (1 / 10)` in `f64`).

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `a / c` for a constant `c`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, -2.0])?);
    /// let z = t.div_scalar(a, 4.0)?;
    /// assert_eq!(t.value(z)?, &[0.25, -0.5]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?, &[0.25, 0.25]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn div_scalar(&mut self, a: Var, c: T) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::DivScalar(c), ia, shape, |a, out| {
            kernels::map(a, out, |x| x / c)
        })
    }
}

/// `k` is the constant `c` of the forward pass.
pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>, k: T) {
    if let Some(ga) = c.grads.get(0) {
        for (d, &g) in ga.iter_mut().zip(c.g) {
            *d = *d + g / k;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn divides_rather_than_multiplying_by_the_reciprocal() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::scalar(0.1));
        let z = t.div_scalar(a, 10.0).unwrap();
        assert_eq!(t.item(z).unwrap(), 0.01);
        assert_ne!(0.01, 0.1 * (1.0 / 10.0));
    }

    #[test]
    fn gradient_by_hand() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![2.0, 6.0]).unwrap());
        let z = t.div_scalar(a, 2.0).unwrap();
        // loss = sum((a / 2)^2), d/da = a / 2.
        let zz = t.mul(z, z).unwrap();
        let s = t.sum(zz).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[1.0, 3.0]);
    }
}
