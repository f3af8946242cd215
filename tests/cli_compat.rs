//! `--compat published` end to end: recorded in the run configuration, part
//! of the run and threshold keys (the two modes never mix), and shown under
//! the table.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_arithgrad");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arithgrad-compat-{}-{name}", std::process::id()));
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

fn run_ok(cwd: &Path, args: &[&str]) -> String {
    let out = run(cwd, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn threshold_json(cwd: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["threshold", "--op", "add", "--samples", "20000", "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(run_ok(cwd, &args).trim()).unwrap()
}

#[test]
fn threshold_switch_changes_the_value_and_the_key() {
    let dir = scratch("threshold");
    let default = threshold_json(&dir, &[]);
    let published = threshold_json(&dir, &["--compat", "published"]);
    assert_eq!(default["compat"], "default");
    assert_eq!(published["compat"], "published");
    let key = |v: &Value| v["key"].as_str().unwrap().to_string();
    assert!(!key(&default).contains("compat"));
    assert!(key(&published).ends_with(" compat=published"));
    let (d, p) = (
        default["threshold"].as_f64().unwrap(),
        published["threshold"].as_f64().unwrap(),
    );
    assert!(p < 0.96 * d, "published {p} vs default {d}");
    // Cached under different keys: asking again gives the same numbers.
    assert_eq!(threshold_json(&dir, &["--compat", "published"]), published);
    assert_eq!(threshold_json(&dir, &[]), default);
    // A bad mode is a usage error.
    let bad = run(&dir, &["threshold", "--compat", "paper"]);
    assert_eq!(bad.status.code(), Some(2));
    // The R geometry can run out of inputs: a clear usage error.
    let wide = run(
        &dir,
        &[
            "threshold",
            "--subset-ratio",
            "0.5",
            "--overlap-ratio",
            "0",
            "--compat",
            "published",
        ],
    );
    assert_eq!(wide.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wide.stderr).contains("published"));
}

#[test]
fn sweep_records_the_mode_and_report_keeps_the_modes_apart() {
    let dir = scratch("sweep");
    let sweep = |compat: &str| {
        run_ok(
            &dir,
            &[
                "sweep",
                "--preset",
                "toy",
                "--seeds",
                "0..1",
                "--iterations",
                "1000",
                "--threshold-samples",
                "5000",
                "--quiet",
                "--jobs",
                "1",
                "--compat",
                compat,
                "--out",
                "out",
            ],
        );
    };
    sweep("published");
    let out = dir.join("out");
    let text = all_records(&out);
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3);
    for r in &records {
        assert_eq!(r["config"]["compat"], "published");
        assert!(r["key"].as_str().unwrap().ends_with(" compat=published"));
    }
    // Only published records: the default report says how to see them.
    let plain = run(&dir, &["report", "out"]);
    assert!(!plain.status.success());
    assert!(String::from_utf8_lossy(&plain.stderr).contains("--compat published"));
    let table = run_ok(&dir, &["report", "out", "--compat", "published"]);
    assert!(table.contains("compat: published"), "{table}");

    // The same sweep in the default mode adds its own runs (no reuse of the
    // published ones), and each report shows only its mode.
    sweep("default");
    assert_eq!(all_records(&out).lines().count(), 6);
    let table = run_ok(&dir, &["report", "out"]);
    assert!(!table.contains("compat: published"), "{table}");
    let published = run_ok(&dir, &["report", "out", "--compat", "published"]);
    assert!(published.contains("compat: published"));
}

/// Every record file of a results directory (one per writer process, in
/// `records/`), concatenated.
fn all_records(dir: &std::path::Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}
