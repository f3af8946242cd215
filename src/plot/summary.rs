//! The figure of a sweep: success rate, solved at and sparsity error
//! against the parameter the cells vary, one column per operation.

use plotters::coord::Shift;
use plotters::element::{EmptyElement, PathElement, Text};
use plotters::prelude::{
    ChartBuilder, Color, DrawingArea, DrawingBackend, IntoDrawingArea, IntoFont, LineSeries,
    RGBColor, SVGBackend, ShapeStyle, BLACK, WHITE,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::report::ReportRow;

use super::parameter::{choose, Parameter};
use super::scale::{log_label, trim, Scale};
use super::style::{hex, marker, model_colour, model_marker};
use super::{
    check_size, draw_error, thousands, wrap, Figure, FigureOptions, Metric, Panel, Series,
};

const FONT: &str = "sans-serif";
const GRID: RGBColor = RGBColor(225, 225, 225);
const NOTE: RGBColor = RGBColor(70, 70, 70);
const LEGEND_WIDTH: u32 = 170;
const X_LABELS: u32 = 46;
const Y_LABELS: u32 = 62;
const MARKER: i32 = 4;
const CAP: i32 = 4;

/// One plotted point: a row at an x position, in a series.
struct Point<'a> {
    row: &'a ReportRow,
    x: f64,
    series: usize,
}

/// The x axis: a scale, the position of each value, tick labels.
struct XAxis {
    scale: Scale,
    positions: Vec<(String, f64)>,
    /// Label of each tick position (categories and evenly spaced values).
    labels: Vec<(f64, String)>,
}

impl XAxis {
    fn label(&self, v: f64) -> String {
        match self.labels.iter().find(|(p, _)| (p - v).abs() < 1e-9) {
            Some((_, l)) => l.clone(),
            None if self.labels.is_empty() => trim(v),
            None => String::new(),
        }
    }
}

/// The x axis of `rows` for `parameter`: numeric where every value is a
/// number (evenly spaced in numeric order when they span more than three
/// decades, like the regularizer's 0, 0.01, ..., 100), else ordered
/// categories in the rows' order (the preset's).
fn x_axis(rows: &[ReportRow], parameter: &Parameter) -> XAxis {
    let mut values: Vec<(String, Option<f64>)> = Vec::new();
    for row in rows {
        let v = parameter.value(row);
        if !values.iter().any(|(t, _)| *t == v.0) {
            values.push(v);
        }
    }
    let numbers: Option<Vec<f64>> = values.iter().map(|(_, n)| *n).collect();
    if let Some(mut numbers) = numbers {
        numbers.sort_by(f64::total_cmp);
        let (min, max) = (numbers[0], numbers[numbers.len() - 1]);
        let smallest_positive = numbers.iter().copied().find(|&v| v > 0.0);
        let spans_decades = smallest_positive.is_some_and(|p| max / p > 1000.0);
        if !spans_decades {
            let span = if max > min {
                max - min
            } else {
                min.abs().max(1.0)
            };
            let pad = span * 0.06;
            let min_gap = numbers
                .windows(2)
                .map(|w| w[1] - w[0])
                .fold(f64::INFINITY, f64::min);
            let ticks = if numbers.len() <= 12 && min_gap >= span / 15.0 {
                numbers.clone()
            } else {
                nice_ticks(min, max)
            };
            return XAxis {
                scale: Scale::linear(min - pad, max + pad, ticks),
                positions: values
                    .iter()
                    .map(|(t, n)| (t.clone(), n.unwrap_or(0.0)))
                    .collect(),
                labels: Vec::new(),
            };
        }
        // Evenly spaced, in numeric order.
        values.sort_by(|a, b| a.1.unwrap_or(0.0).total_cmp(&b.1.unwrap_or(0.0)));
    }
    let k = values.len();
    let positions: Vec<(String, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, (t, _))| (t.clone(), i as f64))
        .collect();
    XAxis {
        scale: Scale::linear(-0.5, k as f64 - 0.5, (0..k).map(|i| i as f64).collect()),
        labels: positions.iter().map(|(t, p)| (*p, t.clone())).collect(),
        positions,
    }
}

/// Round-number ticks from `min` to `max`, at most about eight.
fn nice_ticks(min: f64, max: f64) -> Vec<f64> {
    let span = (max - min).max(f64::MIN_POSITIVE);
    let raw = span / 7.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let mut k = (min / step).ceil();
    let mut ticks = Vec::new();
    while k * step <= max + step * 1e-9 {
        // Through ten decimals, so 3 x 0.2 is 0.6.
        ticks.push(format!("{:.10}", k * step).parse().unwrap_or(k * step));
        k += 1.0;
    }
    ticks
}

/// The fixed configuration written under the title.
fn fixed_line(rows: &[ReportRow], x: &Parameter, ops: &[String]) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    parts.push(match ops {
        [op] => format!("operation {op}"),
        _ => format!("operations {}", ops.join(", ")),
    });
    let distinct = |f: &dyn Fn(&ReportRow) -> String| {
        let mut v: Vec<String> = Vec::new();
        for r in rows {
            let s = f(r);
            if !v.contains(&s) {
                v.push(s);
            }
        }
        v
    };
    if *x != Parameter::Iterations {
        let its = distinct(&|r| thousands(r.iterations));
        parts.push(format!("{} iterations", its.join(" / ")));
    }
    let mut runs: Vec<usize> = rows.iter().map(|r| r.runs).collect();
    runs.sort_unstable();
    let (lo, hi) = (runs[0], runs[runs.len() - 1]);
    parts.push(if lo == hi {
        format!("{lo} seeds per point")
    } else {
        format!("{lo} to {hi} seeds per point")
    });
    let mut constant = |p: Parameter, show: &dyn Fn(&str) -> String| {
        if *x != p {
            let v = distinct(&|r| p.value(r).0);
            if let [one] = v.as_slice() {
                let text = show(one);
                if one != "-" && !text.is_empty() {
                    parts.push(text);
                }
            }
        }
    };
    constant(Parameter::Layout, &|v| {
        if v == "toy" {
            "toy task".to_string()
        } else {
            String::new()
        }
    });
    constant(Parameter::InputSize, &|v| format!("input size {v}"));
    constant(Parameter::Hidden, &|v| format!("hidden size {v}"));
    constant(Parameter::SubsetRatio, &|v| format!("subset {v}"));
    constant(Parameter::OverlapRatio, &|v| format!("overlap {v}"));
    if *x != Parameter::Interpolation && *x != Parameter::Extrapolation {
        let ranges =
            distinct(&|r| format!("{} -> {}", r.interpolation_range, r.extrapolation_range));
        if let [one] = ranges.as_slice() {
            parts.push(format!("range {one}"));
        }
    }
    parts
}

/// Joins `parts` with ` | ` into lines of at most about `width` characters.
fn wrap_parts(parts: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for part in parts {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 3 + part.chars().count() <= width => {
                line.push_str(" | ");
                line.push_str(part);
            }
            _ => lines.push(part.clone()),
        }
    }
    lines
}

/// The figure of a sweep's report rows (see the module documentation).
///
/// # Errors
/// [`Error::InvalidArgument`] when no row is left after the `models` and
/// `ops` filters (naming what there is), for an unknown or ambiguous x axis
/// (see [`super::choose_x`]), or a size too small for the panels.
pub fn summary_figure(rows: &[ReportRow], options: &FigureOptions) -> Result<Figure> {
    check_size(options.width, options.height, 420, 420)?;
    if rows.is_empty() {
        return Err(Error::invalid("rows", "there are no report rows to plot"));
    }
    let rows = filter(rows, options)?;
    let (x, others) = choose(&rows, options.x.as_deref())?;
    let axis = x_axis(&rows, &x);

    // Series: a model, plus the values of the other varying parameters.
    let mut series: Vec<Series> = Vec::new();
    let mut series_keys: Vec<(String, String)> = Vec::new();
    let mut points: Vec<Point> = Vec::new();
    let mut ops: Vec<String> = Vec::new();
    for row in &rows {
        let extra: Vec<String> = others
            .iter()
            .map(|p| format!("{}={}", p.name(), p.value(row).0))
            .collect();
        let key = (row.model.clone(), extra.join(" "));
        let index = match series_keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                let variant = series_keys.iter().filter(|k| k.0 == key.0).count();
                series.push(Series {
                    label: if key.1.is_empty() {
                        key.0.clone()
                    } else {
                        format!("{} {}", key.0, key.1)
                    },
                    model: key.0.clone(),
                    colour: hex(model_colour(&key.0)),
                    marker: model_marker(&key.0, variant),
                });
                series_keys.push(key);
                series_keys.len() - 1
            }
        };
        let text = x.value(row).0;
        let position = axis
            .positions
            .iter()
            .find(|(t, _)| *t == text)
            .map_or(0.0, |&(_, p)| p);
        points.push(Point {
            row,
            x: position,
            series: index,
        });
        if !ops.contains(&row.op) {
            ops.push(row.op.clone());
        }
    }

    let title = options.title.clone().unwrap_or_else(|| match x {
        Parameter::Model => "Success rate, solved at and sparsity error of each model".into(),
        _ => format!(
            "Success rate, solved at and sparsity error against the {}",
            x.title()
        ),
    });
    let fixed = fixed_line(&rows, &x, &ops);
    let notes = notes(&points, &series, &x);

    let mut svg = String::new();
    let panels;
    {
        let root =
            SVGBackend::with_string(&mut svg, (options.width, options.height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let note_lines: Vec<String> = notes
            .iter()
            .flat_map(|n| wrap(n, (options.width as usize / 7).max(40)))
            .collect();
        let fixed_lines = wrap_parts(&fixed, (options.width as usize * 10 / 72).max(40));
        let head = 42 + 18 * fixed_lines.len() as i32;
        let foot = 12 + 16 * note_lines.len() as i32;
        let (w, h) = (options.width as i32, options.height as i32);
        root.draw(&Text::new(
            title.clone(),
            (w / 2, 10),
            (FONT, 21)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(draw_error)?;
        for (i, line) in fixed_lines.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (w / 2, 36 + 18 * i as i32),
                (FONT, 15)
                    .into_font()
                    .color(&NOTE)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(draw_error)?;
        }
        for (i, line) in note_lines.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (12, h - foot + 6 + 16 * i as i32),
                (FONT, 14)
                    .into_font()
                    .color(&NOTE)
                    .pos(Pos::new(HPos::Left, VPos::Top)),
            ))
            .map_err(draw_error)?;
        }
        let body = root.margin(head, foot, 0, 0);
        let (grid, legend) = body.split_horizontally(w - LEGEND_WIDTH as i32);
        draw_legend(&legend, &series, x != Parameter::Model)?;
        panels = draw_grid(&grid, &axis, &x, &ops, &points, &series)?;
        root.present().map_err(draw_error)?;
    }
    Ok(Figure {
        svg,
        x,
        x_positions: axis.positions,
        panels,
        series,
        notes,
    })
}

/// The rows left after the `--models` and `--ops` filters.
fn filter(rows: &[ReportRow], options: &FigureOptions) -> Result<Vec<ReportRow>> {
    let mut kept: Vec<ReportRow> = rows.to_vec();
    for (name, wanted, field) in [
        (
            "models",
            &options.models,
            (|r: &ReportRow| r.model.clone()) as fn(&ReportRow) -> String,
        ),
        ("ops", &options.ops, |r: &ReportRow| r.op.clone()),
    ] {
        if let Some(wanted) = wanted {
            let present: Vec<String> = rows.iter().fold(Vec::new(), |mut v, r| {
                if !v.contains(&field(r)) {
                    v.push(field(r));
                }
                v
            });
            if let Some(missing) = wanted.iter().find(|w| !present.contains(w)) {
                return Err(Error::invalid(
                    name,
                    format!(
                        "no cell has {} `{missing}`; the results hold {}",
                        if name == "ops" { "operation" } else { "model" },
                        present.join(", ")
                    ),
                ));
            }
            kept.retain(|r| wanted.contains(&field(r)));
        }
    }
    Ok(kept)
}

/// The notes under the figure: points left out, points without whiskers,
/// and what the whiskers are.
fn notes(points: &[Point], series: &[Series], x: &Parameter) -> Vec<String> {
    let mut notes = Vec::new();
    let mut unsolved: Vec<String> = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let mine: Vec<&Point> = points.iter().filter(|p| p.series == i).collect();
        let none: Vec<String> = mine
            .iter()
            .filter(|p| p.row.solved == 0)
            .map(|p| {
                let v = x.value(p.row).0;
                if mine.iter().any(|q| q.row.op != p.row.op) {
                    format!("{} {v}", p.row.op)
                } else {
                    v
                }
            })
            .collect();
        if none.is_empty() {
            continue;
        }
        if none.len() == mine.len() && mine.len() > 1 {
            unsolved.push(format!("{} (all)", s.label));
        } else if *x == Parameter::Model && none.len() == mine.len() {
            unsolved.push(s.label.clone());
        } else {
            unsolved.push(format!("{} ({})", s.label, none.join(", ")));
        }
    }
    if !unsolved.is_empty() {
        notes.push(format!(
            "No solved run, so no solved-at or sparsity-error point: {}.",
            unsolved.join("; ")
        ));
    }
    let bare = points.iter().any(|p| {
        (p.row.solved_at_mean.is_some() && p.row.solved_at_ci_low.is_none())
            || (p.row.sparsity_error_mean.is_some() && p.row.sparsity_error_ci_low.is_none())
    });
    let mut whiskers = String::from(
        "Whiskers: 95% intervals (success rate: Wilson; solved at and sparsity error: \
         profile likelihood of a gamma and a beta fit, Student-t where the fit fell back).",
    );
    if bare {
        whiskers.push_str(" A point without whiskers has too few solved runs for an interval.");
    }
    notes.push(whiskers);
    notes
}

/// The legend: one marker and label per series (on a line sample when
/// the series are drawn as lines).
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[Series],
    lines: bool,
) -> Result<()> {
    let style = (FONT, 15)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    area.draw(&Text::new(
        "model".to_string(),
        (14, 16),
        (FONT, 15)
            .into_font()
            .color(&NOTE)
            .pos(Pos::new(HPos::Left, VPos::Center)),
    ))
    .map_err(draw_error)?;
    for (i, s) in series.iter().enumerate() {
        let y = 38 + 22 * i as i32;
        let colour = model_colour(&s.model);
        if lines {
            area.draw(&PathElement::new(
                vec![(10, y), (34, y)],
                colour.mix(0.6).stroke_width(1),
            ))
            .map_err(draw_error)?;
        }
        area.draw(&marker((22, y), s.marker, MARKER, colour.filled()))
            .map_err(draw_error)?;
        area.draw(&Text::new(s.label.clone(), (42, y), style.clone()))
            .map_err(draw_error)?;
    }
    Ok(())
}

/// The value of `metric` in `row`, and its interval.
fn metric_of(row: &ReportRow, metric: Metric) -> (Option<f64>, Option<f64>, Option<f64>) {
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
        Metric::Mse => (None, None, None),
    }
}

/// The three rows of panels, one column per operation.
fn draw_grid<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axis: &XAxis,
    x: &Parameter,
    ops: &[String],
    points: &[Point],
    series: &[Series],
) -> Result<Vec<Panel>> {
    let metrics = [Metric::SuccessRate, Metric::SolvedAt, Metric::SparsityError];
    let caption = if ops.len() > 1 { 24 } else { 0 };
    let (_, height) = area.dim_in_pixel();
    let plot = (height as i32 - caption - X_LABELS as i32) / 3;
    let (top, rest) = area.split_vertically(plot + caption);
    let (middle, bottom) = rest.split_vertically(plot);
    let mut panels = Vec::new();
    for (r, (row_area, metric)) in [top, middle, bottom].iter().zip(metrics).enumerate() {
        let columns = row_area.split_evenly((1, ops.len()));
        // The y scale is shared along a row.
        let mut values: Vec<f64> = Vec::new();
        for p in points {
            let (v, lo, hi) = metric_of(p.row, metric);
            values.extend([v, lo, hi].into_iter().flatten());
        }
        let y = match metric {
            Metric::SuccessRate => Scale::linear(-0.03, 1.03, vec![0.0, 0.25, 0.5, 0.75, 1.0]),
            _ => Scale::log_covering(values),
        };
        for (c, (cell, op)) in columns.iter().zip(ops).enumerate() {
            let last = r == 2;
            let x_label = |v: &f64| axis.label(*v);
            let y_label = |v: &f64| match metric {
                Metric::SuccessRate => format!("{}%", (v * 100.0).round()),
                _ => log_label(*v),
            };
            let mut builder = ChartBuilder::on(cell);
            builder
                .margin_top(if r == 0 { 6 } else { 9 })
                .margin_bottom(if last { 2 } else { 9 })
                .margin_right(14)
                .margin_left(4)
                .x_label_area_size(if last { X_LABELS } else { 0 })
                .y_label_area_size(Y_LABELS);
            if r == 0 && caption > 0 {
                builder.caption(format!("operation {op}"), (FONT, 17));
            }
            let mut chart = builder
                .build_cartesian_2d(axis.scale.clone(), y.clone())
                .map_err(draw_error)?;
            let mut mesh = chart.configure_mesh();
            mesh.x_label_formatter(&x_label)
                .y_label_formatter(&y_label)
                .bold_line_style(GRID)
                .light_line_style(WHITE.mix(0.0))
                .label_style((FONT, if ops.len() > 1 { 12 } else { 14 }))
                .axis_desc_style((FONT, 15));
            if last {
                mesh.x_desc(x.title());
            }
            if c == 0 {
                mesh.y_desc(metric.title());
            }
            mesh.draw().map_err(draw_error)?;

            let mut drawn = 0;
            for (i, s) in series.iter().enumerate() {
                let colour = model_colour(&s.model);
                let mut mine: Vec<(f64, f64, Option<f64>, Option<f64>)> = points
                    .iter()
                    .filter(|p| p.series == i && p.row.op == *op)
                    .filter_map(|p| {
                        let (v, lo, hi) = metric_of(p.row, metric);
                        v.filter(|v| y.shows(*v)).map(|v| (p.x, v, lo, hi))
                    })
                    .collect();
                mine.sort_by(|a, b| a.0.total_cmp(&b.0));
                drawn += mine.len();
                if mine.len() > 1 && *x != Parameter::Model {
                    chart
                        .draw_series(LineSeries::new(
                            mine.iter().map(|p| (p.0, p.1)),
                            colour.mix(0.55).stroke_width(1),
                        ))
                        .map_err(draw_error)?;
                }
                for &(px, _, lo, hi) in &mine {
                    if let (Some(lo), Some(hi)) = (lo, hi) {
                        whisker(&mut chart, &y, px, lo, hi, colour.stroke_width(1))?;
                    }
                }
                chart
                    .draw_series(
                        mine.iter()
                            .map(|p| marker((p.0, p.1), s.marker, MARKER, colour.filled())),
                    )
                    .map_err(draw_error)?;
            }
            if drawn == 0 {
                chart
                    .plotting_area()
                    .draw(&Text::new(
                        "no solved run".to_string(),
                        ((axis.scale.lo + axis.scale.hi) / 2.0, y.value_at(0.5)),
                        (FONT, 14)
                            .into_font()
                            .color(&NOTE)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    ))
                    .map_err(draw_error)?;
            }
            panels.push(Panel::of_chart(metric, op, &chart));
        }
    }
    Ok(panels)
}

/// A vertical whisker from `lo` to `hi` at `x` with caps; an end the axis
/// cannot show (at or below 0 on a log axis) is drawn to the axis's bottom
/// without a cap.
fn whisker<DB: DrawingBackend>(
    chart: &mut plotters::chart::ChartContext<'_, DB, plotters::prelude::Cartesian2d<Scale, Scale>>,
    y: &Scale,
    x: f64,
    lo: f64,
    hi: f64,
    style: ShapeStyle,
) -> Result<()> {
    let lo_shown = y.shows(lo);
    let bottom = if lo_shown { lo } else { y.lo };
    if !y.shows(hi) {
        return Ok(());
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(x, bottom), (x, hi)],
            style,
        )))
        .map_err(draw_error)?;
    let mut caps = vec![hi];
    if lo_shown {
        caps.push(lo);
    }
    chart
        .draw_series(
            caps.into_iter().map(|v| {
                EmptyElement::at((x, v)) + PathElement::new(vec![(-CAP, 0), (CAP, 0)], style)
            }),
        )
        .map_err(draw_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_round() {
        assert_eq!(
            nice_ticks(4.0, 300.0),
            vec![50.0, 100.0, 150.0, 200.0, 250.0, 300.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    }
}
