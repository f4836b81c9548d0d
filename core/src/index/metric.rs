//! Metres on the ground from WGS84 coordinates, and the degree boxes that bound them.
//!
//! The R-tree works in degrees, where a degree of longitude is shorter than a degree of
//! latitude; every query therefore searches a box in degrees that is proven to contain the
//! answer, and decides membership and order in metres.

use geo::{Distance, Euclidean, Geodesic};
use geo_types::{Coord, Geometry, Point, Rect};

/// Shortest length of one degree of latitude anywhere on WGS84 (at the equator), minus a margin.
const MIN_M_PER_DEG_LAT: f64 = 110_500.0;
/// Length of one degree of longitude at the equator on WGS84, minus a margin; scaled by cos φ.
const MIN_M_PER_DEG_LON_EQUATOR: f64 = 111_250.0;
/// Smallest radius of curvature of WGS84 (meridional, at the equator), minus a margin.
const MIN_RADIUS_M: f64 = 6_330_000.0;

/// Distance in metres from `p` to a geometry: geodesic (WGS84) to a point, and for lines and
/// polygons the planar distance in a local equirectangular frame centred on `p` (0 inside a
/// polygon). The local frame errs by well under 0.1 % within a few kilometres of `p`.
pub fn distance_to_geometry_m(p: Coord<f64>, g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::Point(q) => Geodesic.distance(Point(p), *q),
        other => {
            let local = to_local_metres(p, other);
            Euclidean.distance(&Geometry::Point(Point::new(0.0, 0.0)), &local)
        }
    }
}

/// Distance in metres between two geometries (0 where they meet), planar in a local
/// equirectangular frame centred on the middle of `a`'s bounding box. Within a few
/// kilometres of that centre the frame errs by well under 0.1 % (the scale of a degree of
/// longitude changes by 0.05 % over 5 km north or south at 31° N).
pub fn distance_between_m(a: &Geometry<f64>, b: &Geometry<f64>) -> f64 {
    use geo::BoundingRect;
    let Some(r) = a.bounding_rect() else { return f64::INFINITY };
    let origin = r.center();
    Euclidean.distance(&to_local_metres(origin, a), &to_local_metres(origin, b))
}

/// A geometry in metres east and north of `origin` (equirectangular, WGS84 radii at origin).
pub fn to_local_metres(origin: Coord<f64>, g: &Geometry<f64>) -> Geometry<f64> {
    use geo::MapCoords;
    let (mx, my) = metres_per_degree(origin.y);
    g.map_coords(|c| Coord { x: (c.x - origin.x) * mx, y: (c.y - origin.y) * my })
}

/// Metres per degree of longitude and of latitude at latitude `lat` on WGS84.
pub fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let (a, e2) = (6_378_137.0_f64, 0.006_694_379_990_14_f64);
    let w = (1.0 - e2 * phi.sin().powi(2)).sqrt();
    let n = a / w; // prime vertical radius
    let m = a * (1.0 - e2) / (w * w * w); // meridional radius
    (n * phi.cos() * std::f64::consts::PI / 180.0, m * std::f64::consts::PI / 180.0)
}

/// A box in degrees that contains every point within `metres` of `p` (geodesically).
pub fn circle_bbox(p: Coord<f64>, metres: f64) -> Rect<f64> {
    let dlat = metres / MIN_M_PER_DEG_LAT;
    let max_lat = (p.y.abs() + dlat).min(89.9);
    let dlon = (metres / (MIN_M_PER_DEG_LON_EQUATOR * max_lat.to_radians().cos())).min(360.0);
    Rect::new((p.x - dlon, p.y - dlat), (p.x + dlon, p.y + dlat))
}

/// The area within `metres` of a geometry, as WGS84 polygons, for drawing what a query
/// searched (a circle round a point, a band along a road): buffered in a local frame in
/// metres centred on the geometry's box and mapped back to degrees. For the map only:
/// membership is decided by the distance functions above, not by this polygon's edges.
pub fn buffer_outline(g: &Geometry<f64>, metres: f64) -> geo_types::MultiPolygon<f64> {
    use geo::{BoundingRect, Buffer, MapCoords};
    let Some(r) = g.bounding_rect() else { return geo_types::MultiPolygon(vec![]) };
    let origin = r.center();
    let (mx, my) = metres_per_degree(origin.y);
    let local = to_local_metres(origin, g);
    // 64 segments to a quarter circle (geo's default of 8 draws a visible polygon on a 1 km
    // circle).
    let style = geo::algorithm::buffer::BufferStyle::new(metres.max(0.0));
    let buffered = if let Geometry::Point(p) = local {
        circle(p.x(), p.y(), metres.max(0.0))
    } else {
        local.buffer_with_style(style)
    };
    buffered.map_coords(|c| Coord { x: origin.x + c.x / mx, y: origin.y + c.y / my })
}

fn circle(x: f64, y: f64, r: f64) -> geo_types::MultiPolygon<f64> {
    let ring: Vec<Coord<f64>> = (0..=128)
        .map(|i| {
            let a = std::f64::consts::TAU * (i % 128) as f64 / 128.0;
            Coord { x: x + r * a.cos(), y: y + r * a.sin() }
        })
        .collect();
    geo_types::MultiPolygon(vec![geo_types::Polygon::new(ring.into(), vec![])])
}

/// A box in degrees that contains every point within `metres` (geodesically) of any point of
/// `rect`: the box grown by the circle bounds of its corners. The corner nearer a pole gives
/// the widest longitude margin, so the grown box holds the circles around every inner point.
pub fn grown_bbox(rect: Rect<f64>, metres: f64) -> Rect<f64> {
    let low = circle_bbox(rect.min(), metres);
    let high = circle_bbox(rect.max(), metres);
    let dlon = (low.max().x - rect.min().x).max(high.max().x - rect.max().x);
    let dlat = low.max().y - rect.min().y;
    Rect::new((rect.min().x - dlon, rect.min().y - dlat), (rect.max().x + dlon, rect.max().y + dlat))
}

/// A lower bound, in metres, on the ground distance between two places whose planar distance
/// in degrees is `deg`, when both lie within `max_abs_lat` of the equator. Lets k-nearest
/// stop walking the R-tree (which orders by degrees) once nothing closer in metres can follow.
pub fn metres_lower_bound(deg: f64, max_abs_lat: f64) -> f64 {
    // A geodesic between the two points may bulge poleward a little; allow 1°.
    let lat = (max_abs_lat + 1.0).min(89.9).to_radians();
    deg.to_radians() * MIN_RADIUS_M * lat.cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metres_per_degree_matches_geodesic() {
        let (mx, my) = metres_per_degree(31.36);
        let east = Geodesic.distance(Point::new(119.82, 31.36), Point::new(119.83, 31.36));
        let north = Geodesic.distance(Point::new(119.82, 31.355), Point::new(119.82, 31.365));
        assert!((mx * 0.01 - east).abs() < 0.01, "{} vs {east}", mx * 0.01);
        assert!((my * 0.01 - north).abs() < 0.05, "{} vs {north}", my * 0.01);
    }

    #[test]
    fn circle_bbox_contains_the_geodesic_circle() {
        let p = Coord { x: 119.82, y: 31.36 };
        let r = circle_bbox(p, 1000.0);
        for bearing in (0..360).step_by(5) {
            let q = Geodesic.destination(Point(p), bearing as f64, 1000.0);
            assert!(r.min().x < q.x() && q.x() < r.max().x && r.min().y < q.y() && q.y() < r.max().y);
        }
    }

    #[test]
    fn lower_bound_is_below_true_distance() {
        let p = Point::new(119.82, 31.36);
        for bearing in (0..360).step_by(7) {
            for d in [10.0, 500.0, 5000.0, 50_000.0] {
                let q = Geodesic.destination(p, bearing as f64, d);
                let deg = ((q.x() - p.x()).powi(2) + (q.y() - p.y()).powi(2)).sqrt();
                assert!(metres_lower_bound(deg, q.y().abs().max(p.y().abs())) <= d);
            }
        }
    }

    #[test]
    fn grown_bbox_contains_circles_around_the_corners_and_edges() {
        let r = Rect::new((119.80, 31.34), (119.84, 31.38));
        let g = grown_bbox(r, 800.0);
        for (x, y) in [(119.80, 31.34), (119.84, 31.38), (119.80, 31.38), (119.84, 31.34), (119.82, 31.38)] {
            for bearing in (0..360).step_by(5) {
                let q = Geodesic.destination(Point::new(x, y), bearing as f64, 800.0);
                assert!(g.min().x < q.x() && q.x() < g.max().x && g.min().y < q.y() && q.y() < g.max().y, "{q:?}");
            }
        }
    }

    #[test]
    fn distance_between_a_line_and_a_point_matches_the_point_measure() {
        let line = Geometry::LineString(line_string![(x: 119.81, y: 31.36), (x: 119.83, y: 31.361)]);
        let p = Geodesic.destination(Point::new(119.82, 31.3605), 0.0, 250.0);
        let from_point = distance_to_geometry_m(p.0, &line);
        let from_line = distance_between_m(&line, &Geometry::Point(p));
        assert!((from_point - from_line).abs() < 0.05, "{from_point} vs {from_line}");
        assert!((from_point - 250.0).abs() < 1.0, "{from_point}");
    }

    #[test]
    fn outlines_lie_at_the_distance_asked() {
        let c = Coord { x: 119.82, y: 31.36 };
        let circle = buffer_outline(&Geometry::Point(Point(c)), 500.0);
        for v in circle.0[0].exterior().coords() {
            assert!((crate::crs::distance_m(c, *v) - 500.0).abs() < 0.5);
        }
        let line = Geometry::LineString(line_string![(x: 119.81, y: 31.36), (x: 119.83, y: 31.361)]);
        let band = buffer_outline(&line, 80.0);
        assert_eq!(band.0.len(), 1);
        for v in band.0[0].exterior().coords() {
            let d = distance_to_geometry_m(*v, &line);
            assert!((d - 80.0).abs() < 1.0, "{d}");
        }
    }

    use geo::Destination;
    use geo_types::line_string;
}
