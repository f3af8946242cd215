//! NMU, the neural multiplication unit of Madsen & Johansen, "Neural
//! Arithmetic Units" (ICLR 2020, arXiv 2001.05016).
//!
//! ```text
//! z_j = prod_i (W_ji * x_i + 1 - W_ji),   W in [0, 1]
//! R   = mean_ij min(|W_ij|, |1 - W_ij|)    (sparsity regularizer)
//! ```
//!
//! `W_ji = 1` selects `x_i`, `W_ji = 0` contributes the identity 1. It works
//! for negative, zero and small inputs (no logarithm, no eps) and cannot
//! divide. The gradients `dz_j/dW_ji = (x_i - 1) prod_{k != i}(...)` and
//! `dz_j/dx_i = W_ji prod_{k != i}(...)` come from the tape's `lerp_prod`
//! (the whole product as one operation), whose VJP uses prefix and suffix
//! products (never dividing by a factor, which may be exactly 0).
//!
//! Shapes: `x: [B, I]`, `W: [O, I]`, `z: [B, O]`. Initialisation
//! `U[0.25, 0.75]` (the reference code; the paper argues for `Var[W] = 1/4`).
//!
//! Constraint modes ([`NmuConstraint`]): `Project` (the default, "clip")
//! uses `W` as stored and projects the parameter into `[0, 1]` after every
//! step; `ClampInForward` (the "no W-clamp" ablation) uses `clamp(W, 0, 1)`
//! in the forward pass and never projects.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape, Tensor};

use super::common::{
    add_param, batch_size, check_sizes, nmu_product, project_into, unused_rng, weight_dims,
};
use super::init::fill_uniform;
use super::nau::clamp_f64;
use super::sparsity::{max_sparsity_error, nmu_regularizer};
use super::{NmuConstraint, Unit, UnitKind};

/// NMU: `z_j = prod_i (W_ji x_i + 1 - W_ji)`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{NmuConstraint, Nmu, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let mut rng = Rng::seed_from_u64(0);
/// let nmu = Nmu::new(&mut params, "mul", 3, 1, NmuConstraint::Project, &mut rng)?;
/// params.set(nmu.weight(), &[1.0, 0.0, 1.0])?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 3), vec![-3.0, 0.0, 4.0])?);
/// let z = nmu.apply(&mut tape, &params, x)?;
/// assert_eq!(tape.value(z)?, &[-12.0]);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Nmu {
    w: ParamId,
    constraint: NmuConstraint,
    inputs: usize,
    outputs: usize,
}

/// An [`Nmu`] layer's weight recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NmuWeights {
    /// `W` as stored (the regularizer's operand).
    pub stored: Var,
    /// The weight the forward uses: `W` itself, or `clamp(W, 0, 1)` in the
    /// `ClampInForward` mode.
    pub effective: Var,
}

impl Nmu {
    /// Adds `prefix.W` (`[O, I]`) and initialises it.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        constraint: NmuConstraint,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("nmu", inputs, outputs)?;
        let unit = Nmu {
            w: add_param(params, prefix, "W", Shape::matrix(outputs, inputs))?,
            constraint,
            inputs,
            outputs,
        };
        unit.init(params, rng)?;
        Ok(unit)
    }

    /// Adds `prefix.W` with the given value `w` (`[outputs, inputs]`).
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w: &Tensor<T>,
        constraint: NmuConstraint,
    ) -> Result<Self> {
        let (outputs, inputs) = weight_dims("Nmu::from_weights", w)?;
        let unit = Self::new(
            params,
            prefix,
            inputs,
            outputs,
            constraint,
            &mut unused_rng(),
        )?;
        params.set(unit.w, w.data())?;
        Ok(unit)
    }

    /// The weight `W`.
    pub fn weight(&self) -> ParamId {
        self.w
    }

    /// The constraint mode.
    pub fn constraint(&self) -> NmuConstraint {
        self.constraint
    }

    /// The weight the forward pass uses, in `f64`.
    pub fn effective_weight<T: Element>(&self, params: &ParamStore<T>) -> Result<Vec<f64>> {
        let w = params.value(self.w)?.iter().map(|w| w.to_f64_lossy());
        Ok(match self.constraint {
            NmuConstraint::Project => w.collect(),
            NmuConstraint::ClampInForward => w.map(|w| clamp_f64(w, 0.0, 1.0)).collect(),
        })
    }
}

impl Unit for Nmu {
    type Weights = NmuWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::Nmu(self.constraint)
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn param_ids(&self) -> Vec<ParamId> {
        vec![self.w]
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        fill_uniform(params.value_mut(self.w)?, rng, 0.25, 0.75);
        Ok(())
    }

    fn record<T: Element>(&self, tape: &mut Tape<T>, params: &ParamStore<T>) -> Result<NmuWeights> {
        let w = tape.param(params, self.w)?;
        let effective = match self.constraint {
            NmuConstraint::Project => w,
            NmuConstraint::ClampInForward => tape.clamp(w, T::zero(), T::one())?,
        };
        Ok(NmuWeights {
            stored: w,
            effective,
        })
    }

    fn forward<T: Element>(&self, tape: &mut Tape<T>, weights: &NmuWeights, x: Var) -> Result<Var> {
        batch_size(tape, "nmu", x, self.inputs)?;
        nmu_product(tape, x, weights.effective)
    }

    fn regularizer<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NmuWeights,
    ) -> Result<Option<Var>> {
        nmu_regularizer(tape, weights.stored).map(Some)
    }

    fn project<T: Element>(&self, params: &mut ParamStore<T>) -> Result<()> {
        if self.constraint == NmuConstraint::Project {
            project_into(params.value_mut(self.w)?, T::zero(), T::one());
        }
        Ok(())
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        Ok(max_sparsity_error(self.effective_weight(params)?))
    }
}
