//! Elementwise square.
//!
//! Forward: `z = a^2` (computed as `a * a`).
//!
//! VJP: `da += 2 a g`.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `a^2`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![3.0, -0.5])?);
    /// let z = t.square(a)?;
    /// assert_eq!(t.value(z)?, &[9.0, 0.25]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn square(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Square, ia, shape, |a, out| {
            kernels::map(a, out, |x| x * x)
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let a = c.inputs.value(0);
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, a, ga, |g, x| (x + x) * g);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn derivative_is_two_a() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![3.0, -0.5, 0.0]).unwrap());
        let z = t.square(a).unwrap();
        assert_eq!(t.value(z).unwrap(), &[9.0, 0.25, 0.0]);
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[6.0, -1.0, 0.0]);
    }

    #[test]
    fn f32_chain_with_scaling() {
        // loss = (3a)^2, d/da = 18 a.
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(2.0));
        let b = t.mul_scalar(a, 3.0).unwrap();
        let z = t.square(b).unwrap();
        assert_eq!(t.item(z).unwrap(), 36.0);
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[36.0]);
    }
}
