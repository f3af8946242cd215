//! The NAC layer shared by NAC+ ([`super::nac_add`]) and NAC*
//! ([`super::nac_mul`]), after Trask et al., "Neural Arithmetic Logic Units"
//! (NeurIPS 2018, arXiv 1808.00508). Both hold the same weights
//! `W = tanh(W_hat) ⊙ sigmoid(M_hat)`, are initialised and constructed the
//! same way, and differ only in the path that applies `W` to the input: a
//! [`NacPath`]. [`super::NacAdd`] and [`super::NacMul`] are this type with
//! their path.

use std::fmt::Debug;
use std::marker::PhantomData;

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Tensor};

use super::common::{batch_size, check_shape, check_sizes, unused_rng, weight_dims};
use super::nac_add::NacParams;
use super::{Unit, UnitKind};

/// How a NAC applies its weight `W` (`[O, I]`) to the input `x` (`[B, I]`):
/// the one thing NAC+ and NAC* do differently.
pub trait NacPath: Clone + Copy + Debug + PartialEq {
    /// The unit this path makes (also names it in error messages).
    const KIND: UnitKind;
    /// The name `from_weights` errors give as their operation.
    const FROM_WEIGHTS: &'static str;

    /// Records `z` (`[B, O]`) on the tape.
    fn apply<T: Element>(tape: &mut Tape<T>, x: Var, w: Var) -> Result<Var>;
}

/// A NAC with the weight path `P`: NAC+ is [`super::NacAdd`], NAC* is
/// [`super::NacMul`].
#[derive(Clone, Debug, PartialEq)]
pub struct Nac<P: NacPath> {
    nac: NacParams,
    inputs: usize,
    outputs: usize,
    path: PhantomData<P>,
}

/// A NAC layer's weight recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NacWeights {
    /// `W = tanh(W_hat) * sigmoid(M_hat)`, `[O, I]`.
    pub effective: Var,
}

impl<P: NacPath> Nac<P> {
    /// Adds `prefix.W_hat` and `prefix.M_hat` and initialises them.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes(P::KIND.name(), inputs, outputs)?;
        let unit = Nac {
            nac: NacParams::add(params, prefix, inputs, outputs)?,
            inputs,
            outputs,
            path: PhantomData,
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
        let (outputs, inputs) = weight_dims(P::FROM_WEIGHTS, w_hat)?;
        check_shape(P::FROM_WEIGHTS, w_hat.shape(), m_hat.shape())?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.nac.w_hat, w_hat.data())?;
        params.set(unit.nac.m_hat, m_hat.data())?;
        Ok(unit)
    }
}

impl<P: NacPath> Unit for Nac<P> {
    type Weights = NacWeights;

    fn kind(&self) -> UnitKind {
        P::KIND
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

    fn record<T: Element>(&self, tape: &mut Tape<T>, params: &ParamStore<T>) -> Result<NacWeights> {
        Ok(NacWeights {
            effective: self.nac.record(tape, params)?,
        })
    }

    fn forward<T: Element>(&self, tape: &mut Tape<T>, weights: &NacWeights, x: Var) -> Result<Var> {
        batch_size(tape, P::KIND.name(), x, self.inputs)?;
        P::apply(tape, x, weights.effective)
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        self.nac.sparsity_error(params)
    }
}
