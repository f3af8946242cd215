//! Matrix transpose.
//!
//! Forward: for `a [r, c]`, `z [c, r]` with `z[j, i] = a[i, j]`.
//!
//! VJP: the transpose of the gradient: `da[i, j] += g[j, i]`, i.e.
//! `da += gᵀ` (`g` is `[c, r]`).

use crate::error::Result;
use crate::ops::matmul::matrix_dims;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

impl<T: Element> Tape<T> {
    /// The transpose of the matrix `a [r, c]`, giving `[c, r]`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.constant(&Tensor::from_vec(Shape::matrix(2, 3), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])?);
    /// let z = t.transpose(a)?;
    /// assert_eq!(t.shape(z)?, Shape::matrix(3, 2));
    /// assert_eq!(t.value(z)?, &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn transpose(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let (rows, cols) = matrix_dims("transpose", self.nodes[ia].shape)?;
        self.record_unary(Op::Transpose, ia, Shape::matrix(cols, rows), |a, out| {
            kernels::transpose(a, out, rows, cols)
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    // The output (and so `g`) is [cols, rows] of the operand's [rows, cols].
    let (cols, rows) = (c.shape.dim(0), c.shape.dim(1));
    if let Some(ga) = c.grads.get(0) {
        kernels::transpose_add(c.g, ga, cols, rows);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor};

    #[test]
    fn gradient_is_transposed_back() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_fn(Shape::matrix(2, 3), |i| i as f64));
        let z = t.transpose(a).unwrap();
        assert_eq!(t.value(z).unwrap(), &[0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
        // g = [[1, 2], [3, 4], [5, 6]] on z [3, 2].
        let w = t
            .constant_slice(Shape::matrix(3, 2), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
            .unwrap();
        let zw = t.mul(z, w).unwrap();
        let l = t.sum(zw).unwrap();
        t.backward(l).unwrap();
        // da = gᵀ = [[1, 3, 5], [2, 4, 6]].
        assert_eq!(t.grad(a).unwrap(), &[1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
    }

    #[test]
    fn transpose_twice_is_the_identity_and_matches_matmul_tn() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_fn(Shape::matrix(3, 2), |i| i as f64 - 2.0));
        let b = t.constant(&Tensor::from_fn(Shape::matrix(3, 2), |i| (i * i) as f64));
        let at = t.transpose(a).unwrap();
        let back = t.transpose(at).unwrap();
        assert_eq!(t.value(back).unwrap(), t.value(a).unwrap());
        // aᵀ·b through an explicit transpose equals matmul_tn(a, b).
        let explicit = t.matmul(at, b).unwrap();
        let fused = t.matmul_tn(a, b).unwrap();
        assert_eq!(t.value(explicit).unwrap(), t.value(fused).unwrap());
        let l = t.sum(explicit).unwrap();
        t.backward(l).unwrap();
        let via_transpose = t.grad(a).unwrap().to_vec();
        let l2 = t.sum(fused).unwrap();
        t.backward(l2).unwrap();
        assert_eq!(t.grad(a).unwrap(), via_transpose.as_slice());
    }

    #[test]
    fn only_matrices_transpose() {
        let mut t = Tape::<f64>::new();
        let v = t.constant(&Tensor::zeros(Shape::vector(3)));
        assert!(matches!(
            t.transpose(v).unwrap_err(),
            Error::InvalidShape {
                op: "transpose",
                ..
            }
        ));
    }
}
