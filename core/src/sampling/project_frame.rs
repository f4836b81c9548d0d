//! Building a [`Frame`] from a project: which features are units, which stratum each is in,
//! and what size measure it carries.
//!
//! The rest of `sampling` never reads the project, so that the designs can be tested on
//! synthetic frames; this file is the one bridge. What it does is recorded as a
//! [`FrameSpec`] in the stored plan, so a reviewer can see how the frame was made.
//!
//! Units are taken layer by layer in the order given, each layer in ascending fid order:
//! the frame's order is part of a reproducible draw, and fid order is stable.

use std::collections::{BTreeMap, BTreeSet};

use geo_types::Geometry;
use serde::{Deserialize, Serialize};

use super::{Frame, FrameUnit};
use crate::catalog::{FieldType, GeometryType, LayerKind};
use crate::error::{Error, Result};
use crate::feature::{Feature, Value};
use crate::Project;

/// The stratum of a unit whose attribute is empty or that lies in no polygon of the join.
pub const NO_STRATUM: &str = "(none)";

/// How a frame is made from a project; stored with the plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrameSpec {
    /// The layers whose features are the units (their union), in this order.
    pub layers: Vec<String>,
    /// Keep only units whose attribute `field` equals `value` (`FIELD=VALUE`).
    pub filter: Option<AttributeFilter>,
    /// Where the `--within` polygon came from (a file name), for the record; the polygon
    /// itself is passed to [`build_frame`].
    pub within: Option<String>,
    /// The strata: an attribute of the units' layers, or the id of a polygon layer whose
    /// feature names are the strata (a spatial join). An attribute wins if both exist.
    pub strata: Option<String>,
    /// A numeric attribute used as the size measure (`aux`) for unequal probabilities.
    pub prob: Option<String>,
}

/// An attribute equality, `FIELD=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeFilter {
    pub field: String,
    pub value: String,
}

impl AttributeFilter {
    /// Parses `FIELD=VALUE`; the value may itself contain `=`.
    pub fn parse(s: &str) -> std::result::Result<AttributeFilter, String> {
        match s.split_once('=') {
            Some((f, v)) if !f.trim().is_empty() => {
                Ok(AttributeFilter { field: f.trim().to_owned(), value: v.trim().to_owned() })
            }
            _ => Err(format!("`{s}`: expected FIELD=VALUE, e.g. type=led")),
        }
    }
}

/// Builds the frame `spec` describes; `area` is the `--within` polygon, if any.
///
/// Errors name the layer, field or value and what is accepted: a non-point layer, a field
/// the layer lacks (listing its fields), a filter value its field cannot hold, a `prob`
/// field that is not numeric, a `strata` name that is neither a field nor a polygon layer.
pub fn build_frame(project: &Project, spec: &FrameSpec, area: Option<&Geometry<f64>>) -> Result<Frame> {
    if spec.layers.is_empty() {
        return Err(Error::Invalid("no layer given: expected one layer id or several separated by commas".into()));
    }
    if let Some((i, l)) = spec.layers.iter().enumerate().find(|(i, l)| spec.layers[..*i].contains(l)) {
        return Err(Error::Invalid(format!(
            "layer `{l}` is listed twice (position {}); a frame holds each unit once",
            i + 1
        )));
    }
    for l in &spec.layers {
        project.catalog().kind(l)?;
    }
    let join = spatial_join_layer(project, spec)?;
    let mut units = Vec::new();
    for layer in &spec.layers {
        let kind = project.catalog().kind(layer)?;
        if kind.geometry != GeometryType::Point {
            return Err(Error::Invalid(format!(
                "layer `{layer}` holds {} geometries; sampling frames take point layers only for now (e.g. billboards, chargers)",
                kind.geometry.gpkg_name()
            )));
        }
        let wanted = filter_value(kind, spec.filter.as_ref())?;
        if let Some(p) = &spec.prob {
            check_numeric(kind, p)?;
        }
        let inside: Option<BTreeSet<i64>> =
            area.map(|a| project.index(layer)?.in_polygon(a).map(|v| v.into_iter().collect())).transpose()?;
        let joined = match join {
            Some(polys) => Some(join_names(project, layer, polys)?),
            None => None,
        };
        for f in project.features(layer)? {
            let fid = f.fid.expect("stored features have fids");
            let Geometry::Point(pt) = f.geometry else { continue };
            if inside.as_ref().is_some_and(|s| !s.contains(&fid)) {
                continue;
            }
            if let Some((field, value)) = &wanted {
                if !matches(&f, field, value) {
                    continue;
                }
            }
            let mut unit = FrameUnit::new(layer.clone(), fid, pt.x(), pt.y());
            unit.stratum = match (&spec.strata, &joined) {
                (_, Some(names)) => Some(names.get(&fid).cloned().unwrap_or_else(|| NO_STRATUM.to_owned())),
                (Some(field), None) => Some(attribute_stratum(kind, &f, field)?),
                (None, None) => None,
            };
            unit.aux = spec.prob.as_ref().and_then(|p| f.get(p).as_f64());
            units.push(unit);
        }
    }
    Ok(Frame::new(units))
}

/// The polygon layer of a spatial-join stratification, or `None` for an attribute (or none).
fn spatial_join_layer<'p>(project: &'p Project, spec: &FrameSpec) -> Result<Option<&'p str>> {
    let Some(name) = &spec.strata else { return Ok(None) };
    let catalog = project.catalog();
    let is_field = spec.layers.iter().all(|l| catalog.get(l).is_some_and(|k| has_column(k, name)));
    if is_field {
        return Ok(None);
    }
    match catalog.get(name) {
        Some(k) if matches!(k.geometry, GeometryType::Polygon | GeometryType::MultiPolygon) => Ok(Some(k.id.as_str())),
        _ => {
            let layer = spec.layers.iter().find(|l| catalog.get(l).is_some_and(|k| !has_column(k, name))).expect("layers checked; one lacks the field");
            let kind = catalog.kind(layer)?;
            let polygons: Vec<&str> = catalog
                .kinds()
                .iter()
                .filter(|k| matches!(k.geometry, GeometryType::Polygon | GeometryType::MultiPolygon))
                .map(|k| k.id.as_str())
                .collect();
            Err(Error::Invalid(format!(
                "strata `{name}`: layer `{layer}` has no such field and it is not a polygon layer; \
                 expected a field ({}) or a polygon layer to join ({})",
                fields_of(kind),
                polygons.join(", ")
            )))
        }
    }
}

/// For each unit of `layer`, the name of the first polygon (by fid) of `polys` containing it.
fn join_names(project: &Project, layer: &str, polys: &str) -> Result<BTreeMap<i64, String>> {
    let index = project.index(layer)?;
    let mut names = BTreeMap::new();
    for poly in project.features(polys)? {
        let name = poly.name().map(str::to_owned).unwrap_or_else(|| format!("{polys} {}", poly.fid.unwrap_or(0)));
        for fid in index.in_polygon(&poly.geometry)? {
            names.entry(fid).or_insert_with(|| name.clone());
        }
    }
    Ok(names)
}

/// `name`, `source` and the catalog fields of a layer, for messages.
fn fields_of(kind: &LayerKind) -> String {
    kind.column_names().collect::<Vec<_>>().join(", ")
}

fn has_column(kind: &LayerKind, name: &str) -> bool {
    kind.column_names().any(|c| c == name)
}

fn unknown_field(kind: &LayerKind, field: &str, what: &str) -> Error {
    Error::Invalid(format!(
        "{what} `{field}`: layer `{}` has no such field; its fields are {}",
        kind.id,
        fields_of(kind)
    ))
}

/// The filter's field and its value as stored (an enum label becomes its code).
fn filter_value(kind: &LayerKind, filter: Option<&AttributeFilter>) -> Result<Option<(String, Value)>> {
    let Some(flt) = filter else { return Ok(None) };
    if !has_column(kind, &flt.field) {
        return Err(unknown_field(kind, &flt.field, "filter field"));
    }
    let value = match kind.field(&flt.field) {
        None => Value::Text(flt.value.clone()),
        Some(def) => crate::io::parse_value(def, &flt.value).map_err(|why| {
            Error::Invalid(format!("filter `{}={}` on layer `{}`: value {why}", flt.field, flt.value, kind.id))
        })?,
    };
    Ok(Some((flt.field.clone(), value)))
}

fn matches(f: &Feature, field: &str, value: &Value) -> bool {
    match (f.get(field), value) {
        (Value::Real(a), Value::Integer(b)) | (Value::Integer(b), Value::Real(a)) => *a == *b as f64,
        (a, b) => a == b,
    }
}

fn check_numeric(kind: &LayerKind, field: &str) -> Result<()> {
    match kind.field(field) {
        Some(d) if matches!(d.ty, FieldType::Integer | FieldType::Real) => Ok(()),
        Some(d) => Err(Error::Invalid(format!(
            "prob field `{field}` of layer `{}` is {:?}, not a number; expected an integer or real field (e.g. face_area_m2)",
            kind.id, d.ty
        ))),
        None => Err(unknown_field(kind, field, "prob field")),
    }
}

/// A unit's stratum from an attribute: the stored value (an enum's code), or [`NO_STRATUM`].
fn attribute_stratum(kind: &LayerKind, f: &Feature, field: &str) -> Result<String> {
    if !has_column(kind, field) {
        return Err(unknown_field(kind, field, "strata field"));
    }
    let v = f.get(field);
    Ok(if v.is_null() { NO_STRATUM.to_owned() } else { v.to_text() })
}
