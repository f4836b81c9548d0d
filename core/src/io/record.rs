//! One typed record as a feature: a GeoJSON feature's properties, a Shapefile's DBF record or
//! a row of another GeoPackage. Each reader turns its values into JSON values (numbers,
//! strings, booleans, null; dates as `YYYY-MM-DD` strings) and its geometry into a
//! `geo_types` geometry in the file's system; this module maps the keys to the layer's
//! fields, parses and checks every value against the catalog, and converts the geometry.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use geo_types::Geometry;
use serde_json::Value as Json;

use super::columns::{self, Target};
use super::geometry::{fit_to_layer, geometry_name, to_storage};
use super::mapping::{self, ColumnChoice};
use super::reading::Reading;
use super::{attributes, ImportOptions, RowError};
use crate::catalog::LayerKind;
use crate::crs::Crs;
use crate::feature::{Feature, Value};

/// How a file's keys (property names, DBF field names, column names) map to fields, worked
/// out once per distinct key: the user's mapping first, then the format's aliases, then the
/// header matching of [`columns::resolve`].
pub(crate) struct Keys {
    /// What the user mapped source keys to ([`ImportOptions::columns`]).
    mapping: Vec<(String, ColumnChoice)>,
    /// Keys the format itself maps (a Shapefile's 10-byte DBF names), by lower case, tried
    /// before [`columns::resolve`].
    aliases: HashMap<String, Target>,
    targets: HashMap<String, Option<Target>>,
    /// Keys that map to nothing, in the order first seen.
    unknown: Vec<String>,
    /// Every key in the order first seen, with its target: the reading's, for a preview.
    seen: Rc<RefCell<Vec<(String, Option<Target>)>>>,
}

impl Keys {
    /// The keys of one read, following the user's mapping in `opts` and telling `reading`
    /// each key as it is first met.
    pub fn new(opts: &ImportOptions, reading: &Reading) -> Keys {
        Keys::with_aliases([], opts, reading)
    }

    /// Keys that also resolve `aliases` (compared case-insensitively) to their targets.
    pub fn with_aliases(aliases: impl IntoIterator<Item = (String, Target)>, opts: &ImportOptions, reading: &Reading) -> Keys {
        Keys {
            mapping: opts.columns.clone(),
            aliases: aliases.into_iter().map(|(k, t)| (k.to_lowercase(), t)).collect(),
            targets: HashMap::new(),
            unknown: Vec::new(),
            seen: reading.found.columns.clone(),
        }
    }

    pub fn target(&mut self, kind: &LayerKind, key: &str) -> Option<Target> {
        if let Some(t) = self.targets.get(key) {
            return *t;
        }
        let t = mapping::chosen(kind, &self.mapping, key)
            .or_else(|| self.aliases.get(&key.trim().to_lowercase()).copied())
            .or_else(|| columns::resolve(kind, key, false));
        if t.is_none() {
            self.unknown.push(key.to_owned());
        }
        self.targets.insert(key.to_owned(), t);
        self.seen.borrow_mut().push((key.to_owned(), t));
        t
    }

    /// Warns about the keys that mapped to nothing, if any.
    pub fn warn_unknown(&self, kind: &LayerKind, reading: &mut Reading) {
        if !self.unknown.is_empty() {
            reading.warn(columns::unknown_warning(kind, &self.unknown));
        }
    }
}

/// A record as a wardgis feature, or the first problem in it. `geometry` is as read from
/// the file (in `crs`); `props` are the record's keys and values, in the file's order.
pub(crate) fn feature<'a>(
    kind: &LayerKind,
    geometry: Geometry<f64>,
    crs: Crs,
    props: impl IntoIterator<Item = (&'a str, &'a Json)>,
    keys: &mut Keys,
) -> Result<Feature, RowError> {
    let geometry = layer_geometry(kind, geometry, crs)?;
    let mut f = Feature::new(geometry);
    for key in kind.column_names() {
        f.props.insert(key.to_owned(), Value::Null);
    }
    let mut given_by: HashMap<&str, &str> = HashMap::new();
    for (key, v) in props {
        let Some(target) = keys.target(kind, key) else { continue };
        let Some(column) = target.key(kind) else { continue };
        let parsed = match target {
            Target::Field(i) => attributes::parse_json_value(&kind.fields[i], v),
            _ => builtin_text(v),
        };
        let value = parsed.map_err(|why| RowError::new(key, shown(v), why))?;
        if let Some(first) = given_by.insert(column, key) {
            return Err(RowError::new(key, shown(v), format!("field `{column}` is already given by property `{first}`; keep one")));
        }
        f.props.insert(column.to_owned(), value);
    }
    check_required(kind, &f)?;
    Ok(f)
}

/// The geometry checked against the layer, promoted to multi where the layer is multi, and
/// converted from `crs` to WGS84.
pub(crate) fn layer_geometry(kind: &LayerKind, g: Geometry<f64>, crs: Crs) -> Result<Geometry<f64>, RowError> {
    let name = geometry_name(&g);
    let g = to_storage(g, crs).map_err(|why| RowError::new("geometry", name, why))?;
    let name = geometry_name(&g);
    fit_to_layer(kind.geometry, g).map_err(|why| RowError::new("geometry", name, why))
}

/// A required field with no property at all (an empty one is caught when parsing it).
fn check_required(kind: &LayerKind, f: &Feature) -> Result<(), RowError> {
    match kind.fields.iter().find(|fd| fd.required && f.get(&fd.name).is_null()) {
        None => Ok(()),
        Some(fd) => Err(RowError::new(
            columns::field_label(fd),
            "",
            format!("is required but missing; expected {}", attributes::accepted(fd)),
        )),
    }
}

/// `name` and `source` from JSON: text, with numbers taken as their digits.
fn builtin_text(v: &Json) -> Result<Value, String> {
    match v {
        Json::Null => Ok(Value::Null),
        Json::String(s) if s.trim().is_empty() => Ok(Value::Null),
        Json::String(s) => Ok(Value::Text(s.trim().to_owned())),
        Json::Number(_) | Json::Bool(_) => Ok(Value::Text(v.to_string())),
        Json::Array(_) | Json::Object(_) => Err("expected text".into()),
    }
}

/// A value as a user would recognise it in the file: strings without quotes.
pub(crate) fn shown(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}
