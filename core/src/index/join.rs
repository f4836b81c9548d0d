//! Spatial join of a layer to a layer of zones: which features each zone holds (the chargers
//! of every community, the stalls of every responsibility unit).
//!
//! Both layers are already in R-trees when a project is open, so the join walks the zones and
//! asks the features' tree for each zone's bounding box: the tree's work is shared by the
//! hundred-odd features a zone holds, and only features inside the box get the exact test. A
//! point is tested against the zone polygon with robust orientation predicates (`geo`'s
//! `Intersects`), so a point on a shared edge lands in both zones, exactly as `ST_Intersects`
//! and shapely's `predicate='intersects'` decide it. Zones are split over the machine's
//! cores with scoped threads.
//!
//! ```
//! use geo_types::{polygon, Geometry, Point};
//! use wardgis::index::{join, Entry, LayerIndex};
//!
//! let zones = LayerIndex::build(vec![
//!     Entry::new(1, &polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)].into()).unwrap(),
//!     Entry::new(2, &polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)].into()).unwrap(),
//! ]);
//! let points = LayerIndex::build(
//!     [(10, 0.5, 0.5), (11, 1.5, 0.2), (12, 1.0, 0.5), (13, 3.0, 3.0)]
//!         .iter()
//!         .filter_map(|&(fid, x, y)| Entry::new(fid, &Geometry::Point(Point::new(x, y))))
//!         .collect(),
//! );
//! let pairs = join::zone_members(&zones, &points);
//! let as_tuples: Vec<(i64, i64)> = pairs.iter().map(|p| (p.zone, p.fid)).collect();
//! // 12 lies on the edge the two zones share: it is in both. 13 is in neither.
//! assert_eq!(as_tuples, [(1, 10), (1, 12), (2, 11), (2, 12)]);
//! ```

use rstar::RTreeObject;

use super::{Entry, LayerIndex, Shape};

/// One feature inside (or on the boundary of) one zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Member {
    pub zone: i64,
    pub fid: i64,
}

/// Every (zone, feature) pair where the feature meets the zone: points inside a zone or on its
/// boundary, lines and polygons that touch it. Sorted by zone, then feature. Zones that are not
/// lines or polygons (points in the zones layer) hold nothing.
pub fn zone_members(zones: &LayerIndex, features: &LayerIndex) -> Vec<Member> {
    let zones: Vec<&Entry> = zones.entries().filter(|z| matches!(z.shape, Shape::Other(_))).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(zones.len() / 64 + 1);
    let mut out = if threads <= 1 {
        members_of(&zones, features)
    } else {
        // Interleaved chunks, so each thread gets its share of dense and sparse zones.
        std::thread::scope(|s| {
            let zones = &zones;
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    s.spawn(move || {
                        let mine: Vec<&Entry> = zones.iter().skip(t).step_by(threads).copied().collect();
                        members_of(&mine, features)
                    })
                })
                .collect();
            let parts: Vec<Vec<Member>> = handles.into_iter().map(|h| h.join().expect("join thread panicked")).collect();
            let mut all = Vec::with_capacity(parts.iter().map(Vec::len).sum());
            parts.into_iter().for_each(|p| all.extend(p));
            all
        })
    };
    out.sort_unstable();
    out
}

/// How many features each zone holds, by zone fid (zones holding none are left out).
pub fn zone_counts(members: &[Member]) -> Vec<(i64, usize)> {
    let mut out: Vec<(i64, usize)> = Vec::new();
    for m in members {
        match out.last_mut() {
            Some((z, n)) if *z == m.zone => *n += 1,
            _ => out.push((m.zone, 1)),
        }
    }
    out
}

fn members_of(zones: &[&Entry], features: &LayerIndex) -> Vec<Member> {
    let mut out = Vec::new();
    for zone in zones {
        let Shape::Other(outline) = &zone.shape else { continue };
        let env = zone.envelope();
        for e in features.tree.locate_in_envelope_intersecting(&env) {
            if e.intersects(&outline.geometry) {
                out.push(Member { zone: zone.fid, fid: e.fid });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Intersects;
    use geo_types::{Coord, Geometry, LineString, Point, Polygon};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A jittered grid of quadrilaterals sharing their corners: `n` × `n` zones tiling the unit
    /// square, plus seeded points, some of them exactly on shared corners and edges.
    fn tiling(n: usize, seed: u64) -> Vec<(i64, Polygon<f64>)> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let step = 1.0 / n as f64;
        let mut v = vec![vec![Coord { x: 0.0, y: 0.0 }; n + 1]; n + 1];
        for (i, row) in v.iter_mut().enumerate() {
            for (j, c) in row.iter_mut().enumerate() {
                let inner = |k: usize| k > 0 && k < n;
                let jx = if inner(i) { rng.random_range(-0.3..0.3) } else { 0.0 };
                let jy = if inner(j) { rng.random_range(-0.3..0.3) } else { 0.0 };
                *c = Coord { x: (i as f64 + jx) * step, y: (j as f64 + jy) * step };
            }
        }
        let mut out = Vec::new();
        for i in 0..n {
            for j in 0..n {
                let ring = vec![v[i][j], v[i + 1][j], v[i + 1][j + 1], v[i][j + 1], v[i][j]];
                out.push(((i * n + j) as i64 + 100, Polygon::new(LineString(ring), vec![])));
            }
        }
        out
    }

    #[test]
    fn matches_brute_force_including_points_on_edges_and_corners() {
        let zones = tiling(12, 3);
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut points: Vec<(i64, Point<f64>)> =
            (0..5_000).map(|i| (i, Point::new(rng.random_range(-0.05..1.05), rng.random_range(-0.05..1.05)))).collect();
        // Corners and edge midpoints of some zones: on the boundary of two or four zones.
        for (k, (_, z)) in zones.iter().enumerate().step_by(7) {
            let c = z.exterior().0[0];
            let d = z.exterior().0[1];
            points.push((10_000 + 2 * k as i64, Point(c)));
            points.push((10_001 + 2 * k as i64, Point::new((c.x + d.x) / 2.0, (c.y + d.y) / 2.0)));
        }
        let zone_index = LayerIndex::build(zones.iter().map(|(f, z)| Entry::new(*f, &z.clone().into()).unwrap()).collect());
        let point_index =
            LayerIndex::build(points.iter().map(|(f, p)| Entry::new(*f, &Geometry::Point(*p)).unwrap()).collect());
        let got = zone_members(&zone_index, &point_index);
        let mut want = Vec::new();
        for (zf, z) in &zones {
            for (pf, p) in &points {
                if z.intersects(p) {
                    want.push(Member { zone: *zf, fid: *pf });
                }
            }
        }
        want.sort_unstable();
        assert_eq!(got, want);
        // Points outside the tiling are in no zone; every point inside is in at least one,
        // and the corner points are in several.
        let in_some: std::collections::BTreeSet<i64> = got.iter().map(|m| m.fid).collect();
        let inside = points.iter().filter(|(_, p)| (0.0..=1.0).contains(&p.x()) && (0.0..=1.0).contains(&p.y())).count();
        assert_eq!(in_some.len(), inside);
        assert!(got.len() > in_some.len(), "points on shared edges belong to every zone they touch");
        assert_eq!(zone_counts(&got).iter().map(|c| c.1).sum::<usize>(), got.len());
    }

    #[test]
    fn lines_join_the_zones_they_cross_and_point_zones_hold_nothing() {
        let zones = tiling(2, 1);
        let mut entries: Vec<Entry> = zones.iter().map(|(f, z)| Entry::new(*f, &z.clone().into()).unwrap()).collect();
        entries.push(Entry::new(1, &Geometry::Point(Point::new(0.1, 0.1))).unwrap());
        let zone_index = LayerIndex::build(entries);
        let line: Geometry<f64> = LineString::from(vec![(0.1, 0.1), (0.9, 0.1)]).into();
        let features = LayerIndex::build(vec![Entry::new(7, &line).unwrap()]);
        let got: Vec<i64> = zone_members(&zone_index, &features).iter().map(|m| m.zone).collect();
        assert_eq!(got, [100, 102]);
        assert!(zone_members(&LayerIndex::default(), &features).is_empty());
    }
}
