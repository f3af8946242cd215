//! `arithgrad sweep`, `arithgrad reproduce` and the default command: run a
//! preset's (cell, seed) pairs (or one shard of them, `--shard I/N`) on
//! worker threads, append each record to this process's own file under
//! `DIR/records/` as it finishes, and skip the pairs already in `DIR`.
//!
//! Resuming: a record is written completely or not at all (see
//! [`crate::store`]), so an interrupted sweep loses only the runs in
//! flight, and rerunning the same command runs exactly the missing pairs.
//! Each run depends only on its configuration and seed, so the records do
//! not depend on `--jobs`, on the split into shards or on interruptions
//! (except their `wall_time_s`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::args::{Format, ReproduceArgs, SweepArgs, SweepOptions};
use super::cells::CellFilter;
use super::config::{sweep_plan, workers, SweepPlan};
use super::error::{CliError, CliResult};
use super::estimate::{Probe, SWEEP_PROBE_STEPS};
use super::output::{thousands, warn, Stdout};
use super::progress::{format_duration, Progress};
use super::report::print_report;
use super::thresholds::{dir_cache, thresholds_of};
use crate::experiment::{sweep as run_jobs, Job, RunRecord, Shard};
use crate::store::{check_campaign, read_records, remember_cells, resume, RecordWriter, Resumed};
use crate::task::{TaskConfig, DEFAULT_THRESHOLD_SAMPLES, DEFAULT_THRESHOLD_SEED};

/// Where `reproduce` (and the default command) keep a preset's records
/// unless told otherwise: `arithgrad-results/PRESET`.
pub fn default_dir(preset: &str) -> PathBuf {
    Path::new("arithgrad-results").join(preset)
}

/// What a sweep leaves: every record of its plan (found or new), in plan
/// order, and how many runs failed.
pub struct SweepOutcome {
    pub records: Vec<RunRecord>,
    /// The runs of the plan (or of its shard).
    pub runs: usize,
    pub new: usize,
    pub failed: usize,
}

/// `arithgrad sweep`.
pub fn sweep(args: &SweepArgs) -> CliResult {
    let mut plan = sweep_plan(&args.preset, &args.options)?;
    CellFilter::from(&args.cells).apply(plan.preset, &mut plan.cells)?;
    let workers = workers(args.options.jobs)?;
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    if args.shard.is_some() {
        // A shard is one task of a campaign: the directory must be this one's.
        check_campaign(&args.out, plan.preset).map_err(CliError::usage)?;
    }
    let outcome = run_sweep(&plan, shard, &args.out, workers, args.options.quiet)?;
    let solved = outcome.records.iter().filter(|r| r.solved).count();
    let part = match args.shard {
        Some(s) => format!(" of shard {s}"),
        None => String::new(),
    };
    eprintln!(
        "{} of {} runs{part} in {} ({} new, {} solved); `arithgrad report {}` prints the table",
        outcome.records.len(),
        outcome.runs,
        args.out.display(),
        outcome.new,
        solved,
        args.out.display()
    );
    failures(&outcome)
}

/// `arithgrad reproduce`.
pub fn reproduce(args: &ReproduceArgs) -> CliResult {
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&args.preset));
    reproduce_into(
        &args.preset,
        &dir,
        args.format,
        args.by_range,
        &args.options,
    )
}

/// `arithgrad` with no command: the `toy` preset on all cores, in Markdown.
pub fn default_command() -> CliResult {
    let options = SweepOptions {
        seeds: None,
        jobs: None,
        iterations: None,
        threshold_samples: DEFAULT_THRESHOLD_SAMPLES,
        quiet: false,
        compat: "default".into(),
    };
    eprintln!(
        "arithgrad {}: reproducing the toy table (`arithgrad --help` lists the commands)",
        env!("CARGO_PKG_VERSION")
    );
    reproduce_into("toy", &default_dir("toy"), Format::Md, false, &options)
}

fn reproduce_into(
    preset: &str,
    dir: &Path,
    format: Format,
    by_range: bool,
    options: &SweepOptions,
) -> CliResult {
    let plan = sweep_plan(preset, options)?;
    let workers = workers(options.jobs)?;
    eprintln!(
        "records: {} (rerun the same command to resume)",
        dir.display()
    );
    let outcome = run_sweep(&plan, Shard::WHOLE, dir, workers, options.quiet)?;
    print_report(&outcome.records, format, by_range, &mut Stdout::new())?;
    super::plot::figure_of_sweep(dir, &outcome.records);
    failures(&outcome)
}

fn failures(outcome: &SweepOutcome) -> CliResult {
    match outcome.failed {
        0 => Ok(()),
        n => Err(CliError::Runtime(format!(
            "{n} run(s) failed (see above); every other record was kept"
        ))),
    }
}

/// Runs the missing runs of `shard` of `plan` on `workers` threads,
/// appending their records to this process's own shard file in `dir`.
pub fn run_sweep(
    plan: &SweepPlan,
    shard: Shard,
    dir: &Path,
    workers: usize,
    quiet: bool,
) -> CliResult<SweepOutcome> {
    let runs = plan.shard_runs(shard);
    let existing = read_all(dir)?;

    // The thresholds of the cells this shard runs.
    let mut cells_used: Vec<usize> = runs.iter().map(|&(c, _)| c).collect();
    cells_used.sort_unstable();
    cells_used.dedup();
    let tasks: Vec<TaskConfig> = cells_used
        .iter()
        .map(|&c| plan.cells[c].task.clone())
        .collect();
    let found_thresholds = thresholds_of(
        &mut dir_cache(dir).with_compat(plan.compat),
        &tasks,
        plan.threshold_samples,
        DEFAULT_THRESHOLD_SEED,
        workers,
    )?;
    let threshold_of: HashMap<usize, f64> = cells_used
        .iter()
        .zip(&found_thresholds)
        .map(|(&c, t)| (c, t.mse))
        .collect();
    if let Err(e) = remember_cells(dir, plan) {
        warn(format!("the table's row order may vary: {e}"));
    }

    let Resumed { mut found, missing } = resume(existing, plan, &runs);
    let other_threshold = found
        .iter()
        .filter(|((cell, _), r)| r.threshold.to_bits() != threshold_of[cell].to_bits())
        .count();
    if other_threshold > 0 {
        warn(format!(
            "{other_threshold} record(s) in {} were judged against another threshold than this \
             sweep's ({} samples); they are kept as they are",
            dir.display(),
            thousands(plan.threshold_samples as u64)
        ));
    }
    let jobs: Vec<Job> = missing
        .iter()
        .map(|&(cell, seed)| Job {
            config: plan.cells[cell].clone(),
            seed,
            threshold: threshold_of[&cell],
        })
        .collect();
    if !found.is_empty() {
        eprintln!(
            "resuming: {} of {} runs already in {}",
            found.len(),
            runs.len(),
            dir.display()
        );
    }
    if !quiet && !jobs.is_empty() {
        let used = workers.min(jobs.len());
        let mut probe = Probe::new(SWEEP_PROBE_STEPS, used);
        let estimate = probe.estimate(jobs.iter().map(|j| &j.config), used)?;
        let iterations: u64 = jobs.iter().map(|j| j.config.iterations).sum();
        eprintln!(
            "estimated duration ~{} on {used} worker(s) (~{} of CPU): {} runs, {} iterations \
             (from a {} timing probe)",
            format_duration(estimate.seconds),
            format_duration(estimate.cpu_seconds),
            thousands(jobs.len() as u64),
            thousands(iterations),
            format_duration(probe.probe_seconds)
        );
    }

    let mut writer = RecordWriter::new(dir);
    let mut progress = Progress::new(jobs.len(), !quiet);
    let mut new = 0;
    let mut failed = 0;
    run_jobs(&jobs, workers, |i, result| match result {
        Ok(record) => {
            progress.finish_run(record.solved);
            if let Err(e) = writer.append(&record) {
                failed += 1;
                progress.message(&format!("error: record not saved: {e}"));
            } else {
                new += 1;
            }
            found.insert(missing[i], record);
        }
        Err(e) => {
            failed += 1;
            progress.finish_run(false);
            let job = &jobs[i];
            progress.message(&format!(
                "error: run of {} on {} with seed {} failed: {e}",
                job.config.model, job.config.task, job.seed
            ));
        }
    });
    progress.close();

    let records = runs.iter().filter_map(|slot| found.remove(slot)).collect();
    Ok(SweepOutcome {
        records,
        runs: runs.len(),
        new,
        failed,
    })
}

/// Every record of `dir`, merged (see [`crate::store::read_records`]),
/// printing what was skipped.
pub fn read_all(dir: &Path) -> CliResult<Vec<RunRecord>> {
    let set = read_records::<RunRecord>(dir).map_err(CliError::runtime)?;
    for w in set.warnings() {
        warn(w);
    }
    Ok(set.records)
}
