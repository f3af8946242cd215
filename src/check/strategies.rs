//! Proptest strategies for tensors, and gradient assertions for use inside
//! `proptest!` (feature `proptest`).
//!
//! Strategies compose: a *shape* strategy ([`shape`], [`shape_of_rank`], or
//! any `Strategy<Value = Shape>` such as `Just(Shape::matrix(2, 3))`) and a
//! *value* strategy (a range like `-2.0..2.0`, or [`away_from`] to keep
//! clear of kinks) make a tensor strategy ([`tensor_f64`], [`tensor_f32`],
//! [`tensors_f64`] for several tensors of one shape). The assertions
//! ([`assert_gradient`] and friends) run a check from [`crate::check`] and
//! turn a disagreement or an error into a [`TestCaseError`], so proptest
//! shrinks the failing case and prints it.
//!
//! ```
//! use arithgrad::check::strategies::{assert_gradient, away_from, shape, tensor_f64};
//! use proptest::prelude::*;
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(16))]
//!     // In a test file, put #[test] here.
//!     fn exp_times_x_has_the_right_gradient(
//!         x in tensor_f64(shape(3, 4), away_from(-2.0..2.0, &[0.0], 0.05)),
//!     ) {
//!         assert_gradient(
//!             |t, v| {
//!                 let e = t.exp(v[0])?;
//!                 let p = t.mul(e, v[0])?;
//!                 t.sum(p)
//!             },
//!             &[x],
//!         )?;
//!     }
//! }
//! # fn main() { exp_times_x_has_the_right_gradient(); }
//! ```

use std::ops::Range;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{CheckOptions, DirectionalReport, GradReport};
use crate::error::Result;
use crate::tape::{ParamStore, Tape, Var};
use crate::tensor::{Shape, Tensor, MAX_RANK};

// ----- shapes ---------------------------------------------------------------

/// Shapes of rank `0..=max_rank` (capped at [`MAX_RANK`]) with every
/// dimension in `1..=max_dim`.
pub fn shape(max_rank: usize, max_dim: usize) -> impl Strategy<Value = Shape> + Clone {
    (0..=max_rank.min(MAX_RANK)).prop_flat_map(move |rank| shape_of_rank(rank, max_dim))
}

/// Shapes of exactly rank `rank` (capped at [`MAX_RANK`]) with every
/// dimension in `1..=max_dim`.
pub fn shape_of_rank(rank: usize, max_dim: usize) -> impl Strategy<Value = Shape> + Clone {
    let rank = rank.min(MAX_RANK);
    let max_dim = max_dim.max(1);
    proptest::collection::vec(1..=max_dim, rank).prop_map(|dims| {
        // The rank is at most MAX_RANK, so this cannot fail.
        Shape::new(&dims).unwrap_or_else(|_| Shape::scalar())
    })
}

// ----- values ---------------------------------------------------------------

/// Values drawn from `range` that keep at least `margin` away from each
/// point of `avoid`: use it to stay off kinks (`abs` and `relu` at 0,
/// `clamp` at its bounds ...) where finite differences are meaningless.
/// The excluded bands must leave most of `range` free (draws in them are
/// rejected).
pub fn away_from(
    range: Range<f64>,
    avoid: &[f64],
    margin: f64,
) -> impl Strategy<Value = f64> + Clone {
    let avoid = avoid.to_vec();
    range.prop_filter("too close to a point to avoid", move |x| {
        avoid.iter().all(|p| (x - p).abs() >= margin)
    })
}

// ----- tensors --------------------------------------------------------------

/// `f64` tensors whose shape comes from `shape` and whose elements come
/// from `values` (e.g. `-1.0..1.0`).
pub fn tensor_f64(
    shape: impl Strategy<Value = Shape>,
    values: impl Strategy<Value = f64> + Clone,
) -> impl Strategy<Value = Tensor<f64>> {
    shape.prop_flat_map(move |s| tensor_of_shape(s, values.clone()))
}

/// `f32` tensors, as [`tensor_f64`].
pub fn tensor_f32(
    shape: impl Strategy<Value = Shape>,
    values: impl Strategy<Value = f32> + Clone,
) -> impl Strategy<Value = Tensor<f32>> {
    shape.prop_flat_map(move |s| tensor_of_shape(s, values.clone()))
}

/// `count` `f64` tensors sharing one shape drawn from `shape` (operands of
/// an elementwise operation).
pub fn tensors_f64(
    shape: impl Strategy<Value = Shape>,
    values: impl Strategy<Value = f64> + Clone,
    count: usize,
) -> impl Strategy<Value = Vec<Tensor<f64>>> {
    shape.prop_flat_map(move |s| {
        proptest::collection::vec(tensor_of_shape(s, values.clone()), count)
    })
}

/// Operands of [`Tape::matmul`]: `a` of shape `[m, k]` and `b` of shape
/// `[k, n]`, with `m`, `k`, `n` in `1..=max_dim`.
pub fn matrix_pair_for_matmul(
    max_dim: usize,
    values: impl Strategy<Value = f64> + Clone,
) -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    matrix_pair(max_dim, values, |m, k, n| {
        (Shape::matrix(m, k), Shape::matrix(k, n))
    })
}

/// Operands of [`Tape::matmul_nt`]: `a` `[m, k]` and `b` stored `[n, k]`.
pub fn matrix_pair_for_matmul_nt(
    max_dim: usize,
    values: impl Strategy<Value = f64> + Clone,
) -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    matrix_pair(max_dim, values, |m, k, n| {
        (Shape::matrix(m, k), Shape::matrix(n, k))
    })
}

/// Operands of [`Tape::matmul_tn`]: `a` stored `[k, m]` and `b` `[k, n]`.
pub fn matrix_pair_for_matmul_tn(
    max_dim: usize,
    values: impl Strategy<Value = f64> + Clone,
) -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    matrix_pair(max_dim, values, |m, k, n| {
        (Shape::matrix(k, m), Shape::matrix(k, n))
    })
}

fn matrix_pair(
    max_dim: usize,
    values: impl Strategy<Value = f64> + Clone,
    shapes: fn(usize, usize, usize) -> (Shape, Shape),
) -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    let d = 1..=max_dim.max(1);
    (d.clone(), d.clone(), d).prop_flat_map(move |(m, k, n)| {
        let (sa, sb) = shapes(m, k, n);
        (
            tensor_of_shape(sa, values.clone()),
            tensor_of_shape(sb, values.clone()),
        )
    })
}

fn tensor_of_shape<T: crate::Element>(
    s: Shape,
    values: impl Strategy<Value = T>,
) -> impl Strategy<Value = Tensor<T>> {
    proptest::collection::vec(values, s.numel()).prop_map(move |v| Tensor::from_fn(s, |i| v[i]))
}

// ----- assertions -------------------------------------------------------------

/// [`crate::check::gradient`] with the default options, as a proptest
/// assertion: a mismatch (or an error from `f`) fails the test case with a
/// message naming the element and both values. Returns the report.
pub fn assert_gradient<F>(f: F, inputs: &[Tensor<f64>]) -> Result<GradReport, TestCaseError>
where
    F: Fn(&mut Tape<f64>, &[Var]) -> Result<Var>,
{
    assert_gradient_with(f, inputs, &CheckOptions::default())
}

/// [`assert_gradient`] with explicit options.
pub fn assert_gradient_with<F>(
    f: F,
    inputs: &[Tensor<f64>],
    opts: &CheckOptions,
) -> Result<GradReport, TestCaseError>
where
    F: Fn(&mut Tape<f64>, &[Var]) -> Result<Var>,
{
    let report = super::gradient(f, inputs, opts).map_err(fail)?;
    report.clone().into_result().map_err(|e| {
        TestCaseError::fail(format!(
            "{e} ({} of {} elements failed)",
            report.mismatches, report.checked
        ))
    })
}

/// [`crate::check::param_gradient`] as a proptest assertion.
pub fn assert_param_gradient<F>(
    f: F,
    params: &ParamStore<f64>,
    opts: &CheckOptions,
) -> Result<GradReport, TestCaseError>
where
    F: Fn(&mut Tape<f64>, &ParamStore<f64>) -> Result<Var>,
{
    super::param_gradient(f, params, opts)
        .and_then(GradReport::into_result)
        .map_err(fail)
}

/// [`crate::check::directional`] as a proptest assertion.
pub fn assert_directional<F>(
    f: F,
    inputs: &[Tensor<f64>],
    opts: &CheckOptions,
    seed: u64,
) -> Result<DirectionalReport, TestCaseError>
where
    F: Fn(&mut Tape<f64>, &[Var]) -> Result<Var>,
{
    super::directional(f, inputs, opts, seed)
        .and_then(DirectionalReport::into_result)
        .map_err(fail)
}

fn fail(e: crate::Error) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn shapes_respect_their_bounds(s in shape(3, 4)) {
            prop_assert!(s.rank() <= 3);
            prop_assert!(s.dims().iter().all(|&d| (1..=4).contains(&d)));
        }

        #[test]
        fn tensors_fill_their_shape_from_the_range(t in tensor_f32(shape_of_rank(2, 5), -1.0f32..1.0)) {
            prop_assert_eq!(t.shape().rank(), 2);
            prop_assert!(t.data().iter().all(|x| (-1.0..1.0).contains(x)));
        }

        #[test]
        fn away_from_keeps_its_margin(x in away_from(-1.0..1.0, &[0.0, 0.5], 0.1)) {
            prop_assert!(x.abs() >= 0.1 && (x - 0.5).abs() >= 0.1);
        }

        #[test]
        fn tensors_share_one_shape(v in tensors_f64(shape(4, 3), -1.0..1.0, 3)) {
            prop_assert_eq!(v.len(), 3);
            prop_assert!(v.iter().all(|t| t.shape() == v[0].shape()));
        }

        #[test]
        fn matmul_pairs_have_matching_inner_dimensions(
            (a, b) in matrix_pair_for_matmul(4, -1.0..1.0),
            (c, d) in matrix_pair_for_matmul_nt(4, -1.0..1.0),
            (e, f) in matrix_pair_for_matmul_tn(4, -1.0..1.0),
        ) {
            prop_assert_eq!(a.shape().dim(1), b.shape().dim(0));
            prop_assert_eq!(c.shape().dim(1), d.shape().dim(1));
            prop_assert_eq!(e.shape().dim(0), f.shape().dim(0));
        }
    }

    #[test]
    fn assertions_fail_a_wrong_gradient_and_pass_a_right_one() {
        let x = Tensor::from_vec(Shape::vector(2), vec![1.0, 2.0]).unwrap();
        let right = |t: &mut Tape<f64>, v: &[Var]| {
            let s = t.mul(v[0], v[0])?;
            t.sum(s)
        };
        let one = std::slice::from_ref(&x);
        assert!(assert_gradient(right, one).is_ok());
        assert!(assert_directional(right, one, &CheckOptions::default(), 1).is_ok());
        let wrong = |t: &mut Tape<f64>, v: &[Var]| {
            let s = crate::check::broken_op::broken_square(t, v[0])?;
            t.sum(s)
        };
        let e = assert_gradient(wrong, one).unwrap_err();
        assert!(e.to_string().contains("flat index 0"), "{e}");
        // A proptest failure (not the crate's error): it carries the
        // mismatch's message.
        let e = assert_directional(wrong, one, &CheckOptions::default(), 1).unwrap_err();
        assert!(
            e.to_string()
                .contains("gradient mismatch at the random direction drawn from seed 1"),
            "{e}"
        );
    }

    #[test]
    fn the_same_runner_seed_gives_the_same_tensor() {
        let draw = || {
            let mut runner = TestRunner::deterministic();
            tensor_f64(shape(2, 3), -1.0..1.0)
                .new_tree(&mut runner)
                .unwrap()
                .current()
        };
        assert_eq!(draw(), draw());
    }
}
