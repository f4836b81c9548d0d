//! tauri.conf.json lives at the repository root (the design card's layout), so say so; and
//! declare the app's commands so that each is denied unless a capability allows it
//! (capabilities/default.json allows exactly the ones the page calls).
fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "project_info",
        "feature",
        "open_project",
        "undo",
        "import_preview",
        "import_start",
        "import_cancel",
        "save_error_report",
        "export_layer",
        // The attribute table (src/table_commands.rs).
        "table_open",
        "table_close",
        "table_rows",
        "table_fids",
        "table_first_row",
        "features_bbox",
        "features_in_box",
        // query_commands.rs
        "spatial_query",
        "feature_bounds",
        "search",
        "insert_feature",
        "update_geometry",
        "update_attributes",
        "delete_features",
        "redo",
        "measure",
        "feature_geometry",
        // print_commands.rs
        "print_wards",
        "print_preview",
        "print_export",
        // planning_commands.rs
        "zone_list",
        "zone_add",
        "zone_rename",
        "zone_remove",
        "zone_report_view",
        "zone_report_export",
        "plan_suggest",
        "plan_save_scenario",
        "plan_remove_scenario",
        "plan_gaps",
        "plan_gaps_export",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json").app_manifest(manifest))
        .expect("tauri build step (is ui/dist built? run scripts/build-ui.sh)");
}
