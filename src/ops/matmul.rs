//! Matrix products, in three layouts so that no transpose is ever
//! materialised: `A·B`, `A·Bᵀ` (a layer `x · Wᵀ` with `W` stored
//! `[out, in]`) and `Aᵀ·B`.
//!
//! Forward, with `G = dL/dC` the incoming gradient:
//!
//! | op                | operands stored as      | `C`     |
//! |-------------------|-------------------------|---------|
//! | `matmul(a, b)`    | `A [m,k]`, `B [k,n]`    | `A·B`   |
//! | `matmul_nt(a, b)` | `A [m,k]`, `B [n,k]`    | `A·Bᵀ`  |
//! | `matmul_tn(a, b)` | `A [k,m]`, `B [k,n]`    | `Aᵀ·B`  |
//!
//! VJP. For `C = A·B`, `C_ij = Σ_p A_ip B_pj`, so
//! `dL/dA_ip = Σ_j G_ij B_pj = (G·Bᵀ)_ip` and
//! `dL/dB_pj = Σ_i A_ip G_ij = (Aᵀ·G)_pj`:
//!
//! - `C = A·B`:  `dA += G·Bᵀ`, `dB += Aᵀ·G`.
//! - `C = A·Bᵀ`: `C_ij = Σ_p A_ip B_jp`, so `dA_ip += Σ_j G_ij B_jp`, i.e.
//!   `dA += G·B`, and `dB_jp += Σ_i G_ij A_ip`, i.e. `dB += Gᵀ·A`.
//! - `C = Aᵀ·B`: `C_ij = Σ_p A_pi B_pj`, so `dA_pi += Σ_j B_pj G_ij`, i.e.
//!   `dA += B·Gᵀ`, and `dB_pj += Σ_i A_pi G_ij`, i.e. `dB += A·G`.
//!
//! Each gradient is one call of an accumulating kernel
//! (`matmul_add`, `matmul_nt_add`, `matmul_tn_add`) on the stored layouts.
//! The kernels are tiled and vectorised; the same sums as plain loops, to
//! read the math without the SIMD, are
//! [`reference::matmul_add`](crate::tensor::reference::matmul_add),
//! [`reference::matmul_nt_add`](crate::tensor::reference::matmul_nt_add) and
//! [`reference::matmul_tn_add`](crate::tensor::reference::matmul_tn_add).

use crate::error::{Error, Result};
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

impl<T: Element> Tape<T> {
    /// The matrix product `a · b` of `a [m, k]` and `b [k, n]`, giving `[m, n]`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![1.0, 2.0])?);
    /// let b = t.constant(&Tensor::from_vec(Shape::matrix(2, 2), vec![3.0, 4.0, 5.0, 6.0])?);
    /// let c = t.matmul(a, b)?;
    /// assert_eq!(t.shape(c)?, Shape::matrix(1, 2));
    /// assert_eq!(t.value(c)?, &[13.0, 16.0]);
    /// // [2, 2] · [1, 2]: inner sizes differ
    /// assert_eq!(
    ///     t.matmul(b, a).err(),
    ///     Some(arithgrad::Error::ShapeMismatch {
    ///         op: "matmul",
    ///         left: Shape::matrix(2, 2).into(),
    ///         right: Shape::matrix(1, 2).into(),
    ///     })
    /// );
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn matmul(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = (self.index_of(a)?, self.index_of(b)?);
        let (sa, sb) = (self.nodes[ia].shape, self.nodes[ib].shape);
        let (m, k) = matrix_dims("matmul", sa)?;
        let (k2, n) = matrix_dims("matmul", sb)?;
        if k != k2 {
            return Err(mismatch("matmul", sa, sb));
        }
        self.record_binary(Op::Matmul, ia, ib, Shape::matrix(m, n), |a, b, out| {
            kernels::matmul(a, b, out, m, k, n)
        })
    }

    /// `a · bᵀ` for `a [m, k]` and `b` stored as `[n, k]`, giving `[m, n]`
    /// (a dense layer `x · Wᵀ` with `W` stored `[out, in]`).
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let x = t.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![1.0, 2.0])?);
    /// // Three output units, each a row of two input weights.
    /// let w = t.constant(&Tensor::from_vec(Shape::matrix(3, 2), vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0])?);
    /// let y = t.matmul_nt(x, w)?;
    /// assert_eq!(t.shape(y)?, Shape::matrix(1, 3));
    /// assert_eq!(t.value(y)?, &[1.0, 2.0, 3.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn matmul_nt(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = (self.index_of(a)?, self.index_of(b)?);
        let (sa, sb) = (self.nodes[ia].shape, self.nodes[ib].shape);
        let (m, k) = matrix_dims("matmul_nt", sa)?;
        let (n, k2) = matrix_dims("matmul_nt", sb)?;
        if k != k2 {
            return Err(mismatch("matmul_nt", sa, sb));
        }
        self.record_binary_with_work(
            Op::MatmulNt,
            ia,
            ib,
            Shape::matrix(m, n),
            |a, b, out, work| kernels::matmul_nt_with(a, b, out, m, k, n, work),
        )
    }

    /// `aᵀ · b` for `a` stored as `[k, m]` and `b [k, n]`, giving `[m, n]`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.constant(&Tensor::from_vec(Shape::matrix(2, 1), vec![1.0, 2.0])?);
    /// let b = t.constant(&Tensor::from_vec(Shape::matrix(2, 2), vec![3.0, 4.0, 5.0, 6.0])?);
    /// let c = t.matmul_tn(a, b)?; // [1, 2] · [[3, 4], [5, 6]]
    /// assert_eq!(t.value(c)?, &[13.0, 16.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn matmul_tn(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = (self.index_of(a)?, self.index_of(b)?);
        let (sa, sb) = (self.nodes[ia].shape, self.nodes[ib].shape);
        let (k, m) = matrix_dims("matmul_tn", sa)?;
        let (k2, n) = matrix_dims("matmul_tn", sb)?;
        if k != k2 {
            return Err(mismatch("matmul_tn", sa, sb));
        }
        self.record_binary(Op::MatmulTn, ia, ib, Shape::matrix(m, n), |a, b, out| {
            kernels::matmul_tn(a, b, out, m, k, n)
        })
    }
}

/// `(rows, cols)` of `shape`, or an [`Error::InvalidShape`] when it is not
/// rank 2. Shared by the operations that only take matrices.
pub(crate) fn matrix_dims(op: &'static str, shape: Shape) -> Result<(usize, usize)> {
    shape.as_matrix().ok_or_else(|| Error::InvalidShape {
        op,
        shape: shape.into(),
        reason: format!("{op} needs a matrix (rank 2), not rank {}", shape.rank()),
    })
}

fn mismatch(op: &'static str, left: Shape, right: Shape) -> Error {
    Error::ShapeMismatch {
        op,
        left: left.into(),
        right: right.into(),
    }
}

/// `C = A·B`, `A [m,k]`, `B [k,n]`: `dA += G·Bᵀ`, `dB += Aᵀ·G`.
pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let (m, k) = dims2(c.inputs.shape(0));
    let n = dims2(c.inputs.shape(1)).1;
    let (a, b) = (c.inputs.value(0), c.inputs.value(1));
    if let Some(ga) = c.grads.get(0) {
        // G [m,n] · (B stored [k,n])ᵀ -> [m,k]
        kernels::matmul_nt_add_with(c.g, b, ga, m, n, k, c.scratch);
    }
    if let Some(gb) = c.grads.get(1) {
        // (A stored [m,k])ᵀ · G [m,n] -> [k,n]
        kernels::matmul_tn_add(a, c.g, gb, k, m, n);
    }
}

/// `C = A·Bᵀ`, `A [m,k]`, `B [n,k]`: `dA += G·B`, `dB += Gᵀ·A`.
pub(crate) fn backward_nt<T: Element>(c: &mut Backward<'_, T>) {
    let (m, k) = dims2(c.inputs.shape(0));
    let n = dims2(c.inputs.shape(1)).0;
    let (a, b) = (c.inputs.value(0), c.inputs.value(1));
    if let Some(ga) = c.grads.get(0) {
        // G [m,n] · B [n,k] -> [m,k]
        kernels::matmul_add(c.g, b, ga, m, n, k);
    }
    if let Some(gb) = c.grads.get(1) {
        // (G stored [m,n])ᵀ · A [m,k] -> [n,k]
        kernels::matmul_tn_add(c.g, a, gb, n, m, k);
    }
}

/// `C = Aᵀ·B`, `A [k,m]`, `B [k,n]`: `dA += B·Gᵀ`, `dB += A·G`.
pub(crate) fn backward_tn<T: Element>(c: &mut Backward<'_, T>) {
    let (k, m) = dims2(c.inputs.shape(0));
    let n = dims2(c.inputs.shape(1)).1;
    let (a, b) = (c.inputs.value(0), c.inputs.value(1));
    if let Some(ga) = c.grads.get(0) {
        // B [k,n] · (G stored [m,n])ᵀ -> [k,m]
        kernels::matmul_nt_add_with(b, c.g, ga, k, n, m, c.scratch);
    }
    if let Some(gb) = c.grads.get(1) {
        // A [k,m] · G [m,n] -> [k,n]
        kernels::matmul_add(a, c.g, gb, k, m, n);
    }
}

/// `(rows, cols)` of an operand the forward pass already checked is a matrix.
#[inline]
fn dims2(shape: Shape) -> (usize, usize) {
    (shape.dim(0), shape.dim(1))
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor, Var};

    fn matrix(t: &mut Tape<f64>, r: usize, c: usize, data: &[f64]) -> Var {
        t.variable(&Tensor::from_slice(Shape::matrix(r, c), data).unwrap())
    }

    /// `sum(z * w)`, so the gradient reaching `z` is `w`.
    fn weighted_sum(t: &mut Tape<f64>, z: Var, w: &[f64]) -> Var {
        let shape = t.shape(z).unwrap();
        let w = t.constant_slice(shape, w).unwrap();
        let zw = t.mul(z, w).unwrap();
        t.sum(zw).unwrap()
    }

    // A = [[1, 2, 3], [4, 5, 6]] (2x3), B = [[1, -1], [0, 2], [3, 1]] (3x2),
    // G = [[1, 0], [2, -1]] (2x2).
    // C = A·B = [[10, 6], [22, 12]].
    // dA = G·Bᵀ = [[1, 0, 3], [3, -2, 5]].
    // dB = Aᵀ·G = [[9, -4], [12, -5], [15, -6]].
    const A: [f64; 6] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    const B: [f64; 6] = [1.0, -1.0, 0.0, 2.0, 3.0, 1.0];
    const G: [f64; 4] = [1.0, 0.0, 2.0, -1.0];
    const C: [f64; 4] = [10.0, 6.0, 22.0, 12.0];
    const DA: [f64; 6] = [1.0, 0.0, 3.0, 3.0, -2.0, 5.0];
    const DB: [f64; 6] = [9.0, -4.0, 12.0, -5.0, 15.0, -6.0];
    // The same matrices transposed, as the other layouts store them.
    const A_T: [f64; 6] = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
    const B_T: [f64; 6] = [1.0, 0.0, 3.0, -1.0, 2.0, 1.0];
    const DA_T: [f64; 6] = [1.0, 3.0, 0.0, -2.0, 3.0, 5.0];
    const DB_T: [f64; 6] = [9.0, 12.0, 15.0, -4.0, -5.0, -6.0];

    #[test]
    fn matmul_value_and_gradients_by_hand() {
        let mut t = Tape::<f64>::new();
        let a = matrix(&mut t, 2, 3, &A);
        let b = matrix(&mut t, 3, 2, &B);
        let c = t.matmul(a, b).unwrap();
        assert_eq!(t.value(c).unwrap(), &C);
        let l = weighted_sum(&mut t, c, &G);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &DA);
        assert_eq!(t.grad(b).unwrap(), &DB);
    }

    #[test]
    fn matmul_nt_takes_b_stored_transposed() {
        let mut t = Tape::<f64>::new();
        let a = matrix(&mut t, 2, 3, &A);
        let bt = matrix(&mut t, 2, 3, &B_T);
        let c = t.matmul_nt(a, bt).unwrap();
        assert_eq!(t.shape(c).unwrap(), Shape::matrix(2, 2));
        assert_eq!(t.value(c).unwrap(), &C);
        let l = weighted_sum(&mut t, c, &G);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &DA);
        // The gradient of the stored [n, k] operand is dBᵀ.
        assert_eq!(t.grad(bt).unwrap(), &DB_T);
    }

    #[test]
    fn matmul_tn_takes_a_stored_transposed() {
        let mut t = Tape::<f64>::new();
        let at = matrix(&mut t, 3, 2, &A_T);
        let b = matrix(&mut t, 3, 2, &B);
        let c = t.matmul_tn(at, b).unwrap();
        assert_eq!(t.shape(c).unwrap(), Shape::matrix(2, 2));
        assert_eq!(t.value(c).unwrap(), &C);
        let l = weighted_sum(&mut t, c, &G);
        t.backward(l).unwrap();
        assert_eq!(t.grad(at).unwrap(), &DA_T);
        assert_eq!(t.grad(b).unwrap(), &DB);
    }

    #[test]
    fn non_square_shapes_and_a_constant_operand() {
        // x [1,3] · Wᵀ with W [2,3]: y = [x·w0, x·w1]; only W is differentiated.
        let mut t = Tape::<f64>::new();
        let x = t
            .constant_slice(Shape::matrix(1, 3), &[1.0, 2.0, 3.0])
            .unwrap();
        let w = matrix(&mut t, 2, 3, &[1.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
        let y = t.matmul_nt(x, w).unwrap();
        assert_eq!(t.value(y).unwrap(), &[1.0, 5.0]);
        let l = weighted_sum(&mut t, y, &[2.0, -1.0]);
        t.backward(l).unwrap();
        // dW = Gᵀ·x = [[2, 4, 6], [-1, -2, -3]].
        assert_eq!(t.grad(w).unwrap(), &[2.0, 4.0, 6.0, -1.0, -2.0, -3.0]);
        let r = t.grad(x);
        assert!(
            matches!(&r, Err(Error::NotAvailable(m)) if m.contains("has no gradient")),
            "{r:?}"
        );
    }

    #[test]
    fn same_operand_on_both_sides_accumulates() {
        // C = A·Aᵀ for A = [[1, 2]]: C = [5], dC/dA = 2A.
        let mut t = Tape::<f64>::new();
        let a = matrix(&mut t, 1, 2, &[1.0, 2.0]);
        let c = t.matmul_nt(a, a).unwrap();
        assert_eq!(t.value(c).unwrap(), &[5.0]);
        let l = t.sum(c).unwrap();
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[2.0, 4.0]);
    }

    #[test]
    fn gradients_agree_with_central_differences() {
        // A 3x4 · 4x2 product with irregular values, every layout, checked
        // against (L(x+h) - L(x-h)) / 2h for each input element.
        let a: Vec<f64> = (0..12).map(|i| ((i * 7 % 5) as f64 - 2.0) * 0.3).collect();
        let b: Vec<f64> = (0..8).map(|i| ((i * 3 % 7) as f64 - 3.0) * 0.25).collect();
        let w: Vec<f64> = (0..6).map(|i| (i as f64) - 2.5).collect();
        type Mm = fn(&mut Tape<f64>, Var, Var) -> crate::Result<Var>;
        type Dims = (usize, usize);
        let cases: [(Mm, Dims, Dims); 3] = [
            (Tape::matmul, (3, 4), (4, 2)),
            (Tape::matmul_nt, (3, 4), (2, 4)),
            (Tape::matmul_tn, (4, 3), (4, 2)),
        ];
        for (op, sa, sb) in cases {
            // Records L = sum(op(a, b) * w); returns the tape and the leaves.
            let record = |a: &[f64], b: &[f64]| {
                let mut t = Tape::<f64>::new();
                let va = matrix(&mut t, sa.0, sa.1, a);
                let vb = matrix(&mut t, sb.0, sb.1, b);
                let c = op(&mut t, va, vb).unwrap();
                let l = weighted_sum(&mut t, c, &w);
                (t, va, vb, l)
            };
            let loss = |a: &[f64], b: &[f64]| {
                let (t, _, _, l) = record(a, b);
                t.item(l).unwrap()
            };
            let (mut t, va, vb, l) = record(&a, &b);
            t.backward(l).unwrap();
            let h = 1e-5;
            for (i, &g) in t.grad(va).unwrap().iter().enumerate() {
                let (mut p, mut q) = (a.clone(), a.clone());
                p[i] += h;
                q[i] -= h;
                let fd = (loss(&p, &b) - loss(&q, &b)) / (2.0 * h);
                approx::assert_abs_diff_eq!(g, fd, epsilon = 1e-8);
            }
            for (i, &g) in t.grad(vb).unwrap().iter().enumerate() {
                let (mut p, mut q) = (b.clone(), b.clone());
                p[i] += h;
                q[i] -= h;
                let fd = (loss(&a, &p) - loss(&a, &q)) / (2.0 * h);
                approx::assert_abs_diff_eq!(g, fd, epsilon = 1e-8);
            }
        }
    }

    #[test]
    fn inner_size_mismatch_names_both_shapes() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::zeros(Shape::matrix(2, 3)));
        let b = t.constant(&Tensor::zeros(Shape::matrix(2, 3)));
        let expected = |op| Error::ShapeMismatch {
            op,
            left: Shape::matrix(2, 3).into(),
            right: Shape::matrix(2, 3).into(),
        };
        assert_eq!(t.matmul(a, b).unwrap_err(), expected("matmul"));
        let c = t.constant(&Tensor::zeros(Shape::matrix(3, 2)));
        assert_eq!(
            t.matmul_nt(a, c).unwrap_err(),
            Error::ShapeMismatch {
                op: "matmul_nt",
                left: Shape::matrix(2, 3).into(),
                right: Shape::matrix(3, 2).into()
            }
        );
        assert_eq!(
            t.matmul_tn(a, c).unwrap_err(),
            Error::ShapeMismatch {
                op: "matmul_tn",
                left: Shape::matrix(2, 3).into(),
                right: Shape::matrix(3, 2).into()
            }
        );
        // The layouts that do fit are accepted.
        assert!(t.matmul_nt(a, b).is_ok());
        assert!(t.matmul_tn(a, b).is_ok());
        let msg = t.matmul(a, b).unwrap_err().to_string();
        assert!(msg.contains("matmul") && msg.contains("[2, 3]"));
    }

    #[test]
    fn only_matrices_are_accepted() {
        let mut t = Tape::<f64>::new();
        let v = t.constant(&Tensor::zeros(Shape::vector(3)));
        let m = t.constant(&Tensor::zeros(Shape::matrix(3, 3)));
        for e in [
            t.matmul(v, m).unwrap_err(),
            t.matmul_nt(m, v).unwrap_err(),
            t.matmul_tn(v, m).unwrap_err(),
        ] {
            assert!(
                matches!(&e, Error::InvalidShape { shape, .. } if shape == Shape::vector(3).dims()),
                "{e:?}"
            );
        }
    }
}
