//! `from_weights` for the wider family of units (iNALU, G-NALU, the NPUs,
//! NRU, NMRU, sign-NMRU, sNMU): ideal weights compute the operation, the
//! weights of a randomly initialised unit round-trip to a unit with the
//! same forward pass bit for bit, and a wrong shape is an error naming the
//! constructor and the shapes, which adds nothing to the store. Also the
//! typed access to these units inside a model's layer.

use arithgrad::random::Rng;
use arithgrad::units::{
    GNalu, Inalu, InaluInit, Model, ModelSpec, NaiveNpu, Nmru, Npu, Nru, RealNpu, SignNmru, Snmu,
    TrainContext, Unit, UnitKind,
};
use arithgrad::{Error, ParamStore, Shape, Tape, Tensor};

fn matrix(rows: usize, cols: usize, data: &[f64]) -> Tensor<f64> {
    Tensor::from_slice(Shape::matrix(rows, cols), data).unwrap()
}

fn vector(data: &[f64]) -> Tensor<f64> {
    Tensor::from_slice(Shape::vector(data.len()), data).unwrap()
}

/// The evaluation and training outputs of `unit` for `x` (training at a
/// step past every warm-up, with a noise generator seeded from `noise_seed`).
fn outputs<U: Unit>(
    unit: &U,
    params: &ParamStore<f64>,
    x: &Tensor<f64>,
    noise_seed: u64,
) -> (Vec<f64>, Vec<f64>) {
    let mut tape = Tape::new();
    let xv = tape.constant(x);
    let w = unit.record(&mut tape, params).unwrap();
    let eval = unit.forward(&mut tape, &w, xv).unwrap();
    let mut noise = Rng::seed_from_u64(noise_seed);
    let mut ctx = TrainContext {
        step: 20_000,
        noise: &mut noise,
    };
    let train = unit.forward_train(&mut tape, &w, xv, &mut ctx).unwrap();
    (
        tape.value(eval).unwrap().to_vec(),
        tape.value(train).unwrap().to_vec(),
    )
}

/// `got` equals `expected` element by element to `tol`, relative (absolute
/// below 1).
fn assert_computes(got: &[f64], expected: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), expected.len(), "{what}");
    for (g, e) in got.iter().zip(expected) {
        assert!(
            (g - e).abs() <= tol * e.abs().max(1.0),
            "{what}: got {got:?}, expected {expected:?}"
        );
    }
}

/// Reads a randomly initialised unit's weights from its store, rebuilds it
/// with `rebuild` in a fresh store, and checks the copy: same kind, same
/// parameter names and values, and the same evaluation and training
/// outputs, regularizer and extra loss term, bit for bit.
fn assert_round_trip<U: Unit>(
    unit: &U,
    params: &ParamStore<f64>,
    rebuild: impl Fn(&mut ParamStore<f64>, &[Tensor<f64>]) -> arithgrad::Result<U>,
) {
    let weights: Vec<Tensor<f64>> = unit
        .param_ids()
        .into_iter()
        .map(|id| params.tensor(id).unwrap())
        .collect();
    let mut fresh = ParamStore::new();
    let copy = rebuild(&mut fresh, &weights).unwrap();
    assert_eq!(copy.kind(), unit.kind());
    assert_eq!(fresh.len(), params.len());
    for (a, b) in unit.param_ids().into_iter().zip(copy.param_ids()) {
        assert_eq!(fresh.name(b).unwrap(), params.name(a).unwrap());
        assert_eq!(fresh.value(b).unwrap(), params.value(a).unwrap());
    }
    let mut rng = Rng::seed_from_u64(17);
    let (b, i) = (6, unit.inputs());
    // Inputs away from 0, of both signs.
    let data: Vec<f64> = (0..b * i)
        .map(|_| {
            let m = rng.uniform(0.1, 3.0);
            if rng.next_f64() < 0.5 {
                -m
            } else {
                m
            }
        })
        .collect();
    let x = Tensor::from_vec(Shape::matrix(b, i), data).unwrap();
    let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
    let (eval_a, train_a) = outputs(unit, params, &x, 3);
    let (eval_b, train_b) = outputs(&copy, &fresh, &x, 3);
    assert_eq!(bits(eval_a), bits(eval_b), "{:?}: evaluation", unit.kind());
    assert_eq!(bits(train_a), bits(train_b), "{:?}: training", unit.kind());
    let extra_terms = |u: &U, p: &ParamStore<f64>| {
        let mut tape = Tape::new();
        let w = u.record(&mut tape, p).unwrap();
        let r = u.regularizer(&mut tape, &w).unwrap();
        let q = u.penalty(&mut tape, &w).unwrap();
        [r, q].map(|v| v.map(|v| tape.item(v).unwrap().to_bits()))
    };
    assert_eq!(extra_terms(unit, params), extra_terms(&copy, &fresh));
}

/// x = [-3, 4], one row.
fn x_row() -> Tensor<f64> {
    matrix(1, 2, &[-3.0, 4.0])
}

#[test]
fn inalu_from_weights_adds_with_the_gate_open_and_multiplies_with_it_shut() {
    let mut params = ParamStore::<f64>::new();
    // Output 0: W_a = [1, 1], gate open (sigmoid(40) = 1): x1 + x2.
    // Output 1: W_m = [1, 1], gate shut: x1 * x2, sign retrieved.
    let a_hat = matrix(2, 2, &[30.0, 30.0, 0.0, 0.0]);
    let a_m = matrix(2, 2, &[40.0, 40.0, 0.0, 0.0]);
    let m_hat = matrix(2, 2, &[0.0, 0.0, 30.0, 30.0]);
    let m_m = matrix(2, 2, &[0.0, 0.0, 40.0, 40.0]);
    let g = vector(&[40.0, -40.0]);
    let u = Inalu::from_weights(
        &mut params,
        "inalu",
        (&a_hat, &a_m),
        (&m_hat, &m_m),
        &g,
        InaluInit::Library,
    )
    .unwrap();
    assert_eq!(u.init_kind(), InaluInit::Library);
    assert_eq!(params.value(u.m_m()).unwrap(), m_m.data());
    assert_eq!(params.name(u.gate_weight()).unwrap(), "inalu.G");
    let (z, _) = outputs(&u, &params, &x_row(), 0);
    assert_computes(&z, &[1.0, -12.0], 1e-9, "inalu");
}

#[test]
fn inalu_weights_round_trip_and_shapes_are_checked() {
    for init in [InaluInit::Benchmark, InaluInit::Library] {
        let mut params = ParamStore::<f64>::new();
        let u = Inalu::new(&mut params, "i", 3, 2, init, &mut Rng::seed_from_u64(4)).unwrap();
        assert_round_trip(&u, &params, |p, w| {
            Inalu::from_weights(p, "i", (&w[0], &w[1]), (&w[2], &w[3]), &w[4], init)
        });
    }
    let mut fresh = ParamStore::<f64>::new();
    let w = matrix(2, 2, &[0.0; 4]);
    let wide = matrix(2, 3, &[0.0; 6]);
    assert_eq!(
        Inalu::from_weights(
            &mut fresh,
            "i",
            (&w, &w),
            (&w, &wide),
            &vector(&[0.0; 2]),
            InaluInit::Benchmark
        )
        .unwrap_err(),
        Error::ShapeMismatch {
            op: "Inalu::from_weights",
            left: vec![2, 2],
            right: vec![2, 3],
        }
    );
    // The gate has one value per output.
    assert_eq!(
        Inalu::from_weights(
            &mut fresh,
            "i",
            (&w, &w),
            (&w, &w),
            &vector(&[0.0; 3]),
            InaluInit::Benchmark
        )
        .unwrap_err(),
        Error::ShapeMismatch {
            op: "Inalu::from_weights",
            left: vec![2],
            right: vec![3],
        }
    );
    assert!(fresh.is_empty(), "a failed call adds no parameter");
}

#[test]
fn g_nalu_from_weights_computes_both_paths() {
    let mut params = ParamStore::<f64>::new();
    // W = tanh(ln(phi) 60) sigmoid(ln(phi) 90) = 1 (both saturate in f64).
    let w_hat = matrix(1, 2, &[60.0, 60.0]);
    let m_hat = matrix(1, 2, &[90.0, 90.0]);
    let x = matrix(1, 2, &[3.0, 4.0]);
    for (prefix, gate, expected, tol) in [("add", 90.0, 7.0, 1e-12), ("mul", -90.0, 12.0, 1e-6)] {
        let g = matrix(1, 2, &[gate, gate]);
        let u = GNalu::from_weights(&mut params, prefix, &w_hat, &m_hat, &g).unwrap();
        assert_eq!(params.value(u.gate_weight()).unwrap(), g.data());
        let (z, _) = outputs(&u, &params, &x, 0);
        // The NAC* path's log(|x| + 1e-7) costs about 1e-7 relative.
        assert_computes(&z, &[expected], tol, prefix);
    }
}

#[test]
fn g_nalu_weights_round_trip_and_shapes_are_checked() {
    let mut params = ParamStore::<f64>::new();
    let u = GNalu::new(&mut params, "g", 3, 2, &mut Rng::seed_from_u64(5)).unwrap();
    assert_round_trip(&u, &params, |p, w| {
        GNalu::from_weights(p, "g", &w[0], &w[1], &w[2])
    });
    let mut fresh = ParamStore::<f64>::new();
    let w = matrix(1, 2, &[0.0; 2]);
    let g = matrix(2, 1, &[0.0; 2]);
    assert_eq!(
        GNalu::from_weights(&mut fresh, "g", &w, &w, &g).unwrap_err(),
        Error::ShapeMismatch {
            op: "GNalu::from_weights",
            left: vec![1, 2],
            right: vec![2, 1],
        }
    );
    assert!(fresh.is_empty(), "a failed call adds no parameter");
}

/// Exponents `[[1, 1], [1, -1]]`: `x1 * x2` and `x1 / x2`.
fn product_and_quotient_exponents() -> Tensor<f64> {
    matrix(2, 2, &[1.0, 1.0, 1.0, -1.0])
}

#[test]
fn the_npus_from_weights_multiply_and_divide_negative_inputs() {
    let w_re = product_and_quotient_exponents();
    let w_im = matrix(2, 2, &[0.0; 4]);
    let g = vector(&[1.0, 1.0]);
    let expected = [-12.0, -0.75];
    let mut params = ParamStore::<f64>::new();
    let naive = NaiveNpu::from_weights(&mut params, "naive", &w_re, &w_im).unwrap();
    let npu = Npu::from_weights(&mut params, "npu", &w_re, &w_im, &g).unwrap();
    let real = RealNpu::from_weights(&mut params, "real", &w_re, &g).unwrap();
    assert_eq!(params.value(npu.gate()).unwrap(), g.data());
    assert_eq!(params.value(real.w_re()).unwrap(), w_re.data());
    assert_eq!(params.name(naive.w_im()).unwrap(), "naive.W_im");
    assert_computes(
        &outputs(&naive, &params, &x_row(), 0).0,
        &expected,
        1e-12,
        "naive-npu",
    );
    assert_computes(
        &outputs(&npu, &params, &x_row(), 0).0,
        &expected,
        1e-12,
        "npu",
    );
    assert_computes(
        &outputs(&real, &params, &x_row(), 0).0,
        &expected,
        1e-12,
        "real-npu",
    );
    // A closed relevance gate drops an input: x1 alone.
    let npu_x1 =
        Npu::from_weights(&mut params, "npu_x1", &w_re, &w_im, &vector(&[1.0, 0.0])).unwrap();
    assert_computes(
        &outputs(&npu_x1, &params, &x_row(), 0).0,
        &[-3.0, -3.0],
        1e-12,
        "npu with x2 gated out",
    );
}

#[test]
fn the_npus_weights_round_trip_and_shapes_are_checked() {
    let mut params = ParamStore::<f64>::new();
    let mut rng = Rng::seed_from_u64(6);
    let naive = NaiveNpu::new(&mut params, "n", 3, 2, &mut rng).unwrap();
    // W_im starts at 0: give it values so that the round trip covers it.
    params
        .set(naive.w_im(), &[0.1, -0.2, 0.3, 0.0, 0.5, -0.6])
        .unwrap();
    assert_round_trip(&naive, &params, |p, w| {
        NaiveNpu::from_weights(p, "n", &w[0], &w[1])
    });
    let mut params = ParamStore::<f64>::new();
    let npu = Npu::new(&mut params, "n", 3, 2, &mut rng).unwrap();
    params
        .set(npu.w_im(), &[0.1, -0.2, 0.3, 0.0, 0.5, -0.6])
        .unwrap();
    params.set(npu.gate(), &[0.9, 0.2, 1.3]).unwrap();
    assert_round_trip(&npu, &params, |p, w| {
        Npu::from_weights(p, "n", &w[0], &w[1], &w[2])
    });
    let mut params = ParamStore::<f64>::new();
    let real = RealNpu::new(&mut params, "n", 3, 2, &mut rng).unwrap();
    params.set(real.gate(), &[0.9, -0.2, 0.7]).unwrap();
    assert_round_trip(&real, &params, |p, w| {
        RealNpu::from_weights(p, "n", &w[0], &w[1])
    });

    let mut fresh = ParamStore::<f64>::new();
    let w = matrix(2, 3, &[0.0; 6]);
    let tall = matrix(3, 2, &[0.0; 6]);
    assert_eq!(
        NaiveNpu::from_weights(&mut fresh, "n", &w, &tall).unwrap_err(),
        Error::ShapeMismatch {
            op: "NaiveNpu::from_weights",
            left: vec![2, 3],
            right: vec![3, 2],
        }
    );
    // The relevance gate has one value per input, not per output.
    let per_output = vector(&[1.0, 1.0]);
    assert_eq!(
        Npu::from_weights(&mut fresh, "n", &w, &w, &per_output).unwrap_err(),
        Error::ShapeMismatch {
            op: "Npu::from_weights",
            left: vec![3],
            right: vec![2],
        }
    );
    assert_eq!(
        RealNpu::from_weights(&mut fresh, "n", &w, &per_output).unwrap_err(),
        Error::ShapeMismatch {
            op: "RealNpu::from_weights",
            left: vec![3],
            right: vec![2],
        }
    );
    assert!(fresh.is_empty(), "a failed call adds no parameter");
}

#[test]
fn nru_from_weights_multiplies_and_divides_in_evaluation_and_training() {
    let mut params = ParamStore::<f64>::new();
    let w = product_and_quotient_exponents();
    let u = Nru::from_weights(&mut params, "nru", &w).unwrap();
    assert_eq!(params.value(u.weight()).unwrap(), w.data());
    let (eval, train) = outputs(&u, &params, &x_row(), 0);
    assert_computes(&eval, &[-12.0, -0.75], 1e-12, "nru evaluation");
    // In training the selection is tanh(1000 W)^2, which is 1 at |W| = 1.
    assert_computes(&train, &[-12.0, -0.75], 1e-12, "nru training");
}

#[test]
fn nmru_and_sign_nmru_from_weights_multiply_and_divide() {
    // Columns: x1, x2, 1/x1, 1/x2. Output 0: x1 * x2; output 1: x1 / x2.
    let w = matrix(2, 4, &[1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0]);
    let mut params = ParamStore::<f64>::new();
    let nmru = Nmru::from_weights(&mut params, "nmru", &w).unwrap();
    let sign = SignNmru::from_weights(&mut params, "sign", &w).unwrap();
    assert_eq!((nmru.inputs(), nmru.outputs()), (2, 2));
    assert_eq!((sign.inputs(), sign.outputs()), (2, 2));
    assert_eq!(params.value(sign.weight()).unwrap(), w.data());
    // Evaluation uses 1 / x exactly; training 1 / (x + eps), eps = 2^-23.
    let (eval, train) = outputs(&nmru, &params, &x_row(), 0);
    assert_eq!(eval, [-12.0, -0.75]);
    assert_computes(&train, &[-12.0, -0.75], 1e-6, "nmru training");
    let (eval, train) = outputs(&sign, &params, &x_row(), 0);
    assert_eq!(eval, [-12.0, -0.75]);
    assert_computes(&train, &[-12.0, -0.75], 1e-6, "sign-nmru training");
}

#[test]
fn snmu_from_weights_multiplies_and_its_noise_leaves_ideal_weights_exact() {
    let mut params = ParamStore::<f64>::new();
    // Output 0: x1 * x2; output 1: x1.
    let w = matrix(2, 2, &[1.0, 1.0, 1.0, 0.0]);
    let u = Snmu::from_weights(&mut params, "snmu", &w).unwrap();
    let (eval, train) = outputs(&u, &params, &x_row(), 0);
    assert_eq!(eval, [-12.0, -3.0]);
    // NMU(x n) / NMU(n) with W in {0, 1}: the noise cancels (to rounding).
    assert_computes(&train, &[-12.0, -3.0], 1e-14, "snmu training");
}

#[test]
fn nru_nmru_sign_nmru_snmu_weights_round_trip() {
    let mut rng = Rng::seed_from_u64(7);
    let mut params = ParamStore::<f64>::new();
    let nru = Nru::new(&mut params, "u", 3, 2, &mut rng).unwrap();
    assert_round_trip(&nru, &params, |p, w| Nru::from_weights(p, "u", &w[0]));
    let mut params = ParamStore::<f64>::new();
    let nmru = Nmru::new(&mut params, "u", 3, 2, &mut rng).unwrap();
    assert_round_trip(&nmru, &params, |p, w| Nmru::from_weights(p, "u", &w[0]));
    let mut params = ParamStore::<f64>::new();
    let sign = SignNmru::new(&mut params, "u", 3, 2, &mut rng).unwrap();
    assert_round_trip(&sign, &params, |p, w| SignNmru::from_weights(p, "u", &w[0]));
    let mut params = ParamStore::<f64>::new();
    let snmu = Snmu::new(&mut params, "u", 3, 2, &mut rng).unwrap();
    assert_round_trip(&snmu, &params, |p, w| Snmu::from_weights(p, "u", &w[0]));
}

#[test]
fn a_single_weight_of_the_wrong_form_is_an_invalid_shape() {
    let mut fresh = ParamStore::<f64>::new();
    match Nru::from_weights(&mut fresh, "u", &vector(&[1.0, -1.0])) {
        Err(Error::InvalidShape { op, shape, .. }) => {
            assert_eq!((op, shape), ("Nru::from_weights", vec![2]));
        }
        other => panic!("expected InvalidShape, got {other:?}"),
    }
    let empty = Tensor::<f64>::zeros(Shape::matrix(0, 2));
    match Snmu::from_weights(&mut fresh, "u", &empty) {
        Err(Error::InvalidShape { op, shape, .. }) => {
            assert_eq!((op, shape), ("Snmu::from_weights", vec![0, 2]));
        }
        other => panic!("expected InvalidShape, got {other:?}"),
    }
    // The reciprocal units' weight has two columns per input.
    let odd = matrix(1, 3, &[1.0, 0.0, 1.0]);
    for (op, result) in [
        (
            "Nmru::from_weights",
            Nmru::from_weights(&mut fresh, "u", &odd).map(|_| ()),
        ),
        (
            "SignNmru::from_weights",
            SignNmru::from_weights(&mut fresh, "u", &odd).map(|_| ()),
        ),
    ] {
        match result {
            Err(Error::InvalidShape {
                op: got,
                shape,
                reason,
            }) => {
                assert_eq!((got, shape), (op, vec![1, 3]));
                assert!(reason.contains("2 * inputs"), "{reason}");
            }
            other => panic!("{op}: expected InvalidShape, got {other:?}"),
        }
    }
    assert!(fresh.is_empty(), "a failed call adds no parameter");
}

#[test]
fn typed_access_reaches_each_family_unit_and_only_it() {
    let kinds = [
        UnitKind::Inalu(InaluInit::Library),
        UnitKind::GNalu,
        UnitKind::NaiveNpu,
        UnitKind::Npu,
        UnitKind::RealNpu,
        UnitKind::Nru,
        UnitKind::Nmru,
        UnitKind::SignNmru,
        UnitKind::Snmu,
    ];
    for kind in kinds {
        let model = Model::<f64>::from_seed(ModelSpec::single(kind, 2), 0).unwrap();
        let layer = model.layer2();
        let found: Vec<UnitKind> = [
            layer.as_inalu().map(Unit::kind),
            layer.as_g_nalu().map(Unit::kind),
            layer.as_naive_npu().map(Unit::kind),
            layer.as_npu().map(Unit::kind),
            layer.as_real_npu().map(Unit::kind),
            layer.as_nru().map(Unit::kind),
            layer.as_nmru().map(Unit::kind),
            layer.as_sign_nmru().map(Unit::kind),
            layer.as_snmu().map(Unit::kind),
            layer.as_nmu().map(Unit::kind),
            layer.as_nalu().map(Unit::kind),
        ]
        .into_iter()
        .flatten()
        .collect();
        assert_eq!(found, [kind]);
    }
}
