//! Tile math against known tiles and an independent formula; clipping, simplification and
//! winding; point thinning; and whole tiles decoded by geozero's MVT reader (an independent
//! decoder) back into features, tags and geometries.

use std::collections::BTreeMap;

use geo::{Area, BooleanOps, Validation};
use geo_types::{coord, line_string, polygon, Coord, Geometry, LineString, MultiPolygon, Point, Polygon};
use geozero::mvt::{tile, Message, Tile};
use geozero::ToGeo;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::clip::{clip_line, clip_polygons, ClipBox};
use super::cut::cut_layer;
use super::encode::TileGeometry;
use super::simplify::{area2, snap_polygons, snap_ring, thin_points};
use super::tile_id::{lat_of, lon_of, mercator_x, mercator_y, TileFrame};
use super::*;
use crate::catalog::Catalog;
use crate::feature::{Feature, Value};
use crate::index::{Entry, LayerIndex};

// ---- tile math ---------------------------------------------------------------------------

/// The slippy-map tile of a place by the other common form of the formula
/// (y = (1 − ln tan(π/4 + φ/2) / π) / 2 · 2^z), not the asinh form the module uses.
fn slippy(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = 2f64.powi(z as i32);
    let phi = lat.to_radians();
    let y = (1.0 - (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan().ln() / std::f64::consts::PI) / 2.0 * n;
    (((lon + 180.0) / 360.0 * n).floor() as u32, y.floor() as u32)
}

#[test]
fn tiles_of_known_places() {
    // Published tiles: Berlin (52.52 N, 13.405 E) is 10/550/335, central London
    // (51.5072 N, 0.1276 W) is 12/2046/1362, and 0/0/0 is the whole world.
    assert_eq!(TileId::containing(13.405, 52.52, 10).unwrap(), TileId { z: 10, x: 550, y: 335 });
    assert_eq!(TileId::containing(-0.1276, 51.5072, 12).unwrap(), TileId { z: 12, x: 2046, y: 1362 });
    assert_eq!(TileId::containing(0.0, 0.0, 0).unwrap(), TileId { z: 0, x: 0, y: 0 });
    // The town centre of the demo district, against the independent formula.
    let t = TileId::containing(119.82, 31.36, 14).unwrap();
    assert_eq!((t.x, t.y), slippy(119.82, 31.36, 14));
    assert_eq!((t.x, t.y), (13645, 6687));
    for z in 0..=MAX_ZOOM {
        for (lon, lat) in [(119.82, 31.36), (-73.99, 40.73), (151.2, -33.87), (0.0, 0.0), (179.9, -85.0)] {
            let t = TileId::containing(lon, lat, z).unwrap();
            assert_eq!((t.x, t.y), slippy(lon, lat, z), "{lon},{lat} z{z}");
        }
    }
}

#[test]
fn tile_bounds_and_projection_agree() {
    let w = TileId::new(0, 0, 0).unwrap().bounds();
    assert!((w.min().x + 180.0).abs() < 1e-12 && (w.max().x - 180.0).abs() < 1e-12);
    assert!((w.max().y - tile_id::MAX_LATITUDE).abs() < 1e-9 && (w.min().y + tile_id::MAX_LATITUDE).abs() < 1e-9);
    let q = TileId::new(1, 1, 0).unwrap().bounds();
    assert!((q.min().x - 0.0).abs() < 1e-12 && q.min().y.abs() < 1e-12);

    let t = TileId::containing(119.82, 31.36, 14).unwrap();
    let b = t.bounds();
    assert!(b.min().x <= 119.82 && 119.82 < b.max().x && b.min().y < 31.36 && 31.36 <= b.max().y);
    // Width of a z14 tile: 360° / 2^14.
    assert!((b.width() - 360.0 / 16384.0).abs() < 1e-12);
    let f = t.frame();
    let nw = f.project(coord! { x: b.min().x, y: b.max().y });
    let se = f.project(coord! { x: b.max().x, y: b.min().y });
    assert!(nw.x.abs() < 1e-6 && nw.y.abs() < 1e-6, "{nw:?}");
    assert!((se.x - 4096.0).abs() < 1e-6 && (se.y - 4096.0).abs() < 1e-6, "{se:?}");
    // The buffered box reaches 64 units beyond each edge.
    let bb = t.bounds_buffered(BUFFER);
    let nw = f.project(coord! { x: bb.min().x, y: bb.max().y });
    assert!((nw.x + 64.0).abs() < 1e-6 && (nw.y + 64.0).abs() < 1e-6);
    // Inverse functions.
    for lat in [-85.0, -31.36, 0.0, 12.5, 31.36, 60.0, 85.0] {
        assert!((lat_of(mercator_y(lat)) - lat).abs() < 1e-9);
    }
    assert!((lon_of(mercator_x(119.82)) - 119.82).abs() < 1e-12);
}

#[test]
fn tile_ids_are_checked() {
    assert!(TileId::new(22, (1 << 22) - 1, 0).is_ok());
    let e = TileId::new(23, 0, 0).unwrap_err().to_string();
    assert!(e.contains("0..=22"), "{e}");
    let e = TileId::new(14, 16384, 6687).unwrap_err().to_string();
    assert!(e.contains("0..=16383"), "{e}");
    let e = TileId::new(0, 0, 1).unwrap_err().to_string();
    assert!(e.contains("0..=0"), "{e}");
    assert!(TileId::containing(200.0, 0.0, 3).is_err());
    assert_eq!(TileId::new(14, 13645, 6687).unwrap().to_string(), "14/13645/6687");
}

// ---- clipping, simplification, winding ---------------------------------------------------

#[test]
fn lines_leaving_and_reentering_become_parts() {
    let b = ClipBox::new(4096.0, 64.0);
    // In, out through the east edge, back in, and out through the north edge.
    let line = [
        coord! { x: 4000.0, y: 100.0 },
        coord! { x: 4300.0, y: 100.0 },
        coord! { x: 4300.0, y: 300.0 },
        coord! { x: 4000.0, y: 300.0 },
        coord! { x: 4000.0, y: -200.0 },
    ];
    let parts = clip_line(&line, &b);
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert_eq!(parts[0], vec![coord! { x: 4000.0, y: 100.0 }, coord! { x: 4160.0, y: 100.0 }]);
    assert_eq!(
        parts[1],
        vec![coord! { x: 4160.0, y: 300.0 }, coord! { x: 4000.0, y: 300.0 }, coord! { x: 4000.0, y: -64.0 }]
    );
    // Wholly outside, and crossing a corner region without entering.
    assert!(clip_line(&[coord! { x: 5000.0, y: 0.0 }, coord! { x: 6000.0, y: 10.0 }], &b).is_empty());
    assert!(clip_line(&[coord! { x: 4200.0, y: -1000.0 }, coord! { x: 5000.0, y: -100.0 }], &b).is_empty());
    // Wholly inside: unchanged.
    let inside = [coord! { x: 1.0, y: 2.0 }, coord! { x: 3.0, y: 4.0 }];
    assert_eq!(clip_line(&inside, &b), vec![inside.to_vec()]);
}

#[test]
fn clipping_keeps_polygons_valid() {
    let b = ClipBox::new(4096.0, 64.0);
    // A U open to the east whose arms cross the east edge: clipped, it is two polygons; with
    // a hole straddling the north edge, the hole's inside part becomes a notch.
    let u: Polygon<f64> = polygon![
        (x: 3000.0, y: 1000.0), (x: 5000.0, y: 1000.0), (x: 5000.0, y: 1400.0), (x: 3400.0, y: 1400.0),
        (x: 3400.0, y: 2600.0), (x: 5000.0, y: 2600.0), (x: 5000.0, y: 3000.0), (x: 3000.0, y: 3000.0),
    ];
    let clipped = clip_polygons(MultiPolygon::new(vec![u.clone()]), &b);
    assert!(clipped.is_valid(), "{:?}", clipped.validation_errors());
    let expect = u.intersection(&geo_types::Rect::new((-64.0, -64.0), (4160.0, 4160.0)).to_polygon());
    assert!((clipped.unsigned_area() - expect.unsigned_area()).abs() < 1e-6);
    assert!((clipped.unsigned_area() - (1160.0 * 2000.0 - 760.0 * 1200.0)).abs() < 1e-6);

    let holed = Polygon::new(
        line_string![(x: 100.0, y: -500.0), (x: 2000.0, y: -500.0), (x: 2000.0, y: 500.0), (x: 100.0, y: 500.0), (x: 100.0, y: -500.0)],
        vec![line_string![(x: 500.0, y: -200.0), (x: 900.0, y: -200.0), (x: 900.0, y: 200.0), (x: 500.0, y: 200.0), (x: 500.0, y: -200.0)]],
    );
    let clipped = clip_polygons(MultiPolygon::new(vec![holed]), &b);
    assert!(clipped.is_valid(), "{:?}", clipped.validation_errors());
    assert!((clipped.unsigned_area() - (1900.0 * 564.0 - 400.0 * 264.0)).abs() < 1e-6);
    // Every clipped polygon survives snapping as MVT rings: exterior positive, holes negative.
    let snapped = snap_polygons(&clipped.0);
    assert_eq!(snapped.len(), 1);
    for rings in &snapped {
        assert!(area2(&rings[0]) > 0);
        assert!(rings[1..].iter().all(|r| area2(r) < 0));
    }
}

#[test]
fn rings_are_wound_as_the_spec_asks_and_collapsed_rings_dropped() {
    // geo's usual winding (exterior anticlockwise with y up) is the spec's negative area with
    // y down: it must come out reversed.
    let p: Polygon<f64> = Polygon::new(
        line_string![(x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0), (x: 0.0, y: 0.0)],
        vec![
            line_string![(x: 10.0, y: 10.0), (x: 10.0, y: 50.0), (x: 50.0, y: 50.0), (x: 50.0, y: 10.0), (x: 10.0, y: 10.0)],
            // A hole thinner than a unit: collapses and is dropped.
            line_string![(x: 60.0, y: 60.0), (x: 60.2, y: 60.0), (x: 60.2, y: 90.0), (x: 60.0, y: 90.0), (x: 60.0, y: 60.0)],
        ],
    );
    let snapped = snap_polygons(&[p]);
    assert_eq!(snapped.len(), 1);
    let rings = &snapped[0];
    assert_eq!(rings.len(), 2);
    assert_eq!(area2(&rings[0]), 2 * 100 * 100);
    assert_eq!(area2(&rings[1]), -2 * 40 * 40);
    for r in rings {
        assert_ne!(r.first(), r.last(), "rings are left open; ClosePath closes them");
    }
    // Rings that collapse to a line or a point.
    assert!(snap_ring(&line_string![(x: 0.0, y: 0.0), (x: 0.3, y: 0.2), (x: 0.1, y: 0.4), (x: 0.0, y: 0.0)]).is_none());
    assert!(snap_ring(&line_string![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 20.0, y: 0.2), (x: 0.0, y: 0.0)]).is_none());
    // A spike (out and straight back) is removed.
    let spiky = snap_ring(&line_string![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 30.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 0.0)]).unwrap();
    assert_eq!(spiky, vec![[0, 0], [10, 0], [10, 10]]);
}

#[test]
fn snapping_that_breaks_a_polygon_is_repaired() {
    let to_geo = |polys: &[Vec<Vec<[i32; 2]>>]| {
        MultiPolygon::new(
            polys
                .iter()
                .map(|rings| {
                    let ring = |r: &Vec<[i32; 2]>| LineString::from(r.iter().map(|p| (p[0] as f64, p[1] as f64)).collect::<Vec<_>>());
                    Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
                })
                .collect(),
        )
    };
    // A thin neck 0.4 units wide: snapped, its two sides meet.
    let neck: Polygon<f64> = polygon![
        (x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 4.8), (x: 30.0, y: 4.8), (x: 30.0, y: 0.0), (x: 40.0, y: 0.0),
        (x: 40.0, y: 10.0), (x: 30.0, y: 10.0), (x: 30.0, y: 5.2), (x: 10.0, y: 5.2), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0),
    ];
    assert!(neck.is_valid());
    let snapped = snap_polygons(&[neck]);
    let g = to_geo(&snapped);
    assert!(g.is_valid(), "{g:?}: {:?}", g.validation_errors());
    assert!((g.unsigned_area() - 200.0).abs() < 1e-9, "the two squares remain: {g:?}");
    // Two parts of a multipolygon 0.15 units apart: snapped, they share an edge (x = 10), so
    // they are merged.
    let a: Polygon<f64> = polygon![(x: 0.0, y: 0.0), (x: 10.3, y: 0.0), (x: 10.3, y: 10.0), (x: 0.0, y: 10.0)];
    let b: Polygon<f64> = polygon![(x: 10.45, y: 0.0), (x: 20.0, y: 0.0), (x: 20.0, y: 10.0), (x: 10.45, y: 10.0)];
    let snapped = snap_polygons(&[a, b]);
    let g = to_geo(&snapped);
    assert!(g.is_valid(), "{g:?}: {:?}", g.validation_errors());
    assert!((g.unsigned_area() - 200.0).abs() < 1e-9, "{g:?}");
    assert_eq!(snapped.len(), 1, "{g:?}");
    for rings in &snapped {
        assert!(area2(&rings[0]) > 0 && rings[1..].iter().all(|r| area2(r) < 0));
    }
}

// ---- point thinning ----------------------------------------------------------------------

/// The lowest fid in each `cell`-unit square, by brute force.
fn lowest_per_cell(pts: &[(i64, Coord<f64>)], cell: f64) -> Vec<i64> {
    let mut best: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for (fid, p) in pts {
        let e = best.entry(((p.x / cell).floor() as i64, (p.y / cell).floor() as i64)).or_insert(*fid);
        *e = (*e).min(*fid);
    }
    let mut v: Vec<i64> = best.into_values().collect();
    v.sort_unstable();
    v
}

#[test]
fn point_thinning_keeps_the_lowest_fid_per_cell_of_the_finest_grid_that_fits() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // Clustered: most points near a few centres, some spread over the tile.
    let centres: Vec<Coord<f64>> = (0..5).map(|_| coord! { x: rng.random_range(500.0..3500.0), y: rng.random_range(500.0..3500.0) }).collect();
    let pts: Vec<(i64, Coord<f64>)> = (0..20_000)
        .map(|i| {
            let p = if i % 4 == 0 {
                coord! { x: rng.random_range(0.0..4096.0), y: rng.random_range(0.0..4096.0) }
            } else {
                let c = centres[i % 5];
                let (dx, dy): (f64, f64) = (rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0));
                coord! { x: c.x + dx.powi(3) * 400.0, y: c.y + dy.powi(3) * 400.0 }
            };
            (i as i64 + 1, p)
        })
        .collect();
    let (thinned, cell) = thin_points(pts.clone(), MAX_POINTS);
    let cell = cell.expect("20 000 points are thinned") as f64;
    let got: Vec<i64> = thinned.iter().map(|p| p.0).collect();
    assert_eq!(got, lowest_per_cell(&pts, cell), "the lowest fid of each {cell}-unit cell");
    assert!(got.len() <= MAX_POINTS && got.len() > MAX_POINTS / 4, "{} kept", got.len());
    assert!(lowest_per_cell(&pts, cell / 2.0).len() > MAX_POINTS, "no finer grid fits");
    for seed in 0..3 {
        let mut shuffled = pts.clone();
        shuffled.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let (again, _) = thin_points(shuffled, MAX_POINTS);
        assert_eq!(again.iter().map(|p| p.0).collect::<Vec<_>>(), got);
    }
    // Few points: all kept, in fid order.
    let few: Vec<_> = pts.iter().rev().take(100).cloned().collect();
    let (kept, cell) = thin_points(few, MAX_POINTS);
    assert_eq!(cell, None);
    assert_eq!(kept.len(), 100);
    assert!(kept.windows(2).all(|w| w[0].0 < w[1].0));
}

#[test]
fn thinned_layers_cut_the_same_whatever_the_load_order() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let pts: Vec<(i64, Point<f64>)> = (0..30_000)
        .map(|i| (i as i64 + 1, Point::new(119.82 + rng.random_range(-0.02..0.02), 31.36 + rng.random_range(-0.02..0.02))))
        .collect();
    let bulk = LayerIndex::build(pts.iter().map(|(f, p)| Entry::new(*f, &Geometry::Point(*p)).unwrap()).collect());
    let mut shuffled = pts.clone();
    shuffled.shuffle(&mut ChaCha8Rng::seed_from_u64(1));
    let mut inserted = LayerIndex::build(Vec::new());
    for (fid, p) in &shuffled {
        inserted.insert(Entry::new(*fid, &Geometry::Point(*p)).unwrap());
    }
    for z in [10, 12, 13, 14, 16, 18] {
        let t = TileId::containing(119.82, 31.36, z).unwrap();
        let a = cut_layer(&bulk, t, MAX_POINTS);
        assert_eq!(a, cut_layer(&inserted, t, MAX_POINTS), "z{z}");
        assert!(a.windows(2).all(|w| w[0].0 < w[1].0), "in fid order");
        let owned = pts.iter().filter(|(_, p)| TileFrame::owns(t.frame().project(p.0))).count();
        assert_eq!(cut_layer(&bulk, t, usize::MAX).len(), owned, "z{z}: unthinned, every point the tile owns");
        if owned <= MAX_POINTS {
            assert_eq!(a.len(), owned, "z{z}: every point of a sparse tile");
        } else {
            assert!(a.len() <= MAX_POINTS && a.len() > MAX_POINTS / 4, "z{z}: {} of {owned} kept", a.len());
        }
    }
}

// ---- whole tiles, decoded independently --------------------------------------------------

struct Decoded {
    id: u64,
    tags: BTreeMap<String, tile::Value>,
    geometry: Geometry<f64>,
}

fn decode(bytes: &[u8]) -> BTreeMap<String, Vec<Decoded>> {
    let t = Tile::decode(bytes).expect("a protobuf vector tile");
    let mut out = BTreeMap::new();
    for layer in &t.layers {
        assert_eq!(layer.version, 2);
        assert_eq!(layer.extent, Some(4096));
        assert!(!layer.features.is_empty(), "empty layers are left out");
        let features = layer
            .features
            .iter()
            .map(|f| {
                let tags = f
                    .tags
                    .chunks(2)
                    .map(|kv| (layer.keys[kv[0] as usize].clone(), layer.values[kv[1] as usize].clone()))
                    .collect();
                Decoded { id: f.id.expect("feature id"), tags, geometry: f.to_geo().expect("decodable geometry") }
            })
            .collect();
        out.insert(layer.name.clone(), features);
    }
    out
}

fn s(v: &str) -> tile::Value {
    tile::Value { string_value: Some(v.to_owned()), ..Default::default() }
}

/// A project with a few hand-made features in `chargers`, `roads` and `blocks`.
fn small_project(dir: &std::path::Path) -> Project {
    let p = Project::create(&dir.join("t.gpkg"), Catalog::embedded()).unwrap();
    let chargers = vec![
        Feature::new(Point::new(119.8200, 31.3600)).with("name", "东门充电站").with("vehicle_type", "car").with("ports", 4i64).with("scan_to_pay", true),
        Feature::new(Point::new(119.8210, 31.3610)).with("name", "西门").with("vehicle_type", "ebike").with("ports", 10i64).with("operator", "宜兴公交"),
        // In the next tile east at z14.
        Feature::new(Point::new(119.8420, 31.3600)).with("name", "far").with("vehicle_type", "car").with("ports", 2i64),
    ];
    p.insert("chargers", chargers, "test").unwrap();
    let roads = vec![
        Feature::new(line_string![(x: 119.80, y: 31.3605), (x: 119.84, y: 31.3605)]).with("name", "人民路").with("class", "main"),
        Feature::new(line_string![(x: 119.8205, y: 31.35), (x: 119.8205, y: 31.37)]).with("name", "解放路").with("class", "secondary"),
    ];
    p.insert("roads", roads, "test").unwrap();
    let block = Polygon::new(
        line_string![(x: 119.815, y: 31.355), (x: 119.825, y: 31.355), (x: 119.825, y: 31.365), (x: 119.815, y: 31.365), (x: 119.815, y: 31.355)],
        vec![line_string![(x: 119.818, y: 31.358), (x: 119.818, y: 31.362), (x: 119.822, y: 31.362), (x: 119.822, y: 31.358), (x: 119.818, y: 31.358)]],
    );
    p.insert("blocks", vec![Feature::new(block).with("name", "城中街坊").with("landuse", "residential")], "test").unwrap();
    p
}

fn centre_tile(z: u8) -> TileId {
    TileId::containing(119.82, 31.36, z).unwrap()
}

#[test]
fn a_tile_decodes_to_its_features_with_ids_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    let p = small_project(dir.path());
    let t = centre_tile(14);
    let bytes = layer_tile(&p, "chargers", t).unwrap();
    let layers = decode(&bytes);
    assert_eq!(layers.keys().collect::<Vec<_>>(), ["chargers"]);
    let chargers = &layers["chargers"];
    assert_eq!(chargers.iter().map(|f| f.id).collect::<Vec<_>>(), [1, 2], "the third is in the next tile");
    let first = &chargers[0];
    assert_eq!(first.tags["name"], s("东门充电站"));
    assert_eq!(first.tags["vehicle_type"], s("car"));
    assert_eq!(first.tags["ports"], tile::Value { sint_value: Some(4), ..Default::default() });
    assert_eq!(first.tags["scan_to_pay"], tile::Value { bool_value: Some(true), ..Default::default() });
    assert!(!first.tags.contains_key("operator"), "nulls are left out");
    assert_eq!(chargers[1].tags["operator"], s("宜兴公交"));
    // Position: within half a unit of the projection.
    let Geometry::Point(pt) = first.geometry else { panic!("{:?}", first.geometry) };
    let want = t.frame().project(coord! { x: 119.82, y: 31.36 });
    assert!((pt.x() - want.x).abs() <= 0.5 && (pt.y() - want.y).abs() <= 0.5, "{pt:?} vs {want:?}");

    // The next tile east has the third charger and not the others.
    let east = TileId::new(14, t.x + 1, t.y).unwrap();
    let layers = decode(&layer_tile(&p, "chargers", east).unwrap());
    assert_eq!(layers["chargers"].iter().map(|f| f.id).collect::<Vec<_>>(), [3]);
}

#[test]
fn lines_and_polygons_decode_clipped_and_wound() {
    let dir = tempfile::tempdir().unwrap();
    let p = small_project(dir.path());
    for z in [12, 14, 15, 16, 17] {
        let t = centre_tile(z);
        let layers = decode(&tile(&p, &["blocks", "roads", "chargers"], t).unwrap());
        for name in ["blocks", "roads", "chargers"] {
            assert!(layers.contains_key(name), "z{z}: {name}");
        }
        // Besides them, only the blocks' label point may be there.
        assert!(layers.keys().all(|k| ["blocks", "roads", "chargers", "blocks_label"].contains(&k.as_str())), "z{z}");
        for road in &layers["roads"] {
            assert!(matches!(road.tags["class"].string_value.as_deref(), Some("main" | "secondary")));
            let lines: Vec<LineString<f64>> = match &road.geometry {
                Geometry::LineString(l) => vec![l.clone()],
                Geometry::MultiLineString(m) => m.0.clone(),
                g => panic!("{g:?}"),
            };
            for c in lines.iter().flat_map(|l| l.0.iter()) {
                assert!((-64.0..=4160.0).contains(&c.x) && (-64.0..=4160.0).contains(&c.y), "z{z}: {c:?}");
            }
        }
        let block = &layers["blocks"][0];
        assert_eq!(block.tags["landuse"], s("residential"));
        assert!(block.geometry.is_valid(), "z{z}: {:?}", block.geometry.validation_errors());
        // The decoded area is the block's, or at high zoom the part of it within the buffer.
        let frame = t.frame();
        let projected = {
            use geo::MapCoords;
            let f = p.feature("blocks", 1).unwrap();
            f.geometry.map_coords(|c| frame.project(c))
        };
        let Geometry::Polygon(projected) = projected else { unreachable!() };
        let buffered = geo_types::Rect::new((-64.0, -64.0), (4160.0, 4160.0)).to_polygon();
        let want = projected.intersection(&buffered).unsigned_area();
        let got = block.geometry.unsigned_area();
        assert!((got - want).abs() < 0.01 * want, "z{z}: area {got} vs {want}");
        let polys: Vec<Polygon<f64>> = match &block.geometry {
            Geometry::Polygon(p) => vec![p.clone()],
            Geometry::MultiPolygon(m) => m.0.clone(),
            g => panic!("z{z}: {g:?}"),
        };
        if z <= 15 {
            assert_eq!(polys.len(), 1);
            assert_eq!(polys[0].interiors().len(), 1, "z{z}: the hole survives, as a hole");
        }
        // Spec winding, recomputed from the decoded coordinates (y down).
        let shoelace = |r: &LineString<f64>| r.lines().map(|l| l.start.x * l.end.y - l.end.x * l.start.y).sum::<f64>();
        for poly in &polys {
            assert!(shoelace(poly.exterior()) > 0.0, "z{z}");
            assert!(poly.interiors().iter().all(|r| shoelace(r) < 0.0), "z{z}");
            for c in poly.exterior().coords() {
                assert!((-64.0..=4160.0).contains(&c.x) && (-64.0..=4160.0).contains(&c.y), "z{z}: {c:?}");
            }
        }
    }
    // At z18 the tile lies inside the hole: no block there.
    let t = centre_tile(18);
    let bytes = layer_tile(&p, "blocks", t).unwrap();
    assert!(decode(&bytes).is_empty());
}

#[test]
fn an_empty_area_is_a_tile_without_features() {
    let dir = tempfile::tempdir().unwrap();
    let p = small_project(dir.path());
    let far = TileId::containing(10.0, 50.0, 14).unwrap();
    let bytes = tile(&p, &["chargers", "roads", "blocks"], far).unwrap();
    assert!(bytes.is_empty());
    assert!(Tile::decode(&bytes[..]).unwrap().layers.is_empty());
    assert!(layer_tile(&p, "schools", centre_tile(14)).unwrap().is_empty(), "an empty layer");
}

#[test]
fn unknown_and_repeated_layers_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = small_project(dir.path());
    let e = layer_tile(&p, "nope", centre_tile(14)).unwrap_err().to_string();
    assert!(e.contains("unknown layer `nope`"), "{e}");
    let e = tile(&p, &["roads", "roads"], centre_tile(14)).unwrap_err().to_string();
    assert!(e.contains("twice"), "{e}");
}

#[test]
fn attributes_for_reads_values_in_column_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = small_project(dir.path());
    let rows = p.attributes_for("chargers", &[3, 1, 99]).unwrap();
    assert_eq!(rows.iter().map(|r| r.fid).collect::<Vec<_>>(), [1, 3]);
    let kind = p.catalog().kind("chargers").unwrap();
    let cols: Vec<&str> = kind.column_names().collect();
    let name = cols.iter().position(|c| *c == "name").unwrap();
    let ports = cols.iter().position(|c| *c == "ports").unwrap();
    assert_eq!(rows[0].values.len(), cols.len());
    assert_eq!(rows[0].values[name], Value::Text("东门充电站".into()));
    assert_eq!(rows[1].values[ports], Value::Integer(2));
}

/// The demo district's polygon layers and roads in 25 tiles around the town centre at each of
/// zooms 8 to 17: every decoded polygon valid (no self-intersection from clipping, simplifying
/// or snapping) and wound as the spec asks (geozero's reader finds exteriors by positive area);
/// every road tagged with its class.
#[test]
fn demo_district_tiles_are_valid() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::embedded();
    let district = crate::demo::generate(&catalog, crate::demo::DEMO_SEED).unwrap();
    let p = Project::create(&dir.path().join("d.gpkg"), catalog).unwrap();
    for (layer, features) in district {
        p.insert(&layer, features, "demo").unwrap();
    }
    let mut polygons = 0;
    for z in 8u8..=17 {
        let c = centre_tile(z);
        for dx in -2i64..=2 {
            for dy in -2i64..=2 {
                let t = TileId::new(z, (c.x as i64 + dx) as u32, (c.y as i64 + dy) as u32).unwrap();
                let layers = decode(&tile(&p, &["blocks", "roads", "water", "communities", "county", "subdistricts", "schools", "markets", "smart_streets"], t).unwrap());
                for (name, features) in &layers {
                    for f in features {
                        if name == "roads" {
                            assert!(f.tags.contains_key("class"));
                        }
                        if let Geometry::Polygon(_) | Geometry::MultiPolygon(_) = f.geometry {
                            polygons += 1;
                            assert!(f.geometry.is_valid(), "{t} {name} fid {}: {:?}", f.id, f.geometry.validation_errors());
                        }
                    }
                }
            }
        }
    }
    assert!(polygons > 1000, "{polygons}");
}

#[test]
fn tile_geometry_encodes_multi_parts() {
    // Two rings where the second starts where the first ended: both keep their MoveTo.
    let g = TileGeometry::Polygons(vec![
        vec![vec![[0, 0], [10, 0], [10, 10], [0, 10]]],
        vec![vec![[0, 10], [20, 10], [20, 20], [0, 20]]],
    ]);
    let mut layer = encode::LayerWriter::new("x");
    layer.add_feature(7, &g, &[], &[]);
    let mut t = encode::TileWriter::new(4096);
    t.add_layer(layer);
    let d = decode(&t.into_bytes());
    let Geometry::MultiPolygon(mp) = &d["x"][0].geometry else { panic!("{:?}", d["x"][0].geometry) };
    assert_eq!(mp.0.len(), 2);
    assert!((mp.unsigned_area() - 300.0).abs() < 1e-9);
}



#[test]
fn every_value_type_becomes_a_typed_tag() {
    let dir = tempfile::tempdir().unwrap();
    let p = Project::create(&dir.path().join("t.gpkg"), Catalog::embedded()).unwrap();
    let kind = p.catalog().kind("billboards").unwrap().clone();
    let code = kind.field("type").unwrap().values[0].value.clone();
    let billboard = Feature::new(Point::new(119.82, 31.36))
        .with("name", "广告牌")
        .with("type", code.as_str())
        .with("face_area_m2", 12.5)
        .with("large", false)
        .with("last_safety_inspection", Value::Date("2024-05-01".into()));
    p.insert("billboards", vec![billboard], "test").unwrap();
    let rows = p.attributes_for("billboards", &[1]).unwrap();
    let cols: Vec<&str> = kind.column_names().collect();
    let at = |c: &str| &rows[0].values[cols.iter().position(|x| *x == c).unwrap()];
    assert_eq!(at("last_safety_inspection"), &Value::Date("2024-05-01".into()));
    assert_eq!(at("owner"), &Value::Null);

    let layers = decode(&layer_tile(&p, "billboards", centre_tile(15)).unwrap());
    let tags = &layers["billboards"][0].tags;
    assert_eq!(tags["type"], s(&code), "enums as their code");
    assert_eq!(tags["face_area_m2"], tile::Value { double_value: Some(12.5), ..Default::default() });
    assert_eq!(tags["large"], tile::Value { bool_value: Some(false), ..Default::default() });
    assert_eq!(tags["last_safety_inspection"], s("2024-05-01"), "dates as strings");
    assert!(!tags.contains_key("owner") && !tags.contains_key("permit_no"));
}


#[test]
fn each_polygon_label_point_is_in_exactly_one_tile_and_inside_its_polygon() {
    use geo::Intersects;
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::embedded();
    let p = crate::demo::create_project(&dir.path().join("d.gpkg"), catalog, crate::demo::DEMO_SEED).unwrap();
    let communities = p.features("communities").unwrap();
    // Spans of tiles around the centre that cover the whole district (about 5 km across).
    for (z, span) in [(12u8, 1i64), (14, 3), (15, 5)] {
        let c = centre_tile(z);
        let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
        for dx in -span..=span {
            for dy in -span..=span {
                let t = TileId::new(z, (c.x as i64 + dx) as u32, (c.y as i64 + dy) as u32).unwrap();
                let layers = decode(&layer_tile(&p, "communities", t).unwrap());
                assert!(!layers.contains_key("chargers_label"));
                for f in layers.get("communities_label").into_iter().flatten() {
                    *seen.entry(f.id).or_default() += 1;
                    assert!(f.tags.contains_key("name"), "labels carry the name");
                    let Geometry::Point(pt) = f.geometry else { panic!("label points are points") };
                    // Back to lon/lat: the point lies inside its community.
                    let frame = t.bounds();
                    let lon = frame.min().x + pt.x() / 4096.0 * (frame.max().x - frame.min().x);
                    let my = mercator_y(frame.max().y) + pt.y() / 4096.0 * (mercator_y(frame.min().y) - mercator_y(frame.max().y));
                    let community = communities.iter().find(|c| c.fid == Some(f.id as i64)).unwrap();
                    let near = geo_types::Rect::new((lon - 0.0002, lat_of(my) - 0.0002), (lon + 0.0002, lat_of(my) + 0.0002));
                    assert!(community.geometry.intersects(&near), "label of {} outside it", f.id);
                }
            }
        }
        assert_eq!(seen.len(), communities.len(), "z{z}: every community labelled");
        assert!(seen.values().all(|&n| n == 1), "z{z}: each label once: {seen:?}");
    }
}
