//! Layers of other GeoPackages — written by QGIS, `ogr2ogr` or another wardgis — read for
//! import, and a layer written to a GeoPackage for export. The format adapter is
//! `io::gpkg_file`; the SQL is here, by the house rule.
//!
//! Reading takes any feature table: its geometry column from `gpkg_geometry_columns`, its
//! SRS from `gpkg_spatial_ref_sys`, every other column but the integer primary key. The
//! file is opened read-only and never changed.
//!
//! Writing creates a plain GeoPackage (no wardgis tables) or adds the layer to an existing
//! one; it refuses when the file already has a table of that name, rather than replace it.

use std::path::Path;

use geo::BoundingRect;
use geo_types::Geometry;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::schema::{self, quote};
use super::{blob, rows, sql_functions};
use crate::catalog::LayerKind;
use crate::error::{Error, Result};
use crate::feature::Feature;

/// A value of a foreign row, as SQLite stored it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    /// A blob, by its length (no catalog field takes one).
    Blob(usize),
}

/// An SRS as `gpkg_spatial_ref_sys` holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Srs {
    pub srs_id: i32,
    pub name: String,
    pub organization: String,
    pub organization_coordsys_id: i32,
    pub definition: String,
}

/// What a feature table is.
#[derive(Debug, Clone)]
pub struct LayerInfo {
    pub table: String,
    pub geometry_column: String,
    pub geometry_type: String,
    /// `None` when the table's `srs_id` has no row (an invalid file) or is 0/-1 (undefined).
    pub srs: Option<Srs>,
    /// The attribute columns read, in table order.
    pub columns: Vec<String>,
    pub count: u64,
}

/// One row: its geometry (`Ok(None)` for NULL or empty) and its attribute values in
/// [`LayerInfo::columns`] order.
pub struct Row {
    pub geometry: std::result::Result<Option<Geometry<f64>>, String>,
    pub values: Vec<Cell>,
}

fn bad(path: &Path, message: impl Into<String>) -> Error {
    Error::BadInput { file: path.display().to_string(), message: message.into() }
}

/// Whether the file has the `gpkg_contents` table every GeoPackage has.
fn has_contents_table(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(conn.query_row("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_contents'", [], |_| Ok(())).optional()?.is_some())
}

/// Opens a GeoPackage read-only; refuses a file that is not one.
fn open_foreign(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| bad(path, format!("cannot be opened as a GeoPackage: {e}")))?;
    let has_contents = has_contents_table(&conn).map_err(|e| bad(path, format!("is not a GeoPackage: {e}")))?;
    if !has_contents {
        return Err(bad(path, "is not a GeoPackage (it has no gpkg_contents table)"));
    }
    conn.busy_timeout(super::BUSY_TIMEOUT)?;
    Ok(conn)
}

/// The feature tables of a GeoPackage, in `gpkg_contents` order.
pub fn feature_tables(path: &Path) -> Result<Vec<String>> {
    let conn = open_foreign(path)?;
    tables(&conn)
}

fn tables(conn: &Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare("SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY rowid")?;
    let names = st.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

/// A feature table of another GeoPackage, open for reading.
pub struct ForeignLayer {
    conn: Connection,
    pub info: LayerInfo,
    select: String,
}

/// Opens feature table `table` (the only one when `None`) of the GeoPackage at `path`.
pub fn open_layer(path: &Path, table: Option<&str>) -> Result<ForeignLayer> {
    let conn = open_foreign(path)?;
    let all = tables(&conn)?;
    let table = match (table, &all[..]) {
        (Some(t), _) if all.iter().any(|a| a == t) => t.to_owned(),
        (Some(t), _) => {
            return Err(bad(path, format!("has no feature table `{t}`; its feature tables are: {}", list(&all))));
        }
        (None, [one]) => one.clone(),
        (None, []) => return Err(bad(path, "has no feature tables")),
        (None, _) => {
            return Err(bad(path, format!("has {} feature tables ({}); choose one with --source-layer", all.len(), list(&all))));
        }
    };
    let (geometry_column, geometry_type, srs_id): (String, String, i32) = conn
        .query_row(
            "SELECT column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?1",
            [&table],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| bad(path, format!("table `{table}` has no row in gpkg_geometry_columns")))?;
    let srs = conn
        .query_row(
            "SELECT srs_id, srs_name, organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok(Srs { srs_id: r.get(0)?, name: r.get(1)?, organization: r.get(2)?, organization_coordsys_id: r.get(3)?, definition: r.get(4)? }),
        )
        .optional()?
        .filter(|s| s.srs_id > 0);
    let mut columns = Vec::new();
    let mut pk = None;
    {
        let mut st = conn.prepare(&format!("PRAGMA table_info({})", quote(&table)))?;
        let mut q = st.query([])?;
        while let Some(r) = q.next()? {
            let name: String = r.get(1)?;
            let ty: String = r.get(2)?;
            let is_pk: i64 = r.get(5)?;
            if name.eq_ignore_ascii_case(&geometry_column) {
                continue;
            }
            if is_pk == 1 && ty.eq_ignore_ascii_case("INTEGER") {
                pk = Some(name);
                continue;
            }
            columns.push(name);
        }
    }
    let count: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", quote(&table)), [], |r| r.get(0))?;
    let selected: Vec<String> = std::iter::once(quote(&geometry_column)).chain(columns.iter().map(|c| quote(c))).collect();
    let order = pk.map(|p| format!(" ORDER BY {}", quote(&p))).unwrap_or_default();
    let select = format!("SELECT {} FROM {}{order}", selected.join(", "), quote(&table));
    let info = LayerInfo { table, geometry_column, geometry_type, srs, columns, count: count as u64 };
    Ok(ForeignLayer { conn, info, select })
}

impl ForeignLayer {
    /// Calls `visit` with every row, in primary-key order.
    pub fn for_each_row(&self, visit: &mut dyn FnMut(Row) -> Result<()>) -> Result<()> {
        let n = self.info.columns.len();
        let mut st = self.conn.prepare(&self.select)?;
        let mut q = st.query([])?;
    while let Some(r) = q.next()? {
        let geometry = match r.get_ref(0)? {
            ValueRef::Null => Ok(None),
            ValueRef::Blob(b) => match blob::bounds(b) {
                Some(bb) if bb.empty => Ok(None),
                _ => blob::decode(b).map(Some).map_err(|e| e.to_string()),
            },
            other => Err(format!("is a {:?} value, not a GeoPackage geometry", other.data_type())),
        };
        let values = (1..=n)
            .map(|i| {
                Ok(match r.get_ref(i)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(i) => Cell::Integer(i),
                    ValueRef::Real(x) => Cell::Real(x),
                    ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Cell::Blob(b.len()),
                })
            })
            .collect::<rusqlite::Result<Vec<Cell>>>()?;
        visit(Row { geometry, values })?;
    }
    Ok(())
    }
}

fn list(tables: &[String]) -> String {
    tables.join(", ")
}

/// Writes `features` (geometry already in `srs`) as table `kind.id` of the GeoPackage at
/// `path` with the catalog's columns, an R-tree and the extent in `gpkg_contents`: a new
/// file, or a new table in an existing GeoPackage. Refuses when that table exists. One
/// transaction: on failure the file is as it was (a new file is removed).
pub fn write_layer(path: &Path, kind: &LayerKind, features: &[Feature], srs: &Srs) -> Result<()> {
    let existed = path.exists();
    let conn = Connection::open(path).map_err(|e| bad(path, format!("cannot be written as a GeoPackage: {e}")))?;
    let result = write_into(&conn, path, existed, kind, features, srs);
    drop(conn);
    if result.is_err() && !existed {
        let _ = std::fs::remove_file(path);
    }
    result
}

fn write_into(conn: &Connection, path: &Path, existed: bool, kind: &LayerKind, features: &[Feature], srs: &Srs) -> Result<()> {
    sql_functions::register(conn)?;
    conn.busy_timeout(super::BUSY_TIMEOUT)?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    if existed {
        let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        if app_id != schema::APPLICATION_ID || !has_contents_table(&conn)? {
            return Err(bad(path, "exists and is not a GeoPackage; choose a new file name"));
        }
        let taken: Option<i64> = conn
            .query_row("SELECT 1 FROM sqlite_master WHERE lower(name) = lower(?1)", [&kind.id], |r| r.get(0))
            .optional()?;
        if taken.is_some() {
            return Err(bad(path, format!("already has a table `{}`; export to a new file, or delete that layer first", kind.id)));
        }
    } else {
        schema::create_metadata(conn)?;
    }
    conn.execute(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
        params![srs.name, srs.srs_id, srs.organization, srs.organization_coordsys_id, srs.definition],
    )?;
    schema::create_layer_table_in(conn, kind, srs.srs_id)?;
    {
        let mut st = conn.prepare(&rows::insert_sql(kind))?;
        for f in features {
            let values = rows::params_in(kind, f, srs.srs_id)?;
            st.execute(rusqlite::params_from_iter(rows::as_params(&values)))?;
        }
    }
    let extent = features.iter().filter_map(|f| f.geometry.bounding_rect()).reduce(|a, b| {
        geo_types::Rect::new(
            (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
            (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
        )
    });
    if let Some(r) = extent {
        conn.execute(
            "UPDATE gpkg_contents SET min_x = ?2, min_y = ?3, max_x = ?4, max_y = ?5 WHERE table_name = ?1",
            params![kind.id, r.min().x, r.min().y, r.max().x, r.max().y],
        )?;
    }
    conn.execute_batch("COMMIT")?;
    Ok(())
}
