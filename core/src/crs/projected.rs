//! Projected systems by EPSG code: CGCS2000 Gauss–Krüger zones and Web Mercator, transformed
//! with `proj4rs` (a port of PROJ kept to PROJ's results).
//!
//! Coordinates are (easting, northing) in metres as files store them (x east, y north), even
//! though the EPSG definitions of the Gauss–Krüger systems list northing first; Chinese
//! surveys also call the northing "X", so a swapped pair is detected and named.
//!
//! CGCS2000 is taken as WGS84 datum-wise (its GRS80 ellipsoid is used for the projection, and
//! no datum shift is applied): GDAL/PROJ do the same, a null transform between EPSG:4326 and
//! EPSG:4490, and the two datums differ by centimetres.

use std::sync::OnceLock;

use geo_types::Coord;
use proj4rs::Proj;

/// The first and last EPSG codes of the CGCS2000 Gauss–Krüger systems (a contiguous block):
/// 4491–4501 6° zones 13–23 with zone prefix, 4502–4512 6° CM 75°E–135°E,
/// 4513–4533 3° zones 25–45 with zone prefix, 4534–4554 3° CM 75°E–135°E.
const GK_FIRST: u32 = 4491;
const GK_LAST: u32 = 4554;
const WEB_MERCATOR: u32 = 3857;

/// Half the side of the Web Mercator square, in metres (π × 6378137).
const WEB_MERCATOR_MAX: f64 = 20_037_508.342_789_244;

/// What the supported projected codes are, for error messages.
pub const SUPPORTED: &str = "EPSG:4491–4554 (CGCS2000 Gauss–Krüger: 4513–4533 3° zones 25–45 with zone prefix, \
     4534–4554 3° CM 75°E–135°E, 4491–4501 6° zones 13–23, 4502–4512 6° CM) or EPSG:3857 (Web Mercator)";

/// A supported projected coordinate system, by its EPSG code. Small and `Copy`; the
/// transform itself is built once per code and shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Projected(u32);

/// The parameters of a projected system, from its code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    /// CGCS2000 Gauss–Krüger (Transverse Mercator, scale 1, GRS80). `zone` is set when the
    /// false easting carries the zone number (zone × 1 000 000 + 500 000).
    GaussKruger { width: u32, central_meridian: u32, zone: Option<u32> },
    WebMercator,
}

impl Projected {
    /// The system of a supported EPSG code.
    pub fn from_epsg(code: u32) -> Option<Projected> {
        ((GK_FIRST..=GK_LAST).contains(&code) || code == WEB_MERCATOR).then_some(Projected(code))
    }

    /// Its EPSG code.
    pub fn epsg(self) -> u32 {
        self.0
    }

    pub(crate) fn kind(self) -> Kind {
        let c = self.0;
        let gk = |width, central_meridian, zone| Kind::GaussKruger { width, central_meridian, zone };
        match c {
            4491..=4501 => gk(6, (c - 4491 + 13) * 6 - 3, Some(c - 4491 + 13)),
            4502..=4512 => gk(6, 75 + (c - 4502) * 6, None),
            4513..=4533 => gk(3, (c - 4513 + 25) * 3, Some(c - 4513 + 25)),
            4534..=4554 => gk(3, 75 + (c - 4534) * 3, None),
            _ => Kind::WebMercator,
        }
    }

    /// The PROJ string of this system (as `gdalsrsinfo -o proj4` gives it, less the
    /// `+nadgrids=@null` that only serves to stop a datum shift we never apply).
    pub fn proj_string(self) -> String {
        match self.kind() {
            Kind::GaussKruger { central_meridian, zone, .. } => format!(
                "+proj=tmerc +lat_0=0 +lon_0={central_meridian} +k=1 +x_0={} +y_0=0 +ellps=GRS80 +units=m +no_defs",
                false_easting(zone)
            ),
            Kind::WebMercator => {
                "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +no_defs".into()
            }
        }
    }

    /// A short human name, e.g. "CGCS2000 3° Gauss–Krüger zone 40 (CM 120°E)".
    pub fn describe(self) -> String {
        match self.kind() {
            Kind::GaussKruger { width, central_meridian, zone: Some(z) } => {
                format!("CGCS2000 {width}° Gauss–Krüger zone {z} (CM {central_meridian}°E, with zone prefix)")
            }
            Kind::GaussKruger { width, central_meridian, zone: None } => {
                format!("CGCS2000 {width}° Gauss–Krüger CM {central_meridian}°E")
            }
            Kind::WebMercator => "Web Mercator".into(),
        }
    }

    /// (easting, northing) in metres → WGS84 degrees.
    pub fn to_wgs84(self, c: Coord<f64>) -> Result<Coord<f64>, String> {
        self.check(c)?;
        let (geo, proj) = self.projs();
        let mut p = (c.x, c.y, 0.0);
        proj4rs::transform::transform(proj, geo, &mut p).map_err(|e| self.failed(c, &e.to_string()))?;
        let out = Coord { x: p.0.to_degrees(), y: p.1.to_degrees() };
        if out.x.is_finite() && out.y.is_finite() && out.x.abs() <= 180.0 && out.y.abs() <= 90.0 {
            Ok(out)
        } else {
            Err(self.failed(c, "no position on Earth"))
        }
    }

    /// WGS84 degrees → (easting, northing) in metres.
    pub fn from_wgs84(self, c: Coord<f64>) -> Result<Coord<f64>, String> {
        let (geo, proj) = self.projs();
        let mut p = (c.x.to_radians(), c.y.to_radians(), 0.0);
        let far = || {
            format!(
                "longitude {}, latitude {} is outside {} ({}); choose the system that covers the data",
                c.x,
                c.y,
                self.describe(),
                Code(self)
            )
        };
        proj4rs::transform::transform(geo, proj, &mut p).map_err(|_| far())?;
        let out = Coord { x: p.0, y: p.1 };
        self.check(out).map_err(|_| far())?;
        Ok(out)
    }

    /// Whether (easting, northing) lies where this system is meant to be used: in its zone's
    /// easting band (which also tells a zone-prefixed easting from a bare one), north of the
    /// equator for Gauss–Krüger, inside the square for Web Mercator.
    fn check(self, c: Coord<f64>) -> Result<(), String> {
        if !(c.x.is_finite() && c.y.is_finite()) {
            return Err(self.failed(c, "not a number"));
        }
        match self.kind() {
            Kind::GaussKruger { zone, .. } => {
                let band = |x: f64| x >= false_easting(zone) - 500_000.0 && x < false_easting(zone) + 500_000.0;
                let north = |y: f64| (0.0..10_002_000.0).contains(&y);
                if band(c.x) && north(c.y) {
                    return Ok(());
                }
                if band(c.y) && north(c.x) {
                    return Err(self.failed(c, "are easting and northing swapped? (Chinese surveys call the northing X)"));
                }
                if !north(c.y) {
                    return Err(self.failed(c, &format!("northing {} is not 0..10002000 m north of the equator", c.y)));
                }
                let lo = false_easting(zone) - 500_000.0;
                let hi = false_easting(zone) + 500_000.0;
                let prefix = (c.x / 1_000_000.0).floor();
                let hint = match zone {
                    Some(z) if (0.0..1_000_000.0).contains(&c.x) => format!(
                        "easting {} lacks the zone prefix {z} (expected {lo}..{hi} m); is the file {}, the same zone without prefix?",
                        c.x,
                        self.without_prefix().map_or(String::new(), |p| format!("EPSG:{}", p.0))
                    ),
                    _ => match zone_prefixed(prefix as u32).filter(|_| prefix >= 1.0 && prefix.fract() == 0.0) {
                        Some(p) => format!(
                            "easting {} has zone prefix {prefix} (expected {lo}..{hi} m); is the file EPSG:{} ({})?",
                            c.x,
                            p.0,
                            p.describe()
                        ),
                        None => format!("easting {} is outside the zone ({lo}..{hi} m)", c.x),
                    },
                };
                Err(self.failed(c, &hint))
            }
            Kind::WebMercator => {
                if c.x.abs() <= WEB_MERCATOR_MAX && c.y.abs() <= WEB_MERCATOR_MAX {
                    Ok(())
                } else {
                    Err(self.failed(c, &format!("beyond ±{WEB_MERCATOR_MAX} m")))
                }
            }
        }
    }

    /// The CM-only system with this zone-prefixed system's central meridian and width.
    fn without_prefix(self) -> Option<Projected> {
        match self.kind() {
            Kind::GaussKruger { width: 3, central_meridian, zone: Some(_) } => Projected::from_epsg(4534 + (central_meridian - 75) / 3),
            Kind::GaussKruger { width: 6, central_meridian, zone: Some(_) } => Projected::from_epsg(4502 + (central_meridian - 75) / 6),
            _ => None,
        }
    }

    fn failed(self, c: Coord<f64>, why: &str) -> String {
        format!("({}, {}) is not a position in {} ({}): {why}", c.x, c.y, Code(self), self.describe())
    }

    /// The (geographic, projected) pair for this code, built on first use and kept: a
    /// million-point import must not parse a PROJ string per point.
    fn projs(self) -> &'static (Proj, Proj) {
        const N: usize = (GK_LAST - GK_FIRST + 2) as usize;
        static CACHE: [OnceLock<(Proj, Proj)>; N] = [const { OnceLock::new() }; N];
        let slot = if self.0 == WEB_MERCATOR { N - 1 } else { (self.0 - GK_FIRST) as usize };
        CACHE[slot].get_or_init(|| {
            // The geographic side has the projection's own ellipsoid and no datum, so the
            // transform is the projection alone (no datum shift, as GDAL does for these).
            let geo = match self.kind() {
                Kind::GaussKruger { .. } => "+proj=longlat +ellps=GRS80 +no_defs",
                Kind::WebMercator => "+proj=longlat +a=6378137 +b=6378137 +no_defs",
            };
            let parse = |s: &str| Proj::from_proj_string(s).unwrap_or_else(|e| panic!("built-in PROJ string `{s}`: {e}"));
            (parse(geo), parse(&self.proj_string()))
        })
    }
}

/// The CGCS2000 Gauss–Krüger system that a table's raw coordinates (easting, northing in
/// metres) obviously are, for a file that does not say: eastings with a zone prefix name
/// their zone; bare eastings (500 000 ± the zone's half-width) are taken to be in the 3° zone
/// holding `near` (the project's extent), the zone a city's survey uses. Every position must
/// then convert to a place in China; anything less clear-cut (degrees, mixed zones, bare
/// eastings with no project extent) is no guess.
pub fn guess_gauss_kruger(positions: &[(f64, f64)], near: Option<Coord<f64>>) -> Option<Projected> {
    let (first, _) = *positions.first()?;
    if positions.iter().any(|&(x, y)| !(x > 0.0 && (1_000_000.0..7_000_000.0).contains(&y))) {
        return None;
    }
    let zone = (first / 1_000_000.0).floor() as u32;
    let candidate = if zone == 0 {
        let near = near?;
        let cm = (near.x / 3.0).round() as i64 * 3;
        Projected::from_epsg(u32::try_from(4534 + (cm - 75) / 3).ok().filter(|_| (75..=135).contains(&cm))?)?
    } else {
        zone_prefixed(zone)?
    };
    positions
        .iter()
        .all(|&(x, y)| {
            candidate.to_wgs84(Coord { x, y }).is_ok_and(|c| (73.0..136.0).contains(&c.x) && (3.0..54.0).contains(&c.y))
        })
        .then_some(candidate)
}

/// The zone-prefixed system of a zone number (13–23 6°, 25–45 3°).
fn zone_prefixed(zone: u32) -> Option<Projected> {
    match zone {
        13..=23 => Projected::from_epsg(4491 + zone - 13),
        25..=45 => Projected::from_epsg(4513 + zone - 25),
        _ => None,
    }
}

/// The false easting: zone × 1 000 000 + 500 000 with a zone prefix, else 500 000.
pub(crate) fn false_easting(zone: Option<u32>) -> f64 {
    zone.map_or(0.0, |z| z as f64 * 1_000_000.0) + 500_000.0
}

/// For `Display` of a `Projected` inside messages.
struct Code(Projected);

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EPSG:{}", self.0 .0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obvious_gauss_kruger_coordinates_are_guessed() {
        // Yixing (119.82°E, 31.36°N) in zone 40 (CM 120°E), with and without the prefix.
        let p4528 = Projected::from_epsg(4528).unwrap();
        let p4549 = Projected::from_epsg(4549).unwrap();
        let wgs = [Coord { x: 119.82, y: 31.36 }, Coord { x: 119.85, y: 31.38 }];
        let prefixed: Vec<(f64, f64)> = wgs.iter().map(|c| p4528.from_wgs84(*c).unwrap()).map(|c| (c.x, c.y)).collect();
        let bare: Vec<(f64, f64)> = wgs.iter().map(|c| p4549.from_wgs84(*c).unwrap()).map(|c| (c.x, c.y)).collect();
        assert_eq!(guess_gauss_kruger(&prefixed, None), Some(p4528));
        assert_eq!(guess_gauss_kruger(&bare, Some(Coord { x: 119.8, y: 31.4 })), Some(p4549));
        assert_eq!(guess_gauss_kruger(&bare, None), None, "bare eastings need the project's zone");
        assert_eq!(guess_gauss_kruger(&[(119.82, 31.36)], None), None, "degrees are no guess");
        let mixed = [prefixed[0], (prefixed[1].0 + 1_000_000.0, prefixed[1].1)];
        assert_eq!(guess_gauss_kruger(&mixed, None), None, "two zones are no guess");
    }

    #[test]
    fn codes_map_to_gdal_parameters() {
        // From `gdalsrsinfo -o proj4` (GDAL 3.6).
        let gdal = [
            (4549, "+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"),
            (4528, "+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=40500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"),
            (4513, "+proj=tmerc +lat_0=0 +lon_0=75 +k=1 +x_0=25500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"),
            (4554, "+proj=tmerc +lat_0=0 +lon_0=135 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"),
            (4491, "+proj=tmerc +lat_0=0 +lon_0=75 +k=1 +x_0=13500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"),
            (4512, "+proj=tmerc +lat_0=0 +lon_0=135 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"),
        ];
        for (code, s) in gdal {
            assert_eq!(Projected::from_epsg(code).unwrap().proj_string(), s, "EPSG:{code}");
        }
        assert!(Projected::from_epsg(4490).is_none());
        assert!(Projected::from_epsg(4555).is_none());
    }
}
