//! Elementwise square root.
//!
//! Forward: `z = sqrt(a)`; a negative `a` gives NaN.
//!
//! VJP: `da += g / (2 z)` (reuses the stored output). At `a = 0` this is
//! `+inf` for positive `g`: the derivative really is unbounded there. Use
//! `sqrt(a + eps)` if that matters.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `sqrt(a)`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![4.0, 0.25])?);
    /// let z = t.sqrt(a)?;
    /// assert_eq!(t.value(z)?, &[2.0, 0.5]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn sqrt(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Sqrt, ia, shape, |a, out| kernels::map(a, out, T::sqrt))
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, c.out, ga, |g, z| g / (z + z));
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn derivative_by_hand() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![4.0, 0.25, 0.0]).unwrap());
        let z = t.sqrt(a).unwrap();
        assert_eq!(t.value(z).unwrap(), &[2.0, 0.5, 0.0]);
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        // 1 / (2 sqrt(a)); unbounded at 0.
        assert_eq!(t.grad(a).unwrap(), &[0.25, 1.0, f64::INFINITY]);
    }

    #[test]
    fn f32_sqrt_of_square_is_abs() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(-3.0));
        let sq = t.square(a).unwrap();
        let z = t.sqrt(sq).unwrap();
        assert_eq!(t.item(z).unwrap(), 3.0);
        t.backward(z).unwrap();
        // d sqrt(a^2)/da = a / |a| = -1.
        assert_eq!(t.grad(a).unwrap(), &[-1.0]);
    }
}
