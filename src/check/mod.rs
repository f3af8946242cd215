//! Layer 3: gradient checks.
//!
//! Reverse-mode gradients are easy to get subtly wrong, so every operation
//! and every model in this crate is checked against finite differences.
//! Three checks are offered, all in `f64`:
//!
//! - [`gradient`]: the tape's gradient of a loss with respect to some input
//!   tensors, compared element by element with central differences
//!   `(f(x + h) - f(x - h)) / 2h`. Costs two forward passes per element.
//! - [`param_gradient`]: the same for every element of a [`ParamStore`],
//!   with the loss loading its parameters through [`Tape::param`] and the
//!   analytic gradient read through [`Tape::accumulate_grads`]: this checks
//!   a whole model exactly as training sees it.
//! - [`directional`]: one random direction `d` instead of every element:
//!   compares `∇f · d` with `(f(x + h d) - f(x - h d)) / 2h`. Costs two
//!   forward passes in total, so it suits large models; a wrong gradient
//!   passes it only if the error happens to be orthogonal to `d`.
//!
//! [`ParamStore`]: crate::tape::ParamStore
//! [`Tape::param`]: crate::tape::Tape::param
//! [`Tape::accumulate_grads`]: crate::tape::Tape::accumulate_grads
//!
//! ```
//! use arithgrad::check::{self, CheckOptions};
//! use arithgrad::{Shape, Tensor};
//! let x = Tensor::from_vec(Shape::vector(3), vec![0.5, -1.0, 2.0])?;
//! // loss = sum(x * exp(x))
//! let report = check::gradient(
//!     |t, v| {
//!         let e = t.exp(v[0])?;
//!         let p = t.mul(v[0], e)?;
//!         t.sum(p)
//!     },
//!     &[x],
//!     &CheckOptions::default(),
//! )?;
//! assert!(report.ok());
//! assert_eq!(report.checked, 3);
//! # Ok::<(), arithgrad::Error>(())
//! ```
//!
//! # Step and tolerances
//!
//! The step for an element `x` is `h = step * max(1, |x|)`, so it stays
//! meaningful for large values, and the difference quotient divides by the
//! step actually taken, `(x + h) - (x - h)`, not by `2h`. An element passes
//! when
//!
//! ```text
//! |analytic - numeric| <= abs_tol + rel_tol * max(|analytic|, |numeric|)
//! ```
//!
//! (a NaN or infinity on either side never passes). The defaults, chosen for
//! `f64` and smooth losses of moderate size, are `step = 1e-6`,
//! `abs_tol = 1e-6`, `rel_tol = 1e-5`. The central difference's truncation
//! error is about `h² |f'''| / 6 ≈ 2e-13 |f'''|`, and its rounding error about
//! `ε |f| / h ≈ 2e-10 |f|` (ε = 2.2e-16, times a small factor for the
//! rounding inside `f`), so `abs_tol` leaves a margin of about 100x for
//! losses of magnitude 10-50 and still holds for a few hundred; `rel_tol`
//! absorbs the proportionally larger rounding of large gradients. (Over
//! the crate's property suites, whose losses stay below a few hundred, the
//! largest error seen is about 5e-9.) A wrong vector-Jacobian product is
//! typically off by a factor, a sign or a missing term: orders of magnitude
//! beyond both. Raise `abs_tol` for losses of very large magnitude.
//!
//! Keep inputs (and intermediate values) further than the step from kinks:
//! across one, the central difference mixes two slopes and no tolerance is
//! right. Exactly *on* a kink, the central difference is the average of the
//! two one-sided slopes, which agrees with this crate's choice for `abs` at
//! 0 (gradient 0) and for ties of `minimum`/`maximum` (split half and
//! half), but not for `relu`/`relu6`/`sign` at their kinks or `clamp` at its
//! bounds.
//!
//! With the `proptest` feature, `check::strategies` offers tensor strategies and
//! an assertion usable inside `proptest!`.

mod directional;
mod finite_difference;
mod report;
#[cfg(feature = "proptest")]
pub mod strategies;

#[cfg(test)]
pub(crate) mod broken_op;

pub use directional::directional;
pub use finite_difference::{gradient, param_gradient};
pub use report::{DirectionalReport, GradReport, Mismatch};

use crate::error::{Error, Result};

/// Step size and tolerances of a gradient check. See the [module
/// documentation](self) for how they are used and why the defaults are what
/// they are.
///
/// ```
/// use arithgrad::check::CheckOptions;
/// let loose = CheckOptions::default().with_abs_tol(1e-4).with_rel_tol(1e-3);
/// assert_eq!(loose.step, 1e-6);
/// assert!(loose.accepts(1.0, 1.0005));
/// assert!(!CheckOptions::default().accepts(1.0, 1.0005));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CheckOptions {
    /// Relative finite-difference step: an element `x` moves by
    /// `step * max(1, |x|)` each way.
    pub step: f64,
    /// Absolute tolerance on `|analytic - numeric|`.
    pub abs_tol: f64,
    /// Tolerance relative to `max(|analytic|, |numeric|)`.
    pub rel_tol: f64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            step: 1e-6,
            abs_tol: 1e-6,
            rel_tol: 1e-5,
        }
    }
}

impl CheckOptions {
    /// These options with another relative step.
    pub fn with_step(self, step: f64) -> Self {
        CheckOptions { step, ..self }
    }

    /// These options with another absolute tolerance.
    pub fn with_abs_tol(self, abs_tol: f64) -> Self {
        CheckOptions { abs_tol, ..self }
    }

    /// These options with another relative tolerance.
    pub fn with_rel_tol(self, rel_tol: f64) -> Self {
        CheckOptions { rel_tol, ..self }
    }

    /// The largest `|analytic - numeric|` accepted for this pair of values.
    pub fn tolerance(&self, analytic: f64, numeric: f64) -> f64 {
        self.abs_tol + self.rel_tol * analytic.abs().max(numeric.abs())
    }

    /// Whether `analytic` and `numeric` agree within the tolerances; never
    /// for a NaN or an infinity.
    pub fn accepts(&self, analytic: f64, numeric: f64) -> bool {
        // Written so that a NaN difference (or tolerance) fails.
        (analytic - numeric).abs() <= self.tolerance(analytic, numeric)
    }

    /// An error unless the step is positive and finite and the tolerances
    /// are non-negative and finite.
    pub fn validate(&self) -> Result<()> {
        if !(self.step > 0.0 && self.step.is_finite()) {
            return Err(Error::invalid(
                "step",
                format!("{} must be positive and finite", self.step),
            ));
        }
        for (name, tol) in [("abs_tol", self.abs_tol), ("rel_tol", self.rel_tol)] {
            if !(tol >= 0.0 && tol.is_finite()) {
                return Err(Error::invalid(
                    name,
                    format!("{tol} must be non-negative and finite"),
                ));
            }
        }
        Ok(())
    }

    /// The step for an element of value `x`.
    fn step_at(&self, x: f64) -> f64 {
        self.step * x.abs().max(1.0)
    }
}

/// The error for a checked function whose result is not a single element.
fn not_a_loss(op: &'static str, shape: crate::tensor::Shape) -> Error {
    Error::InvalidShape {
        op,
        shape: shape.into(),
        reason: "the checked function must return a one-element loss".into(),
    }
}

/// The error for a check with nothing to compare.
fn nothing_to_check() -> Error {
    Error::invalid("inputs", "there are no elements to check")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_combines_absolute_and_relative_parts() {
        let o = CheckOptions {
            step: 1e-6,
            abs_tol: 1e-3,
            rel_tol: 1e-2,
        };
        assert_eq!(o.tolerance(-100.0, 50.0), 1e-3 + 1.0);
        assert!(o.accepts(100.0, 100.9));
        assert!(!o.accepts(100.0, 101.1));
        assert!(o.accepts(0.0, 9e-4));
        assert!(!o.accepts(0.0, 2e-3));
    }

    #[test]
    fn non_finite_values_never_pass() {
        let o = CheckOptions::default();
        assert!(!o.accepts(f64::NAN, 0.0));
        assert!(!o.accepts(1.0, f64::NAN));
        assert!(!o.accepts(f64::INFINITY, f64::INFINITY));
    }

    #[test]
    fn bad_options_are_errors() {
        let d = CheckOptions::default();
        assert!(d.validate().is_ok());
        use crate::error::expect::invalid;
        assert_eq!(invalid(d.with_step(0.0).validate()).0, "step");
        assert_eq!(invalid(d.with_step(f64::NAN).validate()).0, "step");
        assert_eq!(invalid(d.with_abs_tol(-1.0).validate()).0, "abs_tol");
        assert_eq!(
            invalid(d.with_rel_tol(f64::INFINITY).validate()).0,
            "rel_tol"
        );
    }

    #[test]
    fn step_grows_with_the_magnitude_of_large_values() {
        let d = CheckOptions::default();
        assert_eq!(d.step_at(0.25), 1e-6);
        assert_eq!(d.step_at(-1e3), 1e-3);
    }
}
