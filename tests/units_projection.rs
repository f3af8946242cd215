//! Projection after an optimizer step: NAU weights stay in [-1, 1], NMU-type
//! weights in [0, 1]; the "no W-clamp" NMU is not projected; unconstrained
//! units are untouched.

use arithgrad::optim::{Adam, AdamConfig, Optimizer};
use arithgrad::units::{Model, ModelKind, ModelSpec, NmuConstraint, UnitKind};
use arithgrad::{ParamStore, Tape, Tensor};

/// Sets every weight near an end of its interval and the gradient so that
/// one Adam step (lr 0.05) pushes it past that end.
fn push_out(params: &mut ParamStore<f64>, name: &str, lo: f64, hi: f64) {
    let id = params.id(name).unwrap();
    let n = params.value(id).unwrap().len();
    let values: Vec<f64> = (0..n)
        .map(|k| if k % 2 == 0 { hi - 0.01 } else { lo + 0.01 })
        .collect();
    params.set(id, &values).unwrap();
    let grads: Vec<f64> = (0..n)
        .map(|k| if k % 2 == 0 { -1.0 } else { 1.0 })
        .collect();
    params.grad_mut(id).unwrap().copy_from_slice(&grads);
}

fn values(model: &Model<f64>, name: &str) -> Vec<f64> {
    let p = model.params();
    p.value(p.id(name).unwrap()).unwrap().to_vec()
}

/// Pushes the named weights out with one Adam step, checks they left their
/// interval, projects, and returns them.
fn step_and_project(model: &mut Model<f64>, names: &[(&str, f64, f64)]) -> Vec<Vec<f64>> {
    model.params_mut().zero_grad();
    for &(name, lo, hi) in names {
        push_out(model.params_mut(), name, lo, hi);
    }
    let mut adam = Adam::new(AdamConfig {
        lr: 0.05,
        ..AdamConfig::default()
    })
    .unwrap();
    adam.step(model.params_mut()).unwrap();
    for &(name, lo, hi) in names {
        let v = values(model, name);
        assert!(
            v.iter().all(|&w| w < lo || w > hi),
            "{name}: the step did not push every weight out: {v:?}"
        );
    }
    model.project().unwrap();
    names
        .iter()
        .map(|&(name, _, _)| values(model, name))
        .collect()
}

#[test]
fn nau_and_nmu_weights_are_projected_into_their_intervals() {
    let mut model = Model::<f64>::from_seed(ModelKind::Nmu.spec(6, 3), 1).unwrap();
    let out = step_and_project(
        &mut model,
        &[("layer1.W", -1.0, 1.0), ("layer2.W", 0.0, 1.0)],
    );
    assert!(
        out[0].iter().all(|&w| w == 1.0 || w == -1.0),
        "{:?}",
        out[0]
    );
    assert!(out[1].iter().all(|&w| w == 0.0 || w == 1.0), "{:?}", out[1]);
}

#[test]
fn nac_mul_nmu_and_gated_weights_are_projected() {
    let mut model = Model::<f64>::from_seed(ModelKind::NacMulNmu.spec(6, 3), 2).unwrap();
    let out = step_and_project(
        &mut model,
        &[("layer1.W", -1.0, 1.0), ("layer2.W", 0.0, 1.0)],
    );
    assert!(out[1].iter().all(|&w| w == 0.0 || w == 1.0), "{:?}", out[1]);

    let mut model = Model::<f64>::from_seed(ModelKind::GatedNauNmu.spec(6, 3), 3).unwrap();
    let names = [
        ("layer1.nau.W", -1.0, 1.0),
        ("layer1.nmu.W", 0.0, 1.0),
        ("layer2.nau.W", -1.0, 1.0),
        ("layer2.nmu.W", 0.0, 1.0),
    ];
    let out = step_and_project(&mut model, &names);
    for (v, (name, lo, hi)) in out.iter().zip(names) {
        assert!(v.iter().all(|&w| w == lo || w == hi), "{name}: {v:?}");
    }
}

#[test]
fn the_no_w_clamp_nmu_is_not_projected_but_clamped_in_the_forward() {
    let spec = ModelSpec {
        layer2: UnitKind::Nmu(NmuConstraint::ClampInForward),
        ..ModelKind::Nmu.spec(2, 2)
    };
    let mut model = Model::<f64>::from_seed(spec, 4).unwrap();
    let before = values(&model, "layer2.W");
    model.params_mut().zero_grad();
    push_out(model.params_mut(), "layer2.W", 0.0, 1.0);
    let mut adam = Adam::new(AdamConfig {
        lr: 0.05,
        ..AdamConfig::default()
    })
    .unwrap();
    adam.step(model.params_mut()).unwrap();
    let stepped = values(&model, "layer2.W");
    model.project().unwrap();
    let after = values(&model, "layer2.W");
    assert_ne!(before, stepped);
    assert_eq!(stepped, after, "no projection in this mode");
    assert!(after.iter().all(|&w| !(0.0..=1.0).contains(&w)));
    // The forward pass treats the out-of-range weights as 1 and 0.
    let p = model.params_mut();
    let w1 = p.id("layer1.W").unwrap();
    p.set(w1, &[1.0, 0.0, 0.0, 1.0]).unwrap();
    let x = Tensor::from_vec(arithgrad::Shape::matrix(1, 2), vec![3.0, 5.0]).unwrap();
    let y = model.predict(&x).unwrap();
    assert_eq!(y.data(), &[3.0]); // layer2.W = [1.04, -0.04] acts as [1, 0]
}

#[test]
fn projection_leaves_in_range_and_unconstrained_weights_alone() {
    let mut model = Model::<f64>::from_seed(ModelKind::Nmu.spec(8, 2), 5).unwrap();
    let before = model.params().values().to_vec();
    model.project().unwrap();
    assert_eq!(model.params().values(), &before[..]);

    for kind in [
        ModelKind::NacMul,
        ModelKind::Nalu,
        ModelKind::Linear,
        ModelKind::NacMulSigma,
    ] {
        let mut model = Model::<f64>::from_seed(kind.spec(4, 2), 6).unwrap();
        let p = model.params_mut();
        let big: Vec<f64> = (0..p.numel()).map(|k| 3.0 * (k as f64 - 2.0)).collect();
        p.values_mut().copy_from_slice(&big);
        model.project().unwrap();
        assert_eq!(model.params().values(), &big[..], "{kind}");
    }
}

#[test]
fn projection_keeps_nan_visible() {
    let mut model = Model::<f32>::from_seed(ModelKind::Nau.spec(2, 2), 7).unwrap();
    model.params_mut().values_mut()[0] = f32::NAN;
    model.project().unwrap();
    assert!(model.params().values()[0].is_nan());
}

#[test]
fn a_full_training_step_then_projection() {
    // forward, loss, backward, Adam step, projection: the protocol's per-step order.
    let mut model = Model::<f64>::from_seed(ModelKind::Nmu.spec(4, 2), 8).unwrap();
    let mut adam = Adam::new(AdamConfig {
        lr: 0.5,
        ..AdamConfig::default()
    })
    .unwrap();
    let mut tape = Tape::new();
    let x = Tensor::from_fn(arithgrad::Shape::matrix(16, 4), |k| {
        1.0 + (k % 7) as f64 / 7.0
    });
    for _ in 0..20 {
        tape.reset();
        model.params_mut().zero_grad();
        let xv = tape.constant(&x);
        let w = model.record_weights(&mut tape).unwrap();
        let y = model.forward(&mut tape, &w, xv).unwrap();
        // Push every output up: the NMU weights grow past 1 unless projected.
        let loss = tape.mean(y).unwrap();
        let loss = tape.neg(loss).unwrap();
        tape.backward(loss).unwrap();
        tape.accumulate_grads(model.params_mut()).unwrap();
        adam.step(model.params_mut()).unwrap();
        model.project().unwrap();
        let p = model.params();
        assert!(p
            .value(p.id("layer1.W").unwrap())
            .unwrap()
            .iter()
            .all(|w| (-1.0..=1.0).contains(w)));
        assert!(p
            .value(p.id("layer2.W").unwrap())
            .unwrap()
            .iter()
            .all(|w| (0.0..=1.0).contains(w)));
    }
    let p = model.params();
    assert!(
        p.value(p.id("layer2.W").unwrap()).unwrap().contains(&1.0),
        "the bound was reached"
    );
}
