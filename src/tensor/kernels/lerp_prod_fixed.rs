//! The product of interpolations in eight lanes for the layer widths in use
//! (the tables' 100 inputs, a hidden size of 16), with the number of
//! eight-lane chunks `C` known to the compiler: the same operations in the
//! same order as [`super::lerp_prod_lanes`] (so the same bits), but each
//! row of `x` is read in place into `C` chunks held in registers (the last
//! one padded with zeros) instead of being copied into padded work space
//! first, every loop over the chunks is unrolled, and the backward pass is
//! compiled once per set of gradients wanted, with no test inside its loops.
//!
//! A padding factor is `0 · 0 + 1 = 1` exactly (padded weights 0, padded
//! `1 − w` 1, padded `x` 0), so padding changes no product, and its
//! gradients land in padding that is never copied out.

use super::lerp_prod_lanes::{as_lanes, as_lanes_mut, other_lanes, pad_weights, Lanes, LANES};
use crate::tensor::Element;

/// Row `xrow` (`inputs` values) as `C` chunks, zeros after the last input.
#[inline(always)]
fn row_in_chunks<T: Element, const C: usize>(xrow: &[T], inputs: usize) -> [Lanes<T>; C] {
    debug_assert!(inputs <= C * LANES);
    let xrow = &xrow[..inputs];
    let mut xr = [[T::zero(); LANES]; C];
    let full = as_lanes(xrow);
    for (d, s) in xr.iter_mut().zip(full) {
        *d = *s;
    }
    // The last few inputs lane by lane (a loop over a run-time length
    // would become a call to `memcpy`).
    let rest = &xrow[full.len() * LANES..];
    if let Some(last) = xr.get_mut(full.len()) {
        for (l, d) in last.iter_mut().enumerate() {
            if let Some(&v) = rest.get(l) {
                *d = v;
            }
        }
    }
    xr
}

/// The padded weight rows of one output as `C` chunks.
#[inline(always)]
fn chunks_of_row<T: Element, const C: usize>(row: &[T]) -> &[Lanes<T>; C] {
    as_lanes(row)
        .try_into()
        .expect("a padded weight row holds C chunks")
}

/// [`lerp_prod`](super::lerp_prod) for `inputs` in `8 (C − 1) + 1 ..= 8 C`;
/// `work` grows to `2 · outputs · 8 C` values (padded `w` and `1 − w`).
#[inline(always)]
pub(super) fn forward_fixed<T: Element, const C: usize>(
    x: &[T],
    w: &[T],
    out: &mut [T],
    rows: usize,
    inputs: usize,
    outputs: usize,
    work: &mut Vec<T>,
) {
    let width = C * LANES;
    let work = super::work_space(work, 2 * outputs * width);
    let (wp, omw) = work.split_at_mut(outputs * width);
    pad_weights(w, wp, omw, inputs);
    let lines = x.chunks_exact(inputs).zip(out.chunks_exact_mut(outputs));
    for (xrow, zrow) in lines.take(rows) {
        let xr = row_in_chunks::<T, C>(xrow, inputs);
        let weights = wp.chunks_exact(width).zip(omw.chunks_exact(width));
        for (z, (wrow, orow)) in zrow.iter_mut().zip(weights) {
            let (wl, ol) = (chunks_of_row::<T, C>(wrow), chunks_of_row::<T, C>(orow));
            let mut run = [T::one(); LANES];
            for c in 0..C {
                run = std::array::from_fn(|l| run[l] * (wl[c][l] * xr[c][l] + ol[c][l]));
            }
            let mut z_run = T::one();
            for &p in &run {
                z_run = z_run * p;
            }
            *z = z_run;
        }
    }
}

/// [`lerp_prod_backward_add`](super::lerp_prod_backward_add) for `inputs`
/// in `8 (C − 1) + 1 ..= 8 C`, the same arithmetic as
/// [`super::lerp_prod_lanes`]'s: `gx[b, i] += Σ_o d[b, o, i] w[o, i]` (`o`
/// increasing) and `gw[o, i] += Σ_b d[b, o, i] (x[b, i] − 1)` (`b`
/// increasing), for the operands that are `Some`. `work` grows to
/// `3 · outputs · 8 C` values (padded `w`, `1 − w` and `gw`).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn backward_fixed<T: Element, const C: usize>(
    x: &[T],
    w: &[T],
    g: &[T],
    gx: Option<&mut [T]>,
    gw: Option<&mut [T]>,
    work: &mut Vec<T>,
    rows: usize,
    inputs: usize,
    outputs: usize,
) {
    let width = C * LANES;
    let work = super::work_space(work, 3 * outputs * width);
    let (wp, rest) = work.split_at_mut(outputs * width);
    let (omw, gwp) = rest.split_at_mut(outputs * width);
    pad_weights(w, wp, omw, inputs);
    let layer = Layer {
        x,
        g,
        wp,
        omw,
        rows,
        inputs,
        outputs,
    };
    match (gx, gw) {
        (Some(gx), Some(gw)) => {
            gw_in(gw, gwp, inputs, width);
            rows_back::<T, C, true, true>(&layer, gx, gwp);
            gw_out(gwp, gw, inputs, width);
        }
        (None, Some(gw)) => {
            gw_in(gw, gwp, inputs, width);
            rows_back::<T, C, false, true>(&layer, &mut [], gwp);
            gw_out(gwp, gw, inputs, width);
        }
        (Some(gx), None) => rows_back::<T, C, true, false>(&layer, gx, gwp),
        (None, None) => {}
    }
}

/// The operands of one backward call, the weights padded.
struct Layer<'a, T> {
    x: &'a [T],
    g: &'a [T],
    wp: &'a [T],
    omw: &'a [T],
    rows: usize,
    inputs: usize,
    outputs: usize,
}

/// `gw` (`outputs x inputs`) into the padded rows of `gwp` (zeros after).
#[inline(always)]
fn gw_in<T: Element>(gw: &[T], gwp: &mut [T], inputs: usize, width: usize) {
    for (dst, src) in gwp.chunks_exact_mut(width).zip(gw.chunks_exact(inputs)) {
        let (head, tail) = dst.split_at_mut(inputs);
        head.copy_from_slice(src);
        tail.fill(T::zero());
    }
}

/// The padded rows of `gwp` back into `gw`.
#[inline(always)]
fn gw_out<T: Element>(gwp: &[T], gw: &mut [T], inputs: usize, width: usize) {
    for (dst, src) in gw.chunks_exact_mut(inputs).zip(gwp.chunks_exact(width)) {
        dst.copy_from_slice(&src[..inputs]);
    }
}

/// The rows of [`backward_fixed`] with the gradients wanted known to the
/// compiler (`gx` is empty when `GX` is false; `gwp`, the padded `gw`, is
/// left alone when `GW` is false).
#[inline(always)]
fn rows_back<T: Element, const C: usize, const GX: bool, const GW: bool>(
    layer: &Layer<'_, T>,
    gx: &mut [T],
    gwp: &mut [T],
) {
    let Layer {
        x,
        g,
        wp,
        omw,
        rows,
        inputs,
        outputs,
    } = *layer;
    let width = C * LANES;
    for (b, xrow) in x.chunks_exact(inputs).enumerate().take(rows) {
        let xr = row_in_chunks::<T, C>(xrow, inputs);
        let mut gxr = [[T::zero(); LANES]; C];
        if GX {
            gxr = row_in_chunks::<T, C>(&gx[b * inputs..(b + 1) * inputs], inputs);
        }
        let weights = wp.chunks_exact(width).zip(omw.chunks_exact(width));
        for (o, ((wrow, orow), gwrow)) in weights.zip(gwp.chunks_exact_mut(width)).enumerate() {
            let (wl, ol) = (chunks_of_row::<T, C>(wrow), chunks_of_row::<T, C>(orow));
            // Factors and lane prefix products, chunk by chunk.
            let mut f = [[T::zero(); LANES]; C];
            let mut pre = [[T::zero(); LANES]; C];
            let mut run = [T::one(); LANES];
            for c in 0..C {
                f[c] = std::array::from_fn(|l| wl[c][l] * xr[c][l] + ol[c][l]);
                pre[c] = run;
                run = std::array::from_fn(|l| run[l] * f[c][l]);
            }
            let gq = other_lanes(g[b * outputs + o], &run);
            // Back down the chunks with the lane suffix products.
            let gwl: &mut [Lanes<T>; C] = as_lanes_mut(gwrow)
                .try_into()
                .expect("a padded gradient row holds C chunks");
            let mut suffix = [T::one(); LANES];
            for c in (0..C).rev() {
                let d: Lanes<T> = std::array::from_fn(|l| gq[l] * pre[c][l] * suffix[l]);
                suffix = std::array::from_fn(|l| suffix[l] * f[c][l]);
                if GX {
                    gxr[c] = std::array::from_fn(|l| gxr[c][l] + d[l] * wl[c][l]);
                }
                if GW {
                    let acc = gwl[c];
                    gwl[c] = std::array::from_fn(|l| acc[l] + d[l] * (xr[c][l] - T::one()));
                }
            }
        }
        if GX {
            let row = &mut gx[b * inputs..(b + 1) * inputs];
            for (i, v) in row.iter_mut().enumerate() {
                *v = gxr[i / LANES][i % LANES];
            }
        }
    }
}
