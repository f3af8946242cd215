//! Input ranges: one interval, or the union of two.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One interval `[lo, hi]` with finite `lo < hi`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    lo: f64,
    hi: f64,
}

impl Interval {
    /// The interval `[lo, hi]`; an error naming `name` unless both ends are
    /// finite and `lo < hi`.
    pub fn new(name: &'static str, lo: f64, hi: f64) -> Result<Interval> {
        if !lo.is_finite() || !hi.is_finite() {
            return Err(Error::invalid(
                name,
                format!("[{lo},{hi}] has an end that is not a finite number"),
            ));
        }
        if lo == hi {
            return Err(Error::invalid(
                name,
                format!("[{lo},{hi}] is empty (lower end equals upper end)"),
            ));
        }
        if lo > hi {
            return Err(Error::invalid(
                name,
                format!("[{lo},{hi}] is inverted (lower end {lo} is above upper end {hi})"),
            ));
        }
        Ok(Interval { lo, hi })
    }

    /// The lower end.
    pub fn lo(&self) -> f64 {
        self.lo
    }

    /// The upper end.
    pub fn hi(&self) -> f64 {
        self.hi
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{}` on f64 prints the shortest text that reads back to the same
        // number, so Display -> FromStr is lossless.
        write!(f, "[{},{}]", self.lo, self.hi)
    }
}

/// The distribution every input `x_i` is drawn from: uniform on one interval,
/// or on the union of two, where each element picks one of the two intervals
/// with probability 1/2 and is then uniform on it (docs/protocol.md, section 3).
///
/// A `Range` is valid by construction (finite ends, `lo < hi` in each
/// interval), including when it is deserialized.
///
/// # Text form
///
/// - one interval: `[lo,hi]`, or just `lo,hi`
/// - two intervals: `[lo1,hi1]u[lo2,hi2]` (the letter `u` for "union")
///
/// Spaces are ignored, a closing `)` is accepted in place of `]`, and an
/// interval may carry a leading `U` (as in the paper's `U[1,2]`).
/// [`Display`](fmt::Display) always writes the bracketed form with the
/// shortest decimal that reads back exactly.
///
/// ```
/// use arithgrad::task::Range;
/// let r: Range = "[-6,-2]u[2,6]".parse()?;
/// assert_eq!(r.to_string(), "[-6,-2]u[2,6]");
/// assert_eq!("1,2".parse::<Range>()?, Range::new(1.0, 2.0)?);
/// assert!(matches!(
///     "[2,1]".parse::<Range>(),
///     Err(arithgrad::Error::InvalidArgument { name: "range", reason }) if reason.contains("inverted")
/// ));
/// # Ok::<(), arithgrad::Error>(())
/// ```
///
/// Draws are made in the element type's precision; rounding can make the
/// upper end itself appear, so treat the interval as closed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Range {
    first: Interval,
    second: Option<Interval>,
}

impl Range {
    /// Uniform on `[lo, hi]`.
    pub fn new(lo: f64, hi: f64) -> Result<Range> {
        Ok(Range {
            first: Interval::new("range", lo, hi)?,
            second: None,
        })
    }

    /// Uniform on `[lo1, hi1]` or `[lo2, hi2]`, each with probability 1/2.
    pub fn union(lo1: f64, hi1: f64, lo2: f64, hi2: f64) -> Result<Range> {
        Ok(Range {
            first: Interval::new("range", lo1, hi1)?,
            second: Some(Interval::new("range", lo2, hi2)?),
        })
    }

    /// Parses the text form; errors name `name` (say `"interpolation_range"`),
    /// which `FromStr` cannot do.
    pub fn parse(name: &'static str, text: &str) -> Result<Range> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(Error::invalid(name, "the range is empty text"));
        }
        let parts: Vec<&str> = compact.split(['u', '∪']).collect();
        match parts.as_slice() {
            [one] => Ok(Range {
                first: parse_interval(name, one)?,
                second: None,
            }),
            [one, two] => Ok(Range {
                first: parse_interval(name, one)?,
                second: Some(parse_interval(name, two)?),
            }),
            _ => Err(Error::invalid(
                name,
                format!(
                    "`{text}` has {} intervals; at most two are allowed",
                    parts.len()
                ),
            )),
        }
    }

    /// The first interval.
    pub fn first(&self) -> Interval {
        self.first
    }

    /// The second interval of a union, if any.
    pub fn second(&self) -> Option<Interval> {
        self.second
    }

    /// Whether this is a union of two intervals.
    pub fn is_union(&self) -> bool {
        self.second.is_some()
    }

    /// The smallest value the range can produce.
    pub fn min(&self) -> f64 {
        self.second
            .map_or(self.first.lo, |s| self.first.lo.min(s.lo))
    }

    /// The largest value the range can produce.
    pub fn max(&self) -> f64 {
        self.second
            .map_or(self.first.hi, |s| self.first.hi.max(s.hi))
    }

    /// Whether `x` lies in the range (ends included).
    pub fn contains(&self, x: f64) -> bool {
        let inside = |i: Interval| i.lo <= x && x <= i.hi;
        inside(self.first) || self.second.is_some_and(inside)
    }

    /// The two intervals elements choose between, `(lo, hi)` each; a single
    /// interval is returned twice so that drawing needs no branch.
    pub(crate) fn halves(&self) -> [(f64, f64); 2] {
        let second = self.second.unwrap_or(self.first);
        [(self.first.lo, self.first.hi), (second.lo, second.hi)]
    }
}

fn parse_interval(name: &'static str, text: &str) -> Result<Interval> {
    let body = text.strip_prefix('U').unwrap_or(text);
    let body = match body.strip_prefix('[') {
        Some(inner) => inner
            .strip_suffix(']')
            .or_else(|| inner.strip_suffix(')'))
            .ok_or_else(|| {
                Error::invalid(name, format!("`{text}` opens with `[` but does not close"))
            })?,
        None => body,
    };
    let (lo, hi) = body.split_once(',').ok_or_else(|| {
        Error::invalid(
            name,
            format!("`{text}` is not an interval; write it as [lo,hi]"),
        )
    })?;
    let number = |s: &str| {
        s.parse::<f64>()
            .map_err(|_| Error::invalid(name, format!("`{s}` in `{text}` is not a number")))
    };
    Interval::new(name, number(lo)?, number(hi)?)
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        if let Some(second) = self.second {
            write!(f, "u{second}")?;
        }
        Ok(())
    }
}

impl FromStr for Range {
    type Err = Error;
    fn from_str(s: &str) -> Result<Range> {
        Range::parse("range", s)
    }
}

impl TryFrom<String> for Range {
    type Error = Error;
    fn try_from(s: String) -> Result<Range> {
        Range::parse("range", &s)
    }
}

impl From<Range> for String {
    fn from(r: Range) -> String {
        r.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_accepted_spelling() {
        let one = Range::new(1.0, 2.0).unwrap();
        for s in [
            "[1,2]",
            "1,2",
            " [ 1 , 2 ] ",
            "U[1,2]",
            "[1,2)",
            "[1.0,2e0]",
        ] {
            assert_eq!(Range::parse("r", s).unwrap(), one, "{s}");
        }
        let two = Range::union(-6.0, -2.0, 2.0, 6.0).unwrap();
        for s in [
            "[-6,-2]u[2,6]",
            "U[-6,-2] u U[2,6]",
            "[-6,-2]∪[2,6]",
            "-6,-2u2,6",
        ] {
            assert_eq!(Range::parse("r", s).unwrap(), two, "{s}");
        }
    }

    #[test]
    fn display_reads_back_exactly() {
        for r in [
            Range::new(0.1, 0.2).unwrap(),
            Range::new(-1e-300, 1.0 / 3.0).unwrap(),
            Range::union(-2.0, -1.0, 1.25, 7.5).unwrap(),
        ] {
            assert_eq!(r.to_string().parse::<Range>().unwrap(), r);
        }
        assert_eq!(Range::new(1.0, 2.0).unwrap().to_string(), "[1,2]");
    }

    #[test]
    fn bad_ranges_are_errors_naming_the_parameter() {
        let cases = [
            ("[2,1]", "inverted"),
            ("[1,1]", "empty"),
            ("[nan,1]", "not a finite"),
            ("[1,inf]", "not a finite"),
            ("[1,x]", "not a number"),
            ("[1,2", "does not close"),
            ("12", "not an interval"),
            ("", "empty text"),
            ("[1,2]u[3,4]u[5,6]", "at most two"),
            ("[1,2]u[4,3]", "inverted"),
        ];
        for (text, why) in cases {
            let err = Range::parse("extrapolation_range", text).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains("extrapolation_range"), "{text}: {msg}");
            assert!(msg.contains(why), "{text}: {msg}");
        }
        let (name, reason) = crate::error::expect::invalid(Range::new(f64::NAN, 1.0));
        assert_eq!(name, "range");
        assert!(reason.contains("not a finite number"), "{reason}");
        let (name, reason) = crate::error::expect::invalid(Range::union(1.0, 2.0, 3.0, 3.0));
        assert_eq!(name, "range");
        assert!(reason.contains("[3,3] is empty"), "{reason}");
    }

    #[test]
    fn bounds_and_membership() {
        let r = Range::union(2.0, 6.0, -6.0, -2.0).unwrap();
        assert_eq!((r.min(), r.max()), (-6.0, 6.0));
        assert!(r.contains(-2.0) && r.contains(4.0) && !r.contains(0.0));
        assert!(r.is_union() && !Range::new(0.0, 1.0).unwrap().is_union());
        assert_eq!(Range::new(0.0, 1.0).unwrap().halves(), [(0.0, 1.0); 2]);
    }
}
