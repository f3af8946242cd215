//! The two-layer networks of the spec's model table (`n -> hidden -> 1`),
//! built by name or from any pair of unit kinds.
//!
//! | name | layer 1 | layer 2 |
//! |---|---|---|
//! | `nmu` | NAU | NMU |
//! | `nau` | NAU | NAU |
//! | `nac-mul` | NAC+ | NAC* |
//! | `nac-mul-sigma` | NAC+ | NAC*,sigma |
//! | `nac-mul-nmu` | NAU | NAC*,NMU |
//! | `nac-add` | NAC+ | NAC+ |
//! | `nalu` | NALU | NALU (shared weights) |
//! | `gated-nau-nmu` | gated | gated |
//! | `linear` / `relu` / `relu6` | linear / ReLU / ReLU6 with bias | linear with bias |
//!
//! Every parameter lives in one [`ParamStore`] owned by the [`Model`], named
//! `layer1.*` and `layer2.*`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::random::Rng;
use crate::tape::{ParamStore, Tape, Var};
use crate::tensor::{Element, Tensor};

use super::common::mean_of;
use super::{Layer, LayerWeights, NaluSharing, NmuConstraint, RegularizerSchedule, Unit, UnitKind};

/// The stream of [`Rng::stream`] that [`Model::from_seed`] draws initial
/// weights from (other consumers of a run's seed must use other streams).
pub const MODEL_INIT_STREAM: u64 = 0x494E_4954; // "INIT"

/// The named models of the spec's model table.
///
/// ```
/// use arithgrad::units::ModelKind;
/// let k: ModelKind = "nac-mul-nmu".parse()?;
/// assert_eq!(k.to_string(), "nac-mul-nmu");
/// let err = "nmuu".parse::<ModelKind>().unwrap_err().to_string();
/// assert!(err.contains("nmuu") && err.contains("gated-nau-nmu"));
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ModelKind {
    Nmu,
    Nau,
    NacMul,
    NacMulSigma,
    NacMulNmu,
    NacAdd,
    Nalu,
    GatedNauNmu,
    Linear,
    Relu,
    Relu6,
}

impl ModelKind {
    /// Every named model, in the order of the spec's table.
    pub const ALL: [ModelKind; 11] = [
        ModelKind::Nmu,
        ModelKind::Nau,
        ModelKind::NacMul,
        ModelKind::NacMulSigma,
        ModelKind::NacMulNmu,
        ModelKind::NacAdd,
        ModelKind::Nalu,
        ModelKind::GatedNauNmu,
        ModelKind::Linear,
        ModelKind::Relu,
        ModelKind::Relu6,
    ];

    /// The model's name as parsed and printed.
    pub fn name(&self) -> &'static str {
        match self {
            ModelKind::Nmu => "nmu",
            ModelKind::Nau => "nau",
            ModelKind::NacMul => "nac-mul",
            ModelKind::NacMulSigma => "nac-mul-sigma",
            ModelKind::NacMulNmu => "nac-mul-nmu",
            ModelKind::NacAdd => "nac-add",
            ModelKind::Nalu => "nalu",
            ModelKind::GatedNauNmu => "gated-nau-nmu",
            ModelKind::Linear => "linear",
            ModelKind::Relu => "relu",
            ModelKind::Relu6 => "relu6",
        }
    }

    /// The unit kinds of layer 1 and layer 2.
    pub fn layers(&self) -> (UnitKind, UnitKind) {
        use UnitKind as U;
        match self {
            ModelKind::Nmu => (U::Nau, U::Nmu(NmuConstraint::Project)),
            ModelKind::Nau => (U::Nau, U::Nau),
            ModelKind::NacMul => (U::NacAdd, U::NacMul),
            ModelKind::NacMulSigma => (U::NacAdd, U::NacMulSigma),
            ModelKind::NacMulNmu => (U::Nau, U::NacMulNmu),
            ModelKind::NacAdd => (U::NacAdd, U::NacAdd),
            ModelKind::Nalu => (U::Nalu(NaluSharing::Shared), U::Nalu(NaluSharing::Shared)),
            ModelKind::GatedNauNmu => (U::GatedNauNmu, U::GatedNauNmu),
            ModelKind::Linear => (U::Linear, U::Linear),
            ModelKind::Relu => (U::Relu, U::Linear),
            ModelKind::Relu6 => (U::Relu6, U::Linear),
        }
    }

    /// The model `inputs -> hidden -> 1`.
    pub fn spec(&self, inputs: usize, hidden: usize) -> ModelSpec {
        let (layer1, layer2) = self.layers();
        ModelSpec {
            layer1,
            layer2,
            inputs,
            hidden,
            outputs: 1,
        }
    }

    /// The regularizer schedule the spec gives this model on the arithmetic
    /// task (see [`ModelSpec::regularizer_schedule`]).
    pub fn regularizer_schedule(&self) -> RegularizerSchedule {
        self.spec(1, 1).regularizer_schedule()
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        ModelKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let valid: Vec<&str> = ModelKind::ALL.iter().map(|k| k.name()).collect();
                Error::invalid(
                    "model",
                    format!("unknown model `{s}`; valid models: {}", valid.join(", ")),
                )
            })
    }
}

/// A two-layer network `inputs -> hidden -> outputs`, with any unit kind in
/// either layer. The named models are presets ([`ModelKind::spec`]); the
/// ablations and the gating experiment change a layer:
///
/// ```
/// use arithgrad::units::{ModelKind, ModelSpec, NaluSharing, NmuConstraint, UnitKind};
/// let no_clamp = ModelSpec {
///     layer2: UnitKind::Nmu(NmuConstraint::ClampInForward),
///     ..ModelKind::Nmu.spec(100, 2)
/// };
/// assert_eq!(no_clamp.name(), "nau/nmu-no-w-clamp");
/// let gating = ModelSpec::new(UnitKind::NacAdd, UnitKind::Nalu(NaluSharing::Separate), 100, 2, 1)?;
/// assert_eq!(gating.name(), "nac-add/nalu-separate");
/// assert_eq!(ModelKind::Nalu.spec(100, 2).name(), "nalu");
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ModelSpec {
    /// The kind of the first layer (`inputs -> hidden`).
    pub layer1: UnitKind,
    /// The kind of the second layer (`hidden -> outputs`).
    pub layer2: UnitKind,
    /// Input size `n`.
    pub inputs: usize,
    /// Hidden size (the spec's default is 2).
    pub hidden: usize,
    /// Output size (1 on the arithmetic task).
    pub outputs: usize,
}

impl ModelSpec {
    /// A validated spec.
    pub fn new(
        layer1: UnitKind,
        layer2: UnitKind,
        inputs: usize,
        hidden: usize,
        outputs: usize,
    ) -> Result<Self> {
        let spec = ModelSpec {
            layer1,
            layer2,
            inputs,
            hidden,
            outputs,
        };
        spec.validate()?;
        Ok(spec)
    }

    /// An error unless every size is at least 1.
    pub fn validate(&self) -> Result<()> {
        if self.inputs == 0 || self.hidden == 0 || self.outputs == 0 {
            return Err(Error::invalid(
                "model sizes",
                format!(
                    "every size must be at least 1, got {} -> {} -> {}",
                    self.inputs, self.hidden, self.outputs
                ),
            ));
        }
        Ok(())
    }

    /// The named model with these layer kinds, if there is one.
    pub fn preset(&self) -> Option<ModelKind> {
        ModelKind::ALL
            .into_iter()
            .find(|k| k.layers() == (self.layer1, self.layer2))
    }

    /// The preset's name (`nmu`), or `layer1/layer2` (`nac-add/nalu-separate`).
    pub fn name(&self) -> String {
        match self.preset() {
            Some(k) => k.name().to_string(),
            None => format!("{}/{}", self.layer1, self.layer2),
        }
    }

    /// The spec's regularizer schedule for the arithmetic task: the NMU one
    /// (`lambda_hat = 10`, `1e6 .. 2e6`) if a layer is NMU-type (NMU,
    /// NAC*,NMU, gated), else the NAU one (`0.01`, `5e3 .. 5e4`) if a layer
    /// is a NAU, else none.
    pub fn regularizer_schedule(&self) -> RegularizerSchedule {
        let kinds = [self.layer1, self.layer2];
        if kinds.iter().any(UnitKind::is_nmu_type) {
            RegularizerSchedule::nmu()
        } else if kinds.contains(&UnitKind::Nau) {
            RegularizerSchedule::nau()
        } else {
            RegularizerSchedule::none()
        }
    }
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} -> {} -> {})",
            self.name(),
            self.inputs,
            self.hidden,
            self.outputs
        )
    }
}

/// A two-layer network and its parameters.
///
/// ```
/// use arithgrad::units::{Model, ModelKind};
/// use arithgrad::{Shape, Tape, Tensor};
/// let mut model = Model::<f64>::from_seed(ModelKind::Nmu.spec(4, 2), 7)?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::full(Shape::matrix(3, 4), 1.5));
/// let w = model.record_weights(&mut tape)?; // once per step
/// let y = model.forward(&mut tape, &w, x)?;
/// let r = model.regularizer(&mut tape, &w)?.expect("NAU and NMU have regularizers");
/// assert_eq!(tape.shape(y)?, Shape::matrix(3, 1));
/// assert_eq!(tape.shape(r)?, Shape::scalar());
/// model.project()?; // after an optimizer step
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Model<T: Element> {
    spec: ModelSpec,
    layer1: Layer,
    layer2: Layer,
    params: ParamStore<T>,
}

/// Both layers' weights recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct ModelWeights {
    pub layer1: LayerWeights,
    pub layer2: LayerWeights,
}

impl<T: Element> Model<T> {
    /// Builds the model and draws its initial weights from `rng` (layer 1's
    /// parameters first, each in its unit's fixed order).
    pub fn new(spec: ModelSpec, rng: &mut Rng) -> Result<Self> {
        spec.validate()?;
        let mut params = ParamStore::new();
        let layer1 = Layer::new(
            spec.layer1,
            &mut params,
            "layer1",
            spec.inputs,
            spec.hidden,
            rng,
        )?;
        let layer2 = Layer::new(
            spec.layer2,
            &mut params,
            "layer2",
            spec.hidden,
            spec.outputs,
            rng,
        )?;
        Ok(Model {
            spec,
            layer1,
            layer2,
            params,
        })
    }

    /// Builds the model with initial weights from stream
    /// [`MODEL_INIT_STREAM`] of `seed`: the same seed gives bit-identical
    /// weights.
    pub fn from_seed(spec: ModelSpec, seed: u64) -> Result<Self> {
        Self::new(spec, &mut Rng::stream(seed, MODEL_INIT_STREAM))
    }

    /// The model's spec.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// The first layer.
    pub fn layer1(&self) -> &Layer {
        &self.layer1
    }

    /// The second layer.
    pub fn layer2(&self) -> &Layer {
        &self.layer2
    }

    /// Every parameter (for optimizers and saving).
    pub fn params(&self) -> &ParamStore<T> {
        &self.params
    }

    /// Every parameter, mutable (for optimizer steps and hand-set weights).
    pub fn params_mut(&mut self) -> &mut ParamStore<T> {
        &mut self.params
    }

    /// Draws fresh initial weights from `rng`, as [`Model::new`] does.
    pub fn init(&mut self, rng: &mut Rng) -> Result<()> {
        self.layer1.init(&mut self.params, rng)?;
        self.layer2.init(&mut self.params, rng)
    }

    /// Records both layers' weights for one step; pass the result to
    /// [`Model::forward`] and [`Model::regularizer`].
    pub fn record_weights(&self, tape: &mut Tape<T>) -> Result<ModelWeights> {
        Ok(ModelWeights {
            layer1: self.layer1.record(tape, &self.params)?,
            layer2: self.layer2.record(tape, &self.params)?,
        })
    }

    /// Records the output `[B, outputs]` for an input `x: [B, inputs]`.
    pub fn forward(&self, tape: &mut Tape<T>, weights: &ModelWeights, x: Var) -> Result<Var> {
        let h = self.layer1.forward(tape, &weights.layer1, x)?;
        self.layer2.forward(tape, &weights.layer2, h)
    }

    /// Records the sum over layers of each layer's mean regularizer `R`
    /// (a scalar), or `None` if no layer has one.
    pub fn regularizer(&self, tape: &mut Tape<T>, weights: &ModelWeights) -> Result<Option<Var>> {
        let r1 = self.layer1.regularizer(tape, &weights.layer1)?;
        let r2 = self.layer2.regularizer(tape, &weights.layer2)?;
        match (r1, r2) {
            (Some(a), Some(b)) => tape.add(a, b).map(Some),
            (a, b) => Ok(a.or(b)),
        }
    }

    /// Projects constrained weights back into their intervals; call after
    /// every optimizer step.
    pub fn project(&mut self) -> Result<()> {
        self.layer1.project(&mut self.params)?;
        self.layer2.project(&mut self.params)
    }

    /// The model's sparsity error: the largest `min(|W|, |1 - |W||)` over
    /// every weight the layers use (NAC weights after their transform; gates
    /// and biases excluded). NaN if any weight is NaN.
    pub fn sparsity_error(&self) -> Result<f64> {
        let a = self.layer1.sparsity_error(&self.params)?;
        let b = self.layer2.sparsity_error(&self.params)?;
        Ok(if a.is_nan() || b.is_nan() {
            f64::NAN
        } else {
            a.max(b)
        })
    }

    /// The output for a batch `x: [B, inputs]`, on a private tape (for
    /// evaluation and examples; a training loop should reuse its tape).
    pub fn predict(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
        let mut tape = Tape::new();
        let xv = tape.constant(x);
        let w = self.record_weights(&mut tape)?;
        let y = self.forward(&mut tape, &w, xv)?;
        tape.tensor(y)
    }

    /// The mean gate value of each layer over the batch `x` (`None` for a
    /// layer without a gate): near 1 the NALU uses its NAC+ and the gated
    /// unit its NAU; near 0 the multiplicative path.
    pub fn gate_means(&self, x: &Tensor<T>) -> Result<[Option<f64>; 2]> {
        let mut tape = Tape::new();
        let xv = tape.constant(x);
        let w = self.record_weights(&mut tape)?;
        let g1 = self.layer1.gate(&mut tape, &w.layer1, xv)?;
        let h = self.layer1.forward(&mut tape, &w.layer1, xv)?;
        let g2 = self.layer2.gate(&mut tape, &w.layer2, h)?;
        let mean = |g: Option<Var>| g.map(|g| mean_of(&tape, g)).transpose();
        Ok([mean(g1)?, mean(g2)?])
    }
}
