//! wardgis-desktop: the Tauri shell. It opens a project (the demo district when started
//! without a path), serves the map's vector tiles from core over the `tiles://` scheme, and
//! answers the page's few commands. Everything it shows comes from `wardgis` (core).

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod import_commands;
mod edit_commands;
mod planning_commands;
mod print_commands;
mod project_state;
mod table_commands;
mod query_commands;
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
        .manage(import_commands::ImportJobs::default())
        .register_asynchronous_uri_scheme_protocol("tiles", tile_protocol::handle)
        .manage(table_commands::TableViews::default())
        .manage(print_commands::PrintFont::default())
        .invoke_handler(tauri::generate_handler![
            commands::project_info,
            commands::feature,
            commands::open_project,
            commands::undo,
            // The attribute table (table_commands.rs).
            table_commands::table_open,
            table_commands::table_close,
            table_commands::table_rows,
            table_commands::table_fids,
            table_commands::table_first_row,
            table_commands::features_bbox,
            table_commands::features_in_box,
            // The import and export dialogs (import_commands.rs).
            import_commands::import_preview,
            import_commands::import_start,
            import_commands::import_cancel,
            import_commands::save_error_report,
            import_commands::export_layer,
            // The query tool and the search box (query_commands.rs).
            query_commands::spatial_query,
            query_commands::feature_bounds,
            query_commands::search,
            // Editing and measuring (edit_commands.rs).
            edit_commands::insert_feature,
            edit_commands::update_geometry,
            edit_commands::update_attributes,
            edit_commands::delete_features,
            edit_commands::redo,
            edit_commands::measure,
            edit_commands::feature_geometry,
            // The print dialog (print_commands.rs).
            print_commands::print_wards,
            print_commands::print_preview,
            print_commands::print_export,
            // The planning panel (planning_commands.rs).
            planning_commands::zone_list,
            planning_commands::zone_add,
            planning_commands::zone_rename,
            planning_commands::zone_remove,
            planning_commands::zone_report_view,
            planning_commands::zone_report_export,
            planning_commands::plan_suggest,
            planning_commands::plan_save_scenario,
            planning_commands::plan_remove_scenario,
            planning_commands::plan_gaps,
            planning_commands::plan_gaps_export,
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
