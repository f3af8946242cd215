//! One full training run of the default NMU model on the default task
//! (docs/protocol.md, section 3: 5,000,000 steps, evaluation every 1,000),
//! judged against the task's success threshold, with its wall time:
//! `cargo run --release --example full_run -- [seed] [iterations]`.

use std::time::Instant;

use arithgrad::experiment::{run, RunConfig};
use arithgrad::task::{threshold, TaskConfig, DEFAULT_THRESHOLD_SAMPLES, DEFAULT_THRESHOLD_SEED};
use arithgrad::units::ModelKind;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().map_or(Ok(0), |s| s.parse())?;
    let task = TaskConfig::default();
    let mut config = RunConfig::new(ModelKind::Nmu.spec(100, 2), task.clone());
    if let Some(iterations) = args.next() {
        config.iterations = iterations.parse()?;
    }
    let t0 = Instant::now();
    let limit = threshold(&task, DEFAULT_THRESHOLD_SAMPLES, DEFAULT_THRESHOLD_SEED)?;
    println!(
        "threshold {:.3e} ({:.1} s)",
        limit.mse,
        t0.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let record = run(&config, seed, limit.mse)?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "seed {seed}: {} steps in {seconds:.1} s ({:.2} us per step incl. {} evaluations); solved {}, solved_at {:?}, diverged {}",
        config.iterations,
        seconds * 1e6 / config.iterations as f64,
        record.curve.len(),
        record.solved,
        record.solved_at,
        record.diverged,
    );
    if let Some(j) = &record.judged {
        println!(
            "judged step {}: valid {:.3e}, test {:.3e}, sparsity error {:.3e}",
            j.step, j.valid_mse, j.test_mse, j.sparsity_error
        );
    }
    Ok(())
}
