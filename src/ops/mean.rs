//! Means: over every element, or along one axis.
//!
//! Forward: `z = (1/n) Σ_i a_i` over the `n` elements (a scalar), or
//! `z[o, 0, i] = (1/L) Σ_l a[o, l, i]` along an axis of length `L` (the axis
//! is kept with size 1, as in [`Tape::sum_axis`]).
//!
//! The whole mean sums in eight interleaved lanes (`kernels::sum`, as
//! `Tape::sum`; until the training step was tuned it added one element
//! after the other).
//!
//! VJP: the sum's VJP scaled by the same factor: `da_i += g / n` (whole),
//! `da[o, l, i] += g[o, 0, i] / L` (per axis).
//!
//! The mean of no elements is undefined, so an empty input (or an axis of
//! length 0) is an error rather than a silent NaN.

use crate::error::{Error, Result};
use crate::ops::sum::check_axis;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

impl<T: Element> Tape<T> {
    /// The mean of every element, as a scalar.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::matrix(2, 2), vec![1.0, 2.0, 3.0, 6.0])?);
    /// let m = t.mean(a)?;
    /// assert_eq!(t.item(m)?, 3.0);
    /// t.backward(m)?;
    /// assert_eq!(t.grad(a)?, &[0.25; 4]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn mean(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        let n = count("mean", shape, shape.numel())?;
        self.record_unary(Op::Mean, ia, Shape::scalar(), |a, out| {
            out[0] = kernels::sum(a) / n
        })
    }

    /// The mean along `axis`, keeping that axis with size 1
    /// (`[B, I]` averaged along 0 gives `[1, I]`).
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.constant(&Tensor::from_vec(Shape::matrix(2, 2), vec![1.0, 2.0, 3.0, 6.0])?);
    /// let m = t.mean_axis(a, 0)?;
    /// assert_eq!(t.shape(m)?, Shape::matrix(1, 2));
    /// assert_eq!(t.value(m)?, &[2.0, 4.0]);
    /// assert!(matches!(
    ///     t.mean_axis(a, 2),
    ///     Err(arithgrad::Error::InvalidShape { op: "mean_axis", .. })
    /// ));
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn mean_axis(&mut self, a: Var, axis: usize) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        check_axis("mean_axis", shape, axis)?;
        let n = count("mean_axis", shape, shape.dim(axis))?;
        self.record_unary(
            Op::MeanAxis(axis as u8),
            ia,
            shape.reduced(axis),
            |a, out| {
                kernels::sum_axis(a, shape, axis, out);
                for x in out.iter_mut() {
                    *x = *x / n;
                }
            },
        )
    }
}

/// `n` as an element, or an error when there is nothing to average.
fn count<T: Element>(op: &'static str, shape: Shape, n: usize) -> Result<T> {
    if n == 0 {
        return Err(Error::InvalidShape {
            op,
            shape: shape.into(),
            reason: "the mean of no elements is undefined".into(),
        });
    }
    Ok(T::from_f64_lossy(n as f64))
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let n = T::from_f64_lossy(c.inputs.shape(0).numel() as f64);
    let share = c.g[0] / n;
    if let Some(ga) = c.grads.get(0) {
        for x in ga.iter_mut() {
            *x = *x + share;
        }
    }
}

pub(crate) fn backward_axis<T: Element>(c: &mut Backward<'_, T>, axis: usize) {
    let shape = c.inputs.shape(0);
    let scale = T::one() / T::from_f64_lossy(shape.dim(axis) as f64);
    if let Some(ga) = c.grads.get(0) {
        kernels::sum_axis_backward_add(c.g, shape, axis, scale, ga);
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
    fn mean_spreads_the_gradient_evenly() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(4), vec![1.0, 2.0, 3.0, 10.0]).unwrap());
        let m = t.mean(a).unwrap();
        assert_eq!(t.shape(m).unwrap(), Shape::scalar());
        assert_eq!(t.item(m).unwrap(), 4.0);
        let k = t.scalar(8.0);
        let l = t.mul(m, k).unwrap();
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[2.0; 4]);
    }

    #[test]
    fn mean_in_f32() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, 4.0]).unwrap());
        let m = t.mean(a).unwrap();
        assert_eq!(t.item(m).unwrap(), 2.5);
        t.backward(m).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.5, 0.5]);
    }

    #[test]
    fn mean_axis_along_rows_and_columns() {
        // a = [[1, 2, 3], [5, 6, 7]]
        let data = [1.0, 2.0, 3.0, 5.0, 6.0, 7.0];
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_slice(Shape::matrix(2, 3), &data).unwrap());
        let rows = t.mean_axis(a, 1).unwrap();
        assert_eq!(t.shape(rows).unwrap(), Shape::matrix(2, 1));
        assert_eq!(t.value(rows).unwrap(), &[2.0, 6.0]);
        let l = weighted_sum(&mut t, rows, &[3.0, 6.0]);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);

        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_slice(Shape::matrix(2, 3), &data).unwrap());
        let cols = t.mean_axis(a, 0).unwrap();
        assert_eq!(t.shape(cols).unwrap(), Shape::matrix(1, 3));
        assert_eq!(t.value(cols).unwrap(), &[3.0, 4.0, 5.0]);
        let l = weighted_sum(&mut t, cols, &[2.0, 4.0, -6.0]);
        t.backward(l).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[1.0, 2.0, -3.0, 1.0, 2.0, -3.0]);
    }

    #[test]
    fn mean_axis_of_a_3d_tensor() {
        // [2, 2, 2] averaged along the middle axis.
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_fn(Shape::new(&[2, 2, 2]).unwrap(), |i| {
            i as f64
        }));
        let m = t.mean_axis(a, 1).unwrap();
        assert_eq!(t.shape(m).unwrap().dims(), &[2, 1, 2]);
        // [(0+2)/2, (1+3)/2, (4+6)/2, (5+7)/2]
        assert_eq!(t.value(m).unwrap(), &[1.0, 2.0, 5.0, 6.0]);
        let l = weighted_sum(&mut t, m, &[2.0, 4.0, 6.0, 8.0]);
        t.backward(l).unwrap();
        assert_eq!(
            t.grad(a).unwrap(),
            &[1.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 4.0]
        );
    }

    #[test]
    fn bad_axis_and_empty_input_are_errors() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::zeros(Shape::matrix(2, 3)));
        assert!(matches!(
            t.mean_axis(a, 2).unwrap_err(),
            Error::InvalidShape {
                op: "mean_axis",
                ..
            }
        ));
        let empty = t.constant(&Tensor::zeros(Shape::matrix(2, 0)));
        assert!(matches!(
            t.mean(empty).unwrap_err(),
            Error::InvalidShape { op: "mean", .. }
        ));
        assert!(matches!(
            t.mean_axis(empty, 1).unwrap_err(),
            Error::InvalidShape {
                op: "mean_axis",
                ..
            }
        ));
        // Averaging along the non-empty axis of an empty tensor is fine: [1, 0].
        let m = t.mean_axis(empty, 0).unwrap();
        assert_eq!(t.shape(m).unwrap(), Shape::matrix(1, 0));
    }
}
