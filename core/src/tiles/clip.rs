//! Clipping lines and polygons, already in tile units, to the tile plus its buffer.
//!
//! Lines are cut segment by segment (Liang–Barsky), so a road that leaves the box and comes
//! back becomes two parts, never a detour along the box's edge. Polygons that cross the box's
//! edge are intersected with it by geo's [`BooleanOps`] (i_overlay), which returns valid
//! polygons: a U-shaped block cut across its arms becomes two polygons, not one polygon with
//! a zero-width bridge along the edge. Polygons wholly inside the box are left as they are.

use geo::{BooleanOps, BoundingRect};
use geo_types::{Coord, MultiPolygon, Polygon, Rect};

/// The square a tile's geometries are clipped to: `[min, max]` on both axes, in tile units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipBox {
    pub min: f64,
    pub max: f64,
}

impl ClipBox {
    /// The tile `0..extent` grown by `buffer` units on every side.
    pub fn new(extent: f64, buffer: f64) -> ClipBox {
        ClipBox { min: -buffer, max: extent + buffer }
    }

    fn contains_rect(&self, r: &Rect<f64>) -> bool {
        r.min().x >= self.min && r.min().y >= self.min && r.max().x <= self.max && r.max().y <= self.max
    }

    fn misses_rect(&self, r: &Rect<f64>) -> bool {
        r.max().x < self.min || r.max().y < self.min || r.min().x > self.max || r.min().y > self.max
    }

    fn polygon(&self) -> Polygon<f64> {
        Rect::new((self.min, self.min), (self.max, self.max)).to_polygon()
    }
}

/// The parts of a line inside the box, in order; each part has at least two points.
pub fn clip_line(line: &[Coord<f64>], b: &ClipBox) -> Vec<Vec<Coord<f64>>> {
    if line.len() < 2 {
        return Vec::new();
    }
    let r = bbox_of(line);
    if b.contains_rect(&r) {
        return vec![line.to_vec()];
    }
    if b.misses_rect(&r) {
        return Vec::new();
    }
    let mut parts = Vec::new();
    let mut current: Vec<Coord<f64>> = Vec::new();
    for w in line.windows(2) {
        match clip_segment(w[0], w[1], b) {
            None => flush(&mut current, &mut parts),
            Some((start, end, _entered, left)) => {
                // A segment that starts inside continues the current part, whose last point is
                // its start; one that enters from outside starts a new part (the current one was
                // closed when the line left the box).
                if current.is_empty() {
                    current.push(start);
                }
                current.push(end);
                if left {
                    flush(&mut current, &mut parts);
                }
            }
        }
    }
    flush(&mut current, &mut parts);
    parts
}

fn bbox_of(coords: &[Coord<f64>]) -> Rect<f64> {
    let (mut lo, mut hi) = (coords[0], coords[0]);
    for c in &coords[1..] {
        lo = Coord { x: lo.x.min(c.x), y: lo.y.min(c.y) };
        hi = Coord { x: hi.x.max(c.x), y: hi.y.max(c.y) };
    }
    Rect::new(lo, hi)
}

fn flush(current: &mut Vec<Coord<f64>>, parts: &mut Vec<Vec<Coord<f64>>>) {
    if current.len() >= 2 {
        parts.push(std::mem::take(current));
    } else {
        current.clear();
    }
}

/// Liang–Barsky: the part of segment `p`–`q` inside the box, and whether its start and its end
/// were moved onto the box's edge (the segment entered or left the box).
fn clip_segment(p: Coord<f64>, q: Coord<f64>, b: &ClipBox) -> Option<(Coord<f64>, Coord<f64>, bool, bool)> {
    let (dx, dy) = (q.x - p.x, q.y - p.y);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (pk, qk) in [(-dx, p.x - b.min), (dx, b.max - p.x), (-dy, p.y - b.min), (dy, b.max - p.y)] {
        if pk == 0.0 {
            if qk < 0.0 {
                return None; // parallel to this edge and outside it
            }
        } else {
            let r = qk / pk;
            if pk < 0.0 {
                if r > t1 {
                    return None;
                }
                t0 = t0.max(r);
            } else {
                if r < t0 {
                    return None;
                }
                t1 = t1.min(r);
            }
        }
    }
    let at = |t: f64| Coord { x: p.x + t * dx, y: p.y + t * dy };
    let start = if t0 > 0.0 { at(t0) } else { p };
    let end = if t1 < 1.0 { at(t1) } else { q };
    Some((start, end, t0 > 0.0, t1 < 1.0))
}

/// The parts of the polygons inside the box, as valid polygons.
pub fn clip_polygons(polygons: MultiPolygon<f64>, b: &ClipBox) -> MultiPolygon<f64> {
    let Some(r) = polygons.bounding_rect() else { return MultiPolygon::new(Vec::new()) };
    if b.contains_rect(&r) {
        return polygons;
    }
    if b.misses_rect(&r) {
        return MultiPolygon::new(Vec::new());
    }
    let mut out = Vec::with_capacity(polygons.0.len());
    for p in polygons {
        match p.bounding_rect() {
            Some(r) if b.contains_rect(&r) => out.push(p),
            Some(r) if !b.misses_rect(&r) => out.extend(p.intersection(&b.polygon())),
            _ => {}
        }
    }
    MultiPolygon::new(out)
}
