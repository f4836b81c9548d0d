//! The page's editing and measuring commands: add, reshape, re-attribute and delete features,
//! redo, and geodesic measurement. Each edit is one action of the project's history (so one
//! undo), checked by core against the catalog; a refusal comes back as the core's message,
//! which names the field, the value and what would be accepted, for the page to show. After an
//! edit the layer's new count goes out as `project-changed`, as after `undo`.

use serde::{Deserialize, Serialize};
use tauri::{Emitter, State};
use ts_rs::TS;
use wardgis::Project;

use crate::commands::{LayerCount, ProjectChanged, PROJECT_CHANGED};
use crate::project_state::ProjectState;

/// What an edit did: the layer, the features it wrote (the new fid of an added feature) and
/// the action's summary as the history shows it. `written` is 0 when nothing differed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EditOutcome {
    pub layer: String,
    #[ts(type = "number[]")]
    pub fids: Vec<i64>,
    #[ts(type = "number")]
    pub written: u64,
    pub summary: String,
}

/// What a redo did: the action applied again, or nothing when there was nothing to redo.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RedoOutcome {
    /// False when there was nothing to redo.
    pub redone: bool,
    #[ts(type = "number | null")]
    pub id: Option<i64>,
    pub kind: Option<String>,
    pub summary: Option<String>,
}

/// What is measured: a polyline's length, or a polygon's area (and perimeter).
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum MeasureKind {
    Line,
    Area,
}

/// A geodesic measurement on the WGS84 ellipsoid (core::measure).
#[derive(Debug, Clone, Serialize, TS)]
pub struct Measurement {
    /// The line's length, or the polygon's perimeter, in metres.
    pub length_m: f64,
    /// The polygon's area in m² (0 for a line).
    pub area_m2: f64,
    /// The same area in 亩 (1 亩 = 10000/15 m²).
    pub area_mu: f64,
}

/// A stored feature's whole geometry (GeoJSON, WGS84), for reshaping: the map's tiles hold
/// clipped and simplified copies.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FeatureShape {
    pub layer: String,
    #[ts(type = "number")]
    pub fid: i64,
    #[ts(type = "{ type: string, coordinates: any }")]
    pub geometry: serde_json::Value,
}

/// One feature's geometry, to load into the reshaping tool.
#[tauri::command]
pub fn feature_geometry(state: State<'_, ProjectState>, layer: String, fid: i64) -> Result<FeatureShape, String> {
    Ok(state.with(|p| {
        let f = p.feature(&layer, fid)?;
        let geometry = wardgis::io::feature_to_geojson(p.catalog().kind(&layer)?, &f, &[])["geometry"].take();
        Ok(FeatureShape { layer, fid, geometry })
    })?)
}

fn announce(app: &tauri::AppHandle, p: &Project, layer: &str) -> Result<(), wardgis::Error> {
    let count = p.count(layer)?;
    let _ = app.emit(PROJECT_CHANGED, ProjectChanged { layers: vec![LayerCount { id: layer.to_owned(), count }] });
    Ok(())
}

/// Adds one feature drawn on the map (GeoJSON geometry in WGS84) with the attribute form's
/// values (by catalog name; enum codes or labels, dates as typed).
#[tauri::command]
pub fn insert_feature(
    app: tauri::AppHandle,
    state: State<'_, ProjectState>,
    layer: String,
    geometry: serde_json::Value,
    values: serde_json::Map<String, serde_json::Value>,
) -> Result<EditOutcome, String> {
    Ok(state.with(|p| {
        let kind = p.catalog().kind(&layer)?;
        let f = wardgis::edit::new_feature(kind, &geometry, &values)?;
        let summary = match f.name() {
            Some(n) => format!("add {layer} feature `{n}`"),
            None => format!("add a {layer} feature"),
        };
        let fids = p.insert(&layer, vec![f], &summary)?;
        announce(&app, p, &layer)?;
        Ok(EditOutcome { layer, written: fids.len() as u64, fids, summary })
    })?)
}

/// Replaces one feature's geometry (a moved point, a reshaped line or polygon).
#[tauri::command]
pub fn update_geometry(
    app: tauri::AppHandle,
    state: State<'_, ProjectState>,
    layer: String,
    fid: i64,
    geometry: serde_json::Value,
) -> Result<EditOutcome, String> {
    Ok(state.with(|p| {
        let g = wardgis::edit::geometry_from_geojson(&geometry)?;
        let summary = format!("reshape {layer} feature {fid}");
        let written = p.modify(&layer, &[fid], &summary, |f| {
            f.geometry = g.clone();
            Ok(())
        })?;
        announce(&app, p, &layer)?;
        Ok(EditOutcome { layer, fids: vec![fid], written: written as u64, summary })
    })?)
}

/// Sets the given attributes (only the fields the form changed) on one or many features of a
/// layer, as one action.
#[tauri::command]
pub fn update_attributes(
    app: tauri::AppHandle,
    state: State<'_, ProjectState>,
    layer: String,
    fids: Vec<i64>,
    values: serde_json::Map<String, serde_json::Value>,
) -> Result<EditOutcome, String> {
    Ok(state.with(|p| {
        let changes = wardgis::edit::attribute_changes(p.catalog().kind(&layer)?, &values)?;
        let fields: Vec<&str> = changes.keys().map(String::as_str).collect();
        let summary = format!("set {} of {} {layer} feature(s)", fields.join(", "), fids.len());
        let written = p.modify(&layer, &fids, &summary, |f| {
            wardgis::edit::apply_changes(f, &changes);
            Ok(())
        })?;
        announce(&app, p, &layer)?;
        Ok(EditOutcome { layer, fids, written: written as u64, summary })
    })?)
}

/// Deletes features of one layer as one action.
#[tauri::command]
pub fn delete_features(app: tauri::AppHandle, state: State<'_, ProjectState>, layer: String, fids: Vec<i64>) -> Result<EditOutcome, String> {
    Ok(state.with(|p| {
        let summary = format!("delete {} {layer} feature(s)", fids.len());
        p.delete(&layer, &fids, &summary)?;
        announce(&app, p, &layer)?;
        Ok(EditOutcome { layer, written: fids.len() as u64, fids, summary })
    })?)
}

/// Applies again the action the latest undo took back; refuses, saying why, when another
/// program changed what it would overwrite, or when the action cannot be redone.
#[tauri::command]
pub fn redo(app: tauri::AppHandle, state: State<'_, ProjectState>) -> Result<RedoOutcome, String> {
    Ok(state.with(|p| {
        Ok(match p.redo()? {
            Some(a) => {
                if let Some(layer) = a.layer.as_deref() {
                    announce(&app, p, layer)?;
                }
                RedoOutcome { redone: true, id: Some(a.id), kind: Some(a.kind.code().to_owned()), summary: Some(a.summary) }
            }
            None => RedoOutcome { redone: false, id: None, kind: None, summary: None },
        })
    })?)
}

/// Measures a polyline or a polygon drawn on the map (`[lon, lat]` points, WGS84).
#[tauri::command]
pub fn measure(kind: MeasureKind, points: Vec<[f64; 2]>) -> Result<Measurement, String> {
    let m = match kind {
        MeasureKind::Line => wardgis::measure::line(&points),
        MeasureKind::Area => wardgis::measure::area(&points),
    }
    .map_err(|e| e.to_string())?;
    Ok(Measurement { length_m: m.length_m, area_m2: m.area_m2, area_mu: m.area_mu })
}
