//! The single-module benchmark's table: for each operation, one row per
//! unit and one column per range, each entry the success rate with its 95%
//! Wilson interval (the layout of the tables of Mistry, Farrahi & Hare,
//! "A Primer for Neural Arithmetic Logic Modules", JMLR 2022).
//!
//! [`Table::range_grids`] builds one [`RangeGrid`] per operation from the
//! cells of a [`Table`] on the single-module task; the long table (one row
//! per cell) stays available beside it.

use crate::task::{Layout, SINGLE_MODULE_RANGES};

use super::latex::escape;
use super::table::Table;

/// One entry: a cell's success rate and its interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridEntry {
    /// Runs in the cell.
    pub runs: usize,
    /// Solved runs.
    pub solved: usize,
    /// `solved / runs`.
    pub rate: f64,
    /// The 95% Wilson interval, when there is one.
    pub interval: Option<(f64, f64)>,
}

/// The success rates of one operation: units by ranges.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeGrid {
    /// The operation's name (`add`, `mul`, ...).
    pub op: String,
    /// The units (row labels), in the order the table first lists them.
    pub units: Vec<String>,
    /// The ranges (column labels, the training range), in the benchmark's
    /// order, then any other range in the order the table lists it.
    pub ranges: Vec<String>,
    /// `entries[row][column]`; `None` where no cell was run.
    pub entries: Vec<Vec<Option<GridEntry>>>,
}

fn percent(x: f64) -> String {
    format!("{:.0}", 100.0 * x)
}

impl GridEntry {
    /// `84 [65, 94]`: the rate and its interval in percent.
    pub fn text(&self) -> String {
        match self.interval {
            Some((lo, hi)) => format!("{} [{}, {}]", percent(self.rate), percent(lo), percent(hi)),
            None => percent(self.rate),
        }
    }
}

impl Table {
    /// One [`RangeGrid`] per operation, over the cells on the single-module
    /// task (other cells are ignored; no such cell gives no grid). A unit
    /// is named by its model name; when two cells share unit, operation and
    /// range (e.g. the same unit with two settings), the first is shown.
    ///
    /// ```
    /// use arithgrad::report::Table;
    /// assert!(Table::from_records(&[])?.range_grids().is_empty());
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn range_grids(&self) -> Vec<RangeGrid> {
        let mut grids: Vec<RangeGrid> = Vec::new();
        for cell in self.cells() {
            let c = &cell.config;
            if c.task.layout != Layout::Single {
                continue;
            }
            let op = c.task.operation.name().to_string();
            let unit = c.model.name();
            let range = c.task.interpolation_range.to_string();
            let gi = match grids.iter().position(|g| g.op == op) {
                Some(i) => i,
                None => {
                    grids.push(RangeGrid {
                        op,
                        units: Vec::new(),
                        ranges: SINGLE_MODULE_RANGES
                            .iter()
                            .map(|(r, _)| r.to_string())
                            .collect(),
                        entries: Vec::new(),
                    });
                    grids.len() - 1
                }
            };
            let g = &mut grids[gi];
            let row = match g.units.iter().position(|u| *u == unit) {
                Some(r) => r,
                None => {
                    g.units.push(unit);
                    g.entries.push(vec![None; g.ranges.len()]);
                    g.units.len() - 1
                }
            };
            let col = match g.ranges.iter().position(|r| *r == range) {
                Some(k) => k,
                None => {
                    g.ranges.push(range);
                    for e in &mut g.entries {
                        e.push(None);
                    }
                    g.ranges.len() - 1
                }
            };
            let s = &cell.summary;
            if g.entries[row][col].is_none() {
                g.entries[row][col] = Some(GridEntry {
                    runs: s.runs,
                    solved: s.solved,
                    rate: s.success_rate.value.unwrap_or(f64::NAN),
                    interval: s.success_rate.interval.map(|i| (i.lower, i.upper)),
                });
            }
        }
        // Drop benchmark ranges that no unit of an operation was run on.
        for g in &mut grids {
            let used: Vec<bool> = (0..g.ranges.len())
                .map(|k| g.entries.iter().any(|row| row[k].is_some()))
                .collect();
            g.ranges = keep_used(&g.ranges, &used);
            for row in &mut g.entries {
                *row = keep_used(row, &used);
            }
        }
        grids
    }
}

fn keep_used<X: Clone>(v: &[X], used: &[bool]) -> Vec<X> {
    v.iter()
        .zip(used)
        .filter(|(_, &u)| u)
        .map(|(x, _)| x.clone())
        .collect()
}

impl RangeGrid {
    /// A Markdown table titled by the operation, entries `84 [65, 94]`
    /// (success rate, 95% Wilson interval), `--` where nothing was run.
    pub fn to_markdown(&self) -> String {
        let mut s = format!(
            "### {}: success rate in % [95% Wilson interval] by training range\n\n| unit |",
            self.op
        );
        for r in &self.ranges {
            s.push_str(&format!(" {r} |"));
        }
        s.push_str("\n|---|");
        for _ in &self.ranges {
            s.push_str("---|");
        }
        s.push('\n');
        for (unit, row) in self.units.iter().zip(&self.entries) {
            s.push_str(&format!("| {unit} |"));
            for e in row {
                let t = e.map_or("--".to_string(), |e| e.text());
                s.push_str(&format!(" {t} |"));
            }
            s.push('\n');
        }
        s
    }

    /// CSV rows (no header; see [`RangeGrid::csv_header`]): `op`, `unit`,
    /// then for each range its success rate and interval bounds, full
    /// precision, empty where nothing was run.
    pub fn to_csv_rows(&self) -> String {
        let mut s = String::new();
        for (unit, row) in self.units.iter().zip(&self.entries) {
            s.push_str(&format!("{},{}", self.op, unit));
            for e in row {
                match e {
                    Some(e) => {
                        let (lo, hi) =
                            e.interval.map_or((String::new(), String::new()), |(l, h)| {
                                (l.to_string(), h.to_string())
                            });
                        s.push_str(&format!(",{},{lo},{hi}", e.rate));
                    }
                    None => s.push_str(",,,"),
                }
            }
            s.push('\n');
        }
        s
    }

    /// The CSV header matching [`RangeGrid::to_csv_rows`]: `op,unit`, then
    /// `"R",R low,R high` for each range `R` (quoted: ranges hold commas).
    pub fn csv_header(&self) -> String {
        let mut s = "op,unit".to_string();
        for r in &self.ranges {
            s.push_str(&format!(",\"{r}\",\"{r} low\",\"{r} high\""));
        }
        s.push('\n');
        s
    }

    /// A booktabs `tabular` (needs `\usepackage{booktabs}`), entries
    /// `84 [65, 94]` (percent).
    pub fn to_latex(&self) -> String {
        let mut s = format!(
            "% {}: success rate in percent [95% Wilson interval] by training range\n\\begin{{tabular}}{{l{}}}\n\\toprule\nunit",
            self.op,
            "c".repeat(self.ranges.len())
        );
        for r in &self.ranges {
            s.push_str(&format!(" & ${}$", r.replace('u', r"\cup ")));
        }
        s.push_str(" \\\\\n\\midrule\n");
        for (unit, row) in self.units.iter().zip(&self.entries) {
            s.push_str(&escape(unit));
            for e in row {
                let t = e.map_or("--".to_string(), |e| escape(&e.text()));
                s.push_str(&format!(" & {t}"));
            }
            s.push_str(" \\\\\n");
        }
        s.push_str("\\bottomrule\n\\end{tabular}\n");
        s
    }
}

/// Every grid as Markdown, one after the other.
pub fn grids_markdown(grids: &[RangeGrid]) -> String {
    grids
        .iter()
        .map(RangeGrid::to_markdown)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every grid as one CSV: a header per distinct range list (the grids of
/// one sweep share it, so normally one header), then the rows.
pub fn grids_csv(grids: &[RangeGrid]) -> String {
    let mut s = String::new();
    let mut last_header = String::new();
    for g in grids {
        let h = g.csv_header();
        if h != last_header {
            s.push_str(&h);
            last_header = h;
        }
        s.push_str(&g.to_csv_rows());
    }
    s
}

/// Every grid as LaTeX, one `tabular` per operation.
pub fn grids_latex(grids: &[RangeGrid]) -> String {
    grids
        .iter()
        .map(RangeGrid::to_latex)
        .collect::<Vec<_>>()
        .join("\n")
}
