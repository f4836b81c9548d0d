//! The zone report as a PDF, laid out with the ward maps' page engine: a map of the zone with
//! the demand left uncovered marked and the kept scenarios' sites, then the tables — layers
//! and densities, coverage per facility kind, the uncovered demand, the scenarios side by side.

use geo::BoundingRect;
use geo_types::Coord;

use super::report::ZoneReport;
use super::scenarios;
use crate::catalog::{LayerGroup, LayerKind};
use crate::print::furniture::{format_number, legend, LegendRow};
use crate::print::map_frame::MapFrame;
use crate::print::map_layers::draw_layers;
use crate::print::map_page::{focused_map, furniture_and_names};
use crate::print::style::Symbol;
use crate::print::table::{flow_table, Column, Table};
use crate::print::units::pt_to_mm;
use crate::print::{BoxMm, Fill, FillRule, GeoFrame, Item, Orientation, Page, PageFont, Paper, PathMm, PointMm, Rgb, Stroke, TextRun};
use crate::project::Project;
use crate::store::Storage;
use crate::{Error, Result};

const MARGIN: f32 = 14.0;
const INK: Rgb = Rgb(0x22, 0x22, 0x22);
const GREY: Rgb = Rgb(0x55, 0x55, 0x55);
const WARNING: Rgb = Rgb(0xb0, 0x20, 0x20);
/// The zone's outline: the pilot-zone layer's edge colour, drawn strong.
const ZONE_OUTLINE: Rgb = Rgb(0xd9, 0x5f, 0x02);
/// Uncovered demand: red, the colour a reader looks for first.
const UNCOVERED: Rgb = Rgb(0xe3, 0x1a, 0x1c);
const PROPOSED: Rgb = Rgb(0xd9, 0x5f, 0x02);

/// The facility kind whose uncovered demand the map marks: `focus` when given, else the kind
/// the zone's theme names (充电桩试点 → 充电桩), else the kind leaving the most demand uncovered.
fn map_kind<'r>(report: &'r ZoneReport, focus: Option<&str>) -> Result<Option<&'r super::report::KindCoverage>> {
    match focus {
        Some(kind) => report.coverage.iter().find(|c| c.layer == kind).map(Some).ok_or_else(|| {
            Error::Invalid(format!(
                "--map-kind `{kind}`: not a facility layer with a service radius; choose one of {}",
                report.coverage.iter().map(|c| c.layer.as_str()).collect::<Vec<_>>().join(", ")
            ))
        }),
        None => Ok(report
            .coverage
            .iter()
            .find(|c| report.zone.theme.contains(c.name_zh.as_str()))
            .or_else(|| report.coverage.iter().max_by(|a, b| (a.total - a.covered).total_cmp(&(b.total - b.covered)).then(b.layer.cmp(&a.layer))))),
    }
}

/// Lays the report out on A4 portrait pages and writes the PDF (the map georeferenced).
/// `date` is printed as the report's date; `focus` picks the kind the map marks.
pub fn report_pdf<S: Storage>(project: &Project<S>, report: &ZoneReport, focus: Option<&str>, date: &str, font: &PageFont) -> Result<Vec<u8>> {
    let mut page = Page::new(Paper::A4, Orientation::Portrait);
    let (w, h) = (page.width, page.height);
    let (ascent, _) = font.ascent_descent_em();
    let mut y = MARGIN;
    let line = |page: &mut Page, y: &mut f32, text: String, size: f32, colour: Rgb| {
        page.push(Item::Text(TextRun::new(PointMm::new(MARGIN, *y + pt_to_mm(ascent * size)), text, size, colour)));
        *y += pt_to_mm(size) * 1.45;
    };
    let z = &report.zone;
    line(&mut page, &mut y, format!("试点片区报告：{}", z.name), 18.0, INK);
    let status = if z.status == "approved" { "已批准" } else { "草案" };
    let meta = format!(
        "主题：{} · 状态：{status} · 编制人：{} · 日期：{} · 面积：{} km²",
        z.theme,
        z.author.as_deref().unwrap_or("—"),
        z.date.as_deref().unwrap_or("—"),
        format_number((z.area_km2 * 100.0).round() / 100.0)
    );
    line(&mut page, &mut y, meta, 9.0, GREY);
    let basis = format!(
        "需求：{}（{} 处，合计 {}）· 距离：{}",
        report.demand,
        report.demand_points,
        format_number(report.demand_total.round()),
        report.distance.label_zh()
    );
    line(&mut page, &mut y, basis, 9.0, GREY);
    if report.generated {
        line(&mut page, &mut y, "演示数据：需求与设施为程序生成，非真实数据".into(), 9.0, WARNING);
    }
    if let Some(note) = &z.note {
        line(&mut page, &mut y, format!("备注：{note}"), 9.0, GREY);
    }

    // The map.
    let marked = map_kind(report, focus)?;
    let frame_box = BoxMm::new(MARGIN, y + 2.0, w - 2.0 * MARGIN, 112.0);
    let bounds = z.area.bounding_rect().ok_or_else(|| Error::Print(format!("pilot zone `{}` has an empty outline", z.name)))?;
    let frame = MapFrame::fit(frame_box, bounds, 0.06);
    let layers: Vec<&LayerKind> = project.catalog().kinds().iter().filter(|k| k.group != LayerGroup::Planning).collect();
    let content = draw_layers(project, &frame, &layers, Some(&z.area))?;
    let mut marks = Vec::new();
    if let Some(kind) = marked {
        for u in &kind.uncovered {
            marks.push(ring(&frame, u.at, 2.2, UNCOVERED, 0.35));
        }
    }
    for scenario in scenarios::scenarios(project, Some(&z.name))? {
        for site in &scenario.sites {
            marks.push(ring(&frame, site.at, 1.8, PROPOSED, 0.0));
        }
    }
    page.push(focused_map(&frame, &content, &z.area, ZONE_OUTLINE, 1.0, vec![Item::Layer { name: "规划标注".into(), items: marks }]));
    page.items.extend(furniture_and_names(&frame, &content, PointMm::new(frame_box.x + 6.0, frame_box.bottom() - 12.0), 50.0, font));

    // The key to what the map marks.
    let mut rows = vec![LegendRow {
        symbol: Symbol::Line { colour: ZONE_OUTLINE, width: 1.0, opacity: 1.0, dash: Vec::new(), round: true },
        text: "试点片区范围".into(),
    }];
    if let Some(kind) = marked {
        rows.push(LegendRow {
            symbol: Symbol::Circle { radius: 2.2, colour: UNCOVERED, opacity: 0.35, stroke: Some((UNCOVERED, 0.5)) },
            text: format!("{}服务范围外的需求（{} m）", kind.name_zh, format_number(kind.radius_m)),
        });
    }
    if !report.scenarios.is_empty() {
        rows.push(LegendRow { symbol: Symbol::Circle { radius: 1.8, colour: PROPOSED, opacity: 0.0, stroke: Some((PROPOSED, 0.5)) }, text: "方案拟建点".into() });
    }
    let legend_box = BoxMm::new(MARGIN, frame_box.bottom() + 2.0, w - 2.0 * MARGIN, 14.0);
    let (legend_items, _) = legend(&rows, legend_box, legend_box.width / 3.0, font);
    page.items.extend(legend_items);

    // The tables, flowing onto further pages.
    let mut pages = Vec::new();
    let mut flow = Flow { page, y: legend_box.bottom() + 4.0, pages: &mut pages, w, h };
    let kind_name = |id: &str| project.catalog().get(id).map_or_else(|| id.to_owned(), |k| k.name_zh.clone());
    for (heading, table) in tables(report, w - 2.0 * MARGIN, &kind_name) {
        flow.table(&heading, &table, font);
    }
    let last = flow.page;
    pages.push(last);
    let count = pages.len();
    for (k, page) in pages.iter_mut().enumerate() {
        let size = 7.5;
        let text = format!("制图日期：{date}　　坐标系：WGS 84（EPSG:4326）　　wardgis 试点片区报告　　第 {} 页 / 共 {count} 页", k + 1);
        page.push(Item::Text(TextRun::new(PointMm::new(MARGIN, h - MARGIN + pt_to_mm(ascent * size)), text, size, GREY)));
    }
    let pdf = crate::print::render_pdf(&pages, font)?;
    let geo = GeoFrame { page: 0, ..frame.geo_frame(0, &format!("试点片区 {}", z.name)) };
    crate::print::finish_pdf(&pdf, &pages, &[geo])
}

/// A marked place: a ring, filled to `opacity`.
fn ring(frame: &MapFrame, at: Coord<f64>, radius: f32, colour: Rgb, opacity: f32) -> Item {
    Item::Path {
        path: PathMm::circle(frame.to_page(at), radius),
        fill: Some(Fill { colour, opacity, rule: FillRule::NonZero }),
        stroke: Some(Stroke::solid(colour, 0.5)),
    }
}

/// Pages filled top to bottom: each table under its heading, continued on new pages.
struct Flow<'p> {
    page: Page,
    y: f32,
    pages: &'p mut Vec<Page>,
    w: f32,
    h: f32,
}

impl Flow<'_> {
    fn table(&mut self, heading: &str, table: &Table, font: &PageFont) {
        let (ascent, _) = font.ascent_descent_em();
        let bottom = self.h - MARGIN - 6.0;
        // A heading needs its header row and a row or two under it, else it starts a page.
        if bottom - self.y < 30.0 {
            self.new_page();
        }
        self.page.push(Item::Text(TextRun::new(PointMm::new(MARGIN, self.y + pt_to_mm(ascent * 11.0)), heading, 11.0, INK)));
        self.y += 7.0;
        let first = BoxMm::new(MARGIN, self.y, self.w - 2.0 * MARGIN, bottom - self.y);
        let next = BoxMm::new(MARGIN, MARGIN, self.w - 2.0 * MARGIN, bottom - MARGIN);
        let (parts, last_height) = flow_table(table, font, first, next);
        let count = parts.len();
        for (k, items) in parts.into_iter().enumerate() {
            if k > 0 {
                self.new_page();
            }
            self.page.items.extend(items);
            if k + 1 == count {
                self.y = if k == 0 { first.y } else { next.y } + last_height + 6.0;
            }
        }
    }

    fn new_page(&mut self) {
        let full = std::mem::replace(&mut self.page, Page::new(Paper::A4, Orientation::Portrait));
        self.pages.push(full);
        self.y = MARGIN;
    }
}

/// The report's tables, each under its heading.
fn tables(report: &ZoneReport, width: f32, kind_name: &dyn Fn(&str) -> String) -> Vec<(String, Table)> {
    let columns = |spec: &[(&str, f32)]| -> Vec<Column> {
        let fixed: f32 = spec.iter().skip(1).map(|(_, w)| w).sum();
        spec.iter().enumerate().map(|(i, (t, w))| Column { title: (*t).into(), width: if i == 0 { width - fixed } else { *w } }).collect()
    };
    let number = |v: f64| format_number(v.round());
    let share = |v: f64| format!("{:.1}%", 100.0 * v);
    let mut out = Vec::new();
    out.push((
        "一、片区内要素数量与密度".to_owned(),
        Table {
            columns: columns(&[("图层", 0.0), ("数量", 30.0), ("密度（个/km²）", 40.0)]),
            rows: report.layers.iter().map(|l| vec![l.name_zh.clone(), l.count.to_string(), format!("{:.1}", l.per_km2)]).collect(),
            size_pt: 8.5,
        },
    ));
    out.push((
        format!("二、设施服务覆盖率（{}）", report.distance.label_zh()),
        Table {
            columns: columns(&[("设施类型", 0.0), ("服务半径（m）", 26.0), ("片区内设施", 24.0), ("需求合计", 24.0), ("已覆盖", 24.0), ("覆盖率", 22.0)]),
            rows: report
                .coverage
                .iter()
                .map(|c| vec![c.name_zh.clone(), format_number(c.radius_m), c.in_zone.to_string(), number(c.total), number(c.covered), share(c.share)])
                .collect(),
            size_pt: 8.5,
        },
    ));
    let uncovered: Vec<Vec<String>> = report
        .coverage
        .iter()
        .flat_map(|c| {
            c.uncovered.iter().map(move |u| {
                vec![
                    u.name.clone().unwrap_or_else(|| format!("（未命名，编号 {}）", u.fid)),
                    c.name_zh.clone(),
                    number(u.weight),
                    u.nearest_m.map(|m| format_number(m.round())).unwrap_or_else(|| "5 km 内无".into()),
                ]
            })
        })
        .collect();
    out.push((
        "三、服务范围外的需求".to_owned(),
        Table { columns: columns(&[("需求点", 0.0), ("设施类型", 34.0), ("需求量", 24.0), ("距最近设施（m）", 34.0)]), rows: uncovered, size_pt: 8.0 },
    ));
    if !report.scenarios.is_empty() {
        out.push((
            "四、方案比较".to_owned(),
            Table {
                columns: columns(&[("方案", 0.0), ("设施类型", 26.0), ("点数", 14.0), ("覆盖前", 22.0), ("覆盖后", 22.0), ("新增覆盖", 22.0), ("造价", 22.0)]),
                rows: report
                    .scenarios
                    .iter()
                    .map(|s| {
                        vec![
                            s.name.clone(),
                            kind_name(&s.kind),
                            s.sites.to_string(),
                            number(s.before),
                            number(s.after),
                            number(s.after - s.before),
                            s.cost.map(|c| format_number((c * 100.0).round() / 100.0)).unwrap_or_else(|| "—".into()),
                        ]
                    })
                    .collect(),
                size_pt: 8.5,
            },
        ));
    }
    out
}
