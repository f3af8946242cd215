//! `arithgrad bench`: microseconds per training step, on one thread.

use super::args::BenchArgs;
use super::config::{model_spec, task_config};
use super::error::{CliError, CliResult};
use super::output::{thousands, Stdout};
use crate::experiment::bench::time_training_step;
use crate::experiment::{Precision, RunConfig};
use crate::units::ModelKind;

pub fn bench(args: &BenchArgs) -> CliResult {
    let model: ModelKind = args.model.parse().map_err(CliError::usage)?;
    let task = task_config(&args.op, &args.task)?;
    let mut config = RunConfig::new(model_spec(model, &task, args.hidden)?, task);
    if args.f64 {
        config.precision = Precision::F64;
    }
    config.validate().map_err(CliError::usage)?;
    if args.steps == 0 || args.blocks == 0 {
        return Err(CliError::Usage(
            "--steps and --blocks must be at least 1".to_string(),
        ));
    }
    eprintln!(
        "timing {} blocks of {} steps of {} ...",
        args.blocks,
        thousands(args.steps),
        config.model
    );
    let report = time_training_step(&config, args.steps, args.blocks).map_err(CliError::runtime)?;
    let mut out = Stdout::new();
    if args.json {
        return out.json_line(&report);
    }
    out.line(format!(
        "{} ({} -> {} -> 1), {}, batch {}{}: {:.2} us/step median (min {:.2}, max {:.2}) \
         over {} blocks of {} steps, {} thread",
        report.model,
        report.input_size,
        report.hidden,
        report.precision,
        report.batch,
        if report.lambda > 0.0 {
            format!(", regularizer on (lambda {})", report.lambda)
        } else {
            String::new()
        },
        report.us_per_step_median,
        report.us_per_step_min,
        report.us_per_step_max,
        report.blocks,
        thousands(report.steps),
        report.threads
    ))
}
