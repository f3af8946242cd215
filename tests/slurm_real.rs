//! `arithgrad slurm` on a real Slurm, not a mock: `ci/slurm-up.sh` starts a
//! one-node Slurm, and `.ci/run` runs these tests after it. Without `sbatch`
//! on PATH they say so and pass without checking anything.
//!
//! 1. The toy preset (seeds 0..8, 20,000 iterations: 24 runs) as 4 array
//!    tasks: its records equal a local `sweep` of the same runs (bit for bit
//!    except `wall_time_s`), and the report job's Markdown equals
//!    `arithgrad report`.
//! 2. One array task cancelled with `scancel` while it runs; submitting the
//!    same script again completes the records, identical to the local
//!    sweep's, and redoes no finished run.
//!
//! The runs use the binary in `$ARITHGRAD_SLURM_TEST_BIN` if set (`.ci/run`
//! points it at the release build, about a hundred times faster than the
//! test profile's), else the one cargo built for the tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

const SEEDS: &str = "0..8";
const ITERATIONS: &str = "20000";
const RUNS: usize = 24;
const TASKS: usize = 4;
/// The longest a job may take before the test gives up.
const PATIENCE: Duration = Duration::from_secs(1800);

fn bin() -> PathBuf {
    std::env::var_os("ARITHGRAD_SLURM_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_arithgrad")))
}

/// Whether Slurm's `sbatch` is on PATH; if not, says the test was skipped.
fn slurm_here(test: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path).any(|d| d.join("sbatch").is_file());
    if !found {
        eprintln!(
            "SKIPPED {test}: `sbatch` is not on PATH, so there is no Slurm to submit to \
             (ci/slurm-up.sh starts a one-node Slurm; .ci/run does)"
        );
    }
    found
}

/// One Slurm test at a time: the node has few CPUs.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arithgrad-slurm-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cwd: &Path, program: &Path, args: &[&str]) -> Output {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env("ARITHGRAD_CACHE", cwd.join("cache"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn arithgrad(cwd: &Path, args: &[&str]) -> String {
    String::from_utf8(run(cwd, &bin(), args).stdout).unwrap()
}

fn slurm_command(cwd: &Path, args: &[&str]) -> String {
    String::from_utf8(run(cwd, Path::new(args[0]), &args[1..]).stdout).unwrap()
}

/// The complete record lines of every record file of `dir`, without wall
/// time, sorted by key and seed; and how many complete lines there were.
fn records(dir: &Path) -> (Vec<Value>, usize) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("records"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.push(dir.join("records.jsonl"));
    let mut records: Vec<Value> = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for line in text.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
            let mut r: Value = serde_json::from_str(line).unwrap();
            r.as_object_mut().unwrap().remove("wall_time_s");
            records.push(r);
        }
    }
    let lines = records.len();
    records.sort_by_key(|r| (r["key"].as_str().unwrap().to_string(), r["seed"].as_u64()));
    records.dedup();
    (records, lines)
}

/// A local sweep of the same runs on 2 workers (once), its records and its
/// report, and how long it took.
fn reference() -> &'static (Vec<Value>, String, Duration) {
    static REFERENCE: OnceLock<(Vec<Value>, String, Duration)> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let dir = scratch("local");
        let start = Instant::now();
        arithgrad(
            &dir,
            &[
                "sweep",
                "--preset",
                "toy",
                "--seeds",
                SEEDS,
                "--iterations",
                ITERATIONS,
                "--jobs",
                "2",
                "--quiet",
                "--out",
                "out",
            ],
        );
        let took = start.elapsed();
        eprintln!(
            "local sweep (toy, seeds {SEEDS}, {ITERATIONS} iterations, --jobs 2): {:.1}s",
            took.as_secs_f64()
        );
        let (records, lines) = records(&dir.join("out"));
        assert_eq!((records.len(), lines), (RUNS, RUNS));
        let report = arithgrad(&dir, &["report", "out"]);
        (records, report, took)
    })
}

/// Submits the toy campaign into `dir/out` with `arithgrad slurm --submit`
/// and returns the array's and the report's job ids.
fn submit(dir: &Path) -> (String, String) {
    let out = arithgrad(
        dir,
        &[
            "slurm",
            "--preset",
            "toy",
            "--seeds",
            SEEDS,
            "--iterations",
            ITERATIONS,
            "--tasks",
            "4",
            "--submit",
            "--out",
            "out",
        ],
    );
    let id = |what: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(what))
            .unwrap_or_else(|| panic!("no `{what}` line in {out}"))
            .trim()
            .to_string()
    };
    let ids = (id("sweep job "), id("report job "));
    eprintln!("submitted: sweep job {}, report job {}", ids.0, ids.1);
    ids
}

/// `(job id, state)` of every job or array task among `ids`.
fn states(ids: &str) -> Vec<(String, String)> {
    let out = Command::new("squeue")
        .args(["-h", "-r", "--states=all", "-j", ids, "-o", "%i %T"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (id, state) = l.trim().split_once(' ')?;
            Some((id.to_string(), state.to_string()))
        })
        .collect()
}

const ENDED: [&str; 7] = [
    "COMPLETED",
    "CANCELLED",
    "FAILED",
    "TIMEOUT",
    "NODE_FAIL",
    "OUT_OF_MEMORY",
    "PREEMPTED",
];

/// Waits until every job among `ids` has ended (or left the queue); returns
/// their last states.
fn wait_for(ids: &str) -> Vec<(String, String)> {
    let start = Instant::now();
    let mut shown = false;
    loop {
        let s = states(ids);
        if !shown && s.iter().any(|(_, st)| st == "RUNNING") {
            // For the record: what Slurm shows while the array runs.
            eprintln!("{}", slurm_command(Path::new("/"), &["sinfo"]));
            eprintln!("{}", slurm_command(Path::new("/"), &["squeue"]));
            shown = true;
        }
        if s.iter().all(|(_, st)| ENDED.contains(&st.as_str())) {
            return s;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "jobs {ids} still not done after {PATIENCE:?}: {s:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_job_array_gives_the_records_and_report_of_a_local_sweep() {
    if !slurm_here("a_job_array_gives_the_records_and_report_of_a_local_sweep") {
        return;
    }
    let _one = one_at_a_time();
    let (expected, expected_report, local_time) = reference();
    let dir = scratch("array");
    let start = Instant::now();
    let (array, report) = submit(&dir);
    let ended = wait_for(&format!("{array},{report}"));
    let took = start.elapsed();
    eprintln!(
        "slurm job array ({TASKS} tasks, 1 CPU each) and report job: {:.1}s (local sweep: {:.1}s)",
        took.as_secs_f64(),
        local_time.as_secs_f64()
    );
    assert!(
        ended.iter().all(|(_, s)| s == "COMPLETED"),
        "not every job completed: {ended:?}"
    );
    assert_eq!(
        ended.len(),
        TASKS + 1,
        "one line per array task and one for the report: {ended:?}"
    );
    let out = dir.join("out");
    let (records, lines) = records(&out);
    assert_eq!(lines, RUNS, "every run exactly once");
    assert_eq!(
        &records, expected,
        "the array's records are the local sweep's"
    );
    let shards = std::fs::read_dir(out.join("records")).unwrap().count();
    assert_eq!(shards, TASKS, "one record file per task");

    let md =
        std::fs::read_to_string(out.join("report.md")).expect("the report job wrote report.md");
    assert_eq!(md, arithgrad(&dir, &["report", "out"]));
    assert_eq!(&md, expected_report);
    let csv = std::fs::read_to_string(out.join("report.csv")).unwrap();
    assert_eq!(csv, arithgrad(&dir, &["report", "out", "--format", "csv"]));
    let status: Value =
        serde_json::from_str(&arithgrad(&dir, &["status", "out", "--json"])).unwrap();
    assert_eq!(status["done"], RUNS);
    assert_eq!(status["expected"], RUNS);
}

#[test]
fn a_cancelled_task_is_finished_by_submitting_again_without_redoing_runs() {
    if !slurm_here("a_cancelled_task_is_finished_by_submitting_again_without_redoing_runs") {
        return;
    }
    let _one = one_at_a_time();
    let (expected, _, _) = reference();
    let dir = scratch("cancel");
    let (array, report) = submit(&dir);
    // Cancel task 1 as soon as it runs.
    let task = format!("{array}_1");
    let start = Instant::now();
    loop {
        let s = states(&task);
        if s.iter().any(|(_, st)| st == "RUNNING") {
            break;
        }
        assert!(
            s.iter().all(|(_, st)| !ENDED.contains(&st.as_str())),
            "task {task} ended before it could be cancelled: {s:?}"
        );
        assert!(start.elapsed() < PATIENCE, "task {task} never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    slurm_command(&dir, &["scancel", &task]);
    let ended = wait_for(&format!("{array},{report}"));
    eprintln!("after scancel {task}: {ended:?}");
    let cancelled = ended
        .iter()
        .any(|(id, st)| id == &task && st == "CANCELLED");
    let out = dir.join("out");
    let (partial, _) = records(&out);
    if cancelled {
        assert!(
            partial.len() < RUNS,
            "task {task} was cancelled, yet every run is recorded"
        );
    } else {
        eprintln!("note: task {task} finished before the cancel reached it: {ended:?}");
    }
    for r in &partial {
        assert!(expected.contains(r), "a record of the first round differs");
    }

    // Submit the same script again: it finishes the rest and redoes nothing.
    let script = out.join("slurm").join("sweep.sbatch");
    let again = slurm_command(&dir, &["sbatch", "--parsable", script.to_str().unwrap()]);
    let again = again.trim().split(';').next().unwrap().to_string();
    eprintln!("resubmitted: sweep job {again}");
    let ended = wait_for(&again);
    assert!(
        ended.iter().all(|(_, s)| s == "COMPLETED"),
        "the second round did not complete: {ended:?}"
    );
    let (records, lines) = records(&out);
    assert_eq!(
        &records, expected,
        "complete and identical to the local sweep"
    );
    assert_eq!(lines, RUNS, "no finished run was done twice");
}

#[test]
fn slurms_own_refusal_is_passed_on_with_exit_code_2() {
    if !slurm_here("slurms_own_refusal_is_passed_on_with_exit_code_2") {
        return;
    }
    let dir = scratch("partition");
    let out = Command::new(bin())
        .args([
            "slurm",
            "--preset",
            "toy",
            "--seeds",
            SEEDS,
            "--iterations",
            ITERATIONS,
            "--tasks",
            "4",
            "--time",
            "10:00",
            "--partition",
            "no-such-partition",
            "--submit",
            "--out",
            "out",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // Slurm's own words: "invalid partition specified: no-such-partition".
    assert!(stderr.contains("sbatch: error:"), "{stderr}");
    assert!(stderr.contains("no-such-partition"), "{stderr}");
    assert!(out.stdout.is_empty(), "no job id printed");
}
