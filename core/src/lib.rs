//! # wardgis — the domain core
//!
//! Everything a wardgis user can do is a function here; the `wardgis` command line and the
//! desktop app are thin adapters over it. The pieces:
//!
//! - [`catalog`]: the layer kinds, read from `layers/*.toml`.
//! - [`feature`]: a WGS84 geometry with typed attribute values.
//! - [`project`]: an open project — the store, the catalog and the R-trees — and every step a
//!   user takes on it, each one undoable [`action`].
//! - [`store`]: what the domains need from storage, as traits, and the GeoPackage backend
//!   (a file QGIS and GDAL open as it is).
//! - [`index`]: per-layer R-trees: bounding box, radius, k-nearest and polygon queries.
//! - [`crs`]: WGS84, CGCS2000, GCJ-02 and BD-09, and geodesic distance.
//! - [`io`]: GeoJSON and CSV import and export, checked against the catalog.
//! - [`spatial_query`]: the window's query tools over one layer or several, and the outline
//!   of what each searched.
//! - [`search`]: finding a feature by part of its name, and reading a pasted coordinate.
//! - [`tiles`]: Mapbox Vector Tiles cut on demand from the R-trees, for the map.
//! - [`sampling`]: sampling frames and designs (simple, stratified, GRTS), draws, sample size.
//! - [`evaluation`]: third-party evaluation after the draw — field workbooks, results,
//!   estimates, rectification orders and re-inspection rounds.
//! - [`dates`]: calendar days as the bureau writes them, and the time of an action.
//! - [`estimate`]: design-based means and pass rates with confidence intervals.
//! - [`zoning`]: the spatial join to communities, subdistricts and unit grid cells, and the
//!   unit grid (单元网格) itself.
//! - [`print`]: the page engine — pages in mm, text shaped with the CJK font, PDF output.
//! - [`demo`]: the generated demo district around Yixing old town.

pub mod action;
pub mod catalog;
pub mod credit;
pub mod crs;
pub mod dates;
pub mod edit;
pub mod demo;
pub mod error;
pub mod estimate;
pub mod feature;
pub mod filter;
pub mod io;
pub mod measure;
pub mod index;
pub mod evaluation;
pub mod planning;
pub mod print;
pub mod project;
pub mod sampling;
pub mod search;
pub mod spatial_query;
pub mod store;
pub mod tiles;
pub mod zoning;

pub use catalog::{Catalog, LayerKind};
pub use error::{Error, Result};
pub use feature::{Feature, Value};
pub use project::Project;
