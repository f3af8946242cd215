//! The random streams every result depends on, pinned to known answers
//! from an independent implementation (tests/data/random_reference.py):
//! `Rng::seed_from_u64`, `Rng::stream`, `uniform`, `normal`, and
//! `LaneRng`'s stream split, raw blocks and both uniform fills.

use arithgrad::random::{LaneRng, Rng};
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("data/random_reference.json")).unwrap()
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

#[test]
fn seed_from_u64_matches() {
    for case in reference()["seed_from_u64"].as_array().unwrap() {
        let mut r = Rng::seed_from_u64(case["seed"].as_u64().unwrap());
        let got: Vec<u64> = (0..4).map(|_| r.next_u64()).collect();
        assert_eq!(got, u64s(&case["u64"]), "seed {}", case["seed"]);
    }
}

#[test]
fn stream_split_matches() {
    for case in reference()["stream"].as_array().unwrap() {
        let (seed, stream) = (
            case["seed"].as_u64().unwrap(),
            case["stream"].as_u64().unwrap(),
        );
        let mut r = Rng::stream(seed, stream);
        let got: Vec<u64> = (0..4).map(|_| r.next_u64()).collect();
        assert_eq!(got, u64s(&case["u64"]), "seed {seed} stream {stream}");
    }
}

#[test]
fn uniform_matches_bit_for_bit() {
    for case in reference()["uniform"].as_array().unwrap() {
        let mut r = Rng::seed_from_u64(case["seed"].as_u64().unwrap());
        let (lo, hi) = (case["lo"].as_f64().unwrap(), case["hi"].as_f64().unwrap());
        let got: Vec<u64> = (0..5).map(|_| r.uniform(lo, hi).to_bits()).collect();
        assert_eq!(got, u64s(&case["bits"]), "{case}");
    }
}

#[test]
fn normal_matches() {
    // Box-Muller calls ln, sqrt and cos; Python and Rust both use the
    // platform's libm, which may differ from another platform's in the last
    // bit, so this allows a relative 1e-14 (the draws themselves are exact).
    for case in reference()["normal"].as_array().unwrap() {
        let mut r = Rng::seed_from_u64(case["seed"].as_u64().unwrap());
        for want in case["values"].as_array().unwrap() {
            let (got, want) = (r.normal(), want.as_f64().unwrap());
            assert!(
                (got - want).abs() <= 1e-14 * want.abs().max(1.0),
                "{got} vs {want}"
            );
        }
    }
}

#[test]
fn lane_stream_split_blocks_and_fills_match() {
    for case in reference()["lanes"].as_array().unwrap() {
        let (seed, stream) = (
            case["seed"].as_u64().unwrap(),
            case["stream"].as_u64().unwrap(),
        );
        let mut lanes = LaneRng::stream(seed, stream);
        for want in case["blocks"].as_array().unwrap() {
            let got: Vec<u64> = lanes.next_block().iter().map(|&b| b as u64).collect();
            assert_eq!(got, u64s(want), "seed {seed} stream {stream}");
        }
        let mut f32s = vec![0f32; 20];
        LaneRng::stream(seed, stream).fill_uniform_f32(&mut f32s, 1.0, 2.0);
        let got: Vec<u64> = f32s.iter().map(|x| x.to_bits() as u64).collect();
        assert_eq!(got, u64s(&case["f32_1_2_bits"]));
        let mut f64s = vec![0f64; 20];
        LaneRng::stream(seed, stream).fill_uniform_f64(&mut f64s, -6.0, 6.0);
        let got: Vec<u64> = f64s.iter().map(|x| x.to_bits()).collect();
        assert_eq!(got, u64s(&case["f64_m6_6_bits"]));
    }
}
