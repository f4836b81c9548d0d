//! GeoJSON import and export (RFC 7946).
//!
//! The document is first read as plain JSON and each feature is then converted on its own,
//! so one malformed feature is reported as that feature (by its 1-based position) instead of
//! failing the whole file with a byte offset.

use std::path::Path;

use geo_types::Geometry;
use serde_json::{json, Map, Value as Json};

use super::geometry::{check_lon_lat, geometry_name, rounded, type_label};
use super::record::{self, Keys};
use super::reading::Reading;
use super::{bad_input, read_text, source, text, ImportOptions, RowError};
use crate::catalog::LayerKind;
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::feature::Feature;

/// Streams a GeoJSON file into `reading`; see [`super::import_features`].
///
/// A FeatureCollection's `features` array is read one feature at a time, so the file is
/// never held whole; a bare Feature is read as a collection of one.
pub(crate) fn read(path: &Path, kind: &LayerKind, opts: &ImportOptions, reading: &mut Reading) -> Result<()> {
    let sniffed = text::sniff_file(path, opts.encoding)?;
    reading.found.encoding = Some(sniffed.encoding.name());
    if sniffed.encoding != encoding_rs::UTF_8 {
        reading.warn(format!("the file is not UTF-8; read it as {}", sniffed.encoding.name()));
    }
    let input = source::open(path, sniffed.bom)?;
    let bytes_read = input.read.clone();
    let text = std::io::BufReader::with_capacity(1 << 16, text::Utf8Reader::new(input.stream, sniffed.encoding));
    let props = Keys::new(opts, reading);
    let mut walk = Walk { kind, path, crs: opts.crs, declared: None, reading, props, index: 0, stopped: None, bytes_read };
    let mut de = serde_json::Deserializer::from_reader(text);
    let top = serde::de::DeserializeSeed::deserialize(&mut walk, &mut de);
    if let Some(e) = walk.stopped.take() {
        return Err(e);
    }
    let others = top.map_err(|e| bad_input(path, format!("not valid JSON: {e}")))?;
    de.end().map_err(|e| bad_input(path, format!("not valid JSON: {e}")))?;
    let ty = others.get("type").and_then(Json::as_str).unwrap_or("");
    match ty {
        "FeatureCollection" if !others.contains_key("features") => {
            return Err(bad_input(path, "the FeatureCollection has no \"features\" array"));
        }
        "FeatureCollection" => {}
        "Feature" => {
            walk.crs_member(&Json::Object(others.clone()))?;
            walk.one(Json::Object(others))?;
        }
        "" => return Err(bad_input(path, "not GeoJSON: expected an object with \"type\": \"FeatureCollection\"")),
        other => {
            return Err(bad_input(
                path,
                format!("is a bare {other} geometry, which has no attributes; expected a FeatureCollection or a Feature"),
            ))
        }
    }
    walk.props.warn_unknown(kind, walk.reading);
    Ok(())
}

/// Walks a GeoJSON document as it is parsed: the top-level members other than `features`
/// are kept (they are small), each element of `features` is converted and handed on as soon
/// as it has been read.
struct Walk<'w, 'r> {
    kind: &'w LayerKind,
    path: &'w Path,
    /// The system the user named, if any.
    crs: Option<Crs>,
    /// The system the file's `crs` member declared, once seen.
    declared: Option<Crs>,
    reading: &'w mut Reading<'r>,
    props: Keys,
    /// Features seen so far.
    index: usize,
    /// Why the walk stopped early (the sink failed, the user cancelled, a bad `crs`): serde
    /// can only carry a message, so the typed error waits here.
    stopped: Option<Error>,
    bytes_read: source::BytesRead,
}

impl Walk<'_, '_> {
    /// The system coordinates are in: the user's, else the file's `crs` member, else WGS84.
    fn crs(&self) -> Crs {
        self.crs.or(self.declared).unwrap_or_default()
    }

    /// Reads a `crs` member (only when the user named no system), before any feature.
    fn crs_member(&mut self, doc: &Json) -> Result<()> {
        if self.crs.is_some() {
            return Ok(());
        }
        let declared = declared_crs(doc).map_err(|m| bad_input(self.path, m))?;
        if let Some(c) = declared.filter(|c| *c != Crs::Wgs84) {
            if self.index > 0 {
                return Err(bad_input(
                    self.path,
                    format!("the file declares coordinate system {c} after its features; import it with --crs {c}"),
                ));
            }
            self.reading.warn(format!("the file declares its coordinates are {c}; read them as such"));
            self.reading.found.declared_crs = Some(c);
            self.declared = Some(c);
        }
        Ok(())
    }

    /// One element of `features`.
    fn one(&mut self, value: Json) -> Result<()> {
        self.index += 1;
        let crs = self.crs();
        let converted = serde_json::from_value::<geojson::Feature>(value)
            .map_err(|e| RowError::new("(feature)", "", format!("is not a valid GeoJSON Feature: {e}")))
            .and_then(|gf| feature(self.kind, gf, crs, &mut self.props));
        match converted {
            Ok(f) => self.reading.feature(f)?,
            Err(e) => {
                let file = self.reading.file.clone();
                self.reading.bad(Error::BadFeature { file, index: self.index, field: e.field, value: e.value, expected: e.expected })
            }
        }
        let read = &self.bytes_read;
        self.reading.tick(|| read.get())
    }

    fn stop<E: serde::de::Error>(&mut self, e: Error) -> E {
        self.stopped = Some(e);
        E::custom("stopped")
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for &mut Walk<'_, '_> {
    type Value = Map<String, Json>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for &mut Walk<'_, '_> {
    type Value = Map<String, Json>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a GeoJSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut others = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "features" && others.get("type").and_then(Json::as_str) != Some("Feature") {
                map.next_value_seed(Features(&mut *self))?;
                others.insert(key, Json::Bool(true));
                continue;
            }
            let value: Json = map.next_value()?;
            if key == "crs" {
                let doc = json!({ "crs": value });
                if let Err(e) = self.crs_member(&doc) {
                    return Err(self.stop(e));
                }
            }
            others.insert(key, value);
        }
        Ok(others)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(serde::de::Error::custom("expected an object with \"type\": \"FeatureCollection\", found an array"))
    }
}

/// The `features` array, element by element.
struct Features<'a, 'w, 'r>(&'a mut Walk<'w, 'r>);

impl<'de> serde::de::DeserializeSeed<'de> for Features<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Features<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of GeoJSON Features")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Json>()? {
            if let Err(e) = self.0.one(value) {
                return Err(self.0.stop(e));
            }
        }
        Ok(())
    }
}

/// The system a `crs` member declares: `None` for none or WGS84.
fn declared_crs(doc: &Json) -> Result<Option<Crs>, String> {
    check_crs_member(doc).map(|()| None).or_else(|refusal| {
        let Some(member) = doc.get("crs").filter(|c| !c.is_null()) else { return Ok(None) };
        let name = member.pointer("/properties/name").and_then(Json::as_str).unwrap_or("");
        if let Some(ours) = name.strip_prefix(WARDGIS_CRS_PREFIX) {
            return ours.parse::<Crs>().map(Some).map_err(|_| refusal);
        }
        let code = name.rsplit(':').find(|s| !s.is_empty()).unwrap_or("");
        format!("EPSG:{code}").parse::<Crs>().map(Some).map_err(|_| refusal)
    })
}

/// Old GeoJSON (2008) could declare another coordinate system in a `crs` member; RFC 7946
/// dropped it and fixed WGS84 lon/lat. Importing such a file as WGS84 would silently shift
/// or scramble every feature, so anything but WGS84 (or CGCS2000, which equals it to
/// centimetres) is refused unless the caller named the system the coordinates are in.
fn check_crs_member(doc: &Json) -> Result<(), String> {
    let Some(member) = doc.get("crs").filter(|c| !c.is_null()) else { return Ok(()) };
    let name = member.pointer("/properties/name").and_then(Json::as_str).unwrap_or("");
    let last = name.rsplit(':').find(|s| !s.is_empty()).unwrap_or("").to_ascii_lowercase();
    if matches!(last.as_str(), "crs84" | "4326" | "4490" | "wgs84") {
        return Ok(());
    }
    if let Some(crs) = last.parse::<u32>().ok().and_then(Crs::from_epsg) {
        return Err(format!("the file declares its coordinates are {crs} (\"crs\": \"{}\"); import it with --crs {crs}", super::clip(name)));
    }
    if let Some(ours) = name.strip_prefix(WARDGIS_CRS_PREFIX) {
        return Err(format!(
            "the file declares its coordinates are {} (\"crs\": \"{}\"); import it with --crs {}",
            super::clip(ours),
            super::clip(name),
            super::clip(ours)
        ));
    }
    let shown = super::clip(&if name.is_empty() { member.to_string() } else { name.to_owned() });
    Err(format!(
        "the file declares coordinate system {shown}; wardgis reads longitude/latitude in WGS84 \
         (EPSG:4326/CRS84), CGCS2000 (EPSG:4490) and its Gauss–Krüger zones (EPSG:4491–4554), Web Mercator \
         (EPSG:3857), GCJ-02 or BD-09. Reproject it (e.g. ogr2ogr -t_srs EPSG:4326), \
         or if it is in fact GCJ-02 or BD-09 longitude/latitude, say so with --crs"
    ))
}

/// The polygons of a GeoJSON file (FeatureCollection, Feature or bare geometry), in WGS84,
/// as one MultiPolygon; see [`super::read_area`].
pub(crate) fn read_area(path: &Path) -> Result<Geometry<f64>> {
    let text = read_text(path, &mut Vec::new())?;
    let doc: Json = serde_json::from_str(&text).map_err(|e| bad_input(path, format!("not valid JSON: {e}")))?;
    check_crs_member(&doc).map_err(|m| bad_input(path, m))?;
    let gj: geojson::GeoJson = serde_json::from_value(doc).map_err(|e| bad_input(path, format!("not GeoJSON: {e}")))?;
    let geometries: Vec<Option<geojson::Geometry>> = match gj {
        geojson::GeoJson::Geometry(g) => vec![Some(g)],
        geojson::GeoJson::Feature(f) => vec![f.geometry],
        geojson::GeoJson::FeatureCollection(fc) => fc.features.into_iter().map(|f| f.geometry).collect(),
    };
    let mut polygons = Vec::new();
    for (i, g) in geometries.into_iter().enumerate() {
        let polygon_only = |what: &str| bad_input(path, format!("feature {}: is {what}; expected a Polygon or MultiPolygon", i + 1));
        let g = g.ok_or_else(|| polygon_only("without geometry"))?;
        check_positions(&g.value).map_err(|m| bad_input(path, format!("feature {}: geometry {m}", i + 1)))?;
        let g = Geometry::<f64>::try_from(g)
            .map_err(|e| bad_input(path, format!("feature {}: {e}", i + 1)))?;
        check_lon_lat(&g).map_err(|m| bad_input(path, format!("feature {}: geometry {m}", i + 1)))?;
        match g {
            Geometry::Polygon(p) => polygons.push(p),
            Geometry::MultiPolygon(m) => polygons.extend(m.0),
            other => return Err(polygon_only(&format!("a {}", geometry_name(&other)))),
        }
    }
    if polygons.is_empty() {
        return Err(bad_input(path, "has no polygons; expected a Polygon or MultiPolygon"));
    }
    Ok(geo_types::MultiPolygon(polygons).into())
}

/// The `crs` member name prefix wardgis writes for GCJ-02 and BD-09 exports, which
/// RFC 7946 has no way to express.
const WARDGIS_CRS_PREFIX: &str = "wardgis:";

/// One GeoJSON feature as a wardgis feature, or the first problem in it.
fn feature(kind: &LayerKind, gf: geojson::Feature, crs: Crs, keys: &mut Keys) -> Result<Feature, RowError> {
    let expected = || format!("expected a {} geometry", type_label(kind.geometry));
    let g = gf.geometry.ok_or_else(|| RowError::new("geometry", "null", expected()))?;
    let type_name = g.value.type_name();
    check_positions(&g.value).map_err(|why| RowError::new("geometry", type_name, format!("{why}; {}", expected())))?;
    let g = Geometry::<f64>::try_from(g).map_err(|e| RowError::new("geometry", type_name, format!("{e}; {}", expected())))?;
    let props = gf.properties.iter().flatten().map(|(k, v)| (k.as_str(), v));
    record::feature(kind, g, crs, props, keys)
}

/// Refuses a position with fewer than two numbers anywhere in a geometry. The geojson crate
/// checks a Point's, but converting a shorter position inside a LineString, Polygon or
/// collection indexes past its end and panics (found by fuzzing: `[[[119.8,31.3],[1136],…]]`).
fn check_positions(g: &geojson::GeometryValue) -> Result<(), String> {
    use geojson::GeometryValue as G;
    let check = |p: &geojson::Position| match p.len() {
        n if n < 2 => Err(format!("has a position with {n} number(s) ({:?}); expected [longitude, latitude]", p.as_slice())),
        _ => Ok(()),
    };
    match g {
        G::Point { coordinates } => check(coordinates),
        G::MultiPoint { coordinates } | G::LineString { coordinates } => coordinates.iter().try_for_each(check),
        G::MultiLineString { coordinates } | G::Polygon { coordinates } => coordinates.iter().flatten().try_for_each(check),
        G::MultiPolygon { coordinates } => coordinates.iter().flatten().flatten().try_for_each(check),
        G::GeometryCollection { geometries } => geometries.iter().try_for_each(|g| check_positions(&g.value)),
    }
}

/// One feature as a GeoJSON Feature, for export and for query results.
///
/// `properties` holds every catalog column (`name`, `source` and the layer's fields) under
/// its catalog name, null when the feature has no value, then the `extra` properties (such
/// as `distance_m`) in the order given. The feature's `fid`, when it has one, is the GeoJSON
/// feature `id`. The geometry is written as it is (WGS84), rounded to 7 decimals (≈1 cm).
pub fn feature_to_geojson(kind: &LayerKind, f: &Feature, extra: &[(&str, Json)]) -> Json {
    feature_json(kind, f, &f.geometry, extra)
}

/// A GeoJSON FeatureCollection of features made by [`feature_to_geojson`].
pub fn feature_collection(features: Vec<Json>) -> Json {
    json!({ "type": "FeatureCollection", "features": features })
}

/// `f` as a GeoJSON Feature with geometry `g` (the feature's own, or it converted to
/// another system), coordinates rounded to 7 decimals.
fn feature_json(kind: &LayerKind, f: &Feature, g: &Geometry<f64>, extra: &[(&str, Json)]) -> Json {
    let geometry = geojson::Geometry::new(geojson::GeometryValue::from(&rounded(g)));
    let mut props = Map::new();
    for key in kind.column_names() {
        props.insert(key.to_owned(), f.get(key).to_json());
    }
    for (k, v) in extra {
        props.insert((*k).to_owned(), v.clone());
    }
    let mut obj = Map::new();
    obj.insert("type".into(), "Feature".into());
    if let Some(fid) = f.fid {
        obj.insert("id".into(), fid.into());
    }
    obj.insert("geometry".into(), serde_json::to_value(geometry).unwrap_or(Json::Null));
    obj.insert("properties".into(), Json::Object(props));
    Json::Object(obj)
}

/// The GeoJSON bytes of `features`, one feature per line (small, and readable in a diff).
/// A GCJ-02 or BD-09 export gets a `crs` member naming its system, so that importing it
/// again without `--crs` is refused instead of shifting everything by hundreds of metres.
pub(crate) fn write(kind: &LayerKind, features: &[Feature], crs: Crs) -> Result<Vec<u8>> {
    let mut out = String::from("{\"type\":\"FeatureCollection\",\n");
    if let Some(name) = crs_member_name(crs) {
        let member = json!({ "type": "name", "properties": { "name": name } });
        out.push_str(&format!("\"crs\":{member},\n"));
    }
    out.push_str("\"features\":[");
    for (i, f) in features.iter().enumerate() {
        let g = super::geometry::for_export(f, crs)?;
        let text = serde_json::to_string(&feature_json(kind, f, &g, &[]))
            .map_err(|e| Error::Invalid(format!("cannot write GeoJSON: {e}")))?;
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(&text);
    }
    out.push_str("\n]}\n");
    Ok(out.into_bytes())
}

fn crs_member_name(crs: Crs) -> Option<String> {
    match crs {
        Crs::Wgs84 | Crs::Cgcs2000 => None,
        Crs::Gcj02 => Some(format!("{WARDGIS_CRS_PREFIX}gcj02")),
        Crs::Bd09 => Some(format!("{WARDGIS_CRS_PREFIX}bd09")),
        // GeoJSON 2008's name for a projected system, as ogr2ogr writes it.
        Crs::Projected(p) => Some(format!("urn:ogc:def:crs:EPSG::{}", p.epsg())),
    }
}
