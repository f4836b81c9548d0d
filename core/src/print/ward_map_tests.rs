//! A ward map of the demo district, checked with the tools a GIS user would open it with:
//! pdftotext, pdffonts, pdfinfo and gdalinfo.

use std::path::Path;
use std::process::Command;

use super::*;
use crate::catalog::Catalog;

fn demo(dir: &Path) -> Project {
    crate::demo::create_project(&dir.join("d.gpkg"), Catalog::embedded(), 20220101).unwrap()
}

fn options(paper: Paper, orientation: Orientation) -> WardMapOptions {
    WardMapOptions { paper, orientation, layers: None, office: Some("宜城街道城管社区工作室".into()), date: "2026-11-27".into() }
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| panic!("{name} could not run ({e}); install poppler-utils and gdal-bin (scripts/install-deps.sh)"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_ward_map_reads_back_in_pdftotext_pdffonts_and_pdfinfo() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let font = PageFont::find_and_load().unwrap();
    let wards = choose_wards(&project, &WardChoice::Ward("袁桥社区".into())).unwrap();
    let printed = ward_maps(&project, &wards, &options(Paper::A4, Orientation::Portrait), &font, &mut |_, _, _| {}).unwrap();
    let pdf = ward_maps_pdf(&printed, &font).unwrap();
    let path = dir.path().join("ward.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if let Ok(keep) = std::env::var("WARDGIS_KEEP_PDF") {
        std::fs::write(keep, &pdf).unwrap();
    }
    let p = path.to_str().unwrap();
    let text = tool("pdftotext", &[p, "-"]);
    for want in ["袁桥社区城市管理设施分布图", "宜城街道", "图例", "广告设施", "充电桩", "比例尺 1:", "设施一览表", "数据来源", "演示"] {
        assert!(text.contains(want), "`{want}` not in the text:\n{text}");
    }
    assert!(printed[0].facilities > 0);
    let info = tool("pdfinfo", &[p]);
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    // GDAL lists the map's layers by their Chinese names, every one of them (a reader that
    // stops early loses the layers drawn last), and reads the chargers as points.
    let layers = tool("ogrinfo", &["-ro", "-q", p]);
    for want in ["街坊", "道路", "社区", "广告设施", "充电桩", "建筑垃圾点"] {
        assert!(layers.lines().any(|l| l.split(": ").nth(1) == Some(want)), "`{want}` not among the PDF's layers:\n{layers}");
    }
    let chargers = tool("ogrinfo", &["-ro", "-q", p, "充电桩"]);
    assert!(chargers.matches("POINT (").count() >= 1, "{chargers}");
}

/// GDAL's geotransform for page `page` (1-based) of `pdf`, and the page's pixels per mm.
fn gdal_geotransform(pdf: &Path, page: usize, page_width_mm: f32) -> (Vec<f64>, String, f64) {
    let info: serde_json::Value = serde_json::from_str(&tool("gdalinfo", &["-json", &format!("PDF:{page}:{}", pdf.display())])).unwrap();
    let gt: Vec<f64> = info["geoTransform"].as_array().unwrap_or_else(|| panic!("no geotransform: {info}")).iter().map(|v| v.as_f64().unwrap()).collect();
    let wkt = info["coordinateSystem"]["wkt"].as_str().unwrap_or_default().to_owned();
    let px_per_mm = info["size"][0].as_f64().unwrap() / page_width_mm as f64;
    (gt, wkt, px_per_mm)
}

#[test]
fn gdal_puts_the_frame_corners_within_two_metres_and_the_frame_holds_the_whole_ward() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let font = PageFont::find_and_load().unwrap();
    for (name, paper, orientation) in [("袁桥社区", Paper::A4, Orientation::Portrait), ("龙背山社区", Paper::A3, Orientation::Landscape)] {
        let wards = choose_wards(&project, &WardChoice::Ward(name.into())).unwrap();
        let printed = ward_maps(&project, &wards, &options(paper, orientation), &font, &mut |_, _, _| {}).unwrap();
        let path = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&path, ward_maps_pdf(&printed, &font).unwrap()).unwrap();
        if let Ok(keep) = std::env::var("WARDGIS_KEEP_PDF") {
            std::fs::copy(&path, format!("{keep}.{name}.pdf")).unwrap();
        }
        let page = &printed[0].pages[0];
        let (gt, wkt, px_per_mm) = gdal_geotransform(&path, 1, page.width);
        assert!(wkt.contains("WGS 84"), "{wkt}");
        let ground = |x_mm: f32, y_mm: f32| {
            let (px, py) = (x_mm as f64 * px_per_mm, y_mm as f64 * px_per_mm);
            Coord { x: gt[0] + px * gt[1] + py * gt[2], y: gt[3] + px * gt[4] + py * gt[5] }
        };
        let geo = &printed[0].frame;
        let b = geo.frame;
        let placed = [(b.x, b.y), (b.right(), b.y), (b.right(), b.bottom()), (b.x, b.bottom())];
        for ((x, y), (lon, lat)) in placed.into_iter().zip(geo.corners) {
            let g = ground(x, y);
            let metres = crate::crs::distance_m(Coord { x: lon, y: lat }, g);
            assert!(metres < 2.0, "{name}: corner {x},{y} mm is {metres:.2} m from where the layout put it");
        }
        // The whole ward inside the frame, as GDAL reads the frame.
        let (top_left, bottom_right) = (ground(b.x, b.y), ground(b.right(), b.bottom()));
        let ward = wards[0].area.bounding_rect().unwrap();
        assert!(
            ward.min().x > top_left.x && ward.max().x < bottom_right.x && ward.min().y > bottom_right.y && ward.max().y < top_left.y,
            "{name}: ward {ward:?} not inside the frame {top_left:?}–{bottom_right:?}"
        );
        let info = tool("pdfinfo", &[path.to_str().unwrap()]);
        let size = if paper == Paper::A3 { "1190.55 x 841.89 pts (A3)" } else { "595.276 x 841.89 pts (A4)" };
        assert!(info.contains(size), "{info}");
    }
}

#[test]
fn an_unknown_ward_names_the_wards_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let e = choose_wards(&project, &WardChoice::Ward("不存在社区".into())).unwrap_err().to_string();
    assert!(e.contains("不存在社区") && e.contains("袁桥社区"), "{e}");
    let e = choose_wards(&project, &WardChoice::Subdistrict("某街道".into())).unwrap_err().to_string();
    assert!(e.contains("宜城街道"), "{e}");
    assert_eq!(choose_wards(&project, &WardChoice::All).unwrap().len(), project.count(WARD_LAYER).unwrap() as usize);
}
