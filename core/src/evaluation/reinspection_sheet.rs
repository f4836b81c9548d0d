//! A re-inspection round on paper: the open orders as one XLSX an evaluator carries
//! ([`write_reinspection_workbook`]), and the filled sheet read back as one action
//! ([`import_reinspections`]), so a round of fifty orders is one file, not fifty commands.
//!
//! # Layout
//!
//! Sheet [`REINSPECTION_SHEET`]: row 1 the bilingual header ([`REINSPECTION_HEADERS`], frozen),
//! then one row per order: order id, plan, site, layer, feature id, name, lon, lat, item id,
//! item text, its maximum points, responsible party, deadline; then the four columns the
//! evaluator fills: result (通过/不通过, with a list validation), the item's new score
//! (optional, 0..max), the re-inspection date, a note; last a hidden column with the number of
//! events the order had when the sheet was written, so a sheet imported twice, or after the
//! order changed, is refused rather than recorded again.
//!
//! # Reading it back
//!
//! A row whose result is blank was not re-inspected and is skipped (its score, date and note
//! must then be blank too). Every other row must name an order of the project whose item is
//! the item in its row, a result word, a date not before the order's latest event, and a
//! score, if given, that is 0..max and full exactly when the result is pass. Each order at most
//! once. Errors name the sheet, the Excel row, the column and the value; all are reported
//! together and nothing is stored.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_xlsxwriter::{Color, DataValidation, DataValidationRule, ExcelDateTime, Format, FormatBorder, Workbook, XlsxError};

use super::cells::{column_letter, date, is_blank, number, pass_fail, shown, text};
use super::orders::{reinspection_event, OrderView, Reinspection};
use crate::error::{Error, Result};
use crate::evaluation::{Order, OrderEvent};
use crate::Project;

/// The one sheet's name.
pub const REINSPECTION_SHEET: &str = "复查 Re-inspection";

/// The header row; the last four columns are the evaluator's.
pub const REINSPECTION_HEADERS: [&str; 18] = [
    "整改单号 Order",
    "计划 Plan",
    "序号 Site no.",
    "图层 Layer",
    "编号 ID",
    "名称 Name",
    "经度 Lon",
    "纬度 Lat",
    "检查项 Item",
    "内容 Item text",
    "满分 Max",
    "责任方 Responsible",
    "整改期限 Deadline",
    "复查结果 Result (通过/不通过)",
    "得分 Score",
    "复查日期 Date (YYYY-MM-DD)",
    "备注 Note",
    "记录数 Events (勿改 do not edit)",
];

const C_ORDER: usize = 0;
const C_ITEM: usize = 8;
const C_RESULT: usize = 13;
const C_SCORE: usize = 14;
const C_DATE: usize = 15;
const C_NOTE: usize = 16;
const C_EVENTS: usize = 17;

/// Writes `orders` (usually the open ones) as a re-inspection workbook.
pub fn write_reinspection_workbook(project: &Project, orders: &[OrderView], out: &Path) -> Result<()> {
    if !out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        return Err(Error::Invalid(format!("{}: expected a file name ending in .xlsx", out.display())));
    }
    let err = |e: XlsxError| Error::Invalid(format!("{}: cannot write the workbook: {e}", out.display()));
    let header = Format::new().set_bold().set_text_wrap().set_background_color(Color::RGB(0xDDEBF7)).set_border(FormatBorder::Thin);
    let coord = Format::new().set_num_format("0.000000");
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(REINSPECTION_SHEET).map_err(err)?;
    for (c, h) in REINSPECTION_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &header).map_err(err)?;
    }
    ws.set_row_height(0, 45).map_err(err)?;
    let widths = [9.0, 10.0, 8.0, 14.0, 8.0, 24.0, 11.0, 11.0, 8.0, 30.0, 6.0, 22.0, 12.0, 12.0, 8.0, 14.0, 24.0];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(err)?;
    }
    ws.set_column_hidden(C_EVENTS as u16).map_err(err)?;
    ws.set_freeze_panes(1, 0).map_err(err)?;
    for (r, v) in orders.iter().enumerate() {
        let row = r as u32 + 1;
        let o = &v.order;
        let kind = project.catalog().kind(&o.layer)?;
        let max = kind.checklist.iter().find(|c| c.id == o.item_id).map(|c| c.max_points);
        let at = project.feature(&o.layer, o.fid).ok().and_then(|f| super::workbook::position(&f.geometry));
        ws.write_number(row, C_ORDER as u16, o.id as f64).map_err(err)?;
        ws.write_string(row, 1, &o.plan).map_err(err)?;
        ws.write_number(row, 2, o.site_no as f64).map_err(err)?;
        ws.write_string(row, 3, &o.layer).map_err(err)?;
        ws.write_number(row, 4, o.fid as f64).map_err(err)?;
        ws.write_string(row, 5, &v.name).map_err(err)?;
        if let Some(c) = at {
            ws.write_number_with_format(row, 6, c.x, &coord).map_err(err)?;
            ws.write_number_with_format(row, 7, c.y, &coord).map_err(err)?;
        }
        ws.write_string(row, C_ITEM as u16, &o.item_id).map_err(err)?;
        ws.write_string(row, 9, &v.item_text).map_err(err)?;
        if let Some(m) = max {
            ws.write_number(row, 10, m as f64).map_err(err)?;
            let dv = DataValidation::new()
                .allow_decimal_number(DataValidationRule::Between(0.0, m as f64))
                .set_error_message(format!("0 – {m}"))
                .map_err(err)?;
            ws.add_data_validation(row, C_SCORE as u16, row, C_SCORE as u16, &dv).map_err(err)?;
        }
        ws.write_string(row, 11, &v.responsible).map_err(err)?;
        ws.write_string(row, 12, v.deadline.to_string()).map_err(err)?;
        ws.write_blank(row, C_DATE as u16, &date_fmt).map_err(err)?;
        ws.write_number(row, C_EVENTS as u16, o.history.len() as f64).map_err(err)?;
    }
    let last = orders.len() as u32;
    if last >= 1 {
        let pf = DataValidation::new().allow_list_strings(&["通过", "不通过"]).map_err(err)?;
        ws.add_data_validation(1, C_RESULT as u16, last, C_RESULT as u16, &pf).map_err(err)?;
        let dv = DataValidation::new()
            .allow_date(DataValidationRule::Between(
                ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?,
                ExcelDateTime::from_ymd(2100, 12, 31).map_err(err)?,
            ))
            .set_error_message("YYYY-MM-DD")
            .map_err(err)?;
        ws.add_data_validation(1, C_DATE as u16, last, C_DATE as u16, &dv).map_err(err)?;
    }
    wb.save(out).map_err(err)
}

/// Reads and checks a filled re-inspection workbook; returns each re-inspected order with the
/// event it gets. Nothing is stored.
pub fn read_reinspections(project: &Project, path: &Path) -> Result<Vec<(Order, OrderEvent)>> {
    let file = path.display().to_string();
    let mut wb: Xlsx<_> = open_workbook(path).map_err(|e| Error::Invalid(format!("{file}: cannot read the workbook: {e}")))?;
    let range = wb.worksheet_range(REINSPECTION_SHEET).map_err(|e| {
        Error::Invalid(format!("{file}: no sheet `{REINSPECTION_SHEET}` ({e}); use a re-inspection workbook written by wardgis"))
    })?;
    let grid: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let (r0, c0) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
    if r0 != 0 {
        return Err(Error::Invalid(format!(
            "{file}: sheet `{REINSPECTION_SHEET}`: row 1 must be the header row wardgis wrote for the re-inspection round"
        )));
    }
    let header: Vec<String> = grid.first().map(|r| r.iter().map(text).collect()).unwrap_or_default();
    // Columns by header text, so a reordered sheet still reads.
    let mut col = [0usize; REINSPECTION_HEADERS.len()];
    let mut missing = Vec::new();
    for (i, h) in REINSPECTION_HEADERS.iter().enumerate() {
        match header.iter().position(|x| x == h) {
            Some(c) => col[i] = c + c0,
            None => missing.push(*h),
        }
    }
    if !missing.is_empty() {
        return Err(Error::Invalid(format!("{file}: sheet `{REINSPECTION_SHEET}`: missing column(s): {}", missing.join("; "))));
    }
    let at = |row: &Vec<Data>, i: usize| row.get(col[i] - c0).cloned().unwrap_or(Data::Empty);
    let mut errors = Vec::new();
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (r, row) in grid.iter().enumerate().skip(1) {
        let excel_row = r + 1;
        if row.iter().all(is_blank) {
            continue;
        }
        let mut bad = |i: usize, v: &Data, accepted: String| {
            errors.push(format!(
                "{file}: sheet `{REINSPECTION_SHEET}` row {excel_row} column {} `{}`: value `{}`: {accepted}",
                column_letter(col[i]),
                REINSPECTION_HEADERS[i],
                shown(v)
            ))
        };
        let result_cell = at(row, C_RESULT);
        if is_blank(&result_cell) {
            for i in [C_SCORE, C_DATE, C_NOTE] {
                let v = at(row, i);
                if !is_blank(&v) {
                    bad(i, &v, "must be blank when the result is blank (the order was not re-inspected)".into());
                }
            }
            continue;
        }
        let order_cell = at(row, C_ORDER);
        let Some(id) = number(&order_cell).filter(|f| f.fract() == 0.0).map(|f| f as i64) else {
            bad(C_ORDER, &order_cell, "expected an order number".into());
            continue;
        };
        let order = match project.order(id) {
            Ok(o) => o,
            Err(_) => {
                bad(C_ORDER, &order_cell, "expected an order of this project (the project's order list shows them)".into());
                continue;
            }
        };
        if let Some(first) = seen.insert(id, excel_row) {
            bad(C_ORDER, &order_cell, format!("order {id} appears twice (rows {first} and {excel_row})"));
            continue;
        }
        let events_cell = at(row, C_EVENTS);
        if number(&events_cell) != Some(order.history.len() as f64) {
            bad(
                C_EVENTS,
                &events_cell,
                format!(
                    "order {id} has {} event(s) now: it changed since this sheet was written (or the sheet was imported already); write a new re-inspection sheet",
                    order.history.len()
                ),
            );
            continue;
        }
        let item_cell = at(row, C_ITEM);
        if text(&item_cell) != order.item_id {
            bad(C_ITEM, &item_cell, format!("order {id} is for item `{}`", order.item_id));
            continue;
        }
        let Some(passed) = pass_fail(&result_cell) else {
            bad(C_RESULT, &result_cell, "expected 通过/不通过, pass/fail, 是/否 or 1/0".into());
            continue;
        };
        let score_cell = at(row, C_SCORE);
        let score = if is_blank(&score_cell) {
            None
        } else {
            match number(&score_cell) {
                Some(s) => Some(s),
                None => {
                    bad(C_SCORE, &score_cell, "expected a number, or blank".into());
                    continue;
                }
            }
        };
        let date_cell = at(row, C_DATE);
        let Some(on) = date(&date_cell) else {
            bad(C_DATE, &date_cell, "expected the re-inspection date (an Excel date or YYYY-MM-DD)".into());
            continue;
        };
        let r = Reinspection { order: id, passed, on, score, note: text(&at(row, C_NOTE)) };
        let kind = match project.catalog().kind(&order.layer) {
            Ok(k) => k,
            Err(e) => {
                bad(C_ORDER, &order_cell, format!("order {id} is on a layer the catalog does not have: {e}"));
                continue;
            }
        };
        match reinspection_event(kind, &order, &r) {
            Ok(e) => out.push((order, e)),
            Err(e) => {
                // Name the cell the rule is about: the score when one was given and is at
                // fault, else the date.
                let msg = e.to_string();
                let i = if msg.starts_with("score") { C_SCORE } else { C_DATE };
                let v = if i == C_SCORE { score_cell } else { date_cell };
                bad(i, &v, msg);
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(format!("{} problem(s); nothing imported:\n{}", errors.len(), errors.join("\n"))));
    }
    Ok(out)
}

/// Reads, checks and stores a filled re-inspection workbook as one action; returns the orders
/// as they are now.
pub fn import_reinspections(project: &Project, path: &Path) -> Result<Vec<Order>> {
    let rows = read_reinspections(project, path)?;
    if rows.is_empty() {
        return Err(Error::Invalid(format!("{}: no order has a result; nothing to import", path.display())));
    }
    let closed = rows.iter().filter(|(_, e)| e.state == crate::evaluation::OrderState::Closed).count();
    let summary = format!(
        "re-inspection round from {}: {} order(s), {closed} closed, {} open",
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        rows.len(),
        rows.len() - closed
    );
    let events: Vec<(i64, OrderEvent)> = rows.iter().map(|(o, e)| (o.id, e.clone())).collect();
    project.record_order_events(&events, &summary)?;
    events.iter().map(|(id, _)| project.order(*id)).collect()
}
