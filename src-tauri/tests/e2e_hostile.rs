//! Safety (issue 12, item 9): values from a feature are shown as text, never run as HTML.
//!
//! Chargers whose names and attributes hold `<img src=x onerror=…>` and `<script>…</script>`
//! are imported by the real `wardgis` CLI into a fresh demo project; the window must show them
//! as the literal text in the feature panel, in the overlap chooser, in the map's labels, in
//! the attribute table (filtered to them) and in the attribute form, and nothing may run (each
//! payload would count itself in `window.__pwned`). A new part of the window that shows
//! feature values belongs in this test too.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{cli, click_map, js, open_window, settle, wait_for};
use fantoccini::Client;
use serde_json::{json, Value};

/// What the payloads would run: each adds one to `window.__pwned`.
const IMG: &str = r#"<img src=x onerror="window.__pwned=(window.__pwned||0)+1">"#;
const SCRIPT: &str = "<script>window.__pwned=(window.__pwned||0)+1</script>";
/// Both in one value, with markup that would close a table cell or an attribute.
const MIXED: &str = r#"</td></tr><b>粗</b>"'><img src=x onerror=window.__pwned=1>"#;
const HOSTILE: [&str; 3] = [IMG, SCRIPT, MIXED];

/// Where the two hostile chargers stand, one on top of the other (the demo's old town).
const AT: [f64; 2] = [119.8231, 31.3577];

fn layers_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../layers")
}

/// A fresh demo project with the hostile chargers imported through the CLI (GeoJSON).
fn hostile_project(dir: &Path) -> String {
    let path = dir.join("hostile.gpkg");
    let catalog = wardgis::Catalog::discover().unwrap();
    wardgis::demo::create_project(&path, catalog, wardgis::demo::DEMO_SEED).unwrap();
    let feature = |name: &str, operator: &str| {
        json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": AT},
               "properties": {"name": name, "vehicle_type": "car", "ports": 4, "operator": operator}})
    };
    let fc = json!({"type": "FeatureCollection", "features": [feature(IMG, SCRIPT), feature(SCRIPT, MIXED)]});
    let file = dir.join("hostile.geojson");
    std::fs::write(&file, serde_json::to_vec(&fc).unwrap()).unwrap();
    let layers = layers_dir();
    cli(&layers, &["import", path.to_str().unwrap(), "chargers", file.to_str().unwrap()]);
    path.to_string_lossy().into_owned()
}

/// No payload ran and no element any payload would have made exists.
async fn nothing_ran(c: &Client, where_: &str) {
    let v = js(c, "return {pwned: window.__pwned === undefined ? null : window.__pwned, imgs: document.querySelectorAll('img[src=x], b').length, scripts: [...document.scripts].filter(s => !s.src).length}").await;
    assert_eq!(v, json!({"pwned": null, "imgs": 0, "scripts": 0}), "{where_}: a payload ran or made an element");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_and_attributes_are_shown_as_text_and_never_run() {
    common::again_after_page_crash(hostile_names_and_attributes_are_shown_as_text_and_never_run_scenario).await;
}

async fn hostile_names_and_attributes_are_shown_as_text_and_never_run_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let project = hostile_project(dir.path());
    let window = open_window(&[project], &[]).await;
    let c = window.client.clone();
    wait_for(&c, "the map's first idle", "return window.wardgis && window.wardgis.ready", Duration::from_secs(60)).await;
    common::in_chinese(&c).await;
    nothing_ran(&c, "after opening").await;

    // Street level over the two chargers: their labels are drawn.
    js(&c, &format!("window.wardgis.map.jumpTo({{center: [{}, {}], zoom: 18}}); return true", AT[0], AT[1])).await;
    settle(&c).await;
    let labels = js(&c, "return window.wardgis.map.queryRenderedFeatures({layers: ['chargers-label']}).map(f => f.properties.name)").await;
    let labels: Vec<&str> = labels.as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(labels.iter().any(|l| *l == IMG || *l == SCRIPT), "the hostile names are drawn as labels, literally: {labels:?}");
    nothing_ran(&c, "after drawing the labels").await;

    // A click on them: the chooser lists both, their names as literal text.
    let p = js(&c, &format!("const m = window.wardgis.map, p = m.project([{}, {}]), r = m.getCanvas().getBoundingClientRect(); return [p.x, p.y, r.width, r.height]", AT[0], AT[1])).await;
    let n = |i: usize| p[i].as_f64().unwrap();
    click_map(&c, n(0), n(1), n(2), n(3)).await;
    wait_for(&c, "the overlap chooser", "return document.querySelectorAll('#feature-chooser button').length >= 2", Duration::from_secs(10)).await;
    let names = js(&c, "return [...document.querySelectorAll('#feature-chooser .chooser-name')].map(s => s.textContent)").await;
    let names: Vec<&str> = names.as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(names.contains(&IMG) && names.contains(&SCRIPT), "chooser: {names:?}");
    nothing_ran(&c, "with the chooser open").await;

    // Each in the feature panel: heading and operator exactly the stored text.
    for (name, operator) in [(IMG, SCRIPT), (SCRIPT, MIXED)] {
        if js(&c, "return !!document.getElementById('feature-chooser')").await == json!(false) {
            // After the double-click time, or the map zooms in instead.
            tokio::time::sleep(Duration::from_millis(800)).await;
            click_map(&c, n(0), n(1), n(2), n(3)).await;
            wait_for(&c, "the overlap chooser again", "return document.querySelectorAll('#feature-chooser button').length >= 2", Duration::from_secs(10)).await;
        }
        let pick = format!(
            "const b = [...document.querySelectorAll('#feature-chooser button')].find(b => b.querySelector('.chooser-name').textContent === {}); b.click(); return true",
            serde_json::to_string(name).unwrap()
        );
        js(&c, &pick).await;
        let script = format!(
            "const p = document.getElementById('feature-panel'); return !p.hidden && document.getElementById('feature-heading').textContent === {}",
            serde_json::to_string(name).unwrap()
        );
        wait_for(&c, "the hostile feature in the panel", &script, Duration::from_secs(10)).await;
        let cell = js(&c, "return document.querySelector('#feature-table tr[data-field=operator] td').textContent").await;
        assert_eq!(cell, json!(operator), "the operator cell shows the stored text");
        let name_cell = js(&c, "return document.querySelector('#feature-table tr[data-field=name] td').textContent").await;
        assert_eq!(name_cell, json!(name));
        nothing_ran(&c, &format!("with {name} in the panel")).await;
    }

    // The attribute form on the panel's feature (the last one shown): its fields hold the
    // stored text as values. Closed without saving.
    js(&c, "document.getElementById('feature-edit').click(); return true").await;
    wait_for(&c, "the attribute form", "return document.getElementById('form-name') !== null", Duration::from_secs(10)).await;
    let form = js(&c, "return [document.getElementById('form-name').value, document.getElementById('form-operator').value]").await;
    assert_eq!(form, json!([SCRIPT, MIXED]), "the form's fields hold the stored text");
    nothing_ran(&c, "with the form open").await;
    js(&c, "document.getElementById('form-cancel').click(); return true").await;

    // The attribute table of chargers, filtered to the hostile names: every cell literal.
    js(&c, "document.querySelector('button.open-table[data-layer=chargers]').click(); return true").await;
    // (It opens scrolled to the selected row, the feature last shown.)
    wait_for(&c, "the chargers' table", "return document.querySelector('#attribute-table .row[data-fid]') !== null", Duration::from_secs(10)).await;
    js(&c, "const i = document.getElementById('table-filter'); i.value = \"name LIKE '%<%'\"; i.dispatchEvent(new Event('input', {bubbles: true})); document.getElementById('table-filter-apply').click(); return true").await;
    wait_for(&c, "the filtered rows", "return document.querySelectorAll('#attribute-table .row[data-fid]').length === 2", Duration::from_secs(10)).await;
    let cells = js(&c, "return [...document.querySelectorAll('#attribute-table .row[data-fid] .cell')].map(s => s.textContent)").await;
    let cells: Vec<&str> = cells.as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for h in HOSTILE {
        assert!(cells.contains(&h), "the table shows {h:?} literally: {cells:?}");
    }
    nothing_ran(&c, "with the table open").await;
    assert!(HOSTILE.iter().all(|h| h.contains('<')));
    c.close().await.unwrap();
}
