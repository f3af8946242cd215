//! The adjoint of the product of interpolations in three plain passes: every
//! factor gradient written out, then the two sums over it. Slower and larger
//! than [`lerp_prod_backward_add`](super::lerp_prod_backward_add), which
//! computes the same bits in one pass; these are its definition, kept for
//! the tests and for reading.

use crate::tensor::Element;

/// The gradient with respect to every factor: `d[b, o, i] = g[b, o] ·
/// Π_{m<i} f[b, o, m] · Π_{m>i} f[b, o, m]` where `f[b, o, i] = w[o, i]
/// x[b, i] + (1 − w[o, i])`, written into `d` (`rows · outputs · inputs`
/// values, overwritten). Prefix and suffix products, never a division, so
/// it is exact when factors are zero: `(g · prefix) · suffix`.
pub fn lerp_prod_factor_grads<T: Element>(
    x: &[T],
    w: &[T],
    g: &[T],
    d: &mut [T],
    rows: usize,
    inputs: usize,
    outputs: usize,
) {
    let lines = d.chunks_exact_mut(inputs);
    let mut lines = lines.take(rows * outputs);
    for (xrow, grow) in x
        .chunks_exact(inputs)
        .zip(g.chunks_exact(outputs))
        .take(rows)
    {
        for (wrow, &gi) in w.chunks_exact(inputs).zip(grow) {
            let Some(line) = lines.next() else { return };
            // The prefix products go into `line` first ...
            let mut prefix = T::one();
            for ((dl, &xi), &wi) in line.iter_mut().zip(xrow).zip(wrow) {
                *dl = prefix;
                prefix = prefix * (wi * xi + (T::one() - wi));
            }
            // ... then each is multiplied by g and the suffix product.
            let mut suffix = T::one();
            for ((dl, &xi), &wi) in line.iter_mut().zip(xrow).zip(wrow).rev() {
                *dl = gi * *dl * suffix;
                suffix = suffix * (wi * xi + (T::one() - wi));
            }
        }
    }
}

/// Accumulated: `gx[b, i] += Σ_o d[b, o, i] w[o, i]`, `o` in increasing order.
pub fn lerp_prod_backward_x_add<T: Element>(
    d: &[T],
    w: &[T],
    gx: &mut [T],
    rows: usize,
    inputs: usize,
    outputs: usize,
) {
    for (drows, gxrow) in d
        .chunks_exact(inputs * outputs)
        .zip(gx.chunks_exact_mut(inputs))
        .take(rows)
    {
        for (dline, wrow) in drows.chunks_exact(inputs).zip(w.chunks_exact(inputs)) {
            for ((gxi, &di), &wi) in gxrow.iter_mut().zip(dline).zip(wrow) {
                *gxi = *gxi + di * wi;
            }
        }
    }
}

/// Accumulated: `gw[o, i] += Σ_b d[b, o, i] (x[b, i] − 1)`, `b` in
/// increasing order.
pub fn lerp_prod_backward_w_add<T: Element>(
    d: &[T],
    x: &[T],
    gw: &mut [T],
    rows: usize,
    inputs: usize,
    outputs: usize,
) {
    for (drows, xrow) in d
        .chunks_exact(inputs * outputs)
        .zip(x.chunks_exact(inputs))
        .take(rows)
    {
        for (dline, gwrow) in drows.chunks_exact(inputs).zip(gw.chunks_exact_mut(inputs)) {
            for ((gwi, &di), &xi) in gwrow.iter_mut().zip(dline).zip(xrow) {
                *gwi = *gwi + di * (xi - T::one());
            }
        }
    }
}
