//! wardgis-desktop: the Tauri shell. It opens a project (the demo district when started
//! without a path), serves the map's vector tiles from core over the `tiles://` scheme, and
//! answers the page's few commands. Everything it shows comes from `wardgis` (core).

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod edit_commands;
mod project_state;
mod tile_protocol;
mod watch;

use std::path::PathBuf;

use tauri::Manager;

fn main() {
    let requested: Option<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).find(|p| {
        p.extension().is_some_and(|e| e.eq_ignore_ascii_case("gpkg"))
    });
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(project_state::ProjectState::default())
        .register_asynchronous_uri_scheme_protocol("tiles", tile_protocol::handle)
        .invoke_handler(tauri::generate_handler![commands::project_info, commands::feature, commands::open_project, commands::undo,
            edit_commands::insert_feature,
            edit_commands::update_geometry,
            edit_commands::update_attributes,
            edit_commands::delete_features,
            edit_commands::redo,
            edit_commands::measure,
            edit_commands::feature_geometry,
        ])
        .setup(move |app| {
            let path = match requested {
                Some(p) => p,
                None => project_state::demo_path(app.handle())?,
            };
            app.state::<project_state::ProjectState>().open(&path)?;
            watch::start(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("the wardgis window could not start");
}
