//! The single-module tables: units by ranges, per operation.

use arithgrad::experiment::{RunConfig, RunRecord};
use arithgrad::report::{grids_csv, grids_latex, grids_markdown, Table};
use arithgrad::task::{single_module_range, Operation, TaskConfig};
use arithgrad::units::{ModelKind, ModelSpec, UnitKind};

fn records(unit: UnitKind, op: Operation, range: &str, solved: usize) -> Vec<RunRecord> {
    let (train, test) = single_module_range(range).unwrap();
    let config = RunConfig::new(
        ModelSpec::single(unit, 2),
        TaskConfig::single_module(op, train, test),
    );
    (0..4)
        .map(|seed| RunRecord {
            key: config.key(),
            config: config.clone(),
            seed,
            threshold: 1e-9,
            curve: Vec::new(),
            judged: None,
            solved: (seed as usize) < solved,
            solved_at: ((seed as usize) < solved).then_some(1000),
            sparsity_error: ((seed as usize) < solved).then_some(0.0),
            diverged: false,
            gates: [None, None],
            gates_test: [None, None],
            wall_time_s: 0.0,
            version: "test".into(),
        })
        .collect()
}

#[test]
fn one_grid_per_operation_units_by_ranges() {
    let mut all = Vec::new();
    all.extend(records(UnitKind::Nau, Operation::Add, "[1,2]", 4));
    all.extend(records(UnitKind::Nau, Operation::Add, "[-2,2]", 2));
    all.extend(records(UnitKind::NacAdd, Operation::Add, "[1,2]", 1));
    all.extend(records(UnitKind::Nmru, Operation::Div, "[10,20]", 3));
    // A cell of the arithmetic task is not part of any grid.
    let other = RunConfig::new(ModelKind::Nmu.spec(100, 2), TaskConfig::new(Operation::Mul));
    let mut r = records(UnitKind::Nau, Operation::Add, "[1,2]", 0).remove(0);
    r.key = other.key();
    r.config = other;
    all.push(r);
    let table = Table::from_records(&all).unwrap();
    let grids = table.range_grids();
    assert_eq!(grids.len(), 2);
    let add = &grids[0];
    assert_eq!(add.op, "add");
    assert_eq!(add.units, ["nau", "nac-add"]);
    // Benchmark order, unused ranges dropped.
    assert_eq!(add.ranges, ["[-2,2]", "[1,2]"]);
    let e = add.entries[0][0].unwrap();
    assert_eq!((e.runs, e.solved, e.rate), (4, 2, 0.5));
    let (lo, hi) = e.interval.unwrap();
    assert!(lo < 0.5 && hi > 0.5);
    assert!(add.entries[1][0].is_none());
    assert_eq!(
        add.entries[1][1].unwrap().text().split(' ').next(),
        Some("25")
    );
    assert_eq!(grids[1].op, "div");

    let md = grids_markdown(&grids);
    assert!(md.contains("| nac-add | -- | 25 ["), "{md}");
    assert!(md.contains("### div"));
    let csv = grids_csv(&grids);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("op,unit,\"[-2,2]\",\"[-2,2] low\""));
    assert_eq!(lines[1].split(',').count(), 2 + 3 * 2);
    assert!(
        lines[2].starts_with("add,nac-add,,,,0.25,0.0"),
        "{}",
        lines[2]
    );
    let tex = grids_latex(&grids);
    assert_eq!(tex.matches("\\begin{tabular}").count(), 2);
    assert!(tex.contains("nac-add & -- & 25 ["), "{tex}");
}
