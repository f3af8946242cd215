//! # arithgrad
//!
//! A from-scratch, tape-based reverse-mode automatic-differentiation engine
//! with its own optimizers, and the neural arithmetic units built on it.
//!
//! The crate is layered; each layer only uses the ones before it:
//!
//! 1. [`tensor`]: dense row-major storage and numeric kernels; [`random`]: a
//!    portable random-number generator with a fixed stream.
//! 2. [`tape`] and [`ops`]: the Wengert list and the differentiable operations.
//! 3. [`check`]: finite-difference and directional gradient checks.
//! 4. [`optim`]: optimizers, gradient clipping, schedules.
//! 5. [`units`]: the neural arithmetic units, their baselines and the
//!    two-layer models built from them.
//! 6. [`task`]: the arithmetic task and its success threshold;
//!    [`experiment`]: training runs, the success criterion, presets and
//!    sweeps; [`stats`]: interval estimates over seeds; [`report`]: the
//!    summary table as Markdown, CSV, LaTeX and JSON lines; `store` (with
//!    the `store` feature, on by default): results directories that many
//!    processes write at once; `plot` (feature `plot`, on with `cli`): the
//!    paper's figures as SVG.
//! 7. `cli` (with the default `cli` feature): the command line.

pub mod check;
mod compat;
mod error;
pub mod experiment;
pub mod ops;
pub mod optim;
#[cfg(feature = "plot")]
pub mod plot;
pub mod random;
pub mod report;
mod simd;
pub mod stats;
#[cfg(feature = "store")]
pub mod store;
pub mod tape;
pub mod task;
pub mod tensor;
pub mod units;

pub use compat::Compat;
pub use error::{Error, Phase, Result};
pub use tape::{ParamId, ParamStore, Tape, Var};
pub use tensor::{Element, Shape, Tensor};

#[cfg(feature = "cli")]
pub mod cli;
