//! Join and grid on a stored project: what is written, boundary cases, the errors, and undo.

use std::path::Path;

use geo_types::{point, polygon, Geometry, MultiPolygon};

use super::grid::make_grid;
use super::join::join;
use crate::{Catalog, Feature, Project, Value};

fn catalog() -> Catalog {
    Catalog::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../layers"))).unwrap()
}

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Geometry<f64> {
    Geometry::MultiPolygon(MultiPolygon(vec![polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)]]))
}

/// Subdistrict S (code 320282001) = communities West [119.80, 119.81] and East [119.81,
/// 119.82] × [31.36, 31.37]; chargers inside West, inside East, on the shared edge, and outside.
fn project() -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let p = Project::create(&dir.path().join("t.gpkg"), catalog()).unwrap();
    p.insert("subdistricts", vec![Feature::new(square(119.80, 31.36, 119.82, 31.37)).with("name", "S").with("code", "320282001")], "s")
        .unwrap();
    let comm = |name: &str, code: &str, x0, x1| {
        Feature::new(square(x0, 31.36, x1, 31.37)).with("name", name).with("subdistrict", "S").with("code", code)
    };
    p.insert("communities", vec![comm("West", "320282001001", 119.80, 119.81), comm("East", "320282001002", 119.81, 119.82)], "c")
        .unwrap();
    let charger = |name: &str, x: f64| {
        Feature::new(point!(x: x, y: 31.365)).with("name", name).with("vehicle_type", "car").with("ports", 2i64)
    };
    let chargers = vec![charger("in-west", 119.805), charger("in-east", 119.815), charger("on-edge", 119.81), charger("away", 119.9)];
    p.insert("chargers", chargers, "chargers").unwrap();
    (dir, p)
}

fn column(p: &Project, layer: &str, field: &str) -> Vec<(String, Value)> {
    p.features(layer).unwrap().into_iter().map(|f| (f.name().unwrap().to_owned(), f.get(field).clone())).collect()
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

#[test]
fn join_fills_the_catalogs_fields_reports_the_outside_and_undoes_in_one_step() {
    let (_dir, p) = project();
    let before = p.features("chargers").unwrap();
    let r = join(&p, "chargers", &["communities", "subdistricts"]).unwrap();
    assert_eq!((r.features, r.updated), (4, 3));
    assert_eq!(r.targets[0].fields, ["community ← name"]);
    assert_eq!(r.targets[0].placed, 3);
    assert_eq!(r.targets[0].outside.iter().map(|u| u.name.as_deref()).collect::<Vec<_>>(), [Some("away")]);
    assert_eq!(r.targets[0].on_boundary.iter().map(|u| u.name.as_deref()).collect::<Vec<_>>(), [Some("on-edge")]);
    assert!(r.targets[1].on_boundary.is_empty() && r.targets[1].outside.len() == 1);
    assert_eq!(
        column(&p, "chargers", "community"),
        [("in-west".into(), text("West")), ("in-east".into(), text("East")), ("on-edge".into(), text("West")), ("away".into(), Value::Null)]
    );
    assert!(column(&p, "chargers", "subdistrict")[..3].iter().all(|(_, v)| *v == text("S")));
    // One action in the history, of kind `join`; one undo restores every feature.
    let h = p.history(1).unwrap();
    assert_eq!((h[0].kind, h[0].layer.as_deref()), (crate::action::ActionKind::Join, Some("chargers")));
    // Joining again changes nothing and writes nothing.
    let again = join(&p, "chargers", &["communities", "subdistricts"]).unwrap();
    assert_eq!((again.updated, again.action.as_deref()), (0, None));
    assert_eq!(p.history(1).unwrap()[0].id, h[0].id);
    p.undo().unwrap().unwrap();
    assert_eq!(p.features("chargers").unwrap(), before);
}

#[test]
fn a_feature_moved_out_loses_its_old_value() {
    let (_dir, p) = project();
    join(&p, "chargers", &["communities"]).unwrap();
    let mut f = p.features("chargers").unwrap().remove(0);
    f.geometry = point!(x: 120.5, y: 31.0).into();
    p.update("chargers", f, "move").unwrap();
    let r = join(&p, "chargers", &["communities"]).unwrap();
    assert_eq!(r.targets[0].outside.len(), 2);
    assert_eq!(column(&p, "chargers", "community")[0].1, Value::Null);
}

#[test]
fn join_errors_name_what_to_fix() {
    let (_dir, p) = project();
    let e = join(&p, "chargers", &["blocks"]).unwrap_err().to_string();
    assert!(e.contains("`blocks`") && e.contains("community ← communities.name"), "{e}");
    let e = join(&p, "chargers", &["grid_cells"]).unwrap_err().to_string();
    assert!(e.contains("`grid_cells` has no features"), "{e}");
    let e = join(&p, "chargers", &["nowhere"]).unwrap_err().to_string();
    assert!(e.contains("nowhere") && e.contains("communities"), "{e}");
    let e = join(&p, "chargers", &["communities", "communities"]).unwrap_err().to_string();
    assert!(e.contains("twice"), "{e}");
}

#[test]
fn grid_replaces_the_old_grid_as_one_action_and_feeds_the_join() {
    let (_dir, p) = project();
    let r = make_grid(&p, 200.0).unwrap();
    assert!(r.cells > 20, "{r:?}");
    assert!((r.cells_area_m2 - r.communities_area_m2).abs() < r.communities_area_m2 * 1e-6, "{r:?}");
    let cells = p.features("grid_cells").unwrap();
    assert_eq!(cells.len(), r.cells);
    for c in &cells {
        let code = c.get("code").as_str().unwrap();
        let prefix = if c.get("community") == &text("West") { "320282001001" } else { "320282001002" };
        assert!(code.len() == 15 && code.starts_with(prefix), "{code}");
        assert_eq!(c.get("subdistrict"), &text("S"));
    }
    // The join takes each charger's cell code.
    join(&p, "chargers", &["grid_cells"]).unwrap();
    let codes = column(&p, "chargers", "grid_code");
    assert!(codes[0].1.as_str().unwrap().starts_with("320282001001") && codes[1].1.as_str().unwrap().starts_with("320282001002"));
    p.undo().unwrap();
    // A second grid replaces the first in one action; undo brings the first back.
    let first: Vec<String> = cells.iter().map(|c| c.get("code").as_str().unwrap().to_owned()).collect();
    let r2 = make_grid(&p, 500.0).unwrap();
    assert_eq!(r2.replaced, r.cells);
    assert_eq!(p.count("grid_cells").unwrap() as usize, r2.cells);
    p.undo().unwrap();
    let back: Vec<String> = p.features("grid_cells").unwrap().iter().map(|c| c.get("code").as_str().unwrap().to_owned()).collect();
    assert_eq!(back, first);
    assert_eq!(p.index("grid_cells").unwrap().len(), first.len());
}

#[test]
fn grid_refuses_codes_that_do_not_fit_together() {
    let (_dir, p) = project();
    let west = p.features("communities").unwrap().remove(0);
    p.update("communities", west.clone().with("code", "320282002001"), "wrong street").unwrap();
    let e = make_grid(&p, 100.0).unwrap_err().to_string();
    assert!(e.contains("West") && e.contains("320282002001") && e.contains("320282001"), "{e}");
    p.update("communities", west.clone().with("code", Value::Null), "no code").unwrap();
    let e = make_grid(&p, 100.0).unwrap_err().to_string();
    assert!(e.contains("West") && e.contains("12-digit"), "{e}");
    p.update("communities", west.with("code", "320282001002"), "dup").unwrap();
    let e = make_grid(&p, 100.0).unwrap_err().to_string();
    assert!(e.contains("share the code"), "{e}");
    assert_eq!(p.count("grid_cells").unwrap(), 0, "nothing written");
}

#[test]
fn the_demo_district_gets_a_grid_whose_codes_begin_with_its_generated_division_codes() {
    let dir = tempfile::tempdir().unwrap();
    let p = crate::demo::create_project(&dir.path().join("d.gpkg"), catalog(), crate::demo::DEMO_SEED).unwrap();
    for s in p.features("subdistricts").unwrap() {
        let code = s.get("code").as_str().unwrap();
        assert!(code.len() == 9 && code.starts_with(crate::demo::COUNTY_ADCODE), "{code}");
        assert!(s.get("code_note").as_str().unwrap().contains("非官方"));
    }
    let r = make_grid(&p, 100.0).unwrap();
    assert!((r.cells_area_m2 - r.communities_area_m2).abs() < r.communities_area_m2 * 1e-3, "{r:?}");
    assert!(r.per_community.iter().all(|(_, n)| *n > 0 && *n <= 999), "{r:?}");
    let j = join(&p, "billboards", &["communities", "subdistricts", "grid_cells"]).unwrap();
    assert_eq!(j.updated, j.features);
    let cells: std::collections::BTreeMap<String, Feature> =
        p.features("grid_cells").unwrap().into_iter().map(|c| (c.get("code").as_str().unwrap().to_owned(), c)).collect();
    for f in p.features("billboards").unwrap() {
        if let (Some(code), Some(comm)) = (f.get("grid_code").as_str(), f.get("community").as_str()) {
            assert_eq!(cells[code].get("community").as_str(), Some(comm), "{code}");
        }
    }
}
