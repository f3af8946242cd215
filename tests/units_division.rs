//! NRU, NMRU, sign-NMRU and sNMU: gradient checks in their training and
//! evaluation forms (proptest-drawn weights and inputs away from kinks),
//! exact solutions on the single-module ranges, initialisation moments,
//! the train/eval switch, and determinism of sweeps at any worker count.

use arithgrad::check::{self, CheckOptions};
use arithgrad::experiment::{sweep, Job, RunConfig, RunRecord};
use arithgrad::random::Rng;
use arithgrad::task::{threshold, Operation, Range, Task, TaskConfig};
use arithgrad::units::{Layer, ModelKind, ModelSpec, TrainContext, Unit, UnitKind};
use arithgrad::{ParamStore, Result, Shape, Tape, Tensor, Var};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const UNITS: [UnitKind; 4] = [
    UnitKind::Nru,
    UnitKind::Nmru,
    UnitKind::SignNmru,
    UnitKind::Snmu,
];

/// The nine training -> test range pairs of the single-module benchmark.
const RANGES: [(&str, &str); 9] = [
    ("[-20,-10]", "[-40,-20]"),
    ("[-2,-1]", "[-6,-2]"),
    ("[-1.2,-1.1]", "[-6.1,-1.2]"),
    ("[-0.2,-0.1]", "[-2,-0.2]"),
    ("[-2,2]", "[-6,-2]u[2,6]"),
    ("[0.1,0.2]", "[0.2,2]"),
    ("[1,2]", "[2,6]"),
    ("[1.1,1.2]", "[1.2,6]"),
    ("[10,20]", "[20,40]"),
];

/// A weight off the kinks: `|w|` in `[0.05, 0.45] u [0.55, 0.95]`, with a
/// sign for the NRU (`W` in [-1, 1], regularizer kinks at 0 and +-0.5) and
/// positive for the NMU-type units (`W` in [0, 1]).
fn weight(kind: UnitKind, u: f64) -> f64 {
    let signed = kind == UnitKind::Nru;
    let s = if signed { 2.0 * u } else { u };
    let v = 0.05 + 0.8 * s.fract();
    let v = if v > 0.45 { v + 0.1 } else { v };
    if signed && s < 1.0 {
        -v
    } else {
        v
    }
}

/// An input with `|x|` in `[0.5, 2]`, either sign: away from the kinks of
/// `log|x|`, `sign`, `1/x` and `|x|` at 0.
fn input(u: f64) -> f64 {
    let s = 2.0 * u;
    let m = 0.5 + 1.5 * s.fract();
    if s < 1.0 {
        -m
    } else {
        m
    }
}

const B: usize = 3;
const I: usize = 2;
const O: usize = 2;

fn case_error(e: arithgrad::Error) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// `sum(z ⊙ c) + 0.7 R` with the training (`train`) or evaluation forward.
/// The training form gets a fresh noise generator of a fixed seed on every
/// call, so the sNMU's noise is the same in every finite difference.
fn loss(
    layer: &Layer,
    c: &Tensor<f64>,
    train: bool,
    t: &mut Tape<f64>,
    p: &ParamStore<f64>,
    x: Var,
) -> Result<Var> {
    let w = layer.record(t, p)?;
    let z = if train {
        let mut noise = Rng::seed_from_u64(9);
        let mut ctx = TrainContext {
            step: 0,
            noise: &mut noise,
        };
        layer.forward_train(t, &w, x, &mut ctx)?
    } else {
        layer.forward(t, &w, x)?
    };
    let cv = t.constant(c);
    let zc = t.mul(z, cv)?;
    let mut l = t.sum(zc)?;
    if let Some(r) = layer.regularizer(t, &w)? {
        let r = t.mul_scalar(r, 0.7)?;
        l = t.add(l, r)?;
    }
    Ok(l)
}

fn check_unit(
    kind: UnitKind,
    pu: &[f64],
    xu: &[f64],
    cu: &[f64],
    train: bool,
) -> std::result::Result<(), TestCaseError> {
    let mut params = ParamStore::<f64>::new();
    let layer = Layer::new(kind, &mut params, "u", I, O, &mut Rng::seed_from_u64(0)).unwrap();
    let n = params.numel();
    let values: Vec<f64> = pu[..n].iter().map(|&u| weight(kind, u)).collect();
    params.values_mut().copy_from_slice(&values);
    let x = Tensor::from_fn(Shape::matrix(B, I), |k| input(xu[k]));
    let c = Tensor::from_fn(Shape::matrix(B, O), |k| cu[k] - 0.5);
    let options = CheckOptions::default();
    let by_params = check::param_gradient(
        |t, p| {
            let xv = t.constant(&x);
            loss(&layer, &c, train, t, p, xv)
        },
        &params,
        &options,
    )
    .map_err(case_error)?;
    prop_assert!(
        by_params.ok(),
        "{kind} (train {train}): parameters: {by_params}"
    );
    prop_assert_eq!(by_params.checked, n);
    let by_input = check::gradient(
        |t, v| loss(&layer, &c, train, t, &params, v[0]),
        std::slice::from_ref(&x),
        &options,
    )
    .map_err(case_error)?;
    prop_assert!(by_input.ok(), "{kind} (train {train}): input: {by_input}");
    Ok(())
}

fn uniforms(n: usize) -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(0.0f64..1.0, n)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn gradients_through_every_unit(pu in uniforms(16), xu in uniforms(B * I), cu in uniforms(B * O)) {
        for kind in UNITS {
            for train in [false, true] {
                check_unit(kind, &pu, &xu, &cu, train)?;
            }
        }
    }

    /// The two-layer models NAU -> unit: the model's own training forward
    /// and regularizer, checked through the parameters and the input.
    #[test]
    fn gradients_through_the_two_layer_models(pu in uniforms(16), xu in uniforms(8)) {
        for model in [ModelKind::Nru, ModelKind::Nmru, ModelKind::SignNmru, ModelKind::Snmu] {
            let spec = model.spec(4, 2);
            let mut params = ParamStore::<f64>::new();
            let mut rng = Rng::seed_from_u64(0);
            let l1 = Layer::new(spec.layer1, &mut params, "l1", 4, 2, &mut rng).unwrap();
            let l2 = Layer::new(spec.layer2, &mut params, "l2", 2, 1, &mut rng).unwrap();
            // NAU weights off their kinks (|w| in [0.05, 0.45] u [0.55, 0.95]),
            // chosen so the hidden values stay away from 0 for the unit.
            let n1 = params.value(l1.param_ids()[0]).unwrap().len();
            let mut v: Vec<f64> = (0..n1).map(|k| 0.55 + 0.4 * pu[k]).collect();
            v.extend(pu[n1..params.numel()].iter().map(|&u| weight(spec.layer2, u)));
            params.values_mut().copy_from_slice(&v);
            let x = Tensor::from_fn(Shape::matrix(2, 4), |k| 0.5 + 1.5 * xu[k]);
            let f = |t: &mut Tape<f64>, p: &ParamStore<f64>, xv: Var| -> Result<Var> {
                let w1 = l1.record(t, p)?;
                let w2 = l2.record(t, p)?;
                let h = l1.forward(t, &w1, xv)?;
                let mut noise = Rng::seed_from_u64(3);
                let mut ctx = TrainContext { step: 0, noise: &mut noise };
                let y = l2.forward_train(t, &w2, h, &mut ctx)?;
                let mut l = t.sum(y)?;
                if let Some(r) = l2.regularizer(t, &w2)? {
                    l = t.add(l, r)?;
                }
                Ok(l)
            };
            let options = CheckOptions::default();
            let by_params = check::param_gradient(|t, p| { let xv = t.constant(&x); f(t, p, xv) }, &params, &options).map_err(case_error)?;
            prop_assert!(by_params.ok(), "{model}: parameters: {by_params}");
            let by_input = check::gradient(|t, v| f(t, &params, v[0]), std::slice::from_ref(&x), &options).map_err(case_error)?;
            prop_assert!(by_input.ok(), "{model}: input: {by_input}");
        }
    }
}

/// The ideal weights of `kind` for `op`, or `None` where the unit cannot
/// compute `op` by construction (every unit here is multiplicative: none
/// can add or subtract; the sNMU, an NMU, cannot divide).
fn ideal(kind: UnitKind, op: Operation) -> Option<Vec<f64>> {
    match (kind, op) {
        (UnitKind::Nru, Operation::Mul) => Some(vec![1.0, 1.0]),
        (UnitKind::Nru, Operation::Div) => Some(vec![1.0, -1.0]),
        (UnitKind::Nmru | UnitKind::SignNmru, Operation::Mul) => Some(vec![1.0, 1.0, 0.0, 0.0]),
        (UnitKind::Nmru | UnitKind::SignNmru, Operation::Div) => Some(vec![1.0, 0.0, 0.0, 1.0]),
        (UnitKind::Snmu, Operation::Mul) => Some(vec![1.0, 1.0]),
        _ => None,
    }
}

fn range(text: &str) -> Range {
    Range::parse("range", text).unwrap()
}

#[test]
fn ideal_weights_compute_the_operation_on_every_benchmark_range() {
    for kind in UNITS {
        for op in [
            Operation::Add,
            Operation::Sub,
            Operation::Mul,
            Operation::Div,
        ] {
            let Some(w) = ideal(kind, op) else {
                // add/sub: a product of per-input factors cannot be a sum;
                // div for the sNMU: an NMU has no reciprocal.
                assert!(
                    matches!(op, Operation::Add | Operation::Sub) || kind == UnitKind::Snmu,
                    "{kind} {op}"
                );
                continue;
            };
            for (train_range, test_range) in RANGES {
                let config = TaskConfig::single_module(op, range(train_range), range(test_range));
                let task = Task::new(config.clone(), 0).unwrap();
                let test = task.test_set::<f64>();
                let mut params = ParamStore::<f64>::new();
                let layer =
                    Layer::new(kind, &mut params, "u", 2, 1, &mut Rng::seed_from_u64(0)).unwrap();
                params.values_mut().copy_from_slice(&w);
                let x = Tensor::from_slice(Shape::matrix(test.rows, 2), &test.x).unwrap();
                for train in [false, true] {
                    let mut tape = Tape::new();
                    let xv = tape.constant(&x);
                    let wv = layer.record(&mut tape, &params).unwrap();
                    let mut noise = Rng::seed_from_u64(1);
                    let mut ctx = TrainContext {
                        step: 0,
                        noise: &mut noise,
                    };
                    let z = if train {
                        layer.forward_train(&mut tape, &wv, xv, &mut ctx).unwrap()
                    } else {
                        layer.forward(&mut tape, &wv, xv).unwrap()
                    };
                    let mse = tape
                        .value(z)
                        .unwrap()
                        .iter()
                        .zip(&test.targets)
                        .map(|(y, t)| (y - t) * (y - t))
                        .sum::<f64>()
                        / test.rows as f64;
                    // Evaluation: exact up to a few ulps of exp(log|x|) or 1/x.
                    // Training: the eps of the reciprocal units (1.2e-7
                    // relative to x) is allowed, far below the threshold.
                    let t = threshold(&config, 20_000, 0).unwrap().mse;
                    let bound = if train { t * 1e-3 } else { t * 1e-12 };
                    assert!(
                        mse <= bound,
                        "{kind} {op} {train_range} train={train}: {mse:e} vs {t:e}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_reciprocal_units_use_eps_only_in_training() {
    for kind in [UnitKind::Nmru, UnitKind::SignNmru] {
        let mut params = ParamStore::<f64>::new();
        let layer = Layer::new(kind, &mut params, "u", 2, 1, &mut Rng::seed_from_u64(0)).unwrap();
        params.values_mut().copy_from_slice(&[0.0, 0.0, 0.0, 1.0]); // 1 / x2
        let x = Tensor::from_vec(Shape::matrix(1, 2), vec![1.0, 2.0]).unwrap();
        let mut tape = Tape::new();
        let xv = tape.constant(&x);
        let w = layer.record(&mut tape, &params).unwrap();
        let eval = layer.forward(&mut tape, &w, xv).unwrap();
        let mut noise = Rng::seed_from_u64(0);
        let mut ctx = TrainContext {
            step: 0,
            noise: &mut noise,
        };
        let train = layer.forward_train(&mut tape, &w, xv, &mut ctx).unwrap();
        assert_eq!(tape.value(eval).unwrap(), &[0.5]);
        let eps = f32::EPSILON as f64;
        assert_eq!(tape.value(train).unwrap(), &[(2.0 + eps).powf(-1.0)]);
    }
    // The NRU's training selection tanh(1000 W)^2 against |W| at evaluation.
    let mut params = ParamStore::<f64>::new();
    let layer = Layer::new(
        UnitKind::Nru,
        &mut params,
        "u",
        1,
        1,
        &mut Rng::seed_from_u64(0),
    )
    .unwrap();
    params.values_mut().copy_from_slice(&[0.001]);
    let x = Tensor::from_vec(Shape::matrix(1, 1), vec![2.0]).unwrap();
    let mut tape = Tape::new();
    let xv = tape.constant(&x);
    let w = layer.record(&mut tape, &params).unwrap();
    let eval_v = layer.forward(&mut tape, &w, xv).unwrap();
    let eval = tape.item(eval_v).unwrap();
    let mut noise = Rng::seed_from_u64(0);
    let mut ctx = TrainContext {
        step: 0,
        noise: &mut noise,
    };
    let train_v = layer.forward_train(&mut tape, &w, xv, &mut ctx).unwrap();
    let train = tape.item(train_v).unwrap();
    let p = 2f64.powf(0.001);
    assert!((eval - (p * 0.001 + 0.999)).abs() < 1e-15);
    let a = 1f64.tanh().powi(2);
    assert!((train - (p * a + 1.0 - a)).abs() < 1e-15);
}

#[test]
fn the_snmu_noise_cancels_for_ideal_weights_and_changes_fractional_ones() {
    let mut params = ParamStore::<f64>::new();
    let layer = Layer::new(
        UnitKind::Snmu,
        &mut params,
        "u",
        2,
        1,
        &mut Rng::seed_from_u64(0),
    )
    .unwrap();
    let x = Tensor::from_vec(Shape::matrix(2, 2), vec![3.0, -2.0, 0.5, 4.0]).unwrap();
    let run = |params: &ParamStore<f64>, seed: u64| {
        let mut tape = Tape::new();
        let xv = tape.constant(&x);
        let w = layer.record(&mut tape, params).unwrap();
        let mut noise = Rng::seed_from_u64(seed);
        let mut ctx = TrainContext {
            step: 0,
            noise: &mut noise,
        };
        let z = layer.forward_train(&mut tape, &w, xv, &mut ctx).unwrap();
        tape.value(z).unwrap().to_vec()
    };
    params.values_mut().copy_from_slice(&[1.0, 1.0]);
    for (a, b) in run(&params, 0).iter().zip([-6.0, 2.0]) {
        assert!((a - b).abs() < 1e-14, "{a} vs {b}");
    }
    params.values_mut().copy_from_slice(&[0.5, 1.0]);
    assert_ne!(
        run(&params, 0),
        run(&params, 1),
        "the noise is drawn from ctx.noise"
    );
}

#[test]
fn initial_weights_have_the_documented_moments() {
    let (i, o) = (200, 100);
    for kind in UNITS {
        let mut params = ParamStore::<f64>::new();
        Layer::new(kind, &mut params, "u", i, o, &mut Rng::seed_from_u64(7)).unwrap();
        let w = params.values();
        let n = w.len() as f64;
        let mean = w.iter().sum::<f64>() / n;
        let var = w.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        let (m, v, lo, hi) = if kind == UnitKind::Nru {
            // NAU-style: U[-r, r], r = min(0.5, sqrt(6 / (I + O))).
            let r = (6.0f64 / (i + o) as f64).sqrt().min(0.5);
            (0.0, r * r / 3.0, -r, r)
        } else {
            // NMU-style: U[0.25, 0.75].
            (0.5, 1.0 / 48.0, 0.25, 0.75)
        };
        assert!(
            (mean - m).abs() < 4.0 * (v / n).sqrt(),
            "{kind}: mean {mean}"
        );
        assert!((var / v - 1.0).abs() < 0.05, "{kind}: var {var} vs {v}");
        assert!(w.iter().all(|x| (lo..=hi).contains(x)), "{kind}");
        let expected_len = if kind == UnitKind::Nru || kind == UnitKind::Snmu {
            i * o
        } else {
            2 * i * o
        };
        assert_eq!(w.len(), expected_len, "{kind}");
    }
}

#[test]
fn the_units_declare_their_training_rules() {
    for kind in [UnitKind::Nmru, UnitKind::SignNmru] {
        let c = RunConfig::new(
            ModelSpec::single(kind, 2),
            TaskConfig::single_module(Operation::Div, range("[1,2]"), range("[2,6]")),
        );
        assert_eq!(c.learning_rate, 1e-2, "{kind}");
        assert_eq!(c.rules.grad_clip, arithgrad::units::GradClip::Norm(1.0));
        assert_eq!(c.regularizer.lambda_hat(), 10.0);
    }
    let nru = RunConfig::new(
        ModelSpec::single(UnitKind::Nru, 2),
        TaskConfig::single_module(Operation::Div, range("[1,2]"), range("[2,6]")),
    );
    assert_eq!(
        (nru.learning_rate, nru.regularizer.lambda_hat()),
        (1e-3, 0.01)
    );
    assert!(nru.rules.is_none());
    let snmu = RunConfig::new(
        ModelSpec::single(UnitKind::Snmu, 2),
        TaskConfig::single_module(Operation::Mul, range("[1,2]"), range("[2,6]")),
    );
    assert_eq!(snmu.regularizer.lambda_hat(), 10.0);
}

fn without_time(mut r: RunRecord) -> String {
    r.wall_time_s = 0.0;
    serde_json::to_string(&r).unwrap()
}

#[test]
fn sweeps_are_bit_identical_at_any_worker_count() {
    let mut jobs = Vec::new();
    for kind in UNITS {
        let op = if kind == UnitKind::Snmu {
            Operation::Mul
        } else {
            Operation::Div
        };
        let task = TaskConfig::single_module(op, range("[-2,2]"), range("[-6,-2]u[2,6]"));
        let mut config = RunConfig::new(ModelSpec::single(kind, 2), task);
        config.iterations = 300;
        config.eval_every = 100;
        config.eval_rows = 500;
        for seed in 0..2 {
            jobs.push(Job {
                config: config.clone(),
                seed,
                threshold: 1e-9,
            });
        }
    }
    let collect = |workers: usize| {
        let mut out = vec![String::new(); jobs.len()];
        sweep(&jobs, workers, |i, r| out[i] = without_time(r.unwrap()));
        out
    };
    let one = collect(1);
    assert_eq!(one, collect(2));
    assert_eq!(one, collect(3));
    assert_ne!(one[0], one[1], "seeds differ");
}
