//! The tidy CSV table.

use super::number::full;
use super::row::{Field, ReportRow};
use super::table::Table;

/// One CSV field, quoted (RFC 4180) when it holds a comma, a quote or a
/// line break.
fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn field(f: &Field<'_>) -> String {
    match f {
        Field::Text(t) => quote(t),
        Field::Count(n) => n.to_string(),
        Field::Number(v) => full(*v),
        Field::Missing => String::new(),
    }
}

impl Table {
    /// The table as tidy CSV, ready for R (`read.csv`) or pandas
    /// (`read_csv`): a header of the snake-case [`ReportRow::FIELDS`], then
    /// one line per cell. Fields are quoted as RFC 4180 says (only when
    /// needed), lines end in `\n`, numbers have full precision (shortest
    /// text that reads back to the same `f64`; `NaN`, `Inf`), and missing
    /// values are empty fields.
    pub fn to_csv(&self) -> String {
        let mut out = ReportRow::FIELDS.join(",");
        out.push('\n');
        for row in self.rows() {
            let fields: Vec<String> = row.fields().iter().map(field).collect();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(quote("nmu"), "nmu");
        assert_eq!(quote("[1,2]"), "\"[1,2]\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("a\nb"), "\"a\nb\"");
    }
}
