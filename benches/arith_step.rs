//! One full training step of the arithmetic task (`Trainer::step`: a fresh
//! batch, forward, loss with the regularizer, backward, Adam, projection)
//! for the NMU and NAU models with hidden sizes 2 and 16, on one thread.
//!
//! `cargo bench --bench arith_step`. The regularizer is on at full strength
//! from the first step, as in `arithgrad bench` (`experiment::bench`).

use std::hint::black_box;

use arithgrad::experiment::{RunConfig, Trainer};
use arithgrad::task::TaskConfig;
use arithgrad::units::{ModelKind, RegularizerSchedule};
use criterion::{criterion_group, criterion_main, Criterion};

fn trainer(model: ModelKind, hidden: usize) -> Trainer<f32> {
    let mut config = RunConfig::new(model.spec(100, hidden), TaskConfig::default());
    let lambda = config.regularizer.lambda_hat();
    config.regularizer = RegularizerSchedule::new(lambda, 0, 0).expect("valid schedule");
    let mut trainer = Trainer::new(&config, 0).expect("valid configuration");
    for _ in 0..200 {
        trainer.step().expect("training step");
    }
    trainer
}

fn training_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("training_step");
    for model in [ModelKind::Nmu, ModelKind::Nau] {
        for hidden in [2, 16] {
            let mut t = trainer(model, hidden);
            group.bench_function(format!("{model}_100_{hidden}_1"), |b| {
                b.iter(|| black_box(t.step().expect("training step")))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, training_step);
criterion_main!(benches);
