//! `arithgrad status DIR`: how far a campaign has come, per cell and in
//! all, from the records written so far (safe while shards are written).

use super::args::StatusArgs;
use super::error::{CliError, CliResult};
use super::output::{thousands, warn, Stdout};
use super::progress::format_duration;
use crate::store::{status as read_status, Status};

/// `arithgrad status DIR`.
pub fn status(args: &StatusArgs) -> CliResult {
    if !args.dir.is_dir() {
        return Err(CliError::Runtime(format!(
            "{} is not a results directory (`arithgrad sweep --out DIR` or `arithgrad slurm \
             --out DIR` makes one)",
            args.dir.display()
        )));
    }
    let s = read_status(&args.dir).map_err(CliError::runtime)?;
    if s.partial_lines > 0 {
        warn(format!(
            "{} record file(s) end in an incomplete line (a writer still writing, or killed); \
             those runs are not counted",
            s.partial_lines
        ));
    }
    let mut out = Stdout::new();
    if args.json {
        return out.json_line(&s);
    }
    for line in lines(&s) {
        out.line(line)?;
    }
    Ok(())
}

/// The status as a table and a summary line.
fn lines(s: &Status) -> Vec<String> {
    let of = |done: usize, expected: Option<usize>| match expected {
        Some(e) => format!("{done}/{e}"),
        None => format!("{done}/?"),
    };
    let mut rows: Vec<[String; 8]> = vec![[
        "preset", "model", "op", "done", "solved", "diverged", "failed", "cpu",
    ]
    .map(String::from)];
    for c in &s.cells {
        rows.push([
            c.preset.clone(),
            c.model.clone(),
            c.op.clone(),
            of(c.done, c.expected),
            c.solved.to_string(),
            c.diverged.to_string(),
            c.failed.to_string(),
            format_duration(c.cpu_seconds),
        ]);
    }
    let mut width = [0usize; 8];
    for r in &rows {
        for (w, cell) in width.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut lines: Vec<String> = rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .zip(width)
                .enumerate()
                .map(|(i, (cell, w))| {
                    if i < 3 {
                        format!("{cell:<w$}")
                    } else {
                        format!("{cell:>w$}")
                    }
                })
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect();
    let left = match s.cpu_seconds_left {
        Some(x) if x <= 0.0 => "nothing left".to_string(),
        Some(x) => format!("about {} of CPU left", format_duration(x)),
        None => "no estimate of what is left yet".to_string(),
    };
    let expected = s.expected.map_or("?".to_string(), |e| thousands(e as u64));
    lines.push(format!(
        "campaign: {} of {expected} runs done, {} of CPU used, {left}",
        thousands(s.done as u64),
        format_duration(s.cpu_seconds),
    ));
    lines
}
