//! One error type for the core. Every variant names what a user needs to fix the problem:
//! the file, the row or key, the field, the value, and what would have been accepted.

use std::path::PathBuf;

/// Errors raised by the wardgis core. Adapters (the command line, the desktop, a server)
/// choose exit codes and statuses by variant, never by the message text; new variants may be
/// added, so they keep a fallback arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A layer catalog file could not be read or is malformed.
    #[error("{file}: {message}")]
    Catalog { file: PathBuf, message: String },

    /// A red/black list rule file could not be read or is malformed.
    #[error("{file}: {message}")]
    Rules { file: PathBuf, message: String },

    /// A layer id that the catalog (or the project) does not know.
    #[error("unknown layer `{layer}`; known layers: {known}")]
    UnknownLayer { layer: String, known: String },

    /// A row of an input file that does not fit the catalog.
    #[error("{file}:{line}: field `{field}` value `{value}`: {expected}")]
    BadRow { file: String, line: usize, field: String, value: String, expected: String },

    /// A cell of a spreadsheet that does not fit the catalog: the sheet, the row and column
    /// as Excel shows them (row 17, column C) and the column's header.
    /// Boxed, so that every `Result` of the core stays small.
    #[error("{0}")]
    BadCell(Box<BadCell>),

    /// A feature of a GeoJSON file that does not fit the catalog. GeoJSON has no meaningful
    /// line numbers (it is often one line), so the feature's 1-based position in the file
    /// is given instead.
    #[error("{file}: feature {index}: field `{field}` value `{value}`: {expected}")]
    BadFeature { file: String, index: usize, field: String, value: String, expected: String },

    /// An input file whose structure (not one row) is wrong: missing columns, not GeoJSON, …
    #[error("{file}: {message}")]
    BadInput { file: String, message: String },

    /// Several bad rows, reported together so a user can fix them in one pass: the first
    /// [`crate::io::MAX_REPORTED`] of them, and how many there were in all.
    #[error("{}", format_rows(rows, *total))]
    BadRows { rows: Vec<Error>, total: u64 },

    /// The user stopped a long operation (Ctrl-C, a Cancel button); nothing was written.
    #[error("cancelled; nothing was written")]
    Cancelled,

    /// A project file that is not a wardgis/GeoPackage project or is damaged.
    #[error("{path}: {message}")]
    Project { path: PathBuf, message: String },

    /// A feature id that does not exist in a layer.
    #[error("layer `{layer}` has no feature with fid {fid}")]
    NoSuchFeature { layer: String, fid: i64 },

    /// A geometry that cannot be stored or queried as asked.
    #[error("geometry: {0}")]
    Geometry(String),

    /// An argument to a core operation that is out of range.
    #[error("{0}")]
    Invalid(String),

    /// A change that would overwrite or destroy what another program (or another wardgis
    /// process) wrote to the project since; nothing was written.
    #[error("{0}")]
    Conflict(String),

    /// The storage backend failed: the file or database could not be read or written
    /// (locked for too long by another program, disk full, damaged). The backend's own error
    /// is kept inside.
    #[error("{0}")]
    Storage(#[from] StorageError),

    /// A filter expression that cannot be read or does not fit the layer: where, and why.
    /// Boxed, so that every `Result` of the core stays small.
    #[error("{0}")]
    Filter(Box<FilterError>),

    /// A page that cannot be laid out or written: no font for Chinese text, an image that
    /// is not a PNG, a PDF the writer refused; the message names the file or item.
    #[error("print: {0}")]
    Print(String),

    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Where a bad spreadsheet cell is and what is wrong with it; see [`Error::BadCell`].
#[derive(Debug, thiserror::Error)]
#[error("{file}: sheet `{sheet}` row {row} column {column} `{header}`: value `{value}`: {expected}")]
pub struct BadCell {
    pub file: String,
    pub sheet: String,
    /// The row as Excel numbers it (1-based, counting every row above).
    pub row: usize,
    /// The column's letters as Excel shows them (`C`, `AA`).
    pub column: String,
    /// The column's header as written.
    pub header: String,
    pub value: String,
    pub expected: String,
}

/// What is wrong with a filter expression, and where: the message, the 1-based line and
/// column (in characters) of the offending part, shown under the expression with a caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub expression: String,
    pub line: usize,
    pub column: usize,
    /// The byte offset of the position in `expression`.
    pub byte: usize,
    pub message: String,
}

impl std::fmt::Display for FilterError {
    /// `filter, column 18: …` then the expression's line and a caret under the position;
    /// wide (CJK) characters before it are padded with an ideographic space so the caret
    /// lines up in a terminal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<&str> = self.expression.split('\n').collect();
        if lines.len() > 1 {
            write!(f, "filter, line {} column {}: {}", self.line, self.column, self.message)?;
        } else {
            write!(f, "filter, column {}: {}", self.column, self.message)?;
        }
        let text = lines.get(self.line - 1).copied().unwrap_or("");
        let pad: String =
            text.chars().take(self.column - 1).map(|c| if is_wide(c) { '\u{3000}' } else if c == '\t' { '\t' } else { ' ' }).collect();
        write!(f, "\n  {text}\n  {pad}^")
    }
}

impl std::error::Error for FilterError {}

/// East Asian wide characters (CJK ideographs, Hangul, full-width forms), which a terminal
/// draws two columns wide.
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// A storage backend's failure, with the backend's own error as its source.
#[derive(Debug, thiserror::Error)]
#[error("{backend}: {source}")]
pub struct StorageError {
    /// Which backend failed (`SQLite`, `PostgreSQL`).
    pub backend: &'static str,
    /// True when another program held the data locked for longer than wardgis waits: trying
    /// again later may succeed.
    pub busy: bool,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

fn format_rows(rows: &[Error], total: u64) -> String {
    let mut s = format!("{total} bad row(s):");
    for r in rows {
        s.push_str("\n  ");
        s.push_str(&r.to_string());
    }
    if total > rows.len() as u64 {
        s.push_str(&format!("\n  … and {} more not shown", total - rows.len() as u64));
    }
    s
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

/// Result alias for the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;
