//! G-NALU, the golden-ratio NALU of Rana, Sarkar, Zhang, Bhattacharya &
//! Bhatt, "Exploring the Golden Ratio in Neural Arithmetic" (as benchmarked
//! by Mistry, Farrahi & Hare, "A Primer for Neural Arithmetic Logic
//! Modules", JMLR 2022): the NALU ([`super::Nalu`]) with base
//! `phi = (1 + sqrt 5) / 2` instead of `e` in the gate's sigmoid and in the
//! weight's tanh and sigmoid.
//!
//! A sigmoid or tanh to base `phi` is the ordinary one of a pre-activation
//! scaled by `ln(phi) ≈ 0.4812`: `1 / (1 + phi^-v) = sigmoid(v ln phi)`. So
//!
//! ```text
//! W = tanh(ln(phi) W_hat) ⊙ sigmoid(ln(phi) M_hat)
//! a = x Wᵀ                                    (NAC+)
//! m = exp(log(|x| + eps) Wᵀ),  eps = 1e-7     (NAC*, unchanged)
//! g = sigmoid(ln(phi) x Gᵀ)
//! z = g ⊙ a + (1 - g) ⊙ m
//! ```
//!
//! Shapes: `x: [B, I]`, `W_hat, M_hat, G: [O, I]`, `z: [B, O]`; both paths
//! share `W`, as in the NALU. Initialisation as the NALU's: `W_hat, M_hat`
//! from the NAC radius ([`super::init::nac_radius`]), `G` Glorot-uniform.
//! No regularizer, no projection; the sparsity error covers `W`.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape};

use super::common::{add_param, batch_size, check_sizes, gate_mix, log_space, nac_weight_of};
use super::init::{fill_uniform, glorot_radius};
use super::nac_add::NacParams;
use super::sparsity::max_sparsity_error;
use super::{Unit, UnitKind};

/// `ln((1 + sqrt 5) / 2)`, the scale that turns base-`e` sigmoids into
/// base-`phi` ones.
pub const LN_GOLDEN_RATIO: f64 = 0.481_211_825_059_603_45;

/// G-NALU: the NALU with golden-ratio sigmoids and tanh.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{GNalu, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let u = GNalu::new(&mut params, "g_nalu", 2, 1, &mut Rng::seed_from_u64(0))?;
/// params.set(u.nac_params().w_hat, &[60.0, 60.0])?;
/// params.set(u.nac_params().m_hat, &[90.0, 90.0])?;
/// params.set(u.gate_weight(), &[90.0, 90.0])?; // gate open: the NAC+ path
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![3.0, 4.0])?);
/// let z = u.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] - 7.0).abs() < 1e-9);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GNalu {
    nac: NacParams,
    g: ParamId,
    inputs: usize,
    outputs: usize,
}

/// A [`GNalu`] layer's weights recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct GNaluWeights {
    /// `W = tanh(ln(phi) W_hat) * sigmoid(ln(phi) M_hat)`, `[O, I]`, used by
    /// both paths.
    pub effective: Var,
    /// The gate weight `G`, `[O, I]`.
    pub g: Var,
}

/// `W` of one weight pair, in `f64`.
fn weight_value(w_hat: f64, m_hat: f64) -> f64 {
    (LN_GOLDEN_RATIO * w_hat).tanh() / (1.0 + (-LN_GOLDEN_RATIO * m_hat).exp())
}

impl GNalu {
    /// Adds `prefix.W_hat`, `prefix.M_hat` and `prefix.G` (all `[O, I]`) and
    /// initialises them.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("g-nalu", inputs, outputs)?;
        let nac = NacParams::add(params, prefix, inputs, outputs)?;
        let g = add_param(params, prefix, "G", Shape::matrix(outputs, inputs))?;
        let unit = GNalu {
            nac,
            g,
            inputs,
            outputs,
        };
        unit.init(params, rng)?;
        Ok(unit)
    }

    /// `(W_hat, M_hat)`.
    pub fn nac_params(&self) -> NacParams {
        self.nac
    }

    /// The gate weight `G`.
    pub fn gate_weight(&self) -> ParamId {
        self.g
    }

    /// Records the gate `g = sigmoid(ln(phi) x Gᵀ)`, `[B, O]`.
    pub fn gate<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &GNaluWeights,
        x: Var,
    ) -> Result<Var> {
        batch_size(tape, "g-nalu", x, self.inputs)?;
        let gx = tape.matmul_nt(x, weights.g)?;
        let gx = tape.mul_scalar(gx, T::from_f64_lossy(LN_GOLDEN_RATIO))?;
        tape.sigmoid(gx)
    }

    /// The weight `W` as the layer uses it, in `f64`, row-major.
    pub fn effective_weight<T: Element>(&self, params: &ParamStore<T>) -> Result<Vec<f64>> {
        let w = params.value(self.nac.w_hat)?;
        let m = params.value(self.nac.m_hat)?;
        Ok(w.iter()
            .zip(m)
            .map(|(w, m)| weight_value(w.to_f64_lossy(), m.to_f64_lossy()))
            .collect())
    }
}

impl Unit for GNalu {
    type Weights = GNaluWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::GNalu
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn param_ids(&self) -> Vec<ParamId> {
        vec![self.nac.w_hat, self.nac.m_hat, self.g]
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        self.nac.init(params, rng, self.inputs, self.outputs)?;
        let s = glorot_radius(self.inputs, self.outputs);
        fill_uniform(params.value_mut(self.g)?, rng, -s, s);
        Ok(())
    }

    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<GNaluWeights> {
        let k = T::from_f64_lossy(LN_GOLDEN_RATIO);
        let w_hat = tape.param(params, self.nac.w_hat)?;
        let w_hat = tape.mul_scalar(w_hat, k)?;
        let m_hat = tape.param(params, self.nac.m_hat)?;
        let m_hat = tape.mul_scalar(m_hat, k)?;
        let effective = nac_weight_of(tape, w_hat, m_hat)?;
        let g = tape.param(params, self.g)?;
        Ok(GNaluWeights { effective, g })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &GNaluWeights,
        x: Var,
    ) -> Result<Var> {
        let g = self.gate(tape, weights, x)?;
        let a = tape.matmul_nt(x, weights.effective)?;
        let m = log_space(tape, x, weights.effective)?;
        gate_mix(tape, g, a, m)
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        Ok(max_sparsity_error(self.effective_weight(params)?))
    }
}

impl GNalu {
    /// Adds `prefix.W_hat`, `prefix.M_hat` and `prefix.G` with the given
    /// values, all `[outputs, inputs]`. A shape that does not fit is an
    /// error naming both shapes, and adds no parameter.
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w_hat: &crate::tensor::Tensor<T>,
        m_hat: &crate::tensor::Tensor<T>,
        g: &crate::tensor::Tensor<T>,
    ) -> Result<Self> {
        use super::common::{check_shape, unused_rng, weight_dims};
        const OP: &str = "GNalu::from_weights";
        let (outputs, inputs) = weight_dims(OP, w_hat)?;
        check_shape(OP, w_hat.shape(), m_hat.shape())?;
        check_shape(OP, w_hat.shape(), g.shape())?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.nac.w_hat, w_hat.data())?;
        params.set(unit.nac.m_hat, m_hat.data())?;
        params.set(unit.g, g.data())?;
        Ok(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_golden_ratio_is_ln_phi() {
        let phi = (1.0 + 5f64.sqrt()) / 2.0;
        assert!((LN_GOLDEN_RATIO - phi.ln()).abs() < 1e-16);
        // sigmoid to base phi
        for v in [-3.0, 0.0, 2.5] {
            let base_phi = 1.0 / (1.0 + phi.powf(-v));
            assert!((base_phi - 1.0 / (1.0 + (-LN_GOLDEN_RATIO * v).exp())).abs() < 1e-15);
        }
    }
}
