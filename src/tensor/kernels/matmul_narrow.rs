//! The narrow-output matrix product: `a b^T` with fewer than
//! [`NT_BY_COLUMNS`](super::matmul::NT_BY_COLUMNS) output columns, each element one [`dot`](fn@super::dot) of two
//! contiguous rows, several rows of `a` at a time (the entry point is
//! [`super::matmul_nt_add_with`]).

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
