//! Drawing inputs from a [`Range`] with the lane generator, and the row
//! sums that turn inputs into targets. Hot paths: no allocation, no branches
//! per element.

use std::mem::size_of;

use super::{Operation, Positions, Range};
use crate::random::{LaneRng, F32_UNIT, F64_UNIT};
use crate::simd::multiversion;
use crate::tensor::Element;

/// Fills `out` with i.i.d. draws from `range` in `T`'s precision.
///
/// The buffer is consumed sixteen elements at a time, element `i` from lane
/// `i % 16`, exactly like [`LaneRng::fill_uniform_f32`] /
/// [`LaneRng::fill_uniform_f64`]; for a single interval the output is
/// bit-identical to theirs.
///
/// - `f32`: one 32-bit draw per element; its top 24 bits give the uniform,
///   `lo + (hi - lo) · u` computed in `f32`.
/// - `f64`: two 32-bit draws per element (two blocks per sixteen); the top
///   53 of the 64 bits give the uniform, computed in `f64`.
///
/// For a union the lowest bit of the element's (last) draw, which the
/// uniform does not use, picks the interval: 0 the first, 1 the second.
pub(crate) fn fill_range<T: Element>(range: &Range, rng: &mut LaneRng, out: &mut [T]) {
    // Dispatch once per call so that each inner loop is straight-line code
    // the compiler vectorises (a single interval skips the coin entirely).
    match (size_of::<T>() == size_of::<f32>(), range.is_union()) {
        (true, false) => fill_single::<T>(range, rng, out, false),
        (true, true) => fill_single::<T>(range, rng, out, true),
        (false, false) => fill_double::<T>(range, rng, out, false),
        (false, true) => fill_double::<T>(range, rng, out, true),
    }
}

multiversion! {
    fn fill_single<T: Element>(range: &Range, rng: &mut LaneRng, out: &mut [T], union: bool) {
        let [(lo0, hi0), (lo1, hi1)] = range.halves();
        let (lo0, hi0, lo1, hi1) = (lo0 as f32, hi0 as f32, lo1 as f32, hi1 as f32);
        let (span0, span1) = (hi0 - lo0, hi1 - lo1);
        let value = |lo: f32, span: f32, bits: u32| {
            // For T = f32 the widening and narrowing cancel exactly.
            T::from_f64_lossy((lo + span * ((bits >> 8) as f32 * F32_UNIT)) as f64)
        };
        if union {
            rng.fill_with(out, |bits| {
                let second = bits & 1 == 1;
                let lo = if second { lo1 } else { lo0 };
                let span = if second { span1 } else { span0 };
                value(lo, span, bits)
            });
        } else {
            rng.fill_with(out, |bits| value(lo0, span0, bits));
        }
    }
}

multiversion! {
    fn fill_double<T: Element>(range: &Range, rng: &mut LaneRng, out: &mut [T], union: bool) {
        let [(lo0, hi0), (lo1, hi1)] = range.halves();
        let (span0, span1) = (hi0 - lo0, hi1 - lo1);
        let value = |lo: f64, span: f64, h: u32, l: u32| {
            let bits = ((h as u64) << 32 | l as u64) >> 11;
            T::from_f64_lossy(lo + span * (bits as f64 * F64_UNIT))
        };
        if union {
            rng.fill_with_pairs(out, |h, l| {
                let second = l & 1 == 1;
                let lo = if second { lo1 } else { lo0 };
                let span = if second { span1 } else { span0 };
                value(lo, span, h, l)
            });
        } else {
            rng.fill_with_pairs(out, |h, l| value(lo0, span0, h, l));
        }
    }
}

/// The sum of `xs` in `f64`, with four interleaved partial sums (so the
/// additions do not wait on each other) combined in a fixed order: the
/// result does not depend on the machine.
#[inline]
pub(crate) fn sum_f64<T: Element>(xs: &[T]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut quads = xs.chunks_exact(4);
    for q in &mut quads {
        for k in 0..4 {
            acc[k] += q[k].to_f64_lossy();
        }
    }
    let mut tail = 0.0;
    for &x in quads.remainder() {
        tail += x.to_f64_lossy();
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + tail
}

multiversion! {
    /// Writes the target of every row of `x` (`[rows, n]`, `n = positions.input_size`)
    /// into `targets`: `a` and `b` summed in `f64` from the stored values, the
    /// operation applied in `f64`, the result rounded once to `T`.
    pub(crate) fn fill_targets<T: Element>(
        positions: &Positions,
        operation: Operation,
        x: &[T],
        targets: &mut [T],
    ) {
        let n = positions.input_size;
        let (a, b) = (positions.a.clone(), positions.b.clone());
        for (row, t) in x.chunks_exact(n).zip(targets.iter_mut()) {
            let a = sum_f64(&row[a.clone()]);
            let b = sum_f64(&row[b.clone()]);
            *t = T::from_f64_lossy(operation.apply(a, b));
        }
    }
}

/// Neumaier's compensated sum: the running error of every addition is kept
/// and added back at the end, so a million small terms lose nothing.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    #[inline]
    pub(crate) fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    pub(crate) fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_interval_matches_the_lane_generator_fills() {
        let range = Range::new(0.1, 0.7).unwrap();
        let (mut a, mut b) = (LaneRng::stream(3, 4), LaneRng::stream(3, 4));
        let (mut mine, mut theirs) = (vec![0f32; 1003], vec![0f32; 1003]);
        fill_range(&range, &mut a, &mut mine);
        b.fill_uniform_f32(&mut theirs, 0.1, 0.7);
        assert_eq!(mine, theirs);
        let (mut mine, mut theirs) = (vec![0f64; 1003], vec![0f64; 1003]);
        fill_range(&range, &mut a, &mut mine);
        b.fill_uniform_f64(&mut theirs, 0.1, 0.7);
        assert_eq!(mine, theirs);
    }

    #[test]
    fn portable_and_dispatched_fills_are_bit_identical() {
        let ranges = [
            Range::new(1.0, 2.0).unwrap(),
            Range::union(-6.0, -2.0, 2.0, 6.0).unwrap(),
        ];
        for range in &ranges {
            let fill = |portable: bool| {
                let (mut a, mut b) = (vec![0f32; 1003], vec![0f64; 517]);
                let mut rng = LaneRng::stream(5, 6);
                let mut run = || {
                    fill_range(range, &mut rng, &mut a);
                    fill_range(range, &mut rng, &mut b);
                };
                if portable {
                    crate::simd::portable_only(run);
                } else {
                    run();
                }
                let a: Vec<u32> = a.iter().map(|x| x.to_bits()).collect();
                let b: Vec<u64> = b.iter().map(|x| x.to_bits()).collect();
                (a, b)
            };
            assert_eq!(fill(true), fill(false), "{range}");
        }
    }

    #[test]
    fn sums_in_fixed_order() {
        let xs: Vec<f32> = (1..=25).map(|i| i as f32).collect();
        assert_eq!(sum_f64(&xs), 325.0);
        assert_eq!(sum_f64::<f64>(&[]), 0.0);
        assert_eq!(sum_f64(&[0.5f64, 0.25, 0.125]), 0.875);
    }

    #[test]
    fn compensated_sum_keeps_small_terms() {
        let mut s = CompensatedSum::default();
        s.add(1.0);
        for _ in 0..1000 {
            s.add(1e-17);
        }
        s.add(-1.0);
        // A plain sum returns exactly 0 here: 1 + 1e-17 rounds to 1.
        assert!((s.value() - 1e-14).abs() < 1e-25, "{}", s.value());
    }
}
