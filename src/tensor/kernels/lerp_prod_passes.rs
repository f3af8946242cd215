//! The adjoint of the product of interpolations in three plain passes: every
//! factor gradient written out, then the two sums over it. Slower and larger
//! than [`lerp_prod_backward_add`](super::lerp_prod_backward_add), which
//! computes the same bits in one pass; these are its definition, kept for
//! the tests and for reading.

use crate::tensor::Element;

/// The gradient with respect to every factor, `d[b, o, i]`: `g[b, o]` times
/// the product of the other factors `f[b, o, m] = w[o, m] x[b, m] + (1 −
/// w[o, m])` in the lane order of [`reference::lerp_prod`](crate::tensor::reference::lerp_prod), written
/// into `d` (`rows · outputs · inputs` values, overwritten). For input `i`
/// in lane `l = i mod 8`: `d = (((g · Qpre[l]) · Qsuf[l]) · pre) · suf`,
/// with `Qpre`/`Qsuf` the products of the lane products before / after lane
/// `l` and `pre`/`suf` those of the lane's own factors before / after `i`
/// (see [`reference::lerp_prod_factor_grads`](crate::tensor::reference::lerp_prod_factor_grads)).
/// Prefix and suffix products, never a division, so it is exact when
/// factors are zero.
pub fn lerp_prod_factor_grads<T: Element>(
    x: &[T],
    w: &[T],
    g: &[T],
    d: &mut [T],
    rows: usize,
    inputs: usize,
    outputs: usize,
) {
    const LANES: usize = super::lerp_prod_lanes::LANES;
    let lines = d.chunks_exact_mut(inputs);
    let mut lines = lines.take(rows * outputs);
    for (xrow, grow) in x
        .chunks_exact(inputs)
        .zip(g.chunks_exact(outputs))
        .take(rows)
    {
        for (wrow, &gi) in w.chunks_exact(inputs).zip(grow) {
            let Some(line) = lines.next() else { return };
            let factor = |i: usize| wrow[i] * xrow[i] + (T::one() - wrow[i]);
            // The lane prefix products go into `line` first ...
            let mut run = [T::one(); LANES];
            for (i, dl) in line.iter_mut().enumerate() {
                *dl = run[i % LANES];
                run[i % LANES] = run[i % LANES] * factor(i);
            }
            // ... g times the other lanes' products ...
            let mut gq = [gi; LANES];
            let mut up = T::one();
            for (q, &r) in gq.iter_mut().zip(&run) {
                *q = *q * up;
                up = up * r;
            }
            let mut down = T::one();
            for (q, &r) in gq.iter_mut().zip(&run).rev() {
                *q = *q * down;
                down = down * r;
            }
            // ... then each by that and the lane's suffix product.
            let mut suffix = [T::one(); LANES];
            for (i, dl) in line.iter_mut().enumerate().rev() {
                let l = i % LANES;
                *dl = gq[l] * *dl * suffix[l];
                suffix[l] = suffix[l] * factor(i);
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
