//! Layer 6 (feature `plot`, on with `cli`): the paper's figures as SVG.
//!
//! - [`summary_figure`]: the figure of a sweep, drawn from the same
//!   [`ReportRow`](crate::report::ReportRow)s that `arithgrad report --format json` prints, so the
//!   figure and the table cannot disagree. Its x axis is the parameter the
//!   cells vary (found with [`choose_x`]); three panels share it, as in the
//!   paper's figures: the success rate with its Wilson interval, the mean
//!   "solved at" step with its interval (log axis), and the mean sparsity
//!   error with its interval (log axis). Each model has one colour and
//!   marker, the same in every figure ([`model_colour`]).
//! - [`curves_figure`]: learning curves from run records: test and
//!   validation MSE against the step (log-log), one line per seed, the
//!   success threshold, and the judged checkpoint and the solved-at step
//!   marked on each line.
//!
//! Both are drawn with plotters' SVG backend; text is written as SVG text
//! elements, so no font is read while drawing. Each figure also returns
//! where it put its panels ([`Panel`]), so that a test or a caller can map
//! a pixel back to a value.
//!
//! ```
//! use arithgrad::experiment::{RunConfig, RunRecord};
//! use arithgrad::plot::{summary_figure, FigureOptions, Parameter};
//! use arithgrad::report::Table;
//! use arithgrad::task::{Operation, TaskConfig};
//! use arithgrad::units::ModelKind;
//!
//! let mut records = Vec::new();
//! for hidden in [2, 4] {
//!     let config = RunConfig::new(ModelKind::Nmu.spec(100, hidden), TaskConfig::new(Operation::Mul));
//!     for seed in 0..3 {
//!         records.push(RunRecord {
//!             key: config.key(),
//!             config: config.clone(),
//!             seed,
//!             threshold: 1e-9,
//!             curve: Vec::new(),
//!             judged: None,
//!             solved: seed > 0,
//!             solved_at: (seed > 0).then_some(1000 * seed),
//!             sparsity_error: (seed > 0).then_some(0.01 * seed as f64),
//!             diverged: false,
//!             gates: [None, None],
//!             gates_test: [None, None],
//!             wall_time_s: 0.0,
//!             version: "0.3.0".into(),
//!         });
//!     }
//! }
//! let rows = Table::from_records(&records)?.rows();
//! let figure = summary_figure(&rows, &FigureOptions::default())?;
//! assert_eq!(figure.x, Parameter::Hidden);
//! assert_eq!(figure.panels.len(), 3);
//! assert!(figure.svg.starts_with("<svg"));
//! # Ok::<(), arithgrad::Error>(())
//! ```

mod curves;
mod parameter;
pub mod scale;
mod style;
mod summary;

use plotters::prelude::{ChartContext, DrawingBackend};

pub use curves::{curves_figure, CurveOptions, MAX_CELLS};
pub use parameter::{choose as choose_x, varying as varying_parameters, Parameter};
pub use scale::Scale;
pub use style::{hex, model_colour, model_marker, Marker};
pub use summary::summary_figure;

use crate::error::Error;

/// What a panel shows on its y axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Success rate, 0 to 1, with the Wilson interval.
    SuccessRate,
    /// Mean first step below the threshold (solved runs), log axis.
    SolvedAt,
    /// Mean sparsity error at the judged checkpoint (solved runs), log axis.
    SparsityError,
    /// Test and validation MSE of a learning curve, log axis.
    Mse,
}

impl Metric {
    /// The y-axis title.
    pub fn title(self) -> &'static str {
        match self {
            Metric::SuccessRate => "success rate",
            Metric::SolvedAt => "solved at (iteration)",
            Metric::SparsityError => "sparsity error",
            Metric::Mse => "MSE",
        }
    }
}

/// One panel of a figure: what it shows and where its axes are drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    pub metric: Metric,
    /// The column it is in: an operation (summary figures) or a cell's
    /// label (learning curves).
    pub column: String,
    pub x: Scale,
    pub y: Scale,
    /// The pixel columns of the x axis's two ends (`x.lo`, `x.hi`).
    pub x_pixels: (i32, i32),
    /// The pixel rows of the y axis's two ends (`y.lo` at the bottom,
    /// `y.hi` at the top).
    pub y_pixels: (i32, i32),
}

impl Panel {
    /// The exact (unrounded) pixel position of a value pair.
    pub fn pixel(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.x.pixel(x, self.x_pixels),
            self.y.pixel(y, self.y_pixels),
        )
    }

    /// The values drawn at a pixel position.
    pub fn value_at(&self, px: f64, py: f64) -> (f64, f64) {
        (
            self.x.value_at_pixel(px, self.x_pixels),
            self.y.value_at_pixel(py, self.y_pixels),
        )
    }

    /// Whether a pixel lies inside the panel's plotting area (edges
    /// included).
    pub fn contains(&self, px: f64, py: f64) -> bool {
        let (x0, x1) = (
            self.x_pixels.0.min(self.x_pixels.1),
            self.x_pixels.0.max(self.x_pixels.1),
        );
        let (y0, y1) = (
            self.y_pixels.0.min(self.y_pixels.1),
            self.y_pixels.0.max(self.y_pixels.1),
        );
        px >= f64::from(x0) - 0.5
            && px <= f64::from(x1) + 0.5
            && py >= f64::from(y0) - 0.5
            && py <= f64::from(y1) + 0.5
    }

    /// The panel of a chart drawn on `x` and `y` (the pixel ends are the
    /// ones plotters maps the two scales to).
    fn of_chart<DB: DrawingBackend>(
        metric: Metric,
        column: &str,
        chart: &ChartContext<'_, DB, plotters::prelude::Cartesian2d<Scale, Scale>>,
    ) -> Panel {
        let spec = chart.as_coord_spec();
        let x = spec.x_spec().clone();
        let y = spec.y_spec().clone();
        // plotters maps x onto (left, right - 1) and y onto (bottom - 1, top).
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        Panel {
            metric,
            column: column.to_string(),
            x,
            y,
            x_pixels: (xr.start, xr.end - 1),
            y_pixels: (yr.end - 1, yr.start),
        }
    }
}

/// One series of a figure: a model (and, when another parameter than the
/// x axis varies, its value) with its colour and marker.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend text.
    pub label: String,
    pub model: String,
    /// `#RRGGBB`, as written in the SVG.
    pub colour: String,
    pub marker: Marker,
}

/// A drawn figure.
#[derive(Clone, Debug)]
pub struct Figure {
    /// The SVG document.
    pub svg: String,
    /// The parameter on the x axis.
    pub x: Parameter,
    /// The x position of each value of the parameter (by its text, as
    /// [`Parameter::value`] gives it): the value itself on a numeric axis,
    /// 0, 1, 2, ... on an axis of categories.
    pub x_positions: Vec<(String, f64)>,
    pub panels: Vec<Panel>,
    pub series: Vec<Series>,
    /// The notes printed under the figure.
    pub notes: Vec<String>,
}

impl Figure {
    /// The x position of a parameter value's text.
    pub fn x_position(&self, text: &str) -> Option<f64> {
        self.x_positions
            .iter()
            .find(|(t, _)| t == text)
            .map(|&(_, p)| p)
    }
}

/// Options of [`summary_figure`] (the `arithgrad plot` flags).
#[derive(Clone, Debug)]
pub struct FigureOptions {
    /// The x-axis parameter by name (`hidden`, `input_size`, `range`, ...);
    /// `None`: the one the rows vary.
    pub x: Option<String>,
    /// Only these models (`None`: all).
    pub models: Option<Vec<String>>,
    /// Only these operations (`None`: all).
    pub ops: Option<Vec<String>>,
    /// The title (`None`: one naming the x axis).
    pub title: Option<String>,
    /// Size in pixels.
    pub width: u32,
    pub height: u32,
}

impl Default for FigureOptions {
    fn default() -> FigureOptions {
        FigureOptions {
            x: None,
            models: None,
            ops: None,
            title: None,
            width: 820,
            height: 860,
        }
    }
}

/// A drawing error (plotters' errors carry the backend's error type).
fn draw_error(e: impl std::fmt::Display) -> Error {
    Error::invalid("figure", format!("cannot draw the figure: {e}"))
}

/// Checks a figure size.
fn check_size(width: u32, height: u32, min_width: u32, min_height: u32) -> crate::Result<()> {
    if width < min_width || height < min_height || width > 20_000 || height > 20_000 {
        return Err(Error::invalid(
            "size",
            format!(
                "a figure of {width} x {height} pixels cannot hold its panels; use a width of \
                 {min_width} to 20000 and a height of {min_height} to 20000"
            ),
        ));
    }
    Ok(())
}

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A count with thousands separators.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_and_counts() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(thousands(5_000_000), "5,000,000");
        assert_eq!(thousands(20), "20");
        let (name, reason) = crate::error::expect::invalid(check_size(100, 100, 300, 300));
        assert_eq!(name, "size");
        assert!(reason.contains("100 x 100 pixels"), "{reason}");
        assert!(check_size(800, 800, 300, 300).is_ok());
    }
}
