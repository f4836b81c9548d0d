//! The zone report as a workbook: the same tables as the PDF, one sheet each, numbers as
//! numbers (so a planner can sort and sum them), headers in Chinese and English.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::report::ZoneReport;
use crate::{Error, Result};

/// Writes the report to `path`.
pub fn write_report_xlsx(report: &ZoneReport, path: &Path) -> Result<()> {
    let fail = |e: XlsxError| Error::Invalid(format!("{}: cannot write the workbook: {e}", path.display()));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let z = &report.zone;

    let sheet = book.add_worksheet().set_name("概况 Summary").map_err(fail)?;
    let facts: Vec<(&str, String)> = vec![
        ("试点片区 Zone", z.name.clone()),
        ("主题 Theme", z.theme.clone()),
        ("状态 Status", z.status.clone()),
        ("编制人 Author", z.author.clone().unwrap_or_default()),
        ("日期 Date", z.date.clone().unwrap_or_default()),
        ("面积 Area (km²)", format!("{:.3}", z.area_km2)),
        ("备注 Note", z.note.clone().unwrap_or_default()),
        ("需求 Demand", report.demand.clone()),
        ("需求点数 Demand points", report.demand_points.to_string()),
        ("需求合计 Demand total", format!("{}", report.demand_total)),
        ("距离 Distance", format!("{} ({})", report.distance.label_zh(), report.distance.code())),
        (
            "数据 Data",
            if report.generated { "演示数据：程序生成，非真实数据 (generated demo data)".into() } else { "项目数据 (project data)".into() },
        ),
    ];
    for (row, (key, value)) in facts.iter().enumerate() {
        sheet.write_string_with_format(row as u32, 0, *key, &bold).map_err(fail)?;
        sheet.write_string(row as u32, 1, value).map_err(fail)?;
    }
    sheet.set_column_width(0, 26).map_err(fail)?;
    sheet.set_column_width(1, 48).map_err(fail)?;

    let sheet = table_sheet(&mut book, "图层 Layers", &["图层 Layer", "名称 Name", "数量 Count", "密度 Per km²"], &bold).map_err(fail)?;
    for (i, l) in report.layers.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &l.layer).map_err(fail)?;
        sheet.write_string(r, 1, &l.name_zh).map_err(fail)?;
        sheet.write_number(r, 2, l.count as f64).map_err(fail)?;
        sheet.write_number(r, 3, l.per_km2).map_err(fail)?;
    }

    let headers = ["图层 Layer", "设施类型 Kind", "服务半径 Radius (m)", "片区内设施 In zone", "需求合计 Demand", "已覆盖 Covered", "覆盖率 Share"];
    let sheet = table_sheet(&mut book, "覆盖 Coverage", &headers, &bold).map_err(fail)?;
    let percent = Format::new().set_num_format("0.0%");
    for (i, c) in report.coverage.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &c.layer).map_err(fail)?;
        sheet.write_string(r, 1, &c.name_zh).map_err(fail)?;
        sheet.write_number(r, 2, c.radius_m).map_err(fail)?;
        sheet.write_number(r, 3, c.in_zone as f64).map_err(fail)?;
        sheet.write_number(r, 4, c.total).map_err(fail)?;
        sheet.write_number(r, 5, c.covered).map_err(fail)?;
        sheet.write_number_with_format(r, 6, c.share, &percent).map_err(fail)?;
    }

    let headers = ["设施类型 Kind", "编号 ID", "需求点 Place", "需求量 Demand", "距最近设施 Nearest (m)"];
    let sheet = table_sheet(&mut book, "未覆盖 Uncovered", &headers, &bold).map_err(fail)?;
    let mut r = 1;
    for c in &report.coverage {
        for u in &c.uncovered {
            sheet.write_string(r, 0, &c.layer).map_err(fail)?;
            sheet.write_number(r, 1, u.fid as f64).map_err(fail)?;
            sheet.write_string(r, 2, u.name.as_deref().unwrap_or("")).map_err(fail)?;
            sheet.write_number(r, 3, u.weight).map_err(fail)?;
            match u.nearest_m {
                Some(m) => sheet.write_number(r, 4, m.round()).map_err(fail)?,
                None => sheet.write_string(r, 4, "5 km 内无 none within 5 km").map_err(fail)?,
            };
            r += 1;
        }
    }

    let headers = ["方案 Scenario", "设施类型 Kind", "点数 Sites", "覆盖前 Before", "覆盖后 After", "新增 Gained", "造价 Cost"];
    let sheet = table_sheet(&mut book, "方案 Scenarios", &headers, &bold).map_err(fail)?;
    for (i, s) in report.scenarios.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &s.name).map_err(fail)?;
        sheet.write_string(r, 1, &s.kind).map_err(fail)?;
        sheet.write_number(r, 2, s.sites as f64).map_err(fail)?;
        sheet.write_number(r, 3, s.before).map_err(fail)?;
        sheet.write_number(r, 4, s.after).map_err(fail)?;
        sheet.write_number(r, 5, s.after - s.before).map_err(fail)?;
        if let Some(cost) = s.cost {
            sheet.write_number(r, 6, cost).map_err(fail)?;
        }
    }
    book.save(path).map_err(fail)
}

/// A sheet with a bold, frozen header row.
fn table_sheet<'b>(book: &'b mut Workbook, name: &str, headers: &[&str], bold: &Format) -> std::result::Result<&'b mut Worksheet, XlsxError> {
    let sheet = book.add_worksheet().set_name(name)?;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, bold)?;
        sheet.set_column_width(c as u16, 18)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(sheet)
}
