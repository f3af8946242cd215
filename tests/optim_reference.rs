//! Optimizer trajectories, gradient clipping and learning-rate schedules
//! checked against PyTorch.
//!
//! The expected values in `tests/data/optim_reference.json` were produced by
//! PyTorch itself (`torch.optim.SGD/Adam/AdamW/RMSprop`,
//! `torch.nn.utils.clip_grad_norm_/clip_grad_value_` and
//! `torch.optim.lr_scheduler`, float64 on the CPU, `foreach=False`) with the
//! committed script `tests/data/optim_reference.py`:
//!
//! ```text
//! python3 tests/data/optim_reference.py > tests/data/optim_reference.json
//! ```
//!
//! The JSON records the torch version. The problem is a separable quadratic
//! `L = Σ ½ a_i (p_i − c_i)²` over three parameters (2×2, 3, scalar); both
//! sides write the gradient `a_i (p_i − c_i)` by hand, so only the
//! optimizer (and clipping) is being compared. Each case runs six steps and
//! every intermediate parameter vector is compared in `f64` to a relative
//! tolerance of 1e-12. Hyper-parameters a case leaves out are PyTorch's
//! defaults there and arithgrad's `Default`s here, so the defaults are
//! checked too.
//!
//! Why not bit-exact: PyTorch's CPU kernels evaluate `p.add_(g, alpha=-lr)`
//! with a fused multiply-add (checked against Python's `math.fma`), while
//! arithgrad rounds the product and the sum separately. The largest relative
//! difference seen over all cases is about 5e-15 (a few ulps).

use arithgrad::optim::{
    clip_grad_norm, clip_grad_value, Adam, AdamConfig, AdamW, AdamWConfig, Optimizer, RmsProp,
    RmsPropConfig, Schedule, Sgd, SgdConfig,
};
use arithgrad::tape::ParamStore;
use arithgrad::tensor::{Element, Shape, Tensor};
use serde_json::{Map, Value};

const REFERENCE: &str = include_str!("data/optim_reference.json");

fn reference() -> Value {
    serde_json::from_str(REFERENCE).expect("reference JSON parses")
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

/// The three parameters of the reference problem, in the script's order.
fn initial_store<T: Element>(data: &Value) -> ParamStore<T> {
    let init = &data["initial"];
    let conv = |xs: Vec<f64>| -> Vec<T> { xs.into_iter().map(T::from_f64_lossy).collect() };
    let w: Vec<f64> = init["w"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(f64s)
        .collect();
    let mut params = ParamStore::new();
    params
        .add(
            "w",
            Tensor::from_slice(Shape::matrix(2, 2), &conv(w)).unwrap(),
        )
        .unwrap();
    params
        .add(
            "b",
            Tensor::from_slice(Shape::vector(3), &conv(f64s(&init["b"]))).unwrap(),
        )
        .unwrap();
    params
        .add(
            "s",
            Tensor::scalar(T::from_f64_lossy(init["s"].as_f64().unwrap())),
        )
        .unwrap();
    params
}

/// Writes the quadratic's gradient `a ⊙ (p − c)` into the store.
fn set_gradient<T: Element>(params: &mut ParamStore<T>, a: &[T], c: &[T]) {
    let p = params.values().to_vec();
    for (i, g) in params.grads_mut().iter_mut().enumerate() {
        *g = a[i] * (p[i] - c[i]);
    }
}

fn num(hyper: &Map<String, Value>, key: &str, default: f64) -> f64 {
    hyper.get(key).map_or(default, |v| v.as_f64().unwrap())
}

fn flag(hyper: &Map<String, Value>, key: &str, default: bool) -> bool {
    hyper.get(key).map_or(default, |v| v.as_bool().unwrap())
}

fn betas(hyper: &Map<String, Value>, default: (f64, f64)) -> (f64, f64) {
    hyper.get("betas").map_or(default, |v| {
        let b = f64s(v);
        (b[0], b[1])
    })
}

/// Builds the case's optimizer: the listed hyper-parameters over arithgrad's
/// defaults. Unknown keys fail the test rather than being ignored.
fn build<T: Element>(kind: &str, hyper: &Map<String, Value>) -> Box<dyn Optimizer<T>> {
    let known: &[&str] = match kind {
        "sgd" => &["lr", "momentum", "dampening", "weight_decay", "nesterov"],
        "adam" | "adamw" => &["lr", "betas", "eps", "weight_decay", "amsgrad"],
        "rmsprop" => &["lr", "alpha", "eps", "weight_decay", "momentum", "centered"],
        other => panic!("unknown optimizer {other}"),
    };
    for key in hyper.keys() {
        assert!(known.contains(&key.as_str()), "{kind}: unknown key {key}");
    }
    match kind {
        "sgd" => {
            let d = SgdConfig::new(num(hyper, "lr", f64::NAN));
            Box::new(
                Sgd::new(SgdConfig {
                    momentum: num(hyper, "momentum", d.momentum),
                    dampening: num(hyper, "dampening", d.dampening),
                    weight_decay: num(hyper, "weight_decay", d.weight_decay),
                    nesterov: flag(hyper, "nesterov", d.nesterov),
                    ..d
                })
                .unwrap(),
            )
        }
        "adam" => {
            let d = AdamConfig::default();
            Box::new(
                Adam::new(AdamConfig {
                    lr: num(hyper, "lr", d.lr),
                    betas: betas(hyper, d.betas),
                    eps: num(hyper, "eps", d.eps),
                    weight_decay: num(hyper, "weight_decay", d.weight_decay),
                    amsgrad: flag(hyper, "amsgrad", d.amsgrad),
                })
                .unwrap(),
            )
        }
        "adamw" => {
            let d = AdamWConfig::default();
            Box::new(
                AdamW::new(AdamWConfig {
                    lr: num(hyper, "lr", d.lr),
                    betas: betas(hyper, d.betas),
                    eps: num(hyper, "eps", d.eps),
                    weight_decay: num(hyper, "weight_decay", d.weight_decay),
                    amsgrad: flag(hyper, "amsgrad", d.amsgrad),
                })
                .unwrap(),
            )
        }
        _ => {
            let d = RmsPropConfig::default();
            Box::new(
                RmsProp::new(RmsPropConfig {
                    lr: num(hyper, "lr", d.lr),
                    alpha: num(hyper, "alpha", d.alpha),
                    eps: num(hyper, "eps", d.eps),
                    weight_decay: num(hyper, "weight_decay", d.weight_decay),
                    momentum: num(hyper, "momentum", d.momentum),
                    centered: flag(hyper, "centered", d.centered),
                })
                .unwrap(),
            )
        }
    }
}

/// Runs one reference case in `T`; returns the trajectory and clip norms.
fn run_case<T: Element>(data: &Value, case: &Value) -> (Vec<Vec<f64>>, Vec<f64>) {
    let a: Vec<T> = f64s(&data["curvature"])
        .into_iter()
        .map(T::from_f64_lossy)
        .collect();
    let c: Vec<T> = f64s(&data["target"])
        .into_iter()
        .map(T::from_f64_lossy)
        .collect();
    let mut params = initial_store::<T>(data);
    let mut opt = build::<T>(
        case["optimizer"].as_str().unwrap(),
        case["hyper"].as_object().unwrap(),
    );
    let clip = &case["clip"];
    let steps = data["steps"].as_u64().unwrap();
    let (mut trajectory, mut norms) = (Vec::new(), Vec::new());
    for _ in 0..steps {
        set_gradient(&mut params, &a, &c);
        if let Some(max_norm) = clip["max_norm"].as_f64() {
            norms.push(clip_grad_norm(&mut params, max_norm).unwrap());
        }
        if let Some(value) = clip["clip_value"].as_f64() {
            clip_grad_value(&mut params, value).unwrap();
        }
        opt.step(&mut params).unwrap();
        trajectory.push(params.values().iter().map(|x| x.to_f64_lossy()).collect());
    }
    assert_eq!(opt.steps_taken(), steps);
    (trajectory, norms)
}

/// `|got − want| ≤ rel · max(|got|, |want|) + abs`, with a message naming the place.
fn assert_close(got: f64, want: f64, rel: f64, abs: f64, what: &str) {
    let err = (got - want).abs();
    assert!(
        err <= rel * got.abs().max(want.abs()) + abs,
        "{what}: got {got:e}, PyTorch {want:e}, difference {err:e}"
    );
}

#[test]
fn reference_covers_every_requested_variant() {
    let data = reference();
    let names: Vec<&str> = data["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for required in [
        "sgd_plain",
        "sgd_momentum",
        "sgd_nesterov",
        "sgd_weight_decay",
        "adam",
        "adam_weight_decay",
        "adam_amsgrad",
        "adamw",
        "rmsprop_default",
        "rmsprop_momentum",
        "rmsprop_centered",
        "sgd_momentum_clip_norm",
        "adam_clip_value",
    ] {
        assert!(names.contains(&required), "missing case {required}");
    }
}

#[test]
fn f64_trajectories_match_pytorch() {
    let data = reference();
    let mut worst = 0.0f64;
    for case in data["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (trajectory, norms) = run_case::<f64>(&data, case);
        let expected = case["trajectory"].as_array().unwrap();
        assert_eq!(trajectory.len(), expected.len(), "{name}");
        for (step, (got, want)) in trajectory.iter().zip(expected).enumerate() {
            let want = f64s(want);
            assert_eq!(got.len(), want.len(), "{name}");
            for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
                assert_close(
                    g,
                    w,
                    1e-12,
                    1e-15,
                    &format!("{name} step {} element {i}", step + 1),
                );
                worst = worst.max((g - w).abs() / w.abs().max(1e-300));
            }
        }
        if case.get("norms").is_some() {
            let want = f64s(&case["norms"]);
            assert_eq!(norms.len(), want.len(), "{name}");
            for (step, (&g, &w)) in norms.iter().zip(&want).enumerate() {
                assert_close(
                    g,
                    w,
                    1e-12,
                    0.0,
                    &format!("{name} norm at step {}", step + 1),
                );
            }
        } else {
            assert!(norms.is_empty(), "{name}");
        }
    }
    println!("largest relative difference from PyTorch: {worst:e}");
}

#[test]
fn f32_trajectories_track_the_f64_reference() {
    // The same code in f32; the difference is f32 rounding of the data and
    // the arithmetic, which stays far below these bounds over six steps.
    let data = reference();
    for case in data["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (trajectory, _) = run_case::<f32>(&data, case);
        let expected = case["trajectory"].as_array().unwrap();
        for (step, (got, want)) in trajectory.iter().zip(expected).enumerate() {
            for (i, (&g, &w)) in got.iter().zip(&f64s(want)).enumerate() {
                assert_close(
                    g,
                    w,
                    1e-5,
                    1e-6,
                    &format!("f32 {name} step {} element {i}", step + 1),
                );
            }
        }
    }
}

#[test]
fn schedules_match_pytorch_closed_forms() {
    let data = reference();
    for s in data["schedules"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        let kwargs = &s["kwargs"];
        let schedule = match s["scheduler"].as_str().unwrap() {
            "StepLR" => Schedule::StepDecay {
                step_size: kwargs["step_size"].as_u64().unwrap(),
                gamma: kwargs["gamma"].as_f64().unwrap(),
            },
            "ExponentialLR" => Schedule::Exponential {
                gamma: kwargs["gamma"].as_f64().unwrap(),
            },
            "CosineAnnealingLR" => Schedule::CosineAnnealing {
                t_max: kwargs["T_max"].as_u64().unwrap(),
                // PyTorch's default eta_min is 0.
                eta_min: kwargs["eta_min"].as_f64().unwrap_or(0.0),
            },
            other => panic!("unknown scheduler {other}"),
        };
        let base = s["base_lr"].as_f64().unwrap();
        for (t, want) in f64s(&s["lrs"]).into_iter().enumerate() {
            let got = schedule.learning_rate(base, t as u64).unwrap();
            assert_close(got, want, 1e-12, 1e-18, &format!("{name} at t = {t}"));
        }
    }
}
