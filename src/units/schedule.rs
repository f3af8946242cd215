//! The sparsity-regularizer schedule of Madsen & Johansen, "Neural Arithmetic
//! Units" (ICLR 2020, arXiv 2001.05016), section 2 of the project spec.
//!
//! The training loss is `MSE + lambda(t) * sum over layers of R_layer`, with
//!
//! ```text
//! lambda(t) = lambda_hat * max(min((t - t_start) / (t_end - t_start), 1), 0)
//! ```
//!
//! where `t` is the iteration index, starting at 0. The regularizer is off
//! until `t_start`, then ramps linearly to its full strength at `t_end`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A linear warm-up `lambda(t)` for the sparsity regularizer.
///
/// ```
/// use arithgrad::units::RegularizerSchedule;
/// let s = RegularizerSchedule::new(10.0, 100, 200)?;
/// assert_eq!(s.lambda(0), 0.0);
/// assert_eq!(s.lambda(150), 5.0);
/// assert_eq!(s.lambda(10_000), 10.0);
/// assert_eq!(RegularizerSchedule::none().lambda(10_000), 0.0);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegularizerSchedule {
    lambda_hat: f64,
    t_start: u64,
    t_end: u64,
}

impl RegularizerSchedule {
    /// A schedule reaching `lambda_hat` at iteration `t_end`, starting to rise
    /// at `t_start`. `lambda_hat` must be finite and non-negative and
    /// `t_start <= t_end` (equal values give a step at `t_start`).
    pub fn new(lambda_hat: f64, t_start: u64, t_end: u64) -> Result<Self> {
        if !lambda_hat.is_finite() || lambda_hat < 0.0 {
            return Err(Error::invalid(
                "lambda_hat",
                format!("must be finite and non-negative, got {lambda_hat}"),
            ));
        }
        if t_start > t_end {
            return Err(Error::invalid(
                "regularizer schedule",
                format!("t_start ({t_start}) is after t_end ({t_end})"),
            ));
        }
        Ok(RegularizerSchedule {
            lambda_hat,
            t_start,
            t_end,
        })
    }

    /// No regularizer: `lambda(t) = 0` for every `t`.
    pub const fn none() -> Self {
        RegularizerSchedule {
            lambda_hat: 0.0,
            t_start: 0,
            t_end: 0,
        }
    }

    /// The schedule the paper uses for NMU-type models on the arithmetic
    /// task (NAU -> NMU, NAU -> NAC*,NMU, gated): `lambda_hat = 10`,
    /// `t_start = 1e6`, `t_end = 2e6`.
    pub const fn nmu() -> Self {
        RegularizerSchedule {
            lambda_hat: 10.0,
            t_start: 1_000_000,
            t_end: 2_000_000,
        }
    }

    /// The schedule the paper uses for the NAU model (NAU -> NAU):
    /// `lambda_hat = 0.01`, `t_start = 5e3`, `t_end = 5e4`.
    pub const fn nau() -> Self {
        RegularizerSchedule {
            lambda_hat: 0.01,
            t_start: 5_000,
            t_end: 50_000,
        }
    }

    /// The same ramp with another full strength (for the `lambda_hat` sweep).
    pub fn with_lambda_hat(self, lambda_hat: f64) -> Result<Self> {
        Self::new(lambda_hat, self.t_start, self.t_end)
    }

    /// The full strength `lambda_hat`.
    pub fn lambda_hat(&self) -> f64 {
        self.lambda_hat
    }

    /// The iteration at which the ramp starts.
    pub fn t_start(&self) -> u64 {
        self.t_start
    }

    /// The iteration at which the full strength is reached.
    pub fn t_end(&self) -> u64 {
        self.t_end
    }

    /// Whether `lambda(t)` is zero for every `t`.
    pub fn is_off(&self) -> bool {
        self.lambda_hat == 0.0
    }

    /// `lambda(t)` at iteration `t` (counted from 0).
    pub fn lambda(&self, t: u64) -> f64 {
        if self.t_end == self.t_start {
            // The ramp has no width: a step at t_start.
            return if t >= self.t_start {
                self.lambda_hat
            } else {
                0.0
            };
        }
        if t <= self.t_start {
            return 0.0;
        }
        if t >= self.t_end {
            return self.lambda_hat;
        }
        let progress = (t - self.t_start) as f64 / (self.t_end - self.t_start) as f64;
        self.lambda_hat * progress
    }
}

impl Default for RegularizerSchedule {
    fn default() -> Self {
        Self::none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_formula() {
        let s = RegularizerSchedule::nmu();
        let formula = |t: u64| {
            let (ts, te) = (1e6, 2e6);
            10.0 * ((t as f64 - ts) / (te - ts)).clamp(0.0, 1.0)
        };
        for t in [
            0, 1, 999_999, 1_000_000, 1_000_001, 1_250_000, 1_999_999, 2_000_000, 5_000_000,
        ] {
            assert!((s.lambda(t) - formula(t)).abs() < 1e-12, "t = {t}");
        }
        assert_eq!(s.lambda(1_500_000), 5.0);
        let n = RegularizerSchedule::nau();
        assert_eq!(n.lambda(5_000), 0.0);
        assert!((n.lambda(27_500) - 0.005).abs() < 1e-15);
        assert_eq!(n.lambda(60_000), 0.01);
    }

    #[test]
    fn step_when_start_equals_end() {
        let s = RegularizerSchedule::new(2.0, 10, 10).unwrap();
        assert_eq!(s.lambda(9), 0.0);
        assert_eq!(s.lambda(10), 2.0);
        assert_eq!(s.lambda(11), 2.0);
    }

    #[test]
    fn rejects_bad_arguments() {
        use crate::error::expect::invalid;
        assert_eq!(
            invalid(RegularizerSchedule::new(-1.0, 0, 1)).0,
            "lambda_hat"
        );
        assert_eq!(
            invalid(RegularizerSchedule::new(f64::NAN, 0, 1)).0,
            "lambda_hat"
        );
        let (name, reason) = invalid(RegularizerSchedule::new(1.0, 5, 4));
        assert_eq!(name, "regularizer schedule");
        assert!(
            reason.contains("t_start (5) is after t_end (4)"),
            "{reason}"
        );
        assert!(RegularizerSchedule::nmu().with_lambda_hat(0.1).is_ok());
    }

    #[test]
    fn none_is_off() {
        assert!(RegularizerSchedule::none().is_off());
        assert!(!RegularizerSchedule::nau().is_off());
        assert_eq!(RegularizerSchedule::none().lambda(0), 0.0);
        assert_eq!(RegularizerSchedule::none().lambda(u64::MAX), 0.0);
    }
}
