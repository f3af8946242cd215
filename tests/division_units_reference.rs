//! NRU, NMRU, sign-NMRU and sNMU (outputs and gradients, training and
//! evaluation forms) and the single-module thresholds, checked against an
//! independent PyTorch computation.
//!
//! The expected values in `tests/data/division_units_reference.json` were
//! produced by the committed script (float64 autograd for the units; the
//! thresholds as exact moments of the uniform test ranges, not sampled):
//!
//! ```text
//! python3 tests/data/division_units_reference.py > tests/data/division_units_reference.json
//! ```
//!
//! Units: `z` and the gradients of `sum(z * c)` with respect to `W` and `x`
//! agree to a relative 1e-12 (the two sides take `exp`, `log`, `cos` and
//! products in different orders). Thresholds: the Rust Monte-Carlo estimate
//! (400,000 samples) lies within five of its standard errors of the exact
//! value.

use arithgrad::random::Rng;
use arithgrad::task::{single_module_range, threshold, Operation, TaskConfig};
use arithgrad::units::{Layer, Snmu, TrainContext, Unit, UnitKind};
use arithgrad::{ParamStore, Shape, Tape, Tensor};
use serde_json::Value;

fn reference() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/division_units_reference.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(items) => items.iter().flat_map(floats).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        other => panic!("not a number: {other}"),
    }
}

fn close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{what}: {got:?} vs {want:?}"
        );
    }
}

#[test]
fn units_match_pytorch() {
    let r = reference();
    let x = Tensor::from_vec(Shape::matrix(2, 2), floats(&r["x"])).unwrap();
    let c = Tensor::from_vec(Shape::matrix(2, 2), floats(&r["c"])).unwrap();
    let noise = Tensor::from_vec(Shape::matrix(2, 2), floats(&r["noise"])).unwrap();
    let cases = r["units"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    for case in cases {
        let name = case["unit"].as_str().unwrap();
        let train = case["train"].as_bool().unwrap();
        let kind: UnitKind = name.parse().unwrap();
        let mut params = ParamStore::<f64>::new();
        let layer = Layer::new(kind, &mut params, "u", 2, 2, &mut Rng::seed_from_u64(0)).unwrap();
        params.values_mut().copy_from_slice(&floats(&case["w"]));
        let mut tape = Tape::new();
        let xv = tape.variable(&x);
        let w = layer.record(&mut tape, &params).unwrap();
        let z = match (&layer, train) {
            (Layer::Snmu(u), true) => {
                let n = tape.constant(&noise);
                let arithgrad::units::LayerWeights::Snmu(sw) = w else {
                    unreachable!()
                };
                Snmu::forward_with_noise(u, &mut tape, &sw, xv, n).unwrap()
            }
            (_, true) => {
                let mut rng = Rng::seed_from_u64(0);
                let mut ctx = TrainContext {
                    step: 0,
                    noise: &mut rng,
                };
                layer.forward_train(&mut tape, &w, xv, &mut ctx).unwrap()
            }
            (_, false) => layer.forward(&mut tape, &w, xv).unwrap(),
        };
        let what = format!("{name} train={train}");
        close(
            tape.value(z).unwrap(),
            &floats(&case["z"]),
            &format!("{what} z"),
        );
        let cv = tape.constant(&c);
        let zc = tape.mul(z, cv).unwrap();
        let loss = tape.sum(zc).unwrap();
        tape.backward(loss).unwrap();
        close(
            tape.grad(xv).unwrap(),
            &floats(&case["grad_x"]),
            &format!("{what} dx"),
        );
        params.zero_grad();
        tape.accumulate_grads(&mut params).unwrap();
        close(
            params.grads(),
            &floats(&case["grad_w"]),
            &format!("{what} dW"),
        );
    }
}

#[test]
fn single_module_thresholds_match_the_exact_moments() {
    let r = reference();
    let rows = r["thresholds"].as_array().unwrap();
    assert_eq!(rows.len(), 36);
    for row in rows {
        let op: Operation = row["op"].as_str().unwrap().parse().unwrap();
        let name = row["range"].as_str().unwrap();
        let exact = row["threshold"].as_f64().unwrap();
        let (train, test) = single_module_range(name).unwrap();
        let t = threshold(&TaskConfig::single_module(op, train, test), 400_000, 0).unwrap();
        assert!(
            (t.mse - exact).abs() < 5.0 * t.standard_error,
            "{op} {name}: {} +- {} vs {exact}",
            t.mse,
            t.standard_error
        );
    }
}
