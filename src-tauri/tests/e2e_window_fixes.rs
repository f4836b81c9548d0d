//! What a new user met in the window (issue 12, items 8–10), checked in the real window at
//! 1280×720: the legend lists each land use and road class and dashes dashed lines; the feature
//! panel floats (the map keeps its width, the fitted district stays clear of it); units and the
//! status line follow the language at once, without the mouse moving; overlapping points open a
//! chooser with one entry per feature, Esc closes it; every toolbar control has a tool tip in
//! both languages and the current tool is shown; the page offers no browser context menu.

mod common;

use std::time::Duration;

use common::{click_map, js, open_window, settle, wait_for};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_RIGHT};
use fantoccini::Locator;
use serde_json::{json, Value};

fn demo_project(dir: &std::path::Path) -> String {
    let path = dir.join("demo.gpkg");
    let catalog = wardgis::Catalog::discover().unwrap();
    wardgis::demo::create_project(&path, catalog, wardgis::demo::DEMO_SEED).unwrap();
    path.to_string_lossy().into_owned()
}

async fn text(c: &fantoccini::Client, css: &str) -> String {
    js(c, &format!("return document.querySelector({}).textContent", serde_json::to_string(css).unwrap())).await.as_str().unwrap_or("").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_new_user_saw_is_fixed() {
    common::again_after_page_crash(what_a_new_user_saw_is_fixed_scenario).await;
}

async fn what_a_new_user_saw_is_fixed_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let window = open_window(&[demo_project(dir.path())], &[]).await;
    let c = window.client.clone();
    c.set_window_size(1280, 720).await.expect("resize to 1280×720");
    wait_for(&c, "the map's first idle", "return window.wardgis && window.wardgis.ready", Duration::from_secs(60)).await;
    common::in_chinese(&c).await;

    // Legend: one entry per land use of blocks (each its own colour) and per road class; the
    // subdistrict boundary's swatch is dashed as on the map, the roads' are not.
    let info = js(&c, "return window.wardgis.info.layers.find(l => l.kind.id === 'blocks').kind.fields.find(f => f.name === 'landuse').values.map(v => v.value)").await;
    let entries = js(&c, "return [...document.querySelectorAll('.legend-entries[data-layer=blocks] li')].map(li => li.dataset.value)").await;
    assert_eq!(entries, info, "one legend entry per land use");
    let colours = js(&c, "return new Set([...document.querySelectorAll('.legend-entries[data-layer=blocks] .swatch')].map(s => getComputedStyle(s).backgroundColor)).size").await;
    assert_eq!(colours, json!(info.as_array().unwrap().len()), "each land use its own colour");
    assert_eq!(js(&c, "return document.querySelectorAll('.legend-entries[data-layer=roads] li').length").await, json!(4));
    assert_eq!(js(&c, "return document.querySelector('.layer-row[data-layer=subdistricts] svg').dataset.dashed").await, json!("1"));
    assert_eq!(js(&c, "return document.querySelector('.layer-row[data-layer=roads] svg').dataset.dashed").await, json!("0"));
    let widths = js(&c, "return [...document.querySelectorAll('.legend-entries[data-layer=roads] svg line:last-child')].map(l => Number(l.getAttribute('stroke-width')))").await;
    let widths: Vec<f64> = widths.as_array().unwrap().iter().filter_map(Value::as_f64).collect();
    assert!(widths[0] > widths[1] && widths[1] > widths[2], "main roads drawn wider than secondary and branch roads: {widths:?}");

    // Tool tips on every toolbar control, in both languages; the current tool is shown.
    let tips = "return [...document.querySelectorAll('#toolbar button')].map(b => b.title)";
    let zh = js(&c, tips).await;
    assert!(zh.as_array().unwrap().iter().all(|t| !t.as_str().unwrap().is_empty()), "every control has a tip: {zh}");
    assert_eq!(text(&c, "#current-tool").await, "当前工具：识别");

    // Full extent at 1280×720: the whole district fits, clear of where the panel floats.
    c.find(Locator::Id("full-extent")).await.unwrap().click().await.unwrap();
    settle(&c).await;
    let width_before = js(&c, "return window.wardgis.map.getCanvas().getBoundingClientRect().width").await;

    // Overlapping points: find a place where two clickable points meet, at street level.
    js(&c, "const m = window.wardgis.map; m.jumpTo({center: m.getCenter(), zoom: 15}); return true").await;
    settle(&c).await;
    let spot = js(&c, r#"
        const m = window.wardgis.map, r = m.getCanvas().getBoundingClientRect();
        const layers = window.wardgis.info.layers.filter(l => l.display.clickable && l.kind.geometry === 'point').map(l => l.kind.id);
        for (const f of m.queryRenderedFeatures({layers})) {
            const p = m.project(f.geometry.coordinates);
            if (p.x < 40 || p.y < 40 || p.x > r.width - 400 || p.y > r.height - 160) continue;
            const near = m.queryRenderedFeatures([[p.x - 4, p.y - 4], [p.x + 4, p.y + 4]], {layers});
            const ids = new Set(near.map(h => h.layer.id + '/' + h.id));
            if (ids.size >= 2) return {x: p.x, y: p.y, w: r.width, h: r.height, n: ids.size};
        }
        return null"#).await;
    assert!(!spot.is_null(), "no overlapping points on screen at zoom 15");
    let (x, y, w, h) = (spot["x"].as_f64().unwrap(), spot["y"].as_f64().unwrap(), spot["w"].as_f64().unwrap(), spot["h"].as_f64().unwrap());
    click_map(&c, x, y, w, h).await;
    wait_for(&c, "the overlap chooser", "return !!document.getElementById('feature-chooser')", Duration::from_secs(10)).await;
    let n = js(&c, "return document.querySelectorAll('#feature-chooser button').length").await;
    assert_eq!(n, spot["n"], "one chooser entry per feature under the click");
    // Esc closes it; the map did not open a feature.
    c.active_element().await.unwrap().send_keys("\u{E00C}").await.unwrap();
    wait_for(&c, "the chooser to close", "return !document.getElementById('feature-chooser')", Duration::from_secs(5)).await;
    assert_eq!(js(&c, "return document.getElementById('feature-panel').hidden").await, json!(true));
    // Again (after the double-click time, or the map zooms in), and choose the first: its
    // feature is in the panel.
    tokio::time::sleep(Duration::from_millis(800)).await;
    click_map(&c, x, y, w, h).await;
    wait_for(&c, "the overlap chooser after Esc", "return !!document.getElementById('feature-chooser')", Duration::from_secs(10)).await;
    let first = js(&c, "const b = document.querySelector('#feature-chooser button'); return [b.dataset.layer, b.dataset.fid]").await;
    js(&c, "document.querySelector('#feature-chooser button').click(); return true").await;
    wait_for(&c, "the chosen feature", &format!("const p = document.getElementById('feature-panel'); return !p.hidden && p.dataset.layer === {} && p.dataset.fid === {}", first[0], first[1]), Duration::from_secs(10)).await;

    // The panel floats: the map keeps its width.
    let width_after = js(&c, "return window.wardgis.map.getCanvas().getBoundingClientRect().width").await;
    assert_eq!(width_after, width_before, "opening the feature panel changed the map's width");
    // With the panel open, Full extent shows the whole district, left of the panel.
    c.find(Locator::Id("full-extent")).await.unwrap().click().await.unwrap();
    settle(&c).await;
    let fit = js(&c, r#"
        const m = window.wardgis.map, e = window.wardgis.info.extent, r = m.getCanvas().getBoundingClientRect();
        const panel = document.getElementById('feature-panel').getBoundingClientRect();
        const pts = [[e[0], e[1]], [e[2], e[3]], [e[0], e[3]], [e[2], e[1]]].map(c => m.project(c));
        return {inside: pts.every(p => p.x >= 0 && p.y >= 0 && p.x <= r.width && p.y <= r.height),
                clear: pts.every(p => p.x + r.left < panel.left), h: r.height}"#).await;
    assert_eq!(fit["inside"], json!(true), "the district fits the 1280×720 window: {fit}");
    assert_eq!(fit["clear"], json!(true), "the open panel hides part of the district: {fit}");

    // A charger in the panel: units in Chinese, then none ("Ports 4") in English.
    js(&c, "const m = window.wardgis.map; m.jumpTo({center: m.getCenter(), zoom: 17}); return true").await;
    settle(&c).await;
    let fid = js(&c, "return window.wardgis.map.querySourceFeatures('chargers', {sourceLayer: 'chargers'})[0].id").await;
    let ports_zh = c
        .execute_async(
            &format!("const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke('feature', {{layer: 'chargers', fid: {fid}}}).then(f => done(f.properties.ports), e => done(String(e)));"),
            vec![],
        )
        .await
        .unwrap();
    let target = js(&c, &format!("const m = window.wardgis.map; const f = m.querySourceFeatures('chargers', {{sourceLayer: 'chargers'}}).find(f => f.id === {fid}); m.jumpTo({{center: f.geometry.coordinates, zoom: 19}}); return true")).await;
    assert_eq!(target, json!(true));
    settle(&c).await;
    let r = js(&c, "const r = window.wardgis.map.getCanvas().getBoundingClientRect(); return [r.width, r.height]").await;
    let (cw, ch) = (r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
    click_map(&c, cw / 2.0, ch / 2.0, cw, ch).await;
    wait_for(&c, "the charger", &format!("const p = document.getElementById('feature-panel'); return !p.hidden && p.dataset.fid === '{fid}' || !!document.getElementById('feature-chooser')"), Duration::from_secs(10)).await;
    if js(&c, "return !!document.getElementById('feature-chooser')").await == json!(true) {
        js(&c, &format!("document.querySelector('#feature-chooser button[data-layer=chargers][data-fid=\"{fid}\"]').click(); return true")).await;
        wait_for(&c, "the charger", &format!("return document.getElementById('feature-panel').dataset.fid === '{fid}'"), Duration::from_secs(10)).await;
    }
    assert_eq!(text(&c, "#feature-table tr[data-field=ports] td").await, format!("{ports_zh} 个"));
    assert_eq!(js(&c, "return getComputedStyle(document.querySelector('#feature-table tr[data-field=ports] td')).whiteSpace").await, json!("nowrap"), "numbers are never broken");

    // The status line: the cursor's coordinates, from one mouse move over the map.
    let canvas = c.find(Locator::Css("#map canvas")).await.unwrap();
    let hover = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement { element: canvas, duration: None, x: -100.0, y: 50.0 });
    c.perform_actions(hover).await.unwrap();
    wait_for(&c, "the cursor's coordinates", "return document.getElementById('cursor-coords').textContent.startsWith('经度')", Duration::from_secs(5)).await;
    // Switch the language by script (no pointer movement at all): the status line, the units
    // and the tips follow at once.
    js(&c, "document.getElementById('lang-toggle').click(); return true").await;
    let status = js(&c, "return [document.getElementById('cursor-coords').textContent, document.getElementById('current-tool').textContent]").await;
    assert!(status[0].as_str().unwrap().starts_with("Lon "), "coordinates still in the old language: {status}");
    assert_eq!(status[1], json!("Tool: Identify"));
    assert_eq!(text(&c, "#feature-table tr[data-field=ports] td").await, ports_zh.to_string(), "English shows no Chinese counting word");
    let en = js(&c, tips).await;
    assert!(en.as_array().unwrap().iter().zip(zh.as_array().unwrap()).all(|(e, z)| !e.as_str().unwrap().is_empty() && e != z), "tips in English: {en} vs {zh}");

    // No browser context menu: the page refuses it.
    let prevented = js(&c, "const e = new MouseEvent('contextmenu', {bubbles: true, cancelable: true}); document.getElementById('map').dispatchEvent(e); return e.defaultPrevented").await;
    assert_eq!(prevented, json!(true));
    // A right-click on a layer's row (a user looking for a menu) leaves the layer on; a
    // left click still switches it.
    let row = c.find(Locator::Css(".layer-row[data-layer=bike_stations] .layer-name")).await.unwrap();
    let right = MouseActions::new("mouse".to_owned())
        .then(PointerAction::MoveToElement { element: row.clone(), duration: None, x: 0.0, y: 0.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_RIGHT })
        .then(PointerAction::Up { button: MOUSE_BUTTON_RIGHT });
    c.perform_actions(right).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let on = "return document.querySelector('input[type=checkbox][data-layer=bike_stations]').checked";
    assert_eq!(js(&c, on).await, json!(true), "a right-click switched the layer off");
    row.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(js(&c, on).await, json!(false), "a left click switches the layer");
    c.close().await.unwrap();
}
