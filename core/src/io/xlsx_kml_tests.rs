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
    s.write_datetime_with_format(1, 4, &ExcelDateTime::from_ymd(2023, 7, 1).unwrap(), &date).unwrap();
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
        Error::BadCell { sheet, row, column, header, value, expected, .. } => {
            assert_eq!((sheet.as_str(), *row, column.as_str(), header.as_str()), ("充电桩", 17, "C", "充电端口数"));
            assert_eq!(value, "四个");
            assert!(expected.contains("whole number"), "{expected}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("c.xlsx: sheet `充电桩` row 17 column C `充电端口数`: value `四个`"), "{e}");
    // Empty rows above the header count, as Excel numbers them.
    let (_dir, path) = saved(chargers_book(4, 17, "x"), "c.xlsx");
    let e = read_features(&path, &kind("chargers"), &read_opts(None, false)).unwrap_err();
    assert!(matches!(e, Error::BadCell { row: 17, .. }), "{e}");
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
    assert_eq!(header.join(","), "fid,name,source,type,face_area_m2,owner,permit_no,large,last_safety_inspection,lon,lat");
    let row = &range.rows().nth(1).unwrap();
    assert_eq!(row[0], Data::Float(1.0));
    assert_eq!(row[1], Data::String("广告0".into()));
    assert_eq!(row[4], Data::Float(10.25));
    assert_eq!(row[7], Data::Bool(true));
    assert!(matches!(row[8], Data::DateTime(_)), "{:?}", row[8]);
}
