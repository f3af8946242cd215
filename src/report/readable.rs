//! The human-readable table (columns, compact numbers, interval-method
//! notes), shared by the Markdown and LaTeX outputs, which only differ in
//! syntax.

use crate::stats::{Estimate, IntervalMethod, NoIntervalReason};

use super::number::{rate, real, steps};
use super::table::{Cell, Table};

/// One entry of the human-readable table. Text is raw (each format
/// escapes it); numbers are already in their compact form.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Entry {
    Text(String),
    Number(String),
    /// A point estimate, its interval, and the index of the note that names
    /// an unusual interval method (see [`Readable::marks`]).
    Estimate {
        value: String,
        interval: Option<(String, String)>,
        mark: Option<usize>,
    },
    Missing,
}

/// The table as the Markdown and LaTeX outputs show it.
#[derive(Clone, Debug)]
pub(crate) struct Readable {
    pub headers: Vec<&'static str>,
    /// The leading columns that hold text (model, op and perhaps setting);
    /// the others hold numbers.
    pub text_columns: usize,
    pub rows: Vec<Vec<Entry>>,
    /// Notes printed under the table.
    pub notes: Vec<String>,
    /// Descriptions of the unusual interval methods (fallbacks, single
    /// values, clamped beta fits), in order of first use; an entry's `mark`
    /// indexes this list.
    pub marks: Vec<String>,
}

/// The three statistics with intervals, and the method each normally uses.
#[derive(Clone, Copy)]
enum Statistic {
    Success,
    SolvedAt,
    Sparsity,
}

impl Statistic {
    fn column(self) -> &'static str {
        match self {
            Statistic::Success => "success",
            Statistic::SolvedAt => "solved at (mean)",
            Statistic::Sparsity => "sparsity error (mean)",
        }
    }

    fn usual(self) -> IntervalMethod {
        match self {
            Statistic::Success => IntervalMethod::Wilson,
            Statistic::SolvedAt => IntervalMethod::GammaProfileLikelihood,
            Statistic::Sparsity => IntervalMethod::BetaProfileLikelihood { clamped: 0 },
        }
    }

    fn estimate(self, cell: &Cell) -> &Estimate {
        match self {
            Statistic::Success => &cell.summary.success_rate,
            Statistic::SolvedAt => &cell.summary.solved_at_mean,
            Statistic::Sparsity => &cell.summary.sparsity_error_mean,
        }
    }

    fn format(self, v: f64, cell: &Cell) -> String {
        match self {
            Statistic::Success => rate(v, cell.summary.runs),
            Statistic::SolvedAt => steps(v),
            Statistic::Sparsity => real(v),
        }
    }
}

const STATISTICS: [Statistic; 3] = [Statistic::Success, Statistic::SolvedAt, Statistic::Sparsity];

struct Methods {
    usual_used: [bool; 3],
    unusual: Vec<IntervalMethod>,
}

impl Methods {
    /// Records the method of `stat` in `cell`; the mark to print with it.
    fn note(&mut self, index: usize, stat: Statistic, e: &Estimate) -> Option<usize> {
        let no_values = IntervalMethod::NoInterval {
            reason: NoIntervalReason::NoValues,
        };
        if e.method == stat.usual() {
            self.usual_used[index] = true;
            None
        } else if e.method == no_values {
            // Shown as a dash: nothing to explain.
            None
        } else {
            match self.unusual.iter().position(|m| *m == e.method) {
                Some(i) => Some(i),
                None => {
                    self.unusual.push(e.method);
                    Some(self.unusual.len() - 1)
                }
            }
        }
    }
}

fn estimate_entry(methods: &mut Methods, index: usize, stat: Statistic, cell: &Cell) -> Entry {
    let e = stat.estimate(cell);
    let mark = methods.note(index, stat, e);
    match e.value {
        None => Entry::Missing,
        Some(v) => Entry::Estimate {
            value: stat.format(v, cell),
            interval: e
                .interval
                .map(|i| (stat.format(i.lower, cell), stat.format(i.upper, cell))),
            mark,
        },
    }
}

impl Readable {
    pub(crate) fn of(table: &Table) -> Readable {
        let cells = table.cells();
        let with_setting = cells.iter().any(|c| !c.setting.is_empty());
        let with_gate = [0, 1].map(|l| cells.iter().any(|c| c.gate_means[l].is_some()));
        let mut headers = vec!["model", "op"];
        if with_setting {
            headers.push("setting");
        }
        headers.extend([
            "runs",
            "success",
            "solved at (median)",
            "solved at (mean)",
            "sparsity error (mean)",
            "diverged",
            "threshold",
        ]);
        if with_gate[0] {
            headers.push("gate 1");
        }
        if with_gate[1] {
            headers.push("gate 2");
        }
        let mut methods = Methods {
            usual_used: [false; 3],
            unusual: Vec::new(),
        };
        let mut mixed_threshold = false;
        let rows = cells
            .iter()
            .map(|cell| {
                let mut row = vec![
                    Entry::Text(cell.config.model.name()),
                    Entry::Text(cell.config.task.operation.name().to_string()),
                ];
                if with_setting {
                    row.push(Entry::Text(cell.setting.clone()));
                }
                row.push(Entry::Number(cell.summary.runs.to_string()));
                row.push(estimate_entry(&mut methods, 0, Statistic::Success, cell));
                row.push(match cell.summary.solved_at_median {
                    Some(m) => Entry::Number(steps(m)),
                    None => Entry::Missing,
                });
                row.push(estimate_entry(&mut methods, 1, Statistic::SolvedAt, cell));
                row.push(estimate_entry(&mut methods, 2, Statistic::Sparsity, cell));
                row.push(Entry::Number(cell.diverged.to_string()));
                row.push(match cell.threshold {
                    Some(t) => Entry::Number(real(t)),
                    None => {
                        mixed_threshold = true;
                        Entry::Text("mixed".into())
                    }
                });
                for (shown, gate) in with_gate.iter().zip(cell.gate_means) {
                    if *shown {
                        row.push(gate.map_or(Entry::Missing, |g| Entry::Number(real(g))));
                    }
                }
                row
            })
            .collect();
        let confidence = cells
            .first()
            .map_or(0.95, |c| c.summary.success_rate.confidence);
        let mut notes = Vec::new();
        let usual: Vec<String> = STATISTICS
            .iter()
            .zip(methods.usual_used)
            .filter(|(_, used)| *used)
            .map(|(s, _)| format!("{}: {}", s.column(), s.usual()))
            .collect();
        let level = format!("{}% confidence intervals.", confidence * 100.0);
        notes.push(if usual.is_empty() {
            level
        } else {
            format!("{level} {}.", capitalise(&usual.join("; ")))
        });
        notes.push(
            "Solved at: first evaluated iteration with test MSE below the threshold \
             (k: thousands, M: millions); solved at and sparsity error over solved runs only."
                .into(),
        );
        if with_gate[0] || with_gate[1] {
            notes.push(
                "gate 1, gate 2: the layer's mean gate value at the judged checkpoint, \
                 averaged over runs (near 1: the additive path, near 0: the \
                 multiplicative one)."
                    .into(),
            );
        }
        if mixed_threshold {
            notes.push(
                "mixed: the runs of this cell were judged against different thresholds.".into(),
            );
        }
        Readable {
            text_columns: if with_setting { 3 } else { 2 },
            headers,
            rows,
            notes,
            marks: methods.unusual.iter().map(|m| m.to_string()).collect(),
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The `index`-th mark from a list of symbols: each symbol once, then each
/// twice, and so on (`†`, `‡`, ..., `††`, ...).
pub(crate) fn mark_symbol(index: usize, symbols: &[&str]) -> String {
    symbols[index % symbols.len()].repeat(index / symbols.len() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_cycle_through_the_symbols_then_double() {
        let symbols = ["a", "b", "c"];
        let marks: Vec<String> = (0..7).map(|i| mark_symbol(i, &symbols)).collect();
        assert_eq!(marks, ["a", "b", "c", "aa", "bb", "cc", "aaa"]);
        assert_eq!(capitalise("success: x"), "Success: x");
        assert_eq!(capitalise(""), "");
    }
}
