//! From command-line arguments to the library's configurations: task and
//! run configurations for `train` and `threshold`, and the plan of a sweep
//! (a preset's cells and seeds with the overrides applied). Every problem is
//! a usage error naming the bad argument.

pub use crate::experiment::SweepPlan;
use crate::experiment::{preset, Precision, RunConfig, PRESET_NAMES};
use crate::task::{Layout, Operation, Range, TaskConfig};
use crate::units::{ModelKind, ModelSpec};
use crate::Compat;

use super::args::{SweepOptions, TaskArgs, TrainArgs};
use super::error::{CliError, CliResult};

/// Limits that keep a mistyped number from exhausting memory (the paper's
/// largest input size is 300, hidden size 10, iterations 5,000,000).
pub const MAX_INPUT_SIZE: usize = 10_000;
pub const MAX_HIDDEN: usize = 10_000;
pub const MAX_ITERATIONS: u64 = 10_000_000_000;
pub const MAX_SWEEP_RUNS: u64 = 1_000_000;
pub const MAX_JOBS: usize = 1024;

pub fn at_most(option: &str, value: u64, limit: u64) -> CliResult {
    if value > limit {
        return Err(CliError::Usage(format!(
            "{option} {value} is too large (at most {limit})"
        )));
    }
    Ok(())
}

/// The task of `train` or `threshold`, validated.
pub fn task_config(op: &str, args: &TaskArgs) -> CliResult<TaskConfig> {
    let operation: Operation = op.parse().map_err(CliError::usage)?;
    if let Some(n) = args.input_size {
        at_most("--input-size", n as u64, MAX_INPUT_SIZE as u64)?;
    }
    let base = if args.toy {
        TaskConfig::toy()
    } else if args.single_module {
        TaskConfig {
            input_size: 2,
            layout: Layout::Single,
            ..TaskConfig::default()
        }
    } else {
        TaskConfig::default()
    };
    let config = TaskConfig {
        operation,
        input_size: args.input_size.unwrap_or(base.input_size),
        subset_ratio: args.subset_ratio,
        overlap_ratio: args.overlap_ratio,
        interpolation_range: Range::parse("interpolation range", &args.interpolation)
            .map_err(CliError::usage)?,
        extrapolation_range: Range::parse("extrapolation range", &args.extrapolation)
            .map_err(CliError::usage)?,
        layout: base.layout,
    };
    config.validate().map_err(CliError::usage)?;
    Ok(config)
}

/// The model of `train` and `bench`: `model` with `hidden` units, or, on
/// the single-module task, the model's output unit alone.
pub fn model_spec(model: ModelKind, task: &TaskConfig, hidden: usize) -> CliResult<ModelSpec> {
    if task.layout == Layout::Single {
        return Ok(ModelSpec::single(model.layers().1, task.input_size));
    }
    at_most("--hidden", hidden as u64, MAX_HIDDEN as u64)?;
    Ok(model.spec(task.input_size, hidden))
}

/// The run of `train`: the protocol for the model on the task, with
/// the overrides given, validated.
pub fn run_config(args: &TrainArgs) -> CliResult<RunConfig> {
    let model: ModelKind = args.model.parse().map_err(CliError::usage)?;
    let task = task_config(&args.op, &args.task)?;
    let mut config = RunConfig::new(model_spec(model, &task, args.hidden)?, task);
    if let Some(n) = args.iterations {
        config.iterations = iterations(n)?;
    }
    if args.f64 {
        config.precision = Precision::F64;
    }
    config.compat = compat(&args.compat)?;
    config.validate().map_err(CliError::usage)?;
    check_compat_geometry(&config.task, config.compat)?;
    check_threshold_samples(args.threshold_samples)?;
    Ok(config)
}

/// The `--compat` mode named `name`.
pub fn compat(name: &str) -> CliResult<Compat> {
    name.parse().map_err(CliError::usage)
}

/// An error unless `task`'s threshold can be simulated in mode `compat`
/// (the published geometry needs `2s - o + 1` inputs).
pub fn check_compat_geometry(task: &TaskConfig, compat: Compat) -> CliResult {
    task.threshold_positions(compat)
        .map(|_| ())
        .map_err(|e| CliError::Usage(format!("--compat {compat}: {e}")))
}

fn iterations(n: u64) -> CliResult<u64> {
    if n == 0 {
        return Err(CliError::Usage(
            "--iterations must be at least 1".to_string(),
        ));
    }
    at_most("--iterations", n, MAX_ITERATIONS)?;
    Ok(n)
}

/// An error unless at least one threshold sample is asked for.
pub fn check_threshold_samples(samples: usize) -> CliResult {
    if samples == 0 {
        return Err(CliError::Usage(
            "the threshold needs at least 1 sample".to_string(),
        ));
    }
    Ok(())
}

/// The number of worker threads: `--jobs`, or every core.
pub fn workers(jobs: Option<usize>) -> CliResult<usize> {
    match jobs {
        Some(0) => Err(CliError::Usage("--jobs must be at least 1".to_string())),
        Some(n) => at_most("--jobs", n as u64, MAX_JOBS as u64).map(|_| n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// The preset called `name`, or a usage error listing the presets.
pub fn find_preset(name: &str) -> CliResult<crate::experiment::Preset> {
    preset(name).map_err(|_| {
        CliError::Usage(format!(
            "unknown preset `{name}`; presets: {}",
            PRESET_NAMES.join(", ")
        ))
    })
}

/// The plan of sweeping preset `name` with `options` (`--seeds` replaces the
/// preset's seeds, `--iterations` every cell's own iteration count, and
/// `--compat` sets every cell's mode; checkpoint windows are kept).
pub fn sweep_plan(name: &str, options: &SweepOptions) -> CliResult<SweepPlan> {
    let p = find_preset(name)?;
    let mut cells = p.cells;
    if let Some(n) = options.iterations {
        let n = iterations(n)?;
        for c in &mut cells {
            c.iterations = n;
        }
    }
    let compat = compat(&options.compat)?;
    for c in &mut cells {
        c.compat = compat;
    }
    for c in &cells {
        c.validate().map_err(CliError::usage)?;
        check_compat_geometry(&c.task, compat)?;
    }
    check_threshold_samples(options.threshold_samples)?;
    let seeds = options.seeds.map_or(p.seeds, |s| s.start..s.end);
    let runs = (seeds.end - seeds.start).saturating_mul(cells.len() as u64);
    if runs > MAX_SWEEP_RUNS {
        return Err(CliError::Usage(format!(
            "--seeds {}..{} makes {runs} runs of {} cells; at most {MAX_SWEEP_RUNS} per sweep",
            seeds.start,
            seeds.end,
            cells.len()
        )));
    }
    Ok(SweepPlan {
        preset: p.name,
        cells,
        seeds,
        threshold_samples: options.threshold_samples,
        compat,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::SeedRange;

    fn task_args() -> TaskArgs {
        TaskArgs {
            input_size: None,
            subset_ratio: 0.25,
            overlap_ratio: 0.5,
            interpolation: "[1,2]".into(),
            extrapolation: "[2,6]".into(),
            toy: false,
            single_module: false,
        }
    }

    #[test]
    fn defaults_are_the_spec_task() {
        assert_eq!(
            task_config("mul", &task_args()).unwrap(),
            TaskConfig::default()
        );
        let toy = TaskArgs {
            toy: true,
            ..task_args()
        };
        assert_eq!(task_config("mul", &toy).unwrap(), TaskConfig::toy());
    }

    #[test]
    fn bad_task_arguments_are_usage_errors_naming_the_problem() {
        let cases: [(&str, TaskArgs, &str); 4] = [
            ("mull", task_args(), "mull"),
            (
                "mul",
                TaskArgs {
                    interpolation: "[2,1]".into(),
                    ..task_args()
                },
                "interpolation range",
            ),
            (
                "mul",
                TaskArgs {
                    subset_ratio: 0.75,
                    ..task_args()
                },
                "113 positions",
            ),
            (
                "mul",
                TaskArgs {
                    toy: true,
                    input_size: Some(10),
                    ..task_args()
                },
                "exactly 4 inputs",
            ),
        ];
        for (op, args, needle) in cases {
            match task_config(op, &args) {
                Err(CliError::Usage(m)) => assert!(m.contains(needle), "{m}"),
                other => panic!("{needle}: {other:?}"),
            }
        }
    }

    #[test]
    fn sweep_overrides_apply_to_every_cell() {
        let options = SweepOptions {
            seeds: Some(SeedRange { start: 5, end: 7 }),
            jobs: None,
            iterations: Some(3000),
            threshold_samples: 10,
            quiet: true,
            compat: "default".into(),
        };
        let plan = sweep_plan("toy", &options).unwrap();
        assert_eq!(plan.len(), 6);
        assert!(plan.cells.iter().all(|c| c.iterations == 3000));
        let runs: Vec<u64> = plan.runs().map(|(_, s)| s).collect();
        assert_eq!(runs, [5, 5, 5, 6, 6, 6]);
        let err = sweep_plan("toys", &options).unwrap_err();
        assert!(
            matches!(&err, CliError::Usage(m) if m.contains("toys") && m.contains("main-table"))
        );
        let zero = SweepOptions {
            iterations: Some(0),
            ..options
        };
        assert!(matches!(sweep_plan("toy", &zero), Err(CliError::Usage(_))));
    }
}
