//! Gradient clipping over every gradient of a [`ParamStore`], in place, as
//! `torch.nn.utils.clip_grad_value_` and `clip_grad_norm_` (L2 norm).
//! Call them after the backward pass and before the optimizer step.

use super::check_non_negative;
use crate::error::Result;
use crate::tape::ParamStore;
use crate::tensor::Element;

/// Clamps every gradient element to `[-clip_value, clip_value]`
/// (`clip_value` finite and `>= 0`). A NaN gradient stays NaN, as in PyTorch.
///
/// ```
/// use arithgrad::optim::clip_grad_value;
/// use arithgrad::tape::ParamStore;
/// use arithgrad::tensor::{Shape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// params.add("w", Tensor::zeros(Shape::vector(3)))?;
/// params.grads_mut().copy_from_slice(&[-5.0, 0.5, 2.0]);
/// clip_grad_value(&mut params, 1.0)?;
/// assert_eq!(params.grads(), &[-1.0, 0.5, 1.0]);
/// # Ok::<(), arithgrad::Error>(())
/// ```
pub fn clip_grad_value<T: Element>(params: &mut ParamStore<T>, clip_value: f64) -> Result<()> {
    check_non_negative("clip_value", clip_value)?;
    let hi = T::from_f64_lossy(clip_value);
    let lo = -hi;
    for g in params.grads_mut() {
        if *g > hi {
            *g = hi;
        } else if *g < lo {
            *g = lo;
        }
    }
    Ok(())
}

/// Rescales all gradients together so that their global L2 norm (over every
/// parameter, as if concatenated into one vector) is at most `max_norm`
/// (finite and `>= 0`), and returns that norm as it was before clipping.
///
/// As in PyTorch, with `total = ‖g‖₂` and `scale = max_norm / (total + 1e-6)`,
/// the gradients are multiplied by `scale` only when `scale < 1`.
///
/// The sum of squares is accumulated in `f64` whatever `T` is (so an `f32`
/// store's norm neither overflows nor loses small terms). One deviation from
/// PyTorch: if the norm is not finite the gradients are left untouched
/// (PyTorch would scale them by 0 or NaN); check the returned norm with
/// `is_finite()` to skip such a step.
///
/// ```
/// use arithgrad::optim::clip_grad_norm;
/// use arithgrad::tape::ParamStore;
/// use arithgrad::tensor::{Shape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// params.add("a", Tensor::zeros(Shape::vector(1)))?;
/// params.add("b", Tensor::zeros(Shape::vector(1)))?;
/// params.grads_mut().copy_from_slice(&[3.0, 4.0]);
/// let norm = clip_grad_norm(&mut params, 1.0)?;
/// assert_eq!(norm, 5.0);
/// let g = params.grads();
/// assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
/// # Ok::<(), arithgrad::Error>(())
/// ```
pub fn clip_grad_norm<T: Element>(params: &mut ParamStore<T>, max_norm: f64) -> Result<f64> {
    check_non_negative("max_norm", max_norm)?;
    let total_norm = params
        .grads()
        .iter()
        .map(|g| {
            let g = g.to_f64_lossy();
            g * g
        })
        .sum::<f64>()
        .sqrt();
    if !total_norm.is_finite() {
        return Ok(total_norm);
    }
    let scale = max_norm / (total_norm + 1e-6);
    if scale < 1.0 {
        let scale = T::from_f64_lossy(scale);
        for g in params.grads_mut() {
            *g = *g * scale;
        }
    }
    Ok(total_norm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::tensor::{Shape, Tensor};

    fn store(grads: &[f64]) -> ParamStore<f64> {
        let mut p = ParamStore::new();
        p.add("w", Tensor::zeros(Shape::vector(grads.len())))
            .unwrap();
        p.grads_mut().copy_from_slice(grads);
        p
    }

    #[test]
    fn small_gradients_are_left_alone() {
        let mut p = store(&[0.3, -0.4]);
        let norm = clip_grad_norm(&mut p, 1.0).unwrap();
        assert!((norm - 0.5).abs() < 1e-15);
        assert_eq!(p.grads(), &[0.3, -0.4]);
    }

    #[test]
    fn large_gradients_end_just_below_max_norm() {
        let mut p = store(&[30.0, -40.0, 0.0]);
        clip_grad_norm(&mut p, 2.0).unwrap();
        let after: f64 = p.grads().iter().map(|g| g * g).sum::<f64>().sqrt();
        assert!(after <= 2.0 && after > 2.0 - 1e-6, "{after}");
        assert!((p.grads()[0] / p.grads()[1] + 0.75).abs() < 1e-15);
    }

    #[test]
    fn f32_norm_does_not_overflow() {
        let mut p = ParamStore::<f32>::new();
        p.add("w", Tensor::zeros(Shape::vector(2))).unwrap();
        p.grads_mut().copy_from_slice(&[3e30, 4e30]);
        let norm = clip_grad_norm(&mut p, 1.0).unwrap();
        assert!((norm / 5e30 - 1.0).abs() < 1e-6);
        assert!(p.grads().iter().all(|g| g.is_finite() && g.abs() <= 1.0));
    }

    #[test]
    fn non_finite_norm_leaves_gradients_untouched() {
        let mut p = store(&[f64::INFINITY, 1.0]);
        assert_eq!(clip_grad_norm(&mut p, 1.0).unwrap(), f64::INFINITY);
        assert_eq!(p.grads(), &[f64::INFINITY, 1.0]);
        let mut p = store(&[f64::NAN, 1.0]);
        assert!(clip_grad_norm(&mut p, 1.0).unwrap().is_nan());
        assert_eq!(p.grads()[1], 1.0);
    }

    #[test]
    fn clip_value_passes_nan_through() {
        let mut p = store(&[f64::NAN, -3.0, f64::INFINITY]);
        clip_grad_value(&mut p, 2.0).unwrap();
        assert!(p.grads()[0].is_nan());
        assert_eq!(&p.grads()[1..], &[-2.0, 2.0]);
    }

    #[test]
    fn invalid_thresholds_are_named() {
        let mut p = store(&[1.0]);
        assert!(matches!(
            clip_grad_value(&mut p, -1.0),
            Err(Error::InvalidArgument {
                name: "clip_value",
                ..
            })
        ));
        assert!(matches!(
            clip_grad_norm(&mut p, f64::NAN),
            Err(Error::InvalidArgument {
                name: "max_norm",
                ..
            })
        ));
    }
}
