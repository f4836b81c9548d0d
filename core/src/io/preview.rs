//! A look at a file before importing it: what the import dialog shows while the user picks
//! the layer, the sheet, the encoding, the coordinate system and the column mapping.
//!
//! The preview runs the import's own readers (no second parser per format) with bad rows
//! skipped and a row limit that ends the read early, so what it shows — the features, the
//! bad rows and their messages — is exactly what importing would do with those rows.

use std::path::Path;

use geo_types::Coord;

use super::reading::Reading;
use super::{bad_input, mapping, read_format, source_names, ColumnChoice, Format, ImportOptions, Unobserved};
use crate::catalog::LayerKind;
use crate::crs::{projected, Crs};
use crate::error::{Error, Result};
use crate::feature::Feature;

/// The start of a file as it would be imported.
#[derive(Debug, Default)]
pub struct Preview {
    /// The source columns (table headers, property or DBF field names) in the file's order
    /// (for KML in the order first met in the rows read, for GeoJSON sorted by name), each
    /// with what it fills.
    pub columns: Vec<SourceColumn>,
    /// The first rows that import, as they would be stored (WGS84, checked).
    pub features: Vec<Feature>,
    /// The bad rows among the rows read, as an import reports them ([`Error::BadRow`],
    /// [`Error::BadCell`], [`Error::BadFeature`]).
    pub problems: Vec<Error>,
    /// Why the file as a whole cannot be imported as it stands (no coordinate columns, a
    /// required field without a column, not the format its name says); the columns found
    /// are still listed, so the user can map them.
    pub file_problem: Option<Error>,
    /// The text encoding the file was read in (`UTF-8`, `GBK`, `UTF-16LE`), where it has one.
    pub encoding: Option<&'static str>,
    /// The coordinate system the file declares, or that its coordinates obviously are;
    /// `None` when the caller named one, or nothing says (then WGS84 is read).
    pub crs: Option<DetectedCrs>,
    /// The sheets of a workbook or the feature tables of a GeoPackage.
    pub names: Vec<String>,
    /// What an import would warn about (ignored columns, the encoding, the system read).
    pub warnings: Vec<String>,
}

/// One source column and what it fills (`None`: nothing, it would be ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceColumn {
    pub name: String,
    pub fills: Option<ColumnChoice>,
}

/// A coordinate system found for a file, and how.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectedCrs {
    pub crs: Crs,
    pub evidence: CrsEvidence,
}

/// How a file's coordinate system was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrsEvidence {
    /// The file says: a `.prj`, a GeoJSON `crs` member, a GeoPackage SRS.
    Declared,
    /// The file does not say, but its coordinates are projected metres that fit one CGCS2000
    /// Gauss–Krüger zone (see [`projected::guess_gauss_kruger`]).
    Guessed,
}

/// Reads the first `rows` rows of a file as [`super::import_features`] would with `opts`
/// (bad rows kept as problems rather than failing the preview). `near` is a point of the
/// project (the centre of its extent): coordinates in bare Gauss–Krüger eastings are taken
/// to be in its zone. When `opts.crs` is `None` and the rows are such metres, the preview is
/// read again in the guessed system, and [`Preview::crs`] says so.
///
/// `Err` only for what no option can fix here: an unknown file type, a mapping naming a field
/// the layer does not have, or a file that cannot be opened.
pub fn preview(path: &Path, kind: &LayerKind, opts: &ImportOptions, rows: usize, near: Option<Coord<f64>>) -> Result<Preview> {
    let format = Format::of(path)?;
    mapping::check(kind, &opts.columns).map_err(|m| bad_input(path, m))?;
    let size = std::fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
    let first = read_rows(format, path, kind, opts, rows, size)?;
    let (mut preview, crs) = match (opts.crs, first.declared) {
        (Some(_), _) => (first.preview, None),
        (None, Some(declared)) => (first.preview, Some(DetectedCrs { crs: declared, evidence: CrsEvidence::Declared })),
        (None, None) => match projected::guess_gauss_kruger(&first.positions, near) {
            None => (first.preview, None),
            Some(p) => {
                let guessed = Crs::Projected(p);
                let again = ImportOptions { crs: Some(guessed), ..opts.clone() };
                let mut preview = read_rows(format, path, kind, &again, rows, size)?.preview;
                preview.warnings.push(format!("the coordinates look like {guessed} ({}); read them as such", p.describe()));
                (preview, Some(DetectedCrs { crs: guessed, evidence: CrsEvidence::Guessed }))
            }
        },
    };
    preview.crs = crs;
    preview.names = source_names(path).unwrap_or_default();
    Ok(preview)
}

/// One limited read, and what the reader found on the way.
struct Rows {
    preview: Preview,
    /// The system the file declares.
    declared: Option<Crs>,
    /// A table's raw coordinates, for the first rows.
    positions: Vec<(f64, f64)>,
}

fn read_rows(format: Format, path: &Path, kind: &LayerKind, opts: &ImportOptions, rows: usize, size: u64) -> Result<Rows> {
    let opts = ImportOptions { skip_bad: true, ..opts.clone() };
    let mut features = Vec::new();
    let mut sink = |batch: Vec<Feature>| {
        features.extend(batch);
        Ok(())
    };
    let mut reading = Reading::new(path.display().to_string(), size, true, &Unobserved, &mut sink).limited(rows);
    let file_problem = match read_format(format, path, kind, &opts, &mut reading) {
        Ok(()) => None,
        Err(Error::Cancelled) if reading.limit_reached => None,
        Err(e @ Error::Io { .. }) => return Err(e),
        Err(e) => Some(e),
    };
    let found = std::mem::take(&mut reading.found);
    let (problems, warnings) = reading.into_parts()?;
    let columns = found
        .columns
        .borrow()
        .iter()
        .map(|(name, t)| SourceColumn { name: name.trim().to_owned(), fills: t.map(|t| mapping::choice_of(kind, t)) })
        .collect();
    let preview = Preview { columns, features, problems, file_problem, encoding: found.encoding, warnings, ..Preview::default() };
    Ok(Rows { preview, declared: found.declared_crs, positions: found.positions })
}
