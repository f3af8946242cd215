//! Layer 6: training runs on the arithmetic task and the success criterion.
//!
//! [`Trainer`] holds one run's state and performs the protocol's training step;
//! [`run`] trains to the end, evaluating every `eval_every` steps, and
//! [`judge`]s the curve against the task's success threshold into a
//! [`RunRecord`]. [`sweep`] runs many (configuration, seed) pairs on
//! worker threads with results that do not depend on the number of threads.

pub mod bench;
mod config;
mod evaluate;
mod plan;
mod presets;
mod record;
mod sweep;
mod train;

pub use config::{Precision, RunConfig, DEFAULT_CHECKPOINT_WINDOW};
pub use evaluate::{EvalSet, EVAL_CHUNK_ROWS};
pub use plan::{model_cost_factor, run_cost, split_by_cost, Shard, SweepPlan};
pub use presets::{preset, Preset, PRESET_NAMES};
pub use record::{judge, judge_with, run, CheckpointSearch, EvalPoint, Judged, RunRecord};
pub use sweep::{sweep, Job};
pub use train::Trainer;
