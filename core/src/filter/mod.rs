//! Filters in one language: OGC CQL2 text, parsed once and checked against a layer's catalog
//! entry, then run by a storage backend as parameterised SQL (`store/gpkg/filter_sql.rs`).
//!
//! The same [`Filter`] serves the desktop's attribute table, `wardgis query --filter` and,
//! later, the HTTP API (OGC API – Features, Part 3), so the tree below names catalog columns
//! and typed values only — nothing of SQLite. Spatial tests carry their WKT geometry; a
//! backend without spatial SQL gets their matches from the project's R-trees
//! ([`SpatialHits`]).
//!
//! ```
//! use wardgis::catalog::Catalog;
//! use wardgis::filter::Filter;
//!
//! let catalog = Catalog::embedded();
//! let billboards = catalog.kind("billboards").unwrap();
//! let f = Filter::parse(billboards, "type = 'led' AND face_area_m2 > 20").unwrap();
//! assert_eq!(f.text(), "type = 'led' AND face_area_m2 > 20");
//! let err = Filter::parse(billboards, "type = 'led' AND face_area > 20").unwrap_err();
//! assert!(err.to_string().contains("column 18"), "{err}");
//! ```

mod parse;
mod spatial;

use geo_types::Geometry;

use crate::catalog::{FieldType, LayerKind};
use crate::error::{Error, FilterError, Result};

pub use spatial::SpatialHits;

/// A checked CQL2 filter on one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    layer: String,
    text: String,
    expr: Expr,
    spatial: Vec<SpatialTest>,
}

impl Filter {
    /// Parses `text` as CQL2 and checks it against `kind`: every property must be a column
    /// of the layer (`fid`, `name`, `source`, a catalog field) or its geometry `geom`, and
    /// every value must fit its column's type; enum fields take codes or labels. Errors
    /// ([`Error::Filter`]) give the column in the expression and what would be accepted.
    pub fn parse(kind: &LayerKind, text: &str) -> Result<Filter> {
        let mut spatial = Vec::new();
        let expr = parse::parse(kind, text, &mut spatial)?;
        Ok(Filter { layer: kind.id.clone(), text: text.to_owned(), expr, spatial })
    }

    /// The layer the filter was checked against.
    pub fn layer(&self) -> &str {
        &self.layer
    }

    /// The expression as the user wrote it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The checked expression.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The spatial tests, in the order their [`Expr::Spatial`] nodes number them.
    pub fn spatial_tests(&self) -> &[SpatialTest] {
        &self.spatial
    }
}

/// A checked expression. Comparisons always have a column on the left.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// `TRUE` or `FALSE` written alone.
    Constant(bool),
    Compare { column: Column, op: CmpOp, value: Operand },
    /// `pattern` in CQL2's syntax: `%` any run of characters, `_` one character, `\` escapes.
    Like { column: Column, pattern: String },
    In { column: Column, values: Vec<Literal> },
    Between { column: Column, low: Literal, high: Literal },
    IsNull(Column),
    /// The `index`-th of [`Filter::spatial_tests`].
    Spatial(usize),
}

/// A column of a layer's table, as a filter or a sort names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// What the column holds (`fid` is an integer, `name` and `source` text).
    pub ty: FieldType,
}

impl Column {
    /// The layer's column `name`: `fid`, `name`, `source` or a catalog field.
    pub fn of(kind: &LayerKind, name: &str) -> Option<Column> {
        let ty = match name {
            "fid" => FieldType::Integer,
            "name" | "source" => FieldType::Text,
            _ => kind.field(name)?.ty,
        };
        Some(Column { name: name.to_owned(), ty })
    }

    /// Every column a filter or sort may name, for messages.
    pub fn accepted(kind: &LayerKind) -> Vec<&str> {
        std::iter::once("fid").chain(kind.column_names()).collect()
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The right side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Value(Literal),
    Column(Column),
}

/// A typed value from the expression, already fitted to its column: an enum's label is its
/// code here, a date is `YYYY-MM-DD` text, an integer column's whole number is an integer.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Integer(i64),
    Real(f64),
    Boolean(bool),
    Date(String),
}

/// One spatial test of the layer's geometry against a literal geometry (WGS84 lon/lat).
#[derive(Debug, Clone, PartialEq)]
pub struct SpatialTest {
    pub op: SpatialOp,
    pub geometry: Geometry<f64>,
}

/// The Basic Spatial Functions, read as "the feature's geometry … the literal".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpatialOp {
    Intersects,
    /// The feature lies within the literal.
    Within,
    /// The feature contains the literal.
    Contains,
    Disjoint,
}

/// An order for a layer's rows: one column, ascending or descending; ties are broken by fid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Sort {
    /// Sorting `kind` by the column `name`; an unknown column is an error listing the
    /// accepted ones.
    pub fn new(kind: &LayerKind, name: &str, descending: bool) -> Result<Sort> {
        let column = Column::of(kind, name).ok_or_else(|| {
            Error::Invalid(format!(
                "cannot sort layer `{}` by `{name}`: it has no such column; columns: {}",
                kind.id,
                Column::accepted(kind).join(", ")
            ))
        })?;
        Ok(Sort { column, descending })
    }
}

impl FilterError {
    /// An error at the `at`-th byte of `expression`.
    pub(crate) fn at(expression: &str, at: usize, message: String) -> Error {
        let at = at.min(expression.len());
        let before = &expression[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        let column = before[line_start..].chars().count() + 1;
        Error::Filter(Box::new(FilterError { expression: expression.to_owned(), line, column, message, byte: at }))
    }
}

#[cfg(test)]
mod tests;
