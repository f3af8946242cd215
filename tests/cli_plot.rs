//! `arithgrad plot` and the figure `reproduce` draws, end to end: files
//! written where documented, and bad input refused with exit code 2.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arithgrad::experiment::{RunConfig, RunRecord};
use arithgrad::task::{Operation, TaskConfig};
use arithgrad::units::ModelKind;

const BIN: &str = env!("CARGO_BIN_EXE_arithgrad");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arithgrad-plot-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env("ARITHGRAD_CACHE", cwd.join("cache"))
        .env_remove("XDG_CACHE_HOME")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    out
}

fn record(config: &RunConfig, seed: u64) -> RunRecord {
    let solved = seed % 2 == 0;
    RunRecord {
        key: config.key(),
        config: config.clone(),
        seed,
        threshold: 1e-6,
        curve: Vec::new(),
        judged: None,
        solved,
        solved_at: solved.then_some(1000 * (seed + 1)),
        sparsity_error: solved.then_some(0.01 * (seed + 1) as f64),
        diverged: false,
        gates: [None, None],
        gates_test: [None, None],
        wall_time_s: 0.0,
        version: "0.3.0".into(),
    }
}

/// A results directory with records of nmu and nalu at the given
/// (input size, hidden size) pairs, four seeds each.
fn results(dir: &Path, cells: &[(usize, usize)]) {
    let mut text = String::new();
    for model in [ModelKind::Nmu, ModelKind::Nalu] {
        for &(input_size, hidden) in cells {
            let task = TaskConfig {
                input_size,
                ..TaskConfig::new(Operation::Mul)
            };
            let config = RunConfig::new(model.spec(input_size, hidden), task);
            for seed in 0..4 {
                text.push_str(&serde_json::to_string(&record(&config, seed)).unwrap());
                text.push('\n');
            }
        }
    }
    std::fs::write(dir.join("records.jsonl"), text).unwrap();
}

#[test]
fn plot_writes_the_figure_into_the_directory_or_to_out() {
    let dir = scratch("ok");
    results(&dir, &[(100, 2), (100, 3), (100, 4)]);
    let out = run(&dir, &["plot", "."]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(dir.join("figure.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("hidden size"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("x axis: hidden"));

    let out = run(
        &dir,
        &[
            "plot",
            ".",
            "--out",
            "figs/nalu.svg",
            "--models",
            "nalu",
            "--title",
            "NALU only",
            "--width",
            "600",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(dir.join("figs/nalu.svg")).unwrap();
    assert!(svg.contains("NALU only") && svg.contains("width=\"600\""));

    let out = run(
        &dir,
        &["plot", ".", "--curves", "--model", "nmu", "--seeds", "0..2"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("curves.svg").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_a_clear_error_with_exit_code_2() {
    let dir = scratch("bad");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::create_dir_all(dir.join("blank")).unwrap();
    std::fs::write(dir.join("blank/records.jsonl"), "").unwrap();
    std::fs::create_dir_all(dir.join("two")).unwrap();
    results(&dir.join("two"), &[(100, 2), (100, 3), (10, 2)]);
    std::fs::create_dir_all(dir.join("one")).unwrap();
    results(&dir.join("one"), &[(100, 2), (100, 3)]);
    let cases: [(&[&str], &str); 8] = [
        (&["plot", "missing"], "not a directory"),
        (&["plot", "empty"], "no run records"),
        (&["plot", "blank"], "no run records"),
        (&["plot", "two"], "hidden and input_size"),
        (&["plot", "one", "--x", "depth"], "depth"),
        (&["plot", "one", "--ops", "div"], "div"),
        (
            &["plot", "one", "--curves", "--model", "relu"],
            "no run matches",
        ),
        (&["plot", "one", "--width", "10"], "10 x"),
    ];
    for (args, expected) in cases {
        let out = run(&dir, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // The two-parameter error suggests the way out, which works.
    let out = run(&dir, &["plot", "two"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--x"));
    assert!(run(&dir, &["plot", "two", "--x", "hidden"])
        .status
        .success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reproduce_draws_the_figure_of_a_parameter_sweep_only() {
    let dir = scratch("reproduce");
    let quick = [
        "--seeds",
        "0..1",
        "--iterations",
        "200",
        "--threshold-samples",
        "2000",
        "--quiet",
    ];
    let mut args = vec![
        "reproduce",
        "regularizer",
        "--out",
        "reg",
        "--format",
        "csv",
    ];
    args.extend(quick);
    let out = run(&dir, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(dir.join("reg/figure.svg")).unwrap();
    assert!(svg.contains("lambda_hat"));
    // The table on stdout is unchanged: CSV, one line per cell and a header.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 19);

    // The toy table varies only the model: no figure.
    let mut args = vec!["reproduce", "toy", "--out", "toy"];
    args.extend(quick);
    let out = run(&dir, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.join("toy/figure.svg").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
