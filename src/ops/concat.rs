//! Side-by-side concatenation of two matrices.
//!
//! Forward: for `a [r, c1]` and `b [r, c2]`, `z [r, c1 + c2]` with
//! `z[i, j] = a[i, j]` for `j < c1` and `z[i, c1 + j] = b[i, j]`.
//!
//! VJP: each operand gets its own block of columns of the gradient back:
//! `da[i, j] += g[i, j]`, `db[i, j] += g[i, c1 + j]`.

use crate::error::{Error, Result};
use crate::ops::matmul::matrix_dims;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

impl<T: Element> Tape<T> {
    /// `[a, b]`: the columns of `a [r, c1]` followed by those of `b [r, c2]`,
    /// giving `[r, c1 + c2]`. Both must be matrices with the same row count.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.constant(&Tensor::from_vec(Shape::matrix(2, 1), vec![1.0, 2.0])?);
    /// let b = t.constant(&Tensor::from_vec(Shape::matrix(2, 2), vec![3.0, 4.0, 5.0, 6.0])?);
    /// let z = t.concat_cols(a, b)?;
    /// assert_eq!(t.shape(z)?, Shape::matrix(2, 3));
    /// assert_eq!(t.value(z)?, &[1.0, 3.0, 4.0, 2.0, 5.0, 6.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn concat_cols(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = (self.index_of(a)?, self.index_of(b)?);
        let (sa, sb) = (self.nodes[ia].shape, self.nodes[ib].shape);
        let (rows, c1) = matrix_dims("concat_cols", sa)?;
        let (rows_b, c2) = matrix_dims("concat_cols", sb)?;
        if rows != rows_b {
            return Err(Error::ShapeMismatch {
                op: "concat_cols",
                left: sa.into(),
                right: sb.into(),
            });
        }
        let cols = c1 + c2;
        self.record_binary(
            Op::ConcatCols,
            ia,
            ib,
            Shape::matrix(rows, cols),
            |a, b, out| {
                for i in 0..rows {
                    let row = &mut out[i * cols..(i + 1) * cols];
                    row[..c1].copy_from_slice(&a[i * c1..(i + 1) * c1]);
                    row[c1..].copy_from_slice(&b[i * c2..(i + 1) * c2]);
                }
            },
        )
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let (rows, c1) = (c.inputs.shape(0).dim(0), c.inputs.shape(0).dim(1));
    let c2 = c.inputs.shape(1).dim(1);
    let cols = c1 + c2;
    // Operand k's columns start at `first[k]` in each output row.
    for (k, first, width) in [(0, 0, c1), (1, c1, c2)] {
        if let Some(gk) = c.grads.get(k) {
            for i in 0..rows {
                let src = &c.g[i * cols + first..i * cols + first + width];
                kernels::add_assign(&mut gk[i * width..(i + 1) * width], src);
            }
        }
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
    fn gradient_splits_back_into_column_blocks() {
        let mut t = Tape::<f64>::new();
        let a = t
            .variable_slice(Shape::matrix(2, 2), &[1.0, 2.0, 3.0, 4.0])
            .unwrap();
        let b = t.variable_slice(Shape::matrix(2, 1), &[5.0, 6.0]).unwrap();
        let z = t.concat_cols(a, b).unwrap();
        assert_eq!(t.shape(z).unwrap(), Shape::matrix(2, 3));
        assert_eq!(t.value(z).unwrap(), &[1.0, 2.0, 5.0, 3.0, 4.0, 6.0]);
        let l = weighted_sum(&mut t, z, &[10.0, 20.0, 30.0, 40.0, 50.0, 60.0]);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[10.0, 20.0, 40.0, 50.0]);
        assert_eq!(t.grad(b).unwrap(), &[30.0, 60.0]);
    }

    #[test]
    fn same_operand_twice_accumulates() {
        let mut t = Tape::<f64>::new();
        let a = t.variable_slice(Shape::matrix(2, 1), &[1.0, 2.0]).unwrap();
        let z = t.concat_cols(a, a).unwrap();
        assert_eq!(t.value(z).unwrap(), &[1.0, 1.0, 2.0, 2.0]);
        let l = weighted_sum(&mut t, z, &[1.0, 2.0, 3.0, 4.0]);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[3.0, 7.0]);
    }

    #[test]
    fn only_the_differentiable_operand_gets_a_gradient() {
        let mut t = Tape::<f64>::new();
        let a = t.constant_slice(Shape::matrix(1, 2), &[1.0, 2.0]).unwrap();
        let b = t.variable_slice(Shape::matrix(1, 2), &[3.0, 4.0]).unwrap();
        let z = t.concat_cols(a, b).unwrap();
        let l = weighted_sum(&mut t, z, &[1.0, 2.0, 3.0, 4.0]);
        t.backward(l).unwrap();
        assert_eq!(t.grad(b).unwrap(), &[3.0, 4.0]);
        let r = t.grad(a);
        assert!(
            matches!(&r, Err(Error::NotAvailable(m)) if m.contains("has no gradient")),
            "{r:?}"
        );
    }

    #[test]
    fn row_mismatch_and_wrong_rank_are_errors() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::zeros(Shape::matrix(2, 3)));
        let b = t.constant(&Tensor::zeros(Shape::matrix(3, 3)));
        let e = t.concat_cols(a, b).unwrap_err();
        assert_eq!(
            e,
            Error::ShapeMismatch {
                op: "concat_cols",
                left: Shape::matrix(2, 3).into(),
                right: Shape::matrix(3, 3).into()
            }
        );
        let v = t.constant(&Tensor::zeros(Shape::vector(2)));
        assert!(matches!(
            t.concat_cols(a, v).unwrap_err(),
            Error::InvalidShape { op: "concat_cols", shape, .. } if shape == Shape::vector(2).dims()
        ));
    }
}
