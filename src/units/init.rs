//! Initialisation rules shared by the units (docs/protocol.md, section 1).
//!
//! Every draw is made in `f64` from the crate's portable generator
//! [`Rng`] and rounded to the element type, so a seed gives the same initial
//! weights on every machine and for every future version of the crate.

use crate::random::Rng;
use crate::tensor::Element;

/// Glorot-uniform radius `s = sqrt(6 / (I + O))` (Glorot & Bengio, 2010).
pub fn glorot_radius(inputs: usize, outputs: usize) -> f64 {
    (6.0 / (inputs + outputs) as f64).sqrt()
}

/// Kaiming-uniform radius `s = sqrt(6 / I)` for ReLU layers (He et al., 2015).
pub fn kaiming_radius(inputs: usize) -> f64 {
    (6.0 / inputs as f64).sqrt()
}

/// The NAU's radius `r = min(0.5, sqrt(6 / (I + O)))`.
pub fn nau_radius(inputs: usize, outputs: usize) -> f64 {
    glorot_radius(inputs, outputs).min(0.5)
}

/// The standard deviation of the Xavier-normal draw used by NAC*,sigma:
/// `sqrt(2 / (I + O))`.
pub fn xavier_normal_std(inputs: usize, outputs: usize) -> f64 {
    (2.0 / (inputs + outputs) as f64).sqrt()
}

/// `Var[tanh(U) * sigmoid(V)]` for independent `U, V ~ U[-r, r]`:
///
/// ```text
/// Var[W] = (1 / (2r)) * (1 - tanh(r) / r) * (r - tanh(r / 2))
/// ```
///
/// (`E[tanh(U)] = 0`, `E[tanh(U)^2] = 1 - tanh(r)/r`,
/// `E[sigmoid(V)^2] = (r - tanh(r/2)) / (2r)`.) It rises from 0 at `r = 0`
/// towards 1/2. Non-positive `r` gives 0.
pub fn nac_variance(r: f64) -> f64 {
    if r <= 0.0 {
        return 0.0;
    }
    (1.0 / (2.0 * r)) * (1.0 - r.tanh() / r) * (r - (r / 2.0).tanh())
}

/// The NAC+ initialisation radius: the `r` with `fan * Var[W] = 2`,
/// `fan = max(I + O, 5)`, where `W = tanh(W_hat) * sigmoid(M_hat)` and
/// `W_hat, M_hat ~ U[-r, r]` (see [`nac_variance`]). Solved by bisection on
/// `[0, 10]`; about 0.504 for `100 -> 2`.
///
/// ```
/// let r = arithgrad::units::init::nac_radius(100, 2);
/// assert!((r - 0.504).abs() < 5e-4);
/// ```
pub fn nac_radius(inputs: usize, outputs: usize) -> f64 {
    let fan = (inputs + outputs).max(5) as f64;
    let target = 2.0 / fan;
    let (mut lo, mut hi) = (0.0_f64, 10.0_f64);
    // 60 halvings take the bracket below 1e-17: past f64 resolution here.
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if nac_variance(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Fills `dst` with i.i.d. draws from `U[lo, hi)`, in order.
pub fn fill_uniform<T: Element>(dst: &mut [T], rng: &mut Rng, lo: f64, hi: f64) {
    for x in dst {
        *x = T::from_f64_lossy(rng.uniform(lo, hi));
    }
}

/// Fills `dst` with i.i.d. draws from `N(0, std^2)`, in order.
pub fn fill_normal<T: Element>(dst: &mut [T], rng: &mut Rng, std: f64) {
    for x in dst {
        *x = T::from_f64_lossy(std * rng.normal());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nac_radius_solves_the_variance_condition() {
        for (i, o) in [(100, 2), (2, 1), (4, 2), (1, 1), (300, 10)] {
            let r = nac_radius(i, o);
            let fan = (i + o).max(5) as f64;
            assert!(
                (fan * nac_variance(r) - 2.0).abs() < 1e-9,
                "{i} -> {o}: r = {r}"
            );
            assert!(r > 0.0 && r < 10.0);
        }
        assert!((nac_radius(100, 2) - 0.504).abs() < 5e-4);
        // fan below 5 is raised to 5: these all share one radius.
        assert_eq!(nac_radius(2, 1), nac_radius(1, 1));
        assert_eq!(nac_radius(2, 1), nac_radius(3, 2));
    }

    #[test]
    fn nac_variance_is_increasing_and_matches_quadrature() {
        let mut prev = 0.0;
        for k in 1..200 {
            let v = nac_variance(k as f64 * 0.05);
            assert!(v > prev);
            prev = v;
        }
        // Midpoint-rule check of E[tanh^2] * E[sigmoid^2] at r = 0.8.
        let r = 0.8_f64;
        let n = 20_000;
        let h = 2.0 * r / n as f64;
        let (mut t2, mut s2) = (0.0, 0.0);
        for k in 0..n {
            let u = -r + (k as f64 + 0.5) * h;
            t2 += u.tanh().powi(2) * h / (2.0 * r);
            s2 += (1.0 / (1.0 + (-u).exp())).powi(2) * h / (2.0 * r);
        }
        assert!((nac_variance(r) - t2 * s2).abs() < 1e-8);
    }

    #[test]
    fn radii() {
        assert!((glorot_radius(4, 2) - 1.0).abs() < 1e-15);
        assert!((kaiming_radius(6) - 1.0).abs() < 1e-15);
        assert_eq!(nau_radius(2, 1), 0.5);
        assert!((nau_radius(100, 2) - (6.0f64 / 102.0).sqrt()).abs() < 1e-15);
        assert!((xavier_normal_std(3, 1) - 0.5f64.sqrt()).abs() < 1e-15);
    }
}
