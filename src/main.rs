//! The `arithgrad` command line: a thin front end over the library.

fn main() {
    println!("arithgrad {}", env!("CARGO_PKG_VERSION"));
}
