//! Edits from other programs: while a project is open, QGIS, GDAL or another wardgis process
//! may commit to the same file. A timer asks the project twice a second whether anyone did
//! (one cheap `PRAGMA`); when someone did, the project refreshes the changed layers' R-trees
//! and the page is told which layers to redraw, with their new counts.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use crate::commands::{LayerCount, ProjectChanged, PROJECT_CHANGED};
use crate::project_state::ProjectState;

/// How often the watcher looks: twice a second keeps a change on the map within 2 s.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// Starts the watcher thread; it runs as long as the app does.
pub fn start(app: AppHandle) {
    std::thread::Builder::new()
        .name("wardgis-watch".into())
        .spawn(move || loop {
            std::thread::sleep(INTERVAL);
            let Some(project) = app.state::<ProjectState>().current() else { continue };
            match project.refresh_external() {
                Ok(changes) if changes.is_empty() => {}
                Ok(changes) => {
                    let _ = app.emit(PROJECT_CHANGED, ProjectChanged { layers: changes.into_iter().map(LayerCount::from).collect() });
                }
                Err(e) => eprintln!("wardgis-desktop: could not refresh {}: {e}", project.path().display()),
            }
        })
        .expect("the watcher thread starts");
}
