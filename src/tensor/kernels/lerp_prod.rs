//! Kernels of the product of interpolations (`Tape::lerp_prod`):
//! `z[b, o] = Π_i (w[o, i] x[b, i] + (1 − w[o, i]))` for `x [B, I]`,
//! `w [O, I]`, and its adjoint.
//!
//! The entry points below, column by column over the batch; the narrow
//! layers run row by row in [`super::lerp_prod_rows`], and the three-pass
//! adjoint that defines the one-pass one is in [`super::lerp_prod_passes`];
//! the plain loops in [`crate::tensor::reference`] give the same bits.

use super::lerp_prod_rows::{backward_by_rows, forward_by_rows};
use crate::simd::multiversion;
use crate::tensor::Element;

/// `xt[i][b] = x[b][i]`: the columns of `x` (`rows x inputs`), each
/// contiguous.
#[inline(always)]
fn columns_of<T: Element>(x: &[T], xt: &mut [T], rows: usize, inputs: usize) {
    for (i, col) in xt.chunks_exact_mut(rows).enumerate().take(inputs) {
        for (t, xrow) in col.iter_mut().zip(x.chunks_exact(inputs)) {
            *t = xrow[i];
        }
    }
}

/// `Some(f::<T, N>(args))` when `inputs` is one of the layer widths that run
/// row by row (1-8 and 16, the hidden sizes in use), with `N = inputs`
/// known to the compiler so that each row's values stay in registers;
/// `None` otherwise (the column passes). `T` is the caller's element type.
macro_rules! by_rows {
    ($inputs:expr, $f:ident $args:tt) => {
        by_rows!(@widths $inputs, $f $args, 1 2 3 4 5 6 7 8 16)
    };
    (@widths $inputs:expr, $f:ident $args:tt, $($n:literal)*) => {
        match $inputs {
            $($n => Some($f::<T, $n> $args),)*
            _ => None,
        }
    };
}

// The three column steps below are functions of their own, never inlined
// (each compiled twice by `multiversion!`): as separate functions their
// slice arguments are known not to overlap, which the compiler needs to
// vectorise them (inlined, they are all parts of one work buffer and the
// loops stay scalar).

multiversion! {
    /// `run[b] *= w x[b] + (1 − w)` over one column (the forward's step).
    #[inline(never)]
    fn multiply_factors<T: Element>(run: &mut [T], xcol: &[T], w: T) {
        let one_minus_w = T::one() - w;
        for (r, &xv) in run.iter_mut().zip(xcol) {
            *r = *r * (w * xv + one_minus_w);
        }
    }
}

multiversion! {
    /// `pre[b] = run[b]`, then `run[b] *= w x[b] + (1 − w)`: the prefix
    /// products of one column.
    #[inline(never)]
    fn prefix_step<T: Element>(pre: &mut [T], run: &mut [T], xcol: &[T], w: T) {
        let one_minus_w = T::one() - w;
        for ((p, r), &xv) in pre.iter_mut().zip(run.iter_mut()).zip(xcol) {
            *p = *r;
            *r = *r * (w * xv + one_minus_w);
        }
    }
}

multiversion! {
    /// `d[b] = (g[b] · pre[b]) · run[b]`, then `run[b] *= w x[b] + (1 − w)`:
    /// one column of factor gradients, the suffix products running in `run`.
    #[inline(never)]
    fn factor_grad_step<T: Element>(
        d: &mut [T],
        pre: &[T],
        run: &mut [T],
        xcol: &[T],
        g: &[T],
        w: T,
    ) {
        let one_minus_w = T::one() - w;
        let line = d.iter_mut().zip(pre).zip(run.iter_mut());
        for (((di, &p), r), (&xv, &gv)) in line.zip(xcol.iter().zip(g)) {
            *di = gv * p * *r;
            *r = *r * (w * xv + one_minus_w);
        }
    }
}

multiversion! {
    /// `out[b, o] = Π_i (w[o, i] x[b, i] + (1 − w[o, i]))`, the factors
    /// multiplied in order `i = 0, 1, ..` onto 1. `x` is `rows x inputs`,
    /// `w` is `outputs x inputs`, `out` is `rows x outputs`; `work` is work
    /// space (grown to `(inputs + 1) · rows`).
    ///
    /// Row by row for 1-8 and 16 inputs (the common layer widths; each
    /// row's factors in registers). Otherwise column by column: `x` is first
    /// copied column-wise into `work`, then
    /// for each output and input one loop over the rows multiplies in a
    /// factor. That loop is long (the batch) and contiguous, so it
    /// vectorises, where a loop over the inputs of one row may be very short
    /// (an NMU layer has as many inputs as the hidden size).
    pub fn lerp_prod<T: Element>(
        x: &[T],
        w: &[T],
        out: &mut [T],
        rows: usize,
        inputs: usize,
        outputs: usize,
        work: &mut Vec<T>,
    ) {
        if by_rows!(inputs, forward_by_rows(x, w, out, rows, outputs)).is_some() {
            return;
        }
        let work = super::work_space(work, (inputs + 1) * rows);
        let (xt, run) = work.split_at_mut(inputs * rows);
        columns_of(x, xt, rows, inputs);
        for (o, wrow) in w.chunks_exact(inputs).enumerate().take(outputs) {
            run.fill(T::one());
            for (&wi, xcol) in wrow.iter().zip(xt.chunks_exact(rows)) {
                multiply_factors(run, xcol, wi);
            }
            for (zrow, &r) in out.chunks_exact_mut(outputs).zip(run.iter()) {
                zrow[o] = r;
            }
        }
    }
}

multiversion! {
    /// Accumulated, both gradients: with `d[b, o, i]` as in
    /// [`lerp_prod_factor_grads`](super::lerp_prod_factor_grads) (same arithmetic, same bits),
    /// `gx[b, i] += Σ_o d[b, o, i] w[o, i]` (`o` increasing) and
    /// `gw[o, i] += Σ_b d[b, o, i] (x[b, i] − 1)` (`b` increasing), each for
    /// the operand that is `Some`. `work` is work space (grown to
    /// `(4 · inputs + 2) · rows`).
    ///
    /// Like [`lerp_prod`], column by column over contiguous copies of the
    /// columns of `x`: the prefix products, then the factor gradients with
    /// the suffix products, for each output; those are copied back row-wise
    /// so that both sums run over contiguous rows too (and the sums over
    /// `b` of different inputs proceed side by side).
    #[allow(clippy::too_many_arguments)]
    pub fn lerp_prod_backward_add<T: Element>(
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
        let (mut gx, mut gw) = (gx, gw);
        if gx.is_none() && gw.is_none() {
            return;
        }
        let (gx_rows, gw_rows) = (gx.as_deref_mut(), gw.as_deref_mut());
        let by_rows = by_rows!(inputs, backward_by_rows(x, w, g, gx_rows, gw_rows, rows, outputs));
        if by_rows.is_some() {
            return;
        }
        let block = inputs * rows;
        let work = super::work_space(work, 4 * block + 2 * rows);
        // Columns of x, prefix products, factor gradients (by column, then
        // by row), the running products and the column of g.
        let (xt, rest) = work.split_at_mut(block);
        let (prefix, rest) = rest.split_at_mut(block);
        let (dt, rest) = rest.split_at_mut(block);
        let (d_rows, rest) = rest.split_at_mut(block);
        let (run, g_col) = rest.split_at_mut(rows);
        columns_of(x, xt, rows, inputs);
        for (o, wrow) in w.chunks_exact(inputs).enumerate().take(outputs) {
            for (c, grow) in g_col.iter_mut().zip(g.chunks_exact(outputs)) {
                *c = grow[o];
            }
            run.fill(T::one());
            let columns = prefix.chunks_exact_mut(rows).zip(xt.chunks_exact(rows));
            for (&wi, (pre, xcol)) in wrow.iter().zip(columns) {
                prefix_step(pre, run, xcol, wi);
            }
            run.fill(T::one());
            let columns = dt.chunks_exact_mut(rows).zip(prefix.chunks_exact(rows));
            let columns = wrow.iter().zip(columns.zip(xt.chunks_exact(rows)));
            for (&wi, ((d, pre), xcol)) in columns.rev() {
                factor_grad_step(d, pre, run, xcol, g_col, wi);
            }
            columns_of(dt, d_rows, inputs, rows);
            if let Some(gx) = gx.as_deref_mut() {
                for (gxrow, drow) in gx.chunks_exact_mut(inputs).zip(d_rows.chunks_exact(inputs)) {
                    for ((gxi, &di), &wi) in gxrow.iter_mut().zip(drow).zip(wrow) {
                        *gxi = *gxi + di * wi;
                    }
                }
            }
            if let Some(gw) = gw.as_deref_mut() {
                let gwrow = &mut gw[o * inputs..(o + 1) * inputs];
                for (drow, xrow) in d_rows.chunks_exact(inputs).zip(x.chunks_exact(inputs)) {
                    for ((gwi, &di), &xv) in gwrow.iter_mut().zip(drow).zip(xrow) {
                        *gwi = *gwi + di * (xv - T::one());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::kernels::{
        lerp_prod_backward_w_add, lerp_prod_backward_x_add, lerp_prod_factor_grads,
    };
    use crate::tensor::reference;

    #[test]
    fn weight_one_selects_and_weight_zero_ignores() {
        // Two rows, three inputs, two outputs.
        let x = [2.0, -3.0, 0.5, 4.0, 0.0, 10.0];
        let w = [1.0, 0.0, 1.0, /* */ 0.0, 1.0, 0.0];
        let mut out = [0.0f64; 4];
        lerp_prod(&x, &w, &mut out, 2, 3, 2, &mut Vec::new());
        assert_eq!(out, [1.0, -3.0, 40.0, 0.0]);
    }

    #[test]
    fn one_pass_backward_matches_the_three_passes_bit_for_bit() {
        // Row by row for 1-8 and 16 inputs, by columns otherwise.
        for (rows, inputs, outputs) in [
            (5, 4, 3),
            (7, 1, 1),
            (9, 2, 1),
            (6, 8, 2),
            (5, 9, 3),
            (4, 13, 1),
        ] {
            one_pass_matches_three_passes(rows, inputs, outputs);
        }
    }

    fn one_pass_matches_three_passes(rows: usize, inputs: usize, outputs: usize) {
        let x: Vec<f32> = (0..rows * inputs).map(|k| 0.37 * k as f32 - 2.1).collect();
        let w: Vec<f32> = (0..outputs * inputs)
            .map(|k| (0.7 * k as f32).sin())
            .collect();
        let g: Vec<f32> = (0..rows * outputs).map(|k| 1.0 - 0.21 * k as f32).collect();
        let mut d = vec![0.0; rows * outputs * inputs];
        lerp_prod_factor_grads(&x, &w, &g, &mut d, rows, inputs, outputs);
        let (mut gx, mut gw) = (vec![0.5; rows * inputs], vec![-0.25; outputs * inputs]);
        lerp_prod_backward_x_add(&d, &w, &mut gx, rows, inputs, outputs);
        lerp_prod_backward_w_add(&d, &x, &mut gw, rows, inputs, outputs);
        let (mut gx1, mut gw1) = (vec![0.5; rows * inputs], vec![-0.25; outputs * inputs]);
        let mut prefix = Vec::new();
        lerp_prod_backward_add(
            &x,
            &w,
            &g,
            Some(&mut gx1),
            Some(&mut gw1),
            &mut prefix,
            rows,
            inputs,
            outputs,
        );
        assert_eq!(gx1, gx);
        assert_eq!(gw1, gw);
        // And both match the plain loops.
        assert_eq!(
            d,
            reference::lerp_prod_factor_grads(&x, &w, &g, rows, inputs, outputs)
        );
        let (mut gx_ref, mut gw_ref) = (vec![0.5; rows * inputs], vec![-0.25; outputs * inputs]);
        reference::lerp_prod_backward_add(
            &x,
            &w,
            &g,
            &mut gx_ref,
            &mut gw_ref,
            rows,
            inputs,
            outputs,
        );
        assert_eq!(gx1, gx_ref);
        assert_eq!(gw1, gw_ref);
        let mut gw2 = vec![-0.25; outputs * inputs];
        lerp_prod_backward_add(
            &x,
            &w,
            &g,
            None,
            Some(&mut gw2),
            &mut prefix,
            rows,
            inputs,
            outputs,
        );
        assert_eq!(gw2, gw);
    }

    #[test]
    fn forward_by_rows_and_by_columns_multiply_in_order() {
        for (rows, inputs, outputs) in [
            (5, 2, 1),
            (7, 5, 3),
            (4, 8, 2),
            (6, 9, 2),
            (3, 16, 1),
            (5, 17, 2),
        ] {
            let x: Vec<f32> = (0..rows * inputs).map(|k| 1.3 - 0.173 * k as f32).collect();
            let w: Vec<f32> = (0..outputs * inputs)
                .map(|k| (0.9 * k as f32).cos())
                .collect();
            let mut out = vec![0.0; rows * outputs];
            lerp_prod(&x, &w, &mut out, rows, inputs, outputs, &mut Vec::new());
            let mut want = vec![0.0; rows * outputs];
            reference::lerp_prod(&x, &w, &mut want, rows, inputs, outputs);
            for (k, (o, r)) in out.iter().zip(&want).enumerate() {
                assert_eq!(o.to_bits(), r.to_bits(), "{inputs} (element {k})");
            }
        }
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
