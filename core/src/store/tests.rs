//! Store tests: create, open, insert, update, delete, undo, and what other writers leave.

use super::*;
use crate::feature::Value;
use geo_types::{point, polygon, Geometry};

fn catalog() -> Catalog {
    Catalog::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../layers"))).unwrap()
}

fn charger(x: f64, y: f64, name: &str) -> Feature {
    Feature::new(point!(x: x, y: y))
        .with("name", name)
        .with("source", "test")
        .with("vehicle_type", "ebike")
        .with("ports", 8i64)
        .with("scan_to_pay", true)
}

fn temp_project() -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let p = Project::create(&dir.path().join("t.gpkg"), catalog()).unwrap();
    (dir, p)
}

#[test]
fn create_makes_a_table_per_layer_and_refuses_to_overwrite() {
    let (dir, p) = temp_project();
    assert!(p.layers().iter().all(|l| l.count == 0));
    assert_eq!(p.layers().len(), p.catalog().kinds().len());
    let again = Project::create(&dir.path().join("t.gpkg"), catalog());
    assert!(again.unwrap_err().to_string().contains("already exists"));
}

#[test]
fn features_round_trip_with_types() {
    let (_d, mut p) = temp_project();
    let fids = p.insert("chargers", vec![charger(119.82, 31.36, "人民路充电站")], "add").unwrap();
    let f = p.feature("chargers", fids[0]).unwrap();
    assert_eq!(f.name(), Some("人民路充电站"));
    assert_eq!(f.get("ports"), &Value::Integer(8));
    assert_eq!(f.get("scan_to_pay"), &Value::Boolean(true));
    assert_eq!(f.geometry, Geometry::Point(point!(x: 119.82, y: 31.36)));
}

#[test]
fn edits_keep_the_index_in_step_and_reopen_rebuilds_it() {
    let (dir, mut p) = temp_project();
    let fids = p.insert("chargers", vec![charger(119.82, 31.36, "a"), charger(119.83, 31.37, "b")], "add").unwrap();
    let centre = geo_types::Coord { x: 119.82, y: 31.36 };
    assert_eq!(p.index("chargers").unwrap().nearest(centre, 1).unwrap()[0].fid, fids[0]);
    // Move b onto the centre: it becomes the nearest.
    let mut b = p.feature("chargers", fids[1]).unwrap();
    b.geometry = point!(x: 119.8201, y: 31.36).into();
    p.update("chargers", b, "move b").unwrap();
    p.delete("chargers", &[fids[0]], "remove a").unwrap();
    assert_eq!(p.index("chargers").unwrap().nearest(centre, 5).unwrap().len(), 1);
    drop(p);
    let p = Project::open(&dir.path().join("t.gpkg"), catalog()).unwrap();
    let hits = p.index("chargers").unwrap().nearest(centre, 5).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].fid, fids[1]);
    assert!(hits[0].distance_m < 10.0);
}

#[test]
fn undo_reverses_insert_update_and_delete_in_order() {
    let (_d, mut p) = temp_project();
    let fids = p.insert("chargers", vec![charger(119.82, 31.36, "a")], "add a").unwrap();
    let mut a = p.feature("chargers", fids[0]).unwrap();
    a.props.insert("ports".into(), Value::Integer(2));
    p.update("chargers", a, "fewer ports").unwrap();
    p.delete("chargers", &fids, "remove a").unwrap();
    assert_eq!(p.count("chargers").unwrap(), 0);

    assert_eq!(p.undo().unwrap().unwrap().summary, "remove a");
    assert_eq!(p.feature("chargers", fids[0]).unwrap().get("ports"), &Value::Integer(2));
    assert_eq!(p.index("chargers").unwrap().len(), 1);
    assert_eq!(p.undo().unwrap().unwrap().summary, "fewer ports");
    assert_eq!(p.feature("chargers", fids[0]).unwrap().get("ports"), &Value::Integer(8));
    assert_eq!(p.undo().unwrap().unwrap().summary, "add a");
    assert_eq!(p.count("chargers").unwrap(), 0);
    assert_eq!(p.index("chargers").unwrap().len(), 0);
    assert!(p.undo().unwrap().is_none());
    let kinds: Vec<String> = p.history(10).unwrap().into_iter().map(|a| a.kind).collect();
    assert_eq!(kinds, ["undo", "undo", "undo", "delete", "update", "insert"]);
}

#[test]
fn wrong_geometry_type_is_refused_and_nothing_is_written() {
    let (_d, mut p) = temp_project();
    let square: Geometry<f64> =
        polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)].into();
    let bad = vec![charger(119.82, 31.36, "ok"), Feature::new(square.clone())];
    let err = p.insert("chargers", bad, "mixed").unwrap_err();
    assert!(err.to_string().contains("POINT"), "{err}");
    assert_eq!(p.count("chargers").unwrap(), 0);
    assert!(p.history(10).unwrap().is_empty());
    // A polygon is promoted into a multipolygon layer.
    p.insert("communities", vec![Feature::new(square).with("subdistrict", "宜城街道")], "add").unwrap();
    assert!(matches!(p.features("communities").unwrap()[0].geometry, Geometry::MultiPolygon(_)));
}

#[test]
fn the_rtree_triggers_fill_the_gpkg_rtree() {
    let (_d, mut p) = temp_project();
    p.insert("chargers", vec![charger(119.82, 31.36, "a"), charger(119.9, 31.4, "b")], "add").unwrap();
    let (n, minx, maxy): (i64, f64, f64) = p
        .conn
        .query_row("SELECT count(*), min(minx), max(maxy) FROM rtree_chargers_geom", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    // SQLite's R*Tree stores 32-bit floats rounded outwards.
    assert_eq!(n, 2);
    assert!(minx <= 119.82 && 119.82 - minx < 1e-5 && maxy >= 31.4 && maxy - 31.4 < 1e-5, "{minx} {maxy}");
    let extent: f64 = p.conn.query_row("SELECT max_x FROM gpkg_contents WHERE table_name='chargers'", [], |r| r.get(0)).unwrap();
    assert_eq!(extent as f32, 119.9);
}

#[test]
fn a_new_catalog_field_becomes_a_column_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.gpkg");
    Project::create(&path, catalog()).unwrap();
    let mut kinds = catalog().kinds().to_vec();
    let chargers = kinds.iter_mut().find(|k| k.id == "chargers").unwrap();
    let mut extra = chargers.fields[1].clone();
    extra.name = "power_kw".into();
    chargers.fields.push(extra);
    let grown = Catalog::from_kinds(kinds, "test".into()).unwrap();
    let mut p = Project::open(&path, grown).unwrap();
    p.insert("chargers", vec![charger(119.82, 31.36, "a").with("power_kw", 7i64)], "add").unwrap();
    assert_eq!(p.features("chargers").unwrap()[0].get("power_kw"), &Value::Integer(7));
}

#[test]
fn opening_something_else_says_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.gpkg");
    std::fs::write(&path, b"hello").unwrap();
    assert!(Project::open(&path, catalog()).is_err());
    assert!(Project::open(&dir.path().join("missing.gpkg"), catalog()).unwrap_err().to_string().contains("no such file"));
}

#[test]
fn opening_and_reading_leave_the_file_unchanged() {
    let (dir, mut p) = temp_project();
    p.insert("chargers", vec![charger(119.82, 31.36, "a")], "add").unwrap();
    drop(p);
    let path = dir.path().join("t.gpkg");
    let before = std::fs::read(&path).unwrap();
    let p = Project::open(&path, catalog()).unwrap();
    p.features("chargers").unwrap();
    p.index("chargers").unwrap().nearest(geo_types::Coord { x: 119.82, y: 31.36 }, 1).unwrap();
    drop(p);
    assert!(std::fs::read(&path).unwrap() == before, "open + read wrote to the file");
}

#[test]
fn undo_keeps_the_extent_in_gpkg_contents_true() {
    let (_d, mut p) = temp_project();
    p.insert("chargers", vec![charger(119.82, 31.36, "a")], "add a").unwrap();
    let extent = |p: &Project| -> (f64, f64, f64, f64, String) {
        p.conn
            .query_row("SELECT min_x, max_x, min_y, max_y, last_change FROM gpkg_contents WHERE table_name = 'chargers'", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
    };
    let one = extent(&p);
    p.insert("chargers", vec![charger(119.90, 31.40, "far")], "add far").unwrap();
    assert!(extent(&p).1 > one.1, "the far charger widens the extent");
    std::thread::sleep(std::time::Duration::from_millis(2));
    p.undo().unwrap();
    let undone = extent(&p);
    assert_eq!((undone.0, undone.1, undone.2, undone.3), (one.0, one.1, one.2, one.3), "undo shrinks the extent back");
    assert!(undone.4 > one.4, "undo is a change: last_change moves on");
}
