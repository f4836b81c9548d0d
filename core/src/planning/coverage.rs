//! Demand and its coverage by straight-line (geodesic) distance: which demand points lie
//! within a service radius of at least one facility, how much demand that is, and how far the
//! uncovered points are from the nearest facility. The street-network distance will take the
//! same inputs; straight-line is the fallback and says so.

use geo::InteriorPoint;
use geo_types::{Coord, Geometry};

use super::mclp::Instance;
use crate::feature::Value;
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
        });
    }
    Ok(points)
}

/// How well a layer's facilities cover demand.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub total: f64,
    pub covered: f64,
    /// Each demand point none reaches (index into the demand), with the distance in metres to
    /// the nearest facility (`None` when the layer has none).
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

/// Which demand points the facilities of `layer` reach within `radius_m` (geodesic), through
/// the layer's R-tree.
pub fn straight_line_coverage<S: Storage>(
    project: &Project<S>,
    layer: &str,
    demand: &[DemandPoint],
    radius_m: f64,
) -> Result<Coverage> {
    let mut coverage = Coverage {
        total: 0.0,
        covered: 0.0,
        uncovered: Vec::new(),
    };
    for (i, d) in demand.iter().enumerate() {
        coverage.total += d.weight;
        if project.within(layer, d.at, radius_m)?.is_empty() {
            let nearest = project
                .nearest(layer, d.at, 1)?
                .first()
                .map(|h| h.distance_m);
            coverage.uncovered.push((i, nearest));
        } else {
            coverage.covered += d.weight;
        }
    }
    Ok(coverage)
}

/// The coverage instance for choosing among `candidates`: each candidate's reach within
/// `radius_m` (geodesic), and the demand the existing facilities of `layer` already reach.
pub fn straight_line_instance<S: Storage>(
    project: &Project<S>,
    layer: &str,
    demand: &[DemandPoint],
    candidates: &[Coord<f64>],
    radius_m: f64,
) -> Result<Instance> {
    let existing = straight_line_coverage(project, layer, demand, radius_m)?;
    let mut covered = vec![true; demand.len()];
    for (i, _) in &existing.uncovered {
        covered[*i] = false;
    }
    // Demand points indexed once, then each candidate's reach found through the index.
    let index = crate::index::LayerIndex::build(
        demand
            .iter()
            .enumerate()
            .filter_map(|(i, d)| crate::index::Entry::new(i as i64, &Geometry::Point(d.at.into())))
            .collect(),
    );
    let reaches = candidates
        .iter()
        .map(|c| {
            index
                .within(*c, radius_m)
                .map(|hits| hits.into_iter().map(|h| h.fid as usize).collect::<Vec<_>>())
        })
        .map(|r| {
            r.map(|mut v| {
                v.sort_unstable();
                v
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Instance {
        weights: demand.iter().map(|d| d.weight).collect(),
        reaches,
        covered,
    })
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
            let ours = straight_line_coverage(&project, "chargers", demand, radius).unwrap();
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
        let instance =
            straight_line_instance(&project, "chargers", &demand, &candidates, 120.0).unwrap();
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
