//! Scenarios: candidate plans kept for a zone — "three chargers at the car parks", "five on a
//! lattice" — so planners can compare them side by side before one is approved.
//!
//! A scenario's sites are features of the catalog layer [`SITE_LAYER`] sharing a `scenario`
//! name: saved as one action (undoable), drawn on the map, editable and exportable like every
//! feature. What the scenario achieves is measured again whenever it is shown, against the
//! data of the day, never stored.

use std::collections::BTreeMap;

use geo_types::{Coord, Geometry, Point};
use serde::Serialize;

use super::suggest::Suggestion;
use crate::feature::Feature;
use crate::project::Project;
use crate::store::Storage;
use crate::{Error, Result};

/// The catalog layer that holds the scenarios' sites.
pub const SITE_LAYER: &str = "planning_sites";

/// One proposed site of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioSite {
    pub fid: i64,
    #[serde(skip)]
    pub at: Coord<f64>,
    pub rank: Option<i64>,
    pub name: Option<String>,
    pub unit_cost: Option<f64>,
}

/// A kept scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub name: String,
    pub zone: Option<String>,
    /// The facility layer its sites would add to.
    pub kind: String,
    pub sites: Vec<ScenarioSite>,
}

impl Scenario {
    /// What building every site costs, where each has a unit cost.
    pub fn cost(&self) -> Option<f64> {
        self.sites.iter().map(|s| s.unit_cost).sum()
    }
}

/// The scenarios, by name; only those of `zone` when one is given. A site belongs to its zone
/// by the zone's fid (so a renamed zone keeps its scenarios), or by name for sites saved
/// without one; a scenario names its zone as the zone is called now.
pub fn scenarios<S: Storage>(project: &Project<S>, zone: Option<&str>) -> Result<Vec<Scenario>> {
    let all_zones = super::zones::zones(project)?;
    let asked = match zone {
        Some(name) => Some(super::zones::zone(project, name)?),
        None => None,
    };
    let mut by_name: BTreeMap<String, Scenario> = BTreeMap::new();
    for f in project.features(SITE_LAYER)? {
        let (Some(name), Geometry::Point(p)) = (f.get("scenario").as_str(), &f.geometry) else { continue };
        let zone_fid = f.get("zone_fid").as_f64().map(|v| v as i64);
        let zone_name = f.get("zone").as_str().map(str::to_owned);
        let site_zone = match zone_fid {
            Some(fid) => all_zones.iter().find(|z| z.fid == fid).map(|z| z.name.clone()).or(zone_name),
            None => zone_name,
        };
        if let Some(z) = &asked {
            let belongs = match zone_fid {
                Some(fid) => fid == z.fid,
                None => site_zone.as_deref() == Some(z.name.as_str()),
            };
            if !belongs {
                continue;
            }
        }
        let scenario = by_name.entry(name.to_owned()).or_insert_with(|| Scenario {
            name: name.to_owned(),
            zone: site_zone,
            kind: f.get("kind").as_str().unwrap_or_default().to_owned(),
            sites: Vec::new(),
        });
        scenario.sites.push(ScenarioSite {
            fid: f.fid.unwrap_or_default(),
            at: p.0,
            rank: f.get("rank").as_f64().map(|r| r as i64),
            name: f.name().map(str::to_owned),
            unit_cost: f.get("unit_cost").as_f64(),
        });
    }
    let mut out: Vec<Scenario> = by_name.into_values().collect();
    for s in &mut out {
        s.sites.sort_by_key(|site| (site.rank, site.fid));
    }
    Ok(out)
}

/// Keeps a suggestion's sites as scenario `name` (one action, undoable); each site may carry
/// a unit cost. Returns the new fids.
pub fn save_scenario<S: Storage>(project: &Project<S>, name: &str, suggestion: &Suggestion, unit_cost: Option<f64>) -> Result<Vec<i64>> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a scenario needs a name".into()));
    }
    if suggestion.sites.is_empty() {
        return Err(Error::Invalid(format!("scenario `{name}` would have no sites")));
    }
    if let Some(c) = unit_cost.filter(|c| !(c.is_finite() && *c >= 0.0)) {
        return Err(Error::Invalid(format!("--unit-cost {c}: expected a cost of 0 or more")));
    }
    if scenarios(project, None)?.iter().any(|s| s.name == name) {
        return Err(Error::Invalid(format!("a scenario named `{name}` exists; choose another name")));
    }
    let features: Vec<Feature> = suggestion
        .sites
        .iter()
        .map(|s| {
            let candidate = match (&s.candidate_layer, s.candidate_fid) {
                (Some(layer), Some(fid)) => format!("{layer}#{fid}"),
                _ => suggestion.candidates.clone(),
            };
            let mut f = Feature::new(Point(s.at))
                .with("scenario", name)
                .with("kind", suggestion.kind.as_str())
                .with("rank", s.rank as i64)
                .with("newly_covered", s.newly_covered)
                .with("candidate", candidate);
            if let Some(zone) = &suggestion.zone {
                f = f.with("zone", zone.as_str());
            }
            if let Some(fid) = suggestion.zone_fid {
                f = f.with("zone_fid", fid);
            }
            if let Some(site_name) = &s.name {
                f = f.with("name", site_name.as_str());
            }
            if let Some(c) = unit_cost {
                f = f.with("unit_cost", c);
            }
            f
        })
        .collect();
    project.insert(SITE_LAYER, features, &format!("保存规划方案 {name}（{} 个点）", suggestion.sites.len()))
}

/// Removes scenario `name` and its sites (one action, undoable).
pub fn remove_scenario<S: Storage>(project: &Project<S>, name: &str) -> Result<()> {
    let all = scenarios(project, None)?;
    let Some(scenario) = all.iter().find(|s| s.name == name) else {
        let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
        return Err(Error::Invalid(format!(
            "no scenario named `{name}`; the scenarios are: {}",
            if names.is_empty() { "none yet".into() } else { names.join(", ") }
        )));
    };
    let fids: Vec<i64> = scenario.sites.iter().map(|s| s.fid).collect();
    project.delete(SITE_LAYER, &fids, &format!("删除规划方案 {name}"))
}
