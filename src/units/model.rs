//! The two-layer networks of the protocol's model table (`n -> hidden -> 1`),
//! built by name or from any pair of unit kinds.
//!
//! | name | layer 1 | layer 2 |
//! |---|---|---|
//! | `nmu` | NAU | NMU |
//! | `nau` | NAU | NAU |
//! | `nac-mul` | NAC+ | NAC* |
//! | `nac-mul-sigma` | NAC+ | NAC*,sigma |
//! | `nac-mul-nmu` | NAU | NAC*,NMU |
//! | `nac-add` | NAC+ | NAC+ |
//! | `nalu` | NALU | NALU (shared weights) |
//! | `gated-nau-nmu` | gated | gated |
//! | `linear` / `relu` / `relu6` | linear / ReLU / ReLU6 with bias | linear with bias |
//! | `nru` / `nmru` / `sign-nmru` / `snmu` | NAU | NRU / NMRU / sign-NMRU / sNMU |
//!
//! Every parameter lives in one [`ParamStore`] owned by the [`Model`], named
//! `layer1.*` and `layer2.*`.
//!
//! A spec with hidden size 0 ([`ModelSpec::single`]) is the single-layer
//! model of the single-module benchmark: one unit `inputs -> outputs`, no
//! hidden layer, its parameters named `unit.*`.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamStore, Tape, Var};
use crate::tensor::{Element, Tensor};

use super::common::mean_of;
use super::{Layer, LayerWeights, LossHistory, ModelSpec, TrainContext, Unit};

/// The stream of [`Rng::stream`] that [`Model::from_seed`] draws initial
/// weights from (other consumers of a run's seed must use other streams).
pub const MODEL_INIT_STREAM: u64 = 0x494E_4954; // "INIT"

/// A two-layer network and its parameters.
///
/// ```
/// use arithgrad::units::{Model, ModelKind};
/// use arithgrad::{Shape, Tape, Tensor};
/// let mut model = Model::<f64>::from_seed(ModelKind::Nmu.spec(4, 2), 7)?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::full(Shape::matrix(3, 4), 1.5));
/// let w = model.record_weights(&mut tape)?; // once per step
/// let y = model.forward(&mut tape, &w, x)?;
/// let r = model.regularizer(&mut tape, &w)?.expect("NAU and NMU have regularizers");
/// assert_eq!(tape.shape(y)?, Shape::matrix(3, 1));
/// assert_eq!(tape.shape(r)?, Shape::scalar());
/// model.project()?; // after an optimizer step
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Model<T: Element> {
    spec: ModelSpec,
    /// `None` in a single-layer model.
    layer1: Option<Layer>,
    /// The output layer (the only one of a single-layer model).
    layer2: Layer,
    params: ParamStore<T>,
}

/// Both layers' weights recorded on a tape for one step (`layer1` is `None`
/// in a single-layer model).
#[derive(Clone, Copy, Debug)]
pub struct ModelWeights {
    pub layer1: Option<LayerWeights>,
    pub layer2: LayerWeights,
}

impl<T: Element> Model<T> {
    /// Builds the model and draws its initial weights from `rng` (layer 1's
    /// parameters first, each in its unit's fixed order).
    pub fn new(spec: ModelSpec, rng: &mut Rng) -> Result<Self> {
        spec.validate()?;
        let mut params = ParamStore::new();
        if spec.is_single() {
            let unit = Layer::new(
                spec.layer2,
                &mut params,
                "unit",
                spec.inputs,
                spec.outputs,
                rng,
            )?;
            return Ok(Model {
                spec,
                layer1: None,
                layer2: unit,
                params,
            });
        }
        let layer1 = Some(Layer::new(
            spec.layer1,
            &mut params,
            "layer1",
            spec.inputs,
            spec.hidden,
            rng,
        )?);
        let layer2 = Layer::new(
            spec.layer2,
            &mut params,
            "layer2",
            spec.hidden,
            spec.outputs,
            rng,
        )?;
        Ok(Model {
            spec,
            layer1,
            layer2,
            params,
        })
    }

    /// Builds the model with initial weights from stream
    /// [`MODEL_INIT_STREAM`] of `seed`: the same seed gives bit-identical
    /// weights.
    pub fn from_seed(spec: ModelSpec, seed: u64) -> Result<Self> {
        Self::new(spec, &mut Rng::stream(seed, MODEL_INIT_STREAM))
    }

    /// The model's spec.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// The first layer (`None` in a single-layer model).
    pub fn layer1(&self) -> Option<&Layer> {
        self.layer1.as_ref()
    }

    /// The second (output) layer; the only unit of a single-layer model.
    pub fn layer2(&self) -> &Layer {
        &self.layer2
    }

    /// Every parameter (for optimizers and saving).
    pub fn params(&self) -> &ParamStore<T> {
        &self.params
    }

    /// Every parameter, mutable (for optimizer steps and hand-set weights).
    pub fn params_mut(&mut self) -> &mut ParamStore<T> {
        &mut self.params
    }

    /// Draws fresh initial weights from `rng`, as [`Model::new`] does.
    pub fn init(&mut self, rng: &mut Rng) -> Result<()> {
        if let Some(l1) = &self.layer1 {
            l1.init(&mut self.params, rng)?;
        }
        self.layer2.init(&mut self.params, rng)
    }

    /// Records both layers' weights for one step; pass the result to
    /// [`Model::forward`] and [`Model::regularizer`].
    pub fn record_weights(&self, tape: &mut Tape<T>) -> Result<ModelWeights> {
        Ok(ModelWeights {
            layer1: match &self.layer1 {
                Some(l1) => Some(l1.record(tape, &self.params)?),
                None => None,
            },
            layer2: self.layer2.record(tape, &self.params)?,
        })
    }

    /// Records the output `[B, outputs]` for an input `x: [B, inputs]`.
    pub fn forward(&self, tape: &mut Tape<T>, weights: &ModelWeights, x: Var) -> Result<Var> {
        let h = match (&self.layer1, &weights.layer1) {
            (Some(l1), Some(w1)) => l1.forward(tape, w1, x)?,
            (None, None) => x,
            _ => return Err(layer_count_mismatch()),
        };
        self.layer2.forward(tape, &weights.layer2, h)
    }

    /// Records the output in a training step: each layer's
    /// [`Unit::forward_train`] (the same as [`Model::forward`] for every unit
    /// without a train/eval switch).
    pub fn forward_train(
        &self,
        tape: &mut Tape<T>,
        weights: &ModelWeights,
        x: Var,
        ctx: &mut TrainContext<'_>,
    ) -> Result<Var> {
        let h = match (&self.layer1, &weights.layer1) {
            (Some(l1), Some(w1)) => l1.forward_train(tape, w1, x, ctx)?,
            (None, None) => x,
            _ => return Err(layer_count_mismatch()),
        };
        self.layer2.forward_train(tape, &weights.layer2, h, ctx)
    }

    /// Records the sum over layers of each layer's unweighted extra loss
    /// term ([`Unit::penalty`]), or `None` if no layer has one.
    pub fn penalty(&self, tape: &mut Tape<T>, weights: &ModelWeights) -> Result<Option<Var>> {
        let p1 = match (&self.layer1, &weights.layer1) {
            (Some(l1), Some(w1)) => l1.penalty(tape, w1)?,
            _ => None,
        };
        let p2 = self.layer2.penalty(tape, &weights.layer2)?;
        match (p1, p2) {
            (Some(a), Some(b)) => tape.add(a, b).map(Some),
            (a, b) => Ok(a.or(b)),
        }
    }

    /// Asks each layer whether to reinitialise from the loss `history`
    /// ([`Unit::reinit`]); `true` if any did.
    pub fn reinit(&mut self, history: &LossHistory, rng: &mut Rng) -> Result<bool> {
        let a = match &self.layer1 {
            Some(l1) => l1.reinit(&mut self.params, history, rng)?,
            None => false,
        };
        let b = self.layer2.reinit(&mut self.params, history, rng)?;
        Ok(a || b)
    }

    /// Records the sum over layers of each layer's mean regularizer `R`
    /// (a scalar), or `None` if no layer has one.
    pub fn regularizer(&self, tape: &mut Tape<T>, weights: &ModelWeights) -> Result<Option<Var>> {
        let r1 = match (&self.layer1, &weights.layer1) {
            (Some(l1), Some(w1)) => l1.regularizer(tape, w1)?,
            _ => None,
        };
        let r2 = self.layer2.regularizer(tape, &weights.layer2)?;
        match (r1, r2) {
            (Some(a), Some(b)) => tape.add(a, b).map(Some),
            (a, b) => Ok(a.or(b)),
        }
    }

    /// Records the training loss of the paper's protocol for an output `y`
    /// and a target of the same shape: `MSE(y, target) + lambda * R` (the
    /// regularizer term only when `lambda > 0` and a layer has one). The
    /// trainer ([`crate::experiment::Trainer::step`]) builds its loss from
    /// the same two halves ([`Tape::mse`], then the regularizer term), so
    /// its loss is this one bit for bit, plus a unit's extra term where a
    /// unit asks for one.
    ///
    /// ```
    /// use arithgrad::units::{Model, ModelKind};
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let model = Model::<f64>::from_seed(ModelKind::Nau.spec(2, 1), 0)?;
    /// let mut tape = Tape::new();
    /// let x = tape.constant(&Tensor::full(Shape::matrix(4, 2), 1.0));
    /// let t = tape.constant(&Tensor::full(Shape::matrix(4, 1), 2.0));
    /// let w = model.record_weights(&mut tape)?;
    /// let y = model.forward(&mut tape, &w, x)?;
    /// let loss = model.loss(&mut tape, &w, y, t, 0.1)?;
    /// tape.backward(loss)?;
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn loss(
        &self,
        tape: &mut Tape<T>,
        weights: &ModelWeights,
        y: Var,
        target: Var,
        lambda: f64,
    ) -> Result<Var> {
        let mse = tape.mse(y, target)?;
        self.add_regularizer(tape, weights, mse, lambda)
    }

    /// Records `loss + lambda * R` (just `loss` when `lambda <= 0` or no
    /// layer has a regularizer): the second half of [`Model::loss`], which
    /// the trainer calls on its own between the two halves, because a
    /// unit's penalty weight may depend on the batch MSE.
    pub(crate) fn add_regularizer(
        &self,
        tape: &mut Tape<T>,
        weights: &ModelWeights,
        loss: Var,
        lambda: f64,
    ) -> Result<Var> {
        if lambda > 0.0 {
            if let Some(r) = self.regularizer(tape, weights)? {
                let scaled = tape.mul_scalar(r, T::from_f64_lossy(lambda))?;
                return tape.add(loss, scaled);
            }
        }
        Ok(loss)
    }

    /// Projects constrained weights back into their intervals; call after
    /// every optimizer step.
    pub fn project(&mut self) -> Result<()> {
        if let Some(l1) = &self.layer1 {
            l1.project(&mut self.params)?;
        }
        self.layer2.project(&mut self.params)
    }

    /// The model's sparsity error: the largest `min(|W|, |1 - |W||)` over
    /// every weight the layers use (NAC weights after their transform; gates
    /// and biases excluded). NaN if any weight is NaN.
    pub fn sparsity_error(&self) -> Result<f64> {
        let a = match &self.layer1 {
            Some(l1) => l1.sparsity_error(&self.params)?,
            None => 0.0,
        };
        let b = self.layer2.sparsity_error(&self.params)?;
        Ok(if a.is_nan() || b.is_nan() {
            f64::NAN
        } else {
            a.max(b)
        })
    }

    /// The output for a batch `x: [B, inputs]`, on a private tape (for
    /// evaluation and examples; a training loop should reuse its tape).
    pub fn predict(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
        let mut tape = Tape::new();
        let xv = tape.constant(x);
        let w = self.record_weights(&mut tape)?;
        let y = self.forward(&mut tape, &w, xv)?;
        tape.tensor(y)
    }

    /// The mean gate value of each layer over the batch `x` (`None` for a
    /// layer without a gate): near 1 the NALU uses its NAC+ and the gated
    /// unit its NAU; near 0 the multiplicative path.
    pub fn gate_means(&self, x: &Tensor<T>) -> Result<[Option<f64>; 2]> {
        let mut tape = Tape::new();
        let xv = tape.constant(x);
        let w = self.record_weights(&mut tape)?;
        let (g1, h) = match (&self.layer1, &w.layer1) {
            (Some(l1), Some(w1)) => (l1.gate(&mut tape, w1, xv)?, l1.forward(&mut tape, w1, xv)?),
            _ => (None, xv),
        };
        let g2 = self.layer2.gate(&mut tape, &w.layer2, h)?;
        let mean = |g: Option<Var>| g.map(|g| mean_of(&tape, g)).transpose();
        Ok([mean(g1)?, mean(g2)?])
    }
}

fn layer_count_mismatch() -> crate::error::Error {
    crate::error::Error::invalid(
        "model weights",
        "recorded for a model with another number of layers",
    )
}
