//! Elementwise negation.
//!
//! Forward: `z = -a`.
//!
//! VJP: `da -= g`.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `-a`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.5, -2.0])?);
    /// let z = t.neg(a)?;
    /// assert_eq!(t.value(z)?, &[-1.5, 2.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn neg(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Neg, ia, shape, |a, out| kernels::map(a, out, |x| -x))
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
    fn gradient_is_minus_the_incoming_gradient() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![3.0, -4.0]).unwrap());
        let z = t.neg(a).unwrap();
        // loss = sum(-a * a) = -sum(a^2), d/da = -2a.
        let za = t.mul(z, a).unwrap();
        let s = t.sum(za).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[-6.0, 8.0]);
    }

    #[test]
    fn double_negation_is_identity_f32() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(0.75));
        let z = t.neg(a).unwrap();
        let zz = t.neg(z).unwrap();
        assert_eq!(t.item(zz).unwrap(), 0.75);
        t.backward(zz).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[1.0]);
        assert_eq!(t.grad(z).unwrap(), &[-1.0]);
    }
}
