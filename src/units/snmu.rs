//! sNMU, the stochastic NMU of Mistry, Farrahi & Hare, "A Primer for Neural
//! Arithmetic Logic Modules" (JMLR 2022).
//!
//! ```text
//! training:   z = NMU(x ⊙ n) / NMU(n),   n_bi ~ U[1, 5] (fresh every step)
//! evaluation: z = NMU(x)
//! NMU(x)_j = prod_i (W_ji x_i + 1 - W_ji),   W in [0, 1]
//! R = mean_ji min(|W_ji|, |1 - W_ji|)
//! ```
//!
//! Multiplying the inputs by noise and dividing the output by the noise's
//! own NMU leaves an ideal unit's output unchanged (`W` in `{0, 1}`), but
//! makes a unit with fractional weights pay for them, which pushes the
//! weights to `{0, 1}`. The noise comes from the training loop's noise
//! generator ([`TrainContext::noise`]), so it changes no other random number
//! of a run. Initialisation, projection and regularizer are the NMU's.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape};

use super::common::{add_param, batch_size, check_sizes, nmu_product, nmu_weight};
use super::rules::TrainContext;
use super::sparsity::nmu_regularizer;
use super::{Unit, UnitKind};

/// The range of the sNMU's multiplicative training noise.
pub const SNMU_NOISE: (f64, f64) = (1.0, 5.0);

/// sNMU: an NMU with multiplicative input noise in training.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{Snmu, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let u = Snmu::new(&mut params, "mul", 2, 1, &mut Rng::seed_from_u64(0))?;
/// params.set(u.weight(), &[1.0, 1.0])?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![-3.0, 4.0])?);
/// let z = u.apply(&mut tape, &params, x)?; // evaluation: the plain NMU
/// assert_eq!(tape.value(z)?, &[-12.0]);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Snmu {
    w: ParamId,
    inputs: usize,
    outputs: usize,
}

/// An [`Snmu`] layer's weight recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct SnmuWeights {
    /// `W` (`[O, I]`), used as stored (projected into `[0, 1]`).
    pub effective: Var,
}

impl Snmu {
    /// Adds `prefix.W` (`[O, I]`) and initialises it.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("snmu", inputs, outputs)?;
        let unit = Snmu {
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

    /// Records the training output for a given noise `n` (`[B, I]`):
    /// `NMU(x ⊙ n) / NMU(n)`.
    pub fn forward_with_noise<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &SnmuWeights,
        x: Var,
        noise: Var,
    ) -> Result<Var> {
        batch_size(tape, "snmu", x, self.inputs)?;
        let xn = tape.mul(x, noise)?;
        let top = nmu_product(tape, xn, weights.effective)?;
        let bottom = nmu_product(tape, noise, weights.effective)?;
        tape.div(top, bottom)
    }
}

impl Unit for Snmu {
    type Weights = SnmuWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::Snmu
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
    ) -> Result<SnmuWeights> {
        Ok(SnmuWeights {
            effective: tape.param(params, self.w)?,
        })
    }

    /// The evaluation output: the plain NMU.
    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &SnmuWeights,
        x: Var,
    ) -> Result<Var> {
        batch_size(tape, "snmu", x, self.inputs)?;
        nmu_product(tape, x, weights.effective)
    }

    /// The training output, with fresh noise `U[1, 5]` from `ctx.noise`.
    fn forward_train<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &SnmuWeights,
        x: Var,
        ctx: &mut TrainContext<'_>,
    ) -> Result<Var> {
        let shape = tape.shape(x)?;
        let (lo, hi) = SNMU_NOISE;
        let noise = tape.constant_with(shape, |n| {
            for v in n {
                *v = T::from_f64_lossy(ctx.noise.uniform(lo, hi));
            }
        });
        self.forward_with_noise(tape, weights, x, noise)
    }

    fn regularizer<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &SnmuWeights,
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

impl Snmu {
    /// Adds `prefix.W` with the given value instead of a random one:
    /// `[outputs, inputs]`. It is stored as given (training projects it into
    /// `[0, 1]` after each step). A weight of another shape is an error naming
    /// its shape, and adds no parameter.
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w: &crate::tensor::Tensor<T>,
    ) -> Result<Self> {
        use super::common::{unused_rng, weight_dims};
        let (outputs, inputs) = weight_dims("Snmu::from_weights", w)?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.w, w.data())?;
        Ok(unit)
    }
}
