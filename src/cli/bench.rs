//! `arithgrad bench`: microseconds per training step.

use super::args::BenchArgs;
use super::error::{CliError, CliResult};

pub fn bench(_args: &BenchArgs) -> CliResult {
    Err(CliError::Runtime(
        "`arithgrad bench` is not available yet: the library's step benchmark \
         (experiment::bench) has not landed"
            .to_string(),
    ))
}
