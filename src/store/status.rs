//! How far a campaign has come: per cell, the runs done of those expected,
//! solved, diverged and failed; in all, the CPU time used and an estimate
//! of what is left. It reads only complete lines, so it can be read while
//! shards are being written.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::experiment::run_cost;

use super::cells::read_cells;
use super::records::{read_records, RecordSummary};

/// One cell's progress.
#[derive(Clone, Debug, Serialize)]
pub struct CellStatus {
    pub key: String,
    /// The preset it came from (empty when the directory has no cell list).
    pub preset: String,
    /// The model's name, e.g. `nmu`.
    pub model: String,
    /// The operation, e.g. `mul` (empty until a run is recorded).
    pub op: String,
    /// Runs recorded (within the expected seeds, if known).
    pub done: usize,
    /// Runs expected (`None` when the directory does not say).
    pub expected: Option<usize>,
    pub solved: usize,
    pub diverged: usize,
    /// Runs that finished without diverging and were not solved.
    pub failed: usize,
    /// Wall-clock seconds of the runs recorded (each on one core).
    pub cpu_seconds: f64,
}

/// A campaign's progress.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub cells: Vec<CellStatus>,
    pub done: usize,
    /// Runs expected in all (`None` if some cell does not say).
    pub expected: Option<usize>,
    pub cpu_seconds: f64,
    /// Estimated CPU seconds still to run: the recorded seconds per unit of
    /// estimated cost times the estimated cost of the missing runs
    /// (`None` before the first record or when the plan is unknown).
    pub cpu_seconds_left: Option<f64>,
    /// Incomplete last lines skipped (writers running or killed).
    pub partial_lines: usize,
}

/// The status of the results directory `dir`.
pub fn status(dir: &Path) -> Result<Status> {
    let cells = read_cells(dir)?;
    let set = read_records::<RecordSummary>(dir)?;
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<CellStatus> = Vec::new();
    let mut cost_of: Vec<Option<u64>> = Vec::new();
    let mut seeds_of = Vec::new();
    for line in &cells {
        if index.contains_key(&line.key) {
            continue;
        }
        index.insert(line.key.clone(), out.len());
        out.push(CellStatus {
            key: line.key.clone(),
            preset: line.preset.clone(),
            model: model_of_key(&line.key),
            op: String::new(),
            done: 0,
            expected: line.seeds.as_ref().map(|s| (s.end - s.start) as usize),
            solved: 0,
            diverged: 0,
            failed: 0,
            cpu_seconds: 0.0,
        });
        cost_of.push(line.cost);
        seeds_of.push(line.seeds.clone());
    }
    let mut done_cost = 0u64;
    let mut done_seconds = 0.0;
    for r in &set.records {
        let i = match index.get(&r.key) {
            Some(&i) => i,
            None => {
                index.insert(r.key.clone(), out.len());
                out.push(CellStatus {
                    key: r.key.clone(),
                    preset: String::new(),
                    model: r.config.model.name(),
                    op: String::new(),
                    done: 0,
                    expected: None,
                    solved: 0,
                    diverged: 0,
                    failed: 0,
                    cpu_seconds: 0.0,
                });
                cost_of.push(None);
                seeds_of.push(None);
                out.len() - 1
            }
        };
        let c = &mut out[i];
        c.op = r.config.task.operation.to_string();
        let cost = run_cost(&r.config);
        cost_of[i].get_or_insert(cost);
        if seeds_of[i].as_ref().is_some_and(|s| !s.contains(&r.seed)) {
            continue;
        }
        c.done += 1;
        c.solved += r.solved as usize;
        c.diverged += r.diverged as usize;
        c.failed += (!r.solved && !r.diverged) as usize;
        c.cpu_seconds += r.wall_time_s;
        // Diverged runs stop early and would make the rate look cheap.
        if !r.diverged {
            done_cost += cost;
            done_seconds += r.wall_time_s;
        }
    }
    let done = out.iter().map(|c| c.done).sum();
    let expected: Option<usize> = out.iter().map(|c| c.expected).sum();
    let cpu_seconds = out.iter().map(|c| c.cpu_seconds).sum();
    let mut left_cost = Some(0u64);
    for (c, cost) in out.iter().zip(&cost_of) {
        let missing = c.expected.map(|e| e.saturating_sub(c.done) as u64);
        left_cost = match (left_cost, missing, cost) {
            (Some(sum), Some(0), _) => Some(sum),
            (Some(sum), Some(m), Some(cost)) => Some(sum + m * cost),
            _ => None,
        };
    }
    let cpu_seconds_left = match left_cost {
        Some(0) => Some(0.0),
        Some(left) if done_cost > 0 => Some(done_seconds / done_cost as f64 * left as f64),
        _ => None,
    };
    Ok(Status {
        cells: out,
        done,
        expected,
        cpu_seconds,
        cpu_seconds_left,
        partial_lines: set.partial_lines.len(),
    })
}

/// The `model=` field of a configuration key.
fn model_of_key(key: &str) -> String {
    key.split_whitespace()
        .find_map(|f| f.strip_prefix("model="))
        .unwrap_or("?")
        .to_string()
}
