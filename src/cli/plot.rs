//! `arithgrad plot DIR`: the figure of a results directory as SVG, drawn
//! from the rows `arithgrad report DIR --format json` prints; with
//! `--curves`, the learning curves of its runs.

use std::path::{Path, PathBuf};

use super::args::PlotArgs;
use super::config::compat;
use super::error::{CliError, CliResult};
use super::output::warn;
use super::report::load_records;
use crate::experiment::RunRecord;
use crate::plot::{
    choose_x, curves_figure, summary_figure, CurveOptions, FigureOptions, Parameter,
};
use crate::report::Table;
use crate::store::{record_files, RECORDS_DIR, RECORDS_FILE};
use crate::Compat;

/// The figure's file inside a results directory.
pub const FIGURE_FILE: &str = "figure.svg";
/// The learning curves' file inside a results directory.
pub const CURVES_FILE: &str = "curves.svg";

/// `arithgrad plot`.
pub fn plot(args: &PlotArgs) -> CliResult {
    let records = records_of(&args.dir, compat(&args.compat)?)?;
    let figure = if args.curves {
        let defaults = CurveOptions::default();
        let options = CurveOptions {
            model: args.model.clone(),
            op: args.op.clone(),
            seeds: args.seeds.map(|s| s.start..s.end),
            title: args.title.clone(),
            width: args.width.unwrap_or(defaults.width),
            height: args.height.unwrap_or(defaults.height),
        };
        curves_figure(&records, &options).map_err(CliError::usage)?
    } else {
        let rows = Table::from_records(&records)
            .map_err(CliError::runtime)?
            .rows();
        let defaults = FigureOptions::default();
        let options = FigureOptions {
            x: args.x.clone(),
            models: args.models.clone(),
            ops: args.ops.clone(),
            title: args.title.clone(),
            width: args.width.unwrap_or(defaults.width),
            height: args.height.unwrap_or(defaults.height),
        };
        summary_figure(&rows, &options).map_err(CliError::usage)?
    };
    let out = args.out.clone().unwrap_or_else(|| {
        args.dir.join(if args.curves {
            CURVES_FILE
        } else {
            FIGURE_FILE
        })
    });
    write_svg(&out, &figure.svg)?;
    eprintln!(
        "figure: {} ({} panels, x axis: {})",
        out.display(),
        figure.panels.len(),
        figure.x.name()
    );
    Ok(())
}

/// The records of `dir`; a missing or empty directory is a usage error.
fn records_of(dir: &Path, mode: Compat) -> CliResult<Vec<RunRecord>> {
    if !dir.is_dir() {
        return Err(CliError::Usage(format!(
            "{} is not a directory; `arithgrad plot DIR` takes a results directory written by \
             `arithgrad sweep --out DIR` or `arithgrad reproduce`",
            dir.display()
        )));
    }
    let files = record_files(dir).map_err(CliError::runtime)?;
    let empty = files
        .iter()
        .all(|f| std::fs::metadata(f).map_or(true, |m| m.len() == 0));
    if empty {
        return Err(CliError::Usage(format!(
            "{} holds no run records (no {RECORDS_FILE} or {RECORDS_DIR}/*.jsonl with a record); \
             run a sweep into it first",
            dir.display()
        )));
    }
    let records = load_records(dir, mode)?;
    if records.is_empty() {
        return Err(CliError::Usage(format!(
            "{} holds no complete run record yet",
            dir.display()
        )));
    }
    Ok(records)
}

fn write_svg(path: &PathBuf, svg: &str) -> CliResult {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| CliError::Runtime(format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::write(path, svg)
        .map_err(|e| CliError::Runtime(format!("cannot write {}: {e}", path.display())))
}

/// After `reproduce`: draws `dir/figure.svg` when the sweep varies a
/// parameter (not for a table of models). Failing to draw it is a warning;
/// the table has been printed.
pub fn figure_of_sweep(dir: &Path, records: &[RunRecord]) {
    let rows = match Table::from_records(records) {
        Ok(table) => table.rows(),
        Err(_) => return,
    };
    if rows.is_empty() {
        return;
    }
    match choose_x(&rows, None) {
        Ok((Parameter::Model, _)) | Err(_) => return,
        Ok(_) => {}
    }
    let out = dir.join(FIGURE_FILE);
    let result = summary_figure(&rows, &FigureOptions::default())
        .map_err(|e| e.to_string())
        .and_then(|f| write_svg(&out, &f.svg).map_err(|e| e.to_string()));
    match result {
        Ok(()) => eprintln!(
            "figure: {} (`arithgrad plot {}` draws it again)",
            out.display(),
            dir.display()
        ),
        Err(e) => warn(format!("no figure drawn: {e}")),
    }
}
