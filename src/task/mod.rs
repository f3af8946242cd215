//! Layer 6: the static arithmetic task of the paper (docs/protocol.md, section 3) and its
//! success threshold (docs/protocol.md, section 4).
//!
//! An input `x` has `n` entries drawn i.i.d. from a [`Range`]. Two sums are
//! taken over fixed positions, `a` and `b`, and the target is an
//! [`Operation`] of them (`a · b` for `mul`). A [`TaskConfig`] holds every
//! parameter; [`Task`] is a validated configuration plus the positions of
//! one run (they depend on the seed through a random offset); it fills
//! training batches without allocating and builds the fixed validation and
//! test sets. [`threshold()`] estimates the test MSE of a nearly perfect
//! model, below which a run counts as solved.
//!
//! ```
//! use arithgrad::task::{Operation, Task, TaskConfig};
//! let task = Task::new(TaskConfig::new(Operation::Add), 0)?;
//! let p = task.positions();
//! assert_eq!((p.a.len(), p.b.len(), p.b.start - p.a.start), (25, 25, 13));
//! let test = task.test_set::<f64>();
//! assert_eq!((test.rows, test.cols), (10_000, 100));
//! # Ok::<(), arithgrad::Error>(())
//! ```
//!
//! # Random streams
//!
//! Every draw comes from [`crate::random`] with a fixed stream id, so a run
//! is reproducible from its seed alone and the streams never share numbers:
//!
//! | what | generator |
//! |---|---|
//! | position offset | `Rng::stream(seed, STREAM_OFFSET)`, first `below(count)` |
//! | training batches | `LaneRng::stream(seed, STREAM_TRAIN_BATCHES)` ([`Task::batch_rng`]) |
//! | validation set | `LaneRng::stream(FIXED_SETS_SEED, STREAM_VALIDATION)` |
//! | test set | `LaneRng::stream(FIXED_SETS_SEED, STREAM_TEST)` |
//! | threshold | `LaneRng::stream(threshold_seed, STREAM_THRESHOLD)` |
//!
//! The ids spell `"task"` in ASCII in their high bytes, to keep them apart
//! from the ids other modules use.

mod config;
mod data;
mod operation;
mod positions;
mod range;
mod sample;
mod single_module;
mod threshold;

pub use config::{Layout, TaskConfig};
pub use data::{Dataset, Split, Task, FIXED_SET_ROWS};
pub use operation::Operation;
pub use positions::Positions;
pub use range::{Interval, Range};
pub use single_module::{single_module_range, single_module_ranges, SINGLE_MODULE_RANGES};
pub use threshold::{
    single_module_difference, threshold, threshold_cache_key, threshold_cache_key_with,
    threshold_with, Threshold, DEFAULT_THRESHOLD_SAMPLES, DEFAULT_THRESHOLD_SEED,
    THRESHOLD_EPSILON,
};

/// Stream id of the per-seed position offset.
pub const STREAM_OFFSET: u64 = 0x7461_736b_0000_0001;
/// Stream id of the training batches of a run.
pub const STREAM_TRAIN_BATCHES: u64 = 0x7461_736b_0000_0002;
/// Stream id of the fixed validation set (with seed [`FIXED_SETS_SEED`]).
pub const STREAM_VALIDATION: u64 = 0x7461_736b_0000_0003;
/// Stream id of the fixed test set (with seed [`FIXED_SETS_SEED`]).
pub const STREAM_TEST: u64 = 0x7461_736b_0000_0004;
/// Stream id of the threshold simulation.
pub const STREAM_THRESHOLD: u64 = 0x7461_736b_0000_0005;
/// The seed of the fixed validation and test sets: the same for every run,
/// so all runs of a configuration are evaluated on the same inputs.
pub const FIXED_SETS_SEED: u64 = 2020;
