//! NAC*, the multiplicative accumulator of Trask et al., "Neural Arithmetic
//! Logic Units" (NeurIPS 2018, arXiv 1808.00508): a NAC+ in log space.
//!
//! ```text
//! W = tanh(W_hat) ⊙ sigmoid(M_hat),    z_j = exp( sum_i W_ji * log(|x_i| + eps) ),  eps = 1e-7
//! ```
//!
//! Shapes: `x: [B, I]`, `W_hat, M_hat: [O, I]`, `z: [B, O]`. It can only
//! produce positive outputs (the sign of `x` is lost by `|x|`). Initialised
//! like NAC+ ([`super::init::nac_radius`]); no regularizer, no projection.

use crate::error::Result;
use crate::tape::{Tape, Var};
use crate::tensor::Element;

use super::common::log_space;
use super::nac::{Nac, NacPath, NacWeights};
use super::UnitKind;

/// NAC*: `z = exp(W log(|x| + eps))` with `W = tanh(W_hat) * sigmoid(M_hat)`.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{NacMul, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let nac = NacMul::new(&mut params, "m", 3, 1, &mut Rng::seed_from_u64(0))?;
/// // W ~ [1, 1, 0]: z ~ x1 * x2.
/// params.set(nac.nac_params().w_hat, &[20.0, 20.0, 0.0])?;
/// params.set(nac.nac_params().m_hat, &[40.0, 40.0, 0.0])?;
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 3), vec![3.0, 4.0, 7.0])?);
/// let z = nac.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] - 12.0).abs() < 1e-5);
/// # Ok::<(), arithgrad::Error>(())
/// ```
pub type NacMul = Nac<Multiplicative>;

/// A [`NacMul`] layer's weight recorded on a tape for one step.
pub type NacMulWeights = NacWeights;

/// The path of NAC*: the product in log space, `z = exp(W log(|x| + eps))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Multiplicative;

impl NacPath for Multiplicative {
    const KIND: UnitKind = UnitKind::NacMul;
    const FROM_WEIGHTS: &'static str = "NacMul::from_weights";

    fn apply<T: Element>(tape: &mut Tape<T>, x: Var, w: Var) -> Result<Var> {
        log_space(tape, x, w)
    }
}
