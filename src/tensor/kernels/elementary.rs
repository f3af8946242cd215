//! Vectorisable `f32` exponential, natural logarithm, `tanh` and logistic
//! sigmoid, written with plain IEEE operations (no libm, no FMA), so that
//! each result is the same bit for bit on every processor and in both the
//! SSE2 and the AVX2 copy of a slice kernel ([`crate::simd`]).
//!
//! The per-element code has no branches (every `if` is a select), so the
//! compiler runs 4 (SSE2) or 8 (AVX2) elements per instruction; libm's
//! `expf`/`logf`/`tanhf` are called one element at a time.
//!
//! Methods (evaluated in `f32`; exp and tanh are the classic Cephes
//! reductions):
//!
//! ```text
//! exp(x):  n = round(x log2 e) (by adding and subtracting 1.5 · 2^23),
//!          r = (x − n·C1) − n·C2,   C1 + C2 = ln 2, C1 = 0.693359375 (exact products)
//!          exp(x) = (1 + r + r² P(r)) · 2^⌊n/2⌋ · 2^(n−⌊n/2⌋)   (two scalings: no
//!          overflow of the scale, one rounding into the subnormals)
//! ln(x):   x = m · 2^k, m in [√½, √2) (integer arithmetic on the bits;
//!          subnormals scaled by 2^23 first), f = m − 1 (exact),
//!          s = f / (m + 1), so that ln(m) = 2 atanh(s) = 2s + s R(s²)
//!          = f − s (f − R) (as 2s = f − s f), and
//!          ln(x) = k·H − ((s (f − R) − k·L) − f),
//!          R(z) = z (c1 + z (c2 + z c3)) (minimax for |s| ≤ 3 − 2√2,
//!          error below 2e-9), H + L = ln 2, H = 0.693138122... (k·H exact)
//! tanh(x): |x| < 0.625: x + x³ T(x²);  otherwise sign(x) · (1 − 2 / (exp(2|x|) + 1))
//! σ(x):    e = exp(−|x|),  σ = 1 / (1 + e) for x ≥ 0,  e / (1 + e) for x < 0,
//!          in f64 (exp by Taylor to degree 10 after the same reduction), rounded once
//! ```
//!
//! Accuracy, tested against the `f64` functions (tests below, and every
//! `f32` checked once with `cargo run --release --example elementary_accuracy`):
//! within 2 ulp of the correctly rounded value for every finite input
//! (exp: subnormal results within 1 ulp of the subnormal spacing; ln: within
//! 0.96 ulp of the exact value for every positive `f32`, subnormals
//! included). Edge cases as IEEE: `exp(±inf) = inf, 0`; `ln(±0) = −inf`,
//! `ln(x < 0) = NaN`, `ln(inf) = inf`; `tanh(±inf) = ±1`, `tanh(−0) = −0`;
//! `σ(±inf) = 1, 0`; NaN in, NaN out (`ln` passes a NaN argument through,
//! the others give the default NaN).
//!
//! `ln` uses one division (`s = f / (m + 1)`): a correctly rounded IEEE
//! operation like the others, so the same bits everywhere, and with it a
//! polynomial of three terms does what took nine without (the previous
//! Cephes form, `f − f²/2 + f³ Q(f)`): about 31 instead of 63 vector
//! instructions per eight values with AVX2.

use crate::simd::multiversion;

/// 1.5 · 2^23: adding and subtracting it rounds an `f32` of magnitude below
/// 2^22 to the nearest integer (ties to even), and the sum's low bits hold
/// that integer.
const ROUND_MAGIC: f32 = 12_582_912.0;
const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// `ln 2 = LN2_HI + LN2_LO` for [`exp_f32`]; `LN2_HI` has 9 significant
/// bits, so `n · LN2_HI` is exact for the exponents that occur.
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// `ln 2 = LN_LN2_HI + LN_LN2_LO` for [`ln_f32`] (bits `0x3f317180` and
/// `0x3717f7d1`): `LN_LN2_HI` has 16 significant bits, so `k · LN_LN2_HI`
/// is exact for every exponent `|k| <= 149`.
const LN_LN2_HI: f32 = 0.693_138_1;
const LN_LN2_LO: f32 = 9.058_001e-6;
/// `R(z) = z (LN_C1 + z (LN_C2 + z LN_C3))` approximates
/// `2 atanh(s) / s − 2` (`z = s²`; the series `2z/3 + 2z²/5 + 2z³/7 + ...`)
/// for `z <= (3 − 2√2)²`, minimising the largest absolute error (below
/// 2e-9; fitted as a linear program on 3,000 points, then rounded to
/// `f32`).
const LN_C1: f32 = 0.666_667_76;
const LN_C2: f32 = 0.399_775_18;
const LN_C3: f32 = 0.298_724;
/// The bits of `√½`, rounded up (`0x3f3504f3`): `ln_of_normal`'s split point.
const SQRT_HALF_BITS: i32 = 0x3f35_04f3;

/// `exp(x)` in `f32` (see the module docs).
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    // Past these, the result is inf or 0 anyway; the clamp keeps n within
    // the two scalings' range. NaN passes through (comparisons are false).
    let xc = if x < -104.0 { -104.0 } else { x };
    let xc = if xc > 89.0 { 89.0 } else { xc };
    let t = xc * LOG2_E + ROUND_MAGIC;
    let n_f = t - ROUND_MAGIC;
    let n = (t.to_bits() as i32).wrapping_sub(ROUND_MAGIC.to_bits() as i32);
    let r = xc - n_f * LN2_HI;
    let r = r - n_f * LN2_LO;
    let p = 1.987_569_2e-4_f32;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 0.5;
    let y = p * (r * r) + r + 1.0;
    let n1 = n >> 1;
    let n2 = n.wrapping_sub(n1);
    let s1 = f32::from_bits((n1.wrapping_add(127) as u32) << 23);
    let s2 = f32::from_bits((n2.wrapping_add(127) as u32) << 23);
    y * s1 * s2
}

/// `ln(x)` in `f32` (see the module docs).
#[inline(always)]
pub fn ln_f32(x: f32) -> f32 {
    // Subnormals: scale into the normal range, take 23 off the exponent.
    let tiny = x < f32::MIN_POSITIVE;
    let xs = if tiny { x * 8_388_608.0 } else { x };
    let k_adjust: i32 = if tiny { -23 } else { 0 };
    let r = ln_of_normal(xs, k_adjust);
    // Edge cases last, as selects: inf and NaN pass through.
    let r = if x < f32::INFINITY { r } else { x };
    let r = if x == 0.0 { f32::NEG_INFINITY } else { r };
    if x < 0.0 {
        f32::NAN
    } else {
        r
    }
}

/// [`ln_f32`] for an `x` known to be at least `f32::MIN_POSITIVE`, `+inf`
/// or NaN (as `|a| + eps` is for a normal `eps`): the same value bit for
/// bit, without the selects for subnormals, zero and negatives, which
/// cannot occur there.
#[inline(always)]
pub(crate) fn ln_f32_of_normal(x: f32) -> f32 {
    let r = ln_of_normal(x, 0);
    if x < f32::INFINITY {
        r
    } else {
        x
    }
}

/// The arithmetic of [`ln_f32`] for a positive normal `xs = m · 2^(k −
/// k_adjust)`, `m` in `[√½, √2)` (any other `xs` gives a finite value
/// that the callers select away).
#[inline(always)]
fn ln_of_normal(xs: f32, k_adjust: i32) -> f32 {
    let ix = xs.to_bits() as i32;
    // Subtracting √½'s bits borrows from the exponent exactly when the
    // mantissa is below √½'s: the shifted difference is then k, and taking
    // k off the exponent leaves m's bits.
    let t = ix.wrapping_sub(SQRT_HALF_BITS);
    let k = (t >> 23) + k_adjust;
    let m = f32::from_bits(ix.wrapping_sub(t & (0xff80_0000_u32 as i32)) as u32);
    let f = m - 1.0;
    // m + 1 is 2 + f rounded, in one operation.
    let s = f / (m + 1.0);
    let z = s * s;
    let r = z * (LN_C1 + z * (LN_C2 + z * LN_C3));
    // ln(m) = 2s + s R = f − s (f − R), as 2s = f − s f; the small terms
    // first, then f, then k ln 2's exact high part.
    let k_f = k as f32;
    k_f * LN_LN2_HI - ((s * (f - r) - k_f * LN_LN2_LO) - f)
}

/// `tanh(x)` in `f32` (see the module docs).
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let a = f32::from_bits(x.to_bits() & 0x7fff_ffff);
    let sign = x.to_bits() & 0x8000_0000;
    // |x| >= 0.625: from exp (which is inf past 44, giving exactly 1).
    let e = exp_f32(a + a);
    let big = 1.0 - 2.0 / (e + 1.0);
    let big = f32::from_bits(big.to_bits() | sign);
    // |x| < 0.625: odd polynomial, on |x| with the sign put back (so that
    // tanh(-0) = -0).
    let z = a * a;
    let p = -5.704_988_7e-3_f32;
    let p = p * z + 2.063_909e-2;
    let p = p * z - 5.373_971_6e-2;
    let p = p * z + 1.333_144_2e-1;
    let p = p * z - 3.333_328e-1;
    let small = p * z * a + a;
    let small = f32::from_bits(small.to_bits() | sign);
    if a >= 0.625 {
        big
    } else {
        small
    }
}

/// `exp(x)` in `f64` for `x <= 0`, to about 1e-15 relative (Taylor to
/// degree 10 on `|r| <= ln2 / 2`): the inside of [`sigmoid_f32`].
#[inline(always)]
fn exp_nonpositive_f64(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // Below -740 the result is 0 in f64; -200 is far enough for f32.
    let x = if x < -200.0 { -200.0 } else { x };
    let t = x * std::f64::consts::LOG2_E + MAGIC;
    let n_f = t - MAGIC;
    let n = (t.to_bits() as i64).wrapping_sub(MAGIC.to_bits() as i64);
    let r = x - n_f * LN2_HI;
    let r = r - n_f * LN2_LO;
    let mut p = 1.0 / 3_628_800.0;
    for k in (1..=9).rev() {
        // 1/k! down to 1/1!, Horner.
        p = p * r + 1.0 / FACTORIALS[k];
    }
    let y = p * r + 1.0;
    y * f64::from_bits((n.wrapping_add(1023) as u64) << 52)
}

/// `k!` for `k = 0..=9`.
const FACTORIALS: [f64; 10] = [
    1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0, 5040.0, 40320.0, 362_880.0,
];

/// The logistic sigmoid `1 / (1 + exp(−x))` in `f32`, in the stable form
/// of the module docs (nothing overflows; very negative `x` keeps full
/// relative precision). Evaluated in `f64` and rounded once, because in
/// `f32` the error of `exp` and of the division add up to more than 2 ulp;
/// the sigmoid runs on gates and weights, not on whole batches of inputs.
#[inline(always)]
pub fn sigmoid_f32(x: f32) -> f32 {
    let a = f32::from_bits(x.to_bits() & 0x7fff_ffff) as f64;
    let e = exp_nonpositive_f64(-a);
    let numerator = if x >= 0.0 { 1.0 } else { e };
    (numerator / (1.0 + e)) as f32
}

multiversion! {
    /// `out[i] = exp(a[i])` with [`exp_f32`].
    pub fn exp_slice_f32(a: &[f32], out: &mut [f32]) {
        for (o, &x) in out.iter_mut().zip(a) {
            *o = exp_f32(x);
        }
    }
}

multiversion! {
    /// `x[i] = exp(x[i])` with [`exp_f32`], in place.
    pub fn exp_in_place_f32(x: &mut [f32]) {
        for v in x.iter_mut() {
            *v = exp_f32(*v);
        }
    }
}

multiversion! {
    /// `out[i] = ln(a[i])` with [`ln_f32`].
    pub fn ln_slice_f32(a: &[f32], out: &mut [f32]) {
        for (o, &x) in out.iter_mut().zip(a) {
            *o = ln_f32(x);
        }
    }
}

multiversion! {
    /// `out[i] = tanh(a[i])` with [`tanh_f32`].
    pub fn tanh_slice_f32(a: &[f32], out: &mut [f32]) {
        for (o, &x) in out.iter_mut().zip(a) {
            *o = tanh_f32(x);
        }
    }
}

multiversion! {
    /// `out[i] = σ(a[i])` with [`sigmoid_f32`].
    pub fn sigmoid_slice_f32(a: &[f32], out: &mut [f32]) {
        for (o, &x) in out.iter_mut().zip(a) {
            *o = sigmoid_f32(x);
        }
    }
}

multiversion! {
    /// `out[i] = ln(|a[i]| + eps)` with [`ln_f32`] (the log-space units'
    /// input transform, in one pass).
    pub fn ln_abs_eps_slice_f32(a: &[f32], eps: f32, out: &mut [f32]) {
        // With a normal eps (the units' 1e-7), |a| + eps is normal, inf or
        // NaN: the shorter form, the same bits.
        if eps >= f32::MIN_POSITIVE {
            for (o, &x) in out.iter_mut().zip(a) {
                *o = ln_f32_of_normal(f32::from_bits(x.to_bits() & 0x7fff_ffff) + eps);
            }
        } else {
            for (o, &x) in out.iter_mut().zip(a) {
                *o = ln_f32(f32::from_bits(x.to_bits() & 0x7fff_ffff) + eps);
            }
        }
    }
}

/// The distance in units in the last place of `f32` between `got` and the
/// exact value `exact` (an `f64`), measured with the `f32` spacing at
/// `exact` (the subnormal spacing 2^-149 below the normal range). Equal
/// infinities and two NaNs are 0 apart; anything else against a
/// non-finite value is infinitely far.
pub fn ulp_distance_f32(got: f32, exact: f64) -> f64 {
    if got.is_nan() || exact.is_nan() {
        return if got.is_nan() && exact.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let g = got as f64;
    if g.is_infinite() || exact.is_infinite() {
        // An exact value past f32::MAX rounds to inf: count that as exact.
        let rounded = exact as f32 as f64;
        return if g == rounded { 0.0 } else { f64::INFINITY };
    }
    let a = exact.abs().max(f32::MIN_POSITIVE as f64);
    let spacing = 2f64.powi(a.log2().floor() as i32 - 23);
    (g - exact).abs() / spacing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::portable_only;

    /// Every `stride`-th `f32` bit pattern from `lo` to `hi` (both finite),
    /// plus the ends.
    fn sample(lo: f32, hi: f32, count: u32) -> Vec<f32> {
        // Walk the ordered integer image of the floats.
        let key = |x: f32| {
            let b = x.to_bits() as i64;
            if b & 0x8000_0000 != 0 {
                -(b & 0x7fff_ffff)
            } else {
                b
            }
        };
        let unkey = |k: i64| {
            if k < 0 {
                f32::from_bits(((-k) as u32) | 0x8000_0000)
            } else {
                f32::from_bits(k as u32)
            }
        };
        let (a, b) = (key(lo), key(hi));
        let stride = ((b - a) / count as i64).max(1);
        let mut v: Vec<f32> = (0..)
            .map(|k| a + k * stride)
            .take_while(|&k| k <= b)
            .map(unkey)
            .collect();
        v.push(hi);
        v
    }

    fn worst(f: fn(f32) -> f32, exact: fn(f64) -> f64, xs: &[f32]) -> (f64, f32) {
        xs.iter()
            .map(|&x| (ulp_distance_f32(f(x), exact(x as f64)), x))
            .fold((0.0, 0.0), |acc, e| if e.0 > acc.0 { e } else { acc })
    }

    fn sigmoid_f64(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    #[test]
    fn exp_is_within_2_ulp_over_its_whole_finite_range() {
        // Below -103.98 the result is 0 (rounded), above 88.73 inf.
        let xs = sample(-110.0, 90.0, 400_000);
        let (e, at) = worst(exp_f32, f64::exp, &xs);
        assert!(e <= 2.0, "exp: {e} ulp at {at}");
        let (e, at) = worst(exp_f32, f64::exp, &sample(-1e-3, 1e-3, 100_000));
        assert!(e <= 2.0, "exp near 0: {e} ulp at {at}");
    }

    #[test]
    fn ln_is_within_2_ulp_for_every_positive_float() {
        let xs = sample(f32::from_bits(1), f32::MAX, 400_000);
        let (e, at) = worst(ln_f32, f64::ln, &xs);
        assert!(e <= 2.0, "ln: {e} ulp at {at}");
        let (e, at) = worst(ln_f32, f64::ln, &sample(0.5, 2.0, 200_000));
        assert!(e <= 2.0, "ln near 1: {e} ulp at {at}");
    }

    #[test]
    fn ln_is_within_one_ulp_in_every_binade_and_at_the_split() {
        // The stated bound (0.96 ulp, every positive f32 checked by the
        // elementary_accuracy example), here on 4,000 points of each binade
        // from the subnormals to f32::MAX, both sides of the split at √½
        // and √2, and the units' inputs around 1e-7 (their eps) and [1, 2].
        let mut xs = sample(f32::from_bits(1), f32::MIN_POSITIVE, 50_000);
        for e in -126..128 {
            let lo = 2f32.powi(e);
            let hi = f32::from_bits(lo.to_bits() + 0x7f_ffff);
            xs.extend(sample(lo, hi, 4_000));
        }
        for c in [std::f32::consts::FRAC_1_SQRT_2, std::f32::consts::SQRT_2] {
            let b = c.to_bits();
            xs.extend((b - 2_000..b + 2_000).map(f32::from_bits));
        }
        xs.extend(sample(0.9e-7, 1.1e-7, 20_000));
        xs.extend(sample(1.0, 2.0, 100_000));
        let (e, at) = worst(ln_f32, f64::ln, &xs);
        assert!(e <= 1.0, "ln: {e} ulp at {at}");
        // Exact where the value is: ln(1) = 0, and k ln 2 at powers of 2
        // within the rounding of the exact k ln 2.
        assert_eq!(ln_f32(1.0).to_bits(), 0);
        for k in -149..128 {
            let x = 2f64.powi(k) as f32;
            assert!(ulp_distance_f32(ln_f32(x), k as f64 * std::f64::consts::LN_2) <= 0.5);
        }
    }

    #[test]
    fn the_normal_only_ln_is_ln_bit_for_bit_where_it_is_used() {
        let mut xs = sample(f32::MIN_POSITIVE, f32::MAX, 400_000);
        xs.extend([f32::INFINITY, f32::NAN, 1.0, 1e-7, 2.0]);
        for x in xs {
            assert_eq!(ln_f32_of_normal(x).to_bits(), ln_f32(x).to_bits(), "{x}");
        }
    }

    #[test]
    fn tanh_is_within_2_ulp() {
        let xs = sample(-20.0, 20.0, 400_000);
        let (e, at) = worst(tanh_f32, f64::tanh, &xs);
        assert!(e <= 2.0, "tanh: {e} ulp at {at}");
        let (e, at) = worst(tanh_f32, f64::tanh, &sample(0.5, 0.75, 100_000));
        assert!(e <= 2.0, "tanh at the switch: {e} ulp at {at}");
    }

    #[test]
    fn sigmoid_is_within_2_ulp() {
        let xs = sample(-110.0, 30.0, 400_000);
        let (e, at) = worst(sigmoid_f32, sigmoid_f64, &xs);
        assert!(e <= 2.0, "sigmoid: {e} ulp at {at}");
    }

    #[test]
    fn edge_cases() {
        let sub = f32::from_bits(1);
        let inf = f32::INFINITY;
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(-0.0), 1.0);
        assert_eq!(exp_f32(sub), 1.0);
        assert_eq!(exp_f32(inf), inf);
        assert_eq!(exp_f32(-inf), 0.0);
        assert_eq!(exp_f32(89.0), inf);
        assert_eq!(exp_f32(-104.0), 0.0);
        assert!(exp_f32(-100.0) > 0.0 && exp_f32(-100.0) < f32::MIN_POSITIVE);
        assert!(exp_f32(f32::NAN).is_nan());

        assert_eq!(ln_f32(1.0), 0.0);
        assert_eq!(ln_f32(0.0), -inf);
        assert_eq!(ln_f32(-0.0), -inf);
        assert_eq!(ln_f32(inf), inf);
        assert!(ln_f32(-1.0).is_nan());
        assert!(ln_f32(-sub).is_nan());
        assert!(ln_f32(-inf).is_nan());
        assert!(ln_f32(f32::NAN).is_nan());
        assert!(ln_f32(-f32::NAN).is_nan());
        assert!(ln_f32_of_normal(f32::NAN).is_nan());
        assert_eq!(ln_f32_of_normal(inf), inf);
        assert!(ulp_distance_f32(ln_f32(sub), (sub as f64).ln()) <= 1.0);
        assert!(ulp_distance_f32(ln_f32(f32::MAX), (f32::MAX as f64).ln()) <= 1.0);

        assert_eq!(tanh_f32(0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(tanh_f32(-0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(tanh_f32(sub), sub);
        assert_eq!(tanh_f32(inf), 1.0);
        assert_eq!(tanh_f32(-inf), -1.0);
        assert_eq!(tanh_f32(100.0), 1.0);
        assert!(tanh_f32(f32::NAN).is_nan());

        assert_eq!(sigmoid_f32(0.0), 0.5);
        assert_eq!(sigmoid_f32(inf), 1.0);
        assert_eq!(sigmoid_f32(-inf), 0.0);
        assert_eq!(sigmoid_f32(sub), 0.5);
        assert!(sigmoid_f32(f32::NAN).is_nan());
    }

    #[test]
    fn slices_match_the_scalar_functions_and_both_instruction_sets_agree() {
        let mut xs = sample(-120.0, 120.0, 20_000);
        xs.extend([
            0.0,
            -0.0,
            f32::from_bits(1),
            f32::MIN_POSITIVE,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::MAX,
        ]);
        let pos: Vec<f32> = xs.iter().map(|x| x.abs()).collect();
        let run = |xs: &[f32], pos: &[f32]| {
            let mut outs = vec![vec![0.0f32; xs.len()]; 5];
            exp_slice_f32(xs, &mut outs[0]);
            ln_slice_f32(pos, &mut outs[1]);
            tanh_slice_f32(xs, &mut outs[2]);
            sigmoid_slice_f32(xs, &mut outs[3]);
            ln_abs_eps_slice_f32(xs, 1e-7, &mut outs[4]);
            let mut in_place = xs.to_vec();
            exp_in_place_f32(&mut in_place);
            outs.push(in_place);
            // A subnormal eps takes the general path.
            let mut sub_eps = vec![0.0f32; xs.len()];
            ln_abs_eps_slice_f32(xs, f32::from_bits(3), &mut sub_eps);
            outs.push(sub_eps);
            outs
        };
        let bits = |v: Vec<Vec<f32>>| -> Vec<Vec<u32>> {
            v.into_iter()
                .map(|o| o.into_iter().map(f32::to_bits).collect())
                .collect()
        };
        let fast = bits(run(&xs, &pos));
        let portable = bits(portable_only(|| run(&xs, &pos)));
        assert_eq!(fast, portable);
        for (k, &x) in xs.iter().enumerate() {
            assert_eq!(fast[0][k], exp_f32(x).to_bits());
            assert_eq!(fast[1][k], ln_f32(pos[k]).to_bits());
            assert_eq!(fast[2][k], tanh_f32(x).to_bits());
            assert_eq!(fast[3][k], sigmoid_f32(x).to_bits());
            assert_eq!(fast[4][k], ln_f32(x.abs() + 1e-7).to_bits());
            assert_eq!(fast[5][k], fast[0][k]);
            assert_eq!(
                fast[6][k],
                ln_f32(x.abs() + f32::from_bits(3)).to_bits(),
                "{x}"
            );
        }
    }
}
