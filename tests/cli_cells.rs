//! Cell filters (`sweep --model M --op OP`, `presets --preset P --model M`)
//! end to end with the `arithgrad` binary on a small sweep (the toy preset,
//! 3 seeds, 300 iterations).
//!
//! - A filtered sweep's records are the plain sweep's records of those
//!   cells, bit for bit except `wall_time_s`; with `--shard I/N` too.
//! - An unknown model or operation, or a filter that selects no cell, is a
//!   usage error (exit code 2) that names the problem and writes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_arithgrad");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arithgrad-cells-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `sweep` of the small plan into `cwd/out`, with `extra` arguments.
fn sweep(cwd: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args([
        "sweep",
        "--preset",
        "toy",
        "--seeds",
        "0..3",
        "--iterations",
        "300",
        "--threshold-samples",
        "2000",
        "--quiet",
        "--jobs",
        "1",
        "--out",
        "out",
    ])
    .args(extra)
    .current_dir(cwd)
    .env("ARITHGRAD_CACHE", cwd.join("cache"));
    c
}

fn ok(mut c: Command) -> String {
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{c:?} failed: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// The usage error of `c`: exit code 2 and its message.
fn usage_error(mut c: Command) -> String {
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{c:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// The records of `dir/out` without wall time, sorted by key and seed.
fn records(dir: &Path) -> Vec<Value> {
    let mut records: Vec<Value> = Vec::new();
    let files = std::fs::read_dir(dir.join("out/records"))
        .map(|d| d.map(|e| e.unwrap().path()).collect::<Vec<_>>())
        .unwrap_or_default();
    for f in files {
        for line in std::fs::read_to_string(f).unwrap().lines() {
            let mut r: Value = serde_json::from_str(line).unwrap();
            r.as_object_mut().unwrap().remove("wall_time_s");
            records.push(r);
        }
    }
    records.sort_by_key(|r| (r["key"].as_str().unwrap().to_string(), r["seed"].as_u64()));
    records
}

/// The model named in a record's key (`model=nmu`).
fn model(r: &Value) -> String {
    let key = r["key"].as_str().unwrap();
    let name = key.split(" model=").nth(1).unwrap();
    name.split(' ').next().unwrap().to_string()
}

/// One plain sweep of the toy's 9 runs: the reference.
fn plain() -> &'static Vec<Value> {
    static PLAIN: OnceLock<Vec<Value>> = OnceLock::new();
    PLAIN.get_or_init(|| {
        let dir = scratch("plain");
        ok(sweep(&dir, &[]));
        let r = records(&dir);
        assert_eq!(r.len(), 9);
        r
    })
}

/// The plain sweep's records of the models `names`.
fn plain_of(names: &[&str]) -> Vec<Value> {
    plain()
        .iter()
        .filter(|r| names.contains(&model(r).as_str()))
        .cloned()
        .collect()
}

#[test]
fn a_filtered_sweep_writes_the_plain_sweeps_records_of_its_cells() {
    let expected = plain_of(&["nmu"]);
    assert_eq!(expected.len(), 3);
    let dir = scratch("nmu");
    ok(sweep(&dir, &["--model", "nmu", "--op", "mul"]));
    assert_eq!(records(&dir), expected);

    // Two models, and the operation left open; rerunning resumes (nothing new).
    let expected = plain_of(&["nmu", "nalu"]);
    assert_eq!(expected.len(), 6);
    let dir = scratch("two");
    ok(sweep(&dir, &["--model", "nalu,nmu"]));
    assert_eq!(records(&dir), expected);
    ok(sweep(&dir, &["--model", "nalu,nmu"]));
    assert_eq!(records(&dir), expected);
}

#[test]
fn shards_of_a_filtered_sweep_make_up_the_filtered_sweep() {
    let expected = plain_of(&["nmu", "nac-mul"]);
    let dir = scratch("shards");
    let mut sizes = Vec::new();
    for i in 0..3 {
        let shard = format!("{i}/3");
        ok(sweep(&dir, &["--model", "nac-mul,nmu", "--shard", &shard]));
        sizes.push(records(&dir).len());
    }
    assert_eq!(records(&dir), expected, "every selected run exactly once");
    assert!(sizes[0] > 0 && sizes[0] < sizes[1] && sizes[1] < sizes[2]);
}

#[test]
fn unknown_names_and_empty_selections_exit_with_2_naming_the_problem() {
    let dir = scratch("errors");
    for (extra, needles) in [
        (
            &["--model", "nmuu"][..],
            &["--model", "`nmuu`", "nac-mul"][..],
        ),
        (&["--op", "mull"], &["--op", "`mull`", "squared"]),
        (
            &["--op", "add"],
            &[
                "--op add selects no cell of preset `toy`",
                "models are nac-mul, nalu, nmu",
                "operations mul",
            ],
        ),
        (
            &["--model", "nau", "--op", "mul"],
            &["--model nau --op mul selects no cell"],
        ),
        (&["--model", "nmu", "--shard", "3/2"], &["3/2"]),
    ] {
        let stderr = usage_error(sweep(&dir, extra));
        for n in needles {
            assert!(stderr.contains(n), "{extra:?}: {n}: {stderr}");
        }
        assert!(!dir.join("out/records").exists(), "{extra:?} wrote records");
    }
    // `presets` takes the same filters, of one preset.
    let presets = |args: &[&str]| {
        let mut c = Command::new(BIN);
        c.arg("presets")
            .args(args)
            .arg("--no-estimate")
            .arg("--json");
        c
    };
    let stderr = usage_error(presets(&["--model", "nmu"]));
    assert!(stderr.contains("needs --preset"), "{stderr}");
    let stderr = usage_error(presets(&["--preset", "toy", "--op", "div"]));
    assert!(
        stderr.contains("selects no cell of preset `toy`"),
        "{stderr}"
    );
    let stderr = usage_error(presets(&["--preset", "toys"]));
    assert!(stderr.contains("unknown preset `toys`"), "{stderr}");
    let line: Value = serde_json::from_str(&ok(presets(&[
        "--preset",
        "main-table",
        "--model",
        "nalu",
        "--op",
        "mul",
    ])))
    .unwrap();
    assert_eq!(line["name"], "main-table");
    assert_eq!(line["cells"], 1);
    assert_eq!(line["runs"], 100);
}
