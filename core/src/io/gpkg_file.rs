//! A layer of another GeoPackage in, and a layer out to a GeoPackage. The SQL lives in
//! `store::gpkg::exchange`; this adapter chooses the table, reads its SRS and turns rows
//! into features through [`record::feature`] like every other typed format.
//!
//! Import: the file's one feature table, or the one named by `ImportOptions::source_layer`
//! (`--source-layer`); any geometry type the layer takes (single or multi, Z and M dropped);
//! coordinates in the table's SRS unless `--crs` says otherwise. A NULL or empty geometry
//! is a bad feature. Export: a table named after the layer id, in `ExportOptions::crs`
//! (with its EPSG row in `gpkg_spatial_ref_sys`), in a new GeoPackage or added to an existing
//! one — never replacing a table that is there.

use std::path::Path;

use serde_json::Value as Json;

use super::geometry::single_part_if_layer_is;
use super::reading::Reading;
use super::record::{self, Keys};
use super::{bad_input, ExportOptions, ImportOptions, RowError};
use crate::catalog::LayerKind;
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::feature::Feature;
use crate::store::gpkg::exchange::{self, Cell, Srs};

/// Streams one feature table of another GeoPackage into `reading`; see
/// [`super::import_features`].
/// A failure reading another GeoPackage, named as that file's: SQLite's own message
/// ("database disk image is malformed") does not say which file it means.
fn damaged(path: &Path, e: Error) -> Error {
    match e {
        Error::Storage(s) => bad_input(path, format!("cannot be read as a GeoPackage ({s}); is it damaged or not a GeoPackage?")),
        other => other,
    }
}

/// The feature tables of another GeoPackage, in its order.
pub(crate) fn table_names(path: &Path) -> Result<Vec<String>> {
    exchange::feature_tables(path).map_err(|e| damaged(path, e))
}

pub(crate) fn read(path: &Path, kind: &LayerKind, opts: &ImportOptions, reading: &mut Reading) -> Result<()> {
    let layer = exchange::open_layer(path, opts.source_layer.as_deref()).map_err(|e| damaged(path, e))?;
    let info = &layer.info;
    let crs = match (opts.crs, &info.srs) {
        (Some(c), _) => c,
        (None, None) => {
            reading.warn(format!("table `{}` has an undefined SRS; read its coordinates as WGS84", info.table));
            Crs::Wgs84
        }
        (None, Some(srs)) => {
            let c = crs_of_srs(srs).map_err(|m| bad_input(path, format!("table `{}`: {m}", info.table)))?;
            reading.found.declared_crs = Some(c);
            if c != Crs::Wgs84 {
                reading.warn(format!("coordinates are {c} (from the GeoPackage's SRS)"));
            }
            c
        }
    };
    let mut keys = Keys::new(opts, reading);
    // Every column is resolved up front, so a preview lists them in the table's order.
    for c in &info.columns {
        keys.target(kind, c);
    }
    let mut index = 0usize;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    // Errors of the sink (the project's own storage, a cancel) pass through as they are; only
    // the foreign file's own failures are reported as that file's.
    let mut sink_error = None;
    let scanned = layer.for_each_row(&mut |row| {
        index += 1;
        let values: Vec<Json> = row.values.into_iter().map(json_of).collect();
        let converted = row
            .geometry
            .map_err(|why| RowError::new("geometry", "", format!("cannot be read: {why}")))
            .and_then(|g| g.ok_or_else(|| RowError::new("geometry", "empty", "has no geometry; expected a geometry")))
            .and_then(|g| {
                let g = single_part_if_layer_is(kind.geometry, g);
                record::feature(kind, g, crs, info.columns.iter().map(String::as_str).zip(values.iter()), &mut keys)
            });
        let step = match converted {
            Ok(f) => reading.feature(f),
            Err(e) => {
                let file = reading.file.clone();
                reading.bad(Error::BadFeature { file, index, field: e.field, value: e.value, expected: e.expected });
                Ok(())
            }
        }
        .and_then(|()| reading.tick(|| (size * index as u64).checked_div(info.count).unwrap_or(0)));
        step.map_err(|e| {
            sink_error = Some(e);
            Error::Cancelled // stops the scan; replaced below
        })
    });
    if let Some(e) = sink_error {
        return Err(e);
    }
    scanned.map_err(|e| damaged(path, e))?;
    keys.warn_unknown(kind, reading);
    Ok(())
}

fn json_of(c: Cell) -> Json {
    match c {
        Cell::Null => Json::Null,
        Cell::Integer(i) => Json::from(i),
        Cell::Real(x) => serde_json::Number::from_f64(x).map(Json::Number).unwrap_or(Json::Null),
        Cell::Text(s) => Json::String(s),
        Cell::Blob(n) => Json::String(format!("<{n} bytes of binary data>")),
    }
}

/// The coordinate system of a GeoPackage SRS row: by its EPSG code, else by its definition.
fn crs_of_srs(srs: &Srs) -> Result<Crs, String> {
    let by_code = srs
        .organization
        .eq_ignore_ascii_case("EPSG")
        .then(|| u32::try_from(srs.organization_coordsys_id).ok().and_then(Crs::from_epsg))
        .flatten();
    match by_code {
        Some(c) => Ok(c),
        None => Crs::from_prj(&srs.definition)
            .map_err(|e| format!("its SRS {} ({}:{}): {e}", srs.name, srs.organization, srs.organization_coordsys_id)),
    }
}

/// The SRS row for `crs`: its EPSG code as `srs_id`, its OGC WKT1 as the definition.
fn srs_of(crs: Crs) -> Result<Srs> {
    let (Some(code), Some(definition)) = (crs.epsg(), crs.to_wkt1_ogc()) else {
        return Err(Error::Invalid(format!(
            "a GeoPackage's SRS cannot name {crs}; export as WGS84 (and convert later), or to GeoJSON or CSV"
        )));
    };
    let name = definition.split('"').nth(1).unwrap_or("").to_owned();
    Ok(Srs { srs_id: code as i32, name, organization: "EPSG".into(), organization_coordsys_id: code as i32, definition })
}

/// Writes `features` as table `kind.id` of the GeoPackage at `path`, coordinates in
/// `opts.crs`.
pub(crate) fn write(path: &Path, kind: &LayerKind, features: &[Feature], opts: &ExportOptions) -> Result<()> {
    let srs = srs_of(opts.crs)?;
    let converted: Vec<Feature> = features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut f = f.clone();
            opts.crs.geometry_from_wgs84(&mut f.geometry).map_err(|e| Error::Invalid(format!("feature {}: {e}", i + 1)))?;
            Ok(f)
        })
        .collect::<Result<_>>()?;
    exchange::write_layer(path, kind, &converted, &srs)
}
