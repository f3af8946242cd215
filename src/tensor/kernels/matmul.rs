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
//! - [`matmul_nt_add`] computes each element as a [`dot`] of two contiguous
//!   rows (eight interleaved partial sums) and adds it to the output.

use std::mem::size_of;

use crate::simd::multiversion;
use crate::tensor::Element;

/// Interleaved partial sums of [`dot`]: eight `f32` fill two SSE registers
/// or one AVX register.
const LANES: usize = 8;

/// Dot product, summed in eight interleaved lanes so it vectorises.
///
/// Order: lane `l` sums `a[p] b[p]` for `p = l, l + 8, ..` below the last
/// multiple of 8; the lanes are then added in order `0..8` onto zero; the
/// remaining `k mod 8` products are summed in order onto zero and added
/// last. Deterministic, and the same on every machine.
#[inline]
pub fn dot<T: Element>(a: &[T], b: &[T]) -> T {
    let n = a.len().min(b.len());
    let mut out = [T::zero()];
    dots::<T, 1>(&a[..n], &b[..n], n, &mut out);
    out[0]
}

/// `out[r] += dot(a, b[r k .. (r + 1) k])` for `R` rows of `b`, each dot
/// in the order of [`dot`]. `a` has `k` elements.
#[inline(always)]
fn dots<T: Element, const R: usize>(a: &[T], b: &[T], k: usize, out: &mut [T]) {
    let whole = k - k % LANES;
    let mut acc = [[T::zero(); LANES]; R];
    for (c, av) in a[..whole].chunks_exact(LANES).enumerate() {
        for (r, acc) in acc.iter_mut().enumerate() {
            let bv = &b[r * k + c * LANES..][..LANES];
            for l in 0..LANES {
                acc[l] = acc[l] + av[l] * bv[l];
            }
        }
    }
    for (r, (o, acc)) in out.iter_mut().zip(&acc).enumerate().take(R) {
        let brow = &b[r * k..(r + 1) * k];
        let mut tail = T::zero();
        for (&x, &y) in a[whole..k].iter().zip(&brow[whole..]) {
            tail = tail + x * y;
        }
        let mut s = T::zero();
        for &v in acc {
            s = s + v;
        }
        *o = *o + (s + tail);
    }
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
    out[..m * n].fill(T::zero());
    matmul_nt_add(a, b, out, m, k, n);
}

multiversion! {
    /// Accumulated: `out (m x n) += a (m x k) * b^T`, with `b` stored as
    /// `n x k`; each element adds `dot(a row i, b row j)` (see [`dot`]).
    pub fn matmul_nt_add<T: Element>(a: &[T], b: &[T], out: &mut [T], m: usize, k: usize, n: usize) {
        const R: usize = 4;
        let full = n - n % R;
        for (arow, orow) in a.chunks_exact(k).zip(out.chunks_exact_mut(n)).take(m) {
            for j in (0..full).step_by(R) {
                dots::<T, R>(arow, &b[j * k..(j + R) * k], k, &mut orow[j..j + R]);
            }
            let mut j = full;
            if j + 2 <= n {
                dots::<T, 2>(arow, &b[j * k..(j + 2) * k], k, &mut orow[j..j + 2]);
                j += 2;
            }
            if j < n {
                dots::<T, 1>(arow, &b[j * k..(j + 1) * k], k, &mut orow[j..j + 1]);
            }
        }
    }
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
    /// and `a^T`). Tiles of two output rows by `W` columns stay in registers
    /// while `p` runs; `W` is 16 elements for `f32`, 8 for `f64` (eight or
    /// four SSE registers per row).
    fn axpy_tiles<T: Element>(
        a: &[T],
        stride: (usize, usize),
        b: &[T],
        out: &mut [T],
        m: usize,
        k: usize,
        n: usize,
    ) {
        if size_of::<T>() <= 4 {
            axpy_rows::<T, 16>(a, stride, b, out, m, k, n);
        } else {
            axpy_rows::<T, 8>(a, stride, b, out, m, k, n);
        }
    }
}

#[inline(always)]
fn axpy_rows<T: Element, const W: usize>(
    a: &[T],
    stride: (usize, usize),
    b: &[T],
    out: &mut [T],
    m: usize,
    k: usize,
    n: usize,
) {
    let full = m - m % 2;
    for i in (0..full).step_by(2) {
        axpy_columns::<T, 2, W>(a, stride, b, out, i, k, n);
    }
    if full < m {
        axpy_columns::<T, 1, W>(a, stride, b, out, full, k, n);
    }
}

/// Rows `i0 .. i0 + H` of the output, every column: tiles of `W`, then 4,
/// then single columns.
#[inline(always)]
fn axpy_columns<T: Element, const H: usize, const W: usize>(
    a: &[T],
    stride: (usize, usize),
    b: &[T],
    out: &mut [T],
    i0: usize,
    k: usize,
    n: usize,
) {
    let mut j = 0;
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
    for p in 0..k {
        let brow = &b[p * n + j0..][..W];
        for (h, acc) in acc.iter_mut().enumerate() {
            let s = a[(i0 + h) * row_stride + p * p_stride];
            for l in 0..W {
                acc[l] = acc[l] + s * brow[l];
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
    use crate::tensor::kernels::transpose;

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

    /// The documented orders, written one element at a time.
    fn dot_reference(a: &[f32], b: &[f32]) -> f32 {
        let whole = a.len() / LANES * LANES;
        let mut lanes = [0f32; LANES];
        for p in 0..whole {
            lanes[p % LANES] += a[p] * b[p];
        }
        let mut tail = 0f32;
        for p in whole..a.len() {
            tail += a[p] * b[p];
        }
        let mut s = 0f32;
        for v in lanes {
            s += v;
        }
        s + tail
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
            (128, 100, 16),
        ] {
            let a = data(m * k, 1);
            let b_kn = data(k * n, 2);
            let b_nk = data(n * k, 3);
            let a_km = data(k * m, 4);
            let start = data(m * n, 5);

            let mut want = start.clone();
            for i in 0..m {
                for j in 0..n {
                    for p in 0..k {
                        want[i * n + j] += a[i * k + p] * b_kn[p * n + j];
                    }
                }
            }
            let mut got = start.clone();
            matmul_add(&a, &b_kn, &mut got, m, k, n);
            assert_eq!(got, want, "matmul_add {m}x{k}x{n}");

            let mut want = start.clone();
            for i in 0..m {
                for j in 0..n {
                    for p in 0..k {
                        want[i * n + j] += a_km[p * m + i] * b_kn[p * n + j];
                    }
                }
            }
            let mut got = start.clone();
            matmul_tn_add(&a_km, &b_kn, &mut got, m, k, n);
            assert_eq!(got, want, "matmul_tn_add {m}x{k}x{n}");

            let mut want = start.clone();
            for i in 0..m {
                for j in 0..n {
                    want[i * n + j] +=
                        dot_reference(&a[i * k..(i + 1) * k], &b_nk[j * k..(j + 1) * k]);
                }
            }
            let mut got = start.clone();
            matmul_nt_add(&a, &b_nk, &mut got, m, k, n);
            assert_eq!(got, want, "matmul_nt_add {m}x{k}x{n}");

            // The portable copies give the same bits as the ones that ran
            // above (the AVX2 copies, on a machine that has AVX2).
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
