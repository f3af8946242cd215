//! Property suite: random small programs of several operations, checked as
//! a whole against central differences. Single-op suites cannot see bugs
//! that only show when VJPs chain: gradients accumulating into a value used
//! twice, a VJP that overwrites instead of adding, a reduction followed by
//! a broadcast, an operand that is both a parameter and an intermediate.
//!
//! A program works on a pool of `[r, c]` matrices (the inputs, then each
//! step's result) and every step reads operands anywhere in the pool, so
//! values fan out. Ops whose raw domain is restricted get it guaranteed by
//! construction (`log(a² + 1)`, `sqrt(a² + 0.5)`, `a / (b² + 1)`,
//! `exp(tanh a)`, `powf(a² + 0.5, p)`). Kinks (relu, relu6, abs, clamp,
//! sign, min/max ties) are allowed: a case is discarded when some
//! intermediate lands within 1e-3 of one without being exactly on it (on
//! it exactly, e.g. `relu(x - x)`, the checks agree by the contract), or
//! when some value exceeds 50 in magnitude (there the loss's rounding
//! error, about 2e-10 |f| per derivative, approaches the tolerance).

mod common;

use arithgrad::check::strategies::{
    assert_directional, assert_gradient, assert_param_gradient, tensor_f64,
};
use arithgrad::check::CheckOptions;
use arithgrad::{ParamStore, Result, Shape, Tape, Tensor, Var};
use common::{config, phase, weighted_sum};
use proptest::prelude::*;

#[derive(Clone, Copy, Debug)]
enum Binary {
    Add,
    Sub,
    Mul,
    /// `a / (b² + 1)`
    SafeDiv,
    Minimum,
    Maximum,
    /// `a * sign(b)`
    MulSign,
    /// columns `k..k + c` of `[a, b]`: mixes the columns of both
    ConcatSlice(usize),
    /// `(a · bᵀ) · a / (r c)`
    MatmulNt,
    /// `a · (aᵀ · b) / (r c)`
    MatmulTn,
    /// `a * broadcast(sum_axis(b, 0)) / r`
    ScaleByColumnSums,
}

#[derive(Clone, Copy, Debug)]
enum Unary {
    /// `exp(tanh a)`
    SafeExp,
    /// `log(a² + 1)`
    SafeLog,
    /// `sqrt(a² + 0.5)`
    SafeSqrt,
    /// `powf(a² + 0.5, p)`
    SafePowf(f64),
    Square,
    Tanh,
    Sigmoid,
    Relu,
    /// `relu6(3a + 3)`
    Relu6,
    Abs,
    Neg,
    /// `clamp(a, -1, 1.5)`
    Clamp,
    /// `a * k + d`
    Affine(f64, f64),
    /// `reshape(transpose(a), [r, c])`: a permutation of the elements
    TransposeReshape,
    /// `broadcast(mean_axis(a, 1))`
    RowMeans,
    /// `broadcast(prod_axis(a, 0))`
    ColumnProducts,
    /// `broadcast(mean(a))`
    Mean,
}

#[derive(Clone, Copy, Debug)]
enum Step {
    /// Operands are pool positions, taken modulo the pool's length.
    Binary(Binary, usize, usize),
    Unary(Unary, usize),
}

fn binary() -> impl Strategy<Value = Binary> {
    prop_oneof![
        Just(Binary::Add),
        Just(Binary::Sub),
        Just(Binary::Mul),
        Just(Binary::SafeDiv),
        Just(Binary::Minimum),
        Just(Binary::Maximum),
        Just(Binary::MulSign),
        (0..8usize).prop_map(Binary::ConcatSlice),
        Just(Binary::MatmulNt),
        Just(Binary::MatmulTn),
        Just(Binary::ScaleByColumnSums),
    ]
}

fn unary() -> impl Strategy<Value = Unary> {
    prop_oneof![
        Just(Unary::SafeExp),
        Just(Unary::SafeLog),
        Just(Unary::SafeSqrt),
        (-1.5..2.0f64).prop_map(Unary::SafePowf),
        Just(Unary::Square),
        Just(Unary::Tanh),
        Just(Unary::Sigmoid),
        Just(Unary::Relu),
        Just(Unary::Relu6),
        Just(Unary::Abs),
        Just(Unary::Neg),
        Just(Unary::Clamp),
        (-2.0..2.0f64, -1.0..1.0f64).prop_map(|(k, d)| Unary::Affine(k, d)),
        Just(Unary::TransposeReshape),
        Just(Unary::RowMeans),
        Just(Unary::ColumnProducts),
        Just(Unary::Mean),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (binary(), any::<usize>(), any::<usize>()).prop_map(|(op, a, b)| Step::Binary(op, a, b)),
        (unary(), any::<usize>()).prop_map(|(op, a)| Step::Unary(op, a)),
    ]
}

/// One to three input matrices of one shape `[r, c]` (`r`, `c` up to
/// `max_dim`) and a program of one to six steps.
fn case(max_dim: usize) -> impl Strategy<Value = (Vec<Tensor<f64>>, Vec<Step>)> {
    (1..=max_dim, 1..=max_dim, 1..=3usize).prop_flat_map(|(r, c, n)| {
        (
            proptest::collection::vec(tensor_f64(Just(Shape::matrix(r, c)), -1.5..1.5), n),
            proptest::collection::vec(step(), 1..=6),
        )
    })
}

/// What the program's values look like: how close the nearest kink
/// argument came to its kink without sitting on it, and the largest
/// magnitude.
struct Stats {
    kink_gap: f64,
    largest: f64,
}

impl Stats {
    fn new() -> Self {
        Stats {
            kink_gap: f64::INFINITY,
            largest: 0.0,
        }
    }

    /// Notes how close `values` come to `kinks` (exact hits excepted).
    fn near(&mut self, t: &Tape<f64>, v: Var, kinks: &[f64]) -> Result<()> {
        for &x in t.value(v)? {
            for &k in kinks {
                let d = (x - k).abs();
                if d > 0.0 {
                    self.kink_gap = self.kink_gap.min(d);
                }
            }
        }
        Ok(())
    }

    /// Notes how close `a` and `b` come to a tie (exact ties excepted).
    fn ties(&mut self, t: &Tape<f64>, a: Var, b: Var) -> Result<()> {
        for (x, y) in t.value(a)?.iter().zip(t.value(b)?) {
            let d = (x - y).abs();
            if d > 0.0 {
                self.kink_gap = self.kink_gap.min(d);
            }
        }
        Ok(())
    }
}

/// Records the program on `t` and returns the pool's last value.
fn run(t: &mut Tape<f64>, inputs: &[Var], program: &[Step], stats: &mut Stats) -> Result<Var> {
    let shape = t.shape(inputs[0])?;
    let (r, c) = shape.as_matrix().expect("inputs are matrices");
    let mut pool = inputs.to_vec();
    for &s in program {
        let pick = |i: usize| pool[i % pool.len()];
        let y = match s {
            Step::Binary(op, i, j) => binary_step(t, op, pick(i), pick(j), (r, c), stats)?,
            Step::Unary(op, i) => unary_step(t, op, pick(i), (r, c), stats)?,
        };
        debug_assert_eq!(t.shape(y)?, shape);
        pool.push(y);
    }
    for &v in &pool {
        for &x in t.value(v)? {
            stats.largest = stats.largest.max(x.abs());
        }
    }
    Ok(pool[pool.len() - 1])
}

fn binary_step(
    t: &mut Tape<f64>,
    op: Binary,
    a: Var,
    b: Var,
    (r, c): (usize, usize),
    stats: &mut Stats,
) -> Result<Var> {
    let scale = 1.0 / (r * c) as f64;
    match op {
        Binary::Add => t.add(a, b),
        Binary::Sub => t.sub(a, b),
        Binary::Mul => t.mul(a, b),
        Binary::SafeDiv => {
            let b2 = t.square(b)?;
            let d = t.add_scalar(b2, 1.0)?;
            t.div(a, d)
        }
        Binary::Minimum => {
            stats.ties(t, a, b)?;
            t.minimum(a, b)
        }
        Binary::Maximum => {
            stats.ties(t, a, b)?;
            t.maximum(a, b)
        }
        Binary::MulSign => {
            stats.near(t, b, &[0.0])?;
            let s = t.sign(b)?;
            t.mul(a, s)
        }
        Binary::ConcatSlice(k) => {
            let ab = t.concat_cols(a, b)?;
            let start = k % (c + 1);
            t.slice_cols(ab, start, start + c)
        }
        Binary::MatmulNt => {
            let abt = t.matmul_nt(a, b)?; // [r, r]
            let p = t.matmul(abt, a)?; // [r, c]
            t.mul_scalar(p, scale)
        }
        Binary::MatmulTn => {
            let atb = t.matmul_tn(a, b)?; // [c, c]
            let p = t.matmul(a, atb)?; // [r, c]
            t.mul_scalar(p, scale)
        }
        Binary::ScaleByColumnSums => {
            let s = t.sum_axis(b, 0)?; // [1, c]
            let s = t.broadcast_to(s, Shape::matrix(r, c))?;
            let p = t.mul(a, s)?;
            t.mul_scalar(p, 1.0 / r as f64)
        }
    }
}

fn unary_step(
    t: &mut Tape<f64>,
    op: Unary,
    a: Var,
    (r, c): (usize, usize),
    stats: &mut Stats,
) -> Result<Var> {
    let shape = Shape::matrix(r, c);
    match op {
        Unary::SafeExp => {
            let h = t.tanh(a)?;
            t.exp(h)
        }
        Unary::SafeLog => {
            let s = t.square(a)?;
            let s = t.add_scalar(s, 1.0)?;
            t.log(s)
        }
        Unary::SafeSqrt => {
            let s = t.square(a)?;
            let s = t.add_scalar(s, 0.5)?;
            t.sqrt(s)
        }
        Unary::SafePowf(p) => {
            let s = t.mul(a, a)?;
            let s = t.add_scalar(s, 0.5)?;
            t.powf(s, p)
        }
        Unary::Square => t.square(a),
        Unary::Tanh => t.tanh(a),
        Unary::Sigmoid => t.sigmoid(a),
        Unary::Relu => {
            stats.near(t, a, &[0.0])?;
            t.relu(a)
        }
        Unary::Relu6 => {
            let z = t.mul_scalar(a, 3.0)?;
            let z = t.add_scalar(z, 3.0)?;
            stats.near(t, z, &[0.0, 6.0])?;
            t.relu6(z)
        }
        Unary::Abs => {
            stats.near(t, a, &[0.0])?;
            t.abs(a)
        }
        Unary::Neg => t.neg(a),
        Unary::Clamp => {
            stats.near(t, a, &[-1.0, 1.5])?;
            t.clamp(a, -1.0, 1.5)
        }
        Unary::Affine(k, d) => {
            let z = t.mul_scalar(a, k)?;
            t.add_scalar(z, d)
        }
        Unary::TransposeReshape => {
            let z = t.transpose(a)?;
            t.reshape(z, shape)
        }
        Unary::RowMeans => {
            let m = t.mean_axis(a, 1)?;
            t.broadcast_to(m, shape)
        }
        Unary::ColumnProducts => {
            let p = t.prod_axis(a, 0)?;
            t.broadcast_to(p, shape)
        }
        Unary::Mean => {
            let m = t.mean(a)?;
            t.broadcast_to(m, shape)
        }
    }
}

/// Runs the program once on the unperturbed inputs and says whether the
/// case is usable (see the module documentation).
fn usable(inputs: &[Tensor<f64>], program: &[Step]) -> bool {
    let mut t = Tape::new();
    let vars: Vec<Var> = inputs.iter().map(|x| t.variable(x)).collect();
    let mut stats = Stats::new();
    run(&mut t, &vars, program, &mut stats).is_ok()
        && stats.kink_gap >= 1e-3
        && stats.largest <= 50.0
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_programs_match_central_differences((inputs, program) in case(3), ph in phase()) {
        prop_assume!(usable(&inputs, &program));
        assert_gradient(
            |t, v| {
                let y = run(t, v, &program, &mut Stats::new())?;
                weighted_sum(t, y, ph)
            },
            &inputs,
        )?;
    }

    #[test]
    fn random_programs_through_a_parameter_store((inputs, program) in case(3), ph in phase()) {
        prop_assume!(usable(&inputs, &program));
        let mut params = ParamStore::new();
        let ids = inputs
            .iter()
            .enumerate()
            .map(|(k, x)| params.add(format!("p{k}"), x.clone()))
            .collect::<Result<Vec<_>>>()?;
        assert_param_gradient(
            |t, p| {
                let vars = ids.iter().map(|&id| t.param(p, id)).collect::<Result<Vec<_>>>()?;
                let y = run(t, &vars, &program, &mut Stats::new())?;
                weighted_sum(t, y, ph)
            },
            &params,
            &CheckOptions::default(),
        )?;
    }

    #[test]
    fn random_programs_on_larger_inputs_pass_the_directional_check(
        (inputs, program) in case(8),
        ph in phase(),
        seed in any::<u64>(),
    ) {
        prop_assume!(usable(&inputs, &program));
        assert_directional(
            |t, v| {
                let y = run(t, v, &program, &mut Stats::new())?;
                weighted_sum(t, y, ph)
            },
            &inputs,
            &CheckOptions::default(),
            seed,
        )?;
    }
}
