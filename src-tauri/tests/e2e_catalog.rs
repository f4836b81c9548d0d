//! End-to-end: a layer kind that is not in the shipped catalog becomes part of the window with
//! no code change. The test writes a catalog folder (the shipped `layers/*.toml` plus
//! `public_toilets.toml`, which sets none of the display keys, so the catalog's defaults
//! decide), makes a project and imports named toilets with the real `wardgis` CLI, starts the
//! real window with `WARDGIS_LAYERS` pointing at the folder and drives it over WebDriver: the
//! layer is in the panel with its Chinese name, count and legend swatch; a toilet is drawn,
//! labelled and clickable, and its attributes are labelled from the TOML; the page applies a
//! `project-changed` payload (new count, the layer's tiles fetched again).

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{cli, click_map, feature_heading, js, open_window, settle, wait_for};
use fantoccini::Locator;
use serde_json::{json, Value};

/// A facility kind the shipped catalog does not have, as a bureau would write it.
const TOILETS_TOML: &str = r##"id = "public_toilets"
name_zh = "公共厕所"
name_en = "Public toilets"
group = "facility"
geometry = "point"
order = 65
gbt_code = ""
gbt_code_note = "Not verified; written by the end-to-end test."
service_radius_m = 500.0
checklist_note = "Written by the end-to-end test; not a standard."
responsible_field = "operator"

[style]
type = "circle"
paint = { "circle-color" = "#00a6a6", "circle-radius" = 6, "circle-stroke-color" = "#ffffff", "circle-stroke-width" = 1.5 }

[[fields]]
name = "grade"
type = "enum"
label_zh = "等级"
label_en = "Grade"
required = true
values = [
  { value = "first", zh = "一类", en = "First class" },
  { value = "second", zh = "二类", en = "Second class" },
  { value = "third", zh = "三类", en = "Third class" },
]

[[fields]]
name = "stalls"
type = "integer"
label_zh = "厕位数"
label_en = "Stalls"
unit = "个"
required = true

[[fields]]
name = "accessible"
type = "boolean"
label_zh = "无障碍厕位"
label_en = "Accessible stall"

[[fields]]
name = "operator"
type = "text"
label_zh = "管理单位"
label_en = "Operator"

[[checklist]]
id = "PT-01"
text_zh = "厕内清洁，无异味"
text_en = "Clean inside, no odour"
max_points = 40
deadline_days = 1

[[checklist]]
id = "PT-02"
text_zh = "洗手、冲水设施完好"
text_en = "Hand-washing and flushing work"
max_points = 30

[[checklist]]
id = "PT-03"
text_zh = "开放时间、标识清晰"
text_en = "Opening hours and sign legible"
max_points = 30
"##;

/// Three toilets, in a field team's CSV (Chinese headers, enum values by label or code).
const TOILETS_CSV: &str = "名称,经度,纬度,等级,厕位数,无障碍厕位,管理单位
人民路公厕,119.8182,31.3627,一类,12,是,宜城街道环卫所
东门公厕,119.8268,31.3583,second,8,否,宜城街道环卫所
南门菜场公厕,119.8205,31.3532,三类,6,否,
";

/// The catalog folder (shipped files plus the toilets) and a demo project with three toilets.
fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let layers = dir.join("layers");
    std::fs::create_dir_all(&layers).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../layers");
    for e in std::fs::read_dir(&shipped).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(&p, layers.join(p.file_name().unwrap())).unwrap();
        }
    }
    assert!(!layers.join("public_toilets.toml").exists(), "the shipped catalog has toilets already; pick another kind");
    std::fs::write(layers.join("public_toilets.toml"), TOILETS_TOML).unwrap();
    let project = dir.join("toilets.gpkg");
    let project_s = project.to_str().unwrap();
    cli(&layers, &["demo", project_s]);
    let csv = dir.join("toilets.csv");
    std::fs::write(&csv, TOILETS_CSV).unwrap();
    cli(&layers, &["import", project_s, "public_toilets", csv.to_str().unwrap()]);
    let listed = cli(&layers, &["layers", project_s]);
    let count = listed.lines().find(|l| l.starts_with("public_toilets ")).and_then(|l| l.split_whitespace().nth(3));
    assert_eq!(count, Some("3"), "{listed}");
    (layers, project)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_layer_toml_is_a_layer_of_the_window() {
    common::again_after_page_crash(a_new_layer_toml_is_a_layer_of_the_window_scenario).await;
}

async fn a_new_layer_toml_is_a_layer_of_the_window_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let (layers, project) = setup(dir.path());
    let window = open_window(&[project.to_string_lossy().into_owned()], &[("WARDGIS_LAYERS", &layers)]).await;
    let c = window.client.clone();
    wait_for(&c, "the map's first idle", "return window.wardgis && window.wardgis.ready", Duration::from_secs(60)).await;
    common::in_chinese(&c).await;
    settle(&c).await;

    // 1. The layer panel lists it among the managed facilities, with its Chinese name, its
    //    count and a round swatch of its style's colour.
    let row = js(&c, r#"
        const row = document.querySelector('.layer-row[data-layer=public_toilets]');
        if (!row) return null;
        let heading = row.previousElementSibling;
        while (heading && heading.tagName !== 'H3') heading = heading.previousElementSibling;
        const swatch = row.querySelector('.swatch');
        return {
            name: row.querySelector('.layer-name').textContent,
            count: row.querySelector('.layer-count').textContent,
            group: heading && heading.textContent,
            swatch: getComputedStyle(swatch).backgroundColor,
            round: swatch.classList.contains('swatch-circle') && getComputedStyle(swatch).borderRadius,
            checked: row.querySelector('input').checked,
        };"#).await;
    assert!(!row.is_null(), "no row for public_toilets in the layer panel");
    assert_eq!(row["name"], "公共厕所");
    assert_eq!(row["count"], "3 个");
    assert_eq!(row["group"], "管理设施");
    assert_eq!(row["swatch"], "rgb(0, 166, 166)", "the legend swatch has the style's colour");
    assert_eq!(row["round"], "50%", "a circle layer's swatch is round");
    assert_eq!(row["checked"], json!(true));

    // 2. The catalog's defaults: clickable, labelled (from zoom 16), drawn above the basemap.
    let display = js(&c, "return window.wardgis.info.layers.find(l => l.kind.id === 'public_toilets').display").await;
    assert_eq!(display["clickable"], json!(true));
    assert_eq!(display["label"]["minzoom"].as_f64(), Some(16.0), "{display}");
    let n = js(&c, "return window.wardgis.map.queryRenderedFeatures({layers: ['public_toilets']}).length").await;
    assert_eq!(n, json!(3), "the three toilets are drawn");

    // 3. Zoom to the first toilet: its name is written beside it; clicking it shows its
    //    attributes, labelled from the TOML.
    js(&c, "window.wardgis.map.jumpTo({center: [119.8182, 31.3627], zoom: 17}); return true").await;
    settle(&c).await;
    let labels = js(&c, "return window.wardgis.map.queryRenderedFeatures({layers: ['public_toilets-label']}).map(f => f.properties.name)").await;
    assert!(labels.as_array().unwrap().iter().any(|n| n == "人民路公厕"), "the toilet's label is drawn: {labels}");
    let target = js(&c, r#"
        const m = window.wardgis.map;
        const clickable = window.wardgis.info.layers.filter(l => l.display.clickable).map(l => l.kind.id);
        const canvas = m.getCanvas().getBoundingClientRect();
        const f = m.queryRenderedFeatures({layers: ['public_toilets']}).find(f => f.properties.name === '人民路公厕');
        if (!f) return null;
        const p = m.project(f.geometry.coordinates);
        const near = m.queryRenderedFeatures([[p.x - 8, p.y - 8], [p.x + 8, p.y + 8]], {layers: clickable});
        const points = near.filter(h => h.geometry.type === 'Point');
        return {x: p.x, y: p.y, w: canvas.width, h: canvas.height, fid: f.id, alone: points.length === 1};"#).await;
    assert!(!target.is_null(), "the toilet is not on screen");
    assert_eq!(target["alone"], json!(true), "another clickable point covers the toilet");
    let f = |k: &str| target[k].as_f64().unwrap();
    click_map(&c, f("x"), f("y"), f("w"), f("h")).await;
    let shown = feature_heading(&c).await;
    assert_eq!(shown, "人民路公厕");
    let table = || async {
        js(&c, "return Object.fromEntries([...document.querySelectorAll('#feature-table tr')].map(r => [r.dataset.field, [r.querySelector('th').textContent, r.querySelector('td').textContent]]))").await
    };
    let rows: Value = table().await;
    assert_eq!(rows["grade"], json!(["等级", "一类"]), "{rows}");
    assert_eq!(rows["stalls"], json!(["厕位数", "12 个"]), "{rows}");
    assert_eq!(rows["accessible"], json!(["无障碍厕位", "是"]), "{rows}");
    assert_eq!(rows["operator"], json!(["管理单位", "宜城街道环卫所"]), "{rows}");
    assert_eq!(js(&c, "return document.getElementById('feature-layer').textContent").await, "公共厕所");
    assert_eq!(js(&c, "return document.getElementById('feature-panel').dataset.fid").await.as_str().unwrap(), target["fid"].to_string());

    let png = c.screenshot().await.expect("screenshot");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wardgis-e2e-catalog.png");
    std::fs::write(&out, &png).unwrap();
    eprintln!("SCREENSHOT: {}", out.display());

    // 4. In English, the same TOML names the layer, the fields and the values.
    c.find(Locator::Id("lang-toggle")).await.unwrap().click().await.unwrap();
    wait_for(&c, "English field labels", "return [...document.querySelectorAll('#feature-table th')].some(t => t.textContent === 'Grade')", Duration::from_secs(5)).await;
    let rows: Value = table().await;
    assert_eq!(rows["grade"], json!(["Grade", "First class"]), "{rows}");
    assert_eq!(js(&c, "return document.querySelector('.layer-row[data-layer=public_toilets] .layer-name').textContent").await, "Public toilets");
    c.find(Locator::Id("lang-toggle")).await.unwrap().click().await.unwrap();
    wait_for(&c, "Chinese again", "return document.getElementById('layers-heading').textContent === '图层'", Duration::from_secs(5)).await;

    // 5. With the pan tool a click selects nothing; back to identify.
    js(&c, "document.getElementById('feature-close').click(); return true").await;
    c.find(Locator::Css("button[data-tool=pan]")).await.unwrap().click().await.unwrap();
    click_map(&c, f("x"), f("y"), f("w"), f("h")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(js(&c, "return document.getElementById('feature-panel').hidden").await, json!(true), "the pan tool selected a feature");
    c.find(Locator::Css("button[data-tool=identify]")).await.unwrap().click().await.unwrap();

    // 6. `project-changed` (the payload the desktop emits when features change): the panel
    //    shows the new count and the map fetches the layer's tiles again; other layers' are
    //    left alone. Driven through the handler the event calls, since the emitter is the
    //    core's change tracking.
    js(&c, r#"
        window.__loads = {};
        window.wardgis.map.on('sourcedata', e => { if (e.tile) window.__loads[e.sourceId] = (window.__loads[e.sourceId] || 0) + 1; });
        return true"#).await;
    js(&c, "window.wardgis.projectChanged({layers: [{id: 'public_toilets', count: 4}, {id: 'no_such_layer', count: 1}]}); return true").await;
    wait_for(&c, "the new count", "return document.querySelector('.layer-row[data-layer=public_toilets] .layer-count').textContent === '4 个'", Duration::from_secs(5)).await;
    settle(&c).await;
    let loads = js(&c, "return window.__loads").await;
    assert!(loads["public_toilets"].as_u64().unwrap_or(0) > 0, "the toilets' tiles were not fetched again: {loads}");
    assert!(loads.get("chargers").is_none(), "an unchanged layer was reloaded: {loads}");
    let n = js(&c, "return window.wardgis.map.queryRenderedFeatures({layers: ['public_toilets']}).length").await;
    assert!(n.as_u64().unwrap_or(0) >= 1, "the toilets are still drawn after the reload");

    c.close().await.unwrap();
}
