//! Times the hot kernels of the training step one by one (best of forty
//! blocks of 4,000 calls): the batch fill, and the matrix products of the
//! NAU layer's forward (`matmul_nt`) and weight gradient (`matmul_tn_add`)
//! for hidden sizes 2 and 16.
//! `cargo run --release --example kernel_timing -- [rng]` (`rng`: fills only).

use arithgrad::tensor::kernels;
use std::hint::black_box;
use std::time::Instant;

/// Prints the best time per call of `f` over forty blocks (short blocks, so
/// that some fall between the pauses of a shared machine).
fn time(name: &str, mut f: impl FnMut()) {
    for _ in 0..1000 {
        f();
    }
    let mut best = f64::MAX;
    for _ in 0..40 {
        let t = Instant::now();
        for _ in 0..4000 {
            f();
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / 4000.0);
    }
    println!("{name}: {best:.3} us");
}

fn main() {
    {
        let mut rng = arithgrad::random::LaneRng::stream(1, 2);
        let mut buf = vec![0f32; 12800];
        time("fill_uniform_f32 12800", || {
            rng.fill_uniform_f32(&mut buf, 1.0, 2.0);
            black_box(&buf);
        });
        let task = arithgrad::task::Task::new(arithgrad::task::TaskConfig::default(), 3).unwrap();
        let mut rng = task.batch_rng();
        let mut t = vec![0f32; 128];
        time("fill_batch 128x100", || {
            task.fill_batch(&mut rng, &mut buf, &mut t).unwrap();
            black_box(&buf);
        });
    }
    if std::env::args().nth(1).as_deref() == Some("rng") {
        return;
    }
    let (m, k) = (128usize, 100usize);
    for n in [2usize, 16] {
        let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1 + 1.0).collect();
        let b: Vec<f32> = (0..n * k).map(|i| (i % 5) as f32 * 0.1).collect();
        let mut out = vec![0f32; m * n];
        let mut work = Vec::new();
        time(&format!("nt {m}x{k}x{n}"), || {
            kernels::matmul_nt_with(black_box(&a), black_box(&b), &mut out, m, k, n, &mut work);
            black_box(&out);
        });
        let g: Vec<f32> = (0..m * n).map(|i| (i % 3) as f32 * 0.1).collect();
        let mut dw = vec![0f32; n * k];
        time(&format!("tn {n}x{m}x{k}"), || {
            kernels::matmul_tn_add(black_box(&g), black_box(&a), &mut dw, n, m, k);
            black_box(&dw);
        });
    }
}
