//! One full training step of a 100 -> 2 -> 1 network at batch 128: refill
//! the batch, forward, backward, accumulate gradients, Adam. The same loop
//! that `tests/alloc.rs` proves allocation-free.
//!
//! ```text
//! cargo bench --bench train_step -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "../tests/support/two_layer.rs"]
mod two_layer;

use two_layer::TwoLayer;

fn train_step(c: &mut Criterion) {
    let mut net = TwoLayer::new(1).unwrap();
    // Warm the arena and the optimizer state before measuring.
    for _ in 0..3 {
        net.step().unwrap();
    }
    c.bench_function("train_step/100-2-1/batch128/f32", |b| {
        b.iter(|| black_box(net.step().unwrap()))
    });
}

criterion_group!(benches, train_step);
criterion_main!(benches);
