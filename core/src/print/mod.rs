//! The page engine: printed pages laid out in millimetres and rendered to PDF. Ward maps,
//! zone reports, red/black lists and field sheets all lay out their pages with it.
//!
//! - [`units`]: mm and points, points and boxes on the page (top-left origin, y down).
//! - [`page`]: paper sizes and orientation; a page and its items.
//! - [`draw`]: what can be drawn — paths (fill, stroke, dash), circles, text runs, PNG
//!   images, clipped groups, map layers.
//! - [`font`]: finding and loading the CJK page font.
//! - [`text`]: shaping, measuring and line breaking with that font.
//! - [`pdf`]: the krilla backend writing pages as one PDF with the font embedded as a subset.
//! - [`map_page`]: what every map page shares: the focus area's map, furniture and names.
//! - [`raster`]: PNG at a chosen DPI (pHYs set), rasterised from the finished PDF with hayro.
//! - [`georef`]: the post-pass (lopdf) that finishes krilla's PDF with what krilla cannot
//!   write: each map frame's geospatial viewport and each map layer as an optional content
//!   group.
//!
//! Printing is `render_pdf(pages, font)` then `finish_pdf(pdf, pages, frames)`: the second is
//! the one entry point of the post-pass and must always run, as the first leaves each layer
//! only marked for it.

pub mod draw;
pub mod font;
pub mod furniture;
pub mod georef;
pub mod labels;
pub mod map_frame;
pub mod map_layers;
pub mod map_page;
pub mod page;
pub mod pdf;
pub mod raster;
pub mod style;
pub mod table;
pub mod text;
pub mod units;
pub mod ward_map;

pub use draw::{Fill, FillRule, Item, PathMm, Rgb, Segment, Stroke, TextRun};
pub use font::PageFont;
pub use georef::{finish_pdf, GeoFrame};
pub use page::{Orientation, Page, Paper};
pub use pdf::render_pdf;
pub use units::{BoxMm, PointMm};
