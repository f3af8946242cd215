//! Trains a single NMU to multiply two of its four inputs, `y = x1 * x3`,
//! and prints the weights it learns (they should approach `[1, 0, 1, 0]`).
//!
//! Per step, as in the paper: a fresh batch from the interpolation range
//! U[1, 2], forward, loss = MSE + lambda(t) * R, backward, Adam step,
//! projection of W into [0, 1]. (Adam's lr is 1e-2 rather than the paper's
//! 1e-3, so the demo finishes in a few thousand steps.) Afterwards the unit
//! is tested on the extrapolation range U[2, 6].
//!
//! Run with `cargo run --release --example nmu_multiply`.

use arithgrad::prelude::*;
use arithgrad::units::{Nmu, NmuConstraint, RegularizerSchedule, Unit};

const INPUTS: usize = 4;
const BATCH: usize = 128;
const STEPS: u64 = 5_000;

/// A batch of inputs from `U[lo, hi)` and the targets `x1 * x3`.
fn batch(rng: &mut Rng, rows: usize, lo: f64, hi: f64) -> Result<(Tensor<f32>, Tensor<f32>)> {
    let x: Vec<f32> = (0..rows * INPUTS)
        .map(|_| rng.uniform(lo, hi) as f32)
        .collect();
    let t: Vec<f32> = x.chunks(INPUTS).map(|r| r[0] * r[2]).collect();
    Ok((
        Tensor::from_vec(Shape::matrix(rows, INPUTS), x)?,
        Tensor::from_vec(Shape::matrix(rows, 1), t)?,
    ))
}

/// Mean squared error of the unit on `(x, t)`.
fn mse(nmu: &Nmu, params: &ParamStore<f32>, x: &Tensor<f32>, t: &Tensor<f32>) -> Result<f64> {
    let mut tape = Tape::new();
    let xv = tape.constant(x);
    let y = nmu.apply(&mut tape, params, xv)?;
    let y = tape.value(y)?;
    let sum: f64 = y
        .iter()
        .zip(t.data())
        .map(|(a, b)| (*a as f64 - *b as f64).powi(2))
        .sum();
    Ok(sum / y.len() as f64)
}

fn main() -> Result<()> {
    let mut params = ParamStore::<f32>::new();
    let nmu = Nmu::new(
        &mut params,
        "nmu",
        INPUTS,
        1,
        NmuConstraint::Project,
        &mut Rng::stream(0, 0),
    )?;
    println!("initial W = {:?}", params.value(nmu.weight())?);

    let mut adam = Adam::new(AdamConfig {
        lr: 1e-2,
        ..AdamConfig::default()
    })?;
    // A short version of the paper's warm-up: off until step 2000, full at 4000.
    let schedule = RegularizerSchedule::new(1.0, 2_000, 4_000)?;
    let mut data = Rng::stream(0, 1);
    let mut tape = Tape::new();
    for step in 0..STEPS {
        let (x, t) = batch(&mut data, BATCH, 1.0, 2.0)?;
        tape.reset();
        let xv = tape.constant(&x);
        let tv = tape.constant(&t);
        let w = nmu.record(&mut tape, &params)?;
        let y = nmu.forward(&mut tape, &w, xv)?;
        let mut loss = tape.mse(y, tv)?;
        let lambda = schedule.lambda(step);
        if lambda > 0.0 {
            if let Some(r) = nmu.regularizer(&mut tape, &w)? {
                let r = tape.mul_scalar(r, lambda as f32)?;
                loss = tape.add(loss, r)?;
            }
        }
        tape.backward(loss)?;
        adam.update(&tape, &mut params)?; // the tape's gradients in, one step
        nmu.project(&mut params)?;
        if step % 1000 == 0 {
            println!(
                "step {step:>5}: loss {:.3e}, W = {:?}",
                tape.item(loss)?,
                params.value(nmu.weight())?
            );
        }
    }

    let w = params.value(nmu.weight())?;
    println!("learned W = {w:?}  (exact solution [1, 0, 1, 0])");
    println!("sparsity error = {:.3e}", nmu.sparsity_error(&params)?);
    let mut test = Rng::stream(0, 2);
    let (x, t) = batch(&mut test, 10_000, 1.0, 2.0)?;
    println!(
        "interpolation MSE (U[1, 2]) = {:.3e}",
        mse(&nmu, &params, &x, &t)?
    );
    let (x, t) = batch(&mut test, 10_000, 2.0, 6.0)?;
    println!(
        "extrapolation MSE (U[2, 6]) = {:.3e}",
        mse(&nmu, &params, &x, &t)?
    );
    Ok(())
}
