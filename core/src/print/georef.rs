//! The post-pass on krilla's finished PDF: what krilla 0.8 cannot write, lopdf adds — the one
//! place a low-level PDF crate edits krilla's output, the exception to "krilla only" recorded
//! in ARCHITECTURE.md. [`finish_pdf`] is its only entry point and does two things:
//!
//! - Each map frame's viewport and geographic measure (ISO 32000-2 §12.10 / OGC geospatial
//!   PDF: a page's `/VP` array), so GDAL and other GIS tools read the frame back with its
//!   coordinates. krilla cannot add entries to a page dictionary.
//! - Each map layer ([`Item::Layer`](super::draw::Item::Layer)) as an optional content group
//!   (ISO 32000-2 §8.11), so a PDF viewer can switch it and GDAL's `ogrinfo` lists it as a
//!   vector layer of that name. krilla cannot write optional content; the backend marks each
//!   layer's stretch of content with a marked-content section ([`LAYER_MARKER`]), which this
//!   pass turns into `/OC /ocN BDC … EMC`. GDAL's content tokenizer cannot read pdf-writer's
//!   compact syntax ("Max token stack size reached") and stops at a NUL inside a literal
//!   string, so a page with layers is re-encoded by lopdf with its strings in hex.
//!
//! lopdf stores reals as f32: about 7 significant digits, a few decimetres at the longitudes
//! of China — far inside what a printed map can show.

use std::collections::HashMap;

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Dictionary, Object, ObjectId};

use super::page::Page;
use super::pdf::{layers_drawn, LAYER_MARKER};
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

/// Finishes the PDF `pdf` that [`render_pdf`](super::pdf::render_pdf) made from `pages`:
/// adds the viewports of `frames` (several frames on one page become several viewports of
/// that page) and turns every map layer into an optional content group — one group per
/// distinct layer name in the document, so the same layer on several pages is switched as one.
/// Returns the new file's bytes. A document without frames still gets its layers (a map
/// without coordinates can still switch layers, though GDAL then reads them in page units);
/// one without frames or layers comes back as lopdf rewrites it, unchanged in content.
pub fn finish_pdf(pdf: &[u8], pages: &[Page], frames: &[GeoFrame]) -> Result<Vec<u8>> {
    let mut document = lopdf::Document::load_mem(pdf).map_err(|e| Error::Print(format!("the PDF to finish cannot be read: {e}")))?;
    if let Some(frame) = frames.iter().find(|f| f.page >= pages.len()) {
        return Err(Error::Print(format!("map frame `{}` is on page {}, but there are {} page(s)", frame.name, frame.page + 1, pages.len())));
    }
    let page_ids = document.get_pages();
    if page_ids.len() != pages.len() {
        return Err(Error::Print(format!("the PDF has {} page(s) but {} were laid out: it was not rendered from these pages", page_ids.len(), pages.len())));
    }
    let mut groups = LayerGroups::default();
    for (index, page) in pages.iter().enumerate() {
        // lopdf numbers pages from 1; the count was checked above.
        let id = page_ids[&(index as u32 + 1)];
        let viewports: Vec<Object> = frames.iter().filter(|f| f.page == index).map(|f| viewport(f, page.height)).collect();
        if !viewports.is_empty() {
            page_dict(&mut document, id, index)?.set("VP", viewports);
        }
        mark_layers(&mut document, id, index, &layers_drawn(&page.items), &mut groups)?;
    }
    groups.write_catalog_entry(&mut document)?;
    let mut bytes = Vec::with_capacity(pdf.len() + 1024);
    document.save_to(&mut bytes).map_err(|e| Error::Print(format!("the finished PDF could not be written: {e}")))?;
    Ok(bytes)
}

/// The page dictionary of page `index` (0-based), to edit.
fn page_dict(document: &mut lopdf::Document, id: ObjectId, index: usize) -> Result<&mut Dictionary> {
    document.get_object_mut(id).and_then(Object::as_dict_mut).map_err(|e| Error::Print(format!("page {}: {e}", index + 1)))
}

/// The optional content groups made so far, in the order their layers first appear.
#[derive(Default)]
struct LayerGroups {
    ids: Vec<ObjectId>,
    by_name: HashMap<String, usize>,
}

impl LayerGroups {
    /// The index of the group named `name`, made on first use. Its resource name in every
    /// page's `/Properties` is `oc<index>`, the same on all pages, so pages sharing one
    /// resource dictionary (as krilla may write) cannot clash.
    fn index(&mut self, document: &mut lopdf::Document, name: &str) -> usize {
        if let Some(&index) = self.by_name.get(name) {
            return index;
        }
        let id = document.add_object(dictionary! { "Type" => "OCG", "Name" => text_string(name) });
        self.ids.push(id);
        self.by_name.insert(name.to_string(), self.ids.len() - 1);
        self.ids.len() - 1
    }

    /// The catalog's `/OCProperties`: every group, listed in order and shown by default.
    fn write_catalog_entry(&self, document: &mut lopdf::Document) -> Result<()> {
        if self.ids.is_empty() {
            return Ok(());
        }
        let refs: Vec<Object> = self.ids.iter().map(|id| Object::Reference(*id)).collect();
        let catalog = document.catalog_mut().map_err(|e| Error::Print(format!("the PDF's catalog: {e}")))?;
        catalog.set(
            "OCProperties",
            dictionary! {
                "OCGs" => refs.clone(),
                "D" => dictionary! { "Order" => refs.clone(), "ON" => refs, "OFF" => Vec::<Object>::new() },
            },
        );
        Ok(())
    }
}

/// Turns the layer markers of one page's content into optional content sections and lists
/// their groups in the page's `/Properties`; re-encodes the content (strings in hex) so GDAL
/// can read it. `expected` are the page's layers in drawing order: markers that differ from
/// them mean the PDF is not the one rendered from these pages, which is an error rather than
/// a map whose layers silently stay plain. Every page is re-encoded.
fn mark_layers(document: &mut lopdf::Document, id: ObjectId, index: usize, expected: &[&str], groups: &mut LayerGroups) -> Result<()> {
    let bytes = document.get_page_content(id);
    // Strict: a content stream lopdf cannot read whole is an error, never a page with
    // operations silently dropped.
    let mut content = Content::decode_strict(&bytes)
        .map_err(|e| Error::Print(format!("page {}: its content cannot be read to mark its layers: {e}", index + 1)))?;
    let mut found = Vec::new();
    let mut used = Vec::new();
    let mut operations = Vec::with_capacity(content.operations.len() + 8 * expected.len());
    for mut operation in std::mem::take(&mut content.operations) {
        operation.operands.iter_mut().for_each(strings_to_hex);
        let Some(name) = layer_name(&operation) else {
            operations.push(operation);
            continue;
        };
        let group = groups.index(document, &name);
        found.push(name);
        operation.operands = vec![Object::Name(b"OC".to_vec()), Object::Name(resource_name(group).into_bytes())];
        operations.push(operation);
        operations.extend(gdal_path_reset());
        if !used.contains(&group) {
            used.push(group);
        }
    }
    if found != expected {
        return Err(Error::Print(format!(
            "page {}: the PDF marks the layers {found:?} where the page draws {expected:?}; finish a PDF made by render_pdf from the same pages",
            index + 1
        )));
    }
    content.operations = operations;
    // Every page is re-encoded, with or without layers: GDAL reads the vectors of every page
    // of the file, and one page it cannot tokenise (a table page in pdf-writer's compact
    // syntax) ends its reading of the whole document.
    let encoded = space_brackets(content.encode().map_err(|e| Error::Print(format!("page {}: its content cannot be re-encoded: {e}", index + 1)))?);
    document.change_page_content(id, encoded).map_err(|e| Error::Print(format!("page {}: its content cannot be replaced: {e}", index + 1)))?;

    let properties = page_properties(document, id, index)?;
    for group in used {
        properties.set(resource_name(group), Object::Reference(groups.ids[group]));
    }
    // krilla numbered the markers as tagged content and gave the page a /StructParents entry;
    // without a structure tree that entry points nowhere, and the markers no longer carry
    // their numbers.
    if document.catalog().map(|c| !c.has(b"StructTreeRoot")).unwrap_or(true) {
        page_dict(document, id, index)?.remove(b"StructParents");
    }
    Ok(())
}

/// The layer's name, if `operation` is the start of a layer's marked-content section:
/// `/Span << /Alt (wardgis-layer:NAME) … >> BDC`, as [`super::pdf`] writes it.
fn layer_name(operation: &Operation) -> Option<String> {
    if operation.operator != "BDC" {
        return None;
    }
    let [Object::Name(tag), Object::Dictionary(properties)] = operation.operands.as_slice() else { return None };
    if tag != b"Span" {
        return None;
    }
    let alt = lopdf::decode_text_string(properties.get(b"Alt").ok()?).ok()?;
    alt.strip_prefix(LAYER_MARKER).map(str::to_string)
}

/// `q 0 0 m W n 0 0 m f Q`: a path that paints nothing (it is filled inside an empty clip),
/// put at the start of each layer for GDAL. GDAL's reader keeps the path points and the
/// "filled" and "several parts" flags of everything painted outside a layer (the basemap, the
/// frame) and only resets them when it emits a feature in a layer, so the first feature of a
/// layer would take the basemap's ring as an extra part, or a road would become a polygon.
/// This path resets them: `n` drops the points, and filling a single point is a feature
/// GDAL emits as nothing, clearing the flags.
fn gdal_path_reset() -> [Operation; 7] {
    let origin = || vec![Object::Integer(0), Object::Integer(0)];
    [
        Operation::new("q", vec![]),
        Operation::new("m", origin()),
        Operation::new("W", vec![]),
        Operation::new("n", vec![]),
        Operation::new("m", origin()),
        Operation::new("f", vec![]),
        Operation::new("Q", vec![]),
    ]
}

fn resource_name(group: usize) -> String {
    format!("oc{group}")
}

/// Puts a space inside every array bracket (`[ 2 2 ] 0 d`). GDAL 3.6's content reader
/// mis-reads an array whose last number touches its `]`, as lopdf writes a dash pattern
/// (`[2 2] 0 d`): a token stays on its eight-deep stack, and after a few dashed lines (the
/// community boundaries) it stops reading the page with "Max token stack size reached",
/// losing every layer drawn after them. A plain byte edit is safe here because every string
/// operand was written as hex (see [`strings_to_hex`]) and a name cannot hold an unescaped
/// bracket.
fn space_brackets(bytes: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    for b in bytes {
        match b {
            b'[' => out.extend_from_slice(b"[ "),
            b']' => out.extend_from_slice(b" ]"),
            _ => out.push(b),
        }
    }
    out
}

/// Writes strings (also inside arrays, as in `TJ`) as hex: GDAL's reader stops at a NUL byte
/// in a literal string, and glyph IDs are full of them.
fn strings_to_hex(object: &mut Object) {
    match object {
        Object::String(_, format) => *format = lopdf::StringFormat::Hexadecimal,
        Object::Array(items) => items.iter_mut().for_each(strings_to_hex),
        _ => {}
    }
}

/// The `/Properties` dictionary of a page's resources, made if missing; the resources may be
/// the page's own dictionary or one it refers to, and an indirect `/Properties` is copied in.
fn page_properties(document: &mut lopdf::Document, id: ObjectId, index: usize) -> Result<&mut Dictionary> {
    let fail = |e: lopdf::Error| Error::Print(format!("page {}: its resources: {e}", index + 1));
    let resources_id = match page_dict(document, id, index)?.get(b"Resources") {
        Ok(Object::Reference(rid)) => Some(*rid),
        Ok(Object::Dictionary(_)) => None,
        _ => {
            page_dict(document, id, index)?.set("Resources", Dictionary::new());
            None
        }
    };
    let resources = match resources_id {
        Some(rid) => document.get_object(rid).and_then(Object::as_dict).map_err(fail)?,
        None => document.get_dictionary(id).and_then(|page| page.get(b"Resources")).and_then(Object::as_dict).map_err(fail)?,
    };
    let existing = match resources.get(b"Properties") {
        Ok(Object::Reference(pid)) => document.get_dictionary(*pid).cloned().map_err(fail)?,
        Ok(Object::Dictionary(properties)) => properties.clone(),
        _ => Dictionary::new(),
    };
    let resources = match resources_id {
        Some(rid) => document.get_object_mut(rid).and_then(Object::as_dict_mut).map_err(fail)?,
        None => page_dict(document, id, index)?.get_mut(b"Resources").and_then(Object::as_dict_mut).map_err(fail)?,
    };
    resources.set("Properties", existing);
    resources.get_mut(b"Properties").and_then(Object::as_dict_mut).map_err(fail)
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
