//! `cos(pi x)` and `sin(pi x)` with an exact argument reduction: exactly
//! `+-1` and `+-0` at every integer, exactly `0` and `+-1` at every
//! half-integer.
//!
//! Both start the same way: `r = |x| mod 2`, computed exactly as
//! `|x| - 2 floor(|x| / 2)`, then folded into `[0, 1/4]` by the identities
//! `cos(pi r) = cos(pi (2 - r))`, `cos(pi r) = -cos(pi (1 - r))`,
//! `cos(pi r) = sin(pi (1/2 - r))` (and their sine counterparts), whose
//! subtractions are exact (Sterbenz). Only then is `pi r` formed.
//!
//! - `f64` ([`cos_pi_f64`], [`sin_pi_f64`]): one element at a time, with
//!   the standard library's `cos`/`sin` on the folded argument.
//! - `f32` ([`cos_pi_f32`], [`sin_pi_f32`] and their slice kernels): the
//!   input is widened to `f64` (exact), reduced there (the floor by adding
//!   and subtracting `1.5 · 2^52`; every `f32` of magnitude `2^24` or more
//!   is an even integer, so `r = 0` there), and `cos y` / `sin y` for
//!   `y = pi r' in [0, pi/4]` are the Taylor polynomials
//!
//!   ```text
//!   cos y = 1 - y²/2! + y⁴/4! - y⁶/6! + y⁸/8! - y¹⁰/10!     (next term < 1.2e-10)
//!   sin y = y - y³/3! + y⁵/5! - y⁷/7! + y⁹/9! - y¹¹/11!     (next term < 7e-12 y)
//!   ```
//!
//!   evaluated in `f64` and rounded to `f32` once, so the result is the
//!   correctly rounded value except within about `1e-10` relative of a
//!   rounding boundary. Every `if` is a select, so the slice kernels run
//!   4 (AVX2) or 2 (SSE2) elements per instruction, the same bits in both
//!   copies; libm's `cosf`/`sinf` are called one element at a time.
//!
//! `x = +-inf` and NaN give NaN.

use crate::simd::multiversion;

/// 1.5 · 2^52: adding and subtracting it rounds an `f64` of magnitude below
/// 2^51 to the nearest integer.
const ROUND_MAGIC_F64: f64 = 6_755_399_441_055_744.0;
/// 2^24: every `f32` at least this large is an even integer.
const F32_EVEN: f64 = 16_777_216.0;
const PI: f64 = std::f64::consts::PI;

/// `a mod 2` for `a >= 0`, exactly: `a - 2 floor(a / 2)`. Halving and
/// doubling are exact, `floor` is exact, and the difference of `a` and the
/// even integer below it is a multiple of `ulp(a)` smaller than 2, so it is
/// representable. (The same value as `a % 2`, without the libm call.)
/// `+inf` and NaN give NaN.
#[inline]
pub(crate) fn rem2_f64(a: f64) -> f64 {
    a - 2.0 * (a * 0.5).floor()
}

/// `cos(pi x)` in `f64` (see the module docs).
#[inline]
pub fn cos_pi_f64(x: f64) -> f64 {
    // cos is even and 2-periodic: r in [0, 2).
    let mut r = rem2_f64(x.abs());
    if r > 1.0 {
        r = 2.0 - r; // r in (1, 2): exact, and cos(pi r) = cos(pi (2 - r))
    }
    // r in [0, 1]
    let mut sign = 1.0;
    if r > 0.5 {
        r = 1.0 - r; // exact for r in (1/2, 1]
        sign = -1.0;
    }
    // r in [0, 1/2]
    let v = if r > 0.25 {
        (PI * (0.5 - r)).sin() // exact subtraction for r in (1/4, 1/2]
    } else {
        (PI * r).cos()
    };
    sign * v
}

/// `sin(pi x)` in `f64` (see the module docs): exactly `+-0` at integers.
#[inline]
pub fn sin_pi_f64(x: f64) -> f64 {
    // sin is odd and 2-periodic.
    let mut sign = if x < 0.0 { -1.0 } else { 1.0 };
    let mut r = rem2_f64(x.abs());
    if r >= 1.0 {
        r -= 1.0; // exact for r in [1, 2): sin(pi r) = -sin(pi (r - 1))
        sign = -sign;
    }
    // r in [0, 1)
    if r > 0.5 {
        r = 1.0 - r; // sin(pi r) = sin(pi (1 - r))
    }
    // r in [0, 1/2]
    let v = if r > 0.25 {
        (PI * (0.5 - r)).cos()
    } else {
        (PI * r).sin()
    };
    sign * v
}

/// `|x| mod 2` of an `f32`, exactly, in `f64`; NaN for `+-inf` and NaN.
#[inline(always)]
fn rem2_of_f32(x: f32) -> f64 {
    let a = (x as f64).abs();
    let h = a * 0.5;
    let n = (h + ROUND_MAGIC_F64) - ROUND_MAGIC_F64; // nearest integer (h < 2^23)
    let n = if n > h { n - 1.0 } else { n }; // floor
    let r = a - 2.0 * n;
    // 0 for every finite a >= 2^24 (an even integer), NaN for inf and NaN.
    let big = if a <= f64::MAX { 0.0 } else { f64::NAN };
    if a < F32_EVEN {
        r
    } else {
        big
    }
}

/// The Taylor polynomial of `cos y` to degree 10 (see the module docs).
#[inline(always)]
fn cos_poly(y: f64) -> f64 {
    let t = y * y;
    let p = -1.0 / 3_628_800.0;
    let p = p * t + 1.0 / 40_320.0;
    let p = p * t - 1.0 / 720.0;
    let p = p * t + 1.0 / 24.0;
    let p = p * t - 0.5;
    p * t + 1.0
}

/// The Taylor polynomial of `sin y` to degree 11 (see the module docs).
#[inline(always)]
fn sin_poly(y: f64) -> f64 {
    let t = y * y;
    let p = -1.0 / 39_916_800.0;
    let p = p * t + 1.0 / 362_880.0;
    let p = p * t - 1.0 / 5_040.0;
    let p = p * t + 1.0 / 120.0;
    let p = p * t - 1.0 / 6.0;
    (p * t) * y + y
}

/// `cos(pi x)` of an `f32` (see the module docs).
#[inline(always)]
pub fn cos_pi_f32(x: f32) -> f32 {
    let r = rem2_of_f32(x);
    let r = if r > 1.0 { 2.0 - r } else { r };
    let negative = r > 0.5;
    let r = if negative { 1.0 - r } else { r };
    let use_sin = r > 0.25;
    let y = PI * if use_sin { 0.5 - r } else { r };
    let v = if use_sin { sin_poly(y) } else { cos_poly(y) };
    (if negative { -v } else { v }) as f32
}

/// `sin(pi x)` of an `f32` (see the module docs): exactly `+-0` at integers.
#[inline(always)]
pub fn sin_pi_f32(x: f32) -> f32 {
    let r = rem2_of_f32(x);
    let flip = r >= 1.0;
    let r = if flip { r - 1.0 } else { r };
    let r = if r > 0.5 { 1.0 - r } else { r };
    let use_cos = r > 0.25;
    let y = PI * if use_cos { 0.5 - r } else { r };
    let v = if use_cos { cos_poly(y) } else { sin_poly(y) };
    let negative = flip != (x < 0.0);
    (if negative { -v } else { v }) as f32
}

multiversion! {
    /// `out[i] = cos(pi a[i])` with [`cos_pi_f32`].
    pub fn cos_pi_slice_f32(a: &[f32], out: &mut [f32]) {
        for (o, &x) in out.iter_mut().zip(a) {
            *o = cos_pi_f32(x);
        }
    }
}

multiversion! {
    /// `out[i] = sin(pi a[i])` with [`sin_pi_f32`].
    pub fn sin_pi_slice_f32(a: &[f32], out: &mut [f32]) {
        for (o, &x) in out.iter_mut().zip(a) {
            *o = sin_pi_f32(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd;

    #[test]
    fn integers_and_half_integers_are_exact_in_f32() {
        for n in -300i32..=300 {
            let want = if n % 2 == 0 { 1.0f32 } else { -1.0 };
            assert_eq!(cos_pi_f32(n as f32), want, "n = {n}");
            assert_eq!(sin_pi_f32(n as f32), 0.0, "n = {n}");
            let h = n as f32 + 0.5;
            assert_eq!(cos_pi_f32(h), 0.0, "x = {h}");
            assert_eq!(sin_pi_f32(h).abs(), 1.0, "x = {h}");
        }
        for n in [8_388_609.0f32, 16_777_216.0, 3.0e38, -8_388_609.0] {
            let want = if n % 2.0 == 0.0 { 1.0 } else { -1.0 };
            assert_eq!(cos_pi_f32(n), want, "n = {n}");
            assert_eq!(sin_pi_f32(n), 0.0, "n = {n}");
        }
        for x in [f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
            assert!(cos_pi_f32(x).is_nan() && sin_pi_f32(x).is_nan());
        }
    }

    #[test]
    fn f32_values_are_within_one_ulp_of_the_f64_functions() {
        // Every 997th f32 in [1e-6, 64], and its negative.
        let mut worst = 0.0f64;
        let mut bits = 1e-6f32.to_bits();
        while f32::from_bits(bits) < 64.0 {
            let p = f32::from_bits(bits);
            for x in [p, -p] {
                let (c, s) = (cos_pi_f64(x as f64), sin_pi_f64(x as f64));
                worst = worst.max(super::super::ulp_distance_f32(cos_pi_f32(x), c));
                worst = worst.max(super::super::ulp_distance_f32(sin_pi_f32(x), s));
            }
            bits += 997;
        }
        assert!(worst <= 1.0, "worst {worst} ulp");
    }

    #[test]
    fn the_reduction_is_the_exact_remainder() {
        let mut x = 1e-300f64;
        while x < 1e300 {
            assert_eq!(rem2_f64(x), x % 2.0, "x = {x}");
            let x32 = x as f32;
            if x32.is_finite() {
                assert_eq!(rem2_of_f32(x32), (x32 % 2.0) as f64, "x = {x32}");
                assert_eq!(rem2_of_f32(-x32), (x32 % 2.0) as f64, "x = -{x32}");
            }
            x *= 1.37;
        }
        for x in [0.0, 1.0, 2.0, 3.0, 2f64.powi(52) + 1.0, 2f64.powi(53) + 2.0] {
            assert_eq!(rem2_f64(x), x % 2.0, "x = {x}");
        }
    }

    #[test]
    fn f64_agrees_with_the_naive_form_away_from_integers() {
        let mut x = -7.3;
        while x < 7.3 {
            assert!((cos_pi_f64(x) - (PI * x).cos()).abs() < 1e-14, "x = {x}");
            assert!((sin_pi_f64(x) - (PI * x).sin()).abs() < 1e-14, "x = {x}");
            x += 0.0137;
        }
    }

    #[test]
    fn slices_match_the_scalar_functions_and_both_instruction_sets_agree() {
        simd::note_if_no_avx2("trig_pi slices");
        let xs: Vec<f32> = (0..1000)
            .map(|k| (k as f32 - 500.0) * 0.0173 + (k % 7) as f32 * 0.5)
            .collect();
        let (mut c, mut s) = (vec![0.0; xs.len()], vec![0.0; xs.len()]);
        cos_pi_slice_f32(&xs, &mut c);
        sin_pi_slice_f32(&xs, &mut s);
        let (mut cp, mut sp) = (vec![0.0; xs.len()], vec![0.0; xs.len()]);
        simd::portable_only(|| {
            cos_pi_slice_f32(&xs, &mut cp);
            sin_pi_slice_f32(&xs, &mut sp);
        });
        for (k, &x) in xs.iter().enumerate() {
            assert_eq!(c[k].to_bits(), cos_pi_f32(x).to_bits(), "x = {x}");
            assert_eq!(s[k].to_bits(), sin_pi_f32(x).to_bits(), "x = {x}");
            assert_eq!(c[k].to_bits(), cp[k].to_bits(), "x = {x}");
            assert_eq!(s[k].to_bits(), sp[k].to_bits(), "x = {x}");
        }
    }
}
