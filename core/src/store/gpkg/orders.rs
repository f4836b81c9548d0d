//! Rectification orders (整改单): `wardgis_orders` holds what an order is about (plan, site,
//! feature, checklist item, the day it was opened, the action that opened it);
//! `wardgis_order_events` holds every change of its state, oldest first. An order's current
//! state, deadline and responsible party are those of its latest event, so the history can
//! never disagree with the state.
//!
//! Orders are opened by a results import (same action, so undoing the import removes them);
//! each later event (re-inspection, assignment) is an action of kind `order`, and undoing it
//! deletes the events it wrote.

use rusqlite::{params, Connection, OptionalExtension};

use crate::action::ActionId;
use crate::error::{Error, Result};
use crate::evaluation::order_records::{NewOrder, Order, OrderEvent, OrderEventKind, OrderState, OrderStore, OrderWrites};

use super::{GpkgAction, WithConnection};
/// The two tables; idempotent; registered as `attributes` so GDAL and QGIS list them.
pub fn create_tables(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS wardgis_orders (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            plan TEXT NOT NULL,
            site_no INTEGER NOT NULL,
            layer TEXT NOT NULL,
            fid INTEGER NOT NULL,
            item_id TEXT NOT NULL,
            opened_on TEXT NOT NULL,
            action INTEGER REFERENCES wardgis_actions(id)
        );
        CREATE INDEX IF NOT EXISTS wardgis_orders_plan ON wardgis_orders(plan);
        CREATE TABLE IF NOT EXISTS wardgis_order_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            order_id INTEGER NOT NULL REFERENCES wardgis_orders(id),
            event TEXT NOT NULL,
            on_date TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
            deadline TEXT NOT NULL,
            responsible TEXT,
            score REAL,
            note TEXT,
            recorded_at TEXT NOT NULL,
            action INTEGER REFERENCES wardgis_actions(id)
        );
        CREATE INDEX IF NOT EXISTS wardgis_order_events_order ON wardgis_order_events(order_id);",
    )?;
    super::schema::register_attributes(
        conn,
        &[
            ("wardgis_orders", "wardgis: rectification orders opened by failed checklist items"),
            ("wardgis_order_events", "wardgis: every change of a rectification order's state (its history)"),
        ],
    )
}

/// Opens orders inside the caller's transaction, tied to `action`; returns their ids.
pub fn insert(conn: &Connection, orders: &[NewOrder], action: i64) -> Result<Vec<i64>> {
    let mut head = conn.prepare(
        "INSERT INTO wardgis_orders (plan, site_no, layer, fid, item_id, opened_on, action) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut ids = Vec::with_capacity(orders.len());
    for o in orders {
        head.execute(params![o.plan, o.site_no as i64, o.layer, o.fid, o.item_id, o.opened.on.to_string(), action])?;
        let id = conn.last_insert_rowid();
        add_event(conn, id, &o.opened, action)?;
        ids.push(id);
    }
    Ok(ids)
}

/// Appends one event to an order's history, tied to `action`.
pub fn add_event(conn: &Connection, order_id: i64, e: &OrderEvent, action: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO wardgis_order_events (order_id, event, on_date, state, deadline, responsible, score, note, recorded_at, action)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            order_id,
            e.kind.as_str(),
            e.on.to_string(),
            e.state.as_str(),
            e.deadline.to_string(),
            (!e.responsible.is_empty()).then_some(&e.responsible),
            e.score,
            (!e.note.is_empty()).then_some(&e.note),
            e.recorded_at.to_string(),
            action
        ],
    )?;
    Ok(())
}

/// Undo: deletes the events `action` wrote, then the orders it opened.
pub fn delete_by_action(conn: &Connection, action: i64) -> Result<usize> {
    conn.execute("DELETE FROM wardgis_order_events WHERE action = ?1", [action])?;
    let orphans = conn.query_row(
        "SELECT count(*) FROM wardgis_order_events WHERE order_id IN (SELECT id FROM wardgis_orders WHERE action = ?1)",
        [action],
        |r| r.get::<_, i64>(0),
    )?;
    // Undo takes actions newest first, so later events are gone by now; this guards against a
    // file edited by another program.
    if orphans > 0 {
        return Err(Error::Invalid(format!(
            "action #{action} opened orders that later actions changed; undo those first"
        )));
    }
    Ok(conn.execute("DELETE FROM wardgis_orders WHERE action = ?1", [action])?)
}

/// Every order (optionally of one plan), oldest first, each with its history.
pub fn read_all(conn: &Connection, plan: Option<&str>) -> Result<Vec<Order>> {
    let mut stmt = conn.prepare(
        "SELECT id, plan, site_no, layer, fid, item_id, opened_on FROM wardgis_orders
         WHERE ?1 IS NULL OR plan = ?1 ORDER BY id",
    )?;
    let heads = stmt.query_map([plan], head)?.collect::<rusqlite::Result<Vec<_>>>()?;
    heads.into_iter().map(|o| with_history(conn, o)).collect()
}

/// One order with its history; `None` when there is no order with that id.
pub fn read(conn: &Connection, id: i64) -> Result<Option<Order>> {
    let o = conn
        .query_row("SELECT id, plan, site_no, layer, fid, item_id, opened_on FROM wardgis_orders WHERE id = ?1", [id], head)
        .optional()?;
    o.map(|o| with_history(conn, o)).transpose()
}

/// An order's row as stored: the order without its history, and `opened_on` as text.
struct Head {
    id: i64,
    plan: String,
    site_no: usize,
    layer: String,
    fid: i64,
    item_id: String,
    opened_on: String,
}

fn head(r: &rusqlite::Row<'_>) -> rusqlite::Result<Head> {
    Ok(Head {
        id: r.get(0)?,
        plan: r.get(1)?,
        site_no: r.get::<_, i64>(2)? as usize,
        layer: r.get(3)?,
        fid: r.get(4)?,
        item_id: r.get(5)?,
        opened_on: r.get(6)?,
    })
}

fn with_history(conn: &Connection, h: Head) -> Result<Order> {
    let mut o = Order {
        id: h.id,
        plan: h.plan,
        site_no: h.site_no,
        layer: h.layer,
        fid: h.fid,
        item_id: h.item_id,
        opened_on: super::stored(conn, "wardgis_orders", h.id, "opened_on", &h.opened_on)?,
        history: Vec::new(),
    };
    let mut stmt = conn.prepare_cached(
        "SELECT event, on_date, state, deadline, responsible, score, note, recorded_at, id
         FROM wardgis_order_events WHERE order_id = ?1 ORDER BY id",
    )?;
    let raw = stmt
        .query_map([o.id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<f64>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, i64>(8)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (kind, on, state, deadline, responsible, score, note, recorded_at, row) in raw {
        const EVENTS: &str = "wardgis_order_events";
        o.history.push(OrderEvent {
            kind: OrderEventKind::parse(&kind)?,
            on: super::stored(conn, EVENTS, row, "on_date", &on)?,
            state: OrderState::parse(&state)?,
            deadline: super::stored(conn, EVENTS, row, "deadline", &deadline)?,
            responsible: responsible.unwrap_or_default(),
            score,
            note: note.unwrap_or_default(),
            recorded_at: super::stored(conn, EVENTS, row, "recorded_at", &recorded_at)?,
        });
    }
    if o.history.is_empty() {
        return Err(Error::Invalid(format!("order {} has no history in the project file; it was written by another program", o.id)));
    }
    Ok(o)
}

impl<C: WithConnection> OrderStore for C {
    fn orders(&self, plan: Option<&str>) -> Result<Vec<Order>> {
        self.with_conn(|c| read_all(c, plan))
    }
    fn order(&self, id: i64) -> Result<Option<Order>> {
        self.with_conn(|c| read(c, id))
    }
}

impl OrderWrites for GpkgAction<'_> {
    fn insert_orders(&mut self, orders: &[NewOrder]) -> Result<Vec<i64>> {
        insert(&self.tx, orders, self.id)
    }
    fn add_order_event(&mut self, order: i64, event: &OrderEvent) -> Result<()> {
        add_event(&self.tx, order, event, self.id)
    }
    fn delete_orders_of(&mut self, action: ActionId) -> Result<()> {
        delete_by_action(&self.tx, action).map(drop)
    }
}
