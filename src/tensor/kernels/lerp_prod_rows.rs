//! The product of interpolations one row at a time, for the narrow layers
//! (1-8 inputs) where each row's factors fit in registers; the entry points
//! [`lerp_prod`](super::lerp_prod) and
//! [`lerp_prod_backward_add`](super::lerp_prod_backward_add) call these.
//! Up to eight inputs the lane order of [`super::lerp_prod_lanes`] is the
//! plain order `i = 0, 1, ..` used here, so the same bits.

use crate::tensor::Element;

/// [`lerp_prod`](super::lerp_prod) for `N` inputs, one row at a time: the same factors
/// multiplied in the same order onto one, so the same bits.
#[inline(always)]
pub(super) fn forward_by_rows<T: Element, const N: usize>(
    x: &[T],
    w: &[T],
    out: &mut [T],
    rows: usize,
    outputs: usize,
) {
    for (o, wrow) in w.chunks_exact(N).enumerate().take(outputs) {
        let wv: &[T; N] = wrow.try_into().unwrap();
        let one_minus_w: [T; N] = std::array::from_fn(|i| T::one() - wv[i]);
        for (xrow, zrow) in x
            .chunks_exact(N)
            .zip(out.chunks_exact_mut(outputs))
            .take(rows)
        {
            let mut run = T::one();
            for i in 0..N {
                run = run * (wv[i] * xrow[i] + one_minus_w[i]);
            }
            zrow[o] = run;
        }
    }
}

/// [`lerp_prod_backward_add`](super::lerp_prod_backward_add) for `N` inputs, one row at a
/// time, each row's factors, prefix products and gradients in registers:
/// with few inputs (an NMU layer has as many as the hidden size) the width
/// known to the compiler keeps everything in registers. The result is
/// bit-identical to the lane path's order: the same operations in the same order (the factor gradients of
/// [`lerp_prod_factor_grads`](super::lerp_prod_factor_grads), then `gx` over `o` increasing and `gw` over `b`
/// increasing), so the same bits.
#[inline(always)]
pub(super) fn backward_by_rows<T: Element, const N: usize>(
    x: &[T],
    w: &[T],
    g: &[T],
    gx: Option<&mut [T]>,
    gw: Option<&mut [T]>,
    rows: usize,
    outputs: usize,
) {
    let (mut gx, mut gw) = (gx, gw);
    for (o, wrow) in w.chunks_exact(N).enumerate().take(outputs) {
        let wv: &[T; N] = wrow.try_into().unwrap();
        // This output's row of `gw`, summed in registers over the batch.
        let mut gw_row = [T::zero(); N];
        if let Some(gw) = gw.as_deref() {
            gw_row.copy_from_slice(&gw[o * N..(o + 1) * N]);
        }
        for (b, xrow) in x.chunks_exact(N).enumerate().take(rows) {
            let gv = g[b * outputs + o];
            let (mut factor, mut prefix) = ([T::one(); N], [T::one(); N]);
            let mut run = T::one();
            for i in 0..N {
                factor[i] = wv[i] * xrow[i] + (T::one() - wv[i]);
                prefix[i] = run;
                run = run * factor[i];
            }
            let mut d = [T::zero(); N];
            let mut suffix = T::one();
            for i in (0..N).rev() {
                d[i] = gv * prefix[i] * suffix;
                suffix = suffix * factor[i];
            }
            if let Some(gx) = gx.as_deref_mut() {
                let gxrow = &mut gx[b * N..(b + 1) * N];
                for i in 0..N {
                    gxrow[i] = gxrow[i] + d[i] * wv[i];
                }
            }
            for i in 0..N {
                gw_row[i] = gw_row[i] + d[i] * (xrow[i] - T::one());
            }
        }
        if let Some(gw) = gw.as_deref_mut() {
            gw[o * N..(o + 1) * N].copy_from_slice(&gw_row);
        }
    }
}
