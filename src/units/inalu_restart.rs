//! The reinitialisation rule of iNALU (Schlör, Ring & Hotho 2020, section
//! 3.4): a run whose loss has stopped falling while still large starts over
//! from fresh random parameters.
//!
//! Keep every step's loss. Every `check_every` steps (10 in the benchmark's
//! reference harness), once more than `min_stored` (5,000) losses are kept:
//! with `first` and `second` the two halves of the history (the second half
//! the longer one when the count is odd),
//!
//! ```text
//! mean(first) <= mean(second) + std(second)   (no progress)
//! and mean(second) > threshold (1)            (still far off)
//! ```
//!
//! means "reinitialise": the caller redraws the parameters
//! ([`super::Inalu::reinitialise`]) and the history is cleared. `std` is the
//! population standard deviation (NumPy's default). A NaN loss makes every
//! comparison false, so a diverged run is never restarted by this rule.
//!
//! The halves' sums come from running prefix sums, so a check costs O(1)
//! instead of a pass over up to 50,000 losses.

/// The loss history and the rule (see the module doc).
///
/// ```
/// use arithgrad::units::InaluRestart;
/// let mut rule = InaluRestart::new();
/// // A loss stuck at 5: restart at the first check past 5,000 losses.
/// let restart_at = (0..20_000u64).find(|&step| rule.observe(step, 5.0));
/// assert_eq!(restart_at, Some(5_000)); // 5,001 losses kept
/// // A falling loss is never restarted.
/// let mut rule = InaluRestart::new();
/// assert!((0..20_000u64).all(|s| !rule.observe(s, 1e4 / (1.0 + s as f64))));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct InaluRestart {
    /// `sums[k]` = sum of the first `k` losses (`sums[0] = 0`).
    sums: Vec<f64>,
    /// The same for the squared losses.
    squares: Vec<f64>,
    check_every: u64,
    min_stored: usize,
    threshold: f64,
    restarts: u64,
}

impl Default for InaluRestart {
    fn default() -> Self {
        Self::new()
    }
}

impl InaluRestart {
    /// The benchmark's settings: check every 10 steps, once more than 5,000
    /// losses are kept, loss threshold 1.
    pub fn new() -> Self {
        Self::with_settings(10, 5_000, 1.0)
    }

    /// Custom settings (`check_every` at least 1).
    pub fn with_settings(check_every: u64, min_stored: usize, threshold: f64) -> Self {
        InaluRestart {
            sums: vec![0.0],
            squares: vec![0.0],
            check_every: check_every.max(1),
            min_stored,
            threshold,
            restarts: 0,
        }
    }

    /// Reserves room for `n` more losses, so that recording them never
    /// allocates (call once before training).
    pub fn reserve(&mut self, n: usize) {
        self.sums.reserve(n);
        self.squares.reserve(n);
    }

    /// How many losses are kept.
    pub fn len(&self) -> usize {
        self.sums.len() - 1
    }

    /// Whether no loss is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many restarts the rule has called for.
    pub fn restarts(&self) -> u64 {
        self.restarts
    }

    /// Records `loss` at `step` (0-based) and returns whether to
    /// reinitialise now (the history is then already cleared).
    pub fn observe(&mut self, step: u64, loss: f64) -> bool {
        let n = self.len();
        self.sums.push(self.sums[n] + loss);
        self.squares.push(self.squares[n] + loss * loss);
        let n = n + 1;
        if step == 0 || step % self.check_every != 0 || n <= self.min_stored {
            return false;
        }
        let h = n / 2;
        let first = self.sums[h] / h as f64;
        let m = (n - h) as f64;
        let second = (self.sums[n] - self.sums[h]) / m;
        let second_sq = (self.squares[n] - self.squares[h]) / m;
        let std = (second_sq - second * second).max(0.0).sqrt();
        if first <= second + std && second > self.threshold {
            self.sums.truncate(1);
            self.squares.truncate(1);
            self.restarts += 1;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::InaluRestart;

    /// The rule written out directly, as the reference harness does.
    fn direct(losses: &[f64], threshold: f64) -> bool {
        let h = losses.len() / 2;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (a, b) = (&losses[..h], &losses[h..]);
        let mb = mean(b);
        let std = (b.iter().map(|x| (x - mb) * (x - mb)).sum::<f64>() / b.len() as f64).sqrt();
        mean(a) <= mb + std && mb > threshold
    }

    #[test]
    fn agrees_with_the_rule_written_out() {
        // Noisy plateaus at several levels, odd and even history lengths.
        let mut state = 12345u64;
        let mut noise = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for level in [0.5, 1.5, 3.0] {
            for slope in [0.0, -1e-4, 1e-4] {
                let mut rule = InaluRestart::with_settings(7, 60, 1.0);
                let mut kept = Vec::new();
                for step in 0..400u64 {
                    let loss = level + slope * step as f64 + 0.3 * noise();
                    kept.push(loss);
                    let want = step % 7 == 0 && step > 0 && kept.len() > 60 && direct(&kept, 1.0);
                    assert_eq!(rule.observe(step, loss), want, "level {level} step {step}");
                    if want {
                        kept.clear();
                    }
                    assert_eq!(rule.len(), kept.len());
                }
            }
        }
    }

    #[test]
    fn nan_never_restarts_and_reserve_keeps_the_history() {
        let mut rule = InaluRestart::with_settings(1, 2, 1.0);
        rule.reserve(100);
        for step in 0..50 {
            assert!(!rule.observe(step, f64::NAN));
        }
        assert_eq!(rule.len(), 50);
        assert_eq!(rule.restarts(), 0);
    }
}
