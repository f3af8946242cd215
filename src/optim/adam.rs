//! Adam (Kingma & Ba, 2015) with optional L2 weight decay and AMSGrad, as
//! `torch.optim.Adam`. The moment-update loop here is shared with
//! [`super::AdamW`], which differs only in how it applies weight decay.
//!
//! At step `t` (counting from 1), per element with gradient `g`, parameter
//! `p`, first moment `m`, second moment `v` (and AMSGrad's running max `v̂`):
//!
//! ```text
//! g ← g + weight_decay · p                     (Adam's L2 decay, if ≠ 0)
//! p ← p · (1 − lr · weight_decay)              (AdamW's decoupled decay instead)
//! m ← m + (1 − β1)(g − m)                      (= β1 m + (1 − β1) g, via lerp)
//! v ← β2 v + (1 − β2) g²
//! v̂ ← max(v̂, v)                                (AMSGrad only; then v̂ replaces v below)
//! bc1 = 1 − β1^t,  bc2 = 1 − β2^t,  step_size = lr / bc1
//! denom = √v / √bc2 + eps
//! p ← p − step_size · m / denom
//! ```
//!
//! The scalars of the last three lines are computed once per step in `f64`.

use serde::{Deserialize, Serialize};

use super::{check_non_negative, check_unit_interval, prepare_state, Lerp, Optimizer};
use crate::error::Result;
use crate::tape::ParamStore;
use crate::tensor::Element;

/// Hyper-parameters of [`Adam`]. `Default` gives PyTorch's defaults.
///
/// ```
/// use arithgrad::optim::AdamConfig;
/// let config = AdamConfig { lr: 0.01, amsgrad: true, ..AdamConfig::default() };
/// assert_eq!(config.betas, (0.9, 0.999));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    /// Learning rate, finite and `>= 0`. PyTorch default: `1e-3`.
    pub lr: f64,
    /// Decay rates `(β1, β2)` of the first and second moment averages, each
    /// in `[0, 1)`. PyTorch default: `(0.9, 0.999)`.
    pub betas: (f64, f64),
    /// Added to the denominator for numerical stability, `>= 0`.
    /// PyTorch default: `1e-8`.
    pub eps: f64,
    /// L2 penalty: `weight_decay · p` is added to the gradient, `>= 0`.
    /// PyTorch default: `0`. (For decoupled decay use [`super::AdamW`].)
    pub weight_decay: f64,
    /// Use the running maximum of the second moment (AMSGrad, Reddi et al.
    /// 2018). PyTorch default: `false`.
    pub amsgrad: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
        }
    }
}

impl AdamConfig {
    /// Checks every field, naming the first invalid one.
    pub fn validate(&self) -> Result<()> {
        validate_adam(self.lr, self.betas, self.eps, self.weight_decay)
    }
}

/// The checks Adam and AdamW share (PyTorch's, plus finiteness).
pub(super) fn validate_adam(lr: f64, betas: (f64, f64), eps: f64, weight_decay: f64) -> Result<()> {
    check_non_negative("lr", lr)?;
    check_unit_interval("beta1", betas.0)?;
    check_unit_interval("beta2", betas.1)?;
    check_non_negative("eps", eps)?;
    check_non_negative("weight_decay", weight_decay)
}

/// Adam, as `torch.optim.Adam` (see the module docs for the update).
/// Serializable with its step count and moment buffers.
///
/// ```
/// use arithgrad::optim::{Adam, AdamConfig, Optimizer};
/// use arithgrad::tape::ParamStore;
/// use arithgrad::tensor::{Shape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let w = params.add("w", Tensor::full(Shape::vector(3), 0.0))?;
/// let mut adam = Adam::new(AdamConfig { lr: 0.1, ..AdamConfig::default() })?;
/// for _ in 0..100 {
///     // gradient of sum((w - 1)^2)
///     let g: Vec<f64> = params.value(w)?.iter().map(|x| 2.0 * (x - 1.0)).collect();
///     params.grad_mut(w)?.copy_from_slice(&g);
///     adam.step(&mut params)?;
/// }
/// assert!(params.value(w)?.iter().all(|x| (x - 1.0).abs() < 0.05));
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "T: Element")]
pub struct Adam<T> {
    config: AdamConfig,
    state: AdamState<T>,
}

impl<T: Element> Adam<T> {
    /// An optimizer with a validated configuration; its state is created on
    /// the first step.
    pub fn new(config: AdamConfig) -> Result<Self> {
        config.validate()?;
        Ok(Adam {
            config,
            state: AdamState::new(),
        })
    }

    /// The configuration (with the current learning rate).
    pub fn config(&self) -> &AdamConfig {
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

impl<T: Element> Optimizer<T> for Adam<T> {
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
                l2_weight_decay: c.weight_decay,
                decoupled_weight_decay: 0.0,
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

/// Everything one Adam-family step needs to know.
pub(super) struct AdamHyper {
    pub lr: f64,
    pub betas: (f64, f64),
    pub eps: f64,
    /// Adam's coupled decay, added to the gradient.
    pub l2_weight_decay: f64,
    /// AdamW's decoupled decay, applied to the parameter.
    pub decoupled_weight_decay: f64,
    pub amsgrad: bool,
}

/// The step count and moment buffers of Adam and AdamW.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "T: Element")]
pub(super) struct AdamState<T> {
    pub steps: u64,
    /// `params.numel()` at the first step; `None` before it.
    pub state_numel: Option<usize>,
    pub exp_avg: Vec<T>,
    pub exp_avg_sq: Vec<T>,
    /// Empty unless AMSGrad is on.
    pub max_exp_avg_sq: Vec<T>,
}

impl<T: Element> AdamState<T> {
    pub fn new() -> Self {
        AdamState {
            steps: 0,
            state_numel: None,
            exp_avg: Vec::new(),
            exp_avg_sq: Vec::new(),
            max_exp_avg_sq: Vec::new(),
        }
    }

    /// One update of every parameter: one loop over the flat buffers.
    pub fn step(&mut self, params: &mut ParamStore<T>, h: &AdamHyper) -> Result<()> {
        prepare_state(
            &mut self.state_numel,
            params.numel(),
            &mut [
                (&mut self.exp_avg, true),
                (&mut self.exp_avg_sq, true),
                (&mut self.max_exp_avg_sq, h.amsgrad),
            ],
        )?;
        let t = self.steps + 1;

        // Per-step scalars, in f64 like PyTorch's Python floats.
        let (beta1, beta2) = h.betas;
        let bias_correction1 = 1.0 - beta1.powf(t as f64);
        let bias_correction2 = 1.0 - beta2.powf(t as f64);
        let step_size = h.lr / bias_correction1;
        let bias_correction2_sqrt = bias_correction2.sqrt();

        let first_moment = Lerp::<T>::new(1.0 - beta1);
        let beta2_t = T::from_f64_lossy(beta2);
        let one_minus_beta2 = T::from_f64_lossy(1.0 - beta2);
        let l2 = T::from_f64_lossy(h.l2_weight_decay);
        let decay_factor = T::from_f64_lossy(1.0 - h.lr * h.decoupled_weight_decay);
        let neg_step_size = T::from_f64_lossy(-step_size);
        let bias_correction2_sqrt = T::from_f64_lossy(bias_correction2_sqrt);
        let eps = T::from_f64_lossy(h.eps);
        let use_l2 = h.l2_weight_decay != 0.0;
        let use_decoupled = h.decoupled_weight_decay != 0.0;

        // The per-element update; `vmax` is AMSGrad's running max, if on.
        let update = |p: &mut T, g: T, m: &mut T, v: &mut T, vmax: Option<&mut T>| {
            let mut g = g;
            if use_l2 {
                g = g + l2 * *p;
            }
            if use_decoupled {
                *p = *p * decay_factor;
            }
            *m = first_moment.apply(*m, g);
            *v = *v * beta2_t + one_minus_beta2 * g * g;
            let second = match vmax {
                Some(vmax) => {
                    if *v > *vmax {
                        *vmax = *v;
                    }
                    *vmax
                }
                None => *v,
            };
            let denom = second.sqrt() / bias_correction2_sqrt + eps;
            *p = *p + neg_step_size * *m / denom;
        };

        let (values, grads) = params.values_and_grads_mut();
        let elements = values
            .iter_mut()
            .zip(grads)
            .zip(self.exp_avg.iter_mut().zip(self.exp_avg_sq.iter_mut()));
        if h.amsgrad {
            for (((p, &g), (m, v)), vmax) in elements.zip(self.max_exp_avg_sq.iter_mut()) {
                update(p, g, m, v, Some(vmax));
            }
        } else {
            for ((p, &g), (m, v)) in elements {
                update(p, g, m, v, None);
            }
        }
        self.steps = t;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::tensor::{Shape, Tensor};

    #[test]
    fn defaults_are_pytorchs() {
        let c = AdamConfig::default();
        assert_eq!(
            (c.lr, c.betas, c.eps, c.weight_decay, c.amsgrad),
            (1e-3, (0.9, 0.999), 1e-8, 0.0, false)
        );
    }

    #[test]
    fn invalid_hyper_parameters_are_named() {
        let d = AdamConfig::default();
        let cases = [
            (AdamConfig { lr: -1.0, ..d }, "lr"),
            (
                AdamConfig {
                    betas: (1.0, 0.999),
                    ..d
                },
                "beta1",
            ),
            (
                AdamConfig {
                    betas: (0.9, -0.1),
                    ..d
                },
                "beta2",
            ),
            (AdamConfig { eps: -1e-8, ..d }, "eps"),
            (
                AdamConfig {
                    weight_decay: f64::NAN,
                    ..d
                },
                "weight_decay",
            ),
        ];
        for (config, name) in cases {
            match Adam::<f64>::new(config) {
                Err(Error::InvalidArgument { name: got, .. }) => assert_eq!(got, name),
                other => panic!("{config:?}: expected an error naming {name}, got {other:?}"),
            }
        }
    }

    #[test]
    fn first_step_moves_each_coordinate_by_about_lr() {
        // After one step m/√v = g/|g| exactly (up to eps), the classic Adam property.
        let mut p = ParamStore::<f64>::new();
        let id = p.add("w", Tensor::zeros(Shape::vector(3))).unwrap();
        p.grad_mut(id)
            .unwrap()
            .copy_from_slice(&[1e-3, -5.0, 100.0]);
        let mut adam = Adam::new(AdamConfig {
            eps: 0.0,
            ..AdamConfig::default()
        })
        .unwrap();
        adam.step(&mut p).unwrap();
        for (x, want) in p.value(id).unwrap().iter().zip([-1e-3, 1e-3, -1e-3]) {
            assert!((x - want).abs() < 1e-15, "{x} vs {want}");
        }
        assert!(adam.max_exp_avg_sq().is_empty());
    }

    #[test]
    fn amsgrad_keeps_the_running_max() {
        let mut p = ParamStore::<f64>::new();
        let id = p.add("w", Tensor::zeros(Shape::vector(1))).unwrap();
        let mut adam = Adam::new(AdamConfig {
            betas: (0.9, 0.5),
            amsgrad: true,
            ..AdamConfig::default()
        })
        .unwrap();
        p.grad_mut(id).unwrap()[0] = 4.0;
        adam.step(&mut p).unwrap();
        assert_eq!(adam.exp_avg_sq(), &[8.0]);
        p.grad_mut(id).unwrap()[0] = 0.0;
        adam.step(&mut p).unwrap();
        assert_eq!(adam.exp_avg_sq(), &[4.0]);
        assert_eq!(adam.max_exp_avg_sq(), &[8.0]);
    }
}
