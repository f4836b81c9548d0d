//! Every rule on hand-computed cases.

use std::path::Path;

use super::*;
use crate::credit::rules::{RuleSet, DRAFT_RULES};

fn unit(fid: i64, name: &str, street: &str) -> UnitEvidence {
    UnitEvidence { fid, name: name.into(), street: Some(street.into()), community: Some(format!("{street}社区")), ..Default::default() }
}

fn violations(u: UnitEvidence, kinds: &[&str]) -> UnitEvidence {
    let first = u.fid * 100;
    UnitEvidence { violations: kinds.iter().enumerate().map(|(i, k)| (first + i as i64, (*k).to_owned())).collect(), ..u }
}

fn rules_with(edits: &[(&str, &str)]) -> RuleSet {
    let mut text = DRAFT_RULES.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    RuleSet::from_toml(Path::new("test.toml"), &text).unwrap()
}

fn by_name<'a>(scores: &'a [UnitScore], name: &str) -> &'a UnitScore {
    scores.iter().find(|s| s.name == name).unwrap()
}

#[test]
fn caps_stop_a_type_at_its_monthly_limit_and_show_what_counted() {
    // 占道经营 is 10 points, capped at 30 a month: four of them cost 30, not 40.
    let u = violations(unit(1, "甲店", "人民路"), &["street_trading"; 4]);
    let s = &score_month(&[u], &RuleSet::draft()).unwrap()[0];
    assert_eq!(s.score, 70.0);
    let counted: Vec<f64> = s.lines.iter().map(|l| l.counted).collect();
    assert_eq!(counted, [-10.0, -10.0, -10.0, 0.0]);
    assert!(s.lines.iter().all(|l| l.points == -10.0 && l.label_zh == "占道经营"));
    assert_eq!(s.lines[3].source, Source::Violation { id: 103, kind: "street_trading".into() });
    // Caps are per type: two clutter (5 each, cap 20) add 10 more.
    let u = violations(unit(1, "甲店", "人民路"), &["street_trading", "street_trading", "street_trading", "street_trading", "clutter", "clutter"]);
    assert_eq!(score_month(&[u], &RuleSet::draft()).unwrap()[0].score, 60.0);
    // Failed items (5 each, cap 20) and overdue orders (10 each, cap 30).
    let u = UnitEvidence { failed_items: (0..5).map(|i| ("春季测评".to_owned(), 7, format!("RU-0{i}"))).collect(), overdue_orders: vec![1, 2, 3, 4], ..unit(2, "乙店", "人民路") };
    assert_eq!(score_month(&[u], &RuleSet::draft()).unwrap()[0].score, 100.0 - 20.0 - 30.0);
}

#[test]
fn a_unit_with_no_evidence_keeps_the_base_and_bonuses_never_pass_it() {
    let rules = RuleSet::draft();
    let quiet = unit(1, "静店", "人民路");
    let praised = UnitEvidence { bonuses: vec![(1, "praise".into()), (2, "volunteer".into())], ..violations(unit(2, "勤店", "人民路"), &["clutter"]) };
    let scores = score_month(&[quiet, praised], &rules).unwrap();
    let quiet = by_name(&scores, "静店");
    assert_eq!((quiet.score, quiet.stars, quiet.grade.as_deref(), quiet.lines.len()), (100.0, 5, Some("A"), 0));
    // −5 + 3 + 2 = 0: back to 100, and no further.
    assert_eq!(by_name(&scores, "勤店").score, 100.0);
    let more = UnitEvidence { bonuses: vec![(1, "praise".into()), (2, "praise".into())], ..unit(3, "好店", "人民路") };
    assert_eq!(score_month(&[more], &rules).unwrap()[0].score, 100.0);
}

#[test]
fn a_star_band_starts_exactly_at_its_minimum() {
    let rules = RuleSet::draft();
    let at_95 = violations(unit(1, "甲", "人民路"), &["clutter"]); // 100 − 5
    let below = violations(unit(2, "乙", "人民路"), &["clutter", "parking"]); // 100 − 8
    let scores = score_month(&[at_95, below], &rules).unwrap();
    assert_eq!((by_name(&scores, "甲").score, by_name(&scores, "甲").stars), (95.0, 5));
    assert_eq!((by_name(&scores, "乙").score, by_name(&scores, "乙").stars), (92.0, 4));
    assert_eq!(by_name(&scores, "乙").grade.as_deref(), Some("A"));
}

#[test]
fn ties_are_broken_by_the_stated_rule_and_ranks_are_shared() {
    // Red by quota 1: three units at 100 without violations; the name decides.
    let rules = rules_with(&[("quota = 3\nper = \"all\"\nmin_score", "quota = 1\nper = \"all\"\nmin_score")]);
    let units = [unit(3, "丙", "人民路"), unit(1, "甲", "人民路"), unit(2, "乙", "人民路")];
    let scores = score_month(&units, &rules).unwrap();
    let red: Vec<&str> = scores.iter().filter(|s| s.list == Some(ListKind::Red)).map(|s| s.name.as_str()).collect();
    // By name: 丙 (U+4E19) < 乙 (U+4E59) < 甲 (U+7532).
    assert_eq!(red, ["丙"]);
    assert!(scores.iter().all(|s| s.rank == 1), "equal scores share rank 1");
    // Black by quota 1 with "more_violations" first: of two at 55, the one with more records.
    let rules = rules_with(&[("quota = 3\nper = \"all\"\nmax_score", "quota = 1\nper = \"all\"\nmax_score")]);
    let many = violations(unit(4, "多", "人民路"), &["clutter", "clutter", "clutter", "clutter", "street_trading", "street_trading", "parking", "parking", "parking"]);
    let few = violations(unit(5, "少", "人民路"), &["street_trading", "street_trading", "street_trading", "clutter", "clutter", "clutter"]);
    let scores = score_month(&[many, few], &rules).unwrap();
    // 多: −20 (clutter cap) −20 −9 = 51; 少: −30 −15 = 55.
    assert_eq!((by_name(&scores, "多").score, by_name(&scores, "少").score), (51.0, 55.0));
    assert_eq!(by_name(&scores, "多").list, Some(ListKind::Black));
    assert_eq!(by_name(&scores, "少").list, None);
    assert_eq!((by_name(&scores, "多").rank, by_name(&scores, "少").rank), (2, 1));
}

#[test]
fn quotas_apply_per_street() {
    let rules = rules_with(&[("quota = 3\nper = \"all\"\nmin_score", "quota = 1\nper = \"street\"\nmin_score")]);
    let units = [unit(1, "甲", "人民路"), unit(2, "乙", "人民路"), unit(3, "丙", "解放路"), unit(4, "丁", "解放路"), violations(unit(5, "戊", "书院路"), &["clutter"])];
    let scores = score_month(&units, &rules).unwrap();
    let mut red: Vec<(String, String)> =
        scores.iter().filter(|s| s.list == Some(ListKind::Red)).map(|s| (s.street.clone().unwrap(), s.name.clone())).collect();
    red.sort();
    // One per street; 书院路's only unit has a violation, which bars it from the red list.
    assert_eq!(red, [("人民路".to_owned(), "乙".to_owned()), ("解放路".to_owned(), "丁".to_owned())]);
    assert_eq!(by_name(&scores, "戊").rank_in_street, 1);
    assert_eq!(by_name(&scores, "戊").rank, 5);
}

#[test]
fn an_overdue_order_bars_the_red_list() {
    // Overdue orders deduct nothing here, so only the exclusion keeps the unit off.
    let rules = rules_with(&[("[overdue_order]\npoints = 10", "[overdue_order]\npoints = 0")]);
    let late = UnitEvidence { overdue_orders: vec![9], ..unit(1, "迟", "人民路") };
    let scores = score_month(&[late, unit(2, "准", "人民路")], &rules).unwrap();
    assert_eq!(by_name(&scores, "迟").score, 100.0);
    assert_eq!(by_name(&scores, "迟").list, None);
    assert_eq!(by_name(&scores, "准").list, Some(ListKind::Red));
}

#[test]
fn an_upheld_appeal_takes_a_unit_off_the_black_list() {
    let rules = RuleSet::draft();
    // 30 + 15 = 45 → 55 < 60: black.
    let kinds = ["street_trading", "street_trading", "street_trading", "parking", "parking", "parking", "parking", "parking"];
    let before = violations(unit(1, "申", "人民路"), &kinds);
    let s = score_month(std::slice::from_ref(&before), &rules).unwrap();
    assert_eq!((s[0].score, s[0].list), (55.0, Some(ListKind::Black)));
    // The appeal against one 占道经营 record is upheld: the record no longer counts.
    let after = UnitEvidence { violations: before.violations.iter().filter(|(id, _)| *id != 100).cloned().collect(), ..before };
    let s = score_month(&[after], &rules).unwrap();
    assert_eq!((s[0].score, s[0].list), (65.0, None));
}

#[test]
fn the_same_evidence_scores_the_same_and_unknown_types_are_named() {
    let units = [violations(unit(1, "甲", "人民路"), &["clutter", "litter"]), unit(2, "乙", "解放路")];
    let a = score_month(&units, &RuleSet::draft()).unwrap();
    let b = score_month(&units, &RuleSet::draft()).unwrap();
    assert_eq!(a, b);
    let odd = violations(unit(3, "丙", "人民路"), &["noise"]);
    let e = score_month(&[odd], &RuleSet::draft()).unwrap_err().to_string();
    assert!(e.contains("丙") && e.contains("`noise`") && e.contains("street_trading"), "{e}");
}
