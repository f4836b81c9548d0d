//! A drawn sample as a plan to store: the frame snapshot with every unit's π, the sites, and
//! the parameters that reproduce the draw (design spec, frame spec, seed). The plan records
//! ([`PlanRecord`]) and what storing them needs ([`PlanStore`], [`PlanWrites`]) live here.
//! The snapshot of the whole frame, not just the sample, is kept because the estimates need
//! every unit's π and the frame size, and the layers change after the draw.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::action::{ActionId, UndoRule};
use crate::dates::Timestamp;
use crate::error::Result;

use super::{DesignSpec, Frame, FrameSpec, Sample};

/// The record [`crate::Project::save_plan`] stores for `sample`, drawn from `frame` (built by
/// `frame_spec`) with `spec` and `seed`. `created` is left for [`crate::Project::save_plan`] to fill.
pub fn plan_record(name: &str, frame_spec: &FrameSpec, spec: &DesignSpec, seed: u64, frame: &Frame, sample: &Sample) -> PlanRecord {
    let mut units: Vec<PlanUnit> = frame
        .units
        .iter()
        .zip(&sample.inclusion_probs)
        .map(|(u, &pi)| PlanUnit {
            layer: u.layer.clone(),
            fid: u.fid,
            stratum: u.stratum.clone(),
            inclusion_prob: pi,
            site_no: None,
            replacement: false,
        })
        .collect();
    for s in &sample.sites {
        units[s.unit].site_no = Some(s.site_no);
        units[s.unit].replacement = s.replacement;
    }
    PlanRecord {
        name: name.to_owned(),
        created: None,
        layers: frame_spec.layers.clone(),
        design: spec.design.name().to_owned(),
        params: json!({ "design": spec, "frame": frame_spec, "allocation": sample.allocation }),
        seed,
        units,
    }
}

/// One frame unit of a stored plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanUnit {
    pub layer: String,
    pub fid: i64,
    pub stratum: Option<String>,
    pub inclusion_prob: f64,
    /// The site number when the unit was sampled (base or replacement), else `None`.
    pub site_no: Option<usize>,
    /// True for an over-sample (replacement) site; false otherwise.
    pub replacement: bool,
}

/// A stored plan: how it was drawn and the snapshot of its frame, in frame order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRecord {
    pub name: String,
    /// When it was saved; filled in by [`crate::Project::save_plan`] when `None`, so always
    /// set on a stored plan.
    pub created: Option<Timestamp>,
    pub layers: Vec<String>,
    /// `srs`, `stratified` or `grts`.
    pub design: String,
    /// JSON: the design spec, the frame spec (filters, strata source, prob field).
    pub params: serde_json::Value,
    pub seed: u64,
    pub units: Vec<PlanUnit>,
}

impl PlanRecord {
    /// The sampled units (base then replacement), in site-number order.
    pub fn sites(&self) -> Vec<&PlanUnit> {
        let mut s: Vec<&PlanUnit> = self.units.iter().filter(|u| u.site_no.is_some()).collect();
        s.sort_by_key(|u| u.site_no);
        s
    }
}

/// A plan as listed: no units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub name: String,
    pub created: Timestamp,
    pub layers: Vec<String>,
    pub design: String,
    pub seed: u64,
    /// Units in the frame, N.
    pub frame_size: usize,
    /// Base sites, n.
    pub n: usize,
    /// Replacement sites.
    pub over: usize,
}

/// What sampling plans need from storage.
pub trait PlanStore {
    /// One plan with its units in frame order; the error lists the stored plans.
    fn plan(&self, name: &str) -> Result<PlanRecord>;
    /// Whether a plan of that name is stored.
    fn plan_exists(&self, name: &str) -> Result<bool>;
    /// Every stored plan, oldest first.
    fn plans(&self) -> Result<Vec<PlanSummary>>;
}

/// Writing plans, inside an action.
pub trait PlanWrites {
    /// Stores a plan as part of the current action.
    fn insert_plan(&mut self, plan: &PlanRecord) -> Result<()>;
    /// Deletes the plan `action` saved (its undo).
    fn delete_plans_of(&mut self, action: ActionId) -> Result<()>;
}

/// Undoing a saved plan deletes it (nothing else refers to it until results are imported,
/// and those are later actions, undone first).
pub const UNDO_PLAN: UndoRule = UndoRule::DeleteRecords(|store, action| store.delete_plans_of(action));
