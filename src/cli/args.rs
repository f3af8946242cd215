//! The command-line grammar (clap derive). Parsing only: every command is
//! carried out by the library through `cli::commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Reproducible neural-arithmetic-unit experiments on a from-scratch autodiff engine.
///
/// With no command, runs the `toy` preset (the paper's 10-parameter table:
/// NAC*, NALU and NMU over 100 seeds) on all cores and prints its table.
#[derive(Parser, Debug)]
#[command(name = "arithgrad", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train one model on one task with one seed.
    Train(TrainArgs),
    /// Run a preset's runs (resuming any already in DIR) and append their records.
    Sweep(SweepArgs),
    /// Summarise the records in DIR as a table.
    Report(ReportArgs),
    /// Sweep a preset, then report it.
    Reproduce(ReproduceArgs),
    /// Compute the success threshold of a task configuration.
    Threshold(ThresholdArgs),
    /// List the presets with their size and estimated time on this machine.
    Presets(PresetsArgs),
    /// Time the training step (one thread) and print microseconds per step.
    Bench(BenchArgs),
}

/// Task parameters shared by `train`, `threshold` and `bench`.
#[derive(Args, Debug, Clone)]
pub struct TaskArgs {
    /// Input size n.
    #[arg(long, default_value_t = 100)]
    pub input_size: usize,
    /// Subset ratio: a and b each sum floor(ratio * n) inputs.
    #[arg(long, default_value_t = 0.25)]
    pub subset_ratio: f64,
    /// Overlap ratio, a fraction of the subset.
    #[arg(long, default_value_t = 0.5)]
    pub overlap_ratio: f64,
    /// Interpolation (training) range, e.g. "1,2" or "-2,-1" or "-2,-1|1,2" for two intervals.
    #[arg(long, default_value = "1,2", allow_hyphen_values = true)]
    pub interpolation: String,
    /// Extrapolation (test) range, e.g. "2,6" or "-6,-2|2,6".
    #[arg(long, default_value = "2,6", allow_hyphen_values = true)]
    pub extrapolation: String,
    /// The 10-parameter toy task (n = 4, a = x1+x2+x3+x4, b = x1+x2) instead of the static task.
    #[arg(long)]
    pub toy: bool,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Model name (nmu, nau, nac-mul, nac-mul-sigma, nac-mul-nmu, nac-add, nalu, gated-nau-nmu, linear, relu, relu6).
    #[arg(long, default_value = "nmu")]
    pub model: String,
    /// Operation: add, sub, mul, div, squared, root.
    #[arg(long, default_value = "mul")]
    pub op: String,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub task: TaskArgs,
    /// Hidden size.
    #[arg(long, default_value_t = 2)]
    pub hidden: usize,
    /// Training iterations (default: the spec's 5,000,000, or 200,000 for the toy).
    #[arg(long)]
    pub iterations: Option<u64>,
    /// Train in f64 instead of f32.
    #[arg(long)]
    pub f64: bool,
    /// Print the run's record as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// A seed range `A..B` (B excluded).
#[derive(Debug, Clone, Copy)]
pub struct SeedRange {
    pub start: u64,
    pub end: u64,
}

impl std::str::FromStr for SeedRange {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (a, b) = s
            .split_once("..")
            .ok_or_else(|| format!("seed range `{s}` must look like A..B, e.g. 0..100"))?;
        let start = a
            .trim()
            .parse()
            .map_err(|_| format!("seed range `{s}`: `{a}` is not a seed"))?;
        let end = b
            .trim()
            .parse()
            .map_err(|_| format!("seed range `{s}`: `{b}` is not a seed"))?;
        if end <= start {
            return Err(format!("seed range `{s}` is empty"));
        }
        Ok(SeedRange { start, end })
    }
}

/// Options of a sweep.
#[derive(Args, Debug, Clone)]
pub struct SweepOptions {
    /// Preset name (see `arithgrad presets`).
    #[arg(long)]
    pub preset: String,
    /// Seeds to run, `A..B` (default: the preset's).
    #[arg(long)]
    pub seeds: Option<SeedRange>,
    /// Worker threads, one single-threaded run each (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Override the preset's iterations (e.g. for a quick trial).
    #[arg(long)]
    pub iterations: Option<u64>,
    /// No progress line and no duration estimate.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    #[command(flatten)]
    pub sweep: SweepOptions,
    /// Directory for records (records.jsonl) and the threshold cache.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Md,
    Csv,
    Latex,
    Json,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A sweep's output directory.
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct ReproduceArgs {
    /// Preset name.
    pub preset: String,
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,
    #[arg(long)]
    pub seeds: Option<SeedRange>,
    #[arg(long)]
    pub jobs: Option<usize>,
    #[arg(long)]
    pub iterations: Option<u64>,
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct ThresholdArgs {
    #[arg(long, default_value = "mul")]
    pub op: String,
    #[command(flatten)]
    pub task: TaskArgs,
    /// Monte-Carlo samples.
    #[arg(long, default_value_t = 1_000_000)]
    pub samples: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct PresetsArgs {
    /// Skip the timing probe (print sizes only).
    #[arg(long)]
    pub no_estimate: bool,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[arg(long, default_value = "nmu")]
    pub model: String,
    #[arg(long, default_value_t = 100)]
    pub input_size: usize,
    #[arg(long, default_value_t = 2)]
    pub hidden: usize,
    /// Steps per timed block.
    #[arg(long, default_value_t = 20_000)]
    pub steps: u64,
    /// Timed blocks (the median is reported).
    #[arg(long, default_value_t = 7)]
    pub blocks: usize,
    #[arg(long)]
    pub json: bool,
}
