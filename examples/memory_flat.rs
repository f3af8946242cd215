//! Trains the default NMU model (100 -> 2 -> 1, f32) for a number of steps
//! and prints the resident set size (`VmRSS` from /proc/self/status, Linux)
//! after 1,000 steps and at the end, to check that memory stays flat:
//! `cargo run --release --example memory_flat -- [steps]` (default 1,000,000).

use std::time::Instant;

use arithgrad::experiment::{RunConfig, Trainer};
use arithgrad::task::TaskConfig;
use arithgrad::units::ModelKind;

fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let steps: u64 = match std::env::args().nth(1) {
        Some(s) => s.parse()?,
        None => 1_000_000,
    };
    let config = RunConfig::new(ModelKind::Nmu.spec(100, 2), TaskConfig::default());
    let mut trainer = Trainer::<f32>::new(&config, 0)?;
    let start = Instant::now();
    let mut after_1000 = None;
    let mut loss = 0.0;
    for step in 1..=steps {
        loss = trainer.step()?;
        if step == 1000 {
            after_1000 = resident_kib();
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let end = resident_kib();
    let show = |k: Option<u64>| k.map_or("unknown".to_string(), |k| format!("{k} KiB"));
    println!(
        "steps: {steps}, last loss {loss:e}, {:.2} us per step",
        seconds * 1e6 / steps as f64
    );
    println!("VmRSS after 1000 steps: {}", show(after_1000));
    println!("VmRSS after {steps} steps: {}", show(end));
    Ok(())
}
