//! The scalar types tensors can hold.

use std::fmt::{Debug, Display};
use std::iter::Sum;

use num_traits::{Float, FromPrimitive};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::kernels;

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

    /// `out[i] = exp(a[i])`. `f32` uses the crate's own vectorised
    /// [`kernels::exp_f32`] (the same bits on every processor, within 2 ulp);
    /// `f64` the standard library's `exp` per element.
    fn exp_slice(a: &[Self], out: &mut [Self]);

    /// `x[i] = exp(x[i])`, in place (the same function as [`Element::exp_slice`]).
    fn exp_in_place(x: &mut [Self]);

    /// `out[i] = ln(a[i])` ([`kernels::ln_f32`] for `f32`, `f64::ln` for `f64`).
    fn ln_slice(a: &[Self], out: &mut [Self]);

    /// `out[i] = ln(|a[i]| + eps)` ([`kernels::ln_f32`] for `f32`).
    fn ln_abs_eps_slice(a: &[Self], eps: Self, out: &mut [Self]);

    /// `out[i] = ln(max(|a[i]|, eps))` ([`kernels::ln_f32`] for `f32`,
    /// `f64::ln` for `f64`): `ln(eps)` below the floor, NaN for NaN.
    fn ln_abs_floor_slice(a: &[Self], eps: Self, out: &mut [Self]);

    /// `out[i] = tanh(a[i])` ([`kernels::tanh_f32`] for `f32`, `f64::tanh` for `f64`).
    fn tanh_slice(a: &[Self], out: &mut [Self]);

    /// `out[i] = 1 / (1 + exp(-a[i]))` in the overflow-free form
    /// `e = exp(-|a|)`, `1 / (1 + e)` for `a >= 0`, `e / (1 + e)` below
    /// ([`kernels::sigmoid_f32`] for `f32`).
    fn sigmoid_slice(a: &[Self], out: &mut [Self]);

    /// `out[i] = cos(pi a[i])`, exactly `+-1` at integers and 0 at
    /// half-integers ([`kernels::cos_pi_f32`], vectorised, for `f32`;
    /// [`kernels::cos_pi_f64`] for `f64`).
    fn cos_pi_slice(a: &[Self], out: &mut [Self]);

    /// `out[i] = sin(pi a[i])`, exactly `+-0` at integers
    /// ([`kernels::sin_pi_f32`] for `f32`, [`kernels::sin_pi_f64`] for `f64`).
    fn sin_pi_slice(a: &[Self], out: &mut [Self]);
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
    fn exp_slice(a: &[Self], out: &mut [Self]) {
        kernels::exp_slice_f32(a, out);
    }
    fn exp_in_place(x: &mut [Self]) {
        kernels::exp_in_place_f32(x);
    }
    fn ln_slice(a: &[Self], out: &mut [Self]) {
        kernels::ln_slice_f32(a, out);
    }
    fn ln_abs_eps_slice(a: &[Self], eps: Self, out: &mut [Self]) {
        kernels::ln_abs_eps_slice_f32(a, eps, out);
    }
    fn ln_abs_floor_slice(a: &[Self], eps: Self, out: &mut [Self]) {
        kernels::ln_abs_floor_slice_f32(a, eps, out);
    }
    fn tanh_slice(a: &[Self], out: &mut [Self]) {
        kernels::tanh_slice_f32(a, out);
    }
    fn sigmoid_slice(a: &[Self], out: &mut [Self]) {
        kernels::sigmoid_slice_f32(a, out);
    }
    fn cos_pi_slice(a: &[Self], out: &mut [Self]) {
        kernels::cos_pi_slice_f32(a, out);
    }
    fn sin_pi_slice(a: &[Self], out: &mut [Self]) {
        kernels::sin_pi_slice_f32(a, out);
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
    fn exp_slice(a: &[Self], out: &mut [Self]) {
        kernels::map(a, out, f64::exp);
    }
    fn exp_in_place(x: &mut [Self]) {
        for v in x.iter_mut() {
            *v = v.exp();
        }
    }
    fn ln_slice(a: &[Self], out: &mut [Self]) {
        kernels::map(a, out, f64::ln);
    }
    fn ln_abs_eps_slice(a: &[Self], eps: Self, out: &mut [Self]) {
        kernels::map(a, out, |x| (x.abs() + eps).ln());
    }
    fn ln_abs_floor_slice(a: &[Self], eps: Self, out: &mut [Self]) {
        kernels::map(a, out, |x| {
            let m = x.abs();
            if m < eps {
                eps.ln()
            } else {
                m.ln() // NaN stays NaN
            }
        });
    }
    fn tanh_slice(a: &[Self], out: &mut [Self]) {
        kernels::map(a, out, f64::tanh);
    }
    fn sigmoid_slice(a: &[Self], out: &mut [Self]) {
        kernels::map(a, out, |x| {
            let e = (-x.abs()).exp();
            let numerator = if x >= 0.0 { 1.0 } else { e };
            numerator / (1.0 + e)
        });
    }
    fn cos_pi_slice(a: &[Self], out: &mut [Self]) {
        kernels::map(a, out, kernels::cos_pi_f64);
    }
    fn sin_pi_slice(a: &[Self], out: &mut [Self]) {
        kernels::map(a, out, kernels::sin_pi_f64);
    }
}
