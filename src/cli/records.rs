//! The run-record file of a sweep: one JSON object per line, appended as
//! each run finishes.
//!
//! Atomicity: each record is serialised completely in memory, then written
//! with a single `write_all` on a file opened in append mode and flushed to
//! disk (`sync_data`). A sweep killed mid-write leaves at most one partial
//! last line; [`RecordFile::open`] drops it (truncating the file back to the
//! last complete line), so rerunning the same command resumes cleanly and
//! loses only the runs that were in flight.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// An append-only JSON-lines file of records of type `R`.
pub struct RecordFile {
    path: PathBuf,
    file: File,
}

impl RecordFile {
    /// Opens (creating if needed) the record file at `path` and reads the
    /// complete records already in it. A trailing incomplete or unreadable
    /// line, left by an interrupted write, is removed from the file.
    pub fn open<R: DeserializeOwned>(path: &Path) -> Result<(RecordFile, Vec<R>), String> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let (records, good_len) = parse_lines(path, &text)?;
        if good_len < text.len() {
            file.set_len(good_len as u64)
                .map_err(|e| format!("cannot truncate {}: {e}", path.display()))?;
        }
        Ok((
            RecordFile {
                path: path.to_path_buf(),
                file,
            },
            records,
        ))
    }

    /// Appends one record as one line, durably.
    pub fn append<R: Serialize>(&mut self, record: &R) -> Result<(), String> {
        let mut line =
            serde_json::to_string(record).map_err(|e| format!("cannot serialise a record: {e}"))?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|_| self.file.sync_data())
            .map_err(|e| format!("cannot write to {}: {e}", self.path.display()))
    }
}

/// Reads the complete records of the file at `path` without changing it
/// (a trailing incomplete line, say of a sweep still running, is skipped).
pub fn read_records<R: DeserializeOwned>(path: &Path) -> Result<Vec<R>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(parse_lines(path, &text)?.0)
}

/// The records of the complete lines of `text`, and the length of the text
/// they take up (everything before a trailing incomplete line). A complete
/// line that is not a record is an error naming it.
fn parse_lines<R: DeserializeOwned>(path: &Path, text: &str) -> Result<(Vec<R>, usize), String> {
    let mut records = Vec::new();
    let mut good_len = 0usize;
    let mut offset = 0usize;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let complete = line.ends_with('\n');
        let body = line.trim_end();
        offset += line.len();
        if body.is_empty() {
            if complete {
                good_len = offset;
            }
            continue;
        }
        match (serde_json::from_str::<R>(body), complete) {
            (Ok(r), true) => {
                records.push(r);
                good_len = offset;
            }
            // The last line of an interrupted write: drop it.
            (_, false) => break,
            (Err(e), true) => {
                return Err(format!(
                    "{}: line {} is not a valid record ({e}); move the file away to start over",
                    path.display(),
                    number + 1
                ))
            }
        }
    }
    Ok((records, good_len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct R {
        seed: u64,
    }

    #[test]
    fn partial_last_line_is_dropped_and_appends_continue() {
        let dir = std::env::temp_dir().join(format!("arithgrad-records-{}", std::process::id()));
        let path = dir.join("records.jsonl");
        let _ = std::fs::remove_file(&path);
        {
            let (mut f, recs) = RecordFile::open::<R>(&path).unwrap();
            assert!(recs.is_empty());
            f.append(&R { seed: 1 }).unwrap();
            f.append(&R { seed: 2 }).unwrap();
        }
        // Simulate a kill in the middle of writing a third record.
        let mut raw = OpenOptions::new().append(true).open(&path).unwrap();
        raw.write_all(b"{\"seed\": 3").unwrap();
        drop(raw);
        let (mut f, recs) = RecordFile::open::<R>(&path).unwrap();
        assert_eq!(recs, vec![R { seed: 1 }, R { seed: 2 }]);
        f.append(&R { seed: 3 }).unwrap();
        let (_, recs) = RecordFile::open::<R>(&path).unwrap();
        assert_eq!(recs.len(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_corrupt_middle_line_is_an_error_not_data_loss() {
        let dir = std::env::temp_dir().join(format!("arithgrad-records2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("records.jsonl");
        std::fs::write(&path, "{\"seed\":1}\nnot json\n{\"seed\":2}\n").unwrap();
        let e = RecordFile::open::<R>(&path).err().unwrap();
        assert!(e.contains("line 2"), "{e}");
        // The file is untouched.
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
