//! Layer 2, part two: the differentiable operations, one per file.
//!
//! Each file adds its operation to [`crate::tape::Tape`] as a method (the
//! forward pass, which checks shapes and returns a `Result`) and defines its
//! vector-Jacobian product `backward`, with the math in the file's doc
//! comment and tests beside it. The reverse sweep in `tape` dispatches to
//! these functions by the recorded `Op` variant (`src/tape/op.rs`).
//!
//! Conventions shared by every operation:
//! - Elementwise binary operations need equal shapes; a mismatch is
//!   [`crate::Error::ShapeMismatch`] naming both. Broadcasting is always
//!   explicit, through [`crate::Tape::broadcast_to`], whose VJP is the one
//!   place where a gradient is summed back to an operand's shape.
//! - A VJP *adds* into its operands' gradients (an operand used twice
//!   receives both contributions) and skips operands that do not depend on a
//!   differentiable leaf.
//!
//! Adding an operation (the tests below each step fail until it is done):
//! 1. a file `src/ops/NAME.rs`: the math and its VJP in the file's doc
//!    comment, the `Tape` method (check shapes, return `Result`) with a
//!    doctest, `pub(crate) fn backward`, and tests by hand beside it;
//! 2. a variant in `Op` (`src/tape/op.rs`) with its name in `Op::name`, and
//!    its arm in the reverse sweep's `dispatch` (`src/tape/backward.rs`);
//! 3. a gradient property test against central differences
//!    (`tests/grad_ops.rs` for elementwise operations, else
//!    `tests/grad_shapes.rs` or `tests/grad_compositions.rs`);
//! 4. the fuzzer: a `Step` that records it in `fuzz/src/op_program.rs`
//!    (`tests/fuzz_replay.rs` fails while any name in `Op::name` is never
//!    recorded), and a rule in `comparable` if it has kinks or poles;
//! 5. where it helps, a method on [`crate::expr::Expr`].

pub(crate) mod abs;
pub(crate) mod add;
pub(crate) mod add_scalar;
pub(crate) mod broadcast;
pub(crate) mod clamp;
pub(crate) mod complex_log;
pub(crate) mod complex_power;
pub(crate) mod concat;
pub(crate) mod cos;
pub(crate) mod cos_pi;
pub(crate) mod div;
pub(crate) mod div_scalar;
pub(crate) mod exp;
pub(crate) mod gate_mix;
pub(crate) mod is_negative;
pub(crate) mod lerp_prod;
pub(crate) mod log;
pub(crate) mod log_abs;
pub(crate) mod log_space;
pub(crate) mod matmul;
pub(crate) mod mean;
pub(crate) mod min_max;
pub(crate) mod mse;
pub(crate) mod mul;
pub(crate) mod mul_scalar;
pub(crate) mod neg;
pub(crate) mod powf;
pub(crate) mod prod;
pub(crate) mod relu;
pub(crate) mod relu6;
pub(crate) mod reshape;
pub(crate) mod scalar_div;
pub(crate) mod scalar_sub;
pub(crate) mod sigmoid;
pub(crate) mod sign;
pub(crate) mod signed_power_product;
pub(crate) mod slice;
pub(crate) mod sqrt;
pub(crate) mod square;
pub(crate) mod sub;
pub(crate) mod sum;
pub(crate) mod tanh;
pub(crate) mod transpose;
