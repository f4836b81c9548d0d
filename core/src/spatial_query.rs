//! The spatial query tools of the window, over one layer or several: within N metres of a
//! point, the k nearest, inside a polygon, within N metres of a feature (a road's line
//! buffer). Each runs on the layers' R-trees ([`crate::index`]); this module merges the
//! layers' answers and gives the outline of what was searched, for the map to draw.

use geo_types::{Coord, Geometry, MultiPolygon, Point};

use crate::error::{Error, Result};
use crate::index::metric::{buffer_outline, to_local_metres};
use crate::project::Project;
use crate::store::Storage;

/// What to search for.
#[derive(Debug, Clone, PartialEq)]
pub enum SpatialQuery {
    /// Features within `metres` of a point.
    Within { centre: Coord<f64>, metres: f64 },
    /// The `k` features nearest a point, over all the layers asked together.
    Nearest { centre: Coord<f64>, k: usize },
    /// Features inside (or on the edge of) a polygon.
    InPolygon { area: Geometry<f64> },
    /// Features within `metres` of feature `fid` of `layer` (the feature itself left out).
    NearFeature { layer: String, fid: i64, metres: f64 },
}

/// One feature found: its layer, id and, for the distance queries, metres from what was asked.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryHit {
    pub layer: String,
    pub fid: i64,
    pub distance_m: Option<f64>,
}

impl<S: Storage> Project<S> {
    /// Runs `query` on each of `layers` and merges the answers: distance queries nearest
    /// first (ties by layer order, then fid), the polygon query by layer order then fid.
    pub fn run_query(&self, query: &SpatialQuery, layers: &[String]) -> Result<Vec<QueryHit>> {
        if layers.is_empty() {
            return Err(Error::Invalid("no layer to search: choose a layer, or show at least one facility layer".into()));
        }
        let mut hits: Vec<(usize, QueryHit)> = Vec::new();
        for (order, layer) in layers.iter().enumerate() {
            let found: Vec<(i64, Option<f64>)> = match query {
                SpatialQuery::Within { centre, metres } => {
                    self.within(layer, *centre, *metres)?.into_iter().map(|h| (h.fid, Some(h.distance_m))).collect()
                }
                SpatialQuery::Nearest { centre, k } => {
                    self.nearest(layer, *centre, *k)?.into_iter().map(|h| (h.fid, Some(h.distance_m))).collect()
                }
                SpatialQuery::InPolygon { area } => self.in_polygon(layer, area)?.into_iter().map(|f| (f, None)).collect(),
                SpatialQuery::NearFeature { layer: of, fid, metres } => {
                    self.near_feature(layer, of, *fid, *metres)?.into_iter().map(|h| (h.fid, Some(h.distance_m))).collect()
                }
            };
            hits.extend(found.into_iter().map(|(fid, distance_m)| (order, QueryHit { layer: layer.clone(), fid, distance_m })));
        }
        hits.sort_by(|(oa, a), (ob, b)| {
            let da = a.distance_m.unwrap_or(0.0);
            let db = b.distance_m.unwrap_or(0.0);
            da.total_cmp(&db).then(oa.cmp(ob)).then(a.fid.cmp(&b.fid))
        });
        if let SpatialQuery::Nearest { k, .. } = query {
            hits.truncate(*k);
        }
        Ok(hits.into_iter().map(|(_, h)| h).collect())
    }

    /// The area the query searched, in WGS84, for the map to draw: the circle of a radius
    /// query, the circle out to the k-th nearest of `hits`, the polygon, or the buffer
    /// around the feature. `None` when there is nothing to draw (no nearest found).
    pub fn query_outline(&self, query: &SpatialQuery, hits: &[QueryHit]) -> Result<Option<MultiPolygon<f64>>> {
        Ok(match query {
            SpatialQuery::Within { centre, metres } => Some(buffer_outline(&Geometry::Point(Point(*centre)), *metres)),
            SpatialQuery::Nearest { centre, .. } => hits
                .iter()
                .filter_map(|h| h.distance_m)
                .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))))
                .filter(|r| *r > 0.0)
                .map(|r| buffer_outline(&Geometry::Point(Point(*centre)), r)),
            SpatialQuery::InPolygon { area } => match area {
                Geometry::Polygon(p) => Some(MultiPolygon(vec![p.clone()])),
                Geometry::MultiPolygon(mp) => Some(mp.clone()),
                _ => None,
            },
            SpatialQuery::NearFeature { layer, fid, metres } => {
                Some(buffer_outline(&self.feature(layer, *fid)?.geometry, *metres))
            }
        })
    }
}

/// Where a result's mark goes on the map: a point itself; a line's or polygon's interior
/// point (on the line, inside the polygon). `None` for an empty geometry.
pub fn anchor(g: &Geometry<f64>) -> Option<Coord<f64>> {
    use geo::InteriorPoint;
    match g {
        Geometry::Point(p) => Some(p.0),
        other => other.interior_point().map(|p| p.0),
    }
}

/// Checks a polygon drawn on the map: at least three distinct corners, finite WGS84
/// coordinates; closes the ring.
pub fn drawn_polygon(corners: &[[f64; 2]]) -> Result<Geometry<f64>> {
    let mut ring: Vec<Coord<f64>> = Vec::with_capacity(corners.len() + 1);
    for &[x, y] in corners {
        if !(x.is_finite() && y.is_finite() && (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)) {
            return Err(Error::Invalid(format!("corner ({x}, {y}) is not a WGS84 longitude, latitude")));
        }
        if ring.last() != Some(&Coord { x, y }) {
            ring.push(Coord { x, y });
        }
    }
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    if ring.len() < 3 {
        return Err(Error::Invalid(format!(
            "a search polygon needs at least 3 different corners; it has {}",
            ring.len()
        )));
    }
    let origin = ring[0];
    let polygon = geo_types::Polygon::new(ring.into(), vec![]);
    // A polygon of no area (all corners on one line) finds only what lies on that line.
    use geo::Area;
    let local = to_local_metres(origin, &Geometry::Polygon(polygon.clone()));
    if local.unsigned_area() < 1e-6 {
        return Err(Error::Invalid("the search polygon has no area: its corners lie on one line".into()));
    }
    Ok(Geometry::Polygon(polygon))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::distance_m;
    use crate::feature::Feature;
    use crate::Catalog;
    use geo::{Destination, Geodesic};

    fn project() -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::load_dir(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../layers"))).unwrap();
        let p = Project::create(&dir.path().join("q.gpkg"), catalog).unwrap();
        (dir, p)
    }

    fn charger(p: Point<f64>, name: &str) -> Feature {
        Feature::new(p).with("name", name).with("source", "t").with("vehicle_type", "ebike").with("ports", 4i64).with("scan_to_pay", true)
    }

    fn parking(p: Point<f64>, name: &str) -> Feature {
        Feature::new(p).with("name", name).with("source", "t").with("kind", "lot")
    }

    #[test]
    fn layers_merge_nearest_first_and_k_counts_over_all_layers() {
        let (_d, p) = project();
        let c = Point::new(119.82, 31.36);
        let at = |d: f64| Geodesic.destination(c, 45.0, d);
        let ch = p.insert("chargers", vec![charger(at(10.0), "a"), charger(at(300.0), "b")], "add").unwrap();
        let sc = p.insert("parking", vec![parking(at(100.0), "s")], "add").unwrap();
        let layers = vec!["chargers".to_owned(), "parking".to_owned()];
        let within = p.run_query(&SpatialQuery::Within { centre: c.0, metres: 150.0 }, &layers).unwrap();
        assert_eq!(within.iter().map(|h| (h.layer.as_str(), h.fid)).collect::<Vec<_>>(), [("chargers", ch[0]), ("parking", sc[0])]);
        let nearest = p.run_query(&SpatialQuery::Nearest { centre: c.0, k: 2 }, &layers).unwrap();
        assert_eq!(nearest.len(), 2);
        assert!((nearest[1].distance_m.unwrap() - 100.0).abs() < 0.01);
        // The outline of a k-nearest query reaches the k-th: a circle of 100 m.
        let outline = p.query_outline(&SpatialQuery::Nearest { centre: c.0, k: 2 }, &nearest).unwrap().unwrap();
        for v in outline.0[0].exterior().coords() {
            assert!((distance_m(c.0, *v) - 100.0).abs() < 0.5, "{}", distance_m(c.0, *v));
        }
        assert!(p.run_query(&SpatialQuery::Within { centre: c.0, metres: 10.0 }, &[]).is_err());
        assert!(p.run_query(&SpatialQuery::Within { centre: c.0, metres: 10.0 }, &["nope".into()]).is_err());
    }

    #[test]
    fn drawn_polygons_are_checked() {
        let sq = [[119.81, 31.35], [119.83, 31.35], [119.83, 31.37], [119.81, 31.37]];
        let g = drawn_polygon(&sq).unwrap();
        let Geometry::Polygon(poly) = &g else { panic!() };
        assert_eq!(poly.exterior().0.len(), 5, "closed");
        assert!(drawn_polygon(&sq[..2]).unwrap_err().to_string().contains("3 different corners"));
        assert!(drawn_polygon(&[[119.81, 31.35], [119.82, 31.36], [119.83, 31.37]]).unwrap_err().to_string().contains("no area"));
        assert!(drawn_polygon(&[[219.81, 31.35], [119.82, 31.36], [119.83, 31.37]]).is_err());
    }
}
