//! Cell filters of `sweep` and `presets` (`--model`, `--op`): some cells of
//! a preset, e.g. one cell of the main table to time against its estimate.
//!
//! A filter only drops cells: the cells it keeps are the preset's own, so
//! their runs and records are those of the whole preset (the same keys and
//! the same results), and a directory can hold filtered and unfiltered
//! sweeps of one preset side by side.

use crate::experiment::RunConfig;
use crate::task::Operation;
use crate::units::{ModelKind, UnitKind};

use super::args::CellArgs;
use super::error::{CliError, CliResult};

/// Which cells to keep: those whose model is one of `models` (all if
/// empty) and whose operation is one of `ops` (all if empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellFilter {
    pub models: Vec<String>,
    pub ops: Vec<String>,
}

impl From<&CellArgs> for CellFilter {
    fn from(a: &CellArgs) -> CellFilter {
        CellFilter {
            models: a.models.clone(),
            ops: a.ops.clone(),
        }
    }
}

impl CellFilter {
    /// Whether the filter keeps every cell.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty() && self.ops.is_empty()
    }

    /// Keeps the cells of `preset` that the filter selects, in their order.
    /// A usage error for an unknown model or operation name, or when the
    /// filter selects no cell of the preset (naming what the preset has).
    pub fn apply(&self, preset: &str, cells: &mut Vec<RunConfig>) -> CliResult {
        if self.is_empty() {
            return Ok(());
        }
        let ops = self
            .ops
            .iter()
            .map(|o| {
                o.parse::<Operation>()
                    .map_err(|e| CliError::Usage(format!("--op: {e}")))
            })
            .collect::<CliResult<Vec<Operation>>>()?;
        for m in &self.models {
            if !known_model(m) {
                let names: Vec<&str> = ModelKind::ALL.iter().map(|k| k.name()).collect();
                return Err(CliError::Usage(format!(
                    "--model: unknown model `{m}`; models: {}",
                    names.join(", ")
                )));
            }
        }
        let keep = |c: &RunConfig| {
            (self.models.is_empty() || self.models.contains(&c.model.name()))
                && (ops.is_empty() || ops.contains(&c.task.operation))
        };
        if !cells.iter().any(keep) {
            return Err(CliError::Usage(format!(
                "{} selects no cell of preset `{preset}`, whose models are {} and operations {}",
                self.describe(),
                distinct(cells.iter().map(|c| c.model.name())),
                distinct(cells.iter().map(|c| c.task.operation.name().to_string())),
            )));
        }
        cells.retain(keep);
        Ok(())
    }

    /// The filter as on the command line, e.g. `--model nalu --op mul`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.models.is_empty() {
            parts.push(format!("--model {}", self.models.join(",")));
        }
        if !self.ops.is_empty() {
            parts.push(format!("--op {}", self.ops.join(",")));
        }
        parts.join(" ")
    }
}

/// Whether `name` is a model (`nmu`, `gated-nau-nmu`) or a unit of the
/// single-module presets (`nru`).
fn known_model(name: &str) -> bool {
    ModelKind::ALL.iter().any(|k| k.name() == name)
        || UnitKind::ALL.iter().any(|u| u.name() == name)
}

/// The distinct names, in first-seen order, comma-separated.
fn distinct(names: impl Iterator<Item = String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for n in names {
        if !seen.contains(&n) {
            seen.push(n);
        }
    }
    seen.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::preset;

    fn filter(models: &[&str], ops: &[&str]) -> CellFilter {
        CellFilter {
            models: models.iter().map(|s| s.to_string()).collect(),
            ops: ops.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_filter_keeps_the_presets_own_cells_in_order() {
        let all = preset("main-table").unwrap().cells;
        let mut cells = all.clone();
        filter(&["nalu"], &["mul"])
            .apply("main-table", &mut cells)
            .unwrap();
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].model.name(), "nalu");
        assert_eq!(cells[0].task.operation, Operation::Mul);
        assert!(all.iter().any(|c| c.key() == cells[0].key()));

        let mut cells = all.clone();
        filter(&["nmu", "nau"], &[])
            .apply("main-table", &mut cells)
            .unwrap();
        assert_eq!(cells.len(), 6);
        let kept: Vec<String> = all
            .iter()
            .filter(|c| ["nmu", "nau"].contains(&c.model.name().as_str()))
            .map(RunConfig::key)
            .collect();
        assert_eq!(cells.iter().map(RunConfig::key).collect::<Vec<_>>(), kept);

        let mut cells = all.clone();
        filter(&[], &["ADD"])
            .apply("main-table", &mut cells)
            .unwrap();
        assert_eq!(cells.len(), all.len() / 3);
        let mut cells = all.clone();
        CellFilter::default()
            .apply("main-table", &mut cells)
            .unwrap();
        assert_eq!(cells, all);
        // Single-module presets name their cells by unit.
        let mut cells = preset("single-module-mul").unwrap().cells;
        filter(&["nru"], &[])
            .apply("single-module-mul", &mut cells)
            .unwrap();
        assert!(!cells.is_empty() && cells.iter().all(|c| c.model.name() == "nru"));
    }

    #[test]
    fn unknown_names_and_empty_selections_are_usage_errors() {
        let all = preset("main-table").unwrap().cells;
        for (f, needles) in [
            (
                filter(&["nallu"], &[]),
                vec!["--model", "`nallu`", "gated-nau-nmu"],
            ),
            (filter(&[], &["mull"]), vec!["--op", "`mull`"]),
            (
                filter(&["nalu"], &["div"]),
                vec![
                    "--model nalu --op div selects no cell of preset `main-table`",
                    "operations mul, add, sub",
                ],
            ),
            (filter(&["nru"], &[]), vec!["models are nmu, nau"]),
        ] {
            let mut cells = all.clone();
            match f.apply("main-table", &mut cells) {
                Err(CliError::Usage(m)) => {
                    for n in needles {
                        assert!(m.contains(n), "{n}: {m}");
                    }
                }
                other => panic!("{f:?}: {other:?}"),
            }
            assert_eq!(cells, all, "an error leaves the cells as they were");
        }
    }
}
