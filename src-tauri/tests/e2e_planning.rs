//! End-to-end: a planner in the real window. The planning panel opens from the toolbar; a
//! pilot zone is drawn on the map by clicking its corners and saved with a name; its report
//! shows the coverage of each facility kind, equal to what `wardgis plan report` computes on
//! the same file; the communities beyond the drying areas' reach are highlighted on the map
//! (their outlines drawn, by name); "suggest 3 chargers" puts three numbered sites on the map
//! with the coverage gained; the sites kept as a scenario are in the project (the CLI lists
//! them) and the toolbar's undo takes them back; the report is exported as a PDF whose text
//! `pdftotext` reads.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{cli, click_map, hover_map, js, settle, wait_for};
use fantoccini::{Client, Locator};
use serde_json::Value;

const ZONE: &str = "城中充电桩试点";
/// The zone's corners (west, south, east, north): the old town's centre.
const BOX: [f64; 4] = [119.815, 31.355, 119.835, 31.372];
const WAIT: Duration = Duration::from_secs(60);

async fn click(c: &Client, css: &str) {
    // The panel scrolls: bring the control into view first, as a user would.
    js(c, &format!("document.querySelector(\"{css}\").scrollIntoView({{block: 'center'}}); return true")).await;
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
}

async fn pixel(c: &Client, lon: f64, lat: f64) -> (f64, f64) {
    let p = js(c, &format!("const p = window.wardgis.map.project([{lon}, {lat}]); return [p.x, p.y]")).await;
    (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())
}

async fn select(c: &Client, css: &str, value: &str) {
    js(c, &format!("const s = document.querySelector('{css}'); s.value = '{value}'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planner_draws_a_zone_reads_its_report_and_gets_three_chargers_suggested() {
    common::again_after_page_crash(scenario).await;
}

async fn scenario() {
    let demo = common::demo_window().await;
    let c = &demo.window.client;
    let p = demo.project.to_str().unwrap().to_owned();
    let size = js(c, "const r = document.querySelector('#map canvas').getBoundingClientRect(); return [r.width, r.height]").await;
    let (w, h) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());

    // ---- 1. The panel, and a zone drawn by clicking its four corners (left of the panel, which
    // floats over the map's right side). ----
    click(c, "#planning-open").await;
    wait_for(c, "the planning panel", "return document.getElementById('planning-panel') !== null", WAIT).await;
    let [west, south, east, north] = BOX;
    js(c, &format!("window.wardgis.map.fitBounds([[{west}, {south}], [{east}, {north}]], {{padding: {{left: 40, top: 60, bottom: 60, right: 420}}, duration: 0}}); return true")).await;
    settle(c).await;
    click(c, "#plan-draw").await;
    wait_for(c, "drawing armed", "return document.getElementById('plan-draw').disabled", WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let corners = [(west, south), (east, south), (east, north), (west, north)];
    let mut pixels = Vec::new();
    for (lon, lat) in corners {
        pixels.push(pixel(c, lon, lat).await);
    }
    for &(x, y) in &pixels {
        hover_map(c, x, y, w, h).await;
        click_map(c, x, y, w, h).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    click_map(c, pixels[0].0, pixels[0].1, w, h).await; // back on the first corner closes it
    wait_for(c, "the zone's form", "return document.getElementById('zone-form') !== null", WAIT).await;
    c.find(Locator::Css("#zone-name")).await.unwrap().send_keys(ZONE).await.unwrap();
    c.find(Locator::Css("#zone-author")).await.unwrap().send_keys("规划科").await.unwrap();
    click(c, "#zone-save").await;
    wait_for(c, "the zone's report", &format!("const r = document.getElementById('zone-report'); return r && r.dataset.zone === '{ZONE}' && document.getElementById('planning-panel').dataset.busy === '0'"), WAIT).await;
    let listed = cli(&demo.layers, &["zone", "list", &p, "--json"]);
    let zones: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(zones[0]["name"], ZONE, "{listed}");
    assert_eq!(zones[0]["author"], "规划科");
    let km2 = zones[0]["area_km2"].as_f64().unwrap();
    assert!((km2 - 3.587).abs() < 0.05, "the drawn zone is the box clicked: {km2} km²");

    // ---- 2. The report: the coverage shares the command line computes on the same file. ----
    let report: Value = serde_json::from_str(&cli(&demo.layers, &["plan", "report", &p, "--zone", ZONE, "--json"])).unwrap();
    let shown = js(c, "return [...document.querySelectorAll('#coverage-table tr[data-layer]')].map(r => [r.dataset.layer, Number(r.dataset.share), r.textContent])").await;
    let shown = shown.as_array().unwrap();
    assert_eq!(shown.len(), report["coverage"].as_array().unwrap().len());
    for (row, want) in shown.iter().zip(report["coverage"].as_array().unwrap()) {
        assert_eq!(row[0], want["layer"]);
        assert!((row[1].as_f64().unwrap() - want["share"].as_f64().unwrap()).abs() < 1e-9, "{row} vs {want}");
        let pct = format!("{:.1}%", 100.0 * want["share"].as_f64().unwrap());
        assert!(row[2].as_str().unwrap().contains(&pct), "{row} shows {pct}");
    }

    // ---- 3. The communities beyond the drying areas' reach, highlighted on the map. ----
    click(c, "#coverage-table tr[data-layer='drying_areas'] td").await;
    let drying = report["coverage"].as_array().unwrap().iter().find(|c| c["layer"] == "drying_areas").unwrap();
    let mut uncovered: Vec<String> = drying["uncovered"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_owned()).collect();
    uncovered.sort();
    assert!(!uncovered.is_empty(), "some community is beyond the drying areas' reach in the demo");
    settle(c).await;
    let outlined = wait_for(
        c,
        "the uncovered communities outlined",
        &format!(
            "const names = [...new Set(window.wardgis.map.queryRenderedFeatures({{layers: ['plan-uncovered-line']}}).map(f => f.properties.name))].sort();
             return names.length === {} && names",
            uncovered.len()
        ),
        WAIT,
    )
    .await;
    let outlined: Vec<String> = outlined.as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned()).collect();
    assert_eq!(outlined, uncovered);
    let listed = js(c, "return document.querySelectorAll('#uncovered-list li').length").await;
    assert_eq!(listed.as_u64().unwrap() as usize, uncovered.len());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shot = c.screenshot().await.expect("screenshot");
    let out = std::env::temp_dir().join("wardgis-e2e-planning-report.png");
    std::fs::write(&out, &shot).unwrap();
    eprintln!("SCREENSHOT: {}", out.display());

    // ---- 4. Suggest 3 chargers for the households of the zone's blocks. ----
    select(c, "#plan-demand", "blocks:households").await;
    wait_for(c, "the report on blocks", "const r = document.getElementById('zone-report'); return r && document.getElementById('planning-panel').dataset.busy === '0' && document.querySelector('#zone-report p.muted').textContent.length > 0", WAIT).await;
    select(c, "#plan-kind", "chargers").await;
    // The car parks already have chargers in the demo (its chargers stand at car parks): a
    // lattice every 50 m is where new ones could go.
    select(c, "#plan-candidates", "lattice:50").await;
    assert_eq!(js(c, "return document.getElementById('plan-n').value").await, "3");
    let label = js(c, "return document.getElementById('plan-suggest').textContent").await;
    assert_eq!(label, "建议新增 3 处充电桩");
    click(c, "#plan-suggest").await;
    let s = wait_for(c, "the suggestion", "const s = document.getElementById('suggestion'); return s && [Number(s.dataset.sites), Number(s.dataset.before), Number(s.dataset.after), Number(s.dataset.bound), s.textContent]", WAIT).await;
    let (sites, before, after, bound) = (s[0].as_u64().unwrap(), s[1].as_f64().unwrap(), s[2].as_f64().unwrap(), s[3].as_f64().unwrap());
    assert_eq!(sites, 3);
    assert!(before < after && after <= bound + 1e-9, "{s}");
    let text = s[4].as_str().unwrap();
    assert!(text.contains("新增覆盖需求") && text.contains('→') && (text.contains("最优")), "{text}");
    // The same as the command line's answer on the same file.
    let out = Command::new(common::wardgis_cli())
        .args(["plan", "suggest", &p, "--kind", "chargers", "--n", "3", "--zone", ZONE, "--demand", "blocks:households", "--candidates", "lattice:50", "--keep-existing"])
        .env("WARDGIS_LAYERS", &demo.layers)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((answer["summary"]["after"].as_f64().unwrap() - after).abs() < 1e-6, "{} vs {after}", answer["summary"]);
    settle(c).await;
    let ranks = wait_for(
        c,
        "three numbered sites on the map",
        "const f = window.wardgis.map.queryRenderedFeatures({layers: ['plan-sites']}).map(f => f.properties.rank).sort(); return f.length === 3 && f",
        WAIT,
    )
    .await;
    assert_eq!(ranks, serde_json::json!(["1", "2", "3"]));
    let gained = js(c, "return window.wardgis.map.queryRenderedFeatures({layers: ['plan-gained']}).length").await;
    assert!(gained.as_u64().unwrap() > 0, "the newly covered blocks are marked");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shot = c.screenshot().await.expect("screenshot");
    let out = std::env::temp_dir().join("wardgis-e2e-planning-suggest.png");
    std::fs::write(&out, &shot).unwrap();
    eprintln!("SCREENSHOT: {}", out.display());
    if std::env::var_os("WARDGIS_UPDATE_SCREENSHOT").is_some() {
        std::fs::write(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/images/planning.png"), &shot).unwrap();
    }

    // ---- 5. Kept as a scenario: in the project, compared in the report, undone. ----
    c.find(Locator::Css("#scenario-name")).await.unwrap().send_keys("三桩方案").await.unwrap();
    c.find(Locator::Css("#scenario-cost")).await.unwrap().send_keys("4.5").await.unwrap();
    click(c, "#scenario-keep").await;
    wait_for(c, "the scenario compared", "return document.querySelector(\"#scenario-table tr[data-scenario='三桩方案']\") !== null", WAIT).await;
    let kept = cli(&demo.layers, &["plan", "scenarios", &p]);
    assert!(kept.contains("三桩方案") && kept.contains(ZONE) && kept.contains("13.5"), "{kept}");
    click(c, "#undo").await;
    wait_for(c, "the scenario undone", "return document.getElementById('scenario-table') === null", WAIT).await;
    assert!(!cli(&demo.layers, &["plan", "scenarios", &p]).contains("三桩方案"));

    // ---- 6. The coverage gaps of the chargers, drawn as areas. ----
    click(c, "#plan-gaps").await;
    let gaps = wait_for(c, "the gap count", "const g = document.getElementById('gap-count'); return g && g.textContent.includes('块缺口') && g.textContent", WAIT).await;
    let n: usize = gaps.as_str().unwrap().trim_end_matches("块缺口").trim().parse().unwrap();
    let exported = demo.dir.path().join("gaps.geojson");
    cli(&demo.layers, &["plan", "gaps", &p, "--kind", "chargers", "--zone", ZONE, "--demand", "blocks:households", "--out", exported.to_str().unwrap()]);
    let fc: Value = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    assert_eq!(n, fc["features"].as_array().unwrap().len(), "the window's gaps are the command line's");
    settle(c).await;
    let drawn = js(c, "return window.wardgis.map.queryRenderedFeatures({layers: ['plan-gaps-fill']}).length").await;
    assert!(drawn.as_u64().unwrap() > 0, "the gaps are drawn");
    // And exported from the window as a GeoPackage GDAL reads.
    let gpkg = demo.dir.path().join("gaps.gpkg");
    c.find(Locator::Css("#plan-gaps-path")).await.unwrap().send_keys(gpkg.to_str().unwrap()).await.unwrap();
    click(c, "#plan-gaps-export").await;
    wait_for(c, "the gaps exported", "return document.getElementById('message').textContent.startsWith('已导出')", WAIT).await;
    let info = Command::new("ogrinfo").args(["-al", "-so", gpkg.to_str().unwrap()]).output().expect("ogrinfo (gdal-bin; scripts/install-deps.sh)");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains(&format!("Feature Count: {n}")) && info.contains("gap_share"), "{info}");

    // ---- 7. The report exported as a PDF. ----
    let pdf = demo.dir.path().join("zone.pdf");
    c.find(Locator::Css("#plan-export-path")).await.unwrap().send_keys(pdf.to_str().unwrap()).await.unwrap();
    click(c, "#plan-export").await;
    wait_for(c, "the export", "return document.getElementById('message').textContent.startsWith('已导出片区报告')", WAIT).await;
    let text = Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils; scripts/install-deps.sh)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(&format!("试点片区报告：{ZONE}")) && text.contains("设施服务覆盖率"), "{text}");

    // ---- 8. Renamed, removed, and the removal undone. ----
    click(c, ".zone-rename").await;
    let input = c.find(Locator::Css(".zone-rename-input")).await.unwrap();
    // The old name erased (WebDriver types at the end of the box), the new one typed; Enter.
    let erase = "\u{E003}".repeat(ZONE.chars().count());
    input.send_keys(&format!("{erase}城中试点\u{E007}")).await.unwrap();
    wait_for(c, "the zone renamed", "return document.querySelector(\"#zone-list li[data-zone='城中试点']\") !== null", WAIT).await;
    assert!(cli(&demo.layers, &["zone", "list", &p]).contains("城中试点"));
    click(c, "#zone-list li[data-zone='城中试点'] .zone-remove").await;
    wait_for(c, "the zone removed", "return document.querySelectorAll('#zone-list li.zone-item').length === 0", WAIT).await;
    assert!(!cli(&demo.layers, &["zone", "list", &p]).contains("城中试点"));
    click(c, "#undo").await;
    wait_for(c, "the removal undone", "return document.querySelector(\"#zone-list li[data-zone='城中试点']\") !== null", WAIT).await;
}
