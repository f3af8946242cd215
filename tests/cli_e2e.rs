//! End-to-end tests of the `arithgrad` binary on a small sweep (the toy
//! preset, 2 seeds, 1500 iterations: 6 runs, a few seconds in a debug build).
//!
//! One uninterrupted single-worker sweep is the reference; the other tests
//! compare against it: two workers, and a sweep killed after its first
//! record and then rerun, must give the same records (except wall time).

use std::ffi::OsStr;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_arithgrad");

/// The small sweep every comparison uses (6 runs).
const SWEEP: [&str; 10] = [
    "sweep",
    "--preset",
    "toy",
    "--seeds",
    "0..2",
    "--iterations",
    "1500",
    "--threshold-samples",
    "20000",
    "--quiet",
];
const RUNS: usize = 6;

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arithgrad-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary with a private threshold cache, run in `cwd`.
fn command<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .current_dir(cwd)
        .env("ARITHGRAD_CACHE", cwd.join("cache"))
        .env_remove("XDG_CACHE_HOME");
    c
}

fn run<S: AsRef<OsStr> + Debug>(cwd: &Path, args: &[S]) -> Output {
    let out = command(cwd, args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    out
}

fn run_ok<S: AsRef<OsStr> + Debug>(cwd: &Path, args: &[S]) -> String {
    let out = run(cwd, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The small sweep into `out` (relative to the working directory) on `jobs` workers.
fn sweep_into(out: &str, jobs: &str) -> Vec<String> {
    let mut args: Vec<String> = SWEEP.iter().map(|s| s.to_string()).collect();
    args.extend(["--jobs", jobs, "--out", out].map(String::from));
    args
}

/// The record files of `dir`: `records.jsonl` of older versions and every
/// writer's `records/*.jsonl`.
fn record_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("records"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    let legacy = dir.join("records.jsonl");
    if legacy.is_file() {
        files.insert(0, legacy);
    }
    files
}

/// The complete lines of every record file of `dir`, without wall time,
/// sorted by key and seed.
fn records(dir: &Path) -> Vec<Value> {
    let mut records: Vec<Value> = Vec::new();
    for file in record_files(dir) {
        let text = std::fs::read_to_string(file).unwrap();
        records.extend(
            text.split_inclusive('\n')
                .filter(|l| l.ends_with('\n'))
                .map(|l| serde_json::from_str::<Value>(l).unwrap()),
        );
    }
    for r in &mut records {
        let wall = r.as_object_mut().unwrap().remove("wall_time_s");
        assert!(wall.unwrap().as_f64().unwrap() >= 0.0);
    }
    records.sort_by_key(|r| (r["key"].as_str().unwrap().to_string(), r["seed"].as_u64()));
    records
}

/// The reference: one uninterrupted sweep on one worker (run once, shared).
fn reference() -> &'static (PathBuf, Vec<Value>) {
    static REFERENCE: OnceLock<(PathBuf, Vec<Value>)> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let dir = scratch("reference");
        run_ok(&dir, &sweep_into("out", "1"));
        let out = dir.join("out");
        let r = records(&out);
        (out, r)
    })
}

#[test]
fn records_hold_every_field() {
    let (_, records) = reference();
    assert_eq!(records.len(), RUNS);
    let mut keys: Vec<(&str, u64)> = records
        .iter()
        .map(|r| (r["key"].as_str().unwrap(), r["seed"].as_u64().unwrap()))
        .collect();
    keys.dedup();
    assert_eq!(keys.len(), RUNS, "no run twice");
    for r in records {
        for field in [
            "key",
            "config",
            "seed",
            "threshold",
            "curve",
            "judged",
            "solved",
            "solved_at",
            "sparsity_error",
            "diverged",
            "gates",
            "version",
        ] {
            assert!(r.get(field).is_some(), "missing {field}: {r}");
        }
        assert_eq!(r["version"], env!("CARGO_PKG_VERSION"));
        assert!(r["solved"].is_boolean() && r["diverged"].is_boolean());
        assert_eq!(r["config"]["iterations"], 1500);
        assert!(r["threshold"].as_f64().unwrap() > 0.0);
        // Evaluations at 0, 1000 and the last step.
        let steps: Vec<u64> = r["curve"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["step"].as_u64().unwrap())
            .collect();
        assert_eq!(steps, [0, 1000, 1500]);
        for p in r["curve"].as_array().unwrap() {
            for field in ["valid_mse", "test_mse", "sparsity_error"] {
                assert!(p.get(field).is_some(), "curve point without {field}");
            }
        }
        let judged = &r["judged"];
        assert!(judged["step"].as_u64().unwrap() > 0);
        assert!(judged["weights"]["params"].is_object(), "{judged}");
        if r["solved"] == false {
            assert!(r["solved_at"].is_null() && r["sparsity_error"].is_null());
        }
    }
}

#[test]
fn two_workers_give_the_same_records() {
    let (_, expected) = reference();
    let dir = scratch("jobs2");
    run_ok(&dir, &sweep_into("out", "2"));
    assert_eq!(&records(&dir.join("out")), expected);
}

#[test]
fn a_killed_sweep_resumes_without_losing_or_repeating_runs() {
    let (_, expected) = reference();
    let dir = scratch("resume");
    let args = sweep_into("out", "1");
    let out = dir.join("out");
    let mut child = command(&dir, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let complete_lines = || {
        record_files(&out)
            .iter()
            .map(|f| {
                std::fs::read_to_string(f)
                    .map(|t| t.matches('\n').count())
                    .unwrap_or(0)
            })
            .sum::<usize>()
    };
    loop {
        if complete_lines() >= 1 {
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    child.wait().unwrap();
    let kept = complete_lines();
    assert!(kept >= 1, "the sweep stopped before writing a record");
    if kept == RUNS {
        eprintln!("note: the sweep finished before it could be killed");
    }
    // A write torn by the kill: the rerun must skip it, not fail on it.
    let files = record_files(&out);
    assert_eq!(files.len(), 1, "one writer, one file: {files:?}");
    let file = &files[0];
    let mut text = std::fs::read_to_string(file).unwrap();
    text.push_str("{\"key\":\"model=nmu sizes");
    std::fs::write(file, text).unwrap();

    run_ok(&dir, &args);
    assert_eq!(&records(&dir.join("out")), expected);
    // Nothing left to do: a third run adds nothing.
    run_ok(&dir, &args);
    assert_eq!(records(&dir.join("out")).len(), RUNS);
}

#[test]
fn every_report_format() {
    let (out, _) = reference();
    let cwd = out.parent().unwrap();
    let dir = out.to_str().unwrap();
    let models = ["nac-mul", "nalu", "nmu"];

    let md = run_ok(cwd, &["report", dir]);
    let header = md.lines().next().unwrap();
    for column in ["model", "op", "runs", "success"] {
        assert!(header.contains(column), "{header}");
    }
    for m in models {
        let rows = md
            .lines()
            .filter(|l| l.starts_with(&format!("| {m} ")))
            .count();
        assert_eq!(rows, 1, "{m} in\n{md}");
    }

    let csv = run_ok(cwd, &["report", dir, "--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + models.len(), "{csv}");
    let columns: Vec<&str> = lines[0].split(',').collect();
    for c in [
        "model",
        "op",
        "runs",
        "solved",
        "success_rate",
        "success_ci_low",
    ] {
        assert!(columns.contains(&c), "{c} not in {columns:?}");
    }
    for (line, m) in lines[1..].iter().zip(models) {
        assert!(line.starts_with(&format!("{m},mul,")), "{line}");
    }

    let latex = run_ok(cwd, &["report", dir, "--format", "latex"]);
    assert!(latex.contains("\\begin{tabular}") && latex.contains("\\end{tabular}"));

    let json = run_ok(cwd, &["report", dir, "--format", "json"]);
    let rows: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), models.len());
    for (row, m) in rows.iter().zip(models) {
        assert_eq!(row["model"], m);
        assert_eq!(row["op"], "mul");
        assert_eq!(row["runs"], 2);
        for key in [
            "solved",
            "success_rate",
            "success_ci_low",
            "success_ci_high",
            "solved_at_median",
            "solved_at_mean",
            "solved_at_ci_low",
            "solved_at_ci_high",
            "sparsity_error_mean",
            "sparsity_error_ci_low",
            "sparsity_error_ci_high",
        ] {
            assert!(row.get(key).is_some(), "{key} missing in {row}");
        }
    }
}

#[test]
fn reproduce_estimates_then_prints_the_table_from_a_default_directory() {
    let dir = scratch("reproduce");
    let out = run(
        &dir,
        &[
            "reproduce",
            "toy",
            "--seeds",
            "0..1",
            "--iterations",
            "300",
            "--threshold-samples",
            "5000",
            "--format",
            "csv",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("estimated duration"), "{stderr}");
    assert!(stderr.contains("3/3 runs"), "{stderr}");
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    let records = records(&dir.join("arithgrad-results").join("toy"));
    assert_eq!(records.len(), 3);
    assert!(dir.join("arithgrad-results/toy/thresholds.jsonl").is_file());
}

#[test]
fn threshold_json_has_op_and_threshold_and_is_cached() {
    let dir = scratch("threshold");
    let args = ["threshold", "--op", "add", "--samples", "5000", "--json"];
    let out = run_ok(&dir, &args);
    assert_eq!(out.lines().count(), 1);
    let line: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(line["op"], "add");
    let t = line["threshold"].as_f64().unwrap();
    // add: about (2e-5 * 200)^2 / 3 in order of magnitude.
    assert!(t > 1e-6 && t < 1e-4, "{t}");
    let cache = std::fs::read_to_string(dir.join("cache").join("thresholds.jsonl")).unwrap();
    assert_eq!(cache.lines().count(), 1);
    assert!(cache.contains("op=add") && cache.contains("samples=5000"));
    // The second call reads the cache and gives the same number.
    let again: Value = serde_json::from_str(&run_ok(&dir, &args)).unwrap();
    assert_eq!(again["threshold"], line["threshold"]);
    let text = run_ok(&dir, &["threshold", "--op", "add", "--samples", "5000"]);
    assert!(text.starts_with("threshold of add"), "{text}");

    // A cache that cannot be written is a warning, not an error.
    let blocker = dir.join("not-a-directory");
    std::fs::write(&blocker, "").unwrap();
    let out = command(&dir, &args)
        .env("ARITHGRAD_CACHE", &blocker)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warning"), "{stderr}");
    let uncached: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(uncached["threshold"], line["threshold"]);
}

#[test]
fn train_prints_one_record_or_a_summary() {
    let dir = scratch("train");
    let base = [
        "train",
        "--model",
        "nmu",
        "--op",
        "mul",
        "--toy",
        "--seed",
        "3",
        "--iterations",
        "1000",
        "--threshold-samples",
        "5000",
    ];
    let mut json_args = base.to_vec();
    json_args.push("--json");
    let out = run_ok(&dir, &json_args);
    assert_eq!(out.lines().count(), 1);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["seed"], 3);
    assert_eq!(r["curve"].as_array().unwrap().len(), 2);
    assert!(r["solved"].is_boolean());
    assert_eq!(r["version"], env!("CARGO_PKG_VERSION"));

    let text = run_ok(&dir, &base);
    for needle in [
        "model",
        "seed            3",
        "threshold",
        "solved",
        "validation MSE",
        "sparsity error",
        "wall time",
        "layer1.W [2, 4]",
    ] {
        assert!(text.contains(needle), "{needle} not in\n{text}");
    }
}

#[test]
fn presets_lists_every_preset() {
    let dir = scratch("presets");
    let text = run_ok(&dir, &["presets", "--no-estimate"]);
    for name in arithgrad::experiment::PRESET_NAMES {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{name} "))),
            "{name} in\n{text}"
        );
    }
    let json = run_ok(&dir, &["presets", "--no-estimate", "--json"]);
    let toy: Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(toy["name"], "toy");
    assert_eq!(toy["cells"], 3);
    assert_eq!(toy["runs"], 300);
    assert_eq!(toy["total_iterations"], 300 * 200_000);
    assert!(toy["estimated_seconds"].is_null());
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = scratch("bad");
    let cases: &[(&[&str], i32, &str)] = &[
        (&["train", "--model", "nmuu"], 2, "nmuu"),
        (&["train", "--op", "mull"], 2, "mull"),
        (&["train", "--toy", "--input-size", "10"], 2, "4 inputs"),
        (&["train", "--iterations", "0"], 2, "--iterations"),
        (
            &["threshold", "--extrapolation", "[6,2]"],
            2,
            "extrapolation",
        ),
        (&["threshold", "--interpolation", "1-2"], 2, "1-2"),
        (&["threshold", "--subset-ratio", "0.9"], 2, "positions"),
        (&["threshold", "--samples", "0"], 2, "sample"),
        (&["sweep", "--preset", "nope", "--out", "d"], 2, "nope"),
        (
            &["sweep", "--preset", "toy", "--seeds", "5..2", "--out", "d"],
            2,
            "5..2",
        ),
        (
            &["sweep", "--preset", "toy", "--seeds", "x", "--out", "d"],
            2,
            "A..B",
        ),
        (
            &["sweep", "--preset", "toy", "--jobs", "0", "--out", "d"],
            2,
            "--jobs",
        ),
        (&["reproduce", "nope"], 2, "nope"),
        (
            &["reproduce", "toy", "--seeds", "0..18446744073709551615"],
            2,
            "runs",
        ),
        (
            &["train", "--iterations", "99999999999999"],
            2,
            "--iterations",
        ),
        (&["train", "--hidden", "100000000"], 2, "--hidden"),
        (
            &["threshold", "--input-size", "100000000"],
            2,
            "--input-size",
        ),
        (&["report", "missing"], 1, "records.jsonl"),
        (&["report", "d", "--format", "pdf"], 2, "pdf"),
        (&["frobnicate"], 2, "frobnicate"),
    ];
    for &(args, code, needle) in cases {
        let out = run(&dir, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{args:?}: `{needle}` not in {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed a result");
    }
    // Nothing was created by the rejected sweeps.
    assert!(!dir.join("d").exists());
    assert!(!dir.join("arithgrad-results").exists());
}

#[test]
fn a_corrupt_record_file_is_an_error_and_is_left_alone() {
    let dir = scratch("corrupt");
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let garbage = "not a record\n{\"seed\": 1}\n";
    std::fs::write(out_dir.join("records.jsonl"), garbage).unwrap();
    let out = run(&dir, &sweep_into("out", "1"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("line 1"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("records.jsonl")).unwrap(),
        garbage
    );
    let out = run(&dir, &["report", "out"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bench_reports_microseconds_per_step() {
    let dir = scratch("bench");
    let args = [
        "bench", "--model", "nmu", "--toy", "--steps", "50", "--blocks", "3", "--json",
    ];
    let out = run_ok(&dir, &args);
    assert_eq!(out.lines().count(), 1);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["model"], "nmu");
    assert_eq!(
        (r["input_size"].as_u64(), r["blocks"].as_u64()),
        (Some(4), Some(3))
    );
    let (min, median, max) = (
        r["us_per_step_min"].as_f64().unwrap(),
        r["us_per_step_median"].as_f64().unwrap(),
        r["us_per_step_max"].as_f64().unwrap(),
    );
    assert!(0.0 < min && min <= median && median <= max, "{r}");
    let text = run_ok(&dir, &args[..args.len() - 1]);
    assert!(text.contains("us/step median"), "{text}");
    let bad = run(&dir, &["bench", "--blocks", "0"]);
    assert_eq!(bad.status.code(), Some(2));
}
