//! The names of the unit kinds and their options.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

use super::TrainingRules;

/// How an NMU keeps its weights in `[0, 1]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NmuConstraint {
    /// The paper's default ("clip"): the forward pass uses `W` as stored and
    /// the stored parameter is projected into `[0, 1]` after every step.
    #[default]
    Project,
    /// The "no W-clamp" ablation: the forward pass uses `clamp(W, 0, 1)` and
    /// the stored parameter is never projected.
    ClampInForward,
}

/// Whether a NALU's additive and multiplicative paths share their weights.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NaluSharing {
    /// One `W_hat`, `M_hat` pair for both paths (Trask et al.'s design).
    #[default]
    Shared,
    /// Each path has its own pair.
    Separate,
}

/// Which initialisation an iNALU layer draws from (Schlör et al. 2020).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InaluInit {
    /// The single-module benchmark's: `A_hat, M_hat ~ N(1, 0.1^2)`,
    /// `A_m, M_m ~ N(-1, 0.1^2)`, `G ~ N(0, 0.1^2)`.
    #[default]
    Benchmark,
    /// The iNALU library's defaults: `N(0.88, 0.2^2)`, `N(0.5, 0.2^2)`,
    /// `N(0, 0.2^2)`.
    Library,
}

/// Every kind of layer the crate provides, with its options.
///
/// Parses from and prints as: `linear`, `relu`, `relu6`, `nac-add`,
/// `nac-mul`, `nac-mul-sigma`, `nac-mul-nmu`, `nalu`, `nalu-separate`, `nau`,
/// `nau-no-w-clamp`, `nmu`, `nmu-no-w-clamp`, `gated-nau-nmu`, `inalu`,
/// `inalu-library-init`, `g-nalu`, `naive-npu`, `npu`, `real-npu`.
///
/// ```
/// use arithgrad::units::{NmuConstraint, UnitKind};
/// let k: UnitKind = "nmu-no-w-clamp".parse()?;
/// assert_eq!(k, UnitKind::Nmu(NmuConstraint::ClampInForward));
/// assert_eq!(k.to_string(), "nmu-no-w-clamp");
/// assert!("nmv".parse::<UnitKind>().unwrap_err().to_string().contains("nmv"));
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitKind {
    /// Affine layer `W x + b`.
    Linear,
    /// `relu(W x + b)`.
    Relu,
    /// `min(max(W x + b, 0), 6)`.
    Relu6,
    /// NAC+.
    NacAdd,
    /// NAC* (log space).
    NacMul,
    /// NAC*,sigma (log space, `W = sigmoid(W_hat)`).
    NacMulSigma,
    /// NAC*,NMU (log space, NMU-style weight).
    NacMulNmu,
    /// NALU.
    Nalu(NaluSharing),
    /// NAU.
    Nau,
    /// NAU for the "no W-clamp" ablation: the forward pass still uses
    /// `clamp(W, -1, 1)`, but the stored parameter is never projected (only
    /// the regularizer, in the reference's form `min(|W|, |1 - |W||)`, pulls
    /// a weight outside `[-1, 1]` back). The reference passes its
    /// out-of-bounds mode to both layers, so the ablation's first layer is
    /// this unit.
    NauNoWClamp,
    /// NMU.
    Nmu(NmuConstraint),
    /// Gated NAU/NMU.
    GatedNauNmu,
    /// iNALU.
    Inalu(InaluInit),
    /// G-NALU (golden-ratio NALU).
    GNalu,
    /// NaiveNPU.
    NaiveNpu,
    /// NPU.
    Npu,
    /// RealNPU.
    RealNpu,
    /// NRU (neural reciprocal unit).
    Nru,
    /// NMRU (neural multiplicative reciprocal unit).
    Nmru,
    /// sign-NMRU.
    SignNmru,
    /// sNMU (stochastic NMU).
    Snmu,
}

impl UnitKind {
    /// Every kind, in the order of the spec.
    pub const ALL: [UnitKind; 24] = [
        UnitKind::Linear,
        UnitKind::Relu,
        UnitKind::Relu6,
        UnitKind::NacAdd,
        UnitKind::NacMul,
        UnitKind::NacMulSigma,
        UnitKind::NacMulNmu,
        UnitKind::Nalu(NaluSharing::Shared),
        UnitKind::Nalu(NaluSharing::Separate),
        UnitKind::Nau,
        UnitKind::NauNoWClamp,
        UnitKind::Nmu(NmuConstraint::Project),
        UnitKind::Nmu(NmuConstraint::ClampInForward),
        UnitKind::GatedNauNmu,
        UnitKind::Inalu(InaluInit::Benchmark),
        UnitKind::Inalu(InaluInit::Library),
        UnitKind::GNalu,
        UnitKind::NaiveNpu,
        UnitKind::Npu,
        UnitKind::RealNpu,
        UnitKind::Nru,
        UnitKind::Nmru,
        UnitKind::SignNmru,
        UnitKind::Snmu,
    ];

    /// The kind's name as parsed and printed.
    pub fn name(&self) -> &'static str {
        match self {
            UnitKind::Linear => "linear",
            UnitKind::Relu => "relu",
            UnitKind::Relu6 => "relu6",
            UnitKind::NacAdd => "nac-add",
            UnitKind::NacMul => "nac-mul",
            UnitKind::NacMulSigma => "nac-mul-sigma",
            UnitKind::NacMulNmu => "nac-mul-nmu",
            UnitKind::Nalu(NaluSharing::Shared) => "nalu",
            UnitKind::Nalu(NaluSharing::Separate) => "nalu-separate",
            UnitKind::Nau => "nau",
            UnitKind::NauNoWClamp => "nau-no-w-clamp",
            UnitKind::Nmu(NmuConstraint::Project) => "nmu",
            UnitKind::Nmu(NmuConstraint::ClampInForward) => "nmu-no-w-clamp",
            UnitKind::GatedNauNmu => "gated-nau-nmu",
            UnitKind::Inalu(InaluInit::Benchmark) => "inalu",
            UnitKind::Inalu(InaluInit::Library) => "inalu-library-init",
            UnitKind::GNalu => "g-nalu",
            UnitKind::NaiveNpu => "naive-npu",
            UnitKind::Npu => "npu",
            UnitKind::RealNpu => "real-npu",
            UnitKind::Nru => "nru",
            UnitKind::Nmru => "nmru",
            UnitKind::SignNmru => "sign-nmru",
            UnitKind::Snmu => "snmu",
        }
    }

    /// Whether the unit has a sparsity regularizer of the NMU type (NMU,
    /// NAC*,NMU, gated NAU/NMU, NMRU, sign-NMRU, sNMU).
    pub fn is_nmu_type(&self) -> bool {
        matches!(
            self,
            UnitKind::Nmu(_)
                | UnitKind::NacMulNmu
                | UnitKind::GatedNauNmu
                | UnitKind::Nmru
                | UnitKind::SignNmru
                | UnitKind::Snmu
        )
    }

    /// Whether the unit has a sparsity regularizer at all.
    pub fn has_regularizer(&self) -> bool {
        self.is_nmu_type() || self.is_nau_type()
    }

    /// Whether the unit has a sparsity regularizer of the NAU type (NAU,
    /// projected or not, and NRU).
    pub fn is_nau_type(&self) -> bool {
        matches!(self, UnitKind::Nau | UnitKind::NauNoWClamp | UnitKind::Nru)
    }

    /// What this kind of unit asks of the training loop (see
    /// [`TrainingRules`] and the module [`rules`](super::rules) for how a
    /// unit declares its needs): one arm per unit that needs something,
    /// calling the `training_rules()` of the unit's own file; every other
    /// kind trains by the common protocol ([`TrainingRules::NONE`]).
    pub fn training_rules(&self) -> TrainingRules {
        match self {
            UnitKind::Inalu(_) => super::inalu::training_rules(),
            UnitKind::NaiveNpu | UnitKind::Npu | UnitKind::RealNpu => super::npu::training_rules(),
            UnitKind::Nmru | UnitKind::SignNmru => super::nmru::training_rules(),
            _ => TrainingRules::NONE,
        }
    }

    /// Whether the unit has a sigmoid gate (NALU, G-NALU, iNALU and gated
    /// NAU/NMU).
    pub fn has_gate(&self) -> bool {
        matches!(
            self,
            UnitKind::Nalu(_) | UnitKind::GatedNauNmu | UnitKind::GNalu | UnitKind::Inalu(_)
        )
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for UnitKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        UnitKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let valid: Vec<&str> = UnitKind::ALL.iter().map(|k| k.name()).collect();
                Error::invalid(
                    "unit kind",
                    format!("unknown unit `{s}`; valid units: {}", valid.join(", ")),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for k in UnitKind::ALL {
            assert_eq!(k.to_string().parse::<UnitKind>().unwrap(), k);
        }
        let mut names: Vec<_> = UnitKind::ALL.iter().map(|k| k.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), UnitKind::ALL.len());
    }

    #[test]
    fn bad_name_lists_the_valid_ones() {
        let msg = "nalu-shared".parse::<UnitKind>().unwrap_err().to_string();
        assert!(msg.contains("`nalu-shared`"), "{msg}");
        assert!(
            msg.contains("nac-mul-sigma") && msg.contains("gated-nau-nmu"),
            "{msg}"
        );
    }
}
