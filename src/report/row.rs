//! The flat, machine-readable form of a table row (CSV columns and JSON
//! fields).

use serde::Serialize;

use crate::stats::{Estimate, IntervalMethod};
use crate::task::Layout;

use super::table::{Cell, Table};

/// One table row with stable, documented field names: the CSV header and
/// the keys of each JSON line, in this order.
///
/// Missing values are `null` in JSON and empty fields in CSV. Interval
/// methods are snake-case codes; `*_ci_reason` says why a fit fell back to a
/// Student-t interval or why there is no interval.
///
/// | field | meaning |
/// |---|---|
/// | `model` | model name (`nmu`, `nac-mul`, or `layer1/layer2` for other layer pairs) |
/// | `op` | operation (`add`, `sub`, `mul`, `div`, `squared`, `root`) |
/// | `setting` | what the configuration changes from the protocol's defaults, e.g. `hidden=3` (empty for defaults) |
/// | `key` | the configuration's full key (everything but the seed) |
/// | `layout` | `subsets`, or `toy` for the 10-parameter toy task |
/// | `input_size` | the task's input size `n` |
/// | `hidden` | the model's hidden size |
/// | `subset_ratio`, `overlap_ratio` | the task's ratios (`null` for the toy task, which ignores them) |
/// | `interpolation_range`, `extrapolation_range` | the task's ranges, e.g. `[1,2]`, `[-6,-2]u[2,6]` |
/// | `lambda_hat` | the regularizer's full strength (0: no regularizer) |
/// | `iterations` | training iterations per run |
/// | `runs` | number of runs (distinct seeds) |
/// | `solved` | number of solved runs |
/// | `diverged` | number of runs stopped at a non-finite loss or weights |
/// | `confidence` | confidence level of every interval (0.95) |
/// | `success_rate` | `solved / runs` |
/// | `success_ci_low`, `success_ci_high` | its interval |
/// | `success_ci_method` | `wilson` |
/// | `solved_at_median` | median first step with test MSE below the threshold (solved runs) |
/// | `solved_at_mean` | mean of the same steps |
/// | `solved_at_ci_low`, `solved_at_ci_high` | interval of the mean |
/// | `solved_at_ci_method` | `gamma_profile_likelihood`, `student_t` (fallback) or `no_interval` |
/// | `solved_at_ci_reason` | fallback or no-interval reason: `all_equal`, `too_little_spread`, `outside_support`, `not_converged`, `no_values`, `one_value`; else `null` |
/// | `sparsity_error_mean` | mean sparsity error at the judged checkpoint (solved runs) |
/// | `sparsity_error_ci_low`, `sparsity_error_ci_high` | its interval |
/// | `sparsity_error_ci_method` | `beta_profile_likelihood` (beta on `[0, 0.5]`), `student_t` (fallback) or `no_interval` |
/// | `sparsity_error_ci_reason` | as `solved_at_ci_reason` |
/// | `sparsity_error_boundary_values` | values at 0 or 0.5 moved inside for the beta fit (0 for other methods) |
/// | `threshold` | the success threshold (test MSE); `null` if the runs used different thresholds |
/// | `gate_layer1_mean`, `gate_layer2_mean` | mean gate value of the layer at the judged checkpoint, averaged over runs (`null` for layers without a gate); near 1 the NALU uses its NAC+ and the gated unit its NAU |
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportRow {
    pub model: String,
    pub op: String,
    pub setting: String,
    pub key: String,
    pub layout: String,
    pub input_size: usize,
    pub hidden: usize,
    pub subset_ratio: Option<f64>,
    pub overlap_ratio: Option<f64>,
    pub interpolation_range: String,
    pub extrapolation_range: String,
    pub lambda_hat: f64,
    pub iterations: u64,
    pub runs: usize,
    pub solved: usize,
    pub diverged: usize,
    pub confidence: f64,
    pub success_rate: Option<f64>,
    pub success_ci_low: Option<f64>,
    pub success_ci_high: Option<f64>,
    pub success_ci_method: String,
    pub solved_at_median: Option<f64>,
    pub solved_at_mean: Option<f64>,
    pub solved_at_ci_low: Option<f64>,
    pub solved_at_ci_high: Option<f64>,
    pub solved_at_ci_method: String,
    pub solved_at_ci_reason: Option<String>,
    pub sparsity_error_mean: Option<f64>,
    pub sparsity_error_ci_low: Option<f64>,
    pub sparsity_error_ci_high: Option<f64>,
    pub sparsity_error_ci_method: String,
    pub sparsity_error_ci_reason: Option<String>,
    pub sparsity_error_boundary_values: usize,
    pub threshold: Option<f64>,
    pub gate_layer1_mean: Option<f64>,
    pub gate_layer2_mean: Option<f64>,
}

/// A value of a [`ReportRow`] field, for the text formats.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Field<'a> {
    Text(&'a str),
    Count(u64),
    Number(f64),
    Missing,
}

impl ReportRow {
    /// The field names, in column order.
    pub const FIELDS: [&'static str; 36] = [
        "model",
        "op",
        "setting",
        "key",
        "layout",
        "input_size",
        "hidden",
        "subset_ratio",
        "overlap_ratio",
        "interpolation_range",
        "extrapolation_range",
        "lambda_hat",
        "iterations",
        "runs",
        "solved",
        "diverged",
        "confidence",
        "success_rate",
        "success_ci_low",
        "success_ci_high",
        "success_ci_method",
        "solved_at_median",
        "solved_at_mean",
        "solved_at_ci_low",
        "solved_at_ci_high",
        "solved_at_ci_method",
        "solved_at_ci_reason",
        "sparsity_error_mean",
        "sparsity_error_ci_low",
        "sparsity_error_ci_high",
        "sparsity_error_ci_method",
        "sparsity_error_ci_reason",
        "sparsity_error_boundary_values",
        "threshold",
        "gate_layer1_mean",
        "gate_layer2_mean",
    ];

    /// The row of `cell`.
    pub fn from_cell(cell: &Cell) -> ReportRow {
        let c = &cell.config;
        let s = &cell.summary;
        let toy = c.task.layout != Layout::Subsets;
        let low = |e: &Estimate| e.interval.map(|i| i.lower);
        let high = |e: &Estimate| e.interval.map(|i| i.upper);
        let reason = |e: &Estimate| e.method.reason_code().map(str::to_string);
        ReportRow {
            model: c.model.name(),
            op: c.task.operation.name().to_string(),
            setting: cell.setting.clone(),
            key: cell.key.clone(),
            layout: match c.task.layout {
                Layout::Subsets => "subsets",
                Layout::Toy => "toy",
                Layout::Single => "single",
            }
            .to_string(),
            input_size: c.task.input_size,
            hidden: c.model.hidden,
            subset_ratio: (!toy).then_some(c.task.subset_ratio),
            overlap_ratio: (!toy).then_some(c.task.overlap_ratio),
            interpolation_range: c.task.interpolation_range.to_string(),
            extrapolation_range: c.task.extrapolation_range.to_string(),
            lambda_hat: c.regularizer.lambda_hat(),
            iterations: c.iterations,
            runs: s.runs,
            solved: s.solved,
            diverged: cell.diverged,
            confidence: s.success_rate.confidence,
            success_rate: s.success_rate.value,
            success_ci_low: low(&s.success_rate),
            success_ci_high: high(&s.success_rate),
            success_ci_method: s.success_rate.method.code().to_string(),
            solved_at_median: s.solved_at_median,
            solved_at_mean: s.solved_at_mean.value,
            solved_at_ci_low: low(&s.solved_at_mean),
            solved_at_ci_high: high(&s.solved_at_mean),
            solved_at_ci_method: s.solved_at_mean.method.code().to_string(),
            solved_at_ci_reason: reason(&s.solved_at_mean),
            sparsity_error_mean: s.sparsity_error_mean.value,
            sparsity_error_ci_low: low(&s.sparsity_error_mean),
            sparsity_error_ci_high: high(&s.sparsity_error_mean),
            sparsity_error_ci_method: s.sparsity_error_mean.method.code().to_string(),
            sparsity_error_ci_reason: reason(&s.sparsity_error_mean),
            sparsity_error_boundary_values: match s.sparsity_error_mean.method {
                IntervalMethod::BetaProfileLikelihood { clamped } => clamped,
                _ => 0,
            },
            threshold: cell.threshold,
            gate_layer1_mean: cell.gate_means[0],
            gate_layer2_mean: cell.gate_means[1],
        }
    }

    /// The values in the order of [`ReportRow::FIELDS`].
    pub(crate) fn fields(&self) -> [Field<'_>; 36] {
        use Field::{Count, Text};
        let num = |v: Option<f64>| v.map_or(Field::Missing, Field::Number);
        [
            Text(&self.model),
            Text(&self.op),
            Text(&self.setting),
            Text(&self.key),
            Text(&self.layout),
            Count(self.input_size as u64),
            Count(self.hidden as u64),
            num(self.subset_ratio),
            num(self.overlap_ratio),
            Text(&self.interpolation_range),
            Text(&self.extrapolation_range),
            Field::Number(self.lambda_hat),
            Count(self.iterations),
            Count(self.runs as u64),
            Count(self.solved as u64),
            Count(self.diverged as u64),
            Field::Number(self.confidence),
            num(self.success_rate),
            num(self.success_ci_low),
            num(self.success_ci_high),
            Text(&self.success_ci_method),
            num(self.solved_at_median),
            num(self.solved_at_mean),
            num(self.solved_at_ci_low),
            num(self.solved_at_ci_high),
            Text(&self.solved_at_ci_method),
            opt_text(&self.solved_at_ci_reason),
            num(self.sparsity_error_mean),
            num(self.sparsity_error_ci_low),
            num(self.sparsity_error_ci_high),
            Text(&self.sparsity_error_ci_method),
            opt_text(&self.sparsity_error_ci_reason),
            Count(self.sparsity_error_boundary_values as u64),
            num(self.threshold),
            num(self.gate_layer1_mean),
            num(self.gate_layer2_mean),
        ]
    }
}

fn opt_text(v: &Option<String>) -> Field<'_> {
    match v {
        Some(t) => Field::Text(t),
        None => Field::Missing,
    }
}

impl Table {
    /// The rows in the flat form of the CSV and JSON outputs.
    pub fn rows(&self) -> Vec<ReportRow> {
        self.cells().iter().map(ReportRow::from_cell).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_the_serialised_names_in_order() {
        let table = Table::from_records(&[]).unwrap();
        assert!(table.rows().is_empty());
        let row = ReportRow {
            model: "nmu".into(),
            op: "mul".into(),
            setting: String::new(),
            key: "k".into(),
            layout: "subsets".into(),
            input_size: 100,
            hidden: 2,
            subset_ratio: Some(0.25),
            overlap_ratio: Some(0.5),
            interpolation_range: "[1,2]".into(),
            extrapolation_range: "[2,6]".into(),
            lambda_hat: 10.0,
            iterations: 5,
            runs: 1,
            solved: 0,
            diverged: 0,
            confidence: 0.95,
            success_rate: Some(0.0),
            success_ci_low: Some(0.0),
            success_ci_high: Some(0.8),
            success_ci_method: "wilson".into(),
            solved_at_median: None,
            solved_at_mean: None,
            solved_at_ci_low: None,
            solved_at_ci_high: None,
            solved_at_ci_method: "no_interval".into(),
            solved_at_ci_reason: Some("no_values".into()),
            sparsity_error_mean: None,
            sparsity_error_ci_low: None,
            sparsity_error_ci_high: None,
            sparsity_error_ci_method: "no_interval".into(),
            sparsity_error_ci_reason: Some("no_values".into()),
            sparsity_error_boundary_values: 0,
            threshold: Some(1e-9),
            gate_layer1_mean: None,
            gate_layer2_mean: None,
        };
        let json = serde_json::to_string(&row).unwrap();
        let mut rest = json.as_str();
        for name in ReportRow::FIELDS {
            let at = rest
                .find(&format!("\"{name}\":"))
                .unwrap_or_else(|| panic!("{name} missing or out of order in {json}"));
            rest = &rest[at + name.len()..];
        }
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value.as_object().unwrap().len(), ReportRow::FIELDS.len());
        // The text fields line up with the names too.
        let fields = row.fields();
        assert_eq!(fields[0], Field::Text("nmu"));
        assert_eq!(fields[26], Field::Text("no_values"));
        assert_eq!(fields[33], Field::Number(1e-9));
        assert_eq!(fields[35], Field::Missing);
    }
}
