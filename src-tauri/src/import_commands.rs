//! The import and export dialogs' commands: preview a file, import it on a worker thread
//! (progress events, cancel), save the bad rows as a report, export a layer. The reading,
//! checking and writing are the core's (`wardgis::io`); this file only carries them across.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use geo_types::Geometry;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tauri::{Emitter, State};
use ts_rs::TS;
use wardgis::crs::Crs;
use wardgis::io::{self, BadEntry, ColumnChoice, CrsEvidence, ImportObserver, ImportOptions, TextEncoding};
use wardgis::{Error, Feature, Project};

use crate::commands::{facility_extent, LayerCount, ProjectChanged, PROJECT_CHANGED};
use crate::project_state::ProjectState;

/// Rows an import preview shows.
pub const PREVIEW_ROWS: usize = 20;

/// The name of the event whose payload is [`ImportProgress`].
pub const IMPORT_PROGRESS: &str = "import-progress";

/// What the user chose in the import dialog.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ImportRequest {
    /// The target layer's id.
    pub layer: String,
    pub path: String,
    /// The file's coordinate system as `--crs` writes it (`wgs84`, `gcj02`, `EPSG:4549`);
    /// `None`: what the file declares, else WGS84.
    pub crs: Option<String>,
    /// `utf-8` or `gbk`; `None`: detected.
    pub encoding: Option<String>,
    /// The workbook's sheet or the GeoPackage's feature table.
    pub sheet: Option<String>,
    /// What source columns fill, overriding the matching by name.
    pub columns: Vec<ColumnMapping>,
    /// Import the good rows and list the bad ones instead of importing nothing.
    pub skip_bad: bool,
}

/// One source column and what the user says it fills.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ColumnMapping {
    pub column: String,
    pub fills: ColumnChoice,
}

/// The first rows of a file as they would be imported; see [`wardgis::io::Preview`].
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportPreview {
    /// The source columns in the file's order and what each fills (`null`: nothing).
    pub columns: Vec<PreviewColumn>,
    /// The first rows that import: each attribute (by catalog name, plus `name`, `source`)
    /// as text, and the position (`lon, lat` in WGS84, or the geometry's type).
    pub rows: Vec<PreviewRow>,
    /// The bad rows among those read.
    pub problems: Vec<BadEntry>,
    /// Why the file cannot be imported as it stands (e.g. no coordinate columns).
    pub file_problem: Option<String>,
    pub encoding: Option<String>,
    /// The coordinate system the file declares or obviously is.
    pub crs: Option<DetectedSystem>,
    /// The sheets of a workbook or the feature tables of a GeoPackage.
    pub names: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PreviewColumn {
    pub name: String,
    pub fills: Option<ColumnChoice>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PreviewRow {
    pub values: BTreeMap<String, String>,
    pub position: String,
}

/// A detected coordinate system: its `--crs` name and whether the file declares it or its
/// coordinates obviously are in it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DetectedSystem {
    pub crs: String,
    pub declared: bool,
}

/// The `import-progress` payload: bytes of the file read so far.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportProgress {
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// How an import ended.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Imported,
    /// Bad rows: nothing imported; `bad` lists them.
    BadRows,
    Cancelled,
    /// Anything else (the file cannot be read); `message` says why.
    Failed,
}

/// What an import did: features imported, the bad rows (every one kept, up to the core's
/// 1 000, and how many in all), warnings, or why it failed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportOutcome {
    pub status: ImportStatus,
    #[ts(type = "number")]
    pub imported: u64,
    pub bad: Vec<BadEntry>,
    #[ts(type = "number")]
    pub bad_total: u64,
    pub warnings: Vec<String>,
    pub message: Option<String>,
}

/// The import running (one at a time), its cancel flag, and the bad rows of the last one
/// (what "Save report…" writes).
#[derive(Default)]
pub struct ImportJobs {
    running: AtomicBool,
    cancel: Arc<AtomicBool>,
    last_bad: Mutex<(Vec<BadEntry>, u64)>,
}

fn options(req: &ImportRequest) -> Result<ImportOptions, String> {
    Ok(ImportOptions {
        crs: req.crs.as_deref().map(str::parse::<Crs>).transpose()?,
        encoding: req.encoding.as_deref().map(str::parse::<TextEncoding>).transpose()?,
        sheet: req.sheet.clone().filter(|_| is_workbook(&req.path)),
        source_layer: req.sheet.clone().filter(|_| !is_workbook(&req.path)),
        skip_bad: req.skip_bad,
        columns: req.columns.iter().map(|m| (m.column.clone(), m.fills.clone())).collect(),
    })
}

fn is_workbook(path: &str) -> bool {
    Path::new(path).extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// A feature's values as the preview table shows them: text, never markup.
fn preview_row(project: &Project, layer: &str, f: &Feature) -> PreviewRow {
    let kind = project.catalog().kind(layer).ok();
    let values = kind
        .into_iter()
        .flat_map(|k| k.column_names())
        .map(|key| (key.to_owned(), f.get(key).to_text()))
        .collect();
    let position = match &f.geometry {
        Geometry::Point(p) => format!("{:.6}, {:.6}", p.x(), p.y()),
        Geometry::MultiPoint(m) if m.0.len() == 1 => format!("{:.6}, {:.6}", m.0[0].x(), m.0[0].y()),
        g => io::geometry_name(g).to_owned(),
    };
    PreviewRow { values, position }
}

/// The first rows of a file as they would be imported into `layer` with these choices.
#[tauri::command]
pub async fn import_preview(state: State<'_, ProjectState>, request: ImportRequest) -> Result<ImportPreview, String> {
    let project = state.current().ok_or("no project is open")?;
    let opts = options(&request)?;
    tauri::async_runtime::spawn_blocking(move || {
        let kind = project.catalog().kind(&request.layer).map_err(|e| e.to_string())?;
        let near = facility_extent(&project).map(|[w, s, e, n]| geo_types::Coord { x: (w + e) / 2.0, y: (s + n) / 2.0 });
        let p = io::preview(Path::new(&request.path), kind, &opts, PREVIEW_ROWS, near).map_err(|e| e.to_string())?;
        Ok(ImportPreview {
            columns: p.columns.into_iter().map(|c| PreviewColumn { name: c.name, fills: c.fills }).collect(),
            rows: p.features.iter().map(|f| preview_row(&project, &request.layer, f)).collect(),
            problems: p.problems.iter().flat_map(io::bad_entries).collect(),
            file_problem: p.file_problem.map(|e| e.to_string()),
            encoding: p.encoding.map(str::to_owned),
            crs: p.crs.map(|d| DetectedSystem { crs: d.crs.to_string(), declared: d.evidence == CrsEvidence::Declared }),
            names: p.names,
            warnings: p.warnings,
        })
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Reports progress to the page and reads the Cancel button.
struct Watcher {
    app: tauri::AppHandle,
    cancel: Arc<AtomicBool>,
}

impl ImportObserver for Watcher {
    fn progress(&self, done: u64, total: u64) {
        let _ = self.app.emit(IMPORT_PROGRESS, ImportProgress { done, total });
    }
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// Imports the file as one action on a worker thread (one import at a time), emitting
/// `import-progress`; after an import that added features, `project-changed` for the layer.
#[tauri::command]
pub async fn import_start(
    app: tauri::AppHandle,
    state: State<'_, ProjectState>,
    jobs: State<'_, ImportJobs>,
    request: ImportRequest,
) -> Result<ImportOutcome, String> {
    let project = state.current().ok_or("no project is open")?;
    let opts = options(&request)?;
    if jobs.running.swap(true, Ordering::SeqCst) {
        return Err("an import is already running; wait for it or cancel it".into());
    }
    jobs.cancel.store(false, Ordering::SeqCst);
    let watcher = Watcher { app: app.clone(), cancel: jobs.cancel.clone() };
    let layer = request.layer.clone();
    let result = tauri::async_runtime::spawn_blocking(move || {
        let r = project.import_file(&layer, Path::new(&request.path), &opts, &watcher);
        let count = project.count(&layer);
        (r, count)
    })
    .await;
    jobs.running.store(false, Ordering::SeqCst);
    let (result, count) = result.map_err(|e| e.to_string())?;
    let outcome = match result {
        Ok(summary) => {
            if summary.imported > 0 {
                let count = count.map_err(|e| e.to_string())?;
                let _ = app.emit(PROJECT_CHANGED, ProjectChanged { layers: vec![LayerCount { id: request.layer.clone(), count }] });
            }
            let bad: Vec<BadEntry> = summary.skipped.iter().flat_map(io::bad_entries).collect();
            ImportOutcome {
                status: ImportStatus::Imported,
                imported: summary.imported,
                bad,
                bad_total: summary.skipped_total,
                warnings: summary.warnings,
                message: None,
            }
        }
        Err(Error::Cancelled) => failed(ImportStatus::Cancelled, None),
        Err(e @ (Error::BadRows { .. } | Error::BadRow { .. } | Error::BadCell(_) | Error::BadFeature { .. })) => ImportOutcome {
            bad: io::bad_entries(&e),
            bad_total: io::bad_total(&e),
            ..failed(ImportStatus::BadRows, None)
        },
        Err(e) => failed(ImportStatus::Failed, Some(e.to_string())),
    };
    *jobs.last_bad.lock() = (outcome.bad.clone(), outcome.bad_total);
    Ok(outcome)
}

fn failed(status: ImportStatus, message: Option<String>) -> ImportOutcome {
    ImportOutcome { status, imported: 0, bad: Vec::new(), bad_total: 0, warnings: Vec::new(), message }
}

/// Asks the running import to stop; it then imports nothing.
#[tauri::command]
pub fn import_cancel(jobs: State<'_, ImportJobs>) {
    jobs.cancel.store(true, Ordering::SeqCst);
}

/// Writes the last import's bad rows to `path` as a CSV report Excel opens.
#[tauri::command]
pub fn save_error_report(jobs: State<'_, ImportJobs>, path: String) -> Result<(), String> {
    let (entries, total) = jobs.last_bad.lock().clone();
    io::write_error_report(&PathBuf::from(path), &entries, total).map_err(|e| e.to_string())
}

/// What the export dialog chose: the format is the file's extension.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ExportRequest {
    pub layer: String,
    pub path: String,
    /// As `--crs` writes it.
    pub crs: String,
    /// `utf-8` or `gbk`, for CSV and Shapefile; `None`: UTF-8.
    pub encoding: Option<String>,
    /// Only these features (the selected ones); `None`: all.
    #[ts(type = "number[] | null")]
    pub fids: Option<Vec<i64>>,
}

/// Writes a layer (or its selected features) to a file; returns how many were written.
#[tauri::command]
pub async fn export_layer(state: State<'_, ProjectState>, request: ExportRequest) -> Result<u64, String> {
    let project = state.current().ok_or("no project is open")?;
    let crs: Crs = request.crs.parse()?;
    let encoding = request.encoding.as_deref().map(str::parse::<TextEncoding>).transpose()?;
    tauri::async_runtime::spawn_blocking(move || {
        let kind = project.catalog().kind(&request.layer)?;
        let features = match &request.fids {
            Some(fids) => project.features_by_fid(&request.layer, fids)?,
            None => project.features(&request.layer)?,
        };
        io::write_features(Path::new(&request.path), kind, &features, &io::ExportOptions { crs, encoding })?;
        Ok::<u64, Error>(features.len() as u64)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Writes the TypeScript types of what the import and export commands send and take.
#[cfg(test)]
pub(crate) fn export_types(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
    ImportRequest::export_all(cfg)?;
    ImportPreview::export_all(cfg)?;
    ImportProgress::export_all(cfg)?;
    ImportOutcome::export_all(cfg)?;
    ExportRequest::export_all(cfg)?;
    Ok(())
}
