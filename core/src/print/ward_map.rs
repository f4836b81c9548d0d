//! The ward map a community office posts on its board: the community (社区) with every
//! facility on it, its neighbours faded, on one A4 or A3 sheet — title, map at a round scale
//! with a lettered reference grid, legend of what is on the page, scale bar, north arrow,
//! date, data source and issuing office — and a facility table (each facility with its grid
//! cell and address or nearest road) on the pages after it. One ward, a subdistrict's wards
//! or all of them (an atlas) come out of [`ward_maps`].

use std::collections::{BTreeSet, HashMap};

use geo::{BoundingRect, Contains, InteriorPoint};
use geo_types::{Coord, Geometry, MultiPolygon, Point};

use super::draw::{Item, PathMm, Rgb, Stroke, TextRun};
use super::font::PageFont;
use super::furniture::{format_number, legend, LegendRow, RefGrid};
use super::georef::GeoFrame;
use super::map_frame::MapFrame;
use super::map_layers::{draw_layers, MapContent};
use super::map_page::{focused_map, furniture_and_names};
use super::page::{Orientation, Page, Paper};
use super::style::{symbol_for, Symbol};
use super::table::{flow_table, Column, Table};
use super::units::{pt_to_mm, BoxMm, PointMm};
use crate::catalog::{LayerGroup, LayerKind};
use crate::feature::{Feature, Value};
use crate::project::Project;
use crate::store::Storage;
use crate::{Error, Result};

/// The layer whose polygons are the wards, and the field naming each ward's subdistrict.
pub const WARD_LAYER: &str = "communities";
pub const SUBDISTRICT_FIELD: &str = "subdistrict";
/// The layer whose names the facility table gives as "nearest road".
const ROAD_LAYER: &str = "roads";

/// Which wards to print.
#[derive(Debug, Clone, PartialEq)]
pub enum WardChoice {
    Ward(String),
    Subdistrict(String),
    All,
}

/// A ward: a community polygon, its name and its subdistrict.
#[derive(Debug, Clone, PartialEq)]
pub struct Ward {
    pub fid: i64,
    pub name: String,
    pub subdistrict: String,
    pub area: MultiPolygon<f64>,
}

/// How to print.
#[derive(Debug, Clone, PartialEq)]
pub struct WardMapOptions {
    pub paper: Paper,
    pub orientation: Orientation,
    /// The layers to draw (catalog ids); `None` for every layer.
    pub layers: Option<Vec<String>>,
    /// The issuing office printed in the footer; `None` leaves a line to write it on.
    pub office: Option<String>,
    /// The date printed as the map's date (`YYYY-MM-DD`).
    pub date: String,
}

/// One ward laid out: its pages (the map first, then the facility table) and its map frame.
#[derive(Debug, Clone)]
pub struct WardPages {
    pub ward: String,
    pub pages: Vec<Page>,
    /// The map frame, on the first of `pages` (page index 0 here).
    pub frame: GeoFrame,
    /// How many facilities the table lists.
    pub facilities: usize,
}

/// The wards `choice` names, in the layer's order (subdistrict, then name). An unknown name
/// is an error listing the names there are.
pub fn choose_wards<S: Storage>(project: &Project<S>, choice: &WardChoice) -> Result<Vec<Ward>> {
    let mut wards: Vec<Ward> = project
        .features(WARD_LAYER)?
        .into_iter()
        .filter_map(|f| {
            let area = match &f.geometry {
                Geometry::MultiPolygon(m) => m.clone(),
                Geometry::Polygon(p) => MultiPolygon::new(vec![p.clone()]),
                _ => return None,
            };
            Some(Ward { fid: f.fid?, name: f.name().unwrap_or_default().to_owned(), subdistrict: f.get(SUBDISTRICT_FIELD).to_text(), area })
        })
        .collect();
    wards.sort_by(|a, b| (&a.subdistrict, &a.name, a.fid).cmp(&(&b.subdistrict, &b.name, b.fid)));
    let listing = |items: BTreeSet<&str>| items.into_iter().collect::<Vec<_>>().join("、");
    let chosen: Vec<Ward> = match choice {
        WardChoice::All => wards.clone(),
        WardChoice::Ward(name) => wards.iter().filter(|w| w.name == *name).cloned().collect(),
        WardChoice::Subdistrict(name) => wards.iter().filter(|w| w.subdistrict == *name).cloned().collect(),
    };
    if chosen.is_empty() {
        return Err(Error::Print(match choice {
            WardChoice::All => format!("layer `{WARD_LAYER}` has no wards to print: import the communities first"),
            WardChoice::Ward(name) => format!("no community named `{name}` in layer `{WARD_LAYER}`; there are: {}", listing(wards.iter().map(|w| w.name.as_str()).collect())),
            WardChoice::Subdistrict(name) => format!(
                "no community of subdistrict `{name}` in layer `{WARD_LAYER}`; the subdistricts are: {}",
                listing(wards.iter().map(|w| w.subdistrict.as_str()).collect())
            ),
        }));
    }
    Ok(chosen)
}

/// The layers to draw: the catalog's but the planners' drafts (a community office's map shows
/// what stands, not pilot zones under discussion), or the ids asked for (an unknown id is an
/// error listing the ids there are).
fn chosen_layers<'c, S: Storage>(project: &'c Project<S>, asked: Option<&[String]>) -> Result<Vec<&'c LayerKind>> {
    let catalog = project.catalog();
    match asked {
        None => Ok(catalog.kinds().iter().filter(|k| k.group != LayerGroup::Planning).collect()),
        Some(ids) => ids
            .iter()
            .map(|id| catalog.get(id).ok_or_else(|| Error::Print(format!("--layers: no layer `{id}`; the layers are: {}", catalog.ids().join(", ")))))
            .collect(),
    }
}

/// Where the parts of the map page go.
struct Layout {
    title: BoxMm,
    frame: BoxMm,
    legend: BoxMm,
    legend_column: f32,
    footer: BoxMm,
}

const MARGIN: f32 = 12.0;
/// The strip round the frame holding the grid's letters and numbers.
const BAND: f32 = 5.0;
const FOOTER: f32 = 9.0;
const TITLE: f32 = 18.0;

fn layout(page: &Page) -> Layout {
    let (w, h) = (page.width, page.height);
    let title = BoxMm::new(MARGIN, MARGIN, w - 2.0 * MARGIN, TITLE);
    let footer = BoxMm::new(MARGIN, h - MARGIN - FOOTER, w - 2.0 * MARGIN, FOOTER);
    let top = MARGIN + TITLE + BAND;
    if w > h {
        // Landscape: the legend in a column right of the map.
        let side = (w * 0.22).max(62.0);
        let frame = BoxMm::new(MARGIN + BAND, top, w - 2.0 * MARGIN - 2.0 * BAND - side, footer.y - BAND - 2.0 - top);
        let legend = BoxMm::new(frame.right() + BAND + 4.0, frame.y, side - 4.0, frame.height);
        Layout { title, frame, legend, legend_column: legend.width, footer }
    } else {
        // Portrait: the legend in a band under the map, in columns.
        let legend_h = (h * 0.16).max(44.0);
        let frame = BoxMm::new(MARGIN + BAND, top, w - 2.0 * MARGIN - 2.0 * BAND, footer.y - legend_h - 2.0 * BAND - top);
        let legend = BoxMm::new(MARGIN, frame.bottom() + BAND + 2.0, w - 2.0 * MARGIN, legend_h - 2.0);
        let columns = (legend.width / 45.0).floor().max(1.0);
        Layout { title, frame, legend, legend_column: legend.width / columns, footer }
    }
}

const INK: Rgb = Rgb(0x22, 0x22, 0x22);
/// The ward's own outline: the community line's colour, drawn strong.
const WARD_OUTLINE: Rgb = Rgb(0x8c, 0x3d, 0x10);

/// Lays out one ward's pages.
pub fn ward_pages<S: Storage>(project: &Project<S>, ward: &Ward, options: &WardMapOptions, font: &PageFont) -> Result<WardPages> {
    let layers = chosen_layers(project, options.layers.as_deref())?;
    let mut page = Page::new(options.paper, options.orientation);
    let parts = layout(&page);
    let bounds = ward.area.bounding_rect().ok_or_else(|| Error::Print(format!("community `{}` has an empty outline", ward.name)))?;
    let frame = MapFrame::fit(parts.frame, bounds, 0.04);
    let content = draw_layers(project, &frame, &layers, Some(&ward.area))?;
    let grid = RefGrid::new(parts.frame, 40.0);

    // The map: layers, the neighbours faded, the ward's outline; the grid; the furniture and
    // the names.
    page.push(focused_map(&frame, &content, &ward.area, WARD_OUTLINE, 0.9, Vec::new()));
    page.items.extend(grid.draw(BAND, font));
    let bar_at = PointMm::new(parts.frame.x + 7.0, parts.frame.bottom() - 13.0);
    page.items.extend(furniture_and_names(&frame, &content, bar_at, (parts.frame.width * 0.3).min(60.0), font));

    // Title, legend, footer.
    let demo = content.sources.contains(crate::demo::SOURCE);
    title(&mut page, parts.title, ward, demo, font);
    let rows = legend_rows(&content, &frame);
    let (legend_items, left_out) = legend(&rows, parts.legend, parts.legend_column, font);
    page.items.extend(legend_items);
    if left_out > 0 {
        return Err(Error::Print(format!(
            "the legend of `{}` has {} rows and {left_out} do not fit on {:?} {:?}; choose fewer layers with --layers or a larger paper",
            ward.name,
            rows.len(),
            options.paper,
            options.orientation
        )));
    }

    // The facility table on the pages after the map.
    let table_width = page_width(options) - 2.0 * MARGIN;
    let table = facility_table(project, &content, &layers, ward, &frame, &grid, table_width)?;
    let facilities = table.rows.len();
    let mut pages = vec![page];
    let sheet = Page::new(options.paper, options.orientation);
    let table_area = BoxMm::new(MARGIN, MARGIN + 12.0, sheet.width - 2.0 * MARGIN, sheet.height - 2.0 * MARGIN - 12.0 - FOOTER - 2.0);
    let (table_pages, _) = flow_table(&table, font, table_area, table_area);
    for (k, items) in table_pages.into_iter().enumerate() {
        let mut sheet = Page::new(options.paper, options.orientation);
        let heading = if k == 0 { format!("{}设施一览表", ward.name) } else { format!("{}设施一览表（续）", ward.name) };
        let (ascent, _) = font.ascent_descent_em();
        sheet.push(Item::Text(TextRun::new(PointMm::new(MARGIN, MARGIN + pt_to_mm(ascent * 13.0)), heading, 13.0, INK)));
        sheet.items.extend(items);
        pages.push(sheet);
    }
    let count = pages.len();
    for (k, page) in pages.iter_mut().enumerate() {
        let footer_box = layout(page).footer;
        footer(page, footer_box, options, &content.sources, k + 1, count, font);
    }
    Ok(WardPages { ward: ward.name.clone(), frame: frame.geo_frame(0, &format!("{} {}", ward.subdistrict, ward.name)), pages, facilities })
}

fn title(page: &mut Page, area: BoxMm, ward: &Ward, demo: bool, font: &PageFont) {
    let (ascent, _) = font.ascent_descent_em();
    let heading = format!("{}城市管理设施分布图", ward.name);
    page.push(Item::Text(TextRun::new(PointMm::new(area.x, area.y + pt_to_mm(ascent * 18.0)), heading, 18.0, INK)));
    let sub = format!("{} · {}", ward.subdistrict, ward.name);
    page.push(Item::Text(TextRun::new(PointMm::new(area.x, area.y + 8.5 + pt_to_mm(ascent * 9.5)), sub, 9.5, Rgb(0x55, 0x55, 0x55))));
    if demo {
        let note = "演示数据：本图要素为程序生成，非真实设施";
        let w = font.width_mm(note, 8.5);
        page.push(Item::Text(TextRun::new(PointMm::new(area.right() - w, area.y + 8.5 + pt_to_mm(ascent * 8.5)), note, 8.5, Rgb(0xb0, 0x20, 0x20))));
    }
}

/// Date, data source, issuing office, coordinate system and page number, in two lines.
fn footer(page: &mut Page, area: BoxMm, options: &WardMapOptions, sources: &BTreeSet<String>, number: usize, count: usize, font: &PageFont) {
    let (ascent, _) = font.ascent_descent_em();
    let size = 7.5;
    let office = options.office.clone().unwrap_or_else(|| "＿＿＿＿＿＿＿＿＿＿".into());
    let line1 = format!("制图日期：{}　　编制单位：{}　　坐标系：WGS 84（EPSG:4326）", options.date, office);
    let line2 = format!("数据来源：{}", source_text(sources));
    page.push(Item::Path { path: PathMm::line(&[PointMm::new(area.x, area.y), PointMm::new(area.right(), area.y)]), fill: None, stroke: Some(Stroke::solid(Rgb(0x99, 0x99, 0x99), 0.2)) });
    page.push(Item::Text(TextRun::new(PointMm::new(area.x, area.y + 1.2 + pt_to_mm(ascent * size)), line1, size, INK)));
    page.push(Item::Text(TextRun::new(PointMm::new(area.x, area.y + 5.0 + pt_to_mm(ascent * size)), line2, size, INK)));
    let number = format!("第 {number} 页 / 共 {count} 页");
    let w = font.width_mm(&number, size);
    page.push(Item::Text(TextRun::new(PointMm::new(area.right() - w, area.y + 1.2 + pt_to_mm(ascent * size)), number, size, INK)));
}

/// The features' sources as a reader takes them: the demo's generated data said so plainly.
fn source_text(sources: &BTreeSet<String>) -> String {
    if sources.is_empty() {
        return "（无）".into();
    }
    let named: Vec<String> = sources
        .iter()
        .map(|s| if s == crate::demo::SOURCE { "演示生成数据（generated demo data，非真实数据）".to_owned() } else { s.clone() })
        .collect();
    if named.len() > 3 { format!("{} 等 {} 种", named[..3].join("、"), named.len()) } else { named.join("、") }
}

/// The legend: every layer on the page, facilities first (as the layer panel lists them),
/// value by value where the style colours by an enum field — only the values on the page —
/// and the ward's outline.
fn legend_rows(content: &MapContent, frame: &MapFrame) -> Vec<LegendRow> {
    let zoom = frame.zoom();
    let mut shown: Vec<&(LayerKind, BTreeSet<String>)> = content.shown.iter().collect();
    shown.sort_by_key(|(k, _)| (LayerGroup::ALL.iter().position(|g| *g == k.group), -k.order));
    let mut rows = vec![LegendRow {
        symbol: Symbol::Line { colour: WARD_OUTLINE, width: 0.9, opacity: 1.0, dash: Vec::new(), round: true },
        text: "本社区范围".into(),
    }];
    for (kind, values) in shown {
        let field = kind.legend_field();
        let entries = kind.display().legend.entries;
        match field {
            Some(field) if !entries.is_empty() => {
                for entry in entries.iter().filter(|e| values.contains(&e.value)) {
                    let props = [(field.to_owned(), Value::Text(entry.value.clone()))].into_iter().collect();
                    if let Ok(symbol) = symbol_for(kind, &props, zoom) {
                        rows.push(LegendRow { symbol, text: format!("{}：{}", kind.name_zh, entry.label_zh) });
                    }
                }
            }
            _ => {
                if let Ok(symbol) = symbol_for(kind, &Default::default(), zoom) {
                    rows.push(LegendRow { symbol, text: kind.name_zh.clone() });
                }
            }
        }
    }
    rows
}

/// Each facility in the ward: kind, name, grid cell, and its address where the layer has one,
/// else the nearest road and how far it is.
#[allow(clippy::too_many_arguments)]
fn facility_table<S: Storage>(
    project: &Project<S>,
    content: &MapContent,
    layers: &[&LayerKind],
    ward: &Ward,
    frame: &MapFrame,
    grid: &RefGrid,
    width: f32,
) -> Result<Table> {
    let mut facility_layers: Vec<&LayerKind> = layers.iter().copied().filter(|k| k.group == LayerGroup::Facility).collect();
    facility_layers.sort_by_key(|k| -k.order);
    let has_roads = project.catalog().get(ROAD_LAYER).is_some() && project.count(ROAD_LAYER)? > 0;
    let mut road_names: HashMap<i64, String> = HashMap::new();
    let mut rows = Vec::new();
    for kind in facility_layers {
        let Some(features) = content.features.get(&kind.id) else { continue };
        let mut inside: Vec<(&Feature, Coord<f64>)> = features
            .iter()
            .filter_map(|f| {
                let at = match &f.geometry {
                    Geometry::Point(p) => p.0,
                    g => g.interior_point()?.0,
                };
                ward.area.contains(&Point::from(at)).then_some((f, at))
            })
            .collect();
        inside.sort_by(|a, b| (a.0.name(), a.0.fid).cmp(&(b.0.name(), b.0.fid)));
        for (feature, at) in inside {
            let address = feature.get("address").as_str().filter(|a| !a.trim().is_empty()).map(str::to_owned);
            let place = match address {
                Some(a) => a,
                None if has_roads => nearest_road(project, at, &mut road_names)?,
                None => String::new(),
            };
            rows.push(vec![
                (rows.len() + 1).to_string(),
                kind.name_zh.clone(),
                feature.name().map(str::to_owned).unwrap_or_else(|| format!("（未命名，编号 {}）", feature.fid.unwrap_or_default())),
                grid.cell_of(frame.to_page(at)).unwrap_or_default(),
                place,
            ]);
        }
    }
    let columns = vec![
        Column { title: "序号".into(), width: 12.0 },
        Column { title: "类别".into(), width: 30.0 },
        Column { title: "名称".into(), width: 58.0 },
        Column { title: "网格".into(), width: 12.0 },
    ];
    let rest = width - columns.iter().map(|c| c.width).sum::<f32>();
    let mut columns = columns;
    columns.push(Column { title: "地址或最近道路".into(), width: rest.max(30.0) });
    Ok(Table { columns, rows, size_pt: 8.0 })
}

/// "人民路（约 35 米）": the nearest road's name and distance, names cached per road.
fn nearest_road<S: Storage>(project: &Project<S>, at: Coord<f64>, names: &mut HashMap<i64, String>) -> Result<String> {
    let Some(hit) = project.nearest(ROAD_LAYER, at, 1)?.into_iter().next() else { return Ok(String::new()) };
    let name = match names.entry(hit.fid) {
        std::collections::hash_map::Entry::Occupied(e) => e.get().clone(),
        std::collections::hash_map::Entry::Vacant(e) => e.insert(project.feature(ROAD_LAYER, hit.fid)?.name().unwrap_or("未命名道路").to_owned()).clone(),
    };
    Ok(format!("{name}（约 {} 米）", format_number(hit.distance_m.round())))
}

/// Every chosen ward laid out, in order; `progress(done, total, ward)` after each.
pub fn ward_maps<S: Storage>(
    project: &Project<S>,
    wards: &[Ward],
    options: &WardMapOptions,
    font: &PageFont,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Vec<WardPages>> {
    let mut out = Vec::with_capacity(wards.len());
    for (k, ward) in wards.iter().enumerate() {
        out.push(ward_pages(project, ward, options, font)?);
        progress(k + 1, wards.len(), &ward.name);
    }
    Ok(out)
}

fn page_width(options: &WardMapOptions) -> f32 {
    Page::new(options.paper, options.orientation).width
}

/// The pages of every ward as one PDF: each map frame georeferenced, each layer an optional
/// content group (see [`super::georef::finish_pdf`]).
pub fn ward_maps_pdf(printed: &[WardPages], font: &PageFont) -> Result<Vec<u8>> {
    let mut pages = Vec::new();
    let mut frames = Vec::new();
    for ward in printed {
        frames.push(GeoFrame { page: pages.len() + ward.frame.page, ..ward.frame.clone() });
        pages.extend(ward.pages.iter().cloned());
    }
    let pdf = super::pdf::render_pdf(&pages, font)?;
    super::georef::finish_pdf(&pdf, &pages, &frames)
}

#[cfg(test)]
#[path = "ward_map_tests.rs"]
mod tests;
