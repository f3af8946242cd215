//! The two-layer models: names, layer kinds, schedules, shapes, gates, and
//! saving and loading weights.

use arithgrad::units::{
    Model, ModelKind, ModelSpec, NaluSharing, NmuConstraint, RegularizerSchedule, SavedModel, Unit,
    UnitKind, SAVED_MODEL_FORMAT_VERSION,
};
use arithgrad::{Error, Shape, Tape, Tensor};

mod error_expect;
use error_expect::invalid;

const NAMES: [&str; 20] = [
    "nmu",
    "nau",
    "nac-mul",
    "nac-mul-sigma",
    "nac-mul-nmu",
    "nac-add",
    "nalu",
    "gated-nau-nmu",
    "linear",
    "relu",
    "relu6",
    "nru",
    "nmru",
    "sign-nmru",
    "snmu",
    "inalu",
    "g-nalu",
    "naive-npu",
    "npu",
    "real-npu",
];

#[test]
fn every_model_name_parses_and_prints() {
    for name in NAMES {
        let k: ModelKind = name.parse().unwrap();
        assert_eq!(k.to_string(), name);
        assert_eq!(k.spec(100, 2).name(), name);
    }
    assert_eq!(ModelKind::ALL.len(), NAMES.len());
    let (name, err) = invalid("NMU".parse::<ModelKind>());
    assert_eq!(name, "model");
    assert!(err.contains("`NMU`"), "{err}");
    for name in NAMES {
        assert!(err.contains(name), "{err}");
    }
}

#[test]
fn layers_follow_the_model_table() {
    use UnitKind as U;
    let table = [
        ("nmu", U::Nau, U::Nmu(NmuConstraint::Project)),
        ("nau", U::Nau, U::Nau),
        ("nac-mul", U::NacAdd, U::NacMul),
        ("nac-mul-sigma", U::NacAdd, U::NacMulSigma),
        ("nac-mul-nmu", U::Nau, U::NacMulNmu),
        ("nac-add", U::NacAdd, U::NacAdd),
        (
            "nalu",
            U::Nalu(NaluSharing::Shared),
            U::Nalu(NaluSharing::Shared),
        ),
        ("gated-nau-nmu", U::GatedNauNmu, U::GatedNauNmu),
        ("linear", U::Linear, U::Linear),
        ("relu", U::Relu, U::Linear),
        ("relu6", U::Relu6, U::Linear),
    ];
    for (name, l1, l2) in table {
        let spec = name.parse::<ModelKind>().unwrap().spec(100, 7);
        assert_eq!((spec.layer1, spec.layer2), (l1, l2), "{name}");
        assert_eq!((spec.inputs, spec.hidden, spec.outputs), (100, 7, 1));
        let model = Model::<f32>::new(spec, &mut arithgrad::random::Rng::seed_from_u64(0)).unwrap();
        assert_eq!(model.layer1().unwrap().kind(), l1);
        assert_eq!(model.layer2().kind(), l2);
        assert_eq!(
            (
                model.layer1().unwrap().inputs(),
                model.layer1().unwrap().outputs()
            ),
            (100, 7)
        );
        assert_eq!((model.layer2().inputs(), model.layer2().outputs()), (7, 1));
    }
}

#[test]
fn parameter_names_and_shapes() {
    let model = Model::<f32>::from_seed(ModelKind::Nalu.spec(10, 2), 0).unwrap();
    let infos: Vec<(String, Vec<usize>)> = model
        .params()
        .infos()
        .iter()
        .map(|i| (i.name.clone(), i.shape.dims().to_vec()))
        .collect();
    let expect = |n: &str, d: &[usize]| (n.to_string(), d.to_vec());
    assert_eq!(
        infos,
        [
            expect("layer1.W_hat", &[2, 10]),
            expect("layer1.M_hat", &[2, 10]),
            expect("layer1.G", &[2, 10]),
            expect("layer2.W_hat", &[1, 2]),
            expect("layer2.M_hat", &[1, 2]),
            expect("layer2.G", &[1, 2]),
        ]
    );
    let spec = ModelSpec::new(
        UnitKind::Relu,
        UnitKind::Nalu(NaluSharing::Separate),
        3,
        4,
        1,
    )
    .unwrap();
    let model = Model::<f32>::from_seed(spec, 0).unwrap();
    let names: Vec<&str> = model
        .params()
        .infos()
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "layer1.W",
            "layer1.b",
            "layer2.add.W_hat",
            "layer2.add.M_hat",
            "layer2.mul.W_hat",
            "layer2.mul.M_hat",
            "layer2.G"
        ]
    );
}

#[test]
fn regularizer_schedules_per_model() {
    for k in ModelKind::ALL {
        let expected = match k {
            ModelKind::Nmu
            | ModelKind::NacMulNmu
            | ModelKind::GatedNauNmu
            | ModelKind::Nmru
            | ModelKind::SignNmru
            | ModelKind::Snmu => RegularizerSchedule::nmu(),
            ModelKind::Nau | ModelKind::Nru => RegularizerSchedule::nau(),
            _ => RegularizerSchedule::none(),
        };
        assert_eq!(k.regularizer_schedule(), expected, "{k}");
    }
    assert_eq!(RegularizerSchedule::nmu().lambda(1_500_000), 5.0);
    // The ablation keeps the NMU schedule; gating with NALU layers has none.
    let ablation = ModelSpec {
        layer2: UnitKind::Nmu(NmuConstraint::ClampInForward),
        ..ModelKind::Nmu.spec(100, 2)
    };
    assert_eq!(ablation.regularizer_schedule(), RegularizerSchedule::nmu());
    let gating = ModelSpec::new(
        UnitKind::NacAdd,
        UnitKind::Nalu(NaluSharing::Separate),
        100,
        2,
        1,
    )
    .unwrap();
    assert!(gating.regularizer_schedule().is_off());
}

#[test]
fn bad_sizes_are_errors() {
    let e = ModelSpec::new(
        UnitKind::Nau,
        UnitKind::Nmu(NmuConstraint::Project),
        0,
        2,
        1,
    )
    .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument { name, .. } if !name.is_empty()),
        "{e:?}"
    );
    // Hidden size 0 is the single-layer model, whose layers must agree.
    let e = Model::<f32>::from_seed(ModelKind::Nmu.spec(4, 0), 0).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
    let single = Model::<f32>::from_seed(ModelKind::Nau.spec(4, 0), 0).unwrap();
    assert!(single.layer1().is_none() && single.spec().is_single());
}

#[test]
fn every_model_and_unit_kind_runs_forward_in_f32_and_f64() {
    let mut specs: Vec<ModelSpec> = ModelKind::ALL.iter().map(|k| k.spec(6, 3)).collect();
    for k in UnitKind::ALL {
        specs.push(ModelSpec::new(k, k, 6, 3, 2).unwrap());
    }
    for spec in specs {
        let m64 = Model::<f64>::from_seed(spec, 1).unwrap();
        let m32 = Model::<f32>::from_seed(spec, 1).unwrap();
        let x64 = Tensor::from_fn(Shape::matrix(5, 6), |k| 1.0 + (k % 11) as f64 / 11.0);
        let x32 = x64.cast::<f32>();
        let y64 = m64.predict(&x64).unwrap();
        let y32 = m32.predict(&x32).unwrap();
        assert_eq!(y64.shape(), Shape::matrix(5, spec.outputs), "{spec}");
        for (a, b) in y64.data().iter().zip(y32.data()) {
            assert!(a.is_finite(), "{spec}");
            assert!(
                (a - *b as f64).abs() <= 1e-4 * a.abs().max(1.0),
                "{spec}: {a} vs {b}"
            );
        }
        // A wrongly shaped input is an error, not a panic.
        let bad = Tensor::<f64>::zeros(Shape::matrix(5, 7));
        match m64.predict(&bad) {
            // The unit names itself and the input's shape.
            Err(Error::InvalidShape { op, shape, reason }) => {
                assert_eq!(shape, bad.shape().dims(), "{spec}");
                assert!(
                    !op.is_empty() && reason.contains("[batch, 6]"),
                    "{spec}: {reason}"
                );
            }
            other => panic!("{spec}: expected InvalidShape, got {other:?}"),
        }
    }
}

#[test]
fn layer_weights_from_another_layer_are_an_error() {
    let model = Model::<f64>::from_seed(ModelKind::NacMul.spec(3, 2), 0).unwrap();
    let mut tape = Tape::new();
    let w = model.record_weights(&mut tape).unwrap();
    let x = tape.constant(&Tensor::full(Shape::matrix(1, 3), 1.0));
    // layer2 (NAC*) handed layer1's (NAC+) weights.
    match model.layer2().forward(&mut tape, &w.layer1.unwrap(), x) {
        Err(Error::InvalidArgument { name, reason }) => {
            assert_eq!(name, "layer weights");
            assert!(!reason.is_empty());
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

#[test]
fn gate_means_report_where_the_gates_settle() {
    let x = Tensor::from_fn(Shape::matrix(8, 4), |k| 1.0 + (k % 5) as f64 / 5.0);
    let mut model = Model::<f64>::from_seed(ModelKind::Nalu.spec(4, 2), 0).unwrap();
    let p = model.params_mut();
    let (g1, g2) = (p.id("layer1.G").unwrap(), p.id("layer2.G").unwrap());
    p.set(g1, &[0.0; 8]).unwrap();
    p.set(g2, &[-40.0, -40.0]).unwrap();
    let [a, b] = model.gate_means(&x).unwrap();
    assert_eq!(a, Some(0.5));
    assert!(b.unwrap() < 1e-6, "{b:?}");

    let model = Model::<f64>::from_seed(ModelKind::Nmu.spec(4, 2), 0).unwrap();
    assert_eq!(model.gate_means(&x).unwrap(), [None, None]);
    let spec = ModelSpec::new(UnitKind::Nau, UnitKind::GatedNauNmu, 4, 2, 1).unwrap();
    let model = Model::<f64>::from_seed(spec, 0).unwrap();
    let [a, b] = model.gate_means(&x).unwrap();
    assert!(a.is_none());
    let g = b.unwrap();
    assert!(g > 0.0 && g < 1.0);
}

#[test]
fn saved_weights_round_trip_through_json() {
    for k in ModelKind::ALL {
        let model = Model::<f32>::from_seed(k.spec(12, 3), 9).unwrap();
        let json = serde_json::to_string(&model.save()).unwrap();
        let file: SavedModel<f32> = serde_json::from_str(&json).unwrap();
        assert_eq!(file.format_version, SAVED_MODEL_FORMAT_VERSION);
        assert_eq!(file.model, k.name());
        assert_eq!(file.element, "f32");
        let back = Model::from_saved(&file).unwrap();
        assert_eq!(back.spec(), model.spec());
        assert_eq!(back.params().infos(), model.params().infos());
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(back.params().values()),
            bits(model.params().values()),
            "{k}"
        );
        // Loading into a freshly initialised model of the same spec.
        let mut other = Model::<f32>::from_seed(k.spec(12, 3), 10).unwrap();
        other.load_weights(&file).unwrap();
        assert_eq!(
            bits(other.params().values()),
            bits(model.params().values()),
            "{k}"
        );
    }
}

#[test]
fn loading_into_another_model_or_shape_names_the_mismatch() {
    let file = Model::<f64>::from_seed(ModelKind::Nau.spec(10, 2), 0)
        .unwrap()
        .save();

    let mut nmu = Model::<f64>::from_seed(ModelKind::Nmu.spec(10, 2), 0).unwrap();
    let before = nmu.params().values().to_vec();
    let (name, err) = invalid(nmu.load_weights(&file));
    assert_eq!(name, "saved model");
    assert!(err.contains("expected model nmu, file has nau"), "{err}");
    assert_eq!(nmu.params().values(), &before[..], "nothing changed");

    let mut wide = Model::<f64>::from_seed(ModelKind::Nau.spec(100, 2), 0).unwrap();
    let (name, err) = invalid(wide.load_weights(&file));
    assert_eq!(name, "saved model");
    assert!(
        err.contains("layer1.W: expected [2, 100], file has [2, 10]"),
        "{err}"
    );

    let mut deep = Model::<f64>::from_seed(ModelKind::Nau.spec(10, 3), 0).unwrap();
    let (name, err) = invalid(deep.load_weights(&file));
    assert_eq!(name, "saved model");
    assert!(
        err.contains("layer1.W: expected [3, 10], file has [2, 10]"),
        "{err}"
    );

    let mut newer = file.clone();
    newer.format_version = SAVED_MODEL_FORMAT_VERSION + 1;
    let (name, err) = invalid(Model::from_saved(&newer));
    assert_eq!(name, "saved model");
    assert!(err.contains("format version"), "{err}");

    // A hand-edited file whose parameters do not match its spec.
    let mut json: serde_json::Value = serde_json::to_value(&file).unwrap();
    json["params"]["params"][0]["name"] = "layer1.V".into();
    let edited: SavedModel<f64> = serde_json::from_value(json).unwrap();
    let (name, err) = invalid(Model::from_saved(&edited));
    assert_eq!(name, "saved model");
    assert!(err.contains("layer1.V"), "{err}");

    // A truncated value buffer is an error when the file is read, naming
    // the problem, not a panic later.
    let mut json: serde_json::Value = serde_json::to_value(&file).unwrap();
    json["params"]["values"].as_array_mut().unwrap().truncate(3);
    let err = serde_json::from_value::<SavedModel<f64>>(json)
        .unwrap_err()
        .to_string();
    assert!(err.contains("need 22 values but the file has 3"), "{err}");
}
