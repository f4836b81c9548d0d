//! Frames built from a project, and plans stored in it: filters, polygons, strata from an
//! attribute and from a spatial join, the errors, and the plan round trip with undo.

use std::path::Path;

use geo_types::{point, polygon, Geometry, MultiPolygon};

use super::*;
use crate::{Catalog, Feature, Project};

fn catalog() -> Catalog {
    Catalog::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../layers"))).unwrap()
}

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Geometry<f64> {
    Geometry::Polygon(polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)])
}

/// 20 billboards on a line from x = 0.00 to 0.19 (y = 0.5): even ones `led`, odd ones `wall`,
/// face area i + 1 (the last has none); 5 chargers; two communities, west (x < 0.1) and east
/// (0.1 ≤ x < 0.15), so the last five billboards lie in none.
fn project() -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let p = Project::create(&dir.path().join("t.gpkg"), catalog()).unwrap();
    let boards = (0..20)
        .map(|i| {
            let f = Feature::new(point!(x: 119.0 + i as f64 * 0.01, y: 31.5))
                .with("name", format!("B{i}").as_str())
                .with("type", if i % 2 == 0 { "led" } else { "wall" });
            if i < 19 { f.with("face_area_m2", (i + 1) as f64) } else { f }
        })
        .collect();
    p.insert("billboards", boards, "boards").unwrap();
    let chargers = (0..5)
        .map(|i| Feature::new(point!(x: 119.0 + i as f64 * 0.01, y: 31.6)).with("name", format!("C{i}").as_str()))
        .collect();
    p.insert("chargers", chargers, "chargers").unwrap();
    let comm = |name: &str, x0, x1| {
        let Geometry::Polygon(poly) = square(x0, 31.0, x1, 32.0) else { unreachable!() };
        Feature::new(Geometry::MultiPolygon(MultiPolygon(vec![poly]))).with("name", name).with("subdistrict", "S")
    };
    p.insert("communities", vec![comm("West", 118.9, 119.095), comm("East", 119.095, 119.145)], "communities").unwrap();
    (dir, p)
}

fn spec(layers: &[&str]) -> FrameSpec {
    FrameSpec { layers: layers.iter().map(|s| s.to_string()).collect(), ..Default::default() }
}

#[test]
fn a_union_of_layers_in_layer_then_fid_order() {
    let (_d, p) = project();
    let f = build_frame(&p, &spec(&["billboards", "chargers"]), None).unwrap();
    assert_eq!(f.len(), 25);
    assert_eq!(f.units[0].layer, "billboards");
    assert_eq!(f.units[24].layer, "chargers");
    assert!(f.units[..20].windows(2).all(|w| w[0].fid < w[1].fid));
}

#[test]
fn attribute_filter_matches_codes_and_labels() {
    let (_d, p) = project();
    for value in ["led", "LED屏", "LED screen"] {
        let s = FrameSpec { filter: Some(AttributeFilter::parse(&format!("type={value}")).unwrap()), ..spec(&["billboards"]) };
        let f = build_frame(&p, &s, None).unwrap();
        assert_eq!(f.len(), 10, "{value}");
    }
    let bad = FrameSpec { filter: Some(AttributeFilter::parse("type=neon").unwrap()), ..spec(&["billboards"]) };
    let e = build_frame(&p, &bad, None).unwrap_err().to_string();
    assert!(e.contains("type=neon") && e.contains("billboards") && e.contains("led"), "{e}");
    let unknown = FrameSpec { filter: Some(AttributeFilter::parse("colour=red").unwrap()), ..spec(&["billboards"]) };
    let e = build_frame(&p, &unknown, None).unwrap_err().to_string();
    assert!(e.contains("colour") && e.contains("face_area_m2"), "{e}");
    assert!(AttributeFilter::parse("novalue").is_err());
}

#[test]
fn polygon_keeps_the_units_inside() {
    let (_d, p) = project();
    let area = square(119.025, 31.0, 119.065, 32.0);
    let f = build_frame(&p, &spec(&["billboards", "chargers"]), Some(&area)).unwrap();
    // x = 0.03..0.06: four billboards and two chargers (0.03, 0.04).
    assert_eq!(f.len(), 6);
}

#[test]
fn strata_from_an_attribute_and_from_a_spatial_join() {
    let (_d, p) = project();
    let s = FrameSpec { strata: Some("type".into()), ..spec(&["billboards"]) };
    let sizes = build_frame(&p, &s, None).unwrap().stratum_sizes().unwrap();
    assert_eq!(sizes.into_iter().collect::<Vec<_>>(), vec![("led".into(), 10), ("wall".into(), 10)]);

    let s = FrameSpec { strata: Some("communities".into()), ..spec(&["billboards", "chargers"]) };
    let sizes = build_frame(&p, &s, None).unwrap().stratum_sizes().unwrap();
    let want: Vec<(String, usize)> = vec![(NO_STRATUM.into(), 5), ("East".into(), 5), ("West".into(), 10 + 5)];
    assert_eq!(sizes.into_iter().collect::<Vec<_>>(), want);

    let s = FrameSpec { strata: Some("colour".into()), ..spec(&["billboards"]) };
    let e = build_frame(&p, &s, None).unwrap_err().to_string();
    assert!(e.contains("colour") && e.contains("type") && e.contains("communities"), "{e}");
}

#[test]
fn size_measure_and_layer_errors() {
    let (_d, p) = project();
    let s = FrameSpec { prob: Some("face_area_m2".into()), ..spec(&["billboards"]) };
    let f = build_frame(&p, &s, None).unwrap();
    assert_eq!(f.units[3].aux, Some(4.0));
    assert_eq!(f.units[19].aux, None);
    let s = FrameSpec { prob: Some("type".into()), ..spec(&["billboards"]) };
    assert!(build_frame(&p, &s, None).unwrap_err().to_string().contains("not a number"));
    let e = build_frame(&p, &spec(&["roads"]), None).unwrap_err().to_string();
    assert!(e.contains("roads") && e.contains("point layers"), "{e}");
    let e = build_frame(&p, &spec(&["chargers", "chargers"]), None).unwrap_err().to_string();
    assert!(e.contains("listed twice"), "{e}");
    let e = build_frame(&p, &FrameSpec { strata: Some("colour".into()), ..spec(&["nosuch"]) }, None).unwrap_err().to_string();
    assert!(e.contains("nosuch") && e.contains("billboards"), "{e}");
}

#[test]
fn a_plan_round_trips_refuses_its_name_again_and_undo_deletes_it() {
    let (_d, p) = project();
    let fs = FrameSpec { strata: Some("type".into()), ..spec(&["billboards"]) };
    let frame = build_frame(&p, &fs, None).unwrap();
    let ds = DesignSpec { design: Design::Stratified { allocation: Allocation::Proportional }, n: 6, over: 2, min_dist_m: None };
    let sample = draw(&frame, &ds, 11).unwrap();
    let rec = plan_record("p1", &fs, &ds, 11, &frame, &sample);
    p.save_plan(&rec).unwrap();
    let back = p.plan("p1").unwrap();
    assert!(back.created.is_some());
    assert_eq!(back.units, rec.units);
    assert_eq!((back.seed, back.design.as_str(), back.layers.clone()), (11, "stratified", vec!["billboards".to_string()]));
    let again: DesignSpec = serde_json::from_value(back.params["design"].clone()).unwrap();
    assert_eq!(again, ds);
    let sites = back.sites();
    assert_eq!(sites.len(), 8);
    assert_eq!(sites.iter().filter(|u| u.replacement).count(), 2);
    assert!(sites.iter().enumerate().all(|(i, u)| u.site_no == Some(i + 1)));

    let e = p.save_plan(&rec).unwrap_err().to_string();
    assert_eq!(e, "plan `p1` exists; choose another name");
    let list = p.plans().unwrap();
    assert_eq!((list.len(), list[0].n, list[0].over, list[0].frame_size), (1, 6, 2, 20));

    let undone = p.undo().unwrap().unwrap();
    assert_eq!(undone.kind.code(), "plan");
    assert!(p.plans().unwrap().is_empty());
    assert!(p.plan("p1").unwrap_err().to_string().contains("no plan named `p1`"));
    // A plan undone by deleting its records cannot be redone; the message says what to do.
    let e = p.redo().unwrap_err().to_string();
    assert!(e.contains("cannot be redone") && e.contains("make it again"), "{e}");
    assert!(p.plans().unwrap().is_empty());
    // The next undo reaches the features again.
    assert_eq!(p.undo().unwrap().unwrap().summary, "communities");
}
