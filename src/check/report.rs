//! What a gradient check found: the worst errors, and the first element
//! (or the direction) where the analytic and numeric derivatives disagree.

use std::fmt;

use crate::error::{Error, Result};
use crate::tensor::Shape;

/// One element whose analytic and numeric derivatives disagree.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// Which input (position in the `inputs` slice) or parameter (position
    /// in the store) the element belongs to.
    pub input: usize,
    /// `"input 0"`, or `"parameter `w`"` for a parameter check.
    pub name: String,
    /// The element's flat (row-major) index within its tensor.
    pub index: usize,
    /// The element's multi-index within its tensor.
    pub multi_index: Vec<usize>,
    /// The tape's derivative of the loss with respect to the element.
    pub analytic: f64,
    /// The central-difference estimate.
    pub numeric: f64,
    /// The largest difference that would have been accepted.
    pub tolerance: f64,
}

impl Mismatch {
    /// `"element [1, 2] (flat index 5) of input 0"`.
    pub fn location(&self) -> String {
        format!(
            "element {:?} (flat index {}) of {}",
            self.multi_index, self.index, self.name
        )
    }

    /// This mismatch as an [`Error::GradientMismatch`].
    pub fn to_error(&self) -> Error {
        Error::GradientMismatch {
            location: self.location(),
            analytic: self.analytic,
            numeric: self.numeric,
            tolerance: self.tolerance,
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_error())
    }
}

/// The result of an element-by-element check ([`super::gradient`],
/// [`super::param_gradient`]).
#[derive(Clone, Debug, PartialEq)]
pub struct GradReport {
    /// Number of elements compared.
    pub checked: usize,
    /// Number of elements outside the tolerance.
    pub mismatches: usize,
    /// The largest `|analytic - numeric|` (infinite if either side was
    /// NaN or infinite somewhere).
    pub max_abs_error: f64,
    /// The largest `|analytic - numeric| / max(|analytic|, |numeric|)`
    /// (0 where both are 0; infinite as above).
    pub max_rel_error: f64,
    /// The first failing element, in input order then row-major order.
    pub first_mismatch: Option<Mismatch>,
}

impl GradReport {
    pub(crate) fn new() -> Self {
        GradReport {
            checked: 0,
            mismatches: 0,
            max_abs_error: 0.0,
            max_rel_error: 0.0,
            first_mismatch: None,
        }
    }

    /// Records one comparison; `mismatch` builds the details, and is only
    /// called for the first failing element.
    pub(crate) fn record(
        &mut self,
        analytic: f64,
        numeric: f64,
        passed: bool,
        mismatch: impl FnOnce() -> Mismatch,
    ) {
        let (abs, rel) = errors(analytic, numeric);
        self.checked += 1;
        self.max_abs_error = self.max_abs_error.max(abs);
        self.max_rel_error = self.max_rel_error.max(rel);
        if !passed {
            self.mismatches += 1;
            if self.first_mismatch.is_none() {
                self.first_mismatch = Some(mismatch());
            }
        }
    }

    /// Whether every element passed.
    pub fn ok(&self) -> bool {
        self.mismatches == 0
    }

    /// The report itself if every element passed, else an
    /// [`Error::GradientMismatch`] naming the first failing element and
    /// both of its values.
    pub fn into_result(self) -> Result<GradReport> {
        match &self.first_mismatch {
            None => Ok(self),
            Some(m) => Err(m.to_error()),
        }
    }
}

impl fmt::Display for GradReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} elements outside tolerance; max abs error {:e}, max rel error {:e}",
            self.mismatches, self.checked, self.max_abs_error, self.max_rel_error
        )?;
        if let Some(m) = &self.first_mismatch {
            write!(f, "; first: {m}")?;
        }
        Ok(())
    }
}

/// The result of a [`super::directional`] check.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectionalReport {
    /// The seed the direction was drawn from.
    pub seed: u64,
    /// `∇f · d` from the tape.
    pub analytic: f64,
    /// `(f(x + h d) - f(x - h d)) / 2h`.
    pub numeric: f64,
    /// `|analytic - numeric|`.
    pub abs_error: f64,
    /// `|analytic - numeric| / max(|analytic|, |numeric|)`.
    pub rel_error: f64,
    /// The largest difference that was acceptable.
    pub tolerance: f64,
    passed: bool,
}

impl DirectionalReport {
    pub(crate) fn new(seed: u64, analytic: f64, numeric: f64, opts: &super::CheckOptions) -> Self {
        let (abs_error, rel_error) = errors(analytic, numeric);
        DirectionalReport {
            seed,
            analytic,
            numeric,
            abs_error,
            rel_error,
            tolerance: opts.tolerance(analytic, numeric),
            passed: opts.accepts(analytic, numeric),
        }
    }

    /// Whether the two directional derivatives agree.
    pub fn ok(&self) -> bool {
        self.passed
    }

    /// The report itself if it passed, else an [`Error::GradientMismatch`]
    /// carrying both directional derivatives.
    pub fn into_result(self) -> Result<DirectionalReport> {
        if self.passed {
            Ok(self)
        } else {
            Err(Error::GradientMismatch {
                location: format!("the random direction drawn from seed {}", self.seed),
                analytic: self.analytic,
                numeric: self.numeric,
                tolerance: self.tolerance,
            })
        }
    }
}

/// Absolute and relative error, infinite when either value is not finite.
fn errors(analytic: f64, numeric: f64) -> (f64, f64) {
    if !(analytic.is_finite() && numeric.is_finite()) {
        return (f64::INFINITY, f64::INFINITY);
    }
    let abs = (analytic - numeric).abs();
    let scale = analytic.abs().max(numeric.abs());
    let rel = if scale == 0.0 { 0.0 } else { abs / scale };
    (abs, rel)
}

/// The multi-index of flat index `index` in `shape` (row-major).
pub(crate) fn multi_index(shape: Shape, mut index: usize) -> Vec<usize> {
    let dims = shape.dims();
    let mut out = vec![0; dims.len()];
    for (slot, &d) in out.iter_mut().zip(dims).rev() {
        *slot = index % d;
        index /= d;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_index_is_row_major() {
        let s = Shape::new(&[2, 3, 4]).unwrap();
        assert_eq!(multi_index(s, 0), vec![0, 0, 0]);
        assert_eq!(multi_index(s, 5), vec![0, 1, 1]);
        assert_eq!(multi_index(s, 23), vec![1, 2, 3]);
        assert_eq!(multi_index(Shape::scalar(), 0), Vec::<usize>::new());
    }

    #[test]
    fn report_keeps_the_first_mismatch_and_counts_all() {
        let mut r = GradReport::new();
        let m = |index| Mismatch {
            input: 0,
            name: "input 0".into(),
            index,
            multi_index: vec![index],
            analytic: 1.0,
            numeric: 2.0,
            tolerance: 0.1,
        };
        r.record(1.0, 1.0, true, || m(0));
        r.record(1.0, 2.0, false, || m(1));
        r.record(3.0, 1.0, false, || m(2));
        assert_eq!(r.checked, 3);
        assert_eq!(r.mismatches, 2);
        assert_eq!(r.max_abs_error, 2.0);
        assert_eq!(r.first_mismatch.as_ref().unwrap().index, 1);
        let e = r.into_result().unwrap_err().to_string();
        assert!(e.contains("element [1] (flat index 1) of input 0"), "{e}");
        assert!(
            e.contains("analytic 1e0") && e.contains("numeric 2e0"),
            "{e}"
        );
    }

    #[test]
    fn non_finite_values_make_errors_infinite() {
        assert_eq!(errors(f64::NAN, 1.0), (f64::INFINITY, f64::INFINITY));
        assert_eq!(errors(0.0, 0.0), (0.0, 0.0));
        assert_eq!(errors(2.0, 1.0), (1.0, 0.5));
    }
}
