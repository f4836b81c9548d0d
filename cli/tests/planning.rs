//! `wardgis zone` and `wardgis plan` on the demo, read back with the tools a planner would
//! open the files with: ogrinfo for exported zones and gap layers, pdftotext / pdffonts /
//! gdalinfo for the report PDF, openpyxl for the workbook; the suggested sites' coverage is
//! recomputed here from GDAL's coordinates with an independent geodesic formula.

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("cannot run `{tool}` ({e}); install Debian's poppler-utils (scripts/install-deps.sh does)"));
    assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read_xlsx(path: &Path) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/read_xlsx.py");
    let o = Command::new("python3").arg(&script).arg(path).output().expect("run python3 (scripts/install-deps.sh installs openpyxl)");
    assert!(o.status.success(), "read_xlsx.py failed (is openpyxl installed? scripts/install-deps.sh): {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

const ZONE_WKT: &str = "POLYGON((119.815 31.355,119.835 31.355,119.835 31.372,119.815 31.372,119.815 31.355))";

fn with_zone(dir: &Path) -> String {
    let p = demo_copy(dir);
    let p = p.to_str().unwrap().to_owned();
    ok(wardgis(&["zone", "add", &p, "--name", "城中充电桩试点", "--theme", "充电桩试点", "--author", "规划科", "--wkt", ZONE_WKT]));
    p
}

#[test]
fn zones_are_added_listed_exported_removed_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let p = with_zone(dir.path());
    ok(wardgis(&["zone", "add", &p, "--name", "袁桥晾晒试点", "--theme", "晾晒区试点", "--status", "approved", "--from", "communities:袁桥社区"]));
    let again = wardgis(&["zone", "add", &p, "--name", "袁桥晾晒试点", "--theme", "x", "--wkt", ZONE_WKT]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("exists"), "{}", stderr(&again));
    let list = stdout(&ok(wardgis(&["zone", "list", &p])));
    assert!(list.contains("城中充电桩试点") && list.contains("袁桥晾晒试点") && list.contains("approved"), "{list}");

    // Exported, GDAL reads the zones with their fields.
    let out = dir.path().join("zones.gpkg");
    ok(wardgis(&["zone", "export", &p, out.to_str().unwrap()]));
    let info = stdout(&ok(gdal("ogrinfo", &["-al", "-so", out.to_str().unwrap()])));
    assert!(info.contains("Feature Count: 2") && info.contains("theme") && info.contains("status"), "{info}");
    // QGIS opens the project's own layer as it is.
    let zones = gdal_features(Path::new(&p), &["-sql", "SELECT name, theme, status, author FROM pilot_zones ORDER BY name"]);
    assert_eq!(zones.len(), 2);
    assert_eq!(zones[0]["properties"]["author"], "规划科");

    ok(wardgis(&["zone", "rename", &p, "城中充电桩试点", "城中试点"]));
    ok(wardgis(&["zone", "remove", &p, "袁桥晾晒试点"]));
    assert!(!stdout(&ok(wardgis(&["zone", "list", &p]))).contains("袁桥晾晒试点"));
    ok(wardgis(&["undo", &p]));
    ok(wardgis(&["undo", &p]));
    let list = stdout(&ok(wardgis(&["zone", "list", &p])));
    assert!(list.contains("袁桥晾晒试点") && list.contains("城中充电桩试点"), "{list}");
    let missing = wardgis(&["plan", "report", &p, "--zone", "没有"]);
    assert!(stderr(&missing).contains("the zones are: 城中充电桩试点, 袁桥晾晒试点"), "{}", stderr(&missing));
}

#[test]
fn the_zone_report_pdf_and_workbook_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let p = with_zone(dir.path());
    ok(wardgis(&["plan", "suggest", &p, "--kind", "drying_areas", "--n", "2", "--zone", "城中充电桩试点", "--candidates", "lattice:80", "--keep-existing", "--save-as", "晾晒方案甲", "--unit-cost", "2.5"]));
    let pdf = dir.path().join("report.pdf");
    ok(wardgis(&["plan", "report", &p, "--zone", "城中充电桩试点", "--out", pdf.to_str().unwrap()]));
    let text = poppler("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("试点片区报告：城中充电桩试点"), "{text}");
    assert!(text.contains("设施服务覆盖率") && text.contains("覆盖率") && text.contains("充电桩") && text.contains("便民晾晒区"), "{text}");
    assert!(text.contains("方案比较") && text.contains("晾晒方案甲"), "{text}");
    assert!(text.contains("演示数据"), "generated demand is said to be generated");
    // The coverage table's chargers row holds the share the JSON report gives.
    let json: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&["plan", "report", &p, "--zone", "城中充电桩试点", "--json"])))).unwrap();
    let chargers = json["coverage"].as_array().unwrap().iter().find(|c| c["layer"] == "chargers").unwrap();
    let share = format!("{:.1}%", 100.0 * chargers["share"].as_f64().unwrap());
    let row = text.lines().find(|l| l.trim_start().starts_with("充电桩") && l.contains('%')).expect("a chargers row");
    assert!(row.contains(&share), "{row} lacks {share}");
    let fonts = poppler("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(fonts.contains("NotoSansCJK") && fonts.contains(" yes "), "{fonts}");
    let info = stdout(&ok(gdal("gdalinfo", &[pdf.to_str().unwrap()])));
    assert!(info.contains("GEOGCRS") || info.contains("WGS 84"), "the map is georeferenced: {info}");

    let xlsx = dir.path().join("report.xlsx");
    ok(wardgis(&["plan", "report", &p, "--zone", "城中充电桩试点", "--demand", "blocks:households", "--out", xlsx.to_str().unwrap()]));
    let book = read_xlsx(&xlsx);
    assert_eq!(book["sheetnames"], serde_json::json!(["概况 Summary", "图层 Layers", "覆盖 Coverage", "未覆盖 Uncovered", "方案 Scenarios"]));
    let coverage = book["sheets"]["覆盖 Coverage"]["rows"].as_array().unwrap();
    let row = coverage.iter().find(|r| r[0] == "chargers").unwrap();
    assert!(row[6].as_f64().unwrap() > 0.0 && row[6].as_f64().unwrap() <= 1.0);
    let scenarios = book["sheets"]["方案 Scenarios"]["rows"].as_array().unwrap();
    assert_eq!(scenarios[1][0], "晾晒方案甲");
    assert_eq!(scenarios[1][6].as_f64(), Some(5.0), "two sites at 2.5 each");
}

#[test]
fn suggested_sites_cover_what_an_independent_count_says() {
    let dir = tempfile::tempdir().unwrap();
    let p = with_zone(dir.path());
    let out = ok(wardgis(&[
        "plan", "suggest", &p, "--kind", "chargers", "--n", "3", "--zone", "城中充电桩试点", "--demand", "responsibility_units", "--radius", "120",
        "--distance", "straight", "--keep-existing",
    ]));
    let line = stderr(&out);
    assert!(line.contains("before") && line.contains("after") && line.contains("upper bound"), "{line}");
    let collection: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let sites = collection["features"].as_array().unwrap();
    assert_eq!(sites.len(), 3);
    let summary = &collection["summary"];
    let (before, after, bound) = (summary["before"].as_f64().unwrap(), summary["after"].as_f64().unwrap(), summary["upper_bound"].as_f64().unwrap());
    assert!(before < after && after <= bound + 1e-9, "{summary}");
    let gained: f64 = sites.iter().map(|s| s["properties"]["newly_covered"].as_f64().unwrap()).sum();
    assert!((gained - (after - before)).abs() < 1e-6);
    assert!(sites.iter().all(|s| s["properties"]["candidate_layer"] == "parking"));

    // Recount from GDAL's coordinates with Vincenty: units in the zone within 120 m of a
    // charger or a suggested site.
    let (w, s, e, n) = (119.815, 31.355, 119.835, 31.372);
    let inside = |x: f64, y: f64| x >= w && x <= e && y >= s && y <= n;
    let units: Vec<(f64, f64)> = gdal_points(Path::new(&p), "responsibility_units").into_iter().map(|(_, _, x, y)| (x, y)).filter(|(x, y)| inside(*x, *y)).collect();
    let mut facilities: Vec<(f64, f64)> = gdal_points(Path::new(&p), "chargers").into_iter().map(|(_, _, x, y)| (x, y)).collect();
    let count = |facilities: &[(f64, f64)]| units.iter().filter(|u| facilities.iter().any(|f| vincenty_m(u.0, u.1, f.0, f.1) <= 120.0)).count() as f64;
    assert_eq!(count(&facilities), before);
    facilities.extend(sites.iter().map(|s| {
        let c = &s["geometry"]["coordinates"];
        (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
    }));
    assert_eq!(count(&facilities), after);
    assert_eq!(summary["demand_total"].as_f64().unwrap(), units.len() as f64);

    // The fewest sites for a share.
    let out = ok(wardgis(&["plan", "suggest", &p, "--kind", "chargers", "--cover", "95%", "--zone", "城中充电桩试点", "--demand", "responsibility_units", "--radius", "120", "--keep-existing"]));
    let collection: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let cover = &collection["summary"]["cover"];
    assert_eq!(cover["target"].as_f64(), Some(0.95));
    if cover["reached"] == true {
        let s = &collection["summary"];
        assert!(s["after"].as_f64().unwrap() >= 0.95 * s["demand_total"].as_f64().unwrap() - 1e-9, "{s}");
        assert!(cover["fewest_possible"].as_u64().unwrap() <= collection["features"].as_array().unwrap().len() as u64);
    }
    let bad = wardgis(&["plan", "suggest", &p, "--kind", "chargers", "--cover", "150%"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn the_gap_layer_exports_polygons_gdal_reads() {
    let dir = tempfile::tempdir().unwrap();
    let p = demo_copy(dir.path());
    let out = dir.path().join("gaps.gpkg");
    let o = ok(wardgis(&["plan", "gaps", p.to_str().unwrap(), "--kind", "drying_areas", "--demand", "blocks:households", "--out", out.to_str().unwrap()]));
    assert!(stderr(&o).contains("straight-line"), "{}", stderr(&o));
    let info = stdout(&ok(gdal("ogrinfo", &["-al", "-so", out.to_str().unwrap()])));
    assert!(info.contains("Multi Polygon") && info.contains("gap_m2") && info.contains("gap_share"), "{info}");
    let features = gdal_features(&out, &["-sql", "SELECT name, gap_m2, gap_share, distance FROM coverage_gaps"]);
    assert!(!features.is_empty());
    for f in &features {
        let share = f["properties"]["gap_share"].as_f64().unwrap();
        assert!(share > 0.0 && share <= 1.0 && f["properties"]["distance"] == "straight");
    }
}
