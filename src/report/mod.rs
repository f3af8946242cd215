//! Layer 6: the summary table of a sweep, as Markdown, CSV, LaTeX and JSON
//! lines.
//!
//! [`Table::from_records`] groups [`crate::experiment::RunRecord`]s into
//! cells (one per configuration), summarises each with
//! [`crate::stats::CellSummary`] (docs/protocol.md, section 4: success rate with a 95%
//! Wilson interval; solved-at median, and mean with a gamma
//! profile-likelihood interval; sparsity-error mean with a beta
//! profile-likelihood interval on `[0, 0.5]`; Student-t fallbacks named as
//! such), and prints it:
//!
//! - [`Table::to_markdown`]: a readable table with compact numbers and notes
//!   naming every interval method, marking fallbacks;
//! - [`Table::to_latex`]: the same as a booktabs `tabular`;
//! - [`Table::to_csv`]: tidy, one row per cell, full precision;
//! - `Table::to_json_lines` (feature `cli`): one JSON object per cell.
//!
//! A sweep of the single-module benchmark also has
//! [`Table::range_grids`]: per operation, units by ranges, success rates
//! with their intervals (Markdown, CSV, LaTeX).
//!
//! The CSV columns and JSON fields are those of [`ReportRow`], documented
//! there.
//!
//! ```
//! use arithgrad::experiment::{RunConfig, RunRecord};
//! use arithgrad::report::Table;
//! use arithgrad::task::{Operation, TaskConfig};
//! use arithgrad::units::ModelKind;
//!
//! let config = RunConfig::new(ModelKind::Nmu.spec(100, 2), TaskConfig::new(Operation::Mul));
//! let record = |seed: u64, solved: bool| RunRecord {
//!     key: config.key(),
//!     config: config.clone(),
//!     seed,
//!     threshold: 1e-9,
//!     curve: Vec::new(),
//!     judged: None,
//!     solved,
//!     solved_at: solved.then_some(1000 * (seed + 1)),
//!     sparsity_error: solved.then_some(0.001 * (seed + 1) as f64),
//!     diverged: false,
//!     gates: [None, None],
//!     gates_test: [None, None],
//!     wall_time_s: 0.0,
//!     version: "0.2.0".into(),
//! };
//! let records: Vec<RunRecord> = (0..4).map(|s| record(s, s != 2)).collect();
//! let table = Table::from_records(&records)?;
//! assert_eq!(table.rows()[0].success_rate, Some(0.75));
//! assert!(table.to_markdown().contains("Wilson score interval"));
//! assert_eq!(table.to_csv().lines().count(), 2);
//! # Ok::<(), arithgrad::Error>(())
//! ```

mod csv;
#[cfg(feature = "cli")]
mod json;
mod latex;
mod markdown;
mod number;
mod range_grid;
mod readable;
mod row;
mod setting;
mod table;

pub use range_grid::{grids_csv, grids_latex, grids_markdown, GridEntry, RangeGrid};
pub use row::ReportRow;
pub use setting::setting;
pub use table::{Cell, Table};
