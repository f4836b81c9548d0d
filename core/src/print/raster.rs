//! PNG output: a printed page as an image at a chosen DPI, for sending a ward map through a
//! messaging app. The PNG carries its DPI (the pHYs chunk), so printing it gives the page's
//! size in mm again.
//!
//! The PNG is rasterised from the finished PDF page with hayro (the krilla author's pure-Rust
//! PDF renderer), not drawn a second time from the page's items, so it shows exactly what the
//! PDF shows: the same embedded font subset, clips, dashes, opacities and images, and any
//! later PDF post-pass. Chosen over
//! - a tiny-skia backend over [`super::draw::Item`]: a second renderer of the same model
//!   (glyph outlines, dashes, clips, image decoding written again) that can drift from the PDF
//!   and would need its own tests for every item kind;
//! - poppler bindings: C++ libraries to build and ship on Windows desktops, GPL-licensed;
//! - maplibre-rs headless: see ARCHITECTURE.md ("PNG output") for the trial and why not.
//!
//! hayro runs without its bundled fallback fonts: our PDFs embed their one font, and a page
//! whose font hayro cannot load is refused rather than rendered without its text.

use std::sync::{Arc, Mutex};

use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_interpret::{InterpreterSettings, InterpreterWarning};
use hayro::hayro_syntax::Pdf;
use hayro::kurbo::Affine;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::vello_cpu::{Pixmap, RasterizerSettings, RenderContext, Resources, TargetInit};
use hayro::{render_into, RenderCache, RenderSettings};

use super::font::PageFont;
use super::page::Page;
use super::pdf::render_pdf;
use crate::{Error, Result};

/// The resolutions accepted: from a thumbnail to a photo-quality print.
pub const DPI_RANGE: std::ops::RangeInclusive<f32> = 36.0..=1200.0;

/// Renders one page (0-based `page_index`) of a finished PDF to the bytes of an RGB PNG at
/// `dpi`, on white, with its DPI in the pHYs chunk. The image is the page's size in points ×
/// `dpi` / 72, rounded to whole pixels.
pub fn render_png(pdf: &[u8], page_index: usize, dpi: f32) -> Result<Vec<u8>> {
    if !DPI_RANGE.contains(&dpi) {
        return Err(Error::Print(format!(
            "PNG resolution {dpi} dpi is not accepted; choose {}–{} dpi (150 for a phone, 300 to print)",
            DPI_RANGE.start(),
            DPI_RANGE.end()
        )));
    }
    let pdf = Pdf::new(Arc::new(pdf.to_vec()))
        .map_err(|e| Error::Print(format!("the PDF to rasterise could not be read ({e:?})")))?;
    let pages = pdf.pages();
    let page = pages.get(page_index).ok_or_else(|| {
        Error::Print(format!("page {} cannot be rasterised: the PDF has {} page(s)", page_index + 1, pages.len()))
    })?;

    let scale = f64::from(dpi) / 72.0;
    let (width_pt, height_pt) = page.render_dimensions();
    let pixels = |pt: f32| (f64::from(pt) * scale).round();
    let (width, height) = (pixels(width_pt), pixels(height_pt));
    if !(1.0..=f64::from(u16::MAX)).contains(&width) || !(1.0..=f64::from(u16::MAX)).contains(&height) {
        return Err(Error::Print(format!(
            "page {}: {width} × {height} px at {dpi} dpi is beyond what can be rasterised (1–{} px a side); choose a lower resolution",
            page_index + 1,
            u16::MAX
        )));
    }
    let (width, height) = (width as u16, height as u16);

    // Warnings are how hayro says it left something out (a font it could not load, an image it
    // could not decode); a PNG missing its labels must not go out as if it were the map.
    let warnings = Arc::new(Mutex::new(Vec::new()));
    let sink = warnings.clone();
    let settings = InterpreterSettings {
        warning_sink: Arc::new(move |w| sink.lock().unwrap_or_else(|e| e.into_inner()).push(w)),
        ..Default::default()
    };
    let cache = RenderCache::new();
    let mut context = RenderContext::new(width, height);
    let transform = Affine::scale(scale) * page.initial_transform(true).to_kurbo();
    render_into(page, &cache, &settings, &RenderSettings::default(), &mut context, transform);
    context.flush();
    let mut pixmap = Pixmap::new(width, height);
    context.render_with(
        &mut pixmap,
        &mut Resources::default(),
        RasterizerSettings { target_init: TargetInit::Clear(WHITE), ..Default::default() },
    );
    let warnings = warnings.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(warning) = warnings.first() {
        let what = match warning {
            InterpreterWarning::UnsupportedFont => "a font it could not load (its text would be missing)",
            InterpreterWarning::ImageDecodeFailure => "an image it could not decode",
            _ => "content it could not draw",
        };
        return Err(Error::Print(format!("page {} could not be rasterised in full: the PDF has {what}", page_index + 1)));
    }
    encode_png(&pixmap, dpi)
}

/// Renders one page to PNG at `dpi` through its PDF (see [`render_png`]), text set in `font`.
pub fn render_page_png(page: &Page, font: &PageFont, dpi: f32) -> Result<Vec<u8>> {
    render_png(&render_pdf(std::slice::from_ref(page), font)?, 0, dpi)
}

/// The pixmap as an 8-bit RGB PNG with its resolution in pixels per metre (pHYs). The pixmap
/// was cleared to opaque white, so every pixel is opaque and its premultiplied colour is its
/// colour; the alpha channel is dropped.
fn encode_png(pixmap: &Pixmap, dpi: f32) -> Result<Vec<u8>> {
    let rgb: Vec<u8> = pixmap.data().iter().flat_map(|p| [p.r, p.g, p.b]).collect();
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, u32::from(pixmap.width()), u32::from(pixmap.height()));
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let per_metre = (f64::from(dpi) / 0.0254).round() as u32;
    encoder.set_pixel_dims(Some(png::PixelDimensions { xppu: per_metre, yppu: per_metre, unit: png::Unit::Meter }));
    let written = encoder.write_header().and_then(|mut writer| writer.write_image_data(&rgb));
    written.map_err(|e| Error::Print(format!("the PNG could not be encoded: {e}")))?;
    Ok(bytes)
}

#[cfg(test)]
#[path = "raster_tests.rs"]
mod tests;
