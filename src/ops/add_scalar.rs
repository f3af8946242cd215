//! Adding a constant scalar to every element.
//!
//! Forward: `z = a + c` for a fixed `c` (not differentiated).
//!
//! VJP: `da += g`.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `a + c` for a constant `c`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, -2.0])?);
    /// let z = t.add_scalar(a, 0.5)?;
    /// assert_eq!(t.value(z)?, &[1.5, -1.5]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn add_scalar(&mut self, a: Var, c: T) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::AddScalar(c), ia, shape, |a, out| {
            kernels::map(a, out, |x| x + c)
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    if let Some(ga) = c.grads.get(0) {
        kernels::add_assign(ga, c.g);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn shift_does_not_change_the_gradient() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, 2.0]).unwrap());
        let z = t.add_scalar(a, 3.0).unwrap();
        // loss = sum((a + 3)^2), d/da = 2(a + 3).
        let zz = t.mul(z, z).unwrap();
        let s = t.sum(zz).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[8.0, 10.0]);
    }

    #[test]
    fn f32_value_and_gradient() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(1.25));
        let z = t.add_scalar(a, -0.25).unwrap();
        assert_eq!(t.item(z).unwrap(), 1.0);
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[1.0]);
    }
}
