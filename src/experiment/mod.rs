//! Layer 6: training runs on the arithmetic task and the success criterion.
//!
//! [`Trainer`] holds one run's state and performs the protocol's training step;
//! [`run`] trains to the end, evaluating every `eval_every` steps, and
//! [`judge`]s the curve against the task's success threshold into a
//! [`RunRecord`]. [`sweep`] runs many (configuration, seed) pairs on
//! worker threads with results that do not depend on the number of threads.

pub mod bench;
mod config;
mod presets;
mod record;
mod sweep;
mod train;

pub use config::{Precision, RunConfig};
pub use presets::{preset, Preset, PRESET_NAMES};
pub use record::{judge, run, EvalPoint, Judged, RunRecord};
pub use sweep::{sweep, Job};
pub use train::Trainer;
