//! Initialisation of iNALU, G-NALU and the NPU family: the empirical
//! moments of many draws match each unit's stated distribution, within a
//! few standard errors (and the extremes of uniform draws pin the radius).

use arithgrad::random::Rng;
use arithgrad::units::init::{glorot_radius, nac_radius};
use arithgrad::units::{GNalu, Inalu, InaluInit, NaiveNpu, Npu, RealNpu, Unit};
use arithgrad::{ParamId, ParamStore};

/// At least this many draws per distribution.
const DRAWS: usize = 100_000;

/// Draws via `draw` (an init or a reinitialisation) until each parameter
/// in `ids` has `DRAWS` values.
fn draws(
    params: &mut ParamStore<f64>,
    ids: &[ParamId],
    seed: u64,
    draw: impl Fn(&mut ParamStore<f64>, &mut Rng),
) -> Vec<Vec<f64>> {
    let mut rng = Rng::seed_from_u64(seed);
    let per = ids
        .iter()
        .map(|&id| params.value(id).unwrap().len())
        .min()
        .unwrap();
    let mut out = vec![Vec::new(); ids.len()];
    for _ in 0..DRAWS.div_ceil(per) {
        draw(params, &mut rng);
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

fn assert_normal(xs: &[f64], mean_want: f64, std: f64, what: &str) {
    let n = xs.len() as f64;
    let (mean, var, kurt) = moments(xs);
    let v = std * std;
    assert!(
        (mean - mean_want).abs() < 5.0 * std / n.sqrt(),
        "{what}: mean {mean}, expected {mean_want}"
    );
    assert!(
        (var - v).abs() < 5.0 * v * (2.0 / n).sqrt(),
        "{what}: variance {var}, expected {v}"
    );
    assert!(
        (kurt - 3.0).abs() < 5.0 * (24.0 / n).sqrt(),
        "{what}: kurtosis {kurt}"
    );
}

fn assert_uniform(xs: &[f64], lo: f64, hi: f64, what: &str) {
    let n = xs.len() as f64;
    let w = hi - lo;
    let (mean, var, kurt) = moments(xs);
    let v = w * w / 12.0;
    assert!(
        (mean - (lo + hi) / 2.0).abs() < 5.0 * v.sqrt() / n.sqrt(),
        "{what}: mean {mean}"
    );
    assert!(
        (var - v).abs() < 5.0 * v * (0.8 / n).sqrt(),
        "{what}: variance {var}, expected {v}"
    );
    assert!((kurt - 1.8).abs() < 0.05, "{what}: kurtosis {kurt}");
    let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(min >= lo && max <= hi, "{what}: [{min}, {max}] outside");
    assert!(
        min - lo < 1e-3 * w && hi - max < 1e-3 * w,
        "{what}: [{min}, {max}] does not reach [{lo}, {hi}]"
    );
}

fn assert_constant(xs: &[f64], c: f64, what: &str) {
    assert!(xs.iter().all(|&x| x == c), "{what}: not all {c}");
}

#[test]
fn inalu_benchmark_and_library_initialisations() {
    for (init, hat, m, std) in [
        (InaluInit::Benchmark, 1.0, -1.0, 0.1),
        (InaluInit::Library, 0.88, 0.5, 0.2),
    ] {
        let mut p = ParamStore::new();
        let u = Inalu::new(&mut p, "i", 100, 10, init, &mut Rng::seed_from_u64(1)).unwrap();
        let ids = [u.a_hat(), u.a_m(), u.m_hat(), u.m_m(), u.gate_weight()];
        let d = draws(&mut p, &ids, 7, |p, r| u.init(p, r).unwrap());
        let want = [hat, m, hat, m, 0.0];
        for (k, name) in ["A_hat", "A_m", "M_hat", "M_m", "G"].iter().enumerate() {
            assert_normal(&d[k], want[k], std, &format!("{init:?} {name}"));
        }
    }
}

#[test]
fn inalu_reinitialisation_is_uniform_on_minus_2_2() {
    let mut p = ParamStore::new();
    let u = Inalu::new(
        &mut p,
        "i",
        100,
        10,
        InaluInit::Benchmark,
        &mut Rng::seed_from_u64(1),
    )
    .unwrap();
    let ids = u.param_ids();
    let d = draws(&mut p, &ids, 8, |p, r| u.reinitialise(p, r).unwrap());
    for (k, xs) in d.iter().enumerate() {
        assert_uniform(xs, -2.0, 2.0, &format!("reinitialised parameter {k}"));
    }
}

#[test]
fn g_nalu_is_initialised_as_the_nalu() {
    let mut p = ParamStore::new();
    let u = GNalu::new(&mut p, "g", 100, 10, &mut Rng::seed_from_u64(2)).unwrap();
    let ids = [u.nac_params().w_hat, u.nac_params().m_hat, u.gate_weight()];
    let d = draws(&mut p, &ids, 9, |p, r| u.init(p, r).unwrap());
    let r = nac_radius(100, 10);
    assert_uniform(&d[0], -r, r, "g-nalu W_hat");
    assert_uniform(&d[1], -r, r, "g-nalu M_hat");
    let s = glorot_radius(100, 10);
    assert_uniform(&d[2], -s, s, "g-nalu G");
}

#[test]
fn power_units_draw_w_re_glorot_uniform_with_w_im_zero_and_g_one_half() {
    let s = glorot_radius(100, 10);
    let mut p = ParamStore::new();
    let npu = Npu::new(&mut p, "npu", 100, 10, &mut Rng::seed_from_u64(3)).unwrap();
    let d = draws(&mut p, &[npu.w_re(), npu.w_im(), npu.gate()], 10, |p, r| {
        npu.init(p, r).unwrap()
    });
    assert_uniform(&d[0], -s, s, "npu W_re");
    assert_constant(&d[1], 0.0, "npu W_im");
    assert_constant(&d[2], 0.5, "npu g");

    let mut p = ParamStore::new();
    let real = RealNpu::new(&mut p, "real", 100, 10, &mut Rng::seed_from_u64(4)).unwrap();
    let d = draws(&mut p, &[real.w_re(), real.gate()], 11, |p, r| {
        real.init(p, r).unwrap()
    });
    assert_uniform(&d[0], -s, s, "real-npu W_re");
    assert_constant(&d[1], 0.5, "real-npu g");

    let mut p = ParamStore::new();
    let naive = NaiveNpu::new(&mut p, "naive", 100, 10, &mut Rng::seed_from_u64(5)).unwrap();
    let d = draws(&mut p, &[naive.w_re(), naive.w_im()], 12, |p, r| {
        naive.init(p, r).unwrap()
    });
    assert_uniform(&d[0], -s, s, "naive-npu W_re");
    assert_constant(&d[1], 0.0, "naive-npu W_im");
}
