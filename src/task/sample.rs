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
        // `span · (m · 2^-24)` is `(span · 2^-24) · m` exactly when
        // `span · 2^-24` is a normal number (a power of two only moves the
        // exponent): the same real product, so the same rounding, with one
        // multiplication fewer per element.
        let (unit0, unit1) = (span0 * F32_UNIT, span1 * F32_UNIT);
        if unit0.is_normal() && unit1.is_normal() {
            let value = |lo: f32, unit: f32, bits: u32| {
                T::from_f64_lossy((lo + unit * (bits >> 8) as f32) as f64)
            };
            if union {
                rng.fill_with(out, |bits| {
                    let second = bits & 1 == 1;
                    let lo = if second { lo1 } else { lo0 };
                    let unit = if second { unit1 } else { unit0 };
                    value(lo, unit, bits)
                });
            } else {
                rng.fill_with(out, |bits| value(lo0, unit0, bits));
            }
            return;
        }
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
/// additions do not wait on each other, and the four are one AVX register)
/// combined in a fixed order, `((s0 + s2) + (s1 + s3)) + tail`: the result
/// does not depend on the machine.
#[inline(always)]
pub(crate) fn sum_f64<T: Element>(xs: &[T]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut groups = xs.chunks_exact(4);
    for g in &mut groups {
        add_group(&mut acc, g);
    }
    combine(&acc, groups.remainder())
}

/// Adds one group of four values into the four partial sums of a
/// [`sum_f64`] (the one place that order is written down).
#[inline(always)]
fn add_group<T: Element>(acc: &mut [f64; 4], x: &[T]) {
    for k in 0..4 {
        acc[k] += x[k].to_f64_lossy();
    }
}

/// The end of a [`sum_f64`]: the partial sums combined, then the values
/// past the last group of four summed in order and added last.
#[inline(always)]
fn combine<T: Element>(acc: &[f64; 4], rest: &[T]) -> f64 {
    let mut tail = 0.0;
    for &x in rest {
        tail += x.to_f64_lossy();
    }
    ((acc[0] + acc[2]) + (acc[1] + acc[3])) + tail
}

/// [`sum_f64`] of four slices of one length, side by side (a lone sum
/// waits on the latency of its additions). The four walk their groups of
/// four together (zipped chunks, so no index is checked per group); each
/// slice's sum is bit-identical to its [`sum_f64`].
#[inline(always)]
fn sums4_f64<T: Element>(xs: [&[T]; 4]) -> [f64; 4] {
    let [x0, x1, x2, x3] = xs;
    debug_assert!(xs.iter().all(|x| x.len() == x0.len()));
    let mut acc = [[0.0f64; 4]; 4];
    let (g0, g1, g2, g3) = (
        x0.chunks_exact(4),
        x1.chunks_exact(4),
        x2.chunks_exact(4),
        x3.chunks_exact(4),
    );
    let rests = [
        g0.remainder(),
        g1.remainder(),
        g2.remainder(),
        g3.remainder(),
    ];
    for (((a, b), c), d) in g0.zip(g1).zip(g2).zip(g3) {
        add_group(&mut acc[0], a);
        add_group(&mut acc[1], b);
        add_group(&mut acc[2], c);
        add_group(&mut acc[3], d);
    }
    // Combined after a barrier (see `kernels::matmul`'s dots: otherwise the
    // loop above is vectorised across the slices, in a slower layout).
    let acc = std::hint::black_box(acc);
    let mut sums = [0.0; 4];
    for ((sum, acc), rest) in sums.iter_mut().zip(&acc).zip(rests) {
        *sum = combine(acc, rest);
    }
    sums
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
        if targets_f32_avx2(positions, operation, x, targets) {
            return;
        }
        // Four rows at a time, their sums side by side (a lone sum waits on
        // the latency of its additions).
        let mut rows = x.chunks_exact(4 * n).zip(targets.chunks_exact_mut(4));
        for (block, ts) in &mut rows {
            let row = |r: usize| &block[r * n..(r + 1) * n];
            let sa = sums4_f64::<T>(std::array::from_fn(|r| &row(r)[a.clone()]));
            let sb = sums4_f64::<T>(std::array::from_fn(|r| &row(r)[b.clone()]));
            for ((t, a), b) in ts.iter_mut().zip(sa).zip(sb) {
                *t = T::from_f64_lossy(operation.apply(a, b));
            }
        }
        let done = targets.len() - targets.len() % 4;
        let (x, targets) = (&x[done * n..], &mut targets[done..]);
        for (row, t) in x.chunks_exact(n).zip(targets.iter_mut()) {
            let a = sum_f64(&row[a.clone()]);
            let b = sum_f64(&row[b.clone()]);
            *t = T::from_f64_lossy(operation.apply(a, b));
        }
    }
}

/// [`fill_targets`] for `f32` with AVX2 intrinsics; returns whether it ran
/// (`false`: not `f32`, no AVX2, or a portable build).
#[inline(always)]
fn targets_f32_avx2<T: Element>(
    positions: &Positions,
    operation: Operation,
    x: &[T],
    targets: &mut [T],
) -> bool {
    #[cfg(all(target_arch = "x86_64", not(arithgrad_portable)))]
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>() && crate::simd::avx2_available()
    {
        // SAFETY: `T` is `f32` (checked just above), so these are the same
        // slices with their own element type; the processor has AVX2.
        unsafe {
            let x = std::slice::from_raw_parts(x.as_ptr().cast::<f32>(), x.len());
            let targets =
                std::slice::from_raw_parts_mut(targets.as_mut_ptr().cast::<f32>(), targets.len());
            avx2::targets(positions, operation, x, targets);
        }
        return true;
    }
    let _ = (positions, operation, x, targets);
    false
}

/// The targets' sums with AVX2 intrinsics: the same additions in the same
/// order as [`sums4_f64`] and [`sum_f64`] (four partial sums per row,
/// `((s0 + s2) + (s1 + s3)) + tail`), with the four rows' partial sums
/// combined together in vector registers rather than one scalar at a time.
#[cfg(all(target_arch = "x86_64", not(arithgrad_portable)))]
mod avx2 {
    use super::{sum_f64, Operation, Positions};
    use std::arch::x86_64::*;
    use std::ops::Range;

    /// [`sum_f64`] of `range` in each of the four rows of `block` (rows of
    /// `n`).
    #[inline(always)]
    unsafe fn sums4(block: &[f32], n: usize, range: Range<usize>) -> [f64; 4] {
        // The reads below stay inside these bounds.
        assert!(range.start <= range.end && range.end <= n && block.len() >= 4 * n);
        let groups = range.len() / 4;
        let p = block.as_ptr().add(range.start);
        let mut acc = [_mm256_setzero_pd(); 4];
        for g in 0..groups {
            for (r, acc) in acc.iter_mut().enumerate() {
                let v = _mm256_cvtps_pd(_mm_loadu_ps(p.add(r * n + g * 4)));
                *acc = _mm256_add_pd(*acc, v);
            }
        }
        let mut tails = [0f64; 4];
        for (r, tail) in tails.iter_mut().enumerate() {
            for &v in &block[r * n + range.start + groups * 4..r * n + range.end] {
                *tail += v as f64;
            }
        }
        // h[r] = [s0 + s2, s1 + s3] of row r.
        let h: [__m128d; 4] = std::array::from_fn(|r| {
            _mm_add_pd(
                _mm256_castpd256_pd128(acc[r]),
                _mm256_extractf128_pd::<1>(acc[r]),
            )
        });
        let (h01, h23) = (_mm256_set_m128d(h[1], h[0]), _mm256_set_m128d(h[3], h[2]));
        // [S0, S2 | S1, S3], S_r = (s0 + s2) + (s1 + s3) of row r.
        let s = _mm256_add_pd(_mm256_unpacklo_pd(h01, h23), _mm256_unpackhi_pd(h01, h23));
        let mut v = [0f64; 4];
        _mm256_storeu_pd(v.as_mut_ptr(), s);
        [
            v[0] + tails[0],
            v[2] + tails[1],
            v[1] + tails[2],
            v[3] + tails[3],
        ]
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn targets(
        positions: &Positions,
        operation: Operation,
        x: &[f32],
        targets: &mut [f32],
    ) {
        let n = positions.input_size;
        let (a, b) = (positions.a.clone(), positions.b.clone());
        let mut rows = x.chunks_exact(4 * n).zip(targets.chunks_exact_mut(4));
        for (block, ts) in &mut rows {
            let sa = sums4(block, n, a.clone());
            let sb = sums4(block, n, b.clone());
            for ((t, a), b) in ts.iter_mut().zip(sa).zip(sb) {
                *t = operation.apply(a, b) as f32;
            }
        }
        let done = targets.len() - targets.len() % 4;
        let (x, targets) = (&x[done * n..], &mut targets[done..]);
        for (row, t) in x.chunks_exact(n).zip(targets.iter_mut()) {
            *t = operation.apply(sum_f64(&row[a.clone()]), sum_f64(&row[b.clone()])) as f32;
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
    fn prescaled_span_gives_the_same_draws_as_the_unit_uniform() {
        // `lo + span · (m · 2^-24)` written out per element, against the
        // fill (which multiplies `m` by `span · 2^-24` when that is normal):
        // ordinary, huge, tiny (scaled span subnormal: the plain form runs)
        // and unions of intervals of different widths.
        let ranges = [
            Range::new(1.0, 2.0).unwrap(),
            Range::new(-3.0e38, 3.0e38).unwrap(),
            Range::new(1.0e-38, 3.0e-38).unwrap(),
            Range::new(0.1, 0.1 + 1.0e-6).unwrap(),
            Range::union(-6.0, -2.0, 2.0, 6.0).unwrap(),
            Range::union(-1.0e-37, 0.0, 1.0e3, 1.0e30).unwrap(),
        ];
        for range in &ranges {
            let [(lo0, hi0), (lo1, hi1)] = range.halves();
            let (lo0, hi0, lo1, hi1) = (lo0 as f32, hi0 as f32, lo1 as f32, hi1 as f32);
            let mut bits_rng = LaneRng::stream(8, 1);
            let mut blocks = Vec::new();
            for _ in 0..64 {
                blocks.extend(bits_rng.next_block());
            }
            let want: Vec<u32> = blocks
                .iter()
                .map(|&b| {
                    let (lo, hi) = if range.is_union() && b & 1 == 1 {
                        (lo1, hi1)
                    } else {
                        (lo0, hi0)
                    };
                    (lo + (hi - lo) * ((b >> 8) as f32 * F32_UNIT)).to_bits()
                })
                .collect();
            for portable in [false, true] {
                let mut got = vec![0f32; blocks.len()];
                let mut rng = LaneRng::stream(8, 1);
                if portable {
                    crate::simd::portable_only(|| fill_range(range, &mut rng, &mut got));
                } else {
                    fill_range(range, &mut rng, &mut got);
                }
                let got: Vec<u32> = got.iter().map(|x| x.to_bits()).collect();
                assert_eq!(got, want, "{range} portable={portable}");
            }
        }
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
                    crate::simd::note_if_no_avx2("batch fills");
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
    fn targets_in_blocks_of_rows_match_one_row_at_a_time() {
        // Values of many magnitudes, so that the order of the f64 sums shows.
        let (rows, n) = (11, 37);
        let positions = Positions {
            input_size: n,
            offset: 3,
            a: 3..26,
            b: 14..37,
        };
        let range = Range::union(-6.0e3, -2.0e-3, 2.0e-5, 6.0e7).unwrap();
        let mut rng = LaneRng::stream(2, 9);
        let (mut x32, mut x64) = (vec![0f32; rows * n], vec![0f64; rows * n]);
        fill_range(&range, &mut rng, &mut x32);
        fill_range(&range, &mut rng, &mut x64);
        for operation in [Operation::Add, Operation::Mul, Operation::Div] {
            let (mut t32, mut t64) = (vec![0f32; rows], vec![0f64; rows]);
            fill_targets(&positions, operation, &x32, &mut t32);
            fill_targets(&positions, operation, &x64, &mut t64);
            for r in 0..rows {
                let row32 = &x32[r * n..(r + 1) * n];
                let row64 = &x64[r * n..(r + 1) * n];
                let want32 = operation.apply(sum_f64(&row32[3..26]), sum_f64(&row32[14..37]));
                let want64 = operation.apply(sum_f64(&row64[3..26]), sum_f64(&row64[14..37]));
                assert_eq!(
                    t32[r].to_bits(),
                    (want32 as f32).to_bits(),
                    "{operation} row {r}"
                );
                assert_eq!(t64[r].to_bits(), want64.to_bits(), "{operation} row {r}");
            }
        }
    }

    #[test]
    fn targets_match_the_plain_sums_on_every_instruction_set() {
        // Ranges of every length 0-9 and a long one, at several starts, and
        // row counts with and without rows after the blocks of four: each
        // target bit for bit the operation on two plain sums, in the
        // dispatched copy (the AVX2 intrinsics for f32 where available)
        // and the portable one.
        crate::simd::note_if_no_avx2("targets");
        let n = 41;
        let range = Range::union(-6.0e3, -2.0e-3, 2.0e-5, 6.0e7).unwrap();
        let mut rng = LaneRng::stream(4, 2);
        let mut x = vec![0f32; 9 * n];
        fill_range(&range, &mut rng, &mut x);
        let mut cases = vec![(0..30, 11..41)];
        for len in 0..10 {
            for start in [0, 1, 2, 3, 7] {
                cases.push((start..start + len, (n - len)..n));
            }
        }
        for (a, b) in cases {
            let positions = Positions {
                input_size: n,
                offset: 0,
                a: a.clone(),
                b: b.clone(),
            };
            for rows in [1, 4, 5, 8, 9] {
                let x = &x[..rows * n];
                let want: Vec<u32> = x
                    .chunks_exact(n)
                    .map(|row| {
                        let (sa, sb) = (
                            sum_f64_reference(&row[a.clone()]),
                            sum_f64_reference(&row[b.clone()]),
                        );
                        (Operation::Mul.apply(sa, sb) as f32).to_bits()
                    })
                    .collect();
                for portable in [false, true] {
                    let mut t = vec![0f32; rows];
                    if portable {
                        crate::simd::portable_only(|| {
                            fill_targets(&positions, Operation::Mul, x, &mut t)
                        });
                    } else {
                        fill_targets(&positions, Operation::Mul, x, &mut t);
                    }
                    let got: Vec<u32> = t.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(got, want, "{a:?} {b:?} rows {rows} portable={portable}");
                }
            }
        }
    }

    /// The documented order of [`sum_f64`], as a plain loop: lane `p mod 4`
    /// below the last multiple of four, `((s0 + s2) + (s1 + s3))`, then the
    /// rest in order onto zero, added last.
    fn sum_f64_reference<T: Element>(xs: &[T]) -> f64 {
        let whole = xs.len() - xs.len() % 4;
        let mut s = [0.0f64; 4];
        for (p, x) in xs[..whole].iter().enumerate() {
            s[p % 4] += x.to_f64_lossy();
        }
        let mut tail = 0.0;
        for x in &xs[whole..] {
            tail += x.to_f64_lossy();
        }
        ((s[0] + s[2]) + (s[1] + s[3])) + tail
    }

    #[test]
    fn sums_match_the_plain_loop_bit_for_bit() {
        // Magnitudes from 1e-5 to 6e7 and both signs, so any other order of
        // the additions shows in the last bits.
        let range = Range::union(-6.0e3, -2.0e-3, 2.0e-5, 6.0e7).unwrap();
        let mut rng = LaneRng::stream(5, 1);
        let (mut x32, mut x64) = (vec![0f32; 203], vec![0f64; 203]);
        fill_range(&range, &mut rng, &mut x32);
        fill_range(&range, &mut rng, &mut x64);
        for len in 0..x32.len() {
            for start in [0, 1, 3] {
                let (s32, s64) = (&x32[start.min(len)..len], &x64[start.min(len)..len]);
                assert_eq!(sum_f64(s32).to_bits(), sum_f64_reference(s32).to_bits());
                assert_eq!(sum_f64(s64).to_bits(), sum_f64_reference(s64).to_bits());
                let four = sums4_f64([s32, s32, s32, s32]);
                assert!(four
                    .iter()
                    .all(|s| s.to_bits() == sum_f64_reference(s32).to_bits()));
            }
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
