//! `arithgrad presets`: the paper's experiments, their size, and how long
//! each would take here.

use serde::Serialize;

use super::args::PresetsArgs;
use super::cells::CellFilter;
use super::config::find_preset;
use super::config::workers;
use super::error::{CliError, CliResult};
use super::estimate::{Probe, PRESETS_PROBE_STEPS};
use super::output::{thousands, Stdout};
use super::progress::format_duration;
use crate::experiment::{preset, PRESET_NAMES};

/// One JSON line of `presets --json`.
#[derive(Serialize)]
struct PresetLine {
    name: &'static str,
    description: &'static str,
    cells: usize,
    /// The seeds, `seeds_start..seeds_end` (end excluded).
    seeds_start: u64,
    seeds_end: u64,
    runs: usize,
    total_iterations: u64,
    /// Estimated wall-clock seconds on `workers` threads (`null` with
    /// `--no-estimate`).
    estimated_seconds: Option<f64>,
    workers: usize,
}

pub fn presets(args: &PresetsArgs) -> CliResult {
    let workers = workers(args.jobs)?;
    let mut probe = Probe::new(PRESETS_PROBE_STEPS, workers);
    if !args.no_estimate {
        eprintln!(
            "timing {PRESETS_PROBE_STEPS} steps of each model on {workers} thread(s) at once \
             (--no-estimate skips this) ..."
        );
    }
    let filter = CellFilter::from(&args.cells);
    let names: Vec<&str> = match &args.preset {
        Some(name) => vec![find_preset(name)?.name],
        None if !filter.is_empty() => {
            return Err(CliError::Usage(format!(
                "{} needs --preset (the preset whose cells to select)",
                filter.describe()
            )))
        }
        None => PRESET_NAMES.to_vec(),
    };
    let mut lines = Vec::new();
    for name in names {
        let mut p = preset(name).map_err(CliError::runtime)?;
        filter.apply(p.name, &mut p.cells)?;
        let estimated_seconds = if args.no_estimate {
            None
        } else {
            let runs = p.seeds.clone().flat_map(|_| p.cells.iter());
            Some(probe.estimate(runs, workers)?.seconds)
        };
        lines.push(PresetLine {
            name: p.name,
            description: p.description,
            cells: p.cells.len(),
            seeds_start: p.seeds.start,
            seeds_end: p.seeds.end,
            runs: p.runs(),
            total_iterations: p.total_iterations(),
            estimated_seconds,
            workers,
        });
    }
    let mut out = Stdout::new();
    if args.json {
        for l in &lines {
            out.json_line(l)?;
        }
        return Ok(());
    }
    let time_header = format!("time ({workers} workers)");
    let mut table = vec![[
        "preset".to_string(),
        "cells".into(),
        "seeds".into(),
        "runs".into(),
        "iterations".into(),
        time_header,
        "description".into(),
    ]];
    for l in &lines {
        table.push([
            l.name.to_string(),
            l.cells.to_string(),
            format!("{}..{}", l.seeds_start, l.seeds_end),
            thousands(l.runs as u64),
            thousands(l.total_iterations),
            l.estimated_seconds
                .map_or("-".to_string(), |s| format!("~{}", format_duration(s))),
            l.description.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &table {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            // Text columns left-aligned, numbers right-aligned.
            if c == 0 || c == 6 {
                line.push_str(cell);
                if c != 6 {
                    line.push_str(&" ".repeat(pad));
                }
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
            if c != 6 {
                line.push_str("  ");
            }
        }
        out.line(line.trim_end())?;
    }
    if !args.no_estimate {
        out.line(format!(
            "(times from a {} probe of {PRESETS_PROBE_STEPS} steps and two evaluations per \
             model, {workers} at once as the workers will run; `arithgrad sweep` probes the \
             same way before it starts)",
            format_duration(probe.probe_seconds)
        ))?;
    }
    Ok(())
}
