//! The edit log: every user action is one transaction and one row in `wardgis_actions`, with
//! one row per feature it touched in `wardgis_edit_log`: the feature before (updates,
//! deletes) and after (updates) as GeoJSON text. Inserts are logged by fid alone: undo is
//! last-in first-out, so when an insert is undone its rows are as inserted and are read from
//! the table (logs written before this rule also carry the inserted feature as `after`, which
//! undo no longer needs). A million-feature import thus logs a million small rows, not a
//! million GeoJSON copies. The log is what makes undo possible and what tells a reviewer who
//! changed what, and when.

use rusqlite::{params, Connection, OptionalExtension};

use crate::catalog::{FieldType, LayerKind};
use crate::action::{Action, ActionId, ActionKind, ActionLog, Change, Op};
use crate::error::{Error, Result};
use crate::feature::{Feature, Value};

use super::WithConnection;

/// Starts an action inside the caller's transaction; returns its id.
pub fn begin_action(conn: &Connection, kind: &str, layer: Option<&str>, summary: &str) -> Result<i64> {
    conn.execute(
        "INSERT INTO wardgis_actions (at, kind, layer, summary) VALUES (?1, ?2, ?3, ?4)",
        params![crate::dates::Timestamp::now().to_string(), kind, layer, summary],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Replaces the summary of action `id`.
pub fn set_summary(conn: &Connection, id: i64, summary: &str) -> Result<()> {
    conn.execute("UPDATE wardgis_actions SET summary = ?2 WHERE id = ?1", params![id, summary])?;
    Ok(())
}

/// Rows of one multi-row insert into the log (3 parameters each, well under SQLite's limit).
pub const INSERTS_PER_STATEMENT: usize = 200;

/// Prepared writer for the changes of one action.
pub struct LogWriter<'c> {
    stmt: rusqlite::Statement<'c>,
    action: i64,
}

impl<'c> LogWriter<'c> {
    pub fn new(conn: &'c Connection, action: i64) -> Result<Self> {
        let stmt = conn.prepare(
            "INSERT INTO wardgis_edit_log (action_id, layer, fid, op, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        Ok(LogWriter { stmt, action })
    }

    /// Records features inserted by this action, by fid alone (undo reads them from the table),
    /// [`INSERTS_PER_STATEMENT`] rows a statement: `AUTOINCREMENT` updates `sqlite_sequence`
    /// once per statement, which cost more than the row itself when done a million times.
    pub fn record_inserts(&self, conn: &Connection, layer: &str, fids: &[i64]) -> Result<()> {
        let sql = |n: usize| {
            let rows = vec!["(?, ?, ?, 'insert', NULL, NULL)"; n].join(", ");
            format!("INSERT INTO wardgis_edit_log (action_id, layer, fid, op, before, after) VALUES {rows}")
        };
        let mut full = conn.prepare_cached(&sql(INSERTS_PER_STATEMENT))?;
        for chunk in fids.chunks(INSERTS_PER_STATEMENT) {
            let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(chunk.len() * 3);
            for &fid in chunk {
                values.extend([self.action.into(), layer.to_owned().into(), fid.into()]);
            }
            if chunk.len() == INSERTS_PER_STATEMENT {
                full.execute(rusqlite::params_from_iter(values))?;
            } else {
                conn.execute(&sql(chunk.len()), rusqlite::params_from_iter(values))?;
            }
        }
        Ok(())
    }

    pub fn record(&mut self, layer: &str, fid: i64, op: Op, before: Option<&Feature>, after: Option<&Feature>) -> Result<()> {
        let enc = |f: Option<&Feature>| f.map(|f| feature_json(f).to_string());
        self.stmt.execute(params![self.action, layer, fid, op.code(), enc(before), enc(after)])?;
        Ok(())
    }
}

/// A feature as a GeoJSON Feature value (geometry and properties; the id is the row's fid).
pub fn feature_json(f: &Feature) -> serde_json::Value {
    let geometry = geojson::Geometry::from(&f.geometry);
    let props: serde_json::Map<String, serde_json::Value> =
        f.props.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
    serde_json::json!({ "type": "Feature", "id": f.fid, "geometry": geometry, "properties": props })
}

/// Reads a feature back from [`feature_json`], typing values from the catalog.
pub fn feature_from_json(kind: &LayerKind, v: &serde_json::Value) -> Result<Feature> {
    let bad = |m: &str| Error::Project { path: "edit log".into(), message: format!("layer `{}`: {m}", kind.id) };
    let gj: geojson::Geometry =
        serde_json::from_value(v["geometry"].clone()).map_err(|e| bad(&format!("bad geometry: {e}")))?;
    let geometry = geo_types::Geometry::try_from(gj).map_err(|e| bad(&format!("bad geometry: {e}")))?;
    let mut f = Feature { fid: v["id"].as_i64(), geometry, props: Default::default() };
    if let Some(props) = v["properties"].as_object() {
        for (k, j) in props {
            let ty = kind.field(k).map(|d| d.ty).unwrap_or(FieldType::Text);
            let value = match (ty, j) {
                (_, serde_json::Value::Null) => continue,
                (FieldType::Integer, j) => j.as_i64().map(Value::Integer),
                (FieldType::Real, j) => j.as_f64().map(Value::Real),
                (FieldType::Boolean, j) => j.as_bool().map(Value::Boolean),
                (FieldType::Date, j) => j.as_str().map(|s| Value::Date(s.to_owned())),
                (_, j) => j.as_str().map(|s| Value::Text(s.to_owned())),
            };
            f.props.insert(k.clone(), value.ok_or_else(|| bad(&format!("bad value for `{k}`: {j}")))?);
        }
    }
    Ok(f)
}

/// The most recent action that has not been undone and is not itself an undo or a redo.
pub fn last_undoable(conn: &Connection) -> Result<Option<Action>> {
    conn.query_row(
        "SELECT id, at, kind, layer, summary, undone_by FROM wardgis_actions
         WHERE undone_by IS NULL AND kind NOT IN ('undo', 'redo') ORDER BY id DESC LIMIT 1",
        [],
        |r| row_to_action(conn, r),
    )
    .optional()?
    .transpose()
}

/// The action a redo would apply again: walking back from the newest action over undos and
/// redos only, the first undo whose target is still undone by it. Any other action stops the
/// walk (a new edit clears what can be redone); an undo whose target was redone since no
/// longer points back at it and is passed over.
pub fn last_redoable(conn: &Connection) -> Result<Option<Action>> {
    let mut stmt = conn.prepare(
        "SELECT a.kind, t.id FROM wardgis_actions a LEFT JOIN wardgis_actions t ON t.undone_by = a.id ORDER BY a.id DESC",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (kind, target): (String, Option<i64>) = (row.get(0)?, row.get(1)?);
        match (kind.as_str(), target) {
            ("undo", Some(target)) => return action(conn, target).map(Some),
            ("undo", None) | ("redo", _) => continue,
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// One action by id.
fn action(conn: &Connection, id: ActionId) -> Result<Action> {
    conn.query_row(
        "SELECT id, at, kind, layer, summary, undone_by FROM wardgis_actions WHERE id = ?1",
        [id],
        |r| row_to_action(conn, r),
    )?
}

/// The changes of one action, in the order they were made.
pub fn changes(conn: &Connection, action: i64) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare(
        "SELECT layer, fid, op, before, after FROM wardgis_edit_log WHERE action_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([action], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?, r.get::<_, Option<String>>(4)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (layer, fid, op, before, after) = row?;
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        let op = Op::from_code(&op).ok_or_else(|| Error::Project { path: "edit log".into(), message: format!("unknown op `{op}`") })?;
        out.push(Change { layer, fid, op, before: parse(before), after: parse(after) });
    }
    Ok(out)
}

pub fn mark_undone(conn: &Connection, action: i64, by: i64) -> Result<()> {
    conn.execute("UPDATE wardgis_actions SET undone_by = ?2 WHERE id = ?1", params![action, by])?;
    Ok(())
}

/// Marks a redone action as not undone, so it can be undone again.
pub fn mark_redone(conn: &Connection, action: i64) -> Result<()> {
    conn.execute("UPDATE wardgis_actions SET undone_by = NULL WHERE id = ?1", params![action])?;
    Ok(())
}

/// The latest `limit` actions, newest first.
pub fn recent(conn: &Connection, limit: usize) -> Result<Vec<Action>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, kind, layer, summary, undone_by FROM wardgis_actions ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| row_to_action(conn, r))?;
    rows.collect::<rusqlite::Result<Vec<_>>>()?.into_iter().collect()
}

/// A row of `wardgis_actions`; the outer error is SQLite's, the inner one a stored value that
/// does not parse.
fn row_to_action(conn: &Connection, r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Action>> {
    let code: String = r.get(2)?;
    let kind = ActionKind::from_code(&code).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            2,
            rusqlite::types::Type::Text,
            format!("action kind `{code}` is not one this version of wardgis knows; a newer version wrote this project").into(),
        )
    })?;
    let (id, at): (i64, String) = (r.get(0)?, r.get(1)?);
    let (layer, summary, undone_by) = (r.get(3)?, r.get(4)?, r.get(5)?);
    Ok(super::stored(conn, "wardgis_actions", id, "at", &at).map(|at| Action { id, at, kind, layer, summary, undone_by }))
}

impl<C: WithConnection> ActionLog for C {
    fn last_undoable(&self) -> Result<Option<Action>> {
        self.with_conn(last_undoable)
    }
    fn last_redoable(&self) -> Result<Option<Action>> {
        self.with_conn(last_redoable)
    }
    fn changes(&self, action: ActionId) -> Result<Vec<Change>> {
        self.with_conn(|c| changes(c, action))
    }
    fn history(&self, limit: usize) -> Result<Vec<Action>> {
        self.with_conn(|c| recent(c, limit))
    }
}
