//! Actions: one user step (an import, an edit, a spatial join, a unit grid, a saved plan, a
//! results import, a re-inspection, an undo, a redo) is one action — one transaction in the
//! store, one row in the project's history, and one undo.
//!
//! Each kind is a variant of [`ActionKind`], and what undoing it means is declared by the
//! domain that owns its records ([`ActionKind::undo_rule`]): feature edits are replayed
//! backwards from the edit log; a plan, a results import or an order event is undone by
//! deleting the records the action wrote. A new domain adds its kind here and its rule in
//! its own module; the compiler then points at every place that must handle it.
//!
//! Redo re-applies the most recently undone action while nothing but undos and redos came
//! after its undo (a new action clears what can be redone, as in every editor): feature edits
//! are replayed forwards from the edit log (an insert's rows from the undo's log, which kept
//! them), with the same checks against other programs' changes as undo. Kinds undone by
//! deleting their records cannot be redone (the records are gone); the user makes them again.

use serde::Serialize;

use crate::error::Result;
use crate::store::ActionWrites;

/// An action's id: its row in the store's history, increasing with time.
pub type ActionId = i64;

/// What kind of step an action was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    /// Features added to a layer (an import, a drawn feature, the demo's layers).
    Insert,
    /// A feature's geometry or attributes replaced.
    Update,
    /// Features removed.
    Delete,
    /// The reversal of an earlier action.
    Undo,
    /// An undone action applied again (it may then be undone again).
    Redo,
    /// A sampling plan saved.
    Plan,
    /// A plan's inspection results imported, with the rectification orders they opened.
    Results,
    /// Rectification order events: re-inspections or assignments.
    Order,
    /// A spatial join: fields of many features of one layer set from the polygons holding them.
    Join,
    /// The unit grid made anew: the old cells deleted and the new ones inserted.
    Grid,
}

impl ActionKind {
    /// Every kind, for listings and tests.
    pub const ALL: [ActionKind; 10] = [
        ActionKind::Insert,
        ActionKind::Update,
        ActionKind::Delete,
        ActionKind::Undo,
        ActionKind::Redo,
        ActionKind::Plan,
        ActionKind::Results,
        ActionKind::Order,
        ActionKind::Join,
        ActionKind::Grid,
    ];

    /// The code stored in the project's history (`wardgis_actions.kind`) and printed by
    /// `history`; fixed forever, since files written today are read by later versions.
    pub fn code(self) -> &'static str {
        match self {
            ActionKind::Insert => "insert",
            ActionKind::Update => "update",
            ActionKind::Delete => "delete",
            ActionKind::Undo => "undo",
            ActionKind::Redo => "redo",
            ActionKind::Plan => "plan",
            ActionKind::Results => "results",
            ActionKind::Order => "order",
            ActionKind::Join => "join",
            ActionKind::Grid => "grid",
        }
    }

    /// The kind of a stored code; `None` for a code this version does not know.
    pub fn from_code(code: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// How an action of this kind is undone, as its domain declares it.
    pub fn undo_rule(self) -> UndoRule {
        match self {
            // A join and a grid change features only, through the logged feature writes.
            ActionKind::Insert | ActionKind::Update | ActionKind::Delete | ActionKind::Join | ActionKind::Grid => {
                UndoRule::ReplayEdits
            }
            // Undoing after a redo takes back the redone action itself (it is undoable again).
            ActionKind::Undo | ActionKind::Redo => UndoRule::NotUndoable,
            ActionKind::Plan => crate::sampling::plan::UNDO_PLAN,
            ActionKind::Results => crate::evaluation::site_results::UNDO_RESULTS,
            ActionKind::Order => crate::evaluation::order_records::UNDO_ORDER_EVENTS,
        }
    }
}

impl std::fmt::Display for ActionKind {
    /// The stored code, padded as the format asks (`history` aligns its columns).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.code())
    }
}

/// How an action is undone.
#[derive(Clone, Copy)]
pub enum UndoRule {
    /// Replay the edit log's feature changes backwards (deleting what was inserted,
    /// restoring what was updated or deleted).
    ReplayEdits,
    /// Delete the records the action wrote, by its id; the action changed no feature.
    DeleteRecords(fn(&mut dyn ActionWrites, ActionId) -> Result<()>),
    /// Undos and redos are not undone themselves (the history keeps them): undo after a redo
    /// takes back the redone action.
    NotUndoable,
}

impl std::fmt::Debug for UndoRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UndoRule::ReplayEdits => "ReplayEdits",
            UndoRule::DeleteRecords(_) => "DeleteRecords",
            UndoRule::NotUndoable => "NotUndoable",
        })
    }
}

/// One action as the history lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub id: ActionId,
    /// When it was committed.
    pub at: crate::dates::Timestamp,
    pub kind: ActionKind,
    /// The layer it changed, for feature edits.
    pub layer: Option<String>,
    pub summary: String,
    /// The id of the undo action that reversed this one, if any.
    pub undone_by: Option<ActionId>,
}

/// What a logged change did to one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Insert,
    Update,
    Delete,
}

impl Op {
    pub fn code(self) -> &'static str {
        match self {
            Op::Insert => "insert",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }
    pub fn from_code(s: &str) -> Option<Op> {
        [Op::Insert, Op::Update, Op::Delete].into_iter().find(|o| o.code() == s)
    }
}

/// One logged change of one feature: the feature as it was and as it became (GeoJSON
/// Feature values; an insert logged by fid alone has neither).
#[derive(Debug, Clone)]
pub struct Change {
    pub layer: String,
    pub fid: i64,
    pub op: Op,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// What the history needs from storage.
pub trait ActionLog {
    /// The most recent action that has not been undone and is not itself an undo or a redo.
    fn last_undoable(&self) -> Result<Option<Action>>;
    /// The action a redo would apply again: the target of the latest undo that has not been
    /// redone, provided only undos and redos were recorded after that undo (its
    /// `undone_by` names the undo). `None` when there is nothing to redo.
    fn last_redoable(&self) -> Result<Option<Action>>;
    /// The feature changes of one action, in the order they were made.
    fn changes(&self, action: ActionId) -> Result<Vec<Change>>;
    /// The latest `limit` actions, newest first.
    fn history(&self, limit: usize) -> Result<Vec<Action>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_distinct() {
        for k in ActionKind::ALL {
            assert_eq!(ActionKind::from_code(k.code()), Some(k));
        }
        let mut codes: Vec<_> = ActionKind::ALL.iter().map(|k| k.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), ActionKind::ALL.len());
        assert_eq!(ActionKind::from_code("frobnicate"), None);
    }

    #[test]
    fn only_undo_and_redo_are_not_undoable() {
        for k in ActionKind::ALL {
            let not = matches!(k, ActionKind::Undo | ActionKind::Redo);
            assert_eq!(matches!(k.undo_rule(), UndoRule::NotUndoable), not, "{k}");
        }
        // Stored in files: fixed forever.
        assert_eq!(ActionKind::Redo.code(), "redo");
    }
}
