//! Saving and restoring optimizer state with serde: a run interrupted by a
//! JSON round trip of the optimizer and the parameter store must continue
//! bit for bit like an uninterrupted run, and a loaded state that does not
//! fit (other store size, truncated buffer, invalid hyper-parameter) must be
//! an error, not a panic.

use arithgrad::optim::{
    Adam, AdamConfig, AdamW, AdamWConfig, Optimizer, RmsProp, RmsPropConfig, Sgd, SgdConfig,
};
use arithgrad::tape::ParamStore;
use arithgrad::tensor::{Element, Shape, Tensor};
use arithgrad::Error;
use serde::de::DeserializeOwned;
use serde::Serialize;

const TOTAL_STEPS: usize = 10;
const SAVE_AFTER: usize = 4;

fn store<T: Element>() -> ParamStore<T> {
    let f = |xs: &[f64]| -> Vec<T> { xs.iter().map(|&x| T::from_f64_lossy(x)).collect() };
    let mut p = ParamStore::new();
    p.add(
        "w",
        Tensor::from_slice(Shape::matrix(2, 3), &f(&[0.3, -1.7, 2.2, 0.05, 1.0, -0.6])).unwrap(),
    )
    .unwrap();
    p.add(
        "b",
        Tensor::from_slice(Shape::vector(2), &f(&[0.1, -0.2])).unwrap(),
    )
    .unwrap();
    p
}

/// A gradient that depends on the parameters and on the step, so every
/// state buffer ends up holding arbitrary (many-digit) values.
fn set_gradient<T: Element>(params: &mut ParamStore<T>, step: usize) {
    let p = params.values().to_vec();
    for (i, g) in params.grads_mut().iter_mut().enumerate() {
        let phase = T::from_f64_lossy(((i * 7 + step * 3) % 11) as f64 / 3.0 - 1.5);
        *g = T::from_f64_lossy(1.0 + i as f64 / 7.0) * (p[i] - phase);
    }
}

fn bits<T: Element>(xs: &[T]) -> Vec<u64> {
    xs.iter().map(|x| x.to_f64_lossy().to_bits()).collect()
}

fn resume_is_bit_identical<T, O>(name: &str, make: impl Fn() -> O)
where
    T: Element,
    O: Optimizer<T> + Serialize + DeserializeOwned,
{
    let mut straight = store::<T>();
    let mut opt = make();
    for step in 0..TOTAL_STEPS {
        set_gradient(&mut straight, step);
        opt.step(&mut straight).unwrap();
    }

    let mut params = store::<T>();
    let mut opt = make();
    for step in 0..SAVE_AFTER {
        set_gradient(&mut params, step);
        opt.step(&mut params).unwrap();
    }
    let saved_opt = serde_json::to_string(&opt).unwrap();
    let saved_params = serde_json::to_string(&params).unwrap();
    drop((opt, params));

    let mut opt: O = serde_json::from_str(&saved_opt).unwrap();
    let mut params: ParamStore<T> = serde_json::from_str(&saved_params).unwrap();
    // The reload itself is exact: saving it again gives the same text. (This
    // needs serde_json's `float_roundtrip` feature; by default its float
    // parser can be off by one ulp.)
    assert_eq!(serde_json::to_string(&opt).unwrap(), saved_opt, "{name}");
    assert_eq!(
        serde_json::to_string(&params).unwrap(),
        saved_params,
        "{name}"
    );
    assert_eq!(opt.steps_taken(), SAVE_AFTER as u64, "{name}");
    for step in SAVE_AFTER..TOTAL_STEPS {
        set_gradient(&mut params, step);
        opt.step(&mut params).unwrap();
    }
    assert_eq!(
        bits(params.values()),
        bits(straight.values()),
        "{name} ({}): resumed run differs from the uninterrupted one",
        T::NAME
    );
    assert_ne!(
        bits(params.values()),
        bits(store::<T>().values()),
        "{name}: the run must actually move the parameters"
    );
}

fn all_optimizers<T: Element>() {
    resume_is_bit_identical::<T, _>("sgd nesterov + decay", || {
        Sgd::new(SgdConfig {
            momentum: 0.9,
            nesterov: true,
            weight_decay: 0.01,
            ..SgdConfig::new(0.05)
        })
        .unwrap()
    });
    resume_is_bit_identical::<T, _>("sgd dampening", || {
        Sgd::new(SgdConfig {
            momentum: 0.7,
            dampening: 0.2,
            ..SgdConfig::new(0.05)
        })
        .unwrap()
    });
    resume_is_bit_identical::<T, _>("adam amsgrad", || {
        Adam::new(AdamConfig {
            lr: 0.05,
            amsgrad: true,
            weight_decay: 0.1,
            ..AdamConfig::default()
        })
        .unwrap()
    });
    resume_is_bit_identical::<T, _>("adamw", || {
        AdamW::new(AdamWConfig {
            lr: 0.05,
            ..AdamWConfig::default()
        })
        .unwrap()
    });
    resume_is_bit_identical::<T, _>("rmsprop centered momentum", || {
        RmsProp::new(RmsPropConfig {
            centered: true,
            momentum: 0.5,
            ..RmsPropConfig::default()
        })
        .unwrap()
    });
}

#[test]
fn resuming_from_json_is_bit_identical_f64() {
    all_optimizers::<f64>();
}

#[test]
fn resuming_from_json_is_bit_identical_f32() {
    all_optimizers::<f32>();
}

fn one_step_adam() -> (Adam<f64>, ParamStore<f64>) {
    let mut params = store::<f64>();
    let mut adam = Adam::new(AdamConfig::default()).unwrap();
    set_gradient(&mut params, 0);
    adam.step(&mut params).unwrap();
    (adam, params)
}

#[test]
fn loaded_state_for_another_store_size_is_an_error() {
    let (adam, _) = one_step_adam();
    let json = serde_json::to_string(&adam).unwrap();
    let mut loaded: Adam<f64> = serde_json::from_str(&json).unwrap();
    let mut bigger = store::<f64>();
    bigger
        .add("extra", Tensor::zeros(Shape::vector(3)))
        .unwrap();
    assert!(matches!(
        loaded.step(&mut bigger),
        Err(Error::InvalidArgument { name: "params", .. })
    ));
}

#[test]
fn truncated_state_buffer_is_an_error_not_a_panic() {
    let (adam, mut params) = one_step_adam();
    let mut json: serde_json::Value = serde_json::to_value(&adam).unwrap();
    json["state"]["exp_avg_sq"]
        .as_array_mut()
        .expect("the second moment is saved")
        .pop();
    let mut loaded: Adam<f64> = serde_json::from_value(json).unwrap();
    let before = params.values().to_vec();
    assert!(matches!(
        loaded.step(&mut params),
        Err(Error::InvalidArgument {
            name: "optimizer state",
            ..
        })
    ));
    assert_eq!(params.values(), &before[..]);
}

#[test]
fn invalid_saved_hyper_parameter_is_an_error() {
    let (adam, mut params) = one_step_adam();
    let mut json: serde_json::Value = serde_json::to_value(&adam).unwrap();
    json["config"]["betas"][1] = serde_json::json!(1.5);
    let mut loaded: Adam<f64> = serde_json::from_value(json).unwrap();
    assert!(matches!(
        loaded.step(&mut params),
        Err(Error::InvalidArgument { name: "beta2", .. })
    ));
}
