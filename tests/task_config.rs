//! The task's parameters: validation errors name the parameter, every spec
//! preset is accepted, text and serde forms round-trip, cache keys are stable.

use arithgrad::task::{Layout, Operation, Range, TaskConfig};
use arithgrad::Error;
use proptest::prelude::*;

fn error_of(config: &TaskConfig) -> (String, String) {
    match config.validate() {
        Err(Error::InvalidArgument { name, reason }) => (name.to_string(), reason),
        other => panic!("expected an InvalidArgument error for {config:?}, got {other:?}"),
    }
}

fn with(change: impl FnOnce(&mut TaskConfig)) -> TaskConfig {
    let mut c = TaskConfig::default();
    change(&mut c);
    c
}

#[test]
fn defaults_are_the_spec_defaults() {
    let c = TaskConfig::default();
    assert_eq!(c.input_size, 100);
    assert_eq!((c.subset_ratio, c.overlap_ratio), (0.25, 0.5));
    assert_eq!(c.interpolation_range.to_string(), "[1,2]");
    assert_eq!(c.extrapolation_range.to_string(), "[2,6]");
    assert_eq!((c.operation, c.layout), (Operation::Mul, Layout::Subsets));
    assert_eq!((c.subset_size(), c.overlap_size()), (25, 12));
    c.validate().unwrap();

    let toy = TaskConfig::toy();
    assert_eq!(
        (toy.input_size, toy.layout, toy.operation),
        (4, Layout::Toy, Operation::Mul)
    );
    toy.validate().unwrap();
}

#[test]
fn each_bad_parameter_is_an_error_naming_it() {
    let cases: Vec<(TaskConfig, &str, &str)> = vec![
        (with(|c| c.input_size = 0), "input_size", "at least 1"),
        (with(|c| c.subset_ratio = f64::NAN), "subset_ratio", "NaN"),
        (
            with(|c| c.subset_ratio = f64::INFINITY),
            "subset_ratio",
            "inf",
        ),
        (with(|c| c.subset_ratio = 0.0), "subset_ratio", "(0, 1]"),
        (with(|c| c.subset_ratio = -0.25), "subset_ratio", "(0, 1]"),
        (with(|c| c.subset_ratio = 1.5), "subset_ratio", "(0, 1]"),
        (
            with(|c| c.subset_ratio = 0.001),
            "subset_ratio",
            "subset floor(0.001 * 100) = 0 is empty",
        ),
        (with(|c| c.overlap_ratio = f64::NAN), "overlap_ratio", "NaN"),
        (with(|c| c.overlap_ratio = -0.1), "overlap_ratio", "[0, 1]"),
        (with(|c| c.overlap_ratio = 1.01), "overlap_ratio", "[0, 1]"),
        (
            with(|c| c.subset_ratio = 0.75),
            "input_size",
            "a and b need 113 positions (subset 75, overlap 37) but input size is 100",
        ),
        (
            with(|c| {
                c.input_size = 9;
                c.subset_ratio = 0.6; // subset floor(5.4) = 5
                c.overlap_ratio = 0.0; // overlap 0: a and b need 10 > 9
            }),
            "input_size",
            "need 10 positions",
        ),
        (
            with(|c| {
                c.operation = Operation::Root;
                c.interpolation_range = Range::new(-2.0, 2.0).unwrap();
            }),
            "interpolation_range",
            "root",
        ),
        (
            with(|c| {
                c.operation = Operation::Root;
                c.extrapolation_range = Range::union(-6.0, -2.0, 2.0, 6.0).unwrap();
            }),
            "extrapolation_range",
            "negative",
        ),
        (
            TaskConfig {
                input_size: 5,
                ..TaskConfig::toy()
            },
            "input_size",
            "exactly 4 inputs, got 5",
        ),
    ];
    for (config, name, fragment) in cases {
        let (got_name, reason) = error_of(&config);
        assert_eq!(got_name, name, "{config:?}: {reason}");
        assert!(
            reason.contains(fragment),
            "{config:?}: `{reason}` lacks `{fragment}`"
        );
        // Every consumer validates first, and returns validation's error.
        let expected = Some(config.validate().unwrap_err());
        assert_eq!(config.positions(0).err(), expected, "{config:?}");
        assert_eq!(
            arithgrad::task::Task::new(config.clone(), 0).err(),
            expected,
            "{config:?}"
        );
        assert_eq!(
            arithgrad::task::threshold(&config, 10, 0).err(),
            expected,
            "{config:?}"
        );
    }
}

#[test]
fn ranges_parsed_for_a_parameter_name_it() {
    for text in ["[2,1]", "[1,1]", "[nan,2]", "[1,2]u[3]", "abc"] {
        let msg = Range::parse("interpolation_range", text)
            .unwrap_err()
            .to_string();
        assert!(
            msg.starts_with("invalid interpolation_range:"),
            "{text}: {msg}"
        );
    }
    // Deserializing a config names the field too.
    let mut json = serde_json::to_value(TaskConfig::default()).unwrap();
    json["extrapolation_range"] = "[6,2]".into();
    let msg = serde_json::from_value::<TaskConfig>(json)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("extrapolation_range") && msg.contains("inverted"),
        "{msg}"
    );
}

#[test]
fn every_spec_preset_is_valid() {
    let ranges = [
        ("[-2,-1]", "[-6,-2]"),
        ("[-2,2]", "[-6,-2]u[2,6]"),
        ("[0,1]", "[1,5]"),
        ("[0.1,0.2]", "[0.2,2]"),
        ("[1,2]", "[2,6]"),
        ("[1.1,1.2]", "[1.2,6]"),
        ("[10,20]", "[20,40]"),
    ];
    for (interp, extrap) in ranges {
        let c = with(|c| {
            c.interpolation_range = interp.parse().unwrap();
            c.extrapolation_range = extrap.parse().unwrap();
        });
        c.validate().unwrap();
    }
    for n in [
        4, 10, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 275, 300,
    ] {
        with(|c| c.input_size = n).validate().unwrap();
    }
    for overlap in [0.0, 0.1, 0.25, 0.5, 0.75, 1.0] {
        with(|c| c.overlap_ratio = overlap).validate().unwrap();
    }
    for subset in [0.05, 0.1, 0.25, 0.5] {
        with(|c| c.subset_ratio = subset).validate().unwrap();
    }
    for op in Operation::ALL {
        TaskConfig::new(op).validate().unwrap();
        TaskConfig {
            operation: op,
            ..TaskConfig::toy()
        }
        .validate()
        .unwrap();
    }
}

#[test]
fn sizes_follow_the_floors_of_the_reference_code() {
    // n = 4: subset floor(1.0) = 1, overlap floor(0.5) = 0.
    let c = with(|c| c.input_size = 4);
    assert_eq!((c.subset_size(), c.overlap_size()), (1, 0));
    // The overlap is a fraction of the subset, not of n.
    let c = with(|c| {
        c.input_size = 300;
        c.subset_ratio = 0.05;
        c.overlap_ratio = 0.25;
    });
    assert_eq!((c.subset_size(), c.overlap_size()), (15, 3));
    let p = c.unshifted_positions().unwrap();
    assert_eq!((p.a, p.b), (0..15, 12..27));
}

#[test]
fn serde_round_trip_and_readable_json() {
    let mut c = TaskConfig::new(Operation::Div);
    c.extrapolation_range = Range::union(-6.0, -2.0, 2.0, 6.0).unwrap();
    let json = serde_json::to_string(&c).unwrap();
    assert!(
        json.contains(r#""extrapolation_range":"[-6,-2]u[2,6]""#),
        "{json}"
    );
    assert!(json.contains(r#""operation":"div""#), "{json}");
    assert_eq!(serde_json::from_str::<TaskConfig>(&json).unwrap(), c);
    // `layout` may be omitted: it defaults to the subsets task.
    let mut value = serde_json::to_value(&c).unwrap();
    value.as_object_mut().unwrap().remove("layout");
    assert_eq!(serde_json::from_value::<TaskConfig>(value).unwrap(), c);
    let toy = TaskConfig::toy();
    let back: TaskConfig = serde_json::from_str(&serde_json::to_string(&toy).unwrap()).unwrap();
    assert_eq!(back, toy);
}

#[test]
fn display_names_the_parameters() {
    assert_eq!(
        TaskConfig::default().to_string(),
        "mul n=100 subset_ratio=0.25 overlap_ratio=0.5 [1,2] -> [2,6]"
    );
    assert_eq!(TaskConfig::toy().to_string(), "mul toy n=4 [1,2] -> [2,6]");
}

#[test]
fn cache_keys_are_stable_and_separate_configs() {
    let c = TaskConfig::default();
    assert_eq!(
        c.cache_key(),
        "task-v1 subsets n=100 subset_ratio=0.25 overlap_ratio=0.5 interpolation=[1,2] \
         extrapolation=[2,6] op=mul"
    );
    // The hash is FNV-1a 64 of the key (value computed independently in
    // Python), pinned so that it cannot drift between versions or machines.
    let pinned = c.cache_hash();
    assert_eq!(pinned, 0x538a_7916_d978_58a9);
    let variants = [
        with(|c| c.input_size = 101),
        with(|c| c.subset_ratio = 0.26),
        with(|c| c.overlap_ratio = 0.25),
        with(|c| c.interpolation_range = Range::new(1.0, 2.5).unwrap()),
        with(|c| c.extrapolation_range = Range::union(-6.0, -2.0, 2.0, 6.0).unwrap()),
        with(|c| c.operation = Operation::Add),
        TaskConfig::toy(),
    ];
    let mut keys: Vec<String> = variants.iter().map(TaskConfig::cache_key).collect();
    keys.push(c.cache_key());
    let mut hashes: Vec<u64> = variants.iter().map(TaskConfig::cache_hash).collect();
    hashes.push(pinned);
    keys.sort();
    keys.dedup();
    hashes.sort();
    hashes.dedup();
    assert_eq!((keys.len(), hashes.len()), (8, 8));
    // The toy's key ignores the ratios it does not use.
    let toy_other = TaskConfig {
        subset_ratio: 0.1,
        ..TaskConfig::toy()
    };
    assert_eq!(toy_other.cache_key(), TaskConfig::toy().cache_key());
    assert_eq!(
        TaskConfig::toy().cache_key(),
        "task-v1 toy n=4 interpolation=[1,2] extrapolation=[2,6] op=mul"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn range_text_round_trips(lo in -1e6f64..1e6, width in 1e-9f64..1e6, gap in 0f64..10.0,
                              width2 in 1e-9f64..1e3, union in any::<bool>()) {
        let r = if union {
            Range::union(lo, lo + width, lo + width + gap, lo + width + gap + width2)
        } else {
            Range::new(lo, lo + width)
        };
        // Rounding can make lo + width == lo for huge lo and tiny width.
        if let Ok(r) = r {
            let back: Range = r.to_string().parse().unwrap();
            prop_assert_eq!(back, r);
            let json = serde_json::to_string(&r).unwrap();
            prop_assert_eq!(serde_json::from_str::<Range>(&json).unwrap(), r);
        }
    }
}
