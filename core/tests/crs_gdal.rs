//! The projected systems of `wardgis::crs` checked against GDAL (gdal-bin, which
//! scripts/install-deps.sh installs): coordinates within a centimetre of `gdaltransform`, and
//! the WKT written identical to `gdalsrsinfo`'s, for every supported code.

use std::io::Write;
use std::process::{Command, Stdio};

use geo_types::Coord;
use wardgis::crs::Crs;

/// Runs a GDAL tool with `stdin`; GDAL's own axis order would put the northing first for
/// the Gauss–Krüger codes, so the traditional GIS order (x east, y north) is asked for.
fn gdal(tool: &str, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(tool)
        .args(["--config", "OSR_DEFAULT_AXIS_MAPPING_STRATEGY", "TRADITIONAL_GIS_ORDER"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {tool} ({e}); install gdal-bin (scripts/install-deps.sh)"));
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn gdaltransform(from: &str, to: &str, points: &[Coord<f64>]) -> Vec<Coord<f64>> {
    let input: String = points.iter().map(|p| format!("{:.12} {:.12}\n", p.x, p.y)).collect();
    gdal("gdaltransform", &["-s_srs", from, "-t_srs", to, "-output_xy"], &input)
        .lines()
        .map(|l| {
            let v: Vec<f64> = l.split_whitespace().map(|t| t.parse().unwrap()).collect();
            Coord { x: v[0], y: v[1] }
        })
        .collect()
}

/// A 7 × 7 grid of points, 0.05° apart, around (lon, lat).
fn grid(lon: f64, lat: f64) -> Vec<Coord<f64>> {
    (0..49).map(|i| Coord { x: lon + ((i % 7) as f64 - 3.0) * 0.05, y: lat + ((i / 7) as f64 - 3.0) * 0.05 }).collect()
}

#[test]
fn transforms_match_gdaltransform_within_a_centimetre() {
    // Yixing (119.8°E 31.36°N) in its own zones and Web Mercator, and other zones at their edges.
    let cases = [
        (4549, 119.8, 31.36),
        (4528, 119.8, 31.36),
        (4499, 119.8, 31.36),
        (4510, 119.8, 31.36),
        (3857, 119.8, 31.36),
        (4513, 76.2, 39.5),
        (4534, 73.8, 39.5),
        (4554, 134.2, 47.0),
        (4491, 77.5, 36.0),
        (4512, 133.0, 46.0),
    ];
    for (code, lon, lat) in cases {
        let crs = Crs::from_epsg(code).unwrap();
        let epsg = format!("EPSG:{code}");
        let wgs84 = grid(lon, lat);
        let theirs = gdaltransform("EPSG:4326", &epsg, &wgs84);
        let mut worst = 0.0f64;
        for (w, g) in wgs84.iter().zip(&theirs) {
            let ours = crs.from_wgs84(*w).unwrap();
            worst = worst.max((ours.x - g.x).abs()).max((ours.y - g.y).abs());
            // Back from GDAL's metres to GDAL's degrees (their inverse of their forward).
            let back = crs.to_wgs84(*g).unwrap();
            assert!((back.x - w.x).abs() < 1e-9 && (back.y - w.y).abs() < 1e-9, "{epsg} inverse {g:?} -> {back:?}, not {w:?}");
        }
        eprintln!("{epsg}: largest difference from gdaltransform {worst:.3e} m");
        assert!(worst < 0.01, "{epsg}: {worst} m from GDAL");
    }
}

#[test]
fn cgcs2000_geographic_is_wgs84_in_gdal_too() {
    let wgs84 = grid(119.8, 31.36);
    for (w, g) in wgs84.iter().zip(gdaltransform("EPSG:4326", "EPSG:4490", &wgs84)) {
        assert!((w.x - g.x).abs() < 1e-9 && (w.y - g.y).abs() < 1e-9, "GDAL shifted {w:?} to {g:?}");
        assert_eq!(Crs::Cgcs2000.from_wgs84(*w), Ok(*w));
    }
}

fn all_codes() -> Vec<u32> {
    (4491..=4554).chain([3857, 4490, 4326]).collect()
}

fn srsinfo(format: &str, code: u32) -> String {
    gdal("gdalsrsinfo", &["--single-line", "-o", format, &format!("EPSG:{code}")], "").trim().to_string()
}

/// Runs `check` on every code, on two threads (each code costs a few GDAL runs).
fn each_code(check: impl Fn(u32) + Sync) {
    let codes = all_codes();
    let (a, b) = codes.split_at(codes.len() / 2);
    std::thread::scope(|s| {
        s.spawn(|| a.iter().for_each(|c| check(*c)));
        b.iter().for_each(|c| check(*c));
    });
}

#[test]
fn written_wkt_is_gdals_for_every_code() {
    each_code(|code| {
        let crs = Crs::from_epsg(code).unwrap();
        assert_eq!(crs.to_prj().unwrap(), srsinfo("wkt_esri", code), "ESRI WKT of EPSG:{code}");
        assert_eq!(crs.to_wkt1_ogc().unwrap(), srsinfo("wkt1", code), "OGC WKT1 of EPSG:{code}");
    });
}

#[test]
fn gdals_wkt_is_recognised_for_every_code() {
    each_code(|code| {
        for format in ["wkt_esri", "wkt1", "wkt2"] {
            let text = srsinfo(format, code);
            assert_eq!(Crs::from_prj(&text).map(Crs::epsg), Ok(Some(code)), "{format} of EPSG:{code}: {text}");
        }
    });
}
