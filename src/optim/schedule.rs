//! Learning-rate schedules: the closed forms of PyTorch's `StepLR`,
//! `ExponentialLR` and `CosineAnnealingLR` (plus a constant), as a function
//! of the base learning rate and the schedule's step count `t` (PyTorch's
//! `last_epoch`: how many times `scheduler.step()` has been called, so the
//! rate at `t = 0` is the base rate).
//!
//! ```text
//! Constant:                 lr(t) = base
//! StepDecay:                lr(t) = base · γ^⌊t / step_size⌋
//! Exponential:              lr(t) = base · γ^t
//! CosineAnnealing:          lr(t) = η_min + (base − η_min)(1 + cos(π t / t_max)) / 2
//! ```
//!
//! PyTorch's schedulers update the rate recursively from the previous one;
//! its closed forms (`_get_closed_form_lr`) are these formulas, and the two
//! agree to rounding. Like PyTorch's closed form, the cosine keeps going past
//! `t_max` (the rate rises again), so stop at `t_max` or use it as a period.

use serde::{Deserialize, Serialize};

use super::{check_non_negative, Optimizer};
use crate::error::{Error, Result};
use crate::tensor::Element;

/// A learning-rate schedule; see the module docs for the formulas.
///
/// ```
/// use arithgrad::optim::{Optimizer, Schedule, Sgd, SgdConfig};
/// let schedule = Schedule::StepDecay { step_size: 10, gamma: 0.5 };
/// assert_eq!(schedule.learning_rate(0.1, 25)?, 0.1 * 0.25);
/// let mut sgd = Sgd::<f64>::new(SgdConfig::new(0.1))?;
/// schedule.apply(&mut sgd, 0.1, 10)?;
/// assert_eq!(sgd.learning_rate(), 0.05);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Schedule {
    /// The base rate throughout.
    Constant,
    /// Multiply by `gamma` (finite, `>= 0`) every `step_size` (`>= 1`) steps.
    /// PyTorch `StepLR` default: `gamma = 0.1`.
    StepDecay { step_size: u64, gamma: f64 },
    /// Multiply by `gamma` (finite, `>= 0`) every step (`ExponentialLR`).
    Exponential { gamma: f64 },
    /// Half a cosine from the base rate down to `eta_min` (finite, `>= 0`)
    /// over `t_max` (`>= 1`) steps. PyTorch default: `eta_min = 0`.
    CosineAnnealing { t_max: u64, eta_min: f64 },
}

impl Schedule {
    /// Checks the schedule's parameters, naming the first invalid one.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Schedule::Constant => Ok(()),
            Schedule::StepDecay { step_size, gamma } => {
                if step_size == 0 {
                    return Err(Error::invalid("step_size", "must be at least 1"));
                }
                check_non_negative("gamma", gamma)
            }
            Schedule::Exponential { gamma } => check_non_negative("gamma", gamma),
            Schedule::CosineAnnealing { t_max, eta_min } => {
                if t_max == 0 {
                    return Err(Error::invalid("t_max", "must be at least 1"));
                }
                check_non_negative("eta_min", eta_min)
            }
        }
    }

    /// The learning rate after `t` schedule steps, starting from `base_lr`
    /// (finite, `>= 0`).
    pub fn learning_rate(&self, base_lr: f64, t: u64) -> Result<f64> {
        self.validate()?;
        check_non_negative("base_lr", base_lr)?;
        let t_f = t as f64;
        Ok(match *self {
            Schedule::Constant => base_lr,
            Schedule::StepDecay { step_size, gamma } => {
                base_lr * gamma.powf((t / step_size) as f64)
            }
            Schedule::Exponential { gamma } => base_lr * gamma.powf(t_f),
            Schedule::CosineAnnealing { t_max, eta_min } => {
                eta_min
                    + (base_lr - eta_min)
                        * (1.0 + (std::f64::consts::PI * t_f / t_max as f64).cos())
                        / 2.0
            }
        })
    }

    /// Sets `optimizer`'s learning rate to [`Schedule::learning_rate`]`(base_lr, t)`.
    pub fn apply<T: Element, O: Optimizer<T> + ?Sized>(
        &self,
        optimizer: &mut O,
        base_lr: f64,
        t: u64,
    ) -> Result<()> {
        optimizer.set_learning_rate(self.learning_rate(base_lr, t)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{Adam, AdamConfig};

    #[test]
    fn step_decay_changes_only_at_multiples_of_step_size() {
        let s = Schedule::StepDecay {
            step_size: 3,
            gamma: 0.1,
        };
        let lrs: Vec<f64> = (0..7).map(|t| s.learning_rate(1.0, t).unwrap()).collect();
        assert_eq!(lrs[0..3], [1.0; 3]);
        assert_eq!(lrs[3..6], [0.1; 3]);
        assert_eq!(lrs[6], 0.1f64.powf(2.0));
    }

    #[test]
    fn cosine_runs_from_base_to_eta_min() {
        let s = Schedule::CosineAnnealing {
            t_max: 10,
            eta_min: 0.01,
        };
        assert_eq!(s.learning_rate(0.5, 0).unwrap(), 0.5);
        assert!((s.learning_rate(0.5, 5).unwrap() - 0.255).abs() < 1e-15);
        assert!((s.learning_rate(0.5, 10).unwrap() - 0.01).abs() < 1e-15);
    }

    #[test]
    fn apply_works_through_a_trait_object() {
        let mut adam: Box<dyn Optimizer<f32>> = Box::new(Adam::new(AdamConfig::default()).unwrap());
        Schedule::Exponential { gamma: 0.5 }
            .apply(adam.as_mut(), 1e-3, 2)
            .unwrap();
        assert_eq!(adam.learning_rate(), 1e-3 * 0.25);
    }

    #[test]
    fn invalid_parameters_are_named() {
        let cases = [
            (
                Schedule::StepDecay {
                    step_size: 0,
                    gamma: 0.1,
                },
                "step_size",
            ),
            (Schedule::Exponential { gamma: -1.0 }, "gamma"),
            (
                Schedule::CosineAnnealing {
                    t_max: 0,
                    eta_min: 0.0,
                },
                "t_max",
            ),
            (
                Schedule::CosineAnnealing {
                    t_max: 5,
                    eta_min: f64::NAN,
                },
                "eta_min",
            ),
        ];
        for (s, name) in cases {
            match s.learning_rate(0.1, 1) {
                Err(Error::InvalidArgument { name: got, .. }) => assert_eq!(got, name),
                other => panic!("{s:?}: expected an error naming {name}, got {other:?}"),
            }
        }
        let (name, _) = crate::error::expect::invalid(Schedule::Constant.learning_rate(-0.1, 0));
        assert_eq!(name, "base_lr");
    }
}
