//! Units built from given weights (`from_weights`): the values land in the
//! store, wrong shapes are errors naming the constructor and both shapes,
//! and a failed call adds nothing to the store. Also the typed access to a
//! model's layers and the model's loss helper.

use arithgrad::units::{
    Activation, GatedNauNmu, Linear, Model, ModelKind, NacAdd, NacMul, NacMulNmu, NacMulSigma,
    Nalu, NaluSharing, Nau, Nmu, NmuConstraint, Unit,
};
use arithgrad::{Error, ParamStore, Shape, Tape, Tensor};

fn matrix(rows: usize, cols: usize, data: &[f64]) -> Tensor<f64> {
    Tensor::from_slice(Shape::matrix(rows, cols), data).unwrap()
}

#[test]
fn nau_and_nmu_compute_with_the_given_weights() {
    let mut params = ParamStore::<f64>::new();
    let nau =
        Nau::from_weights(&mut params, "l1", &matrix(2, 3, &[1., 1., 0., 0., 1., -1.])).unwrap();
    let nmu = Nmu::from_weights(
        &mut params,
        "l2",
        &matrix(1, 2, &[1., 1.]),
        NmuConstraint::Project,
    )
    .unwrap();
    assert_eq!((nau.inputs(), nau.outputs()), (3, 2));
    let mut tape = Tape::new();
    let x = tape.constant(&matrix(1, 3, &[2., 3., 5.]));
    let h = nau.apply(&mut tape, &params, x).unwrap();
    let y = nmu.apply(&mut tape, &params, h).unwrap();
    assert_eq!(tape.value(h).unwrap(), &[5., -2.]);
    assert_eq!(tape.value(y).unwrap(), &[-10.]);
}

#[test]
fn a_weight_that_is_not_a_matrix_is_an_invalid_shape() {
    let mut params = ParamStore::<f64>::new();
    let v = Tensor::<f64>::zeros(Shape::vector(3));
    match Nau::from_weights(&mut params, "x", &v) {
        Err(Error::InvalidShape { op, shape, .. }) => {
            assert_eq!(op, "Nau::from_weights");
            assert_eq!(shape, [3]);
        }
        other => panic!("expected InvalidShape, got {other:?}"),
    }
    let empty = Tensor::<f64>::zeros(Shape::matrix(0, 3));
    assert!(matches!(
        NacMulNmu::from_weights(&mut params, "y", &empty),
        Err(Error::InvalidShape {
            op: "NacMulNmu::from_weights",
            ..
        })
    ));
    assert!(params.is_empty(), "a failed call adds no parameter");
}

#[test]
fn mismatched_second_weights_name_both_shapes() {
    let mut params = ParamStore::<f64>::new();
    let w = matrix(2, 3, &[0.; 6]);
    let b = Tensor::<f64>::zeros(Shape::vector(3));
    assert_eq!(
        Linear::from_weights(&mut params, "lin", &w, &b, Activation::Identity).unwrap_err(),
        Error::ShapeMismatch {
            op: "Linear::from_weights",
            left: Shape::vector(2).into(),
            right: Shape::vector(3).into(),
        }
    );
    let m = matrix(3, 2, &[0.; 6]);
    for result in [
        NacAdd::from_weights(&mut params, "a", &w, &m).map(|_| ()),
        NacMul::from_weights(&mut params, "m", &w, &m).map(|_| ()),
    ] {
        match result {
            Err(Error::ShapeMismatch { left, right, .. }) => {
                assert_eq!((left, right), (vec![2, 3], vec![3, 2]));
            }
            other => panic!("expected ShapeMismatch, got {other:?}"),
        }
    }
    assert!(params.is_empty(), "a failed call adds no parameter");
}

#[test]
fn nac_weights_are_stored_as_given() {
    let mut params = ParamStore::<f64>::new();
    let w_hat = matrix(1, 2, &[0.5, -0.5]);
    let m_hat = matrix(1, 2, &[2.0, 3.0]);
    let nac = NacAdd::from_weights(&mut params, "nac", &w_hat, &m_hat).unwrap();
    assert_eq!(params.value(nac.nac_params().w_hat).unwrap(), w_hat.data());
    assert_eq!(params.value(nac.nac_params().m_hat).unwrap(), m_hat.data());
    let sigma = NacMulSigma::from_weights(&mut params, "s", &w_hat).unwrap();
    assert_eq!(params.value(sigma.weight_hat()).unwrap(), w_hat.data());
    assert_eq!(params.name(sigma.weight_hat()).unwrap(), "s.W_hat");
}

#[test]
fn typed_access_reaches_each_layer_unit() {
    let model = Model::<f64>::from_seed(ModelKind::Nmu.spec(4, 2), 0).unwrap();
    let layer1 = model.layer1().expect("the nmu model has two layers");
    let nau = layer1.as_nau().expect("layer 1 of nmu is an NAU");
    let nmu = model.layer2().as_nmu().expect("layer 2 of nmu is an NMU");
    assert_eq!(model.params().name(nau.weight()).unwrap(), "layer1.W");
    assert_eq!(model.params().name(nmu.weight()).unwrap(), "layer2.W");
    assert!(layer1.as_nmu().is_none());
    assert!(model.layer2().as_linear().is_none());
}

#[test]
fn the_loss_helper_is_mse_plus_lambda_times_the_regularizer() {
    let model = Model::<f64>::from_seed(ModelKind::Nmu.spec(3, 2), 5).unwrap();
    let mut tape = Tape::new();
    let x = tape.constant(&matrix(2, 3, &[1.0, 1.5, 2.0, 1.2, 1.1, 1.9]));
    let t = tape.constant(&matrix(2, 1, &[1.5, 2.5]));
    let w = model.record_weights(&mut tape).unwrap();
    let y = model.forward(&mut tape, &w, x).unwrap();
    let plain = model.loss(&mut tape, &w, y, t, 0.0).unwrap();
    let with_r = model.loss(&mut tape, &w, y, t, 0.25).unwrap();
    let ys = tape.value(y).unwrap().to_vec();
    let mse = ((ys[0] - 1.5).powi(2) + (ys[1] - 2.5).powi(2)) / 2.0;
    assert!((tape.item(plain).unwrap() - mse).abs() < 1e-12);
    let r = model.regularizer(&mut tape, &w).unwrap().unwrap();
    let r = tape.item(r).unwrap();
    assert!((tape.item(with_r).unwrap() - (mse + 0.25 * r)).abs() < 1e-12);
}

#[test]
fn gated_nau_nmu_computes_with_the_given_weights_and_checks_shapes() {
    let mut params = ParamStore::<f64>::new();
    let ones = matrix(1, 2, &[1.0, 1.0]);
    let x = matrix(1, 2, &[3.0, 4.0]);
    // A saturated gate selects the NAU (G x >> 0: 3 + 4) or the NMU (G x << 0: 3 * 4).
    for (prefix, gate, expected) in [("add", 20.0, 7.0), ("mul", -20.0, 12.0)] {
        let g = matrix(1, 2, &[gate, gate]);
        let unit = GatedNauNmu::from_weights(&mut params, prefix, &ones, &ones, &g).unwrap();
        assert_eq!(params.value(unit.gate_weight()).unwrap(), g.data());
        assert_eq!(params.value(unit.nau().weight()).unwrap(), ones.data());
        assert_eq!(params.value(unit.nmu().weight()).unwrap(), ones.data());
        let mut tape = Tape::new();
        let xv = tape.constant(&x);
        let z = unit.apply(&mut tape, &params, xv).unwrap();
        let got = tape.value(z).unwrap()[0];
        assert!((got - expected).abs() < 1e-9, "{prefix}: {got}");
    }
    let mut fresh = ParamStore::<f64>::new();
    let wide_g = matrix(1, 3, &[0.0; 3]);
    assert_eq!(
        GatedNauNmu::from_weights(&mut fresh, "g", &ones, &ones, &wide_g).unwrap_err(),
        Error::ShapeMismatch {
            op: "GatedNauNmu::from_weights",
            left: vec![1, 2],
            right: vec![1, 3],
        }
    );
    assert!(fresh.is_empty(), "a failed call adds no parameter");
}

#[test]
fn nalu_computes_with_the_given_weights_and_checks_shapes() {
    let mut params = ParamStore::<f64>::new();
    // Saturated NAC weights: W ~ [1, 1]; x = [3, 4].
    let w_hat = matrix(1, 2, &[20.0, 20.0]);
    let m_hat = matrix(1, 2, &[40.0, 40.0]);
    let negative = matrix(1, 2, &[-20.0, -20.0]);
    let x = matrix(1, 2, &[3.0, 4.0]);
    // Shared pair, gate open (G x >> 0): the NAC+ path, 3 + 4.
    let g_add = matrix(1, 2, &[20.0, 20.0]);
    let shared = Nalu::from_weights(&mut params, "s", (&w_hat, &m_hat), None, &g_add).unwrap();
    assert_eq!(shared.sharing(), NaluSharing::Shared);
    assert_eq!(params.value(shared.gate_weight()).unwrap(), g_add.data());
    // Separate pairs, gate closed: the NAC* path, 3 * 4; the NAC+ pair is
    // W ~ [-1, -1] to show the paths really are separate.
    let separate = Nalu::from_weights(
        &mut params,
        "p",
        (&negative, &m_hat),
        Some((&w_hat, &m_hat)),
        &negative,
    )
    .unwrap();
    assert_eq!(separate.sharing(), NaluSharing::Separate);
    assert_eq!(
        params.value(separate.add_params().w_hat).unwrap(),
        negative.data()
    );
    assert_eq!(
        params.value(separate.mul_params().w_hat).unwrap(),
        w_hat.data()
    );
    for (unit, expected) in [(&shared, 7.0), (&separate, 12.0)] {
        let mut tape = Tape::new();
        let xv = tape.constant(&x);
        let z = unit.apply(&mut tape, &params, xv).unwrap();
        let got = tape.value(z).unwrap()[0];
        assert!((got - expected).abs() < 1e-5, "{got} vs {expected}");
    }
    let mut fresh = ParamStore::<f64>::new();
    let tall = matrix(2, 2, &[0.0; 4]);
    assert_eq!(
        Nalu::from_weights(
            &mut fresh,
            "n",
            (&w_hat, &m_hat),
            Some((&w_hat, &tall)),
            &g_add
        )
        .unwrap_err(),
        Error::ShapeMismatch {
            op: "Nalu::from_weights",
            left: vec![1, 2],
            right: vec![2, 2],
        }
    );
    assert!(fresh.is_empty(), "a failed call adds no parameter");
}
