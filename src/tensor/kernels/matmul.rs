//! Matrix-product kernels, register-blocked so the compiler vectorises them.
//!
//! Each kernel works on a small tile of the output held in local arrays
//! (which the compiler keeps in vector registers) while it streams over the
//! shared dimension, so every loaded value is used for several outputs.
//! Tiling never changes a result: every output element is summed in one
//! fixed order, documented on each kernel, whatever tile or edge case
//! computes it.
//!
//! - [`matmul_add`] and [`matmul_tn_add`] (and their overwriting forms) add
//!   the products of the shared dimension `p = 0, 1, ..` one after the other
//!   onto the output's previous value: `out + t_0 + t_1 + ...`.
//! - [`matmul_nt_add`] depends on the width `n` of the output. Below
//!   [`NT_BY_COLUMNS`] columns it computes each element as a [`dot`](fn@super::dot) of two
//!   contiguous rows (eight interleaved partial sums combined as a tree) and
//!   adds it to the output; from [`NT_BY_COLUMNS`] columns on it transposes `b` into work
//!   space and sums like [`matmul_add`], `out + t_0 + t_1 + ...` in order.
//!
//! The dot products and sums are in [`super::dot`], the narrow-output
//! product in [`super::matmul_narrow`]; the plain loops in
//! [`crate::tensor::reference`] compute the same results the slow way.

use std::mem::size_of;

use super::dot::LANES;
use super::matmul_narrow::{nt_blocks, nt_f32_avx2, short_dots, NT_ROWS};
use crate::simd::multiversion;
use crate::tensor::Element;

/// From this many output columns on, [`matmul_nt_add_with`] transposes `b`
/// and runs the register tiles of [`matmul_add`] (four rows by up to sixteen
/// columns held in registers while the shared dimension runs): enough
/// columns fill a tile's vector width, and each value of `a` is then used
/// for `n` products, not two. With fewer columns the tiles would be mostly
/// scalar, and the dots are faster.
pub const NT_BY_COLUMNS: usize = 8;

multiversion! {
    /// Accumulated: `out (m x n) += a (m x k) * b^T`, with `b` stored as
    /// `n x k`. `work` is work space, grown once and reused.
    ///
    /// Order (deterministic, fixed by the shape):
    /// - `n < NT_BY_COLUMNS`: each element adds `dot(a row i, b row j)` (see
    ///   [`dot`](fn@super::dot)), eight (or four) rows of `a` at a time; `work` is not
    ///   used.
    /// - `n >= NT_BY_COLUMNS`: `b` is transposed into `work` (`k x n`) and
    ///   each element is `out + a[i,0] b[j,0] + a[i,1] b[j,1] + ...` in that
    ///   order, exactly as [`matmul_add`] with `b^T`.
    pub fn matmul_nt_add_with<T: Element>(
        a: &[T],
        b: &[T],
        out: &mut [T],
        m: usize,
        k: usize,
        n: usize,
        work: &mut Vec<T>,
    ) {
        if k == 0 || n == 0 {
            return;
        }
        if n >= NT_BY_COLUMNS {
            let bt = super::work_space(work, k * n);
            super::transpose(&b[..n * k], bt, n, k);
            axpy_tiles(a, (k, 1), bt, out, m, k, n);
            return;
        }
        if k < LANES {
            // Too short for the vector loop of the blocks below (whose lane
            // sums would be mostly zeros, kept in memory by the barrier):
            // eight rows' dots at a time with the length known to the
            // compiler, which then computes them side by side.
            macro_rules! short {
                ($($k:literal)*) => {
                    match k {
                        $($k => short_dots::<T, $k>(a, b, out, m, n),)*
                        _ => unreachable!("k < 8"),
                    }
                };
            }
            short!(1 2 3 4 5 6 7);
            return;
        }
        // `f32` with AVX2: eight dots at a time, reduced in vector registers.
        if nt_f32_avx2(a, b, out, m, k, n) {
            return;
        }
        // Blocks of eight rows (four where SSE's registers would not hold
        // eight sums of eight lanes), then of four, then single rows.
        let (mut a, mut out) = (&a[..m * k], &mut out[..m * n]);
        if crate::simd::avx2_available() {
            (a, out) = nt_blocks::<T, NT_ROWS>(a, b, out, k, n);
        }
        (a, out) = nt_blocks::<T, 4>(a, b, out, k, n);
        nt_blocks::<T, 1>(a, b, out, k, n);
    }
}

/// [`matmul_nt_add_with`] with a work buffer of its own (allocated per
/// call; the tape's operations pass theirs).
pub fn matmul_nt_add<T: Element>(a: &[T], b: &[T], out: &mut [T], m: usize, k: usize, n: usize) {
    matmul_nt_add_with(a, b, out, m, k, n, &mut Vec::new());
}

/// `out (m x n) = a (m x k) * b (k x n)`.
pub fn matmul<T: Element>(a: &[T], b: &[T], out: &mut [T], m: usize, k: usize, n: usize) {
    out[..m * n].fill(T::zero());
    matmul_add(a, b, out, m, k, n);
}

/// Accumulated: `out (m x n) += a (m x k) * b (k x n)`; each element is
/// `out + a[i,0] b[0,j] + a[i,1] b[1,j] + ...` in that order.
pub fn matmul_add<T: Element>(a: &[T], b: &[T], out: &mut [T], m: usize, k: usize, n: usize) {
    // a[i, p] sits at i * k + p.
    axpy_tiles(a, (k, 1), b, out, m, k, n);
}

/// `out (m x n) = a (m x k) * b^T`, with `b` stored as `n x k`.
pub fn matmul_nt<T: Element>(a: &[T], b: &[T], out: &mut [T], m: usize, k: usize, n: usize) {
    matmul_nt_with(a, b, out, m, k, n, &mut Vec::new());
}

/// [`matmul_nt`] with a reusable work buffer (see [`matmul_nt_add_with`]).
pub fn matmul_nt_with<T: Element>(
    a: &[T],
    b: &[T],
    out: &mut [T],
    m: usize,
    k: usize,
    n: usize,
    work: &mut Vec<T>,
) {
    out[..m * n].fill(T::zero());
    matmul_nt_add_with(a, b, out, m, k, n, work);
}

/// `out (m x n) = a^T * b`, with `a` stored as `k x m` and `b` as `k x n`.
pub fn matmul_tn<T: Element>(a: &[T], b: &[T], out: &mut [T], m: usize, k: usize, n: usize) {
    out[..m * n].fill(T::zero());
    matmul_tn_add(a, b, out, m, k, n);
}

/// Accumulated: `out (m x n) += a^T * b`, with `a` stored as `k x m` and
/// `b` as `k x n`; each element is `out + a[0,i] b[0,j] + a[1,i] b[1,j] + ...`
/// in that order.
pub fn matmul_tn_add<T: Element>(a: &[T], b: &[T], out: &mut [T], m: usize, k: usize, n: usize) {
    // (a^T)[i, p] = a[p, i] sits at p * m + i.
    axpy_tiles(a, (1, m), b, out, m, k, n);
}

multiversion! {
    /// `out[i, j] += Σ_p A[i, p] b[p, j]`, `p` in increasing order, where
    /// `A[i, p] = a[i * stride.0 + p * stride.1]` (so one routine serves `a`
    /// and `a^T`). Tiles of two (SSE) or four (AVX2) output rows by `W`
    /// columns stay in registers while `p` runs; `W` is 16 elements for
    /// `f32`, 8 for `f64`.
    fn axpy_tiles<T: Element>(
        a: &[T],
        stride: (usize, usize),
        b: &[T],
        out: &mut [T],
        m: usize,
        k: usize,
        n: usize,
    ) {
        // Four rows per tile where AVX2's sixteen wide registers hold them,
        // two where SSE's would not (tiling never changes a result).
        //
        // Every output element is one chain of dependent additions (`p` in
        // order), so a tile is only as fast as the number of chains it keeps
        // in flight: where only one or two rows remain (the weight gradient of
        // a layer with one or two outputs is all such rows), AVX2 tiles are
        // twice as wide.
        let wide = crate::simd::avx2_available();
        match (size_of::<T>() <= 4, wide) {
            (true, true) => axpy_rows::<T, 4, 16, 32>(a, stride, b, out, m, k, n),
            (true, false) => axpy_rows::<T, 2, 16, 16>(a, stride, b, out, m, k, n),
            (false, true) => axpy_rows::<T, 4, 8, 16>(a, stride, b, out, m, k, n),
            (false, false) => axpy_rows::<T, 2, 8, 8>(a, stride, b, out, m, k, n),
        }
    }
}

/// Every row of the output: tiles of `H` rows, then of 2 and 1 for the
/// last rows (those `W2` columns wide).
#[inline(always)]
fn axpy_rows<T: Element, const H: usize, const W: usize, const W2: usize>(
    a: &[T],
    stride: (usize, usize),
    b: &[T],
    out: &mut [T],
    m: usize,
    k: usize,
    n: usize,
) {
    let mut i = 0;
    while i + H <= m {
        axpy_columns::<T, H, W, W>(a, stride, b, out, i, k, n);
        i += H;
    }
    if H > 2 && i + 2 <= m {
        axpy_columns::<T, 2, W, W2>(a, stride, b, out, i, k, n);
        i += 2;
    }
    if i < m {
        axpy_columns::<T, 1, W, W2>(a, stride, b, out, i, k, n);
    }
}

/// Rows `i0 .. i0 + H` of the output, every column: tiles of `WIDE`
/// columns (if wider than `W`), then of `W`, then 4, then single columns.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn axpy_columns<T: Element, const H: usize, const W: usize, const WIDE: usize>(
    a: &[T],
    stride: (usize, usize),
    b: &[T],
    out: &mut [T],
    i0: usize,
    k: usize,
    n: usize,
) {
    let mut j = 0;
    if WIDE > W {
        while j + WIDE <= n {
            axpy_tile::<T, H, WIDE>(a, stride, b, out, i0, j, k, n);
            j += WIDE;
        }
    }
    while j + W <= n {
        axpy_tile::<T, H, W>(a, stride, b, out, i0, j, k, n);
        j += W;
    }
    while j + 4 <= n {
        axpy_tile::<T, H, 4>(a, stride, b, out, i0, j, k, n);
        j += 4;
    }
    while j < n {
        axpy_tile::<T, H, 1>(a, stride, b, out, i0, j, k, n);
        j += 1;
    }
}

/// One `H x W` tile at `(i0, j0)`: load it, add every `p`'s products in
/// order, store it.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn axpy_tile<T: Element, const H: usize, const W: usize>(
    a: &[T],
    (row_stride, p_stride): (usize, usize),
    b: &[T],
    out: &mut [T],
    i0: usize,
    j0: usize,
    k: usize,
    n: usize,
) {
    let mut acc = [[T::zero(); W]; H];
    for (h, acc) in acc.iter_mut().enumerate() {
        acc.copy_from_slice(&out[(i0 + h) * n + j0..][..W]);
    }
    // Same order either way; the two loops only differ in how `A[i, p]` is
    // reached, so that neither checks bounds per `p` for every row.
    if p_stride == 1 {
        // Rows of `A` are contiguous runs of `k` (`matmul_add`).
        let rows: [&[T]; H] = std::array::from_fn(|h| &a[(i0 + h) * row_stride..][..k]);
        for (p, brow) in (0..k).zip(b.chunks_exact(n)) {
            let brow = &brow[j0..j0 + W];
            for (row, acc) in rows.iter().zip(acc.iter_mut()) {
                let s = row[p];
                for l in 0..W {
                    acc[l] = acc[l] + s * brow[l];
                }
            }
        }
    } else {
        // `A = a^T` (`matmul_tn_add`, `row_stride == 1`): column `p` of `A`
        // is row `p` of `a`, so the tile's `H` values are contiguous.
        debug_assert_eq!(row_stride, 1);
        // Checked once here, so that the loop checks no bounds per `p`.
        assert!(i0 + H <= p_stride && j0 + W <= n);
        let (a, b) = (&a[..k * p_stride], &b[..k * n]);
        for (arow, brow) in a.chunks_exact(p_stride).zip(b.chunks_exact(n)) {
            let (acol, brow) = (&arow[i0..i0 + H], &brow[j0..j0 + W]);
            for (&s, acc) in acol.iter().zip(acc.iter_mut()) {
                for l in 0..W {
                    acc[l] = acc[l] + s * brow[l];
                }
            }
        }
    }
    for (h, acc) in acc.iter().enumerate() {
        out[(i0 + h) * n + j0..][..W].copy_from_slice(acc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::kernels::{dot, sum, transpose};
    use crate::tensor::reference;

    #[test]
    fn matmul_forms_agree() {
        // a: 2x3, b: 3x2
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [7.0, 8.0, 9.0, 10.0, 11.0, 12.0];
        let mut c = [0.0f64; 4];
        matmul(&a, &b, &mut c, 2, 3, 2);
        assert_eq!(c, [58.0, 64.0, 139.0, 154.0]);
        // b^T stored as 2x3
        let mut bt = [0.0; 6];
        transpose(&b, &mut bt, 3, 2);
        let mut c2 = [0.0; 4];
        matmul_nt(&a, &bt, &mut c2, 2, 3, 2);
        assert_eq!(c2, c);
        // a^T stored as 3x2
        let mut at = [0.0; 6];
        transpose(&a, &mut at, 2, 3);
        let mut c3 = [0.0; 4];
        matmul_tn(&at, &b, &mut c3, 2, 3, 2);
        assert_eq!(c3, c);
    }

    #[test]
    fn sum_adds_in_eight_lanes() {
        for len in [0, 1, 7, 8, 9, 16, 21, 100] {
            let a = data(len, 7);
            assert_eq!(sum(&a).to_bits(), reference::sum(&a).to_bits(), "{len}");
        }
        assert_eq!(sum::<f64>(&[]), 0.0);
    }

    #[test]
    fn dot_handles_tails() {
        let a: Vec<f64> = (0..19).map(|i| i as f64).collect();
        let expected: f64 = a.iter().map(|x| x * x).sum();
        assert_eq!(dot(&a, &a), expected);
    }

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

    #[test]
    fn dot_sums_in_the_documented_order() {
        for len in [0, 1, 3, 4, 5, 7, 8, 9, 12, 13, 16, 19, 100] {
            let (a, b) = (data(len, 11), data(len, 12));
            assert_eq!(
                dot(&a, &b).to_bits(),
                reference::dot(&a, &b).to_bits(),
                "{len}"
            );
        }
    }

    #[test]
    fn every_tile_and_edge_sums_in_the_documented_order() {
        for &(m, k, n) in &[
            (1, 1, 1),
            (2, 3, 2),
            (3, 8, 5),
            (5, 17, 4),
            (4, 9, 17),
            (7, 100, 2),
            (3, 33, 21),
            (5, 20, 7),
            (6, 20, 8),
            (9, 13, 9),
            (128, 100, 16),
            (2, 128, 100),
            (7, 5, 70),
            (17, 9, 3),
            (9, 4, 2),
            (6, 6, 3),
            (11, 7, 1),
        ] {
            let a = data(m * k, 1);
            let b_kn = data(k * n, 2);
            let b_nk = data(n * k, 3);
            let a_km = data(k * m, 4);
            let start = data(m * n, 5);

            let mut want = start.clone();
            reference::matmul_add(&a, &b_kn, &mut want, m, k, n);
            let mut got = start.clone();
            matmul_add(&a, &b_kn, &mut got, m, k, n);
            assert_eq!(got, want, "matmul_add {m}x{k}x{n}");

            let mut want = start.clone();
            reference::matmul_tn_add(&a_km, &b_kn, &mut want, m, k, n);
            let mut got = start.clone();
            matmul_tn_add(&a_km, &b_kn, &mut got, m, k, n);
            assert_eq!(got, want, "matmul_tn_add {m}x{k}x{n}");

            let mut want = start.clone();
            reference::matmul_nt_add(&a, &b_nk, &mut want, m, k, n);
            let mut got = start.clone();
            matmul_nt_add(&a, &b_nk, &mut got, m, k, n);
            assert_eq!(got, want, "matmul_nt_add {m}x{k}x{n}");

            // The portable copies give the same bits as the ones that ran
            // above (the AVX2 copies, on a machine that has AVX2).
            crate::simd::note_if_no_avx2("matmul kernels");
            let portable = crate::simd::portable_only(|| {
                let mut outs = [start.clone(), start.clone(), start.clone()];
                matmul_add(&a, &b_kn, &mut outs[0], m, k, n);
                matmul_tn_add(&a_km, &b_kn, &mut outs[1], m, k, n);
                matmul_nt_add(&a, &b_nk, &mut outs[2], m, k, n);
                outs
            });
            let mut dispatched = [start.clone(), start.clone(), start.clone()];
            matmul_add(&a, &b_kn, &mut dispatched[0], m, k, n);
            matmul_tn_add(&a_km, &b_kn, &mut dispatched[1], m, k, n);
            matmul_nt_add(&a, &b_nk, &mut dispatched[2], m, k, n);
            for (p, d) in portable.iter().zip(&dispatched) {
                assert_eq!(bits(p), bits(d), "portable vs dispatched {m}x{k}x{n}");
            }
        }
    }
}
