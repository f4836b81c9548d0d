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
    assert!(p.layers().unwrap().iter().all(|l| l.count == 0));
    assert_eq!(p.layers().unwrap().len(), p.catalog().kinds().len());
    let again = Project::create(&dir.path().join("t.gpkg"), catalog());
    assert!(again.unwrap_err().to_string().contains("already exists"));
}

#[test]
fn features_round_trip_with_types() {
    let (_d, p) = temp_project();
    let fids = p.insert("chargers", vec![charger(119.82, 31.36, "人民路充电站")], "add").unwrap();
    let f = p.feature("chargers", fids[0]).unwrap();
    assert_eq!(f.name(), Some("人民路充电站"));
    assert_eq!(f.get("ports"), &Value::Integer(8));
    assert_eq!(f.get("scan_to_pay"), &Value::Boolean(true));
    assert_eq!(f.geometry, Geometry::Point(point!(x: 119.82, y: 31.36)));
}

#[test]
fn edits_keep_the_index_in_step_and_reopen_rebuilds_it() {
    let (dir, p) = temp_project();
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
    let (_d, p) = temp_project();
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
    let kinds: Vec<String> = p.history(10).unwrap().into_iter().map(|a| a.kind.code().to_owned()).collect();
    assert_eq!(kinds, ["undo", "undo", "undo", "delete", "update", "insert"]);
}

#[test]
fn wrong_geometry_type_is_refused_and_nothing_is_written() {
    let (_d, p) = temp_project();
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
    let (_d, p) = temp_project();
    p.insert("chargers", vec![charger(119.82, 31.36, "a"), charger(119.9, 31.4, "b")], "add").unwrap();
    let (n, minx, maxy): (i64, f64, f64) = p
        .store()
        .writer()
        .query_row("SELECT count(*), min(minx), max(maxy) FROM rtree_chargers_geom", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    // SQLite's R*Tree stores 32-bit floats rounded outwards.
    assert_eq!(n, 2);
    assert!(minx <= 119.82 && 119.82 - minx < 1e-5 && maxy >= 31.4 && maxy - 31.4 < 1e-5, "{minx} {maxy}");
    let extent: f64 = p.store().writer().query_row("SELECT max_x FROM gpkg_contents WHERE table_name='chargers'", [], |r| r.get(0)).unwrap();
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
    let p = Project::open(&path, grown).unwrap();
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
    let (dir, p) = temp_project();
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

/// Another program's connection to the same file, as GDAL's would be: the `ST_*` functions
/// the R-tree triggers call are registered, nothing else of wardgis's.
fn other_program(path: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).unwrap();
    crate::store::gpkg::sql_functions::register(&c).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c
}

fn other_program_adds_charger(c: &rusqlite::Connection, x: f64, y: f64, name: &str) -> i64 {
    let blob = crate::store::gpkg::blob::encode(&point!(x: x, y: y).into()).unwrap();
    c.execute(
        "INSERT INTO chargers (geom, name, source, vehicle_type, ports) VALUES (?1, ?2, 'qgis', 'ebike', 4)",
        rusqlite::params![blob, name],
    )
    .unwrap();
    c.execute("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = 'chargers'", [])
        .unwrap();
    c.last_insert_rowid()
}

#[test]
fn the_file_is_in_wal_mode_and_whole_after_closing() {
    let (dir, p) = temp_project();
    p.insert("chargers", vec![charger(119.82, 31.36, "a")], "add").unwrap();
    let mode: String = p.store().writer().pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    drop(p);
    let wal = dir.path().join("t.gpkg-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0, "the WAL was not checkpointed on close");
}

#[test]
fn a_change_by_another_program_is_seen_without_reopening() {
    let (dir, p) = temp_project();
    p.insert("chargers", vec![charger(119.82, 31.36, "ours")], "add").unwrap();
    assert_eq!(p.refresh_external().unwrap(), vec![], "our own insert is not someone else's");
    let other = other_program(&dir.path().join("t.gpkg"));
    let theirs = other_program_adds_charger(&other, 119.83, 31.37, "theirs");
    let changes = p.refresh_external().unwrap();
    assert_eq!(changes, vec![LayerChange { layer: "chargers".into(), count: 2 }]);
    let hit = p.index("chargers").unwrap().nearest(geo_types::Coord { x: 119.83, y: 31.37 }, 1).unwrap()[0].fid;
    assert_eq!(hit, theirs);
    assert_eq!(p.refresh_external().unwrap(), vec![], "seen once");

    // Another wardgis process: its import is noticed the same way.
    let second = Project::open(&dir.path().join("t.gpkg"), catalog()).unwrap();
    second.insert("chargers", (0..10).map(|i| charger(119.80 + i as f64 * 0.001, 31.35, "batch")).collect(), "ten").unwrap();
    assert_eq!(p.refresh_external().unwrap(), vec![LayerChange { layer: "chargers".into(), count: 12 }]);
}

#[test]
fn undo_leaves_another_programs_rows_alone() {
    let (dir, p) = temp_project();
    let other = other_program(&dir.path().join("t.gpkg"));
    let theirs = other_program_adds_charger(&other, 119.83, 31.37, "theirs");
    p.refresh_external().unwrap();
    let ours = p.insert("chargers", vec![charger(119.82, 31.36, "ours")], "add").unwrap();
    other_program_adds_charger(&other, 119.84, 31.38, "theirs later");
    p.refresh_external().unwrap();
    p.undo().unwrap().unwrap();
    let names: Vec<String> = p.features("chargers").unwrap().iter().map(|f| f.name().unwrap().to_owned()).collect();
    assert_eq!(names, ["theirs", "theirs later"]);
    assert!(p.feature("chargers", ours[0]).is_err());
    assert_eq!(p.feature("chargers", theirs).unwrap().name(), Some("theirs"));
    assert_eq!(p.index("chargers").unwrap().len(), 2);
}

#[test]
fn undo_refuses_to_destroy_another_programs_edit() {
    let (dir, p) = temp_project();
    let fids = p.insert("chargers", vec![charger(119.82, 31.36, "ours"), charger(119.83, 31.36, "ours too")], "add").unwrap();
    let other = other_program(&dir.path().join("t.gpkg"));
    other.execute("UPDATE chargers SET ports = 12 WHERE fid = ?1", [fids[1]]).unwrap();
    let err = p.undo().unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err}");
    assert!(err.to_string().contains("changed some of them since"), "{err}");
    // Nothing was written: both rows are there, the action is still undoable.
    assert_eq!(p.count("chargers").unwrap(), 2);
    assert_eq!(p.history(5).unwrap()[0].kind, ActionKind::Insert);

    // An update that another program changed again since is not rolled back over it.
    other.execute("UPDATE chargers SET ports = 8 WHERE fid = ?1", [fids[1]]).unwrap();
    p.undo().unwrap();
    let fids = p.insert("chargers", vec![charger(119.82, 31.36, "a")], "add").unwrap();
    let mut f = p.feature("chargers", fids[0]).unwrap();
    f.props.insert("ports".into(), Value::Integer(20));
    p.update("chargers", f, "more ports").unwrap();
    other.execute("UPDATE chargers SET name = 'renamed in QGIS' WHERE fid = ?1", [fids[0]]).unwrap();
    assert!(matches!(p.undo().unwrap_err(), Error::Conflict(_)));
    assert_eq!(p.feature("chargers", fids[0]).unwrap().name(), Some("renamed in QGIS"));
}

#[test]
fn reads_go_on_while_a_write_is_in_progress() {
    let (_d, p) = temp_project();
    p.insert("chargers", vec![charger(119.82, 31.36, "a")], "add").unwrap();
    let kind = p.catalog().kind("chargers").unwrap().clone();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let (project, kind) = (&p, &kind);
    std::thread::scope(|s| {
        let writer = s.spawn(move || {
            project
                .store
                .act(ActionKind::Insert, Some("chargers"), "slow", |a| {
                    a.insert_features(kind, &[charger(119.9, 31.4, "b")])?;
                    started_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                    Ok(())
                })
                .unwrap();
        });
        started_rx.recv().unwrap();
        // The write holds its transaction open; a reader still answers, with the committed state.
        assert_eq!(p.features("chargers").unwrap().len(), 1);
        assert_eq!(p.attributes_for("chargers", &[1]).unwrap().len(), 1);
        release_tx.send(()).unwrap();
        writer.join().unwrap();
    });
    assert_eq!(p.features("chargers").unwrap().len(), 2);
}

#[test]
fn undo_keeps_the_extent_in_gpkg_contents_true() {
    let (_d, p) = temp_project();
    p.insert("chargers", vec![charger(119.82, 31.36, "a")], "add a").unwrap();
    let extent = |p: &Project| -> (f64, f64, f64, f64, String) {
        p.store()
            .writer()
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

#[test]
fn an_edit_cannot_store_what_the_catalog_forbids() {
    let (_d, p) = temp_project();
    let err = p.insert("chargers", vec![charger(119.82, 31.36, "a").with("ports", -5i64)], "add").unwrap_err();
    assert!(err.to_string().contains("field `ports` value `-5` is below the field's minimum 1"), "{err}");
    let fids = p.insert("chargers", vec![charger(119.82, 31.36, "a")], "add").unwrap();
    let mut f = p.feature("chargers", fids[0]).unwrap();
    f.props.insert("ports".into(), Value::Integer(0));
    assert!(p.update("chargers", f, "no ports").unwrap_err().to_string().contains("minimum 1"));
    assert_eq!(p.feature("chargers", fids[0]).unwrap().get("ports"), &Value::Integer(8));
}

#[test]
fn name_search_ranks_exact_prefix_contains_across_layers_and_takes_wildcards_literally() {
    let (_d, p) = temp_project();
    p.insert(
        "chargers",
        vec![
            charger(119.82, 31.36, "人民路充电站"),
            charger(119.821, 31.36, "充电站"),
            charger(119.822, 31.36, "东门充电站北"),
            charger(119.823, 31.36, "充电站100%_满"),
            charger(119.824, 31.36, "停车场"),
        ],
        "add",
    )
    .unwrap();
    let names = |text: &str, limit: usize| -> Vec<String> {
        p.search_names(text, limit).unwrap().into_iter().map(|(_, m)| m.name).collect()
    };
    assert_eq!(names("充电站", 10), ["充电站", "充电站100%_满", "人民路充电站", "东门充电站北"]);
    assert_eq!(names(" 充电 ", 2), ["充电站", "充电站100%_满"]);
    // `%` and `_` are characters, not wildcards.
    assert_eq!(names("%", 10), ["充电站100%_满"]);
    assert_eq!(names("0%_", 10), ["充电站100%_满"]);
    assert!(names("站_", 10).is_empty());
    assert!(names("'; DROP TABLE chargers; --", 10).is_empty());
    assert_eq!(p.count("chargers").unwrap(), 5);
    let hits = p.search_names("充电站", 1).unwrap();
    assert_eq!((hits[0].0.as_str(), hits[0].1.rank), ("chargers", crate::search::MatchRank::Exact));
    assert!(p.search_names("  ", 5).is_err());
}

#[test]
fn near_feature_finds_what_lies_along_a_road_and_leaves_the_road_out() {
    use geo::{Destination, Geodesic};
    let (_d, p) = temp_project();
    let road = |name: &str, coords: &[(f64, f64)]| {
        Feature::new(Geometry::LineString(coords.iter().copied().collect()))
            .with("name", name)
            .with("source", "test")
            .with("class", "branch")
    };
    let road_fids = p
        .insert(
            "roads",
            vec![road("东西路", &[(119.80, 31.36), (119.84, 31.36)]), road("北边路", &[(119.80, 31.37), (119.84, 31.37)])],
            "roads",
        )
        .unwrap();
    // Chargers 40 m and 60 m north of the road's middle, and one off its east end.
    let mid = geo_types::Point::new(119.82, 31.36);
    let at = |bearing: f64, d: f64| Geodesic.destination(mid, bearing, d);
    let c40 = at(0.0, 40.0);
    let c60 = at(0.0, 60.0);
    let east = Geodesic.destination(geo_types::Point::new(119.84, 31.36), 90.0, 45.0);
    let fids = p
        .insert("chargers", vec![charger(c40.x(), c40.y(), "a"), charger(c60.x(), c60.y(), "b"), charger(east.x(), east.y(), "c")], "add")
        .unwrap();
    let hits = p.near_feature("chargers", "roads", road_fids[0], 50.0).unwrap();
    assert_eq!(hits.iter().map(|h| h.fid).collect::<Vec<_>>(), [fids[0], fids[2]]);
    assert!((hits[0].distance_m - 40.0).abs() < 0.05, "{hits:?}");
    assert!((hits[1].distance_m - 45.0).abs() < 0.05, "{hits:?}");
    // Roads near the road: the other one (1.1 km north) at 1200 m, never the road itself.
    let roads = p.near_feature("roads", "roads", road_fids[0], 1_200.0).unwrap();
    assert_eq!(roads.iter().map(|h| h.fid).collect::<Vec<_>>(), [road_fids[1]]);
    assert!(p.near_feature("chargers", "roads", 999, 50.0).is_err());
    // The bounds the map flies to.
    let b = p.feature_bounds("roads", road_fids[0]).unwrap().unwrap();
    assert_eq!((b.min().x, b.max().x, b.min().y), (119.80, 119.84, 31.36));
}

// ---- redo ----

fn billboard(x: f64, y: f64, area: f64) -> Feature {
    Feature::new(point!(x: x, y: y))
        .with("name", "牌")
        .with("source", "test")
        .with("type", "led")
        .with("face_area_m2", area)
        .with("last_safety_inspection", Value::Date("2026-03-01".into()))
}

fn kinds(p: &Project, n: usize) -> Vec<String> {
    p.history(n).unwrap().into_iter().map(|a| a.kind.code().to_owned()).collect()
}

#[test]
fn redo_applies_insert_update_and_delete_again_and_each_can_be_undone_again() {
    let (_d, p) = temp_project();
    // Coordinates and a real value with many digits: the rows must come back bit for bit.
    let fids = p.insert("billboards", vec![billboard(119.823_456_789_012_3, 31.361_234_567_890_1, 12.345_678_901)], "add").unwrap();
    let mut f = p.feature("billboards", fids[0]).unwrap();
    f.props.insert("face_area_m2".into(), Value::Real(0.1 + 0.2));
    f.geometry = point!(x: 119.83, y: 31.37).into();
    p.update("billboards", f.clone(), "bigger, moved").unwrap();
    p.delete("billboards", &fids, "remove").unwrap();
    for _ in 0..3 {
        p.undo().unwrap().unwrap();
    }
    assert_eq!(p.count("billboards").unwrap(), 0);

    assert_eq!(p.redo().unwrap().unwrap().summary, "add");
    let back = p.feature("billboards", fids[0]).unwrap();
    assert_eq!(back.get("face_area_m2"), &Value::Real(12.345_678_901));
    assert_eq!(back.geometry, Geometry::Point(point!(x: 119.823_456_789_012_3, y: 31.361_234_567_890_1)));
    assert_eq!(p.index("billboards").unwrap().len(), 1);
    assert_eq!(p.redo().unwrap().unwrap().summary, "bigger, moved");
    assert_eq!(p.feature("billboards", fids[0]).unwrap(), f);
    let near = p.index("billboards").unwrap().nearest(geo_types::Coord { x: 119.83, y: 31.37 }, 1).unwrap();
    assert!(near[0].distance_m < 0.01, "the R-tree follows the redone move");
    assert_eq!(p.redo().unwrap().unwrap().summary, "remove");
    assert_eq!(p.count("billboards").unwrap(), 0);
    assert!(p.redo().unwrap().is_none(), "nothing left to redo");
    assert_eq!(kinds(&p, 9), ["redo", "redo", "redo", "undo", "undo", "undo", "delete", "update", "insert"]);
    assert!(p.history(9).unwrap()[0].summary.starts_with("redo #3: remove"));
    assert!(p.history(9).unwrap().iter().all(|a| a.undone_by.is_none()), "redone actions are marked not undone");

    // Undo after redo takes back the redone actions — the insert's digest still matches.
    assert_eq!(p.undo().unwrap().unwrap().summary, "remove");
    assert_eq!(p.undo().unwrap().unwrap().summary, "bigger, moved");
    assert_eq!(p.undo().unwrap().unwrap().summary, "add");
    assert_eq!(p.count("billboards").unwrap(), 0);
    assert!(p.undo().unwrap().is_none());
    assert_eq!(p.redo().unwrap().unwrap().summary, "add");
    assert_eq!(p.count("billboards").unwrap(), 1);
}

#[test]
fn sixty_undos_and_redos_walk_the_history_back_and_forth() {
    let (_d, p) = temp_project();
    let fids = p.insert("chargers", vec![charger(119.82, 31.36, "a")], "add").unwrap();
    for n in 1..=60i64 {
        let mut f = p.feature("chargers", fids[0]).unwrap();
        f.props.insert("ports".into(), Value::Integer(n));
        p.update("chargers", f, &format!("ports {n}")).unwrap();
        if n % 20 == 0 {
            p.insert("chargers", vec![charger(119.82 + n as f64 * 1e-3, 31.36, "more")], &format!("more {n}")).unwrap();
        }
    }
    let ports = |p: &Project| p.feature("chargers", fids[0]).map(|f| f.get("ports").clone()).ok();
    // 60 updates and 3 inserts after the first: undo 63 steps, then the first insert.
    for step in 0..63 {
        assert!(p.undo().unwrap().is_some(), "undo {step}");
    }
    assert_eq!(ports(&p), Some(Value::Integer(8)));
    assert_eq!(p.count("chargers").unwrap(), 1);
    p.undo().unwrap().unwrap();
    assert_eq!(p.count("chargers").unwrap(), 0);
    // Redo 64 steps: everything is back, in order.
    let mut redone = Vec::new();
    while let Some(a) = p.redo().unwrap() {
        redone.push(a.summary);
    }
    assert_eq!(redone.len(), 64);
    assert_eq!((redone[0].as_str(), redone[1].as_str(), redone[21].as_str(), redone[63].as_str()), ("add", "ports 1", "more 20", "more 60"));
    assert_eq!(ports(&p), Some(Value::Integer(60)));
    assert_eq!(p.count("chargers").unwrap(), 4);
    assert_eq!(p.index("chargers").unwrap().len(), 4);
    // Half way back and forth again.
    for _ in 0..30 {
        p.undo().unwrap().unwrap();
    }
    assert_eq!(ports(&p), Some(Value::Integer(32)));
    for _ in 0..10 {
        p.redo().unwrap().unwrap();
    }
    assert_eq!(ports(&p), Some(Value::Integer(41)));
}

#[test]
fn a_new_edit_clears_what_can_be_redone() {
    let (_d, p) = temp_project();
    let fids = p.insert("chargers", vec![charger(119.82, 31.36, "a")], "add a").unwrap();
    p.insert("chargers", vec![charger(119.83, 31.36, "b")], "add b").unwrap();
    p.undo().unwrap().unwrap();
    p.delete("chargers", &fids, "remove a").unwrap();
    assert!(p.redo().unwrap().is_none(), "`add b` is no longer redoable after a new edit");
    assert_eq!(p.count("chargers").unwrap(), 0);
    // Redo follows the undos back in the order they were made.
    p.undo().unwrap().unwrap(); // remove a
    p.undo().unwrap().unwrap(); // add a
    assert_eq!(p.redo().unwrap().unwrap().summary, "add a");
    assert_eq!(p.redo().unwrap().unwrap().summary, "remove a");
    assert!(p.redo().unwrap().is_none());
}

#[test]
fn redo_refuses_to_overwrite_another_programs_change_and_writes_nothing() {
    let (dir, p) = temp_project();
    let other = other_program(&dir.path().join("t.gpkg"));
    let fids = p.insert("chargers", vec![charger(119.82, 31.36, "a"), charger(119.83, 31.36, "b")], "add").unwrap();
    let mut f = p.feature("chargers", fids[0]).unwrap();
    f.props.insert("ports".into(), Value::Integer(2));
    p.update("chargers", f, "fewer ports").unwrap();
    p.undo().unwrap().unwrap();
    // Another program edits the row the redo would overwrite.
    other.execute("UPDATE chargers SET ports = 30 WHERE fid = ?1", [fids[0]]).unwrap();
    let before = p.history(50).unwrap().len();
    let err = p.redo().unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err}");
    assert!(err.to_string().contains(&format!("feature {}", fids[0])), "{err}");
    assert_eq!(p.history(50).unwrap().len(), before, "no action recorded");
    assert_eq!(p.feature("chargers", fids[0]).unwrap().get("ports"), &Value::Integer(30));
    // Put back as the undo left it, the redo goes through.
    other.execute("UPDATE chargers SET ports = 8 WHERE fid = ?1", [fids[0]]).unwrap();
    p.redo().unwrap().unwrap();
    assert_eq!(p.feature("chargers", fids[0]).unwrap().get("ports"), &Value::Integer(2));

    // A delete is not redone over a row another program changed since the undo restored it.
    p.delete("chargers", &[fids[1]], "remove b").unwrap();
    p.undo().unwrap().unwrap();
    other.execute("UPDATE chargers SET name = 'b, renamed' WHERE fid = ?1", [fids[1]]).unwrap();
    assert!(matches!(p.redo().unwrap_err(), Error::Conflict(_)));
    assert_eq!(p.feature("chargers", fids[1]).unwrap().name(), Some("b, renamed"));

    // An insert's fids are used again only while free.
    other.execute("UPDATE chargers SET name = 'b' WHERE fid = ?1", [fids[1]]).unwrap();
    p.redo().unwrap().unwrap();
    let c = p.insert("chargers", vec![charger(119.84, 31.36, "c")], "add c").unwrap()[0];
    p.undo().unwrap().unwrap();
    other
        .execute(
            "INSERT INTO chargers (fid, geom, name, source, vehicle_type, ports) VALUES (?1, ?2, 'theirs', 'qgis', 'ebike', 4)",
            rusqlite::params![c, crate::store::gpkg::blob::encode(&point!(x: 119.85, y: 31.36).into()).unwrap()],
        )
        .unwrap();
    let err = p.redo().unwrap_err();
    assert!(matches!(err, Error::Conflict(_)) && err.to_string().contains(&format!("fid {c}")), "{err}");
    assert_eq!(p.feature("chargers", c).unwrap().name(), Some("theirs"));
}

#[test]
fn a_replaced_layer_is_redone_whole() {
    let (_d, p) = temp_project();
    p.insert("chargers", vec![charger(119.82, 31.36, "old 1"), charger(119.83, 31.36, "old 2")], "add").unwrap();
    let new = p.replace_layer(ActionKind::Grid, "chargers", vec![charger(119.84, 31.37, "new")], "made anew").unwrap();
    p.undo().unwrap().unwrap();
    assert_eq!(p.count("chargers").unwrap(), 2);
    assert_eq!(p.redo().unwrap().unwrap().kind, ActionKind::Grid);
    let names: Vec<String> = p.features("chargers").unwrap().iter().map(|f| f.name().unwrap().to_owned()).collect();
    assert_eq!(names, ["new"]);
    assert_eq!(p.features("chargers").unwrap()[0].fid, Some(new[0]));
    assert_eq!(p.index("chargers").unwrap().len(), 1);
    p.undo().unwrap().unwrap();
    assert_eq!(p.count("chargers").unwrap(), 2);
}

#[test]
fn modify_changes_many_features_in_one_action_and_keeps_other_fields() {
    let (dir, p) = temp_project();
    let fids = p.insert("chargers", vec![charger(119.82, 31.36, "a"), charger(119.83, 31.36, "b"), charger(119.84, 31.36, "c")], "add").unwrap();
    let other = other_program(&dir.path().join("t.gpkg"));
    other.execute("UPDATE chargers SET name = 'b (QGIS)' WHERE fid = ?1", [fids[1]]).unwrap();
    let n = p.modify("chargers", &fids[..2], "operator", |f| {
        f.props.insert("operator".into(), Value::Text("国网".into()));
        Ok(())
    });
    assert_eq!(n.unwrap(), 2);
    assert_eq!(p.feature("chargers", fids[1]).unwrap().name(), Some("b (QGIS)"), "another program's field kept");
    assert_eq!(p.feature("chargers", fids[0]).unwrap().get("operator"), &Value::Text("国网".into()));
    assert_eq!(p.feature("chargers", fids[2]).unwrap().get("operator"), &Value::Null);
    assert_eq!(kinds(&p, 2), ["update", "insert"]);
    // Unchanged features are not written; a forbidden value writes nothing.
    assert_eq!(p.modify("chargers", &fids[..1], "same", |_| Ok(())).unwrap(), 0);
    let e = p.modify("chargers", &fids, "bad", |f| {
        f.props.insert("ports".into(), Value::Integer(-1));
        Ok(())
    });
    assert!(e.is_err());
    assert_eq!(p.history(10).unwrap().len(), 2);
    // One undo takes back the whole change.
    p.undo().unwrap().unwrap();
    assert!(fids.iter().all(|&f| p.feature("chargers", f).unwrap().get("operator").is_null()));
}
