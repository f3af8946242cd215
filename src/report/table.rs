//! Grouping run records into table cells and summarising each cell.

use std::collections::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::experiment::{RunConfig, RunRecord};
use crate::stats::{CellSummary, RunOutcome};

use super::setting::{facets, label, Facet};

/// One configuration ("cell") of a table: its runs summarised over seeds.
#[derive(Clone, Debug)]
pub struct Cell {
    /// The configuration's key ([`RunConfig::key`]) shared by its records.
    pub key: String,
    /// The configuration (of the cell's first record).
    pub config: RunConfig,
    /// What the configuration changes from the defaults (see
    /// [`Table::from_records`] for which parameters are shown).
    pub setting: String,
    /// The seeds of the cell's runs, in record order.
    pub seeds: Vec<u64>,
    /// Success rate, solved-at and sparsity-error statistics with their
    /// interval methods.
    pub summary: CellSummary,
    /// Number of runs that produced a non-finite loss or weights.
    pub diverged: usize,
    /// The success threshold the runs were judged against; `None` when they
    /// were not all judged against the same one.
    pub threshold: Option<f64>,
    /// For each layer, the mean over the cell's runs of the layer's mean
    /// gate value at the judged checkpoint ("where the gate settles");
    /// `None` for a layer without a gate or when no run has a value.
    pub gate_means: [Option<f64>; 2],
}

/// The summary table of a set of run records: one [`Cell`] per
/// configuration.
#[derive(Clone, Debug)]
pub struct Table {
    cells: Vec<Cell>,
    duplicates: usize,
}

impl Table {
    /// Groups `records` into cells by their `key` ([`RunConfig::key`]) and
    /// summarises each with [`CellSummary::from_outcomes_with`] (95%
    /// intervals; the sparsity-error fit of the cell's compat mode, which is
    /// part of the key).
    ///
    /// - Records with the same key and seed are the same run: only the
    ///   first is used ([`Table::duplicates`] counts the others).
    /// - Cells are in the order their first record appears, so a sweep's
    ///   table follows its preset's cell order, and the same records always
    ///   give the same table.
    /// - The `setting` of each cell names every parameter that differs from
    ///   the protocol's defaults in *some* cell of the table (see
    ///   [`crate::report::setting`] for the defaults), with this cell's value:
    ///   in a hidden-size sweep every row says `hidden=...`, including the
    ///   default `hidden=2`. When no cell changes anything, it is empty.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if a solved run's sparsity error is not
    /// finite (the message names the cell's key).
    ///
    /// ```
    /// use arithgrad::report::Table;
    /// let table = Table::from_records(&[])?;
    /// assert!(table.cells().is_empty());
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn from_records(records: &[RunRecord]) -> Result<Table> {
        let mut order: Vec<&str> = Vec::new();
        let mut groups: HashMap<&str, Vec<&RunRecord>> = HashMap::new();
        let mut seen: HashSet<(&str, u64)> = HashSet::new();
        let mut duplicates = 0;
        for r in records {
            if !seen.insert((r.key.as_str(), r.seed)) {
                duplicates += 1;
                continue;
            }
            groups
                .entry(r.key.as_str())
                .or_insert_with(|| {
                    order.push(r.key.as_str());
                    Vec::new()
                })
                .push(r);
        }
        let facet_lists: Vec<Vec<Facet>> =
            order.iter().map(|k| facets(&groups[k][0].config)).collect();
        let mut shown: Vec<&'static str> = Vec::new();
        for f in facet_lists.iter().flatten() {
            if f.differs && !shown.contains(&f.name) {
                shown.push(f.name);
            }
        }
        let cells = order
            .iter()
            .zip(&facet_lists)
            .map(|(key, facets)| summarise(key, &groups[key], label(facets, &shown)))
            .collect::<Result<Vec<Cell>>>()?;
        Ok(Table { cells, duplicates })
    }

    /// The cells, in the order their first record appeared.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// How many records were dropped as repeats of an earlier record with
    /// the same key and seed.
    pub fn duplicates(&self) -> usize {
        self.duplicates
    }

    /// The compat modes of the cells, each once, in order of appearance
    /// (empty for an empty table).
    pub fn compat_modes(&self) -> Vec<crate::Compat> {
        let mut modes = Vec::new();
        for c in &self.cells {
            if !modes.contains(&c.config.compat) {
                modes.push(c.config.compat);
            }
        }
        modes
    }
}

/// Summarises the (non-empty) runs of one cell.
fn summarise(key: &str, runs: &[&RunRecord], setting: String) -> Result<Cell> {
    let outcomes: Vec<RunOutcome> = runs
        .iter()
        .map(|r| RunOutcome {
            solved: r.solved,
            solved_at: r.solved_at,
            sparsity_error: r.sparsity_error,
        })
        .collect();
    // The sparsity-error fit follows the mode the runs were made in.
    let summary = CellSummary::from_outcomes_with(
        &outcomes,
        CellSummary::DEFAULT_CONFIDENCE,
        runs[0].config.compat,
    )
    .map_err(|e| {
        Error::invalid(
            "run records",
            format!("cell `{key}` cannot be summarised: {e}"),
        )
    })?;
    let first = runs[0];
    let threshold = runs
        .iter()
        .all(|r| r.threshold.to_bits() == first.threshold.to_bits())
        .then_some(first.threshold);
    let gate_mean = |layer: usize| {
        let values: Vec<f64> = runs.iter().filter_map(|r| r.gates[layer]).collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    Ok(Cell {
        key: key.to_string(),
        config: first.config.clone(),
        setting,
        seeds: runs.iter().map(|r| r.seed).collect(),
        summary,
        diverged: runs.iter().filter(|r| r.diverged).count(),
        threshold,
        gate_means: [gate_mean(0), gate_mean(1)],
    })
}
