//! End-to-end: the query tool and the search box in the real window. A radius query from a
//! click lists exactly the features `wardgis query --within` finds for the clicked point (read
//! back from the page) and radius; a partial Chinese name finds the feature, and choosing it
//! flies there and opens its attributes; a pasted GCJ-02 coordinate lands on its WGS84 point.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use common::{cli, click_map, feature_heading, hover_map, js, settle, wait_for};
use fantoccini::Locator;

/// Metres between two WGS84 points (haversine on the mean radius: within 0.5 % of the
/// ellipsoid, far below the 1 m checked over a few metres).
fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.1.to_radians(), b.1.to_radians());
    let (dp, dl) = ((b.1 - a.1).to_radians(), (b.0 - a.0).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

async fn set_control(c: &fantoccini::Client, css: &str, value: &str) {
    js(c, &format!(
        "const e = document.querySelector('{css}'); e.value = {value:?}; e.dispatchEvent(new Event('input', {{bubbles: true}})); e.dispatchEvent(new Event('change', {{bubbles: true}})); return true"
    ))
    .await;
}

async fn map_centre(c: &fantoccini::Client) -> (f64, f64) {
    let v = js(c, "const p = window.wardgis.map.getCenter(); return [p.lng, p.lat]").await;
    (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

/// The fids the query panel lists.
async fn listed_fids(c: &fantoccini::Client) -> BTreeSet<i64> {
    let v = js(c, "return [...document.querySelectorAll('#query-panel .hit')].map(b => Number(b.dataset.fid))").await;
    v.as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect()
}

/// The feature ids of a FeatureCollection `wardgis query` printed.
fn feature_ids(geojson: &str) -> BTreeSet<i64> {
    let fc: serde_json::Value = serde_json::from_str(geojson).unwrap();
    fc["features"].as_array().unwrap().iter().map(|f| f["id"].as_i64().unwrap()).collect()
}

async fn screenshot(c: &fantoccini::Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(dir.join(name), png).unwrap();
    eprintln!("screenshot: {}", dir.join(name).display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_and_search_in_the_window() {
    common::again_after_page_crash(query_and_search_in_the_window_scenario).await;
}

async fn query_and_search_in_the_window_scenario() {
    let demo = common::demo_window().await;
    let (dir, layers, window) = (&demo.dir, &demo.layers, &demo.window);
    let project_s = demo.project.to_str().unwrap();
    let c = &window.client;
    js(c, "const m = window.wardgis.map; m.jumpTo({center: m.getCenter(), zoom: 15}); return true").await;
    settle(c).await;

    // 1. The query tool: radius 300 m on billboards, from a click near the centre.
    c.find(Locator::Css("button[data-tool=query]")).await.unwrap().click().await.unwrap();
    wait_for(c, "the query panel", "return !!document.getElementById('query-panel')", Duration::from_secs(5)).await;
    let current = js(c, "return document.querySelector('button[data-tool=query]').getAttribute('aria-checked')").await;
    assert_eq!(current, "true", "the current tool is shown");
    set_control(c, "#query-meters", "300").await;
    set_control(c, "#query-target", "billboards").await;
    let size = js(c, "const r = document.querySelector('#map canvas').getBoundingClientRect(); return [r.width, r.height]").await;
    let (w, h) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());
    click_map(c, w / 2.0 + 37.0, h / 2.0 - 21.0, w, h).await;
    let count = wait_for(c, "the query's results", "const e = document.getElementById('query-count'); return e && !e.textContent.includes('…') && e.textContent", Duration::from_secs(10)).await;
    let clicked = js(c, "return JSON.parse(document.getElementById('query-prompt').dataset.lonlat)").await;
    let (lon, lat) = (clicked[0].as_f64().unwrap(), clicked[1].as_f64().unwrap());
    let page = listed_fids(c).await;
    let out = cli(&layers, &["query", project_s, "billboards", "--within", &format!("{lon},{lat}"), "--meters", "300"]);
    let want = feature_ids(&out);
    assert!(want.len() >= 3, "too few billboards within 300 m of the click for a meaningful test: {want:?}");
    assert_eq!(page, want, "the window's radius query and `wardgis query --within {lon},{lat} --meters 300`");
    assert!(count.as_str().unwrap().contains(&want.len().to_string()), "{count}");
    // The map draws the circle and marks each result.
    settle(c).await;
    let drawn = js(c, "const m = window.wardgis.map; return [m.getSource('query-area')._data.geojson.features.length, m.getSource('query-hits')._data.geojson.features.length]").await;
    assert_eq!(drawn, serde_json::json!([1, want.len()]));
    screenshot(c, "e2e_query_radius.png").await;

    // A result clicked flies to it and shows its attributes.
    let first = js(c, "const b = document.querySelector('#query-panel .hit'); b.click(); return b.querySelector('.name').textContent").await;
    assert_eq!(feature_heading(c).await, first);

    // 1b. Inside a polygon drawn on the map (corners clicked, closed on the first): exactly
    // the features `wardgis query --in` finds inside the same ring.
    js(c, &format!("window.wardgis.map.jumpTo({{center: [{lon}, {lat}], zoom: 15}}); return true")).await;
    settle(c).await;
    js(c, "document.querySelector('#query-panel button[data-kind=polygon]').click(); return true").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let corners = [(w / 2.0 - 140.0, h / 2.0 - 90.0), (w / 2.0 + 120.0, h / 2.0 - 110.0), (w / 2.0 + 150.0, h / 2.0 + 80.0), (w / 2.0 - 110.0, h / 2.0 + 100.0)];
    for &(x, y) in corners.iter().chain(std::iter::once(&corners[0])) {
        hover_map(c, x, y, w, h).await;
        click_map(c, x, y, w, h).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ring = wait_for(c, "the drawn polygon's query", "const e = document.getElementById('query-prompt'); return e.dataset.corners ? JSON.parse(e.dataset.corners) : null", Duration::from_secs(10)).await;
    wait_for(c, "the polygon's results", "const e = document.getElementById('query-count'); return e && !e.textContent.includes('…')", Duration::from_secs(10)).await;
    let page = listed_fids(c).await;
    let area = dir.path().join("drawn.geojson");
    std::fs::write(&area, serde_json::json!({"type": "Polygon", "coordinates": [ring]}).to_string()).unwrap();
    let out = cli(&layers, &["query", project_s, "billboards", "--in", area.to_str().unwrap()]);
    let want = feature_ids(&out);
    assert!(want.len() >= 3, "too few billboards inside the drawn polygon for a meaningful test: {want:?}");
    assert_eq!(page, want, "the window's polygon query and `wardgis query --in` on the same ring");
    screenshot(c, "e2e_query_polygon.png").await;

    // 2. Search by part of a Chinese name: a charger's name without its first character.
    let chargers: serde_json::Value = serde_json::from_str(&cli(&layers, &["query", project_s, "chargers", "--near", "119.82,31.36", "--k", "1"])).unwrap();
    let target = &chargers["features"][0];
    let name = target["properties"]["name"].as_str().unwrap().to_owned();
    let part: String = name.chars().skip(1).take(4).collect();
    let [tx, ty] = [target["geometry"]["coordinates"][0].as_f64().unwrap(), target["geometry"]["coordinates"][1].as_f64().unwrap()];
    let input = c.find(Locator::Id("search-input")).await.unwrap();
    // Ctrl+F focuses the box.
    js(c, "document.body.focus(); window.dispatchEvent(new KeyboardEvent('keydown', {key: 'f', ctrlKey: true})); return true").await;
    assert_eq!(js(c, "return document.activeElement.id").await, "search-input");
    input.send_keys(&part).await.unwrap();
    let fid = target["id"].as_i64().unwrap();
    wait_for(c, "the name among the matches", &format!("return !!document.querySelector('.name-hit[data-layer=chargers][data-fid=\"{fid}\"]')"), Duration::from_secs(10)).await;
    screenshot(c, "e2e_query_search.png").await;
    js(c, &format!("document.querySelector('.name-hit[data-layer=chargers][data-fid=\"{fid}\"]').click(); return true")).await;
    // The panel showed the radius query's result before: wait for this feature's name.
    wait_for(c, "the charger's attributes", &format!("return document.getElementById('feature-heading').textContent === {name:?}"), Duration::from_secs(10)).await;
    settle(c).await;
    let centre = map_centre(c).await;
    assert!(metres(centre, (tx, ty)) < 2.0, "the map flew to {centre:?}, the charger is at {tx},{ty}");

    // 3. A pasted GCJ-02 coordinate lands on its WGS84 point.
    let truth = (119.8162, 31.3541);
    let gcj = wardgis::crs::wgs84_to_gcj02(geo_types::Coord { x: truth.0, y: truth.1 });
    assert!(metres((gcj.x, gcj.y), truth) > 100.0, "GCJ-02 is offset here");
    set_control(c, "#search-crs", "gcj02").await;
    input.clear().await.unwrap();
    input.send_keys(&format!("{:.7}，{:.7}\u{E007}", gcj.x, gcj.y)).await.unwrap(); // full-width comma, then Enter
    wait_for(c, "the marker", "const s = window.wardgis.map.getSource('search-marker'); return s && s._data.geojson.features.length === 1", Duration::from_secs(10)).await;
    settle(c).await;
    let marker = js(c, "return window.wardgis.map.getSource('search-marker')._data.geojson.features[0].geometry.coordinates").await;
    let at = (marker[0].as_f64().unwrap(), marker[1].as_f64().unwrap());
    assert!(metres(at, truth) < 1.0, "marker at {at:?}, {} m from the truth", metres(at, truth));
    let centre = map_centre(c).await;
    assert!(metres(centre, truth) < 1.0, "the map is centred {} m from the truth", metres(centre, truth));
    screenshot(c, "e2e_query_gcj02.png").await;

    // The panel follows the language switch (the window remembers the last language, so
    // whichever it starts in, the toggle gives the other).
    let was = js(c, "return document.documentElement.lang").await;
    c.find(Locator::Id("lang-toggle")).await.unwrap().click().await.unwrap();
    let want = if was == "en" { "空间查询" } else { "Spatial query" };
    wait_for(c, "the panel in the other language", &format!("return document.querySelector('#query-panel h2').textContent === {want:?}"), Duration::from_secs(5)).await;
    window.client.clone().close().await.ok();
}
