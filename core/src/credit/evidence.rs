//! A month's evidence per responsibility unit, gathered from the project's records: the
//! checklist items its inspections that month failed (the evaluation results) and the
//! rectification orders overdue at the month's end, as they stood then. Violations and bonuses
//! join when their records are stored (session-notes/issue15-plan.md).

use std::collections::BTreeMap;

use time::Month;

use super::score::UnitEvidence;
use crate::dates::Day;
use crate::evaluation::order_records::{Order, OrderState};
use crate::project::Project;
use crate::store::Storage;
use crate::{Error, Result};

/// The layer of the units the lists rank.
pub const UNIT_LAYER: &str = "responsibility_units";

/// A calendar month, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScoreMonth {
    year: i32,
    month: Month,
}

impl ScoreMonth {
    /// Reads `YYYY-MM` (`2026-05`).
    pub fn parse(text: &str) -> Result<ScoreMonth> {
        let bad = || Error::Invalid(format!("month `{text}`: expected YYYY-MM, such as 2026-05"));
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month = m.parse::<u8>().ok().and_then(|m| Month::try_from(m).ok()).ok_or_else(bad)?;
        Ok(ScoreMonth { year, month })
    }

    pub fn first_day(self) -> Day {
        Day::new(time::Date::from_calendar_date(self.year, self.month, 1).expect("the 1st exists"))
    }

    pub fn last_day(self) -> Day {
        let days = self.month.length(self.year);
        Day::new(time::Date::from_calendar_date(self.year, self.month, days).expect("the month's last day exists"))
    }

    pub fn contains(self, day: Day) -> bool {
        day >= self.first_day() && day <= self.last_day()
    }
}

impl std::fmt::Display for ScoreMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month as u8)
    }
}

/// Whether `order` was open past its deadline at the end of `day`, by the events that had
/// happened by then (an order closed in June was still overdue at the end of May).
pub fn overdue_on(order: &Order, day: Day) -> bool {
    match order.history.iter().rev().find(|e| e.on <= day) {
        Some(e) => e.state == OrderState::Open && e.deadline < day,
        None => false,
    }
}

/// Every unit of [`UNIT_LAYER`] with its evidence of `month`: failed checklist items of results
/// inspected that month, and orders overdue at its last day. Units without evidence are there
/// too (they keep the base score).
pub fn month_evidence<S: Storage>(project: &Project<S>, month: ScoreMonth) -> Result<Vec<UnitEvidence>> {
    let kind = project.catalog().kind(UNIT_LAYER)?;
    let text = |f: &crate::feature::Feature, field: &str| {
        kind.field(field).and_then(|_| f.get(field).as_str().map(str::to_owned)).filter(|s| !s.trim().is_empty())
    };
    let mut units: BTreeMap<i64, UnitEvidence> = BTreeMap::new();
    for f in project.features(UNIT_LAYER)? {
        let fid = f.fid.unwrap_or_default();
        units.insert(
            fid,
            UnitEvidence {
                fid,
                name: f.name().map(str::to_owned).unwrap_or_else(|| format!("#{fid}")),
                street: text(&f, "street"),
                community: text(&f, "community"),
                ..Default::default()
            },
        );
    }
    for plan in project.plans()? {
        for r in project.results(&plan.name)? {
            if r.layer != UNIT_LAYER || !r.inspected_on.is_some_and(|d| month.contains(d)) {
                continue;
            }
            let Some(unit) = units.get_mut(&r.fid) else { continue };
            for item in r.items.iter().filter(|i| i.score < i.max_points) {
                unit.failed_items.push((plan.name.clone(), r.site_no, item.item_id.clone()));
            }
        }
    }
    let last = month.last_day();
    for order in project.orders(None)? {
        if order.layer == UNIT_LAYER && overdue_on(&order, last) {
            if let Some(unit) = units.get_mut(&order.fid) {
                unit.overdue_orders.push(order.id);
            }
        }
    }
    Ok(units.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_read_and_bound_their_days() {
        let m = ScoreMonth::parse("2026-02").unwrap();
        assert_eq!((m.to_string(), m.first_day().to_string(), m.last_day().to_string()), ("2026-02".into(), "2026-02-01".into(), "2026-02-28".into()));
        assert_eq!(ScoreMonth::parse("2028-02").unwrap().last_day().to_string(), "2028-02-29");
        assert!(m.contains("2026-02-28".parse().unwrap()) && !m.contains("2026-03-01".parse().unwrap()));
        for bad in ["2026-13", "2026-5", "26-05", "2026/05", ""] {
            let e = ScoreMonth::parse(bad).unwrap_err().to_string();
            assert!(e.contains("YYYY-MM"), "{bad}: {e}");
        }
    }

    #[test]
    fn an_order_is_overdue_at_a_months_end_as_it_stood_then() {
        use crate::evaluation::order_records::{OrderEvent, OrderEventKind};
        let day = |s: &str| -> Day { s.parse().unwrap() };
        let event = |kind, on: &str, state, deadline: &str| OrderEvent {
            kind,
            on: day(on),
            state,
            deadline: day(deadline),
            responsible: String::new(),
            score: None,
            note: String::new(),
            recorded_at: crate::dates::Timestamp::now(),
        };
        let order = Order {
            id: 1,
            plan: "p".into(),
            site_no: 1,
            layer: UNIT_LAYER.into(),
            fid: 3,
            item_id: "RU-01".into(),
            opened_on: day("2026-04-20"),
            history: vec![
                event(OrderEventKind::Opened, "2026-04-20", OrderState::Open, "2026-04-27"),
                event(OrderEventKind::ReinspectedPassed, "2026-06-03", OrderState::Closed, "2026-04-27"),
            ],
        };
        assert!(!overdue_on(&order, day("2026-03-31")), "not opened yet");
        assert!(!overdue_on(&order, day("2026-04-27")), "due that day, not past it");
        assert!(overdue_on(&order, day("2026-04-30")));
        assert!(overdue_on(&order, day("2026-05-31")), "closed only in June");
        assert!(!overdue_on(&order, day("2026-06-30")));
    }

    #[test]
    fn the_demo_units_all_have_evidence_rows_and_score_at_the_base_without_records() {
        let dir = tempfile::tempdir().unwrap();
        let p = crate::demo::create_project(&dir.path().join("d.gpkg"), crate::Catalog::embedded(), 20220101).unwrap();
        let units = month_evidence(&p, ScoreMonth::parse("2026-05").unwrap()).unwrap();
        assert_eq!(units.len() as u64, p.count(UNIT_LAYER).unwrap());
        assert!(units.iter().all(|u| u.street.is_some() && u.failed_items.is_empty() && u.overdue_orders.is_empty()));
        let scores = super::super::score::score_month(&units, &super::super::rules::RuleSet::draft()).unwrap();
        assert!(scores.iter().all(|s| s.score == 100.0 && s.rank == 1));
    }
}
