//! `wardgis join` and `wardgis grid` on the demo, checked against GDAL's own SQLite dialect
//! (SpatiaLite's `ST_Within` and geodesic `ST_Area(geom, 1)`) on the same file.

mod common;
use std::collections::BTreeMap;

use common::*;

/// The point layers of the catalog that carry joined community, subdistrict and grid fields.
const POINT_LAYERS: [&str; 7] = ["billboards", "chargers", "bike_stations", "drying_areas", "waste_points", "parking", "responsibility_units"];

/// Runs a SQL query through GDAL's SQLite dialect and returns the CSV rows (header first).
fn gdal_rows(project: &str, sql: &str) -> Vec<Vec<String>> {
    let o = ok(gdal("ogr2ogr", &["-f", "CSV", "/vsistdout/", project, "-dialect", "SQLITE", "-sql", sql]));
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(o.stdout.as_slice());
    reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

fn json(o: std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&ok(o).stdout).unwrap()
}

#[test]
fn join_agrees_with_gdal_st_within_feature_by_feature() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    json(wardgis(&["grid", p, "--cell", "100", "--json"]));
    let mut compared = 0;
    for layer in POINT_LAYERS {
        let r = json(wardgis(&["join", p, layer, "--to", "communities,subdistricts,grid_cells", "--json"]));
        for t in r["targets"].as_array().unwrap() {
            assert!(t["on_boundary"].as_array().unwrap().is_empty(), "{layer}: the demo has no feature on a boundary: {t}");
        }
        // For each feature: what wardgis wrote, and what ST_Within finds (the lowest fid, as
        // wardgis decides where zones overlap).
        let within = |zones: &str, column: &str| {
            format!("(SELECT z.{column} FROM {zones} z WHERE ST_Within(f.geom, z.geom) ORDER BY z.fid LIMIT 1)")
        };
        let sql = format!(
            "SELECT CAST(f.fid AS TEXT) AS feature, f.community AS ours_c, {} AS gdal_c, f.subdistrict AS ours_s, {} AS gdal_s, f.grid_code AS ours_g, {} AS gdal_g FROM {layer} f ORDER BY f.fid",
            within("communities", "name"),
            within("subdistricts", "name"),
            within("grid_cells", "code"),
        );
        let rows = gdal_rows(p, &sql);
        assert!(rows.len() > 1, "{layer}: no rows");
        for row in &rows[1..] {
            assert_eq!(row.len(), 7, "{row:?}");
            for k in [1, 3, 5] {
                assert_eq!(row[k], row[k + 1], "{layer} fid {}: wardgis `{}`, GDAL ST_Within `{}` ({})", row[0], row[k], row[k + 1], rows[0][k]);
            }
            compared += 1;
        }
        // Features in no community are exactly those the report lists.
        let outside: Vec<i64> = r["targets"][0]["outside"].as_array().unwrap().iter().map(|u| u["fid"].as_i64().unwrap()).collect();
        let gdal_outside: Vec<i64> = rows[1..].iter().filter(|r| r[2].is_empty()).map(|r| r[0].parse().unwrap()).collect();
        assert_eq!(outside, gdal_outside, "{layer}");
    }
    assert!(compared > 1000, "{compared} features compared");
    eprintln!("join: {compared} features of {} layers agree with ST_Within on community, subdistrict and grid cell", POINT_LAYERS.len());
}

#[test]
fn grid_codes_and_areas_check_out_with_gdal() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let r = json(wardgis(&["grid", p, "--cell", "100", "--json"]));
    let n = r["cells"].as_u64().unwrap() as usize;
    assert!(n > 100, "{r}");
    // Codes: 15 digits, unique, beginning with the cell's community's code, which begins with
    // its subdistrict's code.
    let rows = gdal_rows(
        p,
        "SELECT g.code AS cell, c.code AS community, s.code AS subdistrict FROM grid_cells g \
         JOIN communities c ON c.name = g.community JOIN subdistricts s ON s.name = g.subdistrict AND s.name = c.subdistrict",
    );
    assert_eq!(rows.len() - 1, n, "every cell matches its community and subdistrict by name");
    let mut codes = std::collections::BTreeSet::new();
    for row in &rows[1..] {
        let (code, community, subdistrict) = (&row[0], &row[1], &row[2]);
        assert!(code.len() == 15 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        assert!(code.starts_with(community.as_str()) && community.starts_with(subdistrict.as_str()), "{row:?}");
        assert!(codes.insert(code.clone()), "{code} twice");
    }
    // Every 10th cell's stored area (Karney's geodesic area, to the cm²) agrees with
    // SpatiaLite's spheroidal area (librttopo), which differs by up to about 0.013 m² on the
    // demo. (SpatiaLite takes ~25 ms a call here, looking for a spatial_ref_sys table that a
    // GeoPackage does not have, so not all 2 000.)
    let rows = gdal_rows(p, "SELECT code AS cell, area_m2 AS ours, ST_Area(geom, 1) AS spatialite FROM grid_cells WHERE fid % 10 = 0");
    assert!(rows.len() > n / 10 - 2, "{} rows", rows.len());
    for row in &rows[1..] {
        let (ours, theirs): (f64, f64) = (row[1].parse().unwrap(), row[2].parse().unwrap());
        assert!((ours - theirs).abs() <= 0.02 + theirs * 1e-6, "{}: {ours} vs {theirs}", row[0]);
    }
    // No gaps: the union of the cells has the communities' area (SpatiaLite, within 0.1 %).
    // No overlaps: the cells' areas add up to their union's.
    let totals = gdal_rows(
        p,
        "SELECT (SELECT SUM(area_m2) FROM grid_cells) AS stored, (SELECT ST_Area(ST_Union(geom), 1) FROM grid_cells) AS cells, \
         (SELECT ST_Area(ST_Union(geom), 1) FROM communities) AS communities",
    );
    let [stored, cells, communities]: [f64; 3] = std::array::from_fn(|i| totals[1][i].parse().unwrap());
    assert!((cells - communities).abs() < communities * 1e-3, "cells {cells} m², communities {communities} m²");
    assert!((stored - cells).abs() < cells * 1e-6, "sum {stored} m², union {cells} m²");
    assert!((r["cells_area_m2"].as_f64().unwrap() - cells).abs() < cells * 1e-6, "{r}");
    eprintln!("grid: {n} cells; area: wardgis {stored} m², SpatiaLite union of cells {cells} m², of communities {communities} m²");
}

#[test]
fn grid_again_replaces_and_undo_restores_and_the_cell_size_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let first = json(wardgis(&["grid", p, "--cell", "200", "--json"]));
    let second = json(wardgis(&["grid", p, "--cell", "150", "--json"]));
    assert_eq!(second["replaced"], first["cells"]);
    let history = stdout(&ok(wardgis(&["history", p, "--limit", "1"])));
    assert!(history.contains("grid") && history.contains("grid_cells"), "{history}");
    ok(wardgis(&["undo", p]));
    let layers: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&["layers", p, "--json"])))).unwrap();
    let count = layers.as_array().unwrap().iter().find(|l| l["layer"] == "grid_cells").unwrap()["count"].clone();
    assert_eq!(count, first["cells"]);
    for bad in ["0", "5", "3000", "abc"] {
        let o = wardgis(&["grid", p, "--cell", bad]);
        assert_eq!(o.status.code(), Some(2), "--cell {bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("--cell"), "{}", stderr(&o));
    }
}

#[test]
fn join_text_output_lists_the_features_in_no_polygon_and_undo_takes_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    // A charger far outside the district.
    let csv = dir.path().join("far.csv");
    std::fs::write(&csv, "name,vehicle_type,ports,lng,lat\n远郊充电桩,car,2,119.95,31.50\n").unwrap();
    ok(wardgis(&["import", p, "chargers", csv.to_str().unwrap()]));
    let out = stdout(&ok(wardgis(&["join", p, "chargers", "--to", "communities"])));
    assert!(out.contains("join `chargers` to communities"), "{out}");
    let line = out.lines().find(|l| l.starts_with("in no communities")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("远郊充电桩"), "{out}");
    let before: BTreeMap<String, String> = community_column(p);
    assert!(before.values().filter(|v| !v.is_empty()).count() > 100);
    ok(wardgis(&["undo", p]));
    assert!(community_column(p).values().all(|v| v.is_empty()), "undo emptied the joined field again");
    let o = wardgis(&["join", p, "chargers", "--to", "blocks"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no field filled from `blocks`"), "{}", stderr(&o));
}

fn community_column(p: &str) -> BTreeMap<String, String> {
    gdal_rows(p, "SELECT CAST(fid AS TEXT) AS feature, community FROM chargers")[1..].iter().map(|r| (r[0].clone(), r[1].clone())).collect()
}
