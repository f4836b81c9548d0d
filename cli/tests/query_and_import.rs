//! `wardgis query` and `wardgis import` on real files, checked against independent computation.

mod common;
use common::*;

fn fc(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).expect("query prints GeoJSON")
}

#[test]
fn near_returns_k_sorted_by_distance_equal_to_brute_force() {
    let d = demo_project();
    let out = ok(wardgis(&["query", d.to_str().unwrap(), "chargers", "--near", "119.82,31.36", "--k", "5"]));
    let got = fc(&out);
    let feats = got["features"].as_array().unwrap();
    assert_eq!(got["type"], "FeatureCollection");
    assert_eq!(feats.len(), 5);
    // Brute force over every charger as GDAL reads them, with Vincenty's formula.
    let mut all: Vec<(f64, String)> =
        gdal_points(d, "chargers").into_iter().map(|(_, n, x, y)| (vincenty_m(119.82, 31.36, x, y), n)).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut last = 0.0;
    for (f, (want_d, want_name)) in feats.iter().zip(&all) {
        let d = f["properties"]["distance_m"].as_f64().unwrap();
        assert!(d >= last, "not sorted by distance_m");
        last = d;
        assert!((d - want_d).abs() < 0.5, "{d} vs {want_d}");
        assert_eq!(f["properties"]["name"].as_str().unwrap(), want_name);
        for key in ["vehicle_type", "ports", "operator", "scan_to_pay", "source"] {
            assert!(f["properties"].as_object().unwrap().contains_key(key), "missing {key}");
        }
    }
}

#[test]
fn within_and_bbox_and_in_polygon_agree_with_brute_force() {
    let d = demo_project();
    let p = d.to_str().unwrap();
    let all = gdal_points(d, "billboards");
    let names = |v: &serde_json::Value| {
        let mut n: Vec<String> = v["features"].as_array().unwrap().iter().map(|f| f["properties"]["name"].as_str().unwrap().to_owned()).collect();
        n.sort();
        n
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let within = fc(&ok(wardgis(&["query", p, "billboards", "--within", "119.82,31.36", "--meters", "600"])));
    let want = sorted(all.iter().filter(|(_, _, x, y)| vincenty_m(119.82, 31.36, *x, *y) <= 600.0).map(|a| a.1.clone()).collect());
    assert!(!want.is_empty());
    assert_eq!(names(&within), want);

    let (w, s, e, n) = (119.81, 31.35, 119.83, 31.37);
    let bbox = fc(&ok(wardgis(&["query", p, "billboards", "--bbox", "119.81,31.35,119.83,31.37"])));
    let want = sorted(all.iter().filter(|(_, _, x, y)| *x >= w && *x <= e && *y >= s && *y <= n).map(|a| a.1.clone()).collect());
    assert_eq!(names(&bbox), want);

    let dir = tempfile::tempdir().unwrap();
    let poly = dir.path().join("zone.geojson");
    std::fs::write(&poly, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":
        {"type":"Polygon","coordinates":[[[119.81,31.35],[119.83,31.35],[119.83,31.37],[119.81,31.37],[119.81,31.35]]]}}]}"#).unwrap();
    let inside = fc(&ok(wardgis(&["query", p, "billboards", "--in", poly.to_str().unwrap()])));
    assert_eq!(names(&inside), names(&bbox));
}

#[test]
fn gbk_csv_in_gcj02_lands_within_a_metre_of_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let truth = [(119.8123, 31.3521), (119.8301, 31.3689), (119.7987, 31.3444)];
    let mut text = String::from("名称,经度,纬度,车辆类型,充电端口数,运营单位,扫码支付\n");
    for (i, (x, y)) in truth.iter().enumerate() {
        let g = wardgis::crs::wgs84_to_gcj02(geo_types::Coord { x: *x, y: *y });
        text.push_str(&format!("测试充电桩{i},{:.7},{:.7},非机动车,6,宜兴供电,是\n", g.x, g.y));
    }
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    let csv = dir.path().join("gbk.csv");
    std::fs::write(&csv, &bytes).unwrap();
    ok(wardgis(&["import", p, "chargers", csv.to_str().unwrap(), "--crs", "gcj02"]));
    let pts = gdal_points(&project, "chargers");
    for (i, (x, y)) in truth.iter().enumerate() {
        let (_, _, gx, gy) = pts.iter().find(|f| f.1 == format!("测试充电桩{i}")).expect("imported");
        let err = vincenty_m(*x, *y, *gx, *gy);
        assert!(err < 1.0, "point {i} off by {err} m");
    }
}

#[test]
fn a_bad_row_fails_naming_its_line_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let before = gdal_points(&project, "chargers").len();
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "name,lng,lat,vehicle_type,ports\nA,119.81,31.35,car,4\nB,119.82,31.36,car,four\nC,119.83,31.37,car,2\n").unwrap();
    let out = wardgis(&["import", p, "chargers", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("bad.csv:3"), "{err}");
    assert!(err.contains("ports") && err.contains("four"), "{err}");
    assert_eq!(gdal_points(&project, "chargers").len(), before, "nothing imported");

    let out = ok(wardgis(&["import", p, "chargers", csv.to_str().unwrap(), "--skip-bad"]));
    assert!(stderr(&out).contains("bad.csv:3"), "skipped rows are reported");
    assert_eq!(gdal_points(&project, "chargers").len(), before + 2);
}

#[test]
fn export_then_gdal_reads_the_same_features() {
    let dir = tempfile::tempdir().unwrap();
    let d = demo_project();
    let out = dir.path().join("chargers.geojson");
    ok(wardgis(&["export", d.to_str().unwrap(), "chargers", out.to_str().unwrap()]));
    let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-so", out.to_str().unwrap(), "chargers"])));
    assert!(info.contains(&format!("Feature Count: {}", gdal_points(d, "chargers").len())), "{info}");
    let csv = dir.path().join("chargers.csv");
    ok(wardgis(&["export", d.to_str().unwrap(), "chargers", csv.to_str().unwrap(), "--crs", "gcj02"]));
    // Re-importing the GCJ-02 export with --crs gcj02 gives back the same places.
    let project = demo_copy(dir.path());
    let n0 = gdal_points(&project, "chargers").len();
    ok(wardgis(&["import", project.to_str().unwrap(), "chargers", csv.to_str().unwrap(), "--crs", "gcj02"]));
    assert_eq!(gdal_points(&project, "chargers").len(), 2 * n0);
}

#[test]
fn undo_reverses_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let n0 = gdal_points(&project, "chargers").len();
    let csv = dir.path().join("one.csv");
    std::fs::write(&csv, "name,lon,lat,vehicle_type,ports\nX,119.81,31.35,car,4\n").unwrap();
    ok(wardgis(&["import", p, "chargers", csv.to_str().unwrap()]));
    assert_eq!(gdal_points(&project, "chargers").len(), n0 + 1);
    assert!(stdout(&ok(wardgis(&["undo", p]))).contains("import 1 feature"));
    assert_eq!(gdal_points(&project, "chargers").len(), n0);
    assert!(stdout(&ok(wardgis(&["history", p]))).contains("undone by"));
    // Redo puts the imported charger back, as GDAL reads it, and `history` lists the redo.
    assert!(stdout(&ok(wardgis(&["redo", p]))).contains("redid action"));
    let back = gdal_points(&project, "chargers");
    assert_eq!(back.len(), n0 + 1);
    assert!(back.iter().any(|(_, n, x, y)| n == "X" && (x - 119.81).abs() < 1e-9 && (y - 31.35).abs() < 1e-9));
    let history = stdout(&ok(wardgis(&["history", p, "--limit", "3"])));
    let kinds: Vec<&str> = history.lines().map(|l| l.split_whitespace().nth(2).unwrap()).collect();
    assert_eq!(kinds, ["redo", "undo", "insert"], "{history}");
    assert!(!history.contains("undone by"), "the redone import is no longer undone: {history}");
    assert_eq!(stdout(&ok(wardgis(&["redo", p]))).trim(), "nothing to redo");
    // Undo after redo takes the import back again.
    ok(wardgis(&["undo", p]));
    assert_eq!(gdal_points(&project, "chargers").len(), n0);
}

/// A value outside a catalog constraint is refused with the constraint named: a charger with
/// `ports = -5` (the catalog says `min = 1`), and nothing is imported.
#[test]
fn a_value_outside_a_catalog_constraint_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "名称,车辆类型,充电端口数,经度,纬度\r\n好站,ebike,4,119.82,31.36\r\n负站,ebike,-5,119.82,31.36\r\n").unwrap();
    let before = stdout(&ok(wardgis(&["layers", p])));
    let out = wardgis(&["import", p, "chargers", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("bad.csv:3: field `充电端口数` value `-5`") && err.contains("minimum 1") && err.contains("`min`"), "{err}");
    assert_eq!(stdout(&ok(wardgis(&["layers", p]))), before, "nothing was imported");
}
