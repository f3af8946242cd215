//! `report::Table`'s outputs: Markdown, CSV, LaTeX and JSON lines.

use arithgrad::experiment::{preset, RunConfig, RunRecord};
use arithgrad::report::{ReportRow, Table};
use arithgrad::stats::wilson;
use arithgrad::task::{Operation, TaskConfig};
use arithgrad::units::{Model, ModelKind, SavedModel};

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

/// Four cells of the hidden-size sweep with different kinds of results:
/// a usual one, one where nothing is solved, one with a single solved run
/// (no interval) and one where every solved run is identical (Student-t
/// fallback); the last two have gates.
fn sample_records() -> Vec<RunRecord> {
    let mul =
        |m: ModelKind, hidden| RunConfig::new(m.spec(100, hidden), TaskConfig::new(Operation::Mul));
    let nmu = mul(ModelKind::Nmu, 2);
    let nac = mul(ModelKind::NacMul, 3);
    let nalu = mul(ModelKind::Nalu, 2);
    let gated = mul(ModelKind::GatedNauNmu, 2);
    let mut out = Vec::new();
    let steps = [
        1_200_000u64,
        1_350_000,
        980_000,
        2_100_000,
        1_500_000,
        1_420_000,
        1_610_000,
    ];
    let sparsity = [4e-5, 7e-5, 1.2e-4, 3e-5, 5e-5, 9e-5, 6e-5];
    for s in 0..10u64 {
        let i = s as usize;
        out.push(record(
            &nmu,
            s,
            steps.get(i).copied(),
            sparsity.get(i).copied(),
        ));
    }
    for s in 0..10 {
        let mut r = record(&nac, s, None, None);
        r.diverged = s % 3 == 0;
        out.push(r);
    }
    for s in 0..10 {
        let mut r = record(
            &nalu,
            s,
            (s == 4).then_some(77_000),
            (s == 4).then_some(0.12),
        );
        r.gates = [Some(0.5 + 0.01 * s as f64), Some(0.1)];
        out.push(r);
    }
    for s in 0..10 {
        let mut r = record(&gated, s, (s < 5).then_some(3000), (s < 5).then_some(0.001));
        r.gates = [None, Some(0.95)];
        out.push(r);
    }
    out
}

fn sample_table() -> Table {
    Table::from_records(&sample_records()).unwrap()
}

/// Splits CSV text into records of fields (RFC 4180: quoted fields may hold
/// commas, doubled quotes and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
        } else {
            match c {
                '"' => {
                    assert!(field.is_empty(), "quote inside an unquoted field");
                    quoted = true;
                }
                ',' => record.push(std::mem::take(&mut field)),
                '\n' => {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                _ => field.push(c),
            }
        }
    }
    assert!(!quoted, "unterminated quote");
    assert!(field.is_empty() && record.is_empty(), "no final line break");
    records
}

#[test]
fn csv_is_tidy_and_reads_back() {
    let table = sample_table();
    let csv = table.to_csv();
    let records = parse_csv(&csv);
    assert_eq!(records.len(), 1 + table.cells().len());
    assert_eq!(records[0], ReportRow::FIELDS);
    for r in &records {
        assert_eq!(r.len(), ReportRow::FIELDS.len());
    }
    let col = |name: &str| ReportRow::FIELDS.iter().position(|f| *f == name).unwrap();
    let rows = table.rows();
    for (line, row) in records[1..].iter().zip(&rows) {
        // The key holds commas (`[1,2]`), so it must have been quoted.
        assert_eq!(line[col("key")], row.key);
        assert_eq!(line[col("model")], row.model);
        assert_eq!(line[col("runs")].parse::<usize>().unwrap(), row.runs);
        // Full precision: numbers read back bit for bit.
        let number = |name: &str| {
            let text = &line[col(name)];
            (!text.is_empty()).then(|| text.parse::<f64>().unwrap())
        };
        assert_eq!(number("success_rate"), row.success_rate);
        assert_eq!(number("success_ci_low"), row.success_ci_low);
        assert_eq!(number("solved_at_mean"), row.solved_at_mean);
        assert_eq!(number("solved_at_ci_high"), row.solved_at_ci_high);
        assert_eq!(number("sparsity_error_ci_low"), row.sparsity_error_ci_low);
        assert_eq!(number("threshold"), row.threshold);
        assert_eq!(number("gate_layer1_mean"), row.gate_layer1_mean);
    }
    assert!(csv.contains(",\"[1,2]\",\"[2,6]\","), "ranges are quoted");
    // Nothing solved: empty fields, not zeros or NaN.
    let nac = &records[2];
    assert_eq!(nac[col("solved_at_mean")], "");
    assert_eq!(nac[col("solved_at_ci_method")], "no_interval");
    assert_eq!(nac[col("solved_at_ci_reason")], "no_values");
    assert_eq!(nac[col("diverged")], "4");
    let w = wilson(7, 10, 0.95).unwrap().interval.unwrap();
    assert_eq!(
        records[1][col("success_ci_high")].parse::<f64>().unwrap(),
        w.upper
    );
}

#[test]
fn markdown_names_methods_and_marks_fallbacks() {
    let md = sample_table().to_markdown();
    let lines: Vec<&str> = md.lines().collect();
    // Header, rule, four rows, each with the same number of columns.
    let columns = lines[0].matches(" |").count();
    for line in &lines[..6] {
        assert!(line.starts_with('|') && line.ends_with('|'), "{line}");
        assert_eq!(line.matches(" |").count(), columns, "{line}");
    }
    assert!(lines[0].contains("setting") && lines[0].contains("gate 1"));
    assert!(lines[2].contains("| nmu ") && lines[2].contains("hidden=2"));
    assert!(lines[2].contains("0.70 ["), "{}", lines[2]);
    assert!(lines[2].contains("1.42M"), "median solved-at: {}", lines[2]);
    assert!(lines[3].contains("hidden=3") && lines[3].contains("–"));
    // The usual methods are named once, for the whole table.
    assert!(md.contains("95% confidence intervals. Success: Wilson score interval;"));
    assert!(md.contains("solved at (mean): gamma maximum likelihood, profile-likelihood interval"));
    assert!(md.contains(
        "sparsity error (mean): beta maximum likelihood on [0, 0.5], profile-likelihood interval"
    ));
    // The single solved NALU run: no interval, marked; the gated cell's
    // identical runs: Student-t fallbacks, marked.
    assert!(lines[4].contains("77k†"), "{}", lines[4]);
    assert!(md.contains("\n† no interval (only one value)\n"), "{md}");
    assert!(lines[5].contains("3k [3k, 3k]‡"), "{}", lines[5]);
    assert!(
        md.contains("\n‡ Student-t interval (fallback: all values are equal)"),
        "{md}"
    );
}

#[test]
fn markdown_without_settings_or_gates_drops_those_columns() {
    let p = preset("main-table").unwrap();
    let records: Vec<RunRecord> = p.cells[..3]
        .iter()
        .map(|c| record(c, 0, Some(5000), Some(0.01)))
        .collect();
    let md = Table::from_records(&records).unwrap().to_markdown();
    let header = md.lines().next().unwrap();
    assert!(
        !header.contains("setting") && !header.contains("gate"),
        "{header}"
    );
    // Three single solved runs: one mark, shared by both statistics.
    assert!(
        md.contains("† no interval (only one value)") && !md.contains('‡'),
        "{md}"
    );
    assert!(!md.contains("gamma"), "no gamma fit was made: {md}");
    assert!(
        md.contains("95% confidence intervals. Success: Wilson score interval.\n"),
        "{md}"
    );
}

#[test]
fn latex_is_a_booktabs_tabular_with_escaped_text() {
    let p = preset("subset").unwrap();
    let mut records: Vec<RunRecord> = p.cells[..2]
        .iter()
        .flat_map(|c| {
            (0..3).map(move |s| record(c, s, Some(1000 * (s + 1)), Some(0.01 * (s + 1) as f64)))
        })
        .collect();
    records.extend(sample_records());
    let tex = Table::from_records(&records).unwrap().to_latex();
    assert!(tex.contains("\\begin{tabular}{lllrrrrrrrrr}"), "{tex}");
    for rule in ["\\toprule", "\\midrule", "\\bottomrule", "\\end{tabular}"] {
        assert_eq!(tex.matches(rule).count(), 1, "{rule}");
    }
    // Underscores of the setting are escaped; nothing is left unescaped.
    assert!(tex.contains("subset\\_ratio=0.05"), "{tex}");
    assert!(!tex.contains("subset_ratio"));
    assert!(tex.contains("95\\% confidence"));
    assert!(tex.contains("$77\\mathrm{k}^{\\dagger}$"), "{tex}");
    assert!(
        tex.contains("$[3\\mathrm{k}, 3\\mathrm{k}]^{\\ddagger}$"),
        "{tex}"
    );
    // Intervals in math mode, compact numbers as math.
    assert!(tex.contains("$0.70$ $[0.40, 0.89]$"), "{tex}");
    assert!(tex.contains("$1.42\\mathrm{M}$"), "{tex}");
    assert!(tex.contains("\\times10^{-5}"), "{tex}");
    assert!(
        tex.contains("$^{\\dagger}$ no interval (only one value)"),
        "{tex}"
    );
    assert!(tex.contains("$^{\\ddagger}$"), "{tex}");
    // Every body row has as many cells as the header.
    let body: Vec<&str> = tex
        .lines()
        .skip_while(|l| !l.starts_with("\\midrule"))
        .skip(1)
        .take_while(|l| !l.starts_with("\\bottomrule"))
        .collect();
    assert_eq!(body.len(), 6);
    for line in body {
        assert_eq!(line.matches(" & ").count(), 11, "{line}");
        assert!(line.ends_with(" \\\\"));
    }
}

#[test]
fn judged_weights_do_not_change_the_table() {
    // A record as `experiment::run` writes it, with judged weights.
    let config = RunConfig::new(ModelKind::Nmu.spec(4, 2), TaskConfig::toy());
    let model = Model::<f64>::from_seed(config.model, 1).unwrap();
    let weights: SavedModel<f64> = model.save();
    let mut with = record(&config, 0, Some(4000), Some(0.02));
    with.judged = Some(arithgrad::experiment::Judged {
        step: 4000,
        valid_mse: 1e-12,
        test_mse: 1e-11,
        sparsity_error: 0.02,
        weights,
    });
    let without = record(&config, 0, Some(4000), Some(0.02));
    let a = Table::from_records(&[with]).unwrap();
    let b = Table::from_records(&[without]).unwrap();
    assert_eq!(a.rows(), b.rows());
    assert_eq!(a.to_csv(), b.to_csv());
}

#[cfg(feature = "cli")]
#[test]
fn json_lines_have_every_documented_field() {
    let table = sample_table();
    let text = table.to_json_lines().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    let required = [
        "model",
        "op",
        "runs",
        "solved",
        "success_rate",
        "success_ci_low",
        "success_ci_high",
        "solved_at_median",
        "solved_at_mean",
        "solved_at_ci_low",
        "solved_at_ci_high",
        "sparsity_error_mean",
        "sparsity_error_ci_low",
        "sparsity_error_ci_high",
        "setting",
        "diverged",
        "threshold",
        "success_ci_method",
        "solved_at_ci_method",
        "sparsity_error_ci_method",
        "gate_layer1_mean",
        "gate_layer2_mean",
    ];
    for (line, row) in lines.iter().zip(table.rows()) {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let object = value.as_object().unwrap();
        for key in required {
            assert!(object.contains_key(key), "missing {key}");
        }
        // The documented order is the serialised order.
        assert_eq!(object.len(), ReportRow::FIELDS.len());
        let positions: Vec<usize> = ReportRow::FIELDS
            .iter()
            .map(|f| line.find(&format!("\"{f}\":")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{line}");
        assert_eq!(value["success_rate"].as_f64(), row.success_rate);
        assert_eq!(value["solved_at_ci_low"].as_f64(), row.solved_at_ci_low);
    }
    let nac: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert!(nac["solved_at_mean"].is_null() && nac["gate_layer1_mean"].is_null());
    assert_eq!(nac["solved_at_ci_reason"], "no_values");
    let gated: serde_json::Value = serde_json::from_str(lines[3]).unwrap();
    assert_eq!(gated["gate_layer2_mean"], 0.95);
    assert_eq!(gated["solved_at_ci_method"], "student_t");
    assert_eq!(gated["solved_at_ci_reason"], "all_equal");
}
