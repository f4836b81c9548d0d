//! End-to-end: the print dialog in the real window. 袁桥社区 is chosen on A4 portrait; the
//! preview image loads with A4's proportions, beside the page and facility counts (the
//! facilities counted independently, by the core's spatial index, inside the community's
//! outline); the exported PDF is A4 to `pdfinfo`, holds the community's name, a legend label
//! and a facility's name to `pdftotext`, embeds the CJK font as a subset to `pdffonts`, and
//! to `gdalinfo` has a coordinate system and a geotransform whose extent holds the community.
//! A3 landscape then gives a preview with A3 landscape's proportions; Esc closes the dialog
//! and Ctrl+P opens it.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{js, wait_for};
use fantoccini::{Client, Locator};
use geo::BoundingRect;
use geo_types::Geometry;
use wardgis::catalog::LayerGroup;

const WARD: &str = "袁桥社区";

/// Runs one of the PDF tools a GIS user would open the file with; fails clearly without it.
fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} could not run ({e}); install poppler-utils and gdal-bin (scripts/install-deps.sh)"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What the project holds for the ward, read with the core: its bounding box
/// (`[west, south, east, north]`), how many facilities lie inside it, and the shortest
/// facility name among them (short enough not to wrap in the table's name column).
fn ward_facts(project: &Path, layers: &Path) -> ([f64; 4], usize, String) {
    let project = wardgis::Project::open(project, wardgis::Catalog::load_dir(layers).unwrap()).unwrap();
    let ward = project.features("communities").unwrap().into_iter().find(|f| f.name() == Some(WARD)).expect("the demo has 袁桥社区");
    let area: Geometry<f64> = ward.geometry.clone();
    let b = area.bounding_rect().unwrap();
    let (mut count, mut shortest) = (0, None::<String>);
    let facility_layers: Vec<String> = project.catalog().kinds().iter().filter(|k| k.group == LayerGroup::Facility).map(|k| k.id.clone()).collect();
    for layer in facility_layers {
        let fids = project.in_polygon(&layer, &area).unwrap();
        count += fids.len();
        for f in project.features_by_fid(&layer, &fids).unwrap() {
            if let Some(name) = f.name().filter(|n| !n.trim().is_empty()) {
                if shortest.as_ref().is_none_or(|s| name.chars().count() < s.chars().count()) {
                    shortest = Some(name.to_owned());
                }
            }
        }
    }
    ([b.min().x, b.min().y, b.max().x, b.max().y], count, shortest.expect("a named facility in 袁桥社区"))
}

/// Waits until the preview shows a loaded image whose width / height is `ratio` (within 1 %)
/// and no preview is being made; returns its natural size.
async fn preview_with_ratio(c: &Client, what: &str, ratio: f64) -> (f64, f64) {
    let v = wait_for(
        c,
        what,
        &format!(
            "const i = document.getElementById('print-preview');
             if (!i || !i.complete || i.naturalWidth === 0 || document.getElementById('print-busy')) return false;
             const r = i.naturalWidth / i.naturalHeight;
             return Math.abs(r - {ratio}) < {ratio} * 0.01 && [i.naturalWidth, i.naturalHeight]"
        ),
        Duration::from_secs(60),
    )
    .await;
    (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_print_dialog_previews_a_ward_and_exports_its_pdf() {
    common::again_after_page_crash(the_print_dialog_previews_a_ward_and_exports_its_pdf_scenario).await;
}

async fn the_print_dialog_previews_a_ward_and_exports_its_pdf_scenario() {
    let demo = common::demo_window().await;
    let c = &demo.window.client;
    let (bbox, facilities, facility_name) = ward_facts(&demo.project, &demo.layers);
    assert!(facilities > 0);

    // Open the dialog from the toolbar; choose the ward, A4, portrait.
    click(c, "#print-open").await;
    wait_for(c, "the ward chooser", "const s = document.getElementById('print-ward'); return s && s.options.length > 1", Duration::from_secs(20)).await;
    js(c, &format!("const s = document.getElementById('print-ward'); s.value = '{WARD}'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true")).await;
    click(c, "#print-paper-A4").await;
    click(c, "#print-portrait").await;
    let (a4_w, a4_h) = preview_with_ratio(c, "an A4 portrait preview", 210.0 / 297.0).await;
    assert_eq!(js(c, "return document.getElementById('print-ward').value").await, WARD);

    // The preview is the map, not a blank sheet: ink or colour on much of a downsampled copy.
    let inked = js(
        c,
        "const i = document.getElementById('print-preview'); const cv = document.createElement('canvas'); cv.width = 200; cv.height = Math.round(200 * i.naturalHeight / i.naturalWidth);
         const g = cv.getContext('2d'); g.drawImage(i, 0, 0, cv.width, cv.height); const d = g.getImageData(0, 0, cv.width, cv.height).data;
         let n = 0; for (let k = 0; k < d.length; k += 4) if (d[k] + d[k + 1] + d[k + 2] < 735) n++; return n / (d.length / 4)",
    )
    .await
    .as_f64()
    .unwrap();
    let src = js(c, "return document.getElementById('print-preview').src").await;
    let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, src.as_str().unwrap().trim_start_matches("data:image/png;base64,")).unwrap();
    std::fs::write(std::env::temp_dir().join("wardgis-print-preview-page.png"), png).unwrap();
    assert!(inked > 0.25, "the preview shows the map: {:.1} % of it inked", inked * 100.0);

    let counts = js(c, "const e = document.getElementById('print-counts'); return [Number(e.dataset.pages), Number(e.dataset.facilities), e.textContent]").await;
    let (pages, shown) = (counts[0].as_u64().unwrap(), counts[1].as_u64().unwrap());
    let text = counts[2].as_str().unwrap();
    assert_eq!(shown as usize, facilities, "the facilities inside {WARD}: {text}");
    assert!(pages >= 2, "the map and the facility table: {text}");
    assert!(text.contains(&format!("共 {pages} 页")) && text.contains(&format!("设施 {facilities} 处")), "{text}");

    tokio::time::sleep(Duration::from_millis(600)).await; // let WebKit paint the new image
    let shot = c.screenshot().await.expect("screenshot");
    let shot_path = std::env::temp_dir().join("wardgis-print-preview.png");
    std::fs::write(&shot_path, shot).unwrap();
    eprintln!("SCREENSHOT: {}", shot_path.display());

    // Export: the file typed into the field (the native dialog is Browse…'s), then Export PDF.
    let pdf = demo.dir.path().join("袁桥社区.pdf");
    c.find(Locator::Css("#print-path")).await.unwrap().send_keys(pdf.to_str().unwrap()).await.unwrap();
    click(c, "#print-export").await;
    let message = wait_for(
        c,
        "the export's message",
        "const m = document.getElementById('print-export-message'); return m && m.textContent.startsWith('已导出') && m.textContent",
        Duration::from_secs(60),
    )
    .await;
    assert!(message.as_str().unwrap().contains(pdf.to_str().unwrap()), "says where: {message}");
    assert!(message.as_str().unwrap().contains(&format!("{pages} 页")), "{message}");

    let p = pdf.to_str().unwrap();
    let info = tool("pdfinfo", &[p]);
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(&format!(" {pages}"))), "{info}");
    let text = tool("pdftotext", &[p, "-"]);
    for want in [WARD, "图例", facility_name.as_str()] {
        assert!(text.contains(want), "`{want}` not in the PDF's text:\n{text}");
    }
    assert!(text.contains("充电桩") || text.contains("广告设施"), "a facility legend label in:\n{text}");
    let fonts = tool("pdffonts", &[p]);
    let cjk = fonts.lines().find(|l| l.contains("NotoSansCJK")).unwrap_or_else(|| panic!("no Noto Sans CJK in:\n{fonts}"));
    let cols: Vec<&str> = cjk.split_whitespace().collect();
    let subset_tag = cols[0].split_once('+').map(|(tag, _)| tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()));
    assert_eq!(subset_tag, Some(true), "a subset's name is tagged ABCDEF+: {cjk}");
    let n = cols.len();
    assert_eq!((cols[n - 5], cols[n - 4]), ("yes", "yes"), "embedded, as a subset: {cjk}\n{fonts}");

    let gdal: serde_json::Value = serde_json::from_str(&tool("gdalinfo", &["-json", p])).unwrap();
    let wkt = gdal["coordinateSystem"]["wkt"].as_str().unwrap_or("");
    assert!(wkt.contains("WGS 84") || wkt.contains("WGS_1984"), "a coordinate system: {wkt}");
    let gt: Vec<f64> = gdal["geoTransform"].as_array().expect("a geotransform").iter().map(|v| v.as_f64().unwrap()).collect();
    let (w, h) = (gdal["size"][0].as_f64().unwrap(), gdal["size"][1].as_f64().unwrap());
    let (west, north) = (gt[0], gt[3]);
    let (east, south) = (gt[0] + gt[1] * w, gt[3] + gt[5] * h);
    assert!(
        west <= bbox[0] && south <= bbox[1] && east >= bbox[2] && north >= bbox[3],
        "the georeferenced page {west},{south},{east},{north} holds {WARD} {bbox:?}"
    );

    // A3 landscape: the preview turns and grows.
    click(c, "#print-paper-A3").await;
    click(c, "#print-landscape").await;
    let (a3_w, a3_h) = preview_with_ratio(c, "an A3 landscape preview", 420.0 / 297.0).await;
    assert!(a3_w > a3_h && a4_w < a4_h);
    assert!((a3_w / a4_h - 420.0 / 297.0).abs() < 0.02, "A3's long side is √2 A4's: {a3_w} vs {a4_h}");

    // Esc closes the dialog; Ctrl+P opens it again.
    c.find(Locator::Css("#print-office")).await.unwrap().send_keys("\u{E00C}").await.unwrap();
    wait_for(c, "the dialog closed by Esc", "return document.getElementById('print-dialog') === null", Duration::from_secs(5)).await;
    c.find(Locator::Css("body")).await.unwrap().send_keys("\u{E009}p\u{E009}").await.unwrap();
    wait_for(c, "the dialog opened by Ctrl+P", "return document.getElementById('print-dialog') !== null", Duration::from_secs(5)).await;
}
