//! Cost of recording one elementwise operation on a warm tape.
//!
//! ```text
//! cargo bench --bench record_op -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Each measured batch records `OPS_PER_RESET` operations on two small
//! leaves and then resets the tape, so the arena stays warm (its capacity is
//! kept across resets) and never grows without bound. Only the recording is
//! timed, not the reset; the reported time is per operation. The design
//! target is at most about 50 ns per operation.

use std::hint::black_box;
use std::time::{Duration, Instant};

use arithgrad::{Element, Result, Shape, Tape, Var};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Operations recorded between two resets.
const OPS_PER_RESET: u64 = 1024;

/// Times `iters` recordings of `op(tape, a, b)`, resetting the tape every
/// `OPS_PER_RESET` operations (outside the timed region).
fn time_ops<T: Element>(
    iters: u64,
    numel: usize,
    check_finite: bool,
    op: impl Fn(&mut Tape<T>, Var, Var) -> Result<Var>,
) -> Duration {
    let mut tape = Tape::<T>::new();
    tape.set_check_finite(check_finite);
    let shape = Shape::vector(numel);
    let a_data: Vec<T> = (0..numel)
        .map(|i| T::from_f64_lossy(0.5 + i as f64 * 0.01))
        .collect();
    let b_data: Vec<T> = (0..numel)
        .map(|i| T::from_f64_lossy(1.5 - i as f64 * 0.01))
        .collect();
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(OPS_PER_RESET);
        left -= n;
        tape.reset();
        let a = tape.variable_slice(shape, &a_data).unwrap();
        let b = tape.variable_slice(shape, &b_data).unwrap();
        let start = Instant::now();
        for _ in 0..n {
            black_box(op(&mut tape, black_box(a), black_box(b)).unwrap());
        }
        total += start.elapsed();
    }
    total
}

fn record_elementwise(c: &mut Criterion) {
    let mut group = c.benchmark_group("record_op");
    group.throughput(Throughput::Elements(1));
    for numel in [4, 16] {
        group.bench_function(format!("add/f32/{numel}"), |bch| {
            bch.iter_custom(|iters| time_ops::<f32>(iters, numel, false, |t, a, b| t.add(a, b)))
        });
        group.bench_function(format!("mul/f32/{numel}"), |bch| {
            bch.iter_custom(|iters| time_ops::<f32>(iters, numel, false, |t, a, b| t.mul(a, b)))
        });
        group.bench_function(format!("mul/f64/{numel}"), |bch| {
            bch.iter_custom(|iters| time_ops::<f64>(iters, numel, false, |t, a, b| t.mul(a, b)))
        });
        group.bench_function(format!("tanh/f32/{numel}"), |bch| {
            bch.iter_custom(|iters| time_ops::<f32>(iters, numel, false, |t, a, _| t.tanh(a)))
        });
    }
    // Checked mode scans every output for NaN and infinity.
    group.bench_function("mul/f32/16/check_finite", |bch| {
        bch.iter_custom(|iters| time_ops::<f32>(iters, 16, true, |t, a, b| t.mul(a, b)))
    });
    group.finish();
}

criterion_group!(benches, record_elementwise);
criterion_main!(benches);
