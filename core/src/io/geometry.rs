//! Geometry checks shared by the readers and writers.

use geo::{CoordsIter, MapCoords};
use geo_types::{Coord, Geometry, MultiLineString, MultiPoint, MultiPolygon};

use crate::catalog::GeometryType;
use crate::crs::Crs;

/// The geometry as the layer stores it: single parts become one-part multis in multi layers,
/// so a layer's table holds one geometry type as GeoPackage requires. `Err` says what the
/// layer takes when the geometry does not fit.
pub(crate) fn fit_to_layer(ty: GeometryType, g: Geometry<f64>) -> Result<Geometry<f64>, String> {
    if !ty.accepts(&g) {
        return Err(format!("expected a {} geometry", type_label(ty)));
    }
    Ok(match (ty, g) {
        (GeometryType::MultiPoint, Geometry::Point(p)) => MultiPoint(vec![p]).into(),
        (GeometryType::MultiLineString, Geometry::LineString(l)) => MultiLineString(vec![l]).into(),
        (GeometryType::MultiPolygon, Geometry::Polygon(p)) => MultiPolygon(vec![p]).into(),
        (_, g) => g,
    })
}

/// A one-part multi geometry as its single part when the layer takes single parts: a
/// Shapefile has no single-part polygons or lines, and QGIS writes multis by default.
pub(crate) fn single_part_if_layer_is(ty: GeometryType, g: Geometry<f64>) -> Geometry<f64> {
    match (ty, g) {
        (GeometryType::Point, Geometry::MultiPoint(mut m)) if m.0.len() == 1 => m.0.remove(0).into(),
        (GeometryType::LineString, Geometry::MultiLineString(mut m)) if m.0.len() == 1 => m.0.remove(0).into(),
        (GeometryType::Polygon, Geometry::MultiPolygon(mut m)) if m.0.len() == 1 => m.0.remove(0).into(),
        (_, g) => g,
    }
}

/// The GeoJSON/WKT name of a layer's geometry type, and the single-part form it also takes.
pub(crate) fn type_label(ty: GeometryType) -> &'static str {
    match ty {
        GeometryType::Point => "Point",
        GeometryType::LineString => "LineString",
        GeometryType::Polygon => "Polygon",
        GeometryType::MultiPoint => "MultiPoint (or Point)",
        GeometryType::MultiLineString => "MultiLineString (or LineString)",
        GeometryType::MultiPolygon => "MultiPolygon (or Polygon)",
    }
}

/// The GeoJSON/WKT type name of a geometry, for messages.
pub fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}

/// Checks that every coordinate is a longitude/latitude. Projected coordinates (metres in a
/// Gauss–Krüger zone, say) are the usual cause of a failure, so the message says so.
pub(crate) fn check_lon_lat(g: &Geometry<f64>) -> Result<(), String> {
    let bad = g.coords_iter().find(|c| !lon_ok(c.x) || !lat_ok(c.y));
    match bad {
        None if g.coords_iter().next().is_none() => Err("is empty; expected at least one coordinate".into()),
        None => Ok(()),
        Some(c) => Err(format!(
            "has coordinate ({}, {}) outside longitude -180..180 / latitude -90..90; \
             expected longitude/latitude degrees (projected coordinates must be converted first)",
            c.x, c.y
        )),
    }
}

/// A geometry as read from a file in `crs`, checked and converted to WGS84 for storage.
/// Degrees are checked before converting (a projected file read as degrees is the usual
/// mistake); projected coordinates after, where a wrong `--crs` lands outside the globe.
pub(crate) fn to_storage(mut g: Geometry<f64>, crs: Crs) -> Result<Geometry<f64>, String> {
    check_rings(&g)?;
    if crs.is_geographic() {
        check_lon_lat(&g)?;
        crs.geometry_to_wgs84(&mut g)?;
        return Ok(g);
    }
    if g.coords_iter().next().is_none() {
        return Err("is empty; expected at least one coordinate".into());
    }
    if let Some(c) = g.coords_iter().find(|c| !(c.x.is_finite() && c.y.is_finite())) {
        return Err(format!("has coordinate ({}, {}); expected numbers", c.x, c.y));
    }
    crs.geometry_to_wgs84(&mut g)?;
    check_lon_lat(&g)?;
    Ok(g)
}

/// A stored feature's geometry in the system an export writes; `Err` names the feature
/// whose position the system cannot express (outside a Gauss–Krüger zone, say).
pub(crate) fn for_export(f: &crate::feature::Feature, crs: Crs) -> crate::error::Result<Geometry<f64>> {
    let mut g = f.geometry.clone();
    crs.geometry_from_wgs84(&mut g).map_err(|why| {
        crate::error::Error::Geometry(format!("feature {}: {why}", f.fid.map_or("(unsaved)".to_owned(), |i| i.to_string())))
    })?;
    Ok(g)
}

/// Refuses a polygon ring of fewer than four positions (three corners and the closing one,
/// as RFC 7946 and Simple Features require): a ring of one or two points has no area and is
/// a digitising slip, not a parcel (found by the fuzz corpus: `POLYGON((119.8 31.3))`
/// imported). Self-intersecting rings are not refused; see docs/RELIABILITY.md.
fn check_rings(g: &Geometry<f64>) -> Result<(), String> {
    let polygons: Vec<&geo_types::Polygon<f64>> = match g {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(m) => m.0.iter().collect(),
        Geometry::GeometryCollection(c) => return c.0.iter().try_for_each(check_rings),
        _ => return Ok(()),
    };
    let several = polygons.len() > 1;
    for (i, p) in polygons.into_iter().enumerate() {
        for (j, ring) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
            let n = ring.0.len();
            if n < 4 && !(j == 0 && n == 0 && !several) {
                let which = if j == 0 { "outer ring".to_owned() } else { format!("hole {j}") };
                let part = if several { format!("polygon {} ", i + 1) } else { String::new() };
                return Err(format!(
                    "has {} {part}{which} of {n} position(s) once closed; expected a ring of at least 3 corners (4 positions, the last repeating the first)",
                    if several || j > 0 { "a" } else { "an" }
                ));
            }
        }
    }
    Ok(())
}

pub(crate) fn lon_ok(x: f64) -> bool {
    x.is_finite() && (-180.0..=180.0).contains(&x)
}

pub(crate) fn lat_ok(y: f64) -> bool {
    y.is_finite() && (-90.0..=90.0).contains(&y)
}

/// Digits kept on export: 1e-7 degrees is about 1 cm, finer than any survey of a facility.
pub(crate) const DECIMALS: i32 = 7;

pub(crate) fn round_coord(c: Coord<f64>) -> Coord<f64> {
    Coord { x: round(c.x), y: round(c.y) }
}

pub(crate) fn round(v: f64) -> f64 {
    let k = 10f64.powi(DECIMALS);
    (v * k).round() / k
}

/// The geometry with every coordinate rounded to [`DECIMALS`].
pub(crate) fn rounded(g: &Geometry<f64>) -> Geometry<f64> {
    g.map_coords(round_coord)
}
