//! Every query against brute force over 10 000 seeded random points, including points placed
//! just inside and just outside the search radius.

use super::*;
use geo::{Destination, Geodesic};
use geo_types::{line_string, polygon, Point};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CENTRE: Coord<f64> = Coord { x: 119.82, y: 31.36 };

fn random_points(n: usize, seed: u64) -> Vec<(i64, Point<f64>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let p = Point::new(CENTRE.x + rng.random_range(-0.05..0.05), CENTRE.y + rng.random_range(-0.04..0.04));
            (i as i64 + 1, p)
        })
        .collect()
}

/// Adds points at exactly r ± 0.05 m from `centre` in many directions.
fn with_ring(mut pts: Vec<(i64, Point<f64>)>, centre: Coord<f64>, r: f64) -> Vec<(i64, Point<f64>)> {
    let mut fid = pts.len() as i64 + 1;
    for bearing in (0..360).step_by(10) {
        for d in [r - 0.05, r + 0.05] {
            pts.push((fid, Geodesic.destination(Point(centre), bearing as f64, d)));
            fid += 1;
        }
    }
    pts
}

fn index_of(pts: &[(i64, Point<f64>)]) -> LayerIndex {
    LayerIndex::build(pts.iter().filter_map(|(f, p)| Entry::new(*f, &Geometry::Point(*p))).collect())
}

fn brute_distances(pts: &[(i64, Point<f64>)], c: Coord<f64>) -> Vec<Hit> {
    let mut v: Vec<Hit> =
        pts.iter().map(|(f, p)| Hit { fid: *f, distance_m: crate::crs::distance_m(c, p.0) }).collect();
    sort_hits(&mut v);
    v
}

#[test]
fn bbox_equals_brute_force() {
    let pts = random_points(10_000, 1);
    let idx = index_of(&pts);
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for _ in 0..50 {
        let (x, y) = (CENTRE.x + rng.random_range(-0.05..0.05), CENTRE.y + rng.random_range(-0.04..0.04));
        let r = Rect::new((x, y), (x + rng.random_range(0.0..0.02), y + rng.random_range(0.0..0.02)));
        let want: Vec<i64> = pts
            .iter()
            .filter(|(_, p)| r.min().x <= p.x() && p.x() <= r.max().x && r.min().y <= p.y() && p.y() <= r.max().y)
            .map(|(f, _)| *f)
            .collect();
        assert_eq!(idx.bbox(r), want);
    }
}

#[test]
fn within_equals_brute_force_at_the_edge_of_the_radius() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for radius in [50.0, 500.0, 2_000.0] {
        let c = Coord { x: CENTRE.x + rng.random_range(-0.02..0.02), y: CENTRE.y + rng.random_range(-0.02..0.02) };
        let pts = with_ring(random_points(10_000, 4), c, radius);
        let idx = index_of(&pts);
        let want: Vec<Hit> = brute_distances(&pts, c).into_iter().filter(|h| h.distance_m <= radius).collect();
        let got = idx.within(c, radius).unwrap();
        assert_eq!(got, want, "radius {radius}");
        // The ring's inner points are in, its outer points are out.
        assert!(got.iter().filter(|h| h.fid > 10_000).count() == 36);
    }
}

#[test]
fn nearest_equals_brute_force() {
    let pts = random_points(10_000, 5);
    let idx = index_of(&pts);
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    for _ in 0..100 {
        // Query points inside the cloud and well outside it.
        let spread = if rng.random_bool(0.8) { 0.05 } else { 0.5 };
        let c = Coord { x: CENTRE.x + rng.random_range(-spread..spread), y: CENTRE.y + rng.random_range(-spread..spread) };
        let k = rng.random_range(1..30);
        let want: Vec<Hit> = brute_distances(&pts, c).into_iter().take(k).collect();
        assert_eq!(idx.nearest(c, k).unwrap(), want);
    }
}

#[test]
fn nearest_prefers_metres_over_degrees() {
    // At 31°N a degree of longitude is ~15 % shorter than one of latitude: a point 0.0011° east
    // is nearer in metres than one 0.0010° north, though farther in degrees.
    let c = Coord { x: 119.82, y: 31.36 };
    let pts = vec![(1, Point::new(c.x, c.y + 0.0010)), (2, Point::new(c.x + 0.0011, c.y))];
    let idx = index_of(&pts);
    assert_eq!(idx.nearest(c, 1).unwrap()[0].fid, 2);
}

#[test]
fn in_polygon_equals_brute_force() {
    use geo::Intersects;
    let pts = random_points(10_000, 7);
    let idx = index_of(&pts);
    let area: Geometry<f64> = polygon![
        (x: 119.80, y: 31.34), (x: 119.84, y: 31.345), (x: 119.83, y: 31.38), (x: 119.81, y: 31.37), (x: 119.80, y: 31.34)
    ]
    .into();
    let want: Vec<i64> = pts.iter().filter(|(_, p)| area.intersects(p)).map(|(f, _)| *f).collect();
    let got = idx.in_polygon(&area).unwrap();
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

#[test]
fn insert_and_remove_keep_queries_exact() {
    let pts = random_points(1_000, 8);
    let mut idx = index_of(&pts);
    let p = Geometry::Point(Point::new(CENTRE.x, CENTRE.y));
    idx.insert(Entry::new(99_999, &p).unwrap());
    assert_eq!(idx.nearest(CENTRE, 1).unwrap()[0].fid, 99_999);
    assert!(idx.remove(99_999, &p));
    assert_ne!(idx.nearest(CENTRE, 1).unwrap()[0].fid, 99_999);
    assert_eq!(idx.len(), 1_000);
}

#[test]
fn polygons_are_found_by_distance() {
    let square: Geometry<f64> =
        polygon![(x: 119.82, y: 31.36), (x: 119.83, y: 31.36), (x: 119.83, y: 31.37), (x: 119.82, y: 31.37), (x: 119.82, y: 31.36)].into();
    let idx = LayerIndex::build(vec![Entry::new(1, &square).unwrap()]);
    let inside = Coord { x: 119.825, y: 31.365 };
    assert_eq!(idx.within(inside, 1.0).unwrap()[0].distance_m, 0.0);
    // 100 m west of the square's west edge.
    let west = Geodesic.destination(Point::new(119.82, 31.365), 270.0, 100.0);
    let d = idx.nearest(west.0, 1).unwrap()[0].distance_m;
    assert!((d - 100.0).abs() < 0.5, "{d}");
}

#[test]
fn bad_points_and_radii_are_refused() {
    let idx = index_of(&random_points(10, 9));
    assert!(idx.within(Coord { x: 200.0, y: 0.0 }, 10.0).is_err());
    assert!(idx.within(CENTRE, -1.0).is_err());
    assert!(idx.nearest(Coord { x: 0.0, y: 95.0 }, 3).is_err());
}

/// A bent road across the random cloud, three segments.
fn bent_road() -> Geometry<f64> {
    Geometry::LineString(line_string![
        (x: 119.800, y: 31.350), (x: 119.815, y: 31.356), (x: 119.822, y: 31.371), (x: 119.840, y: 31.372)
    ])
}

/// Points exactly `r ± 0.05` m from the road, square off the middle of each segment on both
/// sides (a geodesic from a point of the segment, at right angles to its bearing).
fn offsets_from_road(road: &Geometry<f64>, r: f64, first_fid: i64) -> Vec<(i64, Point<f64>, bool)> {
    use geo::{Bearing, Coord as C};
    let Geometry::LineString(ls) = road else { unreachable!() };
    let mut out = Vec::new();
    let mut fid = first_fid;
    for seg in ls.lines() {
        let mid = Point::from(C { x: (seg.start.x + seg.end.x) / 2.0, y: (seg.start.y + seg.end.y) / 2.0 });
        let bearing = Geodesic.bearing(Point::from(seg.start), Point::from(seg.end));
        for side in [90.0, -90.0] {
            for (d, inside) in [(r - 0.05, true), (r + 0.05, false)] {
                out.push((fid, Geodesic.destination(mid, bearing + side, d), inside));
                fid += 1;
            }
        }
    }
    out
}

#[test]
fn near_geometry_equals_brute_force_along_a_road() {
    let road = bent_road();
    for radius in [30.0, 250.0, 1_500.0] {
        let mut pts = random_points(10_000, 11);
        let ring = offsets_from_road(&road, radius, 20_001);
        pts.extend(ring.iter().map(|(f, p, _)| (*f, *p)));
        let idx = index_of(&pts);
        let mut want: Vec<Hit> = pts
            .iter()
            .map(|(f, p)| Hit { fid: *f, distance_m: metric::distance_to_geometry_m(p.0, &road) })
            .filter(|h| h.distance_m <= radius)
            .collect();
        sort_hits(&mut want);
        let got = idx.near_geometry(&road, radius).unwrap();
        assert_eq!(got, want, "radius {radius}");
        // The offsets 5 cm inside the buffer are in, those 5 cm outside are out (at 1.5 km an
        // offset on the inside of a bend is nearer the next segment, so only the smaller radii).
        for (fid, _, inside) in ring.iter().filter(|_| radius < 1_000.0) {
            assert_eq!(got.iter().any(|h| h.fid == *fid), *inside, "radius {radius}, offset point {fid}");
        }
    }
}

#[test]
fn near_geometry_measures_lines_and_polygons_to_the_road() {
    let road = bent_road();
    // A lane 100 m south of the road's first vertex, parallel to nothing: only its end is near.
    let start = Point::new(119.800, 31.350);
    let south = Geodesic.destination(start, 180.0, 100.0);
    let lane = Geometry::LineString(line_string![(x: south.x(), y: south.y()), (x: south.x() - 0.01, y: south.y() - 0.01)]);
    // A block that the road crosses.
    let block: Geometry<f64> =
        polygon![(x: 119.814, y: 31.354), (x: 119.817, y: 31.354), (x: 119.817, y: 31.358), (x: 119.814, y: 31.358), (x: 119.814, y: 31.354)].into();
    let idx = LayerIndex::build(vec![Entry::new(1, &lane).unwrap(), Entry::new(2, &block).unwrap()]);
    let hits = idx.near_geometry(&road, 150.0).unwrap();
    assert_eq!(hits.iter().map(|h| h.fid).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(hits[0].distance_m, 0.0);
    // The lane's nearest point is its end, ~100 m from the road's first vertex (the road heads
    // north-east from there, so nothing of it is nearer).
    assert!((hits[1].distance_m - 100.0).abs() < 0.5, "{}", hits[1].distance_m);
    assert_eq!(idx.near_geometry(&road, 99.0).unwrap().iter().map(|h| h.fid).collect::<Vec<_>>(), [2]);
    assert!(idx.near_geometry(&road, -1.0).is_err());
    assert!(idx.near_geometry(&Geometry::LineString(line_string![]), 10.0).is_err());
}
