//! Map furniture: the scale bar, the north arrow, the lettered reference grid and the legend.
//! Each is drawn from the frame and the catalog's styles, never from fixed numbers, so a
//! zone report or a field sheet gets the same furniture as a ward map.

use super::draw::{Fill, Item, PathMm, Rgb, Stroke, TextRun};
use super::font::PageFont;
use super::map_frame::MapFrame;
use super::style::Symbol;
use super::units::{pt_to_mm, BoxMm, PointMm};

const INK: Rgb = Rgb(0x22, 0x22, 0x22);

/// A scale bar as printed: the ground length it stands for and its length on paper.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaleBar {
    pub metres: f64,
    pub length_mm: f32,
    /// Where the bar's zero end is (left end, on the bar's top edge).
    pub start: PointMm,
}

/// A scale bar for `frame` with its left end at `start`, as long as a round ground length
/// allows up to `max_mm` (1, 2 or 5 × 10ⁿ m, in four parts), with its labels and the scale
/// as 1:N under it. Returns the items, the box they take and the bar.
pub fn scale_bar(frame: &MapFrame, start: PointMm, max_mm: f32, font: &PageFont) -> (Vec<Item>, BoxMm, ScaleBar) {
    let mpm = frame.metres_per_mm();
    let limit = max_mm as f64 * mpm;
    let mut metres = 1.0;
    for exp in 0..7 {
        for step in [1.0, 2.0, 5.0] {
            let m = step * 10f64.powi(exp);
            if m <= limit {
                metres = m;
            }
        }
    }
    let length = (metres / mpm) as f32;
    let bar = ScaleBar { metres, length_mm: length, start };
    let height = 1.4;
    let mut items = Vec::new();
    for k in 0..4 {
        let part = BoxMm::new(start.x + length * k as f32 / 4.0, start.y, length / 4.0, height);
        let colour = if k % 2 == 0 { INK } else { Rgb::WHITE };
        items.push(Item::Path { path: PathMm::rect(part), fill: Some(Fill::solid(colour)), stroke: Some(Stroke::solid(INK, 0.2)) });
    }
    let size = 7.0;
    let (ascent, _) = font.ascent_descent_em();
    let baseline = start.y + height + 0.8 + pt_to_mm(ascent * size);
    let label = |value: f64| if value >= 1000.0 { format!("{} 千米", format_number(value / 1000.0)) } else { format!("{} 米", format_number(value)) };
    // The end labels line up with the bar's ends (the last by its number, so its unit runs
    // on to the right), the middle one is centred.
    let (zero, half, full) = ("0".to_owned(), format_number(metres / 2.0), label(metres));
    let placed = [
        (start.x - font.width_mm(&zero, size) / 2.0, zero),
        (start.x + length / 2.0 - font.width_mm(&half, size) / 2.0, half),
        (start.x + length - font.width_mm(&format_number(metres), size) / 2.0, full),
    ];
    for (x, text) in placed {
        items.push(Item::Text(TextRun::new(PointMm::new(x, baseline), text, size, INK)));
    }
    let scale_text = format!("比例尺 1:{}", format_number(frame.scale));
    let scale_baseline = baseline + pt_to_mm(8.0 * 1.3);
    items.push(Item::Text(TextRun::new(PointMm::new(start.x - 1.0, scale_baseline), scale_text.clone(), 8.0, INK)));
    let right = (start.x + length + font.width_mm(&label(metres), size)).max(start.x - 1.0 + font.width_mm(&scale_text, 8.0));
    let area = BoxMm::new(start.x - 3.0, start.y - 2.0, right - start.x + 5.0, scale_baseline + 2.0 - (start.y - 2.0));
    (items, area, bar)
}

/// A number as the map writes it: no trailing `.0`.
pub fn format_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 { format!("{}", v.round() as i64) } else { format!("{v}") }
}

/// A north arrow whose box's top-right corner is `top_right`: a split arrowhead and 北 above
/// it. The frames here are north-up, so it points straight up.
pub fn north_arrow(top_right: PointMm, font: &PageFont) -> (Vec<Item>, BoxMm) {
    let (w, h) = (9.0, 15.0);
    let area = BoxMm::new(top_right.x - w, top_right.y, w, h);
    let cx = area.x + w / 2.0;
    let letter_size = 9.0;
    let (ascent, _) = font.ascent_descent_em();
    let letter_w = font.width_mm("北", letter_size);
    let tip = PointMm::new(cx, area.y + 2.0 + pt_to_mm(ascent * letter_size));
    let base_y = area.bottom() - 1.5;
    let notch = PointMm::new(cx, base_y - 2.5);
    let mut items = vec![Item::Path { path: PathMm::rect(area), fill: Some(Fill { colour: Rgb::WHITE, opacity: 0.85, rule: Default::default() }), stroke: None }];
    items.push(Item::Text(TextRun::new(PointMm::new(cx - letter_w / 2.0, area.y + 1.0 + pt_to_mm(ascent * letter_size)), "北", letter_size, INK)));
    let left = PathMm::polygon(&[tip, PointMm::new(cx - 3.0, base_y), notch]);
    let right = PathMm::polygon(&[tip, PointMm::new(cx + 3.0, base_y), notch]);
    items.push(Item::Path { path: left, fill: Some(Fill::solid(INK)), stroke: Some(Stroke::solid(INK, 0.2)) });
    items.push(Item::Path { path: right, fill: Some(Fill::solid(Rgb::WHITE)), stroke: Some(Stroke::solid(INK, 0.2)) });
    (items, area)
}

/// A reference grid over a frame: columns lettered A, B, … left to right, rows numbered 1, 2,
/// … top to bottom, cells about `cell_mm` wide, so a table can say where a facility is ("C4").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RefGrid {
    pub frame: BoxMm,
    pub columns: usize,
    pub rows: usize,
}

impl RefGrid {
    pub fn new(frame: BoxMm, cell_mm: f32) -> RefGrid {
        let count = |len: f32| ((len / cell_mm).round() as usize).clamp(1, 26);
        RefGrid { frame, columns: count(frame.width), rows: count(frame.height) }
    }

    /// The cell holding a page point ("B3"), or `None` outside the frame.
    pub fn cell_of(&self, p: PointMm) -> Option<String> {
        let f = self.frame;
        if p.x < f.x || p.x > f.right() || p.y < f.y || p.y > f.bottom() {
            return None;
        }
        let col = (((p.x - f.x) / f.width * self.columns as f32) as usize).min(self.columns - 1);
        let row = (((p.y - f.y) / f.height * self.rows as f32) as usize).min(self.rows - 1);
        Some(format!("{}{}", (b'A' + col as u8) as char, row + 1))
    }

    /// Thin lines across the frame, and the letters and numbers in a `band` mm wide strip
    /// around it.
    pub fn draw(&self, band: f32, font: &PageFont) -> Vec<Item> {
        let f = self.frame;
        let mut items = Vec::new();
        let rule = Stroke { colour: Rgb(0x70, 0x70, 0x70), width: 0.12, dash: Vec::new(), opacity: 0.6, round: false };
        let size = 7.0;
        let (ascent, descent) = font.ascent_descent_em();
        let mid = |y: f32| y + pt_to_mm((ascent - descent) * size) / 2.0;
        for c in 0..self.columns {
            let x0 = f.x + f.width * c as f32 / self.columns as f32;
            let x1 = f.x + f.width * (c + 1) as f32 / self.columns as f32;
            if c > 0 {
                items.push(Item::Path { path: PathMm::line(&[PointMm::new(x0, f.y), PointMm::new(x0, f.bottom())]), fill: None, stroke: Some(rule.clone()) });
            }
            let letter = ((b'A' + c as u8) as char).to_string();
            let w = font.width_mm(&letter, size);
            for y in [f.y - band / 2.0, f.bottom() + band / 2.0] {
                items.push(Item::Text(TextRun::new(PointMm::new((x0 + x1) / 2.0 - w / 2.0, mid(y)), letter.clone(), size, INK)));
            }
        }
        for r in 0..self.rows {
            let y0 = f.y + f.height * r as f32 / self.rows as f32;
            let y1 = f.y + f.height * (r + 1) as f32 / self.rows as f32;
            if r > 0 {
                items.push(Item::Path { path: PathMm::line(&[PointMm::new(f.x, y0), PointMm::new(f.right(), y0)]), fill: None, stroke: Some(rule.clone()) });
            }
            let number = (r + 1).to_string();
            let w = font.width_mm(&number, size);
            for x in [f.x - band / 2.0, f.right() + band / 2.0] {
                items.push(Item::Text(TextRun::new(PointMm::new(x - w / 2.0, mid((y0 + y1) / 2.0)), number.clone(), size, INK)));
            }
        }
        items
    }
}

/// One line of a legend: its swatch and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendRow {
    pub symbol: Symbol,
    pub text: String,
}

/// The legend's rows in columns of `column_mm` inside `area`, top to bottom then left to
/// right, under the heading 图例. Returns the items and how many rows did not fit (0 when
/// all did; the layout then gives the legend more room or says so).
pub fn legend(rows: &[LegendRow], area: BoxMm, column_mm: f32, font: &PageFont) -> (Vec<Item>, usize) {
    let size = 8.0;
    let (ascent, descent) = font.ascent_descent_em();
    let row_h = pt_to_mm((ascent + descent) * size) * 1.25;
    let mut items = vec![Item::Text(TextRun::new(PointMm::new(area.x, area.y + pt_to_mm(ascent * 9.0)), "图例", 9.0, INK))];
    let top = area.y + pt_to_mm((ascent + descent) * 9.0) + 1.0;
    let per_column = (((area.bottom() - top) / row_h).floor() as usize).max(1);
    let columns = ((area.width / column_mm).floor() as usize).max(1);
    let (swatch_w, swatch_h) = (7.0, 3.2);
    for (i, row) in rows.iter().enumerate().take(per_column * columns) {
        let x = area.x + (i / per_column) as f32 * column_mm;
        let y = top + (i % per_column) as f32 * row_h;
        let cy = y + row_h / 2.0;
        let swatch = BoxMm::new(x, cy - swatch_h / 2.0, swatch_w, swatch_h);
        items.extend(swatch_items(&row.symbol, swatch));
        let text = fit_text(&row.text, size, column_mm - swatch_w - 3.0, font);
        items.push(Item::Text(TextRun::new(PointMm::new(x + swatch_w + 1.5, cy + pt_to_mm((ascent - descent) * size) / 2.0), text, size, INK)));
    }
    (items, rows.len().saturating_sub(per_column * columns))
}

/// `text`, cut with an ellipsis where wider than `max_mm`.
fn fit_text(text: &str, size: f32, max_mm: f32, font: &PageFont) -> String {
    if font.width_mm(text, size) <= max_mm {
        return text.to_owned();
    }
    let mut cut: String = text.to_owned();
    while !cut.is_empty() && font.width_mm(&format!("{cut}…"), size) > max_mm {
        cut.pop();
    }
    format!("{cut}…")
}

/// A swatch of a symbol in a box: a circle in the middle, a line across, a filled rectangle.
fn swatch_items(symbol: &Symbol, b: BoxMm) -> Vec<Item> {
    let mid = PointMm::new(b.x + b.width / 2.0, b.y + b.height / 2.0);
    match symbol {
        Symbol::Circle { radius, colour, opacity, stroke } => {
            // At least readable, at most the box.
            let r = radius.clamp(0.8, b.height / 2.0);
            vec![Item::Path {
                path: PathMm::circle(mid, r),
                fill: Some(Fill { colour: *colour, opacity: *opacity, rule: Default::default() }),
                stroke: Some(stroke.map_or(Stroke::solid(*colour, 0.1), |(c, _)| Stroke::solid(if c == Rgb::WHITE { Rgb(0x66, 0x66, 0x66) } else { c }, 0.15))),
            }]
        }
        Symbol::Line { colour, width, opacity, dash, round } => {
            let across = PathMm::line(&[PointMm::new(b.x, mid.y), PointMm::new(b.right(), mid.y)]);
            let width = width.clamp(0.15, b.height);
            let mut items = Vec::new();
            // A white street shows on the map against the blocks; on white paper it needs an edge.
            if u32::from(colour.0) + u32::from(colour.1) + u32::from(colour.2) > 700 {
                items.push(Item::Path { path: across.clone(), fill: None, stroke: Some(Stroke::solid(Rgb(0x99, 0x99, 0x99), width + 0.3)) });
            }
            items.push(Item::Path { path: across, fill: None, stroke: Some(Stroke { colour: *colour, width, dash: dash.clone(), opacity: *opacity, round: *round }) });
            items
        }
        Symbol::Fill { colour, opacity, outline } => vec![Item::Path {
            path: PathMm::rect(b),
            fill: Some(Fill { colour: *colour, opacity: *opacity, rule: Default::default() }),
            stroke: Some(Stroke::solid(outline.unwrap_or(Rgb(0x99, 0x99, 0x99)), 0.15)),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Distance, Geodesic, Point};
    use geo_types::Coord;

    #[test]
    fn the_scale_bar_is_as_long_on_the_ground_as_its_label_says_within_a_percent() {
        let font = PageFont::find_and_load().unwrap();
        for scale in [2500.0, 7500.0, 10000.0, 25000.0] {
            let frame = MapFrame::new(BoxMm::new(17.0, 32.0, 176.0, 198.0), Coord { x: 119.81, y: 31.355 }, scale);
            let (_, _, bar) = scale_bar(&frame, PointMm::new(25.0, 215.0), 45.0, &font);
            assert!(bar.length_mm <= 45.0 && bar.length_mm >= 45.0 / 5.0 * 2.0, "{scale}: {} mm", bar.length_mm);
            let a = frame.to_ground(bar.start);
            let b = frame.to_ground(PointMm::new(bar.start.x + bar.length_mm, bar.start.y));
            let ground = Geodesic.distance(Point::from(a), Point::from(b));
            assert!((ground / bar.metres - 1.0).abs() < 0.01, "1:{scale}: bar says {} m, covers {ground} m", bar.metres);
        }
    }

    #[test]
    fn grid_cells_are_lettered_across_and_numbered_down() {
        let g = RefGrid::new(BoxMm::new(10.0, 20.0, 160.0, 200.0), 40.0);
        assert_eq!((g.columns, g.rows), (4, 5));
        assert_eq!(g.cell_of(PointMm::new(11.0, 21.0)).as_deref(), Some("A1"));
        assert_eq!(g.cell_of(PointMm::new(169.0, 219.0)).as_deref(), Some("D5"));
        assert_eq!(g.cell_of(PointMm::new(170.0, 220.0)).as_deref(), Some("D5"), "the far edge belongs to the last cell");
        assert_eq!(g.cell_of(PointMm::new(9.0, 100.0)), None);
    }

    #[test]
    fn a_legend_too_long_for_its_box_says_how_many_rows_it_left_out() {
        let font = PageFont::find_and_load().unwrap();
        let rows: Vec<LegendRow> = (0..30).map(|i| LegendRow { symbol: Symbol::Fill { colour: Rgb::BLACK, opacity: 1.0, outline: None }, text: format!("图层{i}") }).collect();
        let (_, left) = legend(&rows, BoxMm::new(0.0, 0.0, 120.0, 30.0), 40.0, &font);
        assert!(left > 0 && left < 30, "{left}");
        let (items, left) = legend(&rows[..5], BoxMm::new(0.0, 0.0, 120.0, 30.0), 40.0, &font);
        assert_eq!(left, 0);
        assert_eq!(items.iter().filter(|i| matches!(i, Item::Text(_))).count(), 6, "heading and five rows");
    }
}
