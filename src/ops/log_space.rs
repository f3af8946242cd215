//! The log-space product of the NAC* and the NALU's multiplicative path: a
//! matrix product taken between logarithms, as one operation.
//!
//! Forward, for `x [B, I]`, `w [O, I]` and a constant `eps > 0`:
//!
//! ```text
//! L[b, i] = ln(|x[b, i]| + eps)
//! S       = L · wᵀ                      ([B, O], the tape's `matmul_nt`)
//! z[b, o] = exp(S[b, o]) = Π_i (|x[b, i]| + eps)^w[o, i]
//! ```
//!
//! `L` is saved as a constant node recorded just before the product (the
//! backward pass needs it and recomputing the logarithms costs as much as
//! the forward). Each step is the same kernel, in the same order, as the
//! plain graph `exp(matmul_nt(log(add_scalar(abs(x), eps)), w))` it
//! replaces, so `z` is that graph's value bit for bit; it records two nodes
//! instead of five and makes one pass over `x` instead of three.
//!
//! VJP, with `G = dL/dz` and `D = G ⊙ z` (`dz/dS = z`):
//!
//! ```text
//! dw += Dᵀ · L                                   ([O, I])
//! dx += sign(x) ⊙ (D · w) / (|x| + eps)          ([B, I]; 0 where x = 0)
//! ```
//!
//! again in the plain graph's order (its `exp`, `matmul_nt`, `log`,
//! `add_scalar` and `abs` VJPs), so the gradients agree with it too.

use crate::error::{Error, Result};
use crate::ops::matmul::matrix_dims;
use crate::ops::sign::sign;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

impl<T: Element> Tape<T> {
    /// `z = exp(ln(|x| + eps) · wᵀ)` for `x [B, I]` and `w [O, I]`, giving
    /// `[B, O]`: `z[b, o] = Π_i (|x[b, i]| + eps)^w[o, i]` (see the module
    /// docs). `eps` must be positive and finite. Records two nodes: the saved
    /// `ln(|x| + eps)` (a constant) and the product.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let x = t.constant(&Tensor::from_vec(Shape::matrix(1, 3), vec![3.0, -4.0, 7.0])?);
    /// // Output 0: |x0| · |x1|; output 1: |x2| / |x0|.
    /// let w = t.variable(&Tensor::from_vec(Shape::matrix(2, 3), vec![1.0, 1.0, 0.0, -1.0, 0.0, 1.0])?);
    /// let z = t.log_space_product(x, w, 1e-12)?;
    /// let v = t.value(z)?;
    /// assert!((v[0] - 12.0).abs() < 1e-9 && (v[1] - 7.0 / 3.0).abs() < 1e-9);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// // dz0/dw0i = z0 · ln|x_i|
    /// assert!((t.grad(w)?[0] - 12.0 * 3f64.ln()).abs() < 1e-9);
    /// // eps must be positive
    /// assert!(matches!(
    ///     t.log_space_product(x, w, 0.0),
    ///     Err(arithgrad::Error::InvalidArgument { name: "log_space_product eps", .. })
    /// ));
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn log_space_product(&mut self, x: Var, w: Var, eps: T) -> Result<Var> {
        let (ix, iw) = (self.index_of(x)?, self.index_of(w)?);
        let (sx, sw) = (self.nodes[ix].shape, self.nodes[iw].shape);
        let (rows, inputs) = matrix_dims("log_space_product", sx)?;
        let (outputs, inputs_w) = matrix_dims("log_space_product", sw)?;
        if inputs != inputs_w {
            return Err(Error::ShapeMismatch {
                op: "log_space_product",
                left: sx.into(),
                right: sw.into(),
            });
        }
        if !(eps > T::zero() && eps.is_finite()) {
            return Err(Error::invalid(
                "log_space_product eps",
                format!("eps must be positive and finite, got {eps}"),
            ));
        }
        // The saved logarithms: a constant node (no gradient of its own).
        // Every element is written, so the buffer is not zeroed first.
        let saved = self.record_overwritten(Op::Constant, &[], sx, |vals, nodes, out| {
            T::ln_abs_eps_slice(&vals[nodes[ix].range()], eps, out);
        })?;
        let il = saved.index();
        let op = Op::LogSpaceProduct {
            eps,
            saved: il as u32,
        };
        let mut work = std::mem::take(&mut self.scratch);
        let z = self.record(
            op,
            &[ix, iw],
            Shape::matrix(rows, outputs),
            |vals, nodes, out| {
                let l = &vals[nodes[il].range()];
                let w = &vals[nodes[iw].range()];
                kernels::matmul_nt_with(l, w, out, rows, inputs, outputs, &mut work);
                T::exp_in_place(out);
            },
        );
        self.scratch = work;
        z
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>, eps: T, saved: usize) {
    let (rows, inputs) = (c.inputs.shape(0).dim(0), c.inputs.shape(0).dim(1));
    let outputs = c.inputs.shape(1).dim(0);
    let (x, w) = (c.inputs.value(0), c.inputs.value(1));
    let l = c.inputs.node_value(saved);
    // D = G ⊙ z, accumulated onto zeros as the plain graph's exp VJP does.
    let d_len = rows * outputs;
    let need_x = c.grads.get(0).is_some();
    let len = d_len + if need_x { rows * inputs } else { 0 };
    let work = kernels::work_space(c.scratch, len);
    let (d, dl) = work.split_at_mut(d_len);
    d.fill(T::zero());
    kernels::zip_map_add(c.g, c.out, d, |g, z| g * z);
    let d: &[T] = d;
    if let Some(gw) = c.grads.get(1) {
        // (D stored [B, O])ᵀ · L [B, I] -> [O, I]
        kernels::matmul_tn_add(d, l, gw, outputs, rows, inputs);
    }
    if let Some(gx) = c.grads.get(0) {
        // dL = D [B, O] · w [O, I], then through log, add_scalar and abs.
        dl.fill(T::zero());
        kernels::matmul_add(d, w, dl, rows, outputs, inputs);
        for ((o, &dli), &xi) in gx.iter_mut().zip(dl.iter()).zip(x) {
            let ga = T::zero() + dli / (xi.abs() + eps);
            let s = sign(xi);
            // As abs's VJP: select, so an infinite gradient at 0 adds 0.
            let gabs = T::zero() + ga;
            *o = *o + if s == T::zero() { T::zero() } else { gabs * s };
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor, Var};

    fn matrix<T: crate::tensor::Element>(t: &mut Tape<T>, r: usize, c: usize, data: &[T]) -> Var {
        t.variable(&Tensor::from_slice(Shape::matrix(r, c), data).unwrap())
    }

    /// The plain graph the operation replaces.
    fn unfused<T: crate::tensor::Element>(t: &mut Tape<T>, x: Var, w: Var, eps: T) -> Var {
        let a = t.abs(x).unwrap();
        let a = t.add_scalar(a, eps).unwrap();
        let l = t.log(a).unwrap();
        let s = t.matmul_nt(l, w).unwrap();
        t.exp(s).unwrap()
    }

    /// Values and gradients (x, w) of `sum(z ⊙ G)` through either path.
    fn run<T: crate::tensor::Element>(
        fused: bool,
        (b, i, o): (usize, usize, usize),
        xs: &[T],
        ws: &[T],
        eps: T,
    ) -> (Vec<T>, Vec<T>, Vec<T>) {
        let mut t = Tape::<T>::new();
        let x = matrix(&mut t, b, i, xs);
        let w = matrix(&mut t, o, i, ws);
        let z = if fused {
            t.log_space_product(x, w, eps).unwrap()
        } else {
            unfused(&mut t, x, w, eps)
        };
        let g: Vec<T> = (0..b * o)
            .map(|k| T::from_f64_lossy(0.5 + 0.25 * k as f64))
            .collect();
        let gz = t.constant_slice(Shape::matrix(b, o), &g).unwrap();
        let loss = t.mul(z, gz).unwrap();
        let loss = t.sum(loss).unwrap();
        t.backward(loss).unwrap();
        (
            t.value(z).unwrap().to_vec(),
            t.grad(x).unwrap().to_vec(),
            t.grad(w).unwrap().to_vec(),
        )
    }

    fn bits_of<T: crate::tensor::Element>(v: &[T]) -> Vec<f64> {
        v.iter().map(|x| x.to_f64_lossy()).collect()
    }

    #[test]
    fn values_and_gradients_are_those_of_the_plain_graph_bit_for_bit() {
        // Zeros, negatives, sizes on both sides of the product's column
        // threshold (O < 8 and O >= 8), in f64 and f32.
        for &(b, i, o) in &[(5, 3, 2), (4, 7, 9), (1, 1, 1)] {
            let xs: Vec<f64> = (0..b * i)
                .map(|k| {
                    if k % 5 == 2 {
                        0.0
                    } else {
                        0.37 * k as f64 - 1.9
                    }
                })
                .collect();
            let ws: Vec<f64> = (0..o * i).map(|k| (0.61 * k as f64).sin()).collect();
            let f = run(true, (b, i, o), &xs, &ws, 1e-7);
            let u = run(false, (b, i, o), &xs, &ws, 1e-7);
            assert_eq!(bits_of(&f.0), bits_of(&u.0));
            assert_eq!(bits_of(&f.1), bits_of(&u.1));
            assert_eq!(bits_of(&f.2), bits_of(&u.2));
            let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
            let ws32: Vec<f32> = ws.iter().map(|&x| x as f32).collect();
            let f = run(true, (b, i, o), &xs32, &ws32, 1e-7);
            let u = run(false, (b, i, o), &xs32, &ws32, 1e-7);
            assert_eq!(bits_of(&f.0), bits_of(&u.0));
            assert_eq!(bits_of(&f.1), bits_of(&u.1));
            assert_eq!(bits_of(&f.2), bits_of(&u.2));
        }
    }

    #[test]
    fn the_gradient_of_x_is_zero_at_zero_and_follows_the_sign() {
        // z = (|x0| + eps)^1 · (|x1| + eps)^1: dz/dx0 = sign(x0) (|x1| + eps).
        let mut t = Tape::<f64>::new();
        let x = matrix(&mut t, 1, 3, &[-2.0, 3.0, 0.0]);
        let w = t.constant(&Tensor::from_vec(Shape::matrix(1, 3), vec![1.0, 1.0, 1.0]).unwrap());
        let z = t.log_space_product(x, w, 1e-12).unwrap();
        t.backward(z).unwrap();
        let g = t.grad(x).unwrap();
        assert!((g[0] + 3.0e-12).abs() < 1e-18, "{}", g[0]);
        assert!((g[1] - 2.0e-12).abs() < 1e-18, "{}", g[1]);
        assert_eq!(g[2], 0.0);
    }

    #[test]
    fn shapes_and_eps_are_checked() {
        let mut t = Tape::<f64>::new();
        let x = matrix(&mut t, 2, 3, &[1.0; 6]);
        let w = matrix(&mut t, 1, 2, &[1.0; 2]);
        assert!(matches!(
            t.log_space_product(x, w, 1e-7),
            Err(Error::ShapeMismatch {
                op: "log_space_product",
                ..
            })
        ));
        let w = matrix(&mut t, 1, 3, &[1.0; 3]);
        for eps in [-1.0, f64::NAN] {
            let r = t.log_space_product(x, w, eps);
            assert!(
                matches!(
                    r,
                    Err(Error::InvalidArgument {
                        name: "log_space_product eps",
                        ..
                    })
                ),
                "{eps}: {r:?}"
            );
        }
        let v = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0; 3]).unwrap());
        assert!(matches!(
            t.log_space_product(v, w, 1e-7),
            Err(Error::InvalidShape { .. })
        ));
    }
}
