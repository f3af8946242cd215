//! Runs the fuzz target's checks without cargo-fuzz: every file of the
//! committed corpus `fuzz/corpus/op_program/`, then a few thousand seeded
//! pseudo-random byte strings. See `fuzz/src/op_program.rs` for what a case
//! decodes into and what is checked.

use std::panic;
use std::path::Path;

use arithgrad::random::Rng;

#[path = "../fuzz/src/op_program.rs"]
#[allow(dead_code)]
mod op_program;

use op_program::{check_bytes, decode, run, Outcome};

/// Random cases replayed per run.
const RANDOM_CASES: usize = 3000;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs one case, turning a panic into a description of the case.
fn run_case(name: &str, bytes: &[u8]) -> Result<Outcome, String> {
    panic::catch_unwind(|| check_bytes(bytes)).map_err(|e| {
        let msg = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("{name} (bytes {}): {msg}", hex(bytes))
    })
}

#[test]
fn committed_corpus_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/op_program");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 20,
        "the seed corpus has {} files",
        files.len()
    );
    let mut failures = Vec::new();
    let mut compared = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        match run_case(&path.display().to_string(), &bytes) {
            Ok(o) => compared += usize::from(o.compared > 0),
            Err(f) => failures.push(f),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The seed corpus is chosen to exercise the gradient comparison.
    assert!(
        compared * 2 >= files.len(),
        "only {compared} of {} corpus files compared gradients",
        files.len()
    );
}

#[test]
fn seeded_random_programs_pass() {
    let mut rng = Rng::seed_from_u64(0x5eed_f022);
    let mut failures = Vec::new();
    let (mut compared, mut steps_ok, mut steps_err) = (0, 0, 0);
    for case in 0..RANDOM_CASES {
        let len = rng.below(160) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        match run_case(&format!("random case {case}"), &bytes) {
            Ok(o) => {
                compared += usize::from(o.compared > 0);
                steps_ok += o.steps_ok;
                steps_err += o.steps_err;
            }
            Err(f) => failures.push(f),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {RANDOM_CASES} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Guard against a decoder that degenerates into trivial programs.
    assert!(
        compared >= RANDOM_CASES / 10,
        "only {compared} cases compared gradients"
    );
    assert!(steps_ok >= RANDOM_CASES, "only {steps_ok} steps succeeded");
    assert!(
        steps_err >= RANDOM_CASES / 10,
        "only {steps_err} steps failed"
    );
}

#[test]
fn every_operation_is_generated_by_the_fuzzer() {
    // The names in `Op::name` (src/tape/op.rs), a match the compiler keeps
    // complete: a new operation fails this test until the fuzzer makes it.
    let source = include_str!("../src/tape/op.rs");
    let start = source.find("fn name(&self)").expect("Op::name");
    let end = start + source[start..].find("\n    }\n").expect("end of Op::name");
    let names: std::collections::BTreeSet<&str> =
        source[start..end].split('"').skip(1).step_by(2).collect();
    assert!(names.len() > 30, "{names:?}");
    let mut seen = std::collections::BTreeSet::new();
    let mut rng = Rng::seed_from_u64(0xc07e_4a6e);
    for _ in 0..RANDOM_CASES {
        let len = rng.below(160) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let mut tape = arithgrad::Tape::<f64>::new();
        let replay = run(&decode(&bytes), &mut tape, None);
        for v in replay.values.iter().flatten() {
            seen.insert(tape.op_name(*v).unwrap());
        }
    }
    // A parameter leaf is a variable loaded from a store: the fuzzer's
    // programs have no store, and the tape treats both leaves alike.
    let missing: Vec<&&str> = names
        .iter()
        .filter(|n| !seen.contains(**n) && **n != "parameter")
        .collect();
    assert!(
        missing.is_empty(),
        "operations the fuzzer never records: {missing:?}"
    );
}
