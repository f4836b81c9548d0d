//! Tables that flow over pages: a header row repeated on every page, cells wrapped to their
//! column's width (Chinese between characters, Latin at spaces), rows never split across a
//! page. Facility lists of ward maps, zone reports and red/black lists are laid out with it.

use super::draw::{Fill, Item, PathMm, Rgb, Stroke, TextRun};
use super::font::PageFont;
use super::units::{pt_to_mm, BoxMm, PointMm};

/// One column: its heading and width in mm.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub width: f32,
}

/// A table: columns and rows of cell text (a row shorter than the columns leaves the rest
/// empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    pub size_pt: f32,
}

/// Space between a cell's text and its rules, mm.
const PAD: f32 = 1.0;
const RULE: Rgb = Rgb(0x99, 0x99, 0x99);
const HEADER_FILL: Rgb = Rgb(0xe8, 0xe8, 0xe8);

/// Lays the table out: the first part in `first`, the rest page by page in boxes of the size
/// of `next`. Returns each page's items (at least one page, with the header, even for no
/// rows) and how tall the table is on its last page.
pub fn flow_table(table: &Table, font: &PageFont, first: BoxMm, next: BoxMm) -> (Vec<Vec<Item>>, f32) {
    let (ascent, descent) = font.ascent_descent_em();
    let line_height = pt_to_mm((ascent + descent) * table.size_pt) * 1.1;
    let wrap = |cells: &[String]| -> Vec<Vec<String>> {
        table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| font.break_lines(cells.get(i).map(String::as_str).unwrap_or(""), table.size_pt, (c.width - 2.0 * PAD).max(1.0)))
            .collect()
    };
    let height_of = |lines: &[Vec<String>]| lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * line_height + 2.0 * PAD;
    let header: Vec<String> = table.columns.iter().map(|c| c.title.clone()).collect();
    let header_lines = wrap(&header);
    let header_height = height_of(&header_lines);

    let mut pages = Vec::new();
    let mut area = first;
    let mut items = Vec::new();
    let mut y = area.y;
    let draw_row = |items: &mut Vec<Item>, lines: &[Vec<String>], x0: f32, y: f32, h: f32, fill: Option<Rgb>| {
        let width: f32 = table.columns.iter().map(|c| c.width).sum();
        let row = BoxMm::new(x0, y, width, h);
        items.push(Item::Path { path: PathMm::rect(row), fill: fill.map(Fill::solid), stroke: Some(Stroke::solid(RULE, 0.15)) });
        let mut x = x0;
        for (column, cell) in table.columns.iter().zip(lines) {
            for (k, line) in cell.iter().enumerate() {
                let baseline = y + PAD + pt_to_mm(ascent * table.size_pt) + k as f32 * line_height;
                items.push(Item::Text(TextRun::new(PointMm::new(x + PAD, baseline), line.clone(), table.size_pt, Rgb::BLACK)));
            }
            x += column.width;
            if x < x0 + width - 0.01 {
                items.push(Item::Path { path: PathMm::line(&[PointMm::new(x, y), PointMm::new(x, y + h)]), fill: None, stroke: Some(Stroke::solid(RULE, 0.15)) });
            }
        }
    };
    draw_row(&mut items, &header_lines, area.x, y, header_height, Some(HEADER_FILL));
    y += header_height;
    for row in &table.rows {
        let lines = wrap(row);
        let h = height_of(&lines);
        // A row that does not fit starts the next page, unless it is the first under a header
        // (a row taller than a page is drawn anyway rather than lost).
        if y + h > area.bottom() && y > area.y + header_height + 0.01 {
            pages.push(std::mem::take(&mut items));
            area = next;
            y = area.y;
            draw_row(&mut items, &header_lines, area.x, y, header_height, Some(HEADER_FILL));
            y += header_height;
        }
        draw_row(&mut items, &lines, area.x, y, h, None);
        y += h;
    }
    pages.push(items);
    (pages, y - area.y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(items: &[Item]) -> Vec<&str> {
        items.iter().filter_map(|i| if let Item::Text(t) = i { Some(t.text.as_str()) } else { None }).collect()
    }

    #[test]
    fn rows_flow_onto_more_pages_with_the_header_repeated_and_none_lost() {
        let font = PageFont::find_and_load().unwrap();
        let table = Table {
            columns: vec![Column { title: "序号".into(), width: 12.0 }, Column { title: "名称".into(), width: 40.0 }],
            rows: (1..=120).map(|i| vec![i.to_string(), format!("第{i}号便民晾晒区")]).collect(),
            size_pt: 8.0,
        };
        let (pages, last_height) = flow_table(&table, &font, BoxMm::new(10.0, 200.0, 52.0, 80.0), BoxMm::new(10.0, 20.0, 52.0, 250.0));
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for page in &pages {
            assert_eq!(texts(page)[..2], ["序号", "名称"], "each page starts with the header");
        }
        let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).filter(|t| t.starts_with('第')).collect();
        assert_eq!(all.len(), 120);
        assert_eq!(all[119], "第120号便民晾晒区");
        assert!(last_height > 0.0 && last_height <= 250.0);
        // Nothing below its page's box.
        for (k, page) in pages.iter().enumerate() {
            let bottom = if k == 0 { 280.0 } else { 270.0 };
            for item in page {
                if let Item::Text(t) = item {
                    assert!(t.origin.y <= bottom, "page {k}: {} at {}", t.text, t.origin.y);
                }
            }
        }
    }

    #[test]
    fn a_long_cell_wraps_and_makes_its_row_taller() {
        let font = PageFont::find_and_load().unwrap();
        let table = Table {
            columns: vec![Column { title: "地址".into(), width: 20.0 }],
            rows: vec![vec!["宜城街道人民路与解放路交叉口东南角".into()]],
            size_pt: 8.0,
        };
        let (pages, height) = flow_table(&table, &font, BoxMm::new(0.0, 0.0, 20.0, 100.0), BoxMm::new(0.0, 0.0, 20.0, 100.0));
        let lines: Vec<&str> = texts(&pages[0])[1..].to_vec();
        assert!(lines.len() >= 3, "{lines:?}");
        assert_eq!(lines.concat(), "宜城街道人民路与解放路交叉口东南角");
        assert!(height > 12.0);
    }
}
