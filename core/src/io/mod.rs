//! GeoJSON, CSV, XLSX, KML/KMZ, Shapefile and GeoPackage import and export, checked against
//! the layer catalog.
//!
//! Import is how the bureau's existing spreadsheets and survey files get into a project, so
//! it must (1) read what Excel and WPS actually write — GBK or UTF-8, Chinese headers,
//! `是/否`, `2022/3/5`, enum labels instead of codes, GCJ-02 or BD-09 coordinates copied
//! from Amap or Baidu — and (2) refuse a file that does not fit the catalog with messages
//! that name the file, the line (or feature), the column as written, the value and what
//! would be accepted, all bad rows at once, so a user can fix them in one pass.
//!
//! Import is all-or-nothing unless the caller asks to skip bad rows: a half-imported file
//! is harder to clean up than a refused one.
//!
//! Storage is WGS84; `crs` arguments say what the file is in, and conversion happens here.
//!
//! Files: `attributes` parses one value against a field, `columns` maps headers to fields,
//! `table` turns a table's header and rows into features (CSV and XLSX share it), `record`
//! turns a typed record (GeoJSON properties, a DBF record, a GeoPackage row) into a feature,
//! `text` decodes bytes, `csv_file`, `geojson_file`, `xlsx_file`, `kml_file`, `shapefile`
//! (with `dbf_names`) and `gpkg_file` read and write the formats, `wkt` reads and writes the
//! `wkt` column of tables of non-point layers.

mod attributes;
mod columns;
mod csv_file;
mod dbf_names;
mod geojson_file;
mod geometry;
mod gpkg_file;
mod kml_file;
mod mapping;
mod preview;
mod reading;
mod record;
mod report;
mod shapefile;
mod source;
mod table;
mod text;
pub(crate) mod wkt;
mod xlsx_file;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod preview_tests;
#[cfg(test)]
mod xlsx_kml_tests;

use std::path::Path;

use crate::catalog::LayerKind;
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::feature::Feature;

pub use attributes::{parse_json_value, parse_value};
pub(crate) use geometry::check_lon_lat;
pub use geojson_file::{feature_collection, feature_to_geojson};
pub use geometry::geometry_name;
pub use mapping::ColumnChoice;
pub use preview::{preview, CrsEvidence, DetectedCrs, Preview, SourceColumn};
pub use report::{bad_entries, bad_total, write_error_report, BadEntry};
pub use reading::{ImportObserver, ImportSummary, Unobserved, BATCH, MAX_REPORTED};
pub use text::TextEncoding;

/// How to read a file.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The coordinate system of the file; `None` takes what the file declares (a `.prj`, a
    /// GeoPackage's SRS, a GeoJSON `crs` member), else WGS84.
    pub crs: Option<Crs>,
    /// The text encoding, for files whose bytes do not say (a Shapefile without `.cpg`, a
    /// CSV); `None` detects UTF-8 or GBK from the bytes.
    pub encoding: Option<TextEncoding>,
    /// The spreadsheet's sheet; `None` takes the first.
    pub sheet: Option<String>,
    /// The feature table of a GeoPackage to read; `None` takes its only one (and refuses,
    /// listing them, when it has several).
    pub source_layer: Option<String>,
    /// Import the good rows and return the bad ones instead of importing nothing.
    pub skip_bad: bool,
    /// What the user says source columns (table headers, property or DBF field names, as
    /// written, compared trimmed) fill, overriding the matching by name for those columns.
    /// A mapping to a field the layer does not have is refused before reading.
    pub columns: Vec<(String, ColumnChoice)>,
}

/// How to write a file.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// The coordinate system to write.
    pub crs: Crs,
    /// The text encoding of formats that let the writer choose (a Shapefile's DBF); `None`
    /// writes UTF-8.
    pub encoding: Option<TextEncoding>,
}

/// What [`read_features`] read.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// The features that fit the catalog, geometry in WGS84, `fid` unset.
    pub features: Vec<Feature>,
    /// The bad rows left out because `skip_bad` was set, up to [`MAX_REPORTED`]; see
    /// [`ImportSummary::skipped`].
    pub skipped: Vec<Error>,
    /// Things the user should know that did not stop the import.
    pub warnings: Vec<String>,
}

/// Streams a file of any supported format (chosen by extension) into `sink`, batch by batch
/// ([`BATCH`] features), checking every attribute against `kind` and converting coordinates
/// to WGS84. The file is never held whole, so its size is bounded by the disk, not memory.
///
/// Without `skip_bad`, any bad row makes the import fail with [`Error::BadRows`] listing the
/// bad rows (or the single bad row's error when there is only one), after reading the whole
/// file so that every bad row is reported; the sink may by then have received good batches,
/// which the caller must roll back (a project does: the import is one action). With it, bad
/// rows are returned in [`ImportSummary::skipped`]. Problems with the file as a whole
/// (unreadable, missing coordinate columns, not GeoJSON) are [`Error::BadInput`] either way;
/// a cancel through `observer` is [`Error::Cancelled`].
pub fn import_features(
    path: &Path,
    kind: &LayerKind,
    opts: &ImportOptions,
    observer: &dyn ImportObserver,
    sink: &mut dyn FnMut(Vec<Feature>) -> Result<()>,
) -> Result<ImportSummary> {
    let format = Format::of(path)?;
    mapping::check(kind, &opts.columns).map_err(|m| bad_input(path, m))?;
    let size = std::fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
    let mut reading = reading::Reading::new(path.display().to_string(), size, opts.skip_bad, observer, sink);
    read_format(format, path, kind, opts, &mut reading)?;
    reading.finish()
}

/// Runs the reader of `format` over the file: the one path both an import and a preview take.
fn read_format(format: Format, path: &Path, kind: &LayerKind, opts: &ImportOptions, reading: &mut reading::Reading) -> Result<()> {
    match format {
        Format::Csv => csv_file::read(path, kind, opts, reading),
        Format::GeoJson => geojson_file::read(path, kind, opts, reading),
        Format::Xlsx => xlsx_file::read(path, kind, opts, reading),
        Format::Kml => kml_file::read(path, kind, opts, reading, false),
        Format::Kmz => kml_file::read(path, kind, opts, reading, true),
        Format::Shapefile => shapefile::read(path, kind, opts, reading),
        Format::GeoPackage => gpkg_file::read(path, kind, opts, reading),
    }
}

/// The parts of a file a user chooses between: a workbook's sheets, a GeoPackage's feature
/// tables; empty for the formats that hold one table.
pub fn source_names(path: &Path) -> Result<Vec<String>> {
    match Format::of(path)? {
        Format::Xlsx => xlsx_file::sheet_names(path),
        Format::GeoPackage => gpkg_file::table_names(path),
        _ => Ok(Vec::new()),
    }
}

/// Reads a whole file into memory; see [`import_features`] for what is checked. For small
/// files and tests; a project imports with [`crate::project::Project::import_file`].
pub fn read_features(path: &Path, kind: &LayerKind, opts: &ImportOptions) -> Result<ImportReport> {
    let mut features = Vec::new();
    let summary = import_features(path, kind, opts, &Unobserved, &mut |batch| {
        features.extend(batch);
        Ok(())
    })?;
    Ok(ImportReport { features, skipped: summary.skipped, warnings: summary.warnings })
}

/// Writes GeoJSON, CSV, XLSX, KML/KMZ, a Shapefile (`.shp` with its parts, or `.zip`) or a
/// GeoPackage layer, chosen by extension, converting coordinates from WGS84 to `opts.crs`.
///
/// GeoJSON is an RFC 7946 FeatureCollection; CSV is UTF-8 with a byte-order mark so that
/// Excel opens it correctly, with `lon,lat` columns for point layers and a `wkt` column
/// otherwise; XLSX has the same columns on one sheet named after the layer; KML (and KMZ,
/// zipped) has one Placemark per feature with its fields as ExtendedData. Coordinates are
/// rounded to 7 decimals (about 1 cm). Each re-imports unchanged.
pub fn write_features(path: &Path, kind: &LayerKind, features: &[Feature], opts: &ExportOptions) -> Result<()> {
    let bytes = match Format::of(path)? {
        Format::Csv => csv_file::write(kind, features, opts.crs, opts.encoding)?,
        Format::GeoJson => geojson_file::write(kind, features, opts.crs)?,
        Format::Xlsx => xlsx_file::write(kind, features, opts.crs)?,
        Format::Kml => kml_file::write_kml(kind, features, opts.crs)?,
        Format::Kmz => kml_file::write_kmz(kind, features, opts.crs)?,
        Format::Shapefile => return shapefile::write(path, kind, features, opts),
        Format::GeoPackage => return gpkg_file::write(path, kind, features, opts),
    };
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// The search area of a polygon query: every Polygon and MultiPolygon in a GeoJSON file
/// (a FeatureCollection, a Feature or a bare geometry), in WGS84, as one MultiPolygon.
/// Attributes are ignored. Any other geometry, or none, is an [`Error::BadInput`], because
/// silently dropping part of the area would silently drop results.
pub fn read_area(path: &Path) -> Result<geo_types::Geometry<f64>> {
    geojson_file::read_area(path)
}

/// The formats, told apart by file extension because the content of a CSV file can be
/// anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    GeoJson,
    Xlsx,
    Kml,
    Kmz,
    /// `.shp` with its parts beside it, or a `.zip` holding them.
    Shapefile,
    /// A layer of another GeoPackage (never the project itself).
    GeoPackage,
}

impl Format {
    fn of(path: &Path) -> Result<Format> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Ok(Format::Csv),
            "geojson" | "json" => Ok(Format::GeoJson),
            "xlsx" => Ok(Format::Xlsx),
            "kml" => Ok(Format::Kml),
            "kmz" => Ok(Format::Kmz),
            "shp" | "zip" => Ok(Format::Shapefile),
            "gpkg" => Ok(Format::GeoPackage),
            _ => Err(Error::BadInput {
                file: path.display().to_string(),
                message: format!(
                    "unknown file type `.{ext}`; expected .geojson, .json, .csv, .txt, .xlsx, .kml, .kmz, .shp, .zip (a zipped Shapefile) or .gpkg"
                ),
            }),
        }
    }
}

/// One row's problem, before the reader adds where it is (file and line or feature).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowError {
    /// The column or property as written in the file.
    pub field: String,
    pub value: String,
    pub expected: String,
    /// The 0-based column of a table (CSV, spreadsheet) the problem is in, where known.
    pub column: Option<usize>,
}

impl RowError {
    /// The field (a header) and the value are shortened by [`clip`]: a 1 MB cell must not
    /// become a 1 MB message.
    fn new(field: impl Into<String>, value: impl Into<String>, expected: impl Into<String>) -> Self {
        RowError { field: clip(&field.into()), value: clip(&value.into()), expected: expected.into(), column: None }
    }

    /// The same problem, in column `i` of a table.
    fn at(mut self, i: usize) -> Self {
        self.column = Some(i);
        self
    }
}

/// Longest piece of a file (a value, a header) quoted whole in a message.
const CLIP: usize = 100;

/// `s` as a message quotes it: whole up to [`CLIP`] characters, else its start and its length.
pub(crate) fn clip(s: &str) -> String {
    match s.char_indices().nth(CLIP) {
        None => s.to_owned(),
        Some((end, _)) => format!("{}… ({} characters)", &s[..end], s.chars().count()),
    }
}

/// Names from a file (headers, property keys) as a message lists them: trimmed, clipped,
/// in backticks when `quoted`, at most 30, then how many more (a file of 10 000 columns).
pub(crate) fn list_names<S: AsRef<str>>(names: &[S], quoted: bool) -> String {
    const SHOWN: usize = 30;
    let q = if quoted { "`" } else { "" };
    let mut s: Vec<String> = names.iter().take(SHOWN).map(|n| format!("{q}{}{q}", clip(n.as_ref().trim()))).collect();
    if names.len() > SHOWN {
        s.push(format!("… and {} more", names.len() - SHOWN));
    }
    s.join(", ")
}

/// The message for a file whose bytes are not text we can read.
fn bad_input(path: &Path, message: impl Into<String>) -> Error {
    Error::BadInput { file: path.display().to_string(), message: message.into() }
}

/// Reads a file and decodes it, noting a non-UTF-8 encoding in `warnings`.
fn read_text(path: &Path, warnings: &mut Vec<String>) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let decoded = text::decode(&bytes).map_err(|m| bad_input(path, m))?;
    if let Some(enc) = decoded.encoding {
        warnings.push(format!("the file is not UTF-8; read it as {enc}"));
    }
    Ok(decoded.text)
}
