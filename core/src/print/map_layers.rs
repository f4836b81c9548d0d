//! The project's layers drawn in a map frame: each feature the frame shows, with its
//! layer's catalog style at the frame's zoom ([`super::style`]), in the window's drawing
//! order; the names to write on it, as the window would write them at that zoom; and what the
//! legend must list because it is on the page.

use std::collections::{BTreeMap, BTreeSet};

use geo::{Contains, InteriorPoint};
use geo_types::{Coord, Geometry, LineString, MultiPolygon, Point, Polygon};

use super::draw::{Fill, FillRule, Item, PathMm, Rgb, Stroke};
use super::labels::{LabelAt, LabelRequest};
use super::map_frame::MapFrame;
use super::style::{parse_colour, symbol_for, Symbol, MM_PER_PX};
use super::units::BoxMm;
use crate::catalog::{LabelPlacement, LayerGroup, LayerKind};
use crate::feature::Feature;
use crate::project::Project;
use crate::store::Storage;
use crate::Result;

/// What a frame shows of the project.
#[derive(Debug, Default)]
pub struct MapContent {
    /// One [`Item::Layer`] per layer with features in the frame, bottom first.
    pub layers: Vec<Item>,
    /// Names to place (see [`super::labels::LabelPlacer`]).
    pub labels: Vec<LabelRequest>,
    /// The layers on the page, bottom first, each with the values of its legend field found
    /// on the page (empty where the legend has no per-value entries).
    pub shown: Vec<(LayerKind, BTreeSet<String>)>,
    /// The `source` of every feature drawn.
    pub sources: BTreeSet<String>,
    /// The features drawn, by layer id (for tables and grid references).
    pub features: BTreeMap<String, Vec<Feature>>,
    /// The boxes of the facilities' symbols, which names must not cover.
    pub symbols: Vec<BoxMm>,
}

/// Draws `layers` (any order; drawn by the catalog's `order`) in `frame`. Labels of features
/// outside `focus` (a ward being printed among its neighbours) are written paler, so the
/// focus reads first.
pub fn draw_layers<S: Storage>(project: &Project<S>, frame: &MapFrame, layers: &[&LayerKind], focus: Option<&MultiPolygon<f64>>) -> Result<MapContent> {
    let zoom = frame.zoom();
    let mut ordered: Vec<&LayerKind> = layers.to_vec();
    ordered.sort_by_key(|k| k.order);
    // Symbols reach a few mm beyond their point: fetch what lies just outside as well.
    let ground = frame.ground_rect(5.0);
    let mut content = MapContent::default();
    for kind in ordered {
        let fids = project.index(&kind.id)?.bbox(ground);
        if fids.is_empty() {
            continue;
        }
        let features = project.features_by_fid(&kind.id, &fids)?;
        let legend_field = kind.legend_field().map(str::to_owned);
        let label = kind.display().label.filter(|l| zoom >= l.minzoom);
        let mut items = Vec::with_capacity(features.len());
        let mut values = BTreeSet::new();
        for feature in &features {
            let symbol = symbol_for(kind, &feature.props, zoom)?;
            draw_geometry(frame, &feature.geometry, &symbol, &mut items);
            if let (LayerGroup::Facility, Symbol::Circle { radius, stroke, .. }, Geometry::Point(p)) = (kind.group, &symbol, &feature.geometry) {
                let c = frame.to_page(p.0);
                let r = radius + stroke.map_or(0.0, |s| s.1) + 0.3;
                content.symbols.push(BoxMm::new(c.x - r, c.y - r, 2.0 * r, 2.0 * r));
            }
            if let Some(field) = &legend_field {
                let v = feature.get(field);
                if !v.is_null() {
                    values.insert(v.to_text());
                }
            }
            if let Some(source) = feature.get("source").as_str() {
                content.sources.insert(source.to_owned());
            }
            let (Some(label), Some(name)) = (&label, feature.name()) else { continue };
            let Some((at, inside)) = label_place(frame, &feature.geometry, label.placement, &symbol, focus) else { continue };
            let colour = parse_colour(&label.color).unwrap_or(Rgb(0x33, 0x33, 0x33));
            content.labels.push(LabelRequest {
                text: name.to_owned(),
                at,
                // The window's label size is in CSS pixels; 1 px = 0.75 pt.
                size_pt: (label.size * 0.75) as f32,
                colour: if inside { colour } else { paler(colour) },
                priority: label.priority,
            });
        }
        content.layers.push(Item::Layer { name: kind.name_zh.clone(), items });
        content.shown.push((kind.clone(), values));
        content.features.insert(kind.id.clone(), features);
    }
    Ok(content)
}

/// Halfway to white: a neighbour's name, readable but second.
fn paler(c: Rgb) -> Rgb {
    let half = |v: u8| v + (255 - v) / 2;
    Rgb(half(c.0), half(c.1), half(c.2))
}

/// Where a feature's name goes, and whether that place is in the focus.
fn label_place(frame: &MapFrame, g: &Geometry<f64>, placement: LabelPlacement, symbol: &Symbol, focus: Option<&MultiPolygon<f64>>) -> Option<(LabelAt, bool)> {
    let in_focus = |c: Coord<f64>| focus.is_none_or(|f| f.contains(&Point::from(c)));
    match (placement, g) {
        (LabelPlacement::Line, Geometry::LineString(l)) => Some((LabelAt::Along(l.0.iter().map(|c| frame.to_page(*c)).collect()), true)),
        (LabelPlacement::Line, Geometry::MultiLineString(m)) => {
            let longest = m.0.iter().max_by_key(|l| l.0.len())?;
            Some((LabelAt::Along(longest.0.iter().map(|c| frame.to_page(*c)).collect()), true))
        }
        (_, Geometry::Point(p)) => {
            let clearance = match symbol {
                Symbol::Circle { radius, stroke, .. } => radius + stroke.map_or(0.0, |s| s.1),
                _ => 0.5,
            };
            Some((LabelAt::Beside { centre: frame.to_page(p.0), clearance }, in_focus(p.0)))
        }
        _ => {
            let c = g.interior_point()?.0;
            Some((LabelAt::Centre(frame.to_page(c)), in_focus(c)))
        }
    }
}

/// The rings of `polygons` on the page as one path (filled even-odd, so holes stay holes).
pub fn polygon_path<'a>(frame: &MapFrame, polygons: impl IntoIterator<Item = &'a Polygon<f64>>) -> PathMm {
    let mut path = PathMm::default();
    for polygon in polygons {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let points: Vec<_> = ring.0.iter().map(|c| frame.to_page(*c)).collect();
            path.add_ring(&points[..points.len().saturating_sub(1)]);
        }
    }
    path
}

/// Adds the paths that draw `g` with `symbol`.
fn draw_geometry(frame: &MapFrame, g: &Geometry<f64>, symbol: &Symbol, items: &mut Vec<Item>) {
    let line = |l: &LineString<f64>| PathMm::line(&l.0.iter().map(|c| frame.to_page(*c)).collect::<Vec<_>>());
    let stroke_of = |colour: Rgb, width: f32, opacity: f32, dash: &[f32], round: bool| Stroke { colour, width, dash: dash.to_vec(), opacity, round };
    match (g, symbol) {
        (Geometry::Point(p), Symbol::Circle { radius, colour, opacity, stroke }) => items.push(circle(frame, p.0, *radius, *colour, *opacity, *stroke)),
        (Geometry::MultiPoint(m), Symbol::Circle { radius, colour, opacity, stroke }) => {
            items.extend(m.0.iter().map(|p| circle(frame, p.0, *radius, *colour, *opacity, *stroke)))
        }
        (Geometry::LineString(l), Symbol::Line { colour, width, opacity, dash, round }) => {
            items.push(Item::Path { path: line(l), fill: None, stroke: Some(stroke_of(*colour, *width, *opacity, dash, *round)) })
        }
        (Geometry::MultiLineString(m), Symbol::Line { colour, width, opacity, dash, round }) => {
            let mut path = PathMm::default();
            for l in &m.0 {
                path.segments.extend(line(l).segments);
            }
            items.push(Item::Path { path, fill: None, stroke: Some(stroke_of(*colour, *width, *opacity, dash, *round)) });
        }
        (Geometry::Polygon(_) | Geometry::MultiPolygon(_), _) => {
            let polygons: Vec<&Polygon<f64>> = match g {
                Geometry::Polygon(p) => vec![p],
                Geometry::MultiPolygon(m) => m.0.iter().collect(),
                _ => unreachable!(),
            };
            let path = polygon_path(frame, polygons.iter().copied());
            match symbol {
                Symbol::Fill { colour, opacity, outline } => items.push(Item::Path {
                    path,
                    fill: Some(Fill { colour: *colour, opacity: *opacity, rule: FillRule::EvenOdd }),
                    // MapLibre draws a fill's outline one pixel wide.
                    stroke: outline.map(|c| Stroke::solid(c, MM_PER_PX)),
                }),
                Symbol::Line { colour, width, opacity, dash, round } => {
                    items.push(Item::Path { path, fill: None, stroke: Some(stroke_of(*colour, *width, *opacity, dash, *round)) })
                }
                Symbol::Circle { .. } => {}
            }
        }
        // A style of another shape than the geometry (a circle style on lines): MapLibre draws
        // nothing either.
        _ => {}
    }
}

/// A circle as MapLibre draws it: the stroke outside the radius (a PDF stroke is centred on
/// the path, so the path runs half a stroke further out).
fn circle(frame: &MapFrame, c: Coord<f64>, radius: f32, colour: Rgb, opacity: f32, stroke: Option<(Rgb, f32)>) -> Item {
    Item::Path {
        path: PathMm::circle(frame.to_page(c), radius + stroke.map_or(0.0, |s| s.1 / 2.0)),
        fill: Some(Fill { colour, opacity, rule: FillRule::NonZero }),
        stroke: stroke.map(|(c, w)| Stroke::solid(c, w)),
    }
}
