//! The project file is a GeoPackage that GDAL reads and writes as it is.

mod common;
use common::*;

/// The catalog's layers and geometry types, as GDAL names them, with the minimum counts
/// that the demo district promises.
const LAYERS: &[(&str, &str, u64)] = &[
    ("billboards", "Point", 300),
    ("chargers", "Point", 150),
    ("bike_stations", "Point", 60),
    ("drying_areas", "Point", 40),
    ("waste_points", "Point", 30),
    ("responsibility_units", "Point", 500),
    ("schools", "Polygon", 20),
    ("communities", "Multi Polygon", 12),
    ("subdistricts", "Multi Polygon", 2),
    ("smart_streets", "Polygon", 2),
    ("parking", "Point", 1),
    ("markets", "Polygon", 1),
    ("roads", "Line String", 1),
    ("water", "Polygon", 1),
    ("blocks", "Polygon", 1),
    // Empty until `wardgis grid` makes it.
    ("grid_cells", "Multi Polygon", 0),
];

fn feature_count(info: &str) -> u64 {
    info.lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no feature count in:\n{info}"))
}

#[test]
fn ogrinfo_lists_every_layer_with_its_geometry_type() {
    let d = demo_project().to_str().unwrap();
    let listing = stdout(&ok(gdal("ogrinfo", &["-ro", "-q", d])));
    for (layer, geometry, _) in LAYERS {
        let line = format!(": {layer} ({geometry})");
        assert!(listing.contains(&line), "`{line}` not in:\n{listing}");
    }
}

#[test]
fn ogrinfo_counts_equal_wardgis_counts_and_the_demo_minimums() {
    let d = demo_project().to_str().unwrap();
    let ours: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&["layers", d, "--json"])))).unwrap();
    for (layer, geometry, min) in LAYERS {
        let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-so", d, layer])));
        let n = feature_count(&info);
        assert!(n >= *min, "{layer}: {n} < {min}");
        assert!(info.contains(&format!("Geometry: {geometry}")), "{layer}:\n{info}");
        assert!(info.contains("EPSG\",4326") || info.contains("WGS 84"), "{layer} not in WGS84:\n{info}");
        let row = ours.as_array().unwrap().iter().find(|r| r["layer"] == *layer).unwrap();
        assert_eq!(row["count"].as_u64(), Some(n), "{layer}");
    }
}

#[test]
fn gdal_reads_typed_attributes_and_the_synthetic_label() {
    let d = demo_project().to_str().unwrap();
    let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-so", d, "billboards"])));
    for field in ["name: String", "source: String", "type: String", "face_area_m2: Real", "large: Integer(Boolean)", "last_safety_inspection: Date"] {
        assert!(info.contains(field), "`{field}` not in:\n{info}");
    }
    let one = stdout(&ok(gdal("ogrinfo", &["-ro", "-q", d, "chargers", "-where", "fid = 1"])));
    assert!(one.contains("source (String) = synthetic-demo"), "{one}");
    assert!(one.contains("POINT (119.") || one.contains("POINT (12"), "{one}");
}

#[test]
fn a_feature_appended_by_ogr2ogr_is_seen_by_wardgis() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let src = dir.path().join("new.geojson");
    std::fs::write(
        &src,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":
        {"name":"GDAL追加充电桩","source":"ogr2ogr","vehicle_type":"car","ports":4,"scan_to_pay":1},
        "geometry":{"type":"Point","coordinates":[119.87654,31.41234]}}]}"#,
    )
    .unwrap();
    ok(gdal("ogr2ogr", &["-append", "-nln", "chargers", p, src.to_str().unwrap()]));
    let out = stdout(&ok(wardgis(&["query", p, "chargers", "--near", "119.87654,31.41234", "--k", "1"])));
    let fc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &fc["features"][0];
    assert_eq!(f["properties"]["name"], "GDAL追加充电桩");
    assert_eq!(f["properties"]["ports"], 4);
    assert!(f["properties"]["distance_m"].as_f64().unwrap() < 0.01);
    // And wardgis can write to the file GDAL touched (the R-tree triggers need our SQL functions).
    let csv = dir.path().join("more.csv");
    std::fs::write(&csv, "名称,经度,纬度,vehicle_type,ports\n新充电桩,119.8,31.3,car,2\n").unwrap();
    ok(wardgis(&["import", p, "chargers", csv.to_str().unwrap()]));
    let check = stdout(&ok(gdal("ogrinfo", &["-ro", "-q", p, "chargers", "-spat", "119.79", "31.29", "119.81", "31.31"])));
    assert!(check.contains("新充电桩"), "{check}");
}
