//! KML and KMZ import and export (OGC KML 2.2), as Google Earth, 奥维互动地图 and GDAL write it.
//!
//! Each Placemark, at any depth of Documents and Folders, is one feature: its `name` is the
//! feature's name, its `ExtendedData` — `<Data name="…"><value>…</value></Data>` and
//! `<SchemaData><SimpleData name="…">` — fills the fields whose name or label it carries (as
//! CSV headers do), a `description` fills a field that answers to `description`, else it is
//! reported as ignored. Geometry is a Point, LineString, Polygon (with holes) or a
//! MultiGeometry of them; coordinates are `lon,lat[,alt]` (altitude dropped). Styles,
//! overlays and everything else are skipped. KML is WGS84 by definition, but files from
//! Chinese map apps are often GCJ-02, so `--crs` is honoured.
//!
//! The file is streamed (one placemark at a time, through quick-xml); a KMZ is a zip whose
//! `doc.kml` (or first `.kml`) is streamed out of the archive. Bad placemarks are reported by
//! their 1-based position in the file, with their name.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use geo_types::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};

use super::record::{self, Keys};
use super::geometry::{geometry_name, round, type_label};
use super::reading::Reading;
use super::{bad_input, ImportOptions, RowError};
use crate::catalog::LayerKind;
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::feature::Feature;
use serde_json::Value as Json;

/// Streams a `.kml` file, or the KML inside a `.kmz`, into `reading`.
pub(crate) fn read(path: &Path, kind: &LayerKind, opts: &ImportOptions, reading: &mut Reading, kmz: bool) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if !kmz {
        return parse(path, BufReader::with_capacity(1 << 16, file), (size, size), kind, opts, reading);
    }
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| bad_input(path, format!("not a KMZ (zip) file: {e}")))?;
    let names: Vec<String> = zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect();
    let kml = names
        .iter()
        .find(|n| n.eq_ignore_ascii_case("doc.kml"))
        .or_else(|| names.iter().find(|n| n.to_ascii_lowercase().ends_with(".kml")))
        .cloned()
        .ok_or_else(|| bad_input(path, "the KMZ holds no .kml file (expected doc.kml)"))?;
    let entry = zip.by_name(&kml).map_err(|e| bad_input(path, format!("cannot read `{kml}` in the KMZ: {e}")))?;
    let unpacked = entry.size().max(1);
    parse(path, BufReader::with_capacity(1 << 16, entry), (size, unpacked), kind, opts, reading)
}

/// What has been read of the placemark being read.
#[derive(Default)]
struct Placemark {
    name: Option<String>,
    description: Option<String>,
    /// `(name, value)` of each `Data` and `SimpleData`, in file order.
    data: Vec<(String, String)>,
    parts: Vec<Geometry<f64>>,
    /// The rings of the polygon being read: outer, then inner.
    outer: Option<LineString<f64>>,
    inner: Vec<LineString<f64>>,
    /// The first geometry problem.
    bad: Option<RowError>,
}

/// Parses KML from `input`; `(size, unpacked)` turn a position in the KML into bytes of the
/// file (they differ in a KMZ, whose KML is packed).
fn parse(path: &Path, input: impl BufRead, (size, unpacked): (u64, u64), kind: &LayerKind, opts: &ImportOptions, reading: &mut Reading) -> Result<()> {
    let crs = opts.crs.unwrap_or_default();
    let mut xml = quick_xml::Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut placemark: Option<Placemark> = None;
    let mut data_name = String::new();
    let mut index = 0usize;
    let mut keys = Keys::new(opts, reading);
    let mut seen_kml = false;
    let mut ignored_descriptions = 0usize;
    loop {
        let event = xml.read_event_into(&mut buf).map_err(|e| {
            bad_input(path, format!("not valid KML (XML): {} near byte {}", super::clip(&e.to_string()), xml.error_position()))
        })?;
        let (start, end): (Option<BytesStart>, bool) = match event {
            Event::Start(e) => (Some(e.into_owned()), false),
            Event::Empty(e) => (Some(e.into_owned()), true),
            Event::End(_) => (None, true),
            Event::Text(t) => {
                text.push_str(&t.xml10_content());
                (None, false)
            }
            Event::CData(t) => {
                text.push_str(&t.xml10_content());
                (None, false)
            }
            Event::GeneralRef(r) => {
                match r.resolve_char_ref() {
                    Ok(Some(c)) => text.push(c),
                    _ => match resolve_predefined_entity(&r) {
                        Some(s) => text.push_str(s),
                        None => text.push_str(&format!("&{};", &*r)),
                    },
                }
                (None, false)
            }
            Event::Eof => break,
            _ => (None, false),
        };
        if let Some(e) = &start {
            let name = local(e.name().as_ref());
            seen_kml |= name == "kml";
            match name.as_str() {
                "Placemark" => {
                    placemark = Some(Placemark::default());
                    index += 1;
                }
                "Data" | "SimpleData" => {
                    data_name = e
                        .try_get_attribute("name")
                        .ok()
                        .flatten()
                        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
                        .unwrap_or_default();
                }
                _ => {}
            }
            stack.push(name);
            text.clear();
        }
        if !end {
            continue;
        }
        let Some(name) = stack.pop() else { continue };
        let parent = stack.last().map(String::as_str).unwrap_or("");
        let value = std::mem::take(&mut text);
        if name == "Placemark" {
            let Some(pm) = placemark.take() else { continue };
            let pm_name = pm.name.clone();
            if pm.description.as_deref().is_some_and(|d| !d.trim().is_empty()) && super::columns::resolve(kind, "description", false).is_none() {
                ignored_descriptions += 1;
            }
            match feature(kind, pm, crs, &mut keys) {
                Ok(f) => reading.feature(f)?,
                Err(e) => {
                    let of = pm_name.map(|n| format!(" (placemark `{n}`)")).unwrap_or_default();
                    let file = reading.file.clone();
                    reading.bad(Error::BadFeature { file, index, field: e.field, value: e.value, expected: format!("{}{of}", e.expected) });
                }
            }
            let pos = xml.buffer_position();
            reading.tick(|| pos.saturating_mul(size) / unpacked.max(1))?;
            continue;
        }
        let Some(pm) = placemark.as_mut() else { continue };
        match (name.as_str(), parent) {
            ("name", "Placemark") => pm.name = Some(value.trim().to_owned()),
            ("description", "Placemark") => pm.description = Some(value.trim().to_owned()),
            ("value", "Data") => pm.data.push((data_name.clone(), value)),
            ("SimpleData", _) => pm.data.push((data_name.clone(), value)),
            ("coordinates", shape) => match coordinates(&value) {
                Err(why) => {
                    pm.bad.get_or_insert(RowError::new(format!("{shape} coordinates"), shorten(&value), why));
                }
                Ok(coords) => match shape {
                    "Point" if coords.len() == 1 => pm.parts.push(Point(coords[0]).into()),
                    "Point" => {
                        pm.bad.get_or_insert(RowError::new("Point coordinates", shorten(&value), "expected one position lon,lat"));
                    }
                    "LineString" => pm.parts.push(LineString(coords).into()),
                    "LinearRing" if stack.iter().rev().nth(1).is_some_and(|g| g == "innerBoundaryIs") => pm.inner.push(LineString(coords)),
                    "LinearRing" => pm.outer = Some(LineString(coords)),
                    _ => {}
                },
            },
            ("Polygon", _) => match pm.outer.take() {
                Some(outer) => pm.parts.push(Polygon::new(outer, std::mem::take(&mut pm.inner)).into()),
                None => {
                    pm.bad.get_or_insert(RowError::new("Polygon", "", "has no outerBoundaryIs ring"));
                }
            },
            _ => {}
        }
    }
    if !seen_kml {
        return Err(bad_input(path, "not KML: expected a <kml> document of Placemarks"));
    }
    keys.warn_unknown(kind, reading);
    if ignored_descriptions > 0 {
        reading.warn(format!(
            "the description of {ignored_descriptions} placemark(s) was not imported: layer `{}` has no description field",
            kind.id
        ));
    }
    if index == 0 {
        reading.warn("the file has no Placemark");
    }
    Ok(())
}

/// An element's name without its namespace prefix (`kml:Placemark`, `gx:Track`).
fn local(qname: &str) -> String {
    qname.rsplit(':').next().unwrap_or("").to_owned()
}

/// A long coordinates text cut for a message.
fn shorten(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// KML coordinates: tuples `lon,lat[,alt]` separated by white space.
fn coordinates(text: &str) -> Result<Vec<Coord<f64>>, String> {
    let mut out = Vec::new();
    for tuple in text.split_whitespace() {
        let mut parts = tuple.split(',').map(|p| p.trim().parse::<f64>());
        match (parts.next(), parts.next()) {
            (Some(Ok(x)), Some(Ok(y))) => out.push(Coord { x, y }),
            _ => return Err(format!("`{tuple}` is not a position; expected lon,lat or lon,lat,alt separated by spaces")),
        }
    }
    if out.is_empty() {
        return Err("is empty; expected lon,lat positions".into());
    }
    Ok(out)
}

/// One placemark as a feature, or the first problem in it: its ExtendedData values, its
/// description (where the layer has such a field) and its name, as text, through the same
/// record path as GeoJSON properties.
fn feature(kind: &LayerKind, pm: Placemark, crs: Crs, keys: &mut Keys) -> Result<Feature, RowError> {
    if let Some(e) = pm.bad {
        return Err(e);
    }
    let expected = || format!("expected a {} geometry", type_label(kind.geometry));
    let g = combine(pm.parts).ok_or_else(|| RowError::new("geometry", "(none)", format!("the placemark has no Point, LineString or Polygon; {}", expected())))?;
    let described = pm.description.map(|d| ("description".to_owned(), d)).filter(|_| super::columns::resolve(kind, "description", false).is_some());
    let named = pm.name.filter(|n| !n.is_empty()).map(|n| ("name".to_owned(), n));
    let values: Vec<(String, Json)> = pm.data.into_iter().chain(described).chain(named).map(|(k, v)| (k, Json::String(v))).collect();
    record::feature(kind, g, crs, values.iter().map(|(k, v)| (k.as_str(), v)), keys)
}

/// The parts of a placemark as one geometry: a part alone, parts of one type as a multi,
/// mixed parts as a collection (which no layer takes).
fn combine(parts: Vec<Geometry<f64>>) -> Option<Geometry<f64>> {
    if parts.len() <= 1 {
        return parts.into_iter().next();
    }
    let all = |f: fn(&Geometry<f64>) -> bool| parts.iter().all(f);
    Some(if all(|g| matches!(g, Geometry::Point(_))) {
        MultiPoint(parts.into_iter().filter_map(|g| Point::try_from(g).ok()).collect()).into()
    } else if all(|g| matches!(g, Geometry::LineString(_))) {
        MultiLineString(parts.into_iter().filter_map(|g| LineString::try_from(g).ok()).collect()).into()
    } else if all(|g| matches!(g, Geometry::Polygon(_))) {
        MultiPolygon(parts.into_iter().filter_map(|g| Polygon::try_from(g).ok()).collect()).into()
    } else {
        Geometry::GeometryCollection(geo_types::GeometryCollection(parts))
    })
}

/// The KML text of `features`: a Document named after the layer with one Placemark per
/// feature — its name, an `ExtendedData` `Data` for every other catalog column (dates
/// `YYYY-MM-DD`, empty when the feature has no value) and its geometry, coordinates rounded
/// to 7 decimals.
pub(crate) fn write_kml(kind: &LayerKind, features: &[Feature], crs: Crs) -> Result<Vec<u8>> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n");
    out.push_str(&format!("<name>{}</name>\n", escape(kind.name_zh.as_str())));
    for f in features {
        match f.fid {
            Some(fid) => out.push_str(&format!("<Placemark id=\"{}.{fid}\">\n", escape(kind.id.as_str()))),
            None => out.push_str("<Placemark>\n"),
        }
        if let Some(n) = f.name() {
            out.push_str(&format!("<name>{}</name>\n", escape(n)));
        }
        out.push_str("<ExtendedData>\n");
        for key in kind.column_names().filter(|k| *k != "name") {
            let v = f.get(key).to_text();
            out.push_str(&format!("<Data name=\"{}\"><value>{}</value></Data>\n", escape(key), escape(v.as_str())));
        }
        out.push_str("</ExtendedData>\n");
        let g = super::geometry::for_export(f, crs)?;
        write_geometry(&mut out, &g)?;
        out.push_str("</Placemark>\n");
    }
    out.push_str("</Document>\n</kml>\n");
    Ok(out.into_bytes())
}

/// A KMZ: the KML of [`write_kml`] as `doc.kml` in a zip.
pub(crate) fn write_kmz(kind: &LayerKind, features: &[Feature], crs: Crs) -> Result<Vec<u8>> {
    let kml = write_kml(kind, features, crs)?;
    let zip_error = |e: &dyn std::fmt::Display| Error::Invalid(format!("cannot write the KMZ: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("doc.kml", options).map_err(|e| zip_error(&e))?;
    zip.write_all(&kml).map_err(|e| zip_error(&e))?;
    Ok(zip.finish().map_err(|e| zip_error(&e))?.into_inner())
}

fn write_geometry(out: &mut String, g: &Geometry<f64>) -> Result<()> {
    let coords = |out: &mut String, line: &LineString<f64>| {
        out.push_str("<coordinates>");
        for (i, c) in line.0.iter().enumerate() {
            out.push_str(&format!("{}{:.7},{:.7}", if i == 0 { "" } else { " " }, round(c.x), round(c.y)));
        }
        out.push_str("</coordinates>");
    };
    match g {
        Geometry::Point(p) => {
            out.push_str("<Point>");
            coords(out, &LineString(vec![p.0]));
            out.push_str("</Point>\n");
        }
        Geometry::LineString(l) => {
            out.push_str("<LineString>");
            coords(out, l);
            out.push_str("</LineString>\n");
        }
        Geometry::Polygon(p) => {
            out.push_str("<Polygon><outerBoundaryIs><LinearRing>");
            coords(out, p.exterior());
            out.push_str("</LinearRing></outerBoundaryIs>");
            for ring in p.interiors() {
                out.push_str("<innerBoundaryIs><LinearRing>");
                coords(out, ring);
                out.push_str("</LinearRing></innerBoundaryIs>");
            }
            out.push_str("</Polygon>\n");
        }
        Geometry::MultiPoint(m) => multi(out, m.0.iter().map(|p| Geometry::Point(*p)))?,
        Geometry::MultiLineString(m) => multi(out, m.0.iter().cloned().map(Geometry::LineString))?,
        Geometry::MultiPolygon(m) => multi(out, m.0.iter().cloned().map(Geometry::Polygon))?,
        Geometry::GeometryCollection(c) => multi(out, c.0.iter().cloned())?,
        other => return Err(Error::Geometry(format!("a {} cannot be written to KML", geometry_name(other)))),
    }
    Ok(())
}

fn multi(out: &mut String, parts: impl Iterator<Item = Geometry<f64>>) -> Result<()> {
    out.push_str("<MultiGeometry>\n");
    for g in parts {
        write_geometry(out, &g)?;
    }
    out.push_str("</MultiGeometry>\n");
    Ok(())
}
