//! Layer 6: the results store, a directory of run records that many
//! processes on many machines can write at once (with the `store` feature,
//! on by default through `cli`; it needs serde_json).
//!
//! A results directory holds:
//!
//! | file | content |
//! |---|---|
//! | `records/<host>-<pid>-<ms>.jsonl` | the records of one writer process, one JSON object per line |
//! | `records.jsonl` | the records of arithgrad 0.2 and earlier (read, never written) |
//! | `thresholds.jsonl` | the cached success thresholds of its task configurations |
//! | `cells.jsonl` | the configurations in preset order, with their seeds and cost |
//!
//! Every writer appends to its own shard file, never to another's, so any
//! number of processes (threads of one sweep, shards of a job array, two
//! sweeps started by mistake) can write one directory at once. Readers
//! merge every file ([`read_records`]): a run (configuration key and seed)
//! found twice, as after a requeued task, counts once; two copies that
//! differ in anything but `wall_time_s` are an error naming the run and both
//! files. A half-written last line (a killed writer) is skipped and
//! reported. [`resume`] tells a sweep which of its runs are still missing.
//!
//! ```
//! use arithgrad::experiment::{preset, SweepPlan};
//! use arithgrad::store::{read_records, remember_cells, resume, status};
//! use arithgrad::experiment::RunRecord;
//!
//! let dir = std::env::temp_dir().join(format!("arithgrad-store-doc-{}", std::process::id()));
//! let p = preset("toy")?;
//! let plan = SweepPlan { preset: p.name, cells: p.cells, seeds: 0..2, threshold_samples: 1000, compat: arithgrad::Compat::Default };
//! remember_cells(&dir, &plan)?;
//! let runs: Vec<(usize, u64)> = plan.runs().collect();
//! let done = read_records::<RunRecord>(&dir)?;
//! let r = resume(done.records, &plan, &runs);
//! assert_eq!(r.missing.len(), 6);
//! assert_eq!(status(&dir)?.expected, Some(6));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), arithgrad::Error>(())
//! ```

mod cells;
mod lines;
mod records;
mod status;
mod thresholds;

use std::collections::HashMap;

pub use cells::{check_campaign, read_cells, remember_cells, CellLine, CELLS_FILE};
pub use lines::writer_name;
pub use records::{
    read_records, record_files, RecordSet, RecordSummary, RecordWriter, Recorded, RECORDS_DIR,
    RECORDS_FILE,
};
pub use status::{status, CellStatus, Status};
pub use thresholds::{user_cache_dir, ThresholdCache, THRESHOLDS_FILE};

use crate::experiment::{RunRecord, SweepPlan};

/// Which runs of a sweep are already recorded.
pub struct Resumed {
    /// The records found, by (cell index, seed).
    pub found: HashMap<(usize, u64), RunRecord>,
    /// The runs still to do, in the order given.
    pub missing: Vec<(usize, u64)>,
}

/// Splits `runs` (cell index and seed pairs of `plan`) into those `records`
/// already hold and those still missing. Records of other cells or seeds
/// are left out.
pub fn resume(records: Vec<RunRecord>, plan: &SweepPlan, runs: &[(usize, u64)]) -> Resumed {
    let cell_of: HashMap<String, usize> = plan
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key(), i))
        .collect();
    let wanted: std::collections::HashSet<(usize, u64)> = runs.iter().copied().collect();
    let mut found = HashMap::new();
    for r in records {
        if let Some(&cell) = cell_of.get(&r.key) {
            if wanted.contains(&(cell, r.seed)) {
                found.entry((cell, r.seed)).or_insert(r);
            }
        }
    }
    let missing = runs
        .iter()
        .copied()
        .filter(|run| !found.contains_key(run))
        .collect();
    Resumed { found, missing }
}
