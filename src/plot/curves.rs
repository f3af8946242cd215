//! Learning curves: test and validation MSE against the step, from the run
//! records' evaluations, with the threshold and the judgement marked.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::element::{Circle, EmptyElement, PathElement, Text};
use plotters::prelude::{
    ChartBuilder, Color, DrawingArea, DrawingBackend, IntoDrawingArea, IntoFont, LineSeries,
    RGBColor, SVGBackend, BLACK, WHITE,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::experiment::RunRecord;
use crate::report::{setting, Table};

use super::scale::{log_label, Scale};
use super::style::{hex, marker, model_colour, Marker};
use super::{check_size, draw_error, Figure, Metric, Panel, Parameter, Series};

const FONT: &str = "sans-serif";
const GRID: RGBColor = RGBColor(225, 225, 225);
const VALIDATION: RGBColor = RGBColor(150, 150, 150);
const NOTE: RGBColor = RGBColor(70, 70, 70);
const LEGEND_WIDTH: u32 = 190;
/// The most cells one figure of curves holds.
pub const MAX_CELLS: usize = 12;

/// Which runs [`curves_figure`] draws, and the figure's size.
#[derive(Clone, Debug)]
pub struct CurveOptions {
    /// Only this model (`None`: all).
    pub model: Option<String>,
    /// Only this operation (`None`: all).
    pub op: Option<String>,
    /// Only these seeds (`None`: all).
    pub seeds: Option<Range<u64>>,
    /// The title (`None`: "Learning curves").
    pub title: Option<String>,
    pub width: u32,
    pub height: u32,
}

impl Default for CurveOptions {
    fn default() -> CurveOptions {
        CurveOptions {
            model: None,
            op: None,
            seeds: None,
            title: None,
            width: 900,
            height: 620,
        }
    }
}

/// The learning curves of the selected runs, one panel per configuration
/// (at most [`MAX_CELLS`]): test MSE (the model's colour) and validation
/// MSE (grey) at every evaluation after step 0, one line per seed, on
/// log-log axes; the run's success threshold as a black line; a hollow
/// circle at the judged checkpoint's test MSE; a black diamond where the
/// test MSE first fell below the threshold (the solved-at step).
/// Non-finite and non-positive MSEs (a diverged run's last evaluation) are
/// left out of the lines.
///
/// # Errors
/// [`Error::InvalidArgument`] when no run matches the selection (naming
/// what there is), when more than [`MAX_CELLS`] configurations match, or
/// for a size too small.
pub fn curves_figure(records: &[RunRecord], options: &CurveOptions) -> Result<Figure> {
    check_size(options.width, options.height, 400, 300)?;
    let selected: Vec<&RunRecord> = records
        .iter()
        .filter(|r| {
            options
                .model
                .as_ref()
                .is_none_or(|m| r.config.model.name() == *m)
        })
        .filter(|r| {
            options
                .op
                .as_ref()
                .is_none_or(|o| r.config.task.operation.name() == o)
        })
        .filter(|r| options.seeds.as_ref().is_none_or(|s| s.contains(&r.seed)))
        .collect();
    if selected.is_empty() {
        let mut models: Vec<String> = records.iter().map(|r| r.config.model.name()).collect();
        models.dedup();
        models.sort();
        models.dedup();
        return Err(Error::invalid(
            "curves",
            format!(
                "no run matches the selection; the records hold {} run(s) of {}",
                records.len(),
                models.join(", ")
            ),
        ));
    }
    // Cells in the order of their first run.
    let mut cells: Vec<(String, Vec<&RunRecord>)> = Vec::new();
    for r in selected {
        match cells.iter_mut().find(|(k, _)| *k == r.key) {
            Some((_, runs)) => runs.push(r),
            None => cells.push((r.key.clone(), vec![r])),
        }
    }
    if cells.len() > MAX_CELLS {
        return Err(Error::invalid(
            "curves",
            format!(
                "{} configurations match; a figure of curves holds at most {MAX_CELLS}: \
                 choose one with --model and --op",
                cells.len()
            ),
        ));
    }
    let mut series: Vec<Series> = Vec::new();
    for (_, runs) in &cells {
        let model = runs[0].config.model.name();
        if !series.iter().any(|s| s.model == model) {
            series.push(Series {
                label: format!("{model}: test MSE"),
                colour: hex(model_colour(&model)),
                model,
                marker: Marker::Circle,
            });
        }
    }

    let (labels, common) = cell_labels(&cells);
    let mut svg = String::new();
    let mut panels = Vec::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (options.width, options.height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let w = options.width as i32;
        let title = options
            .title
            .clone()
            .unwrap_or_else(|| "Learning curves".into());
        root.draw(&Text::new(
            title,
            (w / 2, 10),
            (FONT, 21)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(draw_error)?;
        let runs: usize = cells.iter().map(|(_, r)| r.len()).sum();
        let common = if common.is_empty() {
            String::new()
        } else {
            format!("{} | ", common.join(" "))
        };
        root.draw(&Text::new(
            format!("{common}{runs} run(s), one line per seed; evaluations after step 0"),
            (w / 2, 36),
            (FONT, 15)
                .into_font()
                .color(&NOTE)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(draw_error)?;
        let body = root.margin(60, 8, 0, 0);
        let (grid, legend) = body.split_horizontally(w - LEGEND_WIDTH as i32);
        draw_legend(&legend, &series)?;
        let cols = cells.len().min(3);
        let rows = cells.len().div_ceil(cols);
        let areas = grid.split_evenly((rows, cols));
        for (((_, runs), area), label) in cells.iter().zip(&areas).zip(&labels) {
            panels.push(draw_cell(area, runs, label)?);
        }
        root.present().map_err(draw_error)?;
    }
    Ok(Figure {
        svg,
        x: Parameter::Other("step".into()),
        x_positions: Vec::new(),
        panels,
        series,
        notes: Vec::new(),
    })
}

/// Each cell's label (`nmu on mul hidden=3`), with what all cells share
/// left out and returned separately, for the line under the title.
fn cell_labels(cells: &[(String, Vec<&RunRecord>)]) -> (Vec<String>, Vec<String>) {
    // The table's setting labels, which also name a default value where
    // another cell changes it.
    let firsts: Vec<RunRecord> = cells.iter().map(|(_, runs)| runs[0].clone()).collect();
    let settings: Vec<String> = match Table::from_records(&firsts) {
        Ok(table) => table.rows().into_iter().map(|r| r.setting).collect(),
        Err(_) => cells
            .iter()
            .map(|(_, runs)| setting(&runs[0].config))
            .collect(),
    };
    let words: Vec<Vec<String>> = cells
        .iter()
        .zip(&settings)
        .map(|((_, runs), setting)| {
            let c = &runs[0].config;
            let mut w = vec![c.model.name(), format!("on {}", c.task.operation.name())];
            w.extend(setting.split_whitespace().map(str::to_string));
            w
        })
        .collect();
    let common: Vec<String> = words[0]
        .iter()
        .filter(|w| words.iter().all(|ws| ws.contains(w)))
        .cloned()
        .collect();
    let labels = words
        .iter()
        .map(|ws| {
            let own: Vec<&str> = ws
                .iter()
                .filter(|w| !common.contains(w) || cells.len() == 1)
                .map(String::as_str)
                .collect();
            own.join(" ")
        })
        .collect();
    (labels, common)
}

/// What a legend entry shows before its label.
enum Sample {
    Line(RGBColor, u32),
    Ring,
    Diamond,
}

fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, series: &[Series]) -> Result<()> {
    let style = (FONT, 15)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let mut entries: Vec<(Sample, String)> = series
        .iter()
        .map(|s| (Sample::Line(model_colour(&s.model), 2), s.label.clone()))
        .collect();
    entries.push((Sample::Line(VALIDATION, 2), "validation MSE".into()));
    entries.push((Sample::Line(BLACK, 1), "success threshold".into()));
    entries.push((Sample::Ring, "judged checkpoint".into()));
    entries.push((Sample::Diamond, "solved at".into()));
    for (i, (sample, label)) in entries.into_iter().enumerate() {
        let y = 20 + 22 * i as i32;
        match sample {
            Sample::Line(colour, width) => area.draw(&PathElement::new(
                vec![(8, y), (34, y)],
                colour.stroke_width(width),
            )),
            Sample::Ring => area.draw(&Circle::new((21, y), 4, BLACK.stroke_width(1))),
            Sample::Diamond => area.draw(&marker((21, y), Marker::Diamond, 4, BLACK.filled())),
        }
        .map_err(draw_error)?;
        area.draw(&Text::new(label, (42, y), style.clone()))
            .map_err(draw_error)?;
    }
    Ok(())
}

/// One panel: the runs of one configuration.
fn draw_cell<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[&RunRecord],
    label: &str,
) -> Result<Panel> {
    let first = runs[0];
    let positive = |v: f64| v.is_finite() && v > 0.0;
    let steps = runs
        .iter()
        .flat_map(|r| r.curve.iter().map(|p| p.step as f64))
        .filter(|&s| s > 0.0);
    let x = Scale::log_covering(steps);
    let mses = runs.iter().flat_map(|r| {
        r.curve
            .iter()
            .filter(|p| p.step > 0)
            .flat_map(|p| [p.test_mse, p.valid_mse])
            .chain([r.threshold])
    });
    let y = Scale::log_covering(mses.filter(|&v| positive(v)));
    let mut chart = ChartBuilder::on(area)
        .margin(6)
        .margin_right(14)
        .caption(label, (FONT, 14))
        .x_label_area_size(40)
        .y_label_area_size(58)
        .build_cartesian_2d(x.clone(), y.clone())
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|v| log_label(*v))
        .y_label_formatter(&|v| log_label(*v))
        .bold_line_style(GRID)
        .light_line_style(WHITE.mix(0.0))
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 14))
        .x_desc("step")
        .y_desc("MSE")
        .draw()
        .map_err(draw_error)?;
    let colour = model_colour(&first.config.model.name());
    for r in runs {
        // A line per stretch of drawable values (a NaN breaks it).
        for (pick, style) in [
            (
                (|p: &crate::experiment::EvalPoint| p.valid_mse) as fn(&_) -> f64,
                VALIDATION.mix(0.5).stroke_width(1),
            ),
            (|p| p.test_mse, colour.mix(0.75).stroke_width(1)),
        ] {
            let mut stretch: Vec<(f64, f64)> = Vec::new();
            let points = r.curve.iter().filter(|p| p.step > 0);
            for p in points.map(Some).chain([None]) {
                match p.map(|p| (p.step as f64, pick(p))) {
                    Some((s, v)) if positive(v) => stretch.push((s, v)),
                    _ => {
                        if stretch.len() > 1 {
                            chart
                                .draw_series(LineSeries::new(stretch.drain(..), style))
                                .map_err(draw_error)?;
                        }
                        stretch.clear();
                    }
                }
            }
        }
    }
    let thresholds: Vec<f64> = runs
        .iter()
        .map(|r| r.threshold)
        .filter(|&t| positive(t))
        .fold(Vec::new(), |mut v, t| {
            if !v.contains(&t) {
                v.push(t);
            }
            v
        });
    for t in thresholds {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x.lo, t), (x.hi, t)],
                BLACK.stroke_width(1),
            )))
            .map_err(draw_error)?;
    }
    for r in runs {
        if let Some(j) = r
            .judged
            .as_ref()
            .filter(|j| j.step > 0 && positive(j.test_mse))
        {
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((j.step as f64, j.test_mse))
                        + Circle::new((0, 0), 4, BLACK.stroke_width(1)),
                ))
                .map_err(draw_error)?;
        }
        let solved = r.solved_at.and_then(|s| {
            r.curve
                .iter()
                .find(|p| p.step == s)
                .filter(|p| positive(p.test_mse))
                .map(|p| (s as f64, p.test_mse))
        });
        if let Some(at) = solved {
            chart
                .draw_series(std::iter::once(marker(
                    at,
                    Marker::Diamond,
                    4,
                    BLACK.filled(),
                )))
                .map_err(draw_error)?;
        }
    }
    Ok(Panel::of_chart(Metric::Mse, label, &chart))
}
