//! Helpers shared by the gradient property suites (`tests/grad_*.rs`).
#![allow(dead_code)] // each suite uses a different subset

use arithgrad::check::strategies::assert_gradient;
use arithgrad::check::GradReport;
use arithgrad::{Result, Tape, Tensor, Var};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Cases per property: enough to meet every shape class many times, few
/// enough that each suite runs in seconds on a loaded machine.
pub const CASES: u32 = 64;

pub fn config() -> ProptestConfig {
    ProptestConfig::with_cases(CASES)
}

/// Phases for [`weighted_sum`].
pub fn phase() -> impl Strategy<Value = f64> {
    0.0..std::f64::consts::TAU
}

/// `sum(y * w)` with fixed, uneven weights `w_i = 1.5 sin(1.3 i + phase)`.
/// The loss's gradient with respect to `y` is `w`, not all ones, so a VJP
/// that ignores (or misplaces) its incoming gradient fails the check.
pub fn weighted_sum(t: &mut Tape<f64>, y: Var, phase: f64) -> Result<Var> {
    let shape = t.shape(y)?;
    let w = Tensor::from_fn(shape, |i| 1.5 * (1.3 * i as f64 + phase).sin());
    let w = t.constant(&w);
    let p = t.mul(y, w)?;
    t.sum(p)
}

/// Checks `weighted_sum(op(x))` with respect to `x`.
pub fn check_unary(
    op: impl Fn(&mut Tape<f64>, Var) -> Result<Var>,
    x: Tensor<f64>,
    phase: f64,
) -> Result<GradReport, TestCaseError> {
    assert_gradient(
        |t, v| {
            let y = op(t, v[0])?;
            weighted_sum(t, y, phase)
        },
        &[x],
    )
}

/// Checks `weighted_sum(op(a, b))` with respect to both operands, and with
/// respect to each one while the other is a constant (the VJP must skip a
/// constant operand without disturbing the other's gradient).
pub fn check_binary(
    op: impl Fn(&mut Tape<f64>, Var, Var) -> Result<Var>,
    a: Tensor<f64>,
    b: Tensor<f64>,
    phase: f64,
) -> Result<(), TestCaseError> {
    assert_gradient(
        |t, v| {
            let y = op(t, v[0], v[1])?;
            weighted_sum(t, y, phase)
        },
        &[a.clone(), b.clone()],
    )?;
    assert_gradient(
        |t, v| {
            let bc = t.constant(&b);
            let y = op(t, v[0], bc)?;
            weighted_sum(t, y, phase)
        },
        std::slice::from_ref(&a),
    )?;
    assert_gradient(
        |t, v| {
            let ac = t.constant(&a);
            let y = op(t, ac, v[0])?;
            weighted_sum(t, y, phase)
        },
        &[b],
    )?;
    Ok(())
}
