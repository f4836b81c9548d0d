//! End-to-end: the import and export dialogs in the real window. An Excel workbook with a
//! title row and Chinese headers (as the bureau's staff write them) is imported through the
//! dialog — the path typed into its field, the preview checked to show its rows, Import
//! clicked — and the chargers layer grows by its rows, drawn on the map at their coordinates.
//! A workbook with one bad cell is refused with the error list naming the sheet, row and
//! column, in Chinese and in English. A large CSV shows the progress bar moving, and Cancel
//! leaves the layer as it was. Exporting the layer writes a GeoPackage that GDAL's
//! `ogrinfo` reads with the layer's count.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{js, settle, wait_for};
use fantoccini::{Client, Locator};
use rust_xlsxwriter::Workbook;

const SHEET: &str = "新增充电桩";

/// A workbook of chargers around (`lon`, `lat`): a title row, then a header row and one row a
/// charger. `bad` puts `四个` in the ports cell of that data row (1-based).
fn workbook(path: &Path, points: &[(String, f64, f64)], bad: Option<usize>) {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name(SHEET).unwrap();
    s.write_string(0, 0, "2024年第三季度新增充电桩").unwrap();
    for (col, h) in ["名称", "车辆类型", "充电端口数（个）", "经度", "纬度", "运营单位"].iter().enumerate() {
        s.write_string(1, col as u16, *h).unwrap();
    }
    for (i, (name, lon, lat)) in points.iter().enumerate() {
        let r = i as u32 + 2;
        s.write_string(r, 0, name).unwrap();
        s.write_string(r, 1, if i % 2 == 0 { "机动车" } else { "非机动车" }).unwrap();
        if bad == Some(i + 1) {
            s.write_string(r, 2, "四个").unwrap();
        } else {
            s.write_number(r, 2, (i + 2) as f64).unwrap();
        }
        s.write_number(r, 3, *lon).unwrap();
        s.write_number(r, 4, *lat).unwrap();
        s.write_string(r, 5, "宜兴城投").unwrap();
    }
    book.save(path).unwrap();
}

async fn chargers_count(c: &Client) -> u64 {
    let text = js(c, "return document.querySelector('.layer-row[data-layer=chargers] .layer-count').textContent").await;
    text.as_str().unwrap().chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// Types `path` into the import dialog's file field, as a user would.
async fn type_path(c: &Client, path: &Path) {
    let field = c.find(Locator::Css("#import-path")).await.expect("the file field");
    field.clear().await.unwrap();
    field.send_keys(path.to_str().unwrap()).await.unwrap();
}

async fn text_of(c: &Client, css: &str) -> String {
    js(c, &format!("const e = document.querySelector('{css}'); return e ? e.textContent : ''")).await.as_str().unwrap_or("").to_owned()
}

fn screenshot_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("wardgis-{name}.png"))
}

async fn screenshot(c: &Client, name: &str) {
    // Let WebKit paint what the page just changed.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let png = c.screenshot().await.expect("screenshot");
    let path = screenshot_path(name);
    std::fs::write(&path, png).unwrap();
    eprintln!("SCREENSHOT: {}", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xlsx_imports_through_the_dialog_a_bad_cell_is_listed_and_a_layer_exports() {
    common::again_after_page_crash(an_xlsx_imports_through_the_dialog_a_bad_cell_is_listed_and_a_layer_exports_scenario).await;
}

async fn an_xlsx_imports_through_the_dialog_a_bad_cell_is_listed_and_a_layer_exports_scenario() {
    let demo = common::demo_window().await;
    let (dir, window) = (&demo.dir, &demo.window);
    let c = &window.client;
    let centre = js(c, "const m = window.wardgis.map; m.jumpTo({center: m.getCenter(), zoom: 16}); const p = m.getCenter(); return [p.lng, p.lat]").await;
    let (lon, lat) = (centre[0].as_f64().unwrap(), centre[1].as_f64().unwrap());
    settle(c).await;
    let before = chargers_count(c).await;

    // 1. A good workbook, named so that its layer is obvious.
    let points: Vec<(String, f64, f64)> =
        (0..6).map(|i| (format!("导入测试桩{}", i + 1), lon - 0.0015 + 0.0006 * i as f64, lat + 0.0004 * (i % 3) as f64 - 0.0004)).collect();
    let good = dir.path().join("充电桩-新增.xlsx");
    workbook(&good, &points, None);

    c.find(Locator::Css("#import-open")).await.unwrap().click().await.unwrap();
    type_path(c, &good).await;
    wait_for(c, "the preview of the workbook's rows", "return document.querySelectorAll('#import-preview tbody tr').length === 6", Duration::from_secs(20)).await;
    let layer = js(c, "return document.getElementById('import-layer').value").await;
    assert_eq!(layer, "chargers", "the layer is guessed from the file name");
    let preview = text_of(c, "#import-preview").await;
    for (name, _, _) in &points {
        assert!(preview.contains(name.as_str()), "{name} in the preview: {preview}");
    }
    assert!(preview.contains("宜兴城投"), "{preview}");
    let columns = text_of(c, "#import-columns").await;
    assert!(columns.contains("充电端口数（个）"), "{columns}");
    let ports_fills = js(c, "return document.querySelector('#import-columns tr[data-column=\"充电端口数（个）\"] select').value").await;
    assert_eq!(ports_fills, "field:ports");
    screenshot(c, "import-preview-zh").await;

    c.find(Locator::Css("#import-start")).await.unwrap().click().await.unwrap();
    wait_for(c, "the import's outcome", "const o = document.getElementById('import-outcome'); return o && o.dataset.status === 'imported'", Duration::from_secs(30)).await;
    assert!(text_of(c, "#import-outcome").await.contains("已导入 6 个要素"));
    wait_for(c, "the new count", &format!("return document.querySelector('.layer-row[data-layer=chargers] .layer-count').textContent.includes('{}')", before + 6), Duration::from_secs(10)).await;
    assert_eq!(chargers_count(c).await, before + 6);

    // The map draws the new chargers where the workbook put them.
    js(c, "document.querySelector('#import-dialog footer button:last-child').click(); return true").await;
    let want = serde_json::to_string(&points).unwrap();
    let drawn = wait_for(
        c,
        "the imported chargers on the map",
        &format!(
            "const want = {want}; const got = window.wardgis.map.queryRenderedFeatures({{layers: ['chargers']}});
             const at = want.map(([n, x, y]) => got.find(f => f.properties.name === n && Math.abs(f.geometry.coordinates[0] - x) < 1e-5 && Math.abs(f.geometry.coordinates[1] - y) < 1e-5));
             return at.every(f => f) && at.length"
        ),
        Duration::from_secs(15),
    )
    .await;
    assert_eq!(drawn, 6);

    // 2. A workbook with one bad cell: refused, the list names the sheet, row and column.
    let bad = dir.path().join("充电桩-有错.xlsx");
    let bad_points: Vec<(String, f64, f64)> = (0..4).map(|i| (format!("错误测试桩{}", i + 1), lon + 0.0003 * i as f64, lat)).collect();
    workbook(&bad, &bad_points, Some(3));
    c.find(Locator::Css("#import-open")).await.unwrap().click().await.unwrap();
    type_path(c, &bad).await;
    wait_for(c, "the preview's problem", "return document.querySelectorAll('#import-preview-problems tbody tr').length === 1", Duration::from_secs(20)).await;
    c.find(Locator::Css("#import-start")).await.unwrap().click().await.unwrap();
    wait_for(c, "the refusal", "const o = document.getElementById('import-outcome'); return o && o.dataset.status === 'bad_rows'", Duration::from_secs(30)).await;
    // Data row 3 is Excel row 5 (a title row, the header row, then rows 3, 4, 5).
    let list = text_of(c, "#import-bad").await;
    assert!(list.contains(&format!("工作表“{SHEET}” 第 5 行 C 列")) && list.contains("充电端口数（个）") && list.contains("四个"), "{list}");
    assert!(list.contains("whole number"), "what is accepted: {list}");
    assert!(c.find(Locator::Css("#import-save-report")).await.is_ok() && c.find(Locator::Css("#import-skip-bad")).await.is_ok());
    assert_eq!(chargers_count(c).await, before + 6, "nothing imported");
    screenshot(c, "import-bad-zh").await;
    // The dialog covers the toolbar; the language button is pressed from the page.
    js(c, "document.getElementById('lang-toggle').click(); return true").await;
    let list = text_of(c, "#import-bad").await;
    assert!(list.contains(&format!("sheet “{SHEET}” row 5 column C")), "{list}");
    screenshot(c, "import-bad-en").await;

    // Importing the good rows only, from the same dialog.
    c.find(Locator::Css("#import-skip-bad")).await.unwrap().click().await.unwrap();
    wait_for(c, "the import skipping the bad row", "const o = document.getElementById('import-outcome'); return o && o.dataset.status === 'imported'", Duration::from_secs(30)).await;
    wait_for(c, "the count with three more", &format!("return document.querySelector('.layer-row[data-layer=chargers] .layer-count').textContent.includes('{}')", before + 9), Duration::from_secs(10)).await;

    // A large file: the progress bar moves while it imports, and Cancel leaves nothing.
    let big = dir.path().join("充电桩-大批量.csv");
    {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        writeln!(w, "名称,经度,纬度,车辆类型,充电端口数").unwrap();
        for i in 0..400_000u32 {
            let (x, y) = (119.80 + f64::from(i % 1000) * 4e-5, 31.34 + f64::from(i / 1000) * 1e-4);
            writeln!(w, "大批量{i},{x:.6},{y:.6},{},{}", if i % 2 == 0 { "car" } else { "ebike" }, 1 + i % 20).unwrap();
        }
    }
    type_path(c, &big).await;
    wait_for(c, "the large file's preview", "return document.getElementById('import-preview').textContent.includes('大批量0')", Duration::from_secs(20)).await;
    c.find(Locator::Css("#import-start")).await.unwrap().click().await.unwrap();
    wait_for(c, "the progress bar moving", "const p = document.getElementById('import-progress'); return p !== null && p.value > 0", Duration::from_secs(30)).await;
    c.find(Locator::Css("#import-cancel")).await.unwrap().click().await.unwrap();
    wait_for(c, "the cancelled import", "const o = document.getElementById('import-outcome'); return o && o.dataset.status === 'cancelled'", Duration::from_secs(60)).await;
    settle(c).await;
    assert_eq!(chargers_count(c).await, before + 9, "a cancelled import adds nothing");
    js(c, "document.querySelector('#import-dialog footer button:last-child').click(); return true").await;

    // 3. Export the layer; GDAL reads the file with the layer's count.
    let out = dir.path().join("chargers-export.gpkg");
    c.find(Locator::Css("#export-open")).await.unwrap().click().await.unwrap();
    js(c, "const s = document.getElementById('export-layer'); s.value = 'chargers'; s.dispatchEvent(new Event('change', {bubbles: true})); return true").await;
    c.find(Locator::Css("#export-path")).await.unwrap().send_keys(out.to_str().unwrap()).await.unwrap();
    screenshot(c, "export-en").await;
    c.find(Locator::Css("#export-start")).await.unwrap().click().await.unwrap();
    wait_for(c, "the export's message", "const m = document.getElementById('export-message'); return m && m.textContent.startsWith('Exported')", Duration::from_secs(30)).await;
    let info = Command::new("ogrinfo").args(["-so", "-al", out.to_str().unwrap()]).output().expect("run ogrinfo (gdal-bin)");
    assert!(info.status.success(), "{}", String::from_utf8_lossy(&info.stderr));
    let text = String::from_utf8_lossy(&info.stdout);
    let count: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .unwrap_or_else(|| panic!("no feature count in {text}"))
        .trim()
        .parse()
        .unwrap();
    assert_eq!(count, before + 9, "{text}");
}
