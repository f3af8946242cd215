//! The scalar types tensors can hold.

use std::fmt::{Debug, Display};
use std::iter::Sum;

use num_traits::{Float, FromPrimitive};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A floating-point element type: implemented for `f32` and `f64`.
///
/// It is `num_traits::Float` plus what the crate needs around it (printing,
/// serde, thread safety, conversion from `f64` constants).
pub trait Element:
    Float
    + FromPrimitive
    + Debug
    + Display
    + Default
    + Sum
    + Send
    + Sync
    + Serialize
    + DeserializeOwned
    + 'static
{
    /// The type's name as printed in reports ("f32" or "f64").
    const NAME: &'static str;

    /// Converts an `f64` constant (exact for `f64`, rounded for `f32`).
    fn from_f64_lossy(x: f64) -> Self;

    /// Widens to `f64` for accumulation and reporting.
    fn to_f64_lossy(self) -> f64;
}

impl Element for f32 {
    const NAME: &'static str = "f32";
    #[inline]
    fn from_f64_lossy(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn to_f64_lossy(self) -> f64 {
        self as f64
    }
}

impl Element for f64 {
    const NAME: &'static str = "f64";
    #[inline]
    fn from_f64_lossy(x: f64) -> Self {
        x
    }
    #[inline]
    fn to_f64_lossy(self) -> f64 {
        self
    }
}
