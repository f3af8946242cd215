//! End to end: fit a linear model with a graph, a parameter store and Adam.
//!
//! ```text
//! cargo run --release --example linear_fit
//! ```
//!
//! The data are random pairs `(a, b)` with target `y = 2a + 3b`; the model
//! is `y_hat = x · wᵀ` with one weight row `w = [w_a, w_b]`, trained on the
//! mean squared error. The weights end near `[2, 3]`.

use arithgrad::prelude::*;

const BATCH: usize = 64;
const STEPS: usize = 500;
const TRUE_WEIGHTS: [f64; 2] = [2.0, 3.0];

/// Trains the model, printing every 50th step if `print`, and returns the
/// learned weights (`tests/learning.rs` checks they end near `[2, 3]`).
pub fn fit(print: bool) -> Result<[f64; 2]> {
    // Parameters live in a store, outside the graph, so they survive
    // `graph.reset()`. The weight row starts at zero.
    let mut params = ParamStore::<f64>::new();
    let w = params.add("w", Tensor::zeros(Shape::matrix(1, 2)))?;
    let mut adam = Adam::new(AdamConfig {
        lr: 0.05,
        ..AdamConfig::default()
    })?;
    let mut rng = Rng::seed_from_u64(42); // same seed, bit-identical run
    let (mut x, mut y) = (vec![0.0; BATCH * 2], vec![0.0; BATCH]);
    let mut graph = Graph::new();

    for step in 1..=STEPS {
        // A fresh batch: a, b uniform in [-1, 1), y = 2a + 3b.
        for (row, target) in x.chunks_exact_mut(2).zip(y.iter_mut()) {
            row[0] = rng.uniform(-1.0, 1.0);
            row[1] = rng.uniform(-1.0, 1.0);
            *target = TRUE_WEIGHTS[0] * row[0] + TRUE_WEIGHTS[1] * row[1];
        }
        graph.reset(); // forget last step's values, keep the memory
        let xs = graph.constant_slice(Shape::matrix(BATCH, 2), &x);
        let ys = graph.constant_slice(Shape::matrix(BATCH, 1), &y);
        let pred = xs.matmul_nt(graph.param(&params, w)); // [BATCH, 1]
        let loss = (pred - ys).square().mean();
        loss.backward()?;
        adam.update(&graph.tape(), &mut params)?; // gradients in, one step
        if print && (step % 50 == 0 || step == 1) {
            let wn = params.value(w)?;
            let l = loss.item()?;
            println!(
                "step {step:4}  loss {l:.6e}  w = [{:.4}, {:.4}]",
                wn[0], wn[1]
            );
        }
    }
    let wn = params.value(w)?;
    Ok([wn[0], wn[1]])
}

fn main() -> Result<()> {
    let [a, b] = fit(true)?;
    let [ta, tb] = TRUE_WEIGHTS;
    println!("\nlearned w = [{a:.4}, {b:.4}]   (true [{ta}, {tb}])");
    Ok(())
}
