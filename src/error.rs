//! The crate's error type. Every public function that can fail on user input
//! returns [`Result`]; a panic inside the crate is a bug.

use std::fmt;

/// Everything that can go wrong when using the crate.
///
/// `#[non_exhaustive]`: a later version may add variants, so a `match`
/// outside the crate needs a `_` arm.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Two operands of `op` have shapes that do not fit together. Shapes
    /// in errors are plain dimension lists (what `Shape::dims` returns), so
    /// this module depends on nothing else in the crate.
    ShapeMismatch {
        op: &'static str,
        left: Vec<usize>,
        right: Vec<usize>,
    },
    /// A shape is not valid for `op` (wrong rank, axis out of range, ...).
    InvalidShape {
        op: &'static str,
        shape: Vec<usize>,
        reason: String,
    },
    /// A data buffer does not have as many elements as its shape asks for.
    DataLength { expected: usize, actual: usize },
    /// A handle was made by a different tape (or parameter store).
    ForeignHandle { what: &'static str },
    /// A handle was made by this tape before its last [`crate::tape::Tape::reset`].
    StaleHandle { what: &'static str },
    /// Checked mode stopped at the first non-finite value or gradient.
    NonFinite {
        op: &'static str,
        node: usize,
        phase: Phase,
        shapes: Vec<Vec<usize>>,
    },
    /// An argument is out of its allowed range, or otherwise unusable.
    InvalidArgument { name: &'static str, reason: String },
    /// Nothing to read yet, e.g. a gradient before `backward`.
    NotAvailable(String),
    /// A gradient check found an analytic derivative that disagrees with
    /// its finite-difference estimate (see [`crate::check`]). `location`
    /// names the element (or the direction) that failed first.
    GradientMismatch {
        location: String,
        analytic: f64,
        numeric: f64,
        /// The largest difference the check would have accepted there.
        tolerance: f64,
    },
    /// A file of a results directory could not be read or written.
    Io { path: String, reason: String },
    /// A complete line of a results file is not what it should hold.
    BadLine {
        path: String,
        line: usize,
        reason: String,
    },
    /// The same run (configuration key and seed) is recorded twice with
    /// different results (anything but the wall time differs).
    ConflictingRecords {
        run: String,
        first: String,
        second: String,
    },
    /// A results directory holds another campaign (another preset or crate
    /// version) than the one asked for.
    ForeignDirectory { dir: String, reason: String },
}

/// Where a non-finite value was first seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Forward,
    Backward,
}

/// Shorthand for results carrying the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Convenience constructor for [`Error::InvalidArgument`].
    pub fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            name,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ShapeMismatch { op, left, right } => {
                write!(f, "{op}: shapes {left:?} and {right:?} do not fit together")
            }
            Error::InvalidShape { op, shape, reason } => {
                write!(f, "{op}: shape {shape:?} is not allowed: {reason}")
            }
            Error::DataLength { expected, actual } => write!(
                f,
                "data has {actual} elements but the shape needs {expected}"
            ),
            Error::ForeignHandle { what } => {
                write!(f, "this {what} belongs to a different tape or store")
            }
            Error::StaleHandle { what } => write!(
                f,
                "this {what} was recorded before the tape was reset and is no longer valid"
            ),
            Error::NonFinite {
                op,
                node,
                phase,
                shapes,
            } => {
                let what = match phase {
                    Phase::Forward => "value",
                    Phase::Backward => "gradient",
                };
                write!(
                    f,
                    "non-finite {what} first produced by `{op}` at node {node} (shapes:"
                )?;
                for s in shapes {
                    write!(f, " {s:?}")?;
                }
                write!(f, ")")
            }
            Error::InvalidArgument { name, reason } => write!(f, "invalid {name}: {reason}"),
            Error::NotAvailable(what) => write!(f, "not available: {what}"),
            Error::GradientMismatch {
                location,
                analytic,
                numeric,
                tolerance,
            } => write!(
                f,
                "gradient mismatch at {location}: analytic {analytic:e}, numeric {numeric:e} \
                 (difference {:e} exceeds the tolerance {tolerance:e})",
                (analytic - numeric).abs()
            ),
            Error::Io { path, reason } if path.is_empty() => f.write_str(reason),
            Error::Io { path, reason } => write!(f, "{path}: {reason}"),
            Error::BadLine { path, line, reason } => write!(
                f,
                "{path}: line {line} is not a valid line of this file ({reason}); \
                 move the file away to start over"
            ),
            Error::ConflictingRecords { run, first, second } => write!(
                f,
                "run {run} is recorded twice with different results (not only the wall \
                 time): in {first} and in {second}; remove the wrong copy"
            ),
            Error::ForeignDirectory { dir, reason } => write!(f, "{dir}: {reason}"),
        }
    }
}

impl std::error::Error for Error {}

/// Test helpers shared by the crate's unit tests.
#[cfg(test)]
pub(crate) mod expect {
    use super::{Error, Result};

    /// The `name` and `reason` of an [`Error::InvalidArgument`]; panics (at
    /// the caller) on `Ok` or on any other variant.
    #[track_caller]
    pub(crate) fn invalid<T>(r: Result<T>) -> (&'static str, String) {
        match r {
            Err(Error::InvalidArgument { name, reason }) => (name, reason),
            Err(e) => panic!("expected Error::InvalidArgument, got {e:?}"),
            Ok(_) => panic!("expected Error::InvalidArgument, got Ok"),
        }
    }
}
