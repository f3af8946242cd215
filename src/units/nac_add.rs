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
use crate::tensor::{Element, Shape};

use super::common::{add_param, nac_weight, nac_weight_value};
use super::init::{fill_uniform, nac_radius};
use super::nac::{Nac, NacPath, NacWeights};
use super::sparsity::max_sparsity_error;
use super::UnitKind;

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
pub type NacAdd = Nac<Additive>;

/// A [`NacAdd`] layer's weight recorded on a tape for one step.
pub type NacAddWeights = NacWeights;

/// The path of NAC+: the plain product `z = W x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Additive;

impl NacPath for Additive {
    const KIND: UnitKind = UnitKind::NacAdd;
    const FROM_WEIGHTS: &'static str = "NacAdd::from_weights";

    fn apply<T: Element>(tape: &mut Tape<T>, x: Var, w: Var) -> Result<Var> {
        tape.matmul_nt(x, w)
    }
}
