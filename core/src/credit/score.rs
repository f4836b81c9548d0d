//! A month's scores: each responsibility unit's evidence turned into points by the rules, every
//! deduction and bonus itemised and traceable to its record, caps applied and shown; ranks
//! overall and within the street and the community; stars, credit grades, and the red and
//! black lists. Pure: the same evidence and rules give the same answer, every time.

use std::collections::BTreeMap;

use serde::Serialize;

use super::rules::{ListBy, ListPer, RuleSet, TieBreak};

/// Where a line of a score comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Source {
    /// A recorded violation (its fid in the violations layer).
    Violation { id: i64, kind: String },
    /// A checklist item failed in an inspection result: the plan, the site, the item.
    FailedItem { plan: String, site_no: usize, item: String },
    /// A rectification order overdue at the month's end.
    OverdueOrder { id: i64 },
    /// A bonus record.
    Bonus { id: i64, kind: String },
}

/// The evidence of one unit in one month.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitEvidence {
    pub fid: i64,
    pub name: String,
    pub street: Option<String>,
    pub community: Option<String>,
    /// Violations: (record id, type code), in the order they happened.
    pub violations: Vec<(i64, String)>,
    /// Failed checklist items: (plan, site number, item id).
    pub failed_items: Vec<(String, usize, String)>,
    pub overdue_orders: Vec<i64>,
    /// Bonuses: (record id, type code).
    pub bonuses: Vec<(i64, String)>,
}

/// One line of a score: the record, the points it was worth, and the points counted after the
/// month's cap for its type (0 once the cap is reached).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreLine {
    pub source: Source,
    pub label_zh: String,
    /// Negative for a deduction.
    pub points: f64,
    pub counted: f64,
}

/// Which list a unit is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    Red,
    Black,
}

/// A unit's month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitScore {
    pub fid: i64,
    pub name: String,
    pub street: Option<String>,
    pub community: Option<String>,
    pub score: f64,
    pub lines: Vec<ScoreLine>,
    pub violations: usize,
    pub overdue_orders: usize,
    /// Competition ranks (equal scores share a rank; the next rank skips): overall, in the
    /// unit's street, in its community.
    pub rank: usize,
    pub rank_in_street: usize,
    pub rank_in_community: usize,
    pub stars: u8,
    pub grade: Option<String>,
    pub list: Option<ListKind>,
}

/// Scores every unit. Evidence of a type the rules do not know is an error naming the record.
pub fn score_month(units: &[UnitEvidence], rules: &RuleSet) -> crate::Result<Vec<UnitScore>> {
    let mut scores: Vec<UnitScore> = units.iter().map(|u| score_unit(u, rules)).collect::<crate::Result<_>>()?;
    rank(&mut scores);
    name_lists(&mut scores, rules);
    Ok(scores)
}

fn score_unit(u: &UnitEvidence, rules: &RuleSet) -> crate::Result<UnitScore> {
    let mut lines = Vec::new();
    // Capped per type: each record counts in full until its type's cap is used up.
    let mut used: BTreeMap<String, f64> = BTreeMap::new();
    let mut add = |source: Source, cap_key: String, label_zh: String, points: f64, cap: f64| {
        let so_far = used.entry(cap_key).or_insert(0.0);
        let counted = points.abs().min((cap - *so_far).max(0.0));
        *so_far += counted;
        lines.push(ScoreLine { source, label_zh, points, counted: counted.copysign(points) });
    };
    for (id, kind) in &u.violations {
        let rule = rules.violation(kind).ok_or_else(|| unknown(u, "violation", *id, kind, rules.violations.iter().map(|v| v.kind.as_str())))?;
        add(Source::Violation { id: *id, kind: kind.clone() }, format!("violation:{kind}"), rule.label_zh.clone(), -rule.points, rule.monthly_cap);
    }
    for (plan, site_no, item) in &u.failed_items {
        add(
            Source::FailedItem { plan: plan.clone(), site_no: *site_no, item: item.clone() },
            "inspection".into(),
            format!("检查项 {item} 不合格"),
            -rules.inspection.points,
            rules.inspection.monthly_cap,
        );
    }
    for id in &u.overdue_orders {
        add(Source::OverdueOrder { id: *id }, "overdue".into(), format!("整改单 {id} 逾期未整改"), -rules.overdue_order.points, rules.overdue_order.monthly_cap);
    }
    for (id, kind) in &u.bonuses {
        let rule = rules.bonus(kind).ok_or_else(|| unknown(u, "bonus", *id, kind, rules.bonuses.iter().map(|b| b.kind.as_str())))?;
        add(Source::Bonus { id: *id, kind: kind.clone() }, format!("bonus:{kind}"), rule.label_zh.clone(), rule.points, rule.monthly_cap);
    }
    let total: f64 = lines.iter().map(|l| l.counted).sum();
    let score = (rules.base + total).clamp(0.0, rules.base) + 0.0;
    Ok(UnitScore {
        fid: u.fid,
        name: u.name.clone(),
        street: u.street.clone(),
        community: u.community.clone(),
        score,
        lines,
        violations: u.violations.len(),
        overdue_orders: u.overdue_orders.len(),
        rank: 0,
        rank_in_street: 0,
        rank_in_community: 0,
        stars: rules.stars_for(score),
        grade: rules.grade_for(score).map(str::to_owned),
        list: None,
    })
}

fn unknown<'a>(u: &UnitEvidence, what: &str, id: i64, kind: &str, known: impl Iterator<Item = &'a str>) -> crate::Error {
    crate::Error::Invalid(format!(
        "unit `{}` (fid {}): {what} record {id} has type `{kind}`, which the rule file does not know; the types are: {}",
        u.name,
        u.fid,
        known.collect::<Vec<_>>().join(", ")
    ))
}

/// Competition ranks by score, overall and within each street and community.
fn rank(scores: &mut [UnitScore]) {
    fn ranks(scores: &[UnitScore], group: impl Fn(&UnitScore) -> Option<String>) -> Vec<usize> {
        scores
            .iter()
            .map(|s| {
                let g = group(s);
                1 + scores.iter().filter(|o| group(o) == g && o.score > s.score).count()
            })
            .collect()
    }
    let overall = ranks(scores, |_| None);
    let street = ranks(scores, |s| Some(s.street.clone().unwrap_or_default()));
    let community = ranks(scores, |s| Some(s.community.clone().unwrap_or_default()));
    for (i, s) in scores.iter_mut().enumerate() {
        s.rank = overall[i];
        s.rank_in_street = street[i];
        s.rank_in_community = community[i];
    }
}

/// The group a list's quota applies to.
fn group_of(s: &UnitScore, per: ListPer) -> String {
    match per {
        ListPer::All => String::new(),
        ListPer::Street => s.street.clone().unwrap_or_default(),
        ListPer::Community => s.community.clone().unwrap_or_default(),
    }
}

/// Orders two units of equal score by the rule's tie breaks, then by fid (so the order is
/// total and the same every time).
fn tie_order(a: &UnitScore, b: &UnitScore, breaks: &[TieBreak]) -> std::cmp::Ordering {
    for t in breaks {
        let o = match t {
            TieBreak::FewerViolations => a.violations.cmp(&b.violations),
            TieBreak::MoreViolations => b.violations.cmp(&a.violations),
            TieBreak::Name => a.name.cmp(&b.name),
        };
        if o.is_ne() {
            return o;
        }
    }
    a.fid.cmp(&b.fid)
}

fn name_lists(scores: &mut [UnitScore], rules: &RuleSet) {
    let red = &rules.red;
    let red_ok = |s: &UnitScore| {
        s.score >= red.min_score && !(red.exclude_with_overdue_order && s.overdue_orders > 0) && !(red.exclude_with_violation && s.violations > 0)
    };
    let mut red_idx: Vec<usize> = (0..scores.len()).filter(|&i| red_ok(&scores[i])).collect();
    red_idx.sort_by(|&a, &b| scores[b].score.total_cmp(&scores[a].score).then_with(|| tie_order(&scores[a], &scores[b], &red.tie_break)));
    for i in pick(scores, &red_idx, red.by, red.quota, red.per) {
        scores[i].list = Some(ListKind::Red);
    }
    let black = &rules.black;
    let mut black_idx: Vec<usize> = (0..scores.len()).filter(|&i| scores[i].score < black.max_score).collect();
    black_idx.sort_by(|&a, &b| scores[a].score.total_cmp(&scores[b].score).then_with(|| tie_order(&scores[a], &scores[b], &black.tie_break)));
    for i in pick(scores, &black_idx, black.by, black.quota, black.per) {
        scores[i].list = Some(ListKind::Black);
    }
}

/// From candidates in list order: all of them, or the first `quota` of each group.
fn pick(scores: &[UnitScore], ordered: &[usize], by: ListBy, quota: usize, per: ListPer) -> Vec<usize> {
    match by {
        ListBy::Threshold => ordered.to_vec(),
        ListBy::Quota => {
            let mut taken: BTreeMap<String, usize> = BTreeMap::new();
            ordered
                .iter()
                .copied()
                .filter(|&i| {
                    let n = taken.entry(group_of(&scores[i], per)).or_insert(0);
                    *n += 1;
                    *n <= quota
                })
                .collect()
        }
    }
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
