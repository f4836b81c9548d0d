//! Reading a filled field workbook back: every cell checked, all or nothing.
//!
//! # What a row may hold
//!
//! Every evaluator sheet (all sheets but [`INSTRUCTIONS_SHEET`]) must have the header row
//! [`write_workbook`](super::write_workbook) wrote (the fixed columns, the checklist columns
//! of the plan, the trailing columns; found by their header text, so column order may change).
//! Each non-empty row is one site; its site number and id (fid) must be a site of the plan
//! with that id and layer. Then one of:
//!
//! - **Visited**: every checklist item of the site's layer scored (a number 0..max; cells of
//!   other layers' items blank), the inspection date given (an Excel date or the text
//!   YYYY-MM-DD), no not-visited reason. Pass/fail is one of 通过/不通过/pass/fail/是/否/1/0
//!   (any case); blank means *derived*: the site passes when every item has its full points.
//! - **Not visited**: a reason, and no scores and no pass/fail (the date and note are kept if
//!   given).
//! - **Unused**: nothing filled in (no scores, pass/fail, date or reason). Allowed only for
//!   replacement sites that were not needed.
//!
//! # Replacement sites
//!
//! Replacement sites are used in site-number order. Every base site must be visited or have a
//! reason; a replacement site may have a result only if it is the next one in order (a used
//! replacement site after an unused one is an error), and at most as many replacement sites
//! may be visited as base sites were not visited. The pairing is by order: the i-th
//! visited replacement site stands for the i-th base site not visited. In a stratified plan
//! this holds within each stratum (its over-sample was allocated to the strata): a replacement
//! site may only stand in for a base site of its own stratum, and the order is the order of
//! that stratum's replacement sites.
//!
//! Errors name the sheet, the Excel row number, the column (header text and letter), the
//! value and what is accepted; all of them are reported at once and nothing is stored.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};

use super::cells::{column_letter, date, is_blank, number, pass_fail, shown, text};
use super::workbook::{item_columns, ItemColumn, FIXED_HEADERS, INSTRUCTIONS_SHEET, TRAILING_HEADERS};
use crate::error::{Error, Result};
use crate::evaluation::{ItemScore, NewOrder, SiteResult};
use crate::sampling::plan::{PlanRecord, PlanUnit};
use crate::Project;

const PASS_ACCEPTED: &str = "通过/不通过, pass/fail, 是/否, 1/0, or blank (derived: pass when every item has full points)";

struct Row {
    sheet: String,
    excel_row: usize,
    unit: PlanUnit,
    site_no: usize,
    scores: Vec<(String, f64, f64)>,
    passed: Option<bool>,
    date: Option<crate::dates::Day>,
    note: String,
    reason: String,
    any_score: bool,
}

/// Reads and checks a filled workbook of `plan`; returns one result per site used (visited or
/// with a reason), in site order. Nothing is stored.
pub fn read_results(project: &Project, plan: &PlanRecord, path: &Path) -> Result<Vec<SiteResult>> {
    let file = path.display().to_string();
    let mut wb: Xlsx<_> = open_workbook(path).map_err(|e| Error::Invalid(format!("{file}: cannot read the workbook: {e}")))?;
    let cols: Vec<ItemColumn> = item_columns(project, plan)?;
    let sites: BTreeMap<usize, &PlanUnit> = plan.units.iter().filter_map(|u| u.site_no.map(|s| (s, u))).collect();
    let mut errors: Vec<String> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let names: Vec<String> = wb.sheet_names().into_iter().filter(|n| n != INSTRUCTIONS_SHEET).collect();
    if names.is_empty() {
        return Err(Error::Invalid(format!("{file}: no evaluator sheet")));
    }
    for name in names {
        let range = wb.worksheet_range(&name).map_err(|e| Error::Invalid(format!("{file}: sheet `{name}`: {e}")))?;
        let (r0, c0) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
        let grid: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        if r0 != 0 || grid.is_empty() {
            errors.push(format!("{file}: sheet `{name}`: row 1 must be the header row wardgis wrote in the field workbook"));
            continue;
        }
        let header: Vec<String> = grid[0].iter().map(text).collect();
        let find = |h: &str| header.iter().position(|x| x == h).map(|i| i + c0);
        let letter = |c: usize| column_letter(c);
        let mut missing = Vec::new();
        let mut fixed = Vec::new();
        for h in FIXED_HEADERS.iter().chain(TRAILING_HEADERS.iter()) {
            match find(h) {
                Some(c) => fixed.push(c),
                None => missing.push(h.to_string()),
            }
        }
        let mut item_at = Vec::new();
        for col in &cols {
            match header.iter().position(|x| x.starts_with(&format!("{} ", col.item.id))) {
                Some(c) => item_at.push(c + c0),
                None => missing.push(col.header()),
            }
        }
        if !missing.is_empty() {
            errors.push(format!("{file}: sheet `{name}`: missing column(s): {}", missing.join("; ")));
            continue;
        }
        let at = |row: &Vec<Data>, c: usize| row.get(c - c0).cloned().unwrap_or(Data::Empty);
        let (c_site, c_id, c_layer) = (fixed[0], fixed[4], fixed[2]);
        let (c_pass, c_note, c_date, c_reason) = (fixed[9], fixed[10], fixed[11], fixed[12]);
        for (i, row) in grid.iter().enumerate().skip(1) {
            let excel_row = i + 1;
            if row.iter().all(is_blank) {
                continue;
            }
            let mut bad = |c: usize, v: &Data, accepted: String| {
                errors.push(format!(
                    "{file}: sheet `{name}` row {excel_row} column {} `{}`: value `{}`: {accepted}",
                    letter(c),
                    header[c - c0],
                    shown(v)
                ))
            };
            let site_cell = at(row, c_site);
            let Some(site_no) = number(&site_cell).filter(|f| f.fract() == 0.0 && *f >= 1.0).map(|f| f as usize) else {
                bad(c_site, &site_cell, format!("expected a site number of plan `{}`", plan.name));
                continue;
            };
            let Some(unit) = sites.get(&site_no).copied() else {
                bad(c_site, &site_cell, format!("expected a site number of plan `{}` (1..={})", plan.name, sites.len()));
                continue;
            };
            let id_cell = at(row, c_id);
            if number(&id_cell) != Some(unit.fid as f64) {
                bad(c_id, &id_cell, format!("site {site_no} of plan `{}` is id {}", plan.name, unit.fid));
                continue;
            }
            let layer_cell = at(row, c_layer);
            if text(&layer_cell) != unit.layer {
                bad(c_layer, &layer_cell, format!("site {site_no} is on layer `{}`", unit.layer));
                continue;
            }
            let mut scores = Vec::new();
            let mut any_score = false;
            for (col, &c) in cols.iter().zip(&item_at) {
                let v = at(row, c);
                if is_blank(&v) {
                    continue;
                }
                any_score = true;
                if col.layer != unit.layer {
                    bad(c, &v, format!("must be blank: item {} is not on layer `{}`", col.item.id, unit.layer));
                    continue;
                }
                let max = col.item.max_points as f64;
                match number(&v).filter(|s| (0.0..=max).contains(s)) {
                    Some(s) => scores.push((col.item.id.clone(), s, max)),
                    None => bad(c, &v, format!("expected a number from 0 to {}", col.item.max_points)),
                }
            }
            let pass_cell = at(row, c_pass);
            let passed = if is_blank(&pass_cell) {
                None
            } else {
                match pass_fail(&pass_cell) {
                    Some(p) => Some(p),
                    None => {
                        bad(c_pass, &pass_cell, format!("expected {PASS_ACCEPTED}"));
                        None
                    }
                }
            };
            let date_cell = at(row, c_date);
            let date = if is_blank(&date_cell) {
                None
            } else {
                match date(&date_cell) {
                    Some(d) => Some(d),
                    None => {
                        bad(c_date, &date_cell, "expected a date: an Excel date or the text YYYY-MM-DD".into());
                        None
                    }
                }
            };
            let reason = text(&at(row, c_reason));
            let note = text(&at(row, c_note));
            if !reason.is_empty() {
                if any_score || passed.is_some() {
                    bad(c_reason, &at(row, c_reason), "a site not visited (reason given) must have no scores and no pass/fail".into());
                }
            } else if any_score || passed.is_some() || date.is_some() {
                for (col, &c) in cols.iter().zip(&item_at) {
                    if col.layer == unit.layer && is_blank(&at(row, c)) {
                        bad(c, &Data::Empty, format!("expected a number from 0 to {} (every item of a visited site is scored)", col.item.max_points));
                    }
                }
                if is_blank(&date_cell) {
                    bad(c_date, &date_cell, "expected the inspection date (an Excel date or YYYY-MM-DD)".into());
                }
            }
            rows.push(Row {
                sheet: name.clone(),
                excel_row,
                unit: unit.clone(),
                site_no,
                scores,
                passed,
                date,
                note,
                reason,
                any_score,
            });
        }
    }
    // Each site once.
    let mut by_site: BTreeMap<usize, &Row> = BTreeMap::new();
    for r in &rows {
        if let Some(prev) = by_site.insert(r.site_no, r) {
            errors.push(format!(
                "{file}: site {} appears twice: sheet `{}` row {} and sheet `{}` row {}",
                r.site_no, prev.sheet, prev.excel_row, r.sheet, r.excel_row
            ));
        }
    }
    let used = |r: &Row| !r.reason.is_empty() || r.any_score || r.passed.is_some() || r.date.is_some();
    let visited = |r: &Row| r.reason.is_empty() && used(r);
    // Replacement sites stand in for base sites not visited, in their order: across the whole
    // plan, or within each stratum for a stratified plan (its over-sample is allocated to the
    // strata, and a site may only replace one of its own stratum).
    let group_of = |u: &PlanUnit| if plan.design == "stratified" { u.stratum.clone().unwrap_or_default() } else { String::new() };
    let in_group = |g: &str| if g.is_empty() { String::new() } else { format!(" in stratum `{g}`") };
    let mut not_visited_base: BTreeMap<String, usize> = BTreeMap::new();
    for (&no, u) in sites.iter().filter(|(_, u)| !u.replacement) {
        match by_site.get(&no) {
            Some(r) if visited(r) => {}
            Some(r) if used(r) => *not_visited_base.entry(group_of(u)).or_default() += 1,
            _ => errors.push(format!("{file}: base site {no} ({} id {}): expected scores or a not-visited reason", u.layer, u.fid)),
        }
    }
    let mut visited_repl: BTreeMap<String, usize> = BTreeMap::new();
    let mut first_unused: BTreeMap<String, usize> = BTreeMap::new();
    for (&no, u) in sites.iter().filter(|(_, u)| u.replacement) {
        let g = group_of(u);
        match by_site.get(&no).filter(|r| used(r)) {
            None => {
                first_unused.entry(g).or_insert(no);
            }
            Some(r) => {
                if let Some(skipped) = first_unused.get(&g) {
                    errors.push(format!(
                        "{file}: sheet `{}` row {}: replacement site {no} is used but replacement site {skipped}{} comes first and was not; replacement sites are used in their order",
                        r.sheet,
                        r.excel_row,
                        in_group(&g)
                    ));
                }
                if visited(r) {
                    let used_here = visited_repl.entry(g.clone()).or_default();
                    *used_here += 1;
                    let missing = not_visited_base.get(&g).copied().unwrap_or(0);
                    if *used_here > missing {
                        errors.push(format!(
                            "{file}: sheet `{}` row {}: replacement site {no} has results but only {missing} base site(s){} were not visited; a replacement site counts only in place of a base site not visited{}",
                            r.sheet,
                            r.excel_row,
                            in_group(&g),
                            if g.is_empty() { String::new() } else { " of its own stratum".to_owned() }
                        ));
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(format!("{} problem(s); nothing imported:\n{}", errors.len(), errors.join("\n"))));
    }
    let mut out = Vec::new();
    for r in by_site.values().filter(|r| used(r)) {
        let v = visited(r);
        let (total, max) = (r.scores.iter().map(|s| s.1).sum::<f64>(), r.scores.iter().map(|s| s.2).sum::<f64>());
        let derived = r.scores.iter().all(|s| s.1 == s.2);
        out.push(SiteResult {
            site_no: r.site_no,
            layer: r.unit.layer.clone(),
            fid: r.unit.fid,
            visited: v,
            reason: r.reason.clone(),
            passed: v.then(|| r.passed.unwrap_or(derived)),
            total_score: v.then_some(total),
            max_score: v.then_some(max),
            inspected_on: r.date,
            note: r.note.clone(),
            items: r.scores.iter().map(|s| ItemScore { item_id: s.0.clone(), score: s.1, max_points: s.2 }).collect(),
        });
    }
    Ok(out)
}

/// Reads, checks and stores a filled workbook as one action, opening a rectification order
/// for every failed item ([`super::orders`]); returns the stored results and the orders opened.
pub fn import_results(project: &Project, plan_name: &str, path: &Path) -> Result<(Vec<SiteResult>, Vec<NewOrder>)> {
    let plan = project.plan(plan_name)?;
    let results = read_results(project, &plan, path)?;
    let orders = super::orders::orders_for_results(project, &plan, &results)?;
    project.save_results(plan_name, &results, &orders)?;
    Ok((results, orders))
}
