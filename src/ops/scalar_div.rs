//! Dividing a constant scalar by every element.
//!
//! Forward: `z = c / a` for a fixed `c` (not differentiated).
//!
//! VJP: `dz/da = -c / a^2 = -z / a`, so `da += -(g * z / a)` (the same
//! expression as the divisor's gradient in [`crate::Tape::div`]).

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `c / a` for a constant `c` (the scalar on the left).
    /// `a = 0` gives an infinity or NaN, as [`Tape::div`] does.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![2.0, -4.0])?);
    /// let z = t.scalar_div(1.0, a)?;
    /// assert_eq!(t.value(z)?, &[0.5, -0.25]);
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.grad(a)?, &[-0.25, -0.0625]); // -1 / a^2
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn scalar_div(&mut self, c: T, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::ScalarDiv(c), ia, shape, |a, out| {
            kernels::map(a, out, |x| c / x)
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let a = c.inputs.value(0);
    if let Some(ga) = c.grads.get(0) {
        kernels::zip3_map_add(c.g, c.out, a, ga, |g, z, x| -(g * z / x));
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn value_and_gradient() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![0.5, -2.0]).unwrap());
        let z = t.scalar_div(3.0, a).unwrap();
        assert_eq!(t.value(z).unwrap(), &[6.0, -1.5]);
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        // d/da = -3 / a^2.
        assert_eq!(t.grad(a).unwrap(), &[-12.0, -0.75]);
    }

    #[test]
    fn f32_division_by_zero_is_infinite_not_an_error() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(0.0));
        let z = t.scalar_div(1.0, a).unwrap();
        assert_eq!(t.item(z).unwrap(), f32::INFINITY);
    }
}
