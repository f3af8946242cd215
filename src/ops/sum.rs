//! Sums: over every element, or along one axis.
//!
//! Forward: `z = sum_i a_i` (a scalar), or
//! `z[o, 0, i] = sum_l a[o, l, i]` along `axis` (the axis is kept with size 1).
//! The whole sum adds in eight interleaved lanes (`kernels::sum`; until the
//! training step was tuned it added one element after the other).
//!
//! VJP: every element of `a` receives the gradient of the sum it went into:
//! `da_i += g` (whole), `da[o, l, i] += g[o, 0, i]` (per axis).

use crate::error::{Error, Result};
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element, Shape};

impl<T: Element> Tape<T> {
    /// The sum of every element, as a scalar.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.constant(&Tensor::from_vec(Shape::matrix(2, 2), vec![1.0, 2.0, 3.0, 4.0])?);
    /// let s = t.sum(a)?;
    /// assert_eq!(t.item(s)?, 10.0);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn sum(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        self.record_unary(Op::Sum, ia, Shape::scalar(), |a, out| {
            out[0] = kernels::sum(a)
        })
    }

    /// The sum along `axis`, keeping that axis with size 1
    /// (`[B, I]` summed along 1 gives `[B, 1]`).
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.constant(&Tensor::from_vec(Shape::matrix(2, 2), vec![1.0, 2.0, 3.0, 4.0])?);
    /// let s = t.sum_axis(a, 1)?;
    /// assert_eq!(t.value(s)?, &[3.0, 7.0]);
    /// assert!(matches!(
    ///     t.sum_axis(a, 2),
    ///     Err(arithgrad::Error::InvalidShape { op: "sum_axis", .. })
    /// ));
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn sum_axis(&mut self, a: Var, axis: usize) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        check_axis("sum_axis", shape, axis)?;
        self.record_unary(
            Op::SumAxis(axis as u8),
            ia,
            shape.reduced(axis),
            |a, out| kernels::sum_axis(a, shape, axis, out),
        )
    }
}

/// An error unless `axis` names a dimension of `shape`.
pub(crate) fn check_axis(op: &'static str, shape: Shape, axis: usize) -> Result<()> {
    if axis >= shape.rank() {
        return Err(Error::InvalidShape {
            op,
            shape: shape.into(),
            reason: format!("axis {axis} is out of range for rank {}", shape.rank()),
        });
    }
    Ok(())
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let g = c.g[0];
    if let Some(ga) = c.grads.get(0) {
        for x in ga.iter_mut() {
            *x = *x + g;
        }
    }
}

pub(crate) fn backward_axis<T: Element>(c: &mut Backward<'_, T>, axis: usize) {
    let shape = c.inputs.shape(0);
    if let Some(ga) = c.grads.get(0) {
        kernels::sum_axis_backward_add(c.g, shape, axis, T::one(), ga);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn sum_axis_gradient_spreads_each_line() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_fn(Shape::matrix(2, 3), |i| i as f64));
        let s = t.sum_axis(a, 0).unwrap();
        assert_eq!(t.value(s).unwrap(), &[3.0, 5.0, 7.0]);
        let w = t.constant(&Tensor::from_vec(Shape::matrix(1, 3), vec![1.0, 2.0, 3.0]).unwrap());
        let ws = t.mul(s, w).unwrap();
        let total = t.sum(ws).unwrap();
        t.backward(total).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
    }
}
