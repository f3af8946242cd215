//! The `setting` label of a table row: what a configuration changes with
//! respect to the protocol's defaults for its model and operation.
//!
//! The defaults of a configuration are
//! `RunConfig::new(model with hidden size 2 and one output, TaskConfig::new(op))`
//! (or the toy task with the same operation, for a toy configuration), so the
//! defaults of the regularizer and of the iteration count follow the model
//! and the task as the protocol gives them. Model kinds are not part of the
//! label: the `model` column names them.

use crate::experiment::RunConfig;
use crate::task::{Layout, TaskConfig};
use crate::units::ModelSpec;

/// One parameter of a configuration as it appears in a setting label.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Facet {
    /// Which parameter; facets of different configurations with the same
    /// name describe the same parameter.
    pub name: &'static str,
    /// The label text, e.g. `hidden=3`; empty when the parameter has no
    /// meaning for this configuration (the ratios of the toy task, the ramp
    /// of a regularizer that is off).
    pub text: String,
    /// Whether the value differs from the configuration's defaults.
    pub differs: bool,
}

/// The defaults a configuration is compared with.
fn defaults(config: &RunConfig) -> RunConfig {
    let task = match config.task.layout {
        Layout::Toy => TaskConfig {
            operation: config.task.operation,
            ..TaskConfig::toy()
        },
        Layout::Subsets => TaskConfig::new(config.task.operation),
        // The single-module benchmark with the default ranges [1,2] ->
        // [2,6]; its sweeps vary them, so every row names its range.
        Layout::Single => TaskConfig {
            operation: config.task.operation,
            input_size: 2,
            layout: Layout::Single,
            ..TaskConfig::default()
        },
    };
    let hidden = if task.layout == Layout::Single { 0 } else { 2 };
    let model = ModelSpec {
        inputs: task.input_size,
        hidden,
        outputs: 1,
        ..config.model
    };
    RunConfig::new(model, task)
}

fn facet(name: &'static str, text: String, differs: bool) -> Facet {
    Facet {
        name,
        text,
        differs,
    }
}

/// Every parameter of `config` that can differ from its defaults, in a
/// fixed order.
pub(crate) fn facets(config: &RunConfig) -> Vec<Facet> {
    let base = defaults(config);
    let (task, base_task) = (&config.task, &base.task);
    // The toy and the single-module task ignore both ratios.
    let toy = task.layout != Layout::Subsets;
    let layout = match task.layout {
        Layout::Subsets => "",
        Layout::Toy => "toy",
        Layout::Single => "single",
    };
    let (reg, base_reg) = (&config.regularizer, &base.regularizer);
    let ramp_differs =
        (reg.t_start(), reg.t_end()) != (base_reg.t_start(), base_reg.t_end()) && !reg.is_off();
    vec![
        facet("layout", layout.to_string(), toy),
        facet(
            "input_size",
            format!("input_size={}", task.input_size),
            task.input_size != base_task.input_size,
        ),
        // The model's input count only shows when it disagrees with the
        // task's (a configuration that cannot run, but may sit in a file).
        facet(
            "model_inputs",
            if config.model.inputs == task.input_size {
                String::new()
            } else {
                format!("model_inputs={}", config.model.inputs)
            },
            config.model.inputs != task.input_size,
        ),
        facet(
            "hidden",
            format!("hidden={}", config.model.hidden),
            config.model.hidden != base.model.hidden,
        ),
        facet(
            "outputs",
            format!("outputs={}", config.model.outputs),
            config.model.outputs != base.model.outputs,
        ),
        // The toy task ignores both ratios.
        facet(
            "subset_ratio",
            if toy {
                String::new()
            } else {
                format!("subset_ratio={}", task.subset_ratio)
            },
            !toy && task.subset_ratio != base_task.subset_ratio,
        ),
        facet(
            "overlap_ratio",
            if toy {
                String::new()
            } else {
                format!("overlap_ratio={}", task.overlap_ratio)
            },
            !toy && task.overlap_ratio != base_task.overlap_ratio,
        ),
        facet(
            "interpolation",
            format!("interpolation={}", task.interpolation_range),
            task.interpolation_range != base_task.interpolation_range,
        ),
        facet(
            "extrapolation",
            format!("extrapolation={}", task.extrapolation_range),
            task.extrapolation_range != base_task.extrapolation_range,
        ),
        facet(
            "lambda_hat",
            format!("lambda_hat={}", reg.lambda_hat()),
            reg.lambda_hat() != base_reg.lambda_hat(),
        ),
        facet(
            "lambda_ramp",
            if reg.is_off() {
                String::new()
            } else {
                format!("lambda_ramp={}..{}", reg.t_start(), reg.t_end())
            },
            ramp_differs,
        ),
        facet(
            "iterations",
            format!("iterations={}", config.iterations),
            config.iterations != base.iterations,
        ),
        facet(
            "batch_size",
            format!("batch_size={}", config.batch_size),
            config.batch_size != base.batch_size,
        ),
        facet(
            "eval_every",
            format!("eval_every={}", config.eval_every),
            config.eval_every != base.eval_every,
        ),
        facet(
            "eval_rows",
            format!("eval_rows={}", config.eval_rows),
            config.eval_rows != base.eval_rows,
        ),
        facet(
            "learning_rate",
            format!("learning_rate={}", config.learning_rate),
            config.learning_rate != base.learning_rate,
        ),
        facet(
            "precision",
            format!("precision={}", config.precision),
            config.precision != base.precision,
        ),
    ]
}

/// Joins the texts of the facets whose names are in `shown`.
pub(crate) fn label(facets: &[Facet], shown: &[&'static str]) -> String {
    let texts: Vec<&str> = facets
        .iter()
        .filter(|f| shown.contains(&f.name) && !f.text.is_empty())
        .map(|f| f.text.as_str())
        .collect();
    texts.join(" ")
}

/// What `config` changes with respect to the protocol's defaults for its model
/// and operation, as a compact label: `hidden=3`, `input_size=10`,
/// `interpolation=[-2,-1] extrapolation=[-6,-2]`, `lambda_hat=0.1`,
/// `toy`, ...; empty when nothing differs.
///
/// The defaults are those of [`RunConfig::new`] for the same layer kinds
/// with hidden size 2, on [`TaskConfig::new`] with the same operation (on
/// [`TaskConfig::toy`] for a toy configuration). A table labels its rows
/// with [`crate::report::Table`]'s own rule, which also shows default values
/// of parameters that other rows change.
///
/// ```
/// use arithgrad::experiment::RunConfig;
/// use arithgrad::report::setting;
/// use arithgrad::task::{Operation, TaskConfig};
/// use arithgrad::units::ModelKind;
/// let default = RunConfig::new(ModelKind::Nmu.spec(100, 2), TaskConfig::new(Operation::Mul));
/// assert_eq!(setting(&default), "");
/// let wider = RunConfig::new(ModelKind::Nmu.spec(100, 3), TaskConfig::new(Operation::Mul));
/// assert_eq!(setting(&wider), "hidden=3");
/// ```
pub fn setting(config: &RunConfig) -> String {
    let facets = facets(config);
    let shown: Vec<&'static str> = facets
        .iter()
        .filter(|f| f.differs)
        .map(|f| f.name)
        .collect();
    label(&facets, &shown)
}
