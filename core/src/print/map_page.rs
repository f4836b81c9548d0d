//! The parts every printed map page shares — a ward map's and a zone report's: the map with
//! everything outside the focus area faded and the area's outline drawn strong, clipped to its
//! frame; then the north arrow and the scale bar over it, the names placed clear of them and
//! of the symbols, and the frame's line.

use geo_types::MultiPolygon;

use super::draw::{Fill, FillRule, Item, PathMm, Rgb, Stroke};
use super::font::PageFont;
use super::furniture::{north_arrow, scale_bar};
use super::labels::LabelPlacer;
use super::map_frame::MapFrame;
use super::map_layers::{polygon_path, MapContent};
use super::units::{BoxMm, PointMm};

const INK: Rgb = Rgb(0x22, 0x22, 0x22);

/// The map of `content` in `frame`: the area outside `focus` under a white veil, `focus`'s
/// outline in `outline` at `width` mm, then `marks` (a report's own symbols) on top, all
/// clipped to the frame's box.
pub fn focused_map(frame: &MapFrame, content: &MapContent, focus: &MultiPolygon<f64>, outline: Rgb, width: f32, marks: Vec<Item>) -> Item {
    let rings = polygon_path(frame, &focus.0);
    let mut veil = PathMm::rect(frame.area);
    veil.segments.extend(rings.segments.iter().copied());
    let mut items = content.layers.clone();
    items.push(Item::Path { path: veil, fill: Some(Fill { colour: Rgb::WHITE, opacity: 0.55, rule: FillRule::EvenOdd }), stroke: None });
    items.push(Item::Path { path: rings, fill: None, stroke: Some(Stroke { colour: outline, width, dash: Vec::new(), opacity: 1.0, round: true }) });
    items.extend(marks);
    Item::Clipped { clip: PathMm::rect(frame.area), items }
}

/// Over the map: the north arrow in the top right corner, the scale bar (at most `bar_max_mm`
/// long) from `bar_at`, the names placed clear of both and of the symbols, and the frame line.
pub fn furniture_and_names(frame: &MapFrame, content: &MapContent, bar_at: PointMm, bar_max_mm: f32, font: &PageFont) -> Vec<Item> {
    let area: BoxMm = frame.area;
    let mut placer = LabelPlacer::new(font, area.inset(0.8));
    let (arrow, arrow_box) = north_arrow(PointMm::new(area.right() - 3.0, area.y + 3.0), font);
    placer.block(arrow_box);
    let (bar, bar_box, _) = scale_bar(frame, bar_at, bar_max_mm, font);
    placer.block(bar_box);
    for symbol in &content.symbols {
        placer.block(*symbol);
    }
    let mut items = placer.place(content.labels.clone());
    items.push(Item::Path { path: PathMm::rect(bar_box), fill: Some(Fill { colour: Rgb::WHITE, opacity: 0.85, rule: FillRule::NonZero }), stroke: None });
    items.extend(bar);
    items.extend(arrow);
    items.push(Item::Path { path: PathMm::rect(area), fill: None, stroke: Some(Stroke::solid(INK, 0.35)) });
    items
}
