//! JSON-lines files: reading the complete lines of a file that may still be
//! written (or whose writer was killed), appending to a file only this
//! process writes, and replacing a small shared file in one step.
//!
//! Atomicity: an appended line is serialised completely in memory, then
//! written with a single `write_all` on a file opened in append mode and
//! flushed to disk (`sync_data`). A writer killed mid-write leaves at most
//! one partial last line, which readers skip (and report). Shared files
//! (the cell list, the threshold cache) are never appended to: they are
//! rewritten whole into a temporary file that is renamed over the old one,
//! so a reader sees either the old or the new content, never a torn line.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};

/// An I/O error naming the file.
pub(crate) fn io_error(path: &Path, what: &str, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        reason: format!("cannot {what}: {e}"),
    }
}

/// One complete line of a file, parsed.
pub(crate) struct Line<R> {
    pub value: R,
    /// 1-based line number.
    pub number: usize,
}

/// The complete lines of `text` read from `path`, and whether a trailing
/// incomplete line (a write cut short, or one still under way) was left out.
/// A complete line that does not parse is an error naming the file and line.
pub(crate) fn parse_lines<R: DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<(Vec<Line<R>>, bool)> {
    let mut lines = Vec::new();
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end();
        if !line.ends_with('\n') {
            // The last line of an interrupted write (or an empty tail).
            return Ok((lines, !body.is_empty()));
        }
        if body.is_empty() {
            continue;
        }
        match serde_json::from_str::<R>(body) {
            Ok(value) => lines.push(Line {
                value,
                number: index + 1,
            }),
            Err(e) => {
                return Err(Error::BadLine {
                    path: path.display().to_string(),
                    line: index + 1,
                    reason: e.to_string(),
                })
            }
        }
    }
    Ok((lines, false))
}

/// The complete lines of the file at `path` (none if it does not exist) and
/// whether a partial last line was skipped.
pub(crate) fn read_lines<R: DeserializeOwned>(path: &Path) -> Result<(Vec<Line<R>>, bool)> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_lines(path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((Vec::new(), false)),
        Err(e) => Err(io_error(path, "read", e)),
    }
}

/// An append-only JSON-lines file that this process created and alone
/// writes to.
pub(crate) struct LineWriter {
    path: PathBuf,
    file: File,
}

impl LineWriter {
    /// Creates a new file at `path` (and its directory). It is an error if
    /// the file exists: a writer never appends to another writer's file.
    pub fn create(path: &Path) -> Result<LineWriter> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| io_error(dir, "create", e))?;
            }
        }
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(path)
            .map_err(|e| io_error(path, "create", e))?;
        Ok(LineWriter {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Appends `value` as one line, durably.
    pub fn append<R: Serialize>(&mut self, value: &R) -> Result<()> {
        let mut line = to_line(value)?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|_| self.file.sync_data())
            .map_err(|e| io_error(&self.path, "write", e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `value` as one line of JSON (without the newline).
pub(crate) fn to_line<R: Serialize>(value: &R) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Io {
        path: String::new(),
        reason: format!("cannot serialise a line: {e}"),
    })
}

/// Replaces the file at `path` with `values`, one per line, through a
/// temporary file renamed over it (atomic on POSIX file systems).
pub(crate) fn replace_lines<R: Serialize>(path: &Path, values: &[R]) -> Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, "create", e))?;
    }
    let mut text = String::new();
    for v in values {
        text.push_str(&to_line(v)?);
        text.push('\n');
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", writer_name()));
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&temp)?;
        f.write_all(text.as_bytes())?;
        f.sync_data()?;
        std::fs::rename(&temp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io_error(path, "replace", e)
    })
}

/// A name for this process's files that no other live process uses:
/// `<host>-<pid>-<start in ms>`. The host tells machines sharing a file
/// system apart, the process id processes on one host, and the start time
/// a later process that happens to get the same id.
pub fn writer_name() -> String {
    use std::sync::OnceLock;
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .unwrap_or_else(|| "host".to_string());
        let host: String = host
            .trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        format!("{host}-{}-{millis}", std::process::id())
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct R {
        seed: u64,
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("arithgrad-lines-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_partial_last_line_is_skipped_and_reported() {
        let path = Path::new("x.jsonl");
        let (lines, partial) =
            parse_lines::<R>(path, "{\"seed\":1}\n\n{\"seed\":2}\n{\"se").unwrap();
        let seeds: Vec<u64> = lines.iter().map(|l| l.value.seed).collect();
        assert_eq!(seeds, [1, 2]);
        assert_eq!(lines[1].number, 3);
        assert!(partial);
        let (_, partial) = parse_lines::<R>(path, "{\"seed\":1}\n").unwrap();
        assert!(!partial);
    }

    #[test]
    fn a_corrupt_middle_line_is_an_error_naming_it() {
        let e = parse_lines::<R>(
            Path::new("x.jsonl"),
            "{\"seed\":1}\nnot json\n{\"seed\":2}\n",
        )
        .err()
        .unwrap();
        assert!(matches!(&e, Error::BadLine { line: 2, .. }), "{e}");
        assert!(e.to_string().contains("x.jsonl"), "{e}");
    }

    #[test]
    fn a_writer_never_opens_an_existing_file() {
        let dir = scratch("writer");
        let path = dir.join("sub").join("a.jsonl");
        let mut w = LineWriter::create(&path).unwrap();
        w.append(&R { seed: 1 }).unwrap();
        w.append(&R { seed: 2 }).unwrap();
        match LineWriter::create(&path) {
            Err(Error::Io { path: p, reason }) => {
                assert_eq!(p, path.display().to_string());
                assert!(reason.starts_with("cannot create: "), "{reason}");
            }
            Err(e) => panic!("expected Error::Io, got {e:?}"),
            Ok(_) => panic!("opened an existing file"),
        }
        let (lines, partial) = read_lines::<R>(&path).unwrap();
        assert_eq!(lines.len(), 2);
        assert!(!partial);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn replacing_leaves_no_temporary_file() {
        let dir = scratch("replace");
        let path = dir.join("cells.jsonl");
        replace_lines(&path, &[R { seed: 1 }]).unwrap();
        replace_lines(&path, &[R { seed: 1 }, R { seed: 5 }]).unwrap();
        let (lines, _) = read_lines::<R>(&path).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
