//! `arithgrad slurm`: a preset's sweep as a Slurm job array.
//!
//! Writes `DIR/slurm/sweep.sbatch`, a job array whose task `I` of `N` runs
//! `arithgrad sweep --shard I/N` (each task resumes from the directory, so
//! the array is safe to requeue or submit again: it finishes what is
//! missing and redoes nothing), and `DIR/slurm/report.sbatch`, which writes
//! the report as Markdown and CSV into DIR. With `--submit` it submits both,
//! the report after the array (`--dependency=afterany:<array id>`), and
//! prints the two job ids; without, it prints the commands.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::args::{SlurmArgs, SweepOptions};
use super::config::{sweep_plan, SweepPlan};
use super::error::{CliError, CliResult};
use super::estimate::{Probe, SWEEP_PROBE_STEPS};
use super::output::{thousands, warn, Stdout};
use super::progress::format_duration;
use crate::experiment::Shard;
use crate::store::{check_campaign, remember_cells};

/// The time limit given to a task: this factor times the probe's estimate
/// of the costliest task, plus [`TIME_SLACK_S`] (start-up, thresholds,
/// a slower node), rounded up to whole minutes.
pub const TIME_MARGIN: f64 = 1.5;
pub const TIME_SLACK_S: f64 = 600.0;

/// At most this many tasks in one array (Slurm's default `MaxArraySize` is
/// 1001).
pub const MAX_TASKS: usize = 1000;

pub fn slurm(args: &SlurmArgs) -> CliResult {
    if args.tasks == 0 {
        return Err(CliError::Usage(
            "--tasks must be at least 1 (the job array's size)".into(),
        ));
    }
    if args.tasks > MAX_TASKS {
        return Err(CliError::Usage(format!(
            "--tasks {} is more than {MAX_TASKS}, the most one job array may have by default",
            args.tasks
        )));
    }
    if args.cpus_per_task == 0 {
        return Err(CliError::Usage("--cpus-per-task must be at least 1".into()));
    }
    if args.max_running == Some(0) {
        return Err(CliError::Usage("--max-running must be at least 1".into()));
    }
    let options = SweepOptions {
        seeds: args.seeds,
        jobs: Some(args.cpus_per_task),
        iterations: args.iterations,
        threshold_samples: args.threshold_samples,
        quiet: true,
        compat: args.compat.clone(),
    };
    let plan = sweep_plan(&args.preset, &options)?;
    if args.tasks > plan.len() {
        return Err(CliError::Usage(format!(
            "--tasks {} is more than the {} runs to split",
            args.tasks,
            plan.len()
        )));
    }
    let sbatch = if args.submit {
        Some(find_sbatch()?)
    } else {
        None
    };
    check_campaign(&args.out, plan.preset).map_err(CliError::usage)?;
    std::fs::create_dir_all(args.out.join("slurm"))
        .map_err(|e| CliError::Runtime(format!("cannot create {}: {e}", args.out.display())))?;
    let out = args
        .out
        .canonicalize()
        .map_err(|e| CliError::Runtime(format!("{}: {e}", args.out.display())))?;
    // `status` knows what to expect from the start.
    remember_cells(&out, &plan).map_err(CliError::runtime)?;

    let time = match &args.time {
        Some(t) => t.clone(),
        None => {
            let (limit, estimate) = time_limit(&plan, args.tasks, args.cpus_per_task)?;
            eprintln!(
                "time limit per task: {limit} ({TIME_MARGIN} x the estimated {} of the costliest \
                 task on {} CPU(s), plus {}; from a timing probe on this machine; --time sets it)",
                format_duration(estimate),
                args.cpus_per_task,
                format_duration(TIME_SLACK_S)
            );
            limit
        }
    };
    let exe = std::env::current_exe()
        .map_err(|e| CliError::Runtime(format!("cannot find this program's path: {e}")))?;
    let dir = out.join("slurm");
    let sweep_script = dir.join("sweep.sbatch");
    let report_script = dir.join("report.sbatch");
    write(&sweep_script, &sweep_sbatch(args, &plan, &exe, &out, &time))?;
    write(&report_script, &report_sbatch(args, &exe, &out))?;
    eprintln!(
        "wrote {} ({} tasks, {} runs) and {}",
        sweep_script.display(),
        args.tasks,
        thousands(plan.len() as u64),
        report_script.display()
    );

    let mut stdout = Stdout::new();
    let Some(sbatch) = sbatch else {
        stdout.line(
            "# submit the array, then the report job after it (ID: the first command's output):",
        )?;
        stdout.line(format!("sbatch --parsable {}", quote(&sweep_script)))?;
        stdout.line(format!(
            "sbatch --dependency=afterany:ID {}",
            quote(&report_script)
        ))?;
        return Ok(());
    };
    let array = submit(&sbatch, &[], &sweep_script)?;
    let report = submit(
        &sbatch,
        &[format!("--dependency=afterany:{array}")],
        &report_script,
    )?;
    stdout.line(format!("sweep job {array}"))?;
    stdout.line(format!("report job {report}"))?;
    eprintln!(
        "`squeue -j {array},{report}` shows them; `arithgrad status {}` the runs done; the \
         report goes to {}",
        out.display(),
        out.join("report.md").display()
    );
    Ok(())
}

/// The path of `sbatch`, or a usage error saying what to install.
fn find_sbatch() -> CliResult<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("sbatch"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            CliError::Usage(
                "--submit needs Slurm's `sbatch`, which is not on PATH: run this on a login \
                 node of the cluster (or install Slurm's client commands, e.g. `apt-get install \
                 slurm-client`), or drop --submit to write the scripts and print the commands"
                    .into(),
            )
        })
}

/// Submits `script` with `sbatch --parsable` and returns the job id. A
/// rejection (an unknown partition, say) is a usage error carrying Slurm's
/// own message.
fn submit(sbatch: &Path, extra: &[String], script: &Path) -> CliResult<String> {
    let out = Command::new(sbatch)
        .arg("--parsable")
        .args(extra)
        .arg(script)
        .output()
        .map_err(|e| CliError::Runtime(format!("cannot run {}: {e}", sbatch.display())))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(CliError::Usage(format!(
            "sbatch rejected {}: {}",
            script.display(),
            stderr.trim()
        )));
    }
    if !stderr.trim().is_empty() {
        warn(format!("sbatch: {}", stderr.trim()));
    }
    // `--parsable` prints `id` or `id;cluster`.
    let id = stdout.trim().split(';').next().unwrap_or("").to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(CliError::Runtime(format!(
            "sbatch printed no job id for {}: `{}`",
            script.display(),
            stdout.trim()
        )));
    }
    Ok(id)
}

/// The time limit of a task from the timing probe (see [`TIME_MARGIN`]),
/// and the estimate it came from.
fn time_limit(plan: &SweepPlan, tasks: usize, cpus: usize) -> CliResult<(String, f64)> {
    let mut probe = Probe::new(SWEEP_PROBE_STEPS, cpus);
    let mut costliest = 0.0f64;
    for index in 0..tasks {
        let runs = plan.shard_runs(Shard {
            index,
            count: tasks,
        });
        let configs = runs.iter().map(|&(cell, _)| &plan.cells[cell]);
        costliest = costliest.max(probe.estimate(configs, cpus)?.seconds);
    }
    let limit = costliest * TIME_MARGIN + TIME_SLACK_S;
    Ok((slurm_duration(limit), costliest))
}

/// Seconds as Slurm's `D-HH:MM:SS`, rounded up to whole minutes.
pub fn slurm_duration(seconds: f64) -> String {
    let minutes = (seconds.max(60.0) / 60.0).ceil() as u64;
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    if d > 0 {
        format!("{d}-{h:02}:{m:02}:00")
    } else {
        format!("{h:02}:{m:02}:00")
    }
}

/// `path` quoted for a POSIX shell.
fn quote(path: &Path) -> String {
    quote_str(&path.display().to_string())
}

fn quote_str(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-=:,+%".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The `#SBATCH` lines both scripts share.
fn common_lines(args: &SlurmArgs) -> String {
    let mut s = String::new();
    if let Some(p) = &args.partition {
        s.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(a) = &args.account {
        s.push_str(&format!("#SBATCH --account={a}\n"));
    }
    for extra in &args.sbatch_arg {
        s.push_str(&format!("#SBATCH {extra}\n"));
    }
    s
}

fn sweep_sbatch(args: &SlurmArgs, plan: &SweepPlan, exe: &Path, out: &Path, time: &str) -> String {
    let throttle = args.max_running.map_or(String::new(), |k| format!("%{k}"));
    let mut sweep = format!(
        "sweep --preset {} --seeds {}..{} --threshold-samples {}",
        plan.preset, plan.seeds.start, plan.seeds.end, plan.threshold_samples
    );
    if let Some(n) = args.iterations {
        sweep.push_str(&format!(" --iterations {n}"));
    }
    if plan.compat.is_published() {
        sweep.push_str(&format!(" --compat {}", plan.compat));
    }
    format!(
        "#!/bin/bash\n\
         # Written by `arithgrad slurm`: the {preset} preset ({runs} runs) split into {tasks} \
         tasks of about equal cost.\n\
         # Each task resumes from the results directory, so requeueing a task or submitting this \
         script again\n\
         # finishes the runs still missing and redoes nothing.\n\
         #SBATCH --job-name=arithgrad-{preset}\n\
         #SBATCH --array=0-{last}{throttle}\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --cpus-per-task={cpus}\n\
         #SBATCH --time={time}\n\
         #SBATCH --requeue\n\
         #SBATCH --open-mode=append\n\
         #SBATCH --output={log}\n\
         {common}\
         set -euo pipefail\n\
         exec {exe} {sweep} --shard \"$SLURM_ARRAY_TASK_ID/{tasks}\" --jobs \"${{SLURM_CPUS_PER_TASK:-1}}\" --out {out}\n",
        preset = plan.preset,
        runs = plan.len(),
        tasks = args.tasks,
        last = args.tasks - 1,
        cpus = args.cpus_per_task,
        log = quote(&out.join("slurm").join("sweep-%A_%a.out")),
        common = common_lines(args),
        exe = quote(exe),
        out = quote(out),
    )
}

fn report_sbatch(args: &SlurmArgs, exe: &Path, out: &Path) -> String {
    let md = out.join("report.md");
    let csv = out.join("report.csv");
    format!(
        "#!/bin/bash\n\
         # Written by `arithgrad slurm`: the report of {out_shown}, after the sweep's job array.\n\
         #SBATCH --job-name=arithgrad-{preset}-report\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --time=00:30:00\n\
         #SBATCH --open-mode=append\n\
         #SBATCH --output={log}\n\
         {common}\
         set -euo pipefail\n\
         {exe} status {out}\n\
         {exe} report {out}{compat} --format md > {md}.tmp && mv {md}.tmp {md}\n\
         {exe} report {out}{compat} --format csv > {csv}.tmp && mv {csv}.tmp {csv}\n",
        out_shown = out.display(),
        preset = args.preset,
        log = quote(&out.join("slurm").join("report-%j.out")),
        common = common_lines(args),
        exe = quote(exe),
        out = quote(out),
        md = quote(&md),
        csv = quote(&csv),
        compat = if args.compat == "default" {
            String::new()
        } else {
            format!(" --compat {}", args.compat)
        },
    )
}

fn write(path: &Path, text: &str) -> CliResult {
    std::fs::write(path, text)
        .map_err(|e| CliError::Runtime(format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_slurm_format() {
        assert_eq!(slurm_duration(1.0), "00:01:00");
        assert_eq!(slurm_duration(61.0), "00:02:00");
        assert_eq!(slurm_duration(3600.0 * 25.0), "1-01:00:00");
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(quote_str("/a/b-c_d.e"), "/a/b-c_d.e");
        assert_eq!(quote_str("/a b/it's"), "'/a b/it'\\''s'");
    }
}
