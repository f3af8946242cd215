//! The complex logarithm of real inputs, as the power units use it, in one
//! operation: its real part and its imaginary part over `pi`, stacked.
//!
//! For a real `x`, `log x = log|x| + i pi [x < 0]`. Forward, for
//! `x [B, I]`, a constant `eps > 0` and optionally a relevance gate
//! `g [I]` (used as given; the NPU clamps it into `[0, 1]` first):
//!
//! ```text
//! without a gate (NaiveNPU):   l = ln(max(|x|, eps)),              k = [x < 0]
//! with a gate g (NPU, RealNPU): l = ln(g (|x| + eps) + (1 - g)),   k = g [x < 0]
//! z = [lᵀ, kᵀ]                                       ([2, I, B]: two planes)
//! ```
//!
//! The planes are stored transposed (one row per input, the batch along
//! the row), because [`Tape::complex_power`] sums over the inputs for every
//! row of the batch: so its loops run along memory, vectorised.
//!
//! With the gate, `g = 0` turns the input into `1` (it drops out of the
//! product that [`Tape::complex_power`] forms), `g = 1` into `|x| + eps`.
//! Without it, `|x| >= eps` gives exactly `ln|x|` (the safe logarithm of
//! [`Tape::log_abs`]).
//!
//! VJP, with `G = [G_l, G_k]`:
//!
//! ```text
//! without a gate: dx += G_l / x  where |x| > eps, G_l / (2x) at |x| = eps, else 0
//! with a gate:    r = g (|x| + eps) + 1 - g
//!                 dx   += G_l g sign(x) / r                   (0 at x = 0)
//!                 dg_i += sum_b G_l (|x| + eps - 1) / r + G_k [x < 0]
//! ```
//!
//! `k` is piecewise constant in `x` (no gradient to `x`), as
//! [`Tape::is_negative`]. It replaces the plain graphs
//! `concat(log_abs(x, eps), is_negative(x))` and
//! `log(add(mul(g, add_scalar(abs(x), eps)), add_scalar(neg(g), 1)))`,
//! `mul(g, is_negative(x))` (with `g` broadcast over the batch): one node
//! instead of up to ten, one pass over `x`, and a vectorised `ln` in `f32`.
//! Its values and gradients agree with those graphs to rounding (tests
//! below); they are not the same bits.

use crate::error::{Error, Result};
use crate::ops::matmul::matrix_dims;
use crate::ops::sign::sign;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

/// `[x < 0]`: 1, 0, or NaN for NaN (as [`Tape::is_negative`]).
#[inline]
fn negative<T: Element>(x: T) -> T {
    if x < T::zero() {
        T::one()
    } else if x >= T::zero() {
        T::zero()
    } else {
        x
    }
}

impl<T: Element> Tape<T> {
    /// The complex logarithm `[l, k]` of `x [B, I]` as two transposed
    /// planes `[2, I, B]`: `l = ln(max(|x|, eps))`, `k = [x < 0]`; or, with a gate
    /// `g [I]`, `l = ln(g (|x| + eps) + 1 - g)`, `k = g [x < 0]` (see the
    /// module docs). `eps` must be positive and finite.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let x = t.variable(&Tensor::from_vec(Shape::matrix(1, 2), vec![-4.0, 0.5])?);
    /// let z = t.complex_log(x, None, 1e-7)?;
    /// assert_eq!(t.shape(z)?, Shape::new(&[2, 2, 1])?);
    /// assert_eq!(t.value(z)?, &[4f64.ln(), 0.5f64.ln(), 1.0, 0.0]);
    /// // A gate of 0 drops the second input (log 1 = 0, no sign).
    /// let g = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, 0.0])?);
    /// let zg = t.complex_log(x, Some(g), 1e-7)?;
    /// assert_eq!(t.value(zg)?, &[(4.0 + 1e-7f64).ln(), 0.0, 1.0, 0.0]);
    /// let s = t.sum(zg)?;
    /// t.backward(s)?;
    /// assert!((t.grad(x)?[0] + 1.0 / (4.0 + 1e-7)).abs() < 1e-15); // d ln|x| / dx
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn complex_log(&mut self, x: Var, gate: Option<Var>, eps: T) -> Result<Var> {
        let ix = self.index_of(x)?;
        let sx = self.nodes[ix].shape;
        let (rows, inputs) = matrix_dims("complex_log", sx)?;
        if !(eps > T::zero() && eps.is_finite()) {
            return Err(Error::invalid(
                "complex_log eps",
                format!("eps must be positive and finite, got {eps}"),
            ));
        }
        let shape = Shape::new(&[2, inputs, rows])?;
        let n = rows * inputs;
        let mut work = std::mem::take(&mut self.scratch);
        let z = match gate {
            None => self.record(
                Op::ComplexLog { eps, gated: false },
                &[ix],
                shape,
                |vals, nodes, out| {
                    let xs = &vals[nodes[ix].range()];
                    let (l, k) = out.split_at_mut(n);
                    let m = kernels::work_space(&mut work, n);
                    for i in 0..inputs {
                        for b in 0..rows {
                            let x = xs[b * inputs + i];
                            let a = x.abs();
                            m[i * rows + b] = if a < eps { eps } else { a }; // NaN stays NaN
                            k[i * rows + b] = negative(x);
                        }
                    }
                    T::ln_slice(m, l);
                },
            ),
            Some(g) => {
                let ig = self.index_of(g)?;
                let sg = self.nodes[ig].shape;
                if sg != Shape::vector(inputs) {
                    return Err(Error::ShapeMismatch {
                        op: "complex_log",
                        left: sx.into(),
                        right: sg.into(),
                    });
                }
                self.record(
                    Op::ComplexLog { eps, gated: true },
                    &[ix, ig],
                    shape,
                    |vals, nodes, out| {
                        let xs = &vals[nodes[ix].range()];
                        let gs = &vals[nodes[ig].range()];
                        let (l, k) = out.split_at_mut(n);
                        let r = kernels::work_space(&mut work, n);
                        for (i, &g) in gs.iter().enumerate() {
                            for b in 0..rows {
                                let x = xs[b * inputs + i];
                                r[i * rows + b] = g * (x.abs() + eps) + (T::one() - g);
                                k[i * rows + b] = g * negative(x);
                            }
                        }
                        T::ln_slice(r, l);
                    },
                )
            }
        };
        self.scratch = work;
        z
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>, eps: T, gated: bool) {
    let x = c.inputs.value(0);
    let n = x.len();
    let (rows, inputs) = (c.inputs.shape(0).dim(0), c.inputs.shape(0).dim(1));
    // G_l and G_k, transposed ([I, B]) as the planes.
    let (gl, gk) = c.g.split_at(n);
    if !gated {
        if let Some(dx) = c.grads.get(0) {
            for b in 0..rows {
                for i in 0..inputs {
                    let (j, g) = (b * inputs + i, gl[i * rows + b]);
                    let xj = x[j];
                    let m = xj.abs();
                    dx[j] = dx[j]
                        + if m > eps {
                            g / xj
                        } else if m == eps {
                            g / (xj + xj)
                        } else {
                            T::zero()
                        };
                }
            }
        }
        return;
    }
    let gate = c.inputs.value(1);
    let work = kernels::work_space(c.scratch, n);
    // dr = G_l / r, transposed.
    for (i, &g) in gate.iter().enumerate() {
        for b in 0..rows {
            let t = i * rows + b;
            work[t] = gl[t] / (g * (x[b * inputs + i].abs() + eps) + (T::one() - g));
        }
    }
    let dr: &[T] = work;
    let Some((dx, dg)) = c.grads.both() else {
        // x and g the same node cannot happen: their shapes differ.
        return;
    };
    if let Some(dx) = dx {
        for b in 0..rows {
            for (i, &g) in gate.iter().enumerate() {
                let j = b * inputs + i;
                let s = sign(x[j]);
                // As abs's VJP: a zero sign selects 0.
                let d = if s == T::zero() {
                    T::zero()
                } else {
                    dr[i * rows + b] * g * s
                };
                dx[j] = dx[j] + d;
            }
        }
    }
    if let Some(dg) = dg {
        for (i, d) in dg.iter_mut().enumerate() {
            let mut acc = T::zero();
            for b in 0..rows {
                let (t, xj) = (i * rows + b, x[b * inputs + i]);
                let a = xj.abs() + eps;
                acc = acc + ((dr[t] * a - dr[t]) + gk[t] * negative(xj));
            }
            *d = *d + acc;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tensor::Element;
    use crate::{Error, Shape, Tape, Tensor, Var};

    /// The plain graphs the operation replaces, as `[l, k]` planes.
    fn plain<T: Element>(t: &mut Tape<T>, x: Var, g: Option<Var>, eps: T) -> Var {
        let (b, i) = {
            let s = t.shape(x).unwrap();
            (s.dim(0), s.dim(1))
        };
        let (l, k) = match g {
            None => (t.log_abs(x, eps).unwrap(), t.is_negative(x).unwrap()),
            Some(g) => {
                let g = t.broadcast_to(g, Shape::matrix(b, i)).unwrap();
                let a = t.abs(x).unwrap();
                let a = t.add_scalar(a, eps).unwrap();
                let ga = t.mul(g, a).unwrap();
                let omg = t.neg(g).unwrap();
                let omg = t.add_scalar(omg, T::one()).unwrap();
                let r = t.add(ga, omg).unwrap();
                let n = t.is_negative(x).unwrap();
                (t.log(r).unwrap(), t.mul(g, n).unwrap())
            }
        };
        // Stack the transposed planes: [1, I·B] each, side by side, then [2, I, B].
        let l = t.transpose(l).unwrap();
        let k = t.transpose(k).unwrap();
        let l = t.reshape(l, Shape::matrix(1, b * i)).unwrap();
        let k = t.reshape(k, Shape::matrix(1, b * i)).unwrap();
        let lk = t.concat_cols(l, k).unwrap();
        t.reshape(lk, Shape::new(&[2, i, b]).unwrap()).unwrap()
    }

    /// Values and gradients (x, g) of `sum(z ⊙ G)` through either path.
    fn run<T: Element>(
        fused: bool,
        xs: &[T],
        gs: Option<&[T]>,
        (b, i): (usize, usize),
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let eps = T::from_f64_lossy(1e-7);
        let mut t = Tape::<T>::new();
        let x = t.variable_slice(Shape::matrix(b, i), xs).unwrap();
        let g = gs.map(|gs| t.variable_slice(Shape::vector(i), gs).unwrap());
        let z = if fused {
            t.complex_log(x, g, eps).unwrap()
        } else {
            plain(&mut t, x, g, eps)
        };
        let w: Vec<T> = (0..2 * b * i)
            .map(|k| T::from_f64_lossy(0.3 + 0.17 * k as f64))
            .collect();
        let w = t
            .constant_slice(Shape::new(&[2, i, b]).unwrap(), &w)
            .unwrap();
        let p = t.mul(z, w).unwrap();
        let s = t.sum(p).unwrap();
        t.backward(s).unwrap();
        let f = |v: &[T]| v.iter().map(|x| x.to_f64_lossy()).collect::<Vec<_>>();
        (
            f(t.value(z).unwrap()),
            f(t.grad(x).unwrap()),
            g.map(|g| f(t.grad(g).unwrap())).unwrap_or_default(),
        )
    }

    fn close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (k, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                (x - y).abs() <= tol * (1.0 + y.abs()),
                "element {k}: {x} vs {y}"
            );
        }
    }

    #[test]
    fn values_and_gradients_agree_with_the_plain_graphs() {
        // Negative, positive, zero, below and at the floor; gates inside
        // [0, 1] and at its ends.
        let (b, i) = (4, 3);
        let xs = [
            -3.0, 0.5, 0.0, 2.0, -0.25, 1e-8, -1e-7, 7.5, -1.5, 0.1, -20.0, 1.0,
        ];
        let gs = [0.25, 1.0, 0.0];
        for gate in [None, Some(&gs[..])] {
            let f = run(true, &xs, gate, (b, i));
            let p = run(false, &xs, gate, (b, i));
            // f64: to rounding (stated tolerance 1e-14 relative).
            close(&f.0, &p.0, 1e-14);
            close(&f.1, &p.1, 1e-14);
            close(&f.2, &p.2, 1e-14);
            let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
            let gs32: Vec<f32> = gs.iter().map(|&x| x as f32).collect();
            let g32 = gate.map(|_| &gs32[..]);
            let f = run(true, &xs32, g32, (b, i));
            let p = run(false, &xs32, g32, (b, i));
            // f32: within a few ulp (1e-6 relative).
            close(&f.0, &p.0, 1e-6);
            close(&f.1, &p.1, 1e-6);
            close(&f.2, &p.2, 1e-6);
        }
    }

    #[test]
    fn shapes_and_eps_are_checked() {
        let mut t = Tape::<f64>::new();
        let x = t.variable(&Tensor::full(Shape::matrix(2, 3), 1.0));
        let g = t.variable(&Tensor::full(Shape::vector(2), 1.0));
        assert!(matches!(
            t.complex_log(x, Some(g), 1e-7),
            Err(Error::ShapeMismatch {
                op: "complex_log",
                ..
            })
        ));
        for eps in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                t.complex_log(x, None, eps),
                Err(Error::InvalidArgument {
                    name: "complex_log eps",
                    ..
                })
            ));
        }
        let v = t.variable(&Tensor::full(Shape::vector(3), 1.0));
        assert!(matches!(
            t.complex_log(v, None, 1e-7),
            Err(Error::InvalidShape { .. })
        ));
    }
}
