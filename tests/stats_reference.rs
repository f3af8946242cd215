//! Checks `arithgrad::stats` against reference numbers computed independently
//! with scipy and statsmodels by `tests/data/stats_reference.py` (see that
//! script for exactly how each number is obtained; rerun it to regenerate
//! `tests/data/stats_reference.json`).
//!
//! The tolerances sit one to two orders of magnitude above the differences
//! actually observed (a few ulp for the special functions; up to ~1e-12 for
//! the gamma fit and the profile intervals, ~3e-11 for the beta parameters,
//! where scipy's `beta.fit` solver is the less precise side), yet far below
//! what any wrong formula would produce.

use arithgrad::stats::{
    beta_mean, chi_square_1_quantile, digamma, fit_beta, fit_gamma, gamma_mean, ln_gamma,
    normal_quantile, student_t_mean, t_quantile, trigamma, wilson, IntervalMethod,
};
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("data/stats_reference.json")).expect("valid JSON")
}

fn num(v: &Value) -> f64 {
    v.as_f64().expect("a number")
}

fn values(v: &Value) -> Vec<f64> {
    v.as_array().expect("an array").iter().map(num).collect()
}

/// Asserts `|got - want| <= abs + rel |want|`.
#[track_caller]
fn close(what: &str, got: f64, want: f64, rel: f64, abs: f64) {
    let err = (got - want).abs();
    assert!(
        err <= abs + rel * want.abs(),
        "{what}: got {got:e}, want {want:e} (error {err:e}, relative {:e})",
        err / want.abs()
    );
}

#[test]
fn special_functions_match_scipy() {
    let r = reference();
    let s = &r["special"];
    let xs = values(&s["x"]);
    for (i, &x) in xs.iter().enumerate() {
        // ln Γ has zeros at 1 and 2, where only an absolute error makes sense.
        close(
            &format!("ln_gamma({x})"),
            ln_gamma(x),
            num(&s["ln_gamma"][i]),
            4e-15,
            1e-14,
        );
        close(
            &format!("digamma({x})"),
            digamma(x),
            num(&s["digamma"][i]),
            4e-15,
            1e-15,
        );
        close(
            &format!("trigamma({x})"),
            trigamma(x),
            num(&s["trigamma"][i]),
            4e-15,
            0.0,
        );
    }
    for case in s["normal_quantile"].as_array().unwrap() {
        let p = num(&case["p"]);
        close(
            &format!("normal_quantile({p})"),
            normal_quantile(p),
            num(&case["value"]),
            2e-15,
            0.0,
        );
    }
    for case in s["t_quantile"].as_array().unwrap() {
        let (p, df) = (num(&case["p"]), num(&case["df"]));
        let what = format!("t_quantile({p}, {df})");
        close(&what, t_quantile(p, df), num(&case["value"]), 1e-12, 0.0);
    }
    for case in s["chi_square_1"].as_array().unwrap() {
        let c = num(&case["confidence"]);
        close(
            &format!("chi2_1({c})"),
            chi_square_1_quantile(c),
            num(&case["value"]),
            5e-15,
            0.0,
        );
    }
    close(
        "critical value",
        chi_square_1_quantile(0.95),
        num(&r["critical"]),
        1e-15,
        0.0,
    );
}

#[test]
fn wilson_matches_statsmodels() {
    for case in reference()["wilson"].as_array().unwrap() {
        let successes = case["successes"].as_u64().unwrap() as usize;
        let n = case["n"].as_u64().unwrap() as usize;
        let confidence = num(&case["confidence"]);
        let e = wilson(successes, n, confidence).unwrap();
        assert_eq!(e.method, IntervalMethod::Wilson);
        assert_eq!(e.value, Some(successes as f64 / n as f64));
        let iv = e.interval.unwrap();
        let what = format!("wilson({successes}, {n}, {confidence})");
        close(&what, iv.lower, num(&case["lower"]), 0.0, 1e-15);
        close(&what, iv.upper, num(&case["upper"]), 0.0, 1e-15);
    }
}

#[test]
fn gamma_fit_and_profile_interval_match_scipy() {
    for case in reference()["gamma"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = values(&case["values"]);
        let fit = fit_gamma(&x).unwrap();
        close(
            &format!("{name} shape"),
            fit.shape,
            num(&case["shape"]),
            1e-11,
            0.0,
        );
        close(
            &format!("{name} scale"),
            fit.scale,
            num(&case["scale"]),
            1e-11,
            0.0,
        );
        close(
            &format!("{name} mean"),
            fit.mean,
            num(&case["mean"]),
            1e-14,
            0.0,
        );
        let ll = num(&case["log_likelihood"]);
        close(
            &format!("{name} log-likelihood"),
            fit.log_likelihood,
            ll,
            1e-12,
            0.0,
        );
        let e = gamma_mean(&x, 0.95).unwrap();
        assert_eq!(e.method, IntervalMethod::GammaProfileLikelihood, "{name}");
        assert_eq!(e.n, x.len());
        let iv = e.interval.unwrap();
        close(
            &format!("{name} lower"),
            iv.lower,
            num(&case["lower"]),
            1e-11,
            0.0,
        );
        close(
            &format!("{name} upper"),
            iv.upper,
            num(&case["upper"]),
            1e-11,
            0.0,
        );
    }
}

#[test]
fn beta_fit_and_profile_interval_match_scipy() {
    for case in reference()["beta"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = values(&case["values"]);
        let clamped = case["clamped"].as_u64().unwrap() as usize;
        let fit = fit_beta(&x).unwrap();
        assert_eq!(fit.clamped, clamped, "{name}");
        close(
            &format!("{name} alpha"),
            fit.alpha,
            num(&case["alpha"]),
            1e-9,
            0.0,
        );
        close(
            &format!("{name} beta"),
            fit.beta,
            num(&case["beta"]),
            1e-9,
            0.0,
        );
        close(
            &format!("{name} mean"),
            fit.mean,
            num(&case["mean"]),
            1e-9,
            0.0,
        );
        let ll = num(&case["log_likelihood"]);
        close(
            &format!("{name} log-likelihood"),
            fit.log_likelihood,
            ll,
            1e-12,
            0.0,
        );
        let e = beta_mean(&x, 0.95).unwrap();
        assert_eq!(
            e.method,
            IntervalMethod::BetaProfileLikelihood { clamped },
            "{name}"
        );
        let iv = e.interval.unwrap();
        close(
            &format!("{name} lower"),
            iv.lower,
            num(&case["lower"]),
            1e-11,
            0.0,
        );
        close(
            &format!("{name} upper"),
            iv.upper,
            num(&case["upper"]),
            1e-11,
            0.0,
        );
    }
}

#[test]
fn student_t_interval_matches_scipy() {
    for case in reference()["student_t"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = values(&case["values"]);
        let e = student_t_mean(&x, num(&case["confidence"])).unwrap();
        assert_eq!(e.method, IntervalMethod::StudentT { fallback: None });
        close(
            &format!("{name} mean"),
            e.value.unwrap(),
            num(&case["mean"]),
            1e-15,
            0.0,
        );
        let iv = e.interval.unwrap();
        close(
            &format!("{name} lower"),
            iv.lower,
            num(&case["lower"]),
            1e-13,
            0.0,
        );
        close(
            &format!("{name} upper"),
            iv.upper,
            num(&case["upper"]),
            1e-13,
            0.0,
        );
    }
}
