//! What one training run is: a model, a task, and the training protocol of
//! docs/protocol.md, section 3.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::task::{Layout, TaskConfig};
use crate::units::{ModelSpec, RegularizerSchedule, TrainingRules};
use crate::Compat;

/// The parameter type a run trains in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// `f32`, like the reference implementation (the default).
    #[default]
    F32,
    /// `f64`.
    F64,
}

impl Precision {
    /// The element type's name, as in files and tables: "f32" or "f64".
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that determines a run except its seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// The model (layer kinds and sizes; `spec.inputs` must equal the task's input size).
    pub model: ModelSpec,
    /// The task.
    pub task: TaskConfig,
    /// Training iterations (the protocol's 5,000,000; the toy uses 200,000; a
    /// preset may give each cell its own, e.g. input-size's 10,000,000 and
    /// 15,000,000 for its large inputs).
    pub iterations: u64,
    /// The judged checkpoint is searched among the evaluations of the last
    /// `checkpoint_window` iterations of the run: steps `s` with
    /// `s > iterations - checkpoint_window`. The reference's export scripts
    /// search the last 5,000 evaluations (`best.range = 5000`, i.e.
    /// 5,000,000 iterations, the default) and 15,000,000 iterations for the
    /// input-size experiment; a window at least as long as the run searches
    /// all of it. Step 0 is never a candidate, except with
    /// [`Compat::Published`] when the window reaches back to it (see
    /// [`super::judge_with`]).
    #[serde(default = "default_checkpoint_window")]
    pub checkpoint_window: u64,
    /// Batch size of the fresh training batch drawn every step (128).
    pub batch_size: usize,
    /// Validation and test MSE are evaluated at step 0 and every this many steps (1000).
    pub eval_every: u64,
    /// Rows of the fixed validation and test sets (10,000).
    pub eval_rows: usize,
    /// The sparsity-regularizer schedule `lambda(t)` (by default the one the
    /// protocol gives for this model).
    pub regularizer: RegularizerSchedule,
    /// Adam's learning rate (1e-3 unless the model's units ask for their
    /// own; betas, eps and weight decay are PyTorch's defaults).
    pub learning_rate: f64,
    /// What the model's units ask of the training loop beyond the common
    /// protocol: clipping, an extra loss term, reinitialisation (by default
    /// [`ModelSpec::training_rules`]; see [`TrainingRules`]). Its
    /// `learning_rate` has already been copied into `learning_rate` by
    /// [`RunConfig::new`]. Omitted from files when empty, so records of
    /// models without rules read and write as before.
    #[serde(default, skip_serializing_if = "TrainingRules::is_none")]
    pub rules: TrainingRules,
    /// Evaluate the validation and test MSE with the weights widened to
    /// `f64` and `f64` inputs and targets, whatever the training precision
    /// (the single-module benchmark: its thresholds are a `1e-5` relative
    /// perturbation, only about a hundred `f32` ulps of the targets, so `f32`
    /// rounding in the unit's own output would be a visible share of them).
    /// Omitted from files when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub eval_f64: bool,
    /// Parameter type.
    pub precision: Precision,
    /// The computation the run's judgement and threshold follow (the correct
    /// one by default; [`Compat::Published`] for the authors' scripts').
    #[serde(default)]
    pub compat: Compat,
}

/// The reference export's checkpoint window: 5,000 evaluations, one every
/// 1,000 iterations.
pub const DEFAULT_CHECKPOINT_WINDOW: u64 = 5_000_000;

fn default_checkpoint_window() -> u64 {
    DEFAULT_CHECKPOINT_WINDOW
}

impl RunConfig {
    /// The protocol (docs/protocol.md) for `model` on `task`: 5e6 iterations (2e5 for
    /// the toy; 5e4 with the regularizer ramped over 2e4 -> 3.5e4 and `f64`
    /// evaluation for the single-module task), batch 128, evaluation every 1000 steps on 10,000 rows, the
    /// model's regularizer schedule, Adam with lr 1e-3 (or the units' own),
    /// the units' [`TrainingRules`], f32.
    pub fn new(model: ModelSpec, task: TaskConfig) -> RunConfig {
        let iterations = match task.layout {
            Layout::Toy => 200_000,
            Layout::Single => 50_000,
            Layout::Subsets => 5_000_000,
        };
        // The single-module benchmark ramps the same lambda_hat over steps
        // 20,000 -> 35,000 of its 50,000.
        let regularizer = match task.layout {
            Layout::Single => {
                RegularizerSchedule::new(model.regularizer_schedule().lambda_hat(), 20_000, 35_000)
                    .expect("a valid schedule with another ramp is valid")
            }
            _ => model.regularizer_schedule(),
        };
        let eval_f64 = task.layout == Layout::Single;
        let rules = model.training_rules();
        RunConfig {
            regularizer,
            eval_f64,
            learning_rate: rules.learning_rate.unwrap_or(1e-3),
            rules,
            model,
            task,
            iterations,
            checkpoint_window: DEFAULT_CHECKPOINT_WINDOW,
            batch_size: 128,
            eval_every: 1000,
            eval_rows: 10_000,
            precision: Precision::F32,
            compat: Compat::Default,
        }
    }

    /// An error naming the first parameter that cannot work.
    pub fn validate(&self) -> Result<()> {
        self.task.validate()?;
        self.model.validate()?;
        let n = self.task.input_size;
        if self.model.inputs != n {
            return Err(Error::invalid(
                "model inputs",
                format!(
                    "the model takes {} inputs but the task has input size {n}",
                    self.model.inputs
                ),
            ));
        }
        if self.model.outputs != 1 {
            return Err(Error::invalid(
                "model outputs",
                format!("the task has one output, the model {}", self.model.outputs),
            ));
        }
        if self.batch_size == 0 {
            return Err(Error::invalid("batch_size", "must be at least 1"));
        }
        if self.checkpoint_window == 0 {
            return Err(Error::invalid("checkpoint_window", "must be at least 1"));
        }
        if self.eval_every == 0 {
            return Err(Error::invalid("eval_every", "must be at least 1"));
        }
        if self.eval_rows == 0 {
            return Err(Error::invalid("eval_rows", "must be at least 1"));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::invalid(
                "learning_rate",
                format!("must be positive and finite, got {}", self.learning_rate),
            ));
        }
        self.rules.validate()
    }

    /// A stable text key of everything that determines a run except its
    /// seed: records with the same key and seed are the same run (used to
    /// resume sweeps and to group records into table cells). It starts with
    /// the crate version, so a sweep resumed with a different version of the
    /// code reruns its runs instead of mixing results from two versions;
    /// it ends with ` compat=published` for [`Compat::Published`], so the
    /// two modes never mix either.
    pub fn key(&self) -> String {
        let r = &self.regularizer;
        format!(
            "arithgrad={} model={} sizes={}-{}-{} task=[{}] reg={}@{}..{} iterations={} window={} batch={} eval={}x{} lr={} precision={:?}{}",
            env!("CARGO_PKG_VERSION"),
            self.model.name(),
            self.model.inputs,
            self.model.hidden,
            self.model.outputs,
            self.task.cache_key(),
            r.lambda_hat(),
            r.t_start(),
            r.t_end(),
            self.iterations,
            self.checkpoint_window,
            self.batch_size,
            self.eval_every,
            self.eval_rows,
            self.learning_rate,
            self.precision,
            self.compat.key_suffix()
        ) + &rules_key(&self.rules)
            + if self.eval_f64 { " eval=f64" } else { "" }
    }
}

/// The rules' part of a run key: empty for a model without rules, so the
/// keys of every run from before the rules existed are unchanged.
fn rules_key(rules: &TrainingRules) -> String {
    if rules.is_none() {
        String::new()
    } else {
        format!(" rules=[{}]", rules.key())
    }
}
