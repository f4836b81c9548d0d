//! The open project, shared between the page's commands and the tile protocol.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tauri::Manager;
use wardgis::{Catalog, Project};

/// The project the window shows. A `Mutex` because SQLite connections are not shared
/// between threads; tile requests are answered one at a time, each in a few milliseconds.
#[derive(Default)]
pub struct ProjectState(Mutex<Option<Project>>);

impl ProjectState {
    /// Opens `path`, creating the demo district there first if the file is the demo's and
    /// does not exist yet, and makes it the project the window shows.
    pub fn open(&self, path: &Path) -> Result<(), wardgis::Error> {
        let catalog = Catalog::discover()?;
        let project = if path.exists() {
            Project::open(path, catalog)?
        } else {
            wardgis::demo::create_project(path, catalog, wardgis::demo::DEMO_SEED)?
        };
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(project);
        Ok(())
    }

    /// Runs `f` on the open project.
    pub fn with<T>(&self, f: impl FnOnce(&Project) -> Result<T, wardgis::Error>) -> Result<T, String> {
        let guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let project = guard.as_ref().ok_or("no project is open")?;
        f(project).map_err(|e| e.to_string())
    }
}

/// Where the demo district lives: the user's data directory, created on first run.
pub fn demo_path(app: &tauri::AppHandle) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let dir = app.path().app_data_dir()?;
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join("demo-yixing.gpkg"))
}
