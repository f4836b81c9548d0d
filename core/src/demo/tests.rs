use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use geo::{Contains, Validation};
use geo_types::{Geometry, LineString, Point};

use super::*;
use crate::catalog::FieldType;

fn catalog() -> Catalog {
    Catalog::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../layers"))).expect("catalog loads")
}

/// The default district, generated once for all tests.
fn demo() -> &'static District {
    static DEMO: OnceLock<District> = OnceLock::new();
    DEMO.get_or_init(|| generate(&catalog(), DEMO_SEED).expect("demo generates"))
}

type District = BTreeMap<String, Vec<Feature>>;

fn layer<'a>(d: &'a District, id: &str) -> &'a [Feature] {
    d.get(id).map(Vec::as_slice).unwrap_or(&[])
}

fn text<'a>(f: &'a Feature, key: &str) -> &'a str {
    f.get(key).as_str().unwrap_or("")
}

#[test]
fn same_seed_same_district_other_seed_other_facilities() {
    let cat = catalog();
    assert_eq!(&generate(&cat, DEMO_SEED).unwrap(), demo());
    let other = generate(&cat, DEMO_SEED + 1).unwrap();
    for id in ["billboards", "chargers", "responsibility_units"] {
        let a: Vec<_> = layer(demo(), id).iter().map(|f| &f.geometry).collect();
        let b: Vec<_> = other[id].iter().map(|f| &f.geometry).collect();
        assert_ne!(a, b, "{id} did not move with the seed");
    }
}

#[test]
fn counts_reach_the_minimums() {
    counts_reach_the_minimums_in(demo());
}

fn counts_reach_the_minimums_in(d: &District) {
    let minimum = [
        ("billboards", 300),
        ("chargers", 150),
        ("bike_stations", 60),
        ("drying_areas", 40),
        ("waste_points", 30),
        ("responsibility_units", 500),
        ("schools", 20),
        ("communities", 12),
        ("subdistricts", 2),
        ("parking", 60),
        ("markets", 1),
        ("roads", 40),
        ("blocks", 100),
        ("water", 3),
        ("county", 1),
    ];
    for (id, min) in minimum {
        assert!(layer(d, id).len() >= min, "{id}: {} features, expected at least {min}", layer(d, id).len());
    }
    let subs: std::collections::BTreeSet<_> = layer(d, "communities").iter().map(|f| text(f, "subdistrict")).collect();
    assert!(subs.len() >= 2, "communities in {subs:?}");
}

#[test]
fn features_fit_the_catalog() {
    features_fit_the_catalog_in(demo());
}

fn features_fit_the_catalog_in(d: &District) {
    let cat = catalog();
    for (id, features) in d {
        let kind = cat.kind(id).expect("only catalog layers");
        for f in features {
            let name = f.name().unwrap_or("");
            assert!(!name.trim().is_empty(), "{id}: feature without a name");
            let source = text(f, "source");
            assert!(source == SOURCE || (id == "county" && source.contains("MIT")), "{id} {name}: source {source}");
            assert!(kind.geometry.accepts(&f.geometry), "{id} {name}: geometry type not accepted");
            for (key, value) in &f.props {
                if BUILTIN_FIELDS.contains(&key.as_str()) {
                    continue;
                }
                let field = kind.field(key).unwrap_or_else(|| panic!("{id} {name}: `{key}` is not a catalog field"));
                let ok = match (field.ty, value) {
                    (_, Value::Null) => !field.required,
                    (FieldType::Text, Value::Text(_)) | (FieldType::Integer, Value::Integer(_)) => true,
                    (FieldType::Real, Value::Real(_)) | (FieldType::Boolean, Value::Boolean(_)) => true,
                    (FieldType::Date, Value::Date(d)) => d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-',
                    (FieldType::Enum, Value::Text(s)) => field.values.iter().any(|v| &v.value == s),
                    _ => false,
                };
                assert!(ok, "{id} {name}: `{key}` = {value:?} does not fit {:?}", field.ty);
            }
            for field in kind.fields.iter().filter(|f| f.required) {
                assert!(!f.get(&field.name).is_null(), "{id} {name}: required `{}` missing", field.name);
            }
        }
    }
}

#[test]
fn drying_areas_lie_in_their_community() {
    drying_areas_lie_in_their_community_in(demo());
}

fn drying_areas_lie_in_their_community_in(d: &District) {
    let communities: BTreeMap<_, _> = layer(d, "communities").iter().map(|c| (c.name().unwrap(), &c.geometry)).collect();
    for d in layer(d, "drying_areas") {
        let Geometry::Point(p) = d.geometry else { panic!("drying area is not a point") };
        let home = communities.get(text(d, "community")).expect("community exists");
        assert!(home.contains(&p), "{} is outside {}", d.name().unwrap(), text(d, "community"));
    }
}

#[test]
fn communities_nest_in_subdistricts() {
    communities_nest_in_subdistricts_in(demo());
}

fn communities_nest_in_subdistricts_in(d: &District) {
    let subs: BTreeMap<_, _> = layer(d, "subdistricts").iter().map(|s| (s.name().unwrap(), &s.geometry)).collect();
    for c in layer(d, "communities") {
        let sub = subs.get(text(c, "subdistrict")).expect("subdistrict exists");
        assert!(sub.contains(&c.geometry), "{} is not inside {}", c.name().unwrap(), text(c, "subdistrict"));
    }
    assert!(layer(d, "communities").iter().any(|c| c.name() == Some("袁桥社区")));
    for name in ["宜城街道", "屺亭街道"] {
        assert!(subs.contains_key(name), "{name} missing");
    }
    // Codes are generated (only the county's 320282 is real) and every one says so.
    for s in layer(d, "subdistricts").iter().chain(layer(d, "communities")) {
        let code = text(s, "code");
        assert!(code.starts_with(super::COUNTY_ADCODE) && matches!(code.len(), 9 | 12), "{code}");
        assert_eq!(text(s, "code_note"), super::CODE_NOTE);
    }
    for c in layer(d, "communities") {
        let sub = layer(d, "subdistricts").iter().find(|s| s.name() == Some(text(c, "subdistrict"))).unwrap();
        assert!(text(c, "code").starts_with(text(sub, "code")), "{} in {}", text(c, "code"), text(sub, "code"));
    }
}

#[test]
fn smart_street_pilots_are_present() {
    smart_street_pilots_are_present_in(demo());
}

fn smart_street_pilots_are_present_in(d: &District) {
    let names: Vec<_> = layer(d, "smart_streets").iter().filter_map(Feature::name).collect();
    for name in ["天禧广场", "蛟桥河步行街"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert!(layer(d, "roads").iter().any(|r| r.name() == Some("蛟桥河步行街") && text(r, "class") == "pedestrian"));
    assert!(layer(d, "water").iter().any(|w| w.name() == Some("蛟桥河") && text(w, "kind") == "river"));
}

#[test]
fn waste_points_lie_beyond_the_shops() {
    waste_points_lie_beyond_the_shops_in(demo());
}

fn waste_points_lie_beyond_the_shops_in(d: &District) {
    let centre = geo_types::Coord { x: frame::LON0, y: frame::LAT0 };
    let dist = |f: &Feature| match f.geometry {
        Geometry::Point(p) => crate::crs::distance_m(centre, p.0),
        _ => panic!("not a point"),
    };
    let mut shops: Vec<f64> = layer(d, "responsibility_units").iter().map(dist).collect();
    shops.sort_by(f64::total_cmp);
    let median = shops[shops.len() / 2];
    for w in layer(d, "waste_points") {
        assert!(dist(w) > median, "{} is {:.0} m from the centre, median shop {median:.0} m", w.name().unwrap(), dist(w));
    }
}

#[test]
fn large_billboards_have_inspections() {
    large_billboards_have_inspections_in(demo());
}

fn large_billboards_have_inspections_in(d: &District) {
    for b in layer(d, "billboards") {
        let large = b.get("large") == &Value::Boolean(true);
        assert_eq!(large, b.get("face_area_m2").as_f64().unwrap() >= frontage::LARGE_FACE_AREA_M2);
        assert_eq!(large, !b.get("last_safety_inspection").is_null(), "{}", b.name().unwrap());
    }
}

fn ring_ok(r: &LineString) -> bool {
    r.0.len() >= 4 && r.0.first() == r.0.last() && r.0.iter().all(|c| c.x.is_finite() && c.y.is_finite())
}

#[test]
fn geometries_are_valid() {
    geometries_are_valid_in(demo());
}

fn geometries_are_valid_in(d: &District) {
    for (id, features) in d {
        for f in features {
            let name = f.name().unwrap_or("");
            let polygons = match &f.geometry {
                Geometry::Polygon(p) => vec![p.clone()],
                Geometry::MultiPolygon(mp) => mp.0.clone(),
                Geometry::Point(p) => {
                    assert!(p.x().is_finite() && p.y().is_finite(), "{id} {name}");
                    vec![]
                }
                Geometry::LineString(l) => {
                    assert!(l.0.len() >= 2 && l.0.iter().all(|c| c.x.is_finite() && c.y.is_finite()), "{id} {name}");
                    vec![]
                }
                other => panic!("{id} {name}: unexpected {other:?}"),
            };
            for p in polygons {
                assert!(ring_ok(p.exterior()) && p.interiors().iter().all(ring_ok), "{id} {name}: open ring or NaN");
                if id != "county" {
                    let errors = p.validation_errors();
                    assert!(errors.is_empty(), "{id} {name}: invalid polygon: {}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "));
                }
            }
        }
    }
}

#[test]
fn county_outline_is_real_and_holds_the_district() {
    county_outline_is_real_and_holds_the_district_in(demo());
}

fn county_outline_is_real_and_holds_the_district_in(d: &District) {
    let county = &layer(d, "county")[0];
    assert_eq!(county.name(), Some("宜兴市"));
    assert_eq!(text(county, "adcode"), "320282");
    assert!(county.geometry.contains(&Point::new(frame::LON0, frame::LAT0)));
}

/// The invariants hold for other seeds too, not only the one tuned by eye.
#[test]
fn other_seeds_hold_too() {
    let cat = catalog();
    for seed in [1, 2, 3] {
        let d = generate(&cat, seed).unwrap();
        counts_reach_the_minimums_in(&d);
        features_fit_the_catalog_in(&d);
        drying_areas_lie_in_their_community_in(&d);
        communities_nest_in_subdistricts_in(&d);
        smart_street_pilots_are_present_in(&d);
        waste_points_lie_beyond_the_shops_in(&d);
        large_billboards_have_inspections_in(&d);
        geometries_are_valid_in(&d);
    }
}
