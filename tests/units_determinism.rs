//! Determinism: a model built from (spec, seed) has bit-identical initial
//! weights every time, in a documented draw order.

use arithgrad::random::Rng;
use arithgrad::units::init::nau_radius;
use arithgrad::units::{Model, ModelKind, ModelSpec, UnitKind, MODEL_INIT_STREAM};

/// Every named model, plus every unit kind in either layer.
fn specs() -> Vec<ModelSpec> {
    let mut specs: Vec<ModelSpec> = ModelKind::ALL.iter().map(|k| k.spec(10, 3)).collect();
    for k in UnitKind::ALL {
        specs.push(ModelSpec::new(k, k, 10, 3, 2).unwrap());
        specs.push(ModelSpec::new(UnitKind::Nau, k, 7, 2, 1).unwrap());
    }
    specs
}

fn bits<T: Copy + Into<f64>>(xs: &[T]) -> Vec<u64> {
    xs.iter().map(|&x| x.into().to_bits()).collect()
}

#[test]
fn same_seed_gives_bit_identical_weights() {
    for spec in specs() {
        for seed in [0, 1, 12345] {
            let a = Model::<f64>::from_seed(spec, seed).unwrap();
            let b = Model::<f64>::from_seed(spec, seed).unwrap();
            assert_eq!(
                bits(a.params().values()),
                bits(b.params().values()),
                "{spec}"
            );
            assert_eq!(a.params().infos(), b.params().infos(), "{spec}");
            let c = Model::<f32>::from_seed(spec, seed).unwrap();
            let d = Model::<f32>::from_seed(spec, seed).unwrap();
            assert_eq!(
                bits(c.params().values()),
                bits(d.params().values()),
                "{spec}"
            );
            // f32 weights are the f64 draws rounded: the same stream.
            let rounded: Vec<f32> = a.params().values().iter().map(|&x| x as f32).collect();
            assert_eq!(bits(&rounded), bits(c.params().values()), "{spec}");
        }
    }
}

#[test]
fn different_seeds_give_different_weights() {
    for spec in specs() {
        let a = Model::<f64>::from_seed(spec, 0).unwrap();
        let b = Model::<f64>::from_seed(spec, 1).unwrap();
        // Biases start at zero, the power units' W_im at zero and their
        // gate g at 0.5; every other parameter must differ somewhere.
        for info in a.params().infos() {
            if [".b", ".W_im", ".g"].iter().any(|s| info.name.ends_with(s)) {
                continue;
            }
            let (ia, ib) = (
                a.params().id(&info.name).unwrap(),
                b.params().id(&info.name).unwrap(),
            );
            assert_ne!(
                a.params().value(ia).unwrap(),
                b.params().value(ib).unwrap(),
                "{spec} {}",
                info.name
            );
        }
    }
}

#[test]
fn reinitialising_from_the_same_rng_state_repeats_the_draw() {
    let spec = ModelKind::GatedNauNmu.spec(20, 2);
    let mut model = Model::<f64>::from_seed(spec, 5).unwrap();
    let first = model.params().values().to_vec();
    model.init(&mut Rng::stream(5, MODEL_INIT_STREAM)).unwrap();
    assert_eq!(bits(&first), bits(model.params().values()));
}

#[test]
fn draw_order_is_layer1_first_row_major() {
    // NMU model: layer1.W (NAU, [hidden, n], U[-r, r]) is drawn first, then
    // layer2.W (NMU, U[0.25, 0.75]). The stream is Rng::stream(seed, MODEL_INIT_STREAM).
    let (n, hidden, seed) = (6, 2, 42);
    let model = Model::<f64>::from_seed(ModelKind::Nmu.spec(n, hidden), seed).unwrap();
    let mut rng = Rng::stream(seed, MODEL_INIT_STREAM);
    let r = nau_radius(n, hidden);
    let mut expected: Vec<f64> = (0..n * hidden).map(|_| rng.uniform(-r, r)).collect();
    expected.extend((0..hidden).map(|_| rng.uniform(0.25, 0.75)));
    assert_eq!(bits(model.params().values()), bits(&expected));
    let names: Vec<&str> = model
        .params()
        .infos()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["layer1.W", "layer2.W"]);
}
