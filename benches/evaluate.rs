//! The evaluation pass on the 10,000 rows of the fixed validation and test
//! sets, for every model (`ModelKind::ALL`: the main table's and the rest)
//! with hidden size 2, the way a run evaluates: the set recorded once
//! (`EvalSet`), each chunk read in place (`Trainer::evaluate_set`).
//! `copy_` names time the copying path (`Trainer::evaluate`) for the NMU and
//! NALU, for comparison. Per-row figures for every main-table model, both
//! paths and ratios to the NMU: `cargo run --release --example eval_cost`.
//!
//! `cargo bench --bench evaluate` (all models), or one model:
//! `cargo bench --bench evaluate -- nalu_`.

use std::hint::black_box;

use arithgrad::experiment::{EvalSet, RunConfig, Trainer};
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
            let mut set = EvalSet::new(&data).expect("a fixed set");
            let name = format!("{model}_100_2_1_{split:?}").to_lowercase();
            group.bench_function(&name, |b| {
                b.iter(|| black_box(trainer.evaluate_set(&mut set).expect("evaluation")))
            });
            if matches!(model, ModelKind::Nmu | ModelKind::Nalu) {
                group.bench_function(format!("copy_{name}"), |b| {
                    b.iter(|| black_box(trainer.evaluate(&data).expect("evaluation")))
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
