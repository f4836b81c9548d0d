//! Field workbooks: one XLSX per plan, one sheet per evaluator plus an instructions sheet.
//!
//! # Layout of an evaluator's sheet
//!
//! Row 1 is the header (bilingual, frozen); from row 2 one row per site, the evaluator's base
//! sites first (in site-number order), then their replacement sites (marked 备用 Replacement).
//! The columns are [`FIXED_HEADERS`] (site number, base/replacement, layer, stratum, id
//! (fid), name, address or nearest road, lon, lat), then one column per checklist item of
//! every layer in the plan (the union, in catalog order; a header reads
//! `BB-01 结构牢固… / Structure sound… (30)`, the number in brackets the item's maximum),
//! then [`TRAILING_HEADERS`]: pass/fail, note, inspection date, not-visited reason. A cell of
//! an item that does not belong to the site's layer is grey and must stay blank. Score cells
//! carry Excel data validation (a decimal 0..max), pass/fail cells a list
//! (通过/不通过), date cells a date validation.
//!
//! # Splitting the sites among K evaluators
//!
//! Each evaluator should get one compact part of the district. Without clustering: the base
//! sites are sorted by the angle of their position around the base sites' centroid (ties by
//! site number) and cut into K contiguous runs of near-equal size (the first `n mod K` runs
//! get one more site), i.e. K pie slices. Each replacement site goes to the evaluator of its
//! nearest base site (planar distance in degrees, ties by site number), so a replacement lies
//! in the area of the evaluator who may need it. The result is deterministic.
//!
//! # Address or nearest road
//!
//! A layer with an `address` field shows it. Otherwise, when the project has a `roads` layer
//! with features, the nearest road's name (by the R-tree, exact geodesic metres) and the
//! distance are shown, e.g. `人民路 (35 m)`.

use std::path::Path;

use geo::{Centroid, InteriorPoint};
use geo_types::{Coord, Geometry};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::catalog::ChecklistItem;
use crate::error::{Error, Result};
use crate::sampling::plan::PlanRecord;
use crate::Project;

/// Headers of the columns before the checklist items.
pub const FIXED_HEADERS: [&str; 9] = [
    "序号 Site no.",
    "类别 Base/replacement",
    "图层 Layer",
    "分层 Stratum",
    "编号 ID",
    "名称 Name",
    "地址/最近道路 Address / nearest road",
    "经度 Lon",
    "纬度 Lat",
];

/// Headers of the columns after the checklist items.
pub const TRAILING_HEADERS: [&str; 4] =
    ["通过 Pass/fail", "备注 Note", "检查日期 Date (YYYY-MM-DD)", "未检查原因 Not visited reason"];

/// The base/replacement marks in the second column.
pub const BASE_MARK: &str = "样本 Base";
pub const REPLACEMENT_MARK: &str = "备用 Replacement";

/// The name of the instructions sheet.
pub const INSTRUCTIONS_SHEET: &str = "说明 Instructions";

/// One site as the workbook shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetSite {
    pub site_no: usize,
    pub replacement: bool,
    pub layer: String,
    pub stratum: Option<String>,
    pub fid: i64,
    pub name: String,
    pub place: String,
    pub lon: f64,
    pub lat: f64,
}

/// One checklist column: the layer it belongs to and the item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemColumn {
    pub layer: String,
    pub item: ChecklistItem,
}

impl ItemColumn {
    /// The header text, `ID 中文 / English (max)`.
    pub fn header(&self) -> String {
        format!("{} {} / {} ({})", self.item.id, self.item.text_zh, self.item.text_en, self.item.max_points)
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkbookSummary {
    /// Sheet names in order (evaluators, then the instructions sheet).
    pub sheets: Vec<String>,
    /// Sites per evaluator sheet (base, replacement).
    pub sites: Vec<(usize, usize)>,
    pub item_columns: usize,
}

/// The name of evaluator `i`'s sheet (0-based).
pub fn evaluator_sheet_name(i: usize) -> String {
    format!("评估员{} Evaluator {}", i + 1, i + 1)
}

/// The checklist columns of a plan: every item of every layer that has sampled sites, in the
/// plan's layer order.
pub fn item_columns(project: &Project, plan: &PlanRecord) -> Result<Vec<ItemColumn>> {
    let mut cols = Vec::new();
    for layer in &plan.layers {
        let kind = project.catalog().kind(layer)?;
        for item in &kind.checklist {
            cols.push(ItemColumn { layer: layer.clone(), item: item.clone() });
        }
    }
    Ok(cols)
}

/// A representative point of a geometry: the point itself, else an interior point, else the centroid.
pub(crate) fn position(g: &Geometry<f64>) -> Option<Coord<f64>> {
    match g {
        Geometry::Point(p) => Some(p.0),
        _ => g.interior_point().or_else(|| g.centroid()).map(|p| p.0),
    }
}

/// The sites of a plan, in site-number order, with name, place and position.
pub fn plan_sites(project: &Project, plan: &PlanRecord) -> Result<Vec<SheetSite>> {
    let roads = match project.catalog().get("roads") {
        Some(_) => project.index("roads").ok().filter(|ix| !ix.is_empty()),
        None => None,
    };
    let mut out = Vec::new();
    for u in plan.sites() {
        let kind = project.catalog().kind(&u.layer)?;
        let f = project.feature(&u.layer, u.fid)?;
        let c = position(&f.geometry)
            .ok_or_else(|| Error::Invalid(format!("site {}: {} fid {} has an empty geometry", u.site_no.unwrap_or(0), u.layer, u.fid)))?;
        let text = |k: &str| f.props.get(k).filter(|v| !v.is_null()).map(|v| v.to_text()).unwrap_or_default();
        let mut place = if kind.field("address").is_some() { text("address") } else { String::new() };
        if place.is_empty() {
            if let Some(ix) = &roads {
                if let Some(hit) = ix.nearest(c, 1)?.first() {
                    let road = project.feature("roads", hit.fid)?;
                    let name = road.props.get("name").map(|v| v.to_text()).unwrap_or_default();
                    let name = if name.is_empty() { format!("roads fid {}", hit.fid) } else { name };
                    place = format!("{name} ({:.0} m)", hit.distance_m);
                }
            }
        }
        out.push(SheetSite {
            site_no: u.site_no.expect("sites() returns sampled units"),
            replacement: u.replacement,
            layer: u.layer.clone(),
            stratum: u.stratum.clone(),
            fid: u.fid,
            name: text("name"),
            place,
            lon: c.x,
            lat: c.y,
        });
    }
    Ok(out)
}

/// Splits sites among `k` evaluators (see the module documentation): returns, per evaluator,
/// the indices into `sites` (base sites in site order, then replacement sites in site order).
pub fn split_sites(sites: &[SheetSite], k: usize) -> Vec<Vec<usize>> {
    let k = k.max(1);
    let base: Vec<usize> = (0..sites.len()).filter(|&i| !sites[i].replacement).collect();
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); k];
    if base.is_empty() {
        groups[0] = (0..sites.len()).collect();
        return groups;
    }
    let n = base.len() as f64;
    let cx = base.iter().map(|&i| sites[i].lon).sum::<f64>() / n;
    let cy = base.iter().map(|&i| sites[i].lat).sum::<f64>() / n;
    let mut by_angle = base.clone();
    let angle = |i: usize| (sites[i].lat - cy).atan2(sites[i].lon - cx);
    by_angle.sort_by(|&a, &b| angle(a).total_cmp(&angle(b)).then(sites[a].site_no.cmp(&sites[b].site_no)));
    let (q, r) = (base.len() / k, base.len() % k);
    let mut owner = vec![0usize; sites.len()];
    let mut at = 0;
    for (g, group) in groups.iter_mut().enumerate() {
        let len = q + usize::from(g < r);
        for &i in &by_angle[at..at + len] {
            group.push(i);
            owner[i] = g;
        }
        at += len;
    }
    for (i, s) in sites.iter().enumerate().filter(|(_, s)| s.replacement) {
        let d2 = |j: usize| (sites[j].lon - s.lon).powi(2) + (sites[j].lat - s.lat).powi(2);
        let nearest = *base
            .iter()
            .min_by(|&&a, &&b| d2(a).total_cmp(&d2(b)).then(sites[a].site_no.cmp(&sites[b].site_no)))
            .expect("base is not empty");
        groups[owner[nearest]].push(i);
    }
    for g in &mut groups {
        g.sort_by_key(|&i| (sites[i].replacement, sites[i].site_no));
    }
    groups
}

fn xlsx(out: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::Invalid(format!("{}: cannot write the workbook: {e}", out.display()))
}

/// Writes the field workbook of plan `plan_name` to `out`, split among `evaluators` (≥ 1).
pub fn write_workbook(project: &Project, plan_name: &str, evaluators: usize, out: &Path) -> Result<WorkbookSummary> {
    if evaluators == 0 {
        return Err(Error::Invalid("evaluators: expected 1 or more".into()));
    }
    let plan = project.plan(plan_name)?;
    let sites = plan_sites(project, &plan)?;
    if sites.is_empty() {
        return Err(Error::Invalid(format!("plan `{plan_name}` has no sites")));
    }
    let cols = item_columns(project, &plan)?;
    let groups = split_sites(&sites, evaluators);
    let err = xlsx(out);

    let header = Format::new().set_bold().set_text_wrap().set_background_color(Color::RGB(0xDDEBF7)).set_border(FormatBorder::Thin);
    let grey = Format::new().set_background_color(Color::RGB(0xBFBFBF));
    let repl = Format::new().set_font_color(Color::RGB(0x7F6000)).set_italic();
    let coord = Format::new().set_num_format("0.000000");
    let date = Format::new().set_num_format("yyyy-mm-dd");

    let mut wb = Workbook::new();
    let first_item = FIXED_HEADERS.len() as u16;
    let pass_col = first_item + cols.len() as u16;
    let mut summary = WorkbookSummary { sheets: Vec::new(), sites: Vec::new(), item_columns: cols.len() };
    for (g, group) in groups.iter().enumerate() {
        let name = evaluator_sheet_name(g);
        let ws: &mut Worksheet = wb.add_worksheet();
        ws.set_name(&name).map_err(&err)?;
        let headers: Vec<String> = FIXED_HEADERS
            .iter()
            .map(|s| s.to_string())
            .chain(cols.iter().map(ItemColumn::header))
            .chain(TRAILING_HEADERS.iter().map(|s| s.to_string()))
            .collect();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &header).map_err(&err)?;
        }
        ws.set_row_height(0, 60).map_err(&err)?;
        for (c, w) in [8.0, 12.0, 12.0, 12.0, 8.0, 24.0, 26.0, 12.0, 12.0].iter().enumerate() {
            ws.set_column_width(c as u16, *w).map_err(&err)?;
        }
        for c in 0..cols.len() {
            ws.set_column_width(first_item + c as u16, 16).map_err(&err)?;
        }
        for (c, w) in [12.0, 24.0, 14.0, 24.0].iter().enumerate() {
            ws.set_column_width(pass_col + c as u16, *w).map_err(&err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(&err)?;
        let mut counts = (0, 0);
        for (r, &i) in group.iter().enumerate() {
            let s = &sites[i];
            let row = r as u32 + 1;
            if s.replacement {
                counts.1 += 1;
            } else {
                counts.0 += 1;
            }
            ws.write_number(row, 0, s.site_no as f64).map_err(&err)?;
            if s.replacement {
                ws.write_string_with_format(row, 1, REPLACEMENT_MARK, &repl).map_err(&err)?;
            } else {
                ws.write_string(row, 1, BASE_MARK).map_err(&err)?;
            }
            ws.write_string(row, 2, &s.layer).map_err(&err)?;
            ws.write_string(row, 3, s.stratum.as_deref().unwrap_or("")).map_err(&err)?;
            ws.write_number(row, 4, s.fid as f64).map_err(&err)?;
            ws.write_string(row, 5, &s.name).map_err(&err)?;
            ws.write_string(row, 6, &s.place).map_err(&err)?;
            ws.write_number_with_format(row, 7, s.lon, &coord).map_err(&err)?;
            ws.write_number_with_format(row, 8, s.lat, &coord).map_err(&err)?;
            for (c, col) in cols.iter().enumerate() {
                let cc = first_item + c as u16;
                if col.layer != s.layer {
                    ws.write_blank(row, cc, &grey).map_err(&err)?;
                } else {
                    let dv = DataValidation::new()
                        .allow_decimal_number(DataValidationRule::Between(0.0, col.item.max_points as f64))
                        .set_error_message(format!("0 – {}", col.item.max_points))
                        .map_err(&err)?;
                    ws.add_data_validation(row, cc, row, cc, &dv).map_err(&err)?;
                }
            }
            ws.write_blank(row, pass_col + 2, &date).map_err(&err)?;
        }
        let last = group.len() as u32;
        if last >= 1 {
            let pf = DataValidation::new().allow_list_strings(&["通过", "不通过"]).map_err(&err)?;
            ws.add_data_validation(1, pass_col, last, pass_col, &pf).map_err(&err)?;
            let dv = DataValidation::new()
                .allow_date(DataValidationRule::Between(
                    ExcelDateTime::from_ymd(2000, 1, 1).map_err(&err)?,
                    ExcelDateTime::from_ymd(2100, 12, 31).map_err(&err)?,
                ))
                .set_error_message("YYYY-MM-DD")
                .map_err(&err)?;
            ws.add_data_validation(1, pass_col + 2, last, pass_col + 2, &dv).map_err(&err)?;
        }
        summary.sheets.push(name);
        summary.sites.push(counts);
    }

    let ws = wb.add_worksheet();
    ws.set_name(INSTRUCTIONS_SHEET).map_err(&err)?;
    ws.set_column_width(0, 110).map_err(&err)?;
    let lines = instructions(&plan, &cols);
    for (r, line) in lines.iter().enumerate() {
        ws.write_string(r as u32, 0, line).map_err(&err)?;
    }
    summary.sheets.push(INSTRUCTIONS_SHEET.to_owned());
    wb.save(out).map_err(&err)?;
    Ok(summary)
}

fn instructions(plan: &PlanRecord, cols: &[ItemColumn]) -> Vec<String> {
    let mut l = vec![
        format!(
            "计划 Plan: {}  (设计 design {}, 种子 seed {}, 创建 created {})",
            plan.name,
            plan.design,
            plan.seed,
            plan.created.map(|t| t.to_string()).unwrap_or_default()
        ),
        String::new(),
        "1. 每行一个站点；先检查“样本 Base”站点。Each row is one site; inspect the Base sites.".into(),
        "2. 每个检查项填写得分（0 至括号内满分）；灰色单元格不属于该站点的图层，保持空白。Score each item 0..max (the number in brackets); leave grey cells blank.".into(),
        "3. 通过 Pass/fail：填“通过”或“不通过”；留空则按得分判定（每项满分才通过）。Write 通过 or 不通过; if blank, the site passes when every item has full points.".into(),
        "4. 检查日期：YYYY-MM-DD。Date of inspection as YYYY-MM-DD.".into(),
        "5. 无法检查的站点：不填得分，在“未检查原因”中写明原因，并按编号顺序使用“备用 Replacement”站点。A site that cannot be visited: no scores, write the reason, and use the replacement sites in their numbered order.".into(),
        "6. 请勿修改序号、编号、图层列及表头。Do not change the site number, id, layer columns or the headers.".into(),
        String::new(),
        "检查项 Checklist items:".into(),
    ];
    for c in cols {
        l.push(format!("  [{}] {}", c.layer, c.header()));
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(site_no: usize, replacement: bool, lon: f64, lat: f64) -> SheetSite {
        SheetSite {
            site_no,
            replacement,
            layer: "billboards".into(),
            stratum: None,
            fid: site_no as i64,
            name: String::new(),
            place: String::new(),
            lon,
            lat,
        }
    }

    #[test]
    fn split_gives_pie_slices_and_replacements_to_the_nearest_base_site() {
        // Four base sites at the compass points around (0, 0), two replacements.
        let sites = vec![
            site(1, false, 1.0, 0.0),
            site(2, false, 0.0, 1.0),
            site(3, false, -1.0, 0.0),
            site(4, false, 0.0, -1.0),
            site(5, true, -0.9, 0.1),
            site(6, true, 0.1, 0.9),
        ];
        let g = split_sites(&sites, 2);
        // Angles: 4 (−90°), 1 (0°) | 2 (90°), 3 (180°).
        assert_eq!(g, vec![vec![0, 3], vec![1, 2, 4, 5]]);
        assert_eq!(split_sites(&sites, 1), vec![vec![0, 1, 2, 3, 4, 5]]);
        let g3 = split_sites(&sites, 3);
        assert_eq!(g3.iter().map(|g| g.iter().filter(|&&i| !sites[i].replacement).count()).collect::<Vec<_>>(), [2, 1, 1]);
        let mut all: Vec<usize> = g3.concat();
        all.sort_unstable();
        assert_eq!(all, (0..6).collect::<Vec<_>>());
    }
}
