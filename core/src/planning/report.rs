//! The zone report: what a pilot zone holds and how well its residents are served — per layer
//! the count and density, per facility kind the share of demand within the service radius and
//! the demand left out with its distance to the nearest facility, and the scenarios kept for
//! the zone side by side. The same record is shown in the window, printed as a PDF
//! ([`super::report_pdf`]) and written as a workbook ([`super::report_xlsx`]).

use std::collections::BTreeMap;

use geo_types::{Coord, Geometry};
use serde::Serialize;

use super::coverage::{coverage_by, site_points, Demand, DemandSpec};
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
    let reach = Reach::for_project(project, options.distance)?;
    let area = Geometry::MultiPolygon(zone.area.clone());

    let mut layers = Vec::new();
    for kind in project.catalog().kinds().iter().filter(|k| matches!(k.group, LayerGroup::Facility | LayerGroup::Context)) {
        let count = project.in_polygon(&kind.id, &area)?.len();
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
            in_zone: project.in_polygon(&kind.id, &area)?.len(),
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
    let radius_m = options.radius_m.get(&kind.id).copied().or(kind.service_radius_m).ok_or_else(|| {
        Error::Invalid(format!("scenario `{}`: layer `{}` has no service radius", scenario.name, kind.id))
    })?;
    let mut sites: Vec<Coord<f64>> = site_points(project, &kind.id)?.into_iter().map(|(_, _, c)| c).collect();
    let before = coverage_by(&sites, &demand.points, radius_m, reach)?.covered;
    sites.extend(scenario.sites.iter().map(|s| s.at));
    let after = coverage_by(&sites, &demand.points, radius_m, reach)?.covered;
    Ok(ScenarioRow { name: scenario.name.clone(), kind: kind.id.clone(), sites: scenario.sites.len(), before, after, cost: scenario.cost() })
}

fn facility_ids<S: Storage>(project: &Project<S>) -> String {
    project.catalog().kinds().iter().filter(|k| k.group == LayerGroup::Facility).map(|k| k.id.as_str()).collect::<Vec<_>>().join(", ")
}
