//! Inspection results of a plan as records: one per site used (visited, or not visited with
//! the reason), each visited site's score per checklist item. One import is one action of
//! kind `results`; undoing it deletes what it wrote (and the orders it opened).
//! [`ResultStore`] is what the evaluation domain needs from storage for them.

use serde::{Deserialize, Serialize};

use crate::action::{ActionId, UndoRule};
use crate::dates::Day;
use crate::error::Result;

/// One checklist item's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    pub item_id: String,
    pub score: f64,
    pub max_points: f64,
}

/// The result of one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteResult {
    pub site_no: usize,
    pub layer: String,
    pub fid: i64,
    pub visited: bool,
    /// Why the site was not visited (empty when visited).
    pub reason: String,
    /// `None` for a site not visited.
    pub passed: Option<bool>,
    pub total_score: Option<f64>,
    pub max_score: Option<f64>,
    /// `None` for a site not visited without a date.
    pub inspected_on: Option<Day>,
    pub note: String,
    pub items: Vec<ItemScore>,
}

/// What inspection results need from storage.
pub trait ResultStore {
    /// A plan's stored results, in site order, with their item scores.
    fn results(&self, plan: &str) -> Result<Vec<SiteResult>>;
    /// How many site results a plan has.
    fn result_count(&self, plan: &str) -> Result<usize>;
}

/// Writing results, inside an action.
pub trait ResultWrites {
    /// Stores a plan's results as part of the current action.
    fn insert_results(&mut self, plan: &str, results: &[SiteResult]) -> Result<()>;
    /// Deletes the results `action` wrote (its undo).
    fn delete_results_of(&mut self, action: ActionId) -> Result<()>;
}

/// Undoing a results import deletes the orders it opened, then the results.
pub const UNDO_RESULTS: UndoRule = UndoRule::DeleteRecords(|store, action| {
    store.delete_orders_of(action)?;
    store.delete_results_of(action)
});
