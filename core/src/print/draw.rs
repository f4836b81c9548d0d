//! What a page is made of: paths with a fill and/or a stroke, circles, text runs, PNG images,
//! and groups clipped to a shape (a map frame). Everything is in mm on the page (see
//! [`super::units`]); the model has no notion of PDF, so a raster backend can render the same
//! pages.

use std::sync::Arc;

use super::units::{BoxMm, PointMm};

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const BLACK: Rgb = Rgb(0, 0, 0);
    pub const WHITE: Rgb = Rgb(255, 255, 255);
}

/// One step of a path, in mm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Segment {
    MoveTo(PointMm),
    LineTo(PointMm),
    /// A cubic Bézier: two control points, then the end point.
    CubicTo(PointMm, PointMm, PointMm),
    Close,
}

/// A path: one or more subpaths, each starting with a `MoveTo`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PathMm {
    pub segments: Vec<Segment>,
}

impl PathMm {
    /// A closed polygon through `points` (an outer ring or a hole; add several with
    /// [`PathMm::add_ring`] and fill even-odd for polygons with holes).
    pub fn polygon(points: &[PointMm]) -> PathMm {
        let mut path = PathMm::default();
        path.add_ring(points);
        path
    }

    /// An open line through `points` (a road, a river).
    pub fn line(points: &[PointMm]) -> PathMm {
        let mut segments = Vec::with_capacity(points.len());
        for (i, p) in points.iter().enumerate() {
            segments.push(if i == 0 { Segment::MoveTo(*p) } else { Segment::LineTo(*p) });
        }
        PathMm { segments }
    }

    /// An axis-aligned rectangle.
    pub fn rect(b: BoxMm) -> PathMm {
        let (l, t, r, bt) = (b.x, b.y, b.right(), b.bottom());
        PathMm::polygon(&[PointMm::new(l, t), PointMm::new(r, t), PointMm::new(r, bt), PointMm::new(l, bt)])
    }

    /// A circle as four cubic Béziers (PDF has no circle operator); the control distance
    /// 0.5523·r keeps the curve within 0.03 % of the true radius. GDAL reads such a closed
    /// four-curve subpath back as a point, which is how facilities are meant to be read.
    pub fn circle(centre: PointMm, radius: f32) -> PathMm {
        let (cx, cy, r) = (centre.x, centre.y, radius);
        let k = 0.552_284_8 * r;
        let p = PointMm::new;
        PathMm {
            segments: vec![
                Segment::MoveTo(p(cx + r, cy)),
                Segment::CubicTo(p(cx + r, cy + k), p(cx + k, cy + r), p(cx, cy + r)),
                Segment::CubicTo(p(cx - k, cy + r), p(cx - r, cy + k), p(cx - r, cy)),
                Segment::CubicTo(p(cx - r, cy - k), p(cx - k, cy - r), p(cx, cy - r)),
                Segment::CubicTo(p(cx + k, cy - r), p(cx + r, cy - k), p(cx + r, cy)),
                Segment::Close,
            ],
        }
    }

    /// Appends a closed ring; fewer than two points add nothing.
    pub fn add_ring(&mut self, points: &[PointMm]) {
        if points.len() < 2 {
            return;
        }
        self.segments.push(Segment::MoveTo(points[0]));
        self.segments.extend(points[1..].iter().map(|p| Segment::LineTo(*p)));
        self.segments.push(Segment::Close);
    }
}

/// How overlapping subpaths are filled: even-odd makes inner rings holes whatever their
/// winding, which is what GeoPackage polygons need (their ring order is not guaranteed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FillRule {
    #[default]
    NonZero,
    EvenOdd,
}

/// A fill: colour, opacity (0–1) and rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fill {
    pub colour: Rgb,
    pub opacity: f32,
    pub rule: FillRule,
}

impl Fill {
    pub fn solid(colour: Rgb) -> Fill {
        Fill { colour, opacity: 1.0, rule: FillRule::NonZero }
    }
}

/// A stroke: colour, width and dash pattern in mm (on, off, on, …; empty for solid),
/// opacity (0–1), and round caps and joins (how the window's map draws lines) when asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Stroke {
    pub colour: Rgb,
    pub width: f32,
    pub dash: Vec<f32>,
    pub opacity: f32,
    pub round: bool,
}

impl Stroke {
    pub fn solid(colour: Rgb, width: f32) -> Stroke {
        Stroke { colour, width, dash: Vec::new(), opacity: 1.0, round: false }
    }
}

/// A run of text on one line: its left end on the baseline, its size in points, its colour,
/// and the angle its baseline is turned by about `origin` (degrees, clockwise on the page;
/// 0 for level text, a street's direction for its name).
/// The backend shapes it with the document's font, exactly as [`super::text::Shaper`]
/// measures it, so a box computed from the measured width fits what is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub origin: PointMm,
    pub text: String,
    pub size_pt: f32,
    pub colour: Rgb,
    pub angle: f32,
}

impl TextRun {
    /// Level text.
    pub fn new(origin: PointMm, text: impl Into<String>, size_pt: f32, colour: Rgb) -> TextRun {
        TextRun { origin, text: text.into(), size_pt, colour, angle: 0.0 }
    }
}

/// Something drawn on a page.
#[derive(Debug, Clone)]
pub enum Item {
    /// A path filled and/or stroked (with neither it draws nothing).
    Path { path: PathMm, fill: Option<Fill>, stroke: Option<Stroke> },
    Text(TextRun),
    /// A PNG image stretched over a box: a logo, a rendered basemap.
    Image { png: Arc<Vec<u8>>, area: BoxMm },
    /// Items drawn only inside `clip` (non-zero rule): a map frame's content, which must not
    /// spill onto the margin.
    Clipped { clip: PathMm, items: Vec<Item> },
    /// Items that make one map layer (billboards, roads): written as a PDF optional content
    /// group named `name`, so a PDF viewer can switch it and GDAL's `ogrinfo` lists it as a
    /// vector layer of that name.
    Layer { name: String, items: Vec<Item> },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circle_passes_through_its_four_extreme_points() {
        let c = PathMm::circle(PointMm::new(10.0, 20.0), 5.0);
        let ends: Vec<PointMm> = c
            .segments
            .iter()
            .filter_map(|s| match s {
                Segment::MoveTo(p) | Segment::CubicTo(_, _, p) => Some(*p),
                _ => None,
            })
            .collect();
        let want = [(15.0, 20.0), (10.0, 25.0), (5.0, 20.0), (10.0, 15.0), (15.0, 20.0)];
        assert_eq!(ends.len(), want.len());
        for (p, (x, y)) in ends.iter().zip(want) {
            assert!((p.x - x).abs() < 1e-5 && (p.y - y).abs() < 1e-5, "{p:?} vs {x},{y}");
        }
        assert_eq!(c.segments.last(), Some(&Segment::Close));
    }

    #[test]
    fn rings_shorter_than_two_points_are_dropped() {
        let mut p = PathMm::polygon(&[PointMm::new(0.0, 0.0)]);
        assert!(p.segments.is_empty());
        p.add_ring(&[PointMm::new(0.0, 0.0), PointMm::new(1.0, 0.0), PointMm::new(1.0, 1.0)]);
        assert_eq!(p.segments.len(), 4);
        assert_eq!(PathMm::line(&[PointMm::new(0.0, 0.0), PointMm::new(1.0, 1.0)]).segments.len(), 2);
    }
}
