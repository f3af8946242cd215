//! Elementwise exponential.
//!
//! Forward: `z = exp(a)`.
//!
//! In `f32` the forward is the crate's own vectorised `exp_f32` (within 2 ulp,
//! the same bits on every processor; `Element::exp_slice`), in `f64` the
//! standard library's.
//!
//! VJP: `da += g * exp(a) = g * z` (reuses the stored output).

use crate::error::Result;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// Elementwise `exp(a)`.
    ///
    /// ```
    /// use arithgrad::{Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::scalar(0.0));
    /// let z = t.exp(a)?;
    /// assert_eq!(t.item(z)?, 1.0);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn exp(&mut self, a: Var) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        self.record_unary(Op::Exp, ia, shape, |a, out| T::exp_slice(a, out))
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>) {
    if let Some(ga) = c.grads.get(0) {
        kernels::zip_map_add(c.g, c.out, ga, |g, z| g * z);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn derivative_is_the_value() {
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::scalar(1.0));
        let z = t.exp(a).unwrap();
        t.backward(z).unwrap();
        assert_eq!(t.grad(a).unwrap(), &[std::f64::consts::E]);
    }
}
