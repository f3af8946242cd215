//! Plain reference loops: the products of [`kernels`](super::kernels)
//! written one element at a time, with the math beside them.
//!
//! Read these to learn what a kernel computes; read the kernel to learn how
//! it is made fast. Each loop sums in the order the kernel documents, so a
//! kernel and its reference give the same bits, and the kernels' tests use
//! these as their oracle. All matrices are row-major slices; a function
//! named `*_add` adds into `out` (onto its previous value, one term after the
//! other), every other one overwrites it.

// Index loops on purpose: they read like the formulas.
#![allow(clippy::needless_range_loop)]

use super::Element;

/// `a · b = Σ_p a[p] b[p]`, in the order of [`kernels::dot`](fn@super::kernels::dot):
/// eight lanes, lane `l` summing `a[p] b[p]` for `p ≡ l (mod 8)` below the
/// last multiple of 4, combined as `((l0 + l4) + (l2 + l6)) + ((l1 + l5) +
/// (l3 + l7))`; the last `len mod 4` products summed in order and added last.
pub fn dot<T: Element>(a: &[T], b: &[T]) -> T {
    let len = a.len().min(b.len());
    let whole = len / 4 * 4;
    let mut l = [T::zero(); 8];
    for p in 0..whole {
        l[p % 8] = l[p % 8] + a[p] * b[p];
    }
    let mut tail = T::zero();
    for p in whole..len {
        tail = tail + a[p] * b[p];
    }
    (((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))) + tail
}

/// `Σ_p a[p]`, in the order of [`kernels::sum`](fn@super::kernels::sum): eight lanes,
/// lane `l` summing `a[p]` for `p ≡ l (mod 8)` below the last multiple of 8,
/// the lanes added in order, the rest summed in order and added last.
pub fn sum<T: Element>(a: &[T]) -> T {
    let whole = a.len() / 8 * 8;
    let mut l = [T::zero(); 8];
    for p in 0..whole {
        l[p % 8] = l[p % 8] + a[p];
    }
    let mut tail = T::zero();
    for &x in &a[whole..] {
        tail = tail + x;
    }
    let mut s = T::zero();
    for v in l {
        s = s + v;
    }
    s + tail
}

/// `out[i, j] += Σ_p a[i, p] b[p, j]` for `a (m x k)`, `b (k x n)`, `p`
/// increasing: [`kernels::matmul_add`](super::kernels::matmul_add).
pub fn matmul_add<T: Element>(a: &[T], b: &[T], out: &mut [T], m: usize, k: usize, n: usize) {
    for i in 0..m {
        for j in 0..n {
            for p in 0..k {
                out[i * n + j] = out[i * n + j] + a[i * k + p] * b[p * n + j];
            }
        }
    }
}

/// `out[i, j] += Σ_p a[p, i] b[p, j]` (`out += a^T b`) for `a` stored as
/// `k x m`, `b (k x n)`, `p` increasing:
/// [`kernels::matmul_tn_add`](super::kernels::matmul_tn_add).
pub fn matmul_tn_add<T: Element>(a: &[T], b: &[T], out: &mut [T], m: usize, k: usize, n: usize) {
    for i in 0..m {
        for j in 0..n {
            for p in 0..k {
                out[i * n + j] = out[i * n + j] + a[p * m + i] * b[p * n + j];
            }
        }
    }
}

/// `out[i, j] += Σ_p a[i, p] b[j, p]` (`out += a b^T`) for `a (m x k)`, `b`
/// stored as `n x k`: [`kernels::matmul_nt_add`](super::kernels::matmul_nt_add).
/// Its order depends on the width: below eight output columns each element
/// adds one [`dot`] of two rows; from eight on, `p` runs in increasing order
/// onto the output, as in [`matmul_add`].
pub fn matmul_nt_add<T: Element>(a: &[T], b: &[T], out: &mut [T], m: usize, k: usize, n: usize) {
    for i in 0..m {
        for j in 0..n {
            let (arow, brow) = (&a[i * k..(i + 1) * k], &b[j * k..(j + 1) * k]);
            if n < 8 {
                out[i * n + j] = out[i * n + j] + dot(arow, brow);
            } else {
                for p in 0..k {
                    out[i * n + j] = out[i * n + j] + arow[p] * brow[p];
                }
            }
        }
    }
}

/// One factor of the product of interpolations: `w x + (1 − w)`, the value
/// `x` when `w = 1` and the neutral 1 when `w = 0`.
pub fn lerp_factor<T: Element>(x: T, w: T) -> T {
    w * x + (T::one() - w)
}

/// The lanes of the product of interpolations: its factors are multiplied
/// in eight interleaved lanes, input `i` in lane `i mod 8`.
pub const LERP_PROD_LANES: usize = 8;

/// `out[b, o] = Π_i (w[o, i] x[b, i] + (1 − w[o, i]))` for `x (rows x
/// inputs)`, `w (outputs x inputs)`, in the lane order: input `i` goes to
/// lane `i mod 8`, each lane multiplies its factors onto 1 in order of `i`,
/// and the eight lane products are multiplied onto 1 in lane order. Up to
/// eight inputs that is the plain order `i = 0, 1, ..`:
/// [`kernels::lerp_prod`](super::kernels::lerp_prod).
pub fn lerp_prod<T: Element>(
    x: &[T],
    w: &[T],
    out: &mut [T],
    rows: usize,
    inputs: usize,
    outputs: usize,
) {
    for b in 0..rows {
        for o in 0..outputs {
            let f = |i: usize| lerp_factor(x[b * inputs + i], w[o * inputs + i]);
            let lanes = lerp_lane_products(f, inputs);
            let mut z = T::one();
            for lane in lanes {
                z = z * lane;
            }
            out[b * outputs + o] = z;
        }
    }
}

/// The eight lane products of one row and output: lane `l` is the product
/// of the factors `f(i)` with `i mod 8 = l`, in order of `i`, onto 1.
fn lerp_lane_products<T: Element>(f: impl Fn(usize) -> T, inputs: usize) -> [T; 8] {
    let mut lanes = [T::one(); LERP_PROD_LANES];
    for i in 0..inputs {
        lanes[i % LERP_PROD_LANES] = lanes[i % LERP_PROD_LANES] * f(i);
    }
    lanes
}

/// The adjoint of [`lerp_prod`] for the incoming gradient `g (rows x
/// outputs)`, accumulated into `gx (rows x inputs)` and `gw (outputs x
/// inputs)`.
///
/// With `f[b, o, i]` the factors, the gradient of `z[b, o]` with respect to
/// one factor is the product of the others, written without a division (so
/// it is exact when a factor is zero):
/// `d[b, o, i] = (g[b, o] · Π_{m<i} f[b, o, m]) · Π_{m>i} f[b, o, m]`, the
/// prefix product running up from 1 and the suffix product down from 1.
/// Since `∂f/∂x = w` and `∂f/∂w = x − 1`:
/// `gx[b, i] += Σ_o d[b, o, i] w[o, i]` (`o` increasing) and
/// `gw[o, i] += Σ_b d[b, o, i] (x[b, i] − 1)` (`b` increasing), as
/// [`kernels::lerp_prod_backward_add`](super::kernels::lerp_prod_backward_add)
/// computes them.
#[allow(clippy::too_many_arguments)]
pub fn lerp_prod_backward_add<T: Element>(
    x: &[T],
    w: &[T],
    g: &[T],
    gx: &mut [T],
    gw: &mut [T],
    rows: usize,
    inputs: usize,
    outputs: usize,
) {
    let d = lerp_prod_factor_grads(x, w, g, rows, inputs, outputs);
    for b in 0..rows {
        for i in 0..inputs {
            for o in 0..outputs {
                let di = d[(b * outputs + o) * inputs + i];
                gx[b * inputs + i] = gx[b * inputs + i] + di * w[o * inputs + i];
            }
        }
    }
    for o in 0..outputs {
        for i in 0..inputs {
            for b in 0..rows {
                let di = d[(b * outputs + o) * inputs + i];
                gw[o * inputs + i] = gw[o * inputs + i] + di * (x[b * inputs + i] - T::one());
            }
        }
    }
}

/// The factor gradients `d[b, o, i]` of [`lerp_prod_backward_add`]
/// (`rows · outputs · inputs` values, `i` fastest):
/// [`kernels::lerp_prod_factor_grads`](super::kernels::lerp_prod_factor_grads).
///
/// The product of the other factors in the lane order of [`lerp_prod`],
/// without a division: for input `i` in lane `l = i mod 8`,
/// `d = (((g · Qpre) · Qsuf) · pre) · suf`, where `Qpre` (`Qsuf`) is the
/// product of the lane products before (after) lane `l`, running up from 1
/// in lane order (down from 1 against it), and `pre` (`suf`) the product of
/// the lane's factors before (after) `i`, running up (down) from 1. Up to
/// eight inputs `pre = suf = 1` and this is `(g · prefix) · suffix`.
pub fn lerp_prod_factor_grads<T: Element>(
    x: &[T],
    w: &[T],
    g: &[T],
    rows: usize,
    inputs: usize,
    outputs: usize,
) -> Vec<T> {
    let mut d = vec![T::zero(); rows * outputs * inputs];
    for b in 0..rows {
        for o in 0..outputs {
            let f = |i: usize| lerp_factor(x[b * inputs + i], w[o * inputs + i]);
            let lanes = lerp_lane_products(f, inputs);
            for i in 0..inputs {
                let l = i % LERP_PROD_LANES;
                let mut q_pre = T::one();
                for lane in &lanes[..l] {
                    q_pre = q_pre * *lane;
                }
                let mut q_suf = T::one();
                for lane in lanes[l + 1..].iter().rev() {
                    q_suf = q_suf * *lane;
                }
                let mut pre = T::one();
                for m in (l..i).step_by(LERP_PROD_LANES) {
                    pre = pre * f(m);
                }
                let mut suf = T::one();
                for m in (i + 1..inputs).rev().filter(|m| m % LERP_PROD_LANES == l) {
                    suf = suf * f(m);
                }
                d[(b * outputs + o) * inputs + i] = g[b * outputs + o] * q_pre * q_suf * pre * suf;
            }
        }
    }
    d
}
