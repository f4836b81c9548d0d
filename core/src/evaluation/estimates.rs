//! Estimates from a plan's stored results: the mean score (as % of the maximum) and the pass
//! rate, per stratum and overall, with confidence intervals, by [`crate::estimate`].
//!
//! Each inspected site (base or replacement) is one observation with its plan unit's
//! inclusion probability π and stratum; sites not visited are left out (missing at random
//! within their stratum). Strata sizes N_h are counted from the plan's frame snapshot. The
//! variance follows the plan's design: the stratified (SRS within strata, with finite
//! population correction) variance for `srs` and `stratified` plans, the local neighbourhood
//! variance for `grts` plans (see [`crate::estimate`]). Intervals are normal (estimate ±
//! z·SE) clipped to the possible range: 0..100 % for scores, 0..1 for pass rates.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::estimate::{estimate_mean, estimate_proportion, Estimate, Observation, VarianceMethod};
use crate::Project;

use super::table_file::{Cell, Table};

/// One line of the table: a stratum (or the whole frame, `stratum` = [`OVERALL`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EstimateRow {
    pub stratum: String,
    /// Inspected sites.
    pub n: usize,
    /// Units in the frame.
    pub big_n: u64,
    /// Mean score, % of the maximum.
    pub mean_score: Estimate,
    /// Pass rate, 0..1.
    pub pass_rate: Estimate,
}

/// The stratum name of the overall row.
pub const OVERALL: &str = "overall";

/// The variance method of a plan's design.
pub fn method_for(design: &str) -> VarianceMethod {
    if design == "grts" {
        VarianceMethod::LocalNeighbourhood
    } else {
        VarianceMethod::Stratified
    }
}

/// Per-stratum rows (when the plan has strata) then the overall row, at level `conf`.
pub fn plan_estimates(project: &Project, plan_name: &str, conf: f64) -> Result<Vec<EstimateRow>> {
    let plan = project.plan(plan_name)?;
    let results = project.results(plan_name)?;
    if results.is_empty() {
        return Err(Error::Invalid(format!(
            "plan `{plan_name}` has no results; import its filled field workbook first"
        )));
    }
    let mut sizes: BTreeMap<String, u64> = BTreeMap::new();
    for u in &plan.units {
        *sizes.entry(u.stratum.clone().unwrap_or_default()).or_default() += 1;
    }
    let units: BTreeMap<usize, &crate::sampling::plan::PlanUnit> =
        plan.units.iter().filter_map(|u| u.site_no.map(|s| (s, u))).collect();
    let (mut scores, mut passes) = (Vec::new(), Vec::new());
    for r in results.iter().filter(|r| r.visited) {
        let u = units[&r.site_no];
        let f = project.feature(&u.layer, u.fid)?;
        let c = super::workbook::position(&f.geometry).unwrap_or_default();
        let (Some(total), Some(max)) = (r.total_score, r.max_score) else { continue };
        let o = |value: f64| Observation {
            value,
            inclusion_prob: u.inclusion_prob,
            stratum: u.stratum.clone().unwrap_or_default(),
            lon: c.x,
            lat: c.y,
        };
        scores.push(o(if max > 0.0 { 100.0 * total / max } else { 0.0 }));
        passes.push(o(if r.passed == Some(true) { 1.0 } else { 0.0 }));
    }
    let method = method_for(&plan.design);
    let mut mean = estimate_mean(&scores, &sizes, method, conf)?;
    // A score is 0..100 % of the maximum: the normal interval is clipped to that range, as
    // the pass rate's is to [0, 1].
    for e in mean.by_stratum.values_mut().chain(std::iter::once(&mut mean.overall)) {
        e.ci_low = e.ci_low.clamp(0.0, 100.0);
        e.ci_high = e.ci_high.clamp(0.0, 100.0);
    }
    let pass = estimate_proportion(&passes, &sizes, method, conf)?;
    let mut rows = Vec::new();
    let stratified = sizes.len() > 1 || !sizes.contains_key("");
    if stratified {
        for (name, m) in &mean.by_stratum {
            rows.push(EstimateRow {
                stratum: name.clone(),
                n: m.n,
                big_n: sizes[name],
                mean_score: *m,
                pass_rate: pass.by_stratum[name],
            });
        }
    }
    rows.push(EstimateRow {
        stratum: OVERALL.into(),
        n: mean.overall.n,
        big_n: sizes.values().sum(),
        mean_score: mean.overall,
        pass_rate: pass.overall,
    });
    Ok(rows)
}

/// The table: stratum, n, N, mean_score, mean_ci_low, mean_ci_high, pass_rate, pass_ci_low,
/// pass_ci_high (scores in % of the maximum, rates as fractions), for CSV or XLSX.
pub fn estimates_table(rows: &[EstimateRow]) -> Table {
    let headers = ["stratum", "n", "N", "mean_score", "mean_ci_low", "mean_ci_high", "pass_rate", "pass_ci_low", "pass_ci_high"];
    Table {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                let (m, p) = (&r.mean_score, &r.pass_rate);
                vec![
                    Cell::from(r.stratum.as_str()),
                    Cell::from(r.n as f64),
                    Cell::from(r.big_n as f64),
                    Cell::from(m.estimate),
                    Cell::from(m.ci_low),
                    Cell::from(m.ci_high),
                    Cell::from(p.estimate),
                    Cell::from(p.ci_low),
                    Cell::from(p.ci_high),
                ]
            })
            .collect(),
    }
}

/// The table as CSV (see [`estimates_table`]).
pub fn estimates_csv(rows: &[EstimateRow]) -> String {
    estimates_table(rows).to_csv()
}
