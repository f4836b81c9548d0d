//! Shapefile import and export: `.shp` + `.shx` (geometry, by the `shapefile` crate), `.dbf`
//! (attributes, by `dbase`), `.cpg` (the DBF's text encoding) and `.prj` (the coordinate
//! system); on disk side by side, or in a `.zip` holding exactly one `.shp` with its parts
//! (at any folder depth).
//!
//! Text encoding on import: `--encoding` if given, else the `.cpg` (`UTF-8`, `65001`, `GBK`,
//! `936`, `CP936`, `GB2312`, `GB18030`), else the DBF header's language driver (0x4D or 0x7A:
//! code page 936, GBK), else the bytes: UTF-8 when every text value and field name is valid
//! UTF-8, else GBK. Export writes UTF-8 with a `.cpg` saying so, or GBK (`--encoding gbk`,
//! for older ArcGIS) with a `GBK` `.cpg` and language driver 0x4D.
//!
//! Field names: see [`super::dbf_names`]. Types: text and enum → C (width from the longest
//! value, at most 254 bytes; a longer value refuses the export naming the feature and
//! field), integer → N(18,0), real → N(24,15), boolean → L, date → D.
//!
//! Polygons: the crate reads rings by orientation (clockwise outer, counter-clockwise holes,
//! each hole following its outer ring, as ESRI and GDAL write them) and orients them so on
//! export; on import they are turned counter-clockwise outside, clockwise in holes (as
//! GeoJSON and the project store them). Z and M values are read and dropped. A null shape is a bad feature.

use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::path::Path;

use geo_types::Geometry;
use serde_json::Value as Json;

use super::columns::Target;
use super::dbf_names::dbf_names;
use super::geometry::single_part_if_layer_is;
use super::reading::Reading;
use super::record::{self, Keys};
use super::text::TextEncoding;
use super::{bad_input, ExportOptions, ImportOptions, RowError};
use crate::catalog::{FieldType, LayerKind};
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::feature::{Feature, Value};

trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// The parts of one Shapefile, wherever they were found.
struct Parts {
    shp: Box<dyn ReadSeek>,
    shx: Option<Box<dyn ReadSeek>>,
    dbf: Box<dyn ReadSeek>,
    cpg: Option<String>,
    prj: Option<String>,
}

/// Streams a Shapefile (or a `.zip` holding one) into `reading`; see
/// [`super::import_features`].
pub(crate) fn read(path: &Path, kind: &LayerKind, opts: &ImportOptions, reading: &mut Reading) -> Result<()> {
    let mut parts = if is_zip(path) { zip_parts(path)? } else { file_parts(path)? };
    let encoding = dbf_encoding(path, &mut parts, opts.encoding, reading)?;
    reading.found.encoding = Some(encoding.name());
    let crs = match opts.crs {
        Some(c) => c,
        None => match &parts.prj {
            None => {
                reading.warn("the Shapefile has no .prj; read its coordinates as WGS84 (name another system with --crs)");
                Crs::Wgs84
            }
            Some(text) => {
                let c = crs_of_prj(text).map_err(|m| bad_input(path, format!("its .prj: {m}")))?;
                reading.found.declared_crs = Some(c);
                if c != Crs::Wgs84 {
                    reading.warn(format!("coordinates are {c} (from the .prj)"));
                }
                c
            }
        },
    };
    let shapes = match parts.shx.take() {
        Some(shx) => ::shapefile::ShapeReader::with_shx(parts.shp, shx),
        None => ::shapefile::ShapeReader::new(parts.shp),
    }
    .map_err(|e| bad_input(path, format!("not a readable .shp: {e}")))?;
    let dbf = dbase::ReaderBuilder::new()
        .with_encoding(dbf_text(encoding))
        .build(parts.dbf)
        .map_err(|e| bad_input(path, format!("not a readable .dbf: {e}")))?;
    let names: Vec<String> = dbf.fields().iter().map(|f| f.name().to_owned()).collect();
    let total = dbf.header().num_records as u64;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut keys = Keys::with_aliases(
        dbf_names(kind)
            .into_iter()
            .filter_map(|(column, short)| column_target(kind, &column).map(|t| (short, t))),
        opts,
        reading,
    );
    // Every column is resolved up front, so a preview lists them in the file's order.
    for n in &names {
        keys.target(kind, n);
    }
    let mut reader = ::shapefile::Reader::new(shapes, dbf);
    for (i, item) in reader.iter_shapes_and_records().enumerate() {
        let index = i + 1;
        let (shape, mut rec) = item.map_err(|e| bad_input(path, format!("feature {index}: cannot be read: {e}")))?;
        let props: Vec<(&str, Json)> = names.iter().map(|n| (n.as_str(), json_of(rec.remove(n)))).collect();
        let undecodable = props.iter().find(|(_, v)| v.as_str().is_some_and(|s| s.contains('\u{FFFD}')));
        let converted = match undecodable {
            Some((k, v)) => Err(RowError::new(*k, record::shown(v), format!("has bytes that are not {}; check the .cpg or --encoding", encoding.name()))),
            None => Ok(()),
        }
        .and_then(|()| geometry_of(shape))
        .and_then(|g| {
            let g = single_part_if_layer_is(kind.geometry, g);
            record::feature(kind, g, crs, props.iter().map(|(k, v)| (*k, v)), &mut keys)
        });
        match converted {
            Ok(f) => reading.feature(f)?,
            Err(e) => {
                let file = reading.file.clone();
                reading.bad(Error::BadFeature { file, index, field: e.field, value: e.value, expected: e.expected });
            }
        }
        reading.tick(|| (size * index as u64).checked_div(total).unwrap_or(0))?;
    }
    keys.warn_unknown(kind, reading);
    Ok(())
}

/// The target of a catalog column (`name`, `source` or a field).
fn column_target(kind: &LayerKind, column: &str) -> Option<Target> {
    match column {
        "name" => Some(Target::Builtin("name")),
        "source" => Some(Target::Builtin("source")),
        _ => kind.fields.iter().position(|f| f.name == column).map(Target::Field),
    }
}

fn is_zip(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// A sibling part (`.dbf`, `.cpg` …) of a `.shp` on disk, whatever the case of its extension.
fn sibling(shp: &Path, ext: &str) -> Option<std::path::PathBuf> {
    [ext.to_owned(), ext.to_ascii_uppercase()].into_iter().map(|e| shp.with_extension(e)).find(|p| p.is_file())
}

fn file_parts(path: &Path) -> Result<Parts> {
    let open = |p: &Path| -> Result<Box<dyn ReadSeek>> {
        let f = std::fs::File::open(p).map_err(|e| Error::io(p, e))?;
        Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, f)))
    };
    let dbf = sibling(path, "dbf").ok_or_else(|| bad_input(path, "has no .dbf beside it; a Shapefile needs its .shp, .shx and .dbf"))?;
    let text = |ext: &str| -> Result<Option<String>> {
        match sibling(path, ext) {
            None => Ok(None),
            Some(p) => std::fs::read(&p).map(|b| Some(String::from_utf8_lossy(&b).into_owned())).map_err(|e| Error::io(&p, e)),
        }
    };
    Ok(Parts {
        shp: open(path)?,
        shx: sibling(path, "shx").map(|p| open(&p)).transpose()?,
        dbf: open(&dbf)?,
        cpg: text("cpg")?,
        prj: text("prj")?,
    })
}

/// The parts of the one Shapefile in a zip, read into memory.
fn zip_parts(path: &Path) -> Result<Parts> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| bad_input(path, format!("not a readable zip: {e}")))?;
    let entries: Vec<String> = zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect();
    let shps: Vec<&String> = entries
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".shp") && !n.starts_with("__MACOSX/"))
        .collect();
    let shp = match shps[..] {
        [one] => one.clone(),
        [] => return Err(bad_input(path, "holds no .shp file; expected a zipped Shapefile (.shp, .shx, .dbf …)")),
        _ => {
            let list: Vec<&str> = shps.iter().map(|s| s.as_str()).collect();
            return Err(bad_input(
                path,
                format!("holds {} Shapefiles ({}); zip one Shapefile per file, or unzip it and import the .shp", shps.len(), list.join(", ")),
            ));
        }
    };
    let stem = &shp[..shp.len() - 4];
    let mut part = |ext: &str| -> Result<Option<Vec<u8>>> {
        let Some(name) = entries.iter().find(|n| n.len() == stem.len() + 4 && n.starts_with(stem) && n[stem.len()..].eq_ignore_ascii_case(&format!(".{ext}"))) else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        zip.by_name(name)
            .and_then(|mut f| f.read_to_end(&mut bytes).map_err(Into::into))
            .map_err(|e| bad_input(path, format!("cannot read {name} from the zip: {e}")))?;
        Ok(Some(bytes))
    };
    let boxed = |b: Vec<u8>| -> Box<dyn ReadSeek> { Box::new(Cursor::new(b)) };
    let text = |b: Option<Vec<u8>>| b.map(|b| String::from_utf8_lossy(&b).into_owned());
    let shp_bytes = part("shp")?.expect("listed");
    let dbf = part("dbf")?.ok_or_else(|| bad_input(path, format!("holds {shp} but no .dbf beside it")))?;
    Ok(Parts {
        shp: boxed(shp_bytes),
        shx: part("shx")?.map(boxed),
        dbf: boxed(dbf),
        cpg: text(part("cpg")?),
        prj: text(part("prj")?),
    })
}

/// The DBF's text encoding (see the module's documentation), with a warning saying how it
/// was chosen when the file did not say.
fn dbf_encoding(path: &Path, parts: &mut Parts, forced: Option<TextEncoding>, reading: &mut Reading) -> Result<TextEncoding> {
    if let Some(e) = forced {
        return Ok(e);
    }
    if let Some(cpg) = parts.cpg.as_deref().map(|c| c.trim().trim_start_matches('\u{FEFF}')).filter(|c| !c.is_empty()) {
        let e = encoding_of_cpg(cpg)
            .ok_or_else(|| bad_input(path, format!("its .cpg names encoding `{cpg}`; wardgis reads UTF-8 and GBK (override with --encoding)")))?;
        return Ok(e);
    }
    let scan = scan_dbf(&mut parts.dbf).map_err(|e| bad_input(path, format!("not a readable .dbf: {e}")))?;
    let e = if matches!(scan.language_driver, 0x4D | 0x7A) {
        reading.warn("read the DBF as GBK (no .cpg; its header says code page 936)");
        TextEncoding::Gbk
    } else if scan.valid_utf8 {
        TextEncoding::Utf8
    } else {
        reading.warn("read the DBF as GBK (no .cpg, and its text is not UTF-8); override with --encoding");
        TextEncoding::Gbk
    };
    Ok(e)
}

/// A `.cpg`'s encoding name.
fn encoding_of_cpg(cpg: &str) -> Option<TextEncoding> {
    let c = cpg.to_ascii_lowercase().replace(['-', '_', ' '], "");
    match c.as_str() {
        "utf8" | "65001" => Some(TextEncoding::Utf8),
        "gbk" | "936" | "cp936" | "gb2312" | "gb18030" | "54936" | "ansi936" => Some(TextEncoding::Gbk),
        _ => None,
    }
}

/// What one pass over a DBF's raw bytes tells about its encoding.
struct DbfScan {
    language_driver: u8,
    /// Every field name and text value is valid UTF-8.
    valid_utf8: bool,
}

/// Reads the DBF header, field descriptors and records as bytes (dBASE III layout), then
/// rewinds. Only text (C) fields and names are checked.
fn scan_dbf(dbf: &mut Box<dyn ReadSeek>) -> std::io::Result<DbfScan> {
    let mut head = [0u8; 32];
    dbf.read_exact(&mut head)?;
    let records = u32::from_le_bytes(head[4..8].try_into().expect("4")) as usize;
    let header_len = u16::from_le_bytes([head[8], head[9]]) as usize;
    let record_len = u16::from_le_bytes([head[10], head[11]]) as usize;
    let mut descriptors = vec![0u8; header_len.saturating_sub(32)];
    dbf.read_exact(&mut descriptors)?;
    let mut valid = true;
    let mut text_fields = Vec::new(); // (offset in record, length)
    let mut offset = 1; // the deletion flag
    for d in descriptors.chunks_exact(32).take_while(|d| d[0] != 0x0D) {
        let name = d[..11].split(|&b| b == 0).next().unwrap_or(&[]);
        valid &= std::str::from_utf8(name).is_ok();
        let len = d[16] as usize;
        if d[11] == b'C' {
            text_fields.push((offset, len));
        }
        offset += len;
    }
    dbf.seek(SeekFrom::Start(header_len as u64))?;
    let mut buf = vec![0u8; record_len.max(1)];
    let mut reader = std::io::BufReader::with_capacity(1 << 16, &mut *dbf);
    for _ in 0..records {
        if !valid || reader.read_exact(&mut buf).is_err() {
            break;
        }
        for &(at, len) in &text_fields {
            if let Some(bytes) = buf.get(at..at + len) {
                valid &= std::str::from_utf8(bytes).is_ok();
            }
        }
    }
    drop(reader);
    dbf.seek(SeekFrom::Start(0))?;
    Ok(DbfScan { language_driver: head[29], valid_utf8: valid })
}

/// `dbase`'s view of one of our text encodings (it also sets the language driver written).
fn dbf_text(e: TextEncoding) -> dbase::encoding::EncodingRs {
    dbase::encoding::EncodingRs::from(e.encoding())
}

/// A DBF value as JSON, for [`record::feature`].
fn json_of(v: Option<dbase::FieldValue>) -> Json {
    use dbase::FieldValue as F;
    let number = |x: f64| {
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            Json::from(x as i64)
        } else {
            serde_json::Number::from_f64(x).map(Json::Number).unwrap_or(Json::Null)
        }
    };
    match v {
        None => Json::Null,
        Some(F::Character(s)) => s.map(Json::String).unwrap_or(Json::Null),
        Some(F::Memo(s)) => Json::String(s),
        Some(F::Numeric(x)) => x.map(number).unwrap_or(Json::Null),
        Some(F::Float(x)) => x.map(|x| number(x as f64)).unwrap_or(Json::Null),
        Some(F::Double(x) | F::Currency(x)) => number(x),
        Some(F::Integer(i)) => Json::from(i),
        Some(F::Logical(b)) => b.map(Json::Bool).unwrap_or(Json::Null),
        Some(F::Date(d)) => d.map(|d| Json::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))).unwrap_or(Json::Null),
        Some(F::DateTime(dt)) => {
            let d = dt.date();
            Json::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }
    }
}

/// A shape as a geometry; a null shape is a bad feature.
fn geometry_of(shape: ::shapefile::Shape) -> Result<Geometry<f64>, RowError> {
    let name = shape.shapetype().to_string();
    if matches!(shape, ::shapefile::Shape::NullShape) {
        return Err(RowError::new("geometry", "null", "has no geometry (a null shape); expected a geometry"));
    }
    let g = Geometry::<f64>::try_from(shape).map_err(|e| RowError::new("geometry", name, format!("cannot be read: {e}")))?;
    // Shapefile rings run clockwise; store them as GeoJSON and GeoPackage writers do
    // (exteriors counter-clockwise, holes clockwise), so a round trip changes nothing.
    use geo::orient::{Direction, Orient};
    Ok(match g {
        Geometry::MultiPolygon(m) => Geometry::MultiPolygon(m.orient(Direction::Default)),
        other => other,
    })
}

/// The coordinate system a `.prj` names (ESRI or OGC WKT1, or WKT2).
fn crs_of_prj(text: &str) -> Result<Crs, String> {
    Crs::from_prj(text)
}

/// The `.prj` text for `crs`: ESRI WKT1.
fn prj_of(crs: Crs) -> Result<String> {
    crs.to_prj().ok_or_else(|| {
        Error::Invalid(format!("a Shapefile's .prj cannot name {crs}; export as WGS84 (and convert later), or to GeoJSON or CSV"))
    })
}

/// Writes `features` as a Shapefile at `path` (its `.shp`, `.shx`, `.dbf`, `.prj`, `.cpg`
/// beside it), or as a zip of those parts when `path` ends in `.zip`.
pub(crate) fn write(path: &Path, kind: &LayerKind, features: &[Feature], opts: &ExportOptions) -> Result<()> {
    let encoding = opts.encoding.unwrap_or(TextEncoding::Utf8);
    let prj = prj_of(opts.crs)?;
    let names = dbf_names(kind);
    let text = dbf_text(encoding);
    // Text widths from the longest value, in the encoding's bytes.
    let mut builder = dbase::TableWriterBuilder::with_encoding(text);
    for (column, short) in &names {
        let field_name = dbase::FieldName::try_from(short.as_str())
            .map_err(|_| Error::Invalid(format!("DBF field name `{short}` is too long")))?;
        let ty = kind.field(column).map(|f| f.ty).unwrap_or(FieldType::Text);
        builder = match ty {
            FieldType::Text | FieldType::Enum => builder.add_character_field(field_name, text_width(kind, column, features, encoding)?),
            FieldType::Integer => builder.add_numeric_field(field_name, 18, 0),
            FieldType::Real => builder.add_numeric_field(field_name, 24, 15),
            FieldType::Boolean => builder.add_logical_field(field_name),
            FieldType::Date => builder.add_date_field(field_name),
        };
    }
    let mut shp = Cursor::new(Vec::new());
    let mut shx = Cursor::new(Vec::new());
    let mut dbf = Cursor::new(Vec::new());
    {
        let mut shapes = ::shapefile::ShapeWriter::with_shx(&mut shp, &mut shx);
        let mut table = builder.build_with_dest(&mut dbf);
        for (i, f) in features.iter().enumerate() {
            let mut g = f.geometry.clone();
            opts.crs.geometry_from_wgs84(&mut g).map_err(|e| Error::Invalid(format!("feature {}: {e}", i + 1)))?;
            write_shape(&mut shapes, g).map_err(|e| Error::Invalid(format!("feature {}: cannot write the .shp: {e}", i + 1)))?;
            let mut rec = dbase::Record::default();
            for (column, short) in &names {
                let ty = kind.field(column).map(|f| f.ty).unwrap_or(FieldType::Text);
                rec.insert(short.clone(), field_value(ty, f.get(column)));
            }
            table.write_record(&rec).map_err(|e| Error::Invalid(format!("feature {}: cannot write the .dbf: {e}", i + 1)))?;
        }
        shapes.finalize().map_err(|e| Error::Invalid(format!("cannot write the .shp: {e}")))?;
        table.finalize().map_err(|e| Error::Invalid(format!("cannot write the .dbf: {e}")))?;
    }
    let mut dbf = dbf.into_inner();
    if dbf.len() > 29 {
        // The language driver: 0x4D is ArcGIS's for code page 936; GDAL writes 0 with UTF-8.
        dbf[29] = if encoding == TextEncoding::Gbk { 0x4D } else { 0 };
    }
    let parts: [(&str, Vec<u8>); 5] = [
        ("shp", shp.into_inner()),
        ("shx", shx.into_inner()),
        ("dbf", dbf),
        ("prj", prj.into_bytes()),
        ("cpg", encoding.name().as_bytes().to_vec()),
    ];
    if is_zip(path) {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or(&kind.id).to_owned();
        let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default();
        for (ext, bytes) in &parts {
            zip.start_file(format!("{stem}.{ext}"), options).map_err(|e| Error::Invalid(format!("cannot write the zip: {e}")))?;
            zip.write_all(bytes).map_err(|e| Error::io(path, e))?;
        }
        zip.finish().map_err(|e| Error::Invalid(format!("cannot write the zip: {e}")))?;
        return Ok(());
    }
    for (ext, bytes) in &parts {
        let p = path.with_extension(ext);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))?;
    }
    Ok(())
}

/// Writes one geometry as the shape type a Shapefile has for it (2D).
fn write_shape<W: Write + Seek>(shapes: &mut ::shapefile::ShapeWriter<W>, g: Geometry<f64>) -> std::result::Result<(), String> {
    use ::shapefile::Shape;
    let e = |e: ::shapefile::Error| e.to_string();
    match Shape::try_from(g).map_err(str::to_owned)? {
        Shape::Point(p) => shapes.write_shape(&p).map_err(e),
        Shape::Multipoint(m) => shapes.write_shape(&m).map_err(e),
        Shape::Polyline(l) => shapes.write_shape(&l).map_err(e),
        Shape::Polygon(p) => shapes.write_shape(&p).map_err(e),
        other => Err(format!("cannot write a {} shape", other.shapetype())),
    }
}

/// The width of a text column: its longest value in `encoding`'s bytes (at least 1); a value
/// over 254 bytes refuses the export, naming the feature and field.
fn text_width(kind: &LayerKind, column: &str, features: &[Feature], encoding: TextEncoding) -> Result<u8> {
    let mut width = 1;
    for (i, f) in features.iter().enumerate() {
        if let Value::Text(s) | Value::Date(s) = f.get(column) {
            let (bytes, _, unmappable) = encoding.encoding().encode(s);
            let who = f.fid.map(|fid| format!("fid {fid}")).unwrap_or_else(|| format!("feature {}", i + 1));
            if unmappable {
                return Err(Error::Invalid(format!(
                    "layer `{}` {who}: `{column}` value `{s}` has characters that {} cannot hold; export with --encoding utf-8",
                    kind.id,
                    encoding.name()
                )));
            }
            if bytes.len() > 254 {
                return Err(Error::Invalid(format!(
                    "layer `{}` {who}: `{column}` is {} bytes in {}, longer than a Shapefile's 254; export to GeoPackage, GeoJSON or CSV instead",
                    kind.id,
                    bytes.len(),
                    encoding.name()
                )));
            }
            width = width.max(bytes.len());
        }
    }
    Ok(width as u8)
}

fn field_value(ty: FieldType, v: &Value) -> dbase::FieldValue {
    use dbase::FieldValue as F;
    match (ty, v) {
        (FieldType::Integer | FieldType::Real, Value::Integer(i)) => F::Numeric(Some(*i as f64)),
        (FieldType::Integer | FieldType::Real, Value::Real(r)) => F::Numeric(Some(*r)),
        (FieldType::Integer | FieldType::Real, _) => F::Numeric(None),
        (FieldType::Boolean, Value::Boolean(b)) => F::Logical(Some(*b)),
        (FieldType::Boolean, _) => F::Logical(None),
        (FieldType::Date, Value::Date(d) | Value::Text(d)) => F::Date(date_of(d)),
        (FieldType::Date, _) => F::Date(None),
        (_, Value::Null) => F::Character(None),
        (_, Value::Text(s) | Value::Date(s)) => F::Character(Some(s.clone())),
        (_, Value::Integer(i)) => F::Character(Some(i.to_string())),
        (_, Value::Real(r)) => F::Character(Some(r.to_string())),
        (_, Value::Boolean(b)) => F::Character(Some(b.to_string())),
    }
}

fn date_of(s: &str) -> Option<dbase::Date> {
    let mut it = s.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (y, m, d) = (it.next()??, it.next()??, it.next()??);
    dbase::Date::new(d, m, y).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpg_names() {
        for c in ["UTF-8", "utf8", "65001"] {
            assert_eq!(encoding_of_cpg(c), Some(TextEncoding::Utf8), "{c}");
        }
        for c in ["GBK", "936", "CP936", "gb2312", "ANSI 936"] {
            assert_eq!(encoding_of_cpg(c), Some(TextEncoding::Gbk), "{c}");
        }
        assert_eq!(encoding_of_cpg("8859-1"), None);
    }

    fn kind(id: &str) -> LayerKind {
        crate::io::tests::catalog().kind(id).unwrap().clone()
    }

    fn school(name: &str, g: Geometry<f64>) -> Feature {
        let mut f = Feature::new(g);
        f.props.insert("name".into(), Value::Text(name.into()));
        f.props.insert("level".into(), Value::Text("primary".into()));
        f
    }

    #[test]
    fn a_polygon_with_a_hole_round_trips_oriented_as_stored() {
        use geo_types::polygon;
        let p = polygon!(
            exterior: [(x: 119.80, y: 31.30), (x: 119.81, y: 31.30), (x: 119.81, y: 31.31), (x: 119.80, y: 31.31), (x: 119.80, y: 31.30)],
            interiors: [[(x: 119.802, y: 31.302), (x: 119.802, y: 31.304), (x: 119.804, y: 31.304), (x: 119.804, y: 31.302), (x: 119.802, y: 31.302)]],
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.shp");
        let k = kind("schools");
        let f = school("实验小学", p.clone().into());
        crate::io::write_features(&path, &k, &[f], &ExportOptions::default()).unwrap();
        let back = crate::io::read_features(&path, &k, &ImportOptions::default()).unwrap();
        assert_eq!(back.features[0].geometry, Geometry::Polygon(p));
        assert_eq!(back.features[0].name(), Some("实验小学"));
    }

    #[test]
    fn gbk_without_cpg_or_language_driver_is_found_from_the_bytes() {
        use geo_types::point;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.shp");
        let k = kind("chargers");
        let mut f = Feature::new(point!(x: 119.82, y: 31.36));
        f.props.insert("name".into(), Value::Text("人民路充电站".into()));
        f.props.insert("vehicle_type".into(), Value::Text("car".into()));
        f.props.insert("ports".into(), Value::Integer(4));
        let opts = ExportOptions { encoding: Some(TextEncoding::Gbk), ..Default::default() };
        crate::io::write_features(&path, &k, &[f], &opts).unwrap();
        std::fs::remove_file(path.with_extension("cpg")).unwrap();
        let mut dbf = std::fs::read(path.with_extension("dbf")).unwrap();
        dbf[29] = 0;
        std::fs::write(path.with_extension("dbf"), dbf).unwrap();
        let back = crate::io::read_features(&path, &k, &ImportOptions::default()).unwrap();
        assert_eq!(back.features[0].name(), Some("人民路充电站"));
        assert!(back.warnings.iter().any(|w| w.contains("GBK")), "{:?}", back.warnings);
    }

    #[test]
    fn text_longer_than_a_dbf_holds_refuses_the_export_naming_it() {
        use geo_types::point;
        let dir = tempfile::tempdir().unwrap();
        let mut f = school(&"长".repeat(100), point!(x: 119.82, y: 31.36).into());
        f.fid = Some(7);
        let e = crate::io::write_features(&dir.path().join("s.shp"), &kind("chargers"), &[f], &ExportOptions::default()).unwrap_err();
        assert!(e.to_string().contains("fid 7") && e.to_string().contains("`name` is 300 bytes"), "{e}");
        assert!(!dir.path().join("s.shp").exists());
    }

    #[test]
    fn prj_names_the_system() {
        for c in [Crs::Wgs84, Crs::Cgcs2000, "EPSG:4549".parse().unwrap(), "EPSG:3857".parse().unwrap()] {
            assert_eq!(crs_of_prj(&prj_of(c).unwrap()), Ok(c), "{c}");
        }
        assert!(prj_of(Crs::Gcj02).is_err());
    }
}
