//! Kernels of the product of interpolations (`Tape::lerp_prod`):
//! `z[b, o] = Π_i (w[o, i] x[b, i] + (1 − w[o, i]))` for `x [B, I]`,
//! `w [O, I]`, and its adjoint.
//!
//! The entry points below pick a path by the number of inputs: up to eight
//! row by row with the width known to the compiler
//! ([`super::lerp_prod_rows`]), wider layers row by row in eight
//! interleaved lanes: 9 to 104 inputs with the number of eight-lane chunks
//! known to the compiler and each row read in place
//! ([`super::lerp_prod_fixed`]), wider ones with run-time lengths
//! ([`super::lerp_prod_lanes`]). All multiply in the lane
//! order (input `i` in lane `i mod 8`, each lane in order of `i`, then the
//! lanes in order), which up to eight inputs is the plain order `i = 0, 1,
//! ..`. The three-pass adjoint that defines the one-pass one is in
//! [`super::lerp_prod_passes`]; the plain loops in
//! [`crate::tensor::reference`] give the same bits.

use super::lerp_prod_fixed::{backward_fixed, forward_fixed};
use super::lerp_prod_lanes::{backward_by_lanes, chunks_of, forward_by_lanes};
use super::lerp_prod_rows::{backward_by_rows, forward_by_rows};
use crate::simd::multiversion;
use crate::tensor::Element;

/// `Some(f::<T, N>(args))` when `inputs` is one of the layer widths that run
/// row by row with `N = inputs` known to the compiler (1-8, where each row's
/// values stay in registers and the lane order is the plain order); `None`
/// otherwise (the lanes). `T` is the caller's element type.
macro_rules! by_rows {
    ($inputs:expr, $f:ident $args:tt) => {
        by_rows!(@widths $inputs, $f $args, 1 2 3 4 5 6 7 8)
    };
    (@widths $inputs:expr, $f:ident $args:tt, $($n:literal)*) => {
        match $inputs {
            $($n => Some($f::<T, $n> $args),)*
            _ => None,
        }
    };
}

/// The widest layer (in eight-lane chunks) run by
/// [`super::lerp_prod_fixed`]: up to 104 inputs, the tables' 100.
const MAX_FIXED_CHUNKS: usize = 13;

/// `Some(f::<T, C>(args))` with `C = chunks_of(inputs)` known to the
/// compiler, for 2 to [`MAX_FIXED_CHUNKS`] chunks (9 to 104 inputs); `None`
/// otherwise. `T` is the caller's element type.
macro_rules! by_chunks {
    ($inputs:expr, $f:ident $args:tt) => {
        by_chunks!(@chunks $inputs, $f $args, 2 3 4 5 6 7 8 9 10 11 12 13)
    };
    (@chunks $inputs:expr, $f:ident $args:tt, $($c:literal)*) => {
        match chunks_of($inputs) {
            $($c => Some($f::<T, $c> $args),)*
            _ => None,
        }
    };
}

multiversion! {
    /// `out[b, o] = Π_i (w[o, i] x[b, i] + (1 − w[o, i]))` in the lane order
    /// (see the module docs). `x` is `rows x inputs`, `w` is `outputs x
    /// inputs`, `out` is `rows x outputs`; `work` is work space (grown to at
    /// most `(2 · outputs + 1) · (inputs + 7)` values, never `rows · inputs`).
    ///
    /// Row by row: for 1-8 inputs with the width known to the compiler, wider
    /// layers eight inputs at a time in eight lanes (one vector register of
    /// `f32` with AVX2, two with SSE2: the same operations in the same order).
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
        // The widths in use known to the compiler (the input sizes 10-100 of
        // the tables and the input-size experiment, a hidden size of 16);
        // other widths up to 104 with the number of chunks known; wider
        // layers the same arithmetic with run-time lengths.
        match inputs {
            10 => forward_fixed::<T, 2>(x, w, out, rows, 10, outputs, work),
            16 => forward_fixed::<T, 2>(x, w, out, rows, 16, outputs, work),
            25 => forward_fixed::<T, 4>(x, w, out, rows, 25, outputs, work),
            50 => forward_fixed::<T, 7>(x, w, out, rows, 50, outputs, work),
            75 => forward_fixed::<T, 10>(x, w, out, rows, 75, outputs, work),
            100 => forward_fixed::<T, 13>(x, w, out, rows, 100, outputs, work),
            _ if chunks_of(inputs) <= MAX_FIXED_CHUNKS => {
                by_chunks!(inputs, forward_fixed(x, w, out, rows, inputs, outputs, work));
            }
            _ => forward_by_lanes(x, w, out, rows, inputs, outputs, work),
        }
    }
}

multiversion! {
    /// Accumulated, both gradients: with `d[b, o, i]` as in
    /// [`lerp_prod_factor_grads`](super::lerp_prod_factor_grads) (same arithmetic, same bits),
    /// `gx[b, i] += Σ_o d[b, o, i] w[o, i]` (`o` increasing) and
    /// `gw[o, i] += Σ_b d[b, o, i] (x[b, i] − 1)` (`b` increasing), each for
    /// the operand that is `Some`. `work` is work space (grown to at most
    /// `(3 · outputs + 4) · (inputs + 7)` values: no `[B, O, I]` or `[B, I]`
    /// intermediate).
    ///
    /// Like [`lerp_prod`], row by row: the factors, prefix and suffix products
    /// of one row and output, then their gradients straight into `gx` and `gw`.
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
        // As in `lerp_prod`: the widths in use known to the compiler.
        match inputs {
            10 => backward_fixed::<T, 2>(x, w, g, gx, gw, work, rows, 10, outputs),
            16 => backward_fixed::<T, 2>(x, w, g, gx, gw, work, rows, 16, outputs),
            25 => backward_fixed::<T, 4>(x, w, g, gx, gw, work, rows, 25, outputs),
            50 => backward_fixed::<T, 7>(x, w, g, gx, gw, work, rows, 50, outputs),
            75 => backward_fixed::<T, 10>(x, w, g, gx, gw, work, rows, 75, outputs),
            100 => backward_fixed::<T, 13>(x, w, g, gx, gw, work, rows, 100, outputs),
            _ if chunks_of(inputs) <= MAX_FIXED_CHUNKS => {
                by_chunks!(inputs, backward_fixed(x, w, g, gx, gw, work, rows, inputs, outputs));
            }
            _ => backward_by_lanes(x, w, g, gx, gw, work, rows, inputs, outputs),
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
        // Row by row for 1-8 inputs, in lanes otherwise (with and without
        // a partial last chunk, one output and several).
        for (rows, inputs, outputs) in [
            (5, 4, 3),
            (7, 1, 1),
            (9, 2, 1),
            (6, 8, 2),
            (5, 9, 3),
            (4, 13, 1),
            (3, 16, 2),
            (4, 24, 1),
            (6, 100, 2),
            (2, 37, 5),
        ] {
            one_pass_matches_three_passes(rows, inputs, outputs);
        }
    }

    fn one_pass_matches_three_passes(rows: usize, inputs: usize, outputs: usize) {
        // Factors of magnitude up to ~3 (some negative, none far from 1
        // for long): products of 100 stay finite in f32.
        let x: Vec<f32> = (0..rows * inputs)
            .map(|k| 2.0 * (0.37 * k as f32 - 2.1).sin())
            .collect();
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
        assert!(gx1.iter().chain(&gw1).all(|v| v.is_finite()), "{inputs}");
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
    fn forward_by_rows_and_by_lanes_match_the_plain_loops() {
        for (rows, inputs, outputs) in [
            (5, 2, 1),
            (7, 5, 3),
            (4, 8, 2),
            (6, 9, 2),
            (3, 16, 1),
            (5, 17, 2),
            (4, 100, 2),
            (2, 64, 3),
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
    fn up_to_eight_inputs_the_lane_order_is_the_plain_order() {
        // The narrow widths keep the bits they had before the lane order:
        // factors multiplied in order of i onto 1, d = (g · prefix) · suffix.
        for inputs in 1..=8 {
            let (rows, outputs) = (3, 2);
            let x: Vec<f32> = (0..rows * inputs).map(|k| 1.1 - 0.37 * k as f32).collect();
            let w: Vec<f32> = (0..outputs * inputs)
                .map(|k| (0.8 * k as f32).sin())
                .collect();
            let g: Vec<f32> = (0..rows * outputs).map(|k| 0.3 + 0.7 * k as f32).collect();
            let factor = |b: usize, o: usize, i: usize| {
                w[o * inputs + i] * x[b * inputs + i] + (1.0 - w[o * inputs + i])
            };
            let mut out = vec![0.0; rows * outputs];
            lerp_prod(&x, &w, &mut out, rows, inputs, outputs, &mut Vec::new());
            let mut d = vec![0.0; rows * outputs * inputs];
            lerp_prod_factor_grads(&x, &w, &g, &mut d, rows, inputs, outputs);
            for b in 0..rows {
                for o in 0..outputs {
                    let z = (0..inputs).fold(1.0f32, |z, i| z * factor(b, o, i));
                    assert_eq!(out[b * outputs + o].to_bits(), z.to_bits());
                    for i in 0..inputs {
                        let pre = (0..i).fold(1.0f32, |p, m| p * factor(b, o, m));
                        let suf = (i + 1..inputs)
                            .rev()
                            .fold(1.0f32, |s, m| s * factor(b, o, m));
                        let want = g[b * outputs + o] * pre * suf;
                        assert_eq!(d[(b * outputs + o) * inputs + i].to_bits(), want.to_bits());
                    }
                }
            }
        }
    }

    #[test]
    fn wide_rows_multiply_in_eight_lanes() {
        // 20 inputs: lanes 0-3 hold three factors (i, i + 8, i + 16), lanes
        // 4-7 two; the lanes are then multiplied in order.
        let (inputs, outputs) = (20, 1);
        let x: Vec<f32> = (0..inputs).map(|k| 0.9 + 0.013 * k as f32).collect();
        let w: Vec<f32> = (0..inputs).map(|k| (0.5 * k as f32).cos().abs()).collect();
        let f = |i: usize| w[i] * x[i] + (1.0 - w[i]);
        let lanes: Vec<f32> = (0..8)
            .map(|l| (l..inputs).step_by(8).fold(1.0f32, |p, i| p * f(i)))
            .collect();
        let want = lanes.iter().fold(1.0f32, |z, &p| z * p);
        let mut out = [0.0f32];
        lerp_prod(&x, &w, &mut out, 1, inputs, outputs, &mut Vec::new());
        assert_eq!(out[0].to_bits(), want.to_bits());
        // A zero factor in a wide row: only its input gets a gradient, the
        // product of the others, exactly.
        let mut x = vec![1.0f32; inputs];
        x[11] = 0.0;
        x[3] = 2.0;
        x[19] = 3.0;
        let w = vec![1.0f32; inputs];
        lerp_prod(&x, &w, &mut out, 1, inputs, outputs, &mut Vec::new());
        assert_eq!(out[0], 0.0);
        let (mut gx, mut gw) = (vec![0.0f32; inputs], vec![0.0f32; inputs]);
        lerp_prod_backward_add(
            &x,
            &w,
            &[1.0],
            Some(&mut gx),
            Some(&mut gw),
            &mut Vec::new(),
            1,
            inputs,
            outputs,
        );
        let mut want_gx = vec![0.0f32; inputs];
        want_gx[11] = 6.0;
        assert_eq!(gx, want_gx);
        // dz/dw_i = (x_i - 1) · (other factors): only input 11's is nonzero.
        let mut want_gw = vec![0.0f32; inputs];
        want_gw[11] = -6.0;
        assert_eq!(gw, want_gw);
    }

    /// The kernels' forward and the three sets of gradients (both, `gw`
    /// only, `gx` only) against the plain loops, bit for bit.
    fn every_path_matches_the_plain_loops<T: Element>(rows: usize, inputs: usize, outputs: usize) {
        // Factors in [0.5, 1.5] (some weights exactly 0 or 1): products of
        // 130 of them stay finite in f32.
        let x: Vec<T> = (0..rows * inputs)
            .map(|k| T::from_f64_lossy(1.0 + 0.5 * (0.61 * k as f64 - 1.3).sin()))
            .collect();
        let w: Vec<T> = (0..outputs * inputs)
            .map(|k| T::from_f64_lossy(((0.43 * k as f64).cos().abs() * 1.2).min(1.0)))
            .collect();
        let g: Vec<T> = (0..rows * outputs)
            .map(|k| T::from_f64_lossy(0.8 - 0.3 * k as f64))
            .collect();
        let bits = |v: &[T]| {
            v.iter()
                .map(|e| e.to_f64_lossy().to_bits())
                .collect::<Vec<_>>()
        };
        let case = format!("{rows} x {inputs} -> {outputs}");
        let mut out = vec![T::zero(); rows * outputs];
        lerp_prod(&x, &w, &mut out, rows, inputs, outputs, &mut Vec::new());
        let mut want = vec![T::zero(); rows * outputs];
        reference::lerp_prod(&x, &w, &mut want, rows, inputs, outputs);
        assert_eq!(bits(&out), bits(&want), "forward {case}");
        let start_gx: Vec<T> = (0..rows * inputs)
            .map(|k| T::from_f64_lossy(0.1 * k as f64))
            .collect();
        let start_gw: Vec<T> = (0..outputs * inputs)
            .map(|k| T::from_f64_lossy(-0.2 * k as f64))
            .collect();
        let (mut gx_ref, mut gw_ref) = (start_gx.clone(), start_gw.clone());
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
        let mut work = Vec::new();
        let (mut gx, mut gw) = (start_gx.clone(), start_gw.clone());
        lerp_prod_backward_add(
            &x,
            &w,
            &g,
            Some(&mut gx),
            Some(&mut gw),
            &mut work,
            rows,
            inputs,
            outputs,
        );
        assert_eq!(bits(&gx), bits(&gx_ref), "gx of both {case}");
        assert_eq!(bits(&gw), bits(&gw_ref), "gw of both {case}");
        let mut gw = start_gw.clone();
        lerp_prod_backward_add(
            &x,
            &w,
            &g,
            None,
            Some(&mut gw),
            &mut work,
            rows,
            inputs,
            outputs,
        );
        assert_eq!(bits(&gw), bits(&gw_ref), "gw only {case}");
        let mut gx = start_gx.clone();
        lerp_prod_backward_add(
            &x,
            &w,
            &g,
            Some(&mut gx),
            None,
            &mut work,
            rows,
            inputs,
            outputs,
        );
        assert_eq!(bits(&gx), bits(&gx_ref), "gx only {case}");
    }

    #[test]
    fn every_width_and_gradient_set_matches_the_plain_loops_on_every_instruction_set() {
        // Row by row (1-8), the chunk counts known to the compiler (9-104,
        // with and without a partial last chunk; 16 and 100 with the width
        // known too), and the run-time lanes beyond (105, 130).
        let widths = [
            1, 5, 8, 9, 10, 15, 16, 17, 24, 25, 31, 50, 64, 75, 99, 100, 103, 104, 105, 130,
        ];
        let run = || {
            for inputs in widths {
                for (rows, outputs) in [(5, 2), (3, 1), (2, 3)] {
                    every_path_matches_the_plain_loops::<f32>(rows, inputs, outputs);
                }
                every_path_matches_the_plain_loops::<f64>(4, inputs, 2);
            }
        };
        run();
        crate::simd::note_if_no_avx2("lerp_prod kernels");
        crate::simd::portable_only(run);
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
