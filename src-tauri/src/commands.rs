//! The commands the page may call (each allowed by name in capabilities/default.json), and
//! the event it listens to. Everything that crosses to the page is a typed struct here or in
//! core, and its TypeScript type is generated from it (`ui/src/generated/`, written by
//! `scripts/gen-types.sh`; the test at the end of this file fails when they are stale).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;
use wardgis::catalog::{LayerGroup, LayerKind, MapDisplay};
use wardgis::index::Shape;
use wardgis::Value;

use crate::project_state::ProjectState;

/// The open project, as the page shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ProjectInfo {
    /// The project file.
    pub path: String,
    /// Every layer of the catalog, in drawing order (low first).
    pub layers: Vec<LayerEntry>,
    /// The layer panel's groups, in the order it lists them.
    pub groups: Vec<GroupEntry>,
    /// The box around the facility layers' points (`[west, south, east, north]`), where the
    /// map starts; `None` when there are none.
    pub extent: Option<[f64; 4]>,
}

/// One layer: its catalog entry, how the map shows it (the catalog's defaults applied) and
/// how many features it has.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LayerEntry {
    pub kind: LayerKind,
    pub display: MapDisplay,
    pub count: u64,
}

/// A group of the layer panel, with its titles.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GroupEntry {
    pub id: LayerGroup,
    pub name_zh: String,
    pub name_en: String,
}

/// One feature's attributes, by catalog name (plus `name` and `source`); the page labels them
/// from the catalog.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FeatureAttributes {
    pub layer: String,
    #[ts(type = "number")]
    pub fid: i64,
    pub properties: BTreeMap<String, Value>,
}

/// The payload of the `project-changed` event: the layers whose features changed (by another
/// program writing the file, or by wardgis), each with its new count. The page updates the
/// counts and reloads those layers' tiles. Emitted by the watcher (`watch.rs`), by
/// `undo` and by the edits and `redo` (`edit_commands.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProjectChanged {
    pub layers: Vec<LayerCount>,
}

/// One changed layer and how many features it has now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LayerCount {
    pub id: String,
    #[ts(type = "number")]
    pub count: u64,
}

impl From<wardgis::project::LayerChange> for LayerCount {
    fn from(c: wardgis::project::LayerChange) -> LayerCount {
        LayerCount { id: c.layer, count: c.count }
    }
}

/// The name of the event whose payload is [`ProjectChanged`] (the page listens for it).
pub const PROJECT_CHANGED: &str = "project-changed";

/// The open project: its path, every layer's catalog entry and count, and the extent of
/// the facility layers (where the map should start).
#[tauri::command]
pub fn project_info(state: State<'_, ProjectState>) -> Result<ProjectInfo, String> {
    let info = state.with(|p| {
        let layers = p
            .layers()?
            .into_iter()
            .map(|l| LayerEntry { kind: l.kind.clone(), display: l.kind.display(), count: l.count })
            .collect();
        Ok(ProjectInfo { path: p.path().display().to_string(), layers, groups: groups(), extent: facility_extent(p) })
    })?;
    Ok(info)
}

/// The box around the facility layers' points, `[west, south, east, north]`: where the map
/// starts, and the zone an import's bare Gauss–Krüger eastings are taken to be in.
pub(crate) fn facility_extent(p: &wardgis::Project) -> Option<[f64; 4]> {
    let mut extent: Option<[f64; 4]> = None;
    for kind in p.catalog().kinds().iter().filter(|k| k.group == LayerGroup::Facility) {
        let Ok(index) = p.index(&kind.id) else { continue };
        for e in index.entries() {
            if let Shape::Point([x, y]) = e.shape {
                let b = extent.get_or_insert([x, y, x, y]);
                *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            }
        }
    }
    extent
}

fn groups() -> Vec<GroupEntry> {
    LayerGroup::ALL
        .iter()
        .map(|&id| {
            let (zh, en) = id.titles();
            GroupEntry { id, name_zh: zh.into(), name_en: en.into() }
        })
        .collect()
}

/// One feature's attributes by layer and fid; the page labels them from the catalog.
#[tauri::command]
pub fn feature(state: State<'_, ProjectState>, layer: String, fid: i64) -> Result<FeatureAttributes, String> {
    let attributes = state.with(|p| {
        let f = p.feature(&layer, fid)?;
        let properties = f.props.into_iter().collect();
        Ok(FeatureAttributes { layer, fid, properties })
    })?;
    Ok(attributes)
}

/// What an undo did: the action it took back, or nothing when there was nothing to undo.
#[derive(Debug, Clone, Serialize, TS)]
pub struct UndoOutcome {
    /// False when there was nothing to undo.
    pub undone: bool,
    /// The action taken back: its id, kind code and summary.
    #[ts(type = "number | null")]
    pub id: Option<i64>,
    pub kind: Option<String>,
    pub summary: Option<String>,
}

/// Undoes the latest action (wardgis's own, from this window or another wardgis process);
/// refuses, saying why, when that would destroy another program's later edit. Tells the page
/// which layer to redraw.
#[tauri::command]
pub fn undo(app: tauri::AppHandle, state: State<'_, ProjectState>) -> Result<UndoOutcome, String> {
    let (undone, changed) = state.with(|p| {
        let undone = p.undo()?;
        let changed: Vec<LayerCount> = undone
            .as_ref()
            .and_then(|a| a.layer.as_deref())
            .map(|layer| p.count(layer).map(|count| vec![LayerCount { id: layer.to_owned(), count }]))
            .transpose()?
            .unwrap_or_default();
        Ok((undone, changed))
    })?;
    if !changed.is_empty() {
        use tauri::Emitter;
        let _ = app.emit(PROJECT_CHANGED, ProjectChanged { layers: changed });
    }
    Ok(match undone {
        Some(a) => UndoOutcome { undone: true, id: Some(a.id), kind: Some(a.kind.code().to_owned()), summary: Some(a.summary) },
        None => UndoOutcome { undone: false, id: None, kind: None, summary: None },
    })
}

/// Opens another project (the page asks for the path with the native open dialog).
#[tauri::command]
pub fn open_project(state: State<'_, ProjectState>, path: String) -> Result<ProjectInfo, String> {
    let path = std::path::PathBuf::from(path);
    if !path.is_file() {
        return Err(format!("{}: no such file", path.display()));
    }
    state.open(&path).map_err(|e| e.to_string())?;
    // The watcher follows whichever project is open; nothing to restart.
    project_info(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// Writes the TypeScript types of everything that crosses into `dir` (one file a type,
    /// with the types they use).
    fn export_types(dir: &Path) -> Result<(), ts_rs::ExportError> {
        let cfg = ts_rs::Config::new().with_out_dir(dir).with_large_int("number");
        ProjectInfo::export_all(&cfg)?;
        FeatureAttributes::export_all(&cfg)?;
        ProjectChanged::export_all(&cfg)?;
        UndoOutcome::export_all(&cfg)?;
        crate::import_commands::export_types(&cfg)?;
        crate::table_commands::TableOpened::export_all(&cfg)?;
        crate::table_commands::TableError::export_all(&cfg)?;
        crate::table_commands::TableRow::export_all(&cfg)?;
        crate::table_commands::TableSort::export_all(&cfg)?;
        crate::query_commands::QueryRequest::export_all(&cfg)?;
        crate::query_commands::QueryAnswer::export_all(&cfg)?;
        crate::query_commands::PasteCrs::export_all(&cfg)?;
        crate::query_commands::SearchAnswer::export_all(&cfg)?;
        crate::edit_commands::EditOutcome::export_all(&cfg)?;
        crate::edit_commands::RedoOutcome::export_all(&cfg)?;
        crate::edit_commands::MeasureKind::export_all(&cfg)?;
        crate::edit_commands::Measurement::export_all(&cfg)?;
        crate::edit_commands::FeatureShape::export_all(&cfg)?;
        crate::print_commands::export_types(&cfg)?;
        crate::planning_commands::export_types(&cfg)?;
        Ok(())
    }

    fn checked_in() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/generated")
    }

    fn ts_files(dir: &Path) -> BTreeMap<String, String> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "ts"))
                    .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The page's types are generated from these structs and checked in; a change on the Rust
    /// side without regenerating them fails here. `WARDGIS_UPDATE_TYPES=1` (what
    /// scripts/gen-types.sh sets) rewrites them instead.
    #[test]
    fn the_generated_typescript_types_are_current() {
        let fresh = tempfile::tempdir().unwrap();
        export_types(fresh.path()).unwrap();
        let want = ts_files(fresh.path());
        assert!(want.contains_key("ProjectInfo.ts") && want.contains_key("LayerKind.ts") && want.contains_key("AttributeValue.ts"), "{:?}", want.keys());
        let dir = checked_in();
        if std::env::var_os("WARDGIS_UPDATE_TYPES").is_some() {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in &want {
                std::fs::write(dir.join(name), text).unwrap();
            }
            return;
        }
        let have = ts_files(&dir);
        let mut problems = Vec::new();
        for (name, text) in &want {
            match have.get(name) {
                None => problems.push(format!("ui/src/generated/{name} is missing")),
                Some(t) if t != text => problems.push(format!("ui/src/generated/{name} differs from what the Rust types generate")),
                Some(_) => {}
            }
        }
        for name in have.keys().filter(|n| !want.contains_key(*n)) {
            problems.push(format!("ui/src/generated/{name} is generated from no Rust type any more"));
        }
        assert!(problems.is_empty(), "{}\nrun scripts/gen-types.sh to regenerate the page's types", problems.join("\n"));
    }

    #[test]
    fn the_types_say_what_crosses() {
        let cfg = ts_rs::Config::new().with_large_int("number");
        assert_eq!(
            serde_json::to_value(ProjectChanged { layers: vec![LayerCount { id: "chargers".into(), count: 123 }] }).unwrap(),
            serde_json::json!({ "layers": [{ "id": "chargers", "count": 123 }] })
        );
        assert_eq!(LayerCount::inline(&cfg), "{ id: string, count: number, }");
        assert_eq!(Value::inline(&cfg), "null | string | number | number | boolean | string");
        let decl = FeatureAttributes::decl(&cfg);
        assert!(decl.contains("fid: number") && decl.contains("properties: { [key in string]: AttributeValue }"), "{decl}");
    }

    /// What `project_info` sends for the shipped catalog: each layer with its display decisions.
    #[test]
    fn a_layer_entry_carries_the_catalog_decisions() {
        let catalog = wardgis::Catalog::embedded();
        let kind = catalog.kind("roads").unwrap().clone();
        let entry = LayerEntry { display: kind.display(), kind, count: 7 };
        let v = serde_json::to_value(&entry).unwrap();
        assert_eq!(v["kind"]["id"], "roads");
        assert_eq!(v["display"]["clickable"], false);
        assert_eq!(v["display"]["label"]["placement"], "line");
        assert_eq!(v["display"]["legend"]["symbol"], "line");
        assert_eq!(v["kind"]["style"]["type"], "line");
        assert!(v["kind"].get("label").is_none(), "the raw keys stay in the catalog: {}", v["kind"]);
        assert_eq!(v["count"], 7);
        assert_eq!(groups().iter().map(|g| g.name_zh.as_str()).collect::<Vec<_>>(), ["规划试点", "管理设施", "管理单元与场所", "底图"]);
    }
}
