//! Run records survive a JSON round trip, including those of diverged runs
//! whose curves hold NaN (JSON has no NaN; the command line must be able to
//! read back every record it wrote, or a sweep could not resume).

use arithgrad::experiment::{preset, run, RunRecord};

#[test]
fn records_with_nan_read_back() {
    let mut config = preset("toy").unwrap().cells[2].clone();
    config.iterations = 200;
    config.eval_every = 100;
    config.eval_rows = 50;
    let mut record = run(&config, 0, 1e-3).unwrap();
    record.curve[1].valid_mse = f64::NAN;
    record.curve[2].test_mse = f64::INFINITY;
    record.threshold = f64::NAN;
    let line = serde_json::to_string(&record).unwrap();
    let back: RunRecord = serde_json::from_str(&line).unwrap();
    assert!(back.curve[1].valid_mse.is_nan());
    // Infinity cannot be told from NaN after a trip through JSON; both
    // mean "not finite".
    assert!(!back.curve[2].test_mse.is_finite());
    assert!(back.threshold.is_nan());
    assert_eq!(back.curve[0], record.curve[0]);
    assert_eq!(back.key, record.key);
    assert_eq!(serde_json::to_string(&back).unwrap(), line);
}
