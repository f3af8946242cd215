//! Sparsity error and regularizer values on hand-set weights.

use arithgrad::random::Rng;
use arithgrad::units::{
    Activation, GatedNauNmu, Linear, Model, ModelKind, ModelSpec, NacAdd, NacMulNmu, NacMulSigma,
    Nalu, NaluSharing, Nau, Nmu, NmuConstraint, Unit, UnitKind,
};
use arithgrad::{ParamStore, Tape};

fn rng() -> Rng {
    Rng::seed_from_u64(3)
}

/// The recorded regularizer of a unit, or `None`.
fn regularizer<U: Unit>(unit: &U, params: &ParamStore<f64>) -> Option<f64> {
    let mut tape = Tape::new();
    let w = unit.record(&mut tape, params).unwrap();
    unit.regularizer(&mut tape, &w)
        .unwrap()
        .map(|r| tape.item(r).unwrap())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn nau_regularizer_and_sparsity_error() {
    let mut p = ParamStore::new();
    let nau = Nau::new(&mut p, "n", 3, 2, &mut rng()).unwrap();
    p.set(nau.weight(), &[0.0, 1.0, -1.0, 0.2, -0.7, 0.5])
        .unwrap();
    // min(|W|, 1 - |W|): 0, 0, 0, 0.2, 0.3, 0.5 -> mean 1/6.
    assert!(close(regularizer(&nau, &p).unwrap(), 1.0 / 6.0));
    assert!(close(nau.sparsity_error(&p).unwrap(), 0.5));
    // Out-of-range weights: the regularizer sees the stored value
    // (1 - |1.25| = -0.25 is the min), the sparsity error the clamped one.
    p.set(nau.weight(), &[1.25, 0.0, 0.0, 0.0, 0.0, -1.0])
        .unwrap();
    assert!(close(regularizer(&nau, &p).unwrap(), -0.25 / 6.0));
    assert_eq!(nau.sparsity_error(&p).unwrap(), 0.0);
}

#[test]
fn unprojected_nau_has_the_reference_regularizer_and_is_not_projected() {
    let mut p = ParamStore::new();
    let nau = Nau::unprojected(&mut p, "n", 3, 2, &mut rng()).unwrap();
    assert_eq!(nau.kind(), UnitKind::NauNoWClamp);
    assert!(!nau.is_projected());
    // Inside [-1, 1] the same values as the projected NAU's form.
    p.set(nau.weight(), &[0.0, 1.0, -1.0, 0.2, -0.7, 0.5])
        .unwrap();
    assert!(close(regularizer(&nau, &p).unwrap(), 1.0 / 6.0));
    // Outside: min(|W|, |1 - |W||) = 0.25 for 1.25 and 0.5 for -1.5, so the
    // regularizer pulls them back to ±1 (mean (0.25 + 0.5) / 6).
    p.set(nau.weight(), &[1.25, 0.0, 0.0, 0.0, 0.0, -1.5])
        .unwrap();
    assert!(close(regularizer(&nau, &p).unwrap(), 0.75 / 6.0));
    // Its gradient there points back to ±1: d/dW = sign(W) (|W| - 1 > 0),
    // divided by the 6 weights.
    let mut tape = Tape::new();
    let w = nau.record(&mut tape, &p).unwrap();
    let r = nau.regularizer(&mut tape, &w).unwrap().unwrap();
    tape.backward(r).unwrap();
    p.zero_grad();
    tape.accumulate_grads(&mut p).unwrap();
    let g = p.grad(nau.weight()).unwrap();
    assert!(close(g[0], 1.0 / 6.0) && close(g[5], -1.0 / 6.0), "{g:?}");
    // The forward still clamps (sparsity error of the clamped weights), and
    // projection leaves the stored weights alone.
    assert_eq!(nau.sparsity_error(&p).unwrap(), 0.0);
    nau.project(&mut p).unwrap();
    assert_eq!(p.value(nau.weight()).unwrap()[0], 1.25);
}

#[test]
fn nmu_regularizer_and_sparsity_error() {
    for c in [NmuConstraint::Project, NmuConstraint::ClampInForward] {
        let mut p = ParamStore::new();
        let nmu = Nmu::new(&mut p, "n", 2, 2, c, &mut rng()).unwrap();
        p.set(nmu.weight(), &[0.0, 1.0, 0.1, 0.6]).unwrap();
        // min(|W|, |1 - W|): 0, 0, 0.1, 0.4 -> mean 0.125.
        assert!(close(regularizer(&nmu, &p).unwrap(), 0.125));
        assert!(close(nmu.sparsity_error(&p).unwrap(), 0.4));
        // A weight outside [0, 1]: |1 - 1.3| = 0.3, |-0.2| = 0.2.
        p.set(nmu.weight(), &[1.3, -0.2, 1.0, 0.0]).unwrap();
        assert!(close(regularizer(&nmu, &p).unwrap(), 0.5 / 4.0));
        let expected = match c {
            NmuConstraint::Project => 0.3, // the stored weight is what the forward uses
            NmuConstraint::ClampInForward => 0.0,
        };
        assert!(close(nmu.sparsity_error(&p).unwrap(), expected), "{c:?}");
    }
}

#[test]
fn nac_mul_nmu_uses_the_nmu_regularizer() {
    let mut p = ParamStore::new();
    let u = NacMulNmu::new(&mut p, "n", 2, 1, &mut rng()).unwrap();
    p.set(u.weight(), &[0.25, 0.9]).unwrap();
    assert!(close(regularizer(&u, &p).unwrap(), (0.25 + 0.1) / 2.0));
    assert!(close(u.sparsity_error(&p).unwrap(), 0.25));
}

#[test]
fn nac_sparsity_error_uses_the_transformed_weight() {
    let mut p = ParamStore::new();
    let nac = NacAdd::new(&mut p, "a", 2, 1, &mut rng()).unwrap();
    let n = nac.nac_params();
    p.set(n.w_hat, &[20.0, 0.3]).unwrap();
    p.set(n.m_hat, &[40.0, -0.2]).unwrap();
    let w = 0.3f64.tanh() / (1.0 + 0.2f64.exp());
    assert!(close(nac.sparsity_error(&p).unwrap(), w.min(1.0 - w)));
    assert_eq!(regularizer(&nac, &p), None);

    let mut p = ParamStore::new();
    let s = NacMulSigma::new(&mut p, "s", 2, 1, &mut rng()).unwrap();
    p.set(s.weight_hat(), &[40.0, 0.4]).unwrap();
    let w = 1.0 / (1.0 + (-0.4f64).exp());
    assert!(close(s.sparsity_error(&p).unwrap(), 1.0 - w));
    assert_eq!(regularizer(&s, &p), None);
}

#[test]
fn gates_and_biases_are_excluded() {
    let mut p = ParamStore::new();
    let nalu = Nalu::new(&mut p, "n", 2, 1, NaluSharing::Separate, &mut rng()).unwrap();
    let (a, m) = (nalu.add_params(), nalu.mul_params());
    p.set(a.w_hat, &[20.0, 0.0]).unwrap();
    p.set(a.m_hat, &[40.0, 0.0]).unwrap();
    p.set(m.w_hat, &[0.0, -20.0]).unwrap();
    p.set(m.m_hat, &[0.0, 40.0]).unwrap();
    p.set(nalu.gate_weight(), &[0.5, 0.5]).unwrap();
    assert_eq!(nalu.sparsity_error(&p).unwrap(), 0.0);
    // The second pair counts too.
    p.set(m.w_hat, &[0.3, -20.0]).unwrap();
    p.set(m.m_hat, &[40.0, 40.0]).unwrap();
    assert!(close(nalu.sparsity_error(&p).unwrap(), 0.3f64.tanh()));
    assert_eq!(regularizer(&nalu, &p), None);

    let mut p = ParamStore::new();
    let l = Linear::new(&mut p, "l", 2, 1, Activation::Identity, &mut rng()).unwrap();
    p.set(l.weight(), &[1.0, -0.1]).unwrap();
    p.set(l.bias(), &[0.5]).unwrap();
    assert!(close(l.sparsity_error(&p).unwrap(), 0.1));
    assert_eq!(regularizer(&l, &p), None);
}

#[test]
fn gated_regularizer_is_the_sum_of_its_parts() {
    let mut p = ParamStore::new();
    let g = GatedNauNmu::new(&mut p, "g", 2, 1, &mut rng()).unwrap();
    p.set(g.nau().weight(), &[0.4, -1.0]).unwrap(); // R_NAU = (0.4 + 0) / 2
    p.set(g.nmu().weight(), &[0.1, 0.7]).unwrap(); // R_NMU = (0.1 + 0.3) / 2
    p.set(g.gate_weight(), &[0.5, 0.5]).unwrap();
    assert!(close(regularizer(&g, &p).unwrap(), 0.2 + 0.2));
    assert!(close(g.sparsity_error(&p).unwrap(), 0.4));
}

#[test]
fn model_regularizer_sums_layers_and_sparsity_error_takes_the_max() {
    let mut model = Model::<f64>::from_seed(ModelKind::Nmu.spec(3, 2), 0).unwrap();
    let p = model.params_mut();
    let (w1, w2) = (p.id("layer1.W").unwrap(), p.id("layer2.W").unwrap());
    p.set(w1, &[1.0, 0.0, 0.1, -1.0, 0.0, 0.0]).unwrap(); // R1 = 0.1 / 6
    p.set(w2, &[0.8, 1.0]).unwrap(); // R2 = 0.2 / 2
    let mut tape = Tape::new();
    let w = model.record_weights(&mut tape).unwrap();
    let r = model.regularizer(&mut tape, &w).unwrap().unwrap();
    assert!(close(tape.item(r).unwrap(), 0.1 / 6.0 + 0.1));
    assert!(close(model.sparsity_error().unwrap(), 0.2));

    // A model without regularizers.
    let model = Model::<f64>::from_seed(ModelKind::NacMul.spec(3, 2), 0).unwrap();
    let mut tape = Tape::new();
    let w = model.record_weights(&mut tape).unwrap();
    assert!(model.regularizer(&mut tape, &w).unwrap().is_none());

    // Only one regularized layer.
    let spec = ModelSpec::new(UnitKind::NacAdd, UnitKind::Nau, 3, 2, 1).unwrap();
    let mut model = Model::<f64>::from_seed(spec, 0).unwrap();
    let p = model.params_mut();
    let w2 = p.id("layer2.W").unwrap();
    p.set(w2, &[0.3, 1.0]).unwrap();
    let mut tape = Tape::new();
    let w = model.record_weights(&mut tape).unwrap();
    let r = model.regularizer(&mut tape, &w).unwrap().unwrap();
    assert!(close(tape.item(r).unwrap(), 0.15));
}

#[test]
fn nan_weights_give_a_nan_sparsity_error() {
    let mut model = Model::<f32>::from_seed(ModelKind::Nau.spec(3, 2), 0).unwrap();
    let p = model.params_mut();
    let w2 = p.id("layer2.W").unwrap();
    p.set(w2, &[f32::NAN, 0.0]).unwrap();
    assert!(model.sparsity_error().unwrap().is_nan());
}
