//! RMSprop (Hinton's lecture 6e; centered variant after Graves 2013), as
//! `torch.optim.RMSprop`.
//!
//! Per element with gradient `g`, parameter `p`, square average `s`,
//! (centered) gradient average `a` and momentum buffer `b`, all starting at 0:
//!
//! ```text
//! g ← g + weight_decay · p                (if weight_decay ≠ 0)
//! s ← α s + (1 − α) g²
//! centered:  a ← a + (1 − α)(g − a)        (= α a + (1 − α) g, via lerp)
//!            avg = √(s − a²) + eps
//! otherwise: avg = √s + eps
//! momentum > 0:  b ← momentum · b + g / avg,   p ← p − lr · b
//! otherwise:     p ← p − lr · g / avg
//! ```
//!
//! Note that PyTorch puts `eps` outside the square root (Keras/TF put it inside).

use serde::{Deserialize, Serialize};

use super::{check_non_negative, prepare_state, Lerp, Optimizer};
use crate::error::Result;
use crate::tape::ParamStore;
use crate::tensor::Element;

/// Hyper-parameters of [`RmsProp`]. `Default` gives PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RmsPropConfig {
    /// Learning rate, finite and `>= 0`. PyTorch default: `1e-2`.
    pub lr: f64,
    /// Smoothing constant of the averages, `>= 0`. PyTorch default: `0.99`.
    pub alpha: f64,
    /// Added to the denominator for numerical stability, `>= 0`.
    /// PyTorch default: `1e-8`.
    pub eps: f64,
    /// L2 penalty: `weight_decay · p` is added to the gradient, `>= 0`.
    /// PyTorch default: `0`.
    pub weight_decay: f64,
    /// Momentum factor, `>= 0`. PyTorch default: `0` (no momentum buffer).
    pub momentum: f64,
    /// Normalise by an estimate of the gradient's variance instead of its
    /// raw second moment. PyTorch default: `false`.
    pub centered: bool,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        RmsPropConfig {
            lr: 1e-2,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
        }
    }
}

impl RmsPropConfig {
    /// Checks every field, naming the first invalid one (PyTorch's checks,
    /// plus finiteness).
    pub fn validate(&self) -> Result<()> {
        check_non_negative("lr", self.lr)?;
        check_non_negative("alpha", self.alpha)?;
        check_non_negative("eps", self.eps)?;
        check_non_negative("weight_decay", self.weight_decay)?;
        check_non_negative("momentum", self.momentum)
    }
}

/// RMSprop, as `torch.optim.RMSprop` (see the module docs for the update).
/// Serializable with its step count and buffers.
///
/// ```
/// use arithgrad::optim::{Optimizer, RmsProp, RmsPropConfig};
/// use arithgrad::tape::ParamStore;
/// use arithgrad::tensor::{Shape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let w = params.add("w", Tensor::full(Shape::vector(1), 0.0))?;
/// params.grad_mut(w)?[0] = 3.0;
/// let mut opt = RmsProp::new(RmsPropConfig { eps: 0.0, ..RmsPropConfig::default() })?;
/// opt.step(&mut params)?;
/// // s = 0.01·9, so the step is lr·3/√0.09 = 10·lr.
/// assert!((params.value(w)?[0] + 0.1).abs() < 1e-15);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "T: Element")]
pub struct RmsProp<T> {
    config: RmsPropConfig,
    steps: u64,
    /// `params.numel()` at the first step; `None` before it.
    state_numel: Option<usize>,
    square_avg: Vec<T>,
    /// Empty unless `centered`.
    grad_avg: Vec<T>,
    /// Empty unless `momentum > 0`.
    momentum_buffer: Vec<T>,
}

impl<T: Element> RmsProp<T> {
    /// An optimizer with a validated configuration; its state is created on
    /// the first step.
    pub fn new(config: RmsPropConfig) -> Result<Self> {
        config.validate()?;
        Ok(RmsProp {
            config,
            steps: 0,
            state_numel: None,
            square_avg: Vec::new(),
            grad_avg: Vec::new(),
            momentum_buffer: Vec::new(),
        })
    }

    /// The configuration (with the current learning rate).
    pub fn config(&self) -> &RmsPropConfig {
        &self.config
    }

    /// The running average of squared gradients `s`.
    pub fn square_avg(&self) -> &[T] {
        &self.square_avg
    }

    /// The running average of gradients `a` (empty unless centered).
    pub fn grad_avg(&self) -> &[T] {
        &self.grad_avg
    }

    /// The momentum buffer `b` (empty unless `momentum > 0`).
    pub fn momentum_buffer(&self) -> &[T] {
        &self.momentum_buffer
    }
}

impl<T: Element> Optimizer<T> for RmsProp<T> {
    fn step(&mut self, params: &mut ParamStore<T>) -> Result<()> {
        // A few comparisons; also catches an invalid config in a loaded state.
        self.config.validate()?;
        let c = self.config;
        let use_momentum = c.momentum > 0.0;
        prepare_state(
            &mut self.state_numel,
            params.numel(),
            &mut [
                (&mut self.square_avg, true),
                (&mut self.grad_avg, c.centered),
                (&mut self.momentum_buffer, use_momentum),
            ],
        )?;

        let use_l2 = c.weight_decay != 0.0;
        let weight_decay = T::from_f64_lossy(c.weight_decay);
        let alpha = T::from_f64_lossy(c.alpha);
        let one_minus_alpha = T::from_f64_lossy(1.0 - c.alpha);
        let grad_mean = Lerp::<T>::new(1.0 - c.alpha);
        let eps = T::from_f64_lossy(c.eps);
        let momentum = T::from_f64_lossy(c.momentum);
        let neg_lr = T::from_f64_lossy(-c.lr);

        // What every variant shares: apply the L2 decay, update `s`, and
        // return the decayed gradient.
        let square = |p: T, g: T, s: &mut T| -> T {
            let g = if use_l2 { g + weight_decay * p } else { g };
            *s = *s * alpha + one_minus_alpha * g * g;
            g
        };
        // The parameter update, through the momentum buffer if there is one.
        let apply = |p: &mut T, g: T, avg: T, b: Option<&mut T>| match b {
            Some(b) => {
                *b = *b * momentum + g / avg;
                *p = *p + neg_lr * *b;
            }
            None => *p = *p + neg_lr * g / avg,
        };

        let (values, grads) = params.values_and_grads_mut();
        let elements = values.iter_mut().zip(grads).zip(self.square_avg.iter_mut());
        match (c.centered, use_momentum) {
            (false, false) => {
                for ((p, &g), s) in elements {
                    let g = square(*p, g, s);
                    apply(p, g, s.sqrt() + eps, None);
                }
            }
            (false, true) => {
                for (((p, &g), s), b) in elements.zip(self.momentum_buffer.iter_mut()) {
                    let g = square(*p, g, s);
                    apply(p, g, s.sqrt() + eps, Some(b));
                }
            }
            (true, false) => {
                for (((p, &g), s), a) in elements.zip(self.grad_avg.iter_mut()) {
                    let g = square(*p, g, s);
                    *a = grad_mean.apply(*a, g);
                    apply(p, g, (*s - *a * *a).sqrt() + eps, None);
                }
            }
            (true, true) => {
                let buffers = self
                    .grad_avg
                    .iter_mut()
                    .zip(self.momentum_buffer.iter_mut());
                for (((p, &g), s), (a, b)) in elements.zip(buffers) {
                    let g = square(*p, g, s);
                    *a = grad_mean.apply(*a, g);
                    apply(p, g, (*s - *a * *a).sqrt() + eps, Some(b));
                }
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
    use crate::error::Error;
    use crate::tensor::{Shape, Tensor};

    #[test]
    fn defaults_are_pytorchs() {
        let c = RmsPropConfig::default();
        assert_eq!(
            (c.lr, c.alpha, c.eps, c.weight_decay, c.momentum, c.centered),
            (1e-2, 0.99, 1e-8, 0.0, 0.0, false)
        );
    }

    #[test]
    fn invalid_hyper_parameters_are_named() {
        let d = RmsPropConfig::default();
        let cases = [
            (RmsPropConfig { lr: -1.0, ..d }, "lr"),
            (RmsPropConfig { alpha: -0.5, ..d }, "alpha"),
            (RmsPropConfig { eps: f64::NAN, ..d }, "eps"),
            (
                RmsPropConfig {
                    weight_decay: -1.0,
                    ..d
                },
                "weight_decay",
            ),
            (
                RmsPropConfig {
                    momentum: f64::INFINITY,
                    ..d
                },
                "momentum",
            ),
        ];
        for (config, name) in cases {
            match RmsProp::<f64>::new(config) {
                Err(Error::InvalidArgument { name: got, .. }) => assert_eq!(got, name),
                other => panic!("{config:?}: expected an error naming {name}, got {other:?}"),
            }
        }
    }

    #[test]
    fn only_the_needed_buffers_exist() {
        let mut p = ParamStore::<f64>::new();
        p.add("w", Tensor::full(Shape::vector(2), 1.0)).unwrap();
        p.grads_mut().copy_from_slice(&[1.0, -1.0]);
        let mut plain = RmsProp::new(RmsPropConfig::default()).unwrap();
        plain.step(&mut p).unwrap();
        assert_eq!((plain.square_avg().len(), plain.grad_avg().len()), (2, 0));
        assert!(plain.momentum_buffer().is_empty());
        let mut full = RmsProp::new(RmsPropConfig {
            centered: true,
            momentum: 0.9,
            ..RmsPropConfig::default()
        })
        .unwrap();
        full.step(&mut p).unwrap();
        assert_eq!(
            (full.grad_avg().len(), full.momentum_buffer().len()),
            (2, 2)
        );
    }

    #[test]
    fn centered_first_step_uses_the_variance_estimate() {
        // After one step s = (1-α) g², a = (1-α) g, so s - a² = (1-α) α g².
        let mut p = ParamStore::<f64>::new();
        p.add("w", Tensor::zeros(Shape::vector(1))).unwrap();
        p.grads_mut()[0] = 2.0;
        let mut opt = RmsProp::new(RmsPropConfig {
            alpha: 0.75,
            eps: 0.0,
            lr: 1.0,
            centered: true,
            ..RmsPropConfig::default()
        })
        .unwrap();
        opt.step(&mut p).unwrap();
        let want = -2.0 / (0.25f64 * 0.75 * 4.0).sqrt();
        assert!((p.values()[0] - want).abs() < 1e-15);
    }
}
