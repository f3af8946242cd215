//! Pieces of graph and bookkeeping shared by several units.

use crate::error::{Error, Result};
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape, Tensor};

/// The `eps` of the log-space units: `log(|x| + eps)` stays finite at 0.
pub const LOG_EPS: f64 = 1e-7;

/// An error unless a layer's sizes are both at least 1.
pub(crate) fn check_sizes(unit: &'static str, inputs: usize, outputs: usize) -> Result<()> {
    if inputs == 0 || outputs == 0 {
        return Err(Error::invalid(
            "layer size",
            format!("{unit} needs at least one input and one output, got {inputs} -> {outputs}"),
        ));
    }
    Ok(())
}

/// `(outputs, inputs)` of a weight matrix given to a unit's
/// `from_weights`: an [`Error::InvalidShape`] unless it has rank 2 and no
/// empty dimension.
pub(crate) fn weight_dims<T: Element>(op: &'static str, w: &Tensor<T>) -> Result<(usize, usize)> {
    let s = w.shape();
    if s.rank() != 2 || s.numel() == 0 {
        return Err(Error::InvalidShape {
            op,
            shape: s.into(),
            reason: "a weight matrix is [outputs, inputs], both at least 1".into(),
        });
    }
    Ok((s.dim(0), s.dim(1)))
}

/// An [`Error::ShapeMismatch`] (expected shape on the left) unless `given`
/// has the `expected` shape.
pub(crate) fn check_shape(op: &'static str, expected: Shape, given: Shape) -> Result<()> {
    if expected != given {
        return Err(Error::ShapeMismatch {
            op,
            left: expected.into(),
            right: given.into(),
        });
    }
    Ok(())
}

/// A throwaway generator for `from_weights`, whose weights are overwritten
/// right after the constructor draws them.
pub(crate) fn unused_rng() -> crate::random::Rng {
    crate::random::Rng::seed_from_u64(0)
}

/// Adds a zero-filled parameter called `prefix.name` (or `name` if the
/// prefix is empty); the unit's `init` fills it.
pub(crate) fn add_param<T: Element>(
    params: &mut ParamStore<T>,
    prefix: &str,
    name: &str,
    shape: Shape,
) -> Result<ParamId> {
    params.add(sub_prefix(prefix, name), Tensor::zeros(shape))
}

/// `prefix.name`, or `name` for an empty prefix.
pub(crate) fn sub_prefix(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The batch size of an input `x`, which must be `[B, inputs]`.
pub(crate) fn batch_size<T: Element>(
    tape: &Tape<T>,
    unit: &'static str,
    x: Var,
    inputs: usize,
) -> Result<usize> {
    let shape = tape.shape(x)?;
    match shape.as_matrix() {
        Some((b, i)) if i == inputs => Ok(b),
        _ => Err(Error::InvalidShape {
            op: unit,
            shape: shape.into(),
            reason: format!("the input must be [batch, {inputs}]"),
        }),
    }
}

/// Projects every element into `[lo, hi]`; NaN stays NaN (a diverged
/// parameter must not be silently turned into a valid one).
pub(crate) fn project_into<T: Element>(values: &mut [T], lo: T, hi: T) {
    for v in values {
        if *v < lo {
            *v = lo;
        } else if *v > hi {
            *v = hi;
        }
    }
}

/// Records the NAC weight `W = tanh(W_hat) * sigmoid(M_hat)`.
pub(crate) fn nac_weight<T: Element>(
    tape: &mut Tape<T>,
    params: &ParamStore<T>,
    w_hat: ParamId,
    m_hat: ParamId,
) -> Result<Var> {
    let w_hat = tape.param(params, w_hat)?;
    let m_hat = tape.param(params, m_hat)?;
    nac_weight_of(tape, w_hat, m_hat)
}

/// Records `W = tanh(w_hat) * sigmoid(m_hat)` of two recorded values.
pub(crate) fn nac_weight_of<T: Element>(tape: &mut Tape<T>, w_hat: Var, m_hat: Var) -> Result<Var> {
    let t = tape.tanh(w_hat)?;
    let s = tape.sigmoid(m_hat)?;
    tape.mul(t, s)
}

/// `tanh(w_hat) * sigmoid(m_hat)` for one weight, in `f64` (off the tape).
pub(crate) fn nac_weight_value(w_hat: f64, m_hat: f64) -> f64 {
    w_hat.tanh() * sigmoid(m_hat)
}

/// The logistic function in `f64`.
pub(crate) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Records the log-space product `exp(log(|x| + eps) · Wᵀ)`: `[B, I]` with
/// `W: [O, I]` gives `[B, O]`. One [`Tape::log_space_product`], the same
/// values and gradients as the plain graph `exp(matmul_nt(log(abs(x) +
/// eps), W))` bit for bit, in two nodes instead of five.
pub(crate) fn log_space<T: Element>(tape: &mut Tape<T>, x: Var, w: Var) -> Result<Var> {
    tape.log_space_product(x, w, T::from_f64_lossy(LOG_EPS))
}

/// Records the NMU product `z[b, o] = prod_i (W[o, i] * x[b, i] + 1 - W[o, i])`
/// for `x: [B, I]`, `w: [O, I]`: one [`Tape::lerp_prod`], which writes each
/// factor as `W x + (1 - W)` (not `W (x - 1) + 1`) so that a factor with
/// `W = 1` is exactly `x` and one with `W = 0` exactly 1.
///
/// (Until the fused operation existed this was a broadcast to `[B, O, I]`,
/// a multiply, an add and `prod_axis`: the same value bit for bit; the
/// gradient of `W` is now summed as `Σ_b d (x - 1)` instead of
/// `Σ_b d x - Σ_b d`, which can differ in the last bits.)
pub(crate) fn nmu_product<T: Element>(tape: &mut Tape<T>, x: Var, w: Var) -> Result<Var> {
    tape.lerp_prod(x, w)
}

/// Records `g * a + (1 - g) * m` (in this form, so a saturated gate gives
/// exactly one path): one [`Tape::gate_mix`], the same values and gradients
/// as the five-node graph it replaced, bit for bit.
pub(crate) fn gate_mix<T: Element>(tape: &mut Tape<T>, g: Var, a: Var, m: Var) -> Result<Var> {
    tape.gate_mix(g, a, m)
}

/// The mean of a recorded value, in `f64`.
pub(crate) fn mean_of<T: Element>(tape: &Tape<T>, v: Var) -> Result<f64> {
    let vals = tape.value(v)?;
    if vals.is_empty() {
        return Err(Error::NotAvailable("the mean of an empty value".into()));
    }
    Ok(vals.iter().map(|x| x.to_f64_lossy()).sum::<f64>() / vals.len() as f64)
}

/// The rules of an NMU-type weight `W` in `[0, 1]` (NMU, NAC*,NMU, NMRU,
/// sign-NMRU, sNMU), written once: initialised from `U[0.25, 0.75]`
/// (the NMU's initialisation), projected onto `[0, 1]` after each step, and
/// judged by the largest distance of an element from {0, 1}.
pub(crate) mod nmu_weight {
    use crate::error::Result;
    use crate::random::Rng;
    use crate::tape::{ParamId, ParamStore};
    use crate::tensor::Element;
    use crate::units::init::fill_uniform;
    use crate::units::sparsity::max_sparsity_error;

    /// Draws `W` from `U[0.25, 0.75]`.
    pub(crate) fn init<T: Element>(
        params: &mut ParamStore<T>,
        w: ParamId,
        rng: &mut Rng,
    ) -> Result<()> {
        fill_uniform(params.value_mut(w)?, rng, 0.25, 0.75);
        Ok(())
    }

    /// Projects `W` onto `[0, 1]`.
    pub(crate) fn project<T: Element>(params: &mut ParamStore<T>, w: ParamId) -> Result<()> {
        super::project_into(params.value_mut(w)?, T::zero(), T::one());
        Ok(())
    }

    /// `max |W - round(W)|` over the elements.
    pub(crate) fn sparsity_error<T: Element>(params: &ParamStore<T>, w: ParamId) -> Result<f64> {
        Ok(max_sparsity_error(
            params.value(w)?.iter().map(|w| w.to_f64_lossy()),
        ))
    }
}
