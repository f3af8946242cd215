//! Property suite: every elementwise operation's VJP against central
//! differences (`arithgrad::check::gradient`), on random shapes of rank 0 to
//! 4 and random values kept clear of kinks (`abs`/`relu`/`sign` at 0, the
//! bounds of `clamp` and `relu6`) and of the edges of the domain (`log`,
//! `sqrt`, `div`, `powf` near 0). Each loss is a weighted sum of the op's
//! output (see `common::weighted_sum`), so the incoming gradient is uneven.

mod common;

use arithgrad::check::strategies::{away_from, shape, tensor_f64};
use arithgrad::{Shape, Tensor};
use common::{check_binary, check_unary, config, phase};
use proptest::prelude::*;

/// Shapes of rank 0 to 4, every dimension 1 to 3 (at most 81 elements).
fn any_shape() -> impl Strategy<Value = Shape> + Clone {
    shape(4, 3)
}

/// Elements in `-3..3`.
fn plain() -> impl Strategy<Value = Tensor<f64>> {
    tensor_f64(any_shape(), -3.0..3.0)
}

/// Two tensors of one shape, elements of the first from `va`, of the
/// second from `vb`.
fn pair(
    va: impl Strategy<Value = f64> + Clone,
    vb: impl Strategy<Value = f64> + Clone,
) -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    any_shape().prop_flat_map(move |s| {
        (
            tensor_f64(Just(s), va.clone()),
            tensor_f64(Just(s), vb.clone()),
        )
    })
}

/// `(a, b)` where every `b_i` either equals `a_i` exactly (a tie) or differs
/// from it by at least 0.05: the central difference of `min`/`max` at an
/// exact tie is the average of the one-sided slopes, 1/2, which is the
/// contract's half-and-half split.
fn pair_with_ties() -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    let offset = prop_oneof![Just(0.0), away_from(-2.0..2.0, &[0.0], 0.05)];
    pair(-3.0..3.0, offset).prop_map(|(a, d)| {
        let b = Tensor::from_fn(a.shape(), |i| a.data()[i] + d.data()[i]);
        (a, b)
    })
}

proptest! {
    #![proptest_config(config())]

    // ----- binary --------------------------------------------------------

    #[test]
    fn add((a, b) in pair(-3.0..3.0, -3.0..3.0), ph in phase()) {
        check_binary(|t, a, b| t.add(a, b), a, b, ph)?;
    }

    #[test]
    fn sub((a, b) in pair(-3.0..3.0, -3.0..3.0), ph in phase()) {
        check_binary(|t, a, b| t.sub(a, b), a, b, ph)?;
    }

    #[test]
    fn mul((a, b) in pair(-3.0..3.0, -3.0..3.0), ph in phase()) {
        check_binary(|t, a, b| t.mul(a, b), a, b, ph)?;
    }

    #[test]
    fn div((a, b) in pair(-3.0..3.0, away_from(-3.0..3.0, &[0.0], 0.5)), ph in phase()) {
        check_binary(|t, a, b| t.div(a, b), a, b, ph)?;
    }

    #[test]
    fn minimum_including_ties((a, b) in pair_with_ties(), ph in phase()) {
        check_binary(|t, a, b| t.minimum(a, b), a, b, ph)?;
    }

    #[test]
    fn maximum_including_ties((a, b) in pair_with_ties(), ph in phase()) {
        check_binary(|t, a, b| t.maximum(a, b), a, b, ph)?;
    }

    // ----- with a constant -------------------------------------------------

    #[test]
    fn neg(x in plain(), ph in phase()) {
        check_unary(|t, a| t.neg(a), x, ph)?;
    }

    #[test]
    fn add_scalar(x in plain(), c in -3.0..3.0f64, ph in phase()) {
        check_unary(|t, a| t.add_scalar(a, c), x, ph)?;
    }

    #[test]
    fn mul_scalar(x in plain(), c in -3.0..3.0f64, ph in phase()) {
        check_unary(|t, a| t.mul_scalar(a, c), x, ph)?;
    }

    #[test]
    fn scalar_sub(x in plain(), c in -3.0..3.0f64, ph in phase()) {
        check_unary(|t, a| t.scalar_sub(c, a), x, ph)?;
    }

    #[test]
    fn div_scalar(
        x in plain(),
        c in away_from(-3.0..3.0, &[0.0], 0.2),
        ph in phase(),
    ) {
        check_unary(|t, a| t.div_scalar(a, c), x, ph)?;
    }

    #[test]
    fn scalar_div(
        x in tensor_f64(any_shape(), away_from(-3.0..3.0, &[0.0], 0.2)),
        c in -3.0..3.0f64,
        ph in phase(),
    ) {
        check_unary(|t, a| t.scalar_div(c, a), x, ph)?;
    }

    #[test]
    fn powf_of_a_positive_base(
        x in tensor_f64(any_shape(), 0.2..3.0),
        p in -2.5..3.0f64,
        ph in phase(),
    ) {
        check_unary(|t, a| t.powf(a, p), x, ph)?;
    }

    #[test]
    fn powf_with_an_integer_exponent_of_any_base(
        x in tensor_f64(any_shape(), away_from(-3.0..3.0, &[0.0], 0.2)),
        p in prop::sample::select(vec![-2.0, -1.0, 0.0, 1.0, 2.0, 3.0]),
        ph in phase(),
    ) {
        check_unary(|t, a| t.powf(a, p), x, ph)?;
    }

    #[test]
    fn clamp_away_from_its_bounds(
        (x, lo, hi) in (-2.0..1.0f64, 0.5..3.0f64).prop_flat_map(|(lo, width)| {
            let hi = lo + width;
            (
                tensor_f64(any_shape(), away_from(lo - 2.0..hi + 2.0, &[lo, hi], 0.02)),
                Just(lo),
                Just(hi),
            )
        }),
        ph in phase(),
    ) {
        check_unary(|t, a| t.clamp(a, lo, hi), x, ph)?;
    }

    // ----- unary -----------------------------------------------------------

    #[test]
    fn exp(x in plain(), ph in phase()) {
        check_unary(|t, a| t.exp(a), x, ph)?;
    }

    #[test]
    fn log(x in tensor_f64(any_shape(), 0.1..5.0), ph in phase()) {
        check_unary(|t, a| t.log(a), x, ph)?;
    }

    #[test]
    fn sqrt(x in tensor_f64(any_shape(), 0.1..5.0), ph in phase()) {
        check_unary(|t, a| t.sqrt(a), x, ph)?;
    }

    #[test]
    fn square(x in plain(), ph in phase()) {
        check_unary(|t, a| t.square(a), x, ph)?;
    }

    #[test]
    fn abs_including_exact_zeros(
        // At exactly 0 the central difference is (h - h) / 2h = 0, which is
        // the op's chosen subgradient; near (not at) 0 it would be a kink.
        x in tensor_f64(any_shape(), prop_oneof![Just(0.0), away_from(-3.0..3.0, &[0.0], 0.01)]),
        ph in phase(),
    ) {
        check_unary(|t, a| t.abs(a), x, ph)?;
    }

    #[test]
    fn sigmoid(x in tensor_f64(any_shape(), -5.0..5.0), ph in phase()) {
        check_unary(|t, a| t.sigmoid(a), x, ph)?;
    }

    #[test]
    fn tanh(x in tensor_f64(any_shape(), -4.0..4.0), ph in phase()) {
        check_unary(|t, a| t.tanh(a), x, ph)?;
    }

    #[test]
    fn relu(x in tensor_f64(any_shape(), away_from(-3.0..3.0, &[0.0], 0.01)), ph in phase()) {
        check_unary(|t, a| t.relu(a), x, ph)?;
    }

    #[test]
    fn relu6(x in tensor_f64(any_shape(), away_from(-2.0..8.0, &[0.0, 6.0], 0.01)), ph in phase()) {
        check_unary(|t, a| t.relu6(a), x, ph)?;
    }

    #[test]
    fn sign_has_zero_gradient_and_composes(
        x in tensor_f64(any_shape(), away_from(-3.0..3.0, &[0.0], 0.01)),
        ph in phase(),
    ) {
        check_unary(|t, a| t.sign(a), x.clone(), ph)?;
        // x * sign(x) = |x|: the gradient flows through the product only.
        check_unary(|t, a| { let s = t.sign(a)?; t.mul(a, s) }, x, ph)?;
    }

    #[test]
    fn cos(x in tensor_f64(any_shape(), -8.0..8.0), ph in phase()) {
        check_unary(|t, a| t.cos(a), x, ph)?;
    }

    #[test]
    fn cos_pi_including_exact_integers(
        // At an integer cos(pi x) has an extremum: the central difference
        // is 0 there, the op's gradient exactly 0.
        x in tensor_f64(any_shape(), prop_oneof![(-4i32..=4).prop_map(f64::from), -4.0..4.0]),
        ph in phase(),
    ) {
        check_unary(|t, a| t.cos_pi(a), x, ph)?;
    }

    #[test]
    fn log_abs_above_and_below_its_floor(
        // eps = 0.5: values on both sides of the floor and of 0.
        x in tensor_f64(any_shape(), away_from(-3.0..3.0, &[-0.5, 0.0, 0.5], 0.05)),
        ph in phase(),
    ) {
        check_unary(|t, a| t.log_abs(a, 0.5), x, ph)?;
    }

    #[test]
    fn is_negative_has_zero_gradient_and_composes(
        x in tensor_f64(any_shape(), away_from(-3.0..3.0, &[0.0], 0.01)),
        ph in phase(),
    ) {
        check_unary(|t, a| t.is_negative(a), x.clone(), ph)?;
        // x * [x < 0] = min(x, 0): the gradient flows through the product only.
        check_unary(|t, a| { let k = t.is_negative(a)?; t.mul(a, k) }, x, ph)?;
    }
}
