//! Round trips through poppler's tools: what a reader of the PDF gets back — the text, the
//! embedded font, the page size, and pixels showing the clip held.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use super::*;
use crate::print::draw::{Fill, FillRule, Item, PathMm, Rgb, Stroke, TextRun};
use crate::print::font::PageFont;
use crate::print::page::{Orientation, Page, Paper};
use crate::print::units::{mm_to_pt, BoxMm, PointMm};

/// Fails the test with an install hint where poppler-utils is missing.
fn poppler() -> bool {
    Command::new("pdftotext").arg("-v").output().expect("poppler-utils (pdftotext, pdffonts, pdfinfo, pdftoppm) is installed (scripts/install-deps.sh)");
    true
}

/// The standard output of `tool args… pdf after…`.
fn run(tool: &str, args: &[&str], pdf: &Path, after: &[&str]) -> String {
    let out = Command::new(tool).args(args).arg(pdf).args(after).output().unwrap();
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A 2 × 2 opaque red PNG.
fn red_png() -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 2, 2);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header().unwrap().write_image_data(&[255, 0, 0].repeat(4)).unwrap();
    bytes
}

const FRAME: BoxMm = BoxMm { x: 20.0, y: 30.0, width: 180.0, height: 150.0 };
const GREEN: Rgb = Rgb(0, 160, 0);

/// A landscape map-like page: a title, a frame whose content (a green area reaching far past
/// the frame's left edge, a dashed road, facilities as circles, a label) is clipped to it, and
/// a logo; then a portrait page of broken Chinese text.
fn two_pages(font: &PageFont) -> Vec<Page> {
    let mut map = Page::new(Paper::A4, Orientation::Landscape);
    let text = |x, y, s: &str, size| Item::Text(TextRun::new(PointMm::new(x, y), s, size, Rgb::BLACK));
    map.push(text(20.0, 20.0, "永安里社区 设施分布图", 20.0));
    let p = PointMm::new;
    let area = PathMm::polygon(&[p(0.0, 60.0), p(120.0, 60.0), p(120.0, 150.0), p(0.0, 150.0)]);
    let mut facility = Fill::solid(Rgb(30, 80, 200));
    facility.rule = FillRule::EvenOdd;
    map.push(Item::Clipped {
        clip: PathMm::rect(FRAME),
        items: vec![
            Item::Path { path: area, fill: Some(Fill::solid(GREEN)), stroke: None },
            Item::Path {
                path: PathMm::line(&[p(10.0, 170.0), p(260.0, 100.0)]),
                fill: None,
                stroke: Some(Stroke { dash: vec![3.0, 2.0], round: true, ..Stroke::solid(Rgb(200, 30, 30), 1.0) }),
            },
            Item::Path { path: PathMm::circle(p(100.0, 110.0), 3.0), fill: Some(facility), stroke: Some(Stroke::solid(Rgb::WHITE, 0.3)) },
            Item::Path { path: PathMm::circle(p(200.0, 110.0), 4.0), fill: Some(facility), stroke: None },
            text(105.0, 112.0, "社区卫生服务站", 10.0),
        ],
    });
    map.push(Item::Path { path: PathMm::rect(FRAME), fill: None, stroke: Some(Stroke::solid(Rgb::BLACK, 0.5)) });
    map.push(Item::Image { png: Arc::new(red_png()), area: BoxMm::new(260.0, 10.0, 15.0, 15.0) });

    let mut table = Page::new(Paper::A4, Orientation::Portrait);
    let lines = font.break_lines("设施一览表：宜城街道永安里社区共有卫生服务站、垃圾分类投放点和公共厕所。Generated demo data.", 11.0, 80.0);
    assert!(lines.len() >= 2, "{lines:?}");
    for (i, line) in lines.iter().enumerate() {
        assert!(font.width_mm(line, 11.0) <= 80.0, "{line}");
        table.push(text(20.0, 30.0 + 6.0 * i as f32, line, 11.0));
    }
    vec![map, table]
}

/// The RGB of the pixel at (x, y) mm of a binary PPM rendered at `dpi` (pdftoppm's output).
pub(crate) fn pixel_at(ppm: &[u8], dpi: f32, x: f32, y: f32) -> [u8; 3] {
    // Header: "P6\n<w> <h>\n255\n", then rows of RGB.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        let end = at + ppm[at..].iter().position(|b| b.is_ascii_whitespace()).unwrap();
        if end > at {
            fields.push(std::str::from_utf8(&ppm[at..end]).unwrap().to_string());
        }
        at = end + 1;
    }
    assert_eq!(fields[0], "P6");
    let width: usize = fields[1].parse().unwrap();
    let (col, row) = ((x / 25.4 * dpi) as usize, (y / 25.4 * dpi) as usize);
    let i = at + 3 * (row * width + col);
    [ppm[i], ppm[i + 1], ppm[i + 2]]
}

#[test]
fn two_pages_with_chinese_text_and_a_clipped_frame_read_back_with_poppler() {
    let font = PageFont::find_and_load().unwrap();
    let bytes = render_pdf(&two_pages(&font), &font).unwrap();
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("pages.pdf");
    if let Some(keep) = std::env::var_os("WARDGIS_KEEP_PDF") {
        std::fs::write(keep, &bytes).unwrap(); // to look at by eye
    }
    std::fs::write(&pdf, &bytes).unwrap();

    let info = run("pdfinfo", &["-f", "1", "-l", "2"], &pdf, &[]);
    assert!(info.contains("Pages:           2"), "{info}");
    // pdfinfo's "Page    1 size:  841.89 x 595.276 pts (A4)": landscape, then portrait.
    let sizes: Vec<(f32, f32)> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size: "))
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            (words[3].parse().unwrap(), words[5].parse().unwrap())
        })
        .collect();
    assert_eq!(sizes.len(), 2, "{info}");
    for ((w, h), (want_w, want_h)) in sizes.iter().zip([(841.89, 595.276), (595.276, 841.89)]) {
        assert!((w - want_w).abs() < 0.01 && (h - want_h).abs() < 0.01, "{info}");
    }

    let text = run("pdftotext", &["-layout"], &pdf, &["-"]).replace(' ', "");
    for expected in ["永安里社区", "设施分布图", "社区卫生服务站", "设施一览表", "公共厕所", "Generateddemodata."] {
        assert!(text.contains(expected), "`{expected}` not in pdftotext's output:\n{text}");
    }
    // Page 2's text is on page 2 (pdftotext separates pages with a form feed).
    let pages: Vec<&str> = text.split('\u{c}').collect();
    assert!(pages[0].contains("社区卫生服务站") && !pages[0].contains("设施一览表"), "{pages:?}");
    assert!(pages[1].contains("设施一览表"));

    // The label is printed where it was placed and exactly as wide as `text` measured it,
    // which is what label collision boxes rely on.
    let boxes = run("pdftotext", &["-f", "1", "-l", "1", "-bbox"], &pdf, &["-"]);
    let word = boxes.lines().find(|l| l.contains(">社区卫生服务站<")).unwrap_or_else(|| panic!("{boxes}"));
    let attr = |name: &str| -> f32 {
        let from = word.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        word[from..from + word[from..].find('"').unwrap()].parse().unwrap()
    };
    assert!((attr("xMin") - mm_to_pt(105.0)).abs() < 0.01, "{word}");
    let measured = mm_to_pt(font.width_mm("社区卫生服务站", 10.0));
    assert!((attr("xMax") - attr("xMin") - measured).abs() < 0.01, "{word} vs measured {measured} pt");

    // The font is embedded, as a subset (its name has the six-letter tag) with a Unicode map.
    let fonts = run("pdffonts", &[], &pdf, &[]);
    let cjk: Vec<&str> = fonts.lines().filter(|l| l.contains("NotoSansCJK")).collect();
    assert_eq!(cjk.len(), 1, "{fonts}");
    let name = cjk[0].split_whitespace().next().unwrap();
    assert!(name.len() > 7 && name.as_bytes()[6] == b'+', "not a subset: {name}");
    // Columns: name, type (several words), encoding, emb, sub, uni, object number, generation.
    let words: Vec<&str> = cjk[0].split_whitespace().collect();
    assert_eq!(words[words.len() - 5..words.len() - 2], ["yes", "yes", "yes"], "emb sub uni: {fonts}");

    // Pixels: the green area is drawn inside the frame and cut at its left edge.
    let dpi = 50.0;
    Command::new("pdftoppm").args(["-r", "50", "-f", "1", "-l", "1", "-singlefile"]).arg(&pdf).arg(dir.path().join("p1")).status().unwrap();
    let ppm = std::fs::read(dir.path().join("p1.ppm")).unwrap();
    assert_eq!(pixel_at(&ppm, dpi, 40.0, 80.0), [GREEN.0, GREEN.1, GREEN.2], "inside the frame");
    assert_eq!(pixel_at(&ppm, dpi, 10.0, 80.0), [255, 255, 255], "left of the frame: clipped away");
    assert_eq!(pixel_at(&ppm, dpi, 267.0, 17.0), [255, 0, 0], "the logo");
}

#[test]
fn no_pages_is_an_error_not_an_empty_file() {
    let font = PageFont::find_and_load().unwrap();
    let err = render_pdf(&[], &font).unwrap_err().to_string();
    assert!(err.contains("no pages"), "{err}");
}

#[test]
fn a_broken_image_names_its_page_and_place() {
    let font = PageFont::find_and_load().unwrap();
    let mut page = Page::new(Paper::A4, Orientation::Portrait);
    page.push(Item::Image { png: Arc::new(b"not a png".to_vec()), area: BoxMm::new(12.0, 34.0, 10.0, 10.0) });
    let err = render_pdf(&[Page::new(Paper::A3, Orientation::Portrait), page], &font).unwrap_err().to_string();
    assert!(err.contains("page 2") && err.contains("12.0, 34.0 mm") && err.contains("PNG"), "{err}");
}
