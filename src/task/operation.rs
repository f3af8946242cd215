//! The six operations of the arithmetic task.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What the target does with the two subset sums `a` and `b`.
///
/// | name | target |
/// |---|---|
/// | `add` | a + b |
/// | `sub` | a - b |
/// | `mul` | a * b |
/// | `div` | a / b |
/// | `squared` | a² |
/// | `root` | √a |
///
/// ```
/// use arithgrad::task::Operation;
/// let op: Operation = "div".parse()?;
/// assert_eq!(op.apply(3.0, 4.0), 0.75);
/// assert_eq!(op.to_string(), "div");
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Add,
    Sub,
    Mul,
    Div,
    Squared,
    Root,
}

impl Operation {
    /// Every operation, in the order of the spec.
    pub const ALL: [Operation; 6] = [
        Operation::Add,
        Operation::Sub,
        Operation::Mul,
        Operation::Div,
        Operation::Squared,
        Operation::Root,
    ];

    /// The name used on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Add => "add",
            Operation::Sub => "sub",
            Operation::Mul => "mul",
            Operation::Div => "div",
            Operation::Squared => "squared",
            Operation::Root => "root",
        }
    }

    /// Whether the target uses `b` at all (`squared` and `root` do not).
    pub fn uses_b(self) -> bool {
        !matches!(self, Operation::Squared | Operation::Root)
    }

    /// The target for subset sums `a` and `b`.
    #[inline]
    pub fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            Operation::Add => a + b,
            Operation::Sub => a - b,
            Operation::Mul => a * b,
            Operation::Div => a / b,
            Operation::Squared => a * a,
            Operation::Root => a.sqrt(),
        }
    }

    /// `apply(a + da, b + db) - apply(a, b)`, rewritten so that small `da`,
    /// `db` do not cancel against large `a`, `b`:
    ///
    /// - add: `da + db`; sub: `da - db`
    /// - mul: `a·db + b·da + da·db`
    /// - div: `(b·da - a·db) / (b·(b + db))`
    /// - squared: `da·(2a + da)`
    /// - root: `da / (√(a + da) + √a)` (0 when both square roots are 0)
    ///
    /// ```
    /// use arithgrad::task::Operation;
    /// let (a, b, da, db) = (1e8, 3.0, 1e-9, 2e-9);
    /// let d = Operation::Mul.difference(a, b, da, db);
    /// assert!((d - (a * db + b * da)).abs() < 1e-20);
    /// ```
    #[inline]
    pub fn difference(self, a: f64, b: f64, da: f64, db: f64) -> f64 {
        match self {
            Operation::Add => da + db,
            Operation::Sub => da - db,
            Operation::Mul => a * db + b * da + da * db,
            Operation::Div => (b * da - a * db) / (b * (b + db)),
            Operation::Squared => da * (2.0 * a + da),
            Operation::Root => {
                let denominator = (a + da).sqrt() + a.sqrt();
                if denominator == 0.0 {
                    0.0
                } else {
                    da / denominator
                }
            }
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Operation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Operation> {
        let wanted = s.trim();
        Operation::ALL
            .into_iter()
            .find(|op| op.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                Error::invalid(
                    "operation",
                    format!("`{s}` is not one of add, sub, mul, div, squared, root"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for op in Operation::ALL {
            assert_eq!(op.to_string().parse::<Operation>().unwrap(), op);
            let json = serde_json::to_string(&op).unwrap();
            assert_eq!(json, format!("\"{}\"", op.name()));
            assert_eq!(serde_json::from_str::<Operation>(&json).unwrap(), op);
        }
        assert_eq!("MUL".parse::<Operation>().unwrap(), Operation::Mul);
        let err = "pow".parse::<Operation>().unwrap_err().to_string();
        assert!(err.contains("operation") && err.contains("pow"), "{err}");
    }

    #[test]
    fn apply_matches_the_table() {
        let (a, b) = (9.0, 2.0);
        let got: Vec<f64> = Operation::ALL.iter().map(|op| op.apply(a, b)).collect();
        assert_eq!(got, vec![11.0, 7.0, 18.0, 4.5, 81.0, 3.0]);
    }

    #[test]
    fn difference_agrees_with_the_naive_formula_without_cancellation() {
        // Moderate perturbations: the naive difference is accurate to about
        // 1e-16 * |y| / |dy| relative, far inside the tolerance.
        let cases = [
            (3.0, 5.0, 1e-3, -2e-3),
            (100.0, 40.0, 0.3, 0.1),
            (0.5, 2.0, -1e-4, 5e-4),
        ];
        for op in Operation::ALL {
            for (a, b, da, db) in cases {
                let naive = op.apply(a + da, b + db) - op.apply(a, b);
                let d = op.difference(a, b, da, db);
                assert!(
                    (d - naive).abs() <= 1e-9 * naive.abs(),
                    "{op}: {d} vs {naive}"
                );
            }
        }
    }

    #[test]
    fn difference_keeps_tiny_perturbations_meaningful() {
        // a = 1e6, da = 1e-12: the naive sum a + da loses da entirely.
        let (a, b, da, db) = (1e6, 1e6, 1e-12, 3e-12);
        assert_eq!(
            Operation::Add.apply(a + da, b + db) - Operation::Add.apply(a, b),
            0.0
        );
        assert!((Operation::Add.difference(a, b, da, db) - 4e-12).abs() < 1e-27);
        let mul = Operation::Mul.difference(a, b, da, db);
        assert!((mul - 4e-6).abs() < 1e-20, "{mul}");
        let sq = Operation::Squared.difference(a, b, da, db);
        assert!((sq - 2e-6).abs() < 1e-20, "{sq}");
        let root = Operation::Root.difference(a, b, da, db);
        assert!((root - 1e-12 / 2e3).abs() < 1e-28, "{root}");
        let div = Operation::Div.difference(a, b, da, db);
        assert!((div - (-2e-18)).abs() < 1e-30, "{div}");
        assert_eq!(Operation::Root.difference(0.0, 1.0, 0.0, 0.0), 0.0);
    }
}
