//! Initialisation: for every unit, the empirical distribution of many draws
//! matches docs/protocol.md, section 1. Tolerances are a few standard
//! errors, and the extremes of each uniform draw pin its radius to 0.1%, so a wrong
//! distribution or radius cannot pass by accident.

use arithgrad::random::Rng;
use arithgrad::units::init::{nac_radius, nac_variance};
use arithgrad::units::{
    Activation, GatedNauNmu, Linear, NacAdd, NacMul, NacMulNmu, NacMulSigma, Nalu, NaluSharing,
    Nau, Nmu, NmuConstraint, Unit,
};
use arithgrad::{ParamId, ParamStore};

/// At least this many draws per distribution.
const DRAWS: usize = 100_000;

/// Re-initialises `unit` until each parameter in `ids` has `DRAWS` values,
/// and returns them (one vector per id).
fn draws<U: Unit>(
    unit: &U,
    params: &mut ParamStore<f64>,
    ids: &[ParamId],
    seed: u64,
) -> Vec<Vec<f64>> {
    let mut rng = Rng::seed_from_u64(seed);
    let per_init = ids
        .iter()
        .map(|&id| params.value(id).unwrap().len())
        .min()
        .unwrap();
    let rounds = DRAWS.div_ceil(per_init);
    let mut out = vec![Vec::with_capacity(rounds * per_init); ids.len()];
    for _ in 0..rounds {
        unit.init(params, &mut rng).unwrap();
        for (o, &id) in out.iter_mut().zip(ids) {
            o.extend_from_slice(params.value(id).unwrap());
        }
    }
    out
}

fn moments(xs: &[f64]) -> (f64, f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
    (mean, var, m4 / (var * var))
}

/// Checks that `xs` look like i.i.d. draws from `U[lo, hi]`.
fn assert_uniform(xs: &[f64], lo: f64, hi: f64, what: &str) {
    let n = xs.len() as f64;
    let width = hi - lo;
    let (mean, var, kurt) = moments(xs);
    let true_var = width * width / 12.0;
    // Standard errors: mean sd/sqrt(n); variance var*sqrt((kurtosis-1)/n), kurtosis 1.8.
    let se_mean = true_var.sqrt() / n.sqrt();
    let se_var = true_var * (0.8 / n).sqrt();
    assert!(
        (mean - (lo + hi) / 2.0).abs() < 5.0 * se_mean,
        "{what}: mean {mean}, expected {}",
        (lo + hi) / 2.0
    );
    assert!(
        (var - true_var).abs() < 5.0 * se_var,
        "{what}: variance {var}, expected {true_var}"
    );
    assert!(
        (kurt - 1.8).abs() < 0.05,
        "{what}: kurtosis {kurt}, expected 1.8"
    );
    let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(
        min >= lo && max <= hi,
        "{what}: range [{min}, {max}] outside [{lo}, {hi}]"
    );
    assert!(
        min - lo < 1e-3 * width && hi - max < 1e-3 * width,
        "{what}: extremes [{min}, {max}] do not reach [{lo}, {hi}]"
    );
}

/// Checks that `xs` look like i.i.d. draws from `N(0, std^2)`.
fn assert_normal(xs: &[f64], std: f64, what: &str) {
    let n = xs.len() as f64;
    let (mean, var, kurt) = moments(xs);
    let true_var = std * std;
    assert!(mean.abs() < 5.0 * std / n.sqrt(), "{what}: mean {mean}");
    // Normal: se of the variance is var*sqrt(2/n); of the kurtosis sqrt(24/n).
    assert!(
        (var - true_var).abs() < 5.0 * true_var * (2.0 / n).sqrt(),
        "{what}: variance {var}, expected {true_var}"
    );
    assert!(
        (kurt - 3.0).abs() < 5.0 * (24.0 / n).sqrt(),
        "{what}: kurtosis {kurt}, expected 3"
    );
}

fn assert_zero(xs: &[f64], what: &str) {
    assert!(xs.iter().all(|&x| x == 0.0), "{what}: not all zero");
}

#[test]
fn linear_is_glorot_uniform_with_zero_bias() {
    let mut p = ParamStore::new();
    let mut rng = Rng::seed_from_u64(1);
    let l = Linear::new(&mut p, "l", 100, 2, Activation::Identity, &mut rng).unwrap();
    let d = draws(&l, &mut p, &[l.weight(), l.bias()], 11);
    let s = (6.0f64 / 102.0).sqrt();
    assert_uniform(&d[0], -s, s, "linear W");
    assert_zero(&d[1], "linear b");
}

#[test]
fn relu_layers_are_kaiming_uniform_with_zero_bias() {
    for act in [Activation::Relu, Activation::Relu6] {
        let mut p = ParamStore::new();
        let mut rng = Rng::seed_from_u64(2);
        let l = Linear::new(&mut p, "l", 100, 2, act, &mut rng).unwrap();
        let d = draws(&l, &mut p, &[l.weight(), l.bias()], 12);
        let s = (6.0f64 / 100.0).sqrt();
        assert_uniform(&d[0], -s, s, &format!("{act:?} W"));
        assert_zero(&d[1], &format!("{act:?} b"));
    }
}

#[test]
fn nac_radius_for_100_to_2() {
    let r = nac_radius(100, 2);
    assert!((r - 0.504).abs() < 5e-4, "r = {r}");
    assert!((102.0 * nac_variance(r) - 2.0).abs() < 1e-9);
}

#[test]
fn nac_add_draws_both_matrices_from_the_nac_radius_and_fan_var_w_is_2() {
    let mut p = ParamStore::new();
    let mut rng = Rng::seed_from_u64(3);
    let nac = NacAdd::new(&mut p, "nac", 100, 2, &mut rng).unwrap();
    let ids = [nac.nac_params().w_hat, nac.nac_params().m_hat];
    let d = draws(&nac, &mut p, &ids, 13);
    let r = nac_radius(100, 2);
    assert_uniform(&d[0], -r, r, "NAC+ W_hat");
    assert_uniform(&d[1], -r, r, "NAC+ M_hat");
    // The weight the layer uses: fan * Var[W] = 2 with fan = 102.
    let w: Vec<f64> = d[0]
        .iter()
        .zip(&d[1])
        .map(|(a, b)| a.tanh() / (1.0 + (-b).exp()))
        .collect();
    let (mean, var, _) = moments(&w);
    assert!(
        mean.abs() < 5.0 * var.sqrt() / (w.len() as f64).sqrt(),
        "mean W {mean}"
    );
    assert!(
        (102.0 * var - 2.0).abs() < 0.04,
        "fan * Var[W] = {}",
        102.0 * var
    );
}

#[test]
fn nac_mul_is_initialised_like_nac_add_with_fan_at_least_5() {
    let mut p = ParamStore::new();
    let mut rng = Rng::seed_from_u64(4);
    // 2 -> 1 (layer 2 of the model): fan is raised from 3 to 5.
    let nac = NacMul::new(&mut p, "nac", 2, 1, &mut rng).unwrap();
    let ids = [nac.nac_params().w_hat, nac.nac_params().m_hat];
    let d = draws(&nac, &mut p, &ids, 14);
    let r = nac_radius(2, 1);
    assert!((5.0 * nac_variance(r) - 2.0).abs() < 1e-9);
    assert_uniform(&d[0], -r, r, "NAC* W_hat");
    assert_uniform(&d[1], -r, r, "NAC* M_hat");
    let w: Vec<f64> = d[0]
        .iter()
        .zip(&d[1])
        .map(|(a, b)| a.tanh() / (1.0 + (-b).exp()))
        .collect();
    let (_, var, _) = moments(&w);
    assert!(
        (5.0 * var - 2.0).abs() < 0.04,
        "fan * Var[W] = {}",
        5.0 * var
    );
}

#[test]
fn nac_mul_sigma_is_xavier_normal() {
    let mut p = ParamStore::new();
    let mut rng = Rng::seed_from_u64(5);
    let nac = NacMulSigma::new(&mut p, "s", 100, 2, &mut rng).unwrap();
    let d = draws(&nac, &mut p, &[nac.weight_hat()], 15);
    assert_normal(&d[0], (2.0f64 / 102.0).sqrt(), "NAC*,sigma W_hat");
}

#[test]
fn nac_mul_nmu_and_nmu_are_uniform_quarter_to_three_quarters() {
    let mut p = ParamStore::new();
    let mut rng = Rng::seed_from_u64(6);
    let a = NacMulNmu::new(&mut p, "a", 2, 1, &mut rng).unwrap();
    let d = draws(&a, &mut p, &[a.weight()], 16);
    assert_uniform(&d[0], 0.25, 0.75, "NAC*,NMU W");
    for c in [NmuConstraint::Project, NmuConstraint::ClampInForward] {
        let mut p = ParamStore::new();
        let n = Nmu::new(&mut p, "n", 100, 2, c, &mut rng).unwrap();
        let d = draws(&n, &mut p, &[n.weight()], 17);
        assert_uniform(&d[0], 0.25, 0.75, &format!("NMU ({c:?}) W"));
    }
}

#[test]
fn nau_radius_is_min_of_half_and_glorot() {
    for (i, o, r) in [(100, 2, (6.0f64 / 102.0).sqrt()), (2, 1, 0.5), (10, 2, 0.5)] {
        let mut p = ParamStore::new();
        let mut rng = Rng::seed_from_u64(7);
        let n = Nau::new(&mut p, "n", i, o, &mut rng).unwrap();
        let d = draws(&n, &mut p, &[n.weight()], 18);
        assert_uniform(&d[0], -r, r, &format!("NAU {i} -> {o} W"));
    }
}

#[test]
fn nalu_pairs_use_the_nac_radius_and_the_gate_is_glorot() {
    for sharing in [NaluSharing::Shared, NaluSharing::Separate] {
        let mut p = ParamStore::new();
        let mut rng = Rng::seed_from_u64(8);
        let n = Nalu::new(&mut p, "n", 100, 2, sharing, &mut rng).unwrap();
        let mut ids = vec![n.add_params().w_hat, n.add_params().m_hat];
        if sharing == NaluSharing::Separate {
            ids.extend([n.mul_params().w_hat, n.mul_params().m_hat]);
        }
        ids.push(n.gate_weight());
        assert_eq!(n.param_ids(), ids);
        let d = draws(&n, &mut p, &ids, 19);
        let r = nac_radius(100, 2);
        for (k, xs) in d[..d.len() - 1].iter().enumerate() {
            assert_uniform(xs, -r, r, &format!("NALU ({sharing:?}) NAC param {k}"));
        }
        let s = (6.0f64 / 102.0).sqrt();
        assert_uniform(d.last().unwrap(), -s, s, &format!("NALU ({sharing:?}) G"));
    }
}

#[test]
fn gated_unit_initialises_its_nau_nmu_and_gate() {
    let mut p = ParamStore::new();
    let mut rng = Rng::seed_from_u64(9);
    let g = GatedNauNmu::new(&mut p, "g", 100, 2, &mut rng).unwrap();
    let ids = [g.nau().weight(), g.nmu().weight(), g.gate_weight()];
    let d = draws(&g, &mut p, &ids, 20);
    let s = (6.0f64 / 102.0).sqrt();
    assert_uniform(&d[0], -s, s, "gated NAU W");
    assert_uniform(&d[1], 0.25, 0.75, "gated NMU W");
    assert_uniform(&d[2], -s, s, "gated G");
}

#[test]
fn parameters_are_independent_of_each_other() {
    // Draws of W_hat and M_hat are not correlated (no reused stream).
    let mut p = ParamStore::new();
    let mut rng = Rng::seed_from_u64(10);
    let nac = NacAdd::new(&mut p, "nac", 100, 2, &mut rng).unwrap();
    let ids = [nac.nac_params().w_hat, nac.nac_params().m_hat];
    let d = draws(&nac, &mut p, &ids, 21);
    let n = d[0].len() as f64;
    let corr = d[0].iter().zip(&d[1]).map(|(a, b)| a * b).sum::<f64>()
        / n
        / (moments(&d[0]).1 * moments(&d[1]).1).sqrt();
    assert!(corr.abs() < 5.0 / n.sqrt(), "correlation {corr}");
}
