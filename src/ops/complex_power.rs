//! The real part of a product of complex powers, `Re prod_i x_i^{W_i}`, from
//! the complex logarithms of the inputs ([`Tape::complex_log`]): the power
//! units' (NPU, RealNPU, NaiveNPU) matrix product, exponential and cosine as
//! one operation.
//!
//! Forward, for `lk [2, I, B]` (the transposed planes `l` and `k`:
//! `log x = l + i pi k`)
//! and complex exponents `w = [W_re, W_im]` (`[O, 2I]`, side by side) or
//! real ones `w = W_re` (`[O, I]`, then `W_im = 0`):
//!
//! ```text
//! m[b, o] = sum_i l[b, i] W_re[o, i] - pi k[b, i] W_im[o, i]
//! p[b, o] = sum_i l[b, i] W_im[o, i] / pi + k[b, i] W_re[o, i]
//! z[b, o] = exp(m[b, o]) cos(pi p[b, o])                        ([B, O])
//! ```
//!
//! i.e. `z = Re exp((l + i pi k) (W_re + i W_im)ᵀ)`. The cosine is the
//! exactly reduced `cos(pi p)` of [`Tape::cos_pi`], so integer exponents of
//! negative inputs give exactly `+-1` there. `exp(m)`, `cos(pi p)` and
//! `sin(pi p)` are saved as a constant node recorded just before the
//! product (`[3, O, B]`); the backward pass needs no transcendental. Every
//! loop runs along the batch (hence the transposed planes), so it is
//! vectorised; the sums over the batch in the VJP are the crate's lane-wise
//! dot products.
//!
//! VJP, with `G = dL/dz`, `D_m = G ⊙ z`, `D_p = -pi G ⊙ exp(m) ⊙ sin(pi p)`:
//!
//! ```text
//! dW_re[o, i] += sum_b D_m l[b, i] + D_p k[b, i]
//! dW_im[o, i] += sum_b -pi D_m k[b, i] + D_p l[b, i] / pi
//! dl[b, i]    += sum_o D_m W_re[o, i] + D_p W_im[o, i] / pi
//! dk[b, i]    += sum_o -pi D_m W_im[o, i] + D_p W_re[o, i]
//! ```
//!
//! It replaces the plain graph `mul(exp(matmul_nt(..)), cos_pi(matmul_nt(..)))`
//! over `concat_cols(l, k)` and the scaled weights (nine nodes for the complex
//! case, five for the real one) by two, with one pass over the batch each
//! way. Its values and gradients agree with that graph to rounding (tests
//! below); they are not the same bits.

use crate::error::{Error, Result};
use crate::ops::matmul::matrix_dims;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

const PI: f64 = std::f64::consts::PI;

impl<T: Element> Tape<T> {
    /// `z = Re exp((l + i pi k) (W_re + i W_im)ᵀ)` for `lk = [lᵀ, kᵀ]`
    /// (`[2, I, B]`, as [`Tape::complex_log`] records it) and `w` either
    /// `[O, 2I]` (`[W_re, W_im]` side by side) or `[O, I]` (`W_re`, with
    /// `W_im = 0`); `[B, O]` (see the module docs). Records two nodes: the
    /// saved `exp`, `cos` and `sin` (a constant) and the product.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let x = t.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![-3.0, 4.0])?);
    /// let lk = t.complex_log(x, None, 1e-7)?;
    /// // x1 / x2 with real exponents [1, -1]: exactly the sign of x1.
    /// let w = t.variable(&Tensor::from_vec(Shape::matrix(1, 2), vec![1.0, -1.0])?);
    /// let z = t.complex_power(lk, w)?;
    /// assert!((t.value(z)?[0] + 0.75).abs() < 1e-15);
    /// t.backward(z)?;
    /// // dz/dW_re[0] = z ln|x1|
    /// assert!((t.grad(w)?[0] + 0.75 * 3f64.ln()).abs() < 1e-14);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn complex_power(&mut self, lk: Var, w: Var) -> Result<Var> {
        let (il, iw) = (self.index_of(lk)?, self.index_of(w)?);
        let (sl, sw) = (self.nodes[il].shape, self.nodes[iw].shape);
        let (outputs, w_cols) = matrix_dims("complex_power", sw)?;
        if sl.rank() != 3 || sl.dim(0) != 2 {
            return Err(Error::InvalidShape {
                op: "complex_power",
                shape: sl.into(),
                reason: "the logarithms must be two planes [2, I, B] (see complex_log)".into(),
            });
        }
        let (inputs, rows) = (sl.dim(1), sl.dim(2));
        let complex = w_cols == 2 * inputs && inputs > 0;
        if !complex && w_cols != inputs {
            return Err(Error::ShapeMismatch {
                op: "complex_power",
                left: sl.into(),
                right: sw.into(),
            });
        }
        let n = rows * outputs;
        let saved_shape = Shape::new(&[3, outputs, rows])?;
        let mut work = std::mem::take(&mut self.scratch);
        // Every element is written below (`e` filled, `c` and `s` from `p`),
        // so the slot is not zero-filled first.
        let saved = self.record_overwritten(Op::Constant, &[], saved_shape, |vals, nodes, out| {
            let lk = &vals[nodes[il].range()];
            let w = &vals[nodes[iw].range()];
            let (l, k) = lk.split_at(rows * inputs);
            let (e, rest) = out.split_at_mut(n);
            let (c, s) = rest.split_at_mut(n);
            // m into e, p into the work space, both [O, B].
            let p = kernels::work_space(&mut work, n);
            e.fill(T::zero());
            p.fill(T::zero());
            let (minus_pi, inv_pi) = (T::from_f64_lossy(-PI), T::from_f64_lossy(1.0 / PI));
            for o in 0..outputs {
                let (mo, po) = (&mut e[o * rows..][..rows], &mut p[o * rows..][..rows]);
                for i in 0..inputs {
                    let (li, ki) = (&l[i * rows..][..rows], &k[i * rows..][..rows]);
                    let re = w[o * w_cols + i];
                    if complex {
                        let im = w[o * w_cols + inputs + i];
                        let (a, b) = (minus_pi * im, im * inv_pi);
                        for (((m, p), &l), &k) in mo.iter_mut().zip(po.iter_mut()).zip(li).zip(ki) {
                            *m = *m + l * re + k * a;
                            *p = *p + l * b + k * re;
                        }
                    } else {
                        for (((m, p), &l), &k) in mo.iter_mut().zip(po.iter_mut()).zip(li).zip(ki) {
                            *m = *m + l * re;
                            *p = *p + k * re;
                        }
                    }
                }
            }
            T::exp_in_place(e);
            T::cos_pi_slice(p, c);
            T::sin_pi_slice(p, s);
        });
        // The work space goes back before any error is returned.
        self.scratch = work;
        let is = saved?.index();
        self.record(
            Op::ComplexPower { saved: is as u32 },
            &[il, iw],
            Shape::matrix(rows, outputs),
            |vals, nodes, out| {
                let ecs = &vals[nodes[is].range()];
                let (e, c) = (&ecs[..n], &ecs[n..2 * n]);
                if outputs == 1 {
                    kernels::zip_map(e, c, out, |e, c| e * c);
                } else {
                    for o in 0..outputs {
                        for b in 0..rows {
                            out[b * outputs + o] = e[o * rows + b] * c[o * rows + b];
                        }
                    }
                }
            },
        )
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>, saved: usize) {
    let (inputs, rows) = (c.inputs.shape(0).dim(1), c.inputs.shape(0).dim(2));
    let (outputs, w_cols) = (c.inputs.shape(1).dim(0), c.inputs.shape(1).dim(1));
    let complex = w_cols != inputs;
    let (lk, w) = (c.inputs.value(0), c.inputs.value(1));
    let (l, k) = lk.split_at(rows * inputs);
    let n = rows * outputs;
    let ecs = c.inputs.node_value(saved);
    let (e, cs, s) = (&ecs[..n], &ecs[n..2 * n], &ecs[2 * n..3 * n]);
    let (pi, inv_pi) = (T::from_f64_lossy(PI), T::from_f64_lossy(1.0 / PI));
    // D_m = G e cos and D_p = -pi G e sin, [O, B] each, side by side.
    let d = kernels::work_space(c.scratch, 2 * n);
    let (dm, dp) = d.split_at_mut(n);
    for o in 0..outputs {
        for b in 0..rows {
            let (t, g) = (o * rows + b, c.g[b * outputs + o]);
            let ge = g * e[t];
            dm[t] = ge * cs[t];
            dp[t] = -(pi * ge * s[t]);
        }
    }
    let (dm, dp): (&[T], &[T]) = (dm, dp);
    let Some((dlk, dw)) = c.grads.both() else {
        return; // lk and w cannot be one node: their ranks differ
    };
    if let Some(dw) = dw {
        for o in 0..outputs {
            let (dmo, dpo) = (&dm[o * rows..][..rows], &dp[o * rows..][..rows]);
            for i in 0..inputs {
                let (li, ki) = (&l[i * rows..][..rows], &k[i * rows..][..rows]);
                let (dml, dmk) = (kernels::dot(dmo, li), kernels::dot(dmo, ki));
                let (dpl, dpk) = (kernels::dot(dpo, li), kernels::dot(dpo, ki));
                let re = o * w_cols + i;
                dw[re] = dw[re] + (dml + dpk);
                if complex {
                    let im = re + inputs;
                    dw[im] = dw[im] + (-(pi * dmk) + dpl * inv_pi);
                }
            }
        }
    }
    if let Some(dlk) = dlk {
        let (dl, dk) = dlk.split_at_mut(rows * inputs);
        for o in 0..outputs {
            let (dmo, dpo) = (&dm[o * rows..][..rows], &dp[o * rows..][..rows]);
            for i in 0..inputs {
                let (dli, dki) = (&mut dl[i * rows..][..rows], &mut dk[i * rows..][..rows]);
                let re = w[o * w_cols + i];
                if complex {
                    let im = w[o * w_cols + inputs + i];
                    let (a, b) = (im * inv_pi, -(pi * im));
                    for (((dl, dk), &dm), &dp) in
                        dli.iter_mut().zip(dki.iter_mut()).zip(dmo).zip(dpo)
                    {
                        *dl = *dl + (dm * re + dp * a);
                        *dk = *dk + (dm * b + dp * re);
                    }
                } else {
                    for (((dl, dk), &dm), &dp) in
                        dli.iter_mut().zip(dki.iter_mut()).zip(dmo).zip(dpo)
                    {
                        *dl = *dl + dm * re;
                        *dk = *dk + dp * re;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tensor::Element;
    use crate::{Error, Shape, Tape, Tensor, Var};

    const PI: f64 = std::f64::consts::PI;

    /// The plain graph the operation replaces (as the power units recorded
    /// it before): products over `[l, k]` with scaled weights, `exp`,
    /// `cos_pi`, `mul`.
    fn plain<T: Element>(t: &mut Tape<T>, lk: Var, w: Var, inputs: usize) -> Var {
        let rows = t.shape(lk).unwrap().dim(2);
        // The planes side by side ([I, 2B]), split, transposed back to [B, I].
        let flat = t.reshape(lk, Shape::matrix(2 * inputs, rows)).unwrap();
        let tr = t.transpose(flat).unwrap(); // [B, 2I]: l columns, then k columns
        let l = t.slice_cols(tr, 0, inputs).unwrap();
        let k = t.slice_cols(tr, inputs, 2 * inputs).unwrap();
        let w_cols = t.shape(w).unwrap().dim(1);
        let (magnitude, turns) = if w_cols == inputs {
            (t.matmul_nt(l, w).unwrap(), t.matmul_nt(k, w).unwrap())
        } else {
            let re = t.slice_cols(w, 0, inputs).unwrap();
            let im = t.slice_cols(w, inputs, 2 * inputs).unwrap();
            let lkc = t.concat_cols(l, k).unwrap();
            let damp = t.mul_scalar(im, T::from_f64_lossy(-PI)).unwrap();
            let a = t.concat_cols(re, damp).unwrap();
            let phase = t.mul_scalar(im, T::from_f64_lossy(1.0 / PI)).unwrap();
            let b = t.concat_cols(phase, re).unwrap();
            (t.matmul_nt(lkc, a).unwrap(), t.matmul_nt(lkc, b).unwrap())
        };
        let m = t.exp(magnitude).unwrap();
        let c = t.cos_pi(turns).unwrap();
        t.mul(m, c).unwrap()
    }

    /// Values and gradients (lk, w) of `sum(z ⊙ G)` through either path.
    fn run<T: Element>(
        fused: bool,
        lks: &[T],
        ws: &[T],
        (b, i, o, cols): (usize, usize, usize, usize),
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut t = Tape::<T>::new();
        let lk = t
            .variable_slice(Shape::new(&[2, i, b]).unwrap(), lks)
            .unwrap();
        let w = t.variable_slice(Shape::matrix(o, cols), ws).unwrap();
        let z = if fused {
            t.complex_power(lk, w).unwrap()
        } else {
            plain(&mut t, lk, w, i)
        };
        let g: Vec<T> = (0..b * o)
            .map(|k| T::from_f64_lossy(0.5 - 0.3 * k as f64))
            .collect();
        let g = t.constant_slice(Shape::matrix(b, o), &g).unwrap();
        let p = t.mul(z, g).unwrap();
        let s = t.sum(p).unwrap();
        t.backward(s).unwrap();
        let f = |v: &[T]| v.iter().map(|x| x.to_f64_lossy()).collect::<Vec<_>>();
        (
            f(t.value(z).unwrap()),
            f(t.grad(lk).unwrap()),
            f(t.grad(w).unwrap()),
        )
    }

    fn close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        let scale = b.iter().fold(1.0f64, |m, x| m.max(x.abs()));
        for (k, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() <= tol * scale, "element {k}: {x} vs {y}");
        }
    }

    #[test]
    fn values_and_gradients_agree_with_the_plain_graph() {
        for &(b, i, o) in &[(5, 2, 1), (3, 3, 4), (1, 1, 1)] {
            for complex in [false, true] {
                let cols = if complex { 2 * i } else { i };
                // l anywhere, k in {0, 1} and fractional (a gated sign).
                let lks: Vec<f64> = (0..2 * b * i)
                    .map(|k| {
                        if k < b * i {
                            (0.7 * k as f64).sin() * 2.0
                        } else {
                            [0.0, 1.0, 0.5, 1.0, 0.0, 0.25][k % 6]
                        }
                    })
                    .collect();
                let ws: Vec<f64> = (0..o * cols)
                    .map(|k| (1.3 * k as f64 + 0.4).cos())
                    .collect();
                let f = run(true, &lks, &ws, (b, i, o, cols));
                let p = run(false, &lks, &ws, (b, i, o, cols));
                // f64: to rounding (stated tolerance 1e-13 of the largest).
                close(&f.0, &p.0, 1e-13);
                close(&f.1, &p.1, 1e-13);
                close(&f.2, &p.2, 1e-13);
                let lks32: Vec<f32> = lks.iter().map(|&x| x as f32).collect();
                let ws32: Vec<f32> = ws.iter().map(|&x| x as f32).collect();
                let f = run(true, &lks32, &ws32, (b, i, o, cols));
                let p = run(false, &lks32, &ws32, (b, i, o, cols));
                // f32: 1e-5 of the largest.
                close(&f.0, &p.0, 1e-5);
                close(&f.1, &p.1, 1e-5);
                close(&f.2, &p.2, 1e-5);
            }
        }
    }

    #[test]
    fn integer_exponents_of_negative_inputs_give_exact_signs() {
        // (-3)^1 (-2)^1 = 6 and (-3)^1 (-2)^-1 = 1.5 with W_im = 0, in f32:
        // the sign is exact and so is the gradient of the phase (sin = 0).
        let mut t = Tape::<f32>::new();
        let x = t.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![-3.0, -2.0]).unwrap());
        let lk = t.complex_log(x, None, 1e-7).unwrap();
        let w = t.variable(
            &Tensor::from_vec(Shape::matrix(2, 4), vec![1., 1., 0., 0., 1., -1., 0., 0.]).unwrap(),
        );
        let z = t.complex_power(lk, w).unwrap();
        let v = t.value(z).unwrap();
        assert!(
            (v[0] - 6.0).abs() < 1e-5 && (v[1] - 1.5).abs() < 1e-6,
            "{v:?}"
        );
    }

    #[test]
    fn shapes_are_checked() {
        let mut t = Tape::<f64>::new();
        let lk = t.variable(&Tensor::full(Shape::new(&[2, 3, 4]).unwrap(), 1.0));
        let w = t.variable(&Tensor::full(Shape::matrix(1, 5), 1.0));
        assert!(matches!(
            t.complex_power(lk, w),
            Err(Error::ShapeMismatch {
                op: "complex_power",
                ..
            })
        ));
        let flat = t.variable(&Tensor::full(Shape::matrix(4, 3), 1.0));
        let w = t.variable(&Tensor::full(Shape::matrix(1, 3), 1.0));
        assert!(matches!(
            t.complex_power(flat, w),
            Err(Error::InvalidShape {
                op: "complex_power",
                ..
            })
        ));
    }
}
