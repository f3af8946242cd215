//! Times the training step, like `arithgrad bench`, and prints one line of
//! JSON: `cargo run --release --example bench_step -- [model] [input] [hidden] [steps] [blocks]`
//! (defaults: nmu 100 2 2000 7).

use arithgrad::experiment::{bench, RunConfig};
use arithgrad::task::TaskConfig;
use arithgrad::units::ModelKind;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.into());
    let model: ModelKind = arg(0, "nmu").parse()?;
    let input: usize = arg(1, "100").parse()?;
    let hidden: usize = arg(2, "2").parse()?;
    let steps: u64 = arg(3, "2000").parse()?;
    let blocks: usize = arg(4, "7").parse()?;
    let task = TaskConfig {
        input_size: input,
        ..TaskConfig::default()
    };
    let config = RunConfig::new(model.spec(input, hidden), task);
    let report = bench::time_training_step(&config, steps, blocks)?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}
