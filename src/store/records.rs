//! The run records of a results directory: every writer's shard file
//! merged, each run counted once.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::experiment::RunRecord;

use super::lines::{read_lines, to_line, writer_name, LineWriter};

/// The single record file of a directory written by arithgrad 0.2 and
/// earlier (still read).
pub const RECORDS_FILE: &str = "records.jsonl";

/// The folder of record shards: one file per writer process.
pub const RECORDS_DIR: &str = "records";

/// Every record file of `dir`: the old single file first, then the shards
/// in name order (so a merge reads files in the same order everywhere).
pub fn record_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let legacy = dir.join(RECORDS_FILE);
    if legacy.is_file() {
        files.push(legacy);
    }
    let shards = dir.join(RECORDS_DIR);
    match std::fs::read_dir(&shards) {
        Ok(entries) => {
            let mut found: Vec<PathBuf> = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|e| super::lines::io_error(&shards, "list", e))?;
                let path = entry.path();
                if path.extension().is_some_and(|x| x == "jsonl") && path.is_file() {
                    found.push(path);
                }
            }
            found.sort();
            files.extend(found);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(super::lines::io_error(&shards, "list", e)),
    }
    Ok(files)
}

/// What a record must tell the merge: which run it is, and (to tell a
/// harmless second copy from a contradiction) its content without timing.
pub trait Recorded: DeserializeOwned {
    fn key(&self) -> &str;
    fn seed(&self) -> u64;
    /// The record without anything that may differ between two executions
    /// of the same run, as text; `None` skips the comparison.
    fn identity(&self) -> Option<String>;
}

impl Recorded for RunRecord {
    fn key(&self) -> &str {
        &self.key
    }
    fn seed(&self) -> u64 {
        self.seed
    }
    fn identity(&self) -> Option<String> {
        to_line(&self.without_timing()).ok()
    }
}

/// The few fields of a record that `status` needs (reading them skips the
/// curves and weights).
#[derive(Clone, Debug, Deserialize)]
pub struct RecordSummary {
    pub key: String,
    pub seed: u64,
    pub config: crate::experiment::RunConfig,
    pub solved: bool,
    pub diverged: bool,
    pub wall_time_s: f64,
}

impl Recorded for RecordSummary {
    fn key(&self) -> &str {
        &self.key
    }
    fn seed(&self) -> u64 {
        self.seed
    }
    fn identity(&self) -> Option<String> {
        None
    }
}

/// The records of a directory after merging.
#[derive(Debug)]
pub struct RecordSet<R> {
    /// Each run once, in file order (the first copy found).
    pub records: Vec<R>,
    /// Identical second copies left out (a requeued task may write a run
    /// again).
    pub duplicates: usize,
    /// Files whose partial last line (a writer killed mid-write, or one
    /// still writing) was skipped.
    pub partial_lines: Vec<PathBuf>,
    /// The files read.
    pub files: Vec<PathBuf>,
}

impl<R> RecordSet<R> {
    /// Human-readable warnings about what was skipped.
    pub fn warnings(&self) -> Vec<String> {
        self.partial_lines
            .iter()
            .map(|p| {
                format!(
                    "{}: skipped an incomplete last line (a write cut short, or one under way)",
                    p.display()
                )
            })
            .collect()
    }
}

/// Reads every record file of `dir` and merges them: a run (key and seed)
/// found twice counts once; two copies that differ in anything but the wall
/// time are an error naming the run and both places.
pub fn read_records<R: Recorded>(dir: &Path) -> Result<RecordSet<R>> {
    let files = record_files(dir)?;
    let mut records: Vec<R> = Vec::new();
    let mut place: HashMap<(String, u64), (usize, PathBuf, usize)> = HashMap::new();
    let mut duplicates = 0;
    let mut partial_lines = Vec::new();
    for file in &files {
        let (lines, partial) = read_lines::<R>(file)?;
        if partial {
            partial_lines.push(file.clone());
        }
        for line in lines {
            let id = (line.value.key().to_string(), line.value.seed());
            match place.entry(id) {
                Entry::Vacant(v) => {
                    v.insert((records.len(), file.clone(), line.number));
                    records.push(line.value);
                }
                Entry::Occupied(o) => {
                    let (index, first_file, first_line) = o.get();
                    let first = records[*index].identity();
                    if first.is_some() && first != line.value.identity() {
                        return Err(Error::ConflictingRecords {
                            run: format!("`{}` seed {}", o.key().0, o.key().1),
                            first: format!("{} line {first_line}", first_file.display()),
                            second: format!("{} line {}", file.display(), line.number),
                        });
                    }
                    duplicates += 1;
                }
            }
        }
    }
    Ok(RecordSet {
        records,
        duplicates,
        partial_lines,
        files,
    })
}

/// Appends records to this process's own shard, `records/<writer>.jsonl`,
/// created on the first record (so a process that records nothing leaves
/// no file).
pub struct RecordWriter {
    dir: PathBuf,
    file: Option<LineWriter>,
}

impl RecordWriter {
    /// A writer into the results directory `dir`.
    pub fn new(dir: &Path) -> RecordWriter {
        RecordWriter {
            dir: dir.to_path_buf(),
            file: None,
        }
    }

    /// The shard this writer writes to (`None` before its first record).
    pub fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(|f| f.path())
    }

    /// Appends one record as one line, durably.
    pub fn append(&mut self, record: &RunRecord) -> Result<()> {
        let mut file = match self.file.take() {
            Some(f) => f,
            None => LineWriter::create(&shard_path(&self.dir))?,
        };
        let result = file.append(record);
        self.file = Some(file);
        result
    }
}

/// A new shard name for each writer: `<writer>.jsonl` for the process's
/// first, `<writer>-2.jsonl` and on for further writers in one process.
fn shard_path(dir: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static WRITERS: AtomicUsize = AtomicUsize::new(0);
    let n = WRITERS.fetch_add(1, Ordering::Relaxed);
    let suffix = if n == 0 {
        String::new()
    } else {
        format!("-{}", n + 1)
    };
    dir.join(RECORDS_DIR)
        .join(format!("{}{suffix}.jsonl", writer_name()))
}
