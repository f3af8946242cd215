//! Tensor shapes: up to four dimensions, stored inline so a `Shape` is `Copy`
//! and recording an operation never allocates for its shape.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The largest rank a tensor may have.
pub const MAX_RANK: usize = 4;

/// The dimensions of a dense row-major tensor (rank 0 to [`MAX_RANK`]).
///
/// ```
/// use arithgrad::tensor::Shape;
/// let s = Shape::matrix(128, 100);
/// assert_eq!(s.dims(), &[128, 100]);
/// assert_eq!(s.numel(), 12_800);
/// assert_eq!(s.to_string(), "[128, 100]");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<usize>", into = "Vec<usize>")]
pub struct Shape {
    dims: [usize; MAX_RANK],
    rank: u8,
}

impl Shape {
    /// A shape from its dimensions; an error if there are more than [`MAX_RANK`].
    pub fn new(dims: &[usize]) -> Result<Shape> {
        if dims.len() > MAX_RANK {
            return Err(Error::invalid(
                "shape",
                format!("rank {} is above the maximum of {MAX_RANK}", dims.len()),
            ));
        }
        let mut d = [1; MAX_RANK];
        d[..dims.len()].copy_from_slice(dims);
        Ok(Shape {
            dims: d,
            rank: dims.len() as u8,
        })
    }

    /// The shape of a scalar (rank 0, one element).
    pub const fn scalar() -> Shape {
        Shape {
            dims: [1; MAX_RANK],
            rank: 0,
        }
    }

    /// A vector of `n` elements.
    pub const fn vector(n: usize) -> Shape {
        Shape {
            dims: [n, 1, 1, 1],
            rank: 1,
        }
    }

    /// A `rows x cols` matrix.
    pub const fn matrix(rows: usize, cols: usize) -> Shape {
        Shape {
            dims: [rows, cols, 1, 1],
            rank: 2,
        }
    }

    /// The dimensions, outermost first.
    #[inline]
    pub fn dims(&self) -> &[usize] {
        &self.dims[..self.rank as usize]
    }

    /// The number of dimensions.
    #[inline]
    pub fn rank(&self) -> usize {
        self.rank as usize
    }

    /// The number of elements (1 for a scalar).
    #[inline]
    pub fn numel(&self) -> usize {
        self.dims().iter().product()
    }

    /// Size of dimension `axis`.
    #[inline]
    pub fn dim(&self, axis: usize) -> usize {
        self.dims()[axis]
    }

    /// `(rows, cols)` if this is a matrix.
    #[inline]
    pub fn as_matrix(&self) -> Option<(usize, usize)> {
        (self.rank == 2).then_some((self.dims[0], self.dims[1]))
    }

    /// Splits the shape around `axis` into `(outer, len, inner)`: the product
    /// of the dimensions before it, its own size, and the product after it.
    /// Every per-axis kernel walks memory in this form.
    pub fn split_at_axis(&self, axis: usize) -> (usize, usize, usize) {
        let d = self.dims();
        let outer = d[..axis].iter().product();
        let inner = d[axis + 1..].iter().product();
        (outer, d[axis], inner)
    }

    /// The same shape with dimension `axis` set to 1 (a reduction's output,
    /// keeping the rank).
    pub fn reduced(&self, axis: usize) -> Shape {
        let mut s = *self;
        s.dims[axis] = 1;
        s
    }
}

impl TryFrom<Vec<usize>> for Shape {
    type Error = Error;
    fn try_from(v: Vec<usize>) -> Result<Shape> {
        Shape::new(&v)
    }
}

impl From<Shape> for Vec<usize> {
    fn from(s: Shape) -> Vec<usize> {
        s.dims().to_vec()
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[")?;
        for (i, d) in self.dims().iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{d}")?;
        }
        write!(f, "]")
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_above_four_is_an_error() {
        let (name, reason) = crate::error::expect::invalid(Shape::new(&[1, 2, 3, 4, 5]));
        assert_eq!(name, "shape");
        assert!(
            reason.starts_with("rank 5 is above the maximum"),
            "{reason}"
        );
        assert_eq!(Shape::new(&[2, 3]).unwrap(), Shape::matrix(2, 3));
    }

    #[test]
    fn split_at_axis_gives_outer_len_inner() {
        let s = Shape::new(&[2, 3, 4]).unwrap();
        assert_eq!(s.split_at_axis(0), (1, 2, 12));
        assert_eq!(s.split_at_axis(1), (2, 3, 4));
        assert_eq!(s.split_at_axis(2), (6, 4, 1));
        assert_eq!(s.reduced(1).dims(), &[2, 1, 4]);
    }

    #[test]
    fn scalar_has_one_element() {
        assert_eq!(Shape::scalar().numel(), 1);
        assert_eq!(Shape::scalar().to_string(), "[]");
    }

    #[test]
    fn serde_round_trip() {
        let s = Shape::new(&[3, 1, 2]).unwrap();
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(j, "[3,1,2]");
        assert_eq!(serde_json::from_str::<Shape>(&j).unwrap(), s);
    }
}
