//! Stochastic gradient descent with optional momentum, dampening, Nesterov
//! momentum and L2 weight decay, as `torch.optim.SGD`.
//!
//! For each element, with gradient `g`, parameter `p` and momentum buffer `b`:
//!
//! ```text
//! g ← g + weight_decay · p                      (if weight_decay ≠ 0)
//! if momentum ≠ 0:
//!     b ← g                                     (first step)
//!     b ← momentum · b + (1 − dampening) · g    (later steps)
//!     g ← g + momentum · b   if nesterov,  else  g ← b
//! p ← p − lr · g
//! ```

use serde::{Deserialize, Serialize};

use super::{check_non_negative, prepare_state, Optimizer};
use crate::error::{Error, Result};
use crate::tape::ParamStore;
use crate::tensor::Element;

/// Hyper-parameters of [`Sgd`]. PyTorch has no default learning rate, so
/// there is no `Default`; [`SgdConfig::new`] takes it and fills in PyTorch's
/// defaults for the rest:
///
/// ```
/// use arithgrad::optim::SgdConfig;
/// let config = SgdConfig { momentum: 0.9, nesterov: true, ..SgdConfig::new(0.1) };
/// assert_eq!(config.dampening, 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgdConfig {
    /// Learning rate, finite and `>= 0`. Required (PyTorch has no default).
    pub lr: f64,
    /// Momentum factor, `>= 0`. PyTorch default: `0` (no momentum buffer).
    pub momentum: f64,
    /// Dampening of the gradient's contribution to the momentum buffer, in
    /// `[0, 1]`. PyTorch default: `0`. (PyTorch does not check its range.)
    pub dampening: f64,
    /// L2 penalty: `weight_decay · p` is added to the gradient, `>= 0`.
    /// PyTorch default: `0`.
    pub weight_decay: f64,
    /// Nesterov momentum; needs `momentum > 0` and `dampening == 0`.
    /// PyTorch default: `false`.
    pub nesterov: bool,
}

impl SgdConfig {
    /// The given learning rate with PyTorch's defaults for everything else.
    pub fn new(lr: f64) -> Self {
        SgdConfig {
            lr,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
        }
    }

    /// Checks every field, naming the first invalid one.
    pub fn validate(&self) -> Result<()> {
        check_non_negative("lr", self.lr)?;
        check_non_negative("momentum", self.momentum)?;
        check_non_negative("weight_decay", self.weight_decay)?;
        if !(0.0..=1.0).contains(&self.dampening) {
            return Err(Error::invalid(
                "dampening",
                format!("must be in [0, 1], got {}", self.dampening),
            ));
        }
        if self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            return Err(Error::invalid(
                "nesterov",
                "Nesterov momentum needs momentum > 0 and dampening = 0",
            ));
        }
        Ok(())
    }
}

/// Stochastic gradient descent, as `torch.optim.SGD` (see the module docs
/// for the update). Serializable with its step count and momentum buffer.
///
/// ```
/// use arithgrad::optim::{Optimizer, Sgd, SgdConfig};
/// use arithgrad::tape::ParamStore;
/// use arithgrad::tensor::{Shape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let w = params.add("w", Tensor::full(Shape::vector(2), 1.0))?;
/// params.grad_mut(w)?.copy_from_slice(&[1.0, -2.0]);
/// let mut sgd = Sgd::new(SgdConfig::new(0.5))?;
/// sgd.step(&mut params)?;
/// assert_eq!(params.value(w)?, &[0.5, 2.0]);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "T: Element")]
pub struct Sgd<T> {
    config: SgdConfig,
    steps: u64,
    /// `params.numel()` at the first step; `None` before it.
    state_numel: Option<usize>,
    /// Empty unless `momentum != 0`.
    momentum_buffer: Vec<T>,
}

impl<T: Element> Sgd<T> {
    /// An optimizer with a validated configuration; its state is created on
    /// the first step.
    pub fn new(config: SgdConfig) -> Result<Self> {
        config.validate()?;
        Ok(Sgd {
            config,
            steps: 0,
            state_numel: None,
            momentum_buffer: Vec::new(),
        })
    }

    /// The configuration (with the current learning rate).
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }

    /// The momentum buffer (empty before the first step or without momentum).
    pub fn momentum_buffer(&self) -> &[T] {
        &self.momentum_buffer
    }
}

impl<T: Element> Optimizer<T> for Sgd<T> {
    fn step(&mut self, params: &mut ParamStore<T>) -> Result<()> {
        // A few comparisons; also catches an invalid config in a loaded state.
        self.config.validate()?;
        let c = self.config;
        let use_momentum = c.momentum != 0.0;
        prepare_state(
            &mut self.state_numel,
            params.numel(),
            &mut [(&mut self.momentum_buffer, use_momentum)],
        )?;
        let first = self.steps == 0;
        let weight_decay = T::from_f64_lossy(c.weight_decay);
        let momentum = T::from_f64_lossy(c.momentum);
        let one_minus_dampening = T::from_f64_lossy(1.0 - c.dampening);
        let neg_lr = T::from_f64_lossy(-c.lr);

        let (values, grads) = params.values_and_grads_mut();
        if use_momentum {
            for ((p, &g), b) in values
                .iter_mut()
                .zip(grads)
                .zip(self.momentum_buffer.iter_mut())
            {
                let mut g = g;
                if c.weight_decay != 0.0 {
                    g = g + weight_decay * *p;
                }
                *b = if first {
                    g
                } else {
                    *b * momentum + one_minus_dampening * g
                };
                let d = if c.nesterov { g + momentum * *b } else { *b };
                *p = *p + neg_lr * d;
            }
        } else {
            for (p, &g) in values.iter_mut().zip(grads) {
                let mut g = g;
                if c.weight_decay != 0.0 {
                    g = g + weight_decay * *p;
                }
                *p = *p + neg_lr * g;
            }
        }
        self.steps += 1;
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.config.lr
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        check_non_negative("lr", lr)?;
        self.config.lr = lr;
        Ok(())
    }

    fn steps_taken(&self) -> u64 {
        self.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::{Shape, Tensor};

    fn store(values: &[f64], grads: &[f64]) -> ParamStore<f64> {
        let mut p = ParamStore::new();
        let id = p
            .add(
                "w",
                Tensor::from_slice(Shape::vector(values.len()), values).unwrap(),
            )
            .unwrap();
        p.grad_mut(id).unwrap().copy_from_slice(grads);
        p
    }

    #[test]
    fn invalid_hyper_parameters_are_named() {
        let cases = [
            (SgdConfig::new(-0.1), "lr"),
            (SgdConfig::new(f64::NAN), "lr"),
            (
                SgdConfig {
                    momentum: -0.5,
                    ..SgdConfig::new(0.1)
                },
                "momentum",
            ),
            (
                SgdConfig {
                    weight_decay: -1.0,
                    ..SgdConfig::new(0.1)
                },
                "weight_decay",
            ),
            (
                SgdConfig {
                    dampening: 1.5,
                    ..SgdConfig::new(0.1)
                },
                "dampening",
            ),
            (
                SgdConfig {
                    nesterov: true,
                    ..SgdConfig::new(0.1)
                },
                "nesterov",
            ),
            (
                SgdConfig {
                    nesterov: true,
                    momentum: 0.9,
                    dampening: 0.1,
                    ..SgdConfig::new(0.1)
                },
                "nesterov",
            ),
        ];
        for (config, name) in cases {
            match Sgd::<f64>::new(config) {
                Err(Error::InvalidArgument { name: got, .. }) => assert_eq!(got, name),
                other => panic!("{config:?}: expected an error naming {name}, got {other:?}"),
            }
        }
    }

    #[test]
    fn momentum_buffer_starts_as_the_gradient_then_accumulates() {
        let mut p = store(&[0.0], &[1.0]);
        let mut sgd = Sgd::new(SgdConfig {
            momentum: 0.5,
            dampening: 0.5,
            ..SgdConfig::new(1.0)
        })
        .unwrap();
        sgd.step(&mut p).unwrap();
        assert_eq!(sgd.momentum_buffer(), &[1.0]); // no dampening on the first step
        assert_eq!(p.values(), &[-1.0]);
        sgd.step(&mut p).unwrap();
        assert_eq!(sgd.momentum_buffer(), &[0.5 * 1.0 + 0.5 * 1.0]);
        assert_eq!(p.values(), &[-2.0]);
    }

    #[test]
    fn plain_sgd_keeps_no_buffer() {
        let mut p = store(&[1.0, 2.0], &[0.5, 0.5]);
        let mut sgd = Sgd::new(SgdConfig::new(0.1)).unwrap();
        sgd.step(&mut p).unwrap();
        assert!(sgd.momentum_buffer().is_empty());
        assert_eq!(sgd.steps_taken(), 1);
    }

    #[test]
    fn a_store_that_changed_size_is_an_error() {
        let mut p = store(&[1.0, 2.0], &[0.5, 0.5]);
        let mut sgd = Sgd::new(SgdConfig::new(0.1)).unwrap();
        sgd.step(&mut p).unwrap();
        p.add("extra", Tensor::zeros(Shape::vector(1))).unwrap();
        let before = p.values().to_vec();
        let (name, reason) = crate::error::expect::invalid(sgd.step(&mut p));
        assert_eq!(name, "params");
        assert!(
            reason.contains("the store has 3 elements but the optimizer state was created for 2"),
            "{reason}"
        );
        assert_eq!(
            p.values(),
            &before[..],
            "a failed step must not touch params"
        );
        assert_eq!(sgd.steps_taken(), 1);
    }

    #[test]
    fn set_learning_rate_validates() {
        let mut sgd = Sgd::<f32>::new(SgdConfig::new(0.1)).unwrap();
        sgd.set_learning_rate(0.05).unwrap();
        assert_eq!(sgd.learning_rate(), 0.05);
        let (name, reason) = crate::error::expect::invalid(sgd.set_learning_rate(-1.0));
        assert_eq!(name, "lr");
        assert!(reason.contains("got -1"), "{reason}");
        assert_eq!(sgd.learning_rate(), 0.05);
    }
}
