//! Elementwise minimum and maximum of two tensors.
//!
//! Forward: `z = min(a, b)` or `z = max(a, b)` (same shapes). Where either
//! operand is NaN the result is NaN (unlike `f64::min`, which drops it).
//!
//! VJP: the gradient goes to the operand that was selected:
//! `da += g` where `a` wins, `db += g` where `b` wins. At a tie `a == b`
//! the gradient is split half and half, `da += g/2`, `db += g/2` (PyTorch's
//! rule for `minimum`/`maximum`): the two one-sided derivatives are 1 and 0,
//! and the split is their average, so `min(a, a)` has gradient exactly 1.
//! Where either operand is NaN neither receives anything.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `min(a, b)`; the shapes must be equal.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0, 5.0, 2.0])?);
    /// let b = t.variable(&Tensor::from_vec(Shape::vector(3), vec![3.0, 4.0, 2.0])?);
    /// let z = t.minimum(a, b)?;
    /// assert_eq!(t.value(z)?, &[1.0, 4.0, 2.0]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?, &[1.0, 0.0, 0.5]); // a tie splits the gradient
    /// assert_eq!(t.grad(b)?, &[0.0, 1.0, 0.5]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn minimum(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib, shape) = self.same_shape("minimum", a, b)?;
        self.record_binary(Op::Minimum, ia, ib, shape, |a, b, out| {
            kernels::zip_map(a, b, out, |x, y| {
                if x <= y {
                    x
                } else if y < x {
                    y
                } else {
                    x + y // unordered: one of them is NaN
                }
            })
        })
    }

    /// Elementwise `max(a, b)`; the shapes must be equal.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0, 5.0, 2.0])?);
    /// let b = t.variable(&Tensor::from_vec(Shape::vector(3), vec![3.0, 4.0, 2.0])?);
    /// let z = t.maximum(a, b)?;
    /// assert_eq!(t.value(z)?, &[3.0, 5.0, 2.0]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?, &[0.0, 1.0, 0.5]); // a tie splits the gradient
    /// assert_eq!(t.grad(b)?, &[1.0, 0.0, 0.5]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn maximum(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib, shape) = self.same_shape("maximum", a, b)?;
        self.record_binary(Op::Maximum, ia, ib, shape, |a, b, out| {
            kernels::zip_map(a, b, out, |x, y| {
                if x >= y {
                    x
                } else if y > x {
                    y
                } else {
                    x + y // unordered: one of them is NaN
                }
            })
        })
    }
}

/// Shared VJP: `wins(x, y)` says whether the operand with value `x` was
/// strictly selected over the other operand's `y`.
fn backward_selected<T: Element>(c: &mut Backward<'_, T>, wins: impl Fn(T, T) -> bool + Copy) {
    let (a, b) = (c.inputs.value(0), c.inputs.value(1));
    let half = T::from_f64_lossy(0.5);
    let share = move |g: T, x: T, y: T| {
        if wins(x, y) {
            g
        } else if x == y {
            g * half
        } else {
            T::zero()
        }
    };
    if let Some(ga) = c.grads.get(0) {
        kernels::zip3_map_add(c.g, a, b, ga, share);
    }
    if let Some(gb) = c.grads.get(1) {
        kernels::zip3_map_add(c.g, b, a, gb, share);
    }
}

pub(crate) fn backward_minimum<T: Element>(c: &mut Backward<'_, T>) {
    backward_selected(c, |x, y| x < y);
}

pub(crate) fn backward_maximum<T: Element>(c: &mut Backward<'_, T>) {
    backward_selected(c, |x, y| x > y);
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor};

    /// Values and gradients of `sum(op(a, b) * w)` for `w = [1, 2, 3, ...]`.
    fn run(
        op: fn(&mut Tape<f64>, crate::Var, crate::Var) -> crate::Result<crate::Var>,
        a: &[f64],
        b: &[f64],
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let n = a.len();
        let mut t = Tape::<f64>::new();
        let va = t.variable_slice(Shape::vector(n), a).unwrap();
        let vb = t.variable_slice(Shape::vector(n), b).unwrap();
        let z = op(&mut t, va, vb).unwrap();
        let w: Vec<f64> = (1..=n).map(|k| k as f64).collect();
        let w = t.constant_slice(Shape::vector(n), &w).unwrap();
        let zw = t.mul(z, w).unwrap();
        let s = t.sum(zw).unwrap();
        t.backward(s).unwrap();
        (
            t.value(z).unwrap().to_vec(),
            t.grad(va).unwrap().to_vec(),
            t.grad(vb).unwrap().to_vec(),
        )
    }

    #[test]
    fn minimum_routes_gradient_and_splits_ties() {
        let (z, ga, gb) = run(
            Tape::minimum,
            &[1.0, 5.0, 2.0, -4.0],
            &[3.0, 4.0, 2.0, -4.0],
        );
        assert_eq!(z, [1.0, 4.0, 2.0, -4.0]);
        assert_eq!(ga, [1.0, 0.0, 1.5, 2.0]);
        assert_eq!(gb, [0.0, 2.0, 1.5, 2.0]);
    }

    #[test]
    fn maximum_routes_gradient_and_splits_ties() {
        let (z, ga, gb) = run(
            Tape::maximum,
            &[1.0, 5.0, 2.0, -4.0],
            &[3.0, 4.0, 2.0, -4.0],
        );
        assert_eq!(z, [3.0, 5.0, 2.0, -4.0]);
        assert_eq!(ga, [0.0, 2.0, 1.5, 2.0]);
        assert_eq!(gb, [1.0, 0.0, 1.5, 2.0]);
    }

    #[test]
    fn nan_propagates_with_no_gradient() {
        for op in [Tape::minimum, Tape::maximum] {
            let (z, ga, gb) = run(op, &[f64::NAN, 1.0], &[1.0, f64::NAN]);
            assert!(z[0].is_nan() && z[1].is_nan());
            assert_eq!(ga, [0.0, 0.0]);
            assert_eq!(gb, [0.0, 0.0]);
        }
    }

    #[test]
    fn same_operand_twice_has_gradient_one_f32() {
        let mut t = Tape::<f32>::new();
        let a = t.variable_slice(Shape::vector(2), &[-1.5, 2.0]).unwrap();
        let lo = t.minimum(a, a).unwrap();
        let hi = t.maximum(a, a).unwrap();
        assert_eq!(t.value(lo).unwrap(), &[-1.5, 2.0]);
        assert_eq!(t.value(hi).unwrap(), &[-1.5, 2.0]);
        let both = t.add(lo, hi).unwrap();
        let s = t.sum(both).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[2.0, 2.0]);
    }

    #[test]
    fn constant_operand_gets_nothing() {
        // relu written as maximum(a, 0): the tie at 0 gives a half.
        let mut t = Tape::<f64>::new();
        let a = t
            .variable_slice(Shape::vector(3), &[-1.0, 0.0, 2.0])
            .unwrap();
        let zero = t.constant(&Tensor::zeros(Shape::vector(3)));
        let z = t.maximum(a, zero).unwrap();
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.0, 0.5, 1.0]);
        let r = t.grad(zero);
        assert!(
            matches!(&r, Err(Error::NotAvailable(m)) if m.contains("has no gradient")),
            "{r:?}"
        );
    }

    #[test]
    fn shape_mismatch_names_both_shapes() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::zeros(Shape::matrix(2, 3)));
        let b = t.constant(&Tensor::zeros(Shape::vector(6)));
        for (name, e) in [
            ("minimum", t.minimum(a, b).unwrap_err()),
            ("maximum", t.maximum(a, b).unwrap_err()),
        ] {
            assert_eq!(
                e,
                Error::ShapeMismatch {
                    op: name,
                    left: Shape::matrix(2, 3).into(),
                    right: Shape::vector(6).into()
                }
            );
            assert!(e.to_string().contains("[2, 3]") && e.to_string().contains("[6]"));
        }
    }
}
