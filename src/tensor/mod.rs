//! Layer 1: dense row-major tensors generic over the element type (and,
//! hidden from these docs, the numeric kernels the differentiable
//! operations are built from).
//!
//! Nothing here knows about gradients; the kernels work on plain slices so
//! that the tape can run them directly on its arena without copying.

mod element;
// The numeric kernels are the crate's machinery, not its API: public only
// so that benchmarks and `examples/kernel_timing.rs` can time them, and
// hidden from the documentation (no semver promise).
#[doc(hidden)]
pub mod kernels;
pub mod reference;
mod shape;

pub use element::Element;
pub use shape::{Shape, MAX_RANK};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A dense, row-major tensor that owns its data.
///
/// ```
/// use arithgrad::tensor::{Shape, Tensor};
/// let t = Tensor::from_vec(Shape::matrix(2, 3), vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0])?;
/// assert_eq!(t.get(&[1, 0])?, 4.0);
/// assert_eq!(
///     Tensor::from_vec(Shape::matrix(2, 2), vec![1.0f32]).err(),
///     Some(arithgrad::Error::DataLength { expected: 4, actual: 1 })
/// );
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "T: Element")]
pub struct Tensor<T> {
    shape: Shape,
    data: Vec<T>,
}

impl<T: Element> Tensor<T> {
    /// A tensor from its shape and row-major data; an error if the lengths differ.
    pub fn from_vec(shape: Shape, data: Vec<T>) -> Result<Self> {
        if data.len() != shape.numel() {
            return Err(Error::DataLength {
                expected: shape.numel(),
                actual: data.len(),
            });
        }
        Ok(Tensor { shape, data })
    }

    /// A tensor copied from a slice.
    pub fn from_slice(shape: Shape, data: &[T]) -> Result<Self> {
        Self::from_vec(shape, data.to_vec())
    }

    /// Every element set to `value`.
    pub fn full(shape: Shape, value: T) -> Self {
        Tensor {
            shape,
            data: vec![value; shape.numel()],
        }
    }

    /// All zeros.
    pub fn zeros(shape: Shape) -> Self {
        Self::full(shape, T::zero())
    }

    /// A rank-0 tensor holding `value`.
    pub fn scalar(value: T) -> Self {
        Tensor {
            shape: Shape::scalar(),
            data: vec![value],
        }
    }

    /// A tensor whose element at flat index `i` is `f(i)`.
    pub fn from_fn(shape: Shape, f: impl FnMut(usize) -> T) -> Self {
        Tensor {
            shape,
            data: (0..shape.numel()).map(f).collect(),
        }
    }

    /// The shape.
    #[inline]
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The row-major data.
    #[inline]
    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// The row-major data, mutable.
    #[inline]
    pub fn data_mut(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// Consumes the tensor, giving its data.
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }

    /// Number of elements.
    #[inline]
    pub fn numel(&self) -> usize {
        self.data.len()
    }

    /// The flat index of a multi-index; an error if it is out of range.
    pub fn flat_index(&self, index: &[usize]) -> Result<usize> {
        let dims = self.shape.dims();
        if index.len() != dims.len() || index.iter().zip(dims).any(|(i, d)| i >= d) {
            return Err(Error::invalid(
                "index",
                format!("{index:?} is outside shape {}", self.shape),
            ));
        }
        Ok(index.iter().zip(dims).fold(0, |acc, (i, d)| acc * d + i))
    }

    /// The element at a multi-index.
    pub fn get(&self, index: &[usize]) -> Result<T> {
        Ok(self.data[self.flat_index(index)?])
    }

    /// The same data under another shape with as many elements.
    pub fn reshape(self, shape: Shape) -> Result<Self> {
        if shape.numel() != self.shape.numel() {
            return Err(Error::ShapeMismatch {
                op: "reshape",
                left: self.shape.into(),
                right: shape.into(),
            });
        }
        Ok(Tensor {
            shape,
            data: self.data,
        })
    }

    /// The single value of a one-element tensor.
    pub fn item(&self) -> Result<T> {
        if self.data.len() != 1 {
            return Err(Error::InvalidShape {
                op: "item",
                shape: self.shape.into(),
                reason: "only a one-element tensor has a single value".into(),
            });
        }
        Ok(self.data[0])
    }

    /// Converts every element to another element type.
    pub fn cast<U: Element>(&self) -> Tensor<U> {
        Tensor {
            shape: self.shape,
            data: self
                .data
                .iter()
                .map(|&x| U::from_f64_lossy(x.to_f64_lossy()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_length_names_both_counts() {
        let e = Tensor::<f64>::from_vec(Shape::matrix(2, 3), vec![0.0; 5]).unwrap_err();
        assert_eq!(
            e,
            Error::DataLength {
                expected: 6,
                actual: 5
            }
        );
    }

    #[test]
    fn reshape_keeps_data_and_checks_count() {
        let t = Tensor::from_fn(Shape::matrix(2, 3), |i| i as f32);
        let r = t.clone().reshape(Shape::vector(6)).unwrap();
        assert_eq!(r.data(), t.data());
        assert_eq!(
            t.reshape(Shape::vector(5)).err(),
            Some(Error::ShapeMismatch {
                op: "reshape",
                left: Shape::matrix(2, 3).into(),
                right: Shape::vector(5).into(),
            })
        );
    }

    #[test]
    fn index_out_of_range_is_an_error() {
        let t = Tensor::<f64>::zeros(Shape::matrix(2, 2));
        for index in [&[2, 0][..], &[0]] {
            let (name, reason) = crate::error::expect::invalid(t.get(index));
            assert_eq!(name, "index");
            assert_eq!(reason, format!("{index:?} is outside shape {}", t.shape()));
        }
    }

    #[test]
    fn cast_between_f32_and_f64() {
        let t = Tensor::from_vec(Shape::vector(2), vec![1.5f64, -2.25]).unwrap();
        assert_eq!(t.cast::<f32>().data(), &[1.5f32, -2.25]);
    }
}
