//! NAC*,sigma: the log-space NAC* with a sigmoid weight, so only
//! multiplication (never division) can be represented. A variant studied in
//! Madsen & Johansen, "Neural Arithmetic Units" (ICLR 2020, arXiv 2001.05016).
//!
//! ```text
//! W = sigmoid(W_hat),    z_j = exp( sum_i W_ji * log(|x_i| + eps) ),  eps = 1e-7
//! ```
//!
//! Shapes: `x: [B, I]`, `W_hat: [O, I]`, `z: [B, O]`. Initialisation:
//! `W_hat` Xavier-normal, `N(0, 2 / (I + O))`. No regularizer, no projection.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape, Tensor};

use super::common::{
    add_param, batch_size, check_sizes, log_space, sigmoid, unused_rng, weight_dims,
};
use super::init::{fill_normal, xavier_normal_std};
use super::sparsity::max_sparsity_error;
use super::{Unit, UnitKind};

/// NAC*,sigma: `z = exp(sigmoid(W_hat) log(|x| + eps))`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{NacMulSigma, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let nac = NacMulSigma::new(&mut params, "m", 2, 1, &mut Rng::seed_from_u64(0))?;
/// params.set(nac.weight_hat(), &[40.0, 40.0])?; // W ~ [1, 1]
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![3.0, 4.0])?);
/// let z = nac.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] - 12.0).abs() < 1e-5);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NacMulSigma {
    w_hat: ParamId,
    inputs: usize,
    outputs: usize,
}

/// A [`NacMulSigma`] layer's weight recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NacMulSigmaWeights {
    /// `W = sigmoid(W_hat)`, `[O, I]`.
    pub effective: Var,
}

impl NacMulSigma {
    /// Adds `prefix.W_hat` (`[O, I]`) and initialises it.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("nac-mul-sigma", inputs, outputs)?;
        let unit = NacMulSigma {
            w_hat: add_param(params, prefix, "W_hat", Shape::matrix(outputs, inputs))?,
            inputs,
            outputs,
        };
        unit.init(params, rng)?;
        Ok(unit)
    }

    /// The unconstrained parameter `W_hat`.
    pub fn weight_hat(&self) -> ParamId {
        self.w_hat
    }

    /// Adds `prefix.W_hat` with the given value (`[outputs, inputs]`).
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w_hat: &Tensor<T>,
    ) -> Result<Self> {
        let (outputs, inputs) = weight_dims("NacMulSigma::from_weights", w_hat)?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.weight_hat(), w_hat.data())?;
        Ok(unit)
    }
}

impl Unit for NacMulSigma {
    type Weights = NacMulSigmaWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::NacMulSigma
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn param_ids(&self) -> Vec<ParamId> {
        vec![self.w_hat]
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        let std = xavier_normal_std(self.inputs, self.outputs);
        fill_normal(params.value_mut(self.w_hat)?, rng, std);
        Ok(())
    }

    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<NacMulSigmaWeights> {
        let w_hat = tape.param(params, self.w_hat)?;
        Ok(NacMulSigmaWeights {
            effective: tape.sigmoid(w_hat)?,
        })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NacMulSigmaWeights,
        x: Var,
    ) -> Result<Var> {
        batch_size(tape, "nac-mul-sigma", x, self.inputs)?;
        log_space(tape, x, weights.effective)
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        let w = params.value(self.w_hat)?;
        Ok(max_sparsity_error(
            w.iter().map(|w| sigmoid(w.to_f64_lossy())),
        ))
    }
}
