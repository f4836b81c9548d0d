//! End-to-end: edits by other programs reach the open window without reopening. With the real
//! window open on a project, `ogr2ogr -append` (GDAL, as QGIS would write) adds a charger, and
//! separately a second `wardgis import` process adds ten; within 2 s of each program's exit
//! the layer panel's count shows them and the map draws them, and the GDAL one is clickable.
//! Then the window's Undo takes back wardgis's own last action (the ten) and leaves the other
//! program's charger alone.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{cli, click_map, feature_heading, js, settle, wait_for};
use fantoccini::Locator;
use serde_json::Value;

/// Within this long of another program's commit, the window shows it (the issue's bound).
const SEEN_WITHIN: Duration = Duration::from_secs(2);

async fn chargers_count(c: &fantoccini::Client) -> u64 {
    let text = js(c, "return document.querySelector('.layer-row[data-layer=chargers] .layer-count').textContent").await;
    text.as_str().unwrap().chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// Waits until the map draws chargers with every one of `names`; returns how long it took.
async fn wait_drawn(c: &fantoccini::Client, names: &[String], since: Instant, what: &str) -> Duration {
    let list = serde_json::to_string(names).unwrap();
    wait_for(
        c,
        what,
        &format!(
            "const want = {list}; const have = new Set(window.wardgis.map.queryRenderedFeatures({{layers: ['chargers']}}).map(f => f.properties.name));
             return want.every(n => have.has(n));"
        ),
        SEEN_WITHIN.saturating_sub(since.elapsed()) + Duration::from_millis(1),
    )
    .await;
    since.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_by_other_programs_reach_the_open_window() {
    common::again_after_page_crash(edits_by_other_programs_reach_the_open_window_scenario).await;
}

async fn edits_by_other_programs_reach_the_open_window_scenario() {
    let common::DemoWindow { dir, layers, project, window } = common::demo_window().await;
    let project_s = project.to_str().unwrap();
    let c = &window.client;
    // Close in on the centre of the view, where the new chargers will stand.
    let centre = js(c, "const m = window.wardgis.map; m.jumpTo({center: m.getCenter(), zoom: 16}); const p = m.getCenter(); return [p.lng, p.lat]").await;
    let (lon, lat) = (centre[0].as_f64().unwrap(), centre[1].as_f64().unwrap());
    settle(c).await;
    let before = chargers_count(c).await;

    // 1. GDAL appends one charger, as QGIS or a script would.
    let gdal_name = "GDAL追加充电桩".to_owned();
    let geojson = dir.path().join("one.geojson");
    std::fs::write(
        &geojson,
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{lon},{lat}]}},
               "properties":{{"name":"{gdal_name}","source":"ogr2ogr","vehicle_type":"car","ports":6,"scan_to_pay":1}}}}]}}"#
        ),
    )
    .unwrap();
    let out = Command::new("ogr2ogr")
        .args(["-append", "-f", "GPKG", project_s, geojson.to_str().unwrap(), "-nln", "chargers"])
        .output()
        .expect("run ogr2ogr (scripts/install-deps.sh installs gdal-bin)");
    assert!(out.status.success(), "ogr2ogr failed: {}", String::from_utf8_lossy(&out.stderr));
    let committed = Instant::now();
    wait_for(c, "the count with GDAL's charger", &format!("return document.querySelector('.layer-row[data-layer=chargers] .layer-count').textContent.includes('{}')", before + 1), SEEN_WITHIN).await;
    let drawn = wait_drawn(c, std::slice::from_ref(&gdal_name), committed, "GDAL's charger on the map").await;
    eprintln!("EXTERNAL EDIT: ogr2ogr's charger counted and drawn {:.2} s after ogr2ogr exited", drawn.as_secs_f64());
    assert_eq!(chargers_count(c).await, before + 1);

    // It is clickable like any other: the side panel names it.
    let at = js(c, &format!("const p = window.wardgis.map.project([{lon}, {lat}]); const r = window.wardgis.map.getCanvas().getBoundingClientRect(); return [p.x, p.y, r.width, r.height]")).await;
    let n = |i: usize| at[i].as_f64().unwrap();
    click_map(c, n(0), n(1), n(2), n(3)).await;
    let heading = feature_heading(c).await;
    assert_eq!(heading, Value::String(gdal_name.clone()));

    // 2. A second wardgis process imports ten chargers.
    let csv = dir.path().join("ten.csv");
    let names: Vec<String> = (1..=10).map(|i| format!("批量充电桩{i}")).collect();
    let mut text = "name,vehicle_type,ports,经度,纬度\r\n".to_owned();
    for (i, name) in names.iter().enumerate() {
        let (x, y) = (lon + (i as f64 - 4.5) * 0.0004, lat + 0.0006);
        text.push_str(&format!("{name},ebike,4,{x:.6},{y:.6}\r\n"));
    }
    std::fs::write(&csv, text).unwrap();
    cli(&layers, &["import", project_s, "chargers", csv.to_str().unwrap()]);
    let committed = Instant::now();
    wait_for(c, "the count with the ten", &format!("return document.querySelector('.layer-row[data-layer=chargers] .layer-count').textContent.includes('{}')", before + 11), SEEN_WITHIN).await;
    let drawn = wait_drawn(c, &names, committed, "the ten imported chargers on the map").await;
    eprintln!("EXTERNAL EDIT: the other wardgis process's ten chargers counted and drawn {:.2} s after it exited", drawn.as_secs_f64());

    // 3. Undo in the window takes back wardgis's last action — the ten — and nothing of GDAL's.
    c.find(Locator::Id("undo")).await.unwrap().click().await.unwrap();
    wait_for(c, "the count after undo", &format!("return document.querySelector('.layer-row[data-layer=chargers] .layer-count').textContent.includes('{}')", before + 1), Duration::from_secs(5)).await;
    let message = js(c, "return document.getElementById('message').textContent").await;
    assert!(message.as_str().unwrap().starts_with("已撤销"), "{message}");
    settle(c).await;
    let drawn = js(c, "return window.wardgis.map.queryRenderedFeatures({layers: ['chargers']}).map(f => f.properties.name)").await;
    let drawn: Vec<&str> = drawn.as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(drawn.contains(&gdal_name.as_str()), "GDAL's charger is still drawn: {drawn:?}");
    assert!(!names.iter().any(|n| drawn.contains(&n.as_str())), "the ten are gone: {drawn:?}");
    drop(window);

    // The file agrees, read by GDAL: GDAL's charger is there, the ten are not.
    let out = Command::new("ogrinfo")
        .args(["-ro", "-q", project_s, "-sql", "SELECT name FROM chargers WHERE source = 'ogr2ogr' OR name LIKE '批量%'"])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains(&gdal_name) && !listing.contains("批量充电桩"), "{listing}");
}
