//! Fuzz target: random operation programs on the tape. The decoding and the
//! checks live in `../src/op_program.rs`, shared with `tests/fuzz_replay.rs`.
//!
//! ```text
//! cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run op_program
//! ```

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../src/op_program.rs"]
mod op_program;

fuzz_target!(|data: &[u8]| {
    op_program::check_bytes(data);
});
