//! GDAL reads the frame back: a coordinate system and a geotransform that put the frame's
//! corners where the layout says they are; `ogrinfo` lists each map layer by its name with its
//! features; poppler still reads the text, the pages and the pixels after the post-pass.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use super::*;
use crate::print::pdf::tests::pixel_at;
use crate::print::draw::{Fill, Item, PathMm, Rgb, Stroke, TextRun};
use crate::print::font::PageFont;
use crate::print::page::{Orientation, Paper};
use crate::print::pdf::render_pdf;
use crate::print::units::PointMm;

#[test]
fn gdal_reads_the_frame_corners_back_within_a_metre() {
    let font = PageFont::find_and_load().unwrap();
    Command::new("gdalinfo").arg("--version").output().expect("gdalinfo (gdal-bin) is installed (scripts/install-deps.sh)");
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
    let pdf = finish_pdf(&render_pdf(&pages, &font).unwrap(), &pages, std::slice::from_ref(&geo)).unwrap();
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
    let font = PageFont::find_and_load().unwrap();
    let pages = vec![Page::new(Paper::A4, Orientation::Portrait)];
    let geo = GeoFrame { page: 3, frame: BoxMm::new(0.0, 0.0, 10.0, 10.0), corners: [(0.0, 0.0); 4], name: "图".into() };
    let err = finish_pdf(&render_pdf(&pages, &font).unwrap(), &pages, &[geo]).unwrap_err().to_string();
    assert!(err.contains("page 4") && err.contains("1 page(s)"), "{err}");
}


/// The page font; these tests need it and fail saying where it was looked for.
fn font() -> PageFont {
    PageFont::find_and_load().unwrap_or_else(|e| panic!("this test needs the CJK page font: {e}"))
}

/// The standard output of `tool args… file after…`, failing clearly when the tool is not
/// installed.
fn run(tool: &str, args: &[&str], file: &Path, after: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(file)
        .args(after)
        .output()
        .unwrap_or_else(|e| panic!("this test needs `{tool}` (GDAL: gdal-bin, poppler: poppler-utils): {e}"));
    assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

const FRAME: BoxMm = BoxMm { x: 20.0, y: 30.0, width: 180.0, height: 150.0 };
/// The ground the frame shows, north up: west, east, north, south.
const GROUND: (f64, f64, f64, f64) = (119.80, 119.84, 31.37, 31.34);
const FACILITIES: &str = "广告设施";
const PARCELS: &str = "land_parcels";
const FACILITY_BLUE: Rgb = Rgb(30, 80, 200);
const FACILITY_CENTRES: [(f32, f32); 3] = [(50.0, 60.0), (100.0, 100.0), (150.0, 140.0)];

fn geo_frame() -> GeoFrame {
    let (west, east, north, south) = GROUND;
    GeoFrame { page: 0, frame: FRAME, corners: [(west, north), (east, north), (east, south), (west, south)], name: "永安里社区".into() }
}

/// The ground (lon, lat) of a point on the page inside the frame.
fn ground(x_mm: f32, y_mm: f32) -> (f64, f64) {
    let (west, east, north, south) = GROUND;
    let fx = (x_mm - FRAME.x) as f64 / FRAME.width as f64;
    let fy = (y_mm - FRAME.y) as f64 / FRAME.height as f64;
    (west + fx * (east - west), north - fy * (north - south))
}

/// A ward map and a second page. Page 1: a title outside the frame; inside the frame's clip a
/// basemap area (no layer), the layer `land_parcels` (a road, then two parcels: pentagons, as
/// GDAL reads a filled axis-aligned rectangle as a point symbol) and the layer 广告设施 (three facilities as
/// circles, one label); the frame's border. Page 2: the same 广告设施 layer with one more
/// facility, and a line of text.
fn ward_pages() -> Vec<Page> {
    let p = PointMm::new;
    let text = |x, y, s: &str| Item::Text(TextRun::new(p(x, y), s, 12.0, Rgb::BLACK));
    let facility = |(x, y): (f32, f32)| Item::Path { path: PathMm::circle(p(x, y), 2.0), fill: Some(Fill::solid(FACILITY_BLUE)), stroke: None };
    let parcel = |x: f32| Item::Path {
        path: PathMm::polygon(&[p(x, 40.0), p(x + 30.0, 40.0), p(x + 30.0, 60.0), p(x + 10.0, 65.0), p(x, 60.0)]),
        fill: Some(Fill::solid(Rgb(230, 230, 180))),
        stroke: Some(Stroke::solid(Rgb::BLACK, 0.2)),
    };
    let mut map = Page::new(Paper::A4, Orientation::Landscape);
    map.push(text(20.0, 20.0, "永安里社区 设施分布图"));
    map.push(Item::Clipped {
        clip: PathMm::rect(FRAME),
        items: vec![
            Item::Path { path: PathMm::rect(FRAME), fill: Some(Fill::solid(Rgb(245, 245, 245))), stroke: None },
            Item::Layer {
                name: PARCELS.into(),
                items: vec![
                    Item::Path { path: PathMm::line(&[p(30.0, 170.0), p(190.0, 120.0)]), fill: None, stroke: Some(Stroke::solid(Rgb(200, 30, 30), 1.0)) },
                    parcel(120.0),
                    parcel(160.0),
                ],
            },
            Item::Layer {
                name: FACILITIES.into(),
                items: FACILITY_CENTRES.into_iter().map(facility).chain([text(53.0, 62.0, "社区卫生服务站")]).collect(),
            },
        ],
    });
    map.push(Item::Path { path: PathMm::rect(FRAME), fill: None, stroke: Some(Stroke::solid(Rgb::BLACK, 0.5)) });
    let mut second = Page::new(Paper::A4, Orientation::Portrait);
    second.push(Item::Layer { name: FACILITIES.into(), items: vec![facility((80.0, 80.0))] });
    second.push(text(20.0, 30.0, "设施一览表"));
    vec![map, second]
}

/// `ogrinfo -al`'s layers: name → the geometry (WKT) of each feature, in order.
fn ogr_layers(pdf: &Path) -> BTreeMap<String, Vec<String>> {
    let out = Command::new("ogrinfo")
        .args(["-ro", "-al"])
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| panic!("this test needs `ogrinfo` (GDAL: gdal-bin): {e}"));
    // ogrinfo fails on a PDF without vector layers: that is an empty list here.
    let mut layers = BTreeMap::<String, Vec<String>>::new();
    let mut current = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(name) = line.strip_prefix("Layer name: ") {
            layers.entry(name.to_string()).or_default();
            current = Some(name.to_string());
        } else if let (Some(name), Some(kind)) = (&current, line.trim_start().split(' ').next()) {
            if line.starts_with("  ") && ["POINT", "LINESTRING", "POLYGON", "MULTIPOLYGON", "MULTILINESTRING"].contains(&kind) {
                layers.get_mut(name).unwrap().push(line.trim().to_string());
            }
        }
    }
    layers
}

#[test]
fn ogrinfo_lists_each_layer_by_name_with_its_features_in_wgs84() {
    let font = font();
    let pages = ward_pages();
    let plain = render_pdf(&pages, &font).unwrap();
    let finished = finish_pdf(&plain, &pages, &[geo_frame()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (plain_path, path) = (dir.path().join("plain.pdf"), dir.path().join("ward.pdf"));
    std::fs::write(&plain_path, &plain).unwrap();
    std::fs::write(&path, &finished).unwrap();

    // Without the optional content groups GDAL finds no vector layer at all.
    assert!(ogr_layers(&plain_path).is_empty(), "{:?}", ogr_layers(&plain_path));

    // GDAL reads page 1: its two layers by name (the Chinese one intact), nothing of the
    // basemap, the border or the title, which are in no layer.
    let layers = ogr_layers(&path);
    let names: Vec<&str> = layers.keys().map(String::as_str).collect();
    assert_eq!(names, [PARCELS, FACILITIES], "{layers:?}");
    let kinds = |name: &str| -> Vec<&str> { layers[name].iter().map(|wkt| wkt.split(' ').next().unwrap()).collect() };
    assert_eq!(kinds(FACILITIES), ["POINT"; 3], "circles are read as points: {layers:?}");
    // The road comes first in its layer, right after the filled basemap: still a line, and
    // each parcel is one ring of five points, nothing of the basemap or the clip in it.
    assert_eq!(kinds(PARCELS), ["LINESTRING", "POLYGON", "POLYGON"], "{layers:?}");
    for parcel in &layers[PARCELS][1..] {
        assert_eq!((parcel.matches("),(").count(), parcel.matches(',').count()), (0, 5), "{parcel}");
    }

    // Feature counts and the coordinate system as the summary gives them.
    let summary = run("ogrinfo", &["-ro", "-al", "-so"], &path, &[]);
    let counts: Vec<&str> = summary.lines().filter_map(|l| l.strip_prefix("Feature Count: ")).collect();
    assert_eq!(counts, ["3", "3"], "{summary}");
    assert_eq!(summary.matches(r#"ID["EPSG",4326]]"#).count(), 2, "{summary}");

    // The facilities are where the frame puts them on the ground (within a metre).
    let points = run("ogrinfo", &["-ro", "-al", "-q"], &path, &[]);
    let mut found: Vec<(f64, f64)> = points
        .lines()
        .filter_map(|l| l.trim().strip_prefix("POINT ("))
        .map(|xy| {
            let v: Vec<f64> = xy.trim_end_matches(')').split(' ').map(|n| n.parse().unwrap()).collect();
            (v[0], v[1])
        })
        .collect();
    assert_eq!(found.len(), 3, "{points}");
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    for ((x, y), (lon, lat)) in FACILITY_CENTRES.into_iter().zip(found) {
        let (want_lon, want_lat) = ground(x, y);
        let metres = crate::crs::distance_m(geo_types::coord! { x: want_lon, y: want_lat }, geo_types::coord! { x: lon, y: lat });
        assert!(metres < 1.0, "facility at {x},{y} mm: GDAL puts it at {lon},{lat}, {metres:.2} m from {want_lon},{want_lat}");
    }
}

#[test]
fn after_the_post_pass_text_pages_and_drawing_are_as_before_and_each_layer_is_one_group() {
    let font = font();
    let pages = ward_pages();
    let plain = render_pdf(&pages, &font).unwrap();
    let pdf = finish_pdf(&plain, &pages, &[geo_frame()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (plain_path, path) = (dir.path().join("plain.pdf"), dir.path().join("ward.pdf"));
    std::fs::write(&plain_path, &plain).unwrap();
    std::fs::write(&path, &pdf).unwrap();

    let info = run("pdfinfo", &[], &path, &[]);
    assert!(info.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["Pages:", "2"]), "{info}");
    // Text, inside a layer or not, is still text: the hex strings and the rewritten
    // marked content change nothing for a reader.
    let text = run("pdftotext", &[], &path, &["-"]).replace(' ', "");
    for expected in ["永安里社区", "设施分布图", "社区卫生服务站", "设施一览表"] {
        assert!(text.contains(expected), "`{expected}` not in pdftotext's output:\n{text}");
    }

    // The groups are on by default: the facilities and the parcels are drawn.
    let ppm = dir.path().join("p1");
    run("pdftoppm", &["-r", "50", "-f", "1", "-l", "1", "-singlefile"], &path, &[ppm.to_str().unwrap()]);
    let image = std::fs::read(dir.path().join("p1.ppm")).unwrap();
    let (x, y) = FACILITY_CENTRES[1];
    assert_eq!(pixel_at(&image, 50.0, x, y), [FACILITY_BLUE.0, FACILITY_BLUE.1, FACILITY_BLUE.2], "a facility");
    assert_eq!(pixel_at(&image, 50.0, 135.0, 50.0), [230, 230, 180], "a parcel");

    // Nothing drawn moved or appeared (the path reset for GDAL paints nothing): both pages
    // render to the same pixels as krilla's own file.
    for page in ["1", "2"] {
        let render = |pdf: &Path, root: &str| {
            let root = dir.path().join(root);
            run("pdftoppm", &["-r", "150", "-f", page, "-l", page, "-singlefile"], pdf, &[root.to_str().unwrap()]);
            std::fs::read(root.with_extension("ppm")).unwrap()
        };
        assert!(render(&plain_path, "before") == render(&path, "after"), "page {page} looks different after the post-pass");
    }

    // GDAL lists the document's optional content: one group per layer name in the order
    // the layers first appear, though 广告设施 is drawn on both pages.
    let groups = run("gdalinfo", &["-mdd", "LAYERS"], &path, &[]);
    let names: Vec<&str> = groups.lines().filter_map(|l| l.trim().strip_prefix("LAYER_").and_then(|l| l.split_once("_NAME="))).map(|(_, n)| n).collect();
    assert_eq!(names, [PARCELS, FACILITIES], "{groups}");
}

#[test]
fn layers_become_groups_on_a_document_without_map_frames() {
    let font = font();
    let pages = ward_pages();
    let pdf = finish_pdf(&render_pdf(&pages, &font).unwrap(), &pages, &[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let info = run("gdalinfo", &["-mdd", "LAYERS"], &path, &[]);
    assert!(info.contains(&format!("_NAME={FACILITIES}")) && info.contains(&format!("_NAME={PARCELS}")), "{info}");
    assert!(!info.contains("NEATLINE"), "no frame, no viewport: {info}");
}

#[test]
fn a_layer_inside_a_layer_is_refused_with_both_names() {
    let font = font();
    let mut page = Page::new(Paper::A4, Orientation::Portrait);
    page.push(Item::Layer { name: "道路".into(), items: vec![Item::Layer { name: "桥梁".into(), items: vec![] }] });
    let err = render_pdf(&[page], &font).unwrap_err().to_string();
    assert!(err.contains("page 1") && err.contains("`桥梁` is inside layer `道路`"), "{err}");
}

#[test]
fn a_pdf_with_other_pages_than_those_laid_out_is_refused() {
    let font = font();
    let pages = ward_pages();
    let err = finish_pdf(&render_pdf(&pages[..1], &font).unwrap(), &pages, &[]).unwrap_err().to_string();
    assert!(err.contains("1 page(s) but 2 were laid out"), "{err}");
}

#[test]
fn layers_the_pdf_does_not_mark_as_the_pages_draw_them_are_refused() {
    let font = font();
    let pages = ward_pages();
    // The same pages with the map's layers drawn as plain items: no markers on page 1.
    let mut plain = pages.clone();
    let Item::Clipped { items, .. } = &mut plain[0].items[1] else { panic!("the map frame moved") };
    let flattened: Vec<Item> = items.drain(..).flat_map(|item| match item {
        Item::Layer { items, .. } => items,
        other => vec![other],
    }).collect();
    *items = flattened;
    let err = finish_pdf(&render_pdf(&plain, &font).unwrap(), &pages, &[]).unwrap_err().to_string();
    assert!(err.contains("page 1") && err.contains(r#"marks the layers [] where the page draws ["land_parcels", "广告设施"]"#), "{err}");
}

/// The time of the post-pass on a page of 10 000 paths in one layer; run by hand with
/// `cargo test --release -p wardgis print::georef -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check: run by hand in a release build"]
fn post_pass_time_on_ten_thousand_paths() {
    let font = font();
    let p = PointMm::new;
    let paths: Vec<Item> = (0..10_000)
        .map(|i| {
            let (x, y) = (20.0 + (i % 100) as f32 * 1.8, 30.0 + (i / 100) as f32 * 1.5);
            if i % 2 == 0 {
                Item::Path { path: PathMm::circle(p(x, y), 0.5), fill: Some(Fill::solid(FACILITY_BLUE)), stroke: None }
            } else {
                Item::Path { path: PathMm::polygon(&[p(x, y), p(x + 1.0, y), p(x + 1.0, y + 1.0), p(x, y + 1.0)]), fill: None, stroke: Some(Stroke::solid(Rgb::BLACK, 0.1)) }
            }
        })
        .collect();
    let mut page = Page::new(Paper::A4, Orientation::Landscape);
    page.push(Item::Clipped { clip: PathMm::rect(FRAME), items: vec![Item::Layer { name: FACILITIES.into(), items: paths }] });
    let pages = vec![page];
    let started = Instant::now();
    let plain = render_pdf(&pages, &font).unwrap();
    let rendered = started.elapsed();
    let started = Instant::now();
    let finished = finish_pdf(&plain, &pages, &[geo_frame()]).unwrap();
    let post_pass = started.elapsed();
    println!("10 000 paths: render_pdf {rendered:?} ({} KB), finish_pdf {post_pass:?} ({} KB)", plain.len() / 1024, finished.len() / 1024);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.pdf");
    std::fs::write(&path, &finished).unwrap();
    let started = Instant::now();
    let summary = run("ogrinfo", &["-ro", "-al", "-so"], &path, &[]);
    println!("ogrinfo -so: {:?}", started.elapsed());
    assert!(summary.contains("Feature Count: 10000"), "{summary}");
}

#[test]
fn dashed_lines_do_not_stop_gdal_reading_the_layers_after_them() {
    // Community boundaries are dashed; GDAL 3.6 lost every layer drawn after a dozen of them
    // until the post-pass spaced the dash arrays' brackets.
    let font = font();
    let p = PointMm::new;
    let dashed = |y: f32| Item::Path {
        path: PathMm::line(&[p(30.0, y), p(120.0, y + 5.0), p(180.0, y)]),
        fill: None,
        stroke: Some(Stroke { colour: Rgb(140, 109, 49), width: 0.32, dash: vec![0.64, 0.64], opacity: 1.0, round: false }),
    };
    let mut map = Page::new(Paper::A4, Orientation::Landscape);
    map.push(Item::Clipped {
        clip: PathMm::rect(FRAME),
        items: vec![
            Item::Layer { name: "社区".into(), items: (0..12).map(|k| dashed(40.0 + 8.0 * k as f32)).collect() },
            Item::Layer { name: FACILITIES.into(), items: vec![Item::Path { path: PathMm::circle(p(60.0, 150.0), 2.0), fill: Some(Fill::solid(FACILITY_BLUE)), stroke: None }] },
        ],
    });
    let pages = vec![map];
    let pdf = finish_pdf(&render_pdf(&pages, &font).unwrap(), &pages, &[geo_frame()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dashed.pdf");
    std::fs::write(&path, pdf).unwrap();
    let layers = ogr_layers(&path);
    assert_eq!(layers.get("社区").map(Vec::len), Some(12), "{layers:?}");
    assert_eq!(layers.get(FACILITIES).map(Vec::len), Some(1), "the layer after the dashed lines: {layers:?}");
}
