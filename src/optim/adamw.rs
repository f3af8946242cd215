//! AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay, as
//! `torch.optim.AdamW`. Before the Adam update of [`super::Adam`] (without
//! any L2 term in the gradient) every parameter is shrunk:
//!
//! ```text
//! p ← p · (1 − lr · weight_decay)
//! ```
//!
//! so the decay does not pass through the adaptive denominator. The moment
//! updates are shared with Adam (see `adam.rs`).

use serde::{Deserialize, Serialize};

use super::adam::{validate_adam, AdamHyper, AdamState};
use super::{check_non_negative, Optimizer};
use crate::error::Result;
use crate::tape::ParamStore;
use crate::tensor::Element;

/// Hyper-parameters of [`AdamW`]. `Default` gives PyTorch's defaults (the
/// same as Adam's except `weight_decay = 0.01`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamWConfig {
    /// Learning rate, finite and `>= 0`. PyTorch default: `1e-3`.
    pub lr: f64,
    /// Decay rates `(β1, β2)` of the first and second moment averages, each
    /// in `[0, 1)`. PyTorch default: `(0.9, 0.999)`.
    pub betas: (f64, f64),
    /// Added to the denominator for numerical stability, `>= 0`.
    /// PyTorch default: `1e-8`.
    pub eps: f64,
    /// Decoupled decay: each step multiplies every parameter by
    /// `1 − lr · weight_decay`; `>= 0`. PyTorch default: `0.01`.
    pub weight_decay: f64,
    /// Use the running maximum of the second moment (AMSGrad).
    /// PyTorch default: `false`.
    pub amsgrad: bool,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        AdamWConfig {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 1e-2,
            amsgrad: false,
        }
    }
}

impl AdamWConfig {
    /// Checks every field, naming the first invalid one.
    pub fn validate(&self) -> Result<()> {
        validate_adam(self.lr, self.betas, self.eps, self.weight_decay)
    }
}

/// AdamW, as `torch.optim.AdamW`. Serializable with its step count and
/// moment buffers.
///
/// ```
/// use arithgrad::optim::{AdamW, AdamWConfig, Optimizer};
/// use arithgrad::tape::ParamStore;
/// use arithgrad::tensor::{Shape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let w = params.add("w", Tensor::full(Shape::vector(1), 2.0))?;
/// let mut opt = AdamW::new(AdamWConfig { lr: 0.1, weight_decay: 0.5, ..AdamWConfig::default() })?;
/// opt.step(&mut params)?; // zero gradient: only the decay acts
/// assert_eq!(params.value(w)?, &[2.0 * (1.0 - 0.1 * 0.5)]);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "T: Element")]
pub struct AdamW<T> {
    config: AdamWConfig,
    state: AdamState<T>,
}

impl<T: Element> AdamW<T> {
    /// An optimizer with a validated configuration; its state is created on
    /// the first step.
    pub fn new(config: AdamWConfig) -> Result<Self> {
        config.validate()?;
        Ok(AdamW {
            config,
            state: AdamState::new(),
        })
    }

    /// The configuration (with the current learning rate).
    pub fn config(&self) -> &AdamWConfig {
        &self.config
    }

    /// The first-moment average `m` (empty before the first step).
    pub fn exp_avg(&self) -> &[T] {
        &self.state.exp_avg
    }

    /// The second-moment average `v` (empty before the first step).
    pub fn exp_avg_sq(&self) -> &[T] {
        &self.state.exp_avg_sq
    }

    /// AMSGrad's running maximum of `v` (empty unless `amsgrad`).
    pub fn max_exp_avg_sq(&self) -> &[T] {
        &self.state.max_exp_avg_sq
    }
}

impl<T: Element> Optimizer<T> for AdamW<T> {
    fn step(&mut self, params: &mut ParamStore<T>) -> Result<()> {
        // A few comparisons; also catches an invalid config in a loaded state.
        self.config.validate()?;
        let c = &self.config;
        self.state.step(
            params,
            &AdamHyper {
                lr: c.lr,
                betas: c.betas,
                eps: c.eps,
                l2_weight_decay: 0.0,
                decoupled_weight_decay: c.weight_decay,
                amsgrad: c.amsgrad,
            },
        )
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
        self.state.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::optim::{Adam, AdamConfig};
    use crate::tensor::{Shape, Tensor};

    #[test]
    fn defaults_are_pytorchs() {
        let c = AdamWConfig::default();
        assert_eq!(
            (c.lr, c.betas, c.eps, c.weight_decay, c.amsgrad),
            (1e-3, (0.9, 0.999), 1e-8, 0.01, false)
        );
    }

    #[test]
    fn invalid_weight_decay_is_named() {
        let config = AdamWConfig {
            weight_decay: -0.01,
            ..AdamWConfig::default()
        };
        assert!(matches!(
            AdamW::<f64>::new(config),
            Err(Error::InvalidArgument {
                name: "weight_decay",
                ..
            })
        ));
    }

    #[test]
    fn without_decay_it_is_adam() {
        let mut a = ParamStore::<f64>::new();
        let id = a
            .add(
                "w",
                Tensor::from_slice(Shape::vector(3), &[0.5, -1.0, 2.0]).unwrap(),
            )
            .unwrap();
        let mut b = a.clone();
        let mut adam = Adam::new(AdamConfig::default()).unwrap();
        let mut adamw = AdamW::new(AdamWConfig {
            weight_decay: 0.0,
            ..AdamWConfig::default()
        })
        .unwrap();
        for step in 0..4 {
            let g = [step as f64, -0.5, 3.0];
            a.grad_mut(id).unwrap().copy_from_slice(&g);
            b.grad_mut(b.id("w").unwrap()).unwrap().copy_from_slice(&g);
            adam.step(&mut a).unwrap();
            adamw.step(&mut b).unwrap();
        }
        assert_eq!(a.values(), b.values());
    }
}
