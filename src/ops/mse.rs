//! The mean squared error, the loss of every model in this crate.
//!
//! `mse(y, t) = mean((y - t)^2)`. Not an operation of its own: it records
//! `sub`, `square` and `mean`, whose VJPs give `d/dy = 2 (y - t) / n`.

use crate::error::Result;
use crate::tape::{Tape, Var};
use crate::tensor::Element;

impl<T: Element> Tape<T> {
    /// `mean((y - t)^2)` over every element; `y` and `t` must have the same
    /// shape (else [`crate::Error::ShapeMismatch`] from `sub`).
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let y = t.variable(&Tensor::from_vec(Shape::vector(2), vec![1.0, 3.0])?);
    /// let target = t.constant(&Tensor::from_vec(Shape::vector(2), vec![0.0, 1.0])?);
    /// let loss = t.mse(y, target)?;
    /// assert_eq!(t.item(loss)?, 2.5); // (1 + 4) / 2
    /// t.backward(loss)?;
    /// assert_eq!(t.grad(y)?, &[1.0, 2.0]); // 2 (y - t) / 2
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn mse(&mut self, y: Var, target: Var) -> Result<Var> {
        let diff = self.sub(y, target)?;
        let sq = self.square(diff)?;
        self.mean(sq)
    }
}
