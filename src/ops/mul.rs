//! Elementwise multiplication.
//!
//! Forward: `z = a * b` (same shapes).
//!
//! VJP: `da += g * b`, `db += g * a`.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `a * b`; the shapes must be equal.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, 2.0])?);
    /// let z = t.mul(a, a)?;
    /// assert_eq!(t.value(z)?, &[1.0, 4.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn mul(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib, shape) = self.same_shape("mul", a, b)?;
        self.record_binary(Op::Mul, ia, ib, shape, |a, b, out| {
            kernels::zip_map(a, b, out, |x, y| x * y)
        })
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let (a, b) = (c.inputs.value(0), c.inputs.value(1));
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, b, ga, |g, y| g * y);
    }
    if let Some(gb) = c.grads.get(1) {
        kernels::zip_map_add(c.g, a, gb, |g, x| g * x);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor};

    #[test]
    fn product_rule_by_hand() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![2.0, -3.0]).unwrap());
        let b = t.variable(&Tensor::from_vec(Shape::vector(2), vec![5.0, 7.0]).unwrap());
        let z = t.mul(a, b).unwrap();
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[5.0, 7.0]);
        assert_eq!(t.grad(b).unwrap(), &[2.0, -3.0]);
    }

    #[test]
    fn constants_are_not_differentiated() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::scalar(2.0));
        let k = t.scalar(3.0);
        let z = t.mul(a, k).unwrap();
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[3.0]);
        let r = t.grad(k);
        assert!(
            matches!(&r, Err(Error::NotAvailable(m)) if m.contains("has no gradient")),
            "{r:?}"
        );
    }

    #[test]
    fn square_through_mul_accumulates_both_paths() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::scalar(3.0));
        let z = t.mul(a, a).unwrap();
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[6.0]);
    }
}
