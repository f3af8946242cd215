//! The `arithgrad` command line: a thin front end over the library (see
//! `arithgrad::cli`).

fn main() -> std::process::ExitCode {
    arithgrad::cli::main()
}
