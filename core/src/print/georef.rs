//! The geospatial post-pass: writes each map frame's viewport and geographic measure
//! (ISO 32000-2 §12.10 / OGC geospatial PDF: a page's `/VP` array) into the finished PDF, so
//! GDAL and other GIS tools read the frame back with its coordinates. krilla cannot add
//! entries to a page dictionary, so this is the one place a low-level PDF crate (lopdf) edits
//! krilla's output — the exception to "krilla only" recorded in ARCHITECTURE.md.
//!
//! lopdf stores reals as f32: about 7 significant digits, a few decimetres at the longitudes
//! of China — far inside what a printed map can show.

use lopdf::{dictionary, Object};

use super::page::Page;
use super::units::{mm_to_pt, BoxMm};
use crate::{Error, Result};

/// WGS 84 as the measure's coordinate system names it (with its EPSG code beside it).
const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]"#;

/// A map frame on a page and the ground it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoFrame {
    /// The page's index (0-based) in the list rendered.
    pub page: usize,
    /// The frame's box on the page.
    pub frame: BoxMm,
    /// WGS84 longitude and latitude of the frame's corners: top-left, top-right,
    /// bottom-right, bottom-left as printed. Four corners rather than a box, so a frame in a
    /// projected map (whose corners are not on one meridian) is described exactly.
    pub corners: [(f64, f64); 4],
    /// The viewport's name, shown by GIS tools (the map's title).
    pub name: String,
}

/// Adds the viewports of `frames` to the PDF `pdf`, rendered from `pages`; returns the new
/// file's bytes. Several frames on one page become several viewports of that page.
pub fn georeference(pdf: &[u8], pages: &[Page], frames: &[GeoFrame]) -> Result<Vec<u8>> {
    let mut document = lopdf::Document::load_mem(pdf).map_err(|e| Error::Print(format!("the PDF to georeference cannot be read: {e}")))?;
    if let Some(frame) = frames.iter().find(|f| f.page >= pages.len()) {
        return Err(Error::Print(format!("map frame `{}` is on page {}, but there are {} page(s)", frame.name, frame.page + 1, pages.len())));
    }
    let page_ids = document.get_pages();
    for (index, page) in pages.iter().enumerate() {
        let viewports: Vec<Object> = frames.iter().filter(|f| f.page == index).map(|f| viewport(f, page.height)).collect();
        if viewports.is_empty() {
            continue;
        }
        // lopdf numbers pages from 1.
        let id = *page_ids.get(&(index as u32 + 1)).ok_or_else(|| {
            Error::Print(format!("map frame on page {}: the PDF has only {} page(s)", index + 1, page_ids.len()))
        })?;
        let dict = document.get_object_mut(id).and_then(Object::as_dict_mut).map_err(|e| Error::Print(format!("page {}: {e}", index + 1)))?;
        dict.set("VP", viewports);
    }
    let mut bytes = Vec::with_capacity(pdf.len() + 1024);
    document.save_to(&mut bytes).map_err(|e| Error::Print(format!("the georeferenced PDF could not be written: {e}")))?;
    Ok(bytes)
}

/// One `/Viewport` dictionary: the frame's box in PDF user space (points, origin bottom-left,
/// y up) and a `/GEO` measure mapping the box's unit square to latitude/longitude.
fn viewport(frame: &GeoFrame, page_height_mm: f32) -> Object {
    let b = frame.frame;
    let bbox = [mm_to_pt(b.x), mm_to_pt(page_height_mm - b.bottom()), mm_to_pt(b.right()), mm_to_pt(page_height_mm - b.y)];
    let [top_left, top_right, bottom_right, bottom_left] = frame.corners;
    // LPTS are points of the unit square over BBox, (0, 0) its lower-left; GPTS are the
    // matching ground points as latitude, longitude pairs.
    let lpts = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0];
    let gpts: Vec<Object> = [bottom_left, top_left, top_right, bottom_right]
        .iter()
        .flat_map(|&(lon, lat)| [Object::Real(lat as f32), Object::Real(lon as f32)])
        .collect();
    let reals = |values: &[f32]| values.iter().map(|v| Object::Real(*v)).collect::<Vec<_>>();
    let measure = dictionary! {
        "Type" => "Measure",
        "Subtype" => "GEO",
        "Bounds" => reals(&lpts),
        "GPTS" => gpts,
        "LPTS" => reals(&lpts),
        "GCS" => dictionary! {
            "Type" => "GEOGCS",
            "EPSG" => 4326,
            "WKT" => Object::string_literal(WGS84_WKT),
        },
    };
    Object::Dictionary(dictionary! {
        "Type" => "Viewport",
        "Name" => text_string(&frame.name),
        "BBox" => reals(&bbox),
        "Measure" => measure,
    })
}

/// A PDF text string: UTF-16BE with its byte-order mark (the encoding PDF gives Chinese
/// text), written as hex so readers that stop at a NUL byte (GDAL) read it whole.
fn text_string(text: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

#[cfg(test)]
#[path = "georef_tests.rs"]
mod tests;
