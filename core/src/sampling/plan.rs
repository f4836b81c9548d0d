//! A drawn sample as a plan to store: the frame snapshot with every unit's π, the sites, and
//! the parameters that reproduce the draw (design spec, frame spec, seed).

use serde_json::json;

use super::{DesignSpec, Frame, FrameSpec, Sample};
use crate::store::{PlanRecord, PlanUnit};

/// The record [`crate::Project::save_plan`] stores for `sample`, drawn from `frame` (built by
/// `frame_spec`) with `spec` and `seed`. `created` is left for the store to fill.
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
        created: String::new(),
        layers: frame_spec.layers.clone(),
        design: spec.design.name().to_owned(),
        params: json!({ "design": spec, "frame": frame_spec, "allocation": sample.allocation }),
        seed,
        units,
    }
}
