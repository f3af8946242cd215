//! [`Layer`]: any unit, by enum dispatch (no boxing, no virtual calls).

use crate::error::{Error, Result};
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::Element;

use super::{
    Activation, GNalu, GNaluWeights, GatedNauNmu, GatedNauNmuWeights, Inalu, InaluWeights, Linear,
    LinearWeights, LossHistory, NacAdd, NacAddWeights, NacMul, NacMulNmu, NacMulNmuWeights,
    NacMulSigma, NacMulSigmaWeights, NacMulWeights, NaiveNpu, NaiveNpuWeights, Nalu, NaluWeights,
    Nau, NauWeights, Nmru, NmruWeights, Nmu, NmuWeights, Npu, NpuWeights, Nru, NruWeights, RealNpu,
    RealNpuWeights, SignNmru, SignNmruWeights, Snmu, SnmuWeights, TrainContext, Unit, UnitKind,
};

/// One layer of any kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    Linear(Linear),
    NacAdd(NacAdd),
    NacMul(NacMul),
    NacMulSigma(NacMulSigma),
    NacMulNmu(NacMulNmu),
    Nalu(Nalu),
    Nau(Nau),
    Nmu(Nmu),
    GatedNauNmu(GatedNauNmu),
    Inalu(Inalu),
    GNalu(GNalu),
    NaiveNpu(NaiveNpu),
    Npu(Npu),
    RealNpu(RealNpu),
    Nru(Nru),
    Nmru(Nmru),
    SignNmru(SignNmru),
    Snmu(Snmu),
}

/// A [`Layer`]'s weights recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub enum LayerWeights {
    Linear(LinearWeights),
    NacAdd(NacAddWeights),
    NacMul(NacMulWeights),
    NacMulSigma(NacMulSigmaWeights),
    NacMulNmu(NacMulNmuWeights),
    Nalu(NaluWeights),
    Nau(NauWeights),
    Nmu(NmuWeights),
    GatedNauNmu(GatedNauNmuWeights),
    Inalu(InaluWeights),
    GNalu(GNaluWeights),
    NaiveNpu(NaiveNpuWeights),
    Npu(NpuWeights),
    RealNpu(RealNpuWeights),
    Nru(NruWeights),
    Nmru(NmruWeights),
    SignNmru(SignNmruWeights),
    Snmu(SnmuWeights),
}

/// Typed access to the unit inside a layer: `as_nmu()` is `Some(&Nmu)` for
/// an NMU layer, else `None`.
///
/// ```
/// use arithgrad::units::{Model, ModelKind};
/// let model = Model::<f64>::from_seed(ModelKind::Nmu.spec(4, 2), 0)?;
/// let nmu = model.layer2().as_nmu().expect("the nmu model's layer 2 is an NMU");
/// assert_eq!(model.params().shape(nmu.weight())?.dims(), &[1, 2]);
/// assert!(model.layer2().as_nau().is_none());
/// # Ok::<(), arithgrad::Error>(())
/// ```
macro_rules! typed_access {
    ($($method:ident $variant:ident $unit:ident),* $(,)?) => {
        impl Layer {
            $(
                #[doc = concat!("The [`", stringify!($unit), "`] inside, if this is one.")]
                pub fn $method(&self) -> Option<&$unit> {
                    match self {
                        Layer::$variant(u) => Some(u),
                        _ => None,
                    }
                }
            )*
        }
    };
}

typed_access!(
    as_linear Linear Linear,
    as_nac_add NacAdd NacAdd,
    as_nac_mul NacMul NacMul,
    as_nac_mul_sigma NacMulSigma NacMulSigma,
    as_nac_mul_nmu NacMulNmu NacMulNmu,
    as_nalu Nalu Nalu,
    as_nau Nau Nau,
    as_nmu Nmu Nmu,
    as_gated_nau_nmu GatedNauNmu GatedNauNmu,
    as_inalu Inalu Inalu,
    as_g_nalu GNalu GNalu,
    as_naive_npu NaiveNpu NaiveNpu,
    as_npu Npu Npu,
    as_real_npu RealNpu RealNpu,
    as_nru Nru Nru,
    as_nmru Nmru Nmru,
    as_sign_nmru SignNmru SignNmru,
    as_snmu Snmu Snmu,
);

/// Runs `$body` with `$u` bound to the unit inside any `Layer` variant.
macro_rules! each_unit {
    ($layer:expr, $u:ident => $body:expr) => {
        match $layer {
            Layer::Linear($u) => $body,
            Layer::NacAdd($u) => $body,
            Layer::NacMul($u) => $body,
            Layer::NacMulSigma($u) => $body,
            Layer::NacMulNmu($u) => $body,
            Layer::Nalu($u) => $body,
            Layer::Nau($u) => $body,
            Layer::Nmu($u) => $body,
            Layer::GatedNauNmu($u) => $body,
            Layer::Inalu($u) => $body,
            Layer::GNalu($u) => $body,
            Layer::NaiveNpu($u) => $body,
            Layer::Npu($u) => $body,
            Layer::RealNpu($u) => $body,
            Layer::Nru($u) => $body,
            Layer::Nmru($u) => $body,
            Layer::SignNmru($u) => $body,
            Layer::Snmu($u) => $body,
        }
    };
}

/// Runs `$body` with the unit and its matching recorded weights; a layer
/// given another layer's weights is an error.
macro_rules! with_weights {
    ($layer:expr, $weights:expr, ($u:ident, $w:ident) => $body:expr) => {
        match ($layer, $weights) {
            (Layer::Linear($u), LayerWeights::Linear($w)) => $body,
            (Layer::NacAdd($u), LayerWeights::NacAdd($w)) => $body,
            (Layer::NacMul($u), LayerWeights::NacMul($w)) => $body,
            (Layer::NacMulSigma($u), LayerWeights::NacMulSigma($w)) => $body,
            (Layer::NacMulNmu($u), LayerWeights::NacMulNmu($w)) => $body,
            (Layer::Nalu($u), LayerWeights::Nalu($w)) => $body,
            (Layer::Nau($u), LayerWeights::Nau($w)) => $body,
            (Layer::Nmu($u), LayerWeights::Nmu($w)) => $body,
            (Layer::GatedNauNmu($u), LayerWeights::GatedNauNmu($w)) => $body,
            (Layer::Inalu($u), LayerWeights::Inalu($w)) => $body,
            (Layer::GNalu($u), LayerWeights::GNalu($w)) => $body,
            (Layer::NaiveNpu($u), LayerWeights::NaiveNpu($w)) => $body,
            (Layer::Npu($u), LayerWeights::Npu($w)) => $body,
            (Layer::RealNpu($u), LayerWeights::RealNpu($w)) => $body,
            (Layer::Nru($u), LayerWeights::Nru($w)) => $body,
            (Layer::Nmru($u), LayerWeights::Nmru($w)) => $body,
            (Layer::SignNmru($u), LayerWeights::SignNmru($w)) => $body,
            (Layer::Snmu($u), LayerWeights::Snmu($w)) => $body,
            (layer, _) => Err(Error::invalid(
                "layer weights",
                format!(
                    "recorded for another layer than this {} layer",
                    layer.kind()
                ),
            )),
        }
    };
}

impl Layer {
    /// Builds a layer of `kind` whose parameters are added to `params` under
    /// `prefix` (e.g. `layer1.W`) and initialised from `rng`.
    pub fn new<T: Element>(
        kind: UnitKind,
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Layer> {
        let (i, o) = (inputs, outputs);
        Ok(match kind {
            UnitKind::Linear => Layer::Linear(Linear::new(
                params,
                prefix,
                i,
                o,
                Activation::Identity,
                rng,
            )?),
            UnitKind::Relu => {
                Layer::Linear(Linear::new(params, prefix, i, o, Activation::Relu, rng)?)
            }
            UnitKind::Relu6 => {
                Layer::Linear(Linear::new(params, prefix, i, o, Activation::Relu6, rng)?)
            }
            UnitKind::NacAdd => Layer::NacAdd(NacAdd::new(params, prefix, i, o, rng)?),
            UnitKind::NacMul => Layer::NacMul(NacMul::new(params, prefix, i, o, rng)?),
            UnitKind::NacMulSigma => {
                Layer::NacMulSigma(NacMulSigma::new(params, prefix, i, o, rng)?)
            }
            UnitKind::NacMulNmu => Layer::NacMulNmu(NacMulNmu::new(params, prefix, i, o, rng)?),
            UnitKind::Nalu(sharing) => Layer::Nalu(Nalu::new(params, prefix, i, o, sharing, rng)?),
            UnitKind::Nau => Layer::Nau(Nau::new(params, prefix, i, o, rng)?),
            UnitKind::NauNoWClamp => Layer::Nau(Nau::unprojected(params, prefix, i, o, rng)?),
            UnitKind::Nmu(constraint) => {
                Layer::Nmu(Nmu::new(params, prefix, i, o, constraint, rng)?)
            }
            UnitKind::GatedNauNmu => {
                Layer::GatedNauNmu(GatedNauNmu::new(params, prefix, i, o, rng)?)
            }
            UnitKind::Inalu(init) => Layer::Inalu(Inalu::new(params, prefix, i, o, init, rng)?),
            UnitKind::GNalu => Layer::GNalu(GNalu::new(params, prefix, i, o, rng)?),
            UnitKind::NaiveNpu => Layer::NaiveNpu(NaiveNpu::new(params, prefix, i, o, rng)?),
            UnitKind::Npu => Layer::Npu(Npu::new(params, prefix, i, o, rng)?),
            UnitKind::RealNpu => Layer::RealNpu(RealNpu::new(params, prefix, i, o, rng)?),
            UnitKind::Nru => Layer::Nru(Nru::new(params, prefix, i, o, rng)?),
            UnitKind::Nmru => Layer::Nmru(Nmru::new(params, prefix, i, o, rng)?),
            UnitKind::SignNmru => Layer::SignNmru(SignNmru::new(params, prefix, i, o, rng)?),
            UnitKind::Snmu => Layer::Snmu(Snmu::new(params, prefix, i, o, rng)?),
        })
    }

    /// Records the layer's gate `g = sigmoid(G x)` (`[B, O]`) for layers that
    /// have one (NALU: 1 selects NAC+; gated NAU/NMU: 1 selects the NAU);
    /// `None` otherwise.
    pub fn gate<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &LayerWeights,
        x: Var,
    ) -> Result<Option<Var>> {
        match (self, weights) {
            (Layer::Nalu(u), LayerWeights::Nalu(w)) => u.gate(tape, w, x).map(Some),
            (Layer::GatedNauNmu(u), LayerWeights::GatedNauNmu(w)) => u.gate(tape, w, x).map(Some),
            (Layer::GNalu(u), LayerWeights::GNalu(w)) => u.gate(tape, w, x).map(Some),
            (Layer::Inalu(u), LayerWeights::Inalu(w)) => {
                let b = tape.shape(x)?.dims().first().copied().unwrap_or(0);
                u.gate(tape, w, b).map(Some)
            }
            (Layer::Nalu(_) | Layer::GatedNauNmu(_) | Layer::GNalu(_) | Layer::Inalu(_), _) => {
                Err(Error::invalid(
                    "layer weights",
                    format!("recorded for another layer than this {} layer", self.kind()),
                ))
            }
            _ => Ok(None),
        }
    }
}

impl Unit for Layer {
    type Weights = LayerWeights;

    fn kind(&self) -> UnitKind {
        each_unit!(self, u => u.kind())
    }

    fn inputs(&self) -> usize {
        each_unit!(self, u => u.inputs())
    }

    fn outputs(&self) -> usize {
        each_unit!(self, u => u.outputs())
    }

    fn param_ids(&self) -> Vec<ParamId> {
        each_unit!(self, u => u.param_ids())
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        each_unit!(self, u => u.init(params, rng))
    }

    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<LayerWeights> {
        Ok(match self {
            Layer::Linear(u) => LayerWeights::Linear(u.record(tape, params)?),
            Layer::NacAdd(u) => LayerWeights::NacAdd(u.record(tape, params)?),
            Layer::NacMul(u) => LayerWeights::NacMul(u.record(tape, params)?),
            Layer::NacMulSigma(u) => LayerWeights::NacMulSigma(u.record(tape, params)?),
            Layer::NacMulNmu(u) => LayerWeights::NacMulNmu(u.record(tape, params)?),
            Layer::Nalu(u) => LayerWeights::Nalu(u.record(tape, params)?),
            Layer::Nau(u) => LayerWeights::Nau(u.record(tape, params)?),
            Layer::Nmu(u) => LayerWeights::Nmu(u.record(tape, params)?),
            Layer::GatedNauNmu(u) => LayerWeights::GatedNauNmu(u.record(tape, params)?),
            Layer::Inalu(u) => LayerWeights::Inalu(u.record(tape, params)?),
            Layer::GNalu(u) => LayerWeights::GNalu(u.record(tape, params)?),
            Layer::NaiveNpu(u) => LayerWeights::NaiveNpu(u.record(tape, params)?),
            Layer::Npu(u) => LayerWeights::Npu(u.record(tape, params)?),
            Layer::RealNpu(u) => LayerWeights::RealNpu(u.record(tape, params)?),
            Layer::Nru(u) => LayerWeights::Nru(u.record(tape, params)?),
            Layer::Nmru(u) => LayerWeights::Nmru(u.record(tape, params)?),
            Layer::SignNmru(u) => LayerWeights::SignNmru(u.record(tape, params)?),
            Layer::Snmu(u) => LayerWeights::Snmu(u.record(tape, params)?),
        })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &LayerWeights,
        x: Var,
    ) -> Result<Var> {
        with_weights!(self, weights, (u, w) => u.forward(tape, w, x))
    }

    fn regularizer<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &LayerWeights,
    ) -> Result<Option<Var>> {
        with_weights!(self, weights, (u, w) => u.regularizer(tape, w))
    }

    fn forward_train<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &LayerWeights,
        x: Var,
        ctx: &mut TrainContext<'_>,
    ) -> Result<Var> {
        with_weights!(self, weights, (u, w) => u.forward_train(tape, w, x, ctx))
    }

    fn penalty<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &LayerWeights,
    ) -> Result<Option<Var>> {
        with_weights!(self, weights, (u, w) => u.penalty(tape, w))
    }

    fn reinit<T: Element>(
        &self,
        params: &mut ParamStore<T>,
        history: &LossHistory,
        rng: &mut Rng,
    ) -> Result<bool> {
        each_unit!(self, u => u.reinit(params, history, rng))
    }

    fn project<T: Element>(&self, params: &mut ParamStore<T>) -> Result<()> {
        each_unit!(self, u => u.project(params))
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        each_unit!(self, u => u.sparsity_error(params))
    }
}
