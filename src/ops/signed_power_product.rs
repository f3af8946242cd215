//! The product of selected signed powers: for each row of `x` and each row
//! of the exponents `w` and selections `a`, the product over the inputs of
//! `sign(x) |x|^w a + 1 − a`. It is the forward pass of the neural
//! reciprocal unit (the NRU) as one operation, instead of about fifteen
//! nodes (`log_abs`, broadcasts, `mul`, `exp`, `sign`, `neg`, `add_scalar`,
//! `add`, `prod_axis`).
//!
//! Forward, for `x [B, I]`, `w [O, I]`, `a [O, I]` and a floor `eps > 0`:
//!
//! ```text
//! L[b, i]    = ln(max(|x[b, i]|, eps))                (as Tape::log_abs)
//! s[b, o, i] = sign(x[b, i]) · exp(w[o, i] L[b, i])   (the signed power)
//! f[b, o, i] = s[b, o, i] a[o, i] + (1 − a[o, i])
//! z[b, o]    = Π_i f[b, o, i]                         (z is [B, O])
//! ```
//!
//! with `sign(0) = 0`. Each step rounds as the plain graph does, and the
//! factors are multiplied onto 1 in order of `i`, so `z` is the plain
//! graph's value to the last bits. `L` (`[I, B]`) and `s` (`[O, I, B]`,
//! transposed so that every loop runs along the batch) are saved as a
//! constant node recorded just before the product, so the backward pass
//! needs no `exp` or `log`.
//!
//! VJP, with `G = dL/dz` and `d[b, o, i] = G[b, o] · Π_{m≠i} f[b, o, m]`
//! (the product of the other factors, from prefix and suffix products,
//! never `z / f`, so it is exact when a factor is zero):
//!
//! ```text
//! dw[o, i] += Σ_b d[b, o, i] · a[o, i] s[b, o, i] L[b, i]
//! da[o, i] += Σ_b d[b, o, i] · (s[b, o, i] − 1)
//! dx[b, i] += Σ_o d[b, o, i] · a[o, i] w[o, i] s[b, o, i] · L'(x[b, i])
//! ```
//!
//! where `L'(x) = 1 / x` for `|x| > eps`, `1 / (2x)` at `|x| = eps` and 0
//! below (the floor's one-sided derivatives, as [`Tape::log_abs`]), and the
//! sign's derivative is 0. So `x`'s gradient is defined everywhere,
//! including at `x = 0`, where it is 0 like the plain graph's.

use crate::error::{Error, Result};
use crate::ops::matmul::matrix_dims;
use crate::ops::sign::sign;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

impl<T: Element> Tape<T> {
    /// `z[b, o] = Π_i (sign(x[b, i]) max(|x[b, i]|, eps)^{w[o, i]} a[o, i] +
    /// 1 − a[o, i])` for `x [B, I]`, `w [O, I]` and `a [O, I]`, giving
    /// `[B, O]` (see the module docs). Records two nodes: the saved
    /// logarithms and signed powers (a constant) and the product. `eps` must
    /// be finite and positive.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let x = t.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![-3.0, 4.0])?);
    /// // x1 / x2: exponents [1, -1], both inputs selected.
    /// let w = t.variable(&Tensor::from_vec(Shape::matrix(1, 2), vec![1.0, -1.0])?);
    /// let a = t.variable(&Tensor::from_vec(Shape::matrix(1, 2), vec![1.0, 1.0])?);
    /// let z = t.signed_power_product(x, w, a, 1e-7)?;
    /// assert!((t.value(z)?[0] + 0.75).abs() < 1e-15);
    /// t.backward(z)?;
    /// // dz/dw1 = z ln|x1|; dz/da2 = (1/4 - 1) · (-3)
    /// assert!((t.grad(w)?[0] + 0.75 * 3f64.ln()).abs() < 1e-14);
    /// assert!((t.grad(a)?[1] - 2.25).abs() < 1e-14);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn signed_power_product(&mut self, x: Var, w: Var, a: Var, eps: T) -> Result<Var> {
        const OP: &str = "signed_power_product";
        if !(eps > T::zero() && eps.is_finite()) {
            return Err(Error::invalid(
                "eps",
                format!("signed_power_product needs a finite eps > 0, got {eps}"),
            ));
        }
        let (ix, iw, ia) = (self.index_of(x)?, self.index_of(w)?, self.index_of(a)?);
        let (sx, sw, sa) = (
            self.nodes[ix].shape,
            self.nodes[iw].shape,
            self.nodes[ia].shape,
        );
        let (rows, inputs) = matrix_dims(OP, sx)?;
        let (outputs, inputs_w) = matrix_dims(OP, sw)?;
        if inputs != inputs_w {
            return Err(Error::ShapeMismatch {
                op: OP,
                left: sx.into(),
                right: sw.into(),
            });
        }
        if sa != sw {
            return Err(Error::ShapeMismatch {
                op: OP,
                left: sw.into(),
                right: sa.into(),
            });
        }
        let n_log = rows * inputs;
        let n_pow = rows * outputs * inputs;
        let mut work = std::mem::take(&mut self.scratch);
        // Saved: L as [I, B] and s as [O, I, B], so that every loop runs
        // along the batch.
        let saved = self.record_overwritten(
            Op::Constant,
            &[],
            Shape::vector(n_log + n_pow),
            |vals, nodes, out| {
                let xv = &vals[nodes[ix].range()];
                let wv = &vals[nodes[iw].range()];
                let (l, s) = out.split_at_mut(n_log);
                let xt = kernels::work_space(&mut work, n_log);
                kernels::transpose(xv, xt, rows, inputs);
                T::ln_abs_floor_slice(xt, eps, l);
                for o in 0..outputs {
                    for i in 0..inputs {
                        let w = wv[o * inputs + i];
                        let so = &mut s[(o * inputs + i) * rows..][..rows];
                        kernels::map(&l[i * rows..][..rows], so, |l| l * w);
                    }
                }
                T::exp_in_place(s);
                for o in 0..outputs {
                    for i in 0..inputs {
                        let so = &mut s[(o * inputs + i) * rows..][..rows];
                        for (s, &x) in so.iter_mut().zip(&xt[i * rows..][..rows]) {
                            *s = sign(x) * *s;
                        }
                    }
                }
            },
        );
        let saved = match saved {
            Ok(v) => v,
            Err(e) => {
                self.scratch = work;
                return Err(e);
            }
        };
        let is = saved.index();
        let var = self.record(
            Op::SignedPowerProduct {
                eps,
                saved: is as u32,
            },
            &[ix, iw, ia],
            Shape::matrix(rows, outputs),
            |vals, nodes, out| {
                let s = &vals[nodes[is].range()][n_log..];
                let av = &vals[nodes[ia].range()];
                let zt = kernels::work_space(&mut work, rows);
                for o in 0..outputs {
                    zt.fill(T::one());
                    for i in 0..inputs {
                        let a = av[o * inputs + i];
                        let so = &s[(o * inputs + i) * rows..][..rows];
                        for (z, &s) in zt.iter_mut().zip(so) {
                            *z = *z * factor(s, a);
                        }
                    }
                    for (b, &z) in zt.iter().enumerate() {
                        out[b * outputs + o] = z;
                    }
                }
            },
        );
        self.scratch = work;
        var
    }
}

/// One factor `s a + (1 − a)`, rounded as the plain graph's
/// `add(mul(s, a), add_scalar(neg(a), 1))`.
#[inline]
fn factor<T: Element>(s: T, a: T) -> T {
    s * a + (-a + T::one())
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>, eps: T, saved: usize) {
    let (rows, inputs) = (c.inputs.shape(0).dim(0), c.inputs.shape(0).dim(1));
    let outputs = c.inputs.shape(1).dim(0);
    let n_log = rows * inputs;
    let n = rows * outputs * inputs;
    if n == 0 {
        // Nothing depends on anything: no gradient to add.
        return;
    }
    let (x, w, a) = (c.inputs.value(0), c.inputs.value(1), c.inputs.value(2));
    let ls = c.inputs.node_value(saved);
    // L [I, B] and s [O, I, B] (see the forward pass).
    let (l, s) = (&ls[..n_log], &ls[n_log..]);
    // d [O, I, B] = G · (product of the other factors): suffix products
    // first, then the running prefix product, along the batch.
    let work = kernels::work_space(c.scratch, n + 2 * rows);
    let (d, run) = work.split_at_mut(n);
    let (pre, suf) = run.split_at_mut(rows);
    for o in 0..outputs {
        suf.fill(T::one());
        for i in (0..inputs).rev() {
            let k = o * inputs + i;
            let ak = a[k];
            let sk = &s[k * rows..][..rows];
            let dk = &mut d[k * rows..][..rows];
            for ((d, u), &s) in dk.iter_mut().zip(suf.iter_mut()).zip(sk) {
                *d = *u;
                *u = *u * factor(s, ak);
            }
        }
        for (b, p) in pre.iter_mut().enumerate() {
            *p = c.g[b * outputs + o];
        }
        for i in 0..inputs {
            let k = o * inputs + i;
            let ak = a[k];
            let sk = &s[k * rows..][..rows];
            let dk = &mut d[k * rows..][..rows];
            for ((d, p), &s) in dk.iter_mut().zip(pre.iter_mut()).zip(sk) {
                *d = *p * *d;
                *p = *p * factor(s, ak);
            }
        }
    }
    let d: &[T] = d;
    // One operand at a time, so a node passed twice gets every term.
    if let Some(dw) = c.grads.get(1) {
        for o in 0..outputs {
            for i in 0..inputs {
                let k = o * inputs + i;
                let (dk, sk) = (&d[k * rows..][..rows], &s[k * rows..][..rows]);
                let mut acc = T::zero();
                for ((&d, &s), &l) in dk.iter().zip(sk).zip(&l[i * rows..][..rows]) {
                    acc = acc + d * (s * l);
                }
                dw[k] = dw[k] + acc * a[k];
            }
        }
    }
    if let Some(da) = c.grads.get(2) {
        for k in 0..outputs * inputs {
            let (dk, sk) = (&d[k * rows..][..rows], &s[k * rows..][..rows]);
            let mut acc = T::zero();
            for (&d, &s) in dk.iter().zip(sk) {
                acc = acc + d * (s - T::one());
            }
            da[k] = da[k] + acc;
        }
    }
    if let Some(dx) = c.grads.get(0) {
        for b in 0..rows {
            for i in 0..inputs {
                let xi = x[b * inputs + i];
                let m = xi.abs();
                let dl = if m > eps {
                    T::one() / xi
                } else if m == eps {
                    T::one() / (xi + xi)
                } else {
                    continue;
                };
                let mut acc = T::zero();
                for o in 0..outputs {
                    let k = o * inputs + i;
                    let r = k * rows + b;
                    acc = acc + d[r] * (a[k] * w[k] * s[r]);
                }
                dx[b * inputs + i] = dx[b * inputs + i] + acc * dl;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tensor::Element;
    use crate::{Error, Shape, Tape, Tensor, Var};

    const EPS: f64 = 1e-7;

    /// The plain graph the operation replaces (the NRU's former nodes).
    fn plain<T: Element>(t: &mut Tape<T>, x: Var, w: Var, a: Var) -> Var {
        let (b, i) = t.shape(x).unwrap().as_matrix().unwrap();
        let o = t.shape(w).unwrap().dim(0);
        let cube = Shape::new(&[b, o, i]).unwrap();
        let spread_x = |t: &mut Tape<T>, v: Var| {
            let v = t.reshape(v, Shape::new(&[b, 1, i]).unwrap()).unwrap();
            t.broadcast_to(v, cube).unwrap()
        };
        let spread_w = |t: &mut Tape<T>, v: Var| {
            let v = t.reshape(v, Shape::new(&[1, o, i]).unwrap()).unwrap();
            t.broadcast_to(v, cube).unwrap()
        };
        let l = t.log_abs(x, T::from_f64_lossy(EPS)).unwrap();
        let l = spread_x(t, l);
        let w3 = spread_w(t, w);
        let e = t.mul(l, w3).unwrap();
        let p = t.exp(e).unwrap();
        let s = t.sign(x).unwrap();
        let s = spread_x(t, s);
        let sp = t.mul(s, p).unwrap();
        let a3 = spread_w(t, a);
        let sel = t.mul(sp, a3).unwrap();
        let na = t.neg(a3).unwrap();
        let na = t.add_scalar(na, T::one()).unwrap();
        let f = t.add(sel, na).unwrap();
        let z = t.prod_axis(f, 2).unwrap();
        t.reshape(z, Shape::matrix(b, o)).unwrap()
    }

    /// Values and the gradients of `sum(z ⊙ G)` for x, w and a.
    fn run<T: Element>(fused: bool, b: usize, o: usize, i: usize) -> Vec<Vec<f64>> {
        let xs: Vec<T> = (0..b * i)
            .map(|k| T::from_f64_lossy(1.7 * (0.9 * k as f64 + 0.3).sin() + 0.2))
            .collect();
        let ws: Vec<T> = (0..o * i)
            .map(|k| T::from_f64_lossy((0.61 * k as f64 + 0.5).sin()))
            .collect();
        let aa: Vec<T> = (0..o * i)
            .map(|k| T::from_f64_lossy((0.37 * k as f64 + 0.1).cos().abs()))
            .collect();
        let g: Vec<T> = (0..b * o)
            .map(|k| T::from_f64_lossy(1.0 + 0.3 * k as f64))
            .collect();
        let mut t = Tape::<T>::new();
        let x = t.variable(&Tensor::from_slice(Shape::matrix(b, i), &xs).unwrap());
        let w = t.variable(&Tensor::from_slice(Shape::matrix(o, i), &ws).unwrap());
        let a = t.variable(&Tensor::from_slice(Shape::matrix(o, i), &aa).unwrap());
        let z = if fused {
            t.signed_power_product(x, w, a, T::from_f64_lossy(EPS))
                .unwrap()
        } else {
            plain(&mut t, x, w, a)
        };
        let gz = t.constant_slice(Shape::matrix(b, o), &g).unwrap();
        let l = t.mul(z, gz).unwrap();
        let l = t.sum(l).unwrap();
        t.backward(l).unwrap();
        let f = |v: &[T]| v.iter().map(|v| v.to_f64_lossy()).collect::<Vec<f64>>();
        vec![
            f(t.value(z).unwrap()),
            f(t.grad(x).unwrap()),
            f(t.grad(w).unwrap()),
            f(t.grad(a).unwrap()),
        ]
    }

    fn assert_close(fused: &[Vec<f64>], plain: &[Vec<f64>], tol: f64) {
        for (f, p) in fused.iter().zip(plain) {
            assert_eq!(f.len(), p.len());
            let scale = p.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (a, b) in f.iter().zip(p) {
                assert!(a.is_finite());
                assert!(
                    (a - b).abs() <= tol * (b.abs() + 1e-3 * scale),
                    "{a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn equals_the_plain_graph_in_f64_and_f32() {
        for &(b, o, i) in &[(5, 1, 2), (4, 3, 5), (1, 2, 1)] {
            assert_close(
                &run::<f64>(true, b, o, i),
                &run::<f64>(false, b, o, i),
                1e-12,
            );
            assert_close(
                &run::<f32>(true, b, o, i),
                &run::<f32>(false, b, o, i),
                1e-5,
            );
        }
    }

    fn var(t: &mut Tape<f64>, r: usize, c: usize, data: &[f64]) -> Var {
        t.variable(&Tensor::from_slice(Shape::matrix(r, c), data).unwrap())
    }

    #[test]
    fn zero_factors_and_zero_inputs_get_the_product_of_the_others() {
        let mut t = Tape::<f64>::new();
        // x = [0, 2, 3], w = 1, a = 1: factors [0, 2, 3]; z = 0.
        let x = var(&mut t, 1, 3, &[0.0, 2.0, 3.0]);
        let w = var(&mut t, 1, 3, &[1.0, 1.0, 1.0]);
        let a = var(&mut t, 1, 3, &[1.0, 1.0, 1.0]);
        let z = t.signed_power_product(x, w, a, EPS).unwrap();
        assert_eq!(t.value(z).unwrap(), &[0.0]);
        t.backward(z).unwrap();
        // da_i = (s_i - 1) · others: [-1 · 6, 1 · 0, 2 · 0].
        // (exp(ln 3) is 3 to rounding.)
        let ga = t.grad(a).unwrap();
        assert!((ga[0] + 6.0).abs() < 1e-14, "{ga:?}");
        assert_eq!(&ga[1..], &[0.0, 0.0]);
        // x = 0 is below the floor: its gradient is 0, as the plain graph's.
        assert_eq!(t.grad(x).unwrap(), &[0.0, 0.0, 0.0]);
        let gw = t.grad(w).unwrap();
        assert_eq!(gw[0], 0.0);
        assert_eq!(&gw[1..], &[0.0, 0.0]);
    }

    #[test]
    fn one_node_as_all_three_operands() {
        // z = prod_i (v |v|^v v + 1 - v) for v > 0 against central differences.
        let f = |v: &[f64]| -> f64 { v.iter().map(|&v| v.powf(v) * v + 1.0 - v).product() };
        let vs = [0.7, 1.3];
        let mut t = Tape::<f64>::new();
        let v = var(&mut t, 1, 2, &vs);
        let z = t.signed_power_product(v, v, v, EPS).unwrap();
        assert!((t.value(z).unwrap()[0] - f(&vs)).abs() < 1e-14);
        t.backward(z).unwrap();
        let g = t.grad(v).unwrap().to_vec();
        for k in 0..2 {
            let (mut hi, mut lo) = (vs, vs);
            hi[k] += 1e-6;
            lo[k] -= 1e-6;
            let num = (f(&hi) - f(&lo)) / 2e-6;
            assert!((g[k] - num).abs() < 1e-7, "{} vs {num}", g[k]);
        }
    }

    #[test]
    fn shapes_and_the_floor_are_checked() {
        let mut t = Tape::<f64>::new();
        let x = var(&mut t, 2, 3, &[1.0; 6]);
        let w = var(&mut t, 1, 3, &[1.0; 3]);
        let short = var(&mut t, 1, 2, &[1.0; 2]);
        assert!(matches!(
            t.signed_power_product(x, short, short, EPS),
            Err(Error::ShapeMismatch { .. })
        ));
        assert!(matches!(
            t.signed_power_product(x, w, short, EPS),
            Err(Error::ShapeMismatch { .. })
        ));
        assert!(t.signed_power_product(x, w, w, 0.0).is_err());
        assert!(t.signed_power_product(x, w, w, f64::NAN).is_err());
        let v = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0; 3]).unwrap());
        assert!(matches!(
            t.signed_power_product(v, w, w, EPS),
            Err(Error::InvalidShape { .. })
        ));
    }
}
