//! The import preview and the user's column mapping, for tables (CSV, XLSX) and for keyed
//! records (GeoJSON, Shapefile, GeoPackage).

use rust_xlsxwriter::Workbook;

use super::tests::{billboards, c, file, kind, point, truth};
use super::*;
use crate::crs::distance_m;

fn columns(p: &Preview) -> Vec<(&str, Option<String>)> {
    p.columns.iter().map(|c| (c.name.as_str(), c.fills.as_ref().map(ToString::to_string))).collect()
}

fn mapped(pairs: &[(&str, &str)]) -> ImportOptions {
    ImportOptions { columns: pairs.iter().map(|(c, t)| (c.to_string(), t.parse().unwrap())).collect(), ..Default::default() }
}

/// Headers wardgis does not know: the preview lists them with what they fill (nothing) and
/// says why the file cannot be imported; mapped, the same file previews its rows.
#[test]
fn a_table_with_unknown_headers_lists_its_columns_then_imports_when_mapped() {
    let mut text = String::from("\u{FEFF}桩名,X坐标,Y坐标,桩型,端口,备注\r\n");
    for i in 0..30 {
        text.push_str(&format!("桩{i},119.8{i:02},31.3{i:02},机动车,{},\r\n", if i == 3 { "四个".to_owned() } else { (i + 1).to_string() }));
    }
    let (_d, path) = file("c.csv", text.as_bytes());
    let k = kind("chargers");
    let p = preview(&path, &k, &ImportOptions::default(), 10, None).unwrap();
    assert_eq!(columns(&p), [("桩名", None), ("X坐标", None), ("Y坐标", None), ("桩型", None), ("端口", None), ("备注", None)]);
    assert!(p.features.is_empty());
    let why = p.file_problem.as_ref().expect("no coordinate columns").to_string();
    assert!(why.contains("longitude column"), "{why}");
    assert_eq!(p.encoding, Some("UTF-8"));

    let opts = mapped(&[("桩名", "name"), ("X坐标", "lon"), ("Y坐标", "lat"), ("桩型", "vehicle_type"), ("端口", "ports"), ("备注", "skip")]);
    let p = preview(&path, &k, &opts, 10, None).unwrap();
    assert!(p.file_problem.is_none(), "{:?}", p.file_problem);
    assert_eq!(
        columns(&p),
        [
            ("桩名", Some("name".into())),
            ("X坐标", Some("lon".into())),
            ("Y坐标", Some("lat".into())),
            ("桩型", Some("vehicle_type".into())),
            ("端口", Some("ports".into())),
            ("备注", Some("skip".into()))
        ]
    );
    // Ten rows read: nine features and the bad one, named by its line (header = line 1).
    assert_eq!(p.features.len(), 9);
    assert_eq!(p.features[0].name(), Some("桩0"));
    assert_eq!(p.problems.len(), 1);
    match &p.problems[0] {
        Error::BadRow { line, field, value, .. } => assert_eq!((*line, field.as_str(), value.as_str()), (5, "端口", "四个")),
        other => panic!("{other:?}"),
    }
    // The import takes the same mapping: every good row of the whole file.
    let all = read_features(&path, &k, &ImportOptions { skip_bad: true, ..opts }).unwrap();
    assert_eq!(all.features.len(), 29);
}

#[test]
fn a_mapping_to_a_field_the_layer_lacks_is_refused_before_reading() {
    let (_d, path) = file("c.csv", "a,b\n1,2\n".as_bytes());
    let opts = mapped(&[("a", "port")]);
    for e in [preview(&path, &kind("chargers"), &opts, 5, None).unwrap_err(), read_features(&path, &kind("chargers"), &opts).unwrap_err()] {
        assert!(matches!(&e, Error::BadInput { .. }) && e.to_string().contains("vehicle_type, ports"), "{e}");
    }
}

/// Metres without a `.prj`: a zone prefix names the zone; bare eastings take the project's.
#[test]
fn gauss_kruger_metres_in_a_table_are_detected() {
    let k = kind("chargers");
    for (code, near) in [(4528, None), (4549, Some(c(119.8, 31.4)))] {
        let crs = Crs::from_epsg(code).unwrap();
        let mut text = String::from("名称,车辆类型,充电端口数,x,y\n");
        for (i, w) in truth().iter().take(8).enumerate() {
            let g = crs.from_wgs84(*w).unwrap();
            text.push_str(&format!("P{i},car,2,{:.3},{:.3}\n", g.x, g.y));
        }
        let (_d, path) = file("gk.csv", text.as_bytes());
        let p = preview(&path, &k, &ImportOptions::default(), 5, near).unwrap();
        assert_eq!(p.crs, Some(DetectedCrs { crs, evidence: CrsEvidence::Guessed }), "EPSG:{code}");
        assert_eq!(p.features.len(), 5, "{:?}", p.problems);
        assert!(distance_m(point(&p.features[0]), truth()[0]) < 0.01);
        // Bare eastings and no project: no guess, and the rows show why they do not read.
        if near.is_some() {
            let p = preview(&path, &k, &ImportOptions::default(), 5, None).unwrap();
            assert_eq!(p.crs, None);
            assert_eq!(p.problems.len(), 5);
        }
    }
}

/// A workbook: its sheets are listed, a bad cell is a problem naming sheet, row and column.
#[test]
fn an_xlsx_preview_lists_the_sheets_and_names_a_bad_cell() {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("一批").unwrap();
    for (col, h) in ["名称", "车辆类型", "充电端口数", "经度", "纬度"].iter().enumerate() {
        s.write_string(0, col as u16, *h).unwrap();
    }
    for row in 1..6u32 {
        s.write_string(row, 0, format!("桩{row}")).unwrap();
        s.write_string(row, 1, if row == 2 { "汽车" } else { "机动车" }).unwrap();
        s.write_number(row, 2, 4.0).unwrap();
        s.write_number(row, 3, 119.8).unwrap();
        s.write_number(row, 4, 31.3).unwrap();
    }
    book.add_worksheet().set_name("二批").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.xlsx");
    book.save(&path).unwrap();
    let p = preview(&path, &kind("chargers"), &ImportOptions::default(), 3, None).unwrap();
    assert_eq!(p.names, ["一批", "二批"]);
    assert_eq!(p.features.len(), 2);
    assert_eq!(p.encoding, None);
    match &p.problems[..] {
        [Error::BadCell(cell)] => assert_eq!((cell.sheet.as_str(), cell.row, cell.column.as_str(), cell.value.as_str()), ("一批", 3, "B", "汽车")),
        other => panic!("{other:?}"),
    }
    assert_eq!(columns(&p)[3], ("经度", Some("lon".into())));
}

/// Keyed records: a GeoJSON property named as nobody would guess fills a field once mapped;
/// a Shapefile's `.prj` is the declared system.
#[test]
fn records_follow_the_mapping_and_report_their_declared_system() {
    let k = kind("chargers");
    let doc = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","geometry":{"type":"Point","coordinates":[119.82,31.36]},"properties":{"title":"甲","kind":"car","n":3,"memo":"x"}},
        {"type":"Feature","geometry":{"type":"Point","coordinates":[119.83,31.37]},"properties":{"title":"乙","kind":"ebike","n":"多","memo":"y"}},
        {"type":"Feature","geometry":{"type":"Point","coordinates":[119.84,31.38]},"properties":{"title":"丙","kind":"car","n":5,"memo":"z"}}]}"#;
    let (_d, path) = file("c.geojson", doc.as_bytes());
    let opts = mapped(&[("title", "name"), ("kind", "vehicle_type"), ("n", "ports")]);
    let p = preview(&path, &k, &opts, 2, None).unwrap();
    // GeoJSON's property names come sorted (a JSON object's order is not kept).
    assert_eq!(columns(&p), [("kind", Some("vehicle_type".into())), ("memo", None), ("n", Some("ports".into())), ("title", Some("name".into()))]);
    assert_eq!(p.features.len(), 1);
    assert_eq!(p.features[0].get("ports"), &crate::feature::Value::Integer(3));
    assert!(matches!(&p.problems[..], [Error::BadFeature { index: 2, field, .. }] if field == "n"), "{:?}", p.problems);

    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("b.shp");
    let gk = Crs::from_epsg(4549).unwrap();
    write_features(&shp, &kind("billboards"), &billboards(), &ExportOptions { crs: gk, ..Default::default() }).unwrap();
    let p = preview(&shp, &kind("billboards"), &ImportOptions::default(), 3, None).unwrap();
    assert_eq!(p.crs, Some(DetectedCrs { crs: gk, evidence: CrsEvidence::Declared }));
    assert_eq!(p.features.len(), 3);
    assert_eq!(p.encoding, Some("UTF-8"));
    assert!(p.columns.iter().any(|c| c.name == "name" && c.fills == Some(ColumnChoice::Name)), "{:?}", p.columns);
    // A GeoPackage lists its feature tables.
    let gpkg = dir.path().join("b.gpkg");
    write_features(&gpkg, &kind("billboards"), &billboards(), &ExportOptions::default()).unwrap();
    assert_eq!(source_names(&gpkg).unwrap(), ["billboards"]);
}
