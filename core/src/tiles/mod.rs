//! Mapbox Vector Tiles (MVT 2.1) cut on demand from a project's R-trees.
//!
//! The desktop map (MapLibre GL JS) asks for tiles by `z/x/y`; [`tile`] answers with the
//! protobuf bytes of one tile holding one MVT layer per requested project layer, each named
//! after the layer id. Nothing is pre-rendered: each request walks the layer's R-tree for the
//! tile's box, so edits show at once and a layer of a million points costs only the points
//! the tile holds.
//!
//! In each feature:
//! - the **id** is the feature's fid;
//! - the **tags** are `name`, `source` and every catalog field with a value: text, dates and
//!   enum codes as strings, integers as sint, reals as doubles, booleans as bools, so a style
//!   can match on them (`["get", "class"]` on roads, `["get", "landuse"]` on blocks);
//! - the **geometry** is WGS84 projected to Web Mercator and scaled to tile units
//!   ([`EXTENT`] = 4096 across, y down, origin at the tile's north-west corner). Lines and
//!   polygons are clipped to the tile plus [`BUFFER`] units on each side, simplified by about
//!   one unit and snapped to whole units; polygon exteriors have positive area and holes
//!   negative area by the spec's surveyor's formula. Points are kept only inside the tile proper
//!   (west and north edges included), so each point is in exactly one tile of a zoom. A tile
//!   that would hold more than [`MAX_POINTS`] points of a layer is thinned: of the points in
//!   each cell of the finest grid (1, 2, 4 … units) that leaves no more than that, the one with
//!   the lowest fid is kept. Sparse layers (a district's few hundred chargers) are never
//!   thinned; a million points are, where they crowd.
//!
//! **Labels**: a polygon layer's tile also holds an MVT layer `<layer>_label` with one point per
//! polygon (inside its largest part, computed once in the index) in the one tile that holds
//! that point, carrying the same tags; maps write names there, once per polygon.
//!
//! **Empty tiles**: a layer with no feature in the tile is left out of the tile (the spec asks
//! that a layer have at least one feature), so a tile with nothing in it is **zero bytes**, which
//! is the valid encoding of an MVT tile with no layers (MapLibre draws it as empty).
//!
//! Features are looked up in the in-memory R-tree ([`crate::index::LayerIndex::entries_in`])
//! and their attributes read in one query per layer ([`Project::attributes_each`]); polygons
//! that snapping to whole units would make invalid are rebuilt valid on the integer grid.
//! Longitudes are not wrapped across the antimeridian, and places beyond ±85.0511° (outside
//! the square Mercator world) are not shown.

mod clip;
mod cut;
mod encode;
mod simplify;
pub mod tile_id;

pub use simplify::MAX_POINTS;
pub use tile_id::{TileId, EXTENT, MAX_ZOOM};

use crate::error::{Error, Result};
use crate::Project;

/// Tile units kept beyond each edge of the tile for lines and polygons, so that line joins,
/// caps and polygon outlines at tile edges draw without seams (1/64 of the tile).
pub const BUFFER: f64 = 64.0;

/// One layer's features in tile `tile`, as a complete MVT tile holding one layer named after
/// the layer id; zero bytes when the layer has no feature there. An unknown layer is an error.
pub fn layer_tile(project: &Project, layer: &str, tile: TileId) -> Result<Vec<u8>> {
    self::tile(project, &[layer], tile)
}

/// Like [`layer_tile`], but never thinned: every point the tile owns is in it. For exports
/// that must hold every feature, and for comparing with tile servers that do not thin
/// (PostGIS's `ST_AsMVT`, in `bench/peers`).
pub fn layer_tile_unthinned(project: &Project, layer: &str, tile: TileId) -> Result<Vec<u8>> {
    tile_with(project, &[layer], tile, usize::MAX)
}

/// The given layers' features in tile `tile`, as one MVT tile with one layer per project layer
/// that has features there (in the order given; empty ones are left out). Zero bytes when none
/// has. An unknown layer, or a layer given twice, is an error.
pub fn tile(project: &Project, layers: &[&str], tile: TileId) -> Result<Vec<u8>> {
    tile_with(project, layers, tile, MAX_POINTS)
}

/// [`tile`] with at most `max_points` points per layer.
fn tile_with(project: &Project, layers: &[&str], tile: TileId, max_points: usize) -> Result<Vec<u8>> {
    let mut out = encode::TileWriter::new(EXTENT);
    for (i, &layer) in layers.iter().enumerate() {
        if layers[..i].contains(&layer) {
            return Err(Error::Invalid(format!("tile {tile}: layer `{layer}` is asked for twice; give each layer once")));
        }
        let kind = project.catalog().kind(layer)?;
        // Cut from the R-tree, then let go of it before reading attributes from the store.
        let (cut, labels) = {
            let index = project.index(layer)?;
            (cut::cut_layer(&index, tile, max_points), polygonal(kind).then(|| cut::cut_label_points(&index, tile)))
        };
        add_layer(&mut out, project, kind, layer, &cut)?;
        if let Some(labels) = labels {
            add_layer(&mut out, project, kind, &format!("{layer}{LABEL_SUFFIX}"), &labels)?;
        }
    }
    Ok(out.into_bytes())
}

/// The suffix of the MVT layer holding a polygon layer's label points (`communities_label`).
pub const LABEL_SUFFIX: &str = "_label";

fn polygonal(kind: &crate::catalog::LayerKind) -> bool {
    use crate::catalog::GeometryType as G;
    matches!(kind.geometry, G::Polygon | G::MultiPolygon)
}

/// Adds one MVT layer named `name` holding `cut` (fid-ordered tile geometries) with every
/// attribute of the project layer `kind`; adds nothing when `cut` is empty.
fn add_layer(
    out: &mut encode::TileWriter,
    project: &Project,
    kind: &crate::catalog::LayerKind,
    name: &str,
    cut: &[(i64, encode::TileGeometry)],
) -> Result<()> {
    if cut.is_empty() {
        return Ok(());
    }
    let fids: Vec<i64> = cut.iter().map(|(fid, _)| *fid).collect();
    let columns: Vec<&str> = kind.column_names().collect();
    let mut mvt_layer = encode::LayerWriter::with_capacity(name, cut.len());
    // Rows come in fid order, as `cut` is; a fid without a row (none, while the index is in
    // step with the table) is left out.
    let mut next = cut.iter().peekable();
    project.attributes_each(&kind.id, &fids, |fid, values| {
        while next.next_if(|(f, _)| *f < fid).is_some() {}
        if let Some((_, geometry)) = next.next_if(|(f, _)| *f == fid) {
            mvt_layer.add_feature(fid, geometry, &columns, values);
        }
        Ok(())
    })?;
    out.add_layer(mvt_layer);
    Ok(())
}

#[cfg(test)]
mod tests;
