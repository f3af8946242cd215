//! The named models of the protocol's model table and [`ModelSpec`], a
//! two-layer network described by its layer kinds and sizes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

use super::{InaluInit, NaluSharing, NmuConstraint, RegularizerSchedule, TrainingRules, UnitKind};

/// The named models of the protocol's model table.
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
    Nru,
    Nmru,
    SignNmru,
    Snmu,
    /// iNALU in both layers (the benchmark initialisation); on the
    /// single-module task, one iNALU.
    Inalu,
    /// G-NALU in both layers.
    GNalu,
    /// NaiveNPU in both layers.
    NaiveNpu,
    /// NPU in both layers.
    Npu,
    /// RealNPU in both layers.
    RealNpu,
}

impl ModelKind {
    /// Every named model, in the order of the protocol's table.
    pub const ALL: [ModelKind; 20] = [
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
        ModelKind::Nru,
        ModelKind::Nmru,
        ModelKind::SignNmru,
        ModelKind::Snmu,
        ModelKind::Inalu,
        ModelKind::GNalu,
        ModelKind::NaiveNpu,
        ModelKind::Npu,
        ModelKind::RealNpu,
    ];

    /// The eleven models of the paper's tables (Madsen & Johansen 2020), in
    /// their order: what the `main-table` and `all-ops` presets run. Models
    /// added for later units are in [`ModelKind::ALL`] only.
    pub const PAPER: [ModelKind; 11] = [
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
            ModelKind::Nru => "nru",
            ModelKind::Nmru => "nmru",
            ModelKind::SignNmru => "sign-nmru",
            ModelKind::Snmu => "snmu",
            ModelKind::Inalu => "inalu",
            ModelKind::GNalu => "g-nalu",
            ModelKind::NaiveNpu => "naive-npu",
            ModelKind::Npu => "npu",
            ModelKind::RealNpu => "real-npu",
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
            ModelKind::Nru => (U::Nau, U::Nru),
            ModelKind::Nmru => (U::Nau, U::Nmru),
            ModelKind::SignNmru => (U::Nau, U::SignNmru),
            ModelKind::Snmu => (U::Nau, U::Snmu),
            ModelKind::Inalu => (
                U::Inalu(InaluInit::Benchmark),
                U::Inalu(InaluInit::Benchmark),
            ),
            ModelKind::GNalu => (U::GNalu, U::GNalu),
            ModelKind::NaiveNpu => (U::NaiveNpu, U::NaiveNpu),
            ModelKind::Npu => (U::Npu, U::Npu),
            ModelKind::RealNpu => (U::RealNpu, U::RealNpu),
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
            .into_iter()
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
/// let separate = UnitKind::Nalu(NaluSharing::Separate);
/// let gating = ModelSpec::new(UnitKind::NacAdd, separate, 100, 2, 1)?;
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
    /// Hidden size (the protocol's default is 2).
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

    /// The single-layer model of the single-module benchmark: one unit of
    /// `kind`, `inputs -> 1`, no hidden layer (hidden size 0; `layer1` is
    /// unused and set equal to `layer2`). Its name is the unit's.
    ///
    /// ```
    /// use arithgrad::units::{ModelSpec, NmuConstraint, UnitKind};
    /// let s = ModelSpec::single(UnitKind::Nmu(NmuConstraint::Project), 2);
    /// assert!(s.is_single());
    /// assert_eq!(s.name(), "nmu");
    /// assert_eq!(s.to_string(), "nmu (2 -> 1)");
    /// ```
    pub fn single(kind: UnitKind, inputs: usize) -> Self {
        ModelSpec {
            layer1: kind,
            layer2: kind,
            inputs,
            hidden: 0,
            outputs: 1,
        }
    }

    /// Whether this is a single-layer model (hidden size 0).
    pub fn is_single(&self) -> bool {
        self.hidden == 0
    }

    /// An error unless every size is at least 1 (hidden size 0 is the
    /// single-layer model, whose two layer kinds must then agree).
    pub fn validate(&self) -> Result<()> {
        if self.is_single() && self.layer1 != self.layer2 {
            return Err(Error::invalid(
                "model sizes",
                format!(
                    "hidden size 0 is a single-layer model, but the layers differ ({} and {})",
                    self.layer1, self.layer2
                ),
            ));
        }
        if self.inputs == 0 || self.outputs == 0 {
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
        if self.is_single() {
            return None;
        }
        ModelKind::ALL
            .into_iter()
            .find(|k| k.layers() == (self.layer1, self.layer2))
    }

    /// The preset's name (`nmu`), or `layer1/layer2` (`nac-add/nalu-separate`).
    pub fn name(&self) -> String {
        if self.is_single() {
            return self.layer2.name().to_string();
        }
        match self.preset() {
            Some(k) => k.name().to_string(),
            None => format!("{}/{}", self.layer1, self.layer2),
        }
    }

    /// What the model's units ask of the training loop: the layers'
    /// [`TrainingRules`] merged, the second layer's winning where both set
    /// a rule ([`TrainingRules::merge`]).
    pub fn training_rules(&self) -> TrainingRules {
        self.layer1
            .training_rules()
            .merge(&self.layer2.training_rules())
    }

    /// The protocol's regularizer schedule for the arithmetic task: the NMU one
    /// (`lambda_hat = 10`, `1e6 .. 2e6`) if a layer is NMU-type (NMU,
    /// NAC*,NMU, gated), else the NAU one (`0.01`, `5e3 .. 5e4`) if a layer
    /// is a NAU, else none.
    pub fn regularizer_schedule(&self) -> RegularizerSchedule {
        let kinds = [self.layer1, self.layer2];
        if kinds.iter().any(UnitKind::is_nmu_type) {
            RegularizerSchedule::nmu()
        } else if kinds.iter().any(UnitKind::is_nau_type) {
            RegularizerSchedule::nau()
        } else {
            RegularizerSchedule::none()
        }
    }
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_single() {
            return write!(f, "{} ({} -> {})", self.name(), self.inputs, self.outputs);
        }
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
