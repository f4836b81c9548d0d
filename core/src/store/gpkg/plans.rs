//! Sampling plans stored in the project: `wardgis_plans` (one row per plan: its design,
//! parameters and seed) and `wardgis_plan_units` (the snapshot of the whole frame, each unit
//! with its inclusion probability, and the sample).
//!
//! The snapshot, not just the sample, is kept because the estimates need every unit's π and
//! the frame size, and the layers will change after the draw (new billboards, removals):
//! the plan must still say what was sampled from, as it was on the day.
//!
//! Saving is one logged action of kind `plan` (no feature changes); undoing it deletes the
//! plan, found by the action id kept in `wardgis_plans.action`.

use rusqlite::{params, Connection, OptionalExtension};

use crate::action::ActionId;
use crate::dates::Timestamp;
use crate::error::{Error, Result};
use crate::sampling::plan::{PlanRecord, PlanStore, PlanSummary, PlanUnit, PlanWrites};

use super::{GpkgAction, WithConnection};
/// The two tables; idempotent. Registered as `attributes` so GDAL and QGIS list them. Both
/// have an integer primary key (GDAL's fid); the plan name is unique.
pub fn create_tables(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS wardgis_plans (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            created TEXT NOT NULL,
            layers TEXT NOT NULL,
            design TEXT NOT NULL,
            params TEXT NOT NULL,
            seed INTEGER NOT NULL,
            action INTEGER REFERENCES wardgis_actions(id)
        );
        CREATE TABLE IF NOT EXISTS wardgis_plan_units (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            plan TEXT NOT NULL,
            layer TEXT NOT NULL,
            fid INTEGER NOT NULL,
            stratum TEXT,
            inclusion_prob REAL NOT NULL,
            site_no INTEGER,
            replacement INTEGER
        );
        CREATE INDEX IF NOT EXISTS wardgis_plan_units_plan ON wardgis_plan_units(plan);",
    )?;
    super::schema::register_attributes(
        conn,
        &[
            ("wardgis_plans", "wardgis: sampling plans (design, parameters, seed)"),
            ("wardgis_plan_units", "wardgis: each plan's frame snapshot with inclusion probabilities and the sample"),
        ],
    )
}

/// Writes a plan inside the caller's transaction, tied to `action`.
pub fn insert(conn: &Connection, plan: &PlanRecord, action: i64) -> Result<()> {
    if exists(conn, &plan.name)? {
        return Err(Error::Invalid(format!("plan `{}` exists; choose another name", plan.name)));
    }
    let layers = serde_json::to_string(&plan.layers).expect("strings serialize");
    conn.execute(
        "INSERT INTO wardgis_plans (name, created, layers, design, params, seed, action) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![plan.name, plan.created.unwrap_or_else(Timestamp::now).to_string(), layers, plan.design, plan.params.to_string(), plan.seed as i64, action],
    )?;
    let mut stmt = conn.prepare(
        "INSERT INTO wardgis_plan_units (plan, layer, fid, stratum, inclusion_prob, site_no, replacement)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for u in &plan.units {
        let site = u.site_no.map(|s| s as i64);
        let repl = u.site_no.map(|_| u.replacement as i64);
        stmt.execute(params![plan.name, u.layer, u.fid, u.stratum, u.inclusion_prob, site, repl])?;
    }
    Ok(())
}

pub fn exists(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.query_row("SELECT 1 FROM wardgis_plans WHERE name = ?1", [name], |_| Ok(())).optional()?.is_some())
}

/// Deletes the plan saved by `action` (undo); returns its name, if there was one.
pub fn delete_by_action(conn: &Connection, action: i64) -> Result<Option<String>> {
    let name: Option<String> =
        conn.query_row("SELECT name FROM wardgis_plans WHERE action = ?1", [action], |r| r.get(0)).optional()?;
    if let Some(n) = &name {
        conn.execute("DELETE FROM wardgis_plan_units WHERE plan = ?1", [n])?;
        conn.execute("DELETE FROM wardgis_plans WHERE name = ?1", [n])?;
    }
    Ok(name)
}

/// One plan with its units in frame order.
pub fn read(conn: &Connection, name: &str) -> Result<PlanRecord> {
    let head = conn
        .query_row(
            "SELECT created, layers, design, params, seed, id FROM wardgis_plans WHERE name = ?1",
            [name],
            |r| {
                let text = |i| r.get::<_, String>(i);
                Ok((text(0)?, text(1)?, text(2)?, text(3)?, r.get::<_, i64>(4)?, r.get::<_, i64>(5)?))
            },
        )
        .optional()?;
    let Some((created, layers, design, params, seed, id)) = head else {
        let known: Vec<String> = list(conn)?.into_iter().map(|p| p.name).collect();
        let known = if known.is_empty() { "none yet (draw a sample first)".to_owned() } else { known.join(", ") };
        return Err(Error::Invalid(format!("no plan named `{name}`; stored plans: {known}")));
    };
    let mut stmt = conn.prepare(
        "SELECT layer, fid, stratum, inclusion_prob, site_no, replacement FROM wardgis_plan_units WHERE plan = ?1 ORDER BY id",
    )?;
    let units = stmt
        .query_map([name], |r| {
            Ok(PlanUnit {
                layer: r.get(0)?,
                fid: r.get(1)?,
                stratum: r.get(2)?,
                inclusion_prob: r.get(3)?,
                site_no: r.get::<_, Option<i64>>(4)?.map(|s| s as usize),
                replacement: r.get::<_, Option<i64>>(5)?.unwrap_or(0) != 0,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(PlanRecord {
        name: name.to_owned(),
        created: Some(super::stored(conn, "wardgis_plans", id, "created", &created)?),
        layers: parse_layers(&layers),
        design,
        params: serde_json::from_str(&params).unwrap_or(serde_json::Value::Null),
        seed: seed as u64,
        units,
    })
}

/// Every plan, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<PlanSummary>> {
    let mut stmt = conn.prepare(
        "SELECT p.name, p.created, p.layers, p.design, p.seed,
                (SELECT count(*) FROM wardgis_plan_units u WHERE u.plan = p.name),
                (SELECT count(*) FROM wardgis_plan_units u WHERE u.plan = p.name AND u.site_no IS NOT NULL AND u.replacement = 0),
                (SELECT count(*) FROM wardgis_plan_units u WHERE u.plan = p.name AND u.replacement = 1),
                p.id
         FROM wardgis_plans p ORDER BY p.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let (id, created): (i64, String) = (r.get(8)?, r.get(1)?);
        let created = match super::stored(conn, "wardgis_plans", id, "created", &created) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        Ok(Ok(PlanSummary {
            name: r.get(0)?,
            created,
            layers: parse_layers(&r.get::<_, String>(2)?),
            design: r.get(3)?,
            seed: r.get::<_, i64>(4)? as u64,
            frame_size: r.get::<_, i64>(5)? as usize,
            n: r.get::<_, i64>(6)? as usize,
            over: r.get::<_, i64>(7)? as usize,
        }))
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>()?.into_iter().collect()
}

fn parse_layers(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_else(|_| vec![s.to_owned()])
}

impl<C: WithConnection> PlanStore for C {
    fn plan(&self, name: &str) -> Result<PlanRecord> {
        self.with_conn(|c| read(c, name))
    }
    fn plan_exists(&self, name: &str) -> Result<bool> {
        self.with_conn(|c| exists(c, name))
    }
    fn plans(&self) -> Result<Vec<PlanSummary>> {
        self.with_conn(list)
    }
}

impl PlanWrites for GpkgAction<'_> {
    fn insert_plan(&mut self, plan: &PlanRecord) -> Result<()> {
        insert(&self.tx, plan, self.id)
    }
    fn delete_plans_of(&mut self, action: ActionId) -> Result<()> {
        delete_by_action(&self.tx, action).map(drop)
    }
}
