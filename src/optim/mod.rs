//! Layer 4: optimizers, gradient clipping and learning-rate schedules.
//!
//! Every optimizer works on a [`ParamStore`], whose parameter values and
//! gradients live in two flat buffers of the same layout. A step is therefore
//! one fused loop over those buffers (and the optimizer's own state buffers,
//! which have the same layout too). The state is allocated once, on the first
//! step; after that a step allocates nothing.
//!
//! The update rules are PyTorch's (`torch.optim.SGD`, `Adam`, `AdamW`,
//! `RMSprop`), including the order of floating-point operations, and the
//! defaults are PyTorch's. The integration test `tests/optim_reference.rs`
//! checks multi-step trajectories against values produced by PyTorch itself.
//!
//! Hyper-parameters are `f64` whatever the element type, like PyTorch's Python
//! floats: the per-step scalars (bias corrections, step sizes) are computed in
//! `f64` once per step and converted to `T` before the loop.
//!
//! ```
//! use arithgrad::optim::{Adam, AdamConfig, Optimizer};
//! use arithgrad::tape::ParamStore;
//! use arithgrad::tensor::{Shape, Tensor};
//! let mut params = ParamStore::<f64>::new();
//! let w = params.add("w", Tensor::full(Shape::vector(2), 1.0))?;
//! let mut adam = Adam::new(AdamConfig::default())?;
//! params.grad_mut(w)?.copy_from_slice(&[0.5, -2.0]);
//! adam.step(&mut params)?;
//! // Adam's first step moves every coordinate by about lr against its gradient's sign.
//! let v = params.value(w)?;
//! assert!((v[0] - (1.0 - 1e-3)).abs() < 1e-9 && (v[1] - (1.0 + 1e-3)).abs() < 1e-9);
//! # Ok::<(), arithgrad::Error>(())
//! ```

mod adam;
mod adamw;
mod clip;
mod rmsprop;
mod schedule;
mod sgd;

pub use adam::{Adam, AdamConfig};
pub use adamw::{AdamW, AdamWConfig};
pub use clip::{clip_grad_norm, clip_grad_value};
pub use rmsprop::{RmsProp, RmsPropConfig};
pub use schedule::Schedule;
pub use sgd::{Sgd, SgdConfig};

use crate::error::{Error, Result};
use crate::tape::{ParamStore, Tape};
use crate::tensor::Element;

/// An update rule for the parameters of a [`ParamStore`].
///
/// The trait is object-safe, so a training loop can hold a
/// `Box<dyn Optimizer<T>>` chosen at run time.
pub trait Optimizer<T: Element> {
    /// Updates `params.values()` from `params.grads()` (it does not zero the
    /// gradients). The first step sizes the optimizer's state to
    /// `params.numel()`; a later step on a store of another size is an error.
    fn step(&mut self, params: &mut ParamStore<T>) -> Result<()>;

    /// The whole update after a backward sweep, in one call that cannot be
    /// done wrong: the gradients of `tape`'s last backward sweep overwrite
    /// `params`' gradients ([`Tape::write_grads`]), then [`Optimizer::step`].
    ///
    /// ```
    /// use arithgrad::prelude::*;
    /// let mut params = ParamStore::<f64>::new();
    /// let w = params.add("w", Tensor::scalar(3.0))?;
    /// let mut sgd = Sgd::new(SgdConfig::new(0.25))?;
    /// let mut tape = Tape::new();
    /// for _ in 0..2 {
    ///     tape.reset();
    ///     let wv = tape.param(&params, w)?;
    ///     let loss = tape.square(wv)?; // d/dw = 2w
    ///     tape.backward(loss)?;
    ///     sgd.update(&tape, &mut params)?;
    /// }
    /// // 3 -> 3 - 0.25 * 6 = 1.5 -> 1.5 - 0.25 * 3 = 0.75 (no stale gradient kept)
    /// assert_eq!(params.value(w)?, &[0.75]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    fn update(&mut self, tape: &Tape<T>, params: &mut ParamStore<T>) -> Result<()> {
        tape.write_grads(params)?;
        self.step(params)
    }

    /// The current learning rate.
    fn learning_rate(&self) -> f64;

    /// Changes the learning rate (e.g. from a [`Schedule`]); it must be
    /// finite and non-negative.
    fn set_learning_rate(&mut self, lr: f64) -> Result<()>;

    /// How many steps have been taken (the `t` of the bias corrections).
    fn steps_taken(&self) -> u64;
}

/// Checks that a hyper-parameter is finite and `>= 0`.
pub(crate) fn check_non_negative(name: &'static str, x: f64) -> Result<()> {
    if x.is_finite() && x >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            format!("must be finite and >= 0, got {x}"),
        ))
    }
}

/// Checks that a hyper-parameter lies in `[0, 1)` (Adam's betas).
pub(crate) fn check_unit_interval(name: &'static str, x: f64) -> Result<()> {
    if (0.0..1.0).contains(&x) {
        Ok(())
    } else {
        Err(Error::invalid(name, format!("must be in [0, 1), got {x}")))
    }
}

/// The size bookkeeping every optimizer shares: how many parameter elements
/// the state was created for, and which state buffers exist.
///
/// On the first call it records `numel` and allocates every needed buffer
/// (zero-filled) -- the only allocation an optimizer ever makes. Afterwards it
/// only checks: the store must have kept its size, and each buffer must have
/// the expected length (which guards against a hand-edited saved state).
fn prepare_state<T: Element>(
    created_for: &mut Option<usize>,
    numel: usize,
    buffers: &mut [(&mut Vec<T>, bool)],
) -> Result<()> {
    match *created_for {
        None => {
            for (buffer, needed) in buffers.iter_mut() {
                if *needed {
                    **buffer = vec![T::zero(); numel];
                }
            }
            *created_for = Some(numel);
        }
        Some(n) if n != numel => {
            return Err(Error::invalid(
                "params",
                format!(
                    "the store has {numel} elements but the optimizer state was created for {n}"
                ),
            ));
        }
        Some(_) => {}
    }
    for (buffer, needed) in buffers.iter() {
        let expected = if *needed { numel } else { 0 };
        if buffer.len() != expected {
            return Err(Error::invalid(
                "optimizer state",
                format!(
                    "a state buffer has {} elements, expected {expected}",
                    buffer.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Linear interpolation `a + w (b - a)` evaluated exactly as PyTorch's
/// `lerp` kernel does it: `a + w (b - a)` for `|w| < 1/2`, otherwise
/// `b - (b - a)(1 - w)`, which is more accurate for weights near 1.
/// PyTorch's Adam and centered RMSprop update their running means with it.
#[derive(Clone, Copy, Debug)]
struct Lerp<T> {
    weight: T,
    one_minus_weight: T,
    small: bool,
}

impl<T: Element> Lerp<T> {
    fn new(weight: f64) -> Self {
        let weight = T::from_f64_lossy(weight);
        Lerp {
            weight,
            one_minus_weight: T::one() - weight,
            small: weight.abs() < T::from_f64_lossy(0.5),
        }
    }

    #[inline]
    fn apply(&self, a: T, b: T) -> T {
        if self.small {
            a + self.weight * (b - a)
        } else {
            b - (b - a) * self.one_minus_weight
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lerp_matches_both_branches() {
        let small = Lerp::<f64>::new(0.25);
        assert_eq!(small.apply(1.0, 3.0), 1.5);
        let large = Lerp::<f64>::new(0.75);
        assert_eq!(large.apply(1.0, 3.0), 2.5);
        let one = Lerp::<f64>::new(1.0);
        assert_eq!(one.apply(7.0, -2.0), -2.0);
    }

    #[test]
    fn prepare_state_allocates_once_and_checks_size() {
        let mut created_for = None;
        let mut a: Vec<f64> = Vec::new();
        let mut b: Vec<f64> = Vec::new();
        prepare_state(&mut created_for, 3, &mut [(&mut a, true), (&mut b, false)]).unwrap();
        assert_eq!((a.len(), b.len(), created_for), (3, 0, Some(3)));
        a[0] = 5.0;
        prepare_state(&mut created_for, 3, &mut [(&mut a, true), (&mut b, false)]).unwrap();
        assert_eq!(a[0], 5.0, "state must not be reset by a later step");
        let err = prepare_state(&mut created_for, 4, &mut [(&mut a, true), (&mut b, false)]);
        assert!(matches!(
            err,
            Err(Error::InvalidArgument { name: "params", .. })
        ));
        a.pop();
        let err = prepare_state(&mut created_for, 3, &mut [(&mut a, true), (&mut b, false)]);
        assert!(matches!(
            err,
            Err(Error::InvalidArgument {
                name: "optimizer state",
                ..
            })
        ));
    }

    #[test]
    fn checks_reject_nan_infinite_and_out_of_range() {
        assert!(check_non_negative("lr", 0.0).is_ok());
        for bad in [-1e-3, f64::NAN, f64::INFINITY] {
            let (name, reason) = crate::error::expect::invalid(check_non_negative("lr", bad));
            assert_eq!(name, "lr");
            assert!(reason.contains(&format!("got {bad}")), "{reason}");
        }
        assert!(check_unit_interval("beta1", 0.0).is_ok());
        for bad in [1.0, -0.1, f64::NAN] {
            let (name, reason) = crate::error::expect::invalid(check_unit_interval("beta1", bad));
            assert_eq!(name, "beta1");
            assert!(reason.contains(&format!("got {bad}")), "{reason}");
        }
    }
}
