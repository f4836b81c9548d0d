//! SQL functions that the GeoPackage R-tree triggers call (`ST_IsEmpty`, `ST_MinX`, …).
//!
//! GDAL registers these in its own SQLite connections; plain SQLite lacks them, so without
//! this module any insert into a table with `gpkg_rtree_index` triggers fails with
//! "no such function: ST_IsEmpty". Registered on every connection wardgis opens, so that
//! GDAL, QGIS and wardgis can all write to the same file.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::blob::{bounds, BlobBounds};

fn blob_bounds(ctx: &Context<'_>) -> Option<BlobBounds> {
    match ctx.get_raw(0) {
        ValueRef::Blob(b) => bounds(b),
        _ => None,
    }
}

/// Registers `ST_IsEmpty`, `ST_MinX`, `ST_MaxX`, `ST_MinY`, `ST_MaxY` and `GPKG_IsAssignable`.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("ST_IsEmpty", 1, flags, |ctx| {
        // NULL for something that is not a geometry, as the GeoPackage spec asks.
        Ok(blob_bounds(ctx).map(|b| b.empty as i64))
    })?;
    type Pick = fn(&geo_types::Rect<f64>) -> f64;
    let picks: [(&str, Pick); 4] = [
        ("ST_MinX", |r| r.min().x),
        ("ST_MaxX", |r| r.max().x),
        ("ST_MinY", |r| r.min().y),
        ("ST_MaxY", |r| r.max().y),
    ];
    for (name, pick) in picks {
        conn.create_scalar_function(name, 1, flags, move |ctx| {
            Ok(blob_bounds(ctx).and_then(|b| b.rect).map(|r| pick(&r)))
        })?;
    }
    // Used by GDAL's geometry-type check triggers: is type `actual` assignable to `expected`?
    conn.create_scalar_function("GPKG_IsAssignable", 2, flags, |ctx| {
        let expected: String = ctx.get::<String>(0)?.to_ascii_uppercase();
        let actual: String = ctx.get::<String>(1)?.to_ascii_uppercase();
        Ok((expected == "GEOMETRY" || expected == actual || expected == format!("MULTI{actual}")) as i64)
    })?;
    Ok(())
}
