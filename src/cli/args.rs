//! The command-line grammar (clap derive). Parsing only: every command is
//! carried out by the library through the other modules of `cli`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Reproducible neural-arithmetic-unit experiments on a from-scratch autodiff engine.
///
/// With no command, runs the `toy` preset (the paper's 10-parameter table:
/// NAC*, NALU and NMU over 100 seeds) on all cores, keeping its records in
/// ./arithgrad-results/toy (rerun to resume), and prints its table.
#[derive(Parser, Debug)]
#[command(name = "arithgrad", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train one model on one task with one seed and print the outcome.
    Train(TrainArgs),
    /// Run a preset's runs, resuming any already in DIR, appending a record per run.
    Sweep(SweepArgs),
    /// Summarise the records in DIR as a table.
    Report(ReportArgs),
    /// Sweep a preset (resuming), then print its table (and draw its figure).
    Reproduce(ReproduceArgs),
    /// Draw the figure of the records in DIR as SVG (or, with --curves, learning curves).
    Plot(PlotArgs),
    /// Compute the success threshold of a task configuration.
    Threshold(ThresholdArgs),
    /// List the presets with their size and estimated time on this machine.
    Presets(PresetsArgs),
    /// Time the training step (one thread) and print microseconds per step.
    Bench(BenchArgs),
    /// Per cell of DIR: runs done of expected, solved, diverged, failed; CPU time used and left.
    Status(StatusArgs),
    /// Write (and with --submit, submit) Slurm job scripts that sweep a preset as a job array.
    Slurm(SlurmArgs),
}

/// Task parameters shared by `train`, `threshold` and `bench`.
#[derive(Args, Debug, Clone)]
pub struct TaskArgs {
    /// Input size n [default: 100; 4 with --toy].
    #[arg(long)]
    pub input_size: Option<usize>,
    /// Subset ratio: a and b each sum floor(ratio * n) inputs.
    #[arg(long, default_value_t = 0.25)]
    pub subset_ratio: f64,
    /// Overlap ratio, a fraction of the subset.
    #[arg(long, default_value_t = 0.5)]
    pub overlap_ratio: f64,
    /// Interpolation (training and validation) range: `[1,2]`, `1,2`, or a
    /// union of two intervals `[-2,-1]u[1,2]`.
    #[arg(long, default_value = "[1,2]", allow_hyphen_values = true)]
    pub interpolation: String,
    /// Extrapolation (test and threshold) range, e.g. `[2,6]` or `[-6,-2]u[2,6]`.
    #[arg(long, default_value = "[2,6]", allow_hyphen_values = true)]
    pub extrapolation: String,
    /// The 10-parameter toy task (n = 4, a = x1+x2+x3+x4, b = x1+x2) instead
    /// of the subsets of the static task (the ratios are then ignored).
    #[arg(long)]
    pub toy: bool,
    /// The single-module task y = x1 op x2 (n = 2, op add/sub/mul/div) with
    /// a single-layer model: the named model's output unit alone (`nmu`: one
    /// NMU), no hidden layer. Ranges from --interpolation/--extrapolation.
    #[arg(long, conflicts_with = "toy")]
    pub single_module: bool,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Model: nmu, nau, nac-mul, nac-mul-sigma, nac-mul-nmu, nac-add, nalu,
    /// gated-nau-nmu, linear, relu, relu6, nru, nmru, sign-nmru, snmu.
    #[arg(long, default_value = "nmu")]
    pub model: String,
    /// Operation: add, sub, mul, div, squared, root.
    #[arg(long, default_value = "mul")]
    pub op: String,
    /// Seed of the run (positions of a and b, initial weights, batches).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub task: TaskArgs,
    /// Hidden size.
    #[arg(long, default_value_t = 2)]
    pub hidden: usize,
    /// Training iterations [default: the protocol's 5,000,000; 200,000 with --toy].
    #[arg(long)]
    pub iterations: Option<u64>,
    /// Monte-Carlo samples of the success threshold (cached on disk).
    #[arg(long, default_value_t = crate::task::DEFAULT_THRESHOLD_SAMPLES)]
    pub threshold_samples: usize,
    /// Train in f64 instead of f32.
    #[arg(long)]
    pub f64: bool,
    /// Print the run's record as one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Which computation to follow: `default` (the paper's definitions,
    /// computed correctly) or `published` (what the authors' R scripts
    /// computed: their threshold geometry, sparsity-error likelihood and
    /// checkpoint search; see docs/reference-differences.md). Part of every
    /// run and threshold key, so the two modes never mix.
    #[arg(long, value_name = "MODE", default_value = "default", value_parser = ["default", "published"])]
    pub compat: String,
}

/// A seed range `A..B` (B excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
            return Err(format!(
                "seed range `{s}` is empty (A..B runs A up to B - 1)"
            ));
        }
        Ok(SeedRange { start, end })
    }
}

/// Options of a sweep, shared by `sweep` and `reproduce`.
#[derive(Args, Debug, Clone)]
pub struct SweepOptions {
    /// Seeds to run, `A..B` with B excluded [default: the preset's].
    #[arg(long, value_name = "A..B")]
    pub seeds: Option<SeedRange>,
    /// Worker threads, one single-threaded run each [default: all cores].
    /// The records do not depend on it.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Training iterations of EVERY cell, overriding each cell's own count
    /// (e.g. input-size's 5,000,000 / 10,000,000 / 15,000,000 by input
    /// size) with this one number; for a quick trial. The cells' checkpoint
    /// windows are not changed.
    #[arg(long)]
    pub iterations: Option<u64>,
    /// Monte-Carlo samples of each success threshold.
    #[arg(long, default_value_t = crate::task::DEFAULT_THRESHOLD_SAMPLES)]
    pub threshold_samples: usize,
    /// No duration estimate and no progress line.
    #[arg(long)]
    pub quiet: bool,
    /// Which computation to follow: `default` (the paper's definitions,
    /// computed correctly) or `published` (what the authors' R scripts
    /// computed: their threshold geometry, sparsity-error likelihood and
    /// checkpoint search; see docs/reference-differences.md). Part of every
    /// run and threshold key, so the two modes never mix.
    #[arg(long, value_name = "MODE", default_value = "default", value_parser = ["default", "published"])]
    pub compat: String,
}

/// Cell filters of `sweep` and `presets`: some cells of a preset (their
/// runs and records are those of the whole preset).
#[derive(Args, Debug, Clone, Default)]
pub struct CellArgs {
    /// Only the preset's cells of these models, comma-separated (e.g.
    /// `nalu` or `nmu,nau`; the single-module presets name units, e.g. `nru`).
    #[arg(long = "model", value_name = "M,M", value_delimiter = ',')]
    pub models: Vec<String>,
    /// Only the preset's cells of these operations, comma-separated (add,
    /// sub, mul, div, squared, root).
    #[arg(long = "op", value_name = "OP,OP", value_delimiter = ',')]
    pub ops: Vec<String>,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Preset name (see `arithgrad presets`).
    #[arg(long)]
    pub preset: String,
    #[command(flatten)]
    pub options: SweepOptions,
    #[command(flatten)]
    pub cells: CellArgs,
    /// Run only part I of the preset's runs (of the cells selected by
    /// --model/--op, if given) split into N parts of about equal cost
    /// (0-based, e.g. 3/8): the same split on every machine, so N
    /// processes, each with its own I, run every run exactly once.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::experiment::Shard>,
    /// Directory for the records (records/*.jsonl) and thresholds (thresholds.jsonl).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Output format of a report.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Markdown table.
    Md,
    /// Comma-separated values with a header line.
    Csv,
    /// A LaTeX tabular.
    Latex,
    /// One JSON object per row.
    Json,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A sweep's output directory (holding records/*.jsonl).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,
    /// Only the single-module tables (per operation, one row per unit, one
    /// column per training range, success rate with its 95% interval), in
    /// md, csv or latex. Markdown output shows them under the long table
    /// anyway.
    #[arg(long)]
    pub by_range: bool,
    /// Which records to summarise: those run with `--compat MODE` (see
    /// `sweep --compat`); the table says which under it.
    #[arg(long, value_name = "MODE", default_value = "default", value_parser = ["default", "published"])]
    pub compat: String,
}

#[derive(Args, Debug)]
pub struct ReproduceArgs {
    /// Preset name (see `arithgrad presets`).
    pub preset: String,
    /// Directory for the records [default: arithgrad-results/PRESET].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,
    /// Print only the single-module tables (see `report --by-range`).
    #[arg(long)]
    pub by_range: bool,
    #[command(flatten)]
    pub options: SweepOptions,
}

/// `arithgrad plot DIR`: the paper's kind of figure, or learning curves.
#[derive(Args, Debug)]
pub struct PlotArgs {
    /// A sweep's output directory (holding records.jsonl).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The SVG file to write [default: DIR/figure.svg; DIR/curves.svg with --curves].
    #[arg(long, value_name = "FILE.svg")]
    pub out: Option<PathBuf>,
    /// The x-axis parameter: hidden, input_size, subset_ratio, overlap_ratio,
    /// interpolation (the ranges), extrapolation, lambda_hat, iterations or
    /// model [default: the one the cells vary].
    #[arg(long, value_name = "PARAM")]
    pub x: Option<String>,
    /// Only these models, comma-separated.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub models: Option<Vec<String>>,
    /// Only these operations, comma-separated.
    #[arg(long, value_name = "OP,OP", value_delimiter = ',')]
    pub ops: Option<Vec<String>>,
    /// The figure's title.
    #[arg(long)]
    pub title: Option<String>,
    /// Width in pixels [default: 820; 900 with --curves].
    #[arg(long)]
    pub width: Option<u32>,
    /// Height in pixels [default: 860; 620 with --curves].
    #[arg(long)]
    pub height: Option<u32>,
    /// Learning curves instead: test and validation MSE against the step,
    /// one line per seed, with the threshold, the judged checkpoint and the
    /// solved-at step marked.
    #[arg(long)]
    pub curves: bool,
    /// With --curves: only this model.
    #[arg(long, requires = "curves")]
    pub model: Option<String>,
    /// With --curves: only this operation.
    #[arg(long, requires = "curves")]
    pub op: Option<String>,
    /// With --curves: only these seeds, `A..B` with B excluded.
    #[arg(long, value_name = "A..B", requires = "curves")]
    pub seeds: Option<SeedRange>,
    /// Which records to draw: those run with `--compat MODE` (as `report --compat`).
    #[arg(long, value_name = "MODE", default_value = "default", value_parser = ["default", "published"])]
    pub compat: String,
}

#[derive(Args, Debug)]
pub struct ThresholdArgs {
    /// Operation: add, sub, mul, div, squared, root.
    #[arg(long, default_value = "mul")]
    pub op: String,
    #[command(flatten)]
    pub task: TaskArgs,
    /// Monte-Carlo samples.
    #[arg(long, default_value_t = crate::task::DEFAULT_THRESHOLD_SAMPLES)]
    pub samples: usize,
    /// Seed of the Monte-Carlo draw.
    #[arg(long, default_value_t = crate::task::DEFAULT_THRESHOLD_SEED)]
    pub seed: u64,
    /// Print one JSON object instead of a sentence.
    #[arg(long)]
    pub json: bool,
    /// `published`: simulate on the authors' R geometry (s + 1 inputs per
    /// subset, o + 1 overlapping; 26 and 13 for the default task) instead
    /// of the task's own (see docs/reference-differences.md).
    #[arg(long, value_name = "MODE", default_value = "default", value_parser = ["default", "published"])]
    pub compat: String,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// A results directory (of `sweep`, `reproduce` or `slurm`).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// One JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SlurmArgs {
    /// Preset name (see `arithgrad presets`).
    #[arg(long)]
    pub preset: String,
    /// The results directory (on a file system every node sees); the job
    /// scripts go to DIR/slurm/.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Tasks of the job array: the preset's runs are split into this many
    /// parts of about equal cost.
    #[arg(long, value_name = "N")]
    pub tasks: usize,
    /// CPUs per task; each task runs this many runs at once.
    #[arg(long, value_name = "C", default_value_t = 1)]
    pub cpus_per_task: usize,
    /// Time limit per task (Slurm's format, e.g. 2:00:00 or 1-12:00:00)
    /// [default: from a timing probe here, with a margin].
    #[arg(long)]
    pub time: Option<String>,
    /// Slurm partition.
    #[arg(long)]
    pub partition: Option<String>,
    /// Slurm account.
    #[arg(long)]
    pub account: Option<String>,
    /// At most K tasks running at once (the array's `%K`).
    #[arg(long, value_name = "K")]
    pub max_running: Option<usize>,
    /// Another option for sbatch, written into both scripts (repeatable),
    /// e.g. --sbatch-arg=--qos=long.
    #[arg(long, value_name = "ARG", allow_hyphen_values = true)]
    pub sbatch_arg: Vec<String>,
    /// Submit the array and the report job (which waits for the array) with sbatch.
    #[arg(long)]
    pub submit: bool,
    /// Seeds to run, `A..B` with B excluded [default: the preset's].
    #[arg(long, value_name = "A..B")]
    pub seeds: Option<SeedRange>,
    /// Training iterations of every cell, overriding the preset's.
    #[arg(long)]
    pub iterations: Option<u64>,
    /// Monte-Carlo samples of each success threshold.
    #[arg(long, default_value_t = crate::task::DEFAULT_THRESHOLD_SAMPLES)]
    pub threshold_samples: usize,
    /// `default` or `published` (see `sweep --compat`), for every task and
    /// the report.
    #[arg(long, value_name = "MODE", default_value = "default", value_parser = ["default", "published"])]
    pub compat: String,
}

#[derive(Args, Debug)]
pub struct PresetsArgs {
    /// Only this preset (and with --model/--op, only those of its cells).
    #[arg(long)]
    pub preset: Option<String>,
    #[command(flatten)]
    pub cells: CellArgs,
    /// Skip the timing probe (print sizes only).
    #[arg(long)]
    pub no_estimate: bool,
    /// Estimate for this many workers [default: all cores].
    #[arg(long)]
    pub jobs: Option<usize>,
    /// One JSON object per preset instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Model (see `train --model`).
    #[arg(long, default_value = "nmu")]
    pub model: String,
    /// Operation (the step's cost hardly depends on it).
    #[arg(long, default_value = "mul")]
    pub op: String,
    #[command(flatten)]
    pub task: TaskArgs,
    /// Hidden size.
    #[arg(long, default_value_t = 2)]
    pub hidden: usize,
    /// Steps per timed block.
    #[arg(long, default_value_t = 20_000)]
    pub steps: u64,
    /// Timed blocks (the median is reported).
    #[arg(long, default_value_t = 7)]
    pub blocks: usize,
    /// Time the f64 step instead of f32.
    #[arg(long)]
    pub f64: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn seed_ranges() {
        assert_eq!(
            "3..7".parse::<SeedRange>(),
            Ok(SeedRange { start: 3, end: 7 })
        );
        for (bad, why) in [
            ("3", "must look like A..B"),
            ("7..3", "is empty"),
            ("3..3", "is empty"),
            ("a..4", "`a` is not a seed"),
            ("0..-1", "`-1` is not a seed"),
        ] {
            let err = bad.parse::<SeedRange>().unwrap_err();
            assert!(
                err.starts_with(&format!("seed range `{bad}`")),
                "{bad}: {err}"
            );
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
