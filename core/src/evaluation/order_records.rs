//! Rectification orders (整改单) as records: what an order is about (plan, site, feature,
//! checklist item, the day it was opened) and every change of its state, oldest first. An
//! order's current state, deadline and responsible party are those of its latest event, so
//! the history can never disagree with the state. [`OrderStore`] is what the evaluation
//! domain needs from storage for them.
//!
//! Orders are opened by a results import (same action, so undoing the import removes them);
//! each later event (re-inspection, assignment) is an action of kind `order`, and undoing it
//! deletes the events it wrote.

use serde::{Deserialize, Serialize};

use crate::action::{ActionId, UndoRule};
use crate::dates::{Day, Timestamp};
use crate::error::{Error, Result};

/// Whether an order still needs work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderState {
    Open,
    Closed,
}

impl OrderState {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Open => "open",
            OrderState::Closed => "closed",
        }
    }

    /// The state of a stored code.
    pub fn parse(s: &str) -> Result<OrderState> {
        match s {
            "open" => Ok(OrderState::Open),
            "closed" => Ok(OrderState::Closed),
            other => Err(Error::Invalid(format!("order state `{other}` in the project file; expected open or closed"))),
        }
    }
}

/// What happened to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEventKind {
    /// A failed checklist item opened the order.
    Opened,
    /// A re-inspection found the item rectified.
    ReinspectedPassed,
    /// A re-inspection found the item still failing (the order stays or becomes open again).
    ReinspectedFailed,
    /// The responsible party or the deadline was set by hand.
    Assigned,
}

impl OrderEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderEventKind::Opened => "opened",
            OrderEventKind::ReinspectedPassed => "reinspected_passed",
            OrderEventKind::ReinspectedFailed => "reinspected_failed",
            OrderEventKind::Assigned => "assigned",
        }
    }

    /// The event kind of a stored code.
    pub fn parse(s: &str) -> Result<OrderEventKind> {
        Ok(match s {
            "opened" => OrderEventKind::Opened,
            "reinspected_passed" => OrderEventKind::ReinspectedPassed,
            "reinspected_failed" => OrderEventKind::ReinspectedFailed,
            "assigned" => OrderEventKind::Assigned,
            other => return Err(Error::Invalid(format!("order event `{other}` in the project file is not one wardgis knows"))),
        })
    }
}

/// One change of an order's state, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub kind: OrderEventKind,
    /// The day it happened: the inspection or re-inspection date.
    pub on: Day,
    /// The state after the event.
    pub state: OrderState,
    /// The deadline after the event.
    pub deadline: Day,
    /// Who must rectify, after the event; empty when nobody is assigned.
    pub responsible: String,
    /// The item's score at a (re-)inspection.
    pub score: Option<f64>,
    pub note: String,
    /// When wardgis recorded it.
    pub recorded_at: Timestamp,
}

/// An order to open: what failed, where, and its first event.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub plan: String,
    pub site_no: usize,
    pub layer: String,
    pub fid: i64,
    /// The checklist item that failed; empty for a site failed as a whole with no item below
    /// its maximum.
    pub item_id: String,
    pub opened: OrderEvent,
}

/// A stored order with its whole history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: i64,
    pub plan: String,
    pub site_no: usize,
    pub layer: String,
    pub fid: i64,
    pub item_id: String,
    pub opened_on: Day,
    /// Oldest first; never empty.
    pub history: Vec<OrderEvent>,
}

impl Order {
    /// The latest event: the order's current state.
    pub fn current(&self) -> &OrderEvent {
        self.history.last().expect("an order has at least its opening event")
    }
}

/// What rectification orders need from storage.
pub trait OrderStore {
    /// Every order (of one plan, or all), oldest first, each with its history.
    fn orders(&self, plan: Option<&str>) -> Result<Vec<Order>>;
    /// One order with its history; `None` when there is none with that id.
    fn order(&self, id: i64) -> Result<Option<Order>>;
}

/// Writing orders, inside an action.
pub trait OrderWrites {
    /// Opens orders as part of the current action; returns their ids.
    fn insert_orders(&mut self, orders: &[NewOrder]) -> Result<Vec<i64>>;
    /// Appends an event to an order's history as part of the current action.
    fn add_order_event(&mut self, order: i64, event: &OrderEvent) -> Result<()>;
    /// Deletes the events `action` wrote, then the orders it opened (its undo); refuses when
    /// a later event of another action refers to one of those orders.
    fn delete_orders_of(&mut self, action: ActionId) -> Result<()>;
}

/// Undoing a re-inspection or assignment deletes the events it wrote.
pub const UNDO_ORDER_EVENTS: UndoRule = UndoRule::DeleteRecords(|store, action| store.delete_orders_of(action));
