//! The commands the page may call (each allowed by name in capabilities/default.json).

use serde_json::{json, Value};
use tauri::State;
use wardgis::index::Shape;

use crate::project_state::ProjectState;

/// The open project: its path, every layer's catalog entry and count, and the extent of
/// the facility layers (where the map should start).
#[tauri::command]
pub fn project_info(state: State<'_, ProjectState>) -> Result<Value, String> {
    let info = state.with(|p| {
        let mut extent: Option<[f64; 4]> = None;
        let layers: Vec<Value> = p
            .layers()
            .into_iter()
            .map(|l| {
                if l.kind.group == wardgis::catalog::LayerGroup::Facility {
                    if let Ok(index) = p.index(&l.kind.id) {
                        for e in index.entries() {
                            if let Shape::Point([x, y]) = e.shape {
                                let b = extent.get_or_insert([x, y, x, y]);
                                *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
                            }
                        }
                    }
                }
                json!({ "kind": l.kind, "count": l.count })
            })
            .collect();
        Ok(json!({ "path": p.path(), "layers": layers, "extent": extent }))
    })?;
    Ok(info)
}

/// One feature's attributes by layer and fid; the page labels them from the catalog.
#[tauri::command]
pub fn feature(state: State<'_, ProjectState>, layer: String, fid: i64) -> Result<Value, String> {
    let attributes = state.with(|p| {
        let f = p.feature(&layer, fid)?;
        let props: serde_json::Map<String, Value> = f.props.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
        Ok(json!({ "layer": layer, "fid": fid, "properties": props }))
    })?;
    Ok(attributes)
}

/// Undoes the latest action (wardgis's own, from this window or another wardgis process);
/// refuses, naming the features, when that would destroy another program's later edit.
/// Tells the page which layer to redraw.
#[tauri::command]
pub fn undo(app: tauri::AppHandle, state: State<'_, ProjectState>) -> Result<Value, String> {
    let (undone, changes) = state.with(|p| {
        let undone = p.undo()?;
        let changes: Vec<wardgis::project::LayerChange> = undone
            .as_ref()
            .and_then(|a| a.layer.as_deref())
            .map(|layer| p.count(layer).map(|count| vec![wardgis::project::LayerChange { layer: layer.to_owned(), count }]))
            .transpose()?
            .unwrap_or_default();
        Ok((undone, changes))
    })?;
    if !changes.is_empty() {
        use tauri::Emitter;
        let _ = app.emit(crate::watch::PROJECT_CHANGED, crate::watch::ProjectChanged::from_changes(changes));
    }
    Ok(match undone {
        Some(a) => json!({ "undone": true, "id": a.id, "kind": a.kind.code(), "summary": a.summary }),
        None => json!({ "undone": false }),
    })
}

/// Opens another project (the page asks for the path with the native open dialog).
#[tauri::command]
pub fn open_project(state: State<'_, ProjectState>, path: String) -> Result<Value, String> {
    let path = std::path::PathBuf::from(path);
    if !path.is_file() {
        return Err(format!("{}: no such file", path.display()));
    }
    state.open(&path).map_err(|e| e.to_string())?;
    // The watcher follows whichever project is open; nothing to restart.
    project_info(state)
}
