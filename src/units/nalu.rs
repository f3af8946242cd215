//! NALU, the neural arithmetic logic unit of Trask et al., "Neural Arithmetic
//! Logic Units" (NeurIPS 2018, arXiv 1808.00508): a learned sigmoid gate
//! between a NAC+ and a NAC*.
//!
//! ```text
//! W = tanh(W_hat) ⊙ sigmoid(M_hat)
//! a = W x                                     (NAC+)
//! m = exp(W log(|x| + eps)),  eps = 1e-7      (NAC*)
//! g = sigmoid(G x)
//! z = g ⊙ a + (1 - g) ⊙ m
//! ```
//!
//! Shapes: `x: [B, I]`, `W_hat, M_hat, G: [O, I]`, `z: [B, O]`. In the
//! original design ([`NaluSharing::Shared`]) both paths use the same
//! `W_hat, M_hat`; [`NaluSharing::Separate`] gives each path its own pair.
//! Initialisation: each pair as NAC+ ([`super::init::nac_radius`]), `G`
//! Glorot-uniform, no gate bias. No regularizer, no projection. The sparsity
//! error covers the NAC weights, not the gate.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape, Tensor};

use super::common::{
    add_param, batch_size, check_shape, check_sizes, gate_mix, log_space, sub_prefix, unused_rng,
    weight_dims,
};
use super::init::{fill_uniform, glorot_radius};
use super::nac_add::NacParams;
use super::{NaluSharing, Unit, UnitKind};

/// NALU: `z = g * NAC+(x) + (1 - g) * NAC*(x)`, `g = sigmoid(G x)`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{Nalu, NaluSharing, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let mut rng = Rng::seed_from_u64(0);
/// let nalu = Nalu::new(&mut params, "nalu", 2, 1, NaluSharing::Shared, &mut rng)?;
/// params.set(nalu.add_params().w_hat, &[20.0, 20.0])?;
/// params.set(nalu.add_params().m_hat, &[40.0, 40.0])?;
/// params.set(nalu.gate_weight(), &[-40.0, -40.0])?; // gate shut: the NAC* path
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![3.0, 4.0])?);
/// let z = nalu.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] - 12.0).abs() < 1e-5);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Nalu {
    add: NacParams,
    /// The multiplicative path's pair; `None` when shared with `add`.
    mul: Option<NacParams>,
    g: ParamId,
    inputs: usize,
    outputs: usize,
}

/// A [`Nalu`] layer's weights recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NaluWeights {
    /// The NAC+ path's `W`, `[O, I]`.
    pub effective_add: Var,
    /// The NAC* path's `W` (the same node as `effective_add` when shared).
    pub effective_mul: Var,
    /// The gate weight `G`, `[O, I]`.
    pub g: Var,
}

impl Nalu {
    /// Adds the parameters and initialises them: `prefix.W_hat`,
    /// `prefix.M_hat` (shared) or `prefix.add.W_hat`, `prefix.add.M_hat`,
    /// `prefix.mul.W_hat`, `prefix.mul.M_hat` (separate); then `prefix.G`.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        sharing: NaluSharing,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("nalu", inputs, outputs)?;
        let (add, mul) = match sharing {
            NaluSharing::Shared => (NacParams::add(params, prefix, inputs, outputs)?, None),
            NaluSharing::Separate => (
                NacParams::add(params, &sub_prefix(prefix, "add"), inputs, outputs)?,
                Some(NacParams::add(
                    params,
                    &sub_prefix(prefix, "mul"),
                    inputs,
                    outputs,
                )?),
            ),
        };
        let g = add_param(params, prefix, "G", Shape::matrix(outputs, inputs))?;
        let unit = Nalu {
            add,
            mul,
            g,
            inputs,
            outputs,
        };
        unit.init(params, rng)?;
        Ok(unit)
    }

    /// Adds the parameters (named as by [`Nalu::new`]) with the given values,
    /// all `[outputs, inputs]`: the NAC+ pair `(W_hat, M_hat)`, the NAC* pair
    /// (`None` shares the NAC+ pair), and the gate `G`. A shape that does not
    /// fit is an error and adds no parameter.
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        add: (&Tensor<T>, &Tensor<T>),
        mul: Option<(&Tensor<T>, &Tensor<T>)>,
        g: &Tensor<T>,
    ) -> Result<Self> {
        const OP: &str = "Nalu::from_weights";
        let (outputs, inputs) = weight_dims(OP, add.0)?;
        let expected = add.0.shape();
        let mut given = vec![add.1, g];
        if let Some((w_hat, m_hat)) = mul {
            given.extend([w_hat, m_hat]);
        }
        for w in given {
            check_shape(OP, expected, w.shape())?;
        }
        let sharing = match mul {
            Some(_) => NaluSharing::Separate,
            None => NaluSharing::Shared,
        };
        let unit = Self::new(params, prefix, inputs, outputs, sharing, &mut unused_rng())?;
        params.set(unit.add.w_hat, add.0.data())?;
        params.set(unit.add.m_hat, add.1.data())?;
        if let (Some(ids), Some((w_hat, m_hat))) = (unit.mul, mul) {
            params.set(ids.w_hat, w_hat.data())?;
            params.set(ids.m_hat, m_hat.data())?;
        }
        params.set(unit.g, g.data())?;
        Ok(unit)
    }

    /// Whether the paths share their weights.
    pub fn sharing(&self) -> NaluSharing {
        if self.mul.is_some() {
            NaluSharing::Separate
        } else {
            NaluSharing::Shared
        }
    }

    /// The NAC+ path's `(W_hat, M_hat)`.
    pub fn add_params(&self) -> NacParams {
        self.add
    }

    /// The NAC* path's `(W_hat, M_hat)` (the same as the NAC+ path's when shared).
    pub fn mul_params(&self) -> NacParams {
        self.mul.unwrap_or(self.add)
    }

    /// The gate weight `G`.
    pub fn gate_weight(&self) -> ParamId {
        self.g
    }

    /// Records the gate `g = sigmoid(G x)`, `[B, O]`.
    pub fn gate<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NaluWeights,
        x: Var,
    ) -> Result<Var> {
        batch_size(tape, "nalu", x, self.inputs)?;
        let gx = tape.matmul_nt(x, weights.g)?;
        tape.sigmoid(gx)
    }
}

impl Unit for Nalu {
    type Weights = NaluWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::Nalu(self.sharing())
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn param_ids(&self) -> Vec<ParamId> {
        let mut ids = vec![self.add.w_hat, self.add.m_hat];
        if let Some(mul) = self.mul {
            ids.extend([mul.w_hat, mul.m_hat]);
        }
        ids.push(self.g);
        ids
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        self.add.init(params, rng, self.inputs, self.outputs)?;
        if let Some(mul) = self.mul {
            mul.init(params, rng, self.inputs, self.outputs)?;
        }
        let s = glorot_radius(self.inputs, self.outputs);
        fill_uniform(params.value_mut(self.g)?, rng, -s, s);
        Ok(())
    }

    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<NaluWeights> {
        let w_add = self.add.record(tape, params)?;
        let w_mul = match self.mul {
            Some(mul) => mul.record(tape, params)?,
            None => w_add,
        };
        let g = tape.param(params, self.g)?;
        Ok(NaluWeights {
            effective_add: w_add,
            effective_mul: w_mul,
            g,
        })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NaluWeights,
        x: Var,
    ) -> Result<Var> {
        let g = self.gate(tape, weights, x)?;
        let a = tape.matmul_nt(x, weights.effective_add)?;
        let m = log_space(tape, x, weights.effective_mul)?;
        gate_mix(tape, g, a, m)
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        let e = self.add.sparsity_error(params)?;
        match self.mul {
            Some(mul) => {
                let m = mul.sparsity_error(params)?;
                Ok(if e.is_nan() || m.is_nan() {
                    f64::NAN
                } else {
                    e.max(m)
                })
            }
            None => Ok(e),
        }
    }
}
