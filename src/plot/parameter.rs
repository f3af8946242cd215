//! Which parameter a results directory's cells vary: the x axis of its
//! figure, found from the report rows.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::report::ReportRow;

/// A parameter of a cell that a figure can put on its x axis.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Parameter {
    /// The model: one position per model (when the cells vary nothing else).
    Model,
    Hidden,
    InputSize,
    SubsetRatio,
    OverlapRatio,
    Interpolation,
    Extrapolation,
    LambdaHat,
    Iterations,
    Layout,
    /// Any other parameter a row's `setting` label names (`batch_size`, ...).
    Other(String),
}

/// The `setting` names the typed parameters correspond to.
const TYPED: [(&str, Parameter); 9] = [
    ("hidden", Parameter::Hidden),
    ("input_size", Parameter::InputSize),
    ("subset_ratio", Parameter::SubsetRatio),
    ("overlap_ratio", Parameter::OverlapRatio),
    ("interpolation", Parameter::Interpolation),
    ("extrapolation", Parameter::Extrapolation),
    ("lambda_hat", Parameter::LambdaHat),
    ("iterations", Parameter::Iterations),
    ("layout", Parameter::Layout),
];

impl Parameter {
    /// The name `--x` takes and error messages use.
    pub fn name(&self) -> &str {
        match self {
            Parameter::Model => "model",
            Parameter::Other(n) => n,
            typed => TYPED
                .iter()
                .find(|(_, p)| p == typed)
                .map_or("?", |(n, _)| n),
        }
    }

    /// The parameter called `name` (also `input-size`, `subset`, `overlap`,
    /// `range`/`ranges`, `lambda`), among the typed ones and `others` (the
    /// names found in the rows' settings).
    pub fn parse(name: &str, others: &[String]) -> Option<Parameter> {
        let canonical = match name.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "model" | "models" => return Some(Parameter::Model),
            "hidden" | "hidden_size" => "hidden",
            "input_size" | "input" => "input_size",
            "subset_ratio" | "subset" => "subset_ratio",
            "overlap_ratio" | "overlap" => "overlap_ratio",
            "interpolation" | "interpolation_range" | "range" | "ranges" => "interpolation",
            "extrapolation" | "extrapolation_range" => "extrapolation",
            "lambda_hat" | "lambda" | "regularizer" => "lambda_hat",
            "iterations" => "iterations",
            "layout" | "toy" => "layout",
            other => {
                return others
                    .iter()
                    .find(|o| o.as_str() == other)
                    .map(|o| Parameter::Other(o.clone()))
            }
        };
        TYPED
            .iter()
            .find(|(n, _)| *n == canonical)
            .map(|(_, p)| p.clone())
    }

    /// The axis title.
    pub fn title(&self) -> String {
        match self {
            Parameter::Model => "model".into(),
            Parameter::Hidden => "hidden size".into(),
            Parameter::InputSize => "input size (number of inputs)".into(),
            Parameter::SubsetRatio => "subset ratio (fraction of the input in a and in b)".into(),
            Parameter::OverlapRatio => "overlap ratio (fraction of a subset shared)".into(),
            Parameter::Interpolation => "interpolation range (training)".into(),
            Parameter::Extrapolation => "extrapolation range (test)".into(),
            Parameter::LambdaHat => "regularizer strength lambda_hat".into(),
            Parameter::Iterations => "training iterations".into(),
            Parameter::Layout => "task layout".into(),
            Parameter::Other(n) => n.clone(),
        }
    }

    /// This parameter's value in `row`: its text, and its number where it
    /// has one.
    pub fn value(&self, row: &ReportRow) -> (String, Option<f64>) {
        let num = |v: f64| (crate::plot::scale::trim(v), Some(v));
        match self {
            Parameter::Model => (row.model.clone(), None),
            Parameter::Hidden => num(row.hidden as f64),
            Parameter::InputSize => num(row.input_size as f64),
            Parameter::SubsetRatio => row.subset_ratio.map_or(("-".into(), None), num),
            Parameter::OverlapRatio => row.overlap_ratio.map_or(("-".into(), None), num),
            Parameter::Interpolation => (row.interpolation_range.clone(), None),
            Parameter::Extrapolation => (row.extrapolation_range.clone(), None),
            Parameter::LambdaHat => num(row.lambda_hat),
            Parameter::Iterations => num(row.iterations as f64),
            Parameter::Layout => (row.layout.clone(), None),
            Parameter::Other(name) => (setting_value(&row.setting, name), None),
        }
    }
}

/// The value of `name` in a setting label (`hidden=3 lambda_hat=0`), or
/// `default` when the label does not name it.
fn setting_value(setting: &str, name: &str) -> String {
    setting
        .split_whitespace()
        .find_map(|t| t.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
        .unwrap_or("default")
        .to_string()
}

/// The parameter names the rows' settings use beyond the typed ones.
pub fn other_names(rows: &[ReportRow]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for row in rows {
        for token in row.setting.split_whitespace() {
            let name = token.split_once('=').map_or(token, |(n, _)| n);
            let typed = TYPED.iter().any(|(n, _)| *n == name) || name == "toy";
            if !typed && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

/// Every candidate parameter, in the order they are considered.
fn candidates(rows: &[ReportRow]) -> Vec<Parameter> {
    let mut all: Vec<Parameter> = TYPED.iter().map(|(_, p)| p.clone()).collect();
    all.extend(other_names(rows).into_iter().map(Parameter::Other));
    all
}

/// Whether `p` takes more than one value among the rows of one model and
/// operation.
fn varies(rows: &[ReportRow], p: &Parameter) -> bool {
    let mut seen: HashMap<(&str, &str), String> = HashMap::new();
    for row in rows {
        let v = p.value(row).0;
        match seen.get(&(row.model.as_str(), row.op.as_str())) {
            Some(first) if *first != v => return true,
            Some(_) => {}
            None => {
                seen.insert((&row.model, &row.op), v);
            }
        }
    }
    false
}

/// Whether the value of `b` follows from the value of `a` (and the model
/// and operation) in every row: the interpolation and extrapolation ranges
/// of the ranges sweep change together, so only one of them is a parameter.
fn follows(rows: &[ReportRow], a: &Parameter, b: &Parameter) -> bool {
    let mut seen: HashMap<(&str, &str, String), String> = HashMap::new();
    for row in rows {
        let key = (row.model.as_str(), row.op.as_str(), a.value(row).0);
        let v = b.value(row).0;
        if let Some(first) = seen.get(&key) {
            if *first != v {
                return false;
            }
        } else {
            seen.insert(key, v);
        }
    }
    true
}

/// The parameters the rows vary within a model and operation, leaving out
/// those that follow from an earlier one.
pub fn varying(rows: &[ReportRow]) -> Vec<Parameter> {
    let mut kept: Vec<Parameter> = Vec::new();
    for p in candidates(rows) {
        if varies(rows, &p) && !kept.iter().any(|k| follows(rows, k, &p)) {
            kept.push(p);
        }
    }
    kept
}

/// The x axis of `rows` and the other parameters that vary (which then
/// tell apart the series of one model): `requested` (a `--x` name) if
/// given, else the one parameter the rows vary, else the model.
///
/// # Errors
/// [`Error::InvalidArgument`] for an unknown `requested` name (listing the
/// names), or when the rows vary two or more parameters and none was
/// requested (naming them and suggesting `--x`).
pub fn choose(rows: &[ReportRow], requested: Option<&str>) -> Result<(Parameter, Vec<Parameter>)> {
    let varying = varying(rows);
    let x = match requested {
        Some(name) => {
            let others = other_names(rows);
            Parameter::parse(name, &others).ok_or_else(|| {
                let mut names: Vec<String> = vec!["model".into()];
                names.extend(TYPED.iter().map(|(n, _)| n.to_string()));
                names.extend(others);
                Error::invalid(
                    "x",
                    format!(
                        "no parameter `{name}`; --x takes one of {}",
                        names.join(", ")
                    ),
                )
            })?
        }
        None => match varying.len() {
            0 => Parameter::Model,
            1 => varying[0].clone(),
            _ => {
                let names: Vec<&str> = varying.iter().map(Parameter::name).collect();
                return Err(Error::invalid(
                    "x",
                    format!(
                        "the cells vary {} at once, so the x axis is ambiguous; choose one with \
                         --x {} (the others then tell the series apart), or select cells with \
                         --models/--ops",
                        names.join(" and "),
                        names.join(" or --x ")
                    ),
                ));
            }
        },
    };
    let rest = varying
        .into_iter()
        .filter(|p| *p != x && !follows(rows, &x, p))
        .collect();
    Ok((x, rest))
}
