//! Reading and writing the WKT that names a coordinate system in a Shapefile `.prj` or a
//! GeoPackage's `gpkg_spatial_ref_sys`: ESRI WKT1 (ArcGIS), OGC WKT1 and WKT2 (GDAL).
//!
//! Only the systems [`Crs`] supports are recognised, so a small tree walk is enough; full
//! WKT support would mean PROJ's database. The texts written are those of GDAL 3.6
//! (`gdalsrsinfo --single-line -o wkt_esri` / `-o wkt1`), which a test checks.

use super::projected::{false_easting, Kind, SUPPORTED};
use super::{Crs, Projected};

/// One WKT node: `KEYWORD[arg, arg, …]`.
#[derive(Debug)]
struct Node {
    keyword: String,
    args: Vec<Arg>,
}

#[derive(Debug)]
enum Arg {
    Text(String),
    Number(f64),
    /// An unquoted word such as `NORTH` or `Cartesian`.
    Word,
    Node(Node),
}

impl Node {
    fn is(&self, keywords: &[&str]) -> bool {
        keywords.iter().any(|k| self.keyword.eq_ignore_ascii_case(k))
    }
    fn children(&self) -> impl Iterator<Item = &Node> {
        self.args.iter().filter_map(|a| if let Arg::Node(n) = a { Some(n) } else { None })
    }
    fn child(&self, keywords: &[&str]) -> Option<&Node> {
        self.children().find(|n| n.is(keywords))
    }
    /// The node's name (its first argument when quoted).
    fn name(&self) -> &str {
        match self.args.first() {
            Some(Arg::Text(t)) => t,
            _ => "",
        }
    }
    fn number(&self, i: usize) -> Option<f64> {
        match self.args.get(i) {
            Some(Arg::Number(n)) => Some(*n),
            Some(Arg::Text(t)) => t.trim().parse().ok(),
            _ => None,
        }
    }
    /// Depth-first search, this node included.
    fn find(&self, keywords: &[&str]) -> Option<&Node> {
        if self.is(keywords) {
            return Some(self);
        }
        self.children().find_map(|c| c.find(keywords))
    }
    /// This node's own EPSG code (`AUTHORITY["EPSG","4549"]` or `ID["EPSG",4549]`).
    fn epsg(&self) -> Option<u32> {
        self.children().filter(|c| c.is(&["AUTHORITY", "ID"])).find_map(|c| {
            if !c.name().eq_ignore_ascii_case("EPSG") {
                return None;
            }
            match c.args.get(1)? {
                Arg::Number(n) if n.fract() == 0.0 && *n > 0.0 => Some(*n as u32),
                Arg::Text(t) => t.trim().parse().ok(),
                _ => None,
            }
        })
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn word(&mut self) -> String {
        let start = self.i;
        while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric() || b"_.+-".contains(&self.s[self.i])) {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }
    fn node(&mut self) -> Result<Node, String> {
        self.skip_space();
        let keyword = self.word();
        if keyword.is_empty() {
            return Err(format!("expected a WKT keyword at character {}", self.i + 1));
        }
        self.skip_space();
        if !matches!(self.s.get(self.i), Some(b'[') | Some(b'(')) {
            return Err(format!("expected `[` after {keyword}"));
        }
        self.i += 1;
        let mut args = Vec::new();
        loop {
            self.skip_space();
            match self.s.get(self.i) {
                None => return Err(format!("{keyword}[ is not closed")),
                Some(b']') | Some(b')') => {
                    self.i += 1;
                    return Ok(Node { keyword, args });
                }
                Some(b',') => self.i += 1,
                Some(b'"') => args.push(Arg::Text(self.text()?)),
                Some(c) if c.is_ascii_digit() || b"+-.".contains(c) => {
                    let w = self.word();
                    args.push(w.parse().map(Arg::Number).unwrap_or(Arg::Word));
                }
                Some(_) => {
                    let save = self.i;
                    let w = self.word();
                    if w.is_empty() {
                        return Err(format!("unexpected character at {}", self.i + 1));
                    }
                    self.skip_space();
                    if matches!(self.s.get(self.i), Some(b'[') | Some(b'(')) {
                        self.i = save;
                        args.push(Arg::Node(self.node()?));
                    } else {
                        args.push(Arg::Word);
                    }
                }
            }
        }
    }
    /// A quoted string; `""` inside is a quote.
    fn text(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.s.get(self.i) {
                None => return Err("a quoted name is not closed".into()),
                Some(b'"') if self.s.get(self.i + 1) == Some(&b'"') => {
                    out.push(b'"');
                    self.i += 2;
                }
                Some(b'"') => {
                    self.i += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                Some(&c) => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }
}

fn parse(wkt: &str) -> Result<Node, String> {
    let wkt = wkt.trim_start_matches('\u{feff}');
    let mut p = Parser { s: wkt.as_bytes(), i: 0 };
    let node = p.node().map_err(|e| format!("not a WKT coordinate system: {e}"))?;
    Ok(node)
}

/// Lower case with spaces, dashes and underscores dropped, for comparing names.
fn key(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, ' ' | '_' | '-')).flat_map(char::to_lowercase).collect()
}

const GEOGRAPHIC: &[&str] = &["GEOGCS", "GEOGCRS", "BASEGEOGCRS", "GEODCRS", "BASEGEODCRS", "GEODETICCRS"];
const PROJECTED: &[&str] = &["PROJCS", "PROJCRS", "PROJECTEDCRS"];

/// Which of the two datums we know a geographic node is on.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Datum {
    Wgs84,
    Cgcs2000,
}

fn datum(geog: &Node) -> Result<Datum, String> {
    let datum = geog.find(&["DATUM", "ENSEMBLE", "GEODETICDATUM", "TRF"]);
    let name = key(datum.map_or(geog.name(), |d| d.name()));
    let ellipsoid = geog.find(&["SPHEROID", "ELLIPSOID"]);
    if name.contains("china2000") || name.contains("cgcs2000") {
        return Ok(Datum::Cgcs2000);
    }
    if name.contains("wgs1984") || name.contains("wgs84") || name.contains("worldgeodeticsystem1984") {
        return Ok(Datum::Wgs84);
    }
    match ellipsoid.and_then(|e| Some((e.number(1)?, e.number(2)?))) {
        Some((a, rf)) if a == 6_378_137.0 && (rf - 298.257222101).abs() < 1e-6 && name.is_empty() => Ok(Datum::Cgcs2000),
        _ => Err(format!(
            "datum `{}` is not supported (only WGS84 and CGCS2000 are; e.g. Beijing 1954 and Xian 1980 differ by up to \
             100 m and need a transformation first)",
            datum.map_or(geog.name(), |d| d.name())
        )),
    }
}

/// Shapefile/GeoPackage WKT → a supported [`Crs`].
pub(super) fn from_prj(wkt: &str) -> Result<Crs, String> {
    let root = parse(wkt)?;
    // A compound or bound CRS wraps the horizontal one.
    let root = if root.is(&["COMPD_CS", "COMPOUNDCRS", "BOUNDCRS"]) {
        root.children().find(|c| c.is(PROJECTED) || c.is(GEOGRAPHIC)).unwrap_or(&root)
    } else if root.is(&["SOURCECRS"]) {
        root.children().next().unwrap_or(&root)
    } else {
        &root
    };
    let supported = || {
        format!("supported: WGS84 (EPSG:4326), CGCS2000 (EPSG:4490), {SUPPORTED}; reproject the file first (e.g. in QGIS)")
    };
    if let Some(code) = root.epsg() {
        if let Some(crs) = Crs::from_epsg(code) {
            return Ok(crs);
        }
    }
    if root.is(GEOGRAPHIC) {
        return match datum(root) {
            Ok(Datum::Wgs84) => Ok(Crs::Wgs84),
            Ok(Datum::Cgcs2000) => Ok(Crs::Cgcs2000),
            Err(e) => Err(format!("`{}`: {e}; {}", root.name(), supported())),
        };
    }
    if !root.is(PROJECTED) {
        return Err(format!("{}[\"{}\"] is not a coordinate system this app reads; {}", root.keyword, root.name(), supported()));
    }
    let name = root.name();
    let geog = root.child(GEOGRAPHIC).ok_or_else(|| format!("`{name}` has no geographic base system"))?;
    let datum = datum(geog).map_err(|e| format!("`{name}`: {e}; {}", supported()))?;
    let method = root
        .find(&["PROJECTION", "METHOD"])
        .map(|m| m.name().to_string())
        .unwrap_or_default();
    let params = Params::of(root);
    // WKT1 has UNIT on the system, WKT2 a LENGTHUNIT on each axis (or on the system).
    let axis_units = root.children().filter(|c| c.is(&["AXIS"])).filter_map(|a| a.child(&["LENGTHUNIT"]));
    let unit_ok = root
        .children()
        .filter(|c| c.is(&["UNIT", "LENGTHUNIT"]))
        .chain(axis_units)
        .all(|u| u.number(1).is_some_and(|m| (m - 1.0).abs() < 1e-12));
    let found = format!(
        "`{name}` ({method}, datum {:?}, central meridian {}, false easting {}, scale {})",
        datum,
        fmt_opt(params.central_meridian),
        fmt_opt(params.false_easting),
        fmt_opt(params.scale)
    );
    let unsupported = || format!("{found} is not supported; {}", supported());
    if !unit_ok {
        return Err(format!("{found}: only metre units are supported; {}", supported()));
    }
    let m = key(&method);
    let tm = m.contains("transversemercator") || m.contains("gausskruger");
    let web = m.contains("pseudomercator") || m.contains("mercatorauxiliarysphere") || key(name).contains("pseudomercator");
    let zero = |v: Option<f64>| v.unwrap_or(0.0).abs() < 1e-9;
    match datum {
        Datum::Wgs84 if web && zero(params.central_meridian) && zero(params.false_easting) && zero(params.false_northing) => {
            Ok(Crs::from_epsg(3857).expect("3857 is supported"))
        }
        Datum::Cgcs2000 if tm => {
            let (Some(cm), Some(fe)) = (params.central_meridian, params.false_easting) else {
                return Err(unsupported());
            };
            let scale_ok = (params.scale.unwrap_or(1.0) - 1.0).abs() < 1e-12;
            if !(scale_ok && zero(params.latitude_of_origin) && zero(params.false_northing)) {
                return Err(unsupported());
            }
            let three_degree = key(name).contains("3degree");
            let mut candidates = (4491..=4554).filter_map(Projected::from_epsg).filter(|p| match p.kind() {
                Kind::GaussKruger { central_meridian, zone, .. } => {
                    central_meridian as f64 == cm && false_easting(zone) == fe
                }
                Kind::WebMercator => false,
            });
            // CM-only systems of both widths share a central meridian (e.g. 75°E): the
            // parameters are the same, the name tells which one the file means.
            let all: Vec<Projected> = candidates.by_ref().collect();
            let pick = all
                .iter()
                .find(|p| matches!(p.kind(), Kind::GaussKruger { width: 3, .. }) == three_degree)
                .or(all.first());
            pick.map(|p| Crs::Projected(*p)).ok_or_else(unsupported)
        }
        _ => Err(unsupported()),
    }
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or("none".into(), |v| v.to_string())
}

/// The projection parameters, by WKT1 (`central_meridian`) or WKT2 (`Longitude of natural
/// origin`) name.
#[derive(Default)]
struct Params {
    central_meridian: Option<f64>,
    false_easting: Option<f64>,
    false_northing: Option<f64>,
    scale: Option<f64>,
    latitude_of_origin: Option<f64>,
}

impl Params {
    fn of(root: &Node) -> Params {
        let mut p = Params::default();
        let holder = root.child(&["CONVERSION", "DERIVINGCONVERSION"]).unwrap_or(root);
        for param in holder.children().filter(|c| c.is(&["PARAMETER"])) {
            let v = param.number(1);
            match key(param.name()).as_str() {
                "centralmeridian" | "longitudeofnaturalorigin" | "longitudeoforigin" | "longitudeofcenter" => {
                    p.central_meridian = v
                }
                "falseeasting" => p.false_easting = v,
                "falsenorthing" => p.false_northing = v,
                "scalefactor" | "scalefactoratnaturalorigin" => p.scale = v,
                "latitudeoforigin" | "latitudeofnaturalorigin" => p.latitude_of_origin = v,
                _ => {}
            }
        }
        p
    }
}

const ESRI_CGCS2000: &str = "GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\",DATUM[\"D_China_2000\",\
     SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";
const ESRI_WGS84: &str = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],\
     PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";
const OGC_CGCS2000: &str = "GEOGCS[\"China Geodetic Coordinate System 2000\",DATUM[\"China_2000\",\
     SPHEROID[\"CGCS2000\",6378137,298.257222101,AUTHORITY[\"EPSG\",\"1024\"]],AUTHORITY[\"EPSG\",\"1043\"]],\
     PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],\
     AUTHORITY[\"EPSG\",\"4490\"]]";
const OGC_WGS84: &str = "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,\
     AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],\
     UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4326\"]]";

/// A geographic OGC WKT1 ends with its axes before the authority, as GDAL writes it.
fn ogc_geographic(base: &str) -> String {
    let (head, authority) = base.rsplit_once(",AUTHORITY[").expect("constant ends with an authority");
    format!("{head},AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[{authority}")
}

pub(super) fn to_esri_wkt(crs: Crs) -> Option<String> {
    match crs {
        Crs::Wgs84 => Some(ESRI_WGS84.into()),
        Crs::Cgcs2000 => Some(ESRI_CGCS2000.into()),
        Crs::Gcj02 | Crs::Bd09 => None,
        Crs::Projected(p) => Some(match p.kind() {
            Kind::GaussKruger { width, central_meridian, zone } => {
                let degree = if width == 3 { "3_Degree_" } else { "" };
                let name = match zone {
                    Some(z) => format!("CGCS2000_{degree}GK_Zone_{z}"),
                    None => format!("CGCS2000_{degree}GK_CM_{central_meridian}E"),
                };
                format!(
                    "PROJCS[\"{name}\",{ESRI_CGCS2000},PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",{:.1}],\
                     PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",{:.1}],PARAMETER[\"Scale_Factor\",1.0],\
                     PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]",
                    false_easting(zone),
                    central_meridian as f64
                )
            }
            Kind::WebMercator => format!(
                "PROJCS[\"WGS_1984_Web_Mercator_Auxiliary_Sphere\",{ESRI_WGS84},PROJECTION[\"Mercator_Auxiliary_Sphere\"],\
                 PARAMETER[\"False_Easting\",0.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",0.0],\
                 PARAMETER[\"Standard_Parallel_1\",0.0],PARAMETER[\"Auxiliary_Sphere_Type\",0.0],UNIT[\"Meter\",1.0]]"
            ),
        }),
    }
}

pub(super) fn to_ogc_wkt1(crs: Crs) -> Option<String> {
    match crs {
        Crs::Wgs84 => Some(ogc_geographic(OGC_WGS84)),
        Crs::Cgcs2000 => Some(ogc_geographic(OGC_CGCS2000)),
        Crs::Gcj02 | Crs::Bd09 => None,
        Crs::Projected(p) => Some(match p.kind() {
            Kind::GaussKruger { width, central_meridian, zone } => {
                let degree = if width == 3 { "3-degree " } else { "" };
                let name = match zone {
                    Some(z) => format!("CGCS2000 / {degree}Gauss-Kruger zone {z}"),
                    None => format!("CGCS2000 / {degree}Gauss-Kruger CM {central_meridian}E"),
                };
                format!(
                    "PROJCS[\"{name}\",{OGC_CGCS2000},PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],\
                     PARAMETER[\"central_meridian\",{central_meridian}],PARAMETER[\"scale_factor\",1],\
                     PARAMETER[\"false_easting\",{}],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]],\
                     AXIS[\"Northing\",NORTH],AXIS[\"Easting\",EAST],AUTHORITY[\"EPSG\",\"{}\"]]",
                    false_easting(zone),
                    p.epsg()
                )
            }
            Kind::WebMercator => format!(
                "PROJCS[\"WGS 84 / Pseudo-Mercator\",{OGC_WGS84},PROJECTION[\"Mercator_1SP\"],PARAMETER[\"central_meridian\",0],\
                 PARAMETER[\"scale_factor\",1],PARAMETER[\"false_easting\",0],PARAMETER[\"false_northing\",0],\
                 UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]],AXIS[\"Easting\",EAST],AXIS[\"Northing\",NORTH],\
                 EXTENSION[\"PROJ4\",\"+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m \
                 +nadgrids=@null +wktext +no_defs\"],AUTHORITY[\"EPSG\",\"3857\"]]"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/data/prj/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn gdal_fixtures_are_recognised_in_all_three_dialects() {
        for code in [4549, 4528, 4497, 4508, 3857, 4490, 4326] {
            for dialect in ["esri.prj", "wkt1", "wkt2"] {
                let text = fixture(&format!("epsg{code}.{dialect}"));
                assert_eq!(Crs::from_prj(&text).map(Crs::epsg), Ok(Some(code)), "epsg{code}.{dialect}");
            }
        }
    }

    #[test]
    fn esri_text_without_authority_is_matched_by_parameters() {
        // ESRI WKT carries no code: 4549 and 4528 differ only by the false easting, and
        // 4508 (6° CM 111°E) from 4546 (3° CM 111°E) only by name.
        let esri = fixture("epsg4549.esri.prj");
        assert!(!esri.contains("AUTHORITY"));
        assert_eq!(Crs::from_prj(&esri.replace("3_Degree_", "")).unwrap().epsg(), Some(4549), "CM 120E is 3° only");
        let six = fixture("epsg4508.esri.prj");
        assert_eq!(Crs::from_prj(&six.replace("CGCS2000_GK", "CGCS2000_3_Degree_GK")).unwrap().epsg(), Some(4546));
    }

    #[test]
    fn unsupported_systems_are_named() {
        let e = Crs::from_prj(&fixture("xian1980_epsg2385.esri.prj")).unwrap_err();
        assert!(e.contains("Xian_1980") && e.contains("EPSG:4491–4554"), "{e}");
        let e = Crs::from_prj(&fixture("utm50n_epsg32650.esri.prj")).unwrap_err();
        assert!(e.contains("WGS_1984_UTM_Zone_50N") && e.contains("Transverse_Mercator"), "{e}");
        assert!(Crs::from_prj("not wkt").unwrap_err().contains("not a WKT"));
        assert!(Crs::from_prj("PROJCS[\"x\"").is_err());
    }

    #[test]
    fn written_wkt_reads_back() {
        for code in (4491..=4554).chain([3857, 4490, 4326]) {
            let crs = Crs::from_epsg(code).unwrap();
            assert_eq!(Crs::from_prj(&crs.to_prj().unwrap()), Ok(crs), "esri {code}");
            assert_eq!(Crs::from_prj(&crs.to_wkt1_ogc().unwrap()), Ok(crs), "ogc {code}");
        }
        assert_eq!(Crs::Gcj02.to_prj(), None);
        assert_eq!(Crs::Bd09.to_wkt1_ogc(), None);
    }
}
