//! The evaluation pass (`Trainer::evaluate`: the model's forward pass and
//! the MSE in `f64`) on the 10,000 rows of the fixed validation and test
//! sets, for every model of the main table with hidden size 2.
//!
//! `cargo bench --bench evaluate` (all models), or one model:
//! `cargo bench --bench evaluate -- nalu_`.

use std::hint::black_box;

use arithgrad::experiment::{RunConfig, Trainer};
use arithgrad::task::{Split, TaskConfig, FIXED_SET_ROWS};
use arithgrad::units::ModelKind;
use criterion::{criterion_group, criterion_main, Criterion};

fn evaluate(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate_10000");
    for model in ModelKind::ALL {
        let config = RunConfig::new(model.spec(100, 2), TaskConfig::default());
        let mut trainer = Trainer::<f32>::new(&config, 0).expect("valid configuration");
        for split in [Split::Validation, Split::Test] {
            let data = trainer.task().fixed_set::<f32>(split, FIXED_SET_ROWS);
            let name = format!("{model}_100_2_1_{split:?}").to_lowercase();
            group.bench_function(name, |b| {
                b.iter(|| black_box(trainer.evaluate(&data).expect("evaluation")))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
