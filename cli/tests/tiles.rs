//! `wardgis tile` on the demo project, decoded by an independent decoder (Python's
//! `mapbox-vector-tile`, through tests/decode_mvt.py) and checked against GDAL's reading of
//! the project and the slippy-map formulas computed here.

mod common;
use common::*;

use std::f64::consts::PI;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const CENTRE: (f64, f64) = (119.82, 31.36);

/// The tile holding `lon`, `lat` at zoom `z`, by the slippy-map formulas of the OpenStreetMap
/// wiki (written out here, not taken from wardgis).
fn slippy_tile(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = 2f64.powi(z as i32);
    let phi = lat.to_radians();
    let x = (lon + 180.0) / 360.0 * n;
    let y = (1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / PI) / 2.0 * n;
    (x.floor() as u32, y.floor() as u32)
}

/// The tile's west, south, east and north edges in degrees.
fn slippy_bounds(z: u8, x: u32, y: u32) -> (f64, f64, f64, f64) {
    let n = 2f64.powi(z as i32);
    let lon = |x: f64| x / n * 360.0 - 180.0;
    let lat = |y: f64| (PI * (1.0 - 2.0 * y / n)).sinh().atan().to_degrees();
    (lon(x as f64), lat(y as f64 + 1.0), lon(x as f64 + 1.0), lat(y as f64))
}

/// A place in the tile's own units (0..4096, y down).
fn tile_units(lon: f64, lat: f64, z: u8, x: u32, y: u32) -> (f64, f64) {
    let n = 2f64.powi(z as i32);
    let phi = lat.to_radians();
    let wx = (lon + 180.0) / 360.0 * n;
    let wy = (1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / PI) / 2.0 * n;
    ((wx - x as f64) * 4096.0, (wy - y as f64) * 4096.0)
}

/// Runs `wardgis tile` and decodes its stdout with tests/decode_mvt.py.
fn decoded_tile(project: &Path, layer: &str, z: u8, x: u32, y: u32) -> (Vec<u8>, Value) {
    let out = ok(wardgis(&["tile", project.to_str().unwrap(), layer, &z.to_string(), &x.to_string(), &y.to_string()]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.mvt");
    std::fs::write(&file, &out.stdout).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decode_mvt.py");
    let py = Command::new("python3")
        .arg(&script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); scripts/install-deps.sh installs what the tests need"));
    assert!(
        py.status.success(),
        "decode_mvt.py failed (is `mapbox-vector-tile` installed? scripts/install-deps.sh installs it):\n{}",
        stderr(&py)
    );
    (out.stdout, serde_json::from_slice(&py.stdout).expect("decode_mvt.py prints JSON"))
}

/// Each feature's fid by name, as GDAL reads the layer (`-preserve_fid` writes it as the
/// GeoJSON feature's id).
fn gdal_fids(project: &Path, layer: &str) -> std::collections::BTreeMap<String, i64> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fids.geojson");
    ok(gdal("ogr2ogr", &["-f", "GeoJSON", "-preserve_fid", out.to_str().unwrap(), project.to_str().unwrap(), layer]));
    let fc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["properties"]["name"].as_str().unwrap().to_owned(), f["id"].as_i64().unwrap()))
        .collect()
}

fn features<'a>(decoded: &'a Value, layer: &str) -> &'a Vec<Value> {
    let l = &decoded["layers"][layer];
    assert_eq!(l["extent"], 4096, "{layer}");
    assert_eq!(l["version"], 2, "{layer}");
    l["features"].as_array().unwrap_or_else(|| panic!("no layer `{layer}` in {decoded}"))
}

/// Twice the signed area of a ring by the MVT spec's surveyor's formula (tile units, y down).
fn shoelace(ring: &Value) -> f64 {
    let pts: Vec<(f64, f64)> =
        ring.as_array().unwrap().iter().map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())).collect();
    (0..pts.len()).map(|i| {
        let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
        a.0 * b.1 - b.0 * a.1
    }).sum()
}

#[test]
fn chargers_tile_holds_exactly_the_chargers_in_it() {
    let d = demo_project();
    let z = 14;
    let (x, y) = slippy_tile(CENTRE.0, CENTRE.1, z);
    let (w, s, e, n) = slippy_bounds(z, x, y);
    let want: Vec<(i64, String, f64, f64)> = gdal_points(d, "chargers")
        .into_iter()
        .filter(|(_, _, lon, lat)| *lon >= w && *lon < e && *lat > s && *lat <= n)
        .collect();
    assert!(want.len() >= 10, "the town-centre tile should hold many chargers; {} do", want.len());

    let (_, decoded) = decoded_tile(d, "chargers", z, x, y);
    let got = features(&decoded, "chargers");
    let mut got_names: Vec<&str> = got.iter().map(|f| f["properties"]["name"].as_str().unwrap()).collect();
    let mut want_names: Vec<&str> = want.iter().map(|w| w.1.as_str()).collect();
    got_names.sort_unstable();
    want_names.sort_unstable();
    assert_eq!(got_names, want_names, "exactly the chargers inside the tile's bounds");

    let fids = gdal_fids(d, "chargers");
    for f in got {
        let name = f["properties"]["name"].as_str().unwrap();
        let (_, _, lon, lat) = want.iter().find(|w| w.1 == name).unwrap();
        assert_eq!(f["type"], "Point");
        let (tx, ty) = tile_units(*lon, *lat, z, x, y);
        let (gx, gy) = (f["coordinates"][0].as_f64().unwrap(), f["coordinates"][1].as_f64().unwrap());
        assert!((gx - tx).abs() <= 16.0 && (gy - ty).abs() <= 16.0, "{name}: at ({gx}, {gy}), truly ({tx:.1}, {ty:.1})");
        assert_eq!(f["id"].as_i64(), Some(fids[name]), "{name}: the feature id is its fid");
        // Attributes as typed tags.
        assert_eq!(f["properties"]["source"], "synthetic-demo");
        assert_eq!(f["tag_types"]["name"], "string_value");
        assert_eq!(f["tag_types"]["vehicle_type"], "string_value");
        assert!(matches!(f["properties"]["vehicle_type"].as_str(), Some("car" | "ebike")));
        assert_eq!(f["tag_types"]["ports"], "sint_value");
        assert!(f["properties"]["ports"].as_i64().unwrap() > 0);
        if !f["properties"]["scan_to_pay"].is_null() {
            assert_eq!(f["tag_types"]["scan_to_pay"], "bool_value");
        }
    }
}

#[test]
fn roads_tile_has_classed_lines_and_blocks_tile_has_wound_polygons() {
    let d = demo_project();
    let z = 14;
    let (x, y) = slippy_tile(CENTRE.0, CENTRE.1, z);
    let in_buffer = |c: &Value| (-64.0..=4160.0).contains(&c[0].as_f64().unwrap()) && (-64.0..=4160.0).contains(&c[1].as_f64().unwrap());

    let (_, decoded) = decoded_tile(d, "roads", z, x, y);
    let roads = features(&decoded, "roads");
    assert!(roads.len() >= 10, "{} roads", roads.len());
    for r in roads {
        assert!(matches!(r["type"].as_str(), Some("LineString" | "MultiLineString")), "{}", r["type"]);
        assert_eq!(r["tag_types"]["class"], "string_value");
        assert!(matches!(r["properties"]["class"].as_str(), Some("main" | "secondary" | "branch" | "pedestrian")));
        let lines: Vec<&Value> = if r["type"] == "LineString" {
            vec![&r["coordinates"]]
        } else {
            r["coordinates"].as_array().unwrap().iter().collect()
        };
        for line in lines {
            assert!(line.as_array().unwrap().len() >= 2);
            assert!(line.as_array().unwrap().iter().all(in_buffer), "clipped to the tile plus its buffer");
        }
    }
    let classes: std::collections::BTreeSet<&str> = roads.iter().map(|r| r["properties"]["class"].as_str().unwrap()).collect();
    assert!(classes.len() >= 2, "{classes:?}");

    let (_, decoded) = decoded_tile(d, "blocks", z, x, y);
    let blocks = features(&decoded, "blocks");
    assert!(blocks.len() >= 10, "{} blocks", blocks.len());
    for b in blocks {
        assert_eq!(b["tag_types"]["landuse"], "string_value");
        let polygons: Vec<&Value> = match b["type"].as_str() {
            Some("Polygon") => vec![&b["coordinates"]],
            Some("MultiPolygon") => b["coordinates"].as_array().unwrap().iter().collect(),
            other => panic!("{other:?}"),
        };
        for rings in polygons {
            let rings = rings.as_array().unwrap();
            assert!(shoelace(&rings[0]) > 0.0, "exterior rings have positive area (MVT 2.1, 4.3.4.4)");
            assert!(rings[1..].iter().all(|r| shoelace(r) < 0.0), "holes have negative area");
            assert!(rings.iter().all(|r| r.as_array().unwrap().iter().all(in_buffer)));
        }
    }
}

#[test]
fn empty_tiles_and_bad_requests() {
    let d = demo_project();
    let p = d.to_str().unwrap();
    // Far from the district: nothing there, zero bytes, success.
    let (x, y) = slippy_tile(10.0, 50.0, 14);
    let (bytes, decoded) = decoded_tile(d, "chargers", 14, x, y);
    assert!(bytes.is_empty());
    assert_eq!(decoded["layers"], serde_json::json!({}));

    let o = wardgis(&["tile", p, "nope", "14", "1", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown layer `nope`"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());

    let o = wardgis(&["tile", p, "chargers", "23", "0", "0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("0..=22"), "{}", stderr(&o));

    let o = wardgis(&["tile", p, "chargers", "14", "16384", "0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("0..=16383"), "{}", stderr(&o));

    let o = wardgis(&["tile", p, "chargers", "3", "0", "8"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("0..=7"), "{}", stderr(&o));
}
