//! `arithgrad threshold`: the success threshold of one task configuration.

use serde::Serialize;

use super::args::ThresholdArgs;
use super::config::{check_compat_geometry, check_threshold_samples, compat, task_config};
use super::error::CliResult;
use super::output::{sci, thousands, Stdout};
use super::thresholds::{thresholds_of, user_cache};
use crate::task::{threshold_cache_key_with, TaskConfig};
use crate::Compat;

/// The JSON line of `threshold --json`.
#[derive(Serialize)]
pub struct ThresholdLine<'a> {
    /// The operation (`mul`, ...).
    pub op: &'static str,
    /// The threshold: the test MSE of the nearly perfect model (`null` if
    /// not finite).
    pub threshold: f64,
    /// Its Monte-Carlo standard error (`null` for one sample).
    pub standard_error: f64,
    pub samples: usize,
    pub seed: u64,
    /// Every task parameter.
    pub task: &'a TaskConfig,
    /// `default`, or `published` for the authors' R geometry.
    pub compat: Compat,
    /// The cache key: names everything the threshold depends on.
    pub key: String,
}

pub fn threshold(args: &ThresholdArgs) -> CliResult {
    let task = task_config(&args.op, &args.task)?;
    check_threshold_samples(args.samples)?;
    let mode = compat(&args.compat)?;
    check_compat_geometry(&task, mode)?;
    let t = thresholds_of(
        &mut user_cache().with_compat(mode),
        std::slice::from_ref(&task),
        args.samples,
        args.seed,
        1,
    )?[0];
    let mut out = Stdout::new();
    if args.json {
        out.json_line(&ThresholdLine {
            op: task.operation.name(),
            threshold: t.mse,
            standard_error: t.standard_error,
            samples: t.samples,
            seed: t.seed,
            task: &task,
            compat: mode,
            key: threshold_cache_key_with(&task, args.samples, args.seed, mode),
        })
    } else {
        let geometry = if mode.is_published() {
            ", on the published R geometry"
        } else {
            ""
        };
        out.line(format!(
            "threshold of {task}: {} (standard error {}, {} samples, seed {}{geometry})",
            sci(t.mse),
            sci(t.standard_error),
            thousands(t.samples as u64),
            t.seed
        ))
    }
}
