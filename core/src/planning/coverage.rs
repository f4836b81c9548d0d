//! Demand and its coverage: which demand points lie within a service radius of at least one
//! facility — by walking distance along the streets or in a straight line ([`Reach`]) — how
//! much demand that is, and how far the uncovered points are from the nearest facility.

use geo::{InteriorPoint, Intersects};
use geo_types::{Coord, Geometry, MultiPolygon};

use super::distance::Reach;
use super::mclp::Instance;
use crate::feature::Value;
use crate::index::{Entry, LayerIndex};
use crate::project::Project;
use crate::store::Storage;
use crate::{Error, Result};

/// A place with demand to serve: a point, or an area's interior point, with its weight.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandPoint {
    pub fid: i64,
    pub name: Option<String>,
    pub at: Coord<f64>,
    pub weight: f64,
    /// The feature is the demo's generated data.
    pub generated: bool,
}

/// The demand of a layer: each feature at its point (an area at its interior point), weighted
/// by `weight_field` (a number ≥ 0) or 1 each. A feature without a usable weight is an error
/// naming the layer, the feature and the value, since a silently dropped community would
/// make the coverage look better than it is.
pub fn demand_points<S: Storage>(
    project: &Project<S>,
    layer: &str,
    weight_field: Option<&str>,
) -> Result<Vec<DemandPoint>> {
    let kind = project.catalog().kind(layer)?;
    if let Some(field) = weight_field {
        if kind.field(field).is_none() {
            return Err(Error::Invalid(format!(
                "layer `{layer}` has no field `{field}` to weigh demand by"
            )));
        }
    }
    let mut points = Vec::new();
    for feature in project.features(layer)? {
        let fid = feature.fid.unwrap_or_default();
        let at = match &feature.geometry {
            Geometry::Point(p) => p.0,
            g => match g.interior_point() {
                Some(p) => p.0,
                None => continue, // an empty geometry has no place to serve
            },
        };
        let weight = match weight_field {
            None => 1.0,
            Some(field) => match feature.get(field) {
                Value::Integer(i) if *i >= 0 => *i as f64,
                Value::Real(r) if r.is_finite() && *r >= 0.0 => *r,
                other => {
                    return Err(Error::Invalid(format!(
                        "layer `{layer}`, feature {fid}: field `{field}` is `{}`; demand weights must be numbers of 0 or more",
                        other.to_text()
                    )))
                }
            },
        };
        points.push(DemandPoint {
            fid,
            name: feature.name().map(str::to_owned),
            at,
            weight,
            generated: feature.get("source").as_str() == Some(crate::demo::SOURCE),
        });
    }
    Ok(points)
}

/// Which layer holds the demand and which field weighs it, as `LAYER[:FIELD]` says
/// (`communities:households`, `schools:students`, `responsibility_units`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemandSpec {
    pub layer: String,
    pub weight_field: Option<String>,
}

impl DemandSpec {
    /// Residents by community, weighed by households: what the bureau's planners count first.
    pub fn households_by_community() -> DemandSpec {
        DemandSpec { layer: "communities".into(), weight_field: Some("households".into()) }
    }

    /// Reads `LAYER[:FIELD]`.
    pub fn parse(text: &str) -> Result<DemandSpec> {
        let (layer, field) = match text.trim().split_once(':') {
            Some((l, f)) => (l.trim(), Some(f.trim())),
            None => (text.trim(), None),
        };
        if layer.is_empty() || field.is_some_and(str::is_empty) {
            return Err(Error::Invalid(format!("--demand `{text}`: expected LAYER or LAYER:FIELD, such as communities:households")));
        }
        Ok(DemandSpec { layer: layer.to_owned(), weight_field: field.map(str::to_owned) })
    }
}

impl std::fmt::Display for DemandSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.weight_field {
            Some(field) => write!(f, "{}:{field}", self.layer),
            None => f.write_str(&self.layer),
        }
    }
}

/// The demand of one question: its points (in a zone, when one is given) and whether any of
/// them is generated data, which every answer built on it must say.
#[derive(Debug, Clone)]
pub struct Demand {
    pub spec: DemandSpec,
    pub points: Vec<DemandPoint>,
    pub generated: bool,
}

impl Demand {
    /// The demand `spec` names — its points of a weight above 0 —, only those inside `zone`
    /// when one is given.
    pub fn read<S: Storage>(project: &Project<S>, spec: &DemandSpec, zone: Option<&MultiPolygon<f64>>) -> Result<Demand> {
        let mut points = demand_points(project, &spec.layer, spec.weight_field.as_deref())?;
        // A block without households is no demand: it is neither covered nor left out.
        points.retain(|d| d.weight > 0.0);
        if let Some(zone) = zone {
            points.retain(|d| zone.intersects(&geo_types::Point(d.at)));
        }
        let generated = points.iter().any(|d| d.generated);
        Ok(Demand { spec: spec.clone(), points, generated })
    }

    /// Refuses a question with no demand to answer: every share would read 100 %.
    pub fn require_some(&self, zone: Option<&str>) -> Result<()> {
        if !self.points.is_empty() {
            return Ok(());
        }
        let place = zone.map(|z| format!(" in pilot zone `{z}`")).unwrap_or_default();
        let hint = if self.spec.layer == "communities" {
            " (a community counts where its interior point lies; a small zone may hold none: try --demand blocks:households)"
        } else {
            ""
        };
        Err(Error::Invalid(format!("no demand of `{}` with a weight above 0{place}{hint}", self.spec)))
    }

    pub fn total(&self) -> f64 {
        self.points.iter().map(|d| d.weight).sum()
    }
}

/// The service radius of facility layer `kind` in metres: `asked` when given, else the
/// catalog's; an error says what to give when neither is a positive number.
pub fn service_radius(kind: &crate::catalog::LayerKind, asked: Option<f64>) -> Result<f64> {
    match asked.or(kind.service_radius_m) {
        Some(r) if r.is_finite() && r > 0.0 => Ok(r),
        Some(r) => Err(Error::Invalid(format!("--radius {r}: expected a positive number of metres"))),
        None => Err(Error::Invalid(format!("layer `{}` has no service radius in the catalog; give one with --radius", kind.id))),
    }
}

/// How well facilities cover demand.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub total: f64,
    pub covered: f64,
    /// Each demand point none reaches (index into the demand), with the distance in metres to
    /// the nearest facility (`None` when there is none within [`NEAREST_SEARCH_M`], or none
    /// connected to it along the streets).
    pub uncovered: Vec<(usize, Option<f64>)>,
}

impl Coverage {
    /// The covered share of the demand, 0–1 (1 for no demand).
    pub fn share(&self) -> f64 {
        if self.total <= 0.0 {
            1.0
        } else {
            self.covered / self.total
        }
    }
}

/// How far the nearest facility of an uncovered point is looked for.
pub const NEAREST_SEARCH_M: f64 = 5_000.0;

/// Facilities looked at, nearest by straight line first, to find the nearest along the
/// streets (a street network's detours rarely reorder more than the nearest few).
const NEAREST_CANDIDATES: usize = 8;

/// A feature where it stands: its fid, its name and its point.
pub type SitePoint = (i64, Option<String>, Coord<f64>);

/// Where each feature of a layer stands: a point, or an area's or a line's interior point,
/// with its fid and name.
pub fn site_points<S: Storage>(project: &Project<S>, layer: &str) -> Result<Vec<SitePoint>> {
    Ok(project
        .features(layer)?
        .into_iter()
        .filter_map(|f| {
            let at = match &f.geometry {
                Geometry::Point(p) => p.0,
                g => g.interior_point()?.0,
            };
            Some((f.fid.unwrap_or_default(), f.name().map(str::to_owned), at))
        })
        .collect())
}

/// An R-tree over bare places, each found by its index in `places`.
fn index_of(places: &[Coord<f64>]) -> LayerIndex {
    LayerIndex::build(places.iter().enumerate().filter_map(|(i, c)| Entry::new(i as i64, &Geometry::Point((*c).into()))).collect())
}

/// Which demand points the facilities of `layer` reach within `radius_m` by `reach`'s distance.
pub fn coverage<S: Storage>(project: &Project<S>, layer: &str, demand: &[DemandPoint], radius_m: f64, reach: &Reach) -> Result<Coverage> {
    let sites: Vec<Coord<f64>> = site_points(project, layer)?.into_iter().map(|(_, _, c)| c).collect();
    coverage_by(&sites, demand, radius_m, reach)
}

/// Which demand points `sites` reach within `radius_m`: for each point, the sites within the
/// radius in a straight line (no walk is shorter), then their distance by `reach`.
pub fn coverage_by(sites: &[Coord<f64>], demand: &[DemandPoint], radius_m: f64, reach: &Reach) -> Result<Coverage> {
    covered_by(sites, demand, radius_m, reach, true)
}

/// [`coverage_by`], the uncovered points' nearest facility looked for only when `nearest`
/// (a coverage instance needs to know who is covered, not how far the rest are).
fn covered_by(sites: &[Coord<f64>], demand: &[DemandPoint], radius_m: f64, reach: &Reach, nearest: bool) -> Result<Coverage> {
    let index = index_of(sites);
    let mut coverage = Coverage { total: 0.0, covered: 0.0, uncovered: Vec::new() };
    for (i, d) in demand.iter().enumerate() {
        coverage.total += d.weight;
        let near: Vec<Coord<f64>> = index.within(d.at, radius_m)?.iter().map(|h| sites[h.fid as usize]).collect();
        if reach.distances(d.at, &near, radius_m).iter().any(Option::is_some) {
            coverage.covered += d.weight;
        } else if !nearest {
            coverage.uncovered.push((i, None));
        } else {
            let shortest = |hits: Vec<crate::index::Hit>| {
                let near: Vec<Coord<f64>> = hits.iter().filter(|h| h.distance_m <= NEAREST_SEARCH_M).map(|h| sites[h.fid as usize]).collect();
                reach.distances(d.at, &near, NEAREST_SEARCH_M).into_iter().flatten().reduce(f64::min)
            };
            // The nearest few first; when none of them is connected along the streets (a
            // place across the river), every facility within the search distance.
            let distance = match shortest(index.nearest(d.at, NEAREST_CANDIDATES)?) {
                Some(found) => Some(found),
                None => shortest(index.within(d.at, NEAREST_SEARCH_M)?),
            };
            coverage.uncovered.push((i, distance));
        }
    }
    Ok(coverage)
}

/// The coverage instance for choosing among `candidates`: the demand each reaches within
/// `radius_m` by `reach`'s distance, and the demand the `existing` sites reach already.
pub fn coverage_instance(existing: &[Coord<f64>], candidates: &[Coord<f64>], demand: &[DemandPoint], radius_m: f64, reach: &Reach) -> Result<Instance> {
    let before = covered_by(existing, demand, radius_m, reach, false)?;
    let mut covered = vec![true; demand.len()];
    for (i, _) in &before.uncovered {
        covered[*i] = false;
    }
    let demand_at: Vec<Coord<f64>> = demand.iter().map(|d| d.at).collect();
    let index = index_of(&demand_at);
    let reaches = candidates
        .iter()
        .map(|c| {
            let mut near: Vec<usize> = index.within(*c, radius_m)?.iter().map(|h| h.fid as usize).collect();
            near.sort_unstable();
            let targets: Vec<Coord<f64>> = near.iter().map(|&i| demand_at[i]).collect();
            let distances = reach.distances(*c, &targets, radius_m);
            Ok(near.into_iter().zip(distances).filter(|(_, d)| d.is_some()).map(|(i, _)| i).collect())
        })
        .collect::<Result<Vec<Vec<usize>>>>()?;
    Ok(Instance { weights: demand.iter().map(|d| d.weight).collect(), reaches, covered })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::crs::distance_m;

    fn demo(dir: &std::path::Path) -> Project {
        crate::demo::create_project(&dir.join("d.gpkg"), Catalog::embedded(), 20220101).unwrap()
    }

    /// The points of a point layer.
    fn points(project: &Project, layer: &str) -> Vec<Coord<f64>> {
        project.features(layer).unwrap().iter().filter_map(|f| if let Geometry::Point(p) = &f.geometry { Some(p.0) } else { None }).collect()
    }

    #[test]
    fn coverage_equals_a_brute_force_check_of_every_demand_point_against_every_facility() {
        let dir = tempfile::tempdir().unwrap();
        let project = demo(dir.path());
        let demand = demand_points(&project, "communities", Some("households")).unwrap();
        let units = demand_points(&project, "responsibility_units", None).unwrap();
        let chargers = points(&project, "chargers");
        for (demand, radius) in [(&demand, 300.0), (&units, 150.0), (&units, 60.0)] {
            let ours = coverage(&project, "chargers", demand, radius, &Reach::straight()).unwrap();
            let mut covered = 0.0;
            let mut uncovered = Vec::new();
            for (i, d) in demand.iter().enumerate() {
                let nearest = chargers
                    .iter()
                    .map(|c| distance_m(d.at, *c))
                    .fold(f64::INFINITY, f64::min);
                if nearest <= radius {
                    covered += d.weight;
                } else {
                    uncovered.push((i, nearest));
                }
            }
            assert!(
                (ours.covered - covered).abs() < 1e-9,
                "radius {radius}: {} against brute force {covered}",
                ours.covered
            );
            assert_eq!(ours.uncovered.len(), uncovered.len());
            for ((i, d), (j, e)) in ours.uncovered.iter().zip(&uncovered) {
                assert_eq!(i, j);
                assert!(
                    (d.unwrap() - e).abs() < 0.01,
                    "nearest distance {d:?} against {e}"
                );
            }
            assert!(
                ours.share() > 0.0 && ours.share() < 1.0 || radius == 300.0,
                "a radius that leaves gaps: {}",
                ours.share()
            );
        }
    }

    #[test]
    fn walking_coverage_equals_every_demand_point_walked_to_every_facility() {
        let dir = tempfile::tempdir().unwrap();
        let project = demo(dir.path());
        let reach = Reach::for_project(&project, None).unwrap();
        assert_eq!(reach.mode(), super::super::distance::DistanceMode::Network);
        let units = demand_points(&project, "responsibility_units", None).unwrap();
        let chargers = points(&project, "chargers");
        let radius = 150.0;
        let ours = coverage(&project, "chargers", &units, radius, &reach).unwrap();
        let straight = coverage(&project, "chargers", &units, radius, &Reach::straight()).unwrap();
        let (mut covered, mut exact_nearest, mut uncovered) = (0.0, 0, 0);
        let mut ours_uncovered = ours.uncovered.iter();
        for (i, d) in units.iter().enumerate() {
            let walks: Vec<f64> = reach.distances(d.at, &chargers, NEAREST_SEARCH_M).into_iter().flatten().collect();
            let nearest = walks.iter().copied().fold(f64::INFINITY, f64::min);
            if nearest <= radius {
                covered += d.weight;
                continue;
            }
            uncovered += 1;
            let (j, found) = ours_uncovered.next().expect("as many uncovered points as brute force finds");
            assert_eq!(*j, i);
            // The nearest few by straight line are walked to: never shorter than the true
            // nearest walk, and nearly always equal to it.
            if nearest.is_infinite() {
                assert_eq!(*found, None, "unit {i} reaches no charger along the streets");
                continue;
            }
            let found = found.expect("a charger within 5 km");
            assert!(found >= nearest - 1e-6, "unit {i}: {found} < {nearest}");
            exact_nearest += usize::from((found - nearest).abs() < 1e-6);
        }
        assert!((ours.covered - covered).abs() < 1e-9, "{} against brute force {covered}", ours.covered);
        assert!(ours_uncovered.next().is_none());
        assert!(exact_nearest * 100 >= uncovered * 95, "{exact_nearest} of {uncovered} nearest walks exact");
        assert!(ours.covered < straight.covered, "walking reaches less than the crow flies: {} vs {}", ours.covered, straight.covered);
    }

    #[test]
    fn demand_is_read_per_zone_and_says_when_it_is_generated() {
        let dir = tempfile::tempdir().unwrap();
        let project = demo(dir.path());
        let spec = DemandSpec::parse("blocks:households").unwrap();
        assert_eq!(spec.to_string(), "blocks:households");
        let all = Demand::read(&project, &spec, None).unwrap();
        assert!(all.generated);
        let b = geo::BoundingRect::bounding_rect(&geo_types::MultiPoint(all.points.iter().map(|d| d.at.into()).collect())).unwrap();
        let half = geo_types::Rect::new(b.min(), geo_types::coord! { x: (b.min().x + b.max().x) / 2.0, y: b.max().y }).to_polygon();
        let west = Demand::read(&project, &spec, Some(&MultiPolygon(vec![half]))).unwrap();
        assert!(!west.points.is_empty() && west.points.len() < all.points.len());
        assert!(west.points.iter().all(|d| d.at.x <= (b.min().x + b.max().x) / 2.0));
        assert!(DemandSpec::parse("blocks:").is_err() && DemandSpec::parse(":x").is_err());
    }

    #[test]
    fn a_weight_that_is_not_a_number_names_the_feature() {
        let dir = tempfile::tempdir().unwrap();
        let project = demo(dir.path());
        let e = demand_points(&project, "communities", Some("subdistrict"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("communities")
                && e.contains("`subdistrict`")
                && e.contains("宜城街道")
                && e.contains("numbers"),
            "{e}"
        );
        let e = demand_points(&project, "communities", Some("people"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no field `people`"), "{e}");
    }

    #[test]
    fn the_instance_reaches_what_brute_force_reaches() {
        let dir = tempfile::tempdir().unwrap();
        let project = demo(dir.path());
        let demand = demand_points(&project, "responsibility_units", None).unwrap();
        let candidates = points(&project, "parking");
        let chargers = points(&project, "chargers");
        let instance = coverage_instance(&chargers, &candidates, &demand, 120.0, &Reach::straight()).unwrap();
        for (c, reach) in candidates.iter().zip(&instance.reaches) {
            let brute: Vec<usize> = demand
                .iter()
                .enumerate()
                .filter(|(_, d)| distance_m(d.at, *c) <= 120.0)
                .map(|(i, _)| i)
                .collect();
            assert_eq!(reach, &brute);
        }
        let solution = super::super::mclp::solve(&instance, 3);
        assert!(
            solution.coverage > solution.before,
            "three parking lots reach some uncovered unit"
        );
    }
}
