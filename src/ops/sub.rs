//! Elementwise subtraction.
//!
//! Forward: `z = a - b` (same shapes; broadcast explicitly with
//! [`Tape::broadcast_to`] first).
//!
//! VJP: `da += g`, `db -= g`.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `a - b`; the shapes must be equal.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![5.0, 1.0])?);
    /// let b = t.constant(&Tensor::from_vec(Shape::vector(2), vec![2.0, 4.0])?);
    /// let z = t.sub(a, b)?;
    /// assert_eq!(t.value(z)?, &[3.0, -3.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn sub(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib, shape) = self.same_shape("sub", a, b)?;
        self.record_binary(Op::Sub, ia, ib, shape, |a, b, out| {
            kernels::zip_map(a, b, out, |x, y| x - y)
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    if let Some(ga) = c.grads.get(0) {
        kernels::add_assign(ga, c.g);
    }
    if let Some(gb) = c.grads.get(1) {
        for (d, &g) in gb.iter_mut().zip(c.g) {
            *d = *d - g;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor};

    #[test]
    fn gradient_is_plus_one_and_minus_one() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0, 2.0, 3.0]).unwrap());
        let b = t.variable(&Tensor::from_vec(Shape::vector(3), vec![4.0, 6.0, 8.0]).unwrap());
        let z = t.sub(a, b).unwrap();
        assert_eq!(t.value(z).unwrap(), &[-3.0, -4.0, -5.0]);
        // loss = sum((a - b) * w) so the incoming gradient differs per element.
        let w = t.constant(&Tensor::from_vec(Shape::vector(3), vec![1.0, 2.0, 3.0]).unwrap());
        let zw = t.mul(z, w).unwrap();
        let s = t.sum(zw).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[1.0, 2.0, 3.0]);
        assert_eq!(t.grad(b).unwrap(), &[-1.0, -2.0, -3.0]);
    }

    #[test]
    fn same_operand_twice_cancels() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(2.5));
        let z = t.sub(a, a).unwrap();
        assert_eq!(t.item(z).unwrap(), 0.0);
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[0.0]);
    }

    #[test]
    fn shape_mismatch_names_both_shapes() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::zeros(Shape::vector(3)));
        let b = t.constant(&Tensor::zeros(Shape::matrix(1, 3)));
        let e = t.sub(a, b).unwrap_err();
        assert_eq!(
            e,
            Error::ShapeMismatch {
                op: "sub",
                left: Shape::vector(3).into(),
                right: Shape::matrix(1, 3).into()
            }
        );
        assert!(e.to_string().contains("[3]") && e.to_string().contains("[1, 3]"));
    }
}
