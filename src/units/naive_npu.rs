//! NaiveNPU, the ungated neural power unit of Heim, Pevný & Šmídl, "Neural
//! Power Units" (NeurIPS 2020, arXiv 2006.01681):
//!
//! ```text
//! r = |x|,  k = [x < 0]
//! z = exp(log(r) W_reᵀ - pi k W_imᵀ) ⊙ cos(log(r) W_imᵀ + pi k W_reᵀ)
//! P = |W_re|_1 + |W_im|_1                          (L1, weight beta(t))
//! ```
//!
//! `log(r)` is the safe `log(max(|x|, eps))` with `eps` the float type's
//! machine epsilon, so a zero input stays finite and every `|x| >= eps`
//! gives exactly `log|x|` ([`Tape::complex_log`] without a gate). The power
//! is [`Tape::complex_power`], its cosine exactly reduced (see
//! [`super::Npu`]). Shapes: `x: [B, I]`, `W_re, W_im: [O, I]`, `z: [B, O]`.
//! Initialisation: `W_re` Glorot-uniform, `W_im = 0`. The L1 norm is the
//! extra loss term ([`Unit::penalty`]); its weight and the learning rate are
//! the NPU's ([`super::npu::training_rules`]). The sparsity error covers
//! `W_re`.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape};

use super::common::{add_param, batch_size, check_sizes};
use super::npu::{complex_power, exponent_sparsity_error, init_power_params, l1_norm};
use super::{Unit, UnitKind};

/// NaiveNPU: `z = Re(prod_i x_i^{W_re + i W_im})`, no gate.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{NaiveNpu, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let u = NaiveNpu::new(&mut params, "naive_npu", 2, 1, &mut Rng::seed_from_u64(0))?;
/// params.set(u.w_re(), &[1.0, 1.0])?; // x1 * x2
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![-3.0, 4.0])?);
/// let z = u.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] + 12.0).abs() < 1e-13);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NaiveNpu {
    w_re: ParamId,
    w_im: ParamId,
    inputs: usize,
    outputs: usize,
}

/// A [`NaiveNpu`] layer's weights recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NaiveNpuWeights {
    /// `W_re`, `[O, I]`.
    pub effective: Var,
    /// `W_im`, `[O, I]`.
    pub w_im: Var,
}

impl NaiveNpu {
    /// Adds `prefix.W_re` and `prefix.W_im` (`[O, I]`) and initialises them.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("naive-npu", inputs, outputs)?;
        let unit = NaiveNpu {
            w_re: add_param(params, prefix, "W_re", Shape::matrix(outputs, inputs))?,
            w_im: add_param(params, prefix, "W_im", Shape::matrix(outputs, inputs))?,
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
}

impl Unit for NaiveNpu {
    type Weights = NaiveNpuWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::NaiveNpu
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn param_ids(&self) -> Vec<ParamId> {
        vec![self.w_re, self.w_im]
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        init_power_params(
            params,
            rng,
            self.w_re,
            Some(self.w_im),
            None,
            self.inputs,
            self.outputs,
        )
    }

    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<NaiveNpuWeights> {
        Ok(NaiveNpuWeights {
            effective: tape.param(params, self.w_re)?,
            w_im: tape.param(params, self.w_im)?,
        })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NaiveNpuWeights,
        x: Var,
    ) -> Result<Var> {
        batch_size(tape, "naive-npu", x, self.inputs)?;
        let lk = tape.complex_log(x, None, T::epsilon())?;
        complex_power(tape, lk, weights.effective, Some(weights.w_im))
    }

    fn penalty<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NaiveNpuWeights,
    ) -> Result<Option<Var>> {
        l1_norm(tape, &[weights.effective, weights.w_im])
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        exponent_sparsity_error(params, self.w_re)
    }
}

impl NaiveNpu {
    /// Adds `prefix.W_re` and `prefix.W_im` with the given values, both
    /// `[outputs, inputs]`. A shape that does not fit is an error naming
    /// both shapes, and adds no parameter.
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w_re: &crate::tensor::Tensor<T>,
        w_im: &crate::tensor::Tensor<T>,
    ) -> Result<Self> {
        use super::common::{check_shape, unused_rng, weight_dims};
        const OP: &str = "NaiveNpu::from_weights";
        let (outputs, inputs) = weight_dims(OP, w_re)?;
        check_shape(OP, w_re.shape(), w_im.shape())?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.w_re, w_re.data())?;
        params.set(unit.w_im, w_im.data())?;
        Ok(unit)
    }
}
