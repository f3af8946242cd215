//! The product of interpolations: for each row of `x` and each row of `w`,
//! the product over the inputs of `w x + (1 − w)`, a linear interpolation
//! from 1 (at `w = 0`) to `x` (at `w = 1`). It is the forward pass of a
//! multiplicative unit (the NMU) as one operation, instead of a broadcast
//! to `[B, O, I]`, a multiply, an add and a product along an axis.
//!
//! Forward, for `x [B, I]` and `w [O, I]`:
//!
//! ```text
//! f[b, o, i] = w[o, i] · x[b, i] + (1 − w[o, i])
//! z[b, o]    = Π_i f[b, o, i]                       (z is [B, O])
//! ```
//!
//! The factor is written `w x + (1 − w)`, not `1 + w (x − 1)`, so that a
//! factor with `w = 1` is exactly `x` and one with `w = 0` exactly 1. The
//! factors are multiplied in eight interleaved lanes: input `i` goes to lane
//! `i mod 8`, each lane multiplies its factors onto 1 in order of `i`, and
//! the eight lane products are multiplied onto 1 in lane order (so a layer
//! of any width runs row by row, eight factors at a time, with no
//! `[B, O, I]` or column copy of the batch). Up to eight inputs this is the
//! plain order `i = 0, 1, ..`, so there `z` is bit-for-bit the value of the
//! unfused graph `prod_axis(broadcast(w) · broadcast(x) + broadcast(1 − w),
//! 2)`; wider, it is the same product rounded in another order (within a
//! few ulp per factor of it). The same computation as plain loops, without the
//! kernels' row and column machinery, is
//! [`reference::lerp_prod`](crate::tensor::reference::lerp_prod) (forward)
//! and [`reference::lerp_prod_backward_add`](crate::tensor::reference::lerp_prod_backward_add)
//! (VJP).
//!
//! VJP, with `G = dL/dz` and `d[b, o, i] = G[b, o] · Π_{m≠i} f[b, o, m]`
//! (the product of the other factors, from prefix and suffix products of
//! the lanes and within each lane, never `z / f`, so it is exact when a
//! factor is zero):
//!
//! ```text
//! dx[b, i] += Σ_o d[b, o, i] · w[o, i]           (∂f/∂x = w)
//! dw[o, i] += Σ_b d[b, o, i] · (x[b, i] − 1)     (∂f/∂w = x − 1)
//! ```

use crate::error::{Error, Result};
use crate::ops::matmul::matrix_dims;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

impl<T: Element> Tape<T> {
    /// `z[b, o] = Π_i (w[o, i] x[b, i] + (1 − w[o, i]))` for `x [B, I]` and
    /// `w [O, I]`, giving `[B, O]` (see the module docs).
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let x = t.constant(&Tensor::from_vec(Shape::matrix(1, 3), vec![2.0, 5.0, 3.0])?);
    /// // Output 0 multiplies inputs 0 and 2; output 1 is halfway to input 1.
    /// let w = t.variable(&Tensor::from_vec(Shape::matrix(2, 3), vec![1.0, 0.0, 1.0, 0.0, 0.5, 0.0])?);
    /// let z = t.lerp_prod(x, w)?;
    /// assert_eq!(t.value(z)?, &[6.0, 3.0]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// // dz0/dw = (x - 1) · (other factors): [1·3, 4·6, 2·2]; dz1/dw: [1·3, 4·1, 2·3]
    /// assert_eq!(t.grad(w)?, &[3.0, 24.0, 4.0, 3.0, 4.0, 6.0]);
    /// let short = t.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![1.0, 1.0])?);
    /// // 3 inputs against 2 weights per output
    /// assert_eq!(
    ///     t.lerp_prod(x, short).err(),
    ///     Some(arithgrad::Error::ShapeMismatch {
    ///         op: "lerp_prod",
    ///         left: t.shape(x)?.into(),
    ///         right: Shape::matrix(1, 2).into(),
    ///     })
    /// );
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn lerp_prod(&mut self, x: Var, w: Var) -> Result<Var> {
        let (ix, iw) = (self.index_of(x)?, self.index_of(w)?);
        let (sx, sw) = (self.nodes[ix].shape, self.nodes[iw].shape);
        let (rows, inputs) = matrix_dims("lerp_prod", sx)?;
        let (outputs, inputs_w) = matrix_dims("lerp_prod", sw)?;
        if inputs != inputs_w {
            return Err(Error::ShapeMismatch {
                op: "lerp_prod",
                left: sx.into(),
                right: sw.into(),
            });
        }
        self.record_binary_with_work(
            Op::LerpProd,
            ix,
            iw,
            Shape::matrix(rows, outputs),
            |x, w, out, work| {
                if rows * inputs * outputs == 0 {
                    // An empty batch or layer has no output; with no inputs
                    // each output is the empty product, 1.
                    out.fill(T::one());
                } else {
                    kernels::lerp_prod(x, w, out, rows, inputs, outputs, work)
                }
            },
        )
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let (rows, inputs) = (c.inputs.shape(0).dim(0), c.inputs.shape(0).dim(1));
    let outputs = c.inputs.shape(1).dim(0);
    if rows * inputs * outputs == 0 {
        // Nothing depends on anything: no gradient to add.
        return;
    }
    let (x, w) = (c.inputs.value(0), c.inputs.value(1));
    if let Some((gx, gw)) = c.grads.both() {
        // One pass: each factor's gradient goes straight into dx and dw.
        kernels::lerp_prod_backward_add(x, w, c.g, gx, gw, c.scratch, rows, inputs, outputs);
        return;
    }
    // x and w are the same node: the factor gradients first, then the two
    // sums into the one gradient slice (same arithmetic, same bits).
    let d = kernels::work_space(c.scratch, rows * outputs * inputs);
    kernels::lerp_prod_factor_grads(x, w, c.g, d, rows, inputs, outputs);
    if let Some(gx) = c.grads.get(0) {
        kernels::lerp_prod_backward_x_add(d, w, gx, rows, inputs, outputs);
    }
    if let Some(gw) = c.grads.get(1) {
        kernels::lerp_prod_backward_w_add(d, x, gw, rows, inputs, outputs);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn empty_shapes_give_empty_products_not_a_panic() {
        use crate::{Shape, Tape, Tensor};
        let mut t = Tape::<f64>::new();
        let x = t.variable(&Tensor::zeros(Shape::matrix(3, 0)));
        let w = t.variable(&Tensor::zeros(Shape::matrix(2, 0)));
        let z = t.lerp_prod(x, w).unwrap();
        assert_eq!(t.value(z).unwrap(), &[1.0; 6]);
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        let x = t.variable(&Tensor::zeros(Shape::matrix(0, 4)));
        let w = t.variable(&Tensor::full(Shape::matrix(2, 4), 0.5));
        let z = t.lerp_prod(x, w).unwrap();
        assert_eq!(t.shape(z).unwrap(), Shape::matrix(0, 2));
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(w).unwrap(), &[0.0; 8]);
    }

    use crate::{Error, Shape, Tape, Tensor, Var};

    fn matrix(t: &mut Tape<f64>, r: usize, c: usize, data: &[f64]) -> Var {
        t.variable(&Tensor::from_slice(Shape::matrix(r, c), data).unwrap())
    }

    /// The unfused graph the operation replaces.
    fn unfused(t: &mut Tape<f64>, x: Var, w: Var) -> Var {
        let (b, i) = t.shape(x).unwrap().as_matrix().unwrap();
        let o = t.shape(w).unwrap().dim(0);
        let cube = Shape::new(&[b, o, i]).unwrap();
        let x3 = t.reshape(x, Shape::new(&[b, 1, i]).unwrap()).unwrap();
        let x3 = t.broadcast_to(x3, cube).unwrap();
        let w3 = t.broadcast_to(w, cube).unwrap();
        let wx = t.mul(w3, x3).unwrap();
        let omw = t.neg(w).unwrap();
        let omw = t.add_scalar(omw, 1.0).unwrap();
        let omw = t.broadcast_to(omw, cube).unwrap();
        let f = t.add(wx, omw).unwrap();
        let p = t.prod_axis(f, 2).unwrap();
        t.reshape(p, Shape::matrix(b, o)).unwrap()
    }

    #[test]
    fn value_is_bit_identical_to_the_unfused_graph_and_gradients_agree() {
        let xs: Vec<f64> = (0..15).map(|k| 0.37 * k as f64 - 1.9).collect();
        let ws: Vec<f64> = (0..12).map(|k| (0.61 * k as f64).sin()).collect();
        let g: Vec<f64> = (0..20).map(|k| 1.0 + 0.3 * k as f64).collect();
        let run = |fused: bool| {
            let mut t = Tape::<f64>::new();
            let x = matrix(&mut t, 5, 3, &xs);
            let w = matrix(&mut t, 4, 3, &ws);
            let z = if fused {
                t.lerp_prod(x, w).unwrap()
            } else {
                unfused(&mut t, x, w)
            };
            let gz = t.constant_slice(Shape::matrix(5, 4), &g).unwrap();
            let l = t.mul(z, gz).unwrap();
            let l = t.sum(l).unwrap();
            t.backward(l).unwrap();
            (
                t.value(z).unwrap().to_vec(),
                t.grad(x).unwrap().to_vec(),
                t.grad(w).unwrap().to_vec(),
            )
        };
        let (zf, gxf, gwf) = run(true);
        let (zu, gxu, gwu) = run(false);
        assert_eq!(zf, zu);
        for (a, b) in gxf.iter().zip(&gxu).chain(gwf.iter().zip(&gwu)) {
            assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }

    #[test]
    fn wide_layers_agree_with_the_unfused_graph_to_rounding() {
        // 100 inputs (the gated NAU/NMU's first layer): the lane order is
        // another rounding of the same product, so values and gradients
        // agree with the plain graph (in order of i) to 1e-12 relative (100
        // factors of 1.1e-16 rounding each, and the sums over the batch).
        let (b, o, i) = (3, 2, 100);
        let xs: Vec<f64> = (0..b * i)
            .map(|k| 1.0 + 0.3 * (0.7 * k as f64).sin())
            .collect();
        let ws: Vec<f64> = (0..o * i).map(|k| (0.37 * k as f64).cos().abs()).collect();
        let run = |fused: bool| {
            let mut t = Tape::<f64>::new();
            let x = matrix(&mut t, b, i, &xs);
            let w = matrix(&mut t, o, i, &ws);
            let z = if fused {
                t.lerp_prod(x, w).unwrap()
            } else {
                unfused(&mut t, x, w)
            };
            let s = t.sum(z).unwrap();
            t.backward(s).unwrap();
            let z = t.value(z).unwrap().to_vec();
            let mut all = z.clone();
            all.extend(t.grad(x).unwrap());
            all.extend(t.grad(w).unwrap());
            (z, all)
        };
        let ((zf, f), (zu, u)) = (run(true), run(false));
        assert!(zf.iter().all(|v| v.is_finite() && v.abs() > 1e-3));
        assert_ne!(zf, zu, "the orders should round differently somewhere");
        for (a, b) in f.iter().zip(&u) {
            assert!((a - b).abs() <= 1e-12 * b.abs(), "{a} vs {b}");
        }
    }

    #[test]
    fn zero_factors_get_the_product_of_the_others() {
        let mut t = Tape::<f64>::new();
        // Factors 2, 0, 3 (all w = 1): only the zero factor's input gets a gradient.
        let x = matrix(&mut t, 1, 3, &[2.0, 0.0, 3.0]);
        let w = matrix(&mut t, 1, 3, &[1.0, 1.0, 1.0]);
        let z = t.lerp_prod(x, w).unwrap();
        assert_eq!(t.value(z).unwrap(), &[0.0]);
        t.backward(z).unwrap();
        assert_eq!(t.grad(x).unwrap(), &[0.0, 6.0, 0.0]);
        // dz/dw_i = (x_i - 1) · (other factors): [1·0, -1·6, 2·0].
        assert_eq!(t.grad(w).unwrap(), &[0.0, -6.0, 0.0]);
    }

    #[test]
    fn the_same_node_as_both_operands() {
        // z = prod_i (a_i a_i + 1 - a_i) for a [1, 2]: dz/da_i = (2 a_i - 1) · other factor.
        let mut t = Tape::<f64>::new();
        let a = matrix(&mut t, 1, 2, &[3.0, 0.5]);
        let z = t.lerp_prod(a, a).unwrap();
        assert_eq!(t.value(z).unwrap(), &[7.0 * 0.75]);
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[5.0 * 0.75, 0.0 * 7.0]);
    }

    #[test]
    fn shapes_are_checked() {
        let mut t = Tape::<f64>::new();
        let x = matrix(&mut t, 2, 3, &[1.0; 6]);
        let w = matrix(&mut t, 1, 2, &[1.0; 2]);
        assert!(matches!(
            t.lerp_prod(x, w),
            Err(Error::ShapeMismatch {
                op: "lerp_prod",
                ..
            })
        ));
        let v = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0; 3]).unwrap());
        assert!(matches!(t.lerp_prod(v, x), Err(Error::InvalidShape { .. })));
    }
}
