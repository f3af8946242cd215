//! The baselines: an affine layer, optionally followed by ReLU or ReLU6.
//!
//! ```text
//! z = act(W x + b),   act in { identity, relu, relu6 },   relu6(v) = min(max(v, 0), 6)
//! ```
//!
//! Shapes: `x: [B, I]`, `W: [O, I]`, `b: [O]`, `z: [B, O]`.
//!
//! Initialisation: the bias is 0; `W ~ U[-s, s]` with the Glorot radius
//! `s = sqrt(6 / (I + O))` (Glorot & Bengio, "Understanding the difficulty of
//! training deep feedforward neural networks", AISTATS 2010) for the
//! identity, and the Kaiming radius `s = sqrt(6 / I)` (He et al., "Delving
//! Deep into Rectifiers", ICCV 2015) for ReLU and ReLU6 (ReLU6: Krizhevsky,
//! "Convolutional Deep Belief Networks on CIFAR-10", 2010). These are the
//! non-arithmetic baselines of Madsen & Johansen, "Neural Arithmetic Units"
//! (ICLR 2020). No regularizer, no projection.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape, Tensor};

use super::common::{add_param, batch_size, check_shape, check_sizes, unused_rng, weight_dims};
use super::init::{fill_uniform, glorot_radius, kaiming_radius};
use super::sparsity::max_sparsity_error;
use super::{Unit, UnitKind};

/// The activation after the affine map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activation {
    /// None: the layer is affine.
    Identity,
    /// `max(v, 0)`.
    Relu,
    /// `min(max(v, 0), 6)`.
    Relu6,
}

/// An affine layer with bias, optionally followed by ReLU or ReLU6.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{Activation, Linear, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let mut rng = Rng::seed_from_u64(0);
/// let layer = Linear::new(&mut params, "l", 2, 1, Activation::Identity, &mut rng)?;
/// params.set(layer.weight(), &[2.0, -1.0])?;
/// params.set(layer.bias(), &[0.5])?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![3.0, 4.0])?);
/// let z = layer.apply(&mut tape, &params, x)?;
/// assert_eq!(tape.value(z)?, &[2.5]);
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Linear {
    w: ParamId,
    b: ParamId,
    activation: Activation,
    inputs: usize,
    outputs: usize,
}

/// A [`Linear`] layer's parameters recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct LinearWeights {
    /// `W`, `[O, I]`.
    pub effective: Var,
    /// `b`, `[O]`.
    pub b: Var,
}

impl Linear {
    /// Adds `prefix.W` (`[O, I]`) and `prefix.b` (`[O]`) to `params` and
    /// initialises them.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        activation: Activation,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("linear", inputs, outputs)?;
        let w = add_param(params, prefix, "W", Shape::matrix(outputs, inputs))?;
        let b = add_param(params, prefix, "b", Shape::vector(outputs))?;
        let layer = Linear {
            w,
            b,
            activation,
            inputs,
            outputs,
        };
        layer.init(params, rng)?;
        Ok(layer)
    }

    /// Adds `prefix.W` and `prefix.b` with the given values `w`
    /// (`[outputs, inputs]`) and `b` (`[outputs]`).
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        w: &Tensor<T>,
        b: &Tensor<T>,
        activation: Activation,
    ) -> Result<Self> {
        let (outputs, inputs) = weight_dims("Linear::from_weights", w)?;
        check_shape("Linear::from_weights", Shape::vector(outputs), b.shape())?;
        let unit = Self::new(
            params,
            prefix,
            inputs,
            outputs,
            activation,
            &mut unused_rng(),
        )?;
        params.set(unit.w, w.data())?;
        params.set(unit.b, b.data())?;
        Ok(unit)
    }

    /// The weight `W`.
    pub fn weight(&self) -> ParamId {
        self.w
    }

    /// The bias `b`.
    pub fn bias(&self) -> ParamId {
        self.b
    }

    /// The activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// The radius of the uniform initialisation of `W`.
    pub fn init_radius(&self) -> f64 {
        match self.activation {
            Activation::Identity => glorot_radius(self.inputs, self.outputs),
            Activation::Relu | Activation::Relu6 => kaiming_radius(self.inputs),
        }
    }
}

impl Unit for Linear {
    type Weights = LinearWeights;

    fn kind(&self) -> UnitKind {
        match self.activation {
            Activation::Identity => UnitKind::Linear,
            Activation::Relu => UnitKind::Relu,
            Activation::Relu6 => UnitKind::Relu6,
        }
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn param_ids(&self) -> Vec<ParamId> {
        vec![self.w, self.b]
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        let s = self.init_radius();
        fill_uniform(params.value_mut(self.w)?, rng, -s, s);
        params.value_mut(self.b)?.fill(T::zero());
        Ok(())
    }

    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<LinearWeights> {
        Ok(LinearWeights {
            effective: tape.param(params, self.w)?,
            b: tape.param(params, self.b)?,
        })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &LinearWeights,
        x: Var,
    ) -> Result<Var> {
        let batch = batch_size(tape, "linear", x, self.inputs)?;
        let z = tape.matmul_nt(x, weights.effective)?;
        let b = tape.broadcast_to(weights.b, Shape::matrix(batch, self.outputs))?;
        let z = tape.add(z, b)?;
        match self.activation {
            Activation::Identity => Ok(z),
            Activation::Relu => tape.relu(z),
            Activation::Relu6 => tape.relu6(z),
        }
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        Ok(max_sparsity_error(
            params.value(self.w)?.iter().map(|w| w.to_f64_lossy()),
        ))
    }
}
