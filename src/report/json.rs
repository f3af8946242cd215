//! JSON lines (with the `cli` feature, which brings serde_json).

use crate::error::{Error, Result};

use super::table::Table;

impl Table {
    /// One JSON object per cell and line, with the fields of
    /// [`crate::report::ReportRow`] (missing values and non-finite numbers
    /// are `null`). Needs the `cli` feature; without it, serialise
    /// [`Table::rows`] with any serde format.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if serialisation fails (it does not for
    /// these plain rows; the error is passed on rather than hidden).
    pub fn to_json_lines(&self) -> Result<String> {
        let mut out = String::new();
        for row in self.rows() {
            let line = serde_json::to_string(&row)
                .map_err(|e| Error::invalid("report row", format!("cannot write JSON: {e}")))?;
            out.push_str(&line);
            out.push('\n');
        }
        Ok(out)
    }
}
