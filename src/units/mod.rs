//! Layer 5: the neural arithmetic units and their baselines, built on the
//! autodiff core.
//!
//! Every unit of docs/protocol.md, section 1, has its own file with its formula and
//! its source paper:
//!
//! | unit | file | paper |
//! |---|---|---|
//! | Linear, ReLU, ReLU6 | [`linear`] | baselines |
//! | NAC+ | [`nac_add`] | Trask et al. 2018 |
//! | NAC* | [`nac_mul`] | Trask et al. 2018 |
//! | NAC*,sigma | [`nac_mul_sigma`] | Madsen & Johansen 2020 |
//! | NAC*,NMU | [`nac_mul_nmu`] | Madsen & Johansen 2020 |
//! | NALU (shared / separate weights) | [`nalu`] | Trask et al. 2018 |
//! | NAU | [`nau`] | Madsen & Johansen 2020 |
//! | NMU (project / clamp-in-forward) | [`nmu`] | Madsen & Johansen 2020 |
//! | Gated NAU/NMU | [`gated`] | Madsen & Johansen 2020 |
//! | NRU | [`nru`] | Mistry, Farrahi & Hare 2021 |
//! | NMRU | [`nmru`] | Mistry, Farrahi & Hare 2021 |
//! | sign-NMRU | [`sign_nmru`] | Mistry, Farrahi & Hare 2022 |
//! | sNMU | [`snmu`] | Mistry, Farrahi & Hare 2022 |
//! | iNALU | [`inalu`] | Schlör, Ring & Hotho 2020 |
//! | G-NALU | [`g_nalu`] | Rana et al. (golden-ratio NALU) |
//! | NaiveNPU | [`naive_npu`] | Heim, Pevný & Šmídl 2020 |
//! | NPU | [`npu`] | Heim, Pevný & Šmídl 2020 |
//! | RealNPU | [`real_npu`] | Heim, Pevný & Šmídl 2020 |
//!
//! A unit is a small struct of [`ParamId`]s into a [`ParamStore`] that the
//! caller owns (a whole model keeps every parameter in one store, so an
//! optimizer updates it in one fused loop). Each training step:
//!
//! 1. [`Unit::record`] puts the unit's parameters on the tape once, with
//!    their weight transforms (`tanh(W_hat) * sigmoid(M_hat)`, clamps), and
//!    returns their handles;
//! 2. [`Unit::forward`] and [`Unit::regularizer`] both use those handles, so
//!    no parameter is recorded twice;
//! 3. after the optimizer step, [`Unit::project`] puts constrained weights
//!    back into their interval.
//!
//! What a unit needs from the training loop beyond that (its own learning
//! rate, gradient clipping, an extra loss term, a reinitialisation rule, a
//! different forward pass in training) it declares through
//! [`TrainingRules`] and the hooks [`Unit::forward_train`],
//! [`Unit::penalty`] and [`Unit::reinit`]; the module [`rules`] explains how.
//!
//! The recorded handles (`NauWeights`, `NmuWeights`, ...) follow one naming
//! rule: `effective` is the weight matrix the forward pass uses (after any
//! clamp or `tanh * sigmoid` transform; the one the sparsity error and the
//! printed weights describe); `stored` is the raw stored parameter, present
//! only where it is a different tensor from `effective` and something else
//! (a regularizer) needs it; any other parameter is named by its paper
//! symbol in snake case (`g`, `b`, ...).
//!
//! A unit is built with random initial weights (`new`) or from given ones
//! (`from_weights`, which checks their shapes); [`Layer::as_nmu`] and its
//! siblings give typed access to the unit inside a [`Model`]'s layer.
//!
//! Nothing on this path allocates once the tape is warm. [`Model`] is a
//! two-layer network of the model table of docs/protocol.md ([`ModelKind`],
//! [`ModelSpec`]), and [`RegularizerSchedule`] is the warm-up `lambda(t)` of
//! its section 2.

mod common;
pub mod g_nalu;
pub mod gated;
pub mod inalu;
pub mod init;
mod kind;
mod layer;
pub mod linear;
pub mod model;
pub mod nac;
pub mod nac_add;
pub mod nac_mul;
pub mod nac_mul_nmu;
pub mod nac_mul_sigma;
pub mod naive_npu;
pub mod nalu;
pub mod nau;
pub mod nmru;
pub mod nmu;
pub mod npu;
pub mod nru;
pub mod real_npu;
pub mod rules;
mod saved;
mod schedule;
pub mod sign_nmru;
pub mod snmu;
pub mod sparsity;
mod spec;

pub use common::LOG_EPS;
pub use g_nalu::{GNalu, GNaluWeights};
pub use gated::{GatedNauNmu, GatedNauNmuWeights};
pub use inalu::{Inalu, InaluWeights};
pub use kind::{InaluInit, NaluSharing, NmuConstraint, UnitKind};
pub use layer::{Layer, LayerWeights};
pub use linear::{Activation, Linear, LinearWeights};
pub use model::{Model, ModelWeights, MODEL_INIT_STREAM};
pub use nac::{Nac, NacPath, NacWeights};
pub use nac_add::{NacAdd, NacAddWeights, NacParams};
pub use nac_mul::{NacMul, NacMulWeights};
pub use nac_mul_nmu::{NacMulNmu, NacMulNmuWeights};
pub use nac_mul_sigma::{NacMulSigma, NacMulSigmaWeights};
pub use naive_npu::{NaiveNpu, NaiveNpuWeights};
pub use nalu::{Nalu, NaluWeights};
pub use nau::{Nau, NauWeights};
pub use nmru::{Nmru, NmruWeights};
pub use nmu::{Nmu, NmuWeights};
pub use npu::{Npu, NpuWeights};
pub use nru::{Nru, NruWeights};
pub use real_npu::{RealNpu, RealNpuWeights};
pub use rules::{
    GradClip, LossHistory, PenaltyWeight, ReinitRule, TrainContext, TrainingRules, WatchedLoss,
};
pub use saved::{SavedModel, SAVED_MODEL_FORMAT_VERSION};
pub use schedule::RegularizerSchedule;
pub use sign_nmru::{SignNmru, SignNmruWeights};
pub use snmu::{Snmu, SnmuWeights};
pub use spec::{ModelKind, ModelSpec};

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::Element;

/// What every unit offers. The methods are generic over the element type,
/// so one unit value works with an `f32` or an `f64` parameter store.
pub trait Unit {
    /// The unit's parameters as recorded on a tape for one step (`Copy`
    /// handles; shared by [`Unit::forward`] and [`Unit::regularizer`]).
    type Weights: Copy + std::fmt::Debug;

    /// The unit's kind (with its options).
    fn kind(&self) -> UnitKind;

    /// Input size `I`.
    fn inputs(&self) -> usize;

    /// Output size `O`.
    fn outputs(&self) -> usize;

    /// The unit's parameters in the store, in initialisation order.
    fn param_ids(&self) -> Vec<ParamId>;

    /// Draws fresh initial values for every parameter, in a fixed order,
    /// from `rng` (the protocol's initialisation for this unit).
    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()>;

    /// Records the parameters and weight transforms for one step.
    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<Self::Weights>;

    /// Records the layer's output `[B, O]` for an input `x: [B, I]`.
    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &Self::Weights,
        x: Var,
    ) -> Result<Var>;

    /// Records the unit's mean sparsity regularizer `R` (a scalar), or
    /// `None` if the unit has none.
    fn regularizer<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &Self::Weights,
    ) -> Result<Option<Var>> {
        let _ = (tape, weights);
        Ok(None)
    }

    /// Records the layer's output in a *training* step (the train/eval
    /// switch): units whose training forward differs from the evaluation
    /// one (training eps, noise) override this; `ctx` gives the step index
    /// and a generator for noise. The default is [`Unit::forward`].
    fn forward_train<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &Self::Weights,
        x: Var,
        ctx: &mut TrainContext<'_>,
    ) -> Result<Var> {
        let _ = ctx;
        self.forward(tape, weights, x)
    }

    /// Records the unit's extra loss term (a scalar, *unweighted*; the
    /// training loop multiplies it by its [`TrainingRules::penalty`] weight),
    /// or `None` if the unit has none (the default).
    fn penalty<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &Self::Weights,
    ) -> Result<Option<Var>> {
        let _ = (tape, weights);
        Ok(None)
    }

    /// Decides from the training-loss `history` whether to reinitialise,
    /// and if so redraws the unit's parameters from `rng` and returns
    /// `true`. Called every [`ReinitRule::check_every`] steps when the
    /// unit's [`TrainingRules::reinit`] is set; the default never does.
    fn reinit<T: Element>(
        &self,
        params: &mut ParamStore<T>,
        history: &LossHistory,
        rng: &mut Rng,
    ) -> Result<bool> {
        let _ = (params, history, rng);
        Ok(false)
    }

    /// Projects constrained parameters back into their interval; call after
    /// every optimizer step. A no-op for unconstrained units.
    fn project<T: Element>(&self, params: &mut ParamStore<T>) -> Result<()> {
        let _ = params;
        Ok(())
    }

    /// The largest `min(|W|, |1 - |W||)` over the weights the unit uses
    /// (after their transforms; gates and biases excluded). NaN if any is.
    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64>;

    /// Records the parameters and the forward pass in one call.
    fn apply<T: Element>(&self, tape: &mut Tape<T>, params: &ParamStore<T>, x: Var) -> Result<Var> {
        let w = self.record(tape, params)?;
        self.forward(tape, &w, x)
    }
}
