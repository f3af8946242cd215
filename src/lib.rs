//! # arithgrad
//!
//! A from-scratch, tape-based reverse-mode automatic-differentiation engine
//! with its own optimizers, and the neural arithmetic units built on it.
//!
//! The crate is layered; each layer only uses the ones before it:
//!
//! 1. [`tensor`]: dense row-major storage and numeric kernels; [`random`]: a
//!    portable random-number generator with a fixed stream.
//! 2. [`tape`] and [`ops`]: the Wengert list and the differentiable operations;
//!    [`expr`]: the same operations as operators (`a * b + 1.0`).
//! 3. [`check`]: finite-difference and directional gradient checks.
//! 4. [`optim`]: optimizers, gradient clipping, schedules.
//! 5. [`units`]: the neural arithmetic units, their baselines and the
//!    two-layer models built from them.
//! 6. [`task`]: the arithmetic task and its success threshold;
//!    [`experiment`]: training runs, the success criterion, presets and
//!    sweeps; [`stats`]: interval estimates over seeds; [`report`]: the
//!    summary table as Markdown, CSV, LaTeX and JSON lines.
//! 7. `cli` (with the default `cli` feature): the command line.

pub mod check;
mod error;
pub mod experiment;
pub mod expr;
pub mod ops;
pub mod optim;
pub mod prelude;
pub mod random;
pub mod report;
mod simd;
pub mod stats;
pub mod tape;
pub mod task;
pub mod tensor;
pub mod units;

pub use error::{Error, Phase, Result};
pub use tape::{ParamId, ParamStore, Tape, Var};
pub use tensor::{Element, Shape, Tensor};

#[cfg(feature = "cli")]
pub mod cli;
