//! Sparsity: the differentiable regularizers that push weights to
//! `{-1, 0, 1}` (NAU) or `{0, 1}` (NMU), and the sparsity error that measures
//! how far a trained layer is from such a discrete solution
//! (Madsen & Johansen, "Neural Arithmetic Units", ICLR 2020).
//!
//! - NAU regularizer: `R = mean_ij min(|W_ij|, 1 - |W_ij|)` for a projected
//!   NAU (`|W| <= 1`); `R = mean_ij min(|W_ij|, |1 - |W_ij||)`, the
//!   reference's form, for an unprojected one (the two agree while
//!   `|W| <= 1`; outside, only the second pulls a weight back to `±1`).
//! - NMU regularizer: `R = mean_ij min(|W_ij|, |1 - W_ij|)`.
//! - Sparsity error of one weight: `min(|w|, |1 - |w||)`; of a layer or a
//!   model, the maximum over every weight it uses (gates and biases excluded).

use crate::error::Result;
use crate::tape::{Tape, Var};
use crate::tensor::Element;

/// The sparsity error of one weight: `min(|w|, |1 - |w||)` — its distance to
/// the nearest of `-1`, `0`, `1`.
pub fn weight_sparsity_error(w: f64) -> f64 {
    let a = w.abs();
    a.min((1.0 - a).abs())
}

/// The largest sparsity error over `weights`; NaN if any weight is NaN (a
/// diverged layer is never reported as sparse); 0 for no weights.
pub fn max_sparsity_error(weights: impl IntoIterator<Item = f64>) -> f64 {
    let mut worst = 0.0_f64;
    for w in weights {
        let e = weight_sparsity_error(w);
        if e.is_nan() {
            return f64::NAN;
        }
        worst = worst.max(e);
    }
    worst
}

/// Records the NAU regularizer `mean(min(|W|, 1 - |W|))` (a scalar).
pub fn nau_regularizer<T: Element>(tape: &mut Tape<T>, w: Var) -> Result<Var> {
    let a = tape.abs(w)?;
    let one_minus = tape.neg(a)?;
    let one_minus = tape.add_scalar(one_minus, T::one())?;
    let m = tape.minimum(a, one_minus)?;
    tape.mean(m)
}

/// Records the reference's NAU regularizer `mean(min(|W|, |1 - |W||))` (a
/// scalar): the form for a NAU whose weights are not projected, so that a
/// weight outside `[-1, 1]` is pulled back towards `±1`.
pub fn nau_regularizer_unprojected<T: Element>(tape: &mut Tape<T>, w: Var) -> Result<Var> {
    let a = tape.abs(w)?;
    let one_minus = tape.neg(a)?;
    let one_minus = tape.add_scalar(one_minus, T::one())?;
    let one_minus = tape.abs(one_minus)?;
    let m = tape.minimum(a, one_minus)?;
    tape.mean(m)
}

/// Records the NMU regularizer `mean(min(|W|, |1 - W|))` (a scalar).
pub fn nmu_regularizer<T: Element>(tape: &mut Tape<T>, w: Var) -> Result<Var> {
    let a = tape.abs(w)?;
    let one_minus = tape.neg(w)?;
    let one_minus = tape.add_scalar(one_minus, T::one())?;
    let one_minus = tape.abs(one_minus)?;
    let m = tape.minimum(a, one_minus)?;
    tape.mean(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_error_is_distance_to_nearest_discrete_value() {
        assert_eq!(weight_sparsity_error(0.0), 0.0);
        assert_eq!(weight_sparsity_error(1.0), 0.0);
        assert_eq!(weight_sparsity_error(-1.0), 0.0);
        assert_eq!(weight_sparsity_error(0.5), 0.5);
        assert_eq!(weight_sparsity_error(-0.25), 0.25);
        assert!((weight_sparsity_error(0.9) - 0.1).abs() < 1e-15);
        assert!((weight_sparsity_error(1.3) - 0.3).abs() < 1e-15);
        assert!((weight_sparsity_error(-1.3) - 0.3).abs() < 1e-15);
    }

    #[test]
    fn max_error_propagates_nan() {
        assert!((max_sparsity_error([0.1, 0.7, -0.95]) - 0.3).abs() < 1e-15);
        assert!(max_sparsity_error([0.1, f64::NAN, 0.2]).is_nan());
        assert_eq!(max_sparsity_error(std::iter::empty()), 0.0);
    }
}
