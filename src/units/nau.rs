//! NAU, the neural addition unit of Madsen & Johansen, "Neural Arithmetic
//! Units" (ICLR 2020, arXiv 2001.05016).
//!
//! ```text
//! z = clamp(W, -1, 1) x
//! R = mean_ij min(|W_ij|, 1 - |W_ij|)        (sparsity regularizer)
//! ```
//!
//! Shapes: `x: [B, I]`, `W: [O, I]`, `z: [B, O]`. `W` is kept in `[-1, 1]`
//! twice over: clamped in the forward pass, and the stored parameter is
//! projected into `[-1, 1]` after every optimizer step
//! ([`Unit::project`]). Initialisation `U[-r, r]`,
//! `r = min(0.5, sqrt(6 / (I + O)))`.
//!
//! The "no W-clamp" ablation's NAU ([`Nau::unprojected`],
//! `nau-no-w-clamp`) skips the projection; its weights can then leave
//! `[-1, 1]`, where the forward clamp has zero gradient, and its regularizer
//! is the reference's `mean_ij min(|W_ij|, |1 - |W_ij||)`, which pulls them
//! back to `±1`.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape, Tensor};

use super::common::{add_param, batch_size, check_sizes, project_into, unused_rng, weight_dims};
use super::init::{fill_uniform, nau_radius};
use super::sparsity::{max_sparsity_error, nau_regularizer, nau_regularizer_unprojected};
use super::{Unit, UnitKind};

/// NAU: `z = clamp(W, -1, 1) x`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{Nau, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let nau = Nau::new(&mut params, "add", 3, 2, &mut Rng::seed_from_u64(0))?;
/// params.set(nau.weight(), &[1.0, 1.0, 0.0, /* */ 1.0, 0.0, -1.0])?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 3), vec![2.0, 3.0, 5.0])?);
/// let z = nau.apply(&mut tape, &params, x)?;
/// assert_eq!(tape.value(z)?, &[5.0, -3.0]); // x1 + x2, x1 - x3
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Nau {
    w: ParamId,
    inputs: usize,
    outputs: usize,
    /// Whether the stored `W` is projected into `[-1, 1]` after every step
    /// (the default; `false` for the "no W-clamp" ablation).
    projected: bool,
}

/// A [`Nau`] layer's weight recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct NauWeights {
    /// `W` as stored (the regularizer's operand).
    pub stored: Var,
    /// `clamp(W, -1, 1)`, the weight the forward uses.
    pub effective: Var,
}

impl Nau {
    /// Adds `prefix.W` (`[O, I]`) and initialises it.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("nau", inputs, outputs)?;
        let unit = Nau {
            w: add_param(params, prefix, "W", Shape::matrix(outputs, inputs))?,
            inputs,
            outputs,
            projected: true,
        };
        unit.init(params, rng)?;
        Ok(unit)
    }

    /// Adds `prefix.W` with the given value `w` (`[outputs, inputs]`).
    ///
    /// ```
    /// use arithgrad::units::{Nau, Unit};
    /// use arithgrad::{Error, ParamStore, Shape, Tape, Tensor};
    /// let mut params = ParamStore::<f64>::new();
    /// let w = Tensor::from_vec(Shape::matrix(1, 2), vec![1.0, -1.0])?;
    /// let nau = Nau::from_weights(&mut params, "sub", &w)?;
    /// let mut tape = Tape::new();
    /// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![5.0, 3.0])?);
    /// let y = nau.apply(&mut tape, &params, x)?;
    /// assert_eq!(tape.value(y)?, &[2.0]);
    /// let bad = Tensor::<f64>::zeros(Shape::vector(2));
    /// assert!(matches!(
    ///     Nau::from_weights(&mut params, "bad", &bad),
    ///     Err(Error::InvalidShape { op: "Nau::from_weights", .. })
    /// ));
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w: &Tensor<T>,
    ) -> Result<Self> {
        let (outputs, inputs) = weight_dims("Nau::from_weights", w)?;
        let unit = Self::new(params, prefix, inputs, outputs, &mut unused_rng())?;
        params.set(unit.w, w.data())?;
        Ok(unit)
    }

    /// As [`Nau::new`], for the "no W-clamp" ablation
    /// ([`UnitKind::NauNoWClamp`]): the forward pass still clamps, but `W`
    /// is never projected, and the regularizer is the reference's
    /// `mean(min(|W|, |1 - |W||))`.
    pub fn unprojected<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut Rng,
    ) -> Result<Self> {
        let mut unit = Nau::new(params, prefix, inputs, outputs, rng)?;
        unit.projected = false;
        Ok(unit)
    }

    /// Whether `W` is projected into `[-1, 1]` after every step.
    pub fn is_projected(&self) -> bool {
        self.projected
    }

    /// The weight `W`.
    pub fn weight(&self) -> ParamId {
        self.w
    }

    /// The weight the forward pass uses, `clamp(W, -1, 1)`, in `f64`.
    pub fn effective_weight<T: Element>(&self, params: &ParamStore<T>) -> Result<Vec<f64>> {
        Ok(params
            .value(self.w)?
            .iter()
            .map(|w| clamp_f64(w.to_f64_lossy(), -1.0, 1.0))
            .collect())
    }
}

/// `clamp` that keeps NaN (so a diverged weight is reported, not hidden).
pub(crate) fn clamp_f64(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

impl Unit for Nau {
    type Weights = NauWeights;

    fn kind(&self) -> UnitKind {
        if self.projected {
            UnitKind::Nau
        } else {
            UnitKind::NauNoWClamp
        }
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

    fn record<T: Element>(&self, tape: &mut Tape<T>, params: &ParamStore<T>) -> Result<NauWeights> {
        let w = tape.param(params, self.w)?;
        let effective = tape.clamp(w, -T::one(), T::one())?;
        Ok(NauWeights {
            stored: w,
            effective,
        })
    }

    fn forward<T: Element>(&self, tape: &mut Tape<T>, weights: &NauWeights, x: Var) -> Result<Var> {
        batch_size(tape, "nau", x, self.inputs)?;
        tape.matmul_nt(x, weights.effective)
    }

    fn regularizer<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &NauWeights,
    ) -> Result<Option<Var>> {
        if self.projected {
            nau_regularizer(tape, weights.stored).map(Some)
        } else {
            nau_regularizer_unprojected(tape, weights.stored).map(Some)
        }
    }

    fn project<T: Element>(&self, params: &mut ParamStore<T>) -> Result<()> {
        if self.projected {
            project_into(params.value_mut(self.w)?, -T::one(), T::one());
        }
        Ok(())
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        Ok(max_sparsity_error(self.effective_weight(params)?))
    }
}
