//! Fewer vertices and fewer points: what a tile at a zoom can show.
//!
//! - Lines and polygons are simplified with Douglas–Peucker ([`geo::Simplify`]) at
//!   [`TOLERANCE`] tile units, then snapped to whole units. A polygon ring that collapses to
//!   fewer than three distinct corners, or to no area, is dropped (a collapsed exterior takes its
//!   holes with it); exterior rings are wound to positive area and holes to negative area by the
//!   MVT 2.1 surveyor's formula (clockwise and anticlockwise on screen, y down). Where snapping
//!   makes rings cross or touch, the polygons are rebuilt valid on the integer grid.
//! - A tile of a point layer holding more than [`MAX_POINTS`] points is thinned to the lowest
//!   fid in each cell of the finest grid that brings it under that number, so the choice does
//!   not depend on the order the R-tree returns points in, and a tile is the same every time
//!   it is cut.

use geo::Simplify;
use geo_types::{Coord, LineString, Polygon};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::IntOverlayOptions;
use i_overlay::core::simplify::Simplify as _;
use i_overlay::i_float::int::point::IntPoint;

use super::tile_id::EXTENT;

/// Douglas–Peucker tolerance in tile units: 1/16 of a pixel of a 256-pixel tile, so that
/// simplification is invisible while dropping the vertices a zoom cannot show.
pub const TOLERANCE: f64 = 1.0;

/// The most points a tile of a point layer holds; a denser tile is thinned (see the module
/// docs of [`crate::tiles`]). A thousand circles already cover a 512-pixel tile where they
/// cluster; the bound keeps a tile of a million-point layer within a few milliseconds to cut
/// (each point costs a row read and a dozen tags) and quick to draw.
pub const MAX_POINTS: usize = 1024;

/// A point in tile units, snapped.
pub type TilePoint = [i32; 2];

/// Thins the points of one tile to at most `max`: on the finest grid of square cells (1, 2, 4,
/// … 4096 units a side) with no more than `max` occupied cells, the point with the lowest fid in
/// each cell. `points` are `(fid, position in tile units, payload)` with positions inside the
/// tile, in any order; the result is in fid order, with the cell size used (`None` when
/// there were no more than `max` points and all are kept).
///
/// Only dense tiles are thinned, and only as much as needed: a layer of a few hundred
/// facilities shows every one at every zoom; a million points show where each cell has one.
/// The choice depends only on which points the tile holds, never on the order the R-tree
/// returns them in.
pub fn thin_points(mut points: Vec<(i64, Coord<f64>)>, max: usize) -> (Vec<(i64, Coord<f64>)>, Option<u32>) {
    if points.len() <= max {
        points.sort_unstable_by_key(|p| p.0);
        return (points, None);
    }
    // Each point's 1-unit cell as a Morton (Z-order) key: sorted, the cells of every coarser
    // level are runs of keys sharing their high bits.
    let mut keyed: Vec<(u32, i64, usize)> = points
        .iter()
        .enumerate()
        .map(|(i, (fid, p))| {
            let cell = |v: f64| (v.floor().clamp(0.0, EXTENT as f64 - 1.0)) as u32;
            (morton(cell(p.x), cell(p.y)), *fid, i)
        })
        .collect();
    keyed.sort_unstable();
    // Occupied cells at level k (cells of 2^k units): a new cell starts where consecutive keys
    // differ in a bit at or above 2k.
    const LEVELS: usize = 13; // 1 … 4096 units
    let mut occupied = [1usize; LEVELS];
    for w in keyed.windows(2) {
        let diff = w[0].0 ^ w[1].0;
        if diff != 0 {
            let top = (31 - diff.leading_zeros()) as usize;
            for count in occupied.iter_mut().take(top / 2 + 1) {
                *count += 1;
            }
        }
    }
    let level = (0..LEVELS).find(|&k| occupied[k] <= max).unwrap_or(LEVELS - 1);
    let shift = 2 * level as u32;
    let mut keep = vec![false; points.len()];
    let mut start = 0;
    while start < keyed.len() {
        let cell = keyed[start].0 >> shift;
        let mut best = start;
        let mut end = start + 1;
        while end < keyed.len() && keyed[end].0 >> shift == cell {
            if keyed[end].1 < keyed[best].1 {
                best = end;
            }
            end += 1;
        }
        keep[keyed[best].2] = true;
        start = end;
    }
    let mut out: Vec<_> = points.into_iter().zip(keep).filter_map(|(p, k)| k.then_some(p)).collect();
    out.sort_unstable_by_key(|p| p.0);
    (out, Some(1 << level))
}

/// Interleaves the bits of two 12-bit cell coordinates (x in the even bits).
fn morton(x: u32, y: u32) -> u32 {
    fn spread(mut v: u32) -> u32 {
        v &= 0x0000_0fff;
        v = (v | (v << 8)) & 0x00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333;
        v = (v | (v << 1)) & 0x5555_5555;
        v
    }
    spread(x) | (spread(y) << 1)
}

/// Rounds a position to whole tile units.
#[inline]
pub fn snap(c: Coord<f64>) -> TilePoint {
    [c.x.round() as i32, c.y.round() as i32]
}

/// A line simplified and snapped, without repeated points; `None` when fewer than two distinct
/// points are left (a line shorter than a unit).
pub fn snap_line(coords: Vec<Coord<f64>>) -> Option<Vec<TilePoint>> {
    let simplified = LineString::from(coords).simplify(TOLERANCE);
    let mut out: Vec<TilePoint> = Vec::with_capacity(simplified.0.len());
    for c in simplified.0 {
        let p = snap(c);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    (out.len() >= 2).then_some(out)
}

/// Polygons simplified and snapped, as valid MVT polygons: each its exterior ring with
/// positive area, then its holes with negative area; each ring open (its first point not
/// repeated). Polygons that collapse are left out.
///
/// Snapping to whole units can make rings cross or touch where they pass within a unit of
/// each other (thin parts of small polygons at low zoom, parts of a multipolygon a unit
/// apart). When it has, i_overlay's integer-grid overlay (snap rounding, non-zero fill)
/// rebuilds the polygons valid on the same grid.
pub fn snap_polygons(polygons: &[Polygon<f64>]) -> Vec<Vec<Vec<TilePoint>>> {
    let mut out: Vec<Vec<Vec<TilePoint>>> = Vec::with_capacity(polygons.len());
    for p in polygons {
        let p = p.simplify(TOLERANCE);
        let Some(exterior) = snap_ring(p.exterior()) else { continue };
        let mut rings = vec![oriented(exterior, true)];
        rings.extend(p.interiors().iter().filter_map(snap_ring).map(|r| oriented(r, false)));
        out.push(rings);
    }
    if out.is_empty() || is_valid(&out) {
        return out;
    }
    make_valid(&out)
}

/// Whether snapped polygons are valid: no two edges of any rings meet except consecutive
/// edges of a ring at their shared corner, and each hole lies inside its exterior. (The
/// polygons come from valid ones moved by about a unit, so these are the ways they can fail.)
/// Edges are swept in order of their west ends, so only edges whose x-ranges overlap are
/// compared.
fn is_valid(polygons: &[Vec<Vec<TilePoint>>]) -> bool {
    let rings: Vec<&[TilePoint]> = polygons.iter().flatten().map(Vec::as_slice).collect();
    // (west x, east x, ring, index of the edge in its ring, start, end)
    let mut edges: Vec<(i32, i32, usize, usize, TilePoint, TilePoint)> = Vec::new();
    for (r, ring) in rings.iter().enumerate() {
        let n = ring.len();
        for i in 0..n {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            edges.push((a[0].min(b[0]), a[0].max(b[0]), r, i, a, b));
        }
    }
    edges.sort_unstable_by_key(|e| e.0);
    for (k, e) in edges.iter().enumerate() {
        for f in &edges[k + 1..] {
            if f.0 > e.1 {
                break;
            }
            let n = rings[e.2].len();
            // Consecutive edges share a corner and, spikes being removed, nothing else.
            let consecutive = e.2 == f.2 && ((e.3 + 1) % n == f.3 || (f.3 + 1) % n == e.3);
            if !consecutive && segments_meet(e.4, e.5, f.4, f.5) {
                return false;
            }
        }
    }
    // No edges meet, so each hole is wholly inside or wholly outside its exterior.
    polygons.iter().all(|p| p[1..].iter().all(|hole| inside(hole[0], &p[0])))
}

/// Whether segments `a`–`b` and `c`–`d` share any point (exact, in integers).
fn segments_meet(a: TilePoint, b: TilePoint, c: TilePoint, d: TilePoint) -> bool {
    let (o1, o2, o3, o4) = (orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b));
    (o1 * o2 < 0 && o3 * o4 < 0)
        || (o1 == 0 && on_segment(a, b, c))
        || (o2 == 0 && on_segment(a, b, d))
        || (o3 == 0 && on_segment(c, d, a))
        || (o4 == 0 && on_segment(c, d, b))
}

/// The sign of the turn p → q → r.
fn orient(p: TilePoint, q: TilePoint, r: TilePoint) -> i64 {
    ((q[0] - p[0]) as i64 * (r[1] - p[1]) as i64 - (q[1] - p[1]) as i64 * (r[0] - p[0]) as i64).signum()
}

/// Whether `r`, collinear with `p`–`q`, lies on that segment.
fn on_segment(p: TilePoint, q: TilePoint, r: TilePoint) -> bool {
    (p[0].min(q[0])..=p[0].max(q[0])).contains(&r[0]) && (p[1].min(q[1])..=p[1].max(q[1])).contains(&r[1])
}

/// Whether `p` (on no edge of `ring`) is inside `ring` (crossing number).
fn inside(p: TilePoint, ring: &[TilePoint]) -> bool {
    let n = ring.len();
    let mut odd = false;
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            // x of the edge at p's y, compared without division.
            let lhs = (p[0] - a[0]) as i64 * (b[1] - a[1]) as i64;
            let rhs = (b[0] - a[0]) as i64 * (p[1] - a[1]) as i64;
            if (b[1] > a[1] && lhs < rhs) || (b[1] < a[1] && lhs > rhs) {
                odd = !odd;
            }
        }
    }
    odd
}

/// The area the rings cover (non-zero winding: exteriors positive, holes negative), rebuilt as
/// valid polygons on the integer grid.
fn make_valid(polygons: &[Vec<Vec<TilePoint>>]) -> Vec<Vec<Vec<TilePoint>>> {
    let contours: Vec<Vec<IntPoint>> =
        polygons.iter().flatten().map(|r| r.iter().map(|p| IntPoint::new(p[0], p[1])).collect()).collect();
    contours
        .simplify(FillRule::NonZero, IntOverlayOptions::ogc())
        .into_iter()
        .filter_map(|shape| {
            let mut out = Vec::with_capacity(shape.len());
            for (i, c) in shape.into_iter().enumerate() {
                let mut ring: Vec<TilePoint> = c.into_iter().map(|p| [p.x, p.y]).collect();
                remove_spikes(&mut ring);
                if ring.len() < 3 || area2(&ring) == 0 {
                    if i == 0 {
                        return None;
                    }
                    continue;
                }
                out.push(oriented(ring, i == 0));
            }
            Some(out)
        })
        .collect()
}

/// A ring snapped to whole units, open, without repeated points, spikes or corners in line with
/// their neighbours; `None` when fewer than three corners or no area remain.
pub fn snap_ring(ring: &LineString<f64>) -> Option<Vec<TilePoint>> {
    let mut pts: Vec<TilePoint> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        let p = snap(*c);
        if pts.last() != Some(&p) {
            pts.push(p);
        }
    }
    while pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    remove_spikes(&mut pts);
    (pts.len() >= 3 && area2(&pts) != 0).then_some(pts)
}

/// Removes repeated corners and corners in line with both neighbours, until none remain:
/// those that lie between their neighbours add nothing, and those where the ring turns straight
/// back (spikes: A, B, A, or a run along a line that reverses, as snapping a clipped edge can
/// leave) make the ring touch itself. Neither changes the area.
fn remove_spikes(pts: &mut Vec<TilePoint>) {
    loop {
        let n = pts.len();
        if n < 3 {
            return;
        }
        let keep: Vec<bool> = (0..n)
            .map(|i| {
                let (a, b, c) = (pts[(i + n - 1) % n], pts[i], pts[(i + 1) % n]);
                let cross = (b[0] - a[0]) as i64 * (c[1] - b[1]) as i64 - (b[1] - a[1]) as i64 * (c[0] - b[0]) as i64;
                cross != 0
            })
            .collect();
        if keep.iter().all(|k| *k) {
            return;
        }
        let mut it = keep.iter();
        pts.retain(|_| *it.next().expect("one flag per corner"));
        pts.dedup();
        while pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
    }
}

/// Twice the ring's signed area by the surveyor's formula, in tile coordinates (y down), as
/// the MVT spec (4.3.4.4) computes it: positive for an exterior ring, negative for a hole.
pub fn area2(ring: &[TilePoint]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a[0] as i64 * b[1] as i64 - b[0] as i64 * a[1] as i64
        })
        .sum()
}

fn oriented(mut ring: Vec<TilePoint>, exterior: bool) -> Vec<TilePoint> {
    if (area2(&ring) > 0) != exterior {
        ring.reverse();
    }
    ring
}
