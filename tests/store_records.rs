//! The results store as a library (`arithgrad::store`, no command line):
//! merging shard files and the old single file, counting a run found twice
//! once, refusing two copies that differ in more than the wall time,
//! skipping a half-written last line, and one file per writer.
#![cfg(feature = "store")]

use std::path::{Path, PathBuf};

use arithgrad::experiment::{preset, run, RunRecord};
use arithgrad::store::{read_records, RecordWriter, RECORDS_DIR, RECORDS_FILE};
use arithgrad::Error;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arithgrad-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(RECORDS_DIR)).unwrap();
    dir
}

/// Two short runs (seeds 0 and 1) of the toy NMU cell.
fn two_records() -> Vec<RunRecord> {
    let mut config = preset("toy").unwrap().cells[2].clone();
    config.iterations = 200;
    config.eval_every = 100;
    config.eval_rows = 50;
    (0..2)
        .map(|seed| run(&config, seed, 1e-3).unwrap())
        .collect()
}

fn line(r: &RunRecord) -> String {
    serde_json::to_string(r).unwrap() + "\n"
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn shards_and_the_old_file_merge_and_a_second_copy_counts_once() {
    let records = two_records();
    let dir = scratch("merge");
    // The old single file holds seed 0; a shard holds seed 0 again (a
    // requeued task, another wall time) and seed 1.
    write(&dir.join(RECORDS_FILE), &line(&records[0]));
    let mut again = records[0].clone();
    again.wall_time_s += 1.5;
    write(
        &dir.join(RECORDS_DIR).join("b.jsonl"),
        &(line(&again) + &line(&records[1])),
    );
    let set = read_records::<RunRecord>(&dir).unwrap();
    assert_eq!(set.records.len(), 2);
    assert_eq!(set.duplicates, 1);
    assert_eq!(set.files.len(), 2);
    assert_eq!(
        set.records[0].wall_time_s, records[0].wall_time_s,
        "the first copy"
    );
    assert!(set.warnings().is_empty());
}

#[test]
fn two_copies_that_differ_beyond_the_wall_time_are_an_error_naming_both() {
    let records = two_records();
    let dir = scratch("conflict");
    let mut other = records[1].clone();
    // The last bit of one number.
    other.curve[1].valid_mse = f64::from_bits(other.curve[1].valid_mse.to_bits() ^ 1);
    write(&dir.join(RECORDS_DIR).join("a.jsonl"), &line(&records[1]));
    write(
        &dir.join(RECORDS_DIR).join("b.jsonl"),
        &(line(&records[0]) + &line(&other)),
    );
    let e = read_records::<RunRecord>(&dir).unwrap_err();
    assert!(matches!(e, Error::ConflictingRecords { .. }), "{e}");
    let text = e.to_string();
    for needle in [
        records[1].key.as_str(),
        "seed 1",
        "a.jsonl line 1",
        "b.jsonl line 2",
    ] {
        assert!(text.contains(needle), "`{needle}` not in {text}");
    }
}

#[test]
fn a_half_written_last_line_is_skipped_and_reported() {
    let records = two_records();
    let dir = scratch("partial");
    let shard = dir.join(RECORDS_DIR).join("a.jsonl");
    let torn = line(&records[1]);
    write(&shard, &(line(&records[0]) + &torn[..torn.len() / 2]));
    let set = read_records::<RunRecord>(&dir).unwrap();
    assert_eq!(set.records.len(), 1);
    assert_eq!(set.partial_lines, vec![shard.clone()]);
    assert!(set.warnings()[0].contains("a.jsonl"));
    // A complete line that is not a record is an error, not a skip.
    write(&shard, &("garbage\n".to_string() + &line(&records[0])));
    let e = read_records::<RunRecord>(&dir).unwrap_err();
    assert!(matches!(e, Error::BadLine { line: 1, .. }), "{e}");
}

#[test]
fn each_writer_has_its_own_file_created_on_its_first_record() {
    let records = two_records();
    let dir = scratch("writers");
    let mut a = RecordWriter::new(&dir);
    let mut b = RecordWriter::new(&dir);
    assert!(a.path().is_none(), "no file before the first record");
    assert_eq!(std::fs::read_dir(dir.join(RECORDS_DIR)).unwrap().count(), 0);
    a.append(&records[0]).unwrap();
    b.append(&records[1]).unwrap();
    a.append(&records[1]).unwrap();
    assert_ne!(a.path(), b.path());
    assert_eq!(std::fs::read_dir(dir.join(RECORDS_DIR)).unwrap().count(), 2);
    let set = read_records::<RunRecord>(&dir).unwrap();
    assert_eq!((set.records.len(), set.duplicates), (2, 1));
}
