//! The names of the unit kinds and their options.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

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

/// Every kind of layer the crate provides, with its options.
///
/// Parses from and prints as: `linear`, `relu`, `relu6`, `nac-add`,
/// `nac-mul`, `nac-mul-sigma`, `nac-mul-nmu`, `nalu`, `nalu-separate`, `nau`,
/// `nau-no-w-clamp`, `nmu`, `nmu-no-w-clamp`, `gated-nau-nmu`.
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
}

impl UnitKind {
    /// Every kind, in the order of the spec.
    pub const ALL: [UnitKind; 14] = [
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
        }
    }

    /// Whether the unit has a sparsity regularizer of the NMU type (NMU,
    /// NAC*,NMU, gated NAU/NMU).
    pub fn is_nmu_type(&self) -> bool {
        matches!(
            self,
            UnitKind::Nmu(_) | UnitKind::NacMulNmu | UnitKind::GatedNauNmu
        )
    }

    /// Whether the unit has a sparsity regularizer at all.
    pub fn has_regularizer(&self) -> bool {
        self.is_nmu_type() || self.is_nau()
    }

    /// Whether the unit is a NAU (projected or not).
    pub fn is_nau(&self) -> bool {
        matches!(self, UnitKind::Nau | UnitKind::NauNoWClamp)
    }

    /// Whether the unit has a sigmoid gate (NALU and gated NAU/NMU).
    pub fn has_gate(&self) -> bool {
        matches!(self, UnitKind::Nalu(_) | UnitKind::GatedNauNmu)
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
