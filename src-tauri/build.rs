//! tauri.conf.json lives at the repository root (the design card's layout), so say so.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri build step (is ui/dist built? run `npm --prefix ui run build`)");
}
