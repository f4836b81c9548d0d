//! Rectification orders (整改单): the closed loop of "现场检查 … 闭环整改" — no failure is
//! forgotten.
//!
//! # The rules
//!
//! - **Opening.** Importing a plan's results opens one order per checklist item scored below
//!   its maximum at a visited site (a site marked failed with every item at full points opens
//!   one order for the site as a whole, item id empty). The order is opened on the inspection
//!   date; its deadline is that date plus the item's `deadline_days` from the catalog, or
//!   [`DEFAULT_DEADLINE_DAYS`] where the catalog gives none. Its responsible party is the
//!   value of the layer's `responsible_field` (e.g. a billboard's `owner`, a shop's own
//!   `name`); layers without one open the order unassigned ([`assign`] sets it).
//! - **Re-inspection** ([`reinspect`]). Passing closes an open order (the deadline stays as it
//!   was, so a late rectification still shows as late in the history). Failing keeps an open
//!   order open with its deadline unchanged (an order past its deadline stays overdue; extend
//!   it by hand with [`assign`] if the bureau grants more time), or re-opens a closed one with a
//!   new deadline counted from the re-inspection date. A passing re-inspection of a closed
//!   order is recorded as a confirmation. A re-inspection may not be dated before the order's
//!   latest inspection.
//! - **Overdue**: open, and the deadline is before the day in question (an order due today is
//!   not overdue yet).
//!
//! Every change is one event in the order's history ([`crate::evaluation::Order::history`]) and
//! one undoable action.

use crate::catalog::LayerKind;
use crate::error::{Error, Result};
use crate::evaluation::{NewOrder, Order, OrderEvent, OrderEventKind, OrderState, SiteResult};
use crate::sampling::plan::PlanRecord;
use crate::Project;

use crate::dates::{Day, Timestamp};

/// Days to rectify an item whose checklist entry gives no `deadline_days`. The seed document
/// sets no number; a week is this project's choice, not the bureau's rule.
pub const DEFAULT_DEADLINE_DAYS: u32 = 7;

/// The days allowed to rectify `item_id` of `kind` (empty id: the site as a whole).
pub fn deadline_days(kind: &LayerKind, item_id: &str) -> u32 {
    kind.checklist.iter().find(|c| c.id == item_id).and_then(|c| c.deadline_days).unwrap_or(DEFAULT_DEADLINE_DAYS)
}

fn add_days(date: Day, days: u32, what: &str) -> Result<Day> {
    date.plus_days(days as i64)
        .ok_or_else(|| Error::Invalid(format!("{what}: {date} plus {days} days is past the last date wardgis can hold")))
}

/// Who must rectify a feature of `kind`: its `responsible_field` value, or empty (also when
/// the feature was deleted since the plan was drawn: the order is then assigned by hand).
fn responsible_party(project: &Project, kind: &LayerKind, fid: i64) -> Result<String> {
    let Some(field) = &kind.responsible_field else { return Ok(String::new()) };
    let f = match project.feature(&kind.id, fid) {
        Ok(f) => f,
        Err(Error::NoSuchFeature { .. }) => return Ok(String::new()),
        Err(e) => return Err(e),
    };
    Ok(f.props.get(field).filter(|v| !v.is_null()).map(|v| v.to_text().trim().to_owned()).unwrap_or_default())
}

/// The orders a plan's results open (nothing is stored).
pub fn orders_for_results(project: &Project, plan: &PlanRecord, results: &[SiteResult]) -> Result<Vec<NewOrder>> {
    let recorded_at = Timestamp::now();
    let mut out = Vec::new();
    for r in results.iter().filter(|r| r.visited) {
        let kind = project.catalog().kind(&r.layer)?;
        let on = r.inspected_on.ok_or_else(|| {
            Error::Invalid(format!("plan `{}` site {}: inspected without a date; orders need one", plan.name, r.site_no))
        })?;
        let mut failed: Vec<(String, Option<f64>)> =
            r.items.iter().filter(|s| s.score < s.max_points).map(|s| (s.item_id.clone(), Some(s.score))).collect();
        if failed.is_empty() && r.passed == Some(false) {
            failed.push((String::new(), None));
        }
        if failed.is_empty() {
            continue;
        }
        let responsible = responsible_party(project, kind, r.fid)?;
        for (item_id, score) in failed {
            let deadline = add_days(on, deadline_days(kind, &item_id), &format!("site {} inspection date", r.site_no))?;
            out.push(NewOrder {
                plan: plan.name.clone(),
                site_no: r.site_no,
                layer: r.layer.clone(),
                fid: r.fid,
                item_id,
                opened: OrderEvent {
                    kind: OrderEventKind::Opened,
                    on,
                    state: OrderState::Open,
                    deadline,
                    responsible: responsible.clone(),
                    score,
                    note: r.note.clone(),
                    recorded_at,
                },
            });
        }
    }
    Ok(out)
}

/// A re-inspection of one order's item.
#[derive(Debug, Clone, PartialEq)]
pub struct Reinspection {
    pub order: i64,
    pub passed: bool,
    pub on: Day,
    /// The item's new score (0..max), if the evaluator scored it.
    pub score: Option<f64>,
    pub note: String,
}

/// Checks a date against the order's history: not before its latest inspection (the opening
/// or a re-inspection). Assignments do not count: an office may assign today an order whose
/// paper re-inspection was done last week.
pub(crate) fn check_date_order(order: &Order, on: Day) -> Result<Day> {
    let last = order.history.iter().rev().find(|e| e.kind != OrderEventKind::Assigned).unwrap_or(order.current());
    if on < last.on {
        return Err(Error::Invalid(format!(
            "date `{on}` is before order {}'s latest inspection ({}); expected {} or later",
            order.id, last.on, last.on
        )));
    }
    Ok(on)
}

/// The event a re-inspection of `order` adds (see the module rules), after checking its date
/// and score; nothing is stored.
pub fn reinspection_event(kind: &LayerKind, order: &Order, r: &Reinspection) -> Result<OrderEvent> {
    let on = check_date_order(order, r.on)?;
    if let Some(score) = r.score {
        let max = kind.checklist.iter().find(|c| c.id == order.item_id).map(|c| c.max_points as f64);
        match max {
            Some(max) if (0.0..=max).contains(&score) => {}
            Some(max) => {
                return Err(Error::Invalid(format!("score {score}: item {} scores 0 to {max}", order.item_id)));
            }
            None if order.item_id.is_empty() => {
                return Err(Error::Invalid(format!(
                    "score {score}: order {} is for the site as a whole, which has no score; leave the score out",
                    order.id
                )))
            }
            None => {
                return Err(Error::Invalid(format!(
                    "score {score}: item {} is no longer in the catalog of layer `{}`, so it has no maximum; leave the score out",
                    order.item_id, order.layer
                )))
            }
        }
        if (max == Some(score)) != r.passed {
            return Err(Error::Invalid(format!(
                "score {score} with result `{}`: an item passes exactly when it has its full points",
                if r.passed { "pass" } else { "fail" }
            )));
        }
    }
    let now = order.current();
    let (state, deadline) = match (now.state, r.passed) {
        (_, true) => (OrderState::Closed, now.deadline),
        // Still failing: the deadline stands, so an order past it stays overdue.
        (OrderState::Open, false) => (OrderState::Open, now.deadline),
        // Failing again after it was closed: a new failure, a new deadline.
        (OrderState::Closed, false) => (OrderState::Open, add_days(on, deadline_days(kind, &order.item_id), "re-inspection date")?),
    };
    Ok(OrderEvent {
        kind: if r.passed { OrderEventKind::ReinspectedPassed } else { OrderEventKind::ReinspectedFailed },
        on,
        state,
        deadline,
        responsible: now.responsible.clone(),
        score: r.score,
        note: r.note.clone(),
        recorded_at: Timestamp::now(),
    })
}

/// Records one re-inspection as one action: closes, keeps open or re-opens the order.
pub fn reinspect(project: &Project, r: &Reinspection) -> Result<Order> {
    let order = project.order(r.order)?;
    let kind = project.catalog().kind(&order.layer)?;
    let event = reinspection_event(kind, &order, r)?;
    let what = match (order.current().state, r.passed) {
        (OrderState::Open, true) => "closed",
        (OrderState::Open, false) => "still failing",
        (OrderState::Closed, false) => "re-opened",
        (OrderState::Closed, true) => "confirmed closed",
    };
    let summary = format!("order {}: re-inspected {}, {what}", order.id, event.on);
    project.record_order_events(&[(order.id, event)], &summary)?;
    project.order(order.id)
}

/// Sets an order's responsible party and/or deadline (`YYYY-MM-DD`, as typed) by hand on
/// day `on` (state unchanged).
pub fn assign(project: &Project, id: i64, responsible: Option<&str>, deadline: Option<&str>, on: Day, note: &str) -> Result<Order> {
    let order = project.order(id)?;
    let on = check_date_order(&order, on)?;
    if responsible.is_none() && deadline.is_none() {
        return Err(Error::Invalid("nothing to assign: give a responsible party, a deadline or both".into()));
    }
    if responsible.is_some_and(|r| r.trim().is_empty()) {
        return Err(Error::Invalid("responsible party: empty; expected a name, e.g. 宜城街道环卫所".into()));
    }
    let now = order.current().clone();
    if deadline.is_some() && now.state == OrderState::Closed {
        return Err(Error::Invalid(format!("order {id} is closed; a deadline applies only to an open order")));
    }
    let deadline = match deadline {
        Some(d) => {
            let parsed: Day = d.parse().map_err(|_| Error::Invalid(format!("deadline `{d}`: expected YYYY-MM-DD")))?;
            if parsed < on {
                return Err(Error::Invalid(format!("deadline `{d}` is before the day it is set ({on})")));
            }
            parsed
        }
        None => now.deadline,
    };
    let responsible = responsible.map(|s| s.trim().to_owned()).unwrap_or(now.responsible.clone());
    let event = OrderEvent {
        kind: OrderEventKind::Assigned,
        on,
        state: now.state,
        deadline,
        responsible: responsible.clone(),
        score: None,
        note: note.to_owned(),
        recorded_at: Timestamp::now(),
    };
    let summary = format!("order {id}: assigned to `{responsible}`, deadline {deadline}");
    project.record_order_events(&[(id, event)], &summary)?;
    project.order(id)
}

/// Whether `order` is overdue on `day`.
pub fn is_overdue(order: &Order, day: Day) -> bool {
    let now = order.current();
    now.state == OrderState::Open && now.deadline < day
}

/// Days past the deadline on `day` (0 when not overdue).
pub fn days_overdue(order: &Order, day: Day) -> i64 {
    if !is_overdue(order, day) {
        return 0;
    }
    day.days_since(order.current().deadline)
}

/// An order as listed: the stored order plus what a reader needs beside it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrderView {
    #[serde(flatten)]
    pub order: Order,
    /// The feature's name.
    pub name: String,
    /// The checklist item's text (Chinese), or `整体不合格` for a site failed as a whole.
    pub item_text: String,
    pub state: OrderState,
    pub deadline: Day,
    pub responsible: String,
    pub overdue: bool,
    pub days_overdue: i64,
}

/// Which orders to list.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub plan: Option<String>,
    pub state: Option<OrderState>,
    pub overdue_only: bool,
}

/// The orders that pass `filter`, as of `day`, oldest first.
pub fn list_orders(project: &Project, filter: &OrderFilter, day: Day) -> Result<Vec<OrderView>> {
    if let Some(plan) = &filter.plan {
        project.plan(plan)?;
    }
    let mut out = Vec::new();
    for o in project.orders(filter.plan.as_deref())? {
        let now = o.current().clone();
        let overdue = is_overdue(&o, day);
        if filter.state.is_some_and(|s| s != now.state) || (filter.overdue_only && !overdue) {
            continue;
        }
        let kind = project.catalog().kind(&o.layer)?;
        let name = match project.feature(&o.layer, o.fid) {
            Ok(f) => f.props.get("name").filter(|v| !v.is_null()).map(|v| v.to_text()).unwrap_or_default(),
            Err(_) => format!("(feature {} deleted)", o.fid),
        };
        let item_text = if o.item_id.is_empty() {
            "整体不合格 (site failed as a whole)".to_owned()
        } else {
            kind.checklist.iter().find(|c| c.id == o.item_id).map(|c| c.text_zh.clone()).unwrap_or_default()
        };
        out.push(OrderView {
            days_overdue: days_overdue(&o, day),
            name,
            item_text,
            state: now.state,
            deadline: now.deadline,
            responsible: now.responsible,
            overdue,
            order: o,
        });
    }
    Ok(out)
}

/// The listed orders as a table for CSV or XLSX (one row per order, its latest event last).
pub fn orders_table(views: &[OrderView]) -> super::Table {
    use super::Cell;
    let headers = [
        "id", "state", "overdue", "days_overdue", "plan", "site_no", "layer", "fid", "name", "item_id", "item_text",
        "responsible", "opened_on", "deadline", "last_event", "last_event_on",
    ];
    let rows = views
        .iter()
        .map(|v| {
            let last = v.order.current();
            vec![
                Cell::from(v.order.id as f64),
                Cell::from(v.state.as_str()),
                Cell::from(if v.overdue { "yes" } else { "no" }),
                Cell::from(v.days_overdue as f64),
                Cell::from(v.order.plan.as_str()),
                Cell::from(v.order.site_no as f64),
                Cell::from(v.order.layer.as_str()),
                Cell::from(v.order.fid as f64),
                Cell::from(v.name.as_str()),
                Cell::from(v.order.item_id.as_str()),
                Cell::from(v.item_text.as_str()),
                Cell::from(v.responsible.as_str()),
                Cell::from(v.order.opened_on.to_string()),
                Cell::from(v.deadline.to_string()),
                Cell::from(last.kind.as_str()),
                Cell::from(last.on.to_string()),
            ]
        })
        .collect();
    super::Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use geo_types::point;

    use super::*;
    use crate::sampling::{build_frame, draw, plan_record, Design, DesignSpec, FrameSpec};
    use crate::evaluation::ItemScore;
    use crate::{Catalog, Feature};

    fn date(s: &str) -> Day {
        s.parse().unwrap()
    }

    /// Three billboards (owners A, B and none) sampled whole; site 1 fails BB-01 (3-day
    /// deadline) and BB-04 (no deadline: 7 days), site 2 passes, site 3 is failed as a whole.
    fn project_with_results() -> (tempfile::TempDir, Project, Vec<NewOrder>) {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../layers"))).unwrap();
        let p = Project::create(&dir.path().join("t.gpkg"), catalog).unwrap();
        let boards = ["A", "B", ""]
            .iter()
            .enumerate()
            .map(|(i, owner)| {
                let f = Feature::new(point!(x: 119.8 + i as f64 * 0.001, y: 31.36)).with("name", format!("B{i}").as_str()).with("type", "wall");
                let f = f.with("face_area_m2", 2.0);
                if owner.is_empty() { f } else { f.with("owner", *owner) }
            })
            .collect();
        p.insert("billboards", boards, "boards").unwrap();
        let fs = FrameSpec { layers: vec!["billboards".into()], ..Default::default() };
        let frame = build_frame(&p, &fs, None).unwrap();
        let ds = DesignSpec { design: Design::Srs, n: 3, over: 0, min_dist_m: None };
        let sample = draw(&frame, &ds, 1).unwrap();
        let plan = plan_record("p", &fs, &ds, 1, &frame, &sample);
        p.save_plan(&plan).unwrap();
        let kind = p.catalog().kind("billboards").unwrap().clone();
        let full = |fail: &[&str]| -> Vec<ItemScore> {
            kind.checklist
                .iter()
                .map(|c| ItemScore {
                    item_id: c.id.clone(),
                    score: if fail.contains(&c.id.as_str()) { 0.0 } else { c.max_points as f64 },
                    max_points: c.max_points as f64,
                })
                .collect()
        };
        let results: Vec<SiteResult> = plan
            .sites()
            .into_iter()
            .map(|u| {
                let site = u.site_no.unwrap();
                let owner_index = u.fid - 1; // fids 1..=3 in insertion order
                let (items, passed) = match owner_index {
                    0 => (full(&["BB-01", "BB-04"]), false),
                    1 => (full(&[]), true),
                    _ => (full(&[]), false),
                };
                SiteResult {
                    site_no: site,
                    layer: "billboards".into(),
                    fid: u.fid,
                    visited: true,
                    reason: String::new(),
                    passed: Some(passed),
                    total_score: Some(items.iter().map(|s| s.score).sum()),
                    max_score: Some(items.iter().map(|s| s.max_points).sum()),
                    inspected_on: Some(date("2026-05-01")),
                    note: String::new(),
                    items,
                }
            })
            .collect();
        let orders = orders_for_results(&p, &plan, &results).unwrap();
        p.save_results("p", &results, &orders).unwrap();
        (dir, p, orders)
    }

    #[test]
    fn failed_items_open_orders_with_deadlines_and_responsible_parties() {
        let (_d, p, opened) = project_with_results();
        let mut got: Vec<(i64, String, String, String)> =
            opened.iter().map(|o| (o.fid, o.item_id.clone(), o.opened.deadline.to_string(), o.opened.responsible.clone())).collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                (1, "BB-01".into(), "2026-05-04".into(), "A".into()),
                (1, "BB-04".into(), "2026-05-08".into(), "A".into()),
                (3, String::new(), "2026-05-08".into(), String::new()),
            ]
        );
        assert_eq!(p.orders(None).unwrap().len(), 3);
        assert_eq!(p.orders(Some("other")).unwrap().len(), 0);
    }

    #[test]
    fn reinspection_closes_keeps_open_and_reopens() {
        let (_d, p, _) = project_with_results();
        let bb01 = p.orders(None).unwrap().into_iter().find(|o| o.item_id == "BB-01").unwrap();
        let r = |passed, on: &str, score| Reinspection { order: bb01.id, passed, on: date(on), score, note: String::new() };

        // Still failing: open, and the deadline (opened 05-01 + 3 days) stands, so it is overdue.
        let o = reinspect(&p, &r(false, "2026-05-05", Some(10.0))).unwrap();
        assert_eq!((o.current().state, o.current().deadline.to_string().as_str()), (OrderState::Open, "2026-05-04"));
        assert!(is_overdue(&o, date("2026-05-05")) && !is_overdue(&o, date("2026-05-04")));
        assert_eq!(days_overdue(&o, date("2026-05-11")), 7);

        // A score that contradicts the result, or out of range, or a date going back: refused.
        let e = reinspect(&p, &r(true, "2026-05-06", Some(10.0))).unwrap_err().to_string();
        assert!(e.contains("full points"), "{e}");
        let e = reinspect(&p, &r(true, "2026-05-06", Some(31.0))).unwrap_err().to_string();
        assert!(e.contains("0 to 30"), "{e}");
        let e = reinspect(&p, &r(true, "2026-05-04", None)).unwrap_err().to_string();
        assert!(e.contains("before order") && e.contains("2026-05-05"), "{e}");

        // Passing closes it, keeping the deadline it had; a later failure re-opens it.
        let o = reinspect(&p, &r(true, "2026-05-07", Some(30.0))).unwrap();
        assert_eq!((o.current().state, o.current().deadline.to_string().as_str()), (OrderState::Closed, "2026-05-04"));
        assert!(!is_overdue(&o, date("2026-06-01")));
        let o = reinspect(&p, &r(false, "2026-06-01", None)).unwrap();
        assert_eq!((o.current().state, o.current().deadline.to_string().as_str()), (OrderState::Open, "2026-06-04"));
        let kinds: Vec<OrderEventKind> = o.history.iter().map(|e| e.kind).collect();
        use OrderEventKind::*;
        assert_eq!(kinds, vec![Opened, ReinspectedFailed, ReinspectedPassed, ReinspectedFailed]);

        // Undo walks the history back one event at a time.
        p.undo().unwrap();
        assert_eq!(p.order(bb01.id).unwrap().current().state, OrderState::Closed);
        p.undo().unwrap();
        let o = p.order(bb01.id).unwrap();
        assert_eq!((o.history.len(), o.current().kind), (2, ReinspectedFailed));
    }

    #[test]
    fn an_assignment_does_not_block_a_back_dated_reinspection() {
        let (_d, p, _) = project_with_results();
        let o = p.orders(None).unwrap().into_iter().find(|o| o.item_id == "BB-04").unwrap();
        assign(&p, o.id, Some("宜城街道"), None, date("2026-05-20"), "").unwrap();
        let r = Reinspection { order: o.id, passed: true, on: date("2026-05-06"), score: None, note: String::new() };
        let after = reinspect(&p, &r).unwrap();
        assert_eq!((after.current().state, after.current().responsible.as_str()), (OrderState::Closed, "宜城街道"));
        // Empty party, or a deadline for a closed order: refused.
        let e = assign(&p, o.id, Some("  "), None, date("2026-05-21"), "").unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
        let e = assign(&p, o.id, None, Some("2026-06-01"), date("2026-05-21"), "").unwrap_err().to_string();
        assert!(e.contains("closed"), "{e}");
    }

    #[test]
    fn assigning_sets_party_and_deadline_and_filters_list() {
        let (_d, p, _) = project_with_results();
        let site = p.orders(None).unwrap().into_iter().find(|o| o.item_id.is_empty()).unwrap();
        assert_eq!(site.current().responsible, "");
        let e = assign(&p, site.id, None, None, date("2026-05-02"), "").unwrap_err().to_string();
        assert!(e.contains("nothing to assign"), "{e}");
        let e = assign(&p, site.id, None, Some("2026-04-30"), date("2026-05-02"), "").unwrap_err().to_string();
        assert!(e.contains("before the day"), "{e}");
        let o = assign(&p, site.id, Some(" 宜城街道 "), Some("2026-05-20"), date("2026-05-02"), "").unwrap();
        assert_eq!((o.current().responsible.as_str(), o.current().deadline.to_string().as_str()), ("宜城街道", "2026-05-20"));
        assert_eq!(o.current().state, OrderState::Open);

        let overdue = OrderFilter { overdue_only: true, ..Default::default() };
        let ids: Vec<String> = list_orders(&p, &overdue, date("2026-05-10")).unwrap().iter().map(|v| v.order.item_id.clone()).collect();
        assert_eq!(ids, vec!["BB-01".to_string(), "BB-04".to_string()]);
        let views = list_orders(&p, &OrderFilter::default(), date("2026-05-10")).unwrap();
        assert_eq!(views.iter().map(|v| v.days_overdue).collect::<Vec<_>>(), vec![6, 2, 0]);
        assert!(views[2].item_text.contains("整体"));
        let t = orders_table(&views);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.headers[1], "state");
        let e = list_orders(&p, &OrderFilter { plan: Some("nope".into()), ..Default::default() }, date("2026-05-10"));
        assert!(e.is_err());
    }

    #[test]
    fn dates_are_stored_as_the_same_text_and_a_bad_one_is_named() {
        let (_d, p, _) = project_with_results();
        let o = &p.orders(None).unwrap()[0];
        let e = &o.history[0];
        let db = rusqlite::Connection::open(p.path()).unwrap();
        let text = |sql: &str| db.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
        assert_eq!(text("SELECT opened_on FROM wardgis_orders WHERE id = 1"), "2026-05-01");
        assert_eq!(text("SELECT on_date || ' ' || deadline FROM wardgis_order_events WHERE id = 1"), "2026-05-01 2026-05-04");
        assert_eq!(text("SELECT recorded_at FROM wardgis_order_events WHERE id = 1"), e.recorded_at.to_string());
        assert_eq!(text("SELECT inspected_on FROM wardgis_results WHERE site_no = 1"), "2026-05-01");
        let created = text("SELECT created FROM wardgis_plans WHERE name = 'p'");
        assert_eq!(p.plans().unwrap()[0].created.to_string(), created);
        assert!(created.ends_with('Z') && created.len() >= 20, "{created}");
        assert_eq!(p.history(1).unwrap()[0].at.to_string(), text("SELECT at FROM wardgis_actions ORDER BY id DESC LIMIT 1"));

        // Another program writes what wardgis cannot read: an error naming the table, the row
        // and the value, not a panic.
        let bad = |sql: &str, read: &dyn Fn() -> Result<()>, table: &str, value: &str| {
            db.execute(sql, []).unwrap();
            let msg = read().unwrap_err().to_string();
            assert!(msg.contains(&format!("table `{table}` row 1")) && msg.contains(&format!("`{value}`")), "{msg}");
        };
        bad("UPDATE wardgis_order_events SET deadline = '2026-5-4' WHERE id = 1", &|| p.orders(None).map(drop), "wardgis_order_events", "2026-5-4");
        bad("UPDATE wardgis_orders SET opened_on = 'May 1' WHERE id = 1", &|| p.order(1).map(drop), "wardgis_orders", "May 1");
        bad("UPDATE wardgis_results SET inspected_on = '' WHERE id = 1", &|| p.results("p").map(drop), "wardgis_results", "");
        bad("UPDATE wardgis_plans SET created = 'today' WHERE id = 1", &|| p.plans().map(drop), "wardgis_plans", "today");
        bad("UPDATE wardgis_actions SET at = 'now' WHERE id = 1", &|| p.history(100).map(drop), "wardgis_actions", "now");
    }
}
