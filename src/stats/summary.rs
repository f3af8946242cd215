//! The per-configuration summary over seeds, as reported in the paper.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{beta_mean_with, check_confidence, check_finite, gamma_mean, wilson, Estimate};
use crate::error::Result;
use crate::Compat;

/// What one run (one seed) of a configuration produced.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunOutcome {
    /// Whether the run solved the task (docs/protocol.md, section 4).
    pub solved: bool,
    /// The first evaluated step whose test error was below the threshold.
    pub solved_at: Option<u64>,
    /// The sparsity error at the judged checkpoint, in `[0, 0.5]` for the
    /// constrained units.
    pub sparsity_error: Option<f64>,
}

/// Summary statistics of one configuration ("cell") over its runs.
///
/// Solved-at and sparsity-error statistics use the solved runs only, as in the
/// paper; a solved run without a value is skipped (each [`Estimate::n`] says
/// how many values were used).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellSummary {
    /// Number of runs.
    pub runs: usize,
    /// Number of solved runs.
    pub solved: usize,
    /// `solved / runs` with a Wilson score interval.
    pub success_rate: Estimate,
    /// Sample median of the solved-at steps; `None` without values.
    pub solved_at_median: Option<f64>,
    /// Mean solved-at step with a gamma profile-likelihood interval (or the
    /// fallback named in its method).
    pub solved_at_mean: Estimate,
    /// Mean sparsity error with a beta profile-likelihood interval on
    /// `[0, 0.5]` (or the fallback named in its method).
    pub sparsity_error_mean: Estimate,
}

impl CellSummary {
    /// The confidence level the paper reports: 95%.
    pub const DEFAULT_CONFIDENCE: f64 = 0.95;

    /// Summarises the runs of one configuration at 95% confidence.
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] if a sparsity error is not finite.
    ///
    /// ```
    /// use arithgrad::stats::{CellSummary, RunOutcome};
    /// let run = |solved, at, sparsity| RunOutcome { solved, solved_at: at, sparsity_error: sparsity };
    /// let summary = CellSummary::from_outcomes(&[
    ///     run(true, Some(4000), Some(0.010)),
    ///     run(true, Some(9000), Some(0.002)),
    ///     run(false, None, None),
    ///     run(true, Some(6000), Some(0.004)),
    /// ]).unwrap();
    /// assert_eq!((summary.runs, summary.solved), (4, 3));
    /// assert_eq!(summary.success_rate.value, Some(0.75));
    /// assert_eq!(summary.solved_at_median, Some(6000.0));
    /// assert!(summary.solved_at_mean.interval.is_some());
    /// ```
    pub fn from_outcomes(outcomes: &[RunOutcome]) -> Result<Self> {
        Self::from_outcomes_with_confidence(outcomes, Self::DEFAULT_CONFIDENCE)
    }

    /// Like [`CellSummary::from_outcomes`] at another confidence level.
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] if `confidence` is not in `(0, 1)` or
    /// a sparsity error is not finite.
    pub fn from_outcomes_with_confidence(outcomes: &[RunOutcome], confidence: f64) -> Result<Self> {
        Self::from_outcomes_with(outcomes, confidence, Compat::Default)
    }

    /// Like [`CellSummary::from_outcomes_with_confidence`], with the
    /// sparsity-error fit `compat` selects ([`beta_mean_with`]: the authors'
    /// R likelihood with [`Compat::Published`]).
    ///
    /// # Errors
    /// As [`CellSummary::from_outcomes_with_confidence`].
    pub fn from_outcomes_with(
        outcomes: &[RunOutcome],
        confidence: f64,
        compat: Compat,
    ) -> Result<Self> {
        check_confidence(confidence)?;
        let solved_runs = || outcomes.iter().filter(|o| o.solved);
        let solved = solved_runs().count();
        let solved_at: Vec<f64> = solved_runs()
            .filter_map(|o| o.solved_at)
            .map(|s| s as f64)
            .collect();
        let sparsity: Vec<f64> = solved_runs().filter_map(|o| o.sparsity_error).collect();
        check_finite("sparsity_error", &sparsity)?;
        Ok(CellSummary {
            runs: outcomes.len(),
            solved,
            success_rate: wilson(solved, outcomes.len(), confidence)?,
            solved_at_median: median(&solved_at)?,
            solved_at_mean: gamma_mean(&solved_at, confidence)?,
            sparsity_error_mean: beta_mean_with(&sparsity, confidence, compat)?,
        })
    }
}

impl fmt::Display for CellSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "solved {}/{}: {}",
            self.solved, self.runs, self.success_rate
        )?;
        match self.solved_at_median {
            Some(m) => writeln!(f, "solved at: median {m}, mean {}", self.solved_at_mean)?,
            None => writeln!(f, "solved at: n/a")?,
        }
        write!(f, "sparsity error: mean {}", self.sparsity_error_mean)
    }
}

/// The sample median: the middle value, or the mean of the two middle values
/// for an even count. `None` without values.
///
/// # Errors
/// [`crate::Error::InvalidArgument`] if a value is not finite.
///
/// ```
/// use arithgrad::stats::median;
/// assert_eq!(median(&[5.0, 1.0, 3.0]).unwrap(), Some(3.0));
/// assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]).unwrap(), Some(2.5));
/// assert_eq!(median(&[]).unwrap(), None);
/// ```
pub fn median(values: &[f64]) -> Result<Option<f64>> {
    check_finite("values", values)?;
    if values.is_empty() {
        return Ok(None);
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Ok(Some(if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        0.5 * (sorted[mid - 1] + sorted[mid])
    }))
}

#[cfg(test)]
mod tests {
    use super::super::{beta_mean, FallbackReason, IntervalMethod, NoIntervalReason};
    use super::*;

    fn run(solved: bool, solved_at: Option<u64>, sparsity_error: Option<f64>) -> RunOutcome {
        RunOutcome {
            solved,
            solved_at,
            sparsity_error,
        }
    }

    #[test]
    fn only_solved_runs_feed_solved_at_and_sparsity() {
        let outcomes = [
            run(true, Some(1000), Some(0.01)),
            run(false, Some(50), Some(0.4)), // unsolved: ignored even with values
            run(true, Some(3000), Some(0.03)),
            run(true, Some(2000), Some(0.02)),
            run(true, None, None), // solved but missing values: skipped
        ];
        let s = CellSummary::from_outcomes(&outcomes).unwrap();
        assert_eq!((s.runs, s.solved), (5, 4));
        assert_eq!(s.success_rate, wilson(4, 5, 0.95).unwrap());
        assert_eq!(s.solved_at_median, Some(2000.0));
        assert_eq!(
            s.solved_at_mean,
            gamma_mean(&[1000.0, 3000.0, 2000.0], 0.95).unwrap()
        );
        assert_eq!(s.solved_at_mean.n, 3);
        assert_eq!(
            s.sparsity_error_mean,
            beta_mean(&[0.01, 0.03, 0.02], 0.95).unwrap()
        );
        assert_eq!(
            s.solved_at_mean.method,
            IntervalMethod::GammaProfileLikelihood
        );
        assert_eq!(
            s.sparsity_error_mean.method,
            IntervalMethod::BetaProfileLikelihood { clamped: 0 }
        );
    }

    #[test]
    fn nothing_solved() {
        let s = CellSummary::from_outcomes(&[run(false, None, None); 3]).unwrap();
        assert_eq!(s.success_rate.value, Some(0.0));
        assert_eq!(s.solved_at_median, None);
        assert_eq!(s.solved_at_mean.value, None);
        let none = IntervalMethod::NoInterval {
            reason: NoIntervalReason::NoValues,
        };
        assert_eq!(s.solved_at_mean.method, none);
        assert_eq!(s.sparsity_error_mean.method, none);
        let empty = CellSummary::from_outcomes(&[]).unwrap();
        assert_eq!(empty.runs, 0);
        assert_eq!(empty.success_rate.interval, None);
    }

    #[test]
    fn degenerate_cells_name_their_fallbacks() {
        let outcomes = [run(true, Some(0), Some(0.0)), run(true, Some(0), Some(0.0))];
        let s = CellSummary::from_outcomes(&outcomes).unwrap();
        let all_equal = IntervalMethod::StudentT {
            fallback: Some(FallbackReason::AllEqual),
        };
        assert_eq!(s.solved_at_mean.method, all_equal);
        assert_eq!(s.sparsity_error_mean.method, all_equal);
        // A solved-at step of 0 is outside the gamma's support.
        let outcomes = [run(true, Some(0), None), run(true, Some(400), None)];
        let s = CellSummary::from_outcomes(&outcomes).unwrap();
        assert_eq!(
            s.solved_at_mean.method,
            IntervalMethod::StudentT {
                fallback: Some(FallbackReason::OutsideSupport)
            }
        );
    }

    #[test]
    fn serializes_with_method_names() {
        let s = CellSummary::from_outcomes(&[
            run(true, Some(100), Some(0.1)),
            run(true, Some(300), Some(0.2)),
            run(false, None, None),
        ])
        .unwrap();
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["runs"], 3);
        assert_eq!(json["success_rate"]["method"]["kind"], "wilson");
        assert_eq!(
            json["solved_at_mean"]["method"]["description"],
            "gamma maximum likelihood, profile-likelihood interval"
        );
        assert!(json["solved_at_mean"]["interval"]["lower"].is_number());
        let text = s.to_string();
        assert!(text.contains("Wilson score interval") && text.contains("beta maximum likelihood"));
    }

    #[test]
    fn invalid_input() {
        use crate::error::expect::invalid;
        let nan_sparsity = CellSummary::from_outcomes(&[run(true, Some(3), Some(f64::NAN))]);
        let (name, reason) = invalid(nan_sparsity);
        assert_eq!(name, "sparsity_error");
        assert!(reason.contains("value 0 is NaN"), "{reason}");
        let (name, _) = invalid(CellSummary::from_outcomes_with_confidence(&[], 1.5));
        assert_eq!(name, "confidence");
        let (name, reason) = invalid(median(&[1.0, f64::NAN]));
        assert_eq!(name, "values");
        assert!(reason.contains("value 1 is NaN"), "{reason}");
    }
}
