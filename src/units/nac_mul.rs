//! NAC*, the multiplicative accumulator of Trask et al., "Neural Arithmetic
//! Logic Units" (NeurIPS 2018, arXiv 1808.00508): a NAC+ in log space.
//!
//! ```text
//! W = tanh(W_hat) ⊙ sigmoid(M_hat),    z_j = exp( sum_i W_ji * log(|x_i| + eps) ),  eps = 1e-7
//! ```
//!
//! Shapes: `x: [B, I]`, `W_hat, M_hat: [O, I]`, `z: [B, O]`. It can only
//! produce positive outputs (the sign of `x` is lost by `|x|`). Initialised
//! like NAC+ ([`super::init::nac_radius`]); no regularizer, no projection.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Tensor};

use super::common::{batch_size, check_shape, check_sizes, log_space, unused_rng, weight_dims};
use super::nac_add::NacParams;
use super::{Unit, UnitKind};

/// NAC*: `z = exp(W log(|x| + eps))` with `W = tanh(W_hat) * sigmoid(M_hat)`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{NacMul, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let nac = NacMul::new(&mut params, "m", 3, 1, &mut Rng::seed_from_u64(0))?;
/// // W ~ [1, 1, 0]: z ~ x1 * x2.
/// params.set(nac.nac_params().w_hat, &[20.0, 20.0, 0.0])?;
/// params.set(nac.nac_params().m_hat, &[40.0, 40.0, 0.0])?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 3), vec![3.0, 4.0, 7.0])?);
/// let z = nac.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] - 12.0).abs() < 1e-5);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NacMul {
    nac: NacParams,
    inputs: usize,
    outputs: usize,
}

/// A [`NacMul`] layer's weight recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NacMulWeights {
    /// `W = tanh(W_hat) * sigmoid(M_hat)`, `[O, I]`.
    pub effective: Var,
}

impl NacMul {
    /// Adds `prefix.W_hat` and `prefix.M_hat` and initialises them.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("nac-mul", inputs, outputs)?;
        let unit = NacMul {
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
        let (outputs, inputs) = weight_dims("NacMul::from_weights", w_hat)?;
        check_shape("NacMul::from_weights", w_hat.shape(), m_hat.shape())?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.nac.w_hat, w_hat.data())?;
        params.set(unit.nac.m_hat, m_hat.data())?;
        Ok(unit)
    }
}

impl Unit for NacMul {
    type Weights = NacMulWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::NacMul
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
    ) -> Result<NacMulWeights> {
        Ok(NacMulWeights {
            effective: self.nac.record(tape, params)?,
        })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NacMulWeights,
        x: Var,
    ) -> Result<Var> {
        batch_size(tape, "nac-mul", x, self.inputs)?;
        log_space(tape, x, weights.effective)
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        self.nac.sparsity_error(params)
    }
}
