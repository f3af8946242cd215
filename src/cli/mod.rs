//! Layer 7: the command line, a thin front end over the library. Built only
//! with the default `cli` feature (argument parsing and JSON come from
//! clap and serde_json).

pub mod args;
pub mod progress;
pub mod records;
