//! A map frame: a box on the page showing the ground around a centre at an exact scale 1:N,
//! north up.
//!
//! The projection is a local equirectangular one on the WGS 84 ellipsoid: at the centre's
//! latitude, one degree of longitude and one of latitude are given their true lengths (the
//! ellipsoid's radii of curvature), and the page is an affine image of longitude and
//! latitude. Two things follow. The scale is exact at the centre and off by less than
//! 0.03 % at a ward's edge (the change of cos φ across a few kilometres), far below what a
//! ruler reads on paper. And the PDF's geospatial measure, written in EPSG:4326, describes the
//! frame exactly: GDAL's geotransform is affine too, so the frame's corners come back to the
//! millimetre.

use geo_types::{Coord, Rect};

use super::units::{BoxMm, PointMm};
use crate::print::georef::GeoFrame;

/// WGS 84's semi-major axis (m) and flattening.
const WGS84_A: f64 = 6_378_137.0;
const WGS84_F: f64 = 1.0 / 298.257_223_563;

/// The length of one degree of latitude and of longitude at latitude `lat` (degrees) on the
/// WGS 84 ellipsoid, in metres: the meridian's and the prime vertical's radii of curvature.
pub fn metres_per_degree(lat: f64) -> (f64, f64) {
    let e2 = WGS84_F * (2.0 - WGS84_F);
    let s = lat.to_radians().sin();
    let w = (1.0 - e2 * s * s).sqrt();
    let meridian = WGS84_A * (1.0 - e2) / (w * w * w);
    let prime_vertical = WGS84_A / w;
    let rad = std::f64::consts::PI / 180.0;
    (meridian * rad, prime_vertical * lat.to_radians().cos() * rad)
}

/// The map scales a frame is fitted to: round numbers a reader can use with a ruler.
const NICE_SCALES: [f64; 16] =
    [500.0, 1000.0, 1500.0, 2000.0, 2500.0, 3000.0, 4000.0, 5000.0, 6000.0, 7500.0, 10000.0, 12500.0, 15000.0, 20000.0, 25000.0, 50000.0];

/// A map frame: the box on the page, the ground point at its centre, the scale denominator N.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFrame {
    pub area: BoxMm,
    /// Longitude and latitude (WGS 84) at the middle of `area`.
    pub centre: Coord<f64>,
    /// The scale is 1:`scale`.
    pub scale: f64,
    /// Metres per degree of latitude and longitude at the centre (see [`metres_per_degree`]).
    metres_per_deg: (f64, f64),
}

impl MapFrame {
    pub fn new(area: BoxMm, centre: Coord<f64>, scale: f64) -> MapFrame {
        MapFrame { area, centre, scale, metres_per_deg: metres_per_degree(centre.y) }
    }

    /// The frame over `area` showing all of `ground` (lon/lat) with at least `margin` (0–1, a
    /// share of each side) around it, at the largest round scale that fits; beyond the
    /// roundest list, the next thousand.
    pub fn fit(area: BoxMm, ground: Rect<f64>, margin: f64) -> MapFrame {
        let centre = ground.center();
        let (m_lat, m_lon) = metres_per_degree(centre.y);
        let width_m = ground.width() * m_lon * (1.0 + 2.0 * margin);
        let height_m = ground.height() * m_lat * (1.0 + 2.0 * margin);
        // 1:N puts N mm of ground in one mm of paper: N = ground mm / paper mm.
        let needed = (width_m * 1000.0 / area.width as f64).max(height_m * 1000.0 / area.height as f64).max(1.0);
        let scale = NICE_SCALES.iter().copied().find(|s| *s >= needed).unwrap_or_else(|| (needed / 1000.0).ceil() * 1000.0);
        MapFrame::new(area, centre, scale)
    }

    /// Metres of ground in one mm of paper.
    pub fn metres_per_mm(&self) -> f64 {
        self.scale / 1000.0
    }

    /// Where the ground point `c` (lon, lat) is printed.
    pub fn to_page(&self, c: Coord<f64>) -> PointMm {
        let (m_lat, m_lon) = self.metres_per_deg;
        let east = (c.x - self.centre.x) * m_lon / self.metres_per_mm();
        let north = (c.y - self.centre.y) * m_lat / self.metres_per_mm();
        let mid_x = self.area.x as f64 + self.area.width as f64 / 2.0;
        let mid_y = self.area.y as f64 + self.area.height as f64 / 2.0;
        PointMm::new((mid_x + east) as f32, (mid_y - north) as f32)
    }

    /// The ground point (lon, lat) printed at `p`.
    pub fn to_ground(&self, p: PointMm) -> Coord<f64> {
        let (m_lat, m_lon) = self.metres_per_deg;
        let mid_x = self.area.x as f64 + self.area.width as f64 / 2.0;
        let mid_y = self.area.y as f64 + self.area.height as f64 / 2.0;
        let east = (p.x as f64 - mid_x) * self.metres_per_mm();
        let north = (mid_y - p.y as f64) * self.metres_per_mm();
        Coord { x: self.centre.x + east / m_lon, y: self.centre.y + north / m_lat }
    }

    /// The ground the frame shows, as a lon/lat box (with `margin_mm` of paper added on every
    /// side, to catch symbols whose centre is just outside but whose body shows).
    pub fn ground_rect(&self, margin_mm: f32) -> Rect<f64> {
        let a = self.area;
        let top_left = self.to_ground(PointMm::new(a.x - margin_mm, a.y - margin_mm));
        let bottom_right = self.to_ground(PointMm::new(a.right() + margin_mm, a.bottom() + margin_mm));
        Rect::new(top_left, bottom_right)
    }

    /// The MapLibre zoom at which the window shows ground as large as this frame prints it
    /// (a CSS pixel on screen covering what one prints over), so zoom-dependent styles and
    /// label thresholds are read as the window reads them. MapLibre's world is 512 px wide at
    /// zoom 0 and shrinks by cos φ in Web Mercator.
    pub fn zoom(&self) -> f64 {
        let equator = 2.0 * std::f64::consts::PI * WGS84_A;
        let metres_per_px = self.metres_per_mm() * super::style::MM_PER_PX as f64;
        (equator * self.centre.y.to_radians().cos() / (512.0 * metres_per_px)).log2()
    }

    /// The frame for the PDF's geospatial measure: the page it is on and its corners on the
    /// ground.
    pub fn geo_frame(&self, page: usize, name: &str) -> GeoFrame {
        let a = self.area;
        let g = |x, y| {
            let c = self.to_ground(PointMm::new(x, y));
            (c.x, c.y)
        };
        GeoFrame {
            page,
            frame: a,
            corners: [g(a.x, a.y), g(a.right(), a.y), g(a.right(), a.bottom()), g(a.x, a.bottom())],
            name: name.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Distance, Geodesic, Point};

    fn frame() -> MapFrame {
        MapFrame::new(BoxMm::new(10.0, 30.0, 190.0, 200.0), Coord { x: 119.81, y: 31.355 }, 7500.0)
    }

    #[test]
    fn page_and_ground_are_inverse() {
        let f = frame();
        let c = Coord { x: 119.8153, y: 31.3511 };
        let back = f.to_ground(f.to_page(c));
        assert!((back.x - c.x).abs() < 1e-7 && (back.y - c.y).abs() < 1e-7, "{back:?}");
        let mid = f.to_page(f.centre);
        assert!((mid.x - 105.0).abs() < 1e-4 && (mid.y - 130.0).abs() < 1e-4);
    }

    #[test]
    fn a_hundred_mm_of_paper_is_n_tenths_of_a_km_on_the_ground_within_a_thousandth() {
        let f = frame();
        for (dx, dy) in [(100.0, 0.0), (0.0, 100.0), (70.7, 70.7)] {
            let a = f.to_ground(PointMm::new(40.0, 60.0));
            let b = f.to_ground(PointMm::new(40.0 + dx, 60.0 + dy));
            let paper_mm = ((dx * dx + dy * dy) as f64).sqrt();
            let metres = Geodesic.distance(Point::from(a), Point::from(b));
            let want = paper_mm * 7500.0 / 1000.0;
            assert!((metres / want - 1.0).abs() < 1e-3, "{dx},{dy}: {metres} m against {want} m");
        }
    }

    #[test]
    fn fit_picks_the_largest_round_scale_that_holds_the_ground() {
        let area = BoxMm::new(0.0, 0.0, 190.0, 200.0);
        // About 840 m by 1 550 m at 31.35° N.
        let ground = Rect::new(Coord { x: 119.7965, y: 31.3439 }, Coord { x: 119.8053, y: 31.3578 });
        let f = MapFrame::fit(area, ground, 0.05);
        assert_eq!(f.scale, 10000.0, "1 550 m × 1.1 over 200 mm needs 1:8 525");
        let shown = f.ground_rect(0.0);
        assert!(shown.min().x < ground.min().x && shown.max().x > ground.max().x);
        assert!(shown.min().y < ground.min().y && shown.max().y > ground.max().y);
    }

    #[test]
    fn zoom_matches_maplibre_ground_resolution() {
        // MapLibre at zoom z: 40 075 017 m × cos φ / (512 × 2^z) per CSS pixel.
        let f = frame();
        let z = f.zoom();
        let per_px = 40_075_016.686 * f.centre.y.to_radians().cos() / (512.0 * 2f64.powf(z));
        assert!((per_px - 7.5 * 25.4 / 96.0).abs() < 1e-6, "{per_px}");
        assert!(z > 15.0 && z < 16.0, "{z}");
    }
}
