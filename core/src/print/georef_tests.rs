//! GDAL reads the frame back: a coordinate system and a geotransform that put the frame's
//! corners where the layout says they are.

use std::process::Command;

use super::*;
use crate::print::draw::{Item, PathMm, Rgb, Stroke};
use crate::print::font::PageFont;
use crate::print::page::{Orientation, Paper};
use crate::print::pdf::render_pdf;

#[test]
fn gdal_reads_the_frame_corners_back_within_a_metre() {
    let Ok(font) = PageFont::find_and_load() else { return eprintln!("skipped: no CJK font") };
    if Command::new("gdalinfo").arg("--version").output().is_err() {
        return eprintln!("skipped: gdalinfo (GDAL) is not installed");
    }
    let frame = BoxMm::new(20.0, 30.0, 180.0, 150.0);
    let mut map = Page::new(Paper::A4, Orientation::Landscape);
    map.push(Item::Path { path: PathMm::rect(frame), fill: None, stroke: Some(Stroke::solid(Rgb::BLACK, 0.5)) });
    let pages = vec![Page::new(Paper::A4, Orientation::Portrait), map];
    // A north-up frame over Yixing old town.
    let (west, east, north, south) = (119.80, 119.84, 31.37, 31.34);
    let geo = GeoFrame {
        page: 1,
        frame,
        corners: [(west, north), (east, north), (east, south), (west, south)],
        name: "永安里社区".into(),
    };
    let pdf = georeference(&render_pdf(&pages, &font).unwrap(), &pages, std::slice::from_ref(&geo)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ward.pdf");
    std::fs::write(&path, pdf).unwrap();

    // Page 2 of the file is GDAL's subdataset PDF:path:2.
    let out = Command::new("gdalinfo").arg("-json").arg(format!("PDF:2:{}", path.display())).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let wkt = info["coordinateSystem"]["wkt"].as_str().unwrap_or_default();
    assert!(wkt.contains("WGS 84"), "{info}");
    let gt: Vec<f64> = info["geoTransform"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    // GDAL rasterises the whole page; its pixels per point follow from the raster's width.
    let width_px = info["size"][0].as_f64().unwrap();
    let px_per_mm = width_px / pages[1].width as f64;
    let ground = |x_mm: f32, y_mm: f32| {
        let (px, py) = (x_mm as f64 * px_per_mm, y_mm as f64 * px_per_mm);
        (gt[0] + px * gt[1] + py * gt[2], gt[3] + px * gt[4] + py * gt[5])
    };
    let printed = [(frame.x, frame.y), (frame.right(), frame.y), (frame.right(), frame.bottom()), (frame.x, frame.bottom())];
    for ((x, y), (lon, lat)) in printed.into_iter().zip(geo.corners) {
        let (glon, glat) = ground(x, y);
        let metres = crate::crs::distance_m(geo_types::coord! { x: lon, y: lat }, geo_types::coord! { x: glon, y: glat });
        assert!(metres < 1.0, "corner {x},{y} mm: GDAL puts it at {glon},{glat}, {metres:.2} m from {lon},{lat}");
    }
}

#[test]
fn a_frame_on_a_page_that_does_not_exist_is_refused() {
    let Ok(font) = PageFont::find_and_load() else { return eprintln!("skipped: no CJK font") };
    let pages = vec![Page::new(Paper::A4, Orientation::Portrait)];
    let geo = GeoFrame { page: 3, frame: BoxMm::new(0.0, 0.0, 10.0, 10.0), corners: [(0.0, 0.0); 4], name: "图".into() };
    let err = georeference(&render_pdf(&pages, &font).unwrap(), &pages, &[geo]).unwrap_err().to_string();
    assert!(err.contains("page 4") && err.contains("1 page(s)"), "{err}");
}
