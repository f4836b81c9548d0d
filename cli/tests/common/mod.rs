//! Helpers for CLI tests: run the real `wardgis` binary and GDAL's tools on real files.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn wardgis(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wardgis")).args(args).output().expect("run wardgis")
}

/// Runs a GDAL tool; fails the test with an install hint if GDAL is missing.
pub fn gdal(tool: &str, args: &[&str]) -> Output {
    Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{tool}` ({e}); install Debian's gdal-bin (scripts/install-deps.sh does)"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn ok(o: Output) -> Output {
    assert!(o.status.success(), "failed: {}\n{}", stderr(&o), stdout(&o));
    o
}

/// A demo project made once per test binary; tests that change it copy it first.
pub fn demo_project() -> &'static Path {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.gpkg");
        ok(wardgis(&["demo", path.to_str().unwrap()]));
        (dir, path)
    });
    path
}

/// A private copy of the demo project.
pub fn demo_copy(dir: &Path) -> PathBuf {
    let p = dir.join("copy.gpkg");
    std::fs::copy(demo_project(), &p).unwrap();
    p
}

/// Geodesic distance on WGS84 by Vincenty's inverse formula: an algorithm independent of
/// the one wardgis uses (Karney's), agreeing with it to well under a millimetre here.
pub fn vincenty_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (a, f) = (6_378_137.0_f64, 1.0 / 298.257_223_563);
    let b = a * (1.0 - f);
    let l = (lon2 - lon1).to_radians();
    let u1 = ((1.0 - f) * lat1.to_radians().tan()).atan();
    let u2 = ((1.0 - f) * lat2.to_radians().tan()).atan();
    let (su1, cu1, su2, cu2) = (u1.sin(), u1.cos(), u2.sin(), u2.cos());
    let mut lambda = l;
    for _ in 0..200 {
        let (sl, cl) = (lambda.sin(), lambda.cos());
        let sin_sigma = ((cu2 * sl).powi(2) + (cu1 * su2 - su1 * cu2 * cl).powi(2)).sqrt();
        if sin_sigma == 0.0 {
            return 0.0;
        }
        let cos_sigma = su1 * su2 + cu1 * cu2 * cl;
        let sigma = sin_sigma.atan2(cos_sigma);
        let sin_alpha = cu1 * cu2 * sl / sin_sigma;
        let cos2_alpha = 1.0 - sin_alpha * sin_alpha;
        let cos_2sm = if cos2_alpha == 0.0 { 0.0 } else { cos_sigma - 2.0 * su1 * su2 / cos2_alpha };
        let c = f / 16.0 * cos2_alpha * (4.0 + f * (4.0 - 3.0 * cos2_alpha));
        let prev = lambda;
        lambda = l + (1.0 - c) * f * sin_alpha * (sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)));
        if (lambda - prev).abs() < 1e-13 {
            let u_sq = cos2_alpha * (a * a - b * b) / (b * b);
            let big_a = 1.0 + u_sq / 16384.0 * (4096.0 + u_sq * (-768.0 + u_sq * (320.0 - 175.0 * u_sq)));
            let big_b = u_sq / 1024.0 * (256.0 + u_sq * (-128.0 + u_sq * (74.0 - 47.0 * u_sq)));
            let ds = big_b * sin_sigma * (cos_2sm + big_b / 4.0 * (cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)
                - big_b / 6.0 * cos_2sm * (-3.0 + 4.0 * sin_sigma * sin_sigma) * (-3.0 + 4.0 * cos_2sm * cos_2sm)));
            return b * big_a * (sigma - ds);
        }
    }
    panic!("Vincenty did not converge");
}

/// The GeoJSON features GDAL's `ogr2ogr` writes from a project, for a layer or `-sql` query
/// given as the trailing arguments: an independent reading of what wardgis wrote.
pub fn gdal_features(project: &Path, source: &[&str]) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.geojson");
    let mut args = vec!["-f", "GeoJSON", out.to_str().unwrap(), project.to_str().unwrap()];
    args.extend_from_slice(source);
    ok(gdal("ogr2ogr", &args));
    let fc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    fc["features"].as_array().cloned().unwrap_or_default()
}

/// All features of a layer as GDAL reads them: (fid, name, lon, lat) for a point layer.
pub fn gdal_points(project: &Path, layer: &str) -> Vec<(i64, String, f64, f64)> {
    gdal_features(project, &[layer])
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            (
                f["properties"]["fid"].as_i64().or(f["id"].as_i64()).unwrap_or(-1),
                f["properties"]["name"].as_str().unwrap_or("").to_owned(),
                c[0].as_f64().unwrap(),
                c[1].as_f64().unwrap(),
            )
        })
        .collect()
}

/// Fills `src` into `dst` with `fill_xlsx.py`; returns what it wrote, by site number.
pub fn fill(src: &Path, dst: &Path, skip: &str, bad: Option<&str>) -> BTreeMap<u64, serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fill_xlsx.py");
    let mut c = Command::new("python3");
    c.arg(&script).arg(src).arg(dst).arg(skip);
    if let Some(b) = bad {
        c.arg(b);
    }
    let o = c.output().expect("run python3 (scripts/install-deps.sh installs openpyxl)");
    assert!(o.status.success(), "fill_xlsx.py failed: {}", stderr(&o));
    let m: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    m.into_iter().map(|(k, v)| (k.parse().unwrap(), v)).collect()
}

/// An attribute table as GDAL reads it: one JSON object per row.
pub fn gdal_table(project: &Path, table: &str) -> Vec<serde_json::Value> {
    // GDAL takes the integer primary key `id` as the fid (not written to GeoJSON): the query
    // repeats it as `row_id`.
    let sql = format!("SELECT *, id AS row_id FROM {table}");
    gdal_features(project, &["-sql", &sql])
        .iter()
        .map(|f| {
            let mut p = f["properties"].clone();
            p["id"] = p["row_id"].clone();
            p
        })
        .collect()
}
