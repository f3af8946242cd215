//! Colours and marker shapes: one per model, the same in every figure.

use plotters::element::{Drawable, PointCollection};
use plotters::prelude::{DrawingBackend, RGBColor, ShapeStyle};
use plotters_backend::{BackendCoord, DrawingErrorKind};

/// The models this crate (and the paper) names, in the order their colours
/// were given out. A model keeps its colour whichever others are plotted.
const KNOWN_MODELS: [&str; 20] = [
    "nmu",
    "nac-mul-nmu",
    "nac-mul-sigma",
    "nac-mul",
    "nalu",
    "nau",
    "nac-add",
    "gated-nau-nmu",
    "linear",
    "relu",
    "relu6",
    "nru",
    "nmru",
    "sign-nmru",
    "snmu",
    "inalu",
    "g-nalu",
    "naive-npu",
    "npu",
    "real-npu",
];

/// Twelve colours that stay apart on screen and in grey print (Okabe-Ito
/// first, then darker tones).
const PALETTE: [RGBColor; 12] = [
    RGBColor(0xd5, 0x5e, 0x00), // vermilion
    RGBColor(0x00, 0x72, 0xb2), // blue
    RGBColor(0x00, 0x9e, 0x73), // green
    RGBColor(0xcc, 0x79, 0xa7), // purple
    RGBColor(0xe6, 0x9f, 0x00), // orange
    RGBColor(0x56, 0xb4, 0xe9), // sky blue
    RGBColor(0x8c, 0x56, 0x4b), // brown
    RGBColor(0x44, 0x44, 0x44), // dark grey
    RGBColor(0x9a, 0x9a, 0x00), // olive
    RGBColor(0x7b, 0x3f, 0xa0), // violet
    RGBColor(0x17, 0xbe, 0xcf), // cyan
    RGBColor(0xa0, 0x1c, 0x3c), // crimson
];

/// A filled marker shape, symmetric about its centre (the centre of its
/// bounding box is the data point).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
}

const MARKERS: [Marker; 5] = [
    Marker::Circle,
    Marker::Square,
    Marker::TriangleUp,
    Marker::Diamond,
    Marker::TriangleDown,
];

/// Where `model` sits in the fixed order (known names first, others after
/// them by a hash of the name, so they are stable too).
fn slot(model: &str) -> usize {
    match KNOWN_MODELS.iter().position(|m| *m == model) {
        Some(i) => i,
        None => {
            // FNV-1a: a fixed, platform-independent hash.
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in model.bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
            KNOWN_MODELS.len() + (h % 60) as usize
        }
    }
}

/// The colour of `model`, the same in every figure.
pub fn model_colour(model: &str) -> RGBColor {
    PALETTE[slot(model) % PALETTE.len()]
}

/// The marker of `model`, the same in every figure. `variant` > 0 picks
/// another shape for a second series of the same model (a parameter that
/// is not on the axis also varies).
pub fn model_marker(model: &str, variant: usize) -> Marker {
    MARKERS[(slot(model) + variant) % MARKERS.len()]
}

/// The colour as `#rrggbb`, as the SVG backend writes it.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// A filled marker of half-width `r` pixels centred on a data point, as a
/// plotters element (drawn with the backend's circle, rectangle and
/// polygon primitives).
pub struct MarkerElement<C> {
    at: C,
    shape: Marker,
    r: i32,
    style: ShapeStyle,
}

/// The marker `shape` of half-width `r` pixels at `at`.
pub fn marker<C>(at: C, shape: Marker, r: i32, style: ShapeStyle) -> MarkerElement<C> {
    MarkerElement {
        at,
        shape,
        r,
        style,
    }
}

impl<'a, C> PointCollection<'a, C> for &'a MarkerElement<C> {
    type Point = &'a C;
    type IntoIter = std::iter::Once<&'a C>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<C, DB: DrawingBackend> Drawable<DB> for MarkerElement<C> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = points.next() else {
            return Ok(());
        };
        let r = self.r;
        let polygon = |offsets: &[(i32, i32)]| -> Vec<BackendCoord> {
            offsets.iter().map(|(dx, dy)| (x + dx, y + dy)).collect()
        };
        match self.shape {
            Marker::Circle => backend.draw_circle((x, y), r.unsigned_abs(), &self.style, true),
            Marker::Square => backend.draw_rect((x - r, y - r), (x + r, y + r), &self.style, true),
            Marker::TriangleUp => {
                backend.fill_polygon(polygon(&[(0, -r), (r, r), (-r, r)]), &self.style)
            }
            Marker::TriangleDown => {
                backend.fill_polygon(polygon(&[(0, r), (r, -r), (-r, -r)]), &self.style)
            }
            Marker::Diamond => {
                let d = r + 1;
                backend.fill_polygon(polygon(&[(0, -d), (d, 0), (0, d), (-d, 0)]), &self.style)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_fixed_and_the_paper_models_differ() {
        assert_eq!(hex(model_colour("nmu")), "#D55E00");
        let paper = [
            "nmu",
            "nac-mul-nmu",
            "nac-mul-sigma",
            "nac-mul",
            "nalu",
            "nau",
        ];
        for (i, a) in paper.iter().enumerate() {
            for b in &paper[i + 1..] {
                assert_ne!(model_colour(a), model_colour(b), "{a} {b}");
            }
        }
        assert_eq!(model_colour("nau/nmu"), model_colour("nau/nmu"));
        assert_ne!(model_marker("nmu", 0), model_marker("nmu", 1));
    }
}
