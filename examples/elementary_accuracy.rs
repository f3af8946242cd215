//! Checks the crate's `f32` exp, ln, tanh and sigmoid against the `f64`
//! functions on every `f32` input in a range, and prints the worst error in
//! ulp: `cargo run --release --example elementary_accuracy`.

use arithgrad::tensor::kernels::{exp_f32, ln_f32, sigmoid_f32, tanh_f32, ulp_distance_f32};

fn sigmoid_f64(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The worst ulp error of `f` over every `f32` in `[lo, hi]`.
fn worst(name: &str, f: fn(f32) -> f32, exact: fn(f64) -> f64, lo: f32, hi: f32) {
    let mut worst = (0.0f64, 0.0f32);
    let mut count = 0u64;
    for bits in 0..=u32::MAX {
        let x = f32::from_bits(bits);
        if !(x >= lo && x <= hi) {
            continue;
        }
        count += 1;
        let e = ulp_distance_f32(f(x), exact(x as f64));
        if e > worst.0 {
            worst = (e, x);
        }
    }
    println!(
        "{name}: {count} inputs in [{lo:e}, {hi:e}], worst {:.3} ulp at x = {:e}",
        worst.0, worst.1
    );
}

fn main() {
    worst("exp", exp_f32, f64::exp, -110.0, 90.0);
    worst("ln", ln_f32, f64::ln, 0.0, f32::MAX);
    worst("tanh", tanh_f32, f64::tanh, f32::MIN, f32::MAX);
    worst("sigmoid", sigmoid_f32, sigmoid_f64, f32::MIN, f32::MAX);
}
