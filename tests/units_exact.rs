//! Exact solutions: with hand-set weights every unit computes its operation.

// Rows of x and of the output z are indexed together.
#![allow(clippy::needless_range_loop)]

use arithgrad::random::Rng;
use arithgrad::units::{
    Activation, GatedNauNmu, Linear, Model, ModelKind, NacAdd, NacMul, NacMulNmu, NacMulSigma,
    Nalu, NaluSharing, Nau, Nmu, NmuConstraint, Unit,
};
use arithgrad::{ParamStore, Shape, Tape, Tensor};

/// Raw parameters that make `tanh(w_hat) * sigmoid(m_hat)` exactly 1, -1, 0 in f64.
const ONE: (f64, f64) = (20.0, 40.0);
const MINUS_ONE: (f64, f64) = (-20.0, 40.0);
const ZERO: (f64, f64) = (0.0, 0.0);

fn rng() -> Rng {
    Rng::seed_from_u64(99)
}

/// A batch of `rows` inputs of width `cols`, from `U[lo, hi)`.
fn batch(rows: usize, cols: usize, lo: f64, hi: f64, seed: u64) -> Tensor<f64> {
    let mut r = Rng::seed_from_u64(seed);
    Tensor::from_fn(Shape::matrix(rows, cols), |_| r.uniform(lo, hi))
}

fn run<U: Unit>(unit: &U, params: &ParamStore<f64>, x: &Tensor<f64>) -> Vec<f64> {
    let mut tape = Tape::new();
    let xv = tape.constant(x);
    let z = unit.apply(&mut tape, params, xv).unwrap();
    assert_eq!(
        tape.shape(z).unwrap(),
        Shape::matrix(x.shape().dims()[0], unit.outputs())
    );
    tape.value(z).unwrap().to_vec()
}

fn row(x: &Tensor<f64>, b: usize) -> &[f64] {
    let cols = x.shape().dims()[1];
    &x.data()[b * cols..(b + 1) * cols]
}

fn set_nac(
    params: &mut ParamStore<f64>,
    w_hat: arithgrad::ParamId,
    m_hat: arithgrad::ParamId,
    w: &[(f64, f64)],
) {
    let wh: Vec<f64> = w.iter().map(|p| p.0).collect();
    let mh: Vec<f64> = w.iter().map(|p| p.1).collect();
    params.set(w_hat, &wh).unwrap();
    params.set(m_hat, &mh).unwrap();
}

#[test]
fn nau_computes_sums_and_differences() {
    let mut p = ParamStore::new();
    let nau = Nau::new(&mut p, "nau", 4, 3, &mut rng()).unwrap();
    #[rustfmt::skip]
    p.set(nau.weight(), &[
        1.0, 1.0, 0.0, 0.0,   // x1 + x2
        1.0, 0.0, -1.0, 0.0,  // x1 - x3
        0.0, -1.0, 0.0, -1.0, // -x2 - x4
    ]).unwrap();
    let x = batch(16, 4, -6.0, 6.0, 1);
    let z = run(&nau, &p, &x);
    for b in 0..16 {
        let r = row(&x, b);
        assert_eq!(z[3 * b], r[0] + r[1]);
        assert_eq!(z[3 * b + 1], r[0] - r[2]);
        assert_eq!(z[3 * b + 2], -r[1] - r[3]);
    }
}

#[test]
fn nau_clamps_its_weight_in_the_forward_pass() {
    let mut p = ParamStore::new();
    let nau = Nau::new(&mut p, "nau", 2, 1, &mut rng()).unwrap();
    p.set(nau.weight(), &[3.0, -2.5]).unwrap(); // used as [1, -1]
    let x = batch(8, 2, 1.0, 2.0, 2);
    let z = run(&nau, &p, &x);
    for b in 0..8 {
        assert_eq!(z[b], row(&x, b)[0] - row(&x, b)[1]);
    }
}

#[test]
fn nmu_multiplies_selected_inputs_including_negative_and_zero() {
    for constraint in [NmuConstraint::Project, NmuConstraint::ClampInForward] {
        let mut p = ParamStore::new();
        let nmu = Nmu::new(&mut p, "nmu", 4, 4, constraint, &mut rng()).unwrap();
        #[rustfmt::skip]
        p.set(nmu.weight(), &[
            1.0, 1.0, 0.0, 0.0, // x1 * x2
            0.0, 1.0, 0.0, 1.0, // x2 * x4
            1.0, 0.0, 0.0, 0.0, // x1
            0.0, 0.0, 0.0, 0.0, // empty product: 1
        ]).unwrap();
        let mut x = batch(12, 4, -6.0, 6.0, 3);
        // Exact zeros and tiny values in some rows.
        x.data_mut()[0] = 0.0;
        x.data_mut()[4 + 1] = -0.0;
        x.data_mut()[8 + 3] = 1e-30;
        let z = run(&nmu, &p, &x);
        for b in 0..12 {
            let r = row(&x, b);
            assert_eq!(z[4 * b], r[0] * r[1], "row {b}");
            assert_eq!(z[4 * b + 1], r[1] * r[3], "row {b}");
            assert_eq!(z[4 * b + 2], r[0], "row {b}");
            assert_eq!(z[4 * b + 3], 1.0, "row {b}");
        }
        assert!(
            x.data().iter().any(|&v| v < -1.0),
            "negative inputs are covered"
        );
    }
}

#[test]
fn nmu_in_clamp_mode_uses_the_clamped_weight() {
    let mut p = ParamStore::new();
    let nmu = Nmu::new(
        &mut p,
        "nmu",
        2,
        1,
        NmuConstraint::ClampInForward,
        &mut rng(),
    )
    .unwrap();
    p.set(nmu.weight(), &[1.7, -0.4]).unwrap(); // used as [1, 0]
    let x = batch(8, 2, -3.0, 3.0, 4);
    let z = run(&nmu, &p, &x);
    for b in 0..8 {
        assert_eq!(z[b], row(&x, b)[0]);
    }
    // In the default mode the stored weight is used as is: 1.7 x1 - 0.7, times 1.4 - 0.4 x2.
    let mut p = ParamStore::new();
    let nmu = Nmu::new(&mut p, "nmu", 2, 1, NmuConstraint::Project, &mut rng()).unwrap();
    p.set(nmu.weight(), &[1.7, -0.4]).unwrap();
    let z = run(&nmu, &p, &x);
    for b in 0..8 {
        let r = row(&x, b);
        let expected = (1.7 * r[0] + 1.0 - 1.7) * (-0.4 * r[1] + 1.0 + 0.4);
        assert!((z[b] - expected).abs() < 1e-12 * expected.abs().max(1.0));
    }
}

#[test]
fn nac_mul_variants_multiply_positive_inputs() {
    let x = batch(16, 3, 0.5, 5.0, 5);
    let check = |z: &[f64]| {
        for b in 0..16 {
            let r = row(&x, b);
            let expected = [r[0] * r[2], r[1]];
            for o in 0..2 {
                let got = z[2 * b + o];
                assert!(
                    (got - expected[o]).abs() <= 1e-6 * expected[o],
                    "row {b}, output {o}: {got} vs {}",
                    expected[o]
                );
            }
        }
    };
    let mut p = ParamStore::new();
    let nac = NacMul::new(&mut p, "m", 3, 2, &mut rng()).unwrap();
    let n = nac.nac_params();
    set_nac(&mut p, n.w_hat, n.m_hat, &[ONE, ZERO, ONE, ZERO, ONE, ZERO]);
    check(&run(&nac, &p, &x));

    let mut p = ParamStore::new();
    let sig = NacMulSigma::new(&mut p, "s", 3, 2, &mut rng()).unwrap();
    p.set(sig.weight_hat(), &[40.0, -40.0, 40.0, -40.0, 40.0, -40.0])
        .unwrap();
    check(&run(&sig, &p, &x));

    let mut p = ParamStore::new();
    let nn = NacMulNmu::new(&mut p, "n", 3, 2, &mut rng()).unwrap();
    p.set(nn.weight(), &[1.0, 0.0, 1.0, 0.0, 1.0, 0.0]).unwrap();
    check(&run(&nn, &p, &x));
}

#[test]
fn nac_mul_can_divide() {
    let mut p = ParamStore::new();
    let nac = NacMul::new(&mut p, "m", 2, 1, &mut rng()).unwrap();
    let n = nac.nac_params();
    set_nac(&mut p, n.w_hat, n.m_hat, &[ONE, MINUS_ONE]);
    let x = batch(8, 2, 1.0, 4.0, 6);
    let z = run(&nac, &p, &x);
    for b in 0..8 {
        let e = row(&x, b)[0] / row(&x, b)[1];
        assert!((z[b] - e).abs() <= 1e-6 * e);
    }
}

#[test]
fn nac_add_computes_sums_and_differences() {
    let mut p = ParamStore::new();
    let nac = NacAdd::new(&mut p, "a", 3, 2, &mut rng()).unwrap();
    let n = nac.nac_params();
    set_nac(
        &mut p,
        n.w_hat,
        n.m_hat,
        &[ONE, ONE, ZERO, ZERO, ONE, MINUS_ONE],
    );
    let x = batch(8, 3, -5.0, 5.0, 7);
    let z = run(&nac, &p, &x);
    for b in 0..8 {
        let r = row(&x, b);
        assert_eq!(z[2 * b], r[0] + r[1]);
        assert_eq!(z[2 * b + 1], r[1] - r[2]);
    }
}

#[test]
fn nalu_gate_picks_either_path() {
    for sharing in [NaluSharing::Shared, NaluSharing::Separate] {
        let mut p = ParamStore::new();
        let nalu = Nalu::new(&mut p, "n", 2, 1, sharing, &mut rng()).unwrap();
        let (a, m) = (nalu.add_params(), nalu.mul_params());
        set_nac(&mut p, a.w_hat, a.m_hat, &[ONE, ONE]);
        if sharing == NaluSharing::Separate {
            set_nac(&mut p, m.w_hat, m.m_hat, &[ONE, ONE]);
        }
        let x = batch(8, 2, 1.0, 3.0, 8);
        // Gate open (g = 1): the NAC+ path, x1 + x2.
        p.set(nalu.gate_weight(), &[40.0, 40.0]).unwrap();
        let z = run(&nalu, &p, &x);
        for b in 0..8 {
            assert_eq!(z[b], row(&x, b)[0] + row(&x, b)[1], "{sharing:?}");
        }
        // Gate shut (g ~ 4e-18 * ...): the NAC* path, x1 * x2.
        p.set(nalu.gate_weight(), &[-20.0, -20.0]).unwrap();
        let z = run(&nalu, &p, &x);
        for b in 0..8 {
            let e = row(&x, b)[0] * row(&x, b)[1];
            assert!((z[b] - e).abs() <= 1e-6 * e, "{sharing:?}: {} vs {e}", z[b]);
        }
    }
}

#[test]
fn nalu_separate_paths_have_their_own_weights() {
    let mut p = ParamStore::new();
    let nalu = Nalu::new(&mut p, "n", 2, 1, NaluSharing::Separate, &mut rng()).unwrap();
    let (a, m) = (nalu.add_params(), nalu.mul_params());
    set_nac(&mut p, a.w_hat, a.m_hat, &[ONE, MINUS_ONE]); // x1 - x2
    set_nac(&mut p, m.w_hat, m.m_hat, &[ONE, ZERO]); // x1
    p.set(nalu.gate_weight(), &[0.0, 0.0]).unwrap(); // g = 1/2
    let x = batch(8, 2, 1.0, 3.0, 9);
    let z = run(&nalu, &p, &x);
    for b in 0..8 {
        let r = row(&x, b);
        let e = 0.5 * (r[0] - r[1]) + 0.5 * r[0];
        assert!((z[b] - e).abs() <= 1e-6 * e.abs().max(1.0));
    }
}

#[test]
fn gated_unit_picks_the_nau_or_the_nmu() {
    let mut p = ParamStore::new();
    let g = GatedNauNmu::new(&mut p, "g", 2, 1, &mut rng()).unwrap();
    p.set(g.nau().weight(), &[1.0, -1.0]).unwrap();
    p.set(g.nmu().weight(), &[1.0, 1.0]).unwrap();
    let x = batch(8, 2, 1.0, 3.0, 10);
    p.set(g.gate_weight(), &[40.0, 40.0]).unwrap();
    let z = run(&g, &p, &x);
    for b in 0..8 {
        assert_eq!(z[b], row(&x, b)[0] - row(&x, b)[1]);
    }
    p.set(g.gate_weight(), &[-20.0, -20.0]).unwrap();
    let z = run(&g, &p, &x);
    for b in 0..8 {
        let e = row(&x, b)[0] * row(&x, b)[1];
        assert!((z[b] - e).abs() <= 1e-15 * e);
    }
}

#[test]
fn linear_relu_and_relu6_compute_their_formulas() {
    let x = batch(8, 2, -4.0, 4.0, 11);
    for act in [Activation::Identity, Activation::Relu, Activation::Relu6] {
        let mut p = ParamStore::new();
        let l = Linear::new(&mut p, "l", 2, 2, act, &mut rng()).unwrap();
        p.set(l.weight(), &[2.0, 1.0, -1.0, 3.0]).unwrap();
        p.set(l.bias(), &[0.5, -0.25]).unwrap();
        let z = run(&l, &p, &x);
        for b in 0..8 {
            let r = row(&x, b);
            let pre = [2.0 * r[0] + 1.0 * r[1] + 0.5, -r[0] + 3.0 * r[1] - 0.25];
            for o in 0..2 {
                let e = match act {
                    Activation::Identity => pre[o],
                    Activation::Relu => pre[o].max(0.0),
                    Activation::Relu6 => pre[o].clamp(0.0, 6.0),
                };
                assert!((z[2 * b + o] - e).abs() < 1e-12, "{act:?}");
            }
        }
    }
}

#[test]
fn the_nmu_model_solves_multiplication_with_its_exact_weights() {
    // Layer 1 sums a = x1 + x2 and b = x3 + x4; layer 2 multiplies them.
    let mut model = Model::<f64>::from_seed(ModelKind::Nmu.spec(5, 2), 0).unwrap();
    let p = model.params_mut();
    let w1 = p.id("layer1.W").unwrap();
    let w2 = p.id("layer2.W").unwrap();
    p.set(w1, &[1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0])
        .unwrap();
    p.set(w2, &[1.0, 1.0]).unwrap();
    let x = batch(32, 5, -6.0, 6.0, 12);
    let y = model.predict(&x).unwrap();
    for b in 0..32 {
        let r = row(&x, b);
        assert_eq!(y.data()[b], (r[0] + r[1]) * (r[2] + r[3]));
    }
    assert_eq!(model.sparsity_error().unwrap(), 0.0);
}
