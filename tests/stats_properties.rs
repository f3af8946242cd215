//! Property tests for `arithgrad::stats`: the fits never fail or silently
//! degrade on valid input, the intervals are ordered and nested, and the
//! gamma interval scales with the data.

use arithgrad::stats::{
    beta_mean, gamma_mean, t_quantile, wilson, Estimate, FallbackReason, IntervalMethod,
};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 96,
        ..ProptestConfig::default()
    }
}

/// Positive values spread over up to seven orders of magnitude.
fn positive_values() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((-4.0f64..12.0).prop_map(f64::exp), 2..40)
}

/// Values in [0, 0.5], a fair share of them exactly on the boundary.
fn half_unit_values() -> impl Strategy<Value = Vec<f64>> {
    let value = prop_oneof![
        6 => (-14.0f64..-0.7).prop_map(f64::exp), // 8e-7 .. 0.497
        1 => Just(0.0),
        1 => Just(0.5),
    ];
    prop::collection::vec(value, 2..40)
}

fn ordered(e: &Estimate, lo_bound: f64, hi_bound: f64) -> bool {
    let v = e.value.unwrap();
    let iv = e.interval.unwrap();
    lo_bound <= iv.lower && iv.lower <= v && v <= iv.upper && iv.upper <= hi_bound
}

fn contains(outer: &Estimate, inner: &Estimate) -> bool {
    let (o, i) = (outer.interval.unwrap(), inner.interval.unwrap());
    o.lower <= i.lower && i.upper <= o.upper
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gamma_fits_whenever_the_values_differ(values in positive_values()) {
        let e = gamma_mean(&values, 0.95).unwrap();
        if values.windows(2).all(|w| w[0] == w[1]) {
            prop_assert_eq!(e.method, IntervalMethod::StudentT { fallback: Some(FallbackReason::AllEqual) });
        } else {
            prop_assert_eq!(e.method, IntervalMethod::GammaProfileLikelihood);
            prop_assert!(ordered(&e, 0.0, f64::INFINITY));
            prop_assert!(e.interval.unwrap().lower > 0.0);
            let wider = gamma_mean(&values, 0.99).unwrap();
            prop_assert!(contains(&wider, &e));
        }
    }

    #[test]
    fn gamma_interval_scales_with_the_data(values in positive_values(), scale in 1e-3f64..1e3) {
        prop_assume!(values.windows(2).any(|w| w[0] != w[1]));
        let scaled: Vec<f64> = values.iter().map(|v| v * scale).collect();
        let (a, b) = (gamma_mean(&values, 0.95).unwrap(), gamma_mean(&scaled, 0.95).unwrap());
        let (ia, ib) = (a.interval.unwrap(), b.interval.unwrap());
        prop_assert!((ib.lower / (ia.lower * scale) - 1.0).abs() < 1e-9);
        prop_assert!((ib.upper / (ia.upper * scale) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn beta_fits_whenever_the_values_differ(values in half_unit_values()) {
        let e = beta_mean(&values, 0.95).unwrap();
        let clamp = |v: f64| v.clamp(1e-16, 0.5 - 1e-16);
        if values.windows(2).all(|w| clamp(w[0]) == clamp(w[1])) {
            prop_assert_eq!(e.method, IntervalMethod::StudentT { fallback: Some(FallbackReason::AllEqual) });
        } else {
            let clamped = values.iter().filter(|&&v| v == 0.0 || v == 0.5).count();
            prop_assert_eq!(e.method, IntervalMethod::BetaProfileLikelihood { clamped });
            prop_assert!(ordered(&e, 0.0, 0.5));
            let wider = beta_mean(&values, 0.99).unwrap();
            prop_assert!(contains(&wider, &e));
        }
    }

    #[test]
    fn wilson_is_ordered_and_nested(n in 1usize..2000, fraction in 0.0f64..=1.0) {
        let successes = (fraction * n as f64).round() as usize;
        let e = wilson(successes, n, 0.95).unwrap();
        prop_assert!(ordered(&e, 0.0, 1.0));
        prop_assert!(contains(&wilson(successes, n, 0.99).unwrap(), &e));
    }

    #[test]
    fn t_quantile_is_monotone_and_odd(p in 0.001f64..0.499, df in 1.0f64..200.0) {
        let t = t_quantile(p, df);
        prop_assert!(t < 0.0);
        prop_assert!((t + t_quantile(1.0 - p, df)).abs() < 1e-12 * t.abs());
        prop_assert!(t_quantile(p * 0.9, df) < t);
        prop_assert!(t_quantile(p, df * 1.1) > t, "heavier tails with fewer degrees of freedom");
    }
}
