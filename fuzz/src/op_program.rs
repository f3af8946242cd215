//! Random operation programs for fuzzing the tape, decoded from arbitrary
//! bytes.
//!
//! This file is shared, by `#[path]`, between the cargo-fuzz target
//! (`fuzz/fuzz_targets/op_program.rs`) and the ordinary integration test
//! `tests/fuzz_replay.rs`, which replays the committed corpus and a few
//! thousand seeded random byte strings, so CI exercises the same checks
//! without cargo-fuzz or a nightly compiler.
//!
//! # The program
//!
//! [`decode`] turns any byte string (reading zeros past its end) into a
//! [`Program`]: one to three input tensors (rank 0 to 3, dimensions 1 to 4,
//! values in [-8, 8) with an occasional NaN, infinity, huge or tiny number),
//! each a differentiable variable or a constant, followed by up to
//! [`MAX_STEPS`] operations of the tape's contract applied to earlier values.
//! Operands are mostly picked so that shapes fit and sometimes at random;
//! axes, slice bounds and target shapes are sometimes invalid. Shapes are
//! learned by running each operation on a scratch tape while decoding, so
//! the program also records which operations succeeded. The loss is the sum
//! of `sum(v)` over every value (inputs and step outputs).
//!
//! # The checks ([`check_bytes`])
//!
//! 1. No panic anywhere: every failure must be an `Err`.
//! 2. Replaying the program gives the same successes and failures as
//!    decoding did, in `f64` and in `f32`; replaying it on the same tape after
//!    `reset` gives bit-identical values and gradients, and handles from
//!    before the reset are errors.
//! 3. Checked mode (`set_check_finite`) reports a non-finite forward value
//!    exactly when the unchecked run produced one.
//! 4. Where the program is differentiable, the tape's gradient agrees with
//!    `arithgrad::check::gradient`. "Differentiable" is decided
//!    conservatively (see [`comparable`]): every value and gradient finite
//!    and at most [`MAX_MAGNITUDE`], every input of a kinked operation
//!    (`abs`, `relu`, `relu6`, `sign`, `is_negative`, `clamp`, `minimum`,
//!    `maximum`, `log_abs` at `+-eps`) at least [`KINK_MARGIN`] from its
//!    kink, and every input of a singular one (`log`, `sqrt`, `div`'s
//!    denominator, `powf` below 1 or non-integer, `log_space_product`'s
//!    first operand at 0)
//!    at least [`SINGULAR_MARGIN`] from its singularity. A mismatch at the
//!    default step is confirmed at a ten times larger step before it counts;
//!    if the two finite-difference estimates disagree with each other, the
//!    function is not smooth enough there to judge and the case is skipped.

use arithgrad::check::{self, CheckOptions};
use arithgrad::{Element, Error, Phase, Result, Shape, Tape, Var};

/// At most this many operations per program.
pub const MAX_STEPS: usize = 16;
/// An operation whose output has more elements is dropped while decoding,
/// to keep every case cheap.
pub const MAX_NUMEL: usize = 1024;
/// Values or gradients above this magnitude skip the gradient comparison.
pub const MAX_MAGNITUDE: f64 = 1e4;
/// Minimum distance of a kinked operation's input from its kink.
pub const KINK_MARGIN: f64 = 1e-3;
/// Minimum distance of a singular operation's input from its singularity.
pub const SINGULAR_MARGIN: f64 = 1e-2;

/// Scalar arguments (of `add_scalar`, `mul_scalar`, `clamp`). They are
/// exact in `f32` too, so both element types see the same program.
const SCALARS: [f64; 16] = [
    0.0,
    1.0,
    -1.0,
    2.0,
    -2.0,
    0.5,
    -0.5,
    3.0,
    1.5,
    0.25,
    6.0,
    7.25,
    -3.0,
    0.0625,
    f64::NAN,
    f64::INFINITY,
];

/// Exponents of `powf`.
const EXPONENTS: [f64; 12] = [
    0.0,
    1.0,
    2.0,
    3.0,
    0.5,
    -1.0,
    -0.5,
    1.5,
    2.5,
    -2.0,
    f64::NAN,
    f64::NEG_INFINITY,
];

/// Values an input element takes when its two bytes start with 0xFF.
const SPECIALS: [f64; 8] = [
    0.0,
    -0.0,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e300,
    -1e300,
    1e-300,
];

/// Reads bytes, giving zeros past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// A number in `0..n` (`n <= 256`).
    fn below(&mut self, n: usize) -> usize {
        self.byte() as usize % n
    }

    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

/// One input tensor.
#[derive(Clone, Debug)]
pub struct Input {
    pub shape: Shape,
    pub data: Vec<f64>,
    /// A differentiable variable (otherwise a constant).
    pub variable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Binary {
    Add,
    Sub,
    Mul,
    Div,
    Minimum,
    Maximum,
    Matmul,
    MatmulNt,
    MatmulTn,
    ConcatCols,
    /// `log_space_product(a, b, 1e-7)`: `exp(ln(|a| + eps) · bᵀ)`.
    LogSpaceProduct,
    LerpProd,
    /// `complex_log(a, Some(b), 1e-7)`: `b` the gate (`[I]` for `a [B, I]`).
    GatedComplexLog,
    /// `complex_power(a, b)`: `a [2, I, B]`, `b [O, I]` or `[O, 2I]`.
    ComplexPower,
}

/// Operations of three operands of one shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ternary {
    /// `gate_mix(g, a, m)`: `g a + (1 - g) m`.
    GateMix,
    /// `signed_power_product(x, w, a, 1e-7)`: `x [B, I]`, `w` and `a` `[O, I]`.
    SignedPowerProduct,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unary {
    Neg,
    Exp,
    Log,
    Abs,
    Sqrt,
    Square,
    Sigmoid,
    Tanh,
    Relu,
    Relu6,
    Sign,
    Sum,
    Mean,
    Transpose,
    Cos,
    CosPi,
    IsNegative,
    /// `complex_log(a, None, 1e-7)`.
    ComplexLog,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WithScalar {
    AddScalar,
    MulScalar,
    Powf,
    /// `log_abs(a, eps)`; a non-positive or non-finite `eps` is an error.
    LogAbs,
    ScalarSub,
    DivScalar,
    ScalarDiv,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AlongAxis {
    Sum,
    Mean,
    Prod,
}

/// One operation; `usize` fields are indices into the program's value list
/// (inputs first, then the output of every successful step, in order).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    Binary(Binary, usize, usize),
    Unary(Unary, usize),
    Scalar(WithScalar, usize, f64),
    Clamp(usize, f64, f64),
    Axis(AlongAxis, usize, usize),
    Broadcast(usize, Shape),
    Reshape(usize, Shape),
    SliceCols(usize, usize, usize),
    Ternary(Ternary, usize, usize, usize),
}

impl Step {
    /// The value indices this step reads.
    pub fn operands(&self) -> ([usize; 3], usize) {
        match *self {
            Step::Ternary(_, a, b, c) => ([a, b, c], 3),
            Step::Binary(_, a, b) => ([a, b, 0], 2),
            Step::Unary(_, a)
            | Step::Scalar(_, a, _)
            | Step::Clamp(a, _, _)
            | Step::Axis(_, a, _)
            | Step::Broadcast(a, _)
            | Step::Reshape(a, _)
            | Step::SliceCols(a, _, _) => ([a, 0, 0], 1),
        }
    }
}

/// A decoded program: inputs, then steps with whether each succeeded while
/// decoding.
#[derive(Clone, Debug)]
pub struct Program {
    pub inputs: Vec<Input>,
    pub steps: Vec<(Step, bool)>,
}

impl Program {
    /// The number of variable elements (what a gradient check perturbs).
    pub fn variable_numel(&self) -> usize {
        self.inputs
            .iter()
            .filter(|i| i.variable)
            .map(|i| i.data.len())
            .sum()
    }
}

fn element(hi: u8, lo: u8) -> f64 {
    if hi == 0xFF {
        SPECIALS[lo as usize % SPECIALS.len()]
    } else {
        i16::from_be_bytes([hi, lo]) as f64 / 4096.0
    }
}

/// A shape of rank 0 to 4 with dimensions 0 to 4: often invalid for the
/// operation at hand, sometimes empty.
fn any_shape(r: &mut Reader) -> Shape {
    let rank = r.below(5);
    let mut dims = [1; 4];
    for d in &mut dims[..rank] {
        *d = r.below(5);
    }
    Shape::new(&dims[..rank]).expect("rank is at most 4")
}

/// A shape `from` broadcasts to: some size-1 dimensions widened, maybe one
/// dimension prepended.
fn broadcast_target(r: &mut Reader, from: Shape) -> Shape {
    let mut dims = [1; 4];
    let mut rank = from.rank();
    dims[..rank].copy_from_slice(from.dims());
    for d in &mut dims[..rank] {
        if *d == 1 {
            *d = 1 + r.below(3);
        }
    }
    if rank < 4 && r.byte() & 1 == 1 {
        dims.copy_within(0..rank, 1);
        dims[0] = 1 + r.below(3);
        rank += 1;
    }
    Shape::new(&dims[..rank]).expect("rank is at most 4")
}

/// Picks the index of a value whose shape satisfies `fits` (three times in
/// four, when there is one), or any value.
fn pick_fitting(r: &mut Reader, shapes: &[Shape], fits: impl Fn(Shape) -> bool) -> usize {
    let choice = r.byte();
    let fitting: Vec<usize> = (0..shapes.len()).filter(|&i| fits(shapes[i])).collect();
    if choice % 4 != 0 && !fitting.is_empty() {
        fitting[(choice / 4) as usize % fitting.len()]
    } else {
        choice as usize % shapes.len()
    }
}

fn decode_step(r: &mut Reader, shapes: &[Shape]) -> Step {
    let op = r.below(47);
    let is_matrix = |s: Shape| s.rank() == 2;
    // The first operand: a matrix for the matrix operations, a tensor with
    // at least one axis for the per-axis ones (mostly), else anything.
    let a = match op {
        6..=9 | 23 | 33 | 34 | 43 | 44 | 46 => pick_fitting(r, shapes, is_matrix),
        45 => pick_fitting(r, shapes, |s| s.rank() == 3 && s.dim(0) == 2),
        28..=30 => pick_fitting(r, shapes, |s| s.rank() > 0),
        _ => r.below(shapes.len()),
    };
    let sa = shapes[a];
    let rows = sa.dims().first().copied();
    let cols = sa.dims().get(1).copied();
    match op {
        0..=5 => {
            let kind = [
                Binary::Add,
                Binary::Sub,
                Binary::Mul,
                Binary::Div,
                Binary::Minimum,
                Binary::Maximum,
            ][op];
            let b = pick_fitting(r, shapes, |s| s == sa);
            Step::Binary(kind, a, b)
        }
        6 => Step::Binary(
            Binary::Matmul,
            a,
            pick_fitting(r, shapes, |s| is_matrix(s) && Some(s.dim(0)) == cols),
        ),
        7 => {
            // `[B, I]` against `[O, I]`: matmul_nt, or (for an odd pair of
            // operand indices) lerp_prod, whose operands fit the same way.
            // Deciding by the indices reads no extra byte, so inputs
            // decoded before lerp_prod was fuzzed keep their meaning.
            let b = pick_fitting(r, shapes, |s| is_matrix(s) && Some(s.dim(1)) == cols);
            let kind = if (a + b) % 2 == 0 {
                Binary::MatmulNt
            } else {
                Binary::LerpProd
            };
            Step::Binary(kind, a, b)
        }
        8 => Step::Binary(
            Binary::MatmulTn,
            a,
            pick_fitting(r, shapes, |s| is_matrix(s) && Some(s.dim(0)) == rows),
        ),
        9 => Step::Binary(
            Binary::ConcatCols,
            a,
            pick_fitting(r, shapes, |s| is_matrix(s) && Some(s.dim(0)) == rows),
        ),
        10..=23 => {
            let kind = [
                Unary::Neg,
                Unary::Exp,
                Unary::Log,
                Unary::Abs,
                Unary::Sqrt,
                Unary::Square,
                Unary::Sigmoid,
                Unary::Tanh,
                Unary::Relu,
                Unary::Relu6,
                Unary::Sign,
                Unary::Sum,
                Unary::Mean,
                Unary::Transpose,
            ][op - 10];
            Step::Unary(kind, a)
        }
        24 => Step::Scalar(WithScalar::AddScalar, a, SCALARS[r.below(16)]),
        25 => Step::Scalar(WithScalar::MulScalar, a, SCALARS[r.below(16)]),
        26 => Step::Scalar(WithScalar::Powf, a, EXPONENTS[r.below(12)]),
        35 => Step::Unary(Unary::Cos, a),
        36 => Step::Unary(Unary::CosPi, a),
        37 => Step::Unary(Unary::IsNegative, a),
        38 => Step::Scalar(WithScalar::LogAbs, a, SCALARS[r.below(16)]),
        27 => Step::Clamp(a, SCALARS[r.below(16)], SCALARS[r.below(16)]),
        28..=30 => {
            let kind = [AlongAxis::Sum, AlongAxis::Mean, AlongAxis::Prod][op - 28];
            // Mostly a valid axis; sometimes any of 0..5 (4 is always invalid).
            let b = r.byte() as usize;
            let axis = if b % 4 == 0 {
                b / 4 % 5
            } else {
                b / 4 % sa.rank().max(1)
            };
            Step::Axis(kind, a, axis)
        }
        31 => {
            let shape = if r.below(4) == 0 {
                any_shape(r)
            } else {
                broadcast_target(r, sa)
            };
            Step::Broadcast(a, shape)
        }
        32 => {
            let n = sa.numel();
            let shape = match r.below(4) {
                0 => Shape::vector(n),
                1 => Shape::matrix(n, 1),
                2 => Shape::matrix(1, n),
                _ => any_shape(r),
            };
            Step::Reshape(a, shape)
        }
        34 => Step::Binary(
            Binary::LogSpaceProduct,
            a,
            pick_fitting(r, shapes, |s| is_matrix(s) && Some(s.dim(1)) == cols),
        ),
        39 => Step::Scalar(WithScalar::ScalarSub, a, SCALARS[r.below(16)]),
        40 => Step::Scalar(WithScalar::DivScalar, a, SCALARS[r.below(16)]),
        41 => Step::Scalar(WithScalar::ScalarDiv, a, SCALARS[r.below(16)]),
        42 => Step::Ternary(
            Ternary::GateMix,
            a,
            pick_fitting(r, shapes, |s| s == sa),
            pick_fitting(r, shapes, |s| s == sa),
        ),
        43 => Step::Unary(Unary::ComplexLog, a),
        44 => Step::Binary(
            Binary::GatedComplexLog,
            a,
            pick_fitting(r, shapes, |s| s.rank() == 1 && Some(s.dim(0)) == cols),
        ),
        45 => {
            let inputs = sa.dims().get(1).copied();
            let b = pick_fitting(r, shapes, |s| {
                is_matrix(s)
                    && (Some(s.dim(1)) == inputs || inputs.map(|i| 2 * i) == Some(s.dim(1)))
            });
            Step::Binary(Binary::ComplexPower, a, b)
        }
        46 => {
            let b = pick_fitting(r, shapes, |s| is_matrix(s) && Some(s.dim(1)) == cols);
            let sb = shapes[b];
            Step::Ternary(
                Ternary::SignedPowerProduct,
                a,
                b,
                pick_fitting(r, shapes, |s| s == sb),
            )
        }
        _ => {
            // Mostly a valid, non-empty column range; sometimes any.
            let c = cols.unwrap_or(1).max(1); // a zero-column matrix gets an invalid range
            let (b, x, y) = (r.byte(), r.below(c + 1), r.byte() as usize);
            if b % 4 == 0 {
                Step::SliceCols(a, (b / 4) as usize % 5, y % 6)
            } else {
                let start = x.min(c - 1);
                Step::SliceCols(a, start, start + 1 + y % (c - start))
            }
        }
    }
}

/// Decodes any byte string into a program.
pub fn decode(bytes: &[u8]) -> Program {
    let mut r = Reader { bytes, pos: 0 };
    let n_inputs = 1 + r.below(3);
    let mut inputs = Vec::with_capacity(n_inputs);
    for _ in 0..n_inputs {
        let flags = r.byte();
        // Ranks 0 to 3, matrices the most common.
        let rank = [0, 1, 2, 2, 2, 3, 1, 2][(flags >> 2) as usize % 8];
        let mut dims = [1; 3];
        for d in &mut dims[..rank] {
            *d = 1 + r.below(4);
        }
        let shape = Shape::new(&dims[..rank]).expect("rank is at most 3");
        let data = (0..shape.numel())
            .map(|_| element(r.byte(), r.byte()))
            .collect();
        inputs.push(Input {
            shape,
            data,
            // Three inputs in four are variables.
            variable: flags & 3 != 0,
        });
    }

    // Learn each step's outcome and output shape on a scratch tape.
    let mut tape = Tape::<f64>::new();
    let mut values: Vec<Option<Var>> = Vec::new();
    let mut shapes: Vec<Shape> = Vec::new();
    for input in &inputs {
        let v = tape
            .constant_slice(input.shape, &input.data)
            .expect("decoded data fit their shape");
        values.push(Some(v));
        shapes.push(input.shape);
    }
    let mut steps = Vec::new();
    while steps.len() < MAX_STEPS && !r.done() {
        let step = decode_step(&mut r, &shapes);
        match apply(&mut tape, step, &values).expect("operands exist while decoding") {
            Ok(v) => {
                let shape = tape.shape(v).expect("a fresh handle is valid");
                if shape.numel() <= MAX_NUMEL {
                    values.push(Some(v));
                    shapes.push(shape);
                    steps.push((step, true));
                }
            }
            Err(_) => steps.push((step, false)),
        }
    }
    Program { inputs, steps }
}

/// Records `step` on `tape`; `None` if an operand is missing (a replay in
/// which an earlier step failed).
pub fn apply<T: Element>(
    tape: &mut Tape<T>,
    step: Step,
    values: &[Option<Var>],
) -> Option<Result<Var>> {
    let ([a, b, c], arity) = step.operands();
    let va = values[a]?;
    let vb = if arity >= 2 { values[b]? } else { va };
    let vc = if arity == 3 { values[c]? } else { va };
    let t = T::from_f64_lossy;
    Some(match step {
        Step::Binary(kind, _, _) => match kind {
            Binary::Add => tape.add(va, vb),
            Binary::Sub => tape.sub(va, vb),
            Binary::Mul => tape.mul(va, vb),
            Binary::Div => tape.div(va, vb),
            Binary::Minimum => tape.minimum(va, vb),
            Binary::Maximum => tape.maximum(va, vb),
            Binary::Matmul => tape.matmul(va, vb),
            Binary::MatmulNt => tape.matmul_nt(va, vb),
            Binary::MatmulTn => tape.matmul_tn(va, vb),
            Binary::ConcatCols => tape.concat_cols(va, vb),
            Binary::LogSpaceProduct => tape.log_space_product(va, vb, t(1e-7)),
            Binary::LerpProd => tape.lerp_prod(va, vb),
            Binary::GatedComplexLog => tape.complex_log(va, Some(vb), t(1e-7)),
            Binary::ComplexPower => tape.complex_power(va, vb),
        },
        Step::Unary(kind, _) => match kind {
            Unary::Neg => tape.neg(va),
            Unary::Exp => tape.exp(va),
            Unary::Log => tape.log(va),
            Unary::Abs => tape.abs(va),
            Unary::Sqrt => tape.sqrt(va),
            Unary::Square => tape.square(va),
            Unary::Sigmoid => tape.sigmoid(va),
            Unary::Tanh => tape.tanh(va),
            Unary::Relu => tape.relu(va),
            Unary::Relu6 => tape.relu6(va),
            Unary::Sign => tape.sign(va),
            Unary::Sum => tape.sum(va),
            Unary::Mean => tape.mean(va),
            Unary::Transpose => tape.transpose(va),
            Unary::Cos => tape.cos(va),
            Unary::CosPi => tape.cos_pi(va),
            Unary::IsNegative => tape.is_negative(va),
            Unary::ComplexLog => tape.complex_log(va, None, t(1e-7)),
        },
        Step::Scalar(kind, _, c) => match kind {
            WithScalar::AddScalar => tape.add_scalar(va, t(c)),
            WithScalar::MulScalar => tape.mul_scalar(va, t(c)),
            WithScalar::Powf => tape.powf(va, t(c)),
            WithScalar::LogAbs => tape.log_abs(va, t(c)),
            WithScalar::ScalarSub => tape.scalar_sub(t(c), va),
            WithScalar::DivScalar => tape.div_scalar(va, t(c)),
            WithScalar::ScalarDiv => tape.scalar_div(t(c), va),
        },
        Step::Clamp(_, lo, hi) => tape.clamp(va, t(lo), t(hi)),
        Step::Axis(kind, _, axis) => match kind {
            AlongAxis::Sum => tape.sum_axis(va, axis),
            AlongAxis::Mean => tape.mean_axis(va, axis),
            AlongAxis::Prod => tape.prod_axis(va, axis),
        },
        Step::Broadcast(_, shape) => tape.broadcast_to(va, shape),
        Step::Reshape(_, shape) => tape.reshape(va, shape),
        Step::SliceCols(_, start, end) => tape.slice_cols(va, start, end),
        Step::Ternary(Ternary::GateMix, ..) => tape.gate_mix(va, vb, vc),
        Step::Ternary(Ternary::SignedPowerProduct, ..) => {
            tape.signed_power_product(va, vb, vc, t(1e-7))
        }
    })
}

/// What one replay of a program recorded.
pub struct Run {
    /// Every value: inputs, then one per step that succeeded while decoding
    /// (`None` if it failed in this replay).
    pub values: Vec<Option<Var>>,
    /// Per step: `None` if an operand was missing, else the outcome.
    pub outcomes: Vec<Option<Result<Var>>>,
    /// The partial sums of the loss (each `sum(v)` and each running total).
    pub loss_terms: Vec<Var>,
    /// Errors of the loss's own operations (only in checked mode).
    pub loss_errors: Vec<Error>,
    pub loss: Option<Var>,
}

/// Replays `prog` on `tape`. With `leaves`, the variable inputs are those
/// handles, in order (as inside a gradient check's closure); otherwise they
/// are recorded here. Errors are collected, never propagated.
pub fn run<T: Element>(prog: &Program, tape: &mut Tape<T>, leaves: Option<&[Var]>) -> Run {
    let mut values = Vec::with_capacity(prog.inputs.len() + prog.steps.len());
    let mut next_leaf = 0;
    for input in &prog.inputs {
        let data: Vec<T> = input.data.iter().map(|&x| T::from_f64_lossy(x)).collect();
        let v = match (input.variable, leaves) {
            (true, Some(given)) => {
                next_leaf += 1;
                Ok(given[next_leaf - 1])
            }
            (true, None) => tape.variable_slice(input.shape, &data),
            (false, _) => tape.constant_slice(input.shape, &data),
        }
        .expect("decoded data fit their shape");
        values.push(Some(v));
    }
    let mut outcomes = Vec::with_capacity(prog.steps.len());
    for &(step, ok_when_decoded) in &prog.steps {
        let outcome = apply(tape, step, &values);
        if ok_when_decoded {
            values.push(outcome.as_ref().and_then(|o| o.as_ref().ok().copied()));
        }
        outcomes.push(outcome);
    }
    let mut loss_terms = Vec::new();
    let mut loss_errors = Vec::new();
    let mut loss = None;
    let mut broken = false;
    for v in values.iter().flatten() {
        let term = tape.sum(*v).and_then(|s| {
            loss_terms.push(s);
            match loss {
                None => Ok(s),
                Some(acc) => tape.add(acc, s).inspect(|&total| loss_terms.push(total)),
            }
        });
        match term {
            Ok(total) => loss = Some(total),
            Err(e) => {
                loss_errors.push(e);
                broken = true;
            }
        }
    }
    Run {
        values,
        outcomes,
        loss_terms,
        loss_errors,
        loss: if broken { None } else { loss },
    }
}

/// Which steps succeeded in a run (`None` for a missing operand).
fn pattern(run: &Run) -> Vec<Option<bool>> {
    run.outcomes
        .iter()
        .map(|o| o.as_ref().map(|r| r.is_ok()))
        .collect()
}

/// Every value of a run (step outputs and loss terms), flattened.
fn all_values<T: Element>(tape: &Tape<T>, run: &Run) -> Vec<T> {
    let mut out = Vec::new();
    for v in run.values.iter().flatten().chain(&run.loss_terms) {
        out.extend_from_slice(tape.value(*v).expect("handles of this run are valid"));
    }
    out
}

/// Every gradient of a run (values that depend on a variable), flattened.
fn all_grads<T: Element>(tape: &Tape<T>, run: &Run) -> Vec<T> {
    let mut out = Vec::new();
    for v in run.values.iter().flatten() {
        if let Ok(g) = tape.grad(*v) {
            out.extend_from_slice(g);
        }
    }
    out
}

/// Runs `prog` on a fresh tape with variables and a backward sweep, checks
/// the run's own invariants, and returns the tape and run.
fn record_and_differentiate<T: Element>(prog: &Program) -> (Tape<T>, Run) {
    let mut tape = Tape::<T>::new();
    let r = run(prog, &mut tape, None);
    assert!(
        r.loss_errors.is_empty(),
        "the loss failed without checked mode: {:?}",
        r.loss_errors
    );
    let loss = r.loss.expect("every program has at least one input");
    tape.backward(loss)
        .expect("backward of a one-element loss succeeds");
    for (input, v) in prog.inputs.iter().zip(&r.values) {
        let v = v.expect("inputs are always recorded");
        match tape.grad(v) {
            Ok(g) => {
                assert!(input.variable, "a constant input has a gradient");
                assert_eq!(g.len(), input.data.len(), "gradient length");
            }
            Err(_) => assert!(!input.variable, "a variable input has no gradient"),
        }
    }
    assert!(tape.to_dot().starts_with("digraph"));
    (tape, r)
}

/// What [`check_bytes`] did with one case.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Steps that succeeded / failed with an error.
    pub steps_ok: usize,
    pub steps_err: usize,
    /// Elements whose gradient was compared with finite differences.
    pub compared: usize,
    /// Why the comparison was skipped, if it was.
    pub skipped: Option<&'static str>,
}

/// Decodes `bytes` and runs every check of the module documentation.
/// Panics (with a description) on a violated property.
pub fn check_bytes(bytes: &[u8]) -> Outcome {
    let prog = decode(bytes);
    check_program(&prog)
}

/// Runs every check on a decoded program.
pub fn check_program(prog: &Program) -> Outcome {
    let decoded: Vec<Option<bool>> = prog.steps.iter().map(|&(_, ok)| Some(ok)).collect();

    // f64, unchecked: the reference run.
    let (mut tape, run1) = record_and_differentiate::<f64>(prog);
    assert_eq!(pattern(&run1), decoded, "replay differs from decoding");
    let values1 = all_values(&tape, &run1);
    let grads1 = all_grads(&tape, &run1);

    // The same tape after a reset: bit-identical, old handles are stale.
    tape.reset();
    let run2 = run(prog, &mut tape, None);
    let first = run1.values[0].expect("inputs are always recorded");
    assert!(
        matches!(tape.value(first), Err(Error::StaleHandle { .. })),
        "a handle from before reset is still accepted"
    );
    tape.backward(run2.loss.expect("the loss exists"))
        .expect("backward after reset");
    assert_eq!(pattern(&run2), decoded, "replay after reset differs");
    let same_bits = |a: &[f64], b: &[f64]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    };
    assert!(
        same_bits(&values1, &all_values(&tape, &run2)),
        "values differ after reset"
    );
    assert!(
        same_bits(&grads1, &all_grads(&tape, &run2)),
        "gradients differ after reset"
    );

    // f32: the same shapes, so the same successes and failures.
    let (_, run32) = record_and_differentiate::<f32>(prog);
    assert_eq!(pattern(&run32), decoded, "f32 replay differs from f64");

    // Checked mode flags a non-finite forward value iff there was one.
    let non_finite = values1.iter().any(|x| !x.is_finite());
    let mut checked = Tape::<f64>::new();
    checked.set_check_finite(true);
    let run_c = run(prog, &mut checked, None);
    let flagged = run_c
        .outcomes
        .iter()
        .flatten()
        .filter_map(|o| o.as_ref().err())
        .chain(&run_c.loss_errors)
        .any(|e| {
            matches!(
                e,
                Error::NonFinite {
                    phase: Phase::Forward,
                    ..
                }
            )
        });
    assert_eq!(
        flagged, non_finite,
        "checked mode flagged a non-finite value: {flagged}, unchecked run had one: {non_finite}"
    );
    if let (false, Some(loss)) = (non_finite, run_c.loss) {
        assert_eq!(pattern(&run_c), decoded, "checked replay differs");
        // Backward in checked mode may stop at a non-finite gradient, but
        // must not panic.
        let _ = checked.backward(loss);
    }

    let mut outcome = Outcome {
        steps_ok: decoded.iter().filter(|o| **o == Some(true)).count(),
        steps_err: decoded.iter().filter(|o| **o == Some(false)).count(),
        ..Outcome::default()
    };
    // `tape` holds the replay after reset, identical to the reference run.
    match comparable(prog, &tape, &run2) {
        Err(reason) => outcome.skipped = Some(reason),
        Ok(scale) => match compare_gradients(prog, scale) {
            Ok(n) => outcome.compared = n,
            Err(reason) => outcome.skipped = Some(reason),
        },
    }
    outcome
}

/// Whether the gradient comparison is meaningful for this run (see the
/// module documentation); on success, the sum of `|value| * |gradient|` over
/// every element, which scales the rounding error of finite differences.
pub fn comparable(prog: &Program, tape: &Tape<f64>, run: &Run) -> Result<f64, &'static str> {
    if prog.variable_numel() == 0 {
        return Err("no variable input");
    }
    let mut scale = 0.0;
    for v in run.values.iter().flatten().chain(&run.loss_terms) {
        let value = tape.value(*v).expect("valid handle");
        if !value
            .iter()
            .all(|x| x.is_finite() && x.abs() <= MAX_MAGNITUDE)
        {
            return Err("a value is non-finite or too large");
        }
        if let Ok(g) = tape.grad(*v) {
            if !g.iter().all(|x| x.is_finite() && x.abs() <= MAX_MAGNITUDE) {
                return Err("a gradient is non-finite or too large");
            }
            scale += value
                .iter()
                .zip(g)
                .map(|(x, d)| x.abs() * d.abs())
                .sum::<f64>();
        }
    }
    let value = |i: usize| tape.value(run.values[i].expect("decoded steps succeeded"));
    for &(step, ok) in &prog.steps {
        if !ok {
            continue;
        }
        let ([a, b, _], _) = step.operands();
        let xs = value(a).expect("valid handle");
        let away = |kink: f64| xs.iter().all(|x| (x - kink).abs() > KINK_MARGIN);
        let positive = || xs.iter().all(|&x| x > SINGULAR_MARGIN);
        let fine = match step {
            Step::Unary(Unary::Abs | Unary::Relu | Unary::Sign | Unary::IsNegative, _) => away(0.0),
            // Kinks at +-eps (the floor); the log's singularity at 0 is
            // under the floor.
            Step::Scalar(WithScalar::LogAbs, _, eps) => away(eps) && away(-eps),
            Step::Unary(Unary::Relu6, _) => away(0.0) && away(6.0),
            Step::Clamp(_, lo, hi) => away(lo) && away(hi),
            Step::Unary(Unary::Log | Unary::Sqrt, _) => positive(),
            // ln(|a| + eps): a kink and (nearly) a singularity at a = 0.
            Step::Binary(Binary::LogSpaceProduct, _, _) => {
                xs.iter().all(|x| x.abs() > SINGULAR_MARGIN)
            }
            // ln(max(|a|, eps)): kinks at 0 and +-eps, the log's singularity.
            Step::Unary(Unary::ComplexLog, _) => xs.iter().all(|x| x.abs() > SINGULAR_MARGIN),
            // sign(x) max(|x|, eps)^w: the sign's jump at 0, the floor's
            // kinks at +-eps and the power's singularity at 0.
            Step::Ternary(Ternary::SignedPowerProduct, ..) => {
                xs.iter().all(|x| x.abs() > SINGULAR_MARGIN)
            }
            // ln(g (|a| + eps) + 1 - g): the kink of |a| at 0, and the log's
            // singularity where its argument reaches 0.
            Step::Binary(Binary::GatedComplexLog, _, _) => {
                let gs = value(b).expect("valid handle");
                let cols = gs.len().max(1);
                xs.iter().all(|x| x.abs() > SINGULAR_MARGIN)
                    && xs.iter().enumerate().all(|(j, x)| {
                        let g = gs[j % cols];
                        g * (x.abs() + 1e-7) + (1.0 - g) > SINGULAR_MARGIN
                    })
            }
            Step::Scalar(WithScalar::Powf, _, p) => {
                (p.fract() == 0.0 && p >= 1.0) || xs.iter().all(|x| x.abs() > SINGULAR_MARGIN)
            }
            Step::Scalar(WithScalar::ScalarDiv, _, _) => {
                xs.iter().all(|x| x.abs() > SINGULAR_MARGIN)
            }
            Step::Scalar(WithScalar::DivScalar, _, c) => c.abs() > SINGULAR_MARGIN,
            Step::Binary(Binary::Div, _, _) => value(b)
                .expect("valid handle")
                .iter()
                .all(|y| y.abs() > SINGULAR_MARGIN),
            Step::Binary(Binary::Minimum | Binary::Maximum, _, _) if a != b => {
                let ys = value(b).expect("valid handle");
                xs.iter().zip(ys).all(|(x, y)| (x - y).abs() > KINK_MARGIN)
            }
            _ => true,
        };
        if !fine {
            return Err("an input is near a kink or singularity");
        }
    }
    Ok(scale)
}

/// Compares the tape's gradient with `arithgrad::check::gradient`. Returns
/// the number of elements compared, or why the comparison was not possible.
/// Panics on a confirmed mismatch.
fn compare_gradients(prog: &Program, scale: f64) -> Result<usize, &'static str> {
    let inputs: Vec<_> = prog
        .inputs
        .iter()
        .filter(|i| i.variable)
        .map(|i| {
            arithgrad::Tensor::from_vec(i.shape, i.data.clone()).expect("data fit their shape")
        })
        .collect();
    let f = |t: &mut Tape<f64>, leaves: &[Var]| {
        run(prog, t, Some(leaves))
            .loss
            .ok_or_else(|| Error::NotAvailable("the program's loss".into()))
    };
    // Rounding in f is about 2.2e-16 * scale; central differences divide it
    // by the step (>= 1e-6): 2.2e-10 * scale, with a margin of 100.
    let opts = CheckOptions::default()
        .with_abs_tol(1e-6 + 2.2e-8 * scale)
        .with_rel_tol(1e-5);
    let report = check::gradient(f, &inputs, &opts).expect("the gradient check runs");
    if report.ok() {
        return Ok(report.checked);
    }
    // Confirm at a ten times larger step: a wrong gradient is wrong at
    // every step, while a function that is not smooth enough gives
    // finite-difference estimates that disagree with each other.
    let coarse = check::gradient(f, &inputs, &opts.with_step(1e-5)).expect("the check runs");
    let (Some(m), Some(c)) = (&report.first_mismatch, &coarse.first_mismatch) else {
        return Err("finite differences depend on the step");
    };
    if (c.input, c.index) != (m.input, m.index) || !opts.accepts(c.numeric, m.numeric) {
        return Err("finite differences depend on the step");
    }
    panic!("gradient mismatch: {report}\nat step 1e-5: {coarse}\nprogram: {prog:?}");
}
