//! NRU, the neural reciprocal unit of Mistry, Farrahi & Hare, "Learning
//! Division with Neural Arithmetic Logic Modules" (arXiv 2110.05177, 2021)
//! and "A Primer for Neural Arithmetic Logic Modules" (JMLR 2022).
//!
//! ```text
//! z_j = prod_i (sign(x_i) |x_i|^{W_ji} A_ji + 1 - A_ji),   W in [-1, 1]
//! A   = tanh(1000 W)^2 in training,  |W| at evaluation
//! R   = mean_ji min(|W_ji|, 1 - |W_ji|)                   (NAU sparsity regularizer)
//! ```
//!
//! `W_ji = 1` selects `x_i`, `-1` its reciprocal, `0` the identity 1, so
//! `W = [1, -1]` gives `x1 / x2`. `|x|^W` is `exp(W ln max(|x|, 1e-7))`
//! (the floor of [`Tape::log_abs`]), exact for `|x| >= 1e-7`. In training the selection
//! `A` is a steep smooth version of `|W|` (already 0.76 at `|W| = 0.001`),
//! so that a small weight still passes a gradient to its exponent; at
//! evaluation `A = |W|`, which agrees with it at `W` in `{-1, 0, 1}`.
//! Shapes: `x: [B, I]`, `W: [O, I]`, `z: [B, O]`; the product is one
//! [`Tape::signed_power_product`] node. Initialisation and projection are the NAU's
//! (`U[-r, r]`, `r = min(0.5, sqrt(6 / (I + O)))`; projected into `[-1, 1]`).

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape};

use super::common::{add_param, batch_size, check_sizes, project_into};
use super::init::{fill_uniform, nau_radius};
use super::rules::TrainContext;
use super::sparsity::{max_sparsity_error, nau_regularizer};
use super::{Unit, UnitKind};

/// The floor of `|x|` in the NRU's logarithm.
pub const NRU_LOG_FLOOR: f64 = 1e-7;

/// The steepness of the NRU's training-time selection `tanh(k W)^2`.
pub const NRU_SELECTION_STEEPNESS: f64 = 1000.0;

/// NRU: `z_j = prod_i (sign(x_i) |x_i|^{W_ji} A_ji + 1 - A_ji)`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{Nru, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let u = Nru::new(&mut params, "div", 2, 1, &mut Rng::seed_from_u64(0))?;
/// params.set(u.weight(), &[1.0, -1.0])?; // x1 / x2
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![-3.0, 4.0])?);
/// let z = u.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] + 0.75).abs() < 1e-15);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Nru {
    w: ParamId,
    inputs: usize,
    outputs: usize,
}

/// An [`Nru`] layer's weight recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NruWeights {
    /// `W` (`[O, I]`), used as stored (projected into `[-1, 1]`).
    pub effective: Var,
}

impl Nru {
    /// Adds `prefix.W` (`[O, I]`) and initialises it.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("nru", inputs, outputs)?;
        let unit = Nru {
            w: add_param(params, prefix, "W", Shape::matrix(outputs, inputs))?,
            inputs,
            outputs,
        };
        unit.init(params, rng)?;
        Ok(unit)
    }

    /// The weight `W`.
    pub fn weight(&self) -> ParamId {
        self.w
    }

    /// Records the output with the selection `a` (`[O, I]`): one fused
    /// [`Tape::signed_power_product`] node (with its saved constant).
    fn output<T: Element>(&self, tape: &mut Tape<T>, w: Var, a: Var, x: Var) -> Result<Var> {
        batch_size(tape, "nru", x, self.inputs)?;
        tape.signed_power_product(x, w, a, T::from_f64_lossy(NRU_LOG_FLOOR))
    }
}

impl Unit for Nru {
    type Weights = NruWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::Nru
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
        let r = nau_radius(self.inputs, self.outputs);
        fill_uniform(params.value_mut(self.w)?, rng, -r, r);
        Ok(())
    }

    fn record<T: Element>(&self, tape: &mut Tape<T>, params: &ParamStore<T>) -> Result<NruWeights> {
        Ok(NruWeights {
            effective: tape.param(params, self.w)?,
        })
    }

    /// The evaluation output: `A = |W|`.
    fn forward<T: Element>(&self, tape: &mut Tape<T>, weights: &NruWeights, x: Var) -> Result<Var> {
        let a = tape.abs(weights.effective)?;
        self.output(tape, weights.effective, a, x)
    }

    /// The training output: `A = tanh(1000 W)^2`.
    fn forward_train<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NruWeights,
        x: Var,
        _ctx: &mut TrainContext<'_>,
    ) -> Result<Var> {
        let steep = tape.mul_scalar(
            weights.effective,
            T::from_f64_lossy(NRU_SELECTION_STEEPNESS),
        )?;
        let t = tape.tanh(steep)?;
        let a = tape.square(t)?;
        self.output(tape, weights.effective, a, x)
    }

    fn regularizer<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NruWeights,
    ) -> Result<Option<Var>> {
        nau_regularizer(tape, weights.effective).map(Some)
    }

    fn project<T: Element>(&self, params: &mut ParamStore<T>) -> Result<()> {
        project_into(params.value_mut(self.w)?, -T::one(), T::one());
        Ok(())
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        Ok(max_sparsity_error(
            params.value(self.w)?.iter().map(|w| w.to_f64_lossy()),
        ))
    }
}

impl Nru {
    /// Adds `prefix.W` with the given value instead of a random one:
    /// `[outputs, inputs]`. It is stored as given (training projects it into
    /// `[-1, 1]` after each step). A weight of another shape is an error naming
    /// its shape, and adds no parameter.
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w: &crate::tensor::Tensor<T>,
    ) -> Result<Self> {
        use super::common::{unused_rng, weight_dims};
        let (outputs, inputs) = weight_dims("Nru::from_weights", w)?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.w, w.data())?;
        Ok(unit)
    }
}
