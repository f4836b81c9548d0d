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
pub(crate) fn read(path: &Path, kind: &LayerKind, opts: &ImportOptions, reading: &mut Reading) -> Result<()> {
    let layer = exchange::open_layer(path, opts.source_layer.as_deref())?;
    let info = &layer.info;
    let crs = match (opts.crs, &info.srs) {
        (Some(c), _) => c,
        (None, None) => {
            reading.warn(format!("table `{}` has an undefined SRS; read its coordinates as WGS84", info.table));
            Crs::Wgs84
        }
        (None, Some(srs)) => {
            let c = crs_of_srs(srs).map_err(|m| bad_input(path, format!("table `{}`: {m}", info.table)))?;
            if c != Crs::Wgs84 {
                reading.warn(format!("coordinates are {c} (from the GeoPackage's SRS)"));
            }
            c
        }
    };
    let mut keys = Keys::default();
    let mut index = 0usize;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    layer.for_each_row(&mut |row| {
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
        match converted {
            Ok(f) => reading.feature(f)?,
            Err(e) => {
                let file = reading.file.clone();
                reading.bad(Error::BadFeature { file, index, field: e.field, value: e.value, expected: e.expected });
            }
        }
        reading.tick(|| if info.count == 0 { 0 } else { size * index as u64 / info.count })
    })?;
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
    if srs.organization.eq_ignore_ascii_case("EPSG") {
        match srs.organization_coordsys_id {
            4326 => return Ok(Crs::Wgs84),
            4490 => return Ok(Crs::Cgcs2000),
            _ => {}
        }
    }
    Err(format!(
        "its coordinate system is {} ({}:{}), which wardgis cannot read yet; reproject it (ogr2ogr -t_srs EPSG:4326)",
        srs.name, srs.organization, srs.organization_coordsys_id
    ))
}

/// The SRS row for `crs`.
fn srs_of(crs: Crs) -> Result<Srs> {
    let (code, name, definition) = match crs {
        Crs::Wgs84 => (4326, "WGS 84", WGS84_WKT),
        Crs::Cgcs2000 => (4490, "China Geodetic Coordinate System 2000", CGCS2000_WKT),
        other => {
            return Err(Error::Invalid(format!(
                "a GeoPackage's SRS cannot name {other}; export as WGS84 (and convert later), or to GeoJSON or CSV"
            )))
        }
    };
    Ok(Srs { srs_id: code, name: name.into(), organization: "EPSG".into(), organization_coordsys_id: code, definition: definition.into() })
}

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;
const CGCS2000_WKT: &str = r#"GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4490"]]"#;

/// Writes `features` as table `kind.id` of the GeoPackage at `path`, coordinates in
/// `opts.crs`.
pub(crate) fn write(path: &Path, kind: &LayerKind, features: &[Feature], opts: &ExportOptions) -> Result<()> {
    let srs = srs_of(opts.crs)?;
    let converted: Vec<Feature> = features
        .iter()
        .map(|f| {
            let mut f = f.clone();
            opts.crs.geometry_from_wgs84(&mut f.geometry);
            f
        })
        .collect();
    exchange::write_layer(path, kind, &converted, &srs)
}
