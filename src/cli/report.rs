//! `arithgrad report`: the summary table of the records in a directory.
//!
//! The table groups records into cells by configuration key. Its row order
//! is the order of the presets swept into the directory (kept in
//! `DIR/cells.jsonl`), and within a cell the records are taken in seed
//! order, so the same records always give the same table whatever order
//! the runs finished in, and however many processes wrote them.

use std::collections::HashMap;

use super::args::{Format, ReportArgs};
use super::config::compat;
use super::error::{CliError, CliResult};
use super::output::{warn, Stdout};
use super::sweep::read_all;
use crate::experiment::RunRecord;
use crate::report::Table;
use crate::store::{read_cells, record_files, CellLine, RECORDS_DIR, RECORDS_FILE};
use crate::Compat;

/// `arithgrad report DIR`.
pub fn report(args: &ReportArgs) -> CliResult {
    let files = record_files(&args.dir).map_err(CliError::runtime)?;
    if files.is_empty() {
        return Err(CliError::Runtime(format!(
            "no records in {}: neither {RECORDS_DIR}/*.jsonl nor {RECORDS_FILE} exists \
             (`arithgrad sweep --preset P --out {}` writes them)",
            args.dir.display(),
            args.dir.display()
        )));
    }
    let all = read_all(&args.dir)?;
    if all.is_empty() {
        return Err(CliError::Runtime(format!(
            "{} has no complete record yet",
            args.dir.display()
        )));
    }
    let mode = compat(&args.compat)?;
    let (mut records, other): (Vec<RunRecord>, Vec<RunRecord>) =
        all.into_iter().partition(|r| r.config.compat == mode);
    if let Some(first) = other.first() {
        let hint = format!("`--compat {}`", first.config.compat);
        if records.is_empty() {
            return Err(CliError::Runtime(format!(
                "{} has no record run with --compat {mode}; its records were run with {hint}",
                args.dir.display()
            )));
        }
        warn(format!(
            "{} record(s) run with another --compat mode were left out (see {hint})",
            other.len()
        ));
    }
    let order = read_cells(&args.dir).unwrap_or_else(|e| {
        warn(format!("the table's row order may vary: {e}"));
        Vec::new()
    });
    sort_records(&mut records, &order);
    print_report(&records, args.format, &mut Stdout::new())
}

/// Sorts records by cell (in the order of `cells`, then cells not listed
/// there in the order they first appear) and by seed within a cell.
fn sort_records(records: &mut [RunRecord], cells: &[CellLine]) {
    let mut rank: HashMap<String, usize> = HashMap::new();
    for line in cells {
        let next = rank.len();
        rank.entry(line.key.clone()).or_insert(next);
    }
    for r in records.iter() {
        let next = rank.len();
        rank.entry(r.key.clone()).or_insert(next);
    }
    records.sort_by_key(|r| (rank[&r.key], r.seed));
}

/// Prints the table of `records` in `format`.
pub fn print_report(records: &[RunRecord], format: Format, out: &mut Stdout) -> CliResult {
    let table = Table::from_records(records).map_err(CliError::runtime)?;
    if table.duplicates() > 0 {
        warn(format!(
            "{} record(s) repeat an earlier run (same configuration and seed) and were left out",
            table.duplicates()
        ));
    }
    let text = match format {
        Format::Md => table.to_markdown(),
        Format::Csv => table.to_csv(),
        Format::Latex => table.to_latex(),
        Format::Json => table.to_json_lines().map_err(CliError::runtime)?,
    };
    out.write(&text)?;
    if !text.is_empty() && !text.ends_with('\n') {
        out.write("\n")?;
    }
    if table.compat_modes().contains(&Compat::Published) {
        match format {
            Format::Md => out.write(&format!("\n{PUBLISHED_NOTE}\n"))?,
            Format::Latex => out.write(&format!("% {PUBLISHED_NOTE}\n"))?,
            // A note would break the rows of CSV and JSON lines.
            Format::Csv | Format::Json => warn(PUBLISHED_NOTE),
        }
    }
    Ok(())
}

/// The line under a table of `--compat published` records.
pub const PUBLISHED_NOTE: &str = "compat: published (thresholds on the authors' R geometry, \
     their sparsity-error likelihood, step 0 in the checkpoint search where their \
     window reaches it; see docs/reference-differences.md)";
