//! GeoJSON and CSV import and export, checked against the layer catalog.
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
//! `text` decodes bytes, `csv_file` and `geojson_file` read and write the two formats,
//! `wkt` reads and writes the `wkt` column of CSV files of non-point layers.

mod attributes;
mod columns;
mod csv_file;
mod geojson_file;
mod geometry;
mod text;
mod wkt;

#[cfg(test)]
mod tests;

use std::path::Path;

use crate::catalog::LayerKind;
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::feature::Feature;

pub use attributes::{parse_json_value, parse_value};
pub use geojson_file::{feature_collection, feature_to_geojson};

/// What an import produced.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// The features that fit the catalog, geometry in WGS84, `fid` unset.
    pub features: Vec<Feature>,
    /// The rows left out because `skip_bad` was set: each an [`Error::BadRow`] (CSV) or
    /// [`Error::BadFeature`] (GeoJSON). Empty otherwise.
    pub skipped: Vec<Error>,
    /// Things the user should know that did not stop the import (ignored columns, the text
    /// encoding that was detected).
    pub warnings: Vec<String>,
}

/// Reads GeoJSON (`.geojson`/`.json`) or CSV (`.csv`/`.txt`), chosen by extension; converts
/// coordinates from `crs` to WGS84 and checks every attribute against `kind`.
///
/// Without `skip_bad`, any bad row makes the whole import fail with [`Error::BadRows`]
/// listing every bad row (or the single bad row's error when there is only one); with it,
/// bad rows are returned in [`ImportReport::skipped`] and the good rows are imported.
/// Problems with the file as a whole (unreadable, missing coordinate columns, not GeoJSON)
/// are [`Error::BadInput`] either way.
pub fn read_features(path: &Path, kind: &LayerKind, crs: Crs, skip_bad: bool) -> Result<ImportReport> {
    let parsed = match Format::of(path)? {
        Format::Csv => csv_file::read(path, kind, crs)?,
        Format::GeoJson => geojson_file::read(path, kind, crs)?,
    };
    parsed.finish(skip_bad)
}

/// Writes GeoJSON or CSV, chosen by extension, converting coordinates from WGS84 to `crs`.
///
/// GeoJSON is an RFC 7946 FeatureCollection; CSV is UTF-8 with a byte-order mark so that
/// Excel opens it correctly, with `lon,lat` columns for point layers and a `wkt` column
/// otherwise. Coordinates are rounded to 7 decimals (about 1 cm). Both re-import unchanged.
pub fn write_features(path: &Path, kind: &LayerKind, features: &[Feature], crs: Crs) -> Result<()> {
    let bytes = match Format::of(path)? {
        Format::Csv => csv_file::write(kind, features, crs)?,
        Format::GeoJson => geojson_file::write(kind, features, crs)?,
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

/// The two formats, told apart by file extension because the content of a CSV file can be
/// anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    GeoJson,
}

impl Format {
    fn of(path: &Path) -> Result<Format> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Ok(Format::Csv),
            "geojson" | "json" => Ok(Format::GeoJson),
            _ => Err(Error::BadInput {
                file: path.display().to_string(),
                message: format!(
                    "unknown file type `.{ext}`; expected .geojson, .json, .csv or .txt"
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
}

impl RowError {
    fn new(field: impl Into<String>, value: impl Into<String>, expected: impl Into<String>) -> Self {
        RowError { field: field.into(), value: value.into(), expected: expected.into() }
    }
}

/// What a reader found, before the all-or-nothing rule is applied.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub features: Vec<Feature>,
    pub bad: Vec<Error>,
    pub warnings: Vec<String>,
}

impl Parsed {
    fn finish(mut self, skip_bad: bool) -> Result<ImportReport> {
        if self.bad.is_empty() || skip_bad {
            return Ok(ImportReport { features: self.features, skipped: self.bad, warnings: self.warnings });
        }
        if self.bad.len() == 1 {
            return Err(self.bad.remove(0));
        }
        Err(Error::BadRows(self.bad))
    }
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
