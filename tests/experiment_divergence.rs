//! What a diverged run is (the reference's rule: a gradient or a parameter
//! became non-finite, not a loss value that overflows on its own), and the
//! gate values a run records (the mean gate on the training batch at the
//! judged step, as the reference logs it).

use arithgrad::experiment::{run, Precision, RunConfig, Trainer};
use arithgrad::task::{Operation, Range, Task, TaskConfig};
use arithgrad::units::{Model, ModelKind, SavedModel};
use arithgrad::{Shape, Tensor};

/// Linear model on `add` with inputs near 6e17 in `f32`: every target is
/// about 3e19, so the squared error of a row (about 1e39) overflows `f32`
/// while the gradient (about `2 * 3e19 * 6e17`, 4e37) stays finite.
fn overflowing_loss_config() -> RunConfig {
    let task = TaskConfig {
        interpolation_range: Range::new(5e17, 7e17).unwrap(),
        extrapolation_range: Range::new(7e17, 9e17).unwrap(),
        ..TaskConfig::new(Operation::Add)
    };
    let mut c = RunConfig::new(ModelKind::Linear.spec(100, 2), task);
    c.iterations = 40;
    c.eval_every = 10;
    c.eval_rows = 200;
    c.precision = Precision::F32;
    c
}

#[test]
fn a_loss_that_overflows_with_finite_gradients_trains_on() {
    let config = overflowing_loss_config();
    // The premise: the f32 loss is infinite at every step, yet the
    // gradients and weights stay finite.
    let mut trainer = Trainer::<f32>::new(&config, 3).unwrap();
    for _ in 0..config.iterations {
        let loss = trainer.step().unwrap();
        assert!(loss.is_infinite(), "loss {loss}");
        assert!(trainer
            .model()
            .params()
            .grads()
            .iter()
            .all(|g| g.is_finite()));
        assert!(trainer
            .model()
            .params()
            .values()
            .iter()
            .all(|w| w.is_finite()));
    }
    assert!(!trainer.diverged());
    // The run goes to the end and is not recorded as diverged.
    let r = run(&config, 3, 1.0).unwrap();
    assert!(!r.diverged);
    let steps: Vec<u64> = r.curve.iter().map(|p| p.step).collect();
    assert_eq!(steps, vec![0, 10, 20, 30, 40]);
    // Its evaluations (accumulated in f64) are finite, so it has a judged
    // checkpoint.
    assert!(r.curve.iter().all(|p| p.valid_mse.is_finite()));
    assert!(r.judged.is_some());
}

#[test]
fn a_run_whose_weights_become_non_finite_is_recorded_as_diverged() {
    // An absurd learning rate: Adam moves every weight by about 1e38 per
    // step, so the f32 weights leave the finite numbers within a few steps.
    let mut config = RunConfig::new(
        ModelKind::Linear.spec(100, 2),
        TaskConfig::new(Operation::Add),
    );
    config.iterations = 1000;
    config.eval_every = 100;
    config.eval_rows = 200;
    config.learning_rate = 1e38;
    let mut trainer = Trainer::<f32>::new(&config, 0).unwrap();
    let mut steps = 0;
    while !trainer.diverged() && steps < 50 {
        trainer.step().unwrap();
        steps += 1;
    }
    assert!(trainer.diverged(), "still finite after {steps} steps");
    assert!(trainer
        .model()
        .params()
        .values()
        .iter()
        .chain(trainer.model().params().grads())
        .any(|v| !v.is_finite()));

    let r = run(&config, 0, 1.0).unwrap();
    assert!(r.diverged);
    assert!(!r.solved);
    // Stopped right after the step that diverged, with one last evaluation.
    let last = r.curve.last().unwrap().step;
    assert!(last > 0 && last < config.iterations, "last step {last}");
    assert_eq!(last, steps as u64);
}

#[test]
fn gates_are_the_mean_on_the_training_batch_of_the_judged_step() {
    let mut config = RunConfig::new(
        ModelKind::GatedNauNmu.spec(10, 2),
        TaskConfig {
            input_size: 10,
            ..TaskConfig::new(Operation::Mul)
        },
    );
    config.iterations = 600;
    config.eval_every = 100;
    config.eval_rows = 500;
    let seed = 4;
    let r = run(&config, seed, 1e-3).unwrap();
    let judged = r.judged.as_ref().expect("a judged checkpoint");
    assert!(judged.step > 0);

    // Rebuild the batch of the judged step from the task's batch stream,
    // independently of the trainer: skip one batch per step done.
    let task = Task::new(config.task.clone(), seed).unwrap();
    let mut rng = task.batch_rng();
    let (b, n) = (config.batch_size, config.task.input_size);
    let mut x = vec![0f32; b * n];
    let mut t = vec![0f32; b];
    for _ in 0..=judged.step {
        task.fill_batch(&mut rng, &mut x, &mut t).unwrap();
    }
    let saved: SavedModel<f64> = judged.weights.clone();
    let mut model = Model::<f32>::from_seed(config.model, seed).unwrap();
    let values: Vec<f32> = saved.params.values().iter().map(|&v| v as f32).collect();
    model.params_mut().values_mut().copy_from_slice(&values);
    let expected = model
        .gate_means(&Tensor::from_vec(Shape::matrix(b, n), x).unwrap())
        .unwrap();
    assert_eq!(r.gates, expected);
    assert!(r.gates.iter().all(|g| g.is_some()));
    // The test-row means are kept under their own name, and differ.
    assert!(r.gates_test.iter().all(|g| g.is_some()));
    assert_ne!(r.gates, r.gates_test);
}
