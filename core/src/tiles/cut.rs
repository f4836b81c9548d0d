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
