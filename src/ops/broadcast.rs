//! Explicit broadcasting, with numpy's rules.
//!
//! Forward: `z = broadcast_to(a, S)`. The shapes are right-aligned (missing
//! leading dimensions count as 1); each dimension of `a` must be 1 or equal
//! to that of `S`, and `a` is repeated along its size-1 dimensions:
//! `z[i_0, .., i_r] = a[j_0, .., j_r]` with `j_d = 0` where `a` has size 1
//! and `j_d = i_d` otherwise.
//!
//! VJP: each element of `a` was copied to every position it was broadcast
//! to, so it receives the sum of their gradients:
//! `da[j] += Σ_{i broadcast from j} g[i]`. This (through
//! `kernels::reduce_to_shape_add`) is the one place in the crate where a
//! gradient is summed back down to an operand's shape; every elementwise
//! operation needs equal shapes and leaves broadcasting to this operation.

use crate::error::{Error, Result};
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

impl<T: Element> Tape<T> {
    /// `a` repeated to `shape` under numpy's broadcasting rules.
    ///
    /// A bias row `[1, c]` over a batch `[r, c]`:
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let bias = t.variable(&Tensor::from_vec(Shape::matrix(1, 2), vec![1.0, 2.0])?);
    /// let z = t.broadcast_to(bias, Shape::matrix(3, 2))?;
    /// assert_eq!(t.value(z)?, &[1.0, 2.0, 1.0, 2.0, 1.0, 2.0]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(bias)?, &[3.0, 3.0]); // summed over the three rows
    /// assert_eq!(
    ///     t.broadcast_to(bias, Shape::matrix(3, 3)).err(),
    ///     Some(arithgrad::Error::ShapeMismatch {
    ///         op: "broadcast_to",
    ///         left: t.shape(bias)?.into(),
    ///         right: Shape::matrix(3, 3).into(),
    ///     })
    /// );
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn broadcast_to(&mut self, a: Var, shape: Shape) -> Result<Var> {
        let ia = self.index_of(a)?;
        let from = self.nodes[ia].shape;
        if !kernels::broadcastable(from, shape) {
            return Err(Error::ShapeMismatch {
                op: "broadcast_to",
                left: from.into(),
                right: shape.into(),
            });
        }
        self.record_unary(Op::Broadcast, ia, shape, |a, out| {
            kernels::broadcast_to(a, from, out, shape)
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let from = c.inputs.shape(0);
    if let Some(ga) = c.grads.get(0) {
        kernels::reduce_to_shape_add(c.g, c.shape, ga, from);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor, Var};

    /// `sum(z * w)`, so the gradient reaching `z` is `w`.
    fn weighted_sum(t: &mut Tape<f64>, z: Var, w: &[f64]) -> Var {
        let shape = t.shape(z).unwrap();
        let w = t.constant_slice(shape, w).unwrap();
        let zw = t.mul(z, w).unwrap();
        t.sum(zw).unwrap()
    }

    #[test]
    fn row_vector_over_rows() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::matrix(1, 3), vec![1.0, 2.0, 3.0]).unwrap());
        let z = t.broadcast_to(a, Shape::matrix(2, 3)).unwrap();
        assert_eq!(t.shape(z).unwrap(), Shape::matrix(2, 3));
        assert_eq!(t.value(z).unwrap(), &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
        let l = weighted_sum(&mut t, z, &[1.0, 2.0, 3.0, 10.0, 20.0, 30.0]);
        t.backward(l).unwrap();
        // Each column's two gradients summed.
        assert_eq!(t.grad(a).unwrap(), &[11.0, 22.0, 33.0]);
    }

    #[test]
    fn rank_one_vector_is_right_aligned() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![5.0, 6.0]).unwrap());
        let z = t.broadcast_to(a, Shape::matrix(2, 2)).unwrap();
        assert_eq!(t.value(z).unwrap(), &[5.0, 6.0, 5.0, 6.0]);
        let l = weighted_sum(&mut t, z, &[1.0, 2.0, 3.0, 4.0]);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[4.0, 6.0]);
    }

    #[test]
    fn column_over_columns() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::matrix(2, 1), vec![1.0, 2.0]).unwrap());
        let z = t.broadcast_to(a, Shape::matrix(2, 3)).unwrap();
        assert_eq!(t.value(z).unwrap(), &[1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
        let l = weighted_sum(&mut t, z, &[1.0, 2.0, 3.0, 10.0, 20.0, 30.0]);
        t.backward(l).unwrap();
        // Each row's three gradients summed.
        assert_eq!(t.grad(a).unwrap(), &[6.0, 60.0]);
    }

    #[test]
    fn scalar_to_anything() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::scalar(4.0));
        let z = t.broadcast_to(a, Shape::matrix(2, 2)).unwrap();
        assert_eq!(t.value(z).unwrap(), &[4.0; 4]);
        let l = weighted_sum(&mut t, z, &[1.0, 2.0, 3.0, 4.0]);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[10.0]);
    }

    #[test]
    fn weights_over_a_batch_in_rank_three() {
        // (1, O, I) -> (B, O, I) with B = 2, O = 2, I = 2: a weight matrix
        // shared by every batch element.
        let mut t = Tape::<f64>::new();
        let w = t.variable(
            &Tensor::from_vec(Shape::new(&[1, 2, 2]).unwrap(), vec![1.0, 2.0, 3.0, 4.0]).unwrap(),
        );
        let to = Shape::new(&[2, 2, 2]).unwrap();
        let z = t.broadcast_to(w, to).unwrap();
        assert_eq!(t.shape(z).unwrap(), to);
        assert_eq!(
            t.value(z).unwrap(),
            &[1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0]
        );
        let g = [1.0, 2.0, 3.0, 4.0, 100.0, 200.0, 300.0, 400.0];
        let l = weighted_sum(&mut t, z, &g);
        t.backward(l).unwrap();
        assert_eq!(t.grad(w).unwrap(), &[101.0, 202.0, 303.0, 404.0]);
    }

    #[test]
    fn middle_axis_in_rank_three() {
        // (2, 1, 2) -> (2, 3, 2): each batch row repeated three times.
        let mut t = Tape::<f64>::new();
        let a = t.variable(
            &Tensor::from_vec(Shape::new(&[2, 1, 2]).unwrap(), vec![1.0, 2.0, 3.0, 4.0]).unwrap(),
        );
        let z = t.broadcast_to(a, Shape::new(&[2, 3, 2]).unwrap()).unwrap();
        assert_eq!(
            t.value(z).unwrap(),
            &[1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 4.0, 3.0, 4.0]
        );
        let g: Vec<f64> = (1..=12).map(f64::from).collect();
        let l = weighted_sum(&mut t, z, &g);
        t.backward(l).unwrap();
        // [1+3+5, 2+4+6, 7+9+11, 8+10+12]
        assert_eq!(t.grad(a).unwrap(), &[9.0, 12.0, 27.0, 30.0]);
    }

    #[test]
    fn same_shape_is_the_identity() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, 2.0]).unwrap());
        let z = t.broadcast_to(a, Shape::vector(2)).unwrap();
        let l = weighted_sum(&mut t, z, &[3.0, -1.0]);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[3.0, -1.0]);
    }

    #[test]
    fn incompatible_shapes_name_both() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::zeros(Shape::matrix(2, 3)));
        for to in [
            Shape::matrix(2, 4),
            Shape::matrix(4, 3),
            Shape::vector(3),
            Shape::new(&[2, 2, 2]).unwrap(),
        ] {
            let e = t.broadcast_to(a, to).unwrap_err();
            assert_eq!(
                e,
                Error::ShapeMismatch {
                    op: "broadcast_to",
                    left: Shape::matrix(2, 3).into(),
                    right: to.into()
                }
            );
            assert!(e.to_string().contains("[2, 3]") && e.to_string().contains(&to.to_string()));
        }
    }
}
