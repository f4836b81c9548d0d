//! wardgis's side of the peer benchmarks (bench/peers) once at 10 000 points, as a smoke test:
//! the same seeded data, the join to the 10 000 zones, the GeoJSON import into a project
//! (with its undo), and the tiles over the busiest spot, each checked for sane answers against
//! a computation that does not share the code under test. No timing, no peers.

#[path = "../benches/common/mod.rs"]
mod common;

use std::collections::BTreeSet;

use geo::Intersects;
use geo_types::{Geometry, Point};
use geozero::mvt::{Message, Tile};

use wardgis::index::{join, Entry, LayerIndex};
use wardgis::tiles::{self, tile_id::TileFrame, TileId};
use wardgis::{Catalog, Project};

const N: usize = 10_000;

fn tile_fids(bytes: &[u8]) -> Vec<u64> {
    let mut ids: Vec<u64> =
        Tile::decode(bytes).unwrap().layers.iter().flat_map(|l| l.features.iter().map(|f| f.id.unwrap())).collect();
    ids.sort_unstable();
    ids
}

#[test]
fn join_import_and_tiles_at_10k() {
    let points = common::clustered_points(N, 42);
    let zones = common::zones(100, 11);

    // Join: every point is inside the tiling, and (no point lies on an edge at this seed) in
    // exactly one zone, the one a plain scan of the zones finds.
    let point_index = LayerIndex::build(
        points.iter().enumerate().map(|(i, c)| Entry::new(i as i64, &Geometry::Point(Point(*c))).unwrap()).collect(),
    );
    let zone_index =
        LayerIndex::build(zones.iter().enumerate().map(|(i, z)| Entry::new(i as i64, &z.clone().into()).unwrap()).collect());
    let members = join::zone_members(&zone_index, &point_index);
    assert_eq!(members.len(), N, "each point in exactly one zone");
    for m in members.iter().step_by(97) {
        let p = Point(points[m.fid as usize]);
        let found: Vec<usize> = zones.iter().enumerate().filter(|(_, z)| z.intersects(&p)).map(|(i, _)| i).collect();
        assert_eq!(found, [m.zone as usize], "point {}", m.fid);
    }
    let counts = join::zone_counts(&members);
    assert_eq!(counts.iter().map(|c| c.1).sum::<usize>(), N);
    assert!(counts.len() > 1_000, "the points spread over {} zones", counts.len());

    // Import: the chargers GeoJSON of the peer data, into a new project, in file order.
    let dir = tempfile::tempdir().unwrap();
    let geojson = dir.path().join("chargers.geojson");
    common::write_chargers_geojson(&geojson, N, 42).unwrap();
    let path = dir.path().join("p.gpkg");
    let project = Project::create(&path, Catalog::embedded()).unwrap();
    let kind = project.catalog().kind("chargers").unwrap().clone();
    let report = wardgis::io::read_features(&geojson, &kind, &Default::default()).unwrap();
    assert!(report.skipped.is_empty() && report.warnings.is_empty(), "{:?}", report.warnings);
    let fids = project.insert("chargers", report.features, "import").unwrap();
    assert_eq!(fids, (1..=N as i64).collect::<Vec<_>>());
    let f = project.feature("chargers", 1).unwrap();
    assert_eq!(f.geometry, Geometry::Point(Point(points[0])), "coordinates read exactly as written");
    assert_eq!(f.name(), Some("充电桩1号"));
    drop(project);
    let project = Project::open(&path, Catalog::embedded()).unwrap();
    assert_eq!(project.count("chargers").unwrap(), N as u64);
    let index = project.index("chargers").unwrap();
    assert_eq!(index.len(), N);

    // Tiles: the z16, z14 and z12 tiles over the densest spot hold exactly the points each
    // tile owns (unthinned), and the map's tile never more than MAX_POINTS.
    let centre = common::CENTRE;
    let mut best = (0, TileId::containing(centre.x, centre.y, 16).unwrap());
    for c in points.iter().step_by(50) {
        let t = TileId::containing(c.x, c.y, 16).unwrap();
        let n = index.entries_in(t.bounds()).count();
        if n > best.0 {
            best = (n, t);
        }
    }
    let t16 = best.1;
    for t in [TileId::new(12, t16.x / 16, t16.y / 16).unwrap(), TileId::new(14, t16.x / 4, t16.y / 4).unwrap(), t16] {
        let frame = t.frame();
        let owned: Vec<u64> = points
            .iter()
            .enumerate()
            .filter(|(_, c)| TileFrame::owns(frame.project(**c)))
            .map(|(i, _)| i as u64 + 1)
            .collect();
        assert!(!owned.is_empty(), "tile {t}");
        assert_eq!(tile_fids(&tiles::layer_tile_unthinned(&project, "chargers", t).unwrap()), owned, "tile {t}");
        let thinned: BTreeSet<u64> = tile_fids(&tiles::layer_tile(&project, "chargers", t).unwrap()).into_iter().collect();
        assert!(thinned.len() <= tiles::MAX_POINTS && thinned.iter().all(|f| owned.binary_search(f).is_ok()), "tile {t}");
    }

    drop(index); // the R-tree's read guard: undo changes the tree
    // Undo of a bulk import (logged as fids only) removes every feature and its index entry.
    assert_eq!(project.undo().unwrap().unwrap().summary, "import");
    assert_eq!(project.count("chargers").unwrap(), 0);
    assert!(project.index("chargers").unwrap().is_empty());
    drop(project);
    assert!(Project::open(&path, Catalog::embedded()).unwrap().index("chargers").unwrap().is_empty());
}
