//! The gate mix of the NALU family: a sigmoid gate choosing, per element,
//! between an additive and a multiplicative result. A three-operand node.
//!
//! Forward, for `a`, `m` of one shape and a gate `g` of that shape, or a
//! vector `[O]` shared by every row of matrices `a`, `m: [B, O]` (one gate
//! per output, as iNALU's):
//!
//! ```text
//! z = g ⊙ a + (1 − g) ⊙ m,    with 1 − g evaluated as (−g) + 1
//! ```
//!
//! In this form (not `m + g (a − m)`) a saturated gate gives exactly one
//! path: `g = 1` gives `a`, `g = 0` gives `m`, bit for bit.
//!
//! VJP, with `G = dL/dz`:
//!
//! ```text
//! dm += G ⊙ (1 − g)
//! dg += −(G ⊙ m), then += G ⊙ a        (two roundings, in this order)
//! da += G ⊙ g
//! ```
//!
//! For a row gate, `dg[o]` receives the sum over the rows `b` (in row order)
//! of `(0 − G[b, o] m[b, o]) + G[b, o] a[b, o]`: what `broadcast_to(g, [B, O])`
//! followed by the gate mix gives, bit for bit.
//!
//! Each element is computed with the same operations in the same order as
//! the five-node graph `add(mul(g, a), mul(add_scalar(neg(g), 1), m))` it
//! replaces (that graph's reverse sweep reaches `m`, then `g` through the
//! negation, then `g` and `a` through the first product), so values and
//! gradients are that graph's bit for bit (tested below, f32 and f64). It
//! records one node instead of five and makes one pass instead of eight.

use crate::error::{Error, Result};
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::Element;

impl<T: Element> Tape<T> {
    /// `g * a + (1 - g) * m`, elementwise. `a` and `m` have one shape; `g`
    /// has that shape too, or is a vector `[O]` applied to every row of
    /// `[B, O]` matrices `a` and `m`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let v = |t: &mut Tape<f64>, x: Vec<f64>| t.variable(&Tensor::from_vec(Shape::vector(3), x).unwrap());
    /// let g = v(&mut t, vec![1.0, 0.0, 0.25]);
    /// let a = v(&mut t, vec![2.0, 2.0, 2.0]);
    /// let m = v(&mut t, vec![6.0, 6.0, 6.0]);
    /// let z = t.gate_mix(g, a, m)?;
    /// assert_eq!(t.value(z)?, &[2.0, 6.0, 5.0]); // a where g = 1, m where g = 0
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(g)?, &[-4.0, -4.0, -4.0]); // a - m
    /// assert_eq!(t.grad(a)?, &[1.0, 0.0, 0.25]); // g
    /// assert_eq!(t.grad(m)?, &[0.0, 1.0, 0.75]); // 1 - g
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn gate_mix(&mut self, g: Var, a: Var, m: Var) -> Result<Var> {
        let (ia, im, shape) = self.same_shape("gate_mix", a, m)?;
        let ig = self.index_of(g)?;
        let sg = self.nodes[ig].shape;
        let by_rows = sg.rank() == 1 && shape.rank() == 2 && sg.dim(0) == shape.dim(1);
        if sg != shape && !by_rows {
            return Err(Error::ShapeMismatch {
                op: "gate_mix",
                left: sg.into(),
                right: shape.into(),
            });
        }
        let width = sg.numel();
        self.record(Op::GateMix, &[ig, ia, im], shape, |vals, nodes, out| {
            let g = &vals[nodes[ig].range()];
            let a = &vals[nodes[ia].range()];
            let m = &vals[nodes[im].range()];
            if width == 0 {
                return;
            }
            let rows = out
                .chunks_mut(width)
                .zip(a.chunks(width))
                .zip(m.chunks(width));
            for ((o, a), m) in rows {
                for (((o, &g), &a), &m) in o.iter_mut().zip(g).zip(a).zip(m) {
                    *o = g * a + (-g + T::one()) * m;
                }
            }
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let (g, a, m) = (c.inputs.value(0), c.inputs.value(1), c.inputs.value(2));
    let dz = c.g;
    let width = g.len();
    if width == 0 {
        return;
    }
    let by_rows = c.inputs.shape(0) != c.shape;
    // Row by row (one row when the gate has the operands' shape); one
    // operand at a time, so a node passed twice gets both terms.
    if let Some(dm) = c.grads.get(2) {
        for (dm, dz) in dm.chunks_mut(width).zip(dz.chunks(width)) {
            for ((d, &gz), &g) in dm.iter_mut().zip(dz).zip(g) {
                *d = *d + gz * (-g + T::one());
            }
        }
    }
    if let Some(dg) = c.grads.get(0) {
        for ((dz, a), m) in dz.chunks(width).zip(a.chunks(width)).zip(m.chunks(width)) {
            for (((d, &gz), &a), &m) in dg.iter_mut().zip(dz).zip(a).zip(m) {
                *d = if by_rows {
                    // The broadcast's row sum of a zero-started slot.
                    *d + ((T::zero() - gz * m) + gz * a)
                } else {
                    (*d - gz * m) + gz * a
                };
            }
        }
    }
    if let Some(da) = c.grads.get(1) {
        for (da, dz) in da.chunks_mut(width).zip(dz.chunks(width)) {
            for ((d, &gz), &g) in da.iter_mut().zip(dz).zip(g) {
                *d = *d + gz * g;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tensor::Element;
    use crate::{Error, Shape, Tape, Tensor, Var};

    /// The plain graph the operation replaces.
    fn unfused<T: Element>(t: &mut Tape<T>, g: Var, a: Var, m: Var) -> Var {
        let ga = t.mul(g, a).unwrap();
        let omg = t.neg(g).unwrap();
        let omg = t.add_scalar(omg, T::one()).unwrap();
        let gm = t.mul(omg, m).unwrap();
        t.add(ga, gm).unwrap()
    }

    type Run = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

    /// Value and gradients (g, a, m) of `sum(z ⊙ W)` through either path.
    fn run<T: Element>(fused: bool, gs: &[f64], as_: &[f64], ms: &[f64]) -> Run {
        let n = gs.len();
        let mut t = Tape::<T>::new();
        let mut var = |xs: &[f64]| {
            let v: Vec<T> = xs.iter().map(|&x| T::from_f64_lossy(x)).collect();
            t.variable(&Tensor::from_vec(Shape::vector(n), v).unwrap())
        };
        let (g, a, m) = (var(gs), var(as_), var(ms));
        let z = if fused {
            t.gate_mix(g, a, m).unwrap()
        } else {
            unfused(&mut t, g, a, m)
        };
        let w: Vec<T> = (0..n)
            .map(|k| T::from_f64_lossy(0.75 - 0.3 * k as f64))
            .collect();
        let w = t.constant_slice(Shape::vector(n), &w).unwrap();
        let loss = t.mul(z, w).unwrap();
        let loss = t.sum(loss).unwrap();
        t.backward(loss).unwrap();
        let f = |v: &[T]| v.iter().map(|x| x.to_f64_lossy()).collect::<Vec<_>>();
        (
            f(t.value(z).unwrap()),
            f(t.grad(g).unwrap()),
            f(t.grad(a).unwrap()),
            f(t.grad(m).unwrap()),
        )
    }

    fn bits(r: Run) -> Vec<Vec<u64>> {
        [r.0, r.1, r.2, r.3]
            .into_iter()
            .map(|v| v.into_iter().map(f64::to_bits).collect())
            .collect()
    }

    #[test]
    fn values_and_gradients_are_those_of_the_plain_graph_bit_for_bit() {
        let n = 37;
        let gs: Vec<f64> = (0..n)
            .map(|k| match k % 7 {
                0 => 0.0,
                1 => 1.0,
                _ => 1.0 / (1.0 + (-(0.9 * k as f64 - 15.0)).exp()),
            })
            .collect();
        let as_: Vec<f64> = (0..n).map(|k| (0.37 * k as f64).sin() * 3.0).collect();
        let ms: Vec<f64> = (0..n)
            .map(|k| (1.3 * k as f64).exp() * 1e-6 - 2.0)
            .collect();
        assert_eq!(
            bits(run::<f64>(true, &gs, &as_, &ms)),
            bits(run::<f64>(false, &gs, &as_, &ms))
        );
        assert_eq!(
            bits(run::<f32>(true, &gs, &as_, &ms)),
            bits(run::<f32>(false, &gs, &as_, &ms))
        );
    }

    /// Value and gradients (g, a, m) of a row gate `[O]` over `[B, O]`,
    /// fused or through `broadcast_to` and the elementwise mix.
    fn run_rows<T: Element>(fused: bool, (b, o): (usize, usize)) -> Run {
        let mut t = Tape::<T>::new();
        let mut var = |shape: Shape, f: &dyn Fn(usize) -> f64| {
            let v: Vec<T> = (0..shape.numel())
                .map(|k| T::from_f64_lossy(f(k)))
                .collect();
            t.variable(&Tensor::from_vec(shape, v).unwrap())
        };
        let g = var(Shape::vector(o), &|k| 1.0 / (1.0 + (1.7 - k as f64).exp()));
        let a = var(Shape::matrix(b, o), &|k| (0.37 * k as f64).sin() * 3.0);
        let m = var(Shape::matrix(b, o), &|k| (0.11 * k as f64).exp() - 2.0);
        let z = if fused {
            t.gate_mix(g, a, m).unwrap()
        } else {
            let gb = t.broadcast_to(g, Shape::matrix(b, o)).unwrap();
            t.gate_mix(gb, a, m).unwrap()
        };
        let w: Vec<T> = (0..b * o)
            .map(|k| T::from_f64_lossy(0.75 - 0.3 * k as f64))
            .collect();
        let w = t.constant_slice(Shape::matrix(b, o), &w).unwrap();
        let loss = t.mul(z, w).unwrap();
        let loss = t.sum(loss).unwrap();
        t.backward(loss).unwrap();
        let f = |v: &[T]| v.iter().map(|x| x.to_f64_lossy()).collect::<Vec<_>>();
        (
            f(t.value(z).unwrap()),
            f(t.grad(g).unwrap()),
            f(t.grad(a).unwrap()),
            f(t.grad(m).unwrap()),
        )
    }

    #[test]
    fn a_row_gate_is_the_broadcast_gate_bit_for_bit() {
        for dims in [(1, 1), (7, 3), (128, 1), (5, 9)] {
            assert_eq!(
                bits(run_rows::<f64>(true, dims)),
                bits(run_rows::<f64>(false, dims))
            );
            assert_eq!(
                bits(run_rows::<f32>(true, dims)),
                bits(run_rows::<f32>(false, dims))
            );
        }
    }

    #[test]
    fn a_saturated_gate_gives_exactly_one_path() {
        let (z, ..) = run::<f32>(true, &[1.0, 0.0], &[0.1, 0.1], &[0.7, 0.7]);
        assert_eq!(z, vec![0.1f32 as f64, 0.7f32 as f64]);
    }

    #[test]
    fn an_operand_passed_twice_gets_both_terms() {
        // z = g * g + (1 - g) * m: dz/dg = 2 g - m.
        let mut t = Tape::<f64>::new();
        let g = t.variable(&Tensor::from_vec(Shape::vector(2), vec![0.5, 0.25]).unwrap());
        let m = t.variable(&Tensor::from_vec(Shape::vector(2), vec![3.0, -1.0]).unwrap());
        let z = t.gate_mix(g, g, m).unwrap();
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(g).unwrap(), &[1.0 - 3.0, 0.5 + 1.0]);
        assert_eq!(t.grad(m).unwrap(), &[0.5, 0.75]);
        // All three the same node: z = g^2 + (1 - g) g = g, dz/dg = 1.
        let z = t.gate_mix(g, g, g).unwrap();
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(g).unwrap(), &[1.0, 1.0]);
    }

    #[test]
    fn shapes_must_be_equal() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0; 2]).unwrap());
        let b = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0; 3]).unwrap());
        let row = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0; 3]).unwrap());
        let mat = t.variable(&Tensor::from_vec(Shape::matrix(3, 2), vec![1.0; 6]).unwrap());
        // A vector gate must match the matrices' columns.
        for (g, x, m) in [(a, a, b), (a, b, a), (b, a, a), (row, mat, mat)] {
            let r = t.gate_mix(g, x, m);
            assert!(
                matches!(r, Err(Error::ShapeMismatch { op: "gate_mix", .. })),
                "{r:?}"
            );
        }
    }
}
