//! The page's query tools and search box: spatial queries over one layer or several (within
//! N metres of a click, the k nearest, inside a drawn polygon, along a picked road), the
//! export of a result set, name search and pasted coordinates. Each command is allowed by
//! name in capabilities/default.json; the work is core's (`wardgis::spatial_query`,
//! `wardgis::search`).


use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;
use wardgis::crs::Crs;
use wardgis::search::MatchRank;
use geo::BoundingRect;
use wardgis::spatial_query::{anchor, drawn_polygon, SpatialQuery};
use wardgis::Error;

use crate::project_state::ProjectState;

/// A query the page asks for (tagged by `kind`).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QueryRequest {
    /// Within `meters` of a clicked point.
    Radius { lon: f64, lat: f64, meters: f64 },
    /// The `k` nearest to a clicked point, over all the target layers.
    Nearest { lon: f64, lat: f64, k: u32 },
    /// Inside a polygon drawn on the map (its corners, WGS84).
    Polygon { corners: Vec<[f64; 2]> },
    /// Within `meters` of feature `fid` of `layer` (a road picked on the map).
    Along {
        layer: String,
        #[ts(type = "number")]
        fid: i64,
        meters: f64,
    },
}

impl QueryRequest {
    fn to_core(&self) -> Result<SpatialQuery, Error> {
        Ok(match self {
            QueryRequest::Radius { lon, lat, meters } => SpatialQuery::Within { centre: (*lon, *lat).into(), metres: *meters },
            QueryRequest::Nearest { lon, lat, k } => SpatialQuery::Nearest { centre: (*lon, *lat).into(), k: *k as usize },
            QueryRequest::Polygon { corners } => SpatialQuery::InPolygon { area: drawn_polygon(corners)? },
            QueryRequest::Along { layer, fid, meters } => SpatialQuery::NearFeature { layer: layer.clone(), fid: *fid, metres: *meters },
        })
    }
}

/// One feature a query found.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QueryHit {
    pub layer: String,
    #[ts(type = "number")]
    pub fid: i64,
    /// The feature's name (null when it has none).
    pub name: Option<String>,
    /// Metres from the click or the road, for the distance queries.
    pub distance_m: Option<f64>,
    /// Where the map marks it (`[lon, lat]`: the point, or a point on the line or inside the
    /// polygon).
    pub at: Option<[f64; 2]>,
    /// The box the map flies to, `[west, south, east, north]`.
    pub bounds: Option<[f64; 4]>,
}

/// A query's answer: the features, and the area searched (MultiPolygon coordinates: polygons
/// of rings of `[lon, lat]`) for the map to draw.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QueryAnswer {
    pub hits: Vec<QueryHit>,
    pub outline: Vec<Vec<Vec<[f64; 2]>>>,
}

/// Runs a spatial query on `layers` (one layer, or the visible facility layers).
#[tauri::command]
pub fn spatial_query(state: State<'_, ProjectState>, request: QueryRequest, layers: Vec<String>) -> Result<QueryAnswer, String> {
    Ok(state.with(|p| {
        let query = request.to_core()?;
        let found = p.run_query(&query, &layers)?;
        let outline = p.query_outline(&query, &found)?.map(|mp| multipolygon_coords(&mp)).unwrap_or_default();
        let hits = found
            .iter()
            .map(|h| {
                let f = p.feature(&h.layer, h.fid)?;
                Ok(QueryHit {
                    layer: h.layer.clone(),
                    fid: h.fid,
                    name: f.name().map(str::to_owned),
                    distance_m: h.distance_m,
                    at: anchor(&f.geometry).map(|c| [c.x, c.y]),
                    bounds: f.geometry.bounding_rect().map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(QueryAnswer { hits, outline })
    })?)
}

fn multipolygon_coords(mp: &geo_types::MultiPolygon<f64>) -> Vec<Vec<Vec<[f64; 2]>>> {
    let ring = |r: &geo_types::LineString<f64>| r.coords().map(|c| [c.x, c.y]).collect::<Vec<_>>();
    mp.0.iter()
        .map(|poly| std::iter::once(ring(poly.exterior())).chain(poly.interiors().iter().map(ring)).collect())
        .collect()
}

/// The box `[west, south, east, north]` around a feature, where the map flies to show it;
/// null when it has no geometry.
#[tauri::command]
pub fn feature_bounds(state: State<'_, ProjectState>, layer: String, fid: i64) -> Result<Option<[f64; 4]>, String> {
    Ok(state.with(|p| Ok(p.feature_bounds(&layer, fid)?.map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])))?)
}

/// The coordinate systems a pasted coordinate may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PasteCrs {
    Wgs84,
    Gcj02,
    Bd09,
}

impl From<PasteCrs> for Crs {
    fn from(c: PasteCrs) -> Crs {
        match c {
            PasteCrs::Wgs84 => Crs::Wgs84,
            PasteCrs::Gcj02 => Crs::Gcj02,
            PasteCrs::Bd09 => Crs::Bd09,
        }
    }
}

/// A feature whose name matched.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NameHit {
    pub layer: String,
    #[ts(type = "number")]
    pub fid: i64,
    pub name: String,
    pub rank: MatchRank,
}

/// A pasted coordinate, read: the WGS84 point, and the numbers as typed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PastedPoint {
    pub lon: f64,
    pub lat: f64,
    pub typed_lon: f64,
    pub typed_lat: f64,
    /// The text gave latitude first (recognised because the second number is beyond ±90).
    pub latitude_first: bool,
}

/// What the search box found: a coordinate when the text is two numbers (else null, or an
/// error saying what is wrong with it), and the features whose names hold the text.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SearchAnswer {
    pub coordinate: Option<PastedPoint>,
    pub names: Vec<NameHit>,
}

/// How many name matches the search box lists.
const NAME_HITS: usize = 20;

/// The search box: two numbers are a coordinate in `crs`; anything else is part of a name,
/// searched in every layer.
#[tauri::command]
pub fn search(state: State<'_, ProjectState>, text: String, crs: PasteCrs) -> Result<SearchAnswer, String> {
    if wardgis::search::looks_like_coordinate(&text) {
        let c = wardgis::search::parse_coordinate(&text, crs.into()).map_err(|e| e.to_string())?;
        return Ok(SearchAnswer {
            coordinate: Some(PastedPoint {
                lon: c.wgs84.x,
                lat: c.wgs84.y,
                typed_lon: c.typed.x,
                typed_lat: c.typed.y,
                latitude_first: c.latitude_first,
            }),
            names: Vec::new(),
        });
    }
    if text.trim().is_empty() {
        return Ok(SearchAnswer { coordinate: None, names: Vec::new() });
    }
    Ok(state.with(|p| {
        let names = p
            .search_names(&text, NAME_HITS)?
            .into_iter()
            .map(|(layer, m)| NameHit { layer, fid: m.fid, name: m.name, rank: m.rank })
            .collect();
        Ok(SearchAnswer { coordinate: None, names })
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_arrive_tagged() {
        let r: QueryRequest = serde_json::from_value(serde_json::json!({"kind": "along", "layer": "roads", "fid": 3, "meters": 80})).unwrap();
        assert!(matches!(r.to_core().unwrap(), SpatialQuery::NearFeature { fid: 3, .. }));
        let r: QueryRequest = serde_json::from_value(serde_json::json!({"kind": "polygon", "corners": [[1, 1], [2, 1]]})).unwrap();
        assert!(r.to_core().is_err());
        let c: PasteCrs = serde_json::from_value(serde_json::json!("gcj02")).unwrap();
        assert_eq!(Crs::from(c), Crs::Gcj02);
    }
}
