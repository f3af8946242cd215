//! Property suite: the VJPs of the reductions (and the product of
//! interpolations `lerp_prod`, the log-space product `log_space_product`,
//! the three-operand `gate_mix`, the power units' `complex_log` and
//! `complex_power`, and the NRU's `signed_power_product`),
//! matrix products and
//! shape-changing operations against central differences
//! (`arithgrad::check::gradient`), on random shapes and axes. Each loss is a
//! weighted sum of the op's output (see `common::weighted_sum`), so every
//! output position carries a different gradient and a VJP that routes one
//! to the wrong place fails.

mod common;

use arithgrad::check::strategies::{
    assert_gradient, matrix_pair_for_matmul, matrix_pair_for_matmul_nt, matrix_pair_for_matmul_tn,
    shape, shape_of_rank, tensor_f64,
};
use arithgrad::{Shape, Tensor};
use common::{check_binary, check_unary, config, phase};
use proptest::prelude::*;

/// A tensor of rank 1 to 4 (dimensions 1 to 3) and one of its axes.
fn tensor_and_axis(
    values: impl Strategy<Value = f64> + Clone,
) -> impl Strategy<Value = (Tensor<f64>, usize)> {
    (1..=4usize)
        .prop_flat_map(move |rank| (tensor_f64(shape_of_rank(rank, 3), values.clone()), 0..rank))
}

/// A target shape and a source shape that broadcasts to it: some of the
/// target's dimensions set to 1, and some leading ones dropped.
fn broadcast_case() -> impl Strategy<Value = (Tensor<f64>, Shape)> {
    shape(4, 3)
        .prop_flat_map(|to| {
            let rank = to.rank();
            (
                Just(to),
                proptest::collection::vec(any::<bool>(), rank),
                0..=rank,
            )
        })
        .prop_flat_map(|(to, keep, dropped)| {
            let dims: Vec<usize> = to
                .dims()
                .iter()
                .zip(&keep)
                .skip(dropped)
                .map(|(&d, &k)| if k { d } else { 1 })
                .collect();
            let from = Shape::new(&dims).expect("rank at most 4");
            (tensor_f64(Just(from), -3.0..3.0), Just(to))
        })
}

/// A tensor and another shape with the same number of elements.
fn reshape_case() -> impl Strategy<Value = (Tensor<f64>, Shape)> {
    (tensor_f64(shape(4, 3), -3.0..3.0), 0..4usize).prop_map(|(x, how)| {
        let d = x.shape().dims().to_vec();
        let to: Vec<usize> = match how {
            0 => vec![x.numel()],
            1 => d.iter().rev().copied().collect(),
            2 if d.len() >= 2 => {
                let mut m = vec![d[0] * d[1]];
                m.extend(&d[2..]);
                m
            }
            _ if d.len() < 4 => {
                let mut m = d.clone();
                m.insert(0, 1);
                m
            }
            _ => vec![d[0] * d[1], d[2] * d[3]],
        };
        (x, Shape::new(&to).expect("rank at most 4"))
    })
}

proptest! {
    #![proptest_config(config())]

    // ----- reductions --------------------------------------------------------

    #[test]
    fn sum(x in tensor_f64(shape(4, 3), -3.0..3.0)) {
        // The plain sum is the loss itself: its gradient is all ones.
        assert_gradient(|t, v| t.sum(v[0]), std::slice::from_ref(&x))?;
        check_unary(|t, a| t.sum(a), x, 0.4)?;
    }

    #[test]
    fn sum_axis((x, axis) in tensor_and_axis(-3.0..3.0), ph in phase()) {
        check_unary(|t, a| t.sum_axis(a, axis), x, ph)?;
    }

    #[test]
    fn mean(x in tensor_f64(shape(4, 3), -3.0..3.0), ph in phase()) {
        check_unary(|t, a| t.mean(a), x, ph)?;
    }

    #[test]
    fn mean_axis((x, axis) in tensor_and_axis(-3.0..3.0), ph in phase()) {
        check_unary(|t, a| t.mean_axis(a, axis), x, ph)?;
    }

    #[test]
    fn prod_axis_including_exact_zeros(
        // A product is a polynomial in each factor, so the central
        // difference is exact even at zero factors, where a VJP computed
        // as z / a_l would break.
        (x, axis) in tensor_and_axis(prop_oneof![3 => -2.0..2.0, 1 => Just(0.0)]),
        ph in phase(),
    ) {
        check_unary(|t, a| t.prod_axis(a, axis), x, ph)?;
    }

    #[test]
    fn lerp_prod_including_exact_zero_factors(
        // Each output is linear in every single x[b, i] and w[o, i], so the
        // central difference is exact, also where a factor w x + 1 - w is
        // exactly 0 (x = 0 with w = 1, or w = 1/(1 - x)). Up to 20 inputs:
        // the plain order up to 8, then one, two and three lanes' worth.
        (x, w) in (1..=4usize, 1..=4usize, 1..=20usize).prop_flat_map(|(b, o, i)| {
            let values = || prop_oneof![3 => -2.0..2.0, 1 => Just(0.0), 1 => Just(1.0)];
            (
                tensor_f64(Just(Shape::matrix(b, i)), values()),
                tensor_f64(Just(Shape::matrix(o, i)), values()),
            )
        }),
        ph in phase(),
    ) {
        check_binary(|t, x, w| t.lerp_prod(x, w), x, w, ph)?;
    }

    #[test]
    fn log_space_product_away_from_zero(
        // z = exp(ln(|x| + eps) · wᵀ) is smooth where no x is near 0 (the
        // kink of |x| and the near-singularity of the logarithm); both signs
        // of x and of w.
        (x, w) in (1..=4usize, 1..=4usize, 1..=4usize).prop_flat_map(|(b, o, i)| {
            let away = prop_oneof![-2.0..-0.2, 0.2..2.0];
            (
                tensor_f64(Just(Shape::matrix(b, i)), away),
                tensor_f64(Just(Shape::matrix(o, i)), -1.5..1.5),
            )
        }),
        ph in phase(),
    ) {
        check_binary(|t, x, w| t.log_space_product(x, w, 1e-7), x, w, ph)?;
    }

    #[test]
    fn gate_mix_of_three_operands(
        // z = g a + (1 - g) m: smooth everywhere; g also outside [0, 1].
        (g, a, m) in shape(3, 3).prop_flat_map(|s| {
            (
                tensor_f64(Just(s), -0.5..1.5),
                tensor_f64(Just(s), -3.0..3.0),
                tensor_f64(Just(s), -3.0..3.0),
            )
        }),
        ph in phase(),
    ) {
        // All three variable, then each pair with the third held constant.
        assert_gradient(
            |t, v| {
                let y = t.gate_mix(v[0], v[1], v[2])?;
                common::weighted_sum(t, y, ph)
            },
            &[g.clone(), a.clone(), m.clone()],
        )?;
        // One node as two operands: z = g g + (1 - g) m.
        check_binary(|t, g, m| t.gate_mix(g, g, m), g.clone(), m.clone(), ph)?;
        check_binary(|t, g, a| { let mc = t.constant(&m); t.gate_mix(g, a, mc) }, g.clone(), a.clone(), ph)?;
        check_binary(|t, a, m| { let gc = t.constant(&g); t.gate_mix(gc, a, m) }, a.clone(), m.clone(), ph)?;
        check_binary(|t, g, m| { let ac = t.constant(&a); t.gate_mix(g, ac, m) }, g, m, ph)?;
    }

    #[test]
    fn gate_mix_with_one_gate_per_column(
        // g [O] shared by every row of a, m [B, O].
        (g, a, m) in (1..=4usize, 1..=4usize).prop_flat_map(|(b, o)| {
            (
                tensor_f64(Just(Shape::vector(o)), -0.5..1.5),
                tensor_f64(Just(Shape::matrix(b, o)), -3.0..3.0),
                tensor_f64(Just(Shape::matrix(b, o)), -3.0..3.0),
            )
        }),
        ph in phase(),
    ) {
        assert_gradient(
            |t, v| {
                let y = t.gate_mix(v[0], v[1], v[2])?;
                common::weighted_sum(t, y, ph)
            },
            &[g, a, m],
        )?;
    }

    #[test]
    fn complex_log_with_and_without_a_gate_away_from_zero(
        // [l, k] of x: smooth where no x is near 0 (the kink of |x|, the
        // step of [x < 0], the floor at eps); gates inside and just outside
        // [0, 1] (r stays positive for |x| < 2).
        (x, g) in (1..=4usize, 1..=4usize).prop_flat_map(|(b, i)| {
            let away = prop_oneof![-2.0..-0.2, 0.2..2.0];
            (
                tensor_f64(Just(Shape::matrix(b, i)), away),
                tensor_f64(Just(Shape::vector(i)), -0.2..1.2),
            )
        }),
        ph in phase(),
    ) {
        check_unary(|t, x| t.complex_log(x, None, 1e-7), x.clone(), ph)?;
        check_binary(|t, x, g| t.complex_log(x, Some(g), 1e-7), x, g, ph)?;
    }

    #[test]
    fn complex_power_real_and_complex_exponents(
        // z = Re exp((l + i pi k) Wᵀ) is smooth everywhere: any l, k in
        // [0, 1] (a gated sign), real ([O, I]) and complex ([O, 2I]) W.
        (lk, w_re, w_c) in (1..=4usize, 1..=3usize, 1..=3usize).prop_flat_map(|(b, o, i)| {
            (
                tensor_f64(Just(Shape::new(&[2, i, b]).unwrap()), 0.0..1.0),
                tensor_f64(Just(Shape::matrix(o, i)), -1.5..1.5),
                tensor_f64(Just(Shape::matrix(o, 2 * i)), -1.5..1.5),
            )
        }),
        ph in phase(),
    ) {
        check_binary(|t, lk, w| t.complex_power(lk, w), lk.clone(), w_re, ph)?;
        check_binary(|t, lk, w| t.complex_power(lk, w), lk, w_c, ph)?;
    }

    // ----- matrix products ---------------------------------------------------

    #[test]
    fn matmul((a, b) in matrix_pair_for_matmul(4, -2.0..2.0), ph in phase()) {
        check_binary(|t, a, b| t.matmul(a, b), a, b, ph)?;
    }

    #[test]
    fn matmul_nt((a, b) in matrix_pair_for_matmul_nt(4, -2.0..2.0), ph in phase()) {
        check_binary(|t, a, b| t.matmul_nt(a, b), a, b, ph)?;
    }

    #[test]
    fn matmul_tn((a, b) in matrix_pair_for_matmul_tn(4, -2.0..2.0), ph in phase()) {
        check_binary(|t, a, b| t.matmul_tn(a, b), a, b, ph)?;
    }

    // ----- shapes ------------------------------------------------------------

    #[test]
    fn broadcast_to((x, to) in broadcast_case(), ph in phase()) {
        check_unary(|t, a| t.broadcast_to(a, to), x, ph)?;
    }

    #[test]
    fn concat_cols(
        (a, b) in (1..=4usize, 1..=4usize, 1..=4usize).prop_flat_map(|(r, c1, c2)| (
            tensor_f64(Just(Shape::matrix(r, c1)), -3.0..3.0),
            tensor_f64(Just(Shape::matrix(r, c2)), -3.0..3.0),
        )),
        ph in phase(),
    ) {
        check_binary(|t, a, b| t.concat_cols(a, b), a, b, ph)?;
    }

    #[test]
    fn slice_cols(
        (x, start, end) in (1..=4usize, 1..=5usize)
            .prop_flat_map(|(r, c)| (Just(r), Just(c), 0..c))
            .prop_flat_map(|(r, c, start)| (
                tensor_f64(Just(Shape::matrix(r, c)), -3.0..3.0),
                Just(start),
                start + 1..=c,
            )),
        ph in phase(),
    ) {
        check_unary(|t, a| t.slice_cols(a, start, end), x, ph)?;
    }

    #[test]
    fn reshape((x, to) in reshape_case(), ph in phase()) {
        check_unary(|t, a| t.reshape(a, to), x, ph)?;
    }

    #[test]
    fn transpose(x in tensor_f64(shape_of_rank(2, 4), -3.0..3.0), ph in phase()) {
        check_unary(|t, a| t.transpose(a), x, ph)?;
    }
}

/// `|x|` in `[0.3, 3]` with either sign: away from 0 (the sign's jump) and
/// from the floor of the logarithm.
fn away_from_zero() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![-3.0..-0.3f64, 0.3..3.0f64]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn signed_power_product_away_from_zero_and_the_floor(
        // x [B, I], exponents w and selections a [O, I].
        (x, w, a) in (1..=4usize, 1..=3usize, 1..=4usize).prop_flat_map(|(b, o, i)| {
            (
                tensor_f64(Just(Shape::matrix(b, i)), away_from_zero()),
                tensor_f64(Just(Shape::matrix(o, i)), -1.0..1.0),
                tensor_f64(Just(Shape::matrix(o, i)), 0.0..1.0),
            )
        }),
        ph in phase(),
    ) {
        assert_gradient(
            |t, v| {
                let y = t.signed_power_product(v[0], v[1], v[2], 1e-7)?;
                common::weighted_sum(t, y, ph)
            },
            &[x.clone(), w.clone(), a.clone()],
        )?;
        // The NRU's case: x a constant, gradients for w and a only.
        check_binary(
            |t, w, a| {
                let xc = t.constant(&x);
                t.signed_power_product(xc, w, a, 1e-7)
            },
            w,
            a,
            ph,
        )?;
    }
}
