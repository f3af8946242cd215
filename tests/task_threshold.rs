//! The success threshold (docs/protocol.md, section 4) against an independent numpy
//! simulation and against closed forms.

use arithgrad::task::{threshold, Operation, Range, TaskConfig, Threshold};

/// `python3 tests/data/threshold_reference.py` (numpy 2.4.6, PCG64, 4,000,000
/// samples per configuration, seed 20200101 + row index): name, mean of
/// `(y_eps - y_exact)^2`, and its Monte-Carlo standard error.
const NUMPY_REFERENCE: [(&str, f64, f64); 16] = [
    ("default-add", 1.604003178e-05, 7.957e-10),
    ("default-sub", 1.386245979e-08, 9.695e-12),
    ("default-mul", 1.605643555e-01, 9.283e-06),
    ("default-div", 5.808722128e-12, 4.464e-15),
    ("default-squared", 1.600137283e-01, 9.272e-06),
    ("default-root", 1.010072185e-08, 7.744e-13),
    ("toy-add", 2.666894986e-08, 5.264e-12),
    ("toy-sub", 2.666704466e-08, 5.263e-12),
    ("toy-mul", 2.157240048e-06, 9.753e-10),
    ("toy-div", 6.243140773e-10, 3.576e-13),
    ("toy-squared", 2.950908518e-05, 8.282e-09),
    ("toy-root", 4.000212315e-10, 2.888e-14),
    ("mul-union", 2.190969433e-04, 2.942e-07),
    ("add-union", 5.128109340e-07, 3.605e-10),
    ("sub-n25-subset0.5-overlap0", 1.280764222e-08, 8.954e-12),
    ("mul-10-20-to-20-40", 5.070367532e+02, 1.953e-02),
];

/// The configuration behind each reference name (mirrors CONFIGS in the
/// Python script).
fn config(name: &str) -> TaskConfig {
    let op = |s: &str| s.parse::<Operation>().unwrap();
    let range = |s: &str| s.parse::<Range>().unwrap();
    if let Some(o) = name.strip_prefix("default-") {
        return TaskConfig::new(op(o));
    }
    if let Some(o) = name.strip_prefix("toy-") {
        return TaskConfig {
            operation: op(o),
            ..TaskConfig::toy()
        };
    }
    let mut c = TaskConfig::default();
    match name {
        "mul-union" => {
            c.interpolation_range = range("[-2,2]");
            c.extrapolation_range = range("[-6,-2]u[2,6]");
        }
        "add-union" => {
            c.operation = Operation::Add;
            c.extrapolation_range = range("[-6,-2]u[2,6]");
        }
        "sub-n25-subset0.5-overlap0" => {
            c.operation = Operation::Sub;
            c.input_size = 25;
            c.subset_ratio = 0.5;
            c.overlap_ratio = 0.0;
        }
        "mul-10-20-to-20-40" => {
            c.interpolation_range = range("[10,20]");
            c.extrapolation_range = range("[20,40]");
        }
        _ => panic!("unknown reference configuration {name}"),
    }
    c
}

/// Samples for the Rust side: about 5e6 drawn inputs per configuration
/// (50,000 samples at n = 100), capped at 200,000, so that the whole file
/// runs in seconds even unoptimised.
fn samples_for(config: &TaskConfig) -> usize {
    (5_000_000 / config.input_size).min(200_000)
}

/// Both estimates are means of i.i.d. terms, so their difference is
/// approximately normal with variance se_rust² + se_numpy² (central limit
/// theorem; the smallest sample here is 50,000). Five combined standard
/// errors: a false alarm has probability ~6e-7 per configuration, while a
/// wrong formula (an ε of 2e-5, a missed overlap, an off-by-one position)
/// moves the threshold by far more.
fn assert_agrees(name: &str, rust: Threshold, mean: f64, se: f64) {
    let combined = (rust.standard_error.powi(2) + se.powi(2)).sqrt();
    let gap = (rust.mse - mean).abs();
    assert!(
        gap <= 5.0 * combined,
        "{name}: rust {:.6e} ± {:.1e} vs numpy {mean:.6e} ± {se:.1e}: {:.1} standard errors apart",
        rust.mse,
        rust.standard_error,
        gap / combined
    );
    // The Monte-Carlo errors themselves must be of the same size, relative
    // to the sample counts (a check on the standard-error formula).
    let expected_se = se * (4_000_000.0 / rust.samples as f64).sqrt();
    let ratio = rust.standard_error / expected_se;
    assert!(
        (0.7..1.4).contains(&ratio),
        "{name}: standard error ratio {ratio}"
    );
}

fn check(prefix_filter: impl Fn(&str) -> bool) {
    for (name, mean, se) in NUMPY_REFERENCE.iter().filter(|r| prefix_filter(r.0)) {
        let c = config(name);
        let rust = threshold(&c, samples_for(&c), 0).unwrap();
        assert_agrees(name, rust, *mean, *se);
    }
}

#[test]
fn default_task_matches_numpy_for_every_operation() {
    check(|name| name.starts_with("default-"));
}

#[test]
fn toy_matches_numpy_for_every_operation() {
    check(|name| name.starts_with("toy-"));
}

#[test]
fn other_configurations_match_numpy() {
    check(|name| !name.starts_with("default-") && !name.starts_with("toy-"));
}

#[test]
fn add_and_sub_match_their_closed_forms() {
    // With S the sum of all inputs, da = ε(S - 2a), db = ε(S - 2b).
    // Default task, U[2,6] (mean 4, variance 4/3):
    //   add: da + db = 2ε(rest - overlap), rest = 62 inputs in neither sum,
    //        overlap = the 12 shared ones: E = 4ε²((62·4 - 12·4)² + 74·4/3).
    //   sub: da - db = 2ε(b only - a only), 13 inputs each:
    //        E = 4ε²(26·4/3).
    // Toy: add: -2ε·b with b = x1 + x2: E = 4ε²(8² + 2·4/3); sub: -2ε(x3 + x4): same.
    let eps2 = 1e-10;
    let cases = [
        (
            TaskConfig::new(Operation::Add),
            4.0 * eps2 * (200.0f64.powi(2) + 74.0 * 4.0 / 3.0),
        ),
        (
            TaskConfig::new(Operation::Sub),
            4.0 * eps2 * (26.0 * 4.0 / 3.0),
        ),
        (
            TaskConfig {
                operation: Operation::Add,
                ..TaskConfig::toy()
            },
            4.0 * eps2 * (64.0 + 8.0 / 3.0),
        ),
        (
            TaskConfig {
                operation: Operation::Sub,
                ..TaskConfig::toy()
            },
            4.0 * eps2 * (64.0 + 8.0 / 3.0),
        ),
    ];
    for (c, exact) in cases {
        let t = threshold(&c, samples_for(&c), 1).unwrap();
        let z = (t.mse - exact) / t.standard_error;
        assert!(
            z.abs() < 5.0,
            "{c}: {:.6e} vs exact {exact:.6e} (z = {z:.1})",
            t.mse
        );
    }
}

#[test]
fn thresholds_are_bit_identical_for_the_same_arguments() {
    for c in [
        TaskConfig::default(),
        config("mul-union"),
        TaskConfig::toy(),
    ] {
        let a = threshold(&c, 2_000, 42).unwrap();
        let b = threshold(&c, 2_000, 42).unwrap();
        assert_eq!(a.mse.to_bits(), b.mse.to_bits());
        assert_eq!(a.standard_error.to_bits(), b.standard_error.to_bits());
        assert_ne!(a.mse, threshold(&c, 2_000, 43).unwrap().mse);
    }
}

#[test]
fn threshold_depends_on_the_extrapolation_range_only() {
    // Only the extrapolation range enters the simulation.
    let base = TaskConfig::new(Operation::Mul);
    let other = TaskConfig {
        interpolation_range: "[0.1,0.2]".parse().unwrap(),
        ..base.clone()
    };
    let (a, b) = (
        threshold(&base, 500, 3).unwrap(),
        threshold(&other, 500, 3).unwrap(),
    );
    assert_eq!(a.mse, b.mse);
    // A wider extrapolation range raises the mul threshold (larger a, b).
    let wider = TaskConfig {
        extrapolation_range: "[2,12]".parse().unwrap(),
        ..base
    };
    assert!(threshold(&wider, 500, 3).unwrap().mse > 4.0 * a.mse);
}
