//! The profile-likelihood interval search shared by the gamma and beta fits.
//!
//! Both fits reparameterise the mean as `t` (the log ratio to the fitted
//! mean for the gamma, the logit for the beta), so that the profile deviance
//! `D(t) = 2 (ℓ_max - ℓ_profile(t))` is zero at the fitted `t̂`. The
//! interval at confidence `p` is the set where `D(t) <= χ²₁(p)` (Wilks's
//! theorem); its two ends are the roots of `D(t) - χ²₁(p)` on either side of
//! `t̂`, found by expanding a bracket outwards and then Brent's method.

use super::normal::chi_square_1_quantile;
use super::root::{brent, expand_bracket};

/// The ends `(t_lower, t_upper)` of the profile-likelihood interval at
/// `confidence` for a deviance that is zero at `t_hat`.
///
/// `step` is the first step of the bracket search on either side (about one
/// standard error of `t`), `limit` the farthest it may go (`t` stays within
/// `[-limit, limit]`). `None` if either end is not found (a NaN deviance, or no
/// crossing before `limit`).
pub(crate) fn profile_interval(
    deviance: impl Fn(f64) -> f64,
    t_hat: f64,
    confidence: f64,
    step: f64,
    limit: f64,
) -> Option<(f64, f64)> {
    let critical = chi_square_1_quantile(confidence);
    let f = |t: f64| deviance(t) - critical;
    let end = |direction: f64| {
        let (a, b, fa, fb) =
            expand_bracket(f, t_hat, -critical, direction * step, direction * limit)?;
        brent(f, a, b, fa, fb, 1e-14)
    };
    let t_lower = end(-1.0)?;
    let t_upper = end(1.0)?;
    Some((t_lower, t_upper))
}
