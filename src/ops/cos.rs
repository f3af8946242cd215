//! Elementwise cosine.
//!
//! Forward: `z = cos(a)` (`Float::cos`); an infinite `a` gives NaN.
//!
//! VJP: `da += -g * sin(a)`.
//!
//! For arguments that are multiples of pi, prefer [`Tape::cos_pi`]: `cos(pi
//! * n)` through this op multiplies by a rounded pi first, so it is only
//! close to `+-1`, and its gradient `-pi sin(pi n)` only close to zero.

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise cosine `cos(a)`.
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![0.0, std::f64::consts::FRAC_PI_2])?);
    /// let z = t.cos(a)?;
    /// let s = t.sum(z)?;
    /// t.backward(s)?;
    /// assert_eq!(t.value(z)?[0], 1.0);
    /// assert!(t.value(z)?[1].abs() < 1e-16);
    /// assert_eq!(t.grad(a)?, &[-0.0, -1.0]); // -sin(a)
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn cos(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Cos, ia, shape, |a, out| kernels::map(a, out, T::cos))
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    let a = c.inputs.value(0);
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, a, ga, |g, x| -(g * x.sin()));
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shape, Tape, Tensor};

    #[test]
    fn values_and_gradient() {
        let mut t = Tape::<f64>::new();
        let xs = vec![0.0, 1.0, -2.5, 10.0];
        let a = t.variable(&Tensor::from_vec(Shape::vector(4), xs.clone()).unwrap());
        let z = t.cos(a).unwrap();
        let s = t.sum(z).unwrap();
        t.backward(s).unwrap();
        for (k, x) in xs.iter().enumerate() {
            assert_eq!(t.value(z).unwrap()[k], x.cos());
            assert_eq!(t.grad(a).unwrap()[k], -x.sin());
        }
    }

    #[test]
    fn infinity_gives_nan_f32() {
        let mut t = Tape::<f32>::new();
        let a = t.variable(&Tensor::from_vec(Shape::vector(2), vec![f32::INFINITY, 0.5]).unwrap());
        let z = t.cos(a).unwrap();
        let v = t.value(z).unwrap();
        assert!(v[0].is_nan());
        assert_eq!(v[1], 0.5f32.cos());
    }
}
