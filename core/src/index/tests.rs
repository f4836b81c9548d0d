//! Every query against brute force over 10 000 seeded random points, including points placed
//! just inside and just outside the search radius.

use super::*;
use geo::{Destination, Geodesic};
use geo_types::{polygon, Point};
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
