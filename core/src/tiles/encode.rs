//! Writing cut features into an MVT layer with the `mvt` crate: geometry commands, the
//! feature id, and one tag per attribute that has a value.

use mvt::{GeomData, GeomEncoder, GeomType, Layer};

use super::simplify::TilePoint;
use crate::error::{Error, Result};
use crate::feature::Value;

/// A feature's geometry in whole tile units, ready to encode.
#[derive(Debug, Clone, PartialEq)]
pub enum TileGeometry {
    /// One point (the common case, kept apart so that it needs no allocation).
    Point(TilePoint),
    /// One or more points.
    Points(Vec<TilePoint>),
    /// One or more lines, each of at least two distinct points.
    Lines(Vec<Vec<TilePoint>>),
    /// One or more polygons, each its exterior ring (positive area) then its holes (negative
    /// area), every ring open and of at least three corners.
    Polygons(Vec<Vec<Vec<TilePoint>>>),
}

/// The MVT command stream of a geometry.
pub fn geometry(g: &TileGeometry) -> Result<GeomData> {
    let mvt = |e: mvt::Error| Error::Geometry(format!("encoding a vector tile geometry: {e}"));
    match g {
        TileGeometry::Point(p) => GeomEncoder::<i32>::new(GeomType::Point).point(p[0], p[1]).and_then(|e| e.encode()).map_err(mvt),
        TileGeometry::Points(points) => {
            let mut enc = GeomEncoder::<i32>::new(GeomType::Point);
            for p in points {
                enc.add_point(p[0], p[1]).map_err(mvt)?;
            }
            enc.encode().map_err(mvt)
        }
        TileGeometry::Lines(lines) => {
            let mut enc = GeomEncoder::<i32>::new(GeomType::Linestring);
            for line in lines {
                for p in line {
                    enc.add_point(p[0], p[1]).map_err(mvt)?;
                }
                enc.complete_geom().map_err(mvt)?;
            }
            enc.encode().map_err(mvt)
        }
        TileGeometry::Polygons(polygons) => {
            let mut enc = GeomEncoder::<i32>::new(GeomType::Polygon);
            let mut last: Option<TilePoint> = None;
            for ring in polygons.iter().flatten() {
                // The encoder drops a ring's MoveTo when the ring starts where the previous one
                // ended (right for lines, invalid for polygons): start such a ring one corner on.
                let start = usize::from(last == ring.first().copied());
                for i in 0..ring.len() {
                    let p = ring[(start + i) % ring.len()];
                    enc.add_point(p[0], p[1]).map_err(mvt)?;
                }
                last = Some(ring[(start + ring.len() - 1) % ring.len()]);
                enc.complete_geom().map_err(mvt)?;
            }
            enc.encode().map_err(mvt)
        }
    }
}

/// Appends one feature to `layer`: its geometry, `fid` as its id, and a tag for each non-null
/// value under its column name (text, dates and enum codes as strings, integers as sint,
/// reals as doubles, booleans as bools).
pub fn add_feature(layer: Layer, fid: i64, geom: GeomData, columns: &[&str], values: &[Value]) -> Layer {
    let mut feature = layer.into_feature(geom);
    if let Ok(id) = u64::try_from(fid) {
        feature.set_id(id);
    }
    for (key, value) in columns.iter().zip(values) {
        match value {
            Value::Null => {}
            Value::Text(s) | Value::Date(s) => feature.add_tag_string(key, s),
            Value::Integer(i) => feature.add_tag_sint(key, *i),
            Value::Real(r) => feature.add_tag_double(key, *r),
            Value::Boolean(b) => feature.add_tag_bool(key, *b),
        }
    }
    feature.into_layer()
}
