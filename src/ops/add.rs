//! Elementwise addition.
//!
//! Forward: `z = a + b` (same shapes; broadcast explicitly with
//! [`Tape::broadcast_to`] first).
//!
//! VJP: `da += g`, `db += g`.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `a + b`; the shapes must be equal.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, 2.0])?);
    /// let b = t.constant(&Tensor::from_vec(Shape::vector(2), vec![10.0, 20.0])?);
    /// let z = t.add(a, b)?;
    /// assert_eq!(t.value(z)?, &[11.0, 22.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn add(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib, shape) = self.same_shape("add", a, b)?;
        self.record_binary(Op::Add, ia, ib, shape, |a, b, out| {
            kernels::zip_map(a, b, out, |x, y| x + y)
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    for k in 0..2 {
        if let Some(ga) = c.grads.get(k) {
            kernels::add_assign(ga, c.g);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor};

    #[test]
    fn gradient_is_one_for_both_operands() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0, 2.0, 3.0]).unwrap());
        let b = t.variable(&Tensor::from_vec(Shape::vector(3), vec![4.0, 5.0, 6.0]).unwrap());
        let z = t.add(a, b).unwrap();
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[1.0; 3]);
        assert_eq!(t.grad(b).unwrap(), &[1.0; 3]);
    }

    #[test]
    fn same_operand_twice_accumulates() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(1.5));
        let z = t.add(a, a).unwrap();
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[2.0]);
    }

    #[test]
    fn shape_mismatch_names_both_shapes() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::zeros(Shape::matrix(2, 3)));
        let b = t.constant(&Tensor::zeros(Shape::matrix(3, 2)));
        let e = t.add(a, b).unwrap_err();
        assert_eq!(
            e,
            Error::ShapeMismatch {
                op: "add",
                left: Shape::matrix(2, 3).into(),
                right: Shape::matrix(3, 2).into()
            }
        );
        assert!(e.to_string().contains("[2, 3]") && e.to_string().contains("[3, 2]"));
    }
}
