//! Gradient checks (the `check` module, f64, central differences) through
//! every unit and every model, with parameter values and inputs drawn by
//! proptest away from the kinks of `abs`, `clamp`, `min` and `relu`.
//!
//! Each unit's loss is `sum(z ⊙ c) + 0.7 R` (random weights `c`, `R` its
//! regularizer if it has one); each model's is `MSE(y, t) + 0.7 R`, the
//! training loss. Both the parameter gradients and the gradient with respect
//! to the input are checked.

use arithgrad::check::{self, CheckOptions};
use arithgrad::random::Rng;
use arithgrad::units::{Layer, Model, ModelKind, ModelSpec, Unit, UnitKind};
use arithgrad::{ParamStore, Result, Shape, Tape, Tensor, Var};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// How a parameter's values are drawn from a uniform `u` in `[0, 1)`.
#[derive(Clone, Copy, Debug)]
enum Draw {
    /// `U[lo, hi)`, for parameters with no kink (transforms, gates, biases).
    Free(f64, f64),
    /// `|w|` in `[0.05, 0.45] u [0.55, 0.95]`, either sign: a NAU weight off
    /// the kinks of its clamp (±1) and its regularizer (0, ±0.5).
    NauWeight,
    /// `w` in `[0.05, 0.45] u [0.55, 0.95]`: an NMU-type weight off the kinks
    /// of its clamp and regularizer (0, 0.5, 1).
    NmuWeight,
}

impl Draw {
    fn value(self, u: f64) -> f64 {
        match self {
            Draw::Free(lo, hi) => lo + (hi - lo) * u,
            Draw::NmuWeight => {
                let v = 0.05 + 0.8 * u;
                if v > 0.45 {
                    v + 0.1
                } else {
                    v
                }
            }
            Draw::NauWeight => {
                let s = 4.0 * u;
                let (k, f) = (s.floor(), s.fract());
                [-0.95, -0.45, 0.05, 0.55][(k as usize).min(3)] + 0.4 * f
            }
        }
    }
}

/// The draw for parameter `name` of a layer of `kind`.
fn draw_for(kind: UnitKind, name: &str) -> Draw {
    if name.ends_with("nau.W") {
        return Draw::NauWeight;
    }
    if name.ends_with("nmu.W") {
        return Draw::NmuWeight;
    }
    match kind {
        UnitKind::Nau | UnitKind::NauNoWClamp => Draw::NauWeight,
        UnitKind::Nmu(_) | UnitKind::NacMulNmu => Draw::NmuWeight,
        UnitKind::NacMulSigma => Draw::Free(-3.0, 3.0),
        UnitKind::Linear | UnitKind::Relu | UnitKind::Relu6 => Draw::Free(-1.0, 1.0),
        _ => Draw::Free(-2.0, 2.0),
    }
}

/// Whether the unit takes `log(|x| + eps)` of its input (kink at 0).
fn uses_log(kind: UnitKind) -> bool {
    matches!(
        kind,
        UnitKind::NacMul | UnitKind::NacMulSigma | UnitKind::NacMulNmu | UnitKind::Nalu(_)
    )
}

/// An input value: `|x|` in `[0.5, 2]` with either sign for log-space
/// units, else `U[-2, 2]`.
fn input_value(log_space: bool, u: f64) -> f64 {
    if log_space {
        let s = 2.0 * u;
        let m = 0.5 + 1.5 * s.fract();
        if s < 1.0 {
            -m
        } else {
            m
        }
    } else {
        -2.0 + 4.0 * u
    }
}

/// Sets every parameter of `layer` from the uniforms `us`.
fn set_params(layer: &Layer, params: &mut ParamStore<f64>, us: &[f64], used: &mut usize) {
    for id in layer.param_ids() {
        let draw = draw_for(layer.kind(), params.name(id).unwrap());
        let n = params.value(id).unwrap().len();
        let v: Vec<f64> = us[*used..*used + n]
            .iter()
            .map(|&u| draw.value(u))
            .collect();
        *used += n;
        params.set(id, &v).unwrap();
    }
}

/// For ReLU-type layers: whether every pre-activation of `x` is at least
/// `margin` away from the kinks at 0 (and 6 for ReLU6).
fn relu_off_kinks(layer: &Layer, params: &ParamStore<f64>, x: &Tensor<f64>, margin: f64) -> bool {
    let Layer::Linear(l) = layer else { return true };
    let kinks: &[f64] = match layer.kind() {
        UnitKind::Relu => &[0.0],
        UnitKind::Relu6 => &[0.0, 6.0],
        _ => return true,
    };
    let w = params.value(l.weight()).unwrap();
    let b = params.value(l.bias()).unwrap();
    let (i, o) = (layer.inputs(), layer.outputs());
    x.data().chunks(i).all(|row| {
        (0..o).all(|j| {
            let pre: f64 = b[j] + (0..i).map(|k| w[j * i + k] * row[k]).sum::<f64>();
            kinks.iter().all(|k| (pre - k).abs() > margin)
        })
    })
}

fn options() -> CheckOptions {
    CheckOptions::default()
}

fn to_case_error(e: arithgrad::Error) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

const B: usize = 3;
const I: usize = 3;
const O: usize = 2;

/// Checks one unit of `kind`, `I -> O`, on a batch of `B`.
fn check_unit(
    kind: UnitKind,
    pu: &[f64],
    xu: &[f64],
    cu: &[f64],
) -> std::result::Result<(), TestCaseError> {
    let mut params = ParamStore::<f64>::new();
    let layer = Layer::new(kind, &mut params, "u", I, O, &mut Rng::seed_from_u64(0)).unwrap();
    set_params(&layer, &mut params, pu, &mut 0);
    let x = Tensor::from_fn(Shape::matrix(B, I), |k| input_value(uses_log(kind), xu[k]));
    let c = Tensor::from_fn(Shape::matrix(B, O), |k| cu[k] - 0.5);
    prop_assume!(relu_off_kinks(&layer, &params, &x, 1e-3));

    let loss = |t: &mut Tape<f64>, p: &ParamStore<f64>, xv: Var| -> Result<Var> {
        let w = layer.record(t, p)?;
        let z = layer.forward(t, &w, xv)?;
        let cv = t.constant(&c);
        let zc = t.mul(z, cv)?;
        let mut l = t.sum(zc)?;
        if let Some(r) = layer.regularizer(t, &w)? {
            let r = t.mul_scalar(r, 0.7)?;
            l = t.add(l, r)?;
        }
        Ok(l)
    };
    let by_params = check::param_gradient(
        |t, p| {
            let xv = t.constant(&x);
            loss(t, p, xv)
        },
        &params,
        &options(),
    )
    .map_err(to_case_error)?;
    prop_assert!(by_params.ok(), "{kind}: parameters: {by_params}");
    prop_assert_eq!(by_params.checked, params.numel());
    let by_input = check::gradient(
        |t, v| loss(t, &params, v[0]),
        std::slice::from_ref(&x),
        &options(),
    )
    .map_err(to_case_error)?;
    prop_assert!(by_input.ok(), "{kind}: input: {by_input}");
    Ok(())
}

/// Checks one model `N -> H -> 1` on a batch of `MB` with the training loss.
const N: usize = 4;
const H: usize = 2;
const MB: usize = 4;

fn check_model(
    spec: ModelSpec,
    pu: &[f64],
    xu: &[f64],
    tu: &[f64],
) -> std::result::Result<(), TestCaseError> {
    let mut model = Model::<f64>::from_seed(spec, 0).unwrap();
    let mut used = 0;
    let (l1, l2) = (model.layer1().clone(), model.layer2().clone());
    set_params(&l1, model.params_mut(), pu, &mut used);
    set_params(&l2, model.params_mut(), pu, &mut used);
    let x = Tensor::from_fn(Shape::matrix(MB, N), |k| {
        input_value(uses_log(spec.layer1), xu[k])
    });
    let t = Tensor::from_fn(Shape::matrix(MB, 1), |k| 4.0 * tu[k] - 2.0);
    prop_assume!(relu_off_kinks(&l1, model.params(), &x, 1e-3));
    if uses_log(spec.layer2) {
        // Layer 2 takes log|h|: keep the hidden values off 0.
        let mut tape = Tape::new();
        let xv = tape.constant(&x);
        let w = l1.record(&mut tape, model.params()).unwrap();
        let h = l1.forward(&mut tape, &w, xv).unwrap();
        prop_assume!(tape.value(h).unwrap().iter().all(|v| v.abs() > 0.2));
    }

    let loss = |tp: &mut Tape<f64>, p: &ParamStore<f64>, xv: Var| -> Result<Var> {
        let w1 = l1.record(tp, p)?;
        let w2 = l2.record(tp, p)?;
        let h = l1.forward(tp, &w1, xv)?;
        let y = l2.forward(tp, &w2, h)?;
        let tv = tp.constant(&t);
        let d = tp.sub(y, tv)?;
        let d2 = tp.square(d)?;
        let mut l = tp.mean(d2)?;
        // lambda * (R1 + R2), as the model sums its layers' regularizers.
        let r = match (l1.regularizer(tp, &w1)?, l2.regularizer(tp, &w2)?) {
            (Some(a), Some(b)) => Some(tp.add(a, b)?),
            (a, b) => a.or(b),
        };
        if let Some(r) = r {
            let r = tp.mul_scalar(r, 0.7)?;
            l = tp.add(l, r)?;
        }
        Ok(l)
    };
    let by_params = check::param_gradient(
        |tp, p| {
            let xv = tp.constant(&x);
            loss(tp, p, xv)
        },
        model.params(),
        &options(),
    )
    .map_err(to_case_error)?;
    prop_assert!(by_params.ok(), "{}: parameters: {}", spec, by_params);
    let by_input = check::gradient(
        |tp, v| loss(tp, model.params(), v[0]),
        std::slice::from_ref(&x),
        &options(),
    )
    .map_err(to_case_error)?;
    prop_assert!(by_input.ok(), "{}: input: {}", spec, by_input);

    // The model's own record/forward/regularizer give the same loss.
    let mut tape = Tape::new();
    let xv = tape.constant(&x);
    let w = model.record_weights(&mut tape).unwrap();
    let y = model.forward(&mut tape, &w, xv).unwrap();
    let tv = tape.constant(&t);
    let d = tape.sub(y, tv).unwrap();
    let d2 = tape.square(d).unwrap();
    let mut l = tape.mean(d2).unwrap();
    if let Some(r) = model.regularizer(&mut tape, &w).unwrap() {
        let r = tape.mul_scalar(r, 0.7).unwrap();
        l = tape.add(l, r).unwrap();
    }
    let mut tape2 = Tape::new();
    let xv2 = tape2.constant(&x);
    let l2v = loss(&mut tape2, model.params(), xv2).unwrap();
    prop_assert_eq!(tape.item(l).unwrap(), tape2.item(l2v).unwrap());
    Ok(())
}

fn uniforms(n: usize) -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(0.0f64..1.0, n)
}

macro_rules! unit_tests {
    ($($name:ident => $kind:expr,)*) => {
        proptest! {
            #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
            $(
                #[test]
                fn $name(pu in uniforms(64), xu in uniforms(B * I), cu in uniforms(B * O)) {
                    check_unit($kind, &pu, &xu, &cu)?;
                }
            )*
        }
    };
}

macro_rules! model_tests {
    ($($name:ident => $spec:expr,)*) => {
        proptest! {
            #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
            $(
                #[test]
                fn $name(pu in uniforms(64), xu in uniforms(MB * N), tu in uniforms(MB)) {
                    check_model($spec, &pu, &xu, &tu)?;
                }
            )*
        }
    };
}

use arithgrad::units::{NaluSharing, NmuConstraint};

unit_tests! {
    unit_linear => UnitKind::Linear,
    unit_relu => UnitKind::Relu,
    unit_relu6 => UnitKind::Relu6,
    unit_nac_add => UnitKind::NacAdd,
    unit_nac_mul => UnitKind::NacMul,
    unit_nac_mul_sigma => UnitKind::NacMulSigma,
    unit_nac_mul_nmu => UnitKind::NacMulNmu,
    unit_nalu_shared => UnitKind::Nalu(NaluSharing::Shared),
    unit_nalu_separate => UnitKind::Nalu(NaluSharing::Separate),
    unit_nau => UnitKind::Nau,
    unit_nau_no_w_clamp => UnitKind::NauNoWClamp,
    unit_nmu => UnitKind::Nmu(NmuConstraint::Project),
    unit_nmu_no_w_clamp => UnitKind::Nmu(NmuConstraint::ClampInForward),
    unit_gated_nau_nmu => UnitKind::GatedNauNmu,
}

model_tests! {
    model_nmu => ModelKind::Nmu.spec(N, H),
    model_nau => ModelKind::Nau.spec(N, H),
    model_nac_mul => ModelKind::NacMul.spec(N, H),
    model_nac_mul_sigma => ModelKind::NacMulSigma.spec(N, H),
    model_nac_mul_nmu => ModelKind::NacMulNmu.spec(N, H),
    model_nac_add => ModelKind::NacAdd.spec(N, H),
    model_nalu => ModelKind::Nalu.spec(N, H),
    model_gated_nau_nmu => ModelKind::GatedNauNmu.spec(N, H),
    model_linear => ModelKind::Linear.spec(N, H),
    model_relu => ModelKind::Relu.spec(N, H),
    model_relu6 => ModelKind::Relu6.spec(N, H),
    model_nmu_no_w_clamp => ModelSpec {
        layer2: UnitKind::Nmu(NmuConstraint::ClampInForward),
        ..ModelKind::Nmu.spec(N, H)
    },
    model_nmu_no_w_clamp_both_layers => ModelSpec {
        layer1: UnitKind::NauNoWClamp,
        layer2: UnitKind::Nmu(NmuConstraint::ClampInForward),
        ..ModelKind::Nmu.spec(N, H)
    },
    model_nac_add_nalu_separate => ModelSpec {
        layer1: UnitKind::NacAdd,
        layer2: UnitKind::Nalu(NaluSharing::Separate),
        ..ModelKind::Nmu.spec(N, H)
    },
    model_nac_add_nalu_shared => ModelSpec {
        layer1: UnitKind::NacAdd,
        layer2: UnitKind::Nalu(NaluSharing::Shared),
        ..ModelKind::Nmu.spec(N, H)
    },
    model_nau_gated => ModelSpec {
        layer1: UnitKind::Nau,
        layer2: UnitKind::GatedNauNmu,
        ..ModelKind::Nmu.spec(N, H)
    },
}

/// Adding a unit or model kind breaks these matches: a reminder to add its
/// gradient test above.
#[allow(dead_code)]
fn every_kind_has_a_test_above(unit: UnitKind, model: ModelKind) {
    match unit {
        UnitKind::Linear
        | UnitKind::Relu
        | UnitKind::Relu6
        | UnitKind::NacAdd
        | UnitKind::NacMul
        | UnitKind::NacMulSigma
        | UnitKind::NacMulNmu
        | UnitKind::Nalu(NaluSharing::Shared | NaluSharing::Separate)
        | UnitKind::Nau
        | UnitKind::NauNoWClamp
        | UnitKind::Nmu(NmuConstraint::Project | NmuConstraint::ClampInForward)
        | UnitKind::GatedNauNmu => {}
    }
    match model {
        ModelKind::Nmu
        | ModelKind::Nau
        | ModelKind::NacMul
        | ModelKind::NacMulSigma
        | ModelKind::NacMulNmu
        | ModelKind::NacAdd
        | ModelKind::Nalu
        | ModelKind::GatedNauNmu
        | ModelKind::Linear
        | ModelKind::Relu
        | ModelKind::Relu6 => {}
    }
}
