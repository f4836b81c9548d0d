//! The zone report: what a pilot zone holds and how well its residents are served — per layer
//! the count and density, per facility kind the share of demand within the service radius and
//! the demand left out with its distance to the nearest facility, and the scenarios kept for
//! the zone side by side. The same record is shown in the window, printed as a PDF
//! ([`super::report_pdf`]) and written as a workbook ([`super::report_xlsx`]).

use std::collections::BTreeMap;

use geo::{InteriorPoint, Intersects};
use geo_types::{Coord, Geometry};
use serde::Serialize;

use super::coverage::{coverage_by, service_radius, site_points, Demand, DemandSpec};
use super::distance::{DistanceMode, Reach};
use super::scenarios::{self, Scenario};
use super::zones::{self, PilotZone};
use crate::catalog::LayerGroup;
use crate::project::Project;
use crate::store::Storage;
use crate::{Error, Result};

/// What to report with.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub demand: DemandSpec,
    /// `None`: along the streets where the project has roads, else straight.
    pub distance: Option<DistanceMode>,
    /// Service radii by facility layer, overriding the catalog's.
    pub radius_m: BTreeMap<String, f64>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions { demand: DemandSpec::households_by_community(), distance: None, radius_m: BTreeMap::new() }
    }
}

/// How many features of a layer the zone holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerCount {
    pub layer: String,
    pub name_zh: String,
    pub count: usize,
    pub per_km2: f64,
}

/// A demand point no facility of a kind reaches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncoveredDemand {
    pub fid: i64,
    pub name: Option<String>,
    pub weight: f64,
    /// Metres to the nearest facility of the kind, by the report's distance; `None` when none
    /// is within 5 km (or connected along the streets).
    pub nearest_m: Option<f64>,
    #[serde(skip)]
    pub at: Coord<f64>,
}

/// How well one facility kind serves the zone's demand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindCoverage {
    pub layer: String,
    pub name_zh: String,
    pub radius_m: f64,
    /// Facilities of the kind inside the zone (those outside serve it too, and count).
    pub in_zone: usize,
    pub total: f64,
    pub covered: f64,
    pub share: f64,
    pub uncovered: Vec<UncoveredDemand>,
}

/// A kept scenario, measured against today's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioRow {
    pub name: String,
    pub kind: String,
    pub sites: usize,
    /// Demand the kind's existing facilities cover.
    pub before: f64,
    /// With the scenario's sites built as well.
    pub after: f64,
    /// The sum of the sites' unit costs, where every site has one.
    pub cost: Option<f64>,
}

/// The report.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneReport {
    pub zone: PilotZone,
    pub demand: String,
    pub demand_total: f64,
    pub demand_points: usize,
    /// Some demand is generated (the demo's): every page and sheet says so.
    pub generated: bool,
    pub distance: DistanceMode,
    pub layers: Vec<LayerCount>,
    pub coverage: Vec<KindCoverage>,
    pub scenarios: Vec<ScenarioRow>,
}

/// Reports on the zone called `zone`.
pub fn zone_report<S: Storage>(project: &Project<S>, zone: &str, options: &ReportOptions) -> Result<ZoneReport> {
    let zone = zones::zone(project, zone)?;
    for layer in options.radius_m.keys() {
        let kind = project.catalog().kind(layer)?;
        if kind.group != LayerGroup::Facility {
            return Err(Error::Invalid(format!("--radius {layer}=…: `{layer}` is not a facility layer; the facility layers are {}", facility_ids(project))));
        }
    }
    let demand = Demand::read(project, &options.demand, Some(&zone.area))?;
    demand.require_some(Some(&zone.name))?;
    let reach = Reach::for_project(project, options.distance)?;

    let mut layers = Vec::new();
    for kind in project.catalog().kinds().iter().filter(|k| matches!(k.group, LayerGroup::Facility | LayerGroup::Context)) {
        let count = count_in(project, &kind.id, &zone)?;
        if count > 0 {
            layers.push(LayerCount { layer: kind.id.clone(), name_zh: kind.name_zh.clone(), count, per_km2: count as f64 / zone.area_km2.max(1e-9) });
        }
    }

    let mut coverage = Vec::new();
    for kind in project.catalog().kinds().iter().filter(|k| k.group == LayerGroup::Facility) {
        let Some(radius_m) = options.radius_m.get(&kind.id).copied().or(kind.service_radius_m) else { continue };
        let sites: Vec<Coord<f64>> = site_points(project, &kind.id)?.into_iter().map(|(_, _, c)| c).collect();
        let found = coverage_by(&sites, &demand.points, radius_m, &reach)?;
        let mut uncovered: Vec<UncoveredDemand> = found
            .uncovered
            .iter()
            .map(|&(i, nearest_m)| {
                let d = &demand.points[i];
                UncoveredDemand { fid: d.fid, name: d.name.clone(), weight: d.weight, nearest_m, at: d.at }
            })
            .collect();
        // The most demand first: what a planner fixes first.
        uncovered.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.fid.cmp(&b.fid)));
        coverage.push(KindCoverage {
            layer: kind.id.clone(),
            name_zh: kind.name_zh.clone(),
            radius_m,
            in_zone: count_in(project, &kind.id, &zone)?,
            total: found.total,
            covered: found.covered,
            share: found.share(),
            uncovered,
        });
    }

    let mut rows = Vec::new();
    for scenario in scenarios::scenarios(project, Some(&zone.name))? {
        rows.push(scenario_row(project, &scenario, &demand, options, &reach)?);
    }
    Ok(ZoneReport {
        demand: demand.spec.to_string(),
        demand_total: demand.total(),
        demand_points: demand.points.len(),
        generated: demand.generated,
        distance: reach.mode(),
        zone,
        layers,
        coverage,
        scenarios: rows,
    })
}

/// A scenario measured on the zone's demand with its kind's radius.
fn scenario_row<S: Storage>(project: &Project<S>, scenario: &Scenario, demand: &Demand, options: &ReportOptions, reach: &Reach) -> Result<ScenarioRow> {
    let kind = project.catalog().kind(&scenario.kind)?;
    let radius_m = service_radius(kind, options.radius_m.get(&kind.id).copied())
        .map_err(|e| Error::Invalid(format!("scenario `{}`: {e}", scenario.name)))?;
    let mut sites: Vec<Coord<f64>> = site_points(project, &kind.id)?.into_iter().map(|(_, _, c)| c).collect();
    let before = coverage_by(&sites, &demand.points, radius_m, reach)?.covered;
    sites.extend(scenario.sites.iter().map(|s| s.at));
    let after = coverage_by(&sites, &demand.points, radius_m, reach)?.covered;
    Ok(ScenarioRow { name: scenario.name.clone(), kind: kind.id.clone(), sites: scenario.sites.len(), before, after, cost: scenario.cost() })
}

/// Features of `layer` in the zone: a point inside it, a line or an area whose interior point
/// is (a neighbouring community that only touches the zone's edge is not in it).
fn count_in<S: Storage>(project: &Project<S>, layer: &str, zone: &PilotZone) -> Result<usize> {
    let touching = project.in_polygon(layer, &Geometry::MultiPolygon(zone.area.clone()))?;
    if project.catalog().kind(layer)?.geometry == crate::catalog::GeometryType::Point {
        return Ok(touching.len());
    }
    Ok(project
        .features_by_fid(layer, &touching)?
        .iter()
        .filter(|f| f.geometry.interior_point().is_some_and(|p| zone.area.intersects(&p)))
        .count())
}

fn facility_ids<S: Storage>(project: &Project<S>) -> String {
    project.catalog().kinds().iter().filter(|k| k.group == LayerGroup::Facility).map(|k| k.id.as_str()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::planning::suggest::{suggest, Candidates, SuggestOptions};
    use crate::planning::zones::{add_zone, NewZone};
    use geo_types::{Geometry, Point};

    #[test]
    fn the_report_counts_the_zone_and_measures_coverage_and_scenarios_against_brute_force() {
        let dir = tempfile::tempdir().unwrap();
        let project = crate::demo::create_project(&dir.path().join("d.gpkg"), Catalog::embedded(), 20220101).unwrap();
        // The zone: the two largest communities' bounding box.
        let mut communities = project.features("communities").unwrap();
        communities.sort_by(|a, b| b.get("households").as_f64().unwrap().total_cmp(&a.get("households").as_f64().unwrap()));
        let bounds = geo::BoundingRect::bounding_rect(&communities[0].geometry).unwrap();
        add_zone(&project, NewZone { name: "北片".into(), theme: "充电桩试点".into(), status: None, author: Some("规划科".into()), date: None, note: None, geometry: bounds.to_polygon().into() }).unwrap();
        let options = ReportOptions { demand: DemandSpec::parse("blocks:households").unwrap(), ..Default::default() };
        let report = zone_report(&project, "北片", &options).unwrap();
        assert_eq!(report.distance, DistanceMode::Network);
        assert!(report.generated && report.demand_points > 0);
        let area = Geometry::Polygon(bounds.to_polygon());
        for l in &report.layers {
            let inside = project.features(&l.layer).unwrap().iter().filter(|f| geo::Intersects::intersects(&area, &geo::InteriorPoint::interior_point(&f.geometry).unwrap())).count();
            assert_eq!(l.count, inside, "{}", l.layer);
            assert!((l.per_km2 - l.count as f64 / report.zone.area_km2).abs() < 1e-9);
        }
        // Chargers: every demand point in the zone walked to every charger.
        let reach = Reach::for_project(&project, None).unwrap();
        let chargers: Vec<Coord<f64>> = site_points(&project, "chargers").unwrap().into_iter().map(|(_, _, c)| c).collect();
        let demand = Demand::read(&project, &options.demand, Some(&report.zone.area)).unwrap();
        let brute: f64 = demand.points.iter().filter(|d| reach.distances(d.at, &chargers, 300.0).iter().any(Option::is_some)).map(|d| d.weight).sum();
        let row = report.coverage.iter().find(|c| c.layer == "chargers").unwrap();
        assert!((row.covered - brute).abs() < 1e-9, "{} vs {brute}", row.covered);
        assert!(row.uncovered.windows(2).all(|w| w[0].weight >= w[1].weight));
        assert_eq!(report.coverage.len(), 5, "every facility kind has a radius");

        // A kept scenario is measured again: its sites add what they cover.
        let asked = SuggestOptions {
            kind: "chargers".into(),
            n: 2,
            zone: Some("北片".into()),
            candidates: Candidates::parse("lattice:80").unwrap(),
            demand: options.demand.clone(),
            radius_m: None,
            distance: None,
            keep_existing: true,
            cover: None,
        };
        let s = suggest(&project, &asked).unwrap();
        crate::planning::scenarios::save_scenario(&project, "方案甲", &s, Some(3.5)).unwrap();
        let report = zone_report(&project, "北片", &options).unwrap();
        let scenario = &report.scenarios[0];
        assert_eq!((scenario.name.as_str(), scenario.sites), ("方案甲", s.sites.len()));
        assert!((scenario.before - s.before).abs() < 1e-9 && (scenario.after - s.after).abs() < 1e-9, "{scenario:?} vs {} → {}", s.before, s.after);
        assert_eq!(scenario.cost, Some(3.5 * s.sites.len() as f64));
        assert!(project.features("planning_sites").unwrap().iter().all(|f| matches!(f.geometry, Geometry::Point(Point(_)))));

        // The workbook reads back with another reader.
        let xlsx = dir.path().join("r.xlsx");
        crate::planning::report_xlsx::write_report_xlsx(&report, &xlsx).unwrap();
        use calamine::{DataType, Reader};
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
        assert_eq!(book.sheet_names(), ["概况 Summary", "图层 Layers", "覆盖 Coverage", "未覆盖 Uncovered", "方案 Scenarios"]);
        let coverage = book.worksheet_range("覆盖 Coverage").unwrap();
        let charger_row = coverage.rows().find(|r| r[0].to_string() == "chargers").unwrap();
        assert!((charger_row[5].as_f64().unwrap() - brute).abs() < 1e-9);
        // A renamed zone keeps its scenarios.
        crate::planning::zones::rename_zone(&project, "北片", "北部片区").unwrap();
        assert_eq!(zone_report(&project, "北部片区", &options).unwrap().scenarios.len(), 1);
        assert_eq!(crate::planning::scenarios::scenarios(&project, None).unwrap()[0].zone.as_deref(), Some("北部片区"));
        project.undo().unwrap();
        crate::planning::scenarios::remove_scenario(&project, "方案甲").unwrap();
        assert!(zone_report(&project, "北片", &options).unwrap().scenarios.is_empty());
        project.undo().unwrap();
        assert_eq!(zone_report(&project, "北片", &options).unwrap().scenarios.len(), 1);
    }
}
