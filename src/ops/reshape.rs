//! Reinterpreting a tensor's elements under another shape.
//!
//! Forward: `z = reshape(a, S)` with `numel(S) = numel(a)`; the row-major
//! element order is unchanged, so `z_i = a_i` for every flat index `i`.
//!
//! VJP: the identity on flat indices: `da_i += g_i`.

use crate::error::{Error, Result};
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

impl<T: Element> Tape<T> {
    /// `a` with the same elements, in the same row-major order, under
    /// `shape`; the element counts must be equal.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.constant(&Tensor::from_vec(Shape::vector(6), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])?);
    /// let m = t.reshape(a, Shape::matrix(2, 3))?;
    /// assert_eq!(t.shape(m)?, Shape::matrix(2, 3));
    /// assert_eq!(t.value(m)?, t.value(a)?);
    /// assert_eq!(
    ///     t.reshape(a, Shape::matrix(2, 2)).err(),
    ///     Some(arithgrad::Error::ShapeMismatch {
    ///         op: "reshape",
    ///         left: Shape::vector(6).into(),
    ///         right: Shape::matrix(2, 2).into(),
    ///     })
    /// );
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn reshape(&mut self, a: Var, shape: Shape) -> Result<Var> {
        let ia = self.index_of(a)?;
        let from = self.nodes[ia].shape;
        if from.numel() != shape.numel() {
            return Err(Error::ShapeMismatch {
                op: "reshape",
                left: from.into(),
                right: shape.into(),
            });
        }
        self.record_unary(Op::Reshape, ia, shape, |a, out| out.copy_from_slice(a))
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    if let Some(ga) = c.grads.get(0) {
        kernels::add_assign(ga, c.g);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor};

    #[test]
    fn gradient_keeps_the_flat_order() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_fn(Shape::matrix(2, 3), |i| i as f64));
        let z = t.reshape(a, Shape::matrix(3, 2)).unwrap();
        assert_eq!(t.shape(z).unwrap(), Shape::matrix(3, 2));
        assert_eq!(t.value(z).unwrap(), &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        // Weight the reshaped value by column: w = [[1, -1], [1, -1], [1, -1]].
        let w = t
            .constant_slice(Shape::matrix(3, 2), &[1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
            .unwrap();
        let zw = t.mul(z, w).unwrap();
        let l = t.sum(zw).unwrap();
        assert_eq!(t.item(l).unwrap(), -3.0);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[1.0, -1.0, 1.0, -1.0, 1.0, -1.0]);
    }

    #[test]
    fn to_and_from_a_scalar_and_higher_rank() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::matrix(1, 1), vec![3.0]).unwrap());
        let s = t.reshape(a, Shape::scalar()).unwrap();
        assert_eq!(t.item(s).unwrap(), 3.0);
        let b = t.variable(&Tensor::from_fn(Shape::vector(8), |i| i as f64));
        let c = t.reshape(b, Shape::new(&[2, 2, 2]).unwrap()).unwrap();
        assert_eq!(t.shape(c).unwrap().dims(), &[2, 2, 2]);
        let sc = t.sum(c).unwrap();
        let l = t.mul(s, sc).unwrap();
        t.backward(l).unwrap();
        // l = a · Σb: dl/da = 28, dl/db_i = 3.
        assert_eq!(t.grad(a).unwrap(), &[28.0]);
        assert_eq!(t.grad(b).unwrap(), &[3.0; 8]);
    }

    #[test]
    fn different_element_counts_name_both_shapes() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::zeros(Shape::matrix(2, 3)));
        assert_eq!(
            t.reshape(a, Shape::vector(5)).unwrap_err(),
            Error::ShapeMismatch {
                op: "reshape",
                left: Shape::matrix(2, 3).into(),
                right: Shape::vector(5).into()
            }
        );
    }
}
