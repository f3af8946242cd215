//! Kernels of the product of interpolations (`Tape::lerp_prod`):
//! `z[b, o] = Π_i (w[o, i] x[b, i] + (1 − w[o, i]))` for `x [B, I]`,
//! `w [O, I]`, and its adjoint.

use crate::tensor::Element;

/// `out[b, o] = Π_i (w[o, i] x[b, i] + (1 − w[o, i]))`, the factors
/// multiplied in order `i = 0, 1, ..` onto 1. `x` is `rows x inputs`, `w`
/// is `outputs x inputs`, `out` is `rows x outputs`.
pub fn lerp_prod<T: Element>(
    x: &[T],
    w: &[T],
    out: &mut [T],
    rows: usize,
    inputs: usize,
    outputs: usize,
) {
    for (xrow, orow) in x
        .chunks_exact(inputs)
        .zip(out.chunks_exact_mut(outputs))
        .take(rows)
    {
        for (o, wrow) in orow.iter_mut().zip(w.chunks_exact(inputs)) {
            let mut p = T::one();
            for (&xi, &wi) in xrow.iter().zip(wrow) {
                p = p * (wi * xi + (T::one() - wi));
            }
            *o = p;
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_one_selects_and_weight_zero_ignores() {
        // Two rows, three inputs, two outputs.
        let x = [2.0, -3.0, 0.5, 4.0, 0.0, 10.0];
        let w = [1.0, 0.0, 1.0, /* */ 0.0, 1.0, 0.0];
        let mut out = [0.0f64; 4];
        lerp_prod(&x, &w, &mut out, 2, 3, 2);
        assert_eq!(out, [1.0, -3.0, 40.0, 0.0]);
    }

    #[test]
    fn factor_gradients_are_products_of_the_others() {
        // One row, factors (with w = 1) 2, 0, 3: exact with a zero factor.
        let (x, w) = ([2.0, 0.0, 3.0], [1.0, 1.0, 1.0]);
        let mut d = [0.0f64; 3];
        lerp_prod_factor_grads(&x, &w, &[2.0], &mut d, 1, 3, 1);
        assert_eq!(d, [0.0, 12.0, 0.0]);
    }
}
