//! The coverage-gap layer: where residents live beyond every facility's reach — the demand
//! areas (residential blocks, communities) minus the union of the facilities' service areas —
//! as polygons a planner sees on the map and exports.
//!
//! Service areas are geodesic circles of the service radius (straight-line reach): a polygon
//! of what a walk along the streets reaches would need the street network's isochrones, which
//! the point answers ([`super::coverage`]) use but this layer does not yet draw. Every gap says
//! so in its `distance` field.

use geo::{Area, BooleanOps, BoundingRect, GeodesicArea, Intersects};
use geo_types::{Coord, Geometry, LineString, MultiPolygon, Polygon, Rect};

use super::coverage::{service_radius, site_points, DemandSpec};
use super::zones;
use crate::feature::{Feature, Value};
use crate::print::map_frame::metres_per_degree;
use crate::project::Project;
use crate::store::Storage;
use crate::{Error, Result};

/// Vertices of a service circle: at 300 m the polygon lies within 0.4 m of the circle.
const CIRCLE_VERTICES: usize = 64;

/// Gaps smaller than this (m²) are slivers between circles, not places where people live.
const SLIVER_M2: f64 = 10.0;

/// One demand area's uncovered part.
#[derive(Debug, Clone)]
pub struct Gap {
    pub fid: i64,
    pub name: Option<String>,
    pub area: MultiPolygon<f64>,
    pub gap_m2: f64,
    /// The uncovered share of the demand area, 0–1.
    pub share: f64,
    /// The demand weight of the uncovered part, pro rata by area.
    pub weight: f64,
}

/// The gap layer of one question: what was asked, and the gaps, the most demand first.
#[derive(Debug, Clone)]
pub struct GapLayer {
    pub kind: String,
    pub radius_m: f64,
    pub demand: DemandSpec,
    pub gaps: Vec<Gap>,
}

/// The gaps of facility `kind` in the demand areas of `demand` (features with a weight of 0
/// are not demand: a block with no households is no gap), inside `zone` when one is given;
/// the radius is `radius_m`, else the catalog's.
pub fn coverage_gaps<S: Storage>(project: &Project<S>, kind: &str, demand: &DemandSpec, zone: Option<&str>, radius_m: Option<f64>) -> Result<GapLayer> {
    let layer = project.catalog().kind(kind)?;
    let radius = service_radius(layer, radius_m)?;
    let demand_kind = project.catalog().kind(&demand.layer)?;
    if let Some(field) = &demand.weight_field {
        if demand_kind.field(field).is_none() {
            return Err(Error::Invalid(format!("layer `{}` has no field `{field}` to weigh demand by", demand.layer)));
        }
    }
    let zone = zone.map(|z| zones::zone(project, z)).transpose()?;
    let sites: Vec<Coord<f64>> = site_points(project, kind)?.into_iter().map(|(_, _, c)| c).collect();

    let mut gaps = Vec::new();
    for feature in project.features(&demand.layer)? {
        let fid = feature.fid.unwrap_or_default();
        let mut area = match &feature.geometry {
            Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
            Geometry::MultiPolygon(m) => m.clone(),
            _ => {
                return Err(Error::Invalid(format!(
                    "--demand {}: the gap layer needs demand areas (blocks, communities); `{}` holds {}s",
                    demand,
                    demand.layer,
                    demand_kind.geometry.gpkg_name()
                )))
            }
        };
        let weight = match &demand.weight_field {
            None => 1.0,
            Some(field) => match feature.get(field) {
                Value::Integer(i) => *i as f64,
                Value::Real(r) => *r,
                _ => 0.0,
            },
        };
        if weight <= 0.0 {
            continue;
        }
        if let Some(z) = &zone {
            if !z.area.intersects(&area) {
                continue;
            }
            area = area.intersection(&z.area);
        }
        let whole_m2 = area.geodesic_area_unsigned();
        if whole_m2 <= SLIVER_M2 {
            continue;
        }
        let Some(bounds) = area.bounding_rect() else { continue };
        let circles: Vec<Polygon<f64>> = sites.iter().filter(|s| near(bounds, **s, radius)).map(|s| circle(*s, radius)).collect();
        let served = geo::unary_union(&circles);
        let uncovered = if circles.is_empty() { area.clone() } else { area.difference(&served) };
        let uncovered = MultiPolygon(uncovered.0.into_iter().filter(|p| p.geodesic_area_unsigned() > SLIVER_M2).collect());
        let gap_m2 = uncovered.geodesic_area_unsigned();
        if uncovered.0.is_empty() || uncovered.unsigned_area() == 0.0 {
            continue;
        }
        let share = (gap_m2 / whole_m2).min(1.0);
        gaps.push(Gap { fid, name: feature.name().map(str::to_owned), area: uncovered, gap_m2, share, weight: weight * share });
    }
    gaps.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.fid.cmp(&b.fid)));
    Ok(GapLayer { kind: kind.to_owned(), radius_m: radius, demand: demand.clone(), gaps })
}

impl GapLayer {
    /// The gaps as features to export or draw: each with its demand area's name and fid, the
    /// uncovered area and share, the facility kind and radius, and how reach was measured.
    pub fn features(&self) -> Vec<Feature> {
        self.gaps.iter().map(|g| self.feature(g)).collect()
    }

    fn feature(&self, g: &Gap) -> Feature {
        let mut f = Feature::new(g.area.clone())
            .with("demand_layer", self.demand.layer.as_str())
            .with("demand_fid", g.fid)
            .with("kind", self.kind.as_str())
            .with("radius_m", self.radius_m)
            .with("distance", "straight")
            .with("gap_m2", (g.gap_m2 * 10.0).round() / 10.0)
            .with("gap_share", g.share)
            .with("gap_weight", (g.weight * 10.0).round() / 10.0);
        if let Some(name) = &g.name {
            f = f.with("name", name.as_str());
        }
        f
    }
}

/// The fields of [`GapLayer::features`], described as a layer so every export format writes them.
pub fn gap_layer_kind() -> crate::catalog::LayerKind {
    crate::catalog::LayerKind::from_toml(std::path::Path::new("coverage_gaps.toml"), include_str!("coverage_gaps.toml"))
        .expect("the gap layer's description is valid (tested)")
}

/// Whether a circle of `radius` round `c` can touch `bounds`.
fn near(bounds: Rect<f64>, c: Coord<f64>, radius: f64) -> bool {
    let (m_lat, m_lon) = metres_per_degree(c.y);
    let (dx, dy) = (radius / m_lon, radius / m_lat);
    c.x + dx >= bounds.min().x && c.x - dx <= bounds.max().x && c.y + dy >= bounds.min().y && c.y - dy <= bounds.max().y
}

/// A circle of `radius` metres round `c` on the ground, in longitude and latitude.
fn circle(c: Coord<f64>, radius: f64) -> Polygon<f64> {
    let (m_lat, m_lon) = metres_per_degree(c.y);
    let ring: Vec<Coord<f64>> = (0..=CIRCLE_VERTICES)
        .map(|k| {
            let t = std::f64::consts::TAU * (k % CIRCLE_VERTICES) as f64 / CIRCLE_VERTICES as f64;
            Coord { x: c.x + radius * t.cos() / m_lon, y: c.y + radius * t.sin() / m_lat }
        })
        .collect();
    Polygon::new(LineString(ring), Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::crs::distance_m;
    use geo::{Contains, InteriorPoint};

    #[test]
    fn gaps_are_the_housing_out_of_reach_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let project = crate::demo::create_project(&dir.path().join("d.gpkg"), Catalog::embedded(), 20220101).unwrap();
        let spec = DemandSpec::parse("blocks:households").unwrap();
        let layer = coverage_gaps(&project, "drying_areas", &spec, None, Some(200.0)).unwrap();
        let gaps = &layer.gaps;
        assert!(!gaps.is_empty());
        let sites: Vec<Coord<f64>> = site_points(&project, "drying_areas").unwrap().into_iter().map(|(_, _, c)| c).collect();
        let blocks = project.features("blocks").unwrap();
        for g in gaps {
            let block = blocks.iter().find(|b| b.fid == Some(g.fid)).unwrap();
            assert_eq!(block.get("landuse").as_str(), Some("residential"), "only housing is demand");
            // A point inside the gap is out of every site's reach and inside its block.
            let inside = g.area.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area())).unwrap().interior_point().unwrap();
            let nearest = sites.iter().map(|s| distance_m(inside.0, *s)).fold(f64::INFINITY, f64::min);
            assert!(nearest > 199.0, "a gap point {nearest} m from a drying area");
            assert!(block.geometry.contains(&inside), "the gap lies in its block");
            assert!(g.share > 0.0 && g.share <= 1.0 && g.gap_m2 > SLIVER_M2);
        }
        // A larger radius leaves less uncovered.
        let wider: f64 = coverage_gaps(&project, "drying_areas", &spec, None, Some(400.0)).unwrap().gaps.iter().map(|g| g.gap_m2).sum();
        let narrow: f64 = gaps.iter().map(|g| g.gap_m2).sum();
        assert!(wider < narrow, "{wider} ≥ {narrow}");
        let e = coverage_gaps(&project, "drying_areas", &DemandSpec::parse("parking").unwrap(), None, None).unwrap_err().to_string();
        assert!(e.contains("demand areas"), "{e}");
        let features = layer.features();
        assert_eq!(features[0].get("distance").as_str(), Some("straight"));
        let kind = gap_layer_kind();
        for f in &features {
            assert!(f.props.keys().all(|k| k == "name" || kind.field(k).is_some()), "{:?}", f.props.keys());
        }
    }
}
