//! The planning panel's commands: pilot zones (list, add a drawn one, rename, remove), the zone
//! report (shown, and exported as PDF or XLSX), the best new sites, kept scenarios and the
//! coverage-gap layer. The answers are the core's (`wardgis::planning`); this file carries the
//! panel's choices across and the results back, with coordinates for the map to draw.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tauri::{Emitter, State};
use ts_rs::TS;
use wardgis::planning::coverage::DemandSpec;
use wardgis::planning::distance::DistanceMode;
use wardgis::planning::gaps::{coverage_gaps, gap_layer_kind, GapLayer};
use wardgis::planning::report::{zone_report, ReportOptions, ZoneReport};
use wardgis::planning::scenarios::{remove_scenario, save_scenario, SITE_LAYER};
use wardgis::planning::suggest::{suggest, Candidates, SuggestOptions, Suggestion};
use wardgis::planning::zones::{self, NewZone, PilotZone, ZONE_LAYER};
use wardgis::{Error, Project};

use crate::commands::{LayerCount, ProjectChanged, PROJECT_CHANGED};
use crate::print_commands::PrintFont;
use crate::project_state::ProjectState;

/// A zone drawn on the map and described in the panel's form.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ZoneDraft {
    pub name: String,
    pub theme: String,
    pub status: Option<String>,
    pub author: Option<String>,
    pub note: Option<String>,
    #[ts(type = "{ type: string, coordinates: any }")]
    pub geometry: serde_json::Value,
}

/// The question a report, a suggestion or a gap layer answers: which demand (LAYER[:FIELD]),
/// and by which distance (`network`, `straight`, or null for the default).
#[derive(Debug, Clone, Deserialize, TS)]
pub struct DemandChoice {
    pub demand: String,
    pub distance: Option<String>,
}

/// A demand place no facility of a kind reaches: where it is, and its outline when it is an
/// area (a community, a block), for the map to highlight.
#[derive(Debug, Clone, Serialize, TS)]
pub struct UncoveredView {
    #[ts(type = "number")]
    pub fid: i64,
    pub name: Option<String>,
    pub weight: f64,
    pub nearest_m: Option<f64>,
    pub at: [f64; 2],
    #[ts(type = "{ type: string, coordinates: any } | null")]
    pub outline: Option<serde_json::Value>,
}

/// One facility kind's coverage of the zone.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KindCoverageView {
    pub layer: String,
    pub name_zh: String,
    pub name_en: String,
    pub radius_m: f64,
    pub in_zone: u32,
    pub total: f64,
    pub covered: f64,
    pub share: f64,
    pub uncovered: Vec<UncoveredView>,
}

/// A layer's count and density in the zone.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LayerCountView {
    pub layer: String,
    pub name_zh: String,
    pub name_en: String,
    pub count: u32,
    pub per_km2: f64,
}

/// A kept scenario side by side with the others.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScenarioView {
    pub name: String,
    pub kind: String,
    pub sites: u32,
    pub before: f64,
    pub after: f64,
    pub cost: Option<f64>,
}

/// The zone report as the panel shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ZoneReportView {
    pub zone: PilotZone,
    pub demand: String,
    pub demand_total: f64,
    pub demand_points: u32,
    pub generated: bool,
    /// `network` or `straight`.
    pub distance: String,
    pub layers: Vec<LayerCountView>,
    pub coverage: Vec<KindCoverageView>,
    pub scenarios: Vec<ScenarioView>,
}

/// What "suggest" asks.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SuggestRequest {
    pub kind: String,
    pub n: u32,
    pub zone: Option<String>,
    /// A layer id, or `lattice:METRES`.
    pub candidates: String,
    pub demand: DemandChoice,
    pub radius_m: Option<f64>,
    pub keep_existing: bool,
    /// The fewest sites covering this share (0–1) instead of `n`.
    pub cover: Option<f64>,
}

/// A suggested site.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SiteView {
    pub rank: u32,
    pub at: [f64; 2],
    pub newly_covered: f64,
    pub candidate_layer: Option<String>,
    #[ts(type = "number | null")]
    pub candidate_fid: Option<i64>,
    pub name: Option<String>,
}

/// The suggestion: the sites, the demand they newly cover (places, for the map), and the
/// numbers with their guarantee.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SuggestView {
    pub kind: String,
    pub sites: Vec<SiteView>,
    /// Where the newly covered demand is.
    pub newly_covered_at: Vec<[f64; 2]>,
    pub demand_total: f64,
    pub before: f64,
    pub after: f64,
    pub upper_bound: f64,
    /// The share of the best possible gain the answer is at least worth, 0–1.
    pub guarantee: f64,
    pub proven_best: bool,
    pub distance: String,
    pub radius_m: f64,
    pub candidate_count: u32,
    pub generated: bool,
    /// For --cover: whether the share is reached, and the proven fewest sites.
    pub cover_reached: Option<bool>,
    pub fewest_possible: Option<u32>,
    /// The command line's summary line, for the status bar.
    pub summary: String,
}

fn announce(app: &tauri::AppHandle, p: &Project, layer: &str) -> Result<(), Error> {
    let count = p.count(layer)?;
    let _ = app.emit(PROJECT_CHANGED, ProjectChanged { layers: vec![LayerCount { id: layer.to_owned(), count }] });
    Ok(())
}

fn demand_of(choice: &DemandChoice) -> Result<(DemandSpec, Option<DistanceMode>), Error> {
    let spec = if choice.demand.trim().is_empty() { DemandSpec::households_by_community() } else { DemandSpec::parse(&choice.demand)? };
    let distance = choice.distance.as_deref().filter(|d| !d.is_empty()).map(DistanceMode::parse).transpose()?;
    Ok((spec, distance))
}

/// Every pilot zone, by name.
#[tauri::command]
pub fn zone_list(state: State<'_, ProjectState>) -> Result<Vec<PilotZone>, String> {
    Ok(state.with(|p| zones::zones(p))?)
}

/// Adds a zone drawn on the map (one action, undoable).
#[tauri::command]
pub fn zone_add(app: tauri::AppHandle, state: State<'_, ProjectState>, draft: ZoneDraft) -> Result<PilotZone, String> {
    Ok(state.with(|p| {
        let geometry = wardgis::edit::geometry_from_geojson(&draft.geometry)?;
        let new = NewZone { name: draft.name.clone(), theme: draft.theme, status: draft.status, author: draft.author, date: None, note: draft.note, geometry };
        zones::add_zone(p, new)?;
        announce(&app, p, ZONE_LAYER)?;
        zones::zone(p, draft.name.trim())
    })?)
}

#[tauri::command]
pub fn zone_rename(app: tauri::AppHandle, state: State<'_, ProjectState>, name: String, new_name: String) -> Result<(), String> {
    Ok(state.with(|p| {
        zones::rename_zone(p, &name, &new_name)?;
        announce(&app, p, ZONE_LAYER)
    })?)
}

#[tauri::command]
pub fn zone_remove(app: tauri::AppHandle, state: State<'_, ProjectState>, name: String) -> Result<(), String> {
    Ok(state.with(|p| {
        zones::remove_zone(p, &name)?;
        announce(&app, p, ZONE_LAYER)
    })?)
}

fn report_of(p: &Project, zone: &str, choice: &DemandChoice) -> Result<ZoneReport, Error> {
    let (demand, distance) = demand_of(choice)?;
    zone_report(p, zone, &ReportOptions { demand, distance, radius_m: BTreeMap::new() })
}

/// The zone report, with the uncovered places' outlines for the map.
#[tauri::command]
pub async fn zone_report_view(state: State<'_, ProjectState>, zone: String, choice: DemandChoice) -> Result<ZoneReportView, String> {
    let project = state.current().ok_or("no project is open")?;
    tauri::async_runtime::spawn_blocking(move || {
        let report = report_of(&project, &zone, &choice)?;
        let spec = DemandSpec::parse(&report.demand)?;
        let kind = project.catalog().kind(&spec.layer)?;
        let pick = |zh: &str, layer: &str| project.catalog().get(layer).map(|k| k.name_en.clone()).unwrap_or_else(|| zh.to_owned());
        let mut coverage = Vec::new();
        for c in &report.coverage {
            let fids: Vec<i64> = c.uncovered.iter().map(|u| u.fid).collect();
            let outlines: BTreeMap<i64, serde_json::Value> = if kind.geometry == wardgis::catalog::GeometryType::Point {
                BTreeMap::new()
            } else {
                project
                    .features_by_fid(&spec.layer, &fids)?
                    .iter()
                    .filter_map(|f| Some((f.fid?, wardgis::io::feature_to_geojson(kind, f, &[])["geometry"].take())))
                    .collect()
            };
            coverage.push(KindCoverageView {
                layer: c.layer.clone(),
                name_zh: c.name_zh.clone(),
                name_en: pick(&c.name_zh, &c.layer),
                radius_m: c.radius_m,
                in_zone: c.in_zone as u32,
                total: c.total,
                covered: c.covered,
                share: c.share,
                uncovered: c
                    .uncovered
                    .iter()
                    .map(|u| UncoveredView { fid: u.fid, name: u.name.clone(), weight: u.weight, nearest_m: u.nearest_m, at: [u.at.x, u.at.y], outline: outlines.get(&u.fid).cloned() })
                    .collect(),
            });
        }
        Ok::<_, Error>(ZoneReportView {
            zone: report.zone.clone(),
            demand: report.demand.clone(),
            demand_total: report.demand_total,
            demand_points: report.demand_points as u32,
            generated: report.generated,
            distance: report.distance.code().into(),
            layers: report
                .layers
                .iter()
                .map(|l| LayerCountView { layer: l.layer.clone(), name_zh: l.name_zh.clone(), name_en: pick(&l.name_zh, &l.layer), count: l.count as u32, per_km2: l.per_km2 })
                .collect(),
            coverage,
            scenarios: report
                .scenarios
                .iter()
                .map(|s| ScenarioView { name: s.name.clone(), kind: s.kind.clone(), sites: s.sites as u32, before: s.before, after: s.after, cost: s.cost })
                .collect(),
        })
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Writes the zone report to `path`: a PDF with a map, or a workbook (by the extension).
#[tauri::command]
pub async fn zone_report_export(state: State<'_, ProjectState>, font: State<'_, PrintFont>, zone: String, choice: DemandChoice, path: String) -> Result<String, String> {
    let project = state.current().ok_or("no project is open")?;
    let font = font.get().map_err(|e| e.to_string())?;
    tauri::async_runtime::spawn_blocking(move || {
        let report = report_of(&project, &zone, &choice)?;
        let file = PathBuf::from(&path);
        match file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("xlsx") => wardgis::planning::report_xlsx::write_report_xlsx(&report, &file)?,
            _ => {
                let date = wardgis::dates::ymd(wardgis::dates::today_cst().date());
                let pdf = wardgis::planning::report_pdf::report_pdf(&project, &report, None, &date, &font)?;
                std::fs::write(&file, pdf).map_err(|e| Error::Print(format!("{}: cannot write the PDF: {e}", file.display())))?;
            }
        }
        Ok::<_, Error>(path)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

fn suggestion_of(p: &Project, request: &SuggestRequest) -> Result<Suggestion, Error> {
    let (demand, distance) = demand_of(&request.demand)?;
    let options = SuggestOptions {
        kind: request.kind.clone(),
        n: request.n as usize,
        zone: request.zone.clone().filter(|z| !z.is_empty()),
        candidates: Candidates::parse(&request.candidates)?,
        demand,
        radius_m: request.radius_m,
        distance,
        keep_existing: request.keep_existing,
        cover: request.cover,
    };
    suggest(p, &options)
}

/// The best new sites.
#[tauri::command]
pub async fn plan_suggest(state: State<'_, ProjectState>, request: SuggestRequest) -> Result<SuggestView, String> {
    let project = state.current().ok_or("no project is open")?;
    tauri::async_runtime::spawn_blocking(move || {
        let s = suggestion_of(&project, &request)?;
        Ok::<_, Error>(SuggestView {
            kind: s.kind.clone(),
            sites: s
                .sites
                .iter()
                .map(|site| SiteView {
                    rank: site.rank as u32,
                    at: [site.at.x, site.at.y],
                    newly_covered: site.newly_covered,
                    candidate_layer: site.candidate_layer.clone(),
                    candidate_fid: site.candidate_fid,
                    name: site.name.clone(),
                })
                .collect(),
            newly_covered_at: s.sites.iter().flat_map(|site| site.newly_covered_points.iter().map(|&i| [s.demand.points[i].at.x, s.demand.points[i].at.y])).collect(),
            demand_total: s.demand.total(),
            before: s.before,
            after: s.after,
            upper_bound: s.upper_bound,
            guarantee: s.guarantee(),
            proven_best: s.proven_best(),
            distance: s.distance.code().into(),
            radius_m: s.radius_m,
            candidate_count: s.candidate_count as u32,
            generated: s.demand.generated,
            cover_reached: s.cover.as_ref().map(|c| c.reached),
            fewest_possible: s.cover.as_ref().and_then(|c| c.fewest_possible).map(|f| f as u32),
            summary: s.summary_line(),
        })
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Keeps the suggestion asked by `request` as scenario `name` (one action, undoable). The
/// question is answered again (off the window's thread): the same data gives the same sites.
#[tauri::command]
pub async fn plan_save_scenario(app: tauri::AppHandle, state: State<'_, ProjectState>, request: SuggestRequest, name: String, unit_cost: Option<f64>) -> Result<u32, String> {
    let project = state.current().ok_or("no project is open")?;
    tauri::async_runtime::spawn_blocking(move || {
        let s = suggestion_of(&project, &request)?;
        let fids = save_scenario(&project, &name, &s, unit_cost)?;
        announce(&app, &project, SITE_LAYER)?;
        Ok::<_, Error>(fids.len() as u32)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Removes a scenario (one action, undoable).
#[tauri::command]
pub fn plan_remove_scenario(app: tauri::AppHandle, state: State<'_, ProjectState>, name: String) -> Result<(), String> {
    Ok(state.with(|p| {
        remove_scenario(p, &name)?;
        announce(&app, p, SITE_LAYER)
    })?)
}

/// The gap layer of facility `kind` for the panel's question (the catalog's radius).
fn gap_layer(project: &Project, kind: &str, zone: Option<&str>, choice: &DemandChoice) -> Result<GapLayer, Error> {
    let (spec, _) = demand_of(choice)?;
    coverage_gaps(project, kind, &spec, zone.filter(|z| !z.is_empty()), None)
}

/// The coverage-gap layer as a GeoJSON FeatureCollection (WGS84).
#[tauri::command]
pub async fn plan_gaps(state: State<'_, ProjectState>, kind: String, zone: Option<String>, choice: DemandChoice) -> Result<serde_json::Value, String> {
    let project = state.current().ok_or("no project is open")?;
    tauri::async_runtime::spawn_blocking(move || {
        let layer = gap_layer(&project, &kind, zone.as_deref(), &choice)?;
        let fields = gap_layer_kind();
        let features: Vec<serde_json::Value> = layer.features().iter().map(|f| wardgis::io::feature_to_geojson(&fields, f, &[])).collect();
        Ok::<_, Error>(serde_json::json!({ "type": "FeatureCollection", "features": features }))
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Writes the coverage-gap layer to `path` (format by extension: .gpkg, .geojson, .shp, .kml,
/// …); returns how many gap polygons it wrote.
#[tauri::command]
pub async fn plan_gaps_export(state: State<'_, ProjectState>, kind: String, zone: Option<String>, choice: DemandChoice, path: String) -> Result<u32, String> {
    let project = state.current().ok_or("no project is open")?;
    tauri::async_runtime::spawn_blocking(move || {
        let features = gap_layer(&project, &kind, zone.as_deref(), &choice)?.features();
        wardgis::io::write_features(std::path::Path::new(&path), &gap_layer_kind(), &features, &wardgis::io::ExportOptions::default())?;
        Ok::<_, Error>(features.len() as u32)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Writes the TypeScript types of what the planning commands send and take.
#[cfg(test)]
pub(crate) fn export_types(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
    PilotZone::export_all(cfg)?;
    ZoneDraft::export_all(cfg)?;
    DemandChoice::export_all(cfg)?;
    ZoneReportView::export_all(cfg)?;
    SuggestRequest::export_all(cfg)?;
    SuggestView::export_all(cfg)?;
    Ok(())
}
