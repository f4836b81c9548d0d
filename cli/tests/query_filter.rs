//! `wardgis query --filter` (CQL2) against GDAL's own reading of the same file: for each
//! condition, the fids wardgis prints equal those `ogrinfo -where` lists for the condition
//! written in SQLite's SQL.

mod common;
use common::*;

/// The fids of a layer's features that `ogrinfo -where SQL` (plus optional extra arguments,
/// such as `-spat`) lists.
fn gdal_fids(project: &str, layer: &str, sql: &str, extra: &[&str]) -> Vec<i64> {
    let mut args = vec!["-ro", "-q", "-al", project, layer, "-where", sql];
    args.extend_from_slice(extra);
    let out = stdout(&ok(gdal("ogrinfo", &args)));
    let prefix = format!("OGRFeature({layer}):");
    let mut fids: Vec<i64> = out.lines().filter_map(|l| l.strip_prefix(&prefix)).map(|n| n.trim().parse().unwrap()).collect();
    fids.sort_unstable();
    fids
}

fn wardgis_fids(project: &str, layer: &str, args: &[&str]) -> Vec<i64> {
    let mut all = vec!["query", project, layer];
    all.extend_from_slice(args);
    let fc: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&all)))).unwrap();
    let mut fids: Vec<i64> = fc["features"].as_array().unwrap().iter().map(|f| f["id"].as_i64().unwrap()).collect();
    fids.sort_unstable();
    fids
}

fn layer_size(project: &str, layer: &str) -> usize {
    gdal_fids(project, layer, "1 = 1", &[]).len()
}

#[test]
fn filters_select_what_ogrinfo_where_selects() {
    let d = demo_project().to_str().unwrap();
    // (layer, CQL2, the same condition in SQLite's SQL for GDAL)
    let cases = [
        // LIKE on Chinese text, with `_` for one character.
        ("chargers", "name LIKE '%新村%充电桩_号'", "name LIKE '%新村%充电桩_号'"),
        // A number, and an enum field given by its Chinese label (GDAL sees the stored code).
        ("chargers", "ports > 4 AND vehicle_type = '机动车'", "ports > 4 AND vehicle_type = 'car'"),
        // IN on an enum's codes, BETWEEN on a real.
        (
            "billboards",
            "type IN ('led', 'roof') AND face_area_m2 BETWEEN 10 AND 40",
            "type IN ('led', 'roof') AND face_area_m2 BETWEEN 10 AND 40",
        ),
        // A date, OR, IS NULL.
        (
            "billboards",
            "last_safety_inspection < DATE('2025-06-01') OR owner IS NULL",
            "last_safety_inspection < '2025-06-01' OR owner IS NULL",
        ),
        // A yes/no field, NOT.
        ("chargers", "scan_to_pay = TRUE AND NOT (ports BETWEEN 2 AND 6)", "scan_to_pay = 1 AND NOT (ports BETWEEN 2 AND 6)"),
    ];
    for (layer, cql2, sql) in cases {
        let ours = wardgis_fids(d, layer, &["--filter", cql2]);
        let gdal = gdal_fids(d, layer, sql, &[]);
        assert_eq!(ours, gdal, "{layer}: `{cql2}` (GDAL: `{sql}`)");
        // Each case selects some but not all, so it can tell a wrong translation.
        assert!(!ours.is_empty() && ours.len() < layer_size(d, layer), "{layer}: `{cql2}` selects {} features", ours.len());
    }
}

#[test]
fn a_spatial_filter_equals_gdals_spatial_filter() {
    let d = demo_project().to_str().unwrap();
    let ours = wardgis_fids(d, "chargers", &["--filter", "S_INTERSECTS(geom, BBOX(119.81, 31.35, 119.825, 31.365)) AND ports >= 4"]);
    let gdal = gdal_fids(d, "chargers", "ports >= 4", &["-spat", "119.81", "31.35", "119.825", "31.365"]);
    assert_eq!(ours, gdal);
    assert!(!ours.is_empty() && ours.len() < layer_size(d, "chargers"));
}

#[test]
fn a_filter_narrows_a_radius_query_and_keeps_its_order() {
    let d = demo_project().to_str().unwrap();
    let near = ["--within", "119.82,31.36", "--meters", "800"];
    let all: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&[&["query", d, "chargers"][..], &near].concat())))).unwrap();
    let filtered: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(
        &[&["query", d, "chargers"][..], &near, &["--filter", "vehicle_type = 'ebike'"]].concat(),
    ))))
    .unwrap();
    let ids = |fc: &serde_json::Value, only_ebike: bool| -> Vec<i64> {
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| !only_ebike || f["properties"]["vehicle_type"] == "ebike")
            .map(|f| f["id"].as_i64().unwrap())
            .collect()
    };
    let expected = ids(&all, true);
    assert!(!expected.is_empty() && expected.len() < ids(&all, false).len());
    assert_eq!(ids(&filtered, false), expected);
    assert!(filtered["features"][0]["properties"]["distance_m"].is_number());
}

#[test]
fn a_bad_expression_exits_2_pointing_at_the_column() {
    let d = demo_project().to_str().unwrap();
    let o = wardgis(&["query", d, "billboards", "--filter", "type = 'led' AND face_area > 20"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("column 18") && err.contains("unknown field `face_area`") && err.contains("face_area_m2"), "{err}");
    assert!(err.contains(&format!("\n  {}^", " ".repeat(17))), "{err}");
    assert!(stdout(&o).is_empty());

    let o = wardgis(&["query", d, "chargers", "--filter", "vehicle_type = 'bus'"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("'car' (机动车 / Car)"), "{}", stderr(&o));
    // Neither a spatial form nor a filter: clap's usage error.
    let o = wardgis(&["query", d, "chargers"]);
    assert_eq!(o.status.code(), Some(2));
    // Two spatial forms still conflict; a spatial form and a filter do not.
    let o = wardgis(&["query", d, "chargers", "--bbox", "119,31,120,32", "--in", "x.geojson"]);
    assert_eq!(o.status.code(), Some(2));
}
