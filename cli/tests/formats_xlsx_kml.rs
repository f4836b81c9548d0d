//! `wardgis export` and `import` of XLSX, KML and KMZ: every feature, attribute and Chinese
//! character survives the round trip, and GDAL (`ogrinfo`) reads each export.

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

/// A layer's features as wardgis exports them to GeoJSON: (name, properties, coordinates).
fn exported(project: &Path, layer: &str, dir: &Path) -> Vec<serde_json::Value> {
    let out = dir.join(format!("{layer}-{}.geojson", std::process::id()));
    ok(wardgis(&["export", project.to_str().unwrap(), layer, out.to_str().unwrap()]));
    let fc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    std::fs::remove_file(&out).unwrap();
    fc["features"].as_array().unwrap().clone()
}

/// Checks that `got` are `want` again: every attribute equal, coordinates within 1e-7°.
fn assert_same_features(want: &[serde_json::Value], got: &[serde_json::Value], what: &str) {
    assert_eq!(want.len(), got.len(), "{what}: feature count");
    for (w, g) in want.iter().zip(got) {
        assert_eq!(w["properties"], g["properties"], "{what}: attributes");
        let (a, b) = (&w["geometry"]["coordinates"], &g["geometry"]["coordinates"]);
        assert!((a[0].as_f64().unwrap() - b[0].as_f64().unwrap()).abs() <= 1e-7, "{what}: {a} vs {b}");
        assert!((a[1].as_f64().unwrap() - b[1].as_f64().unwrap()).abs() <= 1e-7, "{what}: {a} vs {b}");
    }
}

#[test]
fn xlsx_kml_and_kmz_round_trip_and_gdal_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let truth = exported(demo_project(), "billboards", dir.path());
    assert!(truth.len() > 10);
    let first_name = truth[0]["properties"]["name"].as_str().unwrap().to_owned();
    assert!(first_name.chars().any(|c| c > '\u{2E80}'), "a Chinese name: {first_name}");
    for ext in ["xlsx", "kml", "kmz"] {
        let file = dir.path().join(format!("billboards.{ext}"));
        let f = file.to_str().unwrap();
        ok(wardgis(&["export", demo_project().to_str().unwrap(), "billboards", f]));

        // GDAL reads every feature, and the Chinese text.
        let summary = stdout(&ok(gdal("ogrinfo", &["-ro", "-al", "-so", f])));
        assert!(summary.contains(&format!("Feature Count: {}", truth.len())), "{ext}: {summary}");
        let all = stdout(&ok(gdal("ogrinfo", &["-ro", "-al", f])));
        assert!(all.contains(&first_name), "{ext}: GDAL lost the name {first_name}");
        assert!(all.contains("owner") && all.contains("face_area_m2"), "{ext}: the attribute columns:\n{summary}");

        // Imported into a copy of the project, the features come back as they were.
        let sub = tempfile::tempdir().unwrap();
        let copy = demo_copy(sub.path());
        ok(wardgis(&["import", copy.to_str().unwrap(), "billboards", f]));
        let after = exported(&copy, "billboards", sub.path());
        assert_same_features(&truth, &after[truth.len()..], ext);
    }
}

/// Writes a chargers workbook with openpyxl (independent of wardgis's writer): a title row,
/// an empty row, the header on row 3, good rows, and `bad` as the ports cell of Excel row 17.
fn openpyxl_book(path: &Path, bad: &str) {
    let script = r##"
import sys, datetime, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "调查"
ws["A1"] = "宜城街道充电桩调查"
ws.append([])
ws.append(["名称", "车辆类型", "充电端口数", "运营单位", "扫码支付", "lng", "lat"])
for r in range(4, 20):
    # openpyxl stores "#N/A" as an error cell, other text as a string cell
    ports = sys.argv[2] if r == 17 else 4
    ws.append([f"充电桩{r}", "机动车", ports, "宜兴城投", True, 119.82 + r / 1000, 31.36])
wb.create_sheet("另一张")
wb.save(sys.argv[1])
"##;
    let o = Command::new("python3").arg("-c").arg(script).arg(path).arg(bad).output().expect("run python3 (scripts/install-deps.sh installs openpyxl)");
    assert!(o.status.success(), "openpyxl: {}", stderr(&o));
}

#[test]
fn an_xlsx_with_a_bad_cell_in_its_17th_row_reports_row_17() {
    let dir = tempfile::tempdir().unwrap();
    let copy = demo_copy(dir.path());
    let p = copy.to_str().unwrap();
    for (bad, says) in [("四个", "expected a whole number"), ("500", "maximum 200"), ("#N/A", "Excel error #N/A")] {
        let book = dir.path().join("survey.xlsx");
        openpyxl_book(&book, bad);
        let o = wardgis(&["import", p, "chargers", book.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(&format!("survey.xlsx: sheet `调查` row 17 column C `充电端口数`: value `{bad}`")), "{e}");
        assert!(e.contains(says), "{e}");
    }
    // With --skip-bad the 15 good rows are imported; --sheet picks another sheet.
    let book = dir.path().join("survey.xlsx");
    let o = ok(wardgis(&["import", p, "chargers", book.to_str().unwrap(), "--skip-bad"]));
    assert!(stderr(&o).contains("row 17"), "{}", stderr(&o));
    let o = wardgis(&["import", p, "chargers", book.to_str().unwrap(), "--sheet", "第三张"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("`调查`, `另一张`"), "{}", stderr(&o));
}

#[test]
fn the_aowei_style_kml_imports_in_gcj02() {
    let dir = tempfile::tempdir().unwrap();
    let copy = demo_copy(dir.path());
    let kml = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data/chargers_aowei.kml");
    let before = exported(&copy, "chargers", dir.path()).len();
    let o = ok(wardgis(&["import", copy.to_str().unwrap(), "chargers", kml.to_str().unwrap(), "--crs", "gcj02"]));
    assert!(stderr(&o).contains("调查员"), "the unknown ExtendedData is named: {}", stderr(&o));
    let after = exported(&copy, "chargers", dir.path());
    assert_eq!(after.len(), before + 3);
    assert_eq!(after[before]["properties"]["name"], "人民路充电站");
    assert_eq!(after[before + 1]["properties"]["name"], "东门<非机动车棚>");
}
