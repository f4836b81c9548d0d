//! Import and export against the real catalog in `layers/`.

use std::path::{Path, PathBuf};

use geo_types::{Coord, Geometry, LineString, MultiPolygon, Point, Polygon};

use super::*;
use crate::catalog::Catalog;
use crate::crs::{self, distance_m};
use crate::feature::Value;

pub(crate) fn catalog() -> Catalog {
    Catalog::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../layers"))).unwrap()
}

pub(super) fn kind(id: &str) -> LayerKind {
    catalog().kind(id).unwrap().clone()
}

/// Writes `bytes` to `name` in a fresh temporary directory.
pub(super) fn file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn import(name: &str, text: &str, layer: &str) -> Result<ImportReport> {
    let (_dir, path) = file(name, text.as_bytes());
    read_features(&path, &kind(layer), &read_opts(None, false))
}

pub(super) fn point(f: &Feature) -> Coord<f64> {
    match &f.geometry {
        Geometry::Point(p) => p.0,
        g => panic!("not a point: {g:?}"),
    }
}

pub(super) fn c(x: f64, y: f64) -> Coord<f64> {
    Coord { x, y }
}

#[test]
fn gbk_csv_with_chinese_headers_and_values() {
    let text = "名称,车辆类型,充电端口数,运营单位,扫码支付,经度,纬度\r\n\
                人民路充电站,机动车,4,宜兴城投,是,119.8231,31.3562\r\n\
                \"东门,非机动车棚\",非机动车,12,,否,119.8302,31.3601\r\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    let (_dir, path) = file("chargers.csv", &gbk);
    let report = read_features(&path, &kind("chargers"), &read_opts(None, false)).unwrap();
    assert_eq!(report.features.len(), 2);
    let f = &report.features[0];
    assert_eq!(f.name(), Some("人民路充电站"));
    assert_eq!(f.get("vehicle_type"), &Value::Text("car".into()));
    assert_eq!(f.get("ports"), &Value::Integer(4));
    assert_eq!(f.get("operator"), &Value::Text("宜兴城投".into()));
    assert_eq!(f.get("scan_to_pay"), &Value::Boolean(true));
    assert_eq!(f.get("source"), &Value::Null);
    assert_eq!(point(f), c(119.8231, 31.3562));
    let g = &report.features[1];
    assert_eq!(g.name(), Some("东门,非机动车棚"));
    assert_eq!(g.get("vehicle_type"), &Value::Text("ebike".into()));
    assert_eq!(g.get("operator"), &Value::Null);
    assert_eq!(g.get("scan_to_pay"), &Value::Boolean(false));
    assert!(report.warnings.iter().any(|w| w.contains("GBK")), "{:?}", report.warnings);
}

#[test]
fn utf8_bom_csv_reads() {
    let r = import("a.csv", "\u{FEFF}name,vehicle_type,ports,lng,lat\nA,car,2,119.8,31.3\n", "chargers").unwrap();
    assert_eq!(r.features[0].name(), Some("A"));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn coordinate_headers_in_every_spelling() {
    for (lon, lat) in [("lng", "lat"), ("lon", "lat"), ("x", "y"), ("Longitude", "Latitude"), (" LNG ", "LAT"), ("东经", "北纬"), ("long", "latitude")] {
        let text = format!("{lon},{lat},vehicle_type,ports\n119.8,31.3,car,2\n");
        let r = import("a.csv", &text, "chargers").unwrap_or_else(|e| panic!("{lon}/{lat}: {e}"));
        assert_eq!(point(&r.features[0]), c(119.8, 31.3), "{lon}/{lat}");
    }
}

#[test]
fn tab_separated_txt() {
    let r = import("a.txt", "名称\t车辆类型\t充电端口数\t经度\t纬度\nA\t机动车\t2\t119.8\t31.3\n", "chargers").unwrap();
    assert_eq!(r.features[0].get("ports"), &Value::Integer(2));
}

#[test]
fn missing_coordinate_columns_name_headers_found_and_accepted() {
    let e = import("a.csv", "名称,车辆类型,充电端口数,东西\nA,car,2,1\n", "chargers").unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::BadInput { .. }), "{e:?}");
    assert!(msg.contains("`东西`") && msg.contains("经度") && msg.contains("纬度"), "{msg}");
}

#[test]
fn missing_required_column_is_refused_up_front() {
    let e = import("a.csv", "名称,车辆类型,lng,lat\nA,car,119.8,31.3\n", "chargers").unwrap_err();
    assert!(matches!(e, Error::BadInput { .. }), "{e:?}");
    assert!(e.to_string().contains("ports (充电端口数)"), "{e}");
}

#[test]
fn unknown_columns_are_a_warning() {
    let r = import("a.csv", "名称,车辆类型,充电端口数,备注,lng,lat,颜色\nA,car,2,x,119.8,31.3,红\n", "chargers").unwrap();
    assert_eq!(r.features.len(), 1);
    assert_eq!(r.warnings.len(), 1);
    assert!(r.warnings[0].contains("备注, 颜色") && r.warnings[0].contains("ports (充电端口数)"), "{:?}", r.warnings);
}

#[test]
fn a_short_position_inside_a_polygon_is_a_bad_feature_not_a_panic() {
    // Found by fuzzing: the geojson crate indexed past the end of `[1136]` and panicked.
    let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A","subdistrict":"宜城街道"},
        "geometry":{"type":"Polygon","coordinates":[[[119.81,31.35],[1136],[119.82,31.36],[119.81,31.35]]]}}]}"#;
    let e = import("a.geojson", text, "communities").unwrap_err();
    assert!(e.to_string().contains("feature 1: field `geometry` value `Polygon`: has a position with 1 number(s) ([1136.0])"), "{e}");
}

#[test]
fn rings_of_fewer_than_three_corners_are_refused_but_self_intersecting_ones_import() {
    let csv = |wkt: &str| import("a.csv", &format!("名称,subdistrict,wkt\nA,宜城街道,\"{wkt}\"\n"), "communities");
    let e = csv("POLYGON((119.8 31.3, 119.9 31.3))").unwrap_err();
    assert!(e.to_string().contains("has an outer ring of 3 position(s) once closed"), "{e}");
    let e = csv("MULTIPOLYGON(((119.81 31.35, 119.82 31.35, 119.82 31.36, 119.81 31.35)),EMPTY)").unwrap_err();
    assert!(e.to_string().contains("has a polygon 2 outer ring of 0 position(s)"), "{e}");
    assert!(csv("POLYGON((119.81 31.35, 119.82 31.36, 119.82 31.35, 119.81 31.36, 119.81 31.35))").is_ok());
}

#[test]
fn huge_values_and_header_lists_are_clipped_in_messages() {
    let huge = "9".repeat(1 << 20);
    let e = import("a.csv", &format!("名称,车辆类型,充电端口数,lng,lat
A,car,{huge},119.8,31.3
"), "chargers").unwrap_err();
    assert!(e.to_string().contains("value `9999") && e.to_string().contains("… (1048576 characters)`"), "{}", &e.to_string()[..300]);
    assert!(e.to_string().len() < 1000);
    let headers: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
    let e = import("a.csv", &format!("{}
", headers.join(",")), "chargers").unwrap_err();
    assert!(e.to_string().contains("`c29`, … and 9970 more"), "{}", &e.to_string()[..300]);
}

#[test]
fn two_columns_for_one_field_are_refused() {
    let e = import("a.csv", "name,名称,车辆类型,充电端口数,lng,lat\nA,B,car,2,119.8,31.3\n", "chargers").unwrap_err();
    assert!(e.to_string().contains("`name` and `名称`"), "{e}");
}

#[test]
fn enum_labels_and_chinese_booleans_normalise() {
    let text = "名称,车辆类型,充电端口数,扫码支付,经度,纬度\n\
                A,机动车,2,是,119.8,31.3\n\
                B,E-bike,2,否,119.8,31.3\n\
                C,ebike,2,,119.8,31.3\n";
    let r = import("a.csv", text, "chargers").unwrap();
    let got: Vec<(&Value, &Value)> = r.features.iter().map(|f| (f.get("vehicle_type"), f.get("scan_to_pay"))).collect();
    assert_eq!(
        got,
        [
            (&Value::Text("car".into()), &Value::Boolean(true)),
            (&Value::Text("ebike".into()), &Value::Boolean(false)),
            (&Value::Text("ebike".into()), &Value::Null),
        ]
    );
}

#[test]
fn dates_are_normalised_on_import() {
    let text = "名称,类型,面积,最近安全检测日期,经度,纬度\nA,屋顶广告,12.5,2023/7/1,119.8,31.3\n";
    let r = import("b.csv", text, "billboards").unwrap();
    assert_eq!(r.features[0].get("last_safety_inspection"), &Value::Date("2023-07-01".into()));
    assert_eq!(r.features[0].get("type"), &Value::Text("roof".into()));
    assert_eq!(r.features[0].get("face_area_m2"), &Value::Real(12.5));
}

/// Points around Yixing old town, in WGS84.
pub(super) fn truth() -> Vec<Coord<f64>> {
    (0..40).map(|i| c(119.78 + i as f64 * 0.0021, 31.33 + (i * 7 % 40) as f64 * 0.0013)).collect()
}

fn crs_round_trip_via_csv(crs: Crs, forward: fn(Coord<f64>) -> Coord<f64>) {
    let mut text = String::from("名称,车辆类型,充电端口数,经度,纬度\n");
    for (i, w) in truth().iter().enumerate() {
        let g = forward(*w);
        text.push_str(&format!("P{i},car,2,{:.9},{:.9}\n", g.x, g.y));
    }
    let (_dir, path) = file("shifted.csv", text.as_bytes());
    let r = read_features(&path, &kind("chargers"), &read_opts(Some(crs), false)).unwrap();
    for (f, w) in r.features.iter().zip(truth()) {
        let d = distance_m(point(f), w);
        assert!(d < 1.0, "{crs:?}: {} is {d} m from the truth", f.name().unwrap());
    }
    // Imported as WGS84 instead, the points would be hundreds of metres off.
    let wrong = read_features(&path, &kind("chargers"), &read_opts(None, false)).unwrap();
    assert!(distance_m(point(&wrong.features[0]), truth()[0]) > 100.0);
}

#[test]
fn gcj02_csv_is_converted_to_wgs84() {
    crs_round_trip_via_csv(Crs::Gcj02, crs::wgs84_to_gcj02);
}

#[test]
fn bd09_csv_is_converted_to_wgs84() {
    crs_round_trip_via_csv(Crs::Bd09, |w| crs::gcj02_to_bd09(crs::wgs84_to_gcj02(w)));
}

const CHARGERS_WITH_ONE_BAD_ROW: &str = "名称,车辆类型,充电端口数,经度,纬度\n\
    A,car,2,119.8,31.3\n\
    \"B, with a\nline break\",car,3,119.8,31.3\n\
    C,car,abc,119.8,31.3\n\
    D,car,5,119.8,31.3\n";

#[test]
fn one_bad_row_fails_the_import_naming_line_field_and_value() {
    let e = import("c.csv", CHARGERS_WITH_ONE_BAD_ROW, "chargers").unwrap_err();
    match &e {
        Error::BadRow { file, line, field, value, expected } => {
            assert!(file.ends_with("c.csv"));
            assert_eq!(*line, 5, "the physical line, after the two-line record");
            assert_eq!(field, "充电端口数");
            assert_eq!(value, "abc");
            assert!(expected.contains("whole number"), "{expected}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("c.csv:5: field `充电端口数` value `abc`"), "{e}");
}

/// Excel on Windows saves "CSV UTF-8" with a BOM and CRLF line ends, and a cell typed with
/// Alt+Enter holds a bare LF. The bad row must be named by the line an editor shows, as for
/// the LF file above — also when rows follow it, which once made it one line early.
#[test]
fn the_bad_line_is_the_editors_line_whatever_the_line_ends() {
    let mut rows: Vec<String> = vec!["名称,车辆类型,充电端口数,经度,纬度".into()];
    rows.extend((1..=14).map(|i| format!("站{i},ebike,4,119.8,31.3")));
    rows.push("\"多行\n名称\",ebike,4,119.8,31.3".into()); // lines 16 and 17
    rows.push("坏站,ebike,abc,119.8,31.3".into()); // line 18
    rows.extend((1..=5).map(|i| format!("后{i},ebike,4,119.8,31.3")));
    for (what, text) in [
        ("LF", rows.join("\n") + "\n"),
        ("BOM + CRLF", format!("\u{feff}{}\r\n", rows.join("\r\n"))),
        ("CR", rows.join("\r") + "\r"),
    ] {
        let e = import("excel.csv", &text, "chargers").unwrap_err();
        assert!(e.to_string().contains("excel.csv:18: field `充电端口数` value `abc`"), "{what}: {e}");
    }
}

/// The acceptance case as stated: Excel's "CSV UTF-8" (BOM, CRLF), the bad cell on the 17th
/// line (header, 15 good rows, the bad one) is reported as line 17.
#[test]
fn a_bom_crlf_csv_with_a_bad_17th_line_reports_line_17() {
    let mut rows: Vec<String> = vec!["名称,车辆类型,充电端口数,经度,纬度".into()];
    rows.extend((1..=15).map(|i| format!("站{i},ebike,4,119.8,31.3")));
    rows.push("坏站,ebike,abc,119.8,31.3".into());
    let e = import("excel.csv", &format!("\u{feff}{}\r\n", rows.join("\r\n")), "chargers").unwrap_err();
    assert!(e.to_string().contains("excel.csv:17: field `充电端口数` value `abc`"), "{e}");
}

#[test]
fn skip_bad_keeps_the_good_rows() {
    let (_dir, path) = file("c.csv", CHARGERS_WITH_ONE_BAD_ROW.as_bytes());
    let r = read_features(&path, &kind("chargers"), &read_opts(None, true)).unwrap();
    let names: Vec<_> = r.features.iter().map(|f| f.name().unwrap()).collect();
    assert_eq!(names, ["A", "B, with a\nline break", "D"]);
    assert_eq!(r.skipped.len(), 1);
    assert!(matches!(&r.skipped[0], Error::BadRow { line: 5, .. }), "{:?}", r.skipped);
}

#[test]
fn several_bad_rows_are_reported_together() {
    let text = "名称,类型,面积,最近安全检测日期,经度,纬度\n\
                A,霓虹灯,1,,119.8,31.3\n\
                B,roof,1,2022-02-30,119.8,31.3\n\
                C,roof,1,2022-02-28,119.8,31.3\n\
                D,roof,1,,200,31.3\n\
                E,roof,1,,31.3,119.8\n\
                F,,1,,119.8,31.3\n";
    let e = import("b.csv", text, "billboards").unwrap_err();
    let Error::BadRows { rows, .. } = &e else { panic!("{e:?}") };
    let lines: Vec<usize> = rows.iter().map(|r| if let Error::BadRow { line, .. } = r { *line } else { 0 }).collect();
    assert_eq!(lines, [2, 3, 5, 6, 7]);
    let msg = e.to_string();
    assert!(msg.contains("5 bad row(s)"), "{msg}");
    assert!(msg.contains("b.csv:2: field `类型` value `霓虹灯`") && msg.contains("roof (屋顶广告)"), "{msg}");
    assert!(msg.contains("b.csv:3: field `最近安全检测日期` value `2022-02-30`") && msg.contains("February 2022 has 28 days"), "{msg}");
    assert!(msg.contains("b.csv:5: field `经度` value `200`: is out of range"), "{msg}");
    assert!(msg.contains("b.csv:6: field `纬度` value `119.8`") && msg.contains("swapped"), "{msg}");
    assert!(msg.contains("b.csv:7: field `类型` value ``: is required"), "{msg}");
}

#[test]
fn a_non_point_csv_needs_a_wkt_column() {
    let e = import("w.csv", "名称,lng,lat\nA,119.8,31.3\n", "water").unwrap_err();
    assert!(e.to_string().contains("wkt"), "{e}");
}

fn square(x: f64, y: f64, d: f64) -> Polygon<f64> {
    let ring = vec![c(x, y), c(x + d, y), c(x + d, y + d), c(x, y + d), c(x, y)];
    Polygon::new(LineString::from(ring), vec![])
}

/// Every stored kind of value on a billboard, for round trips.
pub(super) fn billboards() -> Vec<Feature> {
    truth()
        .iter()
        .take(5)
        .enumerate()
        .map(|(i, w)| {
            let mut f = Feature::new(Point(*w))
                .with("name", format!("广告{i}").as_str())
                .with("type", if i % 2 == 0 { "roof" } else { "led" })
                .with("face_area_m2", 10.25 + i as f64)
                .with("large", i % 2 == 0)
                .with("owner", "某公司, \"quoted\"");
            f.props.insert("last_safety_inspection".into(), Value::Date(format!("2024-0{}-15", i + 1)));
            f.fid = Some(i as i64 + 1);
            f
        })
        .collect()
}

/// Checks that `got` has the attributes and (within 1 cm) the geometry of `want`.
pub(super) fn assert_same(kind: &LayerKind, want: &[Feature], got: &[Feature]) {
    use geo::CoordsIter;
    assert_eq!(want.len(), got.len());
    for (w, g) in want.iter().zip(got) {
        for key in kind.column_names() {
            assert_eq!(w.get(key), g.get(key), "{key} of {:?}", w.name());
        }
        let pairs = w.geometry.coords_iter().zip(g.geometry.coords_iter());
        assert_eq!(w.geometry.coords_count(), g.geometry.coords_count());
        for (a, b) in pairs {
            assert!(distance_m(a, b) < 0.01, "{a:?} vs {b:?}");
        }
    }
}

pub(super) fn round_trip(kind: &LayerKind, features: &[Feature], name: &str, crs: Crs) -> ImportReport {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    write_features(&path, kind, features, &ExportOptions { crs: crs, ..Default::default() }).unwrap();
    read_features(&path, kind, &read_opts(Some(crs), false)).unwrap()
}

#[test]
fn geojson_round_trip_preserves_attributes_and_coordinates() {
    let k = kind("billboards");
    let r = round_trip(&k, &billboards(), "b.geojson", Crs::Wgs84);
    assert_same(&k, &billboards(), &r.features);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn geojson_round_trip_in_gcj02_and_bd09() {
    let k = kind("billboards");
    for crs in [Crs::Gcj02, Crs::Bd09] {
        let r = round_trip(&k, &billboards(), "b.geojson", crs);
        assert_same(&k, &billboards(), &r.features);
    }
}

#[test]
fn a_gcj02_export_reads_back_in_the_system_it_declares() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.geojson");
    write_features(&path, &kind("billboards"), &billboards(), &ExportOptions { crs: Crs::Gcj02, ..Default::default() }).unwrap();
    let r = read_features(&path, &kind("billboards"), &read_opts(None, false)).unwrap();
    assert_same(&kind("billboards"), &billboards(), &r.features);
    assert!(r.warnings.iter().any(|w| w.contains("gcj02")), "{:?}", r.warnings);
}

#[test]
fn a_crs_member_after_the_features_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.geojson");
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[119.8,31.3]},"properties":{"name":"a","type":"roof"}}],
           "crs":{"type":"name","properties":{"name":"wardgis:gcj02"}}}"#,
    )
    .unwrap();
    let e = read_features(&path, &kind("billboards"), &read_opts(None, false)).unwrap_err();
    assert!(e.to_string().contains("after its features") && e.to_string().contains("--crs gcj02"), "{e}");
}

/// A two-part community with every required field filled.
pub(super) fn a_community() -> Feature {
    let k = kind("communities");
    let mut f = Feature::new(MultiPolygon(vec![square(119.8, 31.3, 0.01), square(119.9, 31.3, 0.005)]));
    for field in k.fields.iter().filter(|f| f.required) {
        let v = match field.ty {
            crate::catalog::FieldType::Enum => Value::Text(field.values[0].value.clone()),
            crate::catalog::FieldType::Integer => Value::Integer(3),
            crate::catalog::FieldType::Real => Value::Real(1.5),
            crate::catalog::FieldType::Boolean => Value::Boolean(true),
            crate::catalog::FieldType::Date => Value::Date("2020-01-01".into()),
            crate::catalog::FieldType::Text => Value::Text("x".into()),
        };
        f.props.insert(field.name.clone(), v);
    }
    f
}

#[test]
fn csv_round_trip_points_and_polygons() {
    let k = kind("billboards");
    let r = round_trip(&k, &billboards(), "b.csv", Crs::Wgs84);
    assert_same(&k, &billboards(), &r.features);
    let r = round_trip(&k, &billboards(), "b.csv", Crs::Bd09);
    assert_same(&k, &billboards(), &r.features);

    let k = kind("communities");
    let f = a_community();
    let r = round_trip(&k, std::slice::from_ref(&f), "c.csv", Crs::Gcj02);
    assert_same(&k, &[f], &r.features);
}

#[test]
fn csv_export_layout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.csv");
    write_features(&path, &kind("billboards"), &billboards()[..1], &ExportOptions { crs: Crs::Wgs84, ..Default::default() }).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("fid,name,source,type,face_area_m2,owner,permit_no,large,last_safety_inspection,community,subdistrict,grid_code,lon,lat"));
    let w = truth()[0];
    assert_eq!(
        lines.next().unwrap(),
        format!("1,广告0,,roof,10.25,\"某公司, \"\"quoted\"\"\",,true,2024-01-15,,,,{:.7},{:.7}", w.x, w.y)
    );
}

fn geojson_doc(features: &str) -> String {
    format!("{{\"type\":\"FeatureCollection\",\"features\":[{features}]}}")
}

#[test]
fn geojson_polygons_are_promoted_for_multi_layers() {
    let k = kind("communities");
    let required: Vec<String> = k
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| format!("\"{}\":{}", f.label_zh, if f.values.is_empty() { "1".to_owned() } else { format!("\"{}\"", f.values[0].zh) }))
        .collect();
    let feature = format!(
        "{{\"type\":\"Feature\",\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[[119.8,31.3],[119.81,31.3],[119.81,31.31],[119.8,31.3]]]}},\"properties\":{{\"名称\":\"某社区\"{}{}}}}}",
        if required.is_empty() { "" } else { "," },
        required.join(",")
    );
    let r = import("c.geojson", &geojson_doc(&feature), "communities").unwrap();
    assert!(matches!(r.features[0].geometry, Geometry::MultiPolygon(ref m) if m.0.len() == 1));
    assert_eq!(r.features[0].name(), Some("某社区"));
}

#[test]
fn geojson_single_feature_and_json_extension() {
    let text = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[119.8,31.3]},"properties":{"Vehicle type":"Car","ports":"3","name":7}}"#;
    let r = import("one.json", text, "chargers").unwrap();
    assert_eq!(r.features[0].get("vehicle_type"), &Value::Text("car".into()));
    assert_eq!(r.features[0].get("ports"), &Value::Integer(3));
    assert_eq!(r.features[0].name(), Some("7"));
}

#[test]
fn geojson_bad_features_are_named_by_position() {
    let ok = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[119.8,31.3]},"properties":{"vehicle_type":"car","ports":2}}"#;
    let line = r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[119.8,31.3],[119.9,31.3]]},"properties":{"vehicle_type":"car","ports":2}}"#;
    let bad_enum = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[119.8,31.3]},"properties":{"vehicle_type":"truck","ports":2}}"#;
    let missing = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[119.8,31.3]},"properties":{"vehicle_type":"car"}}"#;
    let projected = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[40512345.0,3471234.0]},"properties":{"vehicle_type":"car","ports":2}}"#;
    let doc = geojson_doc(&[ok, line, bad_enum, missing, projected].join(","));
    let e = import("g.geojson", &doc, "chargers").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("g.geojson: feature 2: field `geometry` value `LineString`: expected a Point geometry"), "{msg}");
    assert!(msg.contains("feature 3: field `vehicle_type` value `truck`: expected one of car (机动车)"), "{msg}");
    assert!(msg.contains("feature 4: field `ports (充电端口数)` value ``: is required but missing"), "{msg}");
    assert!(msg.contains("feature 5: field `geometry`") && msg.contains("projected"), "{msg}");

    let (_dir, path) = file("g.geojson", doc.as_bytes());
    let r = read_features(&path, &kind("chargers"), &read_opts(None, true)).unwrap();
    assert_eq!(r.features.len(), 1);
    assert_eq!(r.skipped.len(), 4);
}

#[test]
fn geojson_crs_member() {
    let body = r#""features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[119.8,31.3]},"properties":{"vehicle_type":"car","ports":2}}]"#;
    let with = |name: &str| format!(r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"{name}"}}}},{body}}}"#);
    for ok in ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4490"] {
        assert!(import("a.geojson", &with(ok), "chargers").is_ok(), "{ok}");
    }
    // A declared system wardgis knows is read as such (the metres here are near 0°, 0°) …
    use geo::CoordsIter;
    let r = import("a.geojson", &with("urn:ogc:def:crs:EPSG::3857"), "chargers").unwrap();
    assert!(r.features[0].geometry.coords_iter().all(|c| c.x.abs() < 0.01 && c.y.abs() < 0.01));
    // … one it does not is refused, named.
    let e = import("a.geojson", &with("urn:ogc:def:crs:EPSG::32650"), "chargers").unwrap_err();
    assert!(matches!(e, Error::BadInput { .. }) && e.to_string().contains("EPSG::32650"), "{e}");
    let (_dir, path) = file("a.geojson", with("urn:ogc:def:crs:EPSG::32650").as_bytes());
    assert!(read_features(&path, &kind("chargers"), &read_opts(Some(Crs::Gcj02), false)).is_ok(), "--crs overrides the member");
}

#[test]
fn not_geojson_is_bad_input() {
    for text in ["[1,2", r#"{"type":"Point","coordinates":[1,2]}"#, r#"{"a":1}"#] {
        let e = import("x.geojson", text, "chargers").unwrap_err();
        assert!(matches!(e, Error::BadInput { .. }), "{text}: {e:?}");
    }
    assert!(matches!(import("x.shp", "", "chargers"), Err(Error::BadInput { .. })));
}

#[test]
fn feature_to_geojson_shape() {
    let k = kind("chargers");
    let mut f = Feature::new(Point::new(119.823_456_789, 31.3)).with("name", "A").with("ports", 2i64);
    f.fid = Some(7);
    let v = feature_to_geojson(&k, &f, &[("distance_m", serde_json::json!(12.5))]);
    assert_eq!(v["type"], "Feature");
    assert_eq!(v["id"], 7);
    assert_eq!(v["geometry"]["type"], "Point");
    assert_eq!(v["geometry"]["coordinates"][0], 119.823_456_8);
    let p = &v["properties"];
    assert_eq!(p["name"], "A");
    assert!(p["source"].is_null() && p["operator"].is_null() && p.get("operator").is_some());
    assert_eq!(p["ports"], 2);
    assert_eq!(p["distance_m"], 12.5);
    let fc = feature_collection(vec![v]);
    assert_eq!(fc["type"], "FeatureCollection");
    assert_eq!(fc["features"].as_array().unwrap().len(), 1);
}


#[test]
fn an_empty_csv_says_so() {
    let e = import("e.csv", "", "chargers").unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
}

#[test]
fn read_area_collects_polygons() {
    let fc = geojson_doc(
        r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[119.8,31.3],[119.81,31.3],[119.81,31.31],[119.8,31.3]]]},"properties":null},
           {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[119.9,31.3],[119.91,31.3],[119.91,31.31],[119.9,31.3]]]]},"properties":{}}"#,
    );
    let (_dir, path) = file("area.geojson", fc.as_bytes());
    assert!(matches!(read_area(&path).unwrap(), Geometry::MultiPolygon(m) if m.0.len() == 2));
    let bare = r#"{"type":"Polygon","coordinates":[[[119.8,31.3],[119.81,31.3],[119.81,31.31],[119.8,31.3]]]}"#;
    let (_d2, path) = file("bare.json", bare.as_bytes());
    assert!(read_area(&path).is_ok());
    let line = geojson_doc(r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[119.8,31.3],[119.9,31.3]]},"properties":{}}"#);
    let (_d3, path) = file("line.geojson", line.as_bytes());
    let e = read_area(&path).unwrap_err();
    assert!(e.to_string().contains("feature 1: is a LineString"), "{e}");
}

pub(super) fn read_opts(crs: Option<Crs>, skip_bad: bool) -> ImportOptions {
    ImportOptions { crs, skip_bad, ..Default::default() }
}

#[test]
fn projected_csv_and_geojson_round_trip() {
    let k = kind("billboards");
    for code in [4549, 4528, 3857] {
        let crs = Crs::from_epsg(code).unwrap();
        for name in ["b.csv", "b.geojson"] {
            let r = round_trip(&k, &billboards(), name, crs);
            assert_same(&k, &billboards(), &r.features);
        }
    }
}

#[test]
fn gauss_kruger_csv_in_metres_is_imported_and_a_wrong_zone_refused() {
    let cm120 = Crs::from_epsg(4549).unwrap();
    let mut text = String::from("名称,车辆类型,充电端口数,x,y\n");
    for (i, w) in truth().iter().enumerate() {
        let g = cm120.from_wgs84(*w).unwrap();
        text.push_str(&format!("P{i},car,2,{:.3},{:.3}\n", g.x, g.y));
    }
    let (_dir, path) = file("gk.csv", text.as_bytes());
    let r = read_features(&path, &kind("chargers"), &read_opts(Some(cm120), false)).unwrap();
    for (f, w) in r.features.iter().zip(truth()) {
        assert!(distance_m(point(f), w) < 0.01, "{} is off", f.name().unwrap());
    }
    // The same metres read as the zone-prefixed system: refused, with the reason.
    let e = read_features(&path, &kind("chargers"), &read_opts(Crs::from_epsg(4528), false)).unwrap_err();
    assert!(e.to_string().contains("zone prefix 40"), "{e}");
    // And as degrees: refused as before.
    assert!(read_features(&path, &kind("chargers"), &read_opts(None, false)).is_err());
}

#[test]
fn a_projected_geojson_export_reads_back_in_the_system_it_declares() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.geojson");
    let crs = Crs::from_epsg(4549).unwrap();
    write_features(&path, &kind("billboards"), &billboards(), &ExportOptions { crs, ..Default::default() }).unwrap();
    assert!(std::fs::read_to_string(&path).unwrap().contains("urn:ogc:def:crs:EPSG::4549"));
    let r = read_features(&path, &kind("billboards"), &read_opts(None, false)).unwrap();
    assert_same(&kind("billboards"), &billboards(), &r.features);
    assert!(r.warnings.iter().any(|w| w.contains("EPSG:4549")), "{:?}", r.warnings);
}

#[test]
fn a_gbk_csv_export_round_trips_and_refuses_what_gbk_cannot_hold() {
    let k = kind("billboards");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.csv");
    let gbk = ExportOptions { encoding: Some(TextEncoding::Gbk), ..Default::default() };
    write_features(&path, &k, &billboards(), &gbk).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err() && !bytes.starts_with(b"\xEF\xBB\xBF"), "GBK bytes, no BOM");
    let r = read_features(&path, &k, &read_opts(None, false)).unwrap();
    assert_same(&k, &billboards(), &r.features);

    let mut odd = billboards();
    odd[1].props.insert("name".into(), Value::Text("广告😀".into()));
    let e = write_features(&path, &k, &odd, &gbk).unwrap_err();
    assert!(e.to_string().contains("feature 2") && e.to_string().contains("UTF-8"), "{e}");
}
