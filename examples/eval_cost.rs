//! Runs the evaluation pass (`Trainer::evaluate` on the 10,000-row
//! validation set) `count` times for one model and prints the mean time:
//! `cargo run --release --example eval_cost -- [model] [count]` (defaults:
//! nmu 20). Meant for instruction counts too, which do not depend on the
//! machine's load: run it under `valgrind --tool=callgrind` with two counts
//! and divide the difference.

use std::time::Instant;

use arithgrad::experiment::{RunConfig, Trainer};
use arithgrad::task::{Split, TaskConfig, FIXED_SET_ROWS};
use arithgrad::units::ModelKind;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model: ModelKind = args.first().map_or("nmu", |s| s.as_str()).parse()?;
    let count: u32 = args.get(1).map_or(Ok(20), |s| s.parse())?;
    let config = RunConfig::new(model.spec(100, 2), TaskConfig::default());
    let mut trainer = Trainer::<f32>::new(&config, 0)?;
    let data = trainer
        .task()
        .fixed_set::<f32>(Split::Validation, FIXED_SET_ROWS);
    trainer.evaluate(&data)?; // sizes the evaluation tape
    let start = Instant::now();
    let mut mse = 0.0;
    for _ in 0..count {
        mse += trainer.evaluate(&data)?;
    }
    let ms = start.elapsed().as_secs_f64() * 1e3 / count.max(1) as f64;
    println!("{{\"model\":\"{model}\",\"rows\":{FIXED_SET_ROWS},\"ms_per_evaluation\":{ms:.4},\"mse_sum\":{mse}}}");
    Ok(())
}
