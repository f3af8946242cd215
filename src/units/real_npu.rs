//! RealNPU, the real-valued neural power unit of Heim, Pevný & Šmídl,
//! "Neural Power Units" (NeurIPS 2020, arXiv 2006.01681): the
//! [`super::Npu`] without the imaginary weight `W_im`.
//!
//! ```text
//! g_hat = clamp(g, 0, 1)                          (relevance gate, [I])
//! r     = g_hat ⊙ (|x| + eps) + (1 - g_hat),  eps = machine epsilon
//! k     = g_hat ⊙ [x < 0]
//! z     = exp(log(r) W_reᵀ) ⊙ cos(pi k W_reᵀ)
//! P     = |W_re|_1 + |g|_1                         (L1, weight beta(t))
//! ```
//!
//! `cos(pi k W_reᵀ)` is [`Tape::cos_pi`] of `k W_reᵀ`: exactly `+-1` for
//! integer exponents. Shapes: `x: [B, I]`, `W_re: [O, I]`, `g: [I]`,
//! `z: [B, O]`. Initialisation: `W_re` Glorot-uniform, `g = 0.5`. The L1
//! norm is the extra loss term ([`Unit::penalty`]); its weight (the
//! stepwise L1 schedule) and the learning rate are the NPU's
//! ([`super::npu::training_rules`]). The sparsity error covers `W_re`.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape};

use super::common::{add_param, batch_size, check_sizes};
use super::npu::{complex_power, exponent_sparsity_error, init_power_params, l1_norm};
use super::{Unit, UnitKind};

/// RealNPU: `z = exp(log(r) W_reᵀ) cos(pi k W_reᵀ)`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{RealNpu, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let u = RealNpu::new(&mut params, "real_npu", 2, 1, &mut Rng::seed_from_u64(0))?;
/// params.set(u.w_re(), &[1.0, 1.0])?; // x1 * x2
/// params.set(u.gate(), &[1.0, 1.0])?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![-3.0, -4.0])?);
/// let z = u.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] - 12.0).abs() < 1e-13);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RealNpu {
    w_re: ParamId,
    g: ParamId,
    inputs: usize,
    outputs: usize,
}

/// A [`RealNpu`] layer's weights recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct RealNpuWeights {
    /// `W_re`, `[O, I]`.
    pub effective: Var,
    /// The stored gate `g`, `[I]` (for the L1 term).
    pub g: Var,
    /// The gate as used, `clamp(g, 0, 1)`, `[I]`.
    pub g_hat: Var,
}

impl RealNpu {
    /// Adds `prefix.W_re` (`[O, I]`) and `prefix.g` (`[I]`) and initialises them.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("real-npu", inputs, outputs)?;
        let unit = RealNpu {
            w_re: add_param(params, prefix, "W_re", Shape::matrix(outputs, inputs))?,
            g: add_param(params, prefix, "g", Shape::vector(inputs))?,
            inputs,
            outputs,
        };
        unit.init(params, rng)?;
        Ok(unit)
    }

    /// `W_re`.
    pub fn w_re(&self) -> ParamId {
        self.w_re
    }

    /// The relevance gate `g` (`[I]`).
    pub fn gate(&self) -> ParamId {
        self.g
    }
}

impl Unit for RealNpu {
    type Weights = RealNpuWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::RealNpu
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn param_ids(&self) -> Vec<ParamId> {
        vec![self.w_re, self.g]
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        init_power_params(
            params,
            rng,
            self.w_re,
            None,
            Some(self.g),
            self.inputs,
            self.outputs,
        )
    }

    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<RealNpuWeights> {
        let effective = tape.param(params, self.w_re)?;
        let g = tape.param(params, self.g)?;
        let g_hat = tape.clamp(g, T::zero(), T::one())?;
        Ok(RealNpuWeights {
            effective,
            g,
            g_hat,
        })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &RealNpuWeights,
        x: Var,
    ) -> Result<Var> {
        batch_size(tape, "real-npu", x, self.inputs)?;
        let lk = tape.complex_log(x, Some(weights.g_hat), T::epsilon())?;
        complex_power(tape, lk, weights.effective, None)
    }

    fn penalty<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &RealNpuWeights,
    ) -> Result<Option<Var>> {
        l1_norm(tape, &[weights.effective, weights.g])
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        exponent_sparsity_error(params, self.w_re)
    }
}

impl RealNpu {
    /// Adds `prefix.W_re` (`[outputs, inputs]`) and the relevance gate
    /// `prefix.g` (`[inputs]`) with the given values. A shape that does not
    /// fit is an error naming both shapes, and adds no parameter.
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w_re: &crate::tensor::Tensor<T>,
        g: &crate::tensor::Tensor<T>,
    ) -> Result<Self> {
        use super::common::{check_shape, unused_rng, weight_dims};
        const OP: &str = "RealNpu::from_weights";
        let (outputs, inputs) = weight_dims(OP, w_re)?;
        check_shape(OP, Shape::vector(inputs), g.shape())?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.w_re, w_re.data())?;
        params.set(unit.g, g.data())?;
        Ok(unit)
    }
}
