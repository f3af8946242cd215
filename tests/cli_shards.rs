//! Shards and concurrent writers, end to end with the `arithgrad` binary on
//! a small sweep (the toy preset, 3 seeds, 300 iterations: 9 runs).
//!
//! - The union of the shard sweeps `--shard I/N` equals one plain sweep,
//!   record for record, bit for bit except `wall_time_s`.
//! - Two sweeps writing one directory at once (different shards, and the
//!   same runs) lose no record and count none twice.
//! - A writer killed with SIGKILL while others write loses only its runs in
//!   flight; rerunning finishes the rest.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_arithgrad");
const RUNS: usize = 9;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arithgrad-shards-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `sweep` of the small plan into `out`, with `extra` arguments.
fn sweep(cwd: &Path, out: &str, extra: &[&str]) -> Command {
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
        out,
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
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn spawn(mut c: Command) -> Child {
    c.stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) {
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
}

fn record_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("records"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// The complete record lines of `dir` without wall time, sorted by key and
/// seed, and the number of complete lines.
fn records(dir: &Path) -> (Vec<Value>, usize) {
    let mut records: Vec<Value> = Vec::new();
    for f in record_files(dir) {
        let text = std::fs::read_to_string(f).unwrap();
        for line in text.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
            let mut r: Value = serde_json::from_str(line).unwrap();
            r.as_object_mut().unwrap().remove("wall_time_s");
            records.push(r);
        }
    }
    let lines = records.len();
    records.sort_by_key(|r| (r["key"].as_str().unwrap().to_string(), r["seed"].as_u64()));
    (records, lines)
}

/// What `status --json` counts as done.
fn done(cwd: &Path, out: &str) -> u64 {
    let mut c = Command::new(BIN);
    c.args(["status", out, "--json"]).current_dir(cwd);
    let s: Value = serde_json::from_str(&ok(c)).unwrap();
    s["done"].as_u64().unwrap()
}

fn report(cwd: &Path, out: &str) -> String {
    let mut c = Command::new(BIN);
    c.args(["report", out]).current_dir(cwd);
    ok(c)
}

/// One plain sweep: the reference.
fn plain() -> &'static (Vec<Value>, String) {
    static PLAIN: OnceLock<(Vec<Value>, String)> = OnceLock::new();
    PLAIN.get_or_init(|| {
        let dir = scratch("plain");
        ok(sweep(&dir, "out", &[]));
        let (records, lines) = records(&dir.join("out"));
        assert_eq!((records.len(), lines), (RUNS, RUNS));
        (records, report(&dir, "out"))
    })
}

#[test]
fn the_union_of_shard_sweeps_is_one_plain_sweep() {
    let (expected, expected_report) = plain();
    for n in [1usize, 2, 4, 9] {
        let dir = scratch(&format!("union{n}"));
        let mut sizes = Vec::new();
        for i in 0..n {
            let shard = format!("{i}/{n}");
            ok(sweep(&dir, "out", &["--shard", &shard]));
            sizes.push(records(&dir.join("out")).1);
        }
        let (records, lines) = records(&dir.join("out"));
        assert_eq!(lines, RUNS, "{n} shards: every run exactly once");
        assert_eq!(&records, expected, "{n} shards");
        assert_eq!(&report(&dir, "out"), expected_report);
        // Each shard added some runs (the split is not degenerate).
        assert!(
            sizes.windows(2).all(|w| w[1] > w[0]) && sizes[0] > 0,
            "{sizes:?}"
        );
    }
}

#[test]
fn two_sweeps_on_one_directory_lose_nothing_and_count_nothing_twice() {
    let (expected, expected_report) = plain();
    // Different shards at once.
    let dir = scratch("two-shards");
    let a = spawn(sweep(&dir, "out", &["--shard", "0/2"]));
    let b = spawn(sweep(&dir, "out", &["--shard", "1/2"]));
    finish(a);
    finish(b);
    let (found, lines) = records(&dir.join("out"));
    assert_eq!(lines, RUNS);
    assert_eq!(&found, expected);
    assert_eq!(
        record_files(&dir.join("out")).len(),
        2,
        "one file per writer"
    );

    // The same runs at once: both may run them all; each run counts once.
    let dir = scratch("same-runs");
    let a = spawn(sweep(&dir, "out", &[]));
    let b = spawn(sweep(&dir, "out", &[]));
    finish(a);
    finish(b);
    let (mut found, lines) = records(&dir.join("out"));
    assert!((RUNS..=2 * RUNS).contains(&lines), "{lines}");
    found.dedup();
    assert_eq!(&found, expected, "identical copies, no run missing");
    assert_eq!(
        done(&dir, "out"),
        RUNS as u64,
        "status counts each run once"
    );
    assert_eq!(&report(&dir, "out"), expected_report);
}

#[test]
fn a_writer_killed_mid_line_loses_only_its_run_in_flight() {
    let (expected, _) = plain();
    let dir = scratch("sigkill");
    let out = dir.join("out");
    let mut victim = spawn(sweep(&dir, "out", &["--shard", "0/2"]));
    // Once the victim has written a record, start the other writer, then
    // kill the victim (SIGKILL) while both write.
    let victim_file = loop {
        if let Some(f) = record_files(&out).first() {
            if std::fs::read_to_string(f)
                .unwrap_or_default()
                .contains('\n')
            {
                break f.clone();
            }
        }
        assert!(
            victim.try_wait().unwrap().is_none(),
            "the victim ended early"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let other = spawn(sweep(&dir, "out", &["--shard", "1/2"]));
    std::thread::sleep(Duration::from_millis(50));
    victim.kill().unwrap();
    victim.wait().unwrap();
    finish(other);
    // Its last write torn mid-line, as by a kill inside `write`.
    let mut text = std::fs::read_to_string(&victim_file).unwrap();
    let victim_records = text.matches('\n').count();
    if victim_records == 3 {
        eprintln!("note: the victim finished its 3 runs before it was killed");
    }
    text.push_str("{\"key\":\"arithgrad=0 model=nalu");
    std::fs::write(&victim_file, text).unwrap();
    let (before, before_lines) = records(&out);
    assert_eq!(before.len(), before_lines, "no run twice");
    assert!(
        before.len() > victim_records,
        "the other shard's runs are there"
    );
    assert!(before.iter().all(|r| expected.contains(r)));
    // Readers skip the torn line with a warning; rerunning the killed shard
    // finishes it.
    let mut c = Command::new(BIN);
    c.args(["report", "out"]).current_dir(&dir);
    let o = c.output().unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("incomplete last line"));
    ok(sweep(&dir, "out", &["--shard", "0/2"]));
    let (records, lines) = records(&out);
    assert_eq!(&records, expected);
    assert_eq!(lines, RUNS, "no finished run redone");
}

#[test]
fn a_directory_of_the_old_layout_is_read_and_resumed_unchanged() {
    let (expected, expected_report) = plain();
    // The plain sweep's records as one old-style records.jsonl, and a cell
    // list without seeds or costs, as arithgrad 0.2 wrote them.
    let source = scratch("old-source");
    ok(sweep(&source, "out", &[]));
    let mut text = String::new();
    for f in record_files(&source.join("out")) {
        text.push_str(&std::fs::read_to_string(f).unwrap());
    }
    let cells: String = std::fs::read_to_string(source.join("out/cells.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            format!("{{\"key\":{},\"preset\":\"toy\"}}\n", v["key"])
        })
        .collect();
    let dir = scratch("old");
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("records.jsonl"), &text).unwrap();
    std::fs::write(out.join("cells.jsonl"), &cells).unwrap();
    assert_eq!(&report(&dir, "out"), expected_report);
    let mut c = Command::new(BIN);
    c.args(["status", "out"]).current_dir(&dir);
    let status = ok(c);
    assert!(status.contains("9 of ? runs done"), "{status}");
    // Resuming finds every run: nothing new is written.
    ok(sweep(&dir, "out", &[]));
    assert!(record_files(&out).is_empty(), "no run was redone");
    assert_eq!(
        std::fs::read_to_string(out.join("records.jsonl")).unwrap(),
        text
    );
    let mut lines: Vec<Value> = text
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("wall_time_s");
            v
        })
        .collect();
    lines.sort_by_key(|r| (r["key"].as_str().unwrap().to_string(), r["seed"].as_u64()));
    assert_eq!(&lines, expected);
}
