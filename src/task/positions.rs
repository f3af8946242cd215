//! Where the two sums `a` and `b` take their inputs from.

use serde::{Deserialize, Serialize};

/// Where `a` and `b` live in the input vector for one run.
///
/// `a` sums `x[a]`, `b` sums `x[b]`; both ranges already include the offset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Positions {
    /// `n`.
    pub input_size: usize,
    /// The per-seed shift already added to both ranges.
    pub offset: usize,
    /// The inputs summed into `a`.
    pub a: std::ops::Range<usize>,
    /// The inputs summed into `b`.
    pub b: std::ops::Range<usize>,
}

impl Positions {
    /// Both ranges moved right by `by` more positions.
    pub(crate) fn shifted(&self, by: usize) -> Positions {
        Positions {
            input_size: self.input_size,
            offset: self.offset + by,
            a: self.a.start + by..self.a.end + by,
            b: self.b.start + by..self.b.end + by,
        }
    }

    /// How many consecutive inputs `a` and `b` cover together.
    pub fn span(&self) -> usize {
        self.a.end.max(self.b.end) - self.a.start.min(self.b.start)
    }

    /// Whether input `i` is summed into `a`.
    pub fn in_a(&self, i: usize) -> bool {
        self.a.contains(&i)
    }

    /// Whether input `i` is summed into `b`.
    pub fn in_b(&self, i: usize) -> bool {
        self.b.contains(&i)
    }

    /// The exact first-layer weights `[2, n]` row-major: row 0 selects `a`,
    /// row 1 selects `b` (1 on their positions, 0 elsewhere).
    pub fn exact_first_layer(&self) -> Vec<f64> {
        let n = self.input_size;
        (0..2 * n)
            .map(|k| {
                let (row, i) = (k / n, k % n);
                let hit = if row == 0 { self.in_a(i) } else { self.in_b(i) };
                if hit {
                    1.0
                } else {
                    0.0
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::task::TaskConfig;

    #[test]
    fn exact_weights_select_a_and_b() {
        let p = TaskConfig::toy().unshifted_positions().unwrap();
        assert_eq!(
            p.exact_first_layer(),
            vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
        );
    }
}
