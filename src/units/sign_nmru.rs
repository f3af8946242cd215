//! sign-NMRU, the sign-retrieving NMRU of Mistry, Farrahi & Hare, "A Primer
//! for Neural Arithmetic Logic Modules" (JMLR 2022).
//!
//! ```text
//! x_tilde = [x, 1 / (x + eps)]                                  ([B, 2I])
//! k       = [x_tilde < 0]                                        (0 or 1)
//! z_j     = prod_k (W_jk |x_tilde_k| + 1 - W_jk) * cos(pi (k Wᵀ)_j)
//! R       = mean_jk min(|W_jk|, |1 - W_jk|)
//! ```
//!
//! The magnitude comes from an NMU on `|x_tilde|`, the sign from
//! `cos(pi * number of selected negative inputs)` ([`Tape::cos_pi`]: exactly
//! `+-1` for integer sums). `eps`, learning rate, clipping, initialisation
//! and projection are the [`super::Nmru`]'s. At `x_tilde = 0` the gradient of
//! `|x_tilde|` is a kink, so gradient checks keep inputs away from 0.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape};

use super::common::{add_param, batch_size, check_sizes, nmu_product, nmu_weight};
use super::nmru::{with_reciprocals, RECIPROCAL_TRAIN_EPS};
use super::rules::TrainContext;
use super::sparsity::nmu_regularizer;
use super::{Unit, UnitKind};

/// sign-NMRU: `|x_tilde|` through an NMU, times `cos(pi k Wᵀ)`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{SignNmru, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let u = SignNmru::new(&mut params, "div", 2, 1, &mut Rng::seed_from_u64(0))?;
/// params.set(u.weight(), &[1.0, 0.0, 0.0, 1.0])?; // x1 / x2
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(2, 2), vec![-3.0, 4.0, -1.0, -8.0])?);
/// let z = u.apply(&mut tape, &params, x)?;
/// assert_eq!(tape.value(z)?, &[-0.75, 0.125]);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SignNmru {
    w: ParamId,
    inputs: usize,
    outputs: usize,
}

/// A [`SignNmru`] layer's weight recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct SignNmruWeights {
    /// `W` (`[O, 2I]`), used as stored (projected into `[0, 1]`).
    pub effective: Var,
}

impl SignNmru {
    /// Adds `prefix.W` (`[O, 2I]`) and initialises it.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("sign-nmru", inputs, outputs)?;
        let unit = SignNmru {
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
        weights: &SignNmruWeights,
        x: Var,
        eps: f64,
    ) -> Result<Var> {
        batch_size(tape, "sign-nmru", x, self.inputs)?;
        let xt = with_reciprocals(tape, x, eps)?;
        let magnitude = tape.abs(xt)?;
        let m = nmu_product(tape, magnitude, weights.effective)?;
        let k = tape.is_negative(xt)?;
        let s = tape.matmul_nt(k, weights.effective)?;
        let sign = tape.cos_pi(s)?;
        tape.mul(m, sign)
    }
}

impl Unit for SignNmru {
    type Weights = SignNmruWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::SignNmru
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
    ) -> Result<SignNmruWeights> {
        Ok(SignNmruWeights {
            effective: tape.param(params, self.w)?,
        })
    }

    /// The evaluation output: `eps = 0`.
    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &SignNmruWeights,
        x: Var,
    ) -> Result<Var> {
        self.output(tape, weights, x, 0.0)
    }

    /// The training output: `eps` = `f32` machine epsilon.
    fn forward_train<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &SignNmruWeights,
        x: Var,
        _ctx: &mut TrainContext<'_>,
    ) -> Result<Var> {
        self.output(tape, weights, x, RECIPROCAL_TRAIN_EPS)
    }

    fn regularizer<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &SignNmruWeights,
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

impl SignNmru {
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
        let (outputs, inputs) = reciprocal_weight_dims("SignNmru::from_weights", w)?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.w, w.data())?;
        Ok(unit)
    }
}
