//! NMRU, the neural multiplicative reciprocal unit of Mistry, Farrahi &
//! Hare, "Learning Division with Neural Arithmetic Logic Modules"
//! (arXiv 2110.05177, 2021) and "A Primer for Neural Arithmetic Logic
//! Modules" (JMLR 2022).
//!
//! ```text
//! x_tilde = [x, 1 / (x + eps)]                      ([B, 2I])
//! z_j     = prod_k (W_jk x_tilde_k + 1 - W_jk),      W in [0, 1]   ([O, 2I])
//! R       = mean_jk min(|W_jk|, |1 - W_jk|)          (NMU sparsity regularizer)
//! ```
//!
//! An NMU over the inputs and their reciprocals: `W = [1, 0, 0, 1]` gives
//! `x1 / x2`. `eps` is the `f32` machine epsilon in training and 0 at
//! evaluation ([`Unit::forward_train`] vs [`Unit::forward`]). The unit asks
//! for Adam with learning rate 1e-2 and gradient-norm clipping at 1.0
//! ([`training_rules`]). Initialisation and projection are the NMU's
//! (`U[0.25, 0.75]`, projected into `[0, 1]` after every step).

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape};

use super::common::{add_param, batch_size, check_sizes, nmu_product, nmu_weight};
use super::rules::{GradClip, TrainContext, TrainingRules};
use super::sparsity::nmu_regularizer;
use super::{Unit, UnitKind};

/// The training-time `eps` of the reciprocal units: `f32` machine epsilon.
pub const RECIPROCAL_TRAIN_EPS: f64 = f32::EPSILON as f64;

/// What the NMRU and the sign-NMRU ask of the training loop: Adam with
/// learning rate 1e-2 and gradient-norm clipping at 1.0.
pub fn training_rules() -> TrainingRules {
    TrainingRules {
        learning_rate: Some(1e-2),
        grad_clip: GradClip::Norm(1.0),
        ..TrainingRules::NONE
    }
}

/// Records `[x, 1 / (x + eps)]` (`[B, 2I]`); `eps = 0` records `1 / x`.
pub(crate) fn with_reciprocals<T: Element>(tape: &mut Tape<T>, x: Var, eps: f64) -> Result<Var> {
    let shifted = if eps == 0.0 {
        x
    } else {
        tape.add_scalar(x, T::from_f64_lossy(eps))?
    };
    // 1 / v as a division of a constant one (correctly rounded, and much
    // cheaper than powf(v, -1)).
    let shape = tape.shape(x)?;
    let ones = tape.constant_with(shape, |o| o.fill(T::one()));
    let r = tape.div(ones, shifted)?;
    tape.concat_cols(x, r)
}

/// NMRU: an NMU over `[x, 1 / (x + eps)]`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{Nmru, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let u = Nmru::new(&mut params, "div", 2, 1, &mut Rng::seed_from_u64(0))?;
/// params.set(u.weight(), &[1.0, 0.0, 0.0, 1.0])?; // x1 * (1 / x2)
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![-3.0, 4.0])?);
/// let z = u.apply(&mut tape, &params, x)?;
/// assert_eq!(tape.value(z)?, &[-0.75]);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Nmru {
    w: ParamId,
    inputs: usize,
    outputs: usize,
}

/// An [`Nmru`] layer's weight recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NmruWeights {
    /// `W` (`[O, 2I]`), used as stored (projected into `[0, 1]`).
    pub effective: Var,
}

impl Nmru {
    /// Adds `prefix.W` (`[O, 2I]`) and initialises it.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("nmru", inputs, outputs)?;
        let unit = Nmru {
            w: add_param(params, prefix, "W", Shape::matrix(outputs, 2 * inputs))?,
            inputs,
            outputs,
        };
        unit.init(params, rng)?;
        Ok(unit)
    }

    /// The weight `W` (`[O, 2I]`: inputs first, then their reciprocals).
    pub fn weight(&self) -> ParamId {
        self.w
    }

    fn output<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NmruWeights,
        x: Var,
        eps: f64,
    ) -> Result<Var> {
        batch_size(tape, "nmru", x, self.inputs)?;
        let xt = with_reciprocals(tape, x, eps)?;
        nmu_product(tape, xt, weights.effective)
    }
}

impl Unit for Nmru {
    type Weights = NmruWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::Nmru
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
        nmu_weight::init(params, self.w, rng)
    }

    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<NmruWeights> {
        Ok(NmruWeights {
            effective: tape.param(params, self.w)?,
        })
    }

    /// The evaluation output: `eps = 0`.
    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NmruWeights,
        x: Var,
    ) -> Result<Var> {
        self.output(tape, weights, x, 0.0)
    }

    /// The training output: `eps` = `f32` machine epsilon.
    fn forward_train<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NmruWeights,
        x: Var,
        _ctx: &mut TrainContext<'_>,
    ) -> Result<Var> {
        self.output(tape, weights, x, RECIPROCAL_TRAIN_EPS)
    }

    fn regularizer<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NmruWeights,
    ) -> Result<Option<Var>> {
        nmu_regularizer(tape, weights.effective).map(Some)
    }

    fn project<T: Element>(&self, params: &mut ParamStore<T>) -> Result<()> {
        nmu_weight::project(params, self.w)
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        nmu_weight::sparsity_error(params, self.w)
    }
}

impl Nmru {
    /// Adds `prefix.W` with the given value instead of a random one:
    /// `[outputs, 2 * inputs]`, a column per input, then one per
    /// reciprocal. It is stored as given (training projects it into
    /// `[0, 1]` after each step). A weight of another shape is an error naming
    /// its shape, and adds no parameter.
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w: &crate::tensor::Tensor<T>,
    ) -> Result<Self> {
        use super::common::{reciprocal_weight_dims, unused_rng};
        let (outputs, inputs) = reciprocal_weight_dims("Nmru::from_weights", w)?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.w, w.data())?;
        Ok(unit)
    }
}
