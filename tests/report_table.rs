//! `report::Table`: grouping of run records into cells, the numbers against
//! `stats` directly, and the setting labels of the paper's presets.

use arithgrad::experiment::{preset, RunConfig, RunRecord, PRESET_NAMES};
use arithgrad::report::{setting, ReportRow, Table};
use arithgrad::stats::{beta_mean, gamma_mean, median, wilson, IntervalMethod};
use arithgrad::task::{Operation, TaskConfig};
use arithgrad::units::ModelKind;

mod error_expect;
use error_expect::invalid;

/// A run record with the given outcome (no curve, no judged weights).
fn record(
    config: &RunConfig,
    seed: u64,
    solved_at: Option<u64>,
    sparsity_error: Option<f64>,
) -> RunRecord {
    RunRecord {
        key: config.key(),
        config: config.clone(),
        seed,
        threshold: 2.5e-10,
        curve: Vec::new(),
        judged: None,
        solved: solved_at.is_some(),
        solved_at,
        sparsity_error,
        diverged: false,
        gates: [None, None],
        gates_test: [None, None],
        wall_time_s: 1.0,
        version: "test".into(),
    }
}

fn default_config(model: ModelKind, op: Operation) -> RunConfig {
    RunConfig::new(model.spec(100, 2), TaskConfig::new(op))
}

#[test]
fn seven_of_ten_matches_stats_directly() {
    let c = default_config(ModelKind::Nmu, Operation::Mul);
    let steps = [12_000u64, 30_000, 45_000, 9_000, 61_000, 18_000, 27_000];
    let sparsity = [0.004, 0.012, 0.0007, 0.02, 0.009, 0.003, 0.015];
    let mut records: Vec<RunRecord> = (0..7)
        .map(|i| record(&c, i, Some(steps[i as usize]), Some(sparsity[i as usize])))
        .collect();
    records.extend((7..10).map(|s| record(&c, s, None, None)));
    records[8].diverged = true;
    let table = Table::from_records(&records).unwrap();
    assert_eq!(table.cells().len(), 1);
    let row = &table.rows()[0];
    let w = wilson(7, 10, 0.95).unwrap();
    let interval = w.interval.unwrap();
    assert_eq!((row.runs, row.solved, row.diverged), (10, 7, 1));
    assert_eq!(row.success_rate, Some(0.7));
    assert_eq!(row.success_ci_low, Some(interval.lower));
    assert_eq!(row.success_ci_high, Some(interval.upper));
    assert_eq!(row.success_ci_method, "wilson");

    let at: Vec<f64> = steps.iter().map(|&s| s as f64).collect();
    let g = gamma_mean(&at, 0.95).unwrap();
    assert_eq!(row.solved_at_median, median(&at).unwrap());
    assert_eq!(row.solved_at_median, Some(27_000.0));
    assert_eq!(row.solved_at_mean, g.value);
    assert_eq!(row.solved_at_ci_low, g.interval.map(|i| i.lower));
    assert_eq!(row.solved_at_ci_high, g.interval.map(|i| i.upper));
    assert_eq!(row.solved_at_ci_method, "gamma_profile_likelihood");
    assert_eq!(row.solved_at_ci_reason, None);

    let b = beta_mean(&sparsity, 0.95).unwrap();
    assert_eq!(row.sparsity_error_mean, b.value);
    assert_eq!(row.sparsity_error_ci_low, b.interval.map(|i| i.lower));
    assert_eq!(row.sparsity_error_ci_high, b.interval.map(|i| i.upper));
    assert_eq!(row.sparsity_error_ci_method, "beta_profile_likelihood");
    assert_eq!(row.threshold, Some(2.5e-10));
    assert_eq!((row.model.as_str(), row.op.as_str()), ("nmu", "mul"));
    assert_eq!(row.setting, "");
    assert_eq!(row.confidence, 0.95);
    assert_eq!((row.gate_layer1_mean, row.gate_layer2_mean), (None, None));
}

#[test]
fn groups_by_key_in_order_of_appearance_and_drops_repeated_seeds() {
    let nmu = default_config(ModelKind::Nmu, Operation::Mul);
    let nau = default_config(ModelKind::Nau, Operation::Add);
    let records = vec![
        record(&nau, 0, Some(1000), Some(0.01)),
        record(&nmu, 0, None, None),
        record(&nau, 1, None, None),
        // Same key and seed as the first record: a repeat, ignored even
        // though its outcome differs.
        record(&nau, 0, None, None),
        record(&nmu, 1, Some(2000), Some(0.02)),
        record(&nmu, 1, Some(2000), Some(0.02)),
    ];
    let table = Table::from_records(&records).unwrap();
    assert_eq!(table.duplicates(), 2);
    let cells = table.cells();
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[0].key, nau.key());
    assert_eq!(cells[0].seeds, vec![0, 1]);
    assert_eq!((cells[0].summary.runs, cells[0].summary.solved), (2, 1));
    assert_eq!(cells[1].key, nmu.key());
    assert_eq!(cells[1].seeds, vec![0, 1]);
    assert_eq!((cells[1].summary.runs, cells[1].summary.solved), (2, 1));
    // Deterministic: the same records give the same rows.
    assert_eq!(Table::from_records(&records).unwrap().rows(), table.rows());
    assert!(Table::from_records(&[]).unwrap().cells().is_empty());
}

#[test]
fn thresholds_and_gates_per_cell() {
    let c = RunConfig::new(
        ModelKind::GatedNauNmu.spec(100, 2),
        TaskConfig::new(Operation::Mul),
    );
    let mut records: Vec<RunRecord> = (0..3).map(|s| record(&c, s, None, None)).collect();
    records[0].gates = [Some(0.2), Some(0.9)];
    records[1].gates = [Some(0.4), Some(0.6)];
    // The third run has no judged checkpoint, so no gate values.
    let table = Table::from_records(&records).unwrap();
    let row = &table.rows()[0];
    assert!((row.gate_layer1_mean.unwrap() - 0.3).abs() < 1e-15);
    assert!((row.gate_layer2_mean.unwrap() - 0.75).abs() < 1e-15);
    assert_eq!(row.threshold, Some(2.5e-10));

    records[2].threshold = 3e-10;
    let table = Table::from_records(&records).unwrap();
    assert_eq!(table.rows()[0].threshold, None);
    assert!(table.to_markdown().contains("mixed"));
}

#[test]
fn fallbacks_are_named() {
    let c = default_config(ModelKind::Nmu, Operation::Mul);
    // Every solved run at the same step and sparsity: the gamma and beta
    // fits are degenerate.
    let records: Vec<RunRecord> = (0..4)
        .map(|s| record(&c, s, Some(5000), Some(0.01)))
        .collect();
    let row = &Table::from_records(&records).unwrap().rows()[0];
    assert_eq!(row.solved_at_ci_method, "student_t");
    assert_eq!(row.solved_at_ci_reason.as_deref(), Some("all_equal"));
    assert_eq!(row.sparsity_error_ci_method, "student_t");
    assert_eq!(row.sparsity_error_ci_reason.as_deref(), Some("all_equal"));

    // Nothing solved: no values, no interval.
    let records: Vec<RunRecord> = (0..4).map(|s| record(&c, s, None, None)).collect();
    let row = &Table::from_records(&records).unwrap().rows()[0];
    assert_eq!(row.solved_at_mean, None);
    assert_eq!(row.solved_at_median, None);
    assert_eq!(row.solved_at_ci_method, "no_interval");
    assert_eq!(row.solved_at_ci_reason.as_deref(), Some("no_values"));
    assert_eq!(row.success_rate, Some(0.0));

    // Sparsity errors on the boundary: the beta fit moves them inside.
    let records = vec![
        record(&c, 0, Some(1000), Some(0.0)),
        record(&c, 1, Some(2000), Some(0.01)),
        record(&c, 2, Some(3000), Some(0.03)),
    ];
    let table = Table::from_records(&records).unwrap();
    assert_eq!(
        table.cells()[0].summary.sparsity_error_mean.method,
        IntervalMethod::BetaProfileLikelihood { clamped: 1 }
    );
    assert_eq!(
        table.rows()[0].sparsity_error_ci_method,
        "beta_profile_likelihood"
    );
    assert_eq!(table.rows()[0].sparsity_error_boundary_values, 1);
}

#[test]
fn non_finite_sparsity_is_an_error_naming_the_cell() {
    let c = default_config(ModelKind::Nmu, Operation::Mul);
    let records = vec![record(&c, 0, Some(1000), Some(f64::NAN))];
    let (name, err) = invalid(Table::from_records(&records));
    assert_eq!(name, "run records");
    assert!(
        err.contains("model=nmu") && err.contains("sparsity"),
        "{err}"
    );
}

/// The setting label of every cell of a preset, in order.
fn preset_settings(name: &str) -> Vec<String> {
    let p = preset(name).unwrap();
    let records: Vec<RunRecord> = p.cells.iter().map(|c| record(c, 0, None, None)).collect();
    let table = Table::from_records(&records).unwrap();
    assert_eq!(table.cells().len(), p.cells.len(), "{name}: cells merged");
    table.cells().iter().map(|c| c.setting.clone()).collect()
}

#[test]
fn setting_labels_of_the_presets() {
    // Per configuration: only what differs from the defaults.
    let hidden3 = RunConfig::new(ModelKind::Nmu.spec(100, 3), TaskConfig::new(Operation::Mul));
    assert_eq!(setting(&hidden3), "hidden=3");
    let mut few = default_config(ModelKind::Nau, Operation::Add);
    few.iterations = 2000;
    assert_eq!(setting(&few), "iterations=2000");

    // In a table, a parameter some row changes is shown on every row.
    let hidden = preset_settings("hidden-size");
    assert_eq!(hidden[0], "hidden=2");
    assert_eq!(hidden[5], "hidden=3");
    assert_eq!(hidden[44], "hidden=10");

    // Six models per input size; the iteration counts differ by size.
    let input = preset_settings("input-size");
    assert_eq!(input[0], "input_size=4 iterations=5000000");
    assert_eq!(input[6], "input_size=10 iterations=5000000");
    assert_eq!(input[36], "input_size=125 iterations=10000000");
    assert_eq!(input[83], "input_size=300 iterations=15000000");

    let ranges = preset_settings("ranges");
    assert_eq!(ranges[0], "interpolation=[-2,-1] extrapolation=[-6,-2]");
    assert_eq!(
        ranges[5],
        "interpolation=[-2,2] extrapolation=[-6,-2]u[2,6]"
    );
    assert_eq!(ranges[20], "interpolation=[1,2] extrapolation=[2,6]");

    assert_eq!(preset_settings("overlap")[6], "overlap_ratio=0.1");
    assert_eq!(preset_settings("subset")[0], "subset_ratio=0.05");

    let reg = preset_settings("regularizer");
    assert_eq!(reg[0], "lambda_hat=0");
    assert_eq!(reg[2], "lambda_hat=0.1");
    assert_eq!(reg[17], "lambda_hat=100");

    // Ablation: the model column names the W-clamp variant; the setting the
    // hidden size and whether the regularizer is on.
    let ablation = preset("ablation").unwrap();
    let ab = preset_settings("ablation");
    assert_eq!(ab[0], "hidden=2 lambda_hat=10");
    assert_eq!(ab[2], "hidden=2 lambda_hat=0");
    assert_eq!(
        ablation.cells[1].model.name(),
        "nau-no-w-clamp/nmu-no-w-clamp"
    );

    // The paper's tables use the defaults: no setting at all.
    for name in ["main-table", "all-ops", "gating"] {
        assert!(preset_settings(name).iter().all(String::is_empty), "{name}");
    }
    // The toy says so; its own input size and iterations are its defaults.
    assert!(preset_settings("toy").iter().all(|s| s == "toy"));

    // Every preset gives each cell its own (model, op, setting).
    for name in PRESET_NAMES {
        let p = preset(name).unwrap();
        let records: Vec<RunRecord> = p.cells.iter().map(|c| record(c, 0, None, None)).collect();
        let rows: Vec<ReportRow> = Table::from_records(&records).unwrap().rows();
        let mut labels: Vec<(String, String, String)> = rows
            .iter()
            .map(|r| (r.model.clone(), r.op.clone(), r.setting.clone()))
            .collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), rows.len(), "{name}: two rows look the same");
    }
}

#[test]
fn overridden_iterations_show_in_every_row() {
    // `reproduce --iterations` changes every cell.
    let mut cells = preset("toy").unwrap().cells;
    for c in &mut cells {
        c.iterations = 5000;
    }
    let records: Vec<RunRecord> = cells.iter().map(|c| record(c, 0, None, None)).collect();
    let table = Table::from_records(&records).unwrap();
    for c in table.cells() {
        assert_eq!(c.setting, "toy iterations=5000");
    }
}

#[test]
fn table_of_real_runs_read_back_from_json() {
    // A few short toy runs as a sweep writes them (JSON lines), then read
    // back: the table does not depend on the round trip.
    let mut config = RunConfig::new(ModelKind::Nmu.spec(4, 2), TaskConfig::toy());
    config.iterations = 2000;
    config.eval_every = 500;
    config.eval_rows = 500;
    let threshold = arithgrad::task::threshold(&config.task, 20_000, 0)
        .unwrap()
        .mse;
    let records: Vec<RunRecord> = (0..3)
        .map(|seed| arithgrad::experiment::run(&config, seed, threshold).unwrap())
        .collect();
    let text: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
    let back: Vec<RunRecord> = text
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let table = Table::from_records(&records).unwrap();
    let again = Table::from_records(&back).unwrap();
    assert_eq!(table.rows(), again.rows());
    let row = &table.rows()[0];
    assert_eq!((row.runs, row.model.as_str()), (3, "nmu"));
    assert_eq!(
        row.setting,
        "toy iterations=2000 eval_every=500 eval_rows=500"
    );
    assert_eq!(row.solved, records.iter().filter(|r| r.solved).count());
    assert_eq!(row.threshold, Some(threshold));
    assert_eq!(row.layout, "toy");
    assert_eq!((row.subset_ratio, row.overlap_ratio), (None, None));
}
