//! NPU, the neural power unit of Heim, Pevný & Šmídl, "Neural Power Units"
//! (NeurIPS 2020, arXiv 2006.01681), as benchmarked by Mistry, Farrahi &
//! Hare, "A Primer for Neural Arithmetic Logic Modules" (JMLR 2022).
//!
//! The unit computes `prod_i x_i^{W_ji}` for real (also negative) inputs
//! through the complex logarithm `log x = log|x| + i pi [x < 0]`, with
//! complex weights `W_re + i W_im`, and keeps the real part:
//!
//! ```text
//! g_hat = clamp(g, 0, 1)                          (relevance gate, [I])
//! r     = g_hat ⊙ (|x| + eps) + (1 - g_hat),  eps = machine epsilon
//! k     = g_hat ⊙ [x < 0]
//! z     = exp(log(r) W_reᵀ - pi k W_imᵀ) ⊙ cos(log(r) W_imᵀ + pi k W_reᵀ)
//! P     = |W_re|_1 + |W_im|_1 + |g|_1             (L1, weight beta(t))
//! ```
//!
//! A gate `g_hat = 0` replaces an input by 1 (it drops out of the product).
//! `(log r, k)` is one [`Tape::complex_log`] node, the rest one
//! [`Tape::complex_power`] node, whose cosine is the exactly reduced
//! `cos(pi (log(r) W_imᵀ / pi + k W_reᵀ))`: with `W_im = 0` and integer
//! `W_re` its argument is an exact integer and the sign `(-1)^n` comes out
//! exactly.
//!
//! Shapes: `x: [B, I]`, `W_re, W_im: [O, I]`, `g: [I]`, `z: [B, O]`.
//! Initialisation: `W_re` Glorot-uniform, `W_im = 0`, `g = 0.5`. The L1
//! norm is the unit's extra loss term ([`Unit::penalty`], unweighted); its
//! weight `beta` grows stepwise during training ([`training_rules`]: Adam
//! with lr `5e-3` and the `beta` schedule, shared by the whole family). The sparsity
//! error covers `W_re` (the exponents), not `W_im` or the gate.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape};

use super::common::{add_param, batch_size, check_sizes};
use super::init::{fill_uniform, glorot_radius};
use super::sparsity::max_sparsity_error;
use super::{PenaltyWeight, TrainingRules, Unit, UnitKind};

/// Records the real part of the complex power,
/// `exp(l W_reᵀ - pi k W_imᵀ) ⊙ cos_pi(l W_imᵀ / pi + k W_reᵀ)`, for the
/// planes `lk = [l, k]` of [`Tape::complex_log`]; without `W_im`,
/// `exp(l W_reᵀ) ⊙ cos_pi(k W_reᵀ)`. One fused node ([`Tape::complex_power`]).
pub(crate) fn complex_power<T: Element>(
    tape: &mut Tape<T>,
    lk: Var,
    w_re: Var,
    w_im: Option<Var>,
) -> Result<Var> {
    match w_im {
        None => tape.complex_power(lk, w_re),
        Some(w_im) => {
            let w = tape.concat_cols(w_re, w_im)?;
            tape.complex_power(lk, w)
        }
    }
}

/// Records the L1 norm `sum_p sum |p|` of recorded parameters.
pub(crate) fn l1_norm<T: Element>(tape: &mut Tape<T>, ps: &[Var]) -> Result<Option<Var>> {
    let mut total: Option<Var> = None;
    for &p in ps {
        let a = tape.abs(p)?;
        let s = tape.sum(a)?;
        total = Some(match total {
            Some(t) => tape.add(t, s)?,
            None => s,
        });
    }
    Ok(total)
}

/// The NPU family's initialisation of `W_re` (Glorot-uniform), `W_im`
/// (zeros) and `g` (0.5), each when present, in that order.
pub(crate) fn init_power_params<T: Element>(
    params: &mut ParamStore<T>,
    rng: &mut Rng,
    w_re: ParamId,
    w_im: Option<ParamId>,
    g: Option<ParamId>,
    inputs: usize,
    outputs: usize,
) -> Result<()> {
    let s = glorot_radius(inputs, outputs);
    fill_uniform(params.value_mut(w_re)?, rng, -s, s);
    if let Some(w_im) = w_im {
        params.value_mut(w_im)?.fill(T::zero());
    }
    if let Some(g) = g {
        params.value_mut(g)?.fill(T::from_f64_lossy(0.5));
    }
    Ok(())
}

/// The sparsity error of `W_re`.
pub(crate) fn exponent_sparsity_error<T: Element>(
    params: &ParamStore<T>,
    w_re: ParamId,
) -> Result<f64> {
    Ok(max_sparsity_error(
        params.value(w_re)?.iter().map(|w| w.to_f64_lossy()),
    ))
}

/// The L1 weight schedule of the NPU family in the single-module benchmark
/// for multiplication: `beta = 1e-7`, x10 every 10,000 steps up to `1e-5`.
pub fn multiplication_penalty() -> PenaltyWeight {
    PenaltyWeight::Stepwise {
        start: 1e-7,
        end: 1e-5,
        factor: 10.0,
        every: 10_000,
    }
}

/// The same for division: `1e-9 -> 1e-7`.
pub fn division_penalty() -> PenaltyWeight {
    PenaltyWeight::Stepwise {
        start: 1e-9,
        end: 1e-7,
        factor: 10.0,
        every: 10_000,
    }
}

/// What the NPU family asks of the training loop (the benchmark's
/// settings for multiplication): Adam with learning rate `5e-3`, and the
/// L1 term ([`Unit::penalty`]) weighted by the stepwise `beta` of
/// [`multiplication_penalty`]. A division preset replaces the penalty by
/// [`division_penalty`].
pub fn training_rules() -> TrainingRules {
    TrainingRules {
        learning_rate: Some(5e-3),
        penalty: multiplication_penalty(),
        ..TrainingRules::NONE
    }
}

/// NPU: `z = Re(prod_i x_i^{W_re + i W_im})` with a relevance gate.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{Npu, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let npu = Npu::new(&mut params, "npu", 2, 1, &mut Rng::seed_from_u64(0))?;
/// params.set(npu.w_re(), &[1.0, -1.0])?; // x1 / x2
/// params.set(npu.gate(), &[1.0, 1.0])?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![-3.0, 4.0])?);
/// let z = npu.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] + 0.75).abs() < 1e-15);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Npu {
    w_re: ParamId,
    w_im: ParamId,
    g: ParamId,
    inputs: usize,
    outputs: usize,
}

/// An [`Npu`] layer's weights recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NpuWeights {
    /// `W_re`, `[O, I]` (the exponents; what the sparsity error describes).
    pub effective: Var,
    /// `W_im`, `[O, I]`.
    pub w_im: Var,
    /// The stored gate `g`, `[I]` (for the L1 term).
    pub g: Var,
    /// The gate as used, `clamp(g, 0, 1)`, `[I]`.
    pub g_hat: Var,
}

impl Npu {
    /// Adds `prefix.W_re`, `prefix.W_im` (`[O, I]`) and `prefix.g` (`[I]`)
    /// and initialises them.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("npu", inputs, outputs)?;
        let unit = Npu {
            w_re: add_param(params, prefix, "W_re", Shape::matrix(outputs, inputs))?,
            w_im: add_param(params, prefix, "W_im", Shape::matrix(outputs, inputs))?,
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

    /// `W_im`.
    pub fn w_im(&self) -> ParamId {
        self.w_im
    }

    /// The relevance gate `g` (`[I]`).
    pub fn gate(&self) -> ParamId {
        self.g
    }
}

impl Unit for Npu {
    type Weights = NpuWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::Npu
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn param_ids(&self) -> Vec<ParamId> {
        vec![self.w_re, self.w_im, self.g]
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        init_power_params(
            params,
            rng,
            self.w_re,
            Some(self.w_im),
            Some(self.g),
            self.inputs,
            self.outputs,
        )
    }

    fn record<T: Element>(&self, tape: &mut Tape<T>, params: &ParamStore<T>) -> Result<NpuWeights> {
        let effective = tape.param(params, self.w_re)?;
        let w_im = tape.param(params, self.w_im)?;
        let g = tape.param(params, self.g)?;
        let g_hat = tape.clamp(g, T::zero(), T::one())?;
        Ok(NpuWeights {
            effective,
            w_im,
            g,
            g_hat,
        })
    }

    fn forward<T: Element>(&self, tape: &mut Tape<T>, weights: &NpuWeights, x: Var) -> Result<Var> {
        batch_size(tape, "npu", x, self.inputs)?;
        let lk = tape.complex_log(x, Some(weights.g_hat), T::epsilon())?;
        complex_power(tape, lk, weights.effective, Some(weights.w_im))
    }

    fn penalty<T: Element>(&self, tape: &mut Tape<T>, weights: &NpuWeights) -> Result<Option<Var>> {
        l1_norm(tape, &[weights.effective, weights.w_im, weights.g])
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        exponent_sparsity_error(params, self.w_re)
    }
}

impl Npu {
    /// Adds `prefix.W_re`, `prefix.W_im` (`[outputs, inputs]`) and the
    /// relevance gate `prefix.g` (`[inputs]`) with the given values. A shape
    /// that does not fit is an error naming both shapes, and adds no
    /// parameter.
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w_re: &crate::tensor::Tensor<T>,
        w_im: &crate::tensor::Tensor<T>,
        g: &crate::tensor::Tensor<T>,
    ) -> Result<Self> {
        use super::common::{check_shape, unused_rng, weight_dims};
        const OP: &str = "Npu::from_weights";
        let (outputs, inputs) = weight_dims(OP, w_re)?;
        check_shape(OP, w_re.shape(), w_im.shape())?;
        check_shape(OP, Shape::vector(inputs), g.shape())?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.w_re, w_re.data())?;
        params.set(unit.w_im, w_im.data())?;
        params.set(unit.g, g.data())?;
        Ok(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_grows_tenfold_every_10000_steps_and_holds_at_its_end() {
        let beta = |p: PenaltyWeight, t| p.weight(t, f64::NAN);
        let m = multiplication_penalty();
        assert_eq!(beta(m, 0), 1e-7);
        assert_eq!(beta(m, 9_999), 1e-7);
        assert!((beta(m, 10_000) / 1e-6 - 1.0).abs() < 1e-12);
        assert!((beta(m, 20_000) / 1e-5 - 1.0).abs() < 1e-12);
        assert!((beta(m, 49_999) / 1e-5 - 1.0).abs() < 1e-12);
        let d = division_penalty();
        assert_eq!(beta(d, 0), 1e-9);
        assert!((beta(d, 45_000) / 1e-7 - 1.0).abs() < 1e-12);
        assert_eq!(training_rules().learning_rate, Some(5e-3));
        training_rules().validate().unwrap();
    }
}
