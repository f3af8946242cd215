//! The axes of a figure: a linear or logarithmic map from values to pixels,
//! with chosen tick positions, as a plotters coordinate.
//!
//! plotters' own numeric coordinates round a position down to the pixel;
//! this one rounds to the nearest pixel, so a drawn point is never more than
//! half a pixel from where its value belongs, and [`Scale::pixel`] gives the
//! exact (unrounded) position to compare with.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

/// One axis: the value range it shows, linear or logarithmic, and its ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct Scale {
    /// The value at the start of the axis (left, or bottom).
    pub lo: f64,
    /// The value at the end of the axis (right, or top).
    pub hi: f64,
    /// Logarithmic: positions are proportional to `log10(value)`.
    pub log: bool,
    /// The values that get a tick, a label and a grid line.
    pub ticks: Vec<f64>,
}

impl Scale {
    /// A linear axis from `lo` to `hi` with ticks at `ticks`.
    pub fn linear(lo: f64, hi: f64, ticks: Vec<f64>) -> Scale {
        Scale {
            lo,
            hi,
            log: false,
            ticks,
        }
    }

    /// A logarithmic axis covering every positive value in `values`, from
    /// the decade below the smallest to the decade above the largest, with
    /// a tick at each power of ten (and at 2 and 5 times them when it spans
    /// a single decade). Without positive values: 1 to 10.
    pub fn log_covering(values: impl IntoIterator<Item = f64>) -> Scale {
        let mut min = f64::INFINITY;
        let mut max = f64::NEG_INFINITY;
        for v in values {
            if v.is_finite() && v > 0.0 {
                min = min.min(v);
                max = max.max(v);
            }
        }
        if !min.is_finite() {
            min = 1.0;
            max = 1.0;
        }
        let mut lo = min.log10().floor();
        let mut hi = max.log10().ceil();
        if hi <= lo {
            hi = lo + 1.0;
        }
        // Keep a point that sits on (or within 2% of a decade of) a
        // decade off the frame.
        if (min.log10() - lo).abs() < 0.01 {
            lo -= 1.0;
        }
        if (hi - max.log10()).abs() < 0.01 {
            hi += 1.0;
        }
        let decades = (hi - lo) as i32;
        let step = (decades / 6 + 1).max(1);
        let mut ticks = Vec::new();
        let mut k = lo as i32;
        while k <= hi as i32 {
            ticks.push(10f64.powi(k));
            if decades <= 2 && k < hi as i32 {
                ticks.push(2.0 * 10f64.powi(k));
                ticks.push(5.0 * 10f64.powi(k));
            }
            k += step;
        }
        Scale {
            lo: 10f64.powf(lo),
            hi: 10f64.powf(hi),
            log: true,
            ticks,
        }
    }

    /// Where `value` falls between the ends: 0 at `lo`, 1 at `hi`.
    pub fn fraction(&self, value: f64) -> f64 {
        if self.log {
            (value.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (value - self.lo) / (self.hi - self.lo)
        }
    }

    /// The value at `fraction` of the way from `lo` to `hi`.
    pub fn value_at(&self, fraction: f64) -> f64 {
        if self.log {
            10f64.powf(self.lo.log10() + fraction * (self.hi.log10() - self.lo.log10()))
        } else {
            self.lo + fraction * (self.hi - self.lo)
        }
    }

    /// The exact pixel position of `value` on an axis drawn from pixel
    /// `from` (where `lo` is) to pixel `to` (where `hi` is).
    pub fn pixel(&self, value: f64, (from, to): (i32, i32)) -> f64 {
        f64::from(from) + self.fraction(value) * f64::from(to - from)
    }

    /// The value drawn at pixel position `pixel` (the inverse of
    /// [`Scale::pixel`]).
    pub fn value_at_pixel(&self, pixel: f64, (from, to): (i32, i32)) -> f64 {
        self.value_at((pixel - f64::from(from)) / f64::from(to - from))
    }

    /// Whether `value` can be drawn on this axis (finite, and positive on a
    /// logarithmic one).
    pub fn shows(&self, value: f64) -> bool {
        value.is_finite() && (!self.log || value > 0.0)
    }
}

impl Ranged for Scale {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let p = self.pixel(*value, limit);
        if p.is_finite() {
            p.round()
                .clamp(f64::from(i32::MIN / 2), f64::from(i32::MAX / 2)) as i32
        } else {
            limit.0
        }
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.max_num_points() == 0 {
            return Vec::new();
        }
        self.ticks.clone()
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// A tick label for a value on a logarithmic axis: `1e-3`, `0.01`, `1`,
/// `100`, `10k`, `1M`.
pub fn log_label(v: f64) -> String {
    if v >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if v >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else if v >= 0.01 {
        trim(v)
    } else {
        let exponent = v.log10().floor();
        let mantissa = v / 10f64.powf(exponent);
        if (mantissa - 1.0).abs() < 1e-9 {
            format!("1e{exponent}")
        } else {
            format!("{}e{exponent}", trim(mantissa))
        }
    }
}

/// A number as short as it reads: `4`, `0.25`, `0.01`.
pub fn trim(v: f64) -> String {
    let rounded = (v * 1e9).round() / 1e9;
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_map_rounds_to_the_nearest_pixel_both_ways() {
        let s = Scale::linear(0.0, 1.0, vec![0.0, 1.0]);
        assert_eq!(s.map(&0.5, (10, 110)), 60);
        assert_eq!(s.map(&0.004, (0, 100)), 0);
        assert_eq!(s.map(&0.006, (0, 100)), 1);
        // A y axis runs from the bottom pixel up.
        assert_eq!(s.map(&0.25, (400, 0)), 300);
        assert!((s.value_at_pixel(300.0, (400, 0)) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn log_axis_covers_the_values_with_decade_ticks() {
        let s = Scale::log_covering([3e3, 2e5, f64::NAN, 0.0, -1.0]);
        assert_eq!((s.lo, s.hi), (1e3, 1e6));
        assert!(s.log);
        assert_eq!(s.ticks, vec![1e3, 1e4, 1e5, 1e6]);
        assert!((s.pixel(1e4, (0, 300)) - 100.0).abs() < 1e-9);
        assert!((s.value_at_pixel(200.0, (0, 300)) - 1e5).abs() < 1e-6);
        assert!(!s.shows(0.0) && s.shows(1e-9));
        // One decade gets 2 and 5 ticks too; nothing positive: 1 to 10.
        let narrow = Scale::log_covering([0.02, 0.03]);
        assert_eq!((narrow.lo, narrow.hi), (0.01, 0.1));
        assert!(narrow.ticks.len() > 2);
        let empty = Scale::log_covering([]);
        assert_eq!((empty.lo, empty.hi), (0.1, 10.0));
    }

    #[test]
    fn labels() {
        assert_eq!(log_label(1e6), "1M");
        assert_eq!(log_label(1e4), "10k");
        assert_eq!(log_label(100.0), "100");
        assert_eq!(log_label(0.1), "0.1");
        assert_eq!(log_label(1e-3), "1e-3");
        assert_eq!(log_label(5e-4), "5e-4");
        assert_eq!(trim(0.1 + 0.2), "0.3");
    }
}
