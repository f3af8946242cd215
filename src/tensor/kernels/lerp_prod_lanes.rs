//! The product of interpolations row by row in eight interleaved lanes, for
//! layers wider than eight inputs: no copy of the batch by columns and no
//! `[B, O, I]` work space, only one padded row at a time. Up to 104 inputs
//! (the first layer of a gated NAU/NMU has 100) the entry points run
//! [`super::lerp_prod_fixed`] instead: the same arithmetic with the number
//! of chunks known to the compiler and the rows read in place.
//!
//! The order of the products (the lane order, defined with plain loops in
//! [`reference::lerp_prod`](crate::tensor::reference::lerp_prod)): input `i`
//! goes to lane `i mod 8`; each lane multiplies its factors onto 1 in order
//! of `i`, and the eight lane products are multiplied onto 1 in lane order.
//! Up to eight inputs this is the plain order `i = 0, 1, ..` (each lane
//! holds at most one factor), so the narrow layers of
//! [`super::lerp_prod_rows`] compute the same bits.
//!
//! The factor gradient of input `i = 8k + l` is the product of the others
//! without a division: `d = (((g · Qpre[l]) · Qsuf[l]) · pre[k, l]) ·
//! suf[k, l]`, where `Qpre`/`Qsuf` are the products of the lane products
//! before / after lane `l` (running up / down from 1) and `pre`/`suf` the
//! products of the lane's factors before / after chunk `k`.

use crate::tensor::Element;

/// The number of lanes: the same on every instruction set, so the same bits.
pub(crate) const LANES: usize = 8;

pub(super) type Lanes<T> = [T; LANES];

/// `s` as whole chunks of eight (a trailing part shorter than eight is
/// left out), so that loops over chunks need no length checks.
#[inline(always)]
pub(super) fn as_lanes<T: Element>(s: &[T]) -> &[Lanes<T>] {
    // SAFETY: `[T; 8]` has the size of eight `T` and the alignment of `T`,
    // so `s.len() / 8` of them fit in `s`'s memory, which stays borrowed.
    unsafe { std::slice::from_raw_parts(s.as_ptr().cast(), s.len() / LANES) }
}

/// [`as_lanes`], mutable.
#[inline(always)]
pub(super) fn as_lanes_mut<T: Element>(s: &mut [T]) -> &mut [Lanes<T>] {
    // SAFETY: as in `as_lanes`; `s` is borrowed mutably for the result's life.
    unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast(), s.len() / LANES) }
}

/// The number of eight-lane chunks that hold `inputs` values.
#[inline(always)]
pub(crate) fn chunks_of(inputs: usize) -> usize {
    inputs.div_ceil(LANES)
}

/// Copies `w` (`outputs x inputs`) into `wp` and `1 − w` into `omw`, each
/// row padded to whole chunks with `w = 0` and `1 − w = 1`, so that a
/// padding factor `0 · 0 + 1` is exactly 1.
#[inline(always)]
pub(super) fn pad_weights<T: Element>(w: &[T], wp: &mut [T], omw: &mut [T], inputs: usize) {
    let width = chunks_of(inputs) * LANES;
    let rows = wp.chunks_exact_mut(width).zip(omw.chunks_exact_mut(width));
    for ((wrow, orow), src) in rows.zip(w.chunks_exact(inputs)) {
        wrow.fill(T::zero());
        orow.fill(T::one());
        for ((p, o), &v) in wrow.iter_mut().zip(orow.iter_mut()).zip(src) {
            *p = v;
            *o = T::one() - v;
        }
    }
}

/// `dst` = `src` followed by zeros.
#[inline(always)]
fn pad_row<T: Element>(src: &[T], dst: &mut [T]) {
    let (head, tail) = dst.split_at_mut(src.len());
    head.copy_from_slice(src);
    tail.fill(T::zero());
}

/// The lane products of one row and one output: `f = w x + (1 − w)` chunk
/// by chunk, multiplied onto 1.
#[inline(always)]
fn lane_products<T: Element>(xp: &[T], wp: &[T], omw: &[T]) -> Lanes<T> {
    let mut run = [T::one(); LANES];
    let loads = as_lanes(xp).iter().zip(as_lanes(wp));
    for ((x, w), o) in loads.zip(as_lanes(omw)) {
        run = std::array::from_fn(|l| run[l] * (w[l] * x[l] + o[l]));
    }
    run
}

/// `g` times the product of the other lanes' products, for each lane `l`:
/// `(g · Qpre[l]) · Qsuf[l]`, `Qpre` running up from 1 over the lanes
/// before `l`, `Qsuf` down from 1 over the lanes after it.
#[inline(always)]
pub(super) fn other_lanes<T: Element>(gv: T, run: &Lanes<T>) -> Lanes<T> {
    let mut gq = [T::zero(); LANES];
    let mut up = T::one();
    for l in 0..LANES {
        gq[l] = gv * up;
        up = up * run[l];
    }
    let mut down = T::one();
    for l in (0..LANES).rev() {
        gq[l] = gq[l] * down;
        down = down * run[l];
    }
    gq
}

/// [`lerp_prod`](super::lerp_prod) in the lane order, any number of
/// inputs; `work` grows to `(2 · outputs + 1) · 8 · chunks` values.
#[inline(always)]
pub(super) fn forward_by_lanes<T: Element>(
    x: &[T],
    w: &[T],
    out: &mut [T],
    rows: usize,
    inputs: usize,
    outputs: usize,
    work: &mut Vec<T>,
) {
    let chunks = chunks_of(inputs);
    let width = chunks * LANES;
    let work = super::work_space(work, (2 * outputs + 1) * width);
    let (wp, rest) = work.split_at_mut(outputs * width);
    let (omw, xp) = rest.split_at_mut(outputs * width);
    pad_weights(w, wp, omw, inputs);
    let lines = x.chunks_exact(inputs).zip(out.chunks_exact_mut(outputs));
    for (xrow, zrow) in lines.take(rows) {
        pad_row(xrow, xp);
        let weights = wp.chunks_exact(width).zip(omw.chunks_exact(width));
        for (z, (wrow, orow)) in zrow.iter_mut().zip(weights) {
            let p = lane_products(xp, wrow, orow);
            let mut run = T::one();
            for &pl in &p {
                run = run * pl;
            }
            *z = run;
        }
    }
}

/// [`lerp_prod_backward_add`](super::lerp_prod_backward_add) in the lane
/// order, any number of inputs: `gx[b, i] += Σ_o d[b, o, i] w[o, i]`
/// (`o` increasing) and `gw[o, i] += Σ_b d[b, o, i] (x[b, i] − 1)` (`b`
/// increasing), each for the operand that is `Some`. One row at a time,
/// the factors and prefix products of one row and output in `work`
/// (grown to `(3 · outputs + 4) · 8 · chunks` values).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn backward_by_lanes<T: Element>(
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
    let mut gx = gx;
    let (gx_wanted, gw_wanted) = (gx.is_some(), gw.is_some());
    let chunks = chunks_of(inputs);
    let width = chunks * LANES;
    let work = super::work_space(work, (3 * outputs + 4) * width);
    let (wp, rest) = work.split_at_mut(outputs * width);
    let (omw, rest) = rest.split_at_mut(outputs * width);
    let (gwp, rest) = rest.split_at_mut(outputs * width);
    let (xp, rest) = rest.split_at_mut(width);
    let (gxp, rest) = rest.split_at_mut(width);
    let (factors, prefix) = rest.split_at_mut(width);
    pad_weights(w, wp, omw, inputs);
    if let Some(gw) = gw.as_deref() {
        for (dst, src) in gwp.chunks_exact_mut(width).zip(gw.chunks_exact(inputs)) {
            pad_row(src, dst);
        }
    }
    for (b, xrow) in x.chunks_exact(inputs).enumerate().take(rows) {
        pad_row(xrow, xp);
        if let Some(gx) = gx.as_deref() {
            pad_row(&gx[b * inputs..(b + 1) * inputs], gxp);
        }
        let weights = wp.chunks_exact(width).zip(omw.chunks_exact(width));
        for (o, ((wrow, orow), gwrow)) in weights.zip(gwp.chunks_exact_mut(width)).enumerate() {
            let gv = g[b * outputs + o];
            let (xl, wl, ol) = (as_lanes(xp), as_lanes(wrow), as_lanes(orow));
            let (fl, pl) = (as_lanes_mut(factors), as_lanes_mut(prefix));
            // Factors and lane prefix products, chunk by chunk.
            let mut run = [T::one(); LANES];
            for ((f, p), ((xv, wv), ov)) in fl
                .iter_mut()
                .zip(pl.iter_mut())
                .zip(xl.iter().zip(wl).zip(ol))
            {
                *f = std::array::from_fn(|l| wv[l] * xv[l] + ov[l]);
                *p = run;
                run = std::array::from_fn(|l| run[l] * f[l]);
            }
            let gq = other_lanes(gv, &run);
            // Back down the chunks with the lane suffix products.
            let mut suffix = [T::one(); LANES];
            let (gxl, gwl) = (as_lanes_mut(gxp), as_lanes_mut(gwrow));
            let saved = fl.iter().zip(pl.iter());
            let operands = xl.iter().zip(wl);
            let sums = gxl.iter_mut().zip(gwl.iter_mut());
            for (((f, p), (xv, wv)), (gxv, gwv)) in saved.zip(operands).zip(sums).rev() {
                let d: Lanes<T> = std::array::from_fn(|l| gq[l] * p[l] * suffix[l]);
                suffix = std::array::from_fn(|l| suffix[l] * f[l]);
                if gx_wanted {
                    *gxv = std::array::from_fn(|l| gxv[l] + d[l] * wv[l]);
                }
                if gw_wanted {
                    *gwv = std::array::from_fn(|l| gwv[l] + d[l] * (xv[l] - T::one()));
                }
            }
        }
        if let Some(gx) = gx.as_deref_mut() {
            gx[b * inputs..(b + 1) * inputs].copy_from_slice(&gxp[..inputs]);
        }
    }
    if let Some(gw) = gw {
        for (dst, src) in gw.chunks_exact_mut(inputs).zip(gwp.chunks_exact(width)) {
            dst.copy_from_slice(&src[..inputs]);
        }
    }
}
