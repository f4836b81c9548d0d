//! Every exchange format, the way the acceptance of issue 11 states it: `wardgis export` a
//! layer of the demo, read the file with GDAL (feature count and a Chinese name), `wardgis
//! import` it into a new project, and find every feature, attribute and Chinese character
//! again.

mod common;

use std::path::Path;

use common::{demo_project, gdal, ok, stdout, wardgis};
use serde_json::Value;

/// The layer's features as `wardgis query` prints them over the whole district, keyed by
/// position in fid order: properties, and coordinates rounded to 1e-7°.
fn features(project: &Path, layer: &str) -> Vec<(serde_json::Map<String, Value>, Vec<f64>)> {
    let o = ok(wardgis(&["query", project.to_str().unwrap(), layer, "--bbox=-180,-90,180,90"]));
    let fc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut out: Vec<(i64, serde_json::Map<String, Value>, Vec<f64>)> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let coords = f["geometry"]["coordinates"].as_array().unwrap().iter().map(|c| c.as_f64().unwrap()).collect();
            (f["id"].as_i64().unwrap(), f["properties"].as_object().unwrap().clone(), coords)
        })
        .collect();
    out.sort_by_key(|f| f.0);
    out.into_iter().map(|(_, p, c)| (p, c)).collect()
}

/// What GDAL reads of a file: (feature count, the whole `ogrinfo -al` text).
fn gdal_view(file: &Path) -> (u64, String) {
    let o = ok(gdal("ogrinfo", &["-al", file.to_str().unwrap()]));
    let text = stdout(&o);
    let count = text.lines().filter_map(|l| l.strip_prefix("Feature Count: ")).map(|n| n.trim().parse::<u64>().unwrap()).sum();
    (count, text)
}

#[test]
fn every_format_round_trips_through_wardgis_and_reads_in_gdal() {
    let demo = demo_project();
    let layer = "billboards";
    let original = features(demo, layer);
    let name = original[0].0["name"].as_str().unwrap().to_owned();
    assert!(name.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "the demo's names are Chinese: {name}");
    let dir = tempfile::tempdir().unwrap();

    for (file, extra) in [
        ("b.geojson", &[][..]),
        ("b.csv", &[][..]),
        ("b-gbk.csv", &["--encoding", "gbk"][..]),
        ("b.xlsx", &[][..]),
        ("b.kml", &[][..]),
        ("b.kmz", &[][..]),
        ("b.shp", &[][..]),
        ("b-gbk.shp", &["--encoding", "gbk"][..]),
        ("b.zip", &[][..]),
        ("b.gpkg", &[][..]),
    ] {
        let out = dir.path().join(file);
        let mut args = vec!["export", demo.to_str().unwrap(), layer, out.to_str().unwrap()];
        args.extend(extra);
        ok(wardgis(&args));

        // GDAL reads it: GBK CSV has no way to say its encoding, so GDAL gets it as UTF-8 via iconv.
        let readable = if file == "b-gbk.csv" {
            let utf8 = dir.path().join("b-gbk-as-utf8.csv");
            let o = ok(std::process::Command::new("iconv").args(["-f", "GBK", "-t", "UTF-8", out.to_str().unwrap()]).output().unwrap());
            std::fs::write(&utf8, o.stdout).unwrap();
            utf8
        } else if file.ends_with(".zip") {
            std::path::PathBuf::from(format!("/vsizip/{}", out.display()))
        } else {
            out.clone()
        };
        let (count, text) = gdal_view(&readable);
        assert_eq!(count, original.len() as u64, "{file}: GDAL's feature count");
        assert!(text.contains(&name), "{file}: GDAL shows the Chinese name {name}");

        let project = dir.path().join(format!("{file}.gpkg"));
        ok(wardgis(&["new", project.to_str().unwrap()]));
        ok(wardgis(&["import", project.to_str().unwrap(), layer, out.to_str().unwrap()]));
        let back = features(&project, layer);
        assert_eq!(back.len(), original.len(), "{file}: features");
        for (i, ((p0, c0), (p1, c1))) in original.iter().zip(&back).enumerate() {
            assert_eq!(p0, p1, "{file}: feature {i}'s attributes");
            for (a, b) in c0.iter().zip(c1) {
                assert!((a - b).abs() <= 1.5e-7, "{file}: feature {i}'s coordinates {c0:?} vs {c1:?}");
            }
        }
    }
}
