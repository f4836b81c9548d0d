//! Inspection results of a plan: `wardgis_results` (one row per site used: visited, or not
//! visited with the reason) and `wardgis_result_items` (each visited site's score per
//! checklist item). One import is one logged action of kind `results`; undoing it deletes
//! the rows it wrote (found by `wardgis_results.action`).

use rusqlite::{params, Connection};

use crate::action::ActionId;
use crate::error::{Error, Result};
use crate::evaluation::site_results::{ItemScore, ResultStore, ResultWrites, SiteResult};

use super::{GpkgAction, WithConnection};
/// The two tables; idempotent; registered as `attributes`.
pub fn create_tables(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS wardgis_results (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            plan TEXT NOT NULL,
            site_no INTEGER NOT NULL,
            layer TEXT NOT NULL,
            fid INTEGER NOT NULL,
            visited INTEGER NOT NULL,
            reason TEXT,
            passed INTEGER,
            total_score REAL,
            max_score REAL,
            inspected_on TEXT,
            note TEXT,
            action INTEGER REFERENCES wardgis_actions(id)
        );
        CREATE INDEX IF NOT EXISTS wardgis_results_plan ON wardgis_results(plan);
        CREATE TABLE IF NOT EXISTS wardgis_result_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            result_id INTEGER NOT NULL REFERENCES wardgis_results(id),
            item_id TEXT NOT NULL,
            score REAL NOT NULL,
            max_points REAL NOT NULL
        );
        CREATE INDEX IF NOT EXISTS wardgis_result_items_result ON wardgis_result_items(result_id);",
    )?;
    super::schema::register_attributes(
        conn,
        &[
            ("wardgis_results", "wardgis: inspection results per plan site (visited or not, pass, score, date)"),
            ("wardgis_result_items", "wardgis: each inspected site's score per checklist item"),
        ],
    )
}

/// How many results a plan has.
pub fn count(conn: &Connection, plan: &str) -> Result<usize> {
    Ok(conn.query_row("SELECT count(*) FROM wardgis_results WHERE plan = ?1", [plan], |r| r.get::<_, i64>(0))? as usize)
}

/// Writes a plan's results inside the caller's transaction, tied to `action`; refuses when
/// the plan has results already (undo that import first).
pub fn insert(conn: &Connection, plan: &str, results: &[SiteResult], action: i64) -> Result<()> {
    if count(conn, plan)? > 0 {
        return Err(Error::Invalid(format!(
            "plan `{plan}` has results already; to import again, undo that import first (undo takes back every later action first, such as re-inspections of its orders; the project's history lists them)"
        )));
    }
    let mut head = conn.prepare(
        "INSERT INTO wardgis_results (plan, site_no, layer, fid, visited, reason, passed, total_score, max_score, inspected_on, note, action)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    let mut item = conn.prepare("INSERT INTO wardgis_result_items (result_id, item_id, score, max_points) VALUES (?1, ?2, ?3, ?4)")?;
    for r in results {
        head.execute(params![
            plan,
            r.site_no as i64,
            r.layer,
            r.fid,
            r.visited as i64,
            (!r.reason.is_empty()).then_some(&r.reason),
            r.passed.map(|p| p as i64),
            r.total_score,
            r.max_score,
            r.inspected_on.map(|d| d.to_string()),
            (!r.note.is_empty()).then_some(&r.note),
            action
        ])?;
        let id = conn.last_insert_rowid();
        for s in &r.items {
            item.execute(params![id, s.item_id, s.score, s.max_points])?;
        }
    }
    Ok(())
}

/// Deletes the results written by `action` (undo); returns how many sites they covered.
pub fn delete_by_action(conn: &Connection, action: i64) -> Result<usize> {
    conn.execute(
        "DELETE FROM wardgis_result_items WHERE result_id IN (SELECT id FROM wardgis_results WHERE action = ?1)",
        [action],
    )?;
    Ok(conn.execute("DELETE FROM wardgis_results WHERE action = ?1", [action])?)
}

/// A plan's results in site order, with their item scores.
pub fn read(conn: &Connection, plan: &str) -> Result<Vec<SiteResult>> {
    let mut stmt = conn.prepare(
        "SELECT id, site_no, layer, fid, visited, reason, passed, total_score, max_score, inspected_on, note
         FROM wardgis_results WHERE plan = ?1 ORDER BY site_no",
    )?;
    let mut items = conn.prepare("SELECT item_id, score, max_points FROM wardgis_result_items WHERE result_id = ?1 ORDER BY id")?;
    let heads = stmt
        .query_map([plan], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                SiteResult {
                    site_no: r.get::<_, i64>(1)? as usize,
                    layer: r.get(2)?,
                    fid: r.get(3)?,
                    visited: r.get::<_, i64>(4)? != 0,
                    reason: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    passed: r.get::<_, Option<i64>>(6)?.map(|p| p != 0),
                    total_score: r.get(7)?,
                    max_score: r.get(8)?,
                    inspected_on: None,
                    note: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                    items: Vec::new(),
                },
                r.get::<_, Option<String>>(9)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(heads.len());
    for (id, mut r, inspected_on) in heads {
        r.inspected_on = inspected_on.map(|d| super::stored(conn, "wardgis_results", id, "inspected_on", &d)).transpose()?;
        r.items = items
            .query_map([id], |q| Ok(ItemScore { item_id: q.get(0)?, score: q.get(1)?, max_points: q.get(2)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(r);
    }
    Ok(out)
}

impl<C: WithConnection> ResultStore for C {
    fn results(&self, plan: &str) -> Result<Vec<SiteResult>> {
        self.with_conn(|c| read(c, plan))
    }
    fn result_count(&self, plan: &str) -> Result<usize> {
        self.with_conn(|c| count(c, plan))
    }
}

impl ResultWrites for GpkgAction<'_> {
    fn insert_results(&mut self, plan: &str, results: &[SiteResult]) -> Result<()> {
        insert(&self.tx, plan, results, self.id)
    }
    fn delete_results_of(&mut self, action: ActionId) -> Result<()> {
        delete_by_action(&self.tx, action).map(drop)
    }
}
