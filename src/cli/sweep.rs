//! `arithgrad sweep`, `arithgrad reproduce` and the default command: run a
//! preset's (cell, seed) pairs on worker threads, append each record to
//! `DIR/records.jsonl` as it finishes, and skip the pairs already there.
//!
//! Resuming: a record is written completely or not at all (see
//! [`RecordFile`]), so an interrupted sweep loses only the runs in flight,
//! and rerunning the same command runs exactly the missing pairs. Each run
//! depends only on its configuration and seed, so the records do not depend
//! on `--jobs` or on interruptions (except their `wall_time_s`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::args::{Format, ReproduceArgs, SweepArgs, SweepOptions};
use super::config::{sweep_plan, workers, SweepPlan};
use super::error::{CliError, CliResult};
use super::estimate::{Probe, SWEEP_PROBE_STEPS};
use super::output::{thousands, warn, Stdout};
use super::progress::{format_duration, Progress};
use super::records::RecordFile;
use super::report::{print_report, remember_cells};
use super::thresholds::ThresholdCache;
use crate::experiment::{sweep as run_jobs, Job, RunRecord};
use crate::task::{TaskConfig, DEFAULT_THRESHOLD_SAMPLES, DEFAULT_THRESHOLD_SEED};

/// The file of run records inside a sweep's directory.
pub const RECORDS_FILE: &str = "records.jsonl";

/// Where `reproduce` (and the default command) keep a preset's records
/// unless told otherwise: `arithgrad-results/PRESET`.
pub fn default_dir(preset: &str) -> PathBuf {
    Path::new("arithgrad-results").join(preset)
}

/// What a sweep leaves: every record of its plan (found or new), in plan
/// order, and how many runs failed.
pub struct SweepOutcome {
    pub records: Vec<RunRecord>,
    pub new: usize,
    pub failed: usize,
}

/// `arithgrad sweep`.
pub fn sweep(args: &SweepArgs) -> CliResult {
    let plan = sweep_plan(&args.preset, &args.options)?;
    let workers = workers(args.options.jobs)?;
    let outcome = run_sweep(&plan, &args.out, workers, args.options.quiet)?;
    let solved = outcome.records.iter().filter(|r| r.solved).count();
    eprintln!(
        "{} of {} runs in {} ({} new, {} solved); `arithgrad report {}` prints the table",
        outcome.records.len(),
        plan.len(),
        args.out.join(RECORDS_FILE).display(),
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
    reproduce_into(&args.preset, &dir, args.format, &args.options)
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
    reproduce_into("toy", &default_dir("toy"), Format::Md, &options)
}

fn reproduce_into(preset: &str, dir: &Path, format: Format, options: &SweepOptions) -> CliResult {
    let plan = sweep_plan(preset, options)?;
    let workers = workers(options.jobs)?;
    eprintln!(
        "records: {} (rerun the same command to resume)",
        dir.join(RECORDS_FILE).display()
    );
    let outcome = run_sweep(&plan, dir, workers, options.quiet)?;
    print_report(&outcome.records, format, &mut Stdout::new())?;
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

/// Runs the missing runs of `plan` on `workers` threads, appending their
/// records to `dir/records.jsonl`.
pub fn run_sweep(
    plan: &SweepPlan,
    dir: &Path,
    workers: usize,
    quiet: bool,
) -> CliResult<SweepOutcome> {
    let path = dir.join(RECORDS_FILE);
    let (mut file, existing) = RecordFile::open::<RunRecord>(&path).map_err(CliError::Runtime)?;

    let tasks: Vec<TaskConfig> = plan.cells.iter().map(|c| c.task.clone()).collect();
    let thresholds = ThresholdCache::open(dir).with_compat(plan.compat).get_all(
        &tasks,
        plan.threshold_samples,
        DEFAULT_THRESHOLD_SEED,
        workers,
    )?;
    let keys: Vec<String> = plan.cells.iter().map(|c| c.key()).collect();
    remember_cells(dir, plan.preset, &keys);
    let cell_of: HashMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();

    // The records already there that belong to this plan.
    let mut found: HashMap<(usize, u64), RunRecord> = HashMap::new();
    let mut other_threshold = 0;
    for r in existing {
        let Some(&cell) = cell_of.get(r.key.as_str()) else {
            continue;
        };
        if !plan.seeds.contains(&r.seed) {
            continue;
        }
        if r.threshold.to_bits() != thresholds[cell].mse.to_bits() {
            other_threshold += 1;
        }
        found.entry((cell, r.seed)).or_insert(r);
    }
    if other_threshold > 0 {
        warn(format!(
            "{other_threshold} record(s) in {} were judged against another threshold than this \
             sweep's ({} samples); they are kept as they are",
            path.display(),
            thousands(plan.threshold_samples as u64)
        ));
    }

    // Every (cell, seed) pair in plan order, and the jobs of the missing ones.
    let order: Vec<(usize, u64)> = plan.runs().collect();
    let mut jobs: Vec<Job> = Vec::new();
    let mut job_slot: Vec<(usize, u64)> = Vec::new();
    for &(cell, seed) in &order {
        if !found.contains_key(&(cell, seed)) {
            jobs.push(Job {
                config: plan.cells[cell].clone(),
                seed,
                threshold: thresholds[cell].mse,
            });
            job_slot.push((cell, seed));
        }
    }
    if !found.is_empty() {
        eprintln!(
            "resuming: {} of {} runs already in {}",
            found.len(),
            plan.len(),
            path.display()
        );
    }
    if !quiet && !jobs.is_empty() {
        let used = workers.min(jobs.len());
        let mut probe = Probe::new(SWEEP_PROBE_STEPS);
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

    let mut progress = Progress::new(jobs.len(), !quiet);
    let mut new = 0;
    let mut failed = 0;
    run_jobs(&jobs, workers, |i, result| match result {
        Ok(record) => {
            progress.finish_run(record.solved);
            if let Err(e) = file.append(&record) {
                failed += 1;
                progress.message(&format!("error: record not saved: {e}"));
            } else {
                new += 1;
            }
            found.insert(job_slot[i], record);
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

    let records = order.iter().filter_map(|slot| found.remove(slot)).collect();
    Ok(SweepOutcome {
        records,
        new,
        failed,
    })
}
