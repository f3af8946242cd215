//! A block of consecutive columns of a matrix.
//!
//! Forward: for `a [r, c]` and `0 <= start < end <= c`,
//! `z [r, end - start]` with `z[i, j] = a[i, start + j]`.
//!
//! VJP: the gradient goes back to the columns it came from and the other
//! columns get nothing: `da[i, start + j] += g[i, j]`.

use crate::error::{Error, Result};
use crate::ops::matmul::matrix_dims;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

impl<T: Element> Tape<T> {
    /// Columns `start..end` of the matrix `a [r, c]`, giving
    /// `[r, end - start]`. The range must be non-empty and inside `0..c`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::matrix(2, 3), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])?);
    /// let z = t.slice_cols(a, 1, 3)?;
    /// assert_eq!(t.shape(z)?, Shape::matrix(2, 2));
    /// assert_eq!(t.value(z)?, &[2.0, 3.0, 5.0, 6.0]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?, &[0.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
    /// assert!(matches!(
    ///     t.slice_cols(a, 2, 4),
    ///     Err(arithgrad::Error::InvalidArgument { name: "column range", .. })
    /// ));
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn slice_cols(&mut self, a: Var, start: usize, end: usize) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        let (rows, cols) = matrix_dims("slice_cols", shape)?;
        if start >= end || end > cols {
            return Err(Error::invalid(
                "column range",
                format!(
                    "slice_cols: {start}..{end} is not a non-empty range within the \
                     {cols} columns of shape {shape}"
                ),
            ));
        }
        let stored_start = u32::try_from(start).map_err(|_| {
            Error::invalid(
                "column range",
                format!("slice_cols: start {start} does not fit in 32 bits"),
            )
        })?;
        let width = end - start;
        self.record_unary(
            Op::SliceCols {
                start: stored_start,
            },
            ia,
            Shape::matrix(rows, width),
            |a, out| {
                for i in 0..rows {
                    out[i * width..(i + 1) * width]
                        .copy_from_slice(&a[i * cols + start..i * cols + end]);
                }
            },
        )
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>, start: usize) {
    let (rows, cols) = (c.inputs.shape(0).dim(0), c.inputs.shape(0).dim(1));
    let width = c.shape.dim(1);
    if let Some(ga) = c.grads.get(0) {
        for i in 0..rows {
            let dst = &mut ga[i * cols + start..i * cols + start + width];
            kernels::add_assign(dst, &c.g[i * width..(i + 1) * width]);
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
    fn middle_columns_value_and_gradient() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_fn(Shape::matrix(2, 4), |i| i as f64));
        let z = t.slice_cols(a, 1, 3).unwrap();
        assert_eq!(t.value(z).unwrap(), &[1.0, 2.0, 5.0, 6.0]);
        let l = weighted_sum(&mut t, z, &[10.0, 20.0, 30.0, 40.0]);
        t.backward(l).unwrap();
        assert_eq!(
            t.grad(a).unwrap(),
            &[0.0, 10.0, 20.0, 0.0, 0.0, 30.0, 40.0, 0.0]
        );
    }

    #[test]
    fn whole_range_and_single_column() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_fn(Shape::matrix(2, 3), |i| i as f64));
        let all = t.slice_cols(a, 0, 3).unwrap();
        assert_eq!(t.value(all).unwrap(), t.value(a).unwrap());
        let last = t.slice_cols(a, 2, 3).unwrap();
        assert_eq!(t.shape(last).unwrap(), Shape::matrix(2, 1));
        assert_eq!(t.value(last).unwrap(), &[2.0, 5.0]);
    }

    #[test]
    fn slices_that_split_and_overlap_accumulate() {
        // Columns 0..2 and 1..3 of a [1, 3]; the middle column is in both.
        let mut t = Tape::<f64>::new();
        let a = t
            .variable_slice(Shape::matrix(1, 3), &[1.0, 2.0, 3.0])
            .unwrap();
        let left = t.slice_cols(a, 0, 2).unwrap();
        let right = t.slice_cols(a, 1, 3).unwrap();
        let z = t.concat_cols(left, right).unwrap();
        assert_eq!(t.value(z).unwrap(), &[1.0, 2.0, 2.0, 3.0]);
        let l = weighted_sum(&mut t, z, &[1.0, 2.0, 3.0, 4.0]);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[1.0, 5.0, 4.0]);
    }

    #[test]
    fn bad_ranges_name_the_range_and_shape() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::zeros(Shape::matrix(2, 3)));
        for (start, end) in [(0, 4), (2, 2), (3, 1), (3, 4)] {
            let e = t.slice_cols(a, start, end).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidArgument {
                        name: "column range",
                        ..
                    }
                ),
                "{e:?}"
            );
            let msg = e.to_string();
            assert!(
                msg.contains(&format!("{start}..{end}")) && msg.contains("[2, 3]"),
                "{msg}"
            );
        }
        let v = t.constant(&Tensor::zeros(Shape::vector(3)));
        assert!(matches!(
            t.slice_cols(v, 0, 1).unwrap_err(),
            Error::InvalidShape {
                op: "slice_cols",
                ..
            }
        ));
    }
}
