//! Gated NAU/NMU, from the gating experiment of Madsen & Johansen, "Neural
//! Arithmetic Units" (ICLR 2020, arXiv 2001.05016): the NALU's gate put
//! between the two new units, each with its own weights.
//!
//! ```text
//! g = sigmoid(G x)
//! z = g ⊙ NAU(x) + (1 - g) ⊙ NMU(x)
//! R = R_NAU + R_NMU
//! ```
//!
//! Shapes: `x: [B, I]`, `W_NAU, W_NMU, G: [O, I]`, `z: [B, O]`. The NAU and
//! NMU parts are exactly [`Nau`] and [`Nmu`] (default "clip" constraint):
//! initialised, regularized and projected as those units. `G` is
//! Glorot-uniform, no gate bias. The layer's regularizer is the sum of its
//! two parts' mean regularizers; the sparsity error covers both weights,
//! not the gate.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape, Tensor};

use super::common::{
    add_param, batch_size, check_shape, check_sizes, gate_mix, sub_prefix, unused_rng, weight_dims,
};
use super::init::{fill_uniform, glorot_radius};
use super::nau::{Nau, NauWeights};
use super::nmu::{Nmu, NmuWeights};
use super::{NmuConstraint, Unit, UnitKind};

/// Gated NAU/NMU: `z = g * NAU(x) + (1 - g) * NMU(x)`, `g = sigmoid(G x)`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{GatedNauNmu, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let unit = GatedNauNmu::new(&mut params, "g", 2, 1, &mut Rng::seed_from_u64(0))?;
/// params.set(unit.nau().weight(), &[1.0, 1.0])?;
/// params.set(unit.nmu().weight(), &[1.0, 1.0])?;
/// params.set(unit.gate_weight(), &[40.0, 40.0])?; // gate open: the NAU path
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![3.0, 4.0])?);
/// let z = unit.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] - 7.0).abs() < 1e-12);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GatedNauNmu {
    nau: Nau,
    nmu: Nmu,
    g: ParamId,
    inputs: usize,
    outputs: usize,
}

/// A [`GatedNauNmu`] layer's weights recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct GatedNauNmuWeights {
    /// The NAU part.
    pub nau: NauWeights,
    /// The NMU part.
    pub nmu: NmuWeights,
    /// The gate weight `G`, `[O, I]`.
    pub g: Var,
}

impl GatedNauNmu {
    /// Adds `prefix.nau.W`, `prefix.nmu.W` and `prefix.G` and initialises
    /// them in that order.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("gated-nau-nmu", inputs, outputs)?;
        let nau = Nau::new(params, &sub_prefix(prefix, "nau"), inputs, outputs, rng)?;
        let nmu = Nmu::new(
            params,
            &sub_prefix(prefix, "nmu"),
            inputs,
            outputs,
            NmuConstraint::Project,
            rng,
        )?;
        let g = add_param(params, prefix, "G", Shape::matrix(outputs, inputs))?;
        let unit = GatedNauNmu {
            nau,
            nmu,
            g,
            inputs,
            outputs,
        };
        unit.init_gate(params, rng)?;
        Ok(unit)
    }

    /// Adds `prefix.nau.W`, `prefix.nmu.W` and `prefix.G` with the given
    /// values (all three `[outputs, inputs]`; the NMU part is projected, as
    /// from [`GatedNauNmu::new`]). A shape that does not fit is an error and
    /// adds no parameter.
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        nau_w: &Tensor<T>,
        nmu_w: &Tensor<T>,
        g: &Tensor<T>,
    ) -> Result<Self> {
        const OP: &str = "GatedNauNmu::from_weights";
        let (outputs, inputs) = weight_dims(OP, nau_w)?;
        check_shape(OP, nau_w.shape(), nmu_w.shape())?;
        check_shape(OP, nau_w.shape(), g.shape())?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.nau.weight(), nau_w.data())?;
        params.set(unit.nmu.weight(), nmu_w.data())?;
        params.set(unit.g, g.data())?;
        Ok(unit)
    }

    /// The NAU part.
    pub fn nau(&self) -> &Nau {
        &self.nau
    }

    /// The NMU part.
    pub fn nmu(&self) -> &Nmu {
        &self.nmu
    }

    /// The gate weight `G`.
    pub fn gate_weight(&self) -> ParamId {
        self.g
    }

    fn init_gate<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        let s = glorot_radius(self.inputs, self.outputs);
        fill_uniform(params.value_mut(self.g)?, rng, -s, s);
        Ok(())
    }

    /// Records the gate `g = sigmoid(G x)`, `[B, O]` (1 selects the NAU).
    pub fn gate<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &GatedNauNmuWeights,
        x: Var,
    ) -> Result<Var> {
        batch_size(tape, "gated-nau-nmu", x, self.inputs)?;
        let gx = tape.matmul_nt(x, weights.g)?;
        tape.sigmoid(gx)
    }
}

impl Unit for GatedNauNmu {
    type Weights = GatedNauNmuWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::GatedNauNmu
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn param_ids(&self) -> Vec<ParamId> {
        vec![self.nau.weight(), self.nmu.weight(), self.g]
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        self.nau.init(params, rng)?;
        self.nmu.init(params, rng)?;
        self.init_gate(params, rng)
    }

    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<GatedNauNmuWeights> {
        Ok(GatedNauNmuWeights {
            nau: self.nau.record(tape, params)?,
            nmu: self.nmu.record(tape, params)?,
            g: tape.param(params, self.g)?,
        })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &GatedNauNmuWeights,
        x: Var,
    ) -> Result<Var> {
        let g = self.gate(tape, weights, x)?;
        let a = self.nau.forward(tape, &weights.nau, x)?;
        let m = self.nmu.forward(tape, &weights.nmu, x)?;
        gate_mix(tape, g, a, m)
    }

    fn regularizer<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &GatedNauNmuWeights,
    ) -> Result<Option<Var>> {
        match (
            self.nau.regularizer(tape, &weights.nau)?,
            self.nmu.regularizer(tape, &weights.nmu)?,
        ) {
            (Some(a), Some(m)) => tape.add(a, m).map(Some),
            (a, m) => Ok(a.or(m)),
        }
    }

    fn project<T: Element>(&self, params: &mut ParamStore<T>) -> Result<()> {
        self.nau.project(params)?;
        self.nmu.project(params)
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        let a = self.nau.sparsity_error(params)?;
        let m = self.nmu.sparsity_error(params)?;
        Ok(if a.is_nan() || m.is_nan() {
            f64::NAN
        } else {
            a.max(m)
        })
    }
}
