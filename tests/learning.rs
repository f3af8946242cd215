//! Models actually learn: each test trains for a fixed seed and checks the
//! stated result (not just that training runs). Each takes seconds.

use arithgrad::experiment::{run, RunConfig};
use arithgrad::task::DEFAULT_THRESHOLD_SEED;
use arithgrad::task::{threshold, Operation, TaskConfig};

/// Samples of the threshold simulation: a tenth of the default 1,000,000,
/// which moves the threshold by well under 1% (its Monte-Carlo standard
/// error) and saves seconds per test.
const THRESHOLD_SAMPLES: usize = 100_000;
use arithgrad::units::ModelKind;

#[path = "../examples/linear_fit.rs"]
#[allow(dead_code)]
mod linear_fit;

#[path = "../examples/moons.rs"]
#[allow(dead_code)]
mod moons;

/// Trains `model` (`hidden` 2) on `task` for `iterations` steps with `seed`
/// and returns the step at which it was first solved, if it was.
fn solved_at(model: ModelKind, task: TaskConfig, iterations: u64, seed: u64) -> Option<u64> {
    let limit = threshold(&task, THRESHOLD_SAMPLES, DEFAULT_THRESHOLD_SEED).unwrap();
    let mut config = RunConfig::new(model.spec(task.input_size, 2), task);
    config.iterations = iterations;
    let record = run(&config, seed, limit.mse).unwrap();
    assert!(!record.diverged);
    assert_eq!(record.solved, record.solved_at.is_some());
    record.solved_at
}

#[test]
fn nmu_solves_the_toy_task_within_20000_steps() {
    let at = solved_at(ModelKind::Nmu, TaskConfig::toy(), 20_000, 0);
    assert!(matches!(at, Some(step) if step <= 20_000), "{at:?}");
}

#[test]
fn nau_learns_addition_on_the_default_task() {
    let task = TaskConfig::new(Operation::Add);
    let at = solved_at(ModelKind::Nau, task, 20_000, 1);
    assert!(matches!(at, Some(step) if step <= 20_000), "{at:?}");
}

#[test]
fn linear_fit_finds_the_true_weights() {
    let [a, b] = linear_fit::fit(false).unwrap();
    assert!((a - 2.0).abs() < 1e-4 && (b - 3.0).abs() < 1e-4, "{a} {b}");
}

#[test]
fn moons_reaches_full_training_accuracy() {
    let mut accuracies = Vec::new();
    let outcome = moons::train(|_, _, acc| accuracies.push(acc)).unwrap();
    assert_eq!(outcome.accuracy, 1.0);
    assert!(outcome.loss < 0.05, "{}", outcome.loss);
    // It learns rather than starting there: chance level at the start.
    assert!(accuracies[0] < 0.75, "{}", accuracies[0]);
}
