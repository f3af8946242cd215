//! The command line's error: what went wrong, and whether it was the
//! command line itself (exit code 2) or something while carrying it out
//! (exit code 1).

use std::fmt;

/// An error of the command line, printed to stderr as `error: <message>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    /// The command line asks for something that cannot be done: an unknown
    /// model, operation or preset, a bad range, a configuration that does not
    /// fit. Exit code 2, like clap's own parse errors.
    Usage(String),
    /// Something failed while working: a file, a run. Exit code 1.
    Runtime(String),
}

impl CliError {
    /// Exit code 2 for usage errors, 1 for runtime errors.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Runtime(_) => 1,
        }
    }

    /// A usage error from a library error raised while checking the command
    /// line's configuration (its message names the bad parameter).
    pub fn usage(e: impl fmt::Display) -> CliError {
        CliError::Usage(e.to_string())
    }

    /// A runtime error.
    pub fn runtime(e: impl fmt::Display) -> CliError {
        CliError::Runtime(e.to_string())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Runtime(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CliError {}

/// Result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;
