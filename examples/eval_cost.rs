//! The cost of the evaluation pass per row, for every model of the main
//! table (100 -> 2 -> 1, f32, the 10,000-row validation set), two ways:
//! `copy` copies each 1,000-row chunk onto the tape first
//! (`Trainer::evaluate`), `in_place` reads the chunks where the set was
//! recorded once (`Trainer::evaluate_set`, what a run uses). Both give the
//! same bits (checked here too). Each model's figure is the median of
//! `blocks` blocks of `count` evaluations, and its ratio to the NMU's.
//!
//! `cargo run --release --example eval_cost -- [models|all] [count] [blocks]`
//! (defaults: all 10 5; `models` comma-separated, e.g. `nmu,nalu`).
//!
//! For instruction counts, which do not depend on the machine's load, run
//! one model and one path under callgrind with two counts and divide the
//! difference by 10,000 rows times the difference of the counts:
//! `valgrind --tool=callgrind ./target/release/examples/eval_cost nalu 20 1 in_place`
//! (a fourth argument `copy` or `in_place` times that path only).

use std::time::Instant;

use arithgrad::experiment::{EvalSet, RunConfig, Trainer};
use arithgrad::task::{Split, TaskConfig, FIXED_SET_ROWS};
use arithgrad::units::ModelKind;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let models: Vec<ModelKind> = match args.first().map_or("all", |s| s.as_str()) {
        "all" => ModelKind::PAPER.to_vec(),
        list => list.split(',').map(str::parse).collect::<Result<_, _>>()?,
    };
    let count: u32 = args.get(1).map_or(Ok(10), |s| s.parse())?;
    let blocks: usize = args.get(2).map_or(Ok(5), |s| s.parse())?;
    let only = args.get(3).map(String::as_str);
    let rows = FIXED_SET_ROWS as f64;
    let mut nmu: Option<(f64, f64)> = None;
    for model in models {
        let config = RunConfig::new(model.spec(100, 2), TaskConfig::default());
        let mut trainer = Trainer::<f32>::new(&config, 0)?;
        // Some training, so the weights are not the initial ones.
        for _ in 0..200 {
            trainer.step()?;
        }
        let data = trainer
            .task()
            .fixed_set::<f32>(Split::Validation, FIXED_SET_ROWS);
        let mut set = EvalSet::new(&data)?;
        // Warm-up (sizes the tapes), and the two paths agree.
        let (a, b) = (trainer.evaluate(&data)?, trainer.evaluate_set(&mut set)?);
        if a.to_bits() != b.to_bits() && !(a.is_nan() && b.is_nan()) {
            return Err(format!("{model}: copy {a} != in place {b}").into());
        }
        let mut copy = Vec::new();
        let mut in_place = Vec::new();
        for _ in 0..blocks.max(1) {
            if only != Some("in_place") {
                let start = Instant::now();
                for _ in 0..count {
                    std::hint::black_box(trainer.evaluate(&data)?);
                }
                copy.push(start.elapsed().as_secs_f64() * 1e9 / (rows * count.max(1) as f64));
            }
            if only != Some("copy") {
                let start = Instant::now();
                for _ in 0..count {
                    std::hint::black_box(trainer.evaluate_set(&mut set)?);
                }
                in_place.push(start.elapsed().as_secs_f64() * 1e9 / (rows * count.max(1) as f64));
            }
        }
        let c = if copy.is_empty() {
            f64::NAN
        } else {
            median(copy)
        };
        let p = if in_place.is_empty() {
            f64::NAN
        } else {
            median(in_place)
        };
        if model == ModelKind::Nmu {
            nmu = Some((c, p));
        }
        let (nc, np) = nmu.unwrap_or((f64::NAN, f64::NAN));
        println!(
            "{{\"model\":\"{model}\",\"rows\":{FIXED_SET_ROWS},\"copy_ns_per_row\":{c:.2},\
             \"in_place_ns_per_row\":{p:.2},\"copy_vs_nmu_copy\":{:.2},\
             \"in_place_vs_nmu_in_place\":{:.2},\"in_place_vs_nmu_copy\":{:.2}}}",
            c / nc,
            p / np,
            p / nc
        );
    }
    Ok(())
}
