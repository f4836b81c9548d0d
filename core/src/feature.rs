//! The in-memory feature: a WGS84 geometry with typed attribute values.

use std::collections::BTreeMap;

use geo_types::Geometry;

/// A typed attribute value, as stored in a GeoPackage column. Serialized as [`Value::to_json`]
/// writes it (the desktop page receives it so; TypeScript `AttributeValue`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(untagged)]
#[ts(rename = "AttributeValue")]
pub enum Value {
    Null,
    Text(String),
    Integer(#[ts(type = "number")] i64),
    /// Not finite (never stored) is written as `null`, as serde_json writes it.
    Real(f64),
    Boolean(bool),
    /// An ISO 8601 calendar date, `YYYY-MM-DD`.
    Date(String),
}

impl Value {
    /// The value as JSON, for GeoJSON output and the edit log.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Text(s) | Value::Date(s) => serde_json::Value::String(s.clone()),
            Value::Integer(i) => (*i).into(),
            Value::Real(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Boolean(b) => (*b).into(),
        }
    }

    /// The value as plain text, for CSV output and messages (`""` for null).
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Text(s) | Value::Date(s) => s.clone(),
            Value::Integer(i) => i.to_string(),
            Value::Real(f) => f.to_string(),
            Value::Boolean(b) => b.to_string(),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) | Value::Date(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Integer(i) => Some(*i as f64),
            Value::Real(f) => Some(*f),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Integer(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Real(f)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Boolean(b)
    }
}

/// One feature of a layer. `fid` is `None` until the feature is stored.
///
/// `props` holds every attribute by its catalog name, including the built-in `name` and
/// `source` columns that every layer has.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub fid: Option<i64>,
    pub geometry: Geometry<f64>,
    pub props: BTreeMap<String, Value>,
}

impl Feature {
    pub fn new(geometry: impl Into<Geometry<f64>>) -> Self {
        Feature { fid: None, geometry: geometry.into(), props: BTreeMap::new() }
    }

    /// Sets an attribute; builder style for generators and tests.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.props.insert(key.to_owned(), value.into());
        self
    }

    pub fn get(&self, key: &str) -> &Value {
        self.props.get(key).unwrap_or(&Value::Null)
    }

    /// The feature's display name (the built-in `name` column), if any.
    pub fn name(&self) -> Option<&str> {
        self.get("name").as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::Value;

    #[test]
    fn a_value_serializes_as_to_json_writes_it() {
        for v in [
            Value::Null,
            Value::Text("七里亭".into()),
            Value::Integer(-3),
            Value::Real(2.5),
            Value::Real(f64::NAN),
            Value::Boolean(true),
            Value::Date("2026-05-08".into()),
        ] {
            assert_eq!(serde_json::to_value(&v).unwrap(), v.to_json(), "{v:?}");
        }
    }
}
