//! tauri.conf.json lives at the repository root (the design card's layout), so say so; and
//! declare the app's commands so that each is denied unless a capability allows it
//! (capabilities/default.json allows exactly the ones the page calls).
fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "project_info",
        "feature",
        "open_project",
        "undo",
        "insert_feature",
        "update_geometry",
        "update_attributes",
        "delete_features",
        "redo",
        "measure",
        "feature_geometry",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json").app_manifest(manifest))
        .expect("tauri build step (is ui/dist built? run scripts/build-ui.sh)");
}
