//! Coordinate systems met in Chinese city data, and distances in metres.
//!
//! Storage is always WGS84 (EPSG:4326). Sources come in:
//! - **CGCS2000** (EPSG:4490): the national datum; it differs from WGS84 by centimetres, far
//!   below what a street facility's position means, so it is taken as WGS84 unchanged.
//! - **GCJ-02**: the obfuscated system that Amap and Tencent maps use. The forward formula is
//!   public; the inverse has no closed form and is found by fixed-point iteration here.
//! - **BD-09**: Baidu's, a further rotation and shift of GCJ-02.
//!
//! The only crate offering these (`gcj02` 0.1.0) has one release and no inverse accuracy
//! guarantee, so the public formula is implemented here with tests of the round trip.

use std::f64::consts::PI;
use std::str::FromStr;

use geo::{Distance, Geodesic};
use geo_types::{Coord, Geometry, Point};

/// A coordinate system accepted by import and export.
///
/// ```
/// use wardgis::crs::{distance_m, Crs};
/// use geo_types::Coord;
///
/// // A point copied from Amap (GCJ-02) near Yixing's old town, back to WGS84:
/// let crs: Crs = "gcj02".parse().unwrap();
/// let amap = Coord { x: 119.8245, y: 31.3575 };
/// let wgs84 = crs.to_wgs84(amap);
/// // The offset there is a few hundred metres, and the round trip is exact to millimetres.
/// assert!(distance_m(amap, wgs84) > 300.0);
/// assert!(distance_m(crs.from_wgs84(wgs84), amap) < 0.001);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crs {
    #[default]
    Wgs84,
    Cgcs2000,
    Gcj02,
    Bd09,
}

impl FromStr for Crs {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "wgs84" | "epsg4326" | "4326" => Ok(Crs::Wgs84),
            "cgcs2000" | "epsg4490" | "4490" => Ok(Crs::Cgcs2000),
            "gcj02" => Ok(Crs::Gcj02),
            "bd09" => Ok(Crs::Bd09),
            _ => Err(format!("unknown coordinate system `{s}`; expected wgs84, cgcs2000, gcj02 or bd09")),
        }
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Crs::Wgs84 => "wgs84",
            Crs::Cgcs2000 => "cgcs2000",
            Crs::Gcj02 => "gcj02",
            Crs::Bd09 => "bd09",
        })
    }
}

impl Crs {
    /// True for systems of longitude/latitude degrees.
    pub fn is_geographic(self) -> bool {
        matches!(self, Crs::Wgs84 | Crs::Cgcs2000 | Crs::Gcj02 | Crs::Bd09)
    }

    /// Converts one coordinate from this system to WGS84.
    pub fn to_wgs84(self, c: Coord<f64>) -> Coord<f64> {
        match self {
            Crs::Wgs84 | Crs::Cgcs2000 => c,
            Crs::Gcj02 => gcj02_to_wgs84(c),
            Crs::Bd09 => gcj02_to_wgs84(bd09_to_gcj02(c)),
        }
    }

    /// Converts one coordinate from WGS84 to this system.
    pub fn from_wgs84(self, c: Coord<f64>) -> Coord<f64> {
        match self {
            Crs::Wgs84 | Crs::Cgcs2000 => c,
            Crs::Gcj02 => wgs84_to_gcj02(c),
            Crs::Bd09 => gcj02_to_bd09(wgs84_to_gcj02(c)),
        }
    }

    /// Converts every coordinate of a geometry to WGS84.
    pub fn geometry_to_wgs84(self, g: &mut Geometry<f64>) {
        if self.is_wgs84() {
            return;
        }
        use geo::MapCoordsInPlace;
        g.map_coords_in_place(|c| self.to_wgs84(c));
    }

    /// Converts every coordinate of a geometry from WGS84 to this system.
    pub fn geometry_from_wgs84(self, g: &mut Geometry<f64>) {
        if self.is_wgs84() {
            return;
        }
        use geo::MapCoordsInPlace;
        g.map_coords_in_place(|c| self.from_wgs84(c));
    }

    fn is_wgs84(self) -> bool {
        matches!(self, Crs::Wgs84 | Crs::Cgcs2000)
    }
}

// Krasovsky 1940 ellipsoid, as the GCJ-02 formula uses it.
const KRASOVSKY_A: f64 = 6_378_245.0;
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;

/// Whether GCJ-02 shifts this coordinate: the formula applies inside China only.
pub fn in_china(c: Coord<f64>) -> bool {
    (72.004..=137.8347).contains(&c.x) && (0.8293..=55.8271).contains(&c.y)
}

fn shift_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn shift_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS84 → GCJ-02 (the public forward formula).
pub fn wgs84_to_gcj02(c: Coord<f64>) -> Coord<f64> {
    if !in_china(c) {
        return c;
    }
    let (x, y) = (c.x - 105.0, c.y - 35.0);
    let rad_lat = c.y / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat = shift_lat(x, y) * 180.0 / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let d_lon = shift_lon(x, y) * 180.0 / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * PI);
    Coord { x: c.x + d_lon, y: c.y + d_lat }
}

/// GCJ-02 → WGS84 by fixed-point iteration on the forward formula, to about a millimetre.
pub fn gcj02_to_wgs84(c: Coord<f64>) -> Coord<f64> {
    if !in_china(c) {
        return c;
    }
    let mut w = c;
    for _ in 0..30 {
        let g = wgs84_to_gcj02(w);
        let (dx, dy) = (g.x - c.x, g.y - c.y);
        w = Coord { x: w.x - dx, y: w.y - dy };
        if dx.abs() < 1e-10 && dy.abs() < 1e-10 {
            break;
        }
    }
    w
}

const BD_X_PI: f64 = PI * 3000.0 / 180.0;

/// GCJ-02 → BD-09.
pub fn gcj02_to_bd09(c: Coord<f64>) -> Coord<f64> {
    let z = (c.x * c.x + c.y * c.y).sqrt() + 0.00002 * (c.y * BD_X_PI).sin();
    let theta = c.y.atan2(c.x) + 0.000003 * (c.x * BD_X_PI).cos();
    Coord { x: z * theta.cos() + 0.0065, y: z * theta.sin() + 0.006 }
}

/// BD-09 → GCJ-02, refined by iteration on [`gcj02_to_bd09`] so the round trip is exact.
pub fn bd09_to_gcj02(c: Coord<f64>) -> Coord<f64> {
    let (x, y) = (c.x - 0.0065, c.y - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * BD_X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * BD_X_PI).cos();
    let mut g = Coord { x: z * theta.cos(), y: z * theta.sin() };
    for _ in 0..10 {
        let b = gcj02_to_bd09(g);
        let (dx, dy) = (b.x - c.x, b.y - c.y);
        g = Coord { x: g.x - dx, y: g.y - dy };
        if dx.abs() < 1e-11 && dy.abs() < 1e-11 {
            break;
        }
    }
    g
}

/// Geodesic distance in metres on the WGS84 ellipsoid (Karney's algorithm).
pub fn distance_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    Geodesic.distance(Point(a), Point(b))
}

/// Mean Earth radius in metres, for local approximations only.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn gcj02_offset_is_hundreds_of_metres_in_yixing() {
        let w = c(119.82, 31.36);
        let d = distance_m(w, wgs84_to_gcj02(w));
        assert!((300.0..800.0).contains(&d), "offset {d} m");
    }

    #[test]
    fn gcj02_inverse_round_trips_below_a_centimetre() {
        for i in 0..200 {
            let w = c(119.5 + (i as f64) * 0.0031, 31.1 + (i as f64) * 0.0027);
            let back = gcj02_to_wgs84(wgs84_to_gcj02(w));
            assert!(distance_m(w, back) < 0.01, "{w:?} -> {back:?}");
        }
    }

    #[test]
    fn bd09_round_trips_below_a_centimetre() {
        for i in 0..200 {
            let w = c(119.5 + (i as f64) * 0.0031, 31.1 + (i as f64) * 0.0027);
            let back = Crs::Bd09.to_wgs84(Crs::Bd09.from_wgs84(w));
            assert!(distance_m(w, back) < 0.01, "{w:?} -> {back:?}");
        }
    }

    #[test]
    fn outside_china_is_unchanged() {
        let paris = c(2.35, 48.85);
        assert_eq!(wgs84_to_gcj02(paris), paris);
        assert_eq!(gcj02_to_wgs84(paris), paris);
    }

    #[test]
    fn crs_names_parse() {
        assert_eq!("GCJ-02".parse::<Crs>(), Ok(Crs::Gcj02));
        assert_eq!("bd09".parse::<Crs>(), Ok(Crs::Bd09));
        assert_eq!("CGCS2000".parse::<Crs>(), Ok(Crs::Cgcs2000));
        assert!("utm".parse::<Crs>().unwrap_err().contains("expected wgs84"));
    }
}
