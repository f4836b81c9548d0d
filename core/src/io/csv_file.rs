//! CSV import and export.
//!
//! CSV is what the bureau's spreadsheets become. Point layers carry their position in a
//! longitude and a latitude column under any of the usual names; other layers carry a
//! `wkt` column. Line numbers in messages are the physical lines of the file (the header
//! is line 1), so a user can jump to them in an editor even when quoted values span lines.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use geo_types::{Coord, Geometry, Point};

use super::columns::{self, Target, LAT_HEADERS, LON_HEADERS, WKT_HEADERS};
use super::geometry::{fit_to_layer, lat_ok, lon_ok, round, to_storage};
use super::reading::Reading;
use super::{attributes, bad_input, clip, list_names, source, text, wkt, ImportOptions, RowError};
use crate::catalog::{GeometryType, LayerKind};
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::feature::{Feature, Value};

/// Streams a CSV file into `reading`; see [`super::import_features`].
pub(crate) fn read(path: &Path, kind: &LayerKind, opts: &ImportOptions, reading: &mut Reading) -> Result<()> {
    let crs = opts.crs.unwrap_or_default();
    let sniffed = text::sniff_file(path, opts.encoding)?;
    if sniffed.encoding != encoding_rs::UTF_8 {
        reading.warn(format!("the file is not UTF-8; read it as {}", sniffed.encoding.name()));
    }
    let input = source::open(path, sniffed.bom)?;
    let bytes_read = input.read.clone();
    let mut text = BufReader::with_capacity(1 << 16, text::Utf8Reader::new(input.stream, sniffed.encoding));
    let first = text.fill_buf().map_err(|e| Error::io(path, e))?;
    let delimiter = sniff_delimiter(first);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(LineCounter::new(text));
    let headers = reader.headers().map_err(|e| bad_input(path, format!("cannot read the header line: {e}")))?.clone();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(bad_input(path, "the file is empty; expected a header line such as 名称,经度,纬度 and one line per feature"));
    }
    let layout = Layout::new(kind, &headers).map_err(|m| bad_input(path, m))?;
    if let Some(w) = layout.unknown_warning(kind) {
        reading.warn(w);
    }
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(bad_input(path, format!("not valid CSV: {e}"))),
        }
        if record.iter().all(|v| v.trim().is_empty()) {
            continue; // Excel leaves rows of bare commas below the data.
        }
        // The csv crate's own line count drifts by one on CRLF files (Excel's), so the line is
        // found from the record's byte offset instead.
        let offset = record.position().map_or(0, |p| p.byte());
        let line = reader.get_mut().line_of(offset);
        match layout.feature(kind, &record, crs) {
            Ok(f) => reading.feature(f)?,
            Err(e) => {
                let file = reading.file.clone();
                reading.bad(Error::BadRow { file, line, field: e.field, value: e.value, expected: e.expected })
            }
        }
        reading.tick(|| bytes_read.get())?;
    }
    Ok(())
}

/// A text stream that can name the line a text editor shows for a byte offset: a line ends
/// at `\r\n`, `\n` or a lone `\r`, whichever the file uses (Excel on Windows writes `\r\n`;
/// a cell with Alt+Enter holds a bare `\n`). Offsets are asked in increasing order (record
/// by record), so only the bytes since the last record asked about are kept.
struct LineCounter<R> {
    inner: R,
    /// The bytes from offset `kept_from` on.
    kept: Vec<u8>,
    kept_from: u64,
    /// The line that `kept_from` is on.
    line: usize,
}

impl<R: Read> LineCounter<R> {
    fn new(inner: R) -> Self {
        LineCounter { inner, kept: Vec::new(), kept_from: 0, line: 1 }
    }

    /// The 1-based line of a record starting at byte `offset`. The csv crate ends a record at
    /// the `\r` of a `\r\n` and starts the next one at the `\n`; a record never begins with a
    /// line break (blank lines are skipped), so any at `offset` are stepped over first.
    fn line_of(&mut self, offset: u64) -> usize {
        let is_break = |b: &u8| matches!(b, b'\r' | b'\n');
        let mut end = offset.saturating_sub(self.kept_from) as usize;
        while self.kept.get(end).is_some_and(is_break) {
            end += 1;
        }
        let end = end.min(self.kept.len());
        let mut i = 0;
        while i < end {
            match self.kept[i] {
                b'\r' if self.kept.get(i + 1) == Some(&b'\n') => {
                    self.line += 1;
                    i += 1;
                }
                b'\r' | b'\n' => self.line += 1,
                _ => {}
            }
            i += 1;
        }
        let drained = i.min(self.kept.len());
        self.kept.drain(..drained);
        self.kept_from += drained as u64;
        self.line
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// Tab when the header line has more tabs than commas (Excel's "Unicode text" export and
/// many `.txt` files), else comma.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let first = head.split(|b| matches!(b, b'\r' | b'\n')).next().unwrap_or(b"");
    if first.iter().filter(|b| **b == b'\t').count() > first.iter().filter(|b| **b == b',').count() {
        b'\t'
    } else {
        b','
    }
}

/// Where the geometry of a row is.
#[derive(Debug, Clone, Copy)]
enum GeometryColumns {
    LonLat { lon: usize, lat: usize },
    Wkt(usize),
}

/// The meaning of each column of one file, worked out once from its header.
struct Layout {
    headers: Vec<String>,
    targets: Vec<Option<Target>>,
    geometry: GeometryColumns,
}

impl Layout {
    /// Resolves the header. `Err` explains a file that cannot be imported at all: two
    /// columns for one field, no geometry columns, or a required field with no column.
    fn new(kind: &LayerKind, headers: &csv::StringRecord) -> Result<Layout, String> {
        let headers: Vec<String> = headers.iter().map(str::to_owned).collect();
        let targets: Vec<Option<Target>> = headers.iter().map(|h| columns::resolve(kind, h, true)).collect();
        check_duplicates(kind, &headers, &targets)?;
        let geometry = geometry_columns(kind, &headers, &targets)?;
        check_required_columns(kind, &headers, &targets)?;
        Ok(Layout { headers, targets, geometry })
    }

    fn unknown_warning(&self, kind: &LayerKind) -> Option<String> {
        let unknown: Vec<String> = self
            .headers
            .iter()
            .zip(&self.targets)
            .filter(|(_, t)| t.is_none())
            .map(|(h, _)| h.trim().to_owned())
            .collect();
        (!unknown.is_empty()).then(|| columns::unknown_warning(kind, &unknown))
    }

    /// One record as a feature, or the first problem in it.
    fn feature(&self, kind: &LayerKind, record: &csv::StringRecord, crs: Crs) -> Result<Feature, RowError> {
        self.check_extra_values(record)?;
        let geometry = self.geometry(kind, record, crs)?;
        let mut f = Feature::new(geometry);
        for key in kind.column_names() {
            f.props.insert(key.to_owned(), Value::Null);
        }
        for (i, target) in self.targets.iter().enumerate() {
            let raw = record.get(i).unwrap_or("");
            let value = match target {
                Some(Target::Builtin(_)) => text_value(raw),
                Some(Target::Field(fi)) => attributes::parse_value(&kind.fields[*fi], raw)
                    .map_err(|why| RowError::new(&self.headers[i], raw, why))?,
                _ => continue,
            };
            if let Some(key) = target.and_then(|t| t.key(kind)) {
                f.props.insert(key.to_owned(), value);
            }
        }
        Ok(f)
    }

    /// Values beyond the header's columns would be silently lost; empty ones are harmless.
    fn check_extra_values(&self, record: &csv::StringRecord) -> Result<(), RowError> {
        let n = self.headers.len();
        match record.iter().skip(n).position(|v| !v.trim().is_empty()) {
            None => Ok(()),
            Some(k) => Err(RowError::new(
                format!("(column {})", n + k + 1),
                record.get(n + k).unwrap_or(""),
                format!("a value beyond the {n} columns of the header; is a comma inside a value missing its quotes?"),
            )),
        }
    }

    fn geometry(&self, kind: &LayerKind, record: &csv::StringRecord, crs: Crs) -> Result<Geometry<f64>, RowError> {
        let (column, mut g) = match self.geometry {
            GeometryColumns::LonLat { lon, lat } => (lon, Point(self.position(record, lon, lat, crs)?).into()),
            GeometryColumns::Wkt(i) => {
                let raw = record.get(i).unwrap_or("");
                (i, wkt::from_wkt(raw).map_err(|why| RowError::new(&self.headers[i], raw, why))?)
            }
        };
        g = to_storage(g, crs).map_err(|why| RowError::new(&self.headers[column], record.get(column).unwrap_or(""), why))?;
        fit_to_layer(kind.geometry, g).map_err(|why| {
            RowError::new(&self.headers[column], record.get(column).unwrap_or(""), why)
        })
    }

    /// The position in the file's system: degrees, range-checked here so the message can
    /// name the column, or projected metres (checked once converted).
    fn position(&self, record: &csv::StringRecord, lon: usize, lat: usize, crs: Crs) -> Result<Coord<f64>, RowError> {
        let (raw_x, raw_y) = (record.get(lon).unwrap_or("").trim(), record.get(lat).unwrap_or("").trim());
        if !crs.is_geographic() {
            let metres = |raw: &str, column: usize, what: &str| {
                raw.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                    RowError::new(&self.headers[column], raw, format!("expected the {what} in metres ({crs}), e.g. 40512345.67"))
                })
            };
            return Ok(Coord { x: metres(raw_x, lon, "easting (x)")?, y: metres(raw_y, lat, "northing (y)")? });
        }
        let x = degrees(raw_x, "longitude", -180.0, 180.0).map_err(|why| RowError::new(&self.headers[lon], raw_x, why))?;
        let y = degrees(raw_y, "latitude", -90.0, 90.0).map_err(|why| {
            let swapped = lat_ok(x) && lon_ok(raw_y.parse().unwrap_or(f64::NAN));
            let hint = if swapped { "; are longitude and latitude swapped?" } else { "" };
            RowError::new(&self.headers[lat], raw_y, format!("{why}{hint}"))
        })?;
        Ok(Coord { x, y })
    }
}

/// One coordinate in decimal degrees within `min..=max`.
fn degrees(raw: &str, what: &str, min: f64, max: f64) -> Result<f64, String> {
    let expected = format!("expected the {what} in decimal degrees, {min}..{max}, e.g. {}", if min < -90.0 { "119.8231" } else { "31.3562" });
    if raw.is_empty() {
        return Err(format!("is empty; {expected}"));
    }
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() && (min..=max).contains(&v) => Ok(v),
        Ok(_) => Err(format!("is out of range; {expected}")),
        Err(_) => Err(expected),
    }
}

/// A built-in text column: trimmed, empty meaning no value.
fn text_value(raw: &str) -> Value {
    let s = raw.trim();
    if s.is_empty() {
        Value::Null
    } else {
        Value::Text(s.to_owned())
    }
}

fn check_duplicates(kind: &LayerKind, headers: &[String], targets: &[Option<Target>]) -> Result<(), String> {
    for (i, t) in targets.iter().enumerate() {
        let Some(t) = t.filter(|t| *t != Target::Ignored) else { continue };
        if let Some(j) = targets[..i].iter().position(|u| *u == Some(t)) {
            let what = match t {
                Target::Lon => "the longitude".to_owned(),
                Target::Lat => "the latitude".to_owned(),
                Target::Wkt => "the WKT geometry".to_owned(),
                _ => format!("field `{}`", t.key(kind).unwrap_or("?")),
            };
            return Err(format!(
                "columns `{}` and `{}` both give {what}; remove or rename one",
                clip(headers[j].trim()),
                clip(headers[i].trim())
            ));
        }
    }
    Ok(())
}

/// Finds the geometry columns: longitude and latitude for point layers (or a `wkt` column),
/// a `wkt` column for other layers.
fn geometry_columns(kind: &LayerKind, headers: &[String], targets: &[Option<Target>]) -> Result<GeometryColumns, String> {
    let find = |t: Target| targets.iter().position(|u| *u == Some(t));
    let found = || list_names(headers, true);
    if kind.geometry == GeometryType::Point || kind.geometry == GeometryType::MultiPoint {
        match (find(Target::Lon), find(Target::Lat), find(Target::Wkt)) {
            (Some(lon), Some(lat), _) => return Ok(GeometryColumns::LonLat { lon, lat }),
            (None, None, Some(w)) => return Ok(GeometryColumns::Wkt(w)),
            (lon, lat, _) => {
                let mut missing = vec![];
                if lon.is_none() {
                    missing.push(format!("a longitude column (named one of {})", LON_HEADERS.join(", ")));
                }
                if lat.is_none() {
                    missing.push(format!("a latitude column (named one of {})", LAT_HEADERS.join(", ")));
                }
                return Err(format!("needs {}; found headers {}", missing.join(" and "), found()));
            }
        }
    }
    find(Target::Wkt).map(GeometryColumns::Wkt).ok_or_else(|| {
        format!(
            "layer `{}` holds {} geometries, so its CSV needs a WKT column named one of: {}; found headers {}",
            kind.id,
            super::geometry::type_label(kind.geometry),
            WKT_HEADERS.join(", "),
            found()
        )
    })
}

fn check_required_columns(kind: &LayerKind, headers: &[String], targets: &[Option<Target>]) -> Result<(), String> {
    let missing: Vec<String> = kind
        .fields
        .iter()
        .enumerate()
        .filter(|(i, f)| f.required && !targets.contains(&Some(Target::Field(*i))))
        .map(|(_, f)| columns::field_label(f))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "required field(s) {} have no column (by name, Chinese or English label); found headers {}",
        missing.join(", "),
        list_names(headers, true)
    ))
}

/// The CSV bytes of `features`: UTF-8 with a byte-order mark, header
/// `fid,name,source,<fields…>,lon,lat` for point layers or `…,wkt` for the others.
pub(crate) fn write(kind: &LayerKind, features: &[Feature], crs: Crs) -> Result<Vec<u8>> {
    let points = kind.geometry == GeometryType::Point;
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut header: Vec<&str> = vec!["fid"];
    header.extend(kind.column_names());
    header.extend(if points { &["lon", "lat"][..] } else { &["wkt"][..] });
    w.write_record(&header).map_err(csv_error)?;
    for f in features {
        let mut row = vec![f.fid.map(|i| i.to_string()).unwrap_or_default()];
        row.extend(kind.column_names().map(|k| f.get(k).to_text()));
        let mut g = f.geometry.clone();
        crs.geometry_from_wgs84(&mut g).map_err(|why| {
            Error::Geometry(format!("feature {}: {why}", f.fid.map_or("(unsaved)".to_owned(), |i| i.to_string())))
        })?;
        match (&g, points) {
            (Geometry::Point(p), true) => row.extend([format!("{:.7}", round(p.x())), format!("{:.7}", round(p.y()))]),
            (_, false) => row.push(wkt::to_wkt(&g)),
            (other, true) => return Err(not_a_point(kind, f, other)),
        }
        w.write_record(&row).map_err(csv_error)?;
    }
    w.into_inner().map_err(|e| Error::Invalid(format!("cannot write CSV: {e}")))
}

fn not_a_point(kind: &LayerKind, f: &Feature, g: &Geometry<f64>) -> Error {
    Error::Geometry(format!(
        "layer `{}` is a point layer but feature {} is a {}",
        kind.id,
        f.fid.map_or("(unsaved)".to_owned(), |i| i.to_string()),
        super::geometry::geometry_name(g)
    ))
}

fn csv_error(e: csv::Error) -> Error {
    Error::Invalid(format!("cannot write CSV: {e}"))
}
