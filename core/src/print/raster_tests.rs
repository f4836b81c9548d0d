//! PNG output checked pixel by pixel, and against poppler's `pdftoppm` rendering of the same
//! PDF as an independent rasteriser for the text.

use std::process::Command;
use std::time::Instant;

use super::*;
use crate::print::draw::{Fill, Item, PathMm, Rgb, Stroke, TextRun};
use crate::print::page::{Orientation, Paper};
use crate::print::units::{BoxMm, PointMm};

const DPI: f32 = 150.0;
const BLUE: Rgb = Rgb(20, 60, 200);
const RED: Rgb = Rgb(200, 30, 30);
const ORANGE: Rgb = Rgb(240, 140, 0);
/// The clip (a map frame) and the circle that reaches out of it to the right.
const FRAME: BoxMm = BoxMm { x: 20.0, y: 120.0, width: 60.0, height: 60.0 };
const CIRCLE: (f32, f32, f32) = (75.0, 150.0, 15.0);
/// Where the Chinese label is set: its baseline's left end.
const LABEL: (f32, f32) = (20.0, 230.0);

fn font() -> PageFont {
    PageFont::find_and_load().unwrap_or_else(|e| panic!("the raster tests need the CJK page font: {e}"))
}

/// A 2 × 2 opaque red PNG.
fn red_png() -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 2, 2);
    encoder.set_color(png::ColorType::Rgb);
    encoder.write_header().unwrap().write_image_data(&[255, 0, 0].repeat(4)).unwrap();
    bytes
}

/// An A4 page: a blue 40 mm square, a half-transparent black square, a red PNG image, a red
/// dashed line (3 mm on, 2 mm off), an orange circle clipped to a frame it crosses, and a
/// Chinese label.
fn test_page() -> Page {
    let mut page = Page::new(Paper::A4, Orientation::Portrait);
    page.push(Item::Path { path: PathMm::rect(BoxMm::new(20.0, 20.0, 40.0, 40.0)), fill: Some(Fill::solid(BLUE)), stroke: None });
    let half_black = Fill { opacity: 0.5, ..Fill::solid(Rgb::BLACK) };
    page.push(Item::Path { path: PathMm::rect(BoxMm::new(100.0, 20.0, 20.0, 20.0)), fill: Some(half_black), stroke: None });
    page.push(Item::Image { png: std::sync::Arc::new(red_png()), area: BoxMm::new(130.0, 20.0, 20.0, 20.0) });
    page.push(Item::Path {
        path: PathMm::line(&[PointMm::new(20.0, 90.0), PointMm::new(190.0, 90.0)]),
        fill: None,
        stroke: Some(Stroke { dash: vec![3.0, 2.0], ..Stroke::solid(RED, 1.0) }),
    });
    page.push(Item::Clipped {
        clip: PathMm::rect(FRAME),
        items: vec![Item::Path {
            path: PathMm::circle(PointMm::new(CIRCLE.0, CIRCLE.1), CIRCLE.2),
            fill: Some(Fill::solid(ORANGE)),
            stroke: None,
        }],
    });
    page.push(Item::Text(TextRun {
        origin: PointMm::new(LABEL.0, LABEL.1),
        text: "永安里社区卫生服务站".into(),
        size_pt: 24.0,
        colour: Rgb::BLACK,
    }));
    page
}

/// A decoded 8-bit RGB PNG: its size, pixels and pHYs.
struct Image {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
    pixel_dims: Option<png::PixelDimensions>,
}

impl Image {
    fn decode(bytes: &[u8]) -> Image {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let pixel_dims = reader.info().pixel_dims;
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buffer).unwrap();
        assert_eq!((frame.color_type, frame.bit_depth), (png::ColorType::Rgb, png::BitDepth::Eight));
        buffer.truncate(frame.buffer_size());
        Image { width: frame.width as usize, height: frame.height as usize, rgb: buffer, pixel_dims }
    }

    fn px(&self, col: usize, row: usize) -> [u8; 3] {
        let i = 3 * (row * self.width + col);
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// The pixel at (x, y) mm.
    fn at_mm(&self, x: f32, y: f32) -> [u8; 3] {
        self.px((x / 25.4 * DPI) as usize, (y / 25.4 * DPI) as usize)
    }

    /// Whether the pixel is ink (dark grey or black).
    fn dark(&self, col: usize, row: usize) -> bool {
        self.px(col, row).iter().all(|c| *c < 128)
    }
}

fn rgb(c: Rgb) -> [u8; 3] {
    [c.0, c.1, c.2]
}

#[test]
fn a_page_rasterises_at_its_size_with_its_dpi_and_what_the_pdf_shows() {
    let font = font();
    let pdf = render_pdf(&[test_page()], &font).unwrap();
    let image = Image::decode(&render_png(&pdf, 0, DPI).unwrap());

    // Size: page mm × dpi / 25.4, within a pixel.
    let (want_w, want_h) = (210.0 * DPI / 25.4, 297.0 * DPI / 25.4);
    let (w, h) = (image.width as f32, image.height as f32);
    assert!((w - want_w).abs() <= 1.0 && (h - want_h).abs() <= 1.0, "{w}×{h} px");
    // pHYs: pixels per metre that read back as 150 dpi.
    let dims = image.pixel_dims.expect("a pHYs chunk");
    assert_eq!(dims.unit, png::Unit::Meter);
    assert_eq!(dims.xppu, dims.yppu);
    assert!((dims.xppu as f32 * 0.0254 - DPI).abs() < 0.05, "{} px/m", dims.xppu);

    // The square has its colour inside and the page is white around it.
    for (x, y) in [(22.0, 22.0), (40.0, 40.0), (58.0, 58.0)] {
        assert_eq!(image.at_mm(x, y), rgb(BLUE), "in the square at {x}, {y} mm");
    }
    assert_eq!(image.at_mm(62.0, 40.0), [255, 255, 255]);
    // Opacity: half-transparent black over white is mid grey.
    let grey = image.at_mm(110.0, 30.0);
    assert!(grey.iter().all(|c| (126..=129).contains(c)), "half-transparent black: {grey:?}");
    // The PNG image fills its box.
    assert_eq!(image.at_mm(140.0, 30.0), [255, 0, 0], "the image");

    // The dashes: along the line, red 3 mm then white 2 mm, from its start at 20 mm.
    for dash in 0..10 {
        let start = 20.0 + 5.0 * dash as f32;
        assert_eq!(image.at_mm(start + 1.5, 90.0), rgb(RED), "dash {dash}");
        assert_eq!(image.at_mm(start + 4.0, 90.0), [255, 255, 255], "gap after dash {dash}");
    }

    // The clip holds: the circle is drawn inside the frame and cut at its right edge.
    assert_eq!(image.at_mm(72.0, 150.0), rgb(ORANGE), "the circle inside the frame");
    assert_eq!(image.at_mm(85.0, 150.0), [255, 255, 255], "the circle right of the frame: clipped away");

    // The text has ink where poppler puts ink, and none elsewhere.
    compare_text_ink(&image, &pdf);
}

/// The label's ink against `pdftoppm -r 150`'s rendering of the same PDF: the ink boxes agree
/// within 2 px and at least 90 % of the dark pixels are dark in both (anti-aliasing differs at
/// the glyph edges).
fn compare_text_ink(image: &Image, pdf: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(&path)
        .arg(dir.path().join("poppler"))
        .output()
        .unwrap_or_else(|e| panic!("this test needs pdftoppm (Debian's poppler-utils): {e}"));
    assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
    let poppler = Image::decode(&std::fs::read(dir.path().join("poppler.png")).unwrap());
    // poppler rounds the page's size up, we round it to nearest: a pixel apart at most.
    assert!(poppler.width.abs_diff(image.width) <= 1 && poppler.height.abs_diff(image.height) <= 1);

    // The label's band: from above its ascent to below its descent, across the page.
    let to_px = |mm: f32| (mm / 25.4 * DPI) as usize;
    let (top, bottom) = (to_px(LABEL.1 - 12.0), to_px(LABEL.1 + 4.0));
    let cols = image.width.min(poppler.width);
    let ink_box = |img: &Image| {
        let (mut l, mut t, mut r, mut b, mut n) = (usize::MAX, usize::MAX, 0, 0, 0);
        for row in top..bottom {
            for col in 0..cols {
                if img.dark(col, row) {
                    (l, t, r, b, n) = (l.min(col), t.min(row), r.max(col), b.max(row), n + 1);
                }
            }
        }
        ([l, t, r, b], n)
    };
    let ((ours, n_ours), (theirs, n_theirs)) = (ink_box(image), ink_box(&poppler));
    assert!(n_theirs > 1000, "poppler drew too little ink for ten 24 pt characters: {n_theirs} px");
    for (a, b) in ours.iter().zip(theirs) {
        assert!(a.abs_diff(b) <= 2, "ink box {ours:?} vs poppler's {theirs:?}");
    }
    // The label is as wide as the font measures it.
    let width_px = (font().width_mm("永安里社区卫生服务站", 24.0) / 25.4 * DPI) as usize;
    assert!(ours[2] - ours[0] <= width_px && ours[2] - ours[0] + 20 >= width_px, "ink {ours:?}, advance {width_px} px");
    let both = (top..bottom)
        .flat_map(|row| (0..cols).map(move |col| (col, row)))
        .filter(|&(c, r)| image.dark(c, r) && poppler.dark(c, r))
        .count();
    let agreement = both as f32 / n_ours.max(n_theirs) as f32;
    assert!(agreement > 0.9, "only {:.0} % of the label's ink agrees with poppler ({n_ours} vs {n_theirs} px)", agreement * 100.0);
}

#[test]
fn render_page_png_goes_through_the_pdf() {
    let font = font();
    let page = test_page();
    let direct = render_page_png(&page, &font, DPI).unwrap();
    let via_pdf = render_png(&render_pdf(&[page], &font).unwrap(), 0, DPI).unwrap();
    assert_eq!(Image::decode(&direct).rgb, Image::decode(&via_pdf).rgb);
}

#[test]
fn the_second_page_of_a_landscape_a3_pdf_has_its_own_size() {
    let font = font();
    let mut a3 = Page::new(Paper::A3, Orientation::Landscape);
    a3.push(Item::Path { path: PathMm::rect(BoxMm::new(400.0, 280.0, 10.0, 10.0)), fill: Some(Fill::solid(BLUE)), stroke: None });
    let pdf = render_pdf(&[test_page(), a3], &font).unwrap();
    let image = Image::decode(&render_png(&pdf, 1, 72.0).unwrap());
    assert_eq!((image.width, image.height), (1191, 842)); // 420 × 297 mm at 72 dpi
    assert_eq!(image.px((405.0 / 25.4 * 72.0) as usize, (285.0 / 25.4 * 72.0) as usize), rgb(BLUE));
}

/// The error message of a refused rendering (without dumping the PNG of one that was not).
fn refused(rendered: Result<Vec<u8>>) -> String {
    match rendered {
        Ok(png) => panic!("rendered ({} bytes of PNG) where an error was expected", png.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_requests_say_what_would_be_accepted() {
    let font = font();
    let pdf = render_pdf(&[test_page()], &font).unwrap();
    let err = refused(render_png(&pdf, 0, 5000.0));
    assert!(err.contains("5000 dpi") && err.contains("36–1200 dpi"), "{err}");
    let err = refused(render_png(&pdf, 0, f32::NAN));
    assert!(err.contains("NaN dpi"), "{err}");
    let err = refused(render_png(&pdf, 3, DPI));
    assert!(err.contains("page 4") && err.contains("1 page(s)"), "{err}");
    let err = refused(render_png(b"%PDF-1.7 not really", 0, DPI));
    assert!(err.contains("could not be read"), "{err}");
}

/// A PDF whose text uses Helvetica without embedding it: with no fallback fonts in hayro,
/// the text would be missing from the PNG, so it is refused.
#[test]
fn a_page_whose_font_cannot_be_loaded_is_refused_not_rendered_without_its_text() {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
    let content = doc.add_object(Stream::new(dictionary! {}, b"BT /F1 24 Tf 72 720 Td (Hello) Tj ET".to_vec()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
    });
    doc.objects.insert(pages_id, Object::Dictionary(dictionary! {
        "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    }));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut pdf = Vec::new();
    doc.save_to(&mut pdf).unwrap();
    let err = refused(render_png(&pdf, 0, DPI));
    assert!(err.contains("page 1") && err.contains("font it could not load"), "{err}");
}

/// Timing, not a check: an A4 page of 10 000 paths at 200 dpi. Run with
/// `cargo test -p wardgis --release print::raster::tests::timing -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_a4_with_10000_paths_at_200_dpi() {
    let font = font();
    let mut page = Page::new(Paper::A4, Orientation::Portrait);
    let mut items = Vec::with_capacity(10_000);
    for i in 0..10_000u32 {
        let (x, y) = (10.0 + (i % 100) as f32 * 1.9, 10.0 + (i / 100) as f32 * 2.7);
        let p = PointMm::new;
        let (fill, stroke) = match i % 3 {
            0 => (Some(Fill { opacity: 0.6, ..Fill::solid(BLUE) }), Stroke::solid(Rgb::BLACK, 0.1)),
            1 => (None, Stroke { dash: vec![0.5, 0.3], ..Stroke::solid(RED, 0.3) }),
            _ => (Some(Fill::solid(ORANGE)), Stroke::solid(Rgb::WHITE, 0.1)),
        };
        let path = match i % 3 {
            0 => PathMm::polygon(&[p(x, y), p(x + 1.5, y), p(x + 1.2, y + 2.0), p(x, y + 1.6)]),
            1 => PathMm::line(&[p(x, y), p(x + 1.0, y + 1.0), p(x + 1.8, y + 0.4)]),
            _ => PathMm::circle(p(x + 0.8, y + 0.8), 0.7),
        };
        items.push(Item::Path { path, fill, stroke: Some(stroke) });
    }
    page.push(Item::Clipped { clip: PathMm::rect(BoxMm::new(10.0, 10.0, 190.0, 277.0)), items });
    let started = Instant::now();
    let pdf = render_pdf(&[page], &font).unwrap();
    let pdf_time = started.elapsed();
    let started = Instant::now();
    let png = render_png(&pdf, 0, 200.0).unwrap();
    let (png_time, kb) = (started.elapsed(), |n: usize| n / 1024);
    eprintln!("10 000 paths: PDF {pdf_time:?} ({} KB); PNG at 200 dpi {png_time:?} ({} KB)", kb(pdf.len()), kb(png.len()));
}
