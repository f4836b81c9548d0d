//! Coordinate systems met in Chinese city data, and distances in metres.
//!
//! Storage is always WGS84 (EPSG:4326). Sources come in:
//! - **CGCS2000** (EPSG:4490): the national datum; it differs from WGS84 by centimetres, far
//!   below what a street facility's position means, so it is taken as WGS84 unchanged (GDAL
//!   and PROJ also use a null transform between the two).
//! - **CGCS2000 Gauss–Krüger** (EPSG:4491–4554) and **Web Mercator** (EPSG:3857): projected,
//!   in metres, transformed by [`projected`].
//! - **GCJ-02**: the obfuscated system that Amap and Tencent maps use. The forward formula is
//!   public; the inverse has no closed form and is found by fixed-point iteration here.
//! - **BD-09**: Baidu's, a further rotation and shift of GCJ-02.

mod chinese_offsets;
mod prj;
pub mod projected;

use std::fmt;
use std::str::FromStr;

use geo::{Distance, Geodesic};
use geo_types::{Coord, Geometry, Point};

pub use chinese_offsets::{bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, in_china, wgs84_to_gcj02};
pub use projected::Projected;

/// A coordinate system accepted by import and export.
///
/// ```
/// use wardgis::crs::{distance_m, Crs};
/// use geo_types::Coord;
///
/// // A point copied from Amap (GCJ-02) near Yixing's old town, back to WGS84:
/// let crs: Crs = "gcj02".parse().unwrap();
/// let amap = Coord { x: 119.8245, y: 31.3575 };
/// let wgs84 = crs.to_wgs84(amap).unwrap();
/// // The offset there is a few hundred metres, and the round trip is exact to millimetres.
/// assert!(distance_m(amap, wgs84) > 300.0);
/// assert!(distance_m(crs.from_wgs84(wgs84).unwrap(), amap) < 0.001);
///
/// // The same place in CGCS2000 3-degree Gauss–Krüger CM 120°E (metres), and back:
/// let gk: Crs = "EPSG:4549".parse().unwrap();
/// let en = gk.from_wgs84(wgs84).unwrap();
/// assert!((en.x - 483_000.0).abs() < 1_000.0 && (en.y - 3_470_000.0).abs() < 1_000.0);
/// let back = gk.to_wgs84(en).unwrap();
/// assert!((back.x - wgs84.x).abs() < 1e-9 && (back.y - wgs84.y).abs() < 1e-9);
/// // An easting without the zone prefix is refused by the zone-prefixed system, not misplaced:
/// assert!(Crs::from_epsg(4528).unwrap().to_wgs84(en).unwrap_err().contains("zone prefix 40"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Crs {
    #[default]
    Wgs84,
    Cgcs2000,
    Gcj02,
    Bd09,
    Projected(Projected),
}

/// What `--crs` and [`Crs::from_str`] accept, for error messages.
const ACCEPTED: &str = "expected wgs84, cgcs2000, gcj02 (Amap, Tencent), bd09 (Baidu) or an EPSG code: \
     EPSG:4326, EPSG:4490, EPSG:4491–4554 (CGCS2000 Gauss–Krüger), EPSG:3857";

impl FromStr for Crs {
    type Err = String;
    /// A name (`wgs84`, `cgcs2000`, `gcj02`, `bd09`) or an EPSG code written `EPSG:4549`,
    /// `epsg4549` or `4549`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        match key.as_str() {
            "wgs84" => return Ok(Crs::Wgs84),
            "cgcs2000" => return Ok(Crs::Cgcs2000),
            "gcj02" => return Ok(Crs::Gcj02),
            "bd09" => return Ok(Crs::Bd09),
            _ => {}
        }
        let digits = key.strip_prefix("epsg:").or_else(|| key.strip_prefix("epsg")).unwrap_or(&key);
        match digits.parse::<u32>() {
            Ok(code) if !digits.starts_with('+') => Crs::from_epsg(code)
                .ok_or_else(|| format!("EPSG:{code} is not a supported coordinate system; {ACCEPTED}")),
            _ => Err(format!("unknown coordinate system `{s}`; {ACCEPTED}")),
        }
    }
}

impl fmt::Display for Crs {
    /// The name `--crs` accepts back: `wgs84`, `cgcs2000`, `gcj02`, `bd09` or `EPSG:4549`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Wgs84 => f.write_str("wgs84"),
            Crs::Cgcs2000 => f.write_str("cgcs2000"),
            Crs::Gcj02 => f.write_str("gcj02"),
            Crs::Bd09 => f.write_str("bd09"),
            Crs::Projected(p) => write!(f, "EPSG:{}", p.epsg()),
        }
    }
}

impl Crs {
    /// The system of an EPSG code: 4326, 4490, 4491–4554 or 3857; `None` for any other.
    pub fn from_epsg(code: u32) -> Option<Crs> {
        match code {
            4326 => Some(Crs::Wgs84),
            4490 => Some(Crs::Cgcs2000),
            _ => Projected::from_epsg(code).map(Crs::Projected),
        }
    }

    /// The EPSG code; `None` for GCJ-02 and BD-09, which have none.
    pub fn epsg(self) -> Option<u32> {
        match self {
            Crs::Wgs84 => Some(4326),
            Crs::Cgcs2000 => Some(4490),
            Crs::Gcj02 | Crs::Bd09 => None,
            Crs::Projected(p) => Some(p.epsg()),
        }
    }

    /// Whether coordinates are longitude/latitude in degrees (all but the projected systems).
    pub fn is_geographic(self) -> bool {
        !matches!(self, Crs::Projected(_))
    }

    /// Recognises a Shapefile `.prj` or GeoPackage `gpkg_spatial_ref_sys.definition` (ESRI
    /// WKT1, OGC WKT1 or WKT2): by its EPSG authority code when it has one, else by datum and
    /// projection parameters. The error names what was found and what is supported.
    pub fn from_prj(wkt: &str) -> Result<Crs, String> {
        prj::from_prj(wkt)
    }

    /// The ESRI WKT1 to write in a Shapefile `.prj` (as ArcGIS and `gdalsrsinfo -o wkt_esri`
    /// write it); `None` for GCJ-02 and BD-09, which no GIS knows.
    pub fn to_prj(self) -> Option<String> {
        prj::to_esri_wkt(self)
    }

    /// The OGC WKT1 with EPSG authority codes, for GeoPackage `gpkg_spatial_ref_sys.definition`
    /// (as `gdalsrsinfo -o wkt1` writes it); `None` for GCJ-02 and BD-09.
    pub fn to_wkt1_ogc(self) -> Option<String> {
        prj::to_ogc_wkt1(self)
    }

    /// Converts one coordinate from this system to WGS84. Fails, with a message naming the
    /// coordinate and the likely cause, for a projected coordinate outside its system's zone
    /// (e.g. an easting without the zone prefix the system expects).
    pub fn to_wgs84(self, c: Coord<f64>) -> Result<Coord<f64>, String> {
        match self {
            Crs::Wgs84 | Crs::Cgcs2000 => Ok(c),
            Crs::Gcj02 => Ok(gcj02_to_wgs84(c)),
            Crs::Bd09 => Ok(gcj02_to_wgs84(bd09_to_gcj02(c))),
            Crs::Projected(p) => p.to_wgs84(c),
        }
    }

    /// Converts one coordinate from WGS84 to this system. Fails for a place outside a
    /// projected system's zone.
    pub fn from_wgs84(self, c: Coord<f64>) -> Result<Coord<f64>, String> {
        match self {
            Crs::Wgs84 | Crs::Cgcs2000 => Ok(c),
            Crs::Gcj02 => Ok(wgs84_to_gcj02(c)),
            Crs::Bd09 => Ok(gcj02_to_bd09(wgs84_to_gcj02(c))),
            Crs::Projected(p) => p.from_wgs84(c),
        }
    }

    /// Converts every coordinate of a geometry to WGS84; on the first failure the geometry
    /// is left partly converted and the error is returned.
    pub fn geometry_to_wgs84(self, g: &mut Geometry<f64>) -> Result<(), String> {
        if self.is_wgs84() {
            return Ok(());
        }
        map_coords(g, |c| self.to_wgs84(c))
    }

    /// Converts every coordinate of a geometry from WGS84 to this system.
    pub fn geometry_from_wgs84(self, g: &mut Geometry<f64>) -> Result<(), String> {
        if self.is_wgs84() {
            return Ok(());
        }
        map_coords(g, |c| self.from_wgs84(c))
    }

    fn is_wgs84(self) -> bool {
        matches!(self, Crs::Wgs84 | Crs::Cgcs2000)
    }
}

/// Applies `f` to every coordinate, keeping the first error. (geo's
/// `try_map_coords_in_place` on a `Geometry` hits the compiler's recursion limit.)
fn map_coords(g: &mut Geometry<f64>, f: impl Fn(Coord<f64>) -> Result<Coord<f64>, String>) -> Result<(), String> {
    use geo::MapCoordsInPlace;
    let first_error = std::cell::RefCell::new(None);
    let (f, first_error_ref) = (&f, &first_error);
    g.map_coords_in_place(move |c| match f(c) {
        Ok(out) => out,
        Err(e) => {
            first_error_ref.borrow_mut().get_or_insert(e);
            c
        }
    });
    first_error.into_inner().map_or(Ok(()), Err)
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
            let back = Crs::Bd09.to_wgs84(Crs::Bd09.from_wgs84(w).unwrap()).unwrap();
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

    #[test]
    fn epsg_codes_parse_and_display() {
        let gk = Crs::from_epsg(4549).unwrap();
        for s in ["EPSG:4549", "epsg:4549", "epsg4549", "EPSG_4549", "4549", " Epsg:4549 "] {
            assert_eq!(s.parse::<Crs>(), Ok(gk), "{s}");
        }
        assert_eq!("EPSG:4326".parse::<Crs>(), Ok(Crs::Wgs84));
        assert_eq!("4490".parse::<Crs>(), Ok(Crs::Cgcs2000));
        assert_eq!("epsg:3857".parse::<Crs>().unwrap().epsg(), Some(3857));
        let e = "EPSG:2385".parse::<Crs>().unwrap_err();
        assert!(e.contains("EPSG:2385 is not a supported") && e.contains("EPSG:4491–4554"), "{e}");
        assert!("epsg:".parse::<Crs>().is_err());
        for crs in [Crs::Wgs84, Crs::Cgcs2000, Crs::Gcj02, Crs::Bd09, gk, Crs::from_epsg(3857).unwrap()] {
            assert_eq!(crs.to_string().parse::<Crs>(), Ok(crs), "{crs}");
        }
        assert_eq!(gk.to_string(), "EPSG:4549");
        assert_eq!(Crs::Gcj02.epsg(), None);
        assert!(Crs::Bd09.is_geographic() && !gk.is_geographic());
        assert_eq!(Crs::from_epsg(4555), None);
    }

    #[test]
    fn projected_round_trips_near_yixing_within_1e_9_degrees() {
        for code in [4549, 4528, 4499, 4510, 3857] {
            let crs = Crs::from_epsg(code).unwrap();
            for i in 0..100 {
                let w = c(119.5 + (i as f64) * 0.0071, 31.1 + (i as f64) * 0.0053);
                let back = crs.to_wgs84(crs.from_wgs84(w).unwrap()).unwrap();
                assert!((back.x - w.x).abs() < 1e-9 && (back.y - w.y).abs() < 1e-9, "EPSG:{code} {w:?} -> {back:?}");
            }
        }
    }

    #[test]
    fn projected_failures_are_errors_not_panics() {
        let zone40 = Crs::from_epsg(4528).unwrap();
        let cm120 = Crs::from_epsg(4549).unwrap();
        let bare = c(483_000.0, 3_470_000.0);
        assert!(zone40.to_wgs84(bare).unwrap_err().contains("lacks the zone prefix 40"));
        assert!(zone40.to_wgs84(bare).unwrap_err().contains("is the file EPSG:4549"));
        assert!(cm120.to_wgs84(c(40_483_000.0, 3_470_000.0)).unwrap_err().contains("is the file EPSG:4528"));
        assert!(cm120.to_wgs84(c(3_483_000.0, 3_470_000.0)).unwrap_err().contains("outside the zone"));
        assert!(cm120.to_wgs84(c(3_470_000.0, 483_000.0)).unwrap_err().contains("swapped"));
        assert!(cm120.to_wgs84(c(f64::NAN, 3_470_000.0)).is_err());
        // Far outside the zone (Urumqi in the 120°E zone), and beyond Web Mercator's square.
        assert!(cm120.from_wgs84(c(87.6, 43.8)).unwrap_err().contains("outside"));
        assert!(Crs::from_epsg(3857).unwrap().from_wgs84(c(0.0, 89.9)).is_err());
        let mut g: Geometry<f64> = Point(bare).into();
        assert!(zone40.geometry_to_wgs84(&mut g).is_err());
    }
}
