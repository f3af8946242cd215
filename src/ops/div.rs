//! Elementwise division.
//!
//! Forward: `z = a / b` (same shapes). Division by zero follows IEEE 754
//! (`±inf` or NaN); turn on [`Tape::set_check_finite`] to catch it.
//!
//! VJP: `da += g / b`, `db -= g * a / b^2`, computed as `db -= g * z / b`
//! from the stored output (same value, and `b^2` cannot overflow).

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `a / b`; the shapes must be equal.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![3.0, 1.0])?);
    /// let b = t.constant(&Tensor::from_vec(Shape::vector(2), vec![2.0, -4.0])?);
    /// let z = t.div(a, b)?;
    /// assert_eq!(t.value(z)?, &[1.5, -0.25]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn div(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib, shape) = self.same_shape("div", a, b)?;
        self.record_binary(Op::Div, ia, ib, shape, |a, b, out| {
            kernels::zip_map(a, b, out, |x, y| x / y)
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let b = c.inputs.value(1);
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, b, ga, |g, y| g / y);
    }
    if let Some(gb) = c.grads.get(1) {
        kernels::zip3_map_add(c.g, c.out, b, gb, |g, z, y| -(g * z / y));
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor};

    #[test]
    fn quotient_rule_by_hand() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![3.0, -1.0, 8.0]).unwrap());
        let b = t.variable(&Tensor::from_vec(Shape::vector(3), vec![2.0, 4.0, -0.5]).unwrap());
        let z = t.div(a, b).unwrap();
        assert_eq!(t.value(z).unwrap(), &[1.5, -0.25, -16.0]);
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        // d/da = 1/b; d/db = -a/b^2.
        assert_eq!(t.grad(a).unwrap(), &[0.5, 0.25, -2.0]);
        assert_eq!(t.grad(b).unwrap(), &[-0.75, 0.0625, -32.0]);
    }

    #[test]
    fn f32_same_operand_twice_has_zero_gradient() {
        // z = a / a = 1, so dz/da = 1/a - a/a^2 = 0.
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(4.0));
        let z = t.div(a, a).unwrap();
        assert_eq!(t.item(z).unwrap(), 1.0);
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.0]);
    }

    #[test]
    fn constant_numerator_gives_only_denominator_gradient() {
        // z = 1 / b, dz/db = -1/b^2.
        let mut t = Tape::<f64>::new();
        let one = t.scalar(1.0);
        let b = t.variable(&Tensor::scalar(-2.0));
        let z = t.div(one, b).unwrap();
        t.backward(z).unwrap();
        assert_eq!(t.grad(b).unwrap(), &[-0.25]);
        let r = t.grad(one);
        assert!(
            matches!(&r, Err(Error::NotAvailable(m)) if m.contains("has no gradient")),
            "{r:?}"
        );
    }

    #[test]
    fn division_by_zero_is_caught_in_checked_mode() {
        let mut t = Tape::<f64>::new();
        t.set_check_finite(true);
        let a = t.variable(&Tensor::scalar(1.0));
        let b = t.constant(&Tensor::scalar(0.0));
        let e = t.div(a, b).unwrap_err();
        assert!(matches!(e, Error::NonFinite { op: "div", .. }), "{e:?}");
    }

    #[test]
    fn shape_mismatch_names_both_shapes() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::zeros(Shape::matrix(2, 1)));
        let b = t.constant(&Tensor::zeros(Shape::matrix(2, 2)));
        let e = t.div(a, b).unwrap_err();
        assert_eq!(
            e,
            Error::ShapeMismatch {
                op: "div",
                left: Shape::matrix(2, 1).into(),
                right: Shape::matrix(2, 2).into()
            }
        );
        assert!(e.to_string().contains("[2, 1]") && e.to_string().contains("[2, 2]"));
    }
}
