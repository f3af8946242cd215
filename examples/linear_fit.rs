//! End to end: fit a linear model with the tape, a parameter store and Adam.
//!
//! ```text
//! cargo run --release --example linear_fit
//! ```
//!
//! The data are random pairs `(a, b)` with target `y = 2a + 3b`; the model
//! is `y_hat = x · wᵀ` with one weight row `w = [w_a, w_b]`, trained on the
//! mean squared error. The weights should end near `[2, 3]`.
//!
//! The loop is the pattern every model in this crate uses:
//!
//! 1. `tape.reset()` — forget last step's graph, keep its memory;
//! 2. record the forward pass, loading parameters with `tape.param`;
//! 3. `tape.backward(loss)`;
//! 4. `params.zero_grad()` then `tape.accumulate_grads(&mut params)`;
//! 5. `optimizer.step(&mut params)`.

use arithgrad::optim::{Adam, AdamConfig, Optimizer};
use arithgrad::random::Rng;
use arithgrad::{ParamStore, Result, Shape, Tape, Tensor};

const BATCH: usize = 64;
const STEPS: usize = 500;
const PRINT_EVERY: usize = 50;
const TRUE_WEIGHTS: [f64; 2] = [2.0, 3.0];

fn main() -> Result<()> {
    // Parameters live in a store, outside the tape, so they survive
    // `tape.reset()`. The weight row starts at zero.
    let mut params = ParamStore::<f64>::new();
    let w = params.add("w", Tensor::zeros(Shape::matrix(1, 2)))?;

    let mut adam = Adam::new(AdamConfig {
        lr: 0.05,
        ..AdamConfig::default()
    })?;

    // One seeded generator: the same seed gives bit-identical runs.
    let mut rng = Rng::seed_from_u64(42);

    // Buffers for one batch, allocated once and refilled every step.
    let mut x = vec![0.0; BATCH * 2]; // rows of (a, b)
    let mut y = vec![0.0; BATCH]; // targets
    let mut tape = Tape::<f64>::new();

    for step in 1..=STEPS {
        // A fresh batch: a, b uniform in [-1, 1), y = 2a + 3b.
        for (row, target) in x.chunks_exact_mut(2).zip(y.iter_mut()) {
            row[0] = rng.uniform(-1.0, 1.0);
            row[1] = rng.uniform(-1.0, 1.0);
            *target = TRUE_WEIGHTS[0] * row[0] + TRUE_WEIGHTS[1] * row[1];
        }

        // Forward: data are constants, the weights a parameter.
        tape.reset();
        let xs = tape.constant_slice(Shape::matrix(BATCH, 2), &x)?;
        let ys = tape.constant_slice(Shape::matrix(BATCH, 1), &y)?;
        let wv = tape.param(&params, w)?;
        let pred = tape.matmul_nt(xs, wv)?; // [BATCH, 2] · [1, 2]ᵀ = [BATCH, 1]
        let err = tape.sub(pred, ys)?;
        let sq = tape.square(err)?;
        let loss = tape.mean(sq)?;

        // Backward, then move the gradients into the store and step.
        tape.backward(loss)?;
        params.zero_grad();
        tape.accumulate_grads(&mut params)?;
        adam.step(&mut params)?;

        if step % PRINT_EVERY == 0 || step == 1 {
            let wn = params.value(w)?;
            println!(
                "step {step:4}  loss {:.6e}  w = [{:.4}, {:.4}]",
                tape.item(loss)?,
                wn[0],
                wn[1]
            );
        }
    }

    let wn = params.value(w)?;
    println!(
        "\nlearned w = [{:.4}, {:.4}]   (true [{}, {}])",
        wn[0], wn[1], TRUE_WEIGHTS[0], TRUE_WEIGHTS[1]
    );
    Ok(())
}
