//! The red/black list rules as data: a TOML file (`rules/red_black.toml` ships a draft) holding
//! the base score, deductions per violation type with monthly caps, deductions for failed
//! inspection items and overdue rectification orders, bonuses, star bands, credit grades and
//! the list rules. Validated like the layer catalog: every error names the file, the key and
//! the value, and what would be accepted.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The shipped draft rule file, compiled in so a project scores without its source tree.
pub const DRAFT_RULES: &str = include_str!("../../../rules/red_black.toml");

/// A deduction or bonus of one type, with its monthly cap.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PointRule {
    #[serde(rename = "type")]
    pub kind: String,
    pub label_zh: String,
    #[serde(default)]
    pub label_en: String,
    pub points: f64,
    pub monthly_cap: f64,
}

/// Points per item or order, with a monthly cap.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CappedPoints {
    #[serde(alias = "failed_item_points")]
    pub points: f64,
    pub monthly_cap: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StarBand {
    pub min: f64,
    pub stars: u8,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    pub min: f64,
    pub grade: String,
}

/// How a list picks its units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListBy {
    /// The best (red) or worst (black) `quota` units of each group past the line.
    Quota,
    /// Every unit past the line.
    Threshold,
}

/// The groups a quota applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListPer {
    All,
    Street,
    Community,
}

/// How equal scores are ordered, in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    FewerViolations,
    MoreViolations,
    Name,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedRule {
    pub by: ListBy,
    #[serde(default)]
    pub quota: usize,
    pub per: ListPer,
    pub min_score: f64,
    pub tie_break: Vec<TieBreak>,
    #[serde(default)]
    pub exclude_with_overdue_order: bool,
    #[serde(default)]
    pub exclude_with_violation: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BlackRule {
    pub by: ListBy,
    #[serde(default)]
    pub quota: usize,
    pub per: ListPer,
    pub max_score: f64,
    pub tie_break: Vec<TieBreak>,
}

/// A whole rule file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// A draft says so on every list it makes.
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub note: String,
    /// Every unit starts the month with this; bonuses make good lost points, never more.
    pub base: f64,
    #[serde(rename = "violation")]
    pub violations: Vec<PointRule>,
    pub inspection: CappedPoints,
    pub overdue_order: CappedPoints,
    #[serde(rename = "bonus", default)]
    pub bonuses: Vec<PointRule>,
    #[serde(rename = "star", default)]
    pub stars: Vec<StarBand>,
    #[serde(rename = "grade", default)]
    pub grades: Vec<GradeBand>,
    pub red: RedRule,
    pub black: BlackRule,
}

impl RuleSet {
    /// The shipped draft.
    pub fn draft() -> RuleSet {
        RuleSet::from_toml(Path::new("rules/red_black.toml"), DRAFT_RULES).expect("the shipped rule file is valid (tested)")
    }

    /// Reads and validates a rule file.
    pub fn load(path: &Path) -> Result<RuleSet> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Rules { file: path.to_owned(), message: format!("cannot read it: {e}") })?;
        RuleSet::from_toml(path, &text)
    }

    /// Parses and validates a rule file's text; `file` names it in messages.
    pub fn from_toml(file: &Path, text: &str) -> Result<RuleSet> {
        let bad = |message: String| Error::Rules { file: PathBuf::from(file), message };
        let rules: RuleSet = toml::from_str(text).map_err(|e| bad(crate::catalog::toml_message(&e, text)))?;
        rules.validate().map_err(bad)?;
        Ok(rules)
    }

    /// The violation type `kind`, if the rules know it.
    pub fn violation(&self, kind: &str) -> Option<&PointRule> {
        self.violations.iter().find(|v| v.kind == kind)
    }

    pub fn bonus(&self, kind: &str) -> Option<&PointRule> {
        self.bonuses.iter().find(|b| b.kind == kind)
    }

    /// The stars a score earns (0 below every band).
    pub fn stars_for(&self, score: f64) -> u8 {
        self.stars.iter().filter(|b| score >= b.min).map(|b| b.stars).max().unwrap_or(0)
    }

    /// The credit grade a score earns (the band of the highest `min` reached).
    pub fn grade_for(&self, score: f64) -> Option<&str> {
        self.grades.iter().filter(|g| score >= g.min).max_by(|a, b| a.min.total_cmp(&b.min)).map(|g| g.grade.as_str())
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let number = |key: &str, v: f64, min: f64| -> std::result::Result<(), String> {
            if v.is_finite() && v >= min {
                Ok(())
            } else {
                Err(format!("key `{key}`: {v} is not a number of {min} or more"))
            }
        };
        number("base", self.base, 1.0)?;
        let mut seen = std::collections::BTreeSet::new();
        for (list, rules) in [("violation", &self.violations), ("bonus", &self.bonuses)] {
            for (i, r) in rules.iter().enumerate() {
                let key = |k: &str| format!("{list}[{i}].{k}");
                if r.kind.is_empty() || !r.kind.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                    return Err(format!("key `{}`: `{}` is not a type code; expected lower-case letters, digits and `_`", key("type"), r.kind));
                }
                if !seen.insert(r.kind.clone()) {
                    return Err(format!("key `{}`: type `{}` appears twice among the violations and bonuses", key("type"), r.kind));
                }
                if r.label_zh.trim().is_empty() {
                    return Err(format!("key `{}`: is empty; expected the Chinese label", key("label_zh")));
                }
                number(&key("points"), r.points, 0.0)?;
                number(&key("monthly_cap"), r.monthly_cap, 0.0)?;
            }
        }
        if self.violations.is_empty() {
            return Err("key `violation`: no violation types; expected at least one [[violation]]".into());
        }
        number("inspection.failed_item_points", self.inspection.points, 0.0)?;
        number("inspection.monthly_cap", self.inspection.monthly_cap, 0.0)?;
        number("overdue_order.points", self.overdue_order.points, 0.0)?;
        number("overdue_order.monthly_cap", self.overdue_order.monthly_cap, 0.0)?;
        for (i, b) in self.stars.iter().enumerate() {
            number(&format!("star[{i}].min"), b.min, 0.0)?;
            if b.stars == 0 || b.stars > 5 {
                return Err(format!("key `star[{i}].stars`: {} is not 1 to 5", b.stars));
            }
        }
        for (i, g) in self.grades.iter().enumerate() {
            number(&format!("grade[{i}].min"), g.min, 0.0)?;
            if g.grade.trim().is_empty() {
                return Err(format!("key `grade[{i}].grade`: is empty; expected a grade such as A"));
            }
        }
        for (name, by, quota) in [("red", self.red.by, self.red.quota), ("black", self.black.by, self.black.quota)] {
            if by == ListBy::Quota && quota == 0 {
                return Err(format!("key `{name}.quota`: is 0 or missing; a list by quota names at least one unit a group"));
            }
        }
        if self.red.min_score <= self.black.max_score {
            return Err(format!(
                "key `red.min_score`: {} is not above `black.max_score` {}; a unit could be on both lists",
                self.red.min_score, self.black.max_score
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_draft_is_valid_and_says_it_is_a_draft() {
        let r = RuleSet::draft();
        assert!(r.draft && r.note.contains("草案"));
        assert_eq!(r.violation("street_trading").unwrap().points, 10.0);
        assert_eq!((r.stars_for(95.0), r.stars_for(94.99), r.stars_for(74.0)), (5, 4, 0));
        assert_eq!((r.grade_for(90.0), r.grade_for(89.0), r.grade_for(0.0)), (Some("A"), Some("B"), Some("C")));
    }

    #[test]
    fn errors_name_the_file_the_key_and_the_value() {
        let err = |edit: &dyn Fn(&str) -> String| RuleSet::from_toml(Path::new("rules/x.toml"), &edit(DRAFT_RULES)).unwrap_err().to_string();
        let e = err(&|t| t.replacen("points = 10", "points = -10", 1));
        assert!(e.contains("rules/x.toml") && e.contains("violation[1].points") && e.contains("-10"), "{e}");
        let e = err(&|t| t.replacen("type = \"litter\"", "type = \"clutter\"", 1));
        assert!(e.contains("appears twice"), "{e}");
        let e = err(&|t| t.replacen("min_score = 95", "min_score = 50", 1));
        assert!(e.contains("red.min_score") && e.contains("both lists"), "{e}");
        let e = err(&|t| t.replacen("quota = 3\nper = \"all\"\nmin_score", "per = \"all\"\nmin_score", 1));
        assert!(e.contains("red.quota"), "{e}");
        let e = err(&|t| t.replacen("per = \"all\"", "per = \"district\"", 1));
        assert!(e.contains("line") && e.contains("district"), "{e}");
        let e = err(&|t| t.replacen("base = 100", "base = 100\nbonus_max = 5", 1));
        assert!(e.contains("bonus_max"), "{e}");
    }
}
