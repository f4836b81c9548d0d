//! The open project, shared between the page's commands, the tile workers and the watcher.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::RwLock;
use tauri::Manager;
use wardgis::{Catalog, Project};

/// The project the window shows. The project itself answers from several threads at once
/// (its store keeps a pool of readers beside one writer), so the lock here is held only to
/// take or replace the handle — never while a tile is cut or a command runs.
#[derive(Default)]
pub struct ProjectState(RwLock<Option<Arc<Project>>>);

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
        *self.0.write() = Some(Arc::new(project));
        Ok(())
    }

    /// The open project, if any.
    pub fn current(&self) -> Option<Arc<Project>> {
        self.0.read().clone()
    }

    /// Runs `f` on the open project.
    pub fn with<T>(&self, f: impl FnOnce(&Project) -> Result<T, wardgis::Error>) -> Result<T, StateError> {
        let project = self.current().ok_or(StateError::NoProject)?;
        f(&project).map_err(StateError::Core)
    }
}

/// Why a command on the open project failed.
#[derive(Debug)]
pub enum StateError {
    NoProject,
    Core(wardgis::Error),
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::NoProject => f.write_str("no project is open"),
            StateError::Core(e) => e.fmt(f),
        }
    }
}

impl From<StateError> for String {
    fn from(e: StateError) -> String {
        e.to_string()
    }
}

/// Where the demo district lives: the user's data directory, created on first run.
pub fn demo_path(app: &tauri::AppHandle) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let dir = app.path().app_data_dir()?;
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join("demo-yixing.gpkg"))
}
