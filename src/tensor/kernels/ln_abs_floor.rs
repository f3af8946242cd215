//! `ln(max(|a|, eps))` over a slice in `f32`, vectorised with the crate's
//! own logarithm ([`super::ln_f32`]): the forward pass of `Tape::log_abs`
//! (iNALU's and the NRU's logarithm of the magnitude, the NaiveNPU's).

use super::elementary::{ln_f32, ln_f32_of_normal};
use crate::simd::multiversion;

multiversion! {
    /// `out[i] = ln(max(|a[i]|, eps))` with [`ln_f32`]: `ln(eps)` below the
    /// floor, NaN for NaN. A normal `eps` (such as 1e-7) takes the form
    /// without the selects for subnormal, zero and negative arguments,
    /// which then cannot occur: the same bits.
    pub fn ln_abs_floor_slice_f32(a: &[f32], eps: f32, out: &mut [f32]) {
        let floored = |x: f32| {
            let m = f32::from_bits(x.to_bits() & 0x7fff_ffff);
            if m < eps {
                eps
            } else {
                m
            }
        };
        if eps >= f32::MIN_POSITIVE {
            for (o, &x) in out.iter_mut().zip(a) {
                *o = ln_f32_of_normal(floored(x));
            }
        } else {
            for (o, &x) in out.iter_mut().zip(a) {
                *o = ln_f32(floored(x));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::portable_only;

    #[test]
    fn is_ln_of_the_floored_magnitude_on_both_instruction_sets() {
        let mut xs: Vec<f32> = (0..20_000)
            .map(|k| {
                let t = k as f32 / 20_000.0;
                (if k % 2 == 0 { 1.0 } else { -1.0 }) * (80.0 * t - 40.0).exp()
            })
            .collect();
        xs.extend([
            0.0,
            -0.0,
            1e-7,
            -1e-7,
            f32::from_bits(1),
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
        ]);
        for eps in [1e-7f32, f32::EPSILON, f32::from_bits(5)] {
            let run = |xs: &[f32]| {
                let mut out = vec![0.0f32; xs.len()];
                ln_abs_floor_slice_f32(xs, eps, &mut out);
                out.into_iter().map(f32::to_bits).collect::<Vec<_>>()
            };
            let fast = run(&xs);
            assert_eq!(fast, portable_only(|| run(&xs)));
            for (k, &x) in xs.iter().enumerate() {
                let m = x.abs();
                let want = ln_f32(if m < eps { eps } else { m });
                assert_eq!(fast[k], want.to_bits(), "{x} eps {eps}");
            }
        }
    }
}
