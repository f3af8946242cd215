//! NAC*,NMU: the log-space NAC* with an NMU-style weight, a variant studied
//! in Madsen & Johansen, "Neural Arithmetic Units" (ICLR 2020,
//! arXiv 2001.05016) to separate the effect of the NMU's weight handling from
//! that of its product form.
//!
//! ```text
//! z_j = exp( sum_i W_ji * log(|x_i| + eps) ),  eps = 1e-7,  W in [0, 1]
//! ```
//!
//! `W` is the parameter itself (linear, no transform); it is projected into
//! `[0, 1]` after every optimizer step. Shapes: `x: [B, I]`, `W: [O, I]`,
//! `z: [B, O]`. Initialisation `U[0.25, 0.75]`. Regularizer: the NMU's,
//! `R = mean(min(|W|, |1 - W|))`.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape, Tensor};

use super::common::{
    add_param, batch_size, check_sizes, log_space, nmu_weight, unused_rng, weight_dims,
};
use super::sparsity::nmu_regularizer;
use super::{Unit, UnitKind};

/// NAC*,NMU: `z = exp(W log(|x| + eps))` with `W` kept in `[0, 1]`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{NacMulNmu, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let nac = NacMulNmu::new(&mut params, "m", 3, 1, &mut Rng::seed_from_u64(0))?;
/// params.set(nac.weight(), &[1.0, 0.0, 1.0])?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 3), vec![3.0, 9.0, 4.0])?);
/// let z = nac.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] - 12.0).abs() < 1e-5);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NacMulNmu {
    w: ParamId,
    inputs: usize,
    outputs: usize,
}

/// A [`NacMulNmu`] layer's weight recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NacMulNmuWeights {
    /// `W` as stored, `[O, I]`: the forward and the regularizer both use
    /// it, so there is no separate `stored` field.
    pub effective: Var,
}

impl NacMulNmu {
    /// Adds `prefix.W` (`[O, I]`) and initialises it.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("nac-mul-nmu", inputs, outputs)?;
        let unit = NacMulNmu {
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

    /// Adds `prefix.W` with the given value `w` (`[outputs, inputs]`).
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w: &Tensor<T>,
    ) -> Result<Self> {
        let (outputs, inputs) = weight_dims("NacMulNmu::from_weights", w)?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.w, w.data())?;
        Ok(unit)
    }
}

impl Unit for NacMulNmu {
    type Weights = NacMulNmuWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::NacMulNmu
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
    ) -> Result<NacMulNmuWeights> {
        Ok(NacMulNmuWeights {
            effective: tape.param(params, self.w)?,
        })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NacMulNmuWeights,
        x: Var,
    ) -> Result<Var> {
        batch_size(tape, "nac-mul-nmu", x, self.inputs)?;
        log_space(tape, x, weights.effective)
    }

    fn regularizer<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NacMulNmuWeights,
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
