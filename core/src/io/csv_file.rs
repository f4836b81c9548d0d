//! CSV import and export.
//!
//! CSV is what the bureau's spreadsheets become. Point layers carry their position in a
//! longitude and a latitude column under any of the usual names; other layers carry a
//! `wkt` column. Line numbers in messages are the physical lines of the file (the header
//! is line 1), so a user can jump to them in an editor even when quoted values span lines.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use geo_types::Geometry;

use super::geometry::round;
use super::reading::Reading;
use super::table::Layout;
use super::{bad_input, source, text, wkt, ImportOptions, TextEncoding};
use crate::catalog::{GeometryType, LayerKind};
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::feature::Feature;

/// Streams a CSV file into `reading`; see [`super::import_features`].
pub(crate) fn read(path: &Path, kind: &LayerKind, opts: &ImportOptions, reading: &mut Reading) -> Result<()> {
    let crs = opts.crs.unwrap_or_default();
    let sniffed = text::sniff_file(path, opts.encoding)?;
    reading.found.encoding = Some(sniffed.encoding.name());
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
    let layout = Layout::new(kind, headers.iter().map(str::to_owned).collect(), opts, reading).map_err(|m| bad_input(path, m))?;
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
        reading.found.note_position(layout.raw_position(&record));
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

/// The CSV bytes of `features`, header `fid,name,source,<fields…>,lon,lat` for point layers or
/// `…,wkt` for the others: UTF-8 with a byte-order mark (what Excel's "CSV UTF-8" is), or GBK
/// for older Excel on Chinese Windows, which opens a GBK CSV by double-click. Text GBK cannot
/// hold refuses the export, naming the feature, rather than writing `?` in its place.
pub(crate) fn write(kind: &LayerKind, features: &[Feature], crs: Crs, encoding: Option<TextEncoding>) -> Result<Vec<u8>> {
    let bytes = write_utf8(kind, features, crs)?;
    if encoding != Some(TextEncoding::Gbk) {
        return Ok([&b"\xEF\xBB\xBF"[..], &bytes].concat());
    }
    let text = std::str::from_utf8(&bytes).expect("the csv writer writes the UTF-8 it is given");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    if unmappable {
        let (i, f) = features
            .iter()
            .enumerate()
            .find(|(_, f)| kind.column_names().any(|k| encoding_rs::GBK.encode(&f.get(k).to_text()).2))
            .expect("some feature holds the unmappable text");
        let which = f.fid.map_or(format!("feature {}", i + 1), |fid| format!("feature {fid}"));
        return Err(Error::Invalid(format!(
            "{which} holds text GBK cannot write (a character outside GBK); export as UTF-8 instead"
        )));
    }
    Ok(gbk.into_owned())
}

fn write_utf8(kind: &LayerKind, features: &[Feature], crs: Crs) -> Result<Vec<u8>> {
    let points = kind.geometry == GeometryType::Point;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = vec!["fid"];
    header.extend(kind.column_names());
    header.extend(if points { &["lon", "lat"][..] } else { &["wkt"][..] });
    w.write_record(&header).map_err(csv_error)?;
    for f in features {
        let mut row = vec![f.fid.map(|i| i.to_string()).unwrap_or_default()];
        row.extend(kind.column_names().map(|k| f.get(k).to_text()));
        let g = super::geometry::for_export(f, crs)?;
        match (&g, points) {
            (Geometry::Point(p), true) => row.extend([format!("{:.7}", round(p.x())), format!("{:.7}", round(p.y()))]),
            (_, false) => row.push(wkt::to_wkt(&g)),
            (other, true) => return Err(not_a_point(kind, f, other)),
        }
        w.write_record(&row).map_err(csv_error)?;
    }
    w.into_inner().map_err(|e| Error::Invalid(format!("cannot write CSV: {e}")))
}

pub(crate) fn not_a_point(kind: &LayerKind, f: &Feature, g: &Geometry<f64>) -> Error {
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
