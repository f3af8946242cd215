//! The cell list of a results directory (`cells.jsonl`): every cell swept
//! into it, in preset order, with the preset it came from, the seeds asked
//! for and its estimated cost per run. It orders the report's rows and
//! tells `status` how many runs to expect.

use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiment::{run_cost, SweepPlan};

use super::lines::{read_lines, replace_lines};

/// The file that keeps the order of a directory's cells.
pub const CELLS_FILE: &str = "cells.jsonl";

/// One line of `cells.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellLine {
    /// The cell's configuration key (see `RunConfig::key`).
    pub key: String,
    /// The preset the cell came from.
    pub preset: String,
    /// The seeds swept (absent in directories of arithgrad 0.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeds: Option<Range<u64>>,
    /// The estimated cost of one run (see `experiment::run_cost`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<u64>,
}

/// The cells of the directory `dir`, in order (none if it has no list).
pub fn read_cells(dir: &Path) -> Result<Vec<CellLine>> {
    Ok(read_lines::<CellLine>(&dir.join(CELLS_FILE))?
        .0
        .into_iter()
        .map(|l| l.value)
        .collect())
}

/// Adds the cells of `plan` to the list of `dir`: new keys at the end, and
/// for keys already there the seeds widened to cover the plan's (when the
/// two ranges touch; otherwise the plan's replace them). The file is
/// replaced whole, and only when something changed.
pub fn remember_cells(dir: &Path, plan: &SweepPlan) -> Result<()> {
    let mut lines = read_cells(dir)?;
    let before = lines.clone();
    for cell in &plan.cells {
        let key = cell.key();
        let seeds = plan.seeds.clone();
        match lines.iter_mut().find(|l| l.key == key) {
            Some(line) => {
                line.seeds = Some(match &line.seeds {
                    Some(s) if s.start <= seeds.end && seeds.start <= s.end => {
                        s.start.min(seeds.start)..s.end.max(seeds.end)
                    }
                    _ => seeds,
                });
                line.cost.get_or_insert(run_cost(cell));
            }
            None => lines.push(CellLine {
                key,
                preset: plan.preset.to_string(),
                seeds: Some(seeds),
                cost: Some(run_cost(cell)),
            }),
        }
    }
    if lines != before {
        replace_lines(&dir.join(CELLS_FILE), &lines)?;
    }
    Ok(())
}

/// An error if `dir` holds another campaign than `preset` of this crate
/// version: cells of another preset, or of another version (a cell's key
/// starts with the version that made it). An empty directory is anyone's.
pub fn check_campaign(dir: &Path, preset: &str) -> Result<()> {
    let version = env!("CARGO_PKG_VERSION");
    let ours = format!("arithgrad={version} ");
    for line in read_cells(dir)? {
        if line.preset != preset {
            return Err(Error::ForeignDirectory {
                dir: dir.display().to_string(),
                reason: format!(
                    "this results directory belongs to preset `{}`, not `{preset}` (see its \
                     {CELLS_FILE}); choose another directory",
                    line.preset
                ),
            });
        }
        if !line.key.starts_with(&ours) {
            let theirs = line
                .key
                .split_whitespace()
                .next()
                .and_then(|k| k.strip_prefix("arithgrad="))
                .unwrap_or("unknown");
            return Err(Error::ForeignDirectory {
                dir: dir.display().to_string(),
                reason: format!(
                    "this results directory was written by arithgrad {theirs}, and this is \
                     arithgrad {version}: its runs would not be resumed but run again; choose \
                     another directory"
                ),
            });
        }
    }
    Ok(())
}
