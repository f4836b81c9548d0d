//! Moving features between Rust values and a layer table's rows.

use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::Row;

use crate::catalog::{FieldType, LayerKind};
use crate::error::{Error, Result};
use crate::feature::{Feature, Value};

use super::blob;
use super::schema::quote;

/// `SELECT fid, geom, name, source, <fields…> FROM <layer>` with an optional tail.
pub fn select_sql(kind: &LayerKind, tail: &str) -> String {
    let cols: Vec<String> = kind.column_names().map(quote).collect();
    format!("SELECT fid, geom, {} FROM {} {tail}", cols.join(", "), quote(&kind.id))
}

/// `SELECT fid, name, source, <fields…> FROM <layer>` (no geometry) with an optional tail.
pub fn select_attributes_sql(kind: &LayerKind, tail: &str) -> String {
    let cols: Vec<String> = kind.column_names().map(quote).collect();
    format!("SELECT fid, {} FROM {} {tail}", cols.join(", "), quote(&kind.id))
}

/// `INSERT INTO <layer> (geom, name, source, <fields…>) VALUES (?, …)`.
pub fn insert_sql(kind: &LayerKind) -> String {
    let cols: Vec<String> = kind.column_names().map(quote).collect();
    let marks = vec!["?"; cols.len() + 1].join(", ");
    format!("INSERT INTO {} (geom, {}) VALUES ({marks})", quote(&kind.id), cols.join(", "))
}

/// `UPDATE <layer> SET geom = ?, name = ?, … WHERE fid = ?`.
pub fn update_sql(kind: &LayerKind) -> String {
    let sets: Vec<String> = std::iter::once("geom".to_owned())
        .chain(kind.column_names().map(quote))
        .map(|c| format!("{c} = ?"))
        .collect();
    format!("UPDATE {} SET {} WHERE fid = ?", quote(&kind.id), sets.join(", "))
}

/// The bound parameters for [`insert_sql`] (and the head of [`update_sql`]'s).
pub fn params(kind: &LayerKind, f: &Feature) -> Result<Vec<SqlValue>> {
    params_in(kind, f, blob::SRS_ID)
}

/// [`params`] for a feature whose geometry is in `srs_id`.
pub fn params_in(kind: &LayerKind, f: &Feature, srs_id: i32) -> Result<Vec<SqlValue>> {
    let mut out = Vec::with_capacity(kind.fields.len() + 3);
    out.push(SqlValue::Blob(blob::encode_in(&f.geometry, srs_id)?));
    for col in kind.column_names() {
        out.push(to_sql(f.get(col)));
    }
    Ok(out)
}

fn to_sql(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Text(s) | Value::Date(s) => SqlValue::Text(s.clone()),
        Value::Integer(i) => SqlValue::Integer(*i),
        Value::Real(r) => SqlValue::Real(*r),
        Value::Boolean(b) => SqlValue::Integer(*b as i64),
    }
}

/// Reads one row of [`select_sql`] into a feature, typing each value from the catalog.
/// Tolerates what other writers (GDAL, QGIS) may store: numbers as text, booleans as text.
pub fn read_row(kind: &LayerKind, row: &Row<'_>) -> Result<Feature> {
    let fid: i64 = row.get(0)?;
    let blob: Option<Vec<u8>> = row.get(1)?;
    let geometry = match blob {
        Some(b) => blob::decode(&b).map_err(|e| {
            Error::Geometry(format!("layer `{}` fid {fid}: {e}", kind.id))
        })?,
        None => geo_types::Geometry::GeometryCollection(Default::default()),
    };
    let mut f = Feature { fid: Some(fid), geometry, props: Default::default() };
    for (i, col) in kind.column_names().enumerate() {
        let ty = kind.field(col).map(|d| d.ty).unwrap_or(FieldType::Text);
        let v = from_sql(ty, row.get_ref(i + 2)?);
        if !v.is_null() {
            f.props.insert(col.to_owned(), v);
        }
    }
    Ok(f)
}

/// The type each column of [`select_attributes_sql`] is read as (after the fid), in
/// [`LayerKind::column_names`] order; the built-in `name` and `source` are text.
pub fn column_types(kind: &LayerKind) -> Vec<FieldType> {
    kind.column_names().map(|col| kind.field(col).map(|d| d.ty).unwrap_or(FieldType::Text)).collect()
}

/// Reads one row of [`select_attributes_sql`] into `values` (one per column, null included),
/// reusing the text buffers already there, so that reading many rows allocates almost
/// nothing; returns the fid.
pub fn read_attributes_into(types: &[FieldType], row: &Row<'_>, values: &mut Vec<Value>) -> Result<i64> {
    let fid: i64 = row.get(0)?;
    values.resize(types.len(), Value::Null);
    for (i, (ty, slot)) in types.iter().zip(values.iter_mut()).enumerate() {
        let v = row.get_ref(i + 1)?;
        match (ty, v) {
            (FieldType::Boolean, _) | (_, ValueRef::Null | ValueRef::Integer(_) | ValueRef::Real(_) | ValueRef::Blob(_)) => {
                *slot = from_sql(*ty, v)
            }
            (FieldType::Date, ValueRef::Text(t)) => set_text(slot, date_prefix(&String::from_utf8_lossy(t)), true),
            (_, ValueRef::Text(t)) => set_text(slot, &String::from_utf8_lossy(t), false),
        }
    }
    Ok(fid)
}

/// Sets `slot` to a text (or date) value, reusing its buffer when it holds one.
fn set_text(slot: &mut Value, text: &str, date: bool) {
    match slot {
        Value::Text(buf) if !date => {
            buf.clear();
            buf.push_str(text);
        }
        Value::Date(buf) if date => {
            buf.clear();
            buf.push_str(text);
        }
        _ => *slot = if date { Value::Date(text.to_owned()) } else { Value::Text(text.to_owned()) },
    }
}

/// The `YYYY-MM-DD` part of a stored date (GDAL may store a time after it).
fn date_prefix(s: &str) -> &str {
    s.char_indices().nth(10).map_or(s, |(i, _)| &s[..i])
}

fn from_sql(ty: FieldType, v: ValueRef<'_>) -> Value {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match (ty, v) {
        (_, ValueRef::Null) => Value::Null,
        (FieldType::Boolean, ValueRef::Integer(i)) => Value::Boolean(i != 0),
        (FieldType::Boolean, ValueRef::Text(t)) => {
            let t = text(t).to_ascii_lowercase();
            Value::Boolean(matches!(t.as_str(), "1" | "true" | "yes" | "y" | "t"))
        }
        (FieldType::Integer, ValueRef::Integer(i)) => Value::Integer(i),
        (FieldType::Integer, ValueRef::Real(r)) => Value::Integer(r.round() as i64),
        (FieldType::Real, ValueRef::Real(r)) => Value::Real(r),
        (FieldType::Real, ValueRef::Integer(i)) => Value::Real(i as f64),
        (FieldType::Date, ValueRef::Text(t)) => Value::Date(date_prefix(&text(t)).to_owned()),
        (_, ValueRef::Text(t)) => Value::Text(text(t)),
        (_, ValueRef::Integer(i)) => Value::Integer(i),
        (_, ValueRef::Real(r)) => Value::Real(r),
        (_, ValueRef::Blob(b)) => Value::Text(format!("<{} bytes>", b.len())),
    }
}

/// Helper so `Vec<SqlValue>` can be passed where rusqlite wants parameters.
pub fn as_params(v: &[SqlValue]) -> Vec<ToSqlOutput<'_>> {
    v.iter().map(|x| ToSqlOutput::Borrowed(ValueRef::from(x))).collect()
}
