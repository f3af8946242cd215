//! The figures (feature `plot`): the SVG parses, holds its panels, legend
//! and one marker per point; the markers and whiskers, read back from the
//! SVG and mapped through the axes, sit where the report's values are; the
//! SVG renders to a picture that is not blank; the learning curves mark
//! the solved-at step.
#![cfg(feature = "plot")]

use arithgrad::experiment::{judge, EvalPoint, RunConfig, RunRecord};
use arithgrad::plot::{
    curves_figure, summary_figure, CurveOptions, Figure, FigureOptions, Metric, Panel, Parameter,
};
use arithgrad::report::{ReportRow, Table};
use arithgrad::task::{Operation, TaskConfig};
use arithgrad::units::ModelKind;

mod error_expect;
use error_expect::invalid;

const MODELS: [ModelKind; 3] = [ModelKind::Nmu, ModelKind::NacMul, ModelKind::Nalu];
const HIDDEN: [usize; 5] = [2, 3, 4, 5, 6];
const SEEDS: u64 = 10;

/// Solved runs out of 10 for each model (row) and hidden size (column):
/// every rate from 0 to 1, a cell with no solved run and cells with one.
const SOLVED: [[u64; 5]; 3] = [[10, 9, 7, 6, 4], [1, 3, 5, 8, 2], [0, 2, 10, 1, 6]];

fn record(config: &RunConfig, seed: u64, solved: bool, scale: f64) -> RunRecord {
    RunRecord {
        key: config.key(),
        config: config.clone(),
        seed,
        threshold: 1e-6,
        curve: Vec::new(),
        judged: None,
        solved,
        // Spread-out positive values, so every cell with two or more solved
        // runs gets an interval.
        solved_at: solved.then_some((1000.0 * scale * (1.0 + seed as f64 * 0.7)) as u64),
        sparsity_error: solved.then_some(1e-3 * scale * (1.0 + seed as f64 * 0.9)),
        diverged: false,
        gates: [None, None],
        gates_test: [None, None],
        wall_time_s: 0.0,
        version: "0.3.0".into(),
    }
}

/// A hidden-size sweep of 3 models x 5 sizes with known success counts.
fn sweep_records() -> Vec<RunRecord> {
    let mut records = Vec::new();
    for (m, model) in MODELS.iter().enumerate() {
        for (h, &hidden) in HIDDEN.iter().enumerate() {
            let config = RunConfig::new(model.spec(100, hidden), TaskConfig::new(Operation::Mul));
            for seed in 0..SEEDS {
                let scale = (1 + m + h) as f64;
                records.push(record(&config, seed, seed < SOLVED[m][h], scale));
            }
        }
    }
    records
}

/// A drawn shape's centre and fill or stroke colour.
struct Shape {
    centre: (f64, f64),
    colour: String,
}

fn attr(node: &roxmltree::Node, name: &str) -> f64 {
    node.attribute(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .parse()
        .unwrap()
}

fn points(node: &roxmltree::Node) -> Vec<(f64, f64)> {
    node.attribute("points")
        .unwrap()
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

/// Every filled marker (circle, rectangle, polygon) with its centre.
fn markers(doc: &roxmltree::Document) -> Vec<Shape> {
    let mut out = Vec::new();
    for n in doc.descendants() {
        let Some(fill) = n.attribute("fill").filter(|f| f.starts_with('#')) else {
            continue;
        };
        let centre = match n.tag_name().name() {
            "circle" => (attr(&n, "cx"), attr(&n, "cy")),
            "rect" => (
                attr(&n, "x") + attr(&n, "width") / 2.0,
                attr(&n, "y") + attr(&n, "height") / 2.0,
            ),
            "polygon" => {
                let p = points(&n);
                let (x0, x1) = p
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(a, b), q| (a.min(q.0), b.max(q.0)));
                let (y0, y1) = p
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(a, b), q| (a.min(q.1), b.max(q.1)));
                ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
            }
            _ => continue,
        };
        out.push(Shape {
            centre,
            colour: fill.to_string(),
        });
    }
    out
}

/// Every two-point vertical polyline (a whisker): x, the two y ends, colour.
fn whiskers(doc: &roxmltree::Document) -> Vec<(f64, f64, f64, String)> {
    doc.descendants()
        .filter(|n| n.tag_name().name() == "polyline")
        .filter_map(|n| {
            let p = points(&n);
            (p.len() == 2 && p[0].0 == p[1].0 && p[0].1 != p[1].1).then(|| {
                (
                    p[0].0,
                    p[0].1.max(p[1].1),
                    p[0].1.min(p[1].1),
                    n.attribute("stroke").unwrap().to_string(),
                )
            })
        })
        .collect()
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.tag_name().name() == "text")
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

/// The value of `metric` in `row`, and its interval.
fn value(row: &ReportRow, metric: Metric) -> (Option<f64>, Option<f64>, Option<f64>) {
    match metric {
        Metric::SuccessRate => (row.success_rate, row.success_ci_low, row.success_ci_high),
        Metric::SolvedAt => (
            row.solved_at_mean,
            row.solved_at_ci_low,
            row.solved_at_ci_high,
        ),
        Metric::SparsityError => (
            row.sparsity_error_mean,
            row.sparsity_error_ci_low,
            row.sparsity_error_ci_high,
        ),
        Metric::Mse => unreachable!(),
    }
}

fn draw() -> (Vec<ReportRow>, Figure) {
    let rows = Table::from_records(&sweep_records()).unwrap().rows();
    let figure = summary_figure(&rows, &FigureOptions::default()).unwrap();
    (rows, figure)
}

#[test]
fn the_svg_parses_and_holds_three_panels_a_legend_and_axis_titles() {
    let (rows, figure) = draw();
    let doc = roxmltree::Document::parse(&figure.svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert_eq!(figure.x, Parameter::Hidden);
    let metrics: Vec<Metric> = figure.panels.iter().map(|p| p.metric).collect();
    assert_eq!(
        metrics,
        [Metric::SuccessRate, Metric::SolvedAt, Metric::SparsityError]
    );
    // Stacked: same x pixels, one below the other.
    for pair in figure.panels.windows(2) {
        assert_eq!(pair[0].x_pixels, pair[1].x_pixels);
        assert!(pair[0].y_pixels.0 < pair[1].y_pixels.1);
    }
    assert!(figure.panels[1].y.log && figure.panels[2].y.log && !figure.panels[0].y.log);
    let texts = texts(&doc);
    for label in ["nmu", "nac-mul", "nalu"] {
        assert!(
            texts.iter().any(|t| t == label),
            "legend entry {label} missing"
        );
    }
    for title in [
        "hidden size",
        "success rate",
        "solved at (iteration)",
        "sparsity error",
    ] {
        assert!(
            texts.iter().any(|t| t == title),
            "axis title {title} missing"
        );
    }
    // The fixed configuration, and the footnote for the cell without a solved run.
    assert!(texts
        .iter()
        .any(|t| t.contains("operation mul") && t.contains("10 seeds")));
    let footnote = texts
        .iter()
        .find(|t| t.contains("No solved run"))
        .expect("footnote");
    assert!(footnote.contains("nalu (2)"), "{footnote}");
    assert_eq!(rows.len(), 15);
}

#[test]
fn markers_and_whiskers_sit_at_the_report_values() {
    let (rows, figure) = draw();
    let doc = roxmltree::Document::parse(&figure.svg).unwrap();
    let markers = markers(&doc);
    let whiskers = whiskers(&doc);
    let mut checked_markers = 0;
    let mut checked_whiskers = 0;
    for panel in &figure.panels {
        for series in &figure.series {
            let inside: Vec<&Shape> = markers
                .iter()
                .filter(|m| m.colour == series.colour && panel.contains(m.centre.0, m.centre.1))
                .collect();
            let expected: Vec<(&ReportRow, f64)> = rows
                .iter()
                .filter(|r| r.model == series.model)
                .filter_map(|r| value(r, panel.metric).0.map(|v| (r, v)))
                .collect();
            // One marker per (model, x) point that has a value.
            assert_eq!(
                inside.len(),
                expected.len(),
                "{:?} {}",
                panel.metric,
                series.label
            );
            for (row, v) in expected {
                let x = figure.x_position(&row.hidden.to_string()).unwrap();
                assert_eq!(x, row.hidden as f64);
                let (px, py) = panel.pixel(x, v);
                let hit = inside
                    .iter()
                    .filter(|m| (m.centre.0 - px).abs() <= 0.5 && (m.centre.1 - py).abs() <= 0.5)
                    .count();
                assert_eq!(
                    hit, 1,
                    "{:?} {} hidden={}",
                    panel.metric, series.label, row.hidden
                );
                checked_markers += 1;
                let (_, lo, hi) = value(row, panel.metric);
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    let (_, plo) = panel.pixel(x, lo);
                    let (_, phi) = panel.pixel(x, hi);
                    let found = whiskers.iter().any(|w| {
                        w.3 == series.colour
                            && (w.0 - px).abs() <= 0.5
                            && (w.1 - plo).abs() <= 0.5
                            && (w.2 - phi).abs() <= 0.5
                    });
                    assert!(
                        found,
                        "whisker {:?} {} hidden={}",
                        panel.metric, series.label, row.hidden
                    );
                    checked_whiskers += 1;
                } else {
                    // No interval: no whisker at that point.
                    assert!(
                        !whiskers.iter().any(|w| w.3 == series.colour
                            && (w.0 - px).abs() <= 0.5
                            && panel.contains(w.0, w.1)),
                        "a whisker without an interval"
                    );
                }
            }
        }
    }
    // 15 success points, 14 cells with a solved run for each of the other two.
    assert_eq!(checked_markers, 15 + 14 + 14);
    assert!(checked_whiskers >= 15 + 2 * 10, "{checked_whiskers}");
}

#[test]
fn a_marker_read_back_through_the_axes_gives_the_success_rate() {
    let (rows, figure) = draw();
    let doc = roxmltree::Document::parse(&figure.svg).unwrap();
    let panel: &Panel = &figure.panels[0];
    let nmu = figure.series.iter().find(|s| s.model == "nmu").unwrap();
    let mut read: Vec<(f64, f64)> = markers(&doc)
        .into_iter()
        .filter(|m| m.colour == nmu.colour && panel.contains(m.centre.0, m.centre.1))
        .map(|m| panel.value_at(m.centre.0, m.centre.1))
        .collect();
    read.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Half a pixel in values (and a rounding error's worth more).
    let half_pixel_x =
        (panel.x.hi - panel.x.lo) / f64::from(panel.x_pixels.1 - panel.x_pixels.0) / 2.0 + 1e-12;
    let half_pixel_y =
        (panel.y.hi - panel.y.lo) / f64::from(panel.y_pixels.0 - panel.y_pixels.1) / 2.0 + 1e-12;
    let expected: Vec<&ReportRow> = rows.iter().filter(|r| r.model == "nmu").collect();
    assert_eq!(read.len(), 5);
    for ((x, rate), row) in read.iter().zip(expected) {
        assert!(
            (x - row.hidden as f64).abs() <= half_pixel_x,
            "{x} vs {}",
            row.hidden
        );
        assert!(
            (rate - row.success_rate.unwrap()).abs() <= half_pixel_y,
            "{rate}"
        );
    }
}

#[test]
fn colours_stay_with_their_model_when_others_are_filtered_out() {
    let rows = Table::from_records(&sweep_records()).unwrap().rows();
    let all = summary_figure(&rows, &FigureOptions::default()).unwrap();
    let options = FigureOptions {
        models: Some(vec!["nalu".into()]),
        title: Some("only nalu".into()),
        width: 600,
        height: 700,
        ..FigureOptions::default()
    };
    let one = summary_figure(&rows, &options).unwrap();
    assert_eq!(one.series.len(), 1);
    let nalu = all.series.iter().find(|s| s.model == "nalu").unwrap();
    assert_eq!(one.series[0].colour, nalu.colour);
    assert_eq!(one.series[0].marker, nalu.marker);
    assert!(one.svg.contains("only nalu") && one.svg.contains("width=\"600\""));
    let unknown = FigureOptions {
        models: Some(vec!["nope".into()]),
        ..FigureOptions::default()
    };
    let (name, e) = invalid(summary_figure(&rows, &unknown));
    assert_eq!(name, "models");
    assert!(e.contains("nope") && e.contains("nalu"), "{e}");
}

#[test]
fn two_varying_parameters_need_an_axis_and_an_unknown_axis_is_named() {
    let mut records = sweep_records();
    // nmu also at input size 10 with hidden 2: two parameters vary.
    let config = RunConfig::new(
        ModelKind::Nmu.spec(10, 2),
        TaskConfig {
            input_size: 10,
            ..TaskConfig::new(Operation::Mul)
        },
    );
    records.extend((0..3).map(|s| record(&config, s, true, 1.0)));
    let rows = Table::from_records(&records).unwrap().rows();
    let (name, e) = invalid(summary_figure(&rows, &FigureOptions::default()));
    assert_eq!(name, "x");
    assert!(
        e.contains("hidden") && e.contains("input_size") && e.contains("--x"),
        "{e}"
    );
    let by_hidden = FigureOptions {
        x: Some("hidden".into()),
        ..FigureOptions::default()
    };
    let figure = summary_figure(&rows, &by_hidden).unwrap();
    assert!(figure.series.iter().any(|s| s.label == "nmu input_size=10"));
    let bad = FigureOptions {
        x: Some("depth".into()),
        ..FigureOptions::default()
    };
    let (name, e) = invalid(summary_figure(&rows, &bad));
    assert_eq!(name, "x");
    assert!(e.contains("depth") && e.contains("hidden"), "{e}");
}

#[test]
fn ranges_are_ordered_categories_in_preset_order() {
    let ranges = arithgrad::experiment::preset("ranges").unwrap();
    let mut records = Vec::new();
    for (i, config) in ranges.cells.iter().enumerate() {
        records.extend((0..4).map(|s| record(config, s, (s + i as u64) % 3 == 0, 1.0 + i as f64)));
    }
    let rows = Table::from_records(&records).unwrap().rows();
    let figure = summary_figure(&rows, &FigureOptions::default()).unwrap();
    assert_eq!(figure.x, Parameter::Interpolation);
    let order: Vec<&str> = figure.x_positions.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(order[0], "[-2,-1]");
    assert_eq!(order.len(), 7);
    assert_eq!(figure.x_position("[10,20]"), Some(6.0));
    let doc = roxmltree::Document::parse(&figure.svg).unwrap();
    assert!(texts(&doc).iter().any(|t| t == "[1.1,1.2]"));
}

#[test]
fn iterations_that_follow_the_input_size_do_not_make_a_second_axis() {
    // The input-size preset trains larger inputs longer: the iterations
    // change with the input size, so the input size alone is the axis.
    let preset = arithgrad::experiment::preset("input-size").unwrap();
    let mut records = Vec::new();
    for (i, config) in preset.cells.iter().enumerate() {
        records.extend((0..3).map(|s| record(config, s, (s + i as u64) % 2 == 0, 1.0)));
    }
    let rows = Table::from_records(&records).unwrap().rows();
    let figure = summary_figure(&rows, &FigureOptions::default()).unwrap();
    assert_eq!(figure.x, Parameter::InputSize);
    assert!(figure.series.iter().all(|s| !s.label.contains(' ')));
    let doc = roxmltree::Document::parse(&figure.svg).unwrap();
    let texts = texts(&doc);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("5,000,000 / 10,000,000 / 15,000,000 iterations")),
        "{texts:?}"
    );
}

/// Paints the SVG with resvg (text needs fonts, which the renderer is not
/// given here, so it is left out; the shapes are what is checked).
fn render(svg: &str) -> resvg::tiny_skia::Pixmap {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    pixmap
}

#[test]
fn the_figure_renders_to_a_picture_that_is_not_blank() {
    let (_, figure) = draw();
    let pixmap = render(&figure.svg);
    let pixels = pixmap.pixels();
    let white = pixels
        .iter()
        .filter(|p| p.red() == 255 && p.green() == 255 && p.blue() == 255)
        .count();
    let ink = pixels.len() - white;
    assert!(
        ink > pixels.len() / 100,
        "only {ink} of {} pixels drawn",
        pixels.len()
    );
    // Each model's colour is painted (at its markers).
    for s in &figure.series {
        let rgb = u32::from_str_radix(&s.colour[1..], 16).unwrap();
        let (r, g, b) = ((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8);
        let painted = pixels
            .iter()
            .filter(|p| p.red() == r && p.green() == g && p.blue() == b && p.alpha() == 255)
            .count();
        assert!(painted > 20, "{} painted {painted} pixels", s.label);
    }
}

/// A run whose test MSE falls by half every evaluation from 1 (validation
/// MSE a bit lower), judged against 1e-3: it first drops below at step
/// 10 * eval_every.
fn curve_record(config: &RunConfig, seed: u64) -> RunRecord {
    let curve: Vec<EvalPoint> = (0..=20u64)
        .map(|i| EvalPoint {
            step: i * 1000,
            valid_mse: 0.8 * 0.5f64.powi(i as i32 + seed as i32),
            test_mse: 0.5f64.powi(i as i32 + seed as i32),
            sparsity_error: 0.1,
        })
        .collect();
    let threshold = 1e-3;
    let (best, solved, solved_at) = judge(&curve, threshold);
    let mut r = record(config, seed, solved, 1.0);
    r.threshold = threshold;
    r.solved_at = solved_at;
    r.judged = best.map(|b| arithgrad::experiment::Judged {
        step: curve[b].step,
        valid_mse: curve[b].valid_mse,
        test_mse: curve[b].test_mse,
        sparsity_error: curve[b].sparsity_error,
        weights: arithgrad::units::SavedModel {
            format_version: 1,
            model: config.model.name(),
            element: "f64".into(),
            spec: config.model,
            params: arithgrad::ParamStore::new(),
        },
    });
    r.curve = curve;
    r
}

#[test]
fn curves_mark_the_solved_at_step() {
    let config = RunConfig::new(ModelKind::Nmu.spec(4, 2), TaskConfig::toy());
    let records: Vec<RunRecord> = (0..3).map(|s| curve_record(&config, s)).collect();
    // 0.5^10 < 1e-3 < 0.5^9: seed s is first below at step (10 - s) * 1000.
    assert_eq!(records[0].solved_at, Some(10_000));
    assert_eq!(records[2].solved_at, Some(8_000));
    let figure = curves_figure(&records, &CurveOptions::default()).unwrap();
    let doc = roxmltree::Document::parse(&figure.svg).unwrap();
    assert_eq!(figure.panels.len(), 1);
    let panel = &figure.panels[0];
    assert!(panel.x.log && panel.y.log);
    let marks: Vec<(f64, f64)> = markers(&doc)
        .into_iter()
        .filter(|m| m.colour == "#000000" && panel.contains(m.centre.0, m.centre.1))
        .map(|m| m.centre)
        .collect();
    assert_eq!(marks.len(), 3, "one solved-at mark per run");
    for r in &records {
        let step = r.solved_at.unwrap();
        let mse = r.curve.iter().find(|p| p.step == step).unwrap().test_mse;
        let (px, py) = panel.pixel(step as f64, mse);
        assert!(
            marks
                .iter()
                .any(|m| (m.0 - px).abs() <= 0.5 && (m.1 - py).abs() <= 0.5),
            "no mark at step {step}"
        );
    }
    let texts = texts(&doc);
    for label in [
        "validation MSE",
        "success threshold",
        "judged checkpoint",
        "solved at",
    ] {
        assert!(texts.iter().any(|t| t == label), "{label}");
    }
    // Selecting seeds and an absent model.
    let one = CurveOptions {
        seeds: Some(1..2),
        ..CurveOptions::default()
    };
    assert_eq!(curves_figure(&records, &one).unwrap().panels.len(), 1);
    let none = CurveOptions {
        model: Some("nalu".into()),
        ..CurveOptions::default()
    };
    let (name, e) = invalid(curves_figure(&records, &none));
    assert_eq!(name, "curves");
    assert!(e.contains("no run matches") && e.contains("nmu"), "{e}");
}
