//! Numeric kernels on plain row-major slices.
//!
//! Conventions: a kernel named `*_add` or taking an `out` documented as
//! "accumulated" adds into `out`; every other kernel overwrites it. Loops are
//! written over contiguous slices with the innermost loop running along
//! memory, so the compiler can vectorise them. Shapes are checked by the
//! caller (the differentiable operations); kernels assume they fit.
//!
//! By concept: `dot` (dot products and sums, the reductions the rest build
//! on), `matmul_narrow` (the product `a b^T` with few output columns),
//! `matmul` (the general products), `lerp_prod` (the product of
//! interpolations: its entry points), `lerp_prod_rows` (narrow layers, row by
//! row), `lerp_prod_lanes` (wider layers, row by row in eight lanes),
//! `lerp_prod_fixed` (the same for 9 to 104 inputs with the number of lanes'
//! chunks known to the compiler) and `lerp_prod_passes` (its adjoint in
//! three plain passes). The plain loops in [`reference`](super::reference) compute the
//! same results one element at a time, with the math beside them; the
//! kernels' tests check against them bit for bit.

mod dot;
mod elementary;
mod lerp_prod;
mod lerp_prod_fixed;
mod lerp_prod_lanes;
mod lerp_prod_passes;
mod lerp_prod_rows;
mod ln_abs_floor;
mod matmul;
mod matmul_narrow;
mod trig_pi;

pub use elementary::{
    exp_f32, exp_in_place_f32, exp_slice_f32, ln_abs_eps_slice_f32, ln_f32, ln_slice_f32,
    sigmoid_f32, sigmoid_slice_f32, tanh_f32, tanh_slice_f32, ulp_distance_f32,
};

pub use trig_pi::{
    cos_pi_f32, cos_pi_f64, cos_pi_slice_f32, sin_pi_f32, sin_pi_f64, sin_pi_slice_f32,
};

pub use dot::{dot, sum};
pub use lerp_prod::{lerp_prod, lerp_prod_backward_add};
pub use lerp_prod_passes::{
    lerp_prod_backward_w_add, lerp_prod_backward_x_add, lerp_prod_factor_grads,
};
pub use ln_abs_floor::ln_abs_floor_slice_f32;
pub use matmul::{
    matmul, matmul_add, matmul_nt, matmul_nt_add, matmul_nt_add_with, matmul_nt_with, matmul_tn,
    matmul_tn_add,
};

use super::{Element, Shape, MAX_RANK};
use crate::simd::multiversion;

/// `out[i] = f(a[i])`.
#[inline]
pub fn map<T: Element>(a: &[T], out: &mut [T], f: impl Fn(T) -> T) {
    for (o, &x) in out.iter_mut().zip(a) {
        *o = f(x);
    }
}

/// `out[i] = f(a[i], b[i])`.
#[inline]
pub fn zip_map<T: Element>(a: &[T], b: &[T], out: &mut [T], f: impl Fn(T, T) -> T) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = f(x, y);
    }
}

/// Accumulated: `out[i] += f(a[i], b[i])`.
#[inline]
pub fn zip_map_add<T: Element>(a: &[T], b: &[T], out: &mut [T], f: impl Fn(T, T) -> T) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = *o + f(x, y);
    }
}

/// Accumulated: `out[i] += f(a[i], b[i], c[i])`.
#[inline]
pub fn zip3_map_add<T: Element>(
    a: &[T],
    b: &[T],
    c: &[T],
    out: &mut [T],
    f: impl Fn(T, T, T) -> T,
) {
    for (((o, &x), &y), &z) in out.iter_mut().zip(a).zip(b).zip(c) {
        *o = *o + f(x, y, z);
    }
}

/// Accumulated: `out[i] += a[i]`.
#[inline]
pub fn add_assign<T: Element>(out: &mut [T], a: &[T]) {
    for (o, &x) in out.iter_mut().zip(a) {
        *o = *o + x;
    }
}

multiversion! {
    /// `out (c x r) = a^T` for `a` stored as `r x c`.
    ///
    /// In blocks of 8 x 8 held in registers (each block read as eight short
    /// rows and written as eight short rows), then the edges one by one: a
    /// plain double loop writes every value to a different cache line.
    pub fn transpose<T: Element>(a: &[T], out: &mut [T], rows: usize, cols: usize) {
        const B: usize = 8;
        let (a, out) = (&a[..rows * cols], &mut out[..rows * cols]);
        let (whole_rows, whole_cols) = (rows - rows % B, cols - cols % B);
        for i0 in (0..whole_rows).step_by(B) {
            for j0 in (0..whole_cols).step_by(B) {
                let mut block = [[T::zero(); B]; B];
                for (r, line) in block.iter_mut().enumerate() {
                    line.copy_from_slice(&a[(i0 + r) * cols + j0..][..B]);
                }
                for c in 0..B {
                    let line = &mut out[(j0 + c) * rows + i0..][..B];
                    for (r, o) in line.iter_mut().enumerate() {
                        *o = block[r][c];
                    }
                }
            }
        }
        // The last rows (every column), then the last columns of the others.
        for i in whole_rows..rows {
            for j in 0..cols {
                out[j * rows + i] = a[i * cols + j];
            }
        }
        for i in 0..whole_rows {
            for j in whole_cols..cols {
                out[j * rows + i] = a[i * cols + j];
            }
        }
    }
}

/// Accumulated transpose: `out (c x r) += a^T` for `a` stored as `r x c`.
pub fn transpose_add<T: Element>(a: &[T], out: &mut [T], rows: usize, cols: usize) {
    for i in 0..rows {
        for j in 0..cols {
            out[j * rows + i] = out[j * rows + i] + a[i * cols + j];
        }
    }
}

/// Right-aligns a shape's dimensions into four, padding with ones on the left
/// (numpy's alignment rule).
fn padded(s: Shape) -> [usize; MAX_RANK] {
    let d = s.dims();
    let mut p = [1; MAX_RANK];
    p[MAX_RANK - d.len()..].copy_from_slice(d);
    p
}

/// Whether `from` broadcasts to `to` under numpy's rules: right-aligned,
/// each dimension of `from` is 1 or equal to that of `to`, and `from` has no
/// more dimensions than `to`.
pub fn broadcastable(from: Shape, to: Shape) -> bool {
    if from.rank() > to.rank() {
        return false;
    }
    let (f, t) = (padded(from), padded(to));
    f.iter().zip(&t).all(|(&a, &b)| a == b || a == 1)
}

/// Walks every element of `to` in order, in runs along the last axis:
/// `run(src, dst, len, along)` covers the elements `dst..dst + len` of `to`,
/// which come from `src..src + len` of `from` when `along` (the last axis is
/// not broadcast), or all from `src` otherwise.
#[inline]
fn for_each_broadcast_run(from: Shape, to: Shape, mut run: impl FnMut(usize, usize, usize, bool)) {
    let (f, t) = (padded(from), padded(to));
    if t[3] == 0 {
        return; // no elements (and possibly no source element to repeat)
    }
    // Strides of `from` in the padded layout, 0 along broadcast dimensions.
    let mut stride = [0; MAX_RANK];
    let mut s = 1;
    for ax in (0..MAX_RANK).rev() {
        stride[ax] = if f[ax] == 1 { 0 } else { s };
        s *= f[ax];
    }
    let along = stride[3] != 0;
    let mut dst = 0;
    for i0 in 0..t[0] {
        for i1 in 0..t[1] {
            for i2 in 0..t[2] {
                let base = i0 * stride[0] + i1 * stride[1] + i2 * stride[2];
                run(base, dst, t[3], along);
                dst += t[3];
            }
        }
    }
}

/// `out` (shape `to`) = `src` (shape `from`) repeated along its size-1
/// dimensions. The caller checks [`broadcastable`].
pub fn broadcast_to<T: Element>(src: &[T], from: Shape, out: &mut [T], to: Shape) {
    for_each_broadcast_run(from, to, |s, d, n, along| {
        if along {
            out[d..d + n].copy_from_slice(&src[s..s + n]);
        } else {
            out[d..d + n].fill(src[s]);
        }
    });
}

/// Accumulated: the adjoint of [`broadcast_to`]. Sums `grad` (shape `to`)
/// back down to shape `from`, adding into `out`. This is the one place where
/// a broadcast operand's gradient is reduced to its own shape. Each element
/// of `out` adds its terms in order of their position in `grad`.
pub fn reduce_to_shape_add<T: Element>(grad: &[T], to: Shape, out: &mut [T], from: Shape) {
    for_each_broadcast_run(from, to, |s, d, n, along| {
        if along {
            add_assign(&mut out[s..s + n], &grad[d..d + n]);
        } else {
            for &g in &grad[d..d + n] {
                out[s] = out[s] + g;
            }
        }
    });
}

/// `out` (shape with `axis` reduced to 1) = sum of `a` along `axis`.
pub fn sum_axis<T: Element>(a: &[T], shape: Shape, axis: usize, out: &mut [T]) {
    let (outer, len, inner) = shape.split_at_axis(axis);
    out[..outer * inner].fill(T::zero());
    for o in 0..outer {
        let dst = &mut out[o * inner..(o + 1) * inner];
        for l in 0..len {
            let src = &a[(o * len + l) * inner..(o * len + l + 1) * inner];
            add_assign(dst, src);
        }
    }
}

/// Accumulated: the adjoint of [`sum_axis`]: every element of `grad_a`
/// along `axis` receives the output gradient of its line, times `scale`.
pub fn sum_axis_backward_add<T: Element>(
    g: &[T],
    shape: Shape,
    axis: usize,
    scale: T,
    grad_a: &mut [T],
) {
    let (outer, len, inner) = shape.split_at_axis(axis);
    for o in 0..outer {
        let src = &g[o * inner..(o + 1) * inner];
        for l in 0..len {
            let dst = &mut grad_a[(o * len + l) * inner..(o * len + l + 1) * inner];
            for (d, &s) in dst.iter_mut().zip(src) {
                *d = *d + s * scale;
            }
        }
    }
}

/// `out` = product of `a` along `axis`.
pub fn prod_axis<T: Element>(a: &[T], shape: Shape, axis: usize, out: &mut [T]) {
    let (outer, len, inner) = shape.split_at_axis(axis);
    out[..outer * inner].fill(T::one());
    for o in 0..outer {
        let dst = &mut out[o * inner..(o + 1) * inner];
        for l in 0..len {
            let src = &a[(o * len + l) * inner..(o * len + l + 1) * inner];
            for (d, &s) in dst.iter_mut().zip(src) {
                *d = *d * s;
            }
        }
    }
}

/// The first `len` values of a reusable work buffer, which grows (with
/// zeros) only when it is too short. Nothing is cleared per call: callers
/// overwrite whatever they later read (clearing the work space of one
/// backward pass of a wide NMU layer cost a 33 KB memset per step).
#[inline]
pub(crate) fn work_space<T: Element>(work: &mut Vec<T>, len: usize) -> &mut [T] {
    if work.len() < len {
        work.resize(len, T::zero());
    }
    &mut work[..len]
}

/// Accumulated: the adjoint of [`prod_axis`].
///
/// `d/dx_l prod_m x_m = prod_{m<l} x_m * prod_{m>l} x_m`, computed from a
/// prefix product and a suffix product, never by dividing the total by
/// `x_l`, so it is exact when a factor is zero. `scratch` holds the prefix
/// products; it grows once and is reused.
pub fn prod_axis_backward_add<T: Element>(
    a: &[T],
    shape: Shape,
    axis: usize,
    g: &[T],
    grad_a: &mut [T],
    scratch: &mut Vec<T>,
) {
    let (outer, len, inner) = shape.split_at_axis(axis);
    let scratch = work_space(scratch, len);
    for o in 0..outer {
        for i in 0..inner {
            let at = |l: usize| (o * len + l) * inner + i;
            let mut prefix = T::one();
            for l in 0..len {
                scratch[l] = prefix;
                prefix = prefix * a[at(l)];
            }
            let gi = g[o * inner + i];
            let mut suffix = T::one();
            for l in (0..len).rev() {
                let k = at(l);
                grad_a[k] = grad_a[k] + gi * scratch[l] * suffix;
                suffix = suffix * a[k];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-element definition, one index at a time.
    fn broadcast_reference(from: Shape, to: Shape) -> Vec<usize> {
        let (f, t) = (padded(from), padded(to));
        let mut src = Vec::new();
        for i0 in 0..t[0] {
            for i1 in 0..t[1] {
                for i2 in 0..t[2] {
                    for i3 in 0..t[3] {
                        let idx = [i0, i1, i2, i3];
                        let mut s = 0;
                        for ax in 0..MAX_RANK {
                            s = s * f[ax] + if f[ax] == 1 { 0 } else { idx[ax] };
                        }
                        src.push(s);
                    }
                }
            }
        }
        src
    }

    #[test]
    fn broadcast_and_its_adjoint_match_the_per_element_definition_bit_for_bit() {
        let cases: [(&[usize], &[usize]); 8] = [
            (&[1, 3], &[5, 3]),
            (&[4, 1], &[4, 6]),
            (&[], &[2, 3]),
            (&[3], &[2, 4, 3]),
            (&[2, 1, 3], &[2, 5, 3]),
            (&[1, 2, 1, 3], &[2, 2, 4, 3]),
            (&[2, 3], &[2, 3]),
            (&[1, 0], &[4, 0]),
        ];
        for (from, to) in cases {
            let (from, to) = (Shape::new(from).unwrap(), Shape::new(to).unwrap());
            let src: Vec<f32> = (0..from.numel()).map(|k| 0.1 + k as f32 * 0.7).collect();
            let idx = broadcast_reference(from, to);
            let mut out = vec![f32::NAN; to.numel()];
            broadcast_to(&src, from, &mut out, to);
            let want: Vec<f32> = idx.iter().map(|&s| src[s]).collect();
            assert_eq!(out, want, "{from:?} -> {to:?}");
            // The adjoint: every source element sums its copies' gradients
            // onto its old value, in order of position.
            let grad: Vec<f32> = (0..to.numel()).map(|k| 1.0 / (1.0 + k as f32)).collect();
            let mut got: Vec<f32> = src.clone();
            reduce_to_shape_add(&grad, to, &mut got, from);
            let mut want = src.clone();
            for (d, &s) in idx.iter().enumerate() {
                want[s] += grad[d];
            }
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&want), "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn transpose_in_blocks_and_edges() {
        for (rows, cols) in [(1, 1), (3, 5), (8, 8), (17, 21), (16, 100), (9, 8), (8, 13)] {
            let a: Vec<f32> = (0..rows * cols).map(|v| v as f32).collect();
            let mut out = vec![-1.0; rows * cols];
            transpose(&a, &mut out, rows, cols);
            for i in 0..rows {
                for j in 0..cols {
                    assert_eq!(
                        out[j * rows + i],
                        a[i * cols + j],
                        "{rows}x{cols} ({i}, {j})"
                    );
                }
            }
        }
    }

    #[test]
    fn broadcast_and_its_adjoint() {
        let from = Shape::matrix(1, 3);
        let to = Shape::matrix(2, 3);
        assert!(broadcastable(from, to));
        assert!(broadcastable(Shape::vector(3), to));
        assert!(broadcastable(Shape::scalar(), to));
        assert!(!broadcastable(Shape::matrix(2, 1), Shape::matrix(3, 3)));
        let mut out = [0.0; 6];
        broadcast_to(&[1.0, 2.0, 3.0], from, &mut out, to);
        assert_eq!(out, [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
        let mut back = [0.0; 3];
        reduce_to_shape_add(&out, to, &mut back, from);
        assert_eq!(back, [2.0, 4.0, 6.0]);
        let col = Shape::matrix(2, 1);
        let mut out = [0.0; 6];
        broadcast_to(&[1.0, 2.0], col, &mut out, to);
        assert_eq!(out, [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
    }

    #[test]
    fn prod_gradient_is_exact_with_zero_factors() {
        let a = [2.0, 0.0, 3.0, 0.0, 5.0, 7.0];
        let shape = Shape::matrix(2, 3);
        let mut p = [0.0; 2];
        prod_axis(&a, shape, 1, &mut p);
        assert_eq!(p, [0.0, 0.0]);
        let mut g = [0.0; 6];
        let mut scratch = Vec::new();
        prod_axis_backward_add(&a, shape, 1, &[1.0, 1.0], &mut g, &mut scratch);
        assert_eq!(g, [0.0, 6.0, 0.0, 35.0, 0.0, 0.0]);
    }

    #[test]
    fn sum_axis_of_a_3d_tensor() {
        let shape = Shape::new(&[2, 2, 2]).unwrap();
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let mut out = [0.0; 4];
        sum_axis(&a, shape, 1, &mut out);
        assert_eq!(out, [4.0, 6.0, 12.0, 14.0]);
    }
}
