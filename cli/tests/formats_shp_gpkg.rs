//! Shapefile and GeoPackage in and out, checked against GDAL: wardgis's exports read by
//! `ogrinfo`, files written by `ogr2ogr` read by wardgis, and round trips that lose no
//! feature, attribute or Chinese character.

mod common;
use common::*;

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A layer's features as wardgis exports them to GeoJSON.
fn exported(project: &Path, layer: &str) -> Vec<Json> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.geojson");
    ok(wardgis(&["export", s(project), layer, s(&out)]));
    let fc: Json = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    fc["features"].as_array().unwrap().clone()
}

/// A feature without its fid, for comparing an original with its re-imported copy.
fn without_id(f: &Json) -> Json {
    let mut f = f.clone();
    f.as_object_mut().unwrap().remove("id");
    f
}

/// Imports `file` into a copy of the demo project and checks that the features added are
/// exactly the demo layer's (every attribute, every coordinate to 7 decimals, in order).
fn assert_round_trip(dir: &Path, layer: &str, file: &Path, extra: &[&str]) {
    let original = exported(demo_project(), layer);
    let copy = dir.join(format!("rt-{layer}-{}.gpkg", file.file_name().unwrap().to_str().unwrap()));
    std::fs::copy(demo_project(), &copy).unwrap();
    let mut args = vec!["import", s(&copy), layer, s(file)];
    args.extend_from_slice(extra);
    ok(wardgis(&args));
    let after = exported(&copy, layer);
    assert_eq!(after.len(), 2 * original.len(), "{layer} from {}", file.display());
    for (a, b) in original.iter().zip(&after[original.len()..]) {
        assert_eq!(without_id(a), without_id(b), "{layer} from {}", file.display());
    }
}

fn first_name(project: &Path, layer: &str) -> String {
    exported(project, layer)[0]["properties"]["name"].as_str().unwrap().to_owned()
}

/// ogrinfo's full listing of a file (`-al -q`), which must hold every feature's name.
fn ogrinfo_lists_names(file: &str, project: &Path, layer: &str) -> String {
    let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-al", "-q", file])));
    for f in exported(project, layer) {
        let Some(name) = f["properties"]["name"].as_str() else { continue };
        assert!(info.contains(&format!("name (String) = {name}")), "`{name}` not in ogrinfo of {file}");
    }
    info
}

#[test]
fn shapefiles_round_trip_in_utf8_gbk_and_zipped_and_gdal_reads_the_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let d = demo_project();
    for layer in ["billboards", "chargers", "schools", "roads", "communities"] {
        let utf8 = dir.path().join(format!("{layer}.shp"));
        ok(wardgis(&["export", s(d), layer, s(&utf8)]));
        assert_eq!(std::fs::read_to_string(utf8.with_extension("cpg")).unwrap(), "UTF-8");
        assert!(std::fs::read_to_string(utf8.with_extension("prj")).unwrap().starts_with("GEOGCS[\"GCS_WGS_1984\""));
        let gbk = dir.path().join(format!("{layer}_gbk.shp"));
        ok(wardgis(&["export", s(d), layer, s(&gbk), "--encoding", "gbk"]));
        assert_eq!(std::fs::read_to_string(gbk.with_extension("cpg")).unwrap(), "GBK");
        let dbf = std::fs::read(gbk.with_extension("dbf")).unwrap();
        assert_eq!(dbf[29], 0x4D, "language driver of code page 936");
        let name = first_name(d, layer);
        let (bytes, _, _) = encoding_rs::GBK.encode(&name);
        assert!(dbf.windows(bytes.len()).any(|w| w == &bytes[..]), "{name} is in the DBF as GBK");
        let zip = dir.path().join(format!("{layer}.zip"));
        ok(wardgis(&["export", s(d), layer, s(&zip)]));

        ogrinfo_lists_names(s(&utf8), d, layer);
        ogrinfo_lists_names(s(&gbk), d, layer);
        ogrinfo_lists_names(&format!("/vsizip/{}", s(&zip)), d, layer);
        for file in [&utf8, &gbk, &zip] {
            assert_round_trip(dir.path(), layer, file, &[]);
        }
    }
    // Long catalog names are cut to 10 bytes as GDAL would, and come back on import.
    let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-so", s(&dir.path().join("billboards.shp")), "billboards"])));
    for field in ["last_safet: Date", "face_area_: Real", "permit_no: String", "large: String"] {
        assert!(info.contains(field), "`{field}` not in:\n{info}");
    }
}

/// The demo chargers as GeoJSON, for ogr2ogr to turn into other formats.
fn chargers_geojson(dir: &Path) -> PathBuf {
    let gj = dir.join("chargers.geojson");
    ok(wardgis(&["export", s(demo_project()), "chargers", s(&gj)]));
    gj
}

#[test]
fn an_ogr2ogr_gbk_shapefile_imports_with_names_intact_with_or_without_cpg_and_zipped() {
    let dir = tempfile::tempdir().unwrap();
    let gj = chargers_geojson(dir.path());
    let shp = dir.path().join("gbk.shp");
    ok(gdal("ogr2ogr", &["-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", s(&shp), s(&gj)]));
    assert_eq!(std::fs::read_to_string(shp.with_extension("cpg")).unwrap().trim(), "GBK");
    // GDAL cut vehicle_type and scan_to_pay to 10 bytes; import maps them back.
    assert_round_trip(dir.path(), "chargers", &shp, &[]);

    // Without the .cpg the bytes say GBK, and the import says so.
    let bare = dir.path().join("bare");
    std::fs::create_dir(&bare).unwrap();
    for ext in ["shp", "shx", "dbf", "prj"] {
        std::fs::copy(shp.with_extension(ext), bare.join(format!("gbk.{ext}"))).unwrap();
    }
    let copy = demo_copy(dir.path());
    let out = ok(wardgis(&["import", s(&copy), "chargers", s(&bare.join("gbk.shp"))]));
    assert!(stderr(&out).contains("read the DBF as GBK"), "{}", stderr(&out));
    assert_round_trip(dir.path(), "chargers", &bare.join("gbk.shp"), &[]);
    // Naming the wrong encoding is refused, not imported as mojibake.
    let wrong = wardgis(&["import", s(&copy), "chargers", s(&bare.join("gbk.shp")), "--encoding", "utf-8"]);
    assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
    assert!(stderr(&wrong).contains("not UTF-8"), "{}", stderr(&wrong));

    // Zipped, in a subfolder, as people mail them.
    let zip = dir.path().join("mailed.zip");
    let script = format!(
        "import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w')\nfor e in ['shp','shx','dbf','prj','cpg']: z.write(sys.argv[2]+'.'+e, '充电桩/gbk.'+e)\nz.close()"
    );
    let o = std::process::Command::new("python3").args(["-c", &script, s(&zip), s(&shp.with_extension(""))]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_round_trip(dir.path(), "chargers", &zip, &[]);
}

#[test]
fn a_zip_with_two_shapefiles_is_refused_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("two.zip");
    let script = "import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w')\nfor n in ['a.shp','b/c.shp']: z.writestr(n, b'')\nz.close()";
    let o = std::process::Command::new("python3").args(["-c", script, s(&zip)]).output().unwrap();
    assert!(o.status.success());
    let copy = demo_copy(dir.path());
    let out = wardgis(&["import", s(&copy), "chargers", s(&zip)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("a.shp, b/c.shp"), "{}", stderr(&out));
}

#[test]
fn geopackage_layers_round_trip_and_ogrinfo_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = demo_project();
    let out = dir.path().join("exchange.gpkg");
    let layers = ["billboards", "schools", "roads", "communities"];
    for layer in layers {
        ok(wardgis(&["export", s(d), layer, s(&out)]));
    }
    let listing = stdout(&ok(gdal("ogrinfo", &["-ro", "-q", s(&out)])));
    for layer in layers {
        assert!(listing.contains(&format!(": {layer} (")), "{listing}");
        let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-so", s(&out), layer])));
        assert!(info.contains("ID[\"EPSG\",4326]"), "{info}");
        assert!(info.contains(&format!("Feature Count: {}", exported(d, layer).len())), "{info}");
    }
    ogrinfo_lists_names(s(&out), d, "billboards");
    // A second export of a layer the file has is refused, and the file keeps its table.
    let again = wardgis(&["export", s(d), "schools", s(&out)]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already has a table `schools`"), "{}", stderr(&again));
    // Several tables: the import asks which.
    let copy = demo_copy(dir.path());
    let which = wardgis(&["import", s(&copy), "schools", s(&out)]);
    assert_eq!(which.status.code(), Some(1));
    assert!(stderr(&which).contains("billboards, schools, roads, communities") && stderr(&which).contains("--source-layer"), "{}", stderr(&which));
    for layer in layers {
        assert_round_trip(dir.path(), layer, &out, &["--source-layer", layer]);
    }
}

#[test]
fn geopackages_written_by_ogr2ogr_import_whatever_their_table_and_multi_types() {
    let dir = tempfile::tempdir().unwrap();
    let d = demo_project();
    for layer in ["chargers", "schools", "roads"] {
        let gj = dir.path().join(format!("{layer}.geojson"));
        ok(wardgis(&["export", s(d), layer, s(&gj)]));
        let gpkg = dir.path().join(format!("{layer}-qgis.gpkg"));
        // As QGIS saves: multi-part geometry types, its own table and geometry column names.
        ok(gdal(
            "ogr2ogr",
            &["-f", "GPKG", s(&gpkg), s(&gj), "-nln", "导出图层", "-nlt", "PROMOTE_TO_MULTI", "-lco", "GEOMETRY_NAME=geometry"],
        ));
        assert_round_trip(dir.path(), layer, &gpkg, &[]);
    }
}

#[test]
fn the_project_itself_is_not_an_import_source() {
    let dir = tempfile::tempdir().unwrap();
    let copy = demo_copy(dir.path());
    let out = wardgis(&["import", s(&copy), "chargers", s(&copy), "--source-layer", "chargers"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is the project itself"), "{}", stderr(&out));
}

/// The X/Y of every feature of a file's layer, as GDAL reads it (`ogr2ogr -f CSV`).
fn gdal_xy(file: &Path, layer: &str) -> Vec<(f64, f64)> {
    let o = ok(gdal("ogr2ogr", &["-f", "CSV", "/vsistdout/", s(file), layer, "-lco", "GEOMETRY=AS_XY"]));
    let text = stdout(&o);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (ix, iy) = (header.iter().position(|h| *h == "X").unwrap(), header.iter().position(|h| *h == "Y").unwrap());
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[ix].parse().unwrap(), cells[iy].parse().unwrap())
        })
        .collect()
}

fn lon_lat(f: &Json) -> (f64, f64) {
    let c = &f["geometry"]["coordinates"];
    (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
}

#[test]
fn gauss_krueger_files_by_ogr2ogr_import_within_a_centimetre() {
    let dir = tempfile::tempdir().unwrap();
    let gj = chargers_geojson(dir.path());
    let gpkg = dir.path().join("c4549.gpkg");
    ok(gdal("ogr2ogr", &["-f", "GPKG", "-t_srs", "EPSG:4549", s(&gpkg), s(&gj), "-nln", "chargers_4549"]));
    let shp = dir.path().join("c4549.shp");
    ok(gdal("ogr2ogr", &["-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", "-t_srs", "EPSG:4549", s(&shp), s(&gj)]));
    for file in [&gpkg, &shp] {
        let (said, worst) = import_distance(dir.path(), file);
        assert!(said.contains("EPSG:4549"), "the system read is said: {said}");
        eprintln!("{}: largest distance from the WGS84 source {worst:.6} m", file.display());
        assert!(worst < 0.01, "{}: {worst} m", file.display());
    }
}

/// Imports `file` (the demo chargers in another system) into a copy of the demo project:
/// what wardgis said, and the largest distance in metres of a re-imported feature from the
/// original, whose attributes must be the same.
fn import_distance(dir: &Path, file: &Path) -> (String, f64) {
    let original = exported(demo_project(), "chargers");
    let copy = dir.join("p.gpkg");
    let _ = std::fs::remove_file(&copy);
    std::fs::copy(demo_project(), &copy).unwrap();
    let out = ok(wardgis(&["import", s(&copy), "chargers", s(file)]));
    let after = exported(&copy, "chargers");
    assert_eq!(after.len(), 2 * original.len());
    let mut worst = 0.0f64;
    for (a, b) in original.iter().zip(&after[original.len()..]) {
        let ((x1, y1), (x2, y2)) = (lon_lat(a), lon_lat(b));
        worst = worst.max(vincenty_m(x1, y1, x2, y2));
        assert_eq!(a["properties"], b["properties"], "{}", file.display());
    }
    (stderr(&out), worst)
}

#[test]
fn exports_in_epsg_4549_match_ogr2ogr_within_a_centimetre() {
    let dir = tempfile::tempdir().unwrap();
    let d = demo_project();
    // The WGS84 export as a GeoPackage (full precision; GeoJSON rounds to 1e-7°, ≈ 1 cm),
    // reprojected by GDAL.
    let wgs84 = dir.path().join("wgs84.gpkg");
    ok(wardgis(&["export", s(d), "chargers", s(&wgs84)]));
    let theirs = dir.path().join("theirs.gpkg");
    ok(gdal("ogr2ogr", &["-f", "GPKG", "-t_srs", "EPSG:4549", s(&theirs), s(&wgs84), "chargers"]));
    let expected = gdal_xy(&theirs, "chargers");
    let gpkg = dir.path().join("ours.gpkg");
    ok(wardgis(&["export", s(d), "chargers", s(&gpkg), "--crs", "EPSG:4549"]));
    let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-so", s(&gpkg), "chargers"])));
    assert!(info.contains("ID[\"EPSG\",4549]"), "{info}");
    let shp = dir.path().join("ours.shp");
    ok(wardgis(&["export", s(d), "chargers", s(&shp), "--crs", "EPSG:4549"]));
    let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-so", s(&shp), "ours"])));
    assert!(info.contains("CGCS2000 / 3-degree Gauss-Kruger CM 120E") || info.contains("CGCS2000_3_Degree_GK_CM_120E"), "{info}");
    for (file, layer) in [(&gpkg, "chargers"), (&shp, "ours")] {
        let ours = gdal_xy(file, layer);
        assert_eq!(ours.len(), expected.len());
        let worst = ours.iter().zip(&expected).map(|(a, b)| (a.0 - b.0).abs().max((a.1 - b.1).abs())).fold(0.0, f64::max);
        eprintln!("{}: largest difference from ogr2ogr -t_srs EPSG:4549: {worst:.6} m", file.display());
        assert!(worst < 0.01, "{}: {worst} m", file.display());
    }
}

#[test]
fn other_systems_are_labelled_for_gdal_and_read_back_from_the_label() {
    let dir = tempfile::tempdir().unwrap();
    let d = demo_project();
    // Web Mercator, CGCS2000 geographic, and Gauss–Krüger zone 40 with the zone prefix.
    for code in ["3857", "4490", "4528"] {
        let crs = format!("EPSG:{code}");
        for ext in ["gpkg", "shp"] {
            let out = dir.path().join(format!("c{code}.{ext}"));
            ok(wardgis(&["export", s(d), "chargers", s(&out), "--crs", &crs]));
            let layer = if ext == "gpkg" { "chargers".to_owned() } else { format!("c{code}") };
            let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-so", s(&out), &layer])));
            assert!(info.contains(&format!("ID[\"EPSG\",{code}]")), "{crs} {ext}:\n{info}");
            let (_, worst) = import_distance(dir.path(), &out);
            assert!(worst < 0.01, "{crs} {ext}: {worst} m");
        }
    }
}
