//! The PDF backend: renders pages to one PDF document with krilla — vector paths, clips,
//! PNG images and text as glyphs of the embedded, subsetted page font, so the text can be
//! selected and searched. Page coordinates go from mm to points here and nowhere else.

use krilla::color::rgb;
use krilla::geom::{Path, PathBuilder, Point, Size, Transform};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint;
use krilla::surface::Surface;
use krilla::tagging::{ContentTag, SpanTag};
use krilla::text::{GlyphId, KrillaGlyph};
use krilla::Document;

use super::draw::{Fill, FillRule, Item, PathMm, Rgb, Segment, Stroke, TextRun};
use super::font::PageFont;
use super::page::Page;
use super::units::{mm_to_pt, PointMm};
use crate::{Error, Result};

/// How a layer's marked-content section is recognised in the content stream: the start of the
/// `/Alt` text of its `/Span` properties, followed by the layer's name.
pub(crate) const LAYER_MARKER: &str = "wardgis-layer:";

/// Renders the pages, in order, to the bytes of one PDF file; text is set in `font`.
pub fn render_pdf(pages: &[Page], font: &PageFont) -> Result<Vec<u8>> {
    if pages.is_empty() {
        return Err(Error::Print("nothing to print: no pages".into()));
    }
    // krilla's default settings enable tagging, without which `start_tagged` writes no layer
    // marker.
    let mut document = Document::new();
    for (number, page) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(mm_to_pt(page.width), mm_to_pt(page.height)).ok_or_else(|| {
            Error::Print(format!("page {}: size {} × {} mm is not a page size", number + 1, page.width, page.height))
        })?;
        let mut pdf_page = document.start_page_with(settings);
        let mut surface = pdf_page.surface();
        let mut painter = Painter { surface: &mut surface, font, page: number + 1, layer: None };
        let drawn = painter.draw_items(&page.items);
        surface.finish();
        pdf_page.finish();
        drawn?;
    }
    document.finish().map_err(|e| Error::Print(format!("the PDF could not be written: {e}")))
}

/// Draws items on one page's surface; `page` (1-based) is for messages.
struct Painter<'s, 'a> {
    surface: &'s mut Surface<'a>,
    font: &'s PageFont,
    page: usize,
    /// The layer being drawn, if any.
    layer: Option<String>,
}

impl Painter<'_, '_> {
    fn draw_items(&mut self, items: &[Item]) -> Result<()> {
        for item in items {
            match item {
                Item::Path { path, fill, stroke } => self.draw_path(path, fill.as_ref(), stroke.as_ref()),
                Item::Text(run) => self.draw_text(run),
                Item::Image { png, area } => {
                    let image = krilla::image::Image::from_png(png.clone().into(), true)
                        .map_err(|e| Error::Print(format!("page {}: image at {:.1}, {:.1} mm is not a readable PNG: {e}", self.page, area.x, area.y)))?;
                    let Some(size) = Size::from_wh(mm_to_pt(area.width), mm_to_pt(area.height)) else {
                        continue; // an empty box shows nothing
                    };
                    self.surface.push_transform(&Transform::from_translate(mm_to_pt(area.x), mm_to_pt(area.y)));
                    self.surface.draw_image(image, size);
                    self.surface.pop();
                }
                Item::Layer { name, items } => self.draw_layer(name, items)?,
                Item::Clipped { clip, items } => {
                    // An empty clip shape hides everything in the group.
                    let Some(clip) = to_path(clip) else { continue };
                    self.surface.push_clip_path(&clip, &paint::FillRule::NonZero);
                    let drawn = self.draw_items(items);
                    self.surface.pop();
                    drawn?;
                }
            }
        }
        Ok(())
    }

    /// Draws a layer's items inside a marked-content section whose properties carry
    /// [`LAYER_MARKER`] and the layer's name, which [`super::georef::finish_pdf`] turns into
    /// the layer's optional content group. Marked content draws nothing and leaves the text as
    /// it is; krilla cannot nest such sections, so neither can layers.
    fn draw_layer(&mut self, name: &str, items: &[Item]) -> Result<()> {
        if let Some(outer) = &self.layer {
            return Err(Error::Print(format!("page {}: layer `{name}` is inside layer `{outer}`; layers cannot be nested", self.page)));
        }
        let marker = format!("{LAYER_MARKER}{name}");
        self.surface.start_tagged(ContentTag::Span(SpanTag::empty().with_alt_text(Some(&marker))));
        self.layer = Some(name.to_string());
        let drawn = self.draw_items(items);
        self.layer = None;
        self.surface.end_tagged();
        drawn
    }

    fn draw_path(&mut self, path: &PathMm, fill: Option<&Fill>, stroke: Option<&Stroke>) {
        let Some(path) = to_path(path) else { return };
        self.surface.set_fill(fill.map(to_fill));
        self.surface.set_stroke(stroke.map(to_stroke));
        self.surface.draw_path(&path);
    }

    fn draw_text(&mut self, run: &TextRun) {
        let shaped = self.font.shape(&run.text);
        let glyphs: Vec<KrillaGlyph> = shaped
            .glyphs
            .iter()
            .map(|g| KrillaGlyph::new(GlyphId::new(g.id as u32), g.x_advance, g.x_offset, g.y_offset, g.y_advance, g.text_range.clone(), None))
            .collect();
        self.surface.set_fill(Some(to_fill(&Fill::solid(run.colour))));
        self.surface.set_stroke(None);
        let (x, y) = (mm_to_pt(run.origin.x), mm_to_pt(run.origin.y));
        if run.angle == 0.0 {
            self.surface.draw_glyphs(Point::from_xy(x, y), &glyphs, self.font.krilla.clone(), &run.text, run.size_pt, false);
        } else {
            self.surface.push_transform(&Transform::from_rotate_at(run.angle, x, y));
            self.surface.draw_glyphs(Point::from_xy(x, y), &glyphs, self.font.krilla.clone(), &run.text, run.size_pt, false);
            self.surface.pop();
        }
    }
}

/// The names of the layers among `items`, in the order [`render_pdf`] marks them: layers in
/// a clipped group whose clip is empty are not drawn at all. The post-pass checks the markers
/// it finds against this.
pub(crate) fn layers_drawn(items: &[Item]) -> Vec<&str> {
    let mut names = Vec::new();
    for item in items {
        match item {
            Item::Layer { name, .. } => names.push(name.as_str()),
            Item::Clipped { clip, items } if to_path(clip).is_some() => names.extend(layers_drawn(items)),
            _ => {}
        }
    }
    names
}

/// The path in points, or `None` for a path with nothing to draw (krilla refuses those).
fn to_path(path: &PathMm) -> Option<Path> {
    let mut builder = PathBuilder::new();
    let pt = |p: &PointMm| (mm_to_pt(p.x), mm_to_pt(p.y));
    for segment in &path.segments {
        match segment {
            Segment::MoveTo(p) => {
                let (x, y) = pt(p);
                builder.move_to(x, y);
            }
            Segment::LineTo(p) => {
                let (x, y) = pt(p);
                builder.line_to(x, y);
            }
            Segment::CubicTo(c1, c2, p) => {
                let ((x1, y1), (x2, y2), (x, y)) = (pt(c1), pt(c2), pt(p));
                builder.cubic_to(x1, y1, x2, y2, x, y);
            }
            Segment::Close => builder.close(),
        }
    }
    builder.finish()
}

fn to_colour(c: Rgb) -> paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

/// An opacity clamped to 0–1, so a style slip cannot make the page fail.
fn to_opacity(opacity: f32) -> NormalizedF32 {
    NormalizedF32::new(opacity.clamp(0.0, 1.0)).unwrap_or(NormalizedF32::ONE)
}

fn to_fill(fill: &Fill) -> paint::Fill {
    paint::Fill {
        paint: to_colour(fill.colour),
        opacity: to_opacity(fill.opacity),
        rule: match fill.rule {
            FillRule::NonZero => paint::FillRule::NonZero,
            FillRule::EvenOdd => paint::FillRule::EvenOdd,
        },
    }
}

fn to_stroke(stroke: &Stroke) -> paint::Stroke {
    let (line_cap, line_join) =
        if stroke.round { (paint::LineCap::Round, paint::LineJoin::Round) } else { (paint::LineCap::Butt, paint::LineJoin::Miter) };
    paint::Stroke {
        paint: to_colour(stroke.colour),
        width: mm_to_pt(stroke.width),
        line_cap,
        line_join,
        opacity: to_opacity(stroke.opacity),
        dash: (!stroke.dash.is_empty())
            .then(|| paint::StrokeDash { array: stroke.dash.iter().map(|d| mm_to_pt(*d)).collect(), offset: 0.0 }),
        ..Default::default()
    }
}

#[cfg(test)]
#[path = "pdf_tests.rs"]
pub(crate) mod tests;
