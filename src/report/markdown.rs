//! The Markdown table.

use super::readable::{mark_symbol, Entry, Readable};
use super::table::Table;

const SYMBOLS: [&str; 5] = ["†", "‡", "§", "¶", "‖"];

/// Escapes the characters that would break a Markdown table cell.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|")
}

fn entry(e: &Entry) -> String {
    match e {
        Entry::Text(t) => escape(t),
        Entry::Number(n) => n.clone(),
        Entry::Estimate {
            value,
            interval,
            mark,
        } => {
            let mut s = value.clone();
            if let Some((lo, hi)) = interval {
                s.push_str(&format!(" [{lo}, {hi}]"));
            }
            if let Some(m) = mark {
                s.push_str(&mark_symbol(*m, &SYMBOLS));
            }
            s
        }
        Entry::Missing => "–".into(),
    }
}

impl Table {
    /// The table in Markdown (GitHub pipe-table syntax), columns padded so
    /// that the source reads as a table too, followed by notes that name
    /// every interval method used. A statistic whose interval was not made
    /// by its usual method (a Student-t fallback, a single value, a beta
    /// fit with values on the boundary) carries a mark (`†`, `‡`, ...)
    /// explained under the table, e.g.
    /// `† Student-t interval (fallback: all values are equal)`.
    ///
    /// The `setting` column is left out when every row has the defaults,
    /// and gate columns appear only when some run has a gate.
    pub fn to_markdown(&self) -> String {
        let r = Readable::of(self);
        let rows: Vec<Vec<String>> = r
            .rows
            .iter()
            .map(|row| row.iter().map(entry).collect())
            .collect();
        let width = |i: usize| {
            rows.iter()
                .map(|row| row[i].chars().count())
                .chain([r.headers[i].chars().count(), 3])
                .max()
                .unwrap_or(3)
        };
        let widths: Vec<usize> = (0..r.headers.len()).map(width).collect();
        // Text columns are left-aligned, numbers right-aligned.
        let numeric: Vec<bool> = (0..r.headers.len()).map(|i| i >= r.text_columns).collect();
        let line = |cells: &mut dyn Iterator<Item = String>| -> String {
            let mut s = String::from("|");
            for c in cells {
                s.push(' ');
                s.push_str(&c);
                s.push_str(" |");
            }
            s.push('\n');
            s
        };
        let pad = |text: &str, i: usize| {
            let fill = " ".repeat(widths[i] - text.chars().count());
            if numeric[i] {
                format!("{fill}{text}")
            } else {
                format!("{text}{fill}")
            }
        };
        let mut out = line(&mut r.headers.iter().enumerate().map(|(i, h)| pad(h, i)));
        out.push_str(&line(&mut widths.iter().enumerate().map(|(i, w)| {
            if numeric[i] {
                format!("{}:", "-".repeat(w - 1))
            } else {
                "-".repeat(*w)
            }
        })));
        for row in &rows {
            out.push_str(&line(&mut row.iter().enumerate().map(|(i, c)| pad(c, i))));
        }
        out.push('\n');
        for note in &r.notes {
            out.push_str(note);
            out.push_str("\n\n");
        }
        for (i, m) in r.marks.iter().enumerate() {
            out.push_str(&format!("{} {m}\n\n", mark_symbol(i, &SYMBOLS)));
        }
        if self.duplicates() > 0 {
            out.push_str(&format!(
                "{} duplicate record(s) (same configuration and seed) were ignored.\n\n",
                self.duplicates()
            ));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_pipes_and_backslashes() {
        assert_eq!(escape(r"a|b\c"), r"a\|b\\c");
        assert_eq!(entry(&Entry::Missing), "–");
        let e = Entry::Estimate {
            value: "1k".into(),
            interval: Some(("900".into(), "1.1k".into())),
            mark: Some(5),
        };
        assert_eq!(entry(&e), "1k [900, 1.1k]††");
    }
}
