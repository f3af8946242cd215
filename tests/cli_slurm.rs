//! `arithgrad slurm` without a Slurm (the scripts it writes, the commands it
//! prints, its errors) and the errors of `sweep --shard`. Submitting to a
//! real Slurm is tests/slurm_real.rs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_arithgrad");

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("arithgrad-cli-slurm-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cwd: &Path, args: &[&str], path: Option<&str>) -> Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .current_dir(cwd)
        .env("ARITHGRAD_CACHE", cwd.join("cache"));
    if let Some(p) = path {
        c.env("PATH", p);
    }
    let out = c.output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{args:?}"
    );
    out
}

const TOY: [&str; 9] = [
    "--preset",
    "toy",
    "--seeds",
    "0..8",
    "--iterations",
    "2000",
    "--threshold-samples",
    "2000",
    "--out",
];

#[test]
fn the_scripts_run_one_shard_per_task_and_the_commands_are_printed() {
    let dir = scratch("scripts");
    let mut args = vec!["slurm"];
    args.extend(TOY);
    args.extend([
        "out",
        "--tasks",
        "4",
        "--cpus-per-task",
        "2",
        "--max-running",
        "3",
        "--partition",
        "short",
        "--account",
        "lab",
        "--sbatch-arg=--qos=long",
        "--sbatch-arg",
        "--mem-per-cpu=500M",
    ]);
    let out = run(&dir, &args, Some(""));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("time limit per task"), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let sweep = std::fs::read_to_string(dir.join("out/slurm/sweep.sbatch")).unwrap();
    let report = std::fs::read_to_string(dir.join("out/slurm/report.sbatch")).unwrap();
    assert!(stdout.contains("sbatch --parsable") && stdout.contains("sweep.sbatch"));
    assert!(stdout.contains("--dependency=afterany:") && stdout.contains("report.sbatch"));
    for line in [
        "#SBATCH --array=0-3%3",
        "#SBATCH --cpus-per-task=2",
        "#SBATCH --partition=short",
        "#SBATCH --account=lab",
        "#SBATCH --qos=long",
        "#SBATCH --mem-per-cpu=500M",
        "#SBATCH --requeue",
        "#SBATCH --time=",
    ] {
        assert!(sweep.contains(line), "{line} not in\n{sweep}");
    }
    assert!(
        sweep.contains("--shard \"$SLURM_ARRAY_TASK_ID/4\""),
        "{sweep}"
    );
    assert!(
        sweep.contains("--jobs \"${SLURM_CPUS_PER_TASK:-1}\""),
        "{sweep}"
    );
    assert!(sweep.contains("--seeds 0..8") && sweep.contains("--iterations 2000"));
    assert!(report.contains("report.md") && report.contains("--format csv"));
    assert!(report.contains("#SBATCH --partition=short"));
    // `status` knows the plan before any task has run.
    let status = run(&dir, &["status", "out"], None);
    let text = String::from_utf8(status.stdout).unwrap();
    assert!(text.contains("0 of 24 runs"), "{text}");
    // A given time is used as is.
    let mut timed = args.clone();
    timed.extend(["--time", "1:00:00"]);
    assert!(run(&dir, &timed, Some("")).status.success());
    let sweep = std::fs::read_to_string(dir.join("out/slurm/sweep.sbatch")).unwrap();
    assert!(sweep.contains("#SBATCH --time=1:00:00"), "{sweep}");
}

#[test]
fn bad_input_is_a_clear_error_with_exit_code_2() {
    let dir = scratch("bad");
    let with = |extra: &[&'static str], out: &'static str| {
        let mut a: Vec<&str> = Vec::new();
        a.extend(extra);
        a.extend(TOY);
        a.push(out);
        a
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (with(&["sweep", "--shard", "3/3"], "d"), "0 to 2"),
        (with(&["sweep", "--shard", "0/0"], "d"), "at least 1"),
        (with(&["sweep", "--shard", "a/b"], "d"), "I/N"),
        (with(&["slurm", "--tasks", "0"], "d"), "--tasks"),
        (with(&["slurm", "--tasks", "25"], "d"), "24 runs"),
        (
            with(&["slurm", "--tasks", "2", "--submit"], "d"),
            "apt-get install slurm-client",
        ),
    ];
    for (args, needle) in cases {
        let out = run(&dir, &args, Some(""));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{args:?}: `{needle}` not in {stderr}"
        );
    }
    assert!(!dir.join("d").exists(), "a rejected command wrote nothing");

    // A directory of another preset, or of another crate version.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join("cells.jsonl"),
        "{\"key\":\"arithgrad=0.2.0 model=nmu\",\"preset\":\"main-table\"}\n",
    )
    .unwrap();
    let old = dir.join("old");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(
        old.join("cells.jsonl"),
        "{\"key\":\"arithgrad=0.0.1 model=nmu\",\"preset\":\"toy\"}\n",
    )
    .unwrap();
    for (out, needle) in [("other", "main-table"), ("old", "arithgrad 0.0.1")] {
        for cmd in [
            &["sweep", "--shard", "0/2"][..],
            &["slurm", "--tasks", "2"][..],
        ] {
            let args = with(cmd, out);
            let o = run(&dir, &args, Some(""));
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(stderr.contains(needle), "{args:?}: {stderr}");
        }
    }
}
