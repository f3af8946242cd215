//! NAC+, the neural accumulator of Trask et al., "Neural Arithmetic Logic
//! Units" (NeurIPS 2018, arXiv 1808.00508):
//!
//! ```text
//! W = tanh(W_hat) ⊙ sigmoid(M_hat),    z = W x
//! ```
//!
//! Shapes: `x: [B, I]`, `W_hat, M_hat: [O, I]`, `z: [B, O]`. The weight
//! transform is recorded on the tape and recomputed on every forward pass
//! (computing `W` once at construction would silently turn NAC+ into a
//! linear layer).
//!
//! Initialisation (the reference code of Madsen & Johansen, "Neural
//! Arithmetic Units", ICLR 2020): `W_hat, M_hat ~ U[-r, r]` i.i.d., `r`
//! solved so that `fan * Var[W] = 2`, `fan = max(I + O, 5)`
//! ([`super::init::nac_radius`]). No regularizer, no projection.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape, Tensor};

use super::common::{
    add_param, batch_size, check_shape, check_sizes, nac_weight, nac_weight_value, unused_rng,
    weight_dims,
};
use super::init::{fill_uniform, nac_radius};
use super::sparsity::max_sparsity_error;
use super::{Unit, UnitKind};

/// The pair `(W_hat, M_hat)` of a NAC weight `W = tanh(W_hat) * sigmoid(M_hat)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NacParams {
    /// `W_hat`, `[O, I]`.
    pub w_hat: ParamId,
    /// `M_hat`, `[O, I]`.
    pub m_hat: ParamId,
}

impl NacParams {
    /// Adds `prefix.W_hat` and `prefix.M_hat`, both `[outputs, inputs]`.
    pub(crate) fn add<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
    ) -> Result<Self> {
        Ok(NacParams {
            w_hat: add_param(params, prefix, "W_hat", Shape::matrix(outputs, inputs))?,
            m_hat: add_param(params, prefix, "M_hat", Shape::matrix(outputs, inputs))?,
        })
    }

    /// Draws `W_hat`, then `M_hat`, from `U[-r, r]` with the NAC radius.
    pub(crate) fn init<T: Element>(
        &self,
        params: &mut ParamStore<T>,
        rng: &mut Rng,
        inputs: usize,
        outputs: usize,
    ) -> Result<()> {
        let r = nac_radius(inputs, outputs);
        fill_uniform(params.value_mut(self.w_hat)?, rng, -r, r);
        fill_uniform(params.value_mut(self.m_hat)?, rng, -r, r);
        Ok(())
    }

    /// Records `W = tanh(W_hat) * sigmoid(M_hat)`.
    pub(crate) fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<Var> {
        nac_weight(tape, params, self.w_hat, self.m_hat)
    }

    /// The weight `W` as the layer uses it, in `f64`, row-major.
    pub fn effective_weight<T: Element>(&self, params: &ParamStore<T>) -> Result<Vec<f64>> {
        let w = params.value(self.w_hat)?;
        let m = params.value(self.m_hat)?;
        Ok(w.iter()
            .zip(m)
            .map(|(w, m)| nac_weight_value(w.to_f64_lossy(), m.to_f64_lossy()))
            .collect())
    }

    /// The largest sparsity error of the effective weight.
    pub(crate) fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        Ok(max_sparsity_error(self.effective_weight(params)?))
    }
}

/// NAC+: `z = (tanh(W_hat) * sigmoid(M_hat)) x`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{NacAdd, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let nac = NacAdd::new(&mut params, "nac", 2, 1, &mut Rng::seed_from_u64(0))?;
/// // Saturated weights: W ~ [1, -1], so z ~ x1 - x2.
/// params.set(nac.nac_params().w_hat, &[20.0, -20.0])?;
/// params.set(nac.nac_params().m_hat, &[40.0, 40.0])?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![5.0, 3.0])?);
/// let z = nac.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] - 2.0).abs() < 1e-12);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NacAdd {
    nac: NacParams,
    inputs: usize,
    outputs: usize,
}

/// A [`NacAdd`] layer's weight recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NacAddWeights {
    /// `W = tanh(W_hat) * sigmoid(M_hat)`, `[O, I]`.
    pub effective: Var,
}

impl NacAdd {
    /// Adds `prefix.W_hat` and `prefix.M_hat` and initialises them.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("nac-add", inputs, outputs)?;
        let unit = NacAdd {
            nac: NacParams::add(params, prefix, inputs, outputs)?,
            inputs,
            outputs,
        };
        unit.init(params, rng)?;
        Ok(unit)
    }

    /// The `(W_hat, M_hat)` parameters.
    pub fn nac_params(&self) -> NacParams {
        self.nac
    }

    /// Adds `prefix.W_hat` and `prefix.M_hat` with the given values (both
    /// `[outputs, inputs]`).
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w_hat: &Tensor<T>,
        m_hat: &Tensor<T>,
    ) -> Result<Self> {
        let (outputs, inputs) = weight_dims("NacAdd::from_weights", w_hat)?;
        check_shape("NacAdd::from_weights", w_hat.shape(), m_hat.shape())?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.nac.w_hat, w_hat.data())?;
        params.set(unit.nac.m_hat, m_hat.data())?;
        Ok(unit)
    }
}

impl Unit for NacAdd {
    type Weights = NacAddWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::NacAdd
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn param_ids(&self) -> Vec<ParamId> {
        vec![self.nac.w_hat, self.nac.m_hat]
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        self.nac.init(params, rng, self.inputs, self.outputs)
    }

    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<NacAddWeights> {
        Ok(NacAddWeights {
            effective: self.nac.record(tape, params)?,
        })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NacAddWeights,
        x: Var,
    ) -> Result<Var> {
        batch_size(tape, "nac-add", x, self.inputs)?;
        tape.matmul_nt(x, weights.effective)
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        self.nac.sparsity_error(params)
    }
}
