//! Sixteen xoshiro128++ streams in lock-step, for filling large buffers.

use rand::{Error as RandError, RngCore};
use serde::{Deserialize, Serialize};

use super::{Rng, F32_UNIT, F64_UNIT};
use crate::simd::multiversion;

/// The number of independent streams advanced together.
pub const LANES: usize = 16;

/// Sixteen xoshiro128++ generators stepped together. Element `i` of a
/// filled buffer comes from lane `i % 16` (a draw of 16 numbers at a time;
/// a buffer whose length is not a multiple of 16 discards the unused tail of
/// its last draw). Each step is plain array arithmetic that the compiler
/// vectorises.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneRng {
    s0: [u32; LANES],
    s1: [u32; LANES],
    s2: [u32; LANES],
    s3: [u32; LANES],
}

impl LaneRng {
    /// Seeds all lanes from a scalar generator (deterministic for its state).
    pub fn from_rng(rng: &mut Rng) -> LaneRng {
        let mut l = LaneRng {
            s0: [0; LANES],
            s1: [0; LANES],
            s2: [0; LANES],
            s3: [0; LANES],
        };
        for i in 0..LANES {
            let a = rng.next_u64();
            let b = rng.next_u64() | 1; // a lane's state is never all zero
            l.s0[i] = a as u32;
            l.s1[i] = (a >> 32) as u32;
            l.s2[i] = b as u32;
            l.s3[i] = (b >> 32) as u32;
        }
        l
    }

    /// A lane generator seeded from `Rng::stream(seed, stream)`.
    pub fn stream(seed: u64, stream: u64) -> LaneRng {
        LaneRng::from_rng(&mut Rng::stream(seed, stream))
    }

    /// Advances every lane once and returns their sixteen outputs.
    #[inline(always)]
    // Indexing five arrays by lane is the clearest form, and it vectorises.
    #[allow(clippy::needless_range_loop)]
    pub fn next_block(&mut self) -> [u32; LANES] {
        let mut out = [0u32; LANES];
        for i in 0..LANES {
            let (s0, s1, s2, s3) = (self.s0[i], self.s1[i], self.s2[i], self.s3[i]);
            out[i] = s0.wrapping_add(s3).rotate_left(7).wrapping_add(s0);
            let t = s1 << 9;
            let s2 = s2 ^ s0;
            let s3 = s3 ^ s1;
            let s1 = s1 ^ s2;
            let s0 = s0 ^ s3;
            let s2 = s2 ^ t;
            let s3 = s3.rotate_left(11);
            self.s0[i] = s0;
            self.s1[i] = s1;
            self.s2[i] = s2;
            self.s3[i] = s3;
        }
        out
    }

    /// Fills `out` with uniforms on `[lo, hi)` in `f32` (24 random bits each):
    /// `lo + (hi - lo) · (bits >> 8) · 2^-24`, computed in `f32`.
    pub fn fill_uniform_f32(&mut self, out: &mut [f32], lo: f32, hi: f32) {
        fill_uniform_f32(self, out, lo, hi);
    }

    /// Fills `out` with uniforms on `[lo, hi)` in `f64` (53 random bits each,
    /// from two consecutive blocks).
    pub fn fill_uniform_f64(&mut self, out: &mut [f64], lo: f64, hi: f64) {
        fill_uniform_f64(self, out, lo, hi);
    }

    /// Fills `out` sixteen elements at a time, element `i` of each group
    /// from lane `i` of one block: `out[i] = value(bits)`. A last group
    /// shorter than sixteen uses the start of one more block. Inlined, so
    /// that `value` and the generator step vectorise together.
    #[inline(always)]
    pub(crate) fn fill_with<T>(&mut self, out: &mut [T], value: impl Fn(u32) -> T) {
        let mut groups = out.chunks_exact_mut(LANES);
        for group in &mut groups {
            let block = self.next_block();
            for (o, &bits) in group.iter_mut().zip(&block) {
                *o = value(bits);
            }
        }
        let rest = groups.into_remainder();
        if !rest.is_empty() {
            let block = self.next_block();
            for (o, &bits) in rest.iter_mut().zip(&block) {
                *o = value(bits);
            }
        }
    }

    /// As [`LaneRng::fill_with`] with two blocks per group of sixteen:
    /// `out[i] = value(high bits, low bits)` from lane `i` of the first and
    /// of the second block.
    #[inline(always)]
    pub(crate) fn fill_with_pairs<T>(&mut self, out: &mut [T], value: impl Fn(u32, u32) -> T) {
        let mut groups = out.chunks_exact_mut(LANES);
        for group in &mut groups {
            let high = self.next_block();
            let low = self.next_block();
            for ((o, &h), &l) in group.iter_mut().zip(&high).zip(&low) {
                *o = value(h, l);
            }
        }
        let rest = groups.into_remainder();
        if !rest.is_empty() {
            let high = self.next_block();
            let low = self.next_block();
            for ((o, &h), &l) in rest.iter_mut().zip(&high).zip(&low) {
                *o = value(h, l);
            }
        }
    }
}

multiversion! {
    fn fill_uniform_f32(rng: &mut LaneRng, out: &mut [f32], lo: f32, hi: f32) {
        let span = hi - lo;
        rng.fill_with(out, |b| lo + span * ((b >> 8) as f32 * F32_UNIT));
    }
}

multiversion! {
    fn fill_uniform_f64(rng: &mut LaneRng, out: &mut [f64], lo: f64, hi: f64) {
        let span = hi - lo;
        rng.fill_with_pairs(out, |h, l| {
            let bits = ((h as u64) << 32 | l as u64) >> 11;
            lo + span * (bits as f64 * F64_UNIT)
        });
    }
}

impl RngCore for LaneRng {
    fn next_u32(&mut self) -> u32 {
        self.next_block()[0]
    }
    fn next_u64(&mut self) -> u64 {
        let b = self.next_block();
        (b[0] as u64) << 32 | b[1] as u64
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4 * LANES) {
            let b = self.next_block();
            for (i, c) in chunk.chunks_mut(4).enumerate() {
                c.copy_from_slice(&b[i].to_le_bytes()[..c.len()]);
            }
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), RandError> {
        self.fill_bytes(dest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_lane_is_xoshiro128pp() {
        // Reference: xoshiro128++ C code from state {1, 2, 3, 4}; first
        // outputs 641, 1573767, 3222811527.
        let mut l = LaneRng {
            s0: [1; LANES],
            s1: [2; LANES],
            s2: [3; LANES],
            s3: [4; LANES],
        };
        assert_eq!(l.next_block(), [641; LANES]);
        assert_eq!(l.next_block(), [1573767; LANES]);
        assert_eq!(l.next_block(), [3222811527; LANES]);
    }

    #[test]
    fn fills_are_in_range_with_uniform_moments() {
        let mut l = LaneRng::stream(9, 0);
        let mut v = vec![0f32; 100_003];
        l.fill_uniform_f32(&mut v, 1.0, 2.0);
        assert!(v.iter().all(|&x| (1.0..2.0).contains(&x)));
        let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / v.len() as f64;
        assert!((mean - 1.5).abs() < 0.004, "{mean}");
        assert!((var - 1.0 / 12.0).abs() < 0.002, "{var}");
        let mut w = vec![0f64; 1000];
        l.fill_uniform_f64(&mut w, -6.0, -2.0);
        assert!(w.iter().all(|&x| (-6.0..-2.0).contains(&x)));
    }

    #[test]
    fn same_seed_same_buffer() {
        let mut a = LaneRng::stream(1, 2);
        let mut b = LaneRng::stream(1, 2);
        let (mut x, mut y) = (vec![0f32; 77], vec![0f32; 77]);
        a.fill_uniform_f32(&mut x, 0.0, 1.0);
        b.fill_uniform_f32(&mut y, 0.0, 1.0);
        assert_eq!(x, y);
    }
}
