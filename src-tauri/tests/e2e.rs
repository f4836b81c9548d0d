//! End-to-end tests of the real desktop window: the built `wardgis-desktop` binary is started
//! under Xvfb by tauri-driver (WebKitWebDriver) and driven over WebDriver, as a user would.
//!
//! One test drives one window through the whole story, because starting WebKit costs seconds:
//! the map reaches `idle`; each facility layer has rendered features; clicking a charger shows
//! its name in the side panel; hiding a layer removes its features; switching the language
//! changes the labels; bad tile requests get 4xx and the app keeps running; a screenshot.
//!
//! Needs Xvfb, tauri-driver and WebKitWebDriver (scripts/install-deps.sh installs them) and
//! ui/dist built (scripts/test.sh builds it).

mod common;

use std::path::Path;
use std::time::Duration;

use common::{click_map, feature_heading, js, open_window, settle, wait_for};
use fantoccini::Locator;
use serde_json::json;

const FACILITIES: [&str; 5] = ["billboards", "chargers", "bike_stations", "drying_areas", "waste_points"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_window_works_end_to_end() {
    common::again_after_page_crash(the_desktop_window_works_end_to_end_scenario).await;
}

async fn the_desktop_window_works_end_to_end_scenario() {
    // A fresh demo project for each run (made by core's demo generator, as the CLI does).
    let window = open_window(&[common::fresh_demo("e2e")], &[]).await;
    let launched = window.launched;
    let c = window.client.clone();

    // 1. The map reaches its first idle; cold start is reported, not asserted.
    wait_for(&c, "the map's first idle", "return window.wardgis && window.wardgis.ready", Duration::from_secs(60)).await;
    let to_idle = launched.elapsed();
    let in_page = js(&c, "return window.wardgis.firstIdleMs").await;
    eprintln!("COLD START: launch to first idle {:.2} s (page start to idle {} ms)", to_idle.as_secs_f64(), in_page);
    // The language later steps read first (an earlier run may have left English remembered).
    common::in_chinese(&c).await;
    settle(&c).await;

    // 2. Every facility layer has rendered features.
    for layer in FACILITIES {
        let n = js(&c, &format!("return window.wardgis.map.queryRenderedFeatures({{layers: ['{layer}']}}).length")).await;
        assert!(n.as_u64().unwrap_or(0) > 0, "{layer} rendered no features");
    }
    // The basemap and context layers are drawn too.
    for layer in ["roads", "water", "blocks", "communities"] {
        let n = js(&c, &format!("return window.wardgis.map.queryRenderedFeatures({{layers: ['{layer}']}}).length")).await;
        assert!(n.as_u64().unwrap_or(0) > 0, "{layer} rendered no features");
    }

    // 3. Click a charger that no other feature covers; the side panel shows its name.
    js(&c, "const m = window.wardgis.map; const c = m.getCenter(); m.jumpTo({center: c, zoom: Math.max(m.getZoom(), 15)}); return true").await;
    settle(&c).await;
    let target = js(&c, r#"
        const m = window.wardgis.map;
        const clickable = window.wardgis.info.layers.filter(l => l.kind.group !== 'basemap' && l.kind.id !== 'county').map(l => l.kind.id);
        const canvas = m.getCanvas().getBoundingClientRect();
        for (const f of m.queryRenderedFeatures({layers: ['chargers']})) {
            const p = m.project(f.geometry.coordinates);
            if (p.x < 20 || p.y < 20 || p.x > canvas.width - 60 || p.y > canvas.height - 60) continue;
            const near = m.queryRenderedFeatures([[p.x - 8, p.y - 8], [p.x + 8, p.y + 8]], {layers: clickable});
            const points = near.filter(h => h.geometry.type === 'Point');
            if (points.length === 1 && points[0].id === f.id) {
                return {x: p.x, y: p.y, w: canvas.width, h: canvas.height, name: f.properties.name, fid: f.id};
            }
        }
        return null;"#).await;
    assert!(!target.is_null(), "no charger stands alone on screen to click");
    let (x, y) = (target["x"].as_f64().unwrap(), target["y"].as_f64().unwrap());
    let (w, h) = (target["w"].as_f64().unwrap(), target["h"].as_f64().unwrap());
    click_map(&c, x, y, w, h).await;
    let shown = feature_heading(&c).await;
    assert_eq!(shown, target["name"], "the side panel names the clicked charger");
    let panel_fid = js(&c, "return document.getElementById('feature-panel').dataset.fid").await;
    assert_eq!(panel_fid.as_str().unwrap(), target["fid"].to_string());
    let labels = js(&c, "return [...document.querySelectorAll('#feature-table th')].map(t => t.textContent)").await;
    assert!(labels.as_array().unwrap().iter().any(|l| l == "车辆类型"), "catalog labels in Chinese: {labels}");

    // 4. Switch the language: the layer heading, the layer names and the panel's labels change.
    assert_eq!(js(&c, "return document.getElementById('layers-heading').textContent").await, "图层");
    c.find(Locator::Id("lang-toggle")).await.unwrap().click().await.unwrap();
    assert_eq!(js(&c, "return document.getElementById('layers-heading').textContent").await, "Layers");
    wait_for(&c, "English field labels", "return [...document.querySelectorAll('#feature-table th')].some(t => t.textContent === 'Vehicle type')", Duration::from_secs(5)).await;
    let row = js(&c, "return document.querySelector('.layer-row[data-layer=chargers] .layer-name').textContent").await;
    assert_eq!(row, "Charging piles");
    c.find(Locator::Id("lang-toggle")).await.unwrap().click().await.unwrap();
    assert_eq!(js(&c, "return document.getElementById('layers-heading').textContent").await, "图层");

    // 5. Toggle chargers off: their features are gone; on again: back.
    c.find(Locator::Css("input[data-layer=chargers]")).await.unwrap().click().await.unwrap();
    settle(&c).await;
    let n = js(&c, "return window.wardgis.map.queryRenderedFeatures({layers: ['chargers']}).length").await;
    assert_eq!(n, json!(0), "hidden chargers still rendered");
    assert_eq!(js(&c, "return window.wardgis.map.getLayoutProperty('chargers', 'visibility')").await, "none");
    c.find(Locator::Css("input[data-layer=chargers]")).await.unwrap().click().await.unwrap();
    settle(&c).await;
    let n = js(&c, "return window.wardgis.map.queryRenderedFeatures({layers: ['chargers']}).length").await;
    assert!(n.as_u64().unwrap() > 0);

    // 6. Bad tile requests get 4xx, and the app keeps running.
    let statuses = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            const urls = ['tiles://localhost/../../etc/passwd', 'tiles://localhost/%2e%2e/%2e%2e/etc/passwd',
                'tiles://localhost/nosuchlayer/14/13645/6693.pbf', 'tiles://localhost/chargers/99/1/1.pbf',
                'tiles://localhost/chargers/14/abc/1.pbf', 'tiles://localhost/chargers/3/9/1.pbf',
                'tiles://localhost/chargers/14/13645/6693.pbf'];
            Promise.all(urls.map(u => fetch(u).then(r => r.status, e => 'error: ' + e)))
                .then(s => done(s), e => done(String(e)));"#,
            vec![],
        )
        .await
        .expect("fetch tiles");
    let statuses = statuses.as_array().expect("statuses").clone();
    for (i, s) in statuses.iter().take(6).enumerate() {
        let code = s.as_u64().unwrap_or_else(|| panic!("request {i} failed outright: {s}"));
        assert!((400..500).contains(&code), "request {i} answered {code}");
    }
    assert_eq!(statuses[6], json!(200), "a good tile after the bad ones");
    settle(&c).await;
    assert_eq!(js(&c, "return window.wardgis.ready").await, json!(true));

    // 7. The page may call only what its capability grants: a window API is refused.
    let refused = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            window.__TAURI_INTERNALS__.invoke('plugin:window|title', {label: 'main'})
                .then(() => done('allowed'), e => done('refused: ' + e));"#,
            vec![],
        )
        .await
        .expect("invoke");
    assert!(refused.as_str().unwrap_or("").starts_with("refused"), "{refused}");

    // 8. A screenshot of the whole window with every layer on, over the whole old town.
    // Full extent, as a user would ask for it: the district clear of the open feature panel.
    c.find(Locator::Id("full-extent")).await.unwrap().click().await.unwrap();
    settle(&c).await;
    let png = c.screenshot().await.expect("screenshot");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wardgis-e2e.png");
    std::fs::write(&out, &png).unwrap();
    eprintln!("SCREENSHOT: {}", out.display());
    if std::env::var_os("WARDGIS_UPDATE_SCREENSHOT").is_some() {
        std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshot.png"), &png).unwrap();
    }
    c.close().await.unwrap();
}
