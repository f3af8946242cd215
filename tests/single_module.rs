//! The single-module task (y = x1 op x2) and the single-layer model.

use arithgrad::experiment::{run, RunConfig};
use arithgrad::task::{threshold, Operation, Range, Task, TaskConfig};
use arithgrad::units::{Model, ModelKind, ModelSpec, NmuConstraint, UnitKind};
use arithgrad::{Shape, Tensor};

mod error_expect;
use error_expect::invalid;

fn range(text: &str) -> Range {
    Range::parse("range", text).unwrap()
}

fn single(op: Operation, interp: &str, extrap: &str) -> TaskConfig {
    TaskConfig::single_module(op, range(interp), range(extrap))
}

#[test]
fn targets_are_x1_op_x2() {
    for op in [
        Operation::Add,
        Operation::Sub,
        Operation::Mul,
        Operation::Div,
    ] {
        let task = Task::new(single(op, "[-2,2]", "[-6,-2]u[2,6]"), 4).unwrap();
        let set = task.test_set::<f64>();
        assert_eq!(set.cols, 2);
        for r in 0..100 {
            let (x1, x2) = (set.x[2 * r], set.x[2 * r + 1]);
            assert_eq!(set.targets[r], op.apply(x1, x2), "{op}");
        }
    }
}

#[test]
fn only_two_inputs_and_the_four_operations() {
    let mut c = single(Operation::Mul, "[1,2]", "[2,6]");
    c.input_size = 3;
    let (name, reason) = invalid(c.validate());
    assert_eq!(name, "input_size");
    assert!(reason.contains("exactly 2 inputs, got 3"), "{reason}");
    let c = single(Operation::Squared, "[1,2]", "[2,6]");
    let (name, reason) = invalid(c.validate());
    assert_eq!(name, "operation");
    assert!(reason.contains("squared"), "{reason}");
}

#[test]
fn thresholds_match_their_closed_forms() {
    let eps = 1e-5f64;
    // x ~ U[2,6]: E[x] = 4, E[x^2] = 52/3, E[1/x^2] = 1/12.
    let (m1, m2, inv2) = (4.0, 52.0 / 3.0, 1.0 / 12.0);
    let cases = [
        (Operation::Add, eps * eps * (2.0 * m2 + 2.0 * m1 * m1)),
        (Operation::Sub, eps * eps * (2.0 * m2 + 2.0 * m1 * m1)),
        (
            Operation::Mul,
            ((1.0 - eps).powi(2) - 1.0).powi(2) * m2 * m2,
        ),
        (
            Operation::Div,
            ((1.0 - eps) / (1.0 + eps) - 1.0).powi(2) * m2 * inv2,
        ),
    ];
    for (op, exact) in cases {
        let t = threshold(&single(op, "[1,2]", "[2,6]"), 400_000, 0).unwrap();
        let rel = (t.mse - exact).abs() / exact;
        assert!(rel < 0.01, "{op}: {} vs {exact}", t.mse);
    }
}

#[test]
fn the_protocol_of_the_benchmark() {
    let task = single(Operation::Mul, "[1,2]", "[2,6]");
    let nmu = RunConfig::new(
        ModelSpec::single(UnitKind::Nmu(NmuConstraint::Project), 2),
        task.clone(),
    );
    assert_eq!(nmu.iterations, 50_000);
    let r = nmu.regularizer;
    assert_eq!(
        (r.lambda_hat(), r.t_start(), r.t_end()),
        (10.0, 20_000, 35_000)
    );
    assert!(nmu.eval_f64 && nmu.key().contains("eval=f64"));
    let nau = RunConfig::new(ModelSpec::single(UnitKind::Nau, 2), task);
    assert_eq!(nau.regularizer.lambda_hat(), 0.01);
    // The arithmetic task is unchanged.
    let plain = RunConfig::new(ModelKind::Nmu.spec(100, 2), TaskConfig::new(Operation::Mul));
    assert!(!plain.eval_f64 && !plain.key().contains("eval=f64"));
}

#[test]
fn the_single_layer_model_is_one_unit() {
    let spec = ModelSpec::single(UnitKind::Nmu(NmuConstraint::Project), 2);
    let mut model = Model::<f64>::from_seed(spec, 1).unwrap();
    assert!(model.layer1().is_none());
    assert_eq!(model.params().infos().len(), 1);
    assert_eq!(
        model
            .params()
            .name(model.params().ids().next().unwrap())
            .unwrap(),
        "unit.W"
    );
    model.params_mut().values_mut().copy_from_slice(&[1.0, 1.0]);
    let x = Tensor::from_vec(Shape::matrix(2, 2), vec![3.0, -2.0, 0.5, 4.0]).unwrap();
    assert_eq!(model.predict(&x).unwrap().data(), &[-6.0, 2.0]);
    assert_eq!(model.sparsity_error().unwrap(), 0.0);
    let bad = ModelSpec {
        layer1: UnitKind::Nau,
        ..spec
    };
    match bad.validate() {
        Err(arithgrad::Error::InvalidArgument { name, reason }) => {
            assert_eq!(name, "model sizes");
            assert!(reason.contains("the layers differ"), "{reason}");
        }
        other => panic!("expected an InvalidArgument error, got {other:?}"),
    }
}

#[test]
fn an_nmu_learns_multiplication_and_the_run_is_evaluated_in_f64() {
    let task = single(Operation::Mul, "[1,2]", "[2,6]");
    let mut config = RunConfig::new(
        ModelSpec::single(UnitKind::Nmu(NmuConstraint::Project), 2),
        task.clone(),
    );
    config.iterations = 5_000;
    let t = threshold(&task, 100_000, 0).unwrap().mse;
    let record = run(&config, 0, t).unwrap();
    assert!(record.solved, "{:?}", record.curve.last());
    assert!(record.curve.last().unwrap().test_mse < t);
}
