//! Exact solutions of the units of the wider family (iNALU, G-NALU, the NPU
//! family) on the single-module benchmark's ranges: with their ideal
//! weights, each unit computes `x1 op x2` on samples of all nine training
//! and test ranges, to the precision its formula allows, or a test below
//! says which operations it cannot compute and why.
//!
//! Precision: a path through `exp(log ...)` rounds twice, so products and
//! quotients are checked to a relative error of `1e-13`; sums through a
//! matrix product are exact. (The benchmark's thresholds allow a relative
//! error of about `2e-5`.)

use arithgrad::random::Rng;
use arithgrad::units::{GNalu, Inalu, InaluInit, NaiveNpu, Npu, RealNpu, Unit};
use arithgrad::{ParamStore, Shape, Tape, Tensor};

/// The nine range pairs of the single-module benchmark (Mistry et al.
/// 2022): training range, then the test range as one or two intervals.
/// An interval `[lo, hi)`.
type Interval = (f64, f64);

const RANGES: [(Interval, &[Interval]); 9] = [
    ((-20.0, -10.0), &[(-40.0, -20.0)]),
    ((-2.0, -1.0), &[(-6.0, -2.0)]),
    ((-1.2, -1.1), &[(-6.1, -1.2)]),
    ((-0.2, -0.1), &[(-2.0, -0.2)]),
    ((-2.0, 2.0), &[(-6.0, -2.0), (2.0, 6.0)]),
    ((0.1, 0.2), &[(0.2, 2.0)]),
    ((1.0, 2.0), &[(2.0, 6.0)]),
    ((1.1, 1.2), &[(1.2, 6.0)]),
    ((10.0, 20.0), &[(20.0, 40.0)]),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Op {
    fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            Op::Add => a + b,
            Op::Sub => a - b,
            Op::Mul => a * b,
            Op::Div => a / b,
        }
    }
}

const ROWS: usize = 500;

/// Samples of every interval of every range pair (training and test),
/// `ROWS` rows each, as `(range label, x)`.
fn samples() -> Vec<(String, Tensor<f64>)> {
    let mut rng = Rng::seed_from_u64(2022);
    let mut out = Vec::new();
    for (train, test) in RANGES {
        for &(lo, hi) in std::iter::once(&train).chain(test.iter()) {
            let x = Tensor::from_fn(Shape::matrix(ROWS, 2), |_| rng.uniform(lo, hi));
            out.push((format!("U[{lo}, {hi}]"), x));
        }
    }
    out
}

fn run<U: Unit>(unit: &U, params: &ParamStore<f64>, x: &Tensor<f64>) -> Vec<f64> {
    let mut tape = Tape::new();
    let xv = tape.constant(x);
    let z = unit.apply(&mut tape, params, xv).unwrap();
    tape.value(z).unwrap().to_vec()
}

/// Asserts `z[b] = x1 op x2` for every row, exactly (`tol = 0`) or to a
/// relative error `tol`.
fn assert_computes(z: &[f64], x: &Tensor<f64>, op: Op, tol: f64, what: &str) {
    assert_computes_to(z, x, op, |_| tol, what)
}

/// As [`assert_computes`], with a tolerance per row.
fn assert_computes_to(z: &[f64], x: &Tensor<f64>, op: Op, tol: impl Fn(&[f64]) -> f64, what: &str) {
    for (b, row) in x.data().chunks(2).enumerate() {
        let tol = tol(row);
        let want = op.apply(row[0], row[1]);
        let err = (z[b] - want).abs();
        assert!(
            err <= tol * want.abs(),
            "{what} {op:?}: x = {row:?}: got {}, want {want} (relative error {:e})",
            z[b],
            err / want.abs()
        );
    }
}

/// The exponents of `x1 op x2` as a power product, for mul and div.
fn exponents(op: Op) -> [f64; 2] {
    match op {
        Op::Mul => [1.0, 1.0],
        Op::Div => [1.0, -1.0],
        _ => unreachable!("not a power product"),
    }
}

#[test]
fn inalu_computes_all_four_operations_on_every_range() {
    let mut p = ParamStore::new();
    let u = Inalu::new(
        &mut p,
        "inalu",
        2,
        1,
        InaluInit::Benchmark,
        &mut Rng::seed_from_u64(0),
    )
    .unwrap();
    // tanh(30) = 1 and sigmoid(40) = 1 exactly in f64; sigmoid(+-800) is
    // exactly 1 or 0.
    for op in [Op::Add, Op::Sub, Op::Mul, Op::Div] {
        let (path_hat, path_m, other_hat, gate) = match op {
            Op::Add => ([30.0, 30.0], u.a_m(), u.m_hat(), 800.0),
            Op::Sub => ([30.0, -30.0], u.a_m(), u.m_hat(), 800.0),
            Op::Mul => ([30.0, 30.0], u.m_m(), u.a_hat(), -800.0),
            Op::Div => ([30.0, -30.0], u.m_m(), u.a_hat(), -800.0),
        };
        let hat = if matches!(op, Op::Add | Op::Sub) {
            u.a_hat()
        } else {
            u.m_hat()
        };
        p.set(hat, &path_hat).unwrap();
        p.set(path_m, &[40.0, 40.0]).unwrap();
        // The unused path: any weights (its output is multiplied by 0).
        p.set(other_hat, &[0.3, -0.2]).unwrap();
        p.set(u.gate_weight(), &[gate]).unwrap();
        for (label, x) in samples() {
            let z = run(&u, &p, &x);
            let tol = if matches!(op, Op::Add | Op::Sub) {
                0.0
            } else {
                1e-13
            };
            assert_computes(&z, &x, op, tol, &format!("inalu on {label}"));
        }
    }
}

#[test]
fn inalu_exponent_cap_limits_products_to_e_to_the_20() {
    // The cap is part of the unit: products above e^20 (about 4.85e8) are
    // cut. None of the benchmark's ranges comes near it (largest |x1 x2| is
    // 1,600), which the test above covers.
    let mut p = ParamStore::new();
    let u = Inalu::new(
        &mut p,
        "inalu",
        2,
        1,
        InaluInit::Benchmark,
        &mut Rng::seed_from_u64(0),
    )
    .unwrap();
    p.set(u.m_hat(), &[30.0, 30.0]).unwrap();
    p.set(u.m_m(), &[40.0, 40.0]).unwrap();
    p.set(u.gate_weight(), &[-800.0]).unwrap();
    let x = Tensor::from_vec(Shape::matrix(1, 2), vec![1e5, -1e5]).unwrap();
    let z = run(&u, &p, &x);
    assert!((z[0] + 20f64.exp()).abs() < 1e-6 * 20f64.exp(), "{z:?}");
}

#[test]
fn power_units_multiply_and_divide_on_every_range() {
    for op in [Op::Mul, Op::Div] {
        let w = exponents(op);
        let mut p = ParamStore::new();
        let npu = Npu::new(&mut p, "npu", 2, 1, &mut Rng::seed_from_u64(0)).unwrap();
        p.set(npu.w_re(), &w).unwrap();
        p.set(npu.w_im(), &[0.0, 0.0]).unwrap();
        p.set(npu.gate(), &[1.0, 1.0]).unwrap();
        let real = RealNpu::new(&mut p, "real_npu", 2, 1, &mut Rng::seed_from_u64(0)).unwrap();
        p.set(real.w_re(), &w).unwrap();
        p.set(real.gate(), &[1.0, 1.0]).unwrap();
        let naive = NaiveNpu::new(&mut p, "naive_npu", 2, 1, &mut Rng::seed_from_u64(0)).unwrap();
        p.set(naive.w_re(), &w).unwrap();
        p.set(naive.w_im(), &[0.0, 0.0]).unwrap();
        // The NPU and RealNPU take log(|x| + eps), eps = 2.2e-16: a relative
        // error of eps / |x| per input on top of the rounding.
        let gated = |r: &[f64]| 1e-13 + f64::EPSILON * (1.0 / r[0].abs() + 1.0 / r[1].abs());
        for (label, x) in samples() {
            let z = run(&npu, &p, &x);
            assert_computes_to(&z, &x, op, gated, &format!("npu on {label}"));
            let z = run(&real, &p, &x);
            assert_computes_to(&z, &x, op, gated, &format!("real-npu on {label}"));
            assert_computes(
                &run(&naive, &p, &x),
                &x,
                op,
                1e-13,
                &format!("naive-npu on {label}"),
            );
        }
    }
}

#[test]
fn power_units_get_the_sign_exactly_in_f32_too() {
    // cos(pi k W) with exact argument reduction: the sign factor is exactly
    // +-1, so an f32 product is as accurate as exp(log) allows.
    let mut p = ParamStore::<f32>::new();
    let npu = Npu::new(&mut p, "npu", 2, 1, &mut Rng::seed_from_u64(0)).unwrap();
    p.set(npu.w_re(), &[1.0, 1.0]).unwrap();
    p.set(npu.gate(), &[1.0, 1.0]).unwrap();
    let x = Tensor::from_vec(
        Shape::matrix(3, 2),
        vec![-3.0f32, 4.0, -3.0, -4.0, 3.0, 4.0],
    )
    .unwrap();
    let mut tape = Tape::new();
    let xv = tape.constant(&x);
    let z = npu.apply(&mut tape, &p, xv).unwrap();
    let z = tape.value(z).unwrap();
    for (got, want) in z.iter().zip([-12.0f32, 12.0, 12.0]) {
        assert!(
            (got - want).abs() <= 4.0 * f32::EPSILON * 12.0,
            "{got} vs {want}"
        );
    }
}

#[test]
fn power_units_cannot_add_or_subtract() {
    // A power unit computes prod_i x_i^{W_i} (times a gate-selected 1): a
    // monomial. x1 + x2 and x1 - x2 are not monomials, so no weights can
    // give them; the closest candidates, integer exponents in {-1, 0, 1}
    // with the gate open or shut, all miss by a wide margin on [1, 2].
    let x = Tensor::from_vec(Shape::matrix(3, 2), vec![1.0, 2.0, 1.5, 1.25, 2.0, 1.1]).unwrap();
    for op in [Op::Add, Op::Sub] {
        for w1 in [-1.0, 0.0, 1.0] {
            for w2 in [-1.0, 0.0, 1.0] {
                for g in [[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]] {
                    let mut p = ParamStore::new();
                    let npu = Npu::new(&mut p, "npu", 2, 1, &mut Rng::seed_from_u64(0)).unwrap();
                    p.set(npu.w_re(), &[w1, w2]).unwrap();
                    p.set(npu.gate(), &g).unwrap();
                    let z = run(&npu, &p, &x);
                    let worst = x
                        .data()
                        .chunks(2)
                        .zip(&z)
                        .map(|(r, z)| (z - op.apply(r[0], r[1])).abs())
                        .fold(0.0, f64::max);
                    assert!(worst > 0.05, "{op:?} with W = [{w1}, {w2}], g = {g:?}");
                }
            }
        }
    }
}

/// G-NALU weights: `tanh(ln(phi) * 80) = 1` and `sigmoid(ln(phi) * 100) = 1`
/// exactly in f64.
fn set_g_nalu(p: &mut ParamStore<f64>, u: &GNalu, w: [f64; 2], gate: [f64; 2]) {
    p.set(u.nac_params().w_hat, &[80.0 * w[0], 80.0 * w[1]])
        .unwrap();
    p.set(u.nac_params().m_hat, &[100.0, 100.0]).unwrap();
    p.set(u.gate_weight(), &gate).unwrap();
}

#[test]
fn g_nalu_computes_each_operation_where_its_design_allows() {
    // The gate sigmoid(ln(phi) G x) depends on x: with G = c [1, 1] it is
    // exactly 1 (or 0) only where x1 + x2 keeps one sign, so the mixed range
    // U[-2, 2] (and its test range, which has both signs) is skipped here
    // (see the test below). The multiplicative path is the NAC*'s
    // exp(W log(|x| + 1e-7)): no sign (fine where x1 and x2 share one, as in
    // every other range), and a relative error of about 1e-7 / |x| from
    // its eps.
    let mut p = ParamStore::new();
    let u = GNalu::new(&mut p, "g_nalu", 2, 1, &mut Rng::seed_from_u64(0)).unwrap();
    for op in [Op::Add, Op::Sub, Op::Mul, Op::Div] {
        for (label, x) in samples() {
            let positive = x.data()[0] > 0.0;
            if x.data().iter().any(|v| (*v > 0.0) != positive) {
                continue; // mixed signs
            }
            let open = if positive { 2000.0 } else { -2000.0 };
            let (w, gate, tol) = match op {
                Op::Add => ([1.0, 1.0], [open, open], 0.0),
                Op::Sub => ([1.0, -1.0], [open, open], 0.0),
                Op::Mul => ([1.0, 1.0], [-open, -open], 2e-6),
                Op::Div => ([1.0, -1.0], [-open, -open], 2e-6),
            };
            set_g_nalu(&mut p, &u, w, gate);
            assert_computes(&run(&u, &p, &x), &x, op, tol, &format!("g-nalu on {label}"));
        }
    }
}

#[test]
fn g_nalu_cannot_select_a_path_on_inputs_of_both_signs() {
    // On U[-2, 2] the gate of x1 + x2 = 0 is 1/2 whatever G is: a mix of
    // both paths, so no weight choice computes the sum there.
    let mut p = ParamStore::new();
    let u = GNalu::new(&mut p, "g_nalu", 2, 1, &mut Rng::seed_from_u64(0)).unwrap();
    let x = Tensor::from_vec(Shape::matrix(1, 2), vec![1.5, -1.5]).unwrap();
    for c in [-2000.0, -1.0, 0.0, 1.0, 2000.0] {
        set_g_nalu(&mut p, &u, [1.0, 1.0], [c, c]);
        let z = run(&u, &p, &x)[0];
        // a = 0, m = 2.25: the mix gives 1.125, not 0.
        assert!((z - 1.125).abs() < 1e-6, "G = {c}: {z}");
    }
}
