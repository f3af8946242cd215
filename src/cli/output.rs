//! Writing results to stdout, and numbers for people.
//!
//! Results (tables, JSON lines, summaries) go to stdout; progress, estimates,
//! warnings and errors to stderr. `println!` panics when stdout is a closed
//! pipe (`arithgrad report DIR | head -3`); [`Stdout`] treats that as the
//! reader having seen enough and stops quietly.

use std::io::{ErrorKind, Write};

use serde::Serialize;

use super::error::{CliError, CliResult};

/// Line-oriented access to stdout that ends quietly on a broken pipe.
pub struct Stdout {
    closed: bool,
}

impl Stdout {
    pub fn new() -> Stdout {
        Stdout { closed: false }
    }

    /// Writes `text` followed by a newline.
    pub fn line(&mut self, text: impl AsRef<str>) -> CliResult {
        self.write(text.as_ref())?;
        self.write("\n")
    }

    /// Writes `text` as is.
    pub fn write(&mut self, text: &str) -> CliResult {
        if self.closed {
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(CliError::Runtime(format!("cannot write to stdout: {e}"))),
        }
    }

    /// Writes `value` as one line of JSON.
    pub fn json_line(&mut self, value: &impl Serialize) -> CliResult {
        let text = serde_json::to_string(value)
            .map_err(|e| CliError::Runtime(format!("cannot serialise to JSON: {e}")))?;
        self.line(text)
    }
}

impl Default for Stdout {
    fn default() -> Self {
        Stdout::new()
    }
}

/// A warning on stderr (the command goes on).
pub fn warn(message: impl AsRef<str>) {
    eprintln!("warning: {}", message.as_ref());
}

/// An MSE or threshold for reading: `1.234e-5`, `NaN`, `inf`.
pub fn sci(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else if x == 0.0 {
        "0".into()
    } else if (1e-2..1e4).contains(&x.abs()) {
        // Four significant digits without an exponent.
        let decimals = (3 - x.abs().log10().floor() as i32).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.3e}")
    }
}

/// `1234567` -> `"1,234,567"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(5_000_000), "5,000,000");
        assert_eq!(sci(1.23456e-5), "1.235e-5");
        assert_eq!(sci(f64::NAN), "NaN");
        assert_eq!(sci(f64::NEG_INFINITY), "-inf");
        assert_eq!(sci(0.0), "0");
        assert_eq!(sci(1.08349), "1.083");
        assert_eq!(sci(-126.31), "-126.3");
        assert_eq!(sci(0.012345), "0.01235");
        assert_eq!(sci(12345.0), "1.234e4");
    }
}
