//! The new units' forward values and gradients checked against PyTorch.
//!
//! `tests/data/units_family_reference.json` was produced by
//! `tests/data/units_family_reference.py`, which writes iNALU, G-NALU,
//! NaiveNPU, NPU and RealNPU from their papers' formulas in plain torch
//! operations (float64, CPU) and differentiates them with autograd:
//!
//! ```text
//! python3 tests/data/units_family_reference.py > tests/data/units_family_reference.json
//! ```
//!
//! Each case is one layer `3 -> 2` with fixed parameters, a fixed batch of
//! four inputs (one of them large enough to hit iNALU's exponent cap) and the
//! loss `sum(z * c) + 0.3 P` (`P` the unit's extra loss term). Here the same
//! layer is built through `Layer::new`, given the same values by parameter
//! name, and its output, `P`, the loss and the gradients of every parameter
//! and of the input are compared in f64.
//!
//! Tolerance: `1e-12` relative to the largest magnitude of the compared
//! array (the two sides order their sums differently, and torch's `cos`
//! of `pi * n` is not exact where arithgrad's `cos_pi` is).

use arithgrad::random::Rng;
use arithgrad::units::{Layer, Unit, UnitKind};
use arithgrad::{ParamStore, Shape, Tape, Tensor};
use serde_json::Value;

const REFERENCE: &str = include_str!("data/units_family_reference.json");

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(0.0f64, |m, w| m.max(w.abs())).max(1e-300);
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-12 * scale,
            "{what}[{k}]: arithgrad {g}, torch {w} (scale {scale})"
        );
    }
}

#[test]
fn every_new_unit_matches_pytorch() {
    let root: Value = serde_json::from_str(REFERENCE).expect("reference JSON parses");
    let units = root["units"].as_object().expect("units");
    assert_eq!(units.len(), 5);
    for (name, case) in units {
        let kind: UnitKind = name.parse().unwrap();
        let (i, o) = (
            case["inputs"].as_u64().unwrap() as usize,
            case["outputs"].as_u64().unwrap() as usize,
        );
        let mut params = ParamStore::<f64>::new();
        let layer = Layer::new(kind, &mut params, "u", i, o, &mut Rng::seed_from_u64(0)).unwrap();
        let given = case["params"].as_object().unwrap();
        assert_eq!(
            given.len(),
            layer.param_ids().len(),
            "{name}: parameter count"
        );
        for (pname, values) in given {
            let id = params.id(&format!("u.{pname}")).unwrap();
            params.set(id, &f64s(values)).unwrap();
        }
        let x = f64s(&case["x"]);
        let c = f64s(&case["c"]);
        let b = x.len() / i;

        let mut tape = Tape::<f64>::new();
        let xv = tape.variable(&Tensor::from_vec(Shape::matrix(b, i), x).unwrap());
        let w = layer.record(&mut tape, &params).unwrap();
        let z = layer.forward(&mut tape, &w, xv).unwrap();
        let cv = tape.constant(&Tensor::from_vec(Shape::matrix(b, o), c).unwrap());
        let zc = tape.mul(z, cv).unwrap();
        let mut loss = tape.sum(zc).unwrap();
        let penalty = layer.penalty(&mut tape, &w).unwrap();
        match (penalty, case["penalty"].as_f64()) {
            (Some(p), Some(want)) => {
                assert_close(
                    &[tape.item(p).unwrap()],
                    &[want],
                    &format!("{name} penalty"),
                );
                let p = tape.mul_scalar(p, 0.3).unwrap();
                loss = tape.add(loss, p).unwrap();
            }
            (None, None) => {}
            (p, want) => panic!("{name}: penalty {p:?} vs torch {want:?}"),
        }
        assert!(layer.regularizer(&mut tape, &w).unwrap().is_none());
        assert_close(
            tape.value(z).unwrap(),
            &f64s(&case["z"]),
            &format!("{name} z"),
        );
        let want_loss = case["loss"].as_f64().unwrap();
        assert_close(
            &[tape.item(loss).unwrap()],
            &[want_loss],
            &format!("{name} loss"),
        );

        tape.backward(loss).unwrap();
        params.zero_grad();
        tape.accumulate_grads(&mut params).unwrap();
        for (pname, want) in case["grad"].as_object().unwrap() {
            let id = params.id(&format!("u.{pname}")).unwrap();
            assert_close(
                params.grad(id).unwrap(),
                &f64s(want),
                &format!("{name} d/d{pname}"),
            );
        }
        assert_close(
            tape.grad(xv).unwrap(),
            &f64s(&case["grad_x"]),
            &format!("{name} d/dx"),
        );
    }
}
