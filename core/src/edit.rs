//! Edits as a person makes them in the window: a new feature from a drawn GeoJSON geometry and
//! the values typed into the attribute form, and attribute changes for one or many stored
//! features. Values are read as an import reads them ([`crate::io::attributes`]: enum labels or
//! codes, dates as Excel writes them, booleans as 是/否) and checked against the catalog, so the
//! form cannot store what an import would refuse; every message names the field, the value and
//! what would be accepted.

use std::collections::BTreeMap;

use geo_types::Geometry;

use crate::catalog::LayerKind;
use crate::error::{Error, Result};
use crate::feature::{Feature, Value};
use crate::io::parse_json_value;

/// The feature a user drew: its geometry (GeoJSON, WGS84 longitude/latitude) and the form's
/// values by catalog name (`name` and `source` are text). Every required field must have a
/// value.
pub fn new_feature(kind: &LayerKind, geometry: &serde_json::Value, values: &serde_json::Map<String, serde_json::Value>) -> Result<Feature> {
    let mut f = Feature::new(geometry_from_geojson(geometry)?);
    f.props = attribute_changes(kind, values)?;
    if let Some(missing) = kind.fields.iter().find(|d| d.required && f.get(&d.name).is_null()) {
        return Err(Error::Invalid(format!(
            "layer `{}`: field `{}` ({}) is required; give it a value",
            kind.id, missing.name, missing.label_zh
        )));
    }
    Ok(f)
}

/// Values the form changed, typed and checked against the layer's fields; `null` (or an empty
/// text) clears a field unless it is required. Unknown names are refused.
pub fn attribute_changes(kind: &LayerKind, values: &serde_json::Map<String, serde_json::Value>) -> Result<BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    for (name, raw) in values {
        let value = match (name.as_str(), kind.field(name)) {
            ("name" | "source", _) => match raw {
                serde_json::Value::Null => Value::Null,
                serde_json::Value::String(s) if s.trim().is_empty() => Value::Null,
                serde_json::Value::String(s) => Value::Text(s.trim().to_owned()),
                other => return Err(Error::Invalid(format!("layer `{}`: field `{name}` takes text; got {other}", kind.id))),
            },
            (_, Some(field)) => parse_json_value(field, raw).map_err(|why| {
                Error::Invalid(format!("layer `{}`: field `{name}` ({}) value `{}` {why}", kind.id, field.label_zh, text_of(raw)))
            })?,
            (_, None) => {
                let known: Vec<&str> = kind.fields.iter().map(|f| f.name.as_str()).collect();
                return Err(Error::Invalid(format!(
                    "layer `{}` has no field `{name}`; its fields are name, source, {}",
                    kind.id,
                    known.join(", ")
                )));
            }
        };
        out.insert(name.clone(), value);
    }
    Ok(out)
}

/// A GeoJSON geometry object as a WGS84 geometry, its coordinates checked.
pub fn geometry_from_geojson(v: &serde_json::Value) -> Result<Geometry<f64>> {
    let gj: geojson::Geometry = serde_json::from_value(v.clone()).map_err(|e| Error::Geometry(format!("not a GeoJSON geometry: {e}")))?;
    let g = Geometry::try_from(gj).map_err(|e| Error::Geometry(format!("not a GeoJSON geometry: {e}")))?;
    crate::io::check_lon_lat(&g).map_err(|why| Error::Geometry(format!("the drawn geometry {why}")))?;
    Ok(g)
}

/// Applies changed values to a feature (a null value removes the attribute).
pub fn apply_changes(f: &mut Feature, changes: &BTreeMap<String, Value>) {
    for (k, v) in changes {
        if v.is_null() {
            f.props.remove(k);
        } else {
            f.props.insert(k.clone(), v.clone());
        }
    }
}

fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;
    use serde_json::json;

    fn chargers() -> LayerKind {
        Catalog::embedded().kind("chargers").unwrap().clone()
    }

    fn map(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_drawn_charger_reads_labels_and_checks_the_catalog() {
        let k = chargers();
        let point = json!({ "type": "Point", "coordinates": [119.82, 31.36] });
        let f = new_feature(&k, &point, &map(json!({ "name": "新站", "vehicle_type": "非机动车", "ports": "6", "scan_to_pay": true }))).unwrap();
        assert_eq!(f.get("vehicle_type"), &Value::Text("ebike".into()));
        assert_eq!(f.get("ports"), &Value::Integer(6));
        assert_eq!(f.name(), Some("新站"));

        let e = new_feature(&k, &point, &map(json!({ "vehicle_type": "ebike", "ports": -5 }))).unwrap_err().to_string();
        assert!(e.contains("`ports`") && e.contains("-5"), "{e}");
        let e = new_feature(&k, &point, &map(json!({ "ports": 4 }))).unwrap_err().to_string();
        assert!(e.contains("`vehicle_type`") && e.contains("required"), "{e}");
        let e = new_feature(&k, &point, &map(json!({ "colour": "red" }))).unwrap_err().to_string();
        assert!(e.contains("no field `colour`"), "{e}");
        let e = new_feature(&k, &json!({ "type": "Point", "coordinates": [500, 31] }), &map(json!({}))).unwrap_err().to_string();
        assert!(e.contains("500"), "{e}");
    }

    #[test]
    fn changes_clear_optional_fields_and_keep_the_rest() {
        let k = chargers();
        let mut f = Feature::new(geo_types::point!(x: 119.82, y: 31.36)).with("operator", "国网").with("ports", 4i64);
        let changes = attribute_changes(&k, &map(json!({ "operator": "", "ports": 8 }))).unwrap();
        apply_changes(&mut f, &changes);
        assert_eq!(f.get("operator"), &Value::Null);
        assert_eq!(f.get("ports"), &Value::Integer(8));
        assert!(attribute_changes(&k, &map(json!({ "vehicle_type": null }))).is_err(), "a required field cannot be cleared");
    }
}
