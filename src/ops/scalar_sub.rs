//! Subtracting every element from a constant scalar.
//!
//! Forward: `z = c - a` for a fixed `c` (not differentiated).
//!
//! VJP: `da -= g` (`dz/da = -1`).

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `c - a` for a constant `c` (the scalar on the left).
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, -2.0])?);
    /// let z = t.scalar_sub(1.0, a)?;
    /// assert_eq!(t.value(z)?, &[0.0, 3.0]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?, &[-1.0, -1.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn scalar_sub(&mut self, c: T, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::ScalarSub(c), ia, shape, |a, out| {
            kernels::map(a, out, |x| c - x)
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    if let Some(ga) = c.grads.get(0) {
        for (d, &g) in ga.iter_mut().zip(c.g) {
            *d = *d - g;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn value_and_gradient() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, 2.0]).unwrap());
        let z = t.scalar_sub(3.0, a).unwrap();
        assert_eq!(t.value(z).unwrap(), &[2.0, 1.0]);
        // loss = sum((3 - a)^2), d/da = -2(3 - a).
        let zz = t.mul(z, z).unwrap();
        let s = t.sum(zz).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[-4.0, -2.0]);
    }

    #[test]
    fn f32_is_the_same_as_negating_then_adding() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(0.1));
        let z = t.scalar_sub(0.7, a).unwrap();
        let n = t.neg(a).unwrap();
        let w = t.add_scalar(n, 0.7).unwrap();
        assert_eq!(t.item(z).unwrap(), t.item(w).unwrap());
    }
}
