//! The narrow-output matrix product: `a b^T` with fewer than
//! [`NT_BY_COLUMNS`](super::matmul::NT_BY_COLUMNS) output columns, each element one [`dot`](fn@super::dot) of two
//! contiguous rows, several rows of `a` at a time (the entry point is
//! [`super::matmul_nt_add_with`]). For `f32` on a processor with AVX2, an
//! intrinsics copy computes the same dots eight at a time (two columns by
//! four rows, or one by eight) and reduces their lanes together in vector
//! registers: the same additions in the same order, about half the
//! instructions of the generic blocks.

use super::dot::{add_half_group, dot_in_order, reduce_lanes, short_dot, LANES};
use crate::tensor::Element;

/// Rows of `a` whose dots with one row of `b` [`matmul_nt_add_with`](super::matmul_nt_add_with)
/// computes together with AVX2: eight independent sums in flight (one alone
/// waits on the latency of its additions; four still do, by about a third),
/// and each loaded group of `b` used eight times.
pub(super) const NT_ROWS: usize = 8;

/// `out[h · n] += dot(a row h, b)` for the `H` rows of `a` (`H x k`), each
/// in the order of [`dot`](fn@super::dot).
#[inline(always)]
pub(super) fn dots_add<T: Element, const H: usize>(
    a: &[T],
    b: &[T],
    out: &mut [T],
    k: usize,
    n: usize,
) {
    let whole = k - k % LANES;
    let rows: [&[T]; H] = std::array::from_fn(|h| &a[h * k..(h + 1) * k]);
    let mut acc = [[T::zero(); LANES]; H];
    for (c, bv) in b[..whole].chunks_exact(LANES).enumerate() {
        for (row, acc) in rows.iter().zip(acc.iter_mut()) {
            let av = &row[c * LANES..(c + 1) * LANES];
            for l in 0..LANES {
                acc[l] = acc[l] + av[l] * bv[l];
            }
        }
    }
    // The lanes are combined after a barrier: without it the compiler
    // vectorises the combinations across the rows and, to feed that, keeps
    // the accumulators above in a transposed layout (two to three times
    // slower). The barrier costs one store and load of each accumulator.
    let mut acc = std::hint::black_box(acc);
    let mut rest = whole;
    for (row, acc) in rows.iter().zip(acc.iter_mut()) {
        rest = whole + add_half_group(acc, &row[whole..], &b[whole..k]);
    }
    for (h, (row, acc)) in rows.iter().zip(&acc).enumerate() {
        let o = &mut out[h * n];
        *o = *o + (reduce_lanes(acc) + dot_in_order(&row[rest..], &b[rest..k]));
    }
}

/// `out (m x n) += a (m x K) b^T` for `K < 8`, each element by
/// [`short_dot`]: eight rows at a time (the same operations for each, which
/// the compiler runs side by side in vector registers), then single rows.
#[inline(always)]
pub(super) fn short_dots<T: Element, const K: usize>(
    a: &[T],
    b: &[T],
    out: &mut [T],
    m: usize,
    n: usize,
) {
    const ROWS: usize = 8;
    let (a, out) = (&a[..m * K], &mut out[..m * n]);
    let mut blocks = a.chunks_exact(ROWS * K).zip(out.chunks_exact_mut(ROWS * n));
    for (ablock, oblock) in &mut blocks {
        for (j, brow) in b.chunks_exact(K).take(n).enumerate() {
            let mut dots = [T::zero(); ROWS];
            for (d, arow) in dots.iter_mut().zip(ablock.chunks_exact(K)) {
                *d = short_dot(arow, brow);
            }
            for (orow, &d) in oblock.chunks_exact_mut(n).zip(&dots) {
                orow[j] = orow[j] + d;
            }
        }
    }
    let done = m - m % ROWS;
    let (a, out) = (&a[done * K..], &mut out[done * n..]);
    for (arow, orow) in a.chunks_exact(K).zip(out.chunks_exact_mut(n)) {
        for (o, brow) in orow.iter_mut().zip(b.chunks_exact(K)) {
            *o = *o + short_dot(arow, brow);
        }
    }
}

/// `out += a b^T` for the whole blocks of `H` rows of `a`, with
/// [`dots_add`]; returns the rows of `a` and `out` left over.
#[inline(always)]
pub(super) fn nt_blocks<'a, 'o, T: Element, const H: usize>(
    a: &'a [T],
    b: &[T],
    out: &'o mut [T],
    k: usize,
    n: usize,
) -> (&'a [T], &'o mut [T]) {
    let rows = a.len() / k / H * H;
    let (a, a_rest) = a.split_at(rows * k);
    let (out, out_rest) = out.split_at_mut(rows * n);
    for (ablock, oblock) in a.chunks_exact(H * k).zip(out.chunks_exact_mut(H * n)) {
        for (j, brow) in b.chunks_exact(k).take(n).enumerate() {
            dots_add::<T, H>(ablock, brow, &mut oblock[j..], k, n);
        }
    }
    (a_rest, out_rest)
}

/// `out += a b^T` for `f32` with AVX2 when `n < 8` and `k >= 8`, in the
/// order of [`dot`](fn@super::dot); returns whether it ran (`false`: not
/// `f32`, no AVX2, or a portable build), so the caller runs the generic
/// blocks instead.
#[inline(always)]
pub(super) fn nt_f32_avx2<T: Element>(
    a: &[T],
    b: &[T],
    out: &mut [T],
    m: usize,
    k: usize,
    n: usize,
) -> bool {
    #[cfg(all(target_arch = "x86_64", not(arithgrad_portable)))]
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>() && crate::simd::avx2_available()
    {
        let (a, b, out) = (&a[..m * k], &b[..n * k], &mut out[..m * n]);
        // SAFETY: `T` is `f32` (checked just above), so these are the same
        // slices with their own element type; the processor has AVX2.
        unsafe {
            let a = std::slice::from_raw_parts(a.as_ptr().cast::<f32>(), a.len());
            let b = std::slice::from_raw_parts(b.as_ptr().cast::<f32>(), b.len());
            let out = std::slice::from_raw_parts_mut(out.as_mut_ptr().cast::<f32>(), out.len());
            avx2::nt(a, b, out, m, k, n);
        }
        return true;
    }
    let _ = (a, b, out, m, k, n);
    false
}

/// The narrow product for `f32` with AVX2 intrinsics: every output element
/// is the [`dot`](fn@super::dot) of its two rows, the same additions in the
/// same order as the generic blocks above (the tests compare them bit for
/// bit), but each row of `a` is loaded once for two columns, and the eight
/// lane sums of eight dots are reduced together in vector registers (the
/// compiler leaves the generic form's reductions scalar, about a third of
/// the product's instructions).
#[cfg(all(target_arch = "x86_64", not(arithgrad_portable)))]
mod avx2 {
    use super::super::dot::dot;
    use std::arch::x86_64::*;

    /// The accumulator of the dot that ends at position `t` of a block's
    /// eight results: [`reduce`] leaves accumulator `d` at the position
    /// where `ORDER` holds `d`.
    const ORDER: [usize; 8] = [0, 2, 4, 6, 1, 3, 5, 7];

    /// Eight lane sums (each eight lanes, the first four already holding the
    /// half group) reduced as [`dot`] does, `((l0 + l4) + (l2 + l6)) + ((l1 +
    /// l5) + (l3 + l7))`: the halves `h = lo + hi` of each, then two
    /// shuffle-and-add steps over all eight at once. Result `t` is the sum of
    /// `h[ORDER[t]]`.
    #[inline(always)]
    unsafe fn reduce(h: [__m128; 8]) -> __m256 {
        // p[i] = [h[2i] | h[2i + 1]]
        let p: [__m256; 4] = std::array::from_fn(|i| _mm256_set_m128(h[2 * i + 1], h[2 * i]));
        // Within each 128-bit half: [x0 + x2, x1 + x3, y0 + y2, y1 + y3].
        let w = _mm256_add_ps(
            _mm256_shuffle_ps::<0x44>(p[0], p[1]),
            _mm256_shuffle_ps::<0xEE>(p[0], p[1]),
        );
        let x = _mm256_add_ps(
            _mm256_shuffle_ps::<0x44>(p[2], p[3]),
            _mm256_shuffle_ps::<0xEE>(p[2], p[3]),
        );
        // Then [w0 + w1, w2 + w3, x0 + x1, x2 + x3] in each half.
        _mm256_add_ps(
            _mm256_shuffle_ps::<0x88>(w, x),
            _mm256_shuffle_ps::<0xDD>(w, x),
        )
    }

    /// `out[r * n + j] += dot(a row r, b row j)` for `R` rows of `a` and `N`
    /// rows of `b`, `R * N = 8` dots.
    #[inline(always)]
    unsafe fn block<const R: usize, const N: usize>(
        a: &[f32],
        b: &[f32],
        out: &mut [f32],
        k: usize,
        n: usize,
    ) {
        // The reads below stay inside these bounds.
        assert!(R * N == 8 && k >= 8 && a.len() >= R * k && b.len() >= N * k);
        assert!(N <= n && out.len() >= (R - 1) * n + N);
        let chunks = k / 8;
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc = [_mm256_setzero_ps(); 8];
        for c in 0..chunks {
            let bv: [__m256; N] = std::array::from_fn(|j| _mm256_loadu_ps(pb.add(j * k + c * 8)));
            for r in 0..R {
                let x = _mm256_loadu_ps(pa.add(r * k + c * 8));
                for (j, &y) in bv.iter().enumerate() {
                    let d = ORDER[r * N + j];
                    acc[d] = _mm256_add_ps(acc[d], _mm256_mul_ps(x, y));
                }
            }
        }
        // A last group of four products goes to lanes 0-3; the rest are
        // summed in order onto zero and added last.
        let whole = chunks * 8;
        let half = k - whole >= 4;
        let rest = if half { whole + 4 } else { whole };
        let mut h = [_mm_setzero_ps(); 8];
        let mut tails = [0f32; 8];
        for r in 0..R {
            for j in 0..N {
                let d = ORDER[r * N + j];
                let mut lo = _mm256_castps256_ps128(acc[d]);
                if half {
                    let x = _mm_loadu_ps(pa.add(r * k + whole));
                    let y = _mm_loadu_ps(pb.add(j * k + whole));
                    lo = _mm_add_ps(lo, _mm_mul_ps(x, y));
                }
                h[d] = _mm_add_ps(lo, _mm256_extractf128_ps::<1>(acc[d]));
                let mut t = 0f32;
                for p in rest..k {
                    t += a[r * k + p] * b[j * k + p];
                }
                tails[r * N + j] = t;
            }
        }
        let s = _mm256_add_ps(reduce(h), _mm256_loadu_ps(tails.as_ptr()));
        if n == N {
            // The block's outputs are contiguous.
            let o = out.as_mut_ptr();
            _mm256_storeu_ps(o, _mm256_add_ps(_mm256_loadu_ps(o), s));
        } else {
            let mut v = [0f32; 8];
            _mm256_storeu_ps(v.as_mut_ptr(), s);
            for r in 0..R {
                for j in 0..N {
                    out[r * n + j] += v[r * N + j];
                }
            }
        }
    }

    /// `out (m x n) += a (m x k) b^T` for `n < 8 <= k`: pairs of columns
    /// four rows at a time, a last single column eight rows at a time, and
    /// the rows left over one dot at a time.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn nt(a: &[f32], b: &[f32], out: &mut [f32], m: usize, k: usize, n: usize) {
        let mut j = 0;
        while j < n {
            let cols = if n - j >= 2 { 2 } else { 1 };
            let rows = 8 / cols;
            let bj = &b[j * k..(j + cols) * k];
            let mut i = 0;
            while i + rows <= m {
                let (ai, oi) = (&a[i * k..], &mut out[i * n + j..]);
                if cols == 2 {
                    block::<4, 2>(ai, bj, oi, k, n);
                } else {
                    block::<8, 1>(ai, bj, oi, k, n);
                }
                i += rows;
            }
            for i in i..m {
                for c in 0..cols {
                    let o = &mut out[i * n + j + c];
                    *o += dot(&a[i * k..(i + 1) * k], &bj[c * k..(c + 1) * k]);
                }
            }
            j += cols;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tensor::kernels::matmul_nt_add;
    use crate::tensor::reference;

    /// Values whose products and sums round, so that a change of summation
    /// order would show.
    fn data(len: usize, seed: u32) -> Vec<f32> {
        (0..len)
            .map(|i| {
                let h = (i as u32 ^ seed)
                    .wrapping_mul(2_654_435_761)
                    .rotate_left(13);
                (h % 20011) as f32 / 997.0 - 9.7
            })
            .collect()
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Every narrow width (1 to 7 columns: pairs, a last single column, the
    /// scattered stores of widths other than 1 and 2), lengths with and
    /// without a half group and a tail, and row counts that leave rows over
    /// after the blocks of four and eight: the same bits as the plain dots,
    /// and the same bits in the portable copy (on an AVX2 machine the
    /// dispatched one runs the intrinsics).
    #[test]
    fn narrow_products_match_the_plain_dots_bit_for_bit() {
        crate::simd::note_if_no_avx2("narrow products");
        for n in 1..8 {
            for k in [8, 9, 11, 12, 13, 15, 16, 20, 31, 100, 103] {
                for m in [1, 3, 4, 5, 7, 8, 9, 13, 17, 128] {
                    let (a, b, start) = (data(m * k, 1), data(n * k, 2), data(m * n, 3));
                    let mut want = start.clone();
                    reference::matmul_nt_add(&a, &b, &mut want, m, k, n);
                    let mut got = start.clone();
                    matmul_nt_add(&a, &b, &mut got, m, k, n);
                    assert_eq!(bits(&got), bits(&want), "{m}x{k}x{n}");
                    let mut portable = start.clone();
                    crate::simd::portable_only(|| {
                        matmul_nt_add(&a, &b, &mut portable, m, k, n);
                    });
                    assert_eq!(bits(&portable), bits(&want), "portable {m}x{k}x{n}");
                }
            }
        }
    }

    /// Signed zeros and non-finite values go through the same additions:
    /// an output of -0 plus a dot of +0, products of infinities, NaN.
    #[test]
    fn narrow_products_keep_zeros_signs_and_non_finite_values() {
        let (m, k, n) = (9, 12, 2);
        let mut a = vec![0.0f32; m * k];
        let mut b = data(n * k, 5);
        a[3 * k + 2] = f32::INFINITY;
        a[5 * k + 9] = -f32::INFINITY;
        b[k + 4] = f32::NAN;
        b[7] = -0.0;
        for start in [vec![-0.0f32; m * n], data(m * n, 6)] {
            let mut want = start.clone();
            reference::matmul_nt_add(&a, &b, &mut want, m, k, n);
            let mut got = start.clone();
            matmul_nt_add(&a, &b, &mut got, m, k, n);
            assert!(got.iter().any(|x| x.is_nan()) && got.iter().any(|x| x.is_infinite()));
            for (g, w) in got.iter().zip(&want) {
                // NaN's payload is not part of the order.
                assert!(
                    g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                    "{g} {w}"
                );
            }
        }
    }

    #[test]
    fn narrow_products_in_f64_match_the_plain_dots() {
        for (m, k, n) in [(13, 100, 2), (9, 11, 1), (5, 20, 7)] {
            let a: Vec<f64> = data(m * k, 1).iter().map(|&x| x as f64 / 3.0).collect();
            let b: Vec<f64> = data(n * k, 2).iter().map(|&x| x as f64 / 7.0).collect();
            let mut want = vec![0.5; m * n];
            reference::matmul_nt_add(&a, &b, &mut want, m, k, n);
            let mut got = vec![0.5; m * n];
            matmul_nt_add(&a, &b, &mut got, m, k, n);
            assert_eq!(got, want, "{m}x{k}x{n}");
        }
    }
}
