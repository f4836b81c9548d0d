//! XLSX and KML/KMZ import and export against the real catalog in `layers/`.

use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};

use super::tests::{assert_same, billboards, c, kind, point, read_opts, round_trip};
use super::*;
use crate::feature::Value;

/// Saves `book` as `name` in a fresh temporary directory.
fn saved(mut book: Workbook, name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    book.save(&path).unwrap();
    (dir, path)
}

#[test]
fn xlsx_with_chinese_headers_and_typed_cells() {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("广告").unwrap();
    let date = CellFormat::new().set_num_format("yyyy/m/d");
    for (col, h) in ["名称", "类型", "面积（m²）", "大型广告设施", "最近安全检测日期", "经度", "纬度"].iter().enumerate() {
        s.write_string(0, col as u16, *h).unwrap();
    }
    // A date cell, booleans, numbers as numbers.
    s.write_string(1, 0, "人民路广告").unwrap();
    s.write_string(1, 1, "屋顶广告").unwrap();
    s.write_number(1, 2, 12.5).unwrap();
    s.write_boolean(1, 3, true).unwrap();
    s.write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(2023, 7, 1).unwrap(), &date).unwrap();
    s.write_number(1, 5, 119.8231).unwrap();
    s.write_number(1, 6, 31.3562).unwrap();
    // A serial number in the date column, numbers typed as text, 是/否.
    s.write_string(2, 0, "东门").unwrap();
    s.write_string(2, 1, "led").unwrap();
    s.write_string(2, 2, "8").unwrap();
    s.write_string(2, 3, "否").unwrap();
    s.write_number(2, 4, 45000.0).unwrap();
    s.write_string(2, 5, "119.8302").unwrap();
    s.write_string(2, 6, "31.3601").unwrap();
    let (_dir, path) = saved(book, "b.xlsx");
    let r = read_features(&path, &kind("billboards"), &read_opts(None, false)).unwrap();
    assert_eq!(r.features.len(), 2);
    let (a, b) = (&r.features[0], &r.features[1]);
    assert_eq!(a.name(), Some("人民路广告"));
    assert_eq!(a.get("type"), &Value::Text("roof".into()));
    assert_eq!(a.get("face_area_m2"), &Value::Real(12.5));
    assert_eq!(a.get("large"), &Value::Boolean(true));
    assert_eq!(a.get("last_safety_inspection"), &Value::Date("2023-07-01".into()));
    assert_eq!(point(a), c(119.8231, 31.3562));
    assert_eq!(b.get("face_area_m2"), &Value::Real(8.0));
    assert_eq!(b.get("large"), &Value::Boolean(false));
    assert_eq!(b.get("last_safety_inspection"), &Value::Date("2023-03-15".into()));
    assert_eq!(point(b), c(119.8302, 31.3601));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn integers_stored_as_floats_are_whole_numbers() {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (col, h) in ["名称", "车辆类型", "充电端口数", "lng", "lat"].iter().enumerate() {
        s.write_string(0, col as u16, *h).unwrap();
    }
    for (row, ports) in [(1u32, 12.0), (2, 4.0)] {
        s.write_string(row, 0, "站").unwrap();
        s.write_string(row, 1, "car").unwrap();
        s.write_number(row, 2, ports).unwrap();
        s.write_number(row, 3, 119.8).unwrap();
        s.write_number(row, 4, 31.3).unwrap();
    }
    let (_dir, path) = saved(book, "c.xlsx");
    let r = read_features(&path, &kind("chargers"), &read_opts(None, false)).unwrap();
    assert_eq!(r.features[0].get("ports"), &Value::Integer(12));
    assert_eq!(r.features[1].get("ports"), &Value::Integer(4));
}

/// A chargers sheet whose header is on Excel row `header_row`, with good rows below and a
/// bad `ports` cell (`value`) on Excel row `bad_row`.
fn chargers_book(header_row: u32, bad_row: u32, value: &str) -> Workbook {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("充电桩").unwrap();
    let r0 = header_row - 1;
    for (col, h) in ["名称", "车辆类型", "充电端口数", "经度", "纬度"].iter().enumerate() {
        s.write_string(r0, col as u16, *h).unwrap();
    }
    for row in r0 + 1..bad_row + 3 {
        s.write_string(row, 0, format!("充电桩{row}")).unwrap();
        s.write_string(row, 1, "机动车").unwrap();
        if row == bad_row - 1 {
            s.write_string(row, 2, value).unwrap();
        } else {
            s.write_number(row, 2, 4.0).unwrap();
        }
        s.write_number(row, 3, 119.8).unwrap();
        s.write_number(row, 4, 31.3).unwrap();
    }
    book
}

#[test]
fn a_bad_cell_in_the_17th_row_reports_row_17_column_and_header() {
    let (_dir, path) = saved(chargers_book(1, 17, "四个"), "c.xlsx");
    let e = read_features(&path, &kind("chargers"), &read_opts(None, false)).unwrap_err();
    match &e {
        Error::BadCell(cell) => {
            assert_eq!((cell.sheet.as_str(), cell.row, cell.column.as_str(), cell.header.as_str()), ("充电桩", 17, "C", "充电端口数"));
            assert_eq!(cell.value, "四个");
            assert!(cell.expected.contains("whole number"), "{}", cell.expected);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("c.xlsx: sheet `充电桩` row 17 column C `充电端口数`: value `四个`"), "{e}");
    // Empty rows above the header count, as Excel numbers them.
    let (_dir, path) = saved(chargers_book(4, 17, "x"), "c.xlsx");
    let e = read_features(&path, &kind("chargers"), &read_opts(None, false)).unwrap_err();
    assert!(matches!(&e, Error::BadCell(cell) if cell.row == 17), "{e}");
}

#[test]
fn a_value_outside_a_catalog_constraint_names_the_constraint() {
    let (_dir, path) = saved(chargers_book(1, 5, "500"), "c.xlsx");
    let e = read_features(&path, &kind("chargers"), &read_opts(None, false)).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("row 5 column C") && text.contains("maximum 200") && text.contains("`max`"), "{text}");
    let r = read_features(&path, &kind("chargers"), &read_opts(None, true)).unwrap();
    assert_eq!(r.skipped.len(), 1);
    assert_eq!(r.features.len(), 6);
}

#[test]
fn the_sheet_is_chosen_by_name_and_an_unknown_one_lists_the_sheets() {
    let mut book = chargers_book(1, 50, "");
    let s = book.add_worksheet();
    s.set_name("第二批").unwrap();
    for (col, h) in ["名称", "车辆类型", "充电端口数", "x", "y"].iter().enumerate() {
        s.write_string(0, col as u16, *h).unwrap();
    }
    s.write_string(1, 0, "只有一个").unwrap();
    s.write_string(1, 1, "ebike").unwrap();
    s.write_number(1, 2, 2.0).unwrap();
    s.write_number(1, 3, 119.81).unwrap();
    s.write_number(1, 4, 31.31).unwrap();
    let (_dir, path) = saved(book, "two.xlsx");
    let k = kind("chargers");
    let first = read_features(&path, &k, &read_opts(None, true)).unwrap();
    assert!(first.features.len() > 40);
    let opts = ImportOptions { sheet: Some("第二批".into()), ..Default::default() };
    let second = read_features(&path, &k, &opts).unwrap();
    assert_eq!(second.features.len(), 1);
    assert_eq!(second.features[0].name(), Some("只有一个"));
    let opts = ImportOptions { sheet: Some("第三批".into()), ..Default::default() };
    let e = read_features(&path, &k, &opts).unwrap_err().to_string();
    assert!(e.contains("no sheet `第三批`") && e.contains("`充电桩`, `第二批`"), "{e}");
}

#[test]
fn xlsx_round_trip_points_and_polygons() {
    let k = kind("billboards");
    for crs in [Crs::Wgs84, Crs::Gcj02] {
        let r = round_trip(&k, &billboards(), "b.xlsx", crs);
        assert_same(&k, &billboards(), &r.features);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }
    let k = kind("communities");
    let f = super::tests::a_community();
    let r = round_trip(&k, std::slice::from_ref(&f), "c.xlsx", Crs::Wgs84);
    assert_same(&k, &[f], &r.features);
}

#[test]
fn xlsx_export_layout() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.xlsx");
    write_features(&path, &kind("billboards"), &billboards()[..2], &ExportOptions::default()).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["广告设施".to_owned()]);
    let range = wb.worksheet_range("广告设施").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|d| d.to_string()).collect();
    assert_eq!(header.join(","), "fid,name,source,type,face_area_m2,owner,permit_no,large,last_safety_inspection,community,subdistrict,grid_code,lon,lat");
    let row = &range.rows().nth(1).unwrap();
    assert_eq!(row[0], Data::Float(1.0));
    assert_eq!(row[1], Data::String("广告0".into()));
    assert_eq!(row[4], Data::Float(10.25));
    assert_eq!(row[7], Data::Bool(true));
    assert!(matches!(row[8], Data::DateTime(_)), "{:?}", row[8]);
}

/// The Google Earth / 奥维-style survey committed under `core/tests/data/`.
fn aowei() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/chargers_aowei.kml")
}

#[test]
fn kml_placemarks_in_folders_with_extended_data() {
    let k = kind("chargers");
    let r = read_features(&aowei(), &k, &read_opts(None, false)).unwrap();
    let names: Vec<_> = r.features.iter().map(|f| f.name().unwrap()).collect();
    assert_eq!(names, ["人民路充电站", "东门<非机动车棚>", "南门充电桩"]);
    let (a, b, s) = (&r.features[0], &r.features[1], &r.features[2]);
    assert_eq!(a.get("vehicle_type"), &Value::Text("car".into()));
    assert_eq!(a.get("ports"), &Value::Integer(4));
    assert_eq!(a.get("operator"), &Value::Text("宜兴城投 & 国网".into()));
    assert_eq!(point(a), c(119.8283, 31.3536), "altitude dropped");
    assert_eq!(b.get("vehicle_type"), &Value::Text("ebike".into()));
    assert_eq!(b.get("ports"), &Value::Integer(12));
    assert_eq!(b.get("scan_to_pay"), &Value::Boolean(true));
    assert_eq!(point(b), c(119.8355, 31.3577));
    assert_eq!(s.get("ports"), &Value::Integer(2));
    assert_eq!(point(s), c(119.8201, 31.3499), "a MultiGeometry of one point");
    let w = r.warnings.join("\n");
    assert!(w.contains("调查员"), "{w}");
    assert!(w.contains("description of 1 placemark"), "{w}");
    // 奥维 collects GCJ-02: with --crs gcj02 the positions move to WGS84.
    let shifted = read_features(&aowei(), &k, &read_opts(Some(Crs::Gcj02), false)).unwrap();
    let back = crate::crs::wgs84_to_gcj02(point(&shifted.features[0]));
    assert!(crate::crs::distance_m(back, point(a)) < 0.01);
    assert!(crate::crs::distance_m(point(&shifted.features[0]), point(a)) > 100.0);
}

fn kml_doc(placemarks: &str) -> String {
    format!("<?xml version=\"1.0\"?><kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>{placemarks}</Document></kml>")
}

fn charger_placemark(name: &str, ports: &str, coords: &str) -> String {
    format!(
        "<Placemark><name>{name}</name><ExtendedData><Data name=\"vehicle_type\"><value>car</value></Data>\
         <Data name=\"ports\"><value>{ports}</value></Data></ExtendedData><Point><coordinates>{coords}</coordinates></Point></Placemark>"
    )
}

#[test]
fn a_bad_placemark_is_named_by_position_and_name() {
    let doc = kml_doc(&[
        charger_placemark("甲", "2", "119.8,31.3"),
        charger_placemark("乙", "0", "119.8,31.3"),
        charger_placemark("丙", "2", "119.8 31.3"),
    ]
    .concat());
    let (_dir, path) = super::tests::file("bad.kml", doc.as_bytes());
    let e = read_features(&path, &kind("chargers"), &read_opts(None, false)).unwrap_err();
    let Error::BadRows { rows, total: 2 } = &e else { panic!("{e}") };
    let first = rows[0].to_string();
    assert!(first.contains("feature 2: field `ports` value `0`") && first.contains("minimum 1") && first.contains("placemark `乙`"), "{first}");
    let second = rows[1].to_string();
    assert!(second.contains("feature 3") && second.contains("Point coordinates") && second.contains("placemark `丙`"), "{second}");
    let (_dir, path) = super::tests::file("not.kml", b"<html><body>hello</body></html>");
    let e = read_features(&path, &kind("chargers"), &read_opts(None, false)).unwrap_err();
    assert!(matches!(e, Error::BadInput { .. }) && e.to_string().contains("not KML"), "{e}");
}

#[test]
fn kml_and_kmz_round_trip_points_and_polygons() {
    for name in ["b.kml", "b.kmz"] {
        let k = kind("billboards");
        let r = round_trip(&k, &billboards(), name, Crs::Wgs84);
        assert_same(&k, &billboards(), &r.features);
        assert!(r.warnings.is_empty(), "{name}: {:?}", r.warnings);
        let k = kind("communities");
        let f = super::tests::a_community();
        let r = round_trip(&k, std::slice::from_ref(&f), name, Crs::Gcj02);
        assert_same(&k, &[f], &r.features);
    }
}

#[test]
fn a_kmz_is_a_zip_holding_doc_kml() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.kmz");
    write_features(&path, &kind("billboards"), &billboards(), &ExportOptions::default()).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut kml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("doc.kml").unwrap(), &mut kml).unwrap();
    assert!(kml.contains("<name>广告0</name>") && kml.contains("<Data name=\"owner\"><value>某公司, &quot;quoted&quot;</value></Data>"), "{kml}");
}
