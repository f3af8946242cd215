//! The sparsity-error fit under `--compat published` against an independent
//! SciPy fit of the authors' R likelihood (beta density at x rather than 2x,
//! values clipped into [1e-16, 0.5 - 1e-16]), and the default fit unchanged.

use arithgrad::stats::{
    beta_mean, beta_mean_with, fit_beta, fit_beta_with, IntervalMethod, BETA_CLAMP_EPS,
};
use arithgrad::Compat;

/// `python3 tests/data/beta_published_reference.py` (numpy 2.4.6, scipy
/// 1.17.1): name, values, the R script's `mu`, its 95% profile-likelihood
/// interval, and the maximised `sum(dbeta(x, 2 mu v, (1 - 2 mu) v, log=TRUE))`.
#[allow(clippy::type_complexity)]
const SCIPY_REFERENCE: [(&str, &[f64], f64, f64, f64, f64); 5] = [
    (
        "five",
        &[0.01, 0.03, 0.02, 0.08, 0.05],
        1.899489988932e-02,
        1.019177438766e-02,
        4.020162406223e-02,
        1.211063080910e+01,
    ),
    (
        "sparsity-like",
        &[
            0.0021, 0.015, 0.0007, 0.0433, 0.0098, 0.0012, 0.025, 0.0061, 0.0004, 0.0189, 0.0077,
            0.033,
        ],
        6.784585899230e-03,
        3.674708254751e-03,
        1.445681556594e-02,
        3.991814104582e+01,
    ),
    (
        "wide",
        &[0.05, 0.12, 0.31, 0.22, 0.44, 0.09, 0.27, 0.18],
        1.048113235344e-01,
        6.800472806983e-02,
        1.603492651757e-01,
        6.300772538698e+00,
    ),
    (
        "above-half-clipped",
        &[0.01, 0.03, 0.02, 0.08, 0.7],
        6.777539054619e-02,
        2.458694400096e-02,
        1.899534941100e-01,
        5.637700407282e+00,
    ),
    (
        "zero-clipped",
        &[0.0, 0.004, 0.011, 0.002, 0.019, 0.007],
        3.506350720174e-03,
        6.672052207324e-04,
        6.227583463860e-02,
        4.360560035246e+01,
    ),
];

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

#[test]
fn published_fit_matches_scipy_on_the_r_likelihood() {
    for (name, values, mu, lower, upper, log_likelihood) in SCIPY_REFERENCE {
        let e = beta_mean_with(values, 0.95, Compat::Published).unwrap();
        let clamped = values
            .iter()
            .filter(|&&v| !(BETA_CLAMP_EPS..=0.5 - BETA_CLAMP_EPS).contains(&v))
            .count();
        assert_eq!(
            e.method,
            IntervalMethod::BetaProfileLikelihood { clamped },
            "{name}"
        );
        let value = e.value.unwrap();
        let iv = e.interval.unwrap();
        // The MLE to 1e-6; the interval ends to 1e-4 (the SciPy side
        // profiles with a bounded scalar search).
        assert!(close(value, mu, 1e-6), "{name}: mu {value} vs {mu}");
        assert!(
            close(iv.lower, lower, 1e-4),
            "{name}: lower {} vs {lower}",
            iv.lower
        );
        assert!(
            close(iv.upper, upper, 1e-4),
            "{name}: upper {} vs {upper}",
            iv.upper
        );
        let fit = fit_beta_with(values, Compat::Published).unwrap();
        assert!(close(fit.mean, mu, 1e-6), "{name}");
        assert!(
            (fit.log_likelihood - log_likelihood).abs() < 1e-7 * log_likelihood.abs().max(1.0),
            "{name}: log-likelihood {} vs {log_likelihood}",
            fit.log_likelihood
        );
    }
}

#[test]
fn default_fit_is_unchanged_and_differs_from_the_published_one() {
    for (name, values, mu, ..) in SCIPY_REFERENCE {
        let published = beta_mean_with(values, 0.95, Compat::Published).unwrap();
        let default = beta_mean_with(values, 0.95, Compat::Default).unwrap();
        // The explicit default mode is the plain function, bit for bit.
        assert_eq!(default, beta_mean(values, 0.95).unwrap(), "{name}");
        if values.iter().all(|&v| v <= 0.5) {
            assert_eq!(
                fit_beta_with(values, Compat::Default).unwrap(),
                fit_beta(values).unwrap()
            );
            // The published mean is about half the correct one.
            let d = default.value.unwrap();
            assert!(mu < 0.75 * d && mu > 0.25 * d, "{name}: {mu} vs {d}");
        } else {
            // A value above 0.5: the correct fit falls back to Student-t,
            // the published one clips it.
            assert!(
                matches!(default.method, IntervalMethod::StudentT { .. }),
                "{name}: {:?}",
                default.method
            );
            assert_ne!(default.method, published.method);
        }
    }
}
