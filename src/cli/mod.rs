//! Layer 7: the command line, a thin front end over the library. Built only
//! with the default `cli` feature (argument parsing and JSON come from
//! clap and serde_json).
//!
//! Results go to stdout (tables, JSON lines, summaries); progress,
//! estimates, warnings and errors to stderr. Exit codes: 0 on success, 2
//! for a usage error (a bad command line, an unknown name, a configuration
//! that cannot work), 1 for a failure while working (a file, a run).

pub mod args;
mod bench;
mod cells;
mod config;
mod error;
mod estimate;
mod output;
mod plot;
mod presets;
pub mod progress;
mod report;
mod slurm;
mod status;
mod sweep;
mod threshold;
mod thresholds;
mod train;

use std::process::ExitCode;

use clap::Parser;

pub use error::{CliError, CliResult};

use args::{Cli, Command};

/// Parses the process's arguments, runs the command, prints any error and
/// returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version exit with 0, parse errors with 2.
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> CliResult {
    match cli.command {
        None => sweep::default_command(),
        Some(Command::Train(a)) => train::train(&a),
        Some(Command::Sweep(a)) => sweep::sweep(&a),
        Some(Command::Report(a)) => report::report(&a),
        Some(Command::Reproduce(a)) => sweep::reproduce(&a),
        Some(Command::Plot(a)) => plot::plot(&a),
        Some(Command::Threshold(a)) => threshold::threshold(&a),
        Some(Command::Presets(a)) => presets::presets(&a),
        Some(Command::Bench(a)) => bench::bench(&a),
        Some(Command::Status(a)) => status::status(&a),
        Some(Command::Slurm(a)) => slurm::slurm(&a),
    }
}
