//! Filters: what parses, where errors point, and what a project answers.

use std::path::Path;

use geo_types::point;

use super::*;
use crate::catalog::Catalog;
use crate::feature::Feature;
use crate::project::Project;

fn catalog() -> Catalog {
    Catalog::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../layers"))).unwrap()
}

fn error_of(layer: &str, text: &str) -> FilterError {
    let c = catalog();
    match Filter::parse(c.kind(layer).unwrap(), text) {
        Err(Error::Filter(e)) => *e,
        other => panic!("expected a filter error for {text:?}, got {other:?}"),
    }
}

#[test]
fn an_unknown_field_is_named_at_its_column_with_the_accepted_ones() {
    let e = error_of("billboards", "type = 'led' AND face_area > 20");
    assert_eq!((e.line, e.column), (1, 18));
    assert!(e.message.contains("unknown field `face_area`"), "{}", e.message);
    assert!(e.message.contains("face_area_m2") && e.message.contains("fid, name, source"), "{}", e.message);
    let shown = Error::Filter(Box::new(e)).to_string();
    assert_eq!(
        shown.lines().collect::<Vec<_>>()[1..],
        ["  type = 'led' AND face_area > 20", &format!("  {}^", " ".repeat(17))]
    );
}

#[test]
fn the_caret_lines_up_under_chinese_text() {
    let e = error_of("chargers", "name LIKE '%充电%' AND portz > 2");
    assert_eq!(e.column, 22);
    let shown = Error::Filter(Box::new(e)).to_string();
    let caret = shown.lines().last().unwrap();
    // 12 narrow characters, two wide ones (an ideographic space each), 7 narrow.
    assert_eq!(caret, format!("  {}\u{3000}\u{3000}{}^", " ".repeat(12), " ".repeat(7)));
}

#[test]
fn syntax_errors_point_where_reading_stopped() {
    let e = error_of("chargers", "ports >");
    assert_eq!(e.column, 8);
    assert!(e.message.contains("ends too early"), "{}", e.message);
    let e = error_of("chargers", "ports > 2 AND AND name = 'x'");
    assert_eq!(e.column, 15);
    assert!(e.message.contains("cannot read `AND`"), "{}", e.message);
    let e = error_of("chargers", "ports = 2)");
    assert_eq!(e.column, 10);
}

#[test]
fn values_must_fit_their_fields() {
    let e = error_of("chargers", "ports > '2'");
    assert_eq!(e.column, 9);
    assert!(e.message.contains("holds numbers"), "{}", e.message);
    let e = error_of("chargers", "operator = 20");
    assert!(e.message.contains("'20'"), "{}", e.message);
    let e = error_of("chargers", "vehicle_type = 'bus'");
    assert_eq!(e.column, 16);
    assert!(e.message.contains("'ebike'") && e.message.contains("'car'"), "{}", e.message);
    let e = error_of("chargers", "scan_to_pay = 1");
    assert!(e.message.contains("TRUE or FALSE"), "{}", e.message);
    let e = error_of("billboards", "last_safety_inspection > DATE('2025-02-30')");
    assert_eq!(e.column, 31);
    let e = error_of("chargers", "name LIKE 5");
    assert!(e.message.contains("pattern"), "{}", e.message);
    let e = error_of("chargers", "vehicle_type > 'car'");
    assert!(e.message.contains("= or <>"), "{}", e.message);
    let e = error_of("chargers", "S_INTERSECTS(geom, POINT(31.36 119.82))");
    assert_eq!(e.column, 20);
    let e = error_of("chargers", "S_WITHIN(geometry, BBOX(119,31,120,32))");
    assert_eq!(e.column, 10);
    assert!(e.message.contains("`geom`"), "{}", e.message);
}

#[test]
fn enum_fields_take_codes_or_labels() {
    let c = catalog();
    let kind = c.kind("chargers").unwrap();
    let code = Filter::parse(kind, "vehicle_type = 'car'").unwrap();
    let zh_label = kind.field("vehicle_type").unwrap().values.iter().find(|v| v.value == "car").unwrap().zh.clone();
    let by_label = Filter::parse(kind, &format!("vehicle_type = '{zh_label}'")).unwrap();
    assert_eq!(code.expr(), by_label.expr());
}

fn charger(x: f64, y: f64, name: &str, ty: &str, ports: i64) -> Feature {
    Feature::new(point!(x: x, y: y)).with("name", name).with("source", "test").with("vehicle_type", ty).with("ports", ports)
}

fn project_with_chargers() -> (tempfile::TempDir, Project, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let p = Project::create(&dir.path().join("t.gpkg"), catalog()).unwrap();
    let fids = p
        .insert(
            "chargers",
            vec![
                charger(119.80, 31.30, "人民路充电站", "car", 8),
                charger(119.81, 31.31, "解放路停车场", "ebike", 2),
                charger(119.82, 31.32, "充电桩 O'Neil", "ebike", 20),
                charger(119.90, 31.40, "城北充电站", "car", 8),
                charger(119.91, 31.41, "what?*[x]", "car", 1).with("operator", "国网"),
            ],
            "add",
        )
        .unwrap();
    (dir, p, fids)
}

fn query(p: &Project, text: &str) -> Vec<i64> {
    let f = Filter::parse(p.catalog().kind("chargers").unwrap(), text).unwrap();
    p.query_fids("chargers", Some(&f), None).unwrap()
}

#[test]
fn a_project_answers_each_kind_of_condition() {
    let (_d, p, f) = project_with_chargers();
    assert_eq!(query(&p, "name LIKE '%充电%'"), [f[0], f[2], f[3]]);
    assert_eq!(query(&p, "name NOT LIKE '%充电%'"), [f[1], f[4]]);
    assert_eq!(query(&p, "name LIKE 'what?*[%'"), [f[4]]);
    assert_eq!(query(&p, "ports > 5 AND vehicle_type = 'car'"), [f[0], f[3]]);
    assert_eq!(query(&p, "5 < ports"), [f[0], f[2], f[3]]);
    assert_eq!(query(&p, "ports BETWEEN 2 AND 8"), [f[0], f[1], f[3]]);
    assert_eq!(query(&p, "ports NOT IN (8, 20)"), [f[1], f[4]]);
    assert_eq!(query(&p, "operator IS NULL OR ports = 1"), f);
    assert_eq!(query(&p, "operator IS NOT NULL"), [f[4]]);
    assert_eq!(query(&p, &format!("NOT (ports >= 8) AND fid <> {}", f[1])), [f[4]]);
    assert_eq!(query(&p, "name = '充电桩 O''Neil'"), [f[2]]);
    // A value that would be SQL if it were spliced in is only a value.
    assert_eq!(query(&p, "name = 'x'' OR 1=1 --'"), Vec::<i64>::new());
    assert_eq!(query(&p, "TRUE"), f);
}

#[test]
fn spatial_functions_are_exact() {
    let (_d, p, f) = project_with_chargers();
    assert_eq!(query(&p, "S_INTERSECTS(geom, BBOX(119.79, 31.29, 119.815, 31.315))"), [f[0], f[1]]);
    // f[3] lies on the square's west edge: it meets the square but is not within it.
    let square = "POLYGON((119.90 31.35, 120 31.35, 120 31.5, 119.90 31.5, 119.90 31.35))";
    assert_eq!(query(&p, &format!("S_WITHIN(geom, {square})")), [f[4]]);
    assert_eq!(query(&p, &format!("S_INTERSECTS(geom, {square})")), [f[3], f[4]]);
    assert_eq!(query(&p, "S_DISJOINT(geom, BBOX(119.79, 31.29, 119.815, 31.315))"), [f[2], f[3], f[4]]);
    assert_eq!(query(&p, "S_INTERSECTS(geom, POINT(119.82 31.32))"), [f[2]]);
    assert_eq!(query(&p, "S_CONTAINS(POLYGON((119 31, 121 31, 121 32, 119 31)), geom) AND ports = 8"), [f[0], f[3]]);
}

#[test]
fn rows_sort_by_any_column_ties_by_fid() {
    let (_d, p, f) = project_with_chargers();
    let kind = p.catalog().kind("chargers").unwrap();
    let desc = Sort::new(kind, "ports", true).unwrap();
    assert_eq!(p.query_fids("chargers", None, Some(&desc)).unwrap(), [f[2], f[3], f[0], f[1], f[4]]);
    let asc = Sort::new(kind, "ports", false).unwrap();
    assert_eq!(p.query_fids("chargers", None, Some(&asc)).unwrap(), [f[4], f[1], f[0], f[3], f[2]]);
    assert!(Sort::new(kind, "port", false).unwrap_err().to_string().contains("vehicle_type"));
    let filter = Filter::parse(kind, "vehicle_type = 'car'").unwrap();
    assert_eq!(p.query_fids("chargers", Some(&filter), Some(&desc)).unwrap(), [f[3], f[0], f[4]]);
}
