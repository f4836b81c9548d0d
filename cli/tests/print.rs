//! `wardgis print` on the demo: an atlas of every community, one ward, a file per ward, PNG
//! images — each read back with the tools a user would open them with (pdfinfo, pdftotext,
//! pdffonts, gdalinfo, ogrinfo) or, for PNG, by its own header.

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("cannot run `{tool}` ({e}); install Debian's poppler-utils (scripts/install-deps.sh does)"));
    assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn communities() -> Vec<(String, String)> {
    gdal_features(demo_project(), &["-sql", "SELECT name, subdistrict FROM communities"])
        .iter()
        .map(|f| (f["properties"]["name"].as_str().unwrap().to_owned(), f["properties"]["subdistrict"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn all_writes_a_map_page_per_community_into_one_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("atlas.pdf");
    let out = ok(wardgis(&["print", demo_project().to_str().unwrap(), "--all", "--office", "宜城街道城管社区工作室", "--out", pdf.to_str().unwrap()]));
    let message = stderr(&out);
    assert!(message.contains("s a page"), "{message}");
    let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let names = communities();
    assert!(names.len() > 10);
    for (name, _) in &names {
        let title = format!("{name}城市管理设施分布图");
        let maps = pages.iter().filter(|p| p.contains(&title)).count();
        assert_eq!(maps, 1, "{title}: {maps} map pages");
    }
    let map_pages = pages.iter().filter(|p| p.contains("城市管理设施分布图")).count();
    assert_eq!(map_pages, names.len());
    assert!(text.contains("宜城街道城管社区工作室"));
    // Every map page is georeferenced: GDAL finds as many map frames as communities.
    let info = stdout(&ok(gdal("gdalinfo", &[pdf.to_str().unwrap()])));
    let page_count: usize = poppler("pdfinfo", &[pdf.to_str().unwrap()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(page_count > names.len(), "map pages and table pages: {page_count}");
    assert!(info.contains("SUBDATASET") || info.contains("GEOGCRS"), "{info}");
}

#[test]
fn one_ward_reads_back_its_text_font_paper_and_layers() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("ward.pdf");
    ok(wardgis(&["print", demo_project().to_str().unwrap(), "--ward", "袁桥社区", "--paper", "A3", "--out", pdf.to_str().unwrap()]));
    let p = pdf.to_str().unwrap();
    let info = poppler("pdfinfo", &[p]);
    assert!(info.contains("841.89 x 1190.55 pts (A3)"), "{info}");
    let text = poppler("pdftotext", &[p, "-"]);
    // The community, legend labels, and a facility of the ward from the table (found by GDAL
    // inside the community's polygon).
    let facility = gdal_features(
        demo_project(),
        &[
            "-dialect",
            "SQLITE",
            "-sql",
            "SELECT c.name AS name FROM chargers c, communities w WHERE w.name = '袁桥社区' AND ST_Within(c.geom, w.geom) ORDER BY c.name LIMIT 1",
        ],
    );
    let facility = facility[0]["properties"]["name"].as_str().unwrap();
    for want in ["袁桥社区", "图例", "充电桩", "街坊：居住", facility, "设施一览表"] {
        assert!(text.contains(want), "`{want}` not in:\n{text}");
    }
    let fonts = poppler("pdffonts", &[p]);
    let cjk = fonts.lines().find(|l| l.contains("NotoSansCJK")).unwrap_or_else(|| panic!("{fonts}"));
    let cols: Vec<&str> = cjk.split_whitespace().collect();
    assert_eq!(cols[0].as_bytes()[6], b'+', "a subset: {cjk}");
    assert_eq!(&cols[cols.len() - 5..cols.len() - 2], ["yes", "yes", "yes"], "emb sub uni: {cjk}");
    // GDAL: a coordinate system and a geotransform for the map page.
    let gdal_info: serde_json::Value = serde_json::from_str(&stdout(&ok(gdal("gdalinfo", &["-json", &format!("PDF:1:{p}")])))).unwrap();
    assert!(gdal_info["geoTransform"].is_array(), "{gdal_info}");
    assert!(gdal_info["coordinateSystem"]["wkt"].as_str().unwrap_or_default().contains("WGS 84"));
}

#[test]
fn only_the_layers_asked_for_are_drawn_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("ward.pdf");
    let project = demo_project().to_str().unwrap();
    ok(wardgis(&["print", project, "--ward", "袁桥社区", "--layers", "roads,communities,chargers", "--out", pdf.to_str().unwrap()]));
    let text = poppler("pdftotext", &["-l", "1", pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("充电桩") && text.contains("道路"), "{text}");
    assert!(!text.contains("广告设施") && !text.contains("街坊"), "a layer not asked for is in the legend:\n{text}");
    let bad = wardgis(&["print", project, "--ward", "袁桥社区", "--layers", "roads,chargrs", "--out", pdf.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("chargrs") && stderr(&bad).contains("chargers"), "{}", stderr(&bad));
}

#[test]
fn a_folder_gets_a_file_per_ward_of_the_subdistrict() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("maps");
    ok(wardgis(&["print", demo_project().to_str().unwrap(), "--subdistrict", "宜城街道", "--landscape", "--out", out.to_str().unwrap()]));
    let want: Vec<String> = communities().into_iter().filter(|(_, s)| s == "宜城街道").map(|(n, s)| format!("{s}-{n}.pdf")).collect();
    let mut got: Vec<String> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    got.sort();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(got, want_sorted);
    let info = poppler("pdfinfo", &[out.join(&want[0]).to_str().unwrap()]);
    assert!(info.contains("841.89 x 595.276 pts (A4)"), "landscape A4: {info}");
}

/// Width, height and pixels per metre (pHYs) of a PNG, from its header.
fn png_header(path: &Path) -> (u32, u32, Option<u32>) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    let (w, h) = (be(16), be(20));
    let phys = bytes.windows(4).position(|w| w == b"pHYs").map(|i| be(i + 4));
    (w, h, phys)
}

#[test]
fn png_pages_have_the_size_and_resolution_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("袁桥社区.png");
    ok(wardgis(&["print", demo_project().to_str().unwrap(), "--ward", "袁桥社区", "--png", "--dpi", "150", "--out", png.to_str().unwrap()]));
    let (w, h, ppm) = png_header(&png);
    let want = |mm: f64| (mm / 25.4 * 150.0).round() as i64;
    assert!((w as i64 - want(210.0)).abs() <= 1 && (h as i64 - want(297.0)).abs() <= 1, "{w}×{h}");
    assert_eq!(ppm, Some((150.0f64 / 0.0254).round() as u32), "pHYs: 150 dpi in pixels per metre");
    assert!(dir.path().join("袁桥社区-2.png").is_file(), "the table page");
    // Mixed requests are refused with what would be accepted.
    let bad = wardgis(&["print", demo_project().to_str().unwrap(), "--all", "--png", "--out", png.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("folder"), "{}", stderr(&bad));
}

#[test]
fn an_unknown_community_lists_the_ones_there_are() {
    let out = wardgis(&["print", demo_project().to_str().unwrap(), "--ward", "无此社区", "--out", "/tmp/never.pdf"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("无此社区") && stderr(&out).contains("袁桥社区"), "{}", stderr(&out));
    let none = wardgis(&["print", demo_project().to_str().unwrap(), "--out", "/tmp/never.pdf"]);
    assert_eq!(none.status.code(), Some(2), "one of --ward, --subdistrict, --all is required");
}
