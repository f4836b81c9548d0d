//! Cutting one layer's R-tree entries into one tile: which features meet the tile, and their
//! geometry there (projected, clipped, simplified, snapped). Attributes are added afterwards
//! by [`super::tile`], once the surviving fids are known.

use geo::MapCoords;
use geo_types::{Coord, Geometry, LineString, MultiPolygon, Polygon};

use super::clip::{clip_line, clip_polygons, ClipBox};
use super::encode::TileGeometry;
use super::simplify::{snap, snap_line, snap_polygons, thin_points};
use super::tile_id::{TileFrame, TileId, EXTENT};
use super::BUFFER;
use crate::index::{LayerIndex, Shape};

/// The features of `index` that show in `tile`, in fid order, with their tile geometry.
///
/// Lines and polygons are kept within the tile plus [`BUFFER`] units; points only inside the
/// tile proper (west and north edges included), so that each point is in exactly one tile of
/// a zoom. A tile with more than `max_points` points ([`super::MAX_POINTS`] for the map) is thinned.
pub fn cut_layer(index: &LayerIndex, tile: TileId, max_points: usize) -> Vec<(i64, TileGeometry)> {
    let frame = tile.frame();
    let clip = ClipBox::new(EXTENT as f64, BUFFER);
    let mut points: Vec<(i64, Coord<f64>)> = Vec::new();
    let mut others: Vec<(i64, TileGeometry)> = Vec::new();
    for entry in index.entries_in(tile.bounds_buffered(BUFFER)) {
        match &entry.shape {
            Shape::Point([lon, lat]) => {
                let p = frame.project(Coord { x: *lon, y: *lat });
                if TileFrame::owns(p) {
                    points.push((entry.fid, p));
                }
            }
            Shape::Other(o) => {
                if let Some(g) = cut_geometry(&o.geometry, &frame, &clip) {
                    others.push((entry.fid, g));
                }
            }
        }
    }
    let (points, _) = thin_points(points, max_points);
    let mut out: Vec<(i64, TileGeometry)> =
        points.into_iter().map(|(fid, p)| (fid, TileGeometry::Point(snap(p)))).collect();
    if !others.is_empty() {
        out.extend(others);
        out.sort_unstable_by_key(|f| f.0);
    }
    out
}

/// The label points of the polygons of `index` whose label point lies in `tile` proper, in
/// fid order: one point per polygon for the whole map, so a community's name is written once
/// rather than once for every tile its outline crosses.
pub fn cut_label_points(index: &LayerIndex, tile: TileId) -> Vec<(i64, TileGeometry)> {
    let frame = tile.frame();
    let mut out: Vec<(i64, TileGeometry)> = index
        .entries_in(tile.bounds())
        .filter_map(|entry| match &entry.shape {
            Shape::Other(o) => {
                let [lon, lat] = o.label?;
                let p = frame.project(Coord { x: lon, y: lat });
                TileFrame::owns(p).then(|| (entry.fid, TileGeometry::Point(snap(p))))
            }
            _ => None,
        })
        .collect();
    out.sort_unstable_by_key(|f| f.0);
    out
}

/// For the lines of `index` whose label point (halfway along) lies in `tile` proper: the part
/// of the line, clipped to the tile plus [`BUFFER`], that passes through that point, in fid
/// order. A street's name is then written along it once for the whole map, not once in every
/// tile the street crosses.
pub fn cut_label_lines(index: &LayerIndex, tile: TileId) -> Vec<(i64, TileGeometry)> {
    let frame = tile.frame();
    let clip = ClipBox::new(EXTENT as f64, BUFFER);
    let mut out: Vec<(i64, TileGeometry)> = index
        .entries_in(tile.bounds())
        .filter_map(|entry| {
            let Shape::Other(o) = &entry.shape else { return None };
            let [lon, lat] = o.label?;
            let anchor = frame.project(Coord { x: lon, y: lat });
            if !TileFrame::owns(anchor) {
                return None;
            }
            let Some(TileGeometry::Lines(parts)) = cut_geometry(&o.geometry, &frame, &clip) else { return None };
            let nearest = parts.into_iter().min_by(|a, b| distance_to_path(anchor, a).total_cmp(&distance_to_path(anchor, b)))?;
            Some((entry.fid, TileGeometry::Lines(vec![nearest])))
        })
        .collect();
    out.sort_unstable_by_key(|f| f.0);
    out
}

/// Tile units from `p` to the nearest point of the path `line`.
fn distance_to_path(p: Coord<f64>, line: &[[i32; 2]]) -> f64 {
    let at = |q: [i32; 2]| Coord { x: q[0] as f64, y: q[1] as f64 };
    let seg = |a: Coord<f64>, b: Coord<f64>| {
        let d = b - a;
        let len2 = d.x * d.x + d.y * d.y;
        let t = if len2 == 0.0 { 0.0 } else { (((p - a).x * d.x + (p - a).y * d.y) / len2).clamp(0.0, 1.0) };
        let q = a + d * t;
        ((p.x - q.x).powi(2) + (p.y - q.y).powi(2)).sqrt()
    };
    match line {
        [only] => seg(at(*only), at(*only)),
        _ => line.windows(2).map(|w| seg(at(w[0]), at(w[1]))).fold(f64::INFINITY, f64::min),
    }
}

/// One geometry (WGS84) cut into the tile, or `None` where nothing of it shows there.
/// Geometry collections, which no catalog layer holds, are left out.
pub fn cut_geometry(g: &Geometry<f64>, frame: &TileFrame, clip: &ClipBox) -> Option<TileGeometry> {
    match g {
        Geometry::Point(p) => points(std::iter::once(p.0), frame),
        Geometry::MultiPoint(mp) => points(mp.0.iter().map(|p| p.0), frame),
        Geometry::Line(l) => lines(&[LineString::new(vec![l.start, l.end])], frame, clip),
        Geometry::LineString(ls) => lines(std::slice::from_ref(ls), frame, clip),
        Geometry::MultiLineString(mls) => lines(&mls.0, frame, clip),
        Geometry::Polygon(p) => polygons(std::slice::from_ref(p), frame, clip),
        Geometry::MultiPolygon(mp) => polygons(&mp.0, frame, clip),
        Geometry::Rect(r) => polygons(&[r.to_polygon()], frame, clip),
        Geometry::Triangle(t) => polygons(&[t.to_polygon()], frame, clip),
        Geometry::GeometryCollection(_) => None,
    }
}

fn points(coords: impl Iterator<Item = Coord<f64>>, frame: &TileFrame) -> Option<TileGeometry> {
    let mut out: Vec<[i32; 2]> = coords.map(|c| frame.project(c)).filter(|p| TileFrame::owns(*p)).map(snap).collect();
    out.dedup();
    match out.len() {
        0 => None,
        1 => Some(TileGeometry::Point(out[0])),
        _ => Some(TileGeometry::Points(out)),
    }
}

fn lines(lines: &[LineString<f64>], frame: &TileFrame, clip: &ClipBox) -> Option<TileGeometry> {
    let mut out: Vec<Vec<[i32; 2]>> = Vec::new();
    for line in lines {
        let projected: Vec<Coord<f64>> = line.0.iter().map(|c| frame.project(*c)).collect();
        for part in clip_line(&projected, clip).into_iter().filter_map(snap_line) {
            // A part that starts where the previous one ended continues it: one path, and an
            // MVT line must begin with its own MoveTo, which the encoder would leave out here.
            match out.last_mut() {
                Some(prev) if prev.last() == part.first() => prev.extend_from_slice(&part[1..]),
                _ => out.push(part),
            }
        }
    }
    (!out.is_empty()).then_some(TileGeometry::Lines(out))
}

fn polygons(polygons: &[Polygon<f64>], frame: &TileFrame, clip: &ClipBox) -> Option<TileGeometry> {
    let projected: MultiPolygon<f64> = polygons.iter().map(|p| p.map_coords(|c| frame.project(c))).collect();
    let out = snap_polygons(&clip_polygons(projected, clip).0);
    (!out.is_empty()).then_some(TileGeometry::Polygons(out))
}
