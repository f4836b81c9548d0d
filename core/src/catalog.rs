//! The layer catalog: one TOML file per layer kind in `layers/`, loaded and validated here.
//!
//! The catalog is data so that adding a facility kind, a field or a checklist item is an edit
//! in `layers/`, never a code change. Every other module asks the catalog what a layer holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// Columns every layer table has besides its catalog fields.
pub const BUILTIN_FIELDS: [&str; 2] = ["name", "source"];

/// Names a catalog field may not take: the built-ins and the table's own columns.
const RESERVED_FIELDS: [&str; 4] = ["fid", "geom", "name", "source"];

/// What a layer is for; decides its panel group and whether it has a service radius.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LayerGroup {
    /// Managed facilities the bureau samples, inspects and plans (billboards, chargers, …).
    Facility,
    /// Units and places that give facilities their context (communities, schools, …).
    Context,
    /// The background map (roads, water, blocks).
    Basemap,
    /// The planners' drafts: pilot zones and the candidate sites of their scenarios.
    Planning,
}

impl LayerGroup {
    /// Every group, in the order the layer panel lists them.
    pub const ALL: [LayerGroup; 4] = [LayerGroup::Planning, LayerGroup::Facility, LayerGroup::Context, LayerGroup::Basemap];

    /// The group's title in the layer panel, in Chinese and in English.
    pub fn titles(self) -> (&'static str, &'static str) {
        match self {
            LayerGroup::Facility => ("管理设施", "Managed facilities"),
            LayerGroup::Context => ("管理单元与场所", "Units and places"),
            LayerGroup::Basemap => ("底图", "Basemap"),
            LayerGroup::Planning => ("规划试点", "Planning"),
        }
    }
}

/// The geometry type of a layer, as GeoPackage names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum GeometryType {
    Point,
    LineString,
    Polygon,
    MultiPoint,
    MultiLineString,
    MultiPolygon,
}

impl GeometryType {
    /// The name used in `gpkg_geometry_columns.geometry_type_name`.
    pub fn gpkg_name(self) -> &'static str {
        match self {
            GeometryType::Point => "POINT",
            GeometryType::LineString => "LINESTRING",
            GeometryType::Polygon => "POLYGON",
            GeometryType::MultiPoint => "MULTIPOINT",
            GeometryType::MultiLineString => "MULTILINESTRING",
            GeometryType::MultiPolygon => "MULTIPOLYGON",
        }
    }

    /// Whether a geometry may be stored in a layer of this type. A single part is accepted
    /// in a multi-part layer and promoted by the caller.
    pub fn accepts(self, g: &geo_types::Geometry<f64>) -> bool {
        use geo_types::Geometry as G;
        matches!(
            (self, g),
            (GeometryType::Point, G::Point(_))
                | (GeometryType::LineString, G::LineString(_))
                | (GeometryType::Polygon, G::Polygon(_))
                | (GeometryType::MultiPoint, G::MultiPoint(_) | G::Point(_))
                | (GeometryType::MultiLineString, G::MultiLineString(_) | G::LineString(_))
                | (GeometryType::MultiPolygon, G::MultiPolygon(_) | G::Polygon(_))
        )
    }
}

/// The type of a catalog field; decides the GeoPackage column type and how input is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Integer,
    Real,
    Boolean,
    /// ISO 8601 date, `YYYY-MM-DD`.
    Date,
    /// One of the field's `values`, stored as the value's code.
    Enum,
}

impl FieldType {
    /// The column type in the GeoPackage table (GeoPackage 1.4, table 1.1.1.1.3).
    pub fn sql_type(self) -> &'static str {
        match self {
            FieldType::Text | FieldType::Enum => "TEXT",
            FieldType::Integer => "INTEGER",
            FieldType::Real => "REAL",
            FieldType::Boolean => "BOOLEAN",
            FieldType::Date => "DATE",
        }
    }
}

/// One allowed value of an enum field, with its labels.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    pub value: String,
    pub zh: String,
    pub en: String,
}

/// One attribute of a layer kind.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    pub label_zh: String,
    pub label_en: String,
    /// The unit after a value, as Chinese text shows it (`个`, `m²`).
    #[serde(default)]
    pub unit: Option<String>,
    /// The unit in English text (key `unit_en`), where it differs from `unit`; empty for a
    /// counting word such as `个`, which English leaves out ("Ports 4"). Without it, English
    /// shows `unit` unless that holds Chinese characters. Read through [`FieldDef::unit_in`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub unit_en: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub values: Vec<EnumValue>,
    /// The smallest value an integer or real field accepts (key `min`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min: Option<f64>,
    /// The largest value an integer or real field accepts (key `max`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max: Option<f64>,
    /// The most characters a text field accepts (key `max_length`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max_length: Option<u32>,
    /// A regular expression the whole of a text field's value must match (key `pattern`,
    /// Rust `regex` syntax), e.g. a permit number `^[A-Z]{2}\d{6}$`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pattern: Option<String>,
    /// The polygon layer whose feature holds this one decides the value (key `join`, e.g.
    /// `join = { layer = "communities", take = "name" }`): `wardgis join` writes it. Checked
    /// against the other layers when the catalog loads. Not sent to the page, which only shows
    /// the stored value.
    #[serde(default, skip_serializing)]
    #[ts(skip)]
    pub join: Option<JoinSource>,
}

/// Where a spatial join takes a field's value from: the column `take` (`name` or a text
/// field) of the feature of polygon layer `layer` that holds the feature.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinSource {
    pub layer: String,
    pub take: String,
}

/// Compiled `pattern`s, by their text: a pattern is compiled once per process, not per value.
fn compiled(pattern: &str) -> std::result::Result<regex::Regex, regex::Error> {
    static CACHE: std::sync::OnceLock<parking_lot::RwLock<BTreeMap<String, regex::Regex>>> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(r) = cache.read().get(pattern) {
        return Ok(r.clone());
    }
    let r = regex::Regex::new(&format!("^(?:{pattern})$"))?;
    cache.write().insert(pattern.to_owned(), r.clone());
    Ok(r)
}

impl FieldDef {
    /// Checks a typed value against the field's constraints (`min`, `max`, `max_length`);
    /// `Err` names the constraint and its limit, for the user. Null always passes (whether a
    /// value is required is checked where values are read).
    pub fn check(&self, v: &crate::feature::Value) -> std::result::Result<(), String> {
        use crate::feature::Value as V;
        let n = match v {
            V::Integer(i) => Some(*i as f64),
            V::Real(r) => Some(*r),
            _ => None,
        };
        if let Some(n) = n {
            if let Some(min) = self.min.filter(|m| n < *m) {
                return Err(format!("is below the field's minimum {min} (catalog key `min`)"));
            }
            if let Some(max) = self.max.filter(|m| n > *m) {
                return Err(format!("is above the field's maximum {max} (catalog key `max`)"));
            }
        }
        if let (V::Text(t), Some(most)) = (v, self.max_length) {
            let len = t.chars().count();
            if len > most as usize {
                return Err(format!("has {len} characters, more than the field's maximum {most} (catalog key `max_length`)"));
            }
        }
        if let (V::Text(t), Some(p)) = (v, self.pattern.as_deref()) {
            let re = compiled(p).map_err(|e| format!("cannot be checked: the field's pattern `{p}` is not valid ({e})"))?;
            if !re.is_match(t) {
                return Err(format!("does not match the field's pattern `{p}` (catalog key `pattern`)"));
            }
        }
        Ok(())
    }

    /// The unit to write after a value in Chinese (`zh`) or English text; `None` for none.
    /// English never shows a Chinese unit: without `unit_en`, a unit such as `户` is left out.
    pub fn unit_in(&self, zh: bool) -> Option<&str> {
        let u = match (zh, self.unit_en.as_deref()) {
            (true, _) => self.unit.as_deref(),
            (false, Some(en)) => Some(en),
            (false, None) => self.unit.as_deref().filter(|u| !u.chars().any(is_han)),
        };
        u.filter(|u| !u.is_empty())
    }

    /// The enum value whose code or Chinese or English label is `s`.
    pub fn enum_value(&self, s: &str) -> Option<&EnumValue> {
        let s = s.trim();
        self.values.iter().find(|v| v.value == s || v.zh == s || v.en.eq_ignore_ascii_case(s))
    }
}

/// One item of a layer's inspection checklist.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub id: String,
    pub text_zh: String,
    pub text_en: String,
    pub max_points: u32,
    /// Days allowed to rectify a failure of this item; the project default applies if absent.
    #[serde(default)]
    pub deadline_days: Option<u32>,
}

/// One layer kind, as its `layers/<id>.toml` describes it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct LayerKind {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub group: LayerGroup,
    pub geometry: GeometryType,
    /// Drawing order on the map, low first.
    #[serde(default)]
    pub order: i32,
    /// The component code in GB/T 30428.2; empty where it could not be verified.
    #[serde(default)]
    pub gbt_code: String,
    /// Why `gbt_code` is what it is (its source, or why it is empty).
    #[serde(default)]
    pub gbt_code_note: String,
    /// Metres a facility serves around itself (coverage and gap analysis).
    #[serde(default)]
    pub service_radius_m: Option<f64>,
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    /// A MapLibre style layer fragment (`type`, `paint`, `layout`), as TOML.
    #[ts(type = "{ type: string, paint?: Record<string, unknown>, layout?: Record<string, unknown>, [key: string]: unknown }")]
    pub style: toml::Table,
    #[serde(default)]
    pub checklist: Vec<ChecklistItem>,
    /// Where the checklist comes from (so a draft is never mistaken for the bureau's standard).
    #[serde(default)]
    pub checklist_note: String,
    /// The column naming who must rectify a failed inspection (`name` for a shop that is its
    /// own responsible party, or a field such as `owner`); orders of layers without one are
    /// opened unassigned.
    #[serde(default)]
    pub responsible_field: Option<String>,
    /// Whether clicking one of the layer's features on the map shows its attributes. Default:
    /// every layer but the basemap's. Read through [`LayerKind::display`].
    #[serde(default, skip_serializing)]
    #[ts(skip)]
    pub clickable: Option<bool>,
    /// How the map writes the features' names: a `[label]` table (see [`LabelKeys`]), `true`
    /// for the defaults or `false` for none. Default: point layers are labelled, others not.
    /// Read through [`LayerKind::display`].
    #[serde(default, skip_serializing)]
    #[ts(skip)]
    pub label: Option<LabelSetting>,
    /// The layer's swatch in the legend (see [`LegendKeys`]). Default: derived from `style`.
    /// Read through [`LayerKind::display`].
    #[serde(default, skip_serializing)]
    #[ts(skip)]
    pub legend: Option<LegendKeys>,
}

/// How a layer appears on the map and in the layer panel beyond its style fragment, with the
/// catalog's defaults applied. The page takes every layer-specific decision from this.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MapDisplay {
    /// Clicking a feature shows its attributes.
    pub clickable: bool,
    /// The features' names written on the map, or `None`.
    pub label: Option<Label>,
    pub legend: Legend,
}

/// Where a label sits: at the feature (a polygon's label point), or along a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LabelPlacement {
    Point,
    Line,
}

/// A layer's `[label]` keys as written; each may be left out (see [`LayerKind::display`] for
/// the defaults).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelKeys {
    pub placement: Option<LabelPlacement>,
    /// Text size in pixels.
    pub size: Option<f64>,
    /// Text colour (a CSS colour such as `#333333`).
    pub color: Option<String>,
    /// The zoom from which labels are drawn.
    pub minzoom: Option<f64>,
    /// Where labels collide, the higher priority is placed first.
    pub priority: Option<i32>,
}

/// A layer's `label` key: `false`, `true` or a table of [`LabelKeys`].
#[derive(Debug, Clone, PartialEq)]
pub enum LabelSetting {
    Off,
    On(LabelKeys),
}

impl<'de> Deserialize<'de> for LabelSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = LabelSetting;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`false`, `true` or a table such as `{ size = 12, minzoom = 14 }`")
            }
            fn visit_bool<E: serde::de::Error>(self, on: bool) -> std::result::Result<LabelSetting, E> {
                Ok(if on { LabelSetting::On(LabelKeys::default()) } else { LabelSetting::Off })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<LabelSetting, A::Error> {
                LabelKeys::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(LabelSetting::On)
            }
        }
        d.deserialize_any(Visit)
    }
}

/// How a layer's features are labelled, defaults applied.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Label {
    pub placement: LabelPlacement,
    pub size: f64,
    pub color: String,
    pub minzoom: f64,
    pub priority: i32,
}

/// The shape of a legend swatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LegendSymbol {
    Circle,
    Line,
    Fill,
}

/// A layer's `[legend]` keys as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegendKeys {
    /// Default: from `style.type` (`line` → line, `fill` → fill, anything else → circle).
    pub symbol: Option<LegendSymbol>,
    /// Default: the style's colour (the first colour a `match` expression gives).
    pub color: Option<String>,
    /// Whether a colour that is a `match` on an enum field is listed value by value in the
    /// legend. Default: true.
    pub entries: Option<bool>,
}

/// A layer's legend, defaults applied: one swatch, and one entry per enum value when the
/// style colours or sizes features by an enum field.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Legend {
    pub symbol: LegendSymbol,
    pub color: String,
    /// A line's width in pixels where the style gives one number (`line-width`).
    pub width: Option<f64>,
    /// A line's dashes (`line-dasharray`: dash and gap lengths in line widths), so the swatch is
    /// dashed where the map is.
    pub dash: Option<Vec<f64>>,
    pub entries: Vec<LegendEntry>,
}

/// One value of the field a layer's style colours or sizes by, with its colour (and a line's
/// width where the style sets it by the same field).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LegendEntry {
    pub value: String,
    pub label_zh: String,
    pub label_en: String,
    pub color: String,
    pub width: Option<f64>,
}

/// MapLibre's colour when a style gives none.
const MAPLIBRE_DEFAULT_COLOR: &str = "#000000";

/// What the legend shows for a colour that only an expression decides (`["get", "colour"]`).
const UNKNOWN_COLOR: &str = "#888888";

/// A `["match", ["get", FIELD], v1, out1, …, fallback]` expression, taken apart.
struct MatchOnField<'a> {
    field: &'a str,
    pairs: &'a [toml::Value],
    fallback: &'a toml::Value,
}

impl<'a> MatchOnField<'a> {
    fn parse(v: &'a toml::Value) -> Option<Self> {
        let a = v.as_array()?;
        if a.len() < 4 || a[0].as_str() != Some("match") {
            return None;
        }
        let field = match a[1].as_array().map(|g| g.as_slice()) {
            Some([get, name]) if get.as_str() == Some("get") => name.as_str()?,
            _ => return None,
        };
        Some(MatchOnField { field, pairs: &a[2..a.len() - 1], fallback: &a[a.len() - 1] })
    }

    /// The output the expression gives features whose field holds `value`.
    fn output(&self, value: &str) -> &'a toml::Value {
        for pair in self.pairs.chunks(2) {
            let [labels, out] = pair else { break };
            let hit = match labels {
                toml::Value::String(s) => s == value,
                toml::Value::Array(list) => list.iter().any(|l| l.as_str() == Some(value)),
                _ => false,
            };
            if hit {
                return out;
            }
        }
        self.fallback
    }
}

/// The paint key holding the colour of a style of type `style_type`.
fn colour_key(style_type: &str) -> &'static str {
    match style_type {
        "line" => "line-color",
        "fill" => "fill-color",
        "fill-extrusion" => "fill-extrusion-color",
        _ => "circle-color",
    }
}

fn as_number(v: &toml::Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

impl LayerKind {
    /// How the layer appears on the map and in the layer panel, the catalog's defaults
    /// applied (README, "The layer catalog"):
    /// - `clickable`: every layer but the basemap's;
    /// - labels: point layers are labelled (size 11, `#333333`, from zoom 16, priority 0);
    ///   other layers only with a `[label]` table or `label = true`, where a line layer's
    ///   label runs along the line and the rest default as for points but from zoom 13;
    /// - legend: a swatch of the style's shape, colour, line width and dashes, with one entry
    ///   per value when the colour or a line's width is a `match` on an enum field.
    pub fn display(&self) -> MapDisplay {
        let clickable = self.clickable.unwrap_or(self.group != LayerGroup::Basemap);
        let pointlike = matches!(self.geometry, GeometryType::Point | GeometryType::MultiPoint);
        let linear = matches!(self.geometry, GeometryType::LineString | GeometryType::MultiLineString);
        let keys = match &self.label {
            Some(LabelSetting::Off) => None,
            Some(LabelSetting::On(keys)) => Some(keys.clone()),
            None if pointlike => Some(LabelKeys::default()),
            None => None,
        };
        let label = keys.map(|k| Label {
            placement: k.placement.unwrap_or(if linear { LabelPlacement::Line } else { LabelPlacement::Point }),
            size: k.size.unwrap_or(11.0),
            color: k.color.unwrap_or_else(|| "#333333".into()),
            minzoom: k.minzoom.unwrap_or(if pointlike { 16.0 } else { 13.0 }),
            priority: k.priority.unwrap_or(0),
        });
        MapDisplay { clickable, label, legend: self.resolve_legend() }
    }

    fn resolve_legend(&self) -> Legend {
        let keys = self.legend.clone().unwrap_or_default();
        let style_type = self.style.get("type").and_then(|v| v.as_str()).unwrap_or("");
        let symbol = keys.symbol.unwrap_or(match style_type {
            "line" => LegendSymbol::Line,
            "fill" | "fill-extrusion" => LegendSymbol::Fill,
            _ => LegendSymbol::Circle,
        });
        let paint_key = colour_key(style_type);
        let paint = self.style.get("paint").and_then(|p| p.as_table());
        let colour_value = paint.and_then(|p| p.get(paint_key));
        let color = keys.color.clone().unwrap_or_else(|| match colour_value {
            None => MAPLIBRE_DEFAULT_COLOR.into(),
            Some(v) => first_color(v).unwrap_or_else(|| UNKNOWN_COLOR.into()),
        });
        let line = style_type == "line";
        let width_value = paint.and_then(|p| p.get("line-width")).filter(|_| line);
        let width = width_value.and_then(as_number);
        let dash = paint
            .and_then(|p| p.get("line-dasharray"))
            .filter(|_| line)
            .and_then(|v| v.as_array())
            .and_then(|a| a.iter().map(as_number).collect::<Option<Vec<f64>>>())
            .filter(|d| d.len() >= 2 && d.iter().all(|x| x.is_finite() && *x >= 0.0));
        let entries = if keys.entries.unwrap_or(true) { self.match_entries(colour_value, width_value, &color, width) } else { Vec::new() };
        Legend { symbol, color, width, dash, entries }
    }

    /// The enum field the legend lists value by value (the field of its `entries`), if any:
    /// a printed legend shows only the values present on the page.
    pub fn legend_field(&self) -> Option<&str> {
        if self.display().legend.entries.is_empty() {
            return None;
        }
        let style_type = self.style.get("type").and_then(|v| v.as_str()).unwrap_or("");
        let paint = self.style.get("paint").and_then(|p| p.as_table())?;
        [colour_key(style_type), "line-width"].iter().filter_map(|k| paint.get(*k)).find_map(|v| MatchOnField::parse(v).map(|m| m.field))
    }

    /// Where the colour or a line's width is `["match", ["get", FIELD], …]` on an enum field:
    /// every value of the field, in the catalog's order, with the colour and width the style
    /// gives it (the layer's own where only one of the two is a match). Empty otherwise, or
    /// when the two match on different fields.
    fn match_entries(&self, colour: Option<&toml::Value>, width: Option<&toml::Value>, color: &str, plain_width: Option<f64>) -> Vec<LegendEntry> {
        let by_colour = colour.and_then(MatchOnField::parse);
        let by_width = width.and_then(MatchOnField::parse);
        let name = match (&by_colour, &by_width) {
            (Some(c), Some(w)) if c.field != w.field => return Vec::new(),
            (Some(c), _) => c.field,
            (None, Some(w)) => w.field,
            (None, None) => return Vec::new(),
        };
        let Some(field) = self.field(name).filter(|f| f.ty == FieldType::Enum) else {
            return Vec::new();
        };
        field
            .values
            .iter()
            .map(|e| LegendEntry {
                value: e.value.clone(),
                label_zh: e.zh.clone(),
                label_en: e.en.clone(),
                color: match &by_colour {
                    Some(m) => m.output(&e.value).as_str().unwrap_or(UNKNOWN_COLOR).to_owned(),
                    None => color.to_owned(),
                },
                width: match &by_width {
                    Some(m) => as_number(m.output(&e.value)),
                    None => plain_width,
                },
            })
            .collect()
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The style fragment as JSON, ready for MapLibre.
    pub fn style_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.style).unwrap_or(serde_json::Value::Null)
    }

    /// Column names in table order: the built-ins, then the catalog fields.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        BUILTIN_FIELDS.iter().copied().chain(self.fields.iter().map(|f| f.name.as_str()))
    }

    /// Parses and validates one layer file's text; `file` is used in messages only.
    pub fn from_toml(file: &Path, text: &str) -> Result<LayerKind> {
        let kind: LayerKind = toml::from_str(text).map_err(|e| Error::Catalog {
            file: file.to_owned(),
            message: toml_message(&e, text),
        })?;
        kind.validate(file)?;
        Ok(kind)
    }

    fn validate(&self, file: &Path) -> Result<()> {
        let bad = |key: &str, message: String| Error::Catalog {
            file: file.to_owned(),
            message: format!("key `{key}`: {message}"),
        };
        if !is_identifier(&self.id) {
            return Err(bad("id", format!("`{}` is not a valid id; expected lower-case letters, digits and `_`, starting with a letter", self.id)));
        }
        if let Some(stem) = file.file_stem().and_then(|s| s.to_str()) {
            if stem != self.id && file.extension().is_some() {
                return Err(bad("id", format!("`{}` differs from the file name; expected `{stem}`", self.id)));
            }
        }
        for (key, v) in [("name_zh", &self.name_zh), ("name_en", &self.name_en)] {
            if v.trim().is_empty() {
                return Err(bad(key, "is empty; expected the layer's name".into()));
            }
        }
        match (self.group, self.service_radius_m) {
            (LayerGroup::Facility, None) => {
                return Err(bad("service_radius_m", "is missing; a facility layer needs its service radius in metres".into()))
            }
            (_, Some(r)) if !(r.is_finite() && r > 0.0) => {
                return Err(bad("service_radius_m", format!("{r} is not a positive number of metres")))
            }
            _ => {}
        }
        if !self.style.contains_key("type") {
            return Err(bad("style.type", "is missing; expected a MapLibre layer type such as `circle`, `line` or `fill`".into()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, f) in self.fields.iter().enumerate() {
            let key = format!("fields[{i}].name");
            if !is_identifier(&f.name) {
                return Err(bad(&key, format!("`{}` is not a valid column name; expected lower-case letters, digits and `_`", f.name)));
            }
            if RESERVED_FIELDS.contains(&f.name.as_str()) {
                return Err(bad(&key, format!("`{}` is reserved; every layer already has {RESERVED_FIELDS:?}", f.name)));
            }
            if !seen.insert(&f.name) {
                return Err(bad(&key, format!("`{}` appears twice", f.name)));
            }
            match (f.ty, f.values.is_empty()) {
                (FieldType::Enum, true) => {
                    return Err(bad(&format!("fields[{i}].values"), format!("field `{}` is an enum with no values; expected a list of {{ value, zh, en }}", f.name)))
                }
                (t, false) if t != FieldType::Enum => {
                    return Err(bad(&format!("fields[{i}].values"), format!("field `{}` has values but type `{t:?}`; expected type = \"enum\"", f.name)))
                }
                _ => {}
            }
        }
        for (i, f) in self.fields.iter().enumerate() {
            let numeric = matches!(f.ty, FieldType::Integer | FieldType::Real);
            for (key, v) in [("min", f.min), ("max", f.max)] {
                match v {
                    Some(_) if !numeric => return Err(bad(&format!("fields[{i}].{key}"), format!("field `{}` has type `{:?}`; `{key}` applies to integer and real fields", f.name, f.ty))),
                    Some(x) if !x.is_finite() => return Err(bad(&format!("fields[{i}].{key}"), format!("{x} is not a number"))),
                    _ => {}
                }
            }
            if f.unit_en.is_some() && f.unit.is_none() {
                return Err(bad(&format!("fields[{i}].unit_en"), format!("field `{}` has no `unit`; `unit_en` is the English form of `unit`", f.name)));
            }
            if let (Some(lo), Some(hi)) = (f.min, f.max) {
                if lo > hi {
                    return Err(bad(&format!("fields[{i}].min"), format!("{lo} is above `max` {hi}; expected min ≤ max")));
                }
            }
            match f.max_length {
                Some(_) if f.ty != FieldType::Text => {
                    return Err(bad(&format!("fields[{i}].max_length"), format!("field `{}` has type `{:?}`; `max_length` applies to text fields", f.name, f.ty)))
                }
                Some(0) => return Err(bad(&format!("fields[{i}].max_length"), "is 0; expected a positive number of characters".into())),
                _ => {}
            }
            if let Some(j) = &f.join {
                if f.ty != FieldType::Text {
                    return Err(bad(&format!("fields[{i}].join"), format!("field `{}` has type `{:?}`; a joined field holds a name or code, so it must be `text`", f.name, f.ty)));
                }
                if j.layer == self.id {
                    return Err(bad(&format!("fields[{i}].join.layer"), format!("`{}` is this layer itself; expected a polygon layer that holds its features", j.layer)));
                }
            }
            if let Some(p) = &f.pattern {
                if f.ty != FieldType::Text {
                    return Err(bad(&format!("fields[{i}].pattern"), format!("field `{}` has type `{:?}`; `pattern` applies to text fields", f.name, f.ty)));
                }
                if let Err(e) = compiled(p) {
                    return Err(bad(&format!("fields[{i}].pattern"), format!("`{p}` is not a regular expression: {e}")));
                }
            }
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, c) in self.checklist.iter().enumerate() {
            if !ids.insert(&c.id) {
                return Err(bad(&format!("checklist[{i}].id"), format!("`{}` appears twice", c.id)));
            }
            if c.max_points == 0 {
                return Err(bad(&format!("checklist[{i}].max_points"), "is 0; expected a positive number of points".into()));
            }
        }
        if let Some(LabelSetting::On(k)) = &self.label {
            if let Some(size) = k.size.filter(|v| !(v.is_finite() && *v > 0.0 && *v <= 64.0)) {
                return Err(bad("label.size", format!("{size} is not a text size; expected pixels, more than 0 and at most 64")));
            }
            if let Some(z) = k.minzoom.filter(|v| !(v.is_finite() && (0.0..=24.0).contains(v))) {
                return Err(bad("label.minzoom", format!("{z} is not a zoom; expected 0 to 24")));
            }
            if let Some(c) = k.color.as_deref().filter(|c| !is_css_color(c)) {
                return Err(bad("label.color", format!("`{c}` is not a colour; expected `#rrggbb`, `#rgb`, `rgb(…)`, `hsl(…)` or a CSS colour name")));
            }
            let linear = matches!(self.geometry, GeometryType::LineString | GeometryType::MultiLineString);
            if k.placement == Some(LabelPlacement::Line) && !linear {
                return Err(bad("label.placement", format!("`line` needs a line layer, and this one's geometry is `{}`; expected `point`", self.geometry.gpkg_name().to_lowercase())));
            }
        }
        if let Some(c) = self.legend.as_ref().and_then(|l| l.color.as_deref()).filter(|c| !is_css_color(c)) {
            return Err(bad("legend.color", format!("`{c}` is not a colour; expected `#rrggbb`, `#rgb`, `rgb(…)`, `hsl(…)` or a CSS colour name")));
        }
        if let Some(r) = &self.responsible_field {
            if r != "name" && self.field(r).is_none() {
                let names: Vec<&str> = self.column_names().filter(|c| *c != "source").collect();
                return Err(bad("responsible_field", format!("`{r}` is not a column of this layer; expected one of {}", names.join(", "))));
            }
        }
        Ok(())
    }
}

/// toml's message says what was expected; add the line and its text so the key is named.
pub(crate) fn toml_message(e: &toml::de::Error, text: &str) -> String {
    let msg = e.message().trim().to_owned();
    match e.span() {
        Some(span) => {
            let start = span.start.min(text.len());
            let line_no = text[..start].matches('\n').count() + 1;
            let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
            format!("line {line_no} (`{line}`): {msg}")
        }
        None => msg,
    }
}

/// A colour the legend can show and MapLibre can draw: hex, `rgb[a](…)`, `hsl[a](…)` or a name.
fn is_css_color(s: &str) -> bool {
    if let Some(hex) = s.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let functional = ["rgb(", "rgba(", "hsl(", "hsla("].iter().any(|f| s.starts_with(f)) && s.ends_with(')');
    let inner_ok = s.bytes().all(|b| b.is_ascii_alphanumeric() || b" (),.%".contains(&b));
    functional && inner_ok || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase()))
}

/// The first literal colour of a paint value: the value itself, or the first output of an
/// expression (a `match`'s first case).
fn first_color(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Array(items) => items.iter().skip(1).find_map(|item| match item {
            toml::Value::String(s) if is_css_color(s) && (s.starts_with('#') || s.contains('(')) => Some(s.clone()),
            _ => None,
        }),
        _ => None,
    }
}

/// A Chinese character (the CJK Unified Ideographs blocks a unit such as `个` or `户` uses).
fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// All layer kinds, ordered by drawing order then id.
#[derive(Debug, Clone)]
pub struct Catalog {
    kinds: Vec<LayerKind>,
    /// Where the catalog came from, for messages.
    pub origin: String,
}

/// The catalog compiled into the binary, so that `wardgis` works without its source tree.
const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_layers.rs"));

impl Catalog {
    /// Loads every `*.toml` in `dir`.
    pub fn load_dir(dir: &Path) -> Result<Catalog> {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut kinds = Vec::with_capacity(files.len());
        for f in &files {
            let text = std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?;
            kinds.push(LayerKind::from_toml(f, &text)?);
        }
        Catalog::from_kinds(kinds, dir.display().to_string())
    }

    /// The catalog that was in `layers/` when this binary was built.
    pub fn embedded() -> Catalog {
        let kinds = EMBEDDED
            .iter()
            .map(|(name, text)| LayerKind::from_toml(Path::new(name), text))
            .collect::<Result<Vec<_>>>()
            .expect("the embedded catalog was validated by the test suite");
        Catalog::from_kinds(kinds, "built-in catalog".into()).expect("embedded catalog is valid")
    }

    /// The catalog a program should use: `$WARDGIS_LAYERS` if set, else a `layers/` folder
    /// beside the executable or one of its parents (a source checkout or an install),
    /// else the one compiled in.
    pub fn discover() -> Result<Catalog> {
        if let Some(dir) = std::env::var_os("WARDGIS_LAYERS") {
            return Catalog::load_dir(Path::new(&dir));
        }
        if let Ok(exe) = std::env::current_exe() {
            for dir in exe.ancestors().skip(1).take(4) {
                let candidate = dir.join("layers");
                if candidate.join("chargers.toml").is_file() {
                    return Catalog::load_dir(&candidate);
                }
            }
        }
        Ok(Catalog::embedded())
    }

    pub fn from_kinds(mut kinds: Vec<LayerKind>, origin: String) -> Result<Catalog> {
        kinds.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
        for w in kinds.windows(2) {
            if w[0].id == w[1].id {
                return Err(Error::Catalog { file: origin.clone().into(), message: format!("layer id `{}` is defined twice", w[0].id) });
            }
        }
        if kinds.is_empty() {
            return Err(Error::Catalog { file: origin.into(), message: "no layer files (*.toml) found".into() });
        }
        check_joins(&kinds, &origin)?;
        Ok(Catalog { kinds, origin })
    }

    pub fn kinds(&self) -> &[LayerKind] {
        &self.kinds
    }

    pub fn get(&self, id: &str) -> Option<&LayerKind> {
        self.kinds.iter().find(|k| k.id == id)
    }

    /// The kind `id`, or an error listing the known ids.
    pub fn kind(&self, id: &str) -> Result<&LayerKind> {
        self.get(id).ok_or_else(|| Error::UnknownLayer { layer: id.to_owned(), known: self.ids().join(", ") })
    }

    pub fn ids(&self) -> Vec<&str> {
        self.kinds.iter().map(|k| k.id.as_str()).collect()
    }

    /// Labels by id in one language, for legends.
    pub fn names(&self, lang_zh: bool) -> BTreeMap<&str, &str> {
        self.kinds
            .iter()
            .map(|k| (k.id.as_str(), if lang_zh { k.name_zh.as_str() } else { k.name_en.as_str() }))
            .collect()
    }
}

/// Every field's `join` names a polygon layer of this catalog and a text column of it: a
/// join's source lives in another file, so it is checked once all files are read.
fn check_joins(kinds: &[LayerKind], origin: &str) -> Result<()> {
    for k in kinds {
        for (i, f) in k.fields.iter().enumerate() {
            let Some(j) = &f.join else { continue };
            let bad = |key: &str, message: String| Error::Catalog {
                file: Path::new(origin).join(format!("{}.toml", k.id)),
                message: format!("key `fields[{i}].{key}` (field `{}`): {message}", f.name),
            };
            let Some(target) = kinds.iter().find(|t| t.id == j.layer) else {
                let ids: Vec<&str> = kinds.iter().map(|t| t.id.as_str()).collect();
                return Err(bad("join.layer", format!("`{}` is not a layer of the catalog; expected one of {}", j.layer, ids.join(", "))));
            };
            if !matches!(target.geometry, GeometryType::Polygon | GeometryType::MultiPolygon) {
                return Err(bad("join.layer", format!("`{}` holds {} geometries; a join takes values from a polygon layer", j.layer, target.geometry.gpkg_name())));
            }
            let text = j.take == "name" || target.field(&j.take).is_some_and(|t| t.ty == FieldType::Text);
            if !text {
                let names: Vec<&str> = std::iter::once("name")
                    .chain(target.fields.iter().filter(|t| t.ty == FieldType::Text).map(|t| t.name.as_str()))
                    .collect();
                return Err(bad("join.take", format!("`{}` is not a text column of `{}`; expected one of {}", j.take, j.layer, names.join(", "))));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../layers")
    }

    fn copy_layers(to: &Path) {
        for e in std::fs::read_dir(layers_dir()).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }

    #[test]
    fn the_shipped_catalog_loads_and_equals_the_embedded_one() {
        let c = Catalog::load_dir(&layers_dir()).unwrap();
        for id in ["billboards", "chargers", "bike_stations", "drying_areas", "waste_points", "subdistricts",
            "communities", "schools", "parking", "responsibility_units", "smart_streets", "roads", "water", "blocks", "grid_cells"] {
            assert!(c.get(id).is_some(), "missing layer {id}");
        }
        for k in c.kinds().iter().filter(|k| k.group == LayerGroup::Facility) {
            assert!(k.service_radius_m.is_some() && !k.checklist.is_empty(), "{}", k.id);
        }
        assert_eq!(c.kinds(), Catalog::embedded().kinds());
    }

    #[test]
    fn billboard_fields_follow_the_seed() {
        let c = Catalog::embedded();
        let b = c.kind("billboards").unwrap();
        let types: Vec<&str> = b.field("type").unwrap().values.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(types, ["roof", "wall", "free_standing", "led"]);
        assert_eq!(b.field("face_area_m2").unwrap().unit.as_deref(), Some("m²"));
        assert_eq!(b.field("large").unwrap().ty, FieldType::Boolean);
        assert_eq!(b.field("last_safety_inspection").unwrap().ty, FieldType::Date);
        let w = c.kind("waste_points").unwrap();
        assert_eq!(w.field("kind").unwrap().values.len(), 3);
    }

    #[test]
    fn a_new_file_adds_a_layer_kind() {
        let dir = tempfile::tempdir().unwrap();
        copy_layers(dir.path());
        std::fs::write(
            dir.path().join("public_toilets.toml"),
            r##"id = "public_toilets"
name_zh = "公共厕所"
name_en = "Public toilets"
group = "facility"
geometry = "point"
service_radius_m = 500.0
[style]
type = "circle"
paint = { "circle-color" = "#000000" }
[[fields]]
name = "stalls"
type = "integer"
label_zh = "厕位"
label_en = "Stalls"
[[checklist]]
id = "PT-01"
text_zh = "干净"
text_en = "Clean"
max_points = 10
"##,
        )
        .unwrap();
        let c = Catalog::load_dir(dir.path()).unwrap();
        assert_eq!(c.kinds().len(), Catalog::embedded().kinds().len() + 1);
        // A project made with it has the new layer's table, and takes its features.
        let path = dir.path().join("p.gpkg");
        let p = crate::Project::create(&path, c).unwrap();
        let f = crate::Feature::new(geo_types::Point::new(119.82, 31.36)).with("stalls", 4i64);
        p.insert("public_toilets", vec![f], "add").unwrap();
        assert_eq!(p.count("public_toilets").unwrap(), 1);
    }

    #[test]
    fn the_shipped_catalog_decides_what_the_map_does_with_each_layer() {
        let c = Catalog::load_dir(&layers_dir()).unwrap();
        for k in c.kinds() {
            let d = k.display();
            let expect_clickable = k.group != LayerGroup::Basemap && k.id != "county";
            assert_eq!(d.clickable, expect_clickable, "{}", k.id);
        }
        // The labels the page used to hard-code, now in the layer files.
        let label = |id: &str| c.kind(id).unwrap().display().label;
        let l = label("subdistricts").unwrap();
        assert_eq!((l.placement, l.size, l.color.as_str(), l.minzoom, l.priority), (LabelPlacement::Point, 16.0, "#333333", 11.0, 6));
        let l = label("roads").unwrap();
        assert_eq!((l.placement, l.minzoom, l.priority), (LabelPlacement::Line, 13.0, 2));
        assert!(label("water").unwrap().priority > label("smart_streets").unwrap().priority, "the river's name wins over the street along it");
        assert!(label("blocks").is_none() && label("county").is_none());
        // Point layers are labelled by default, late and below every named area.
        let l = label("chargers").unwrap();
        assert_eq!((l.placement, l.minzoom, l.priority), (LabelPlacement::Point, 16.0, 0));
        // Legends: the style's shape and colour; a match on an enum field listed value by value.
        let legend = c.kind("chargers").unwrap().display().legend;
        assert_eq!((legend.symbol, legend.color.as_str(), legend.entries.len()), (LegendSymbol::Circle, "#1f78b4", 0));
        let roads = c.kind("roads").unwrap();
        let legend = roads.display().legend;
        assert_eq!(legend.symbol, LegendSymbol::Line);
        let values: Vec<&str> = legend.entries.iter().map(|e| e.value.as_str()).collect();
        let enum_values: Vec<&str> = roads.field("class").unwrap().values.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(values, enum_values);
        let colour = |v: &str| legend.entries.iter().find(|e| e.value == v).unwrap().color.clone();
        assert_eq!((colour("main"), colour("pedestrian"), colour("branch")), ("#f6c26b".into(), "#f4a3a8".into(), "#ffffff".into()));
        assert_eq!(legend.entries[0].label_zh, roads.field("class").unwrap().values[0].zh);
        assert_eq!(c.kind("communities").unwrap().display().legend.symbol, LegendSymbol::Line);
        assert_eq!(c.kind("schools").unwrap().display().legend.color, "#fdbf6f");
    }

    #[test]
    fn the_legend_lists_each_class_with_its_colour_width_and_dashes() {
        let c = Catalog::load_dir(&layers_dir()).unwrap();
        // Roads: colour and width both by class; the legend gives each class its own.
        let legend = c.kind("roads").unwrap().display().legend;
        let width = |v: &str| legend.entries.iter().find(|e| e.value == v).unwrap().width;
        assert_eq!((width("main"), width("secondary"), width("pedestrian"), width("branch")), (Some(6.0), Some(4.0), Some(3.0), Some(2.0)));
        assert_eq!((legend.width, legend.dash.as_ref()), (None, None));
        // Blocks: one entry per land use, each with its own colour.
        let blocks = c.kind("blocks").unwrap();
        let legend = blocks.display().legend;
        assert_eq!(legend.entries.len(), blocks.field("landuse").unwrap().values.len());
        let colours: std::collections::BTreeSet<&str> = legend.entries.iter().map(|e| e.color.as_str()).collect();
        assert_eq!(colours.len(), legend.entries.len(), "each land use has its own colour: {:?}", legend.entries);
        // Dashed boundaries are dashed in the legend too.
        let legend = c.kind("subdistricts").unwrap().display().legend;
        assert_eq!((legend.width, legend.dash), (Some(2.5), Some(vec![3.0, 2.0])));
        assert!(c.kind("communities").unwrap().display().legend.dash.is_some());
        // Only the width by class: the entries carry the layer's colour.
        let roads = std::fs::read_to_string(layers_dir().join("roads.toml")).unwrap();
        let one_colour = roads.replace(r##""line-color" = ["match", ["get", "class"], "main", "#f6c26b", "secondary", "#ffffff", "pedestrian", "#f4a3a8", "#ffffff"]"##, r##""line-color" = "#999999""##);
        assert_ne!(one_colour, roads);
        let legend = LayerKind::from_toml(Path::new("roads.toml"), &one_colour).unwrap().display().legend;
        assert!(legend.entries.iter().all(|e| e.color == "#999999") && legend.entries[0].width == Some(6.0), "{legend:?}");
    }

    /// CIE 1976 L*a*b* of a `#rrggbb` colour (sRGB, D65).
    fn lab(hex: &str) -> [f64; 3] {
        let ch = |i: usize| {
            let c = u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap() as f64 / 255.0;
            if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        let (r, g, b) = (ch(0), ch(1), ch(2));
        let xyz = [
            (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
            0.2126 * r + 0.7152 * g + 0.0722 * b,
            (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
        ];
        let f = xyz.map(|t| if t > 0.008856 { t.cbrt() } else { 7.787 * t + 16.0 / 116.0 });
        [116.0 * f[1] - 16.0, 500.0 * (f[0] - f[1]), 200.0 * (f[1] - f[2])]
    }

    #[test]
    fn point_layers_are_told_apart_by_colour() {
        let c = Catalog::load_dir(&layers_dir()).unwrap();
        let points: Vec<(String, String)> = c
            .kinds()
            .iter()
            .filter(|k| k.display().legend.symbol == LegendSymbol::Circle)
            .map(|k| (k.id.clone(), k.display().legend.color))
            .collect();
        assert!(points.len() >= 7, "{points:?}");
        for (i, (a, ca)) in points.iter().enumerate() {
            for (b, cb) in &points[i + 1..] {
                let (la, lb) = (lab(ca), lab(cb));
                let delta = ((la[0] - lb[0]).powi(2) + (la[1] - lb[1]).powi(2) + (la[2] - lb[2]).powi(2)).sqrt();
                assert!(delta >= 25.0, "{a} ({ca}) and {b} ({cb}) look alike: ΔE {delta:.1}, expected at least 25");
            }
        }
    }

    #[test]
    fn units_have_an_english_form() {
        let c = Catalog::load_dir(&layers_dir()).unwrap();
        let ports = c.kind("chargers").unwrap().field("ports").unwrap();
        assert_eq!((ports.unit_in(true), ports.unit_in(false)), (Some("个"), None));
        let area = c.kind("billboards").unwrap().field("face_area_m2").unwrap();
        assert_eq!((area.unit_in(true), area.unit_in(false)), (Some("m²"), Some("m²")));
        let good = std::fs::read_to_string(layers_dir().join("chargers.toml")).unwrap();
        // Without `unit_en`, English leaves a Chinese unit out rather than show it.
        let k = LayerKind::from_toml(Path::new("chargers.toml"), &good.replace("unit_en = \"\"\n", "")).unwrap();
        assert_eq!(k.field("ports").unwrap().unit_in(false), None);
        assert_eq!(k.field("ports").unwrap().unit_in(true), Some("个"));
        let e = error_for(&good.replace("name = \"operator\"\n", "name = \"operator\"\nunit_en = \"x\"\n"));
        assert!(e.contains("unit_en") && e.contains("no `unit`"), "{e}");
    }

    #[test]
    fn display_keys_override_the_defaults() {
        let good = std::fs::read_to_string(layers_dir().join("chargers.toml")).unwrap();
        let k = LayerKind::from_toml(Path::new("chargers.toml"), &format!("{good}\n[label]\nminzoom = 14\n")).unwrap();
        let l = k.display().label.unwrap();
        assert_eq!((l.minzoom, l.size, l.placement), (14.0, 11.0, LabelPlacement::Point));
        let k = LayerKind::from_toml(Path::new("chargers.toml"), &good.replace("order = 61\n", "order = 61\nlabel = false\nclickable = false\n")).unwrap();
        assert!(k.display().label.is_none() && !k.display().clickable);
        let k = LayerKind::from_toml(Path::new("chargers.toml"), &format!("{good}\n[legend]\nsymbol = \"fill\"\ncolor = \"rgb(10, 20, 30)\"\n")).unwrap();
        assert_eq!((k.display().legend.symbol, k.display().legend.color.as_str()), (LegendSymbol::Fill, "rgb(10, 20, 30)"));
        // A polygon layer turns labels on with `label = true`; a style without a colour is
        // drawn black by MapLibre, and so is its legend.
        let blocks = std::fs::read_to_string(layers_dir().join("blocks.toml")).unwrap();
        let text = blocks.replace("order = 1\n", "order = 1\nlabel = true\n");
        let text = text.split("[style]").next().unwrap().to_owned() + "[style]\ntype = \"fill\"\n";
        let k = LayerKind::from_toml(Path::new("blocks.toml"), &text).unwrap();
        let l = k.display().label.unwrap();
        assert_eq!((l.placement, l.minzoom), (LabelPlacement::Point, 13.0));
        assert_eq!(k.display().legend.color, "#000000");
        assert!(!k.display().clickable, "basemap layers are not clickable by default");
    }

    #[test]
    fn bad_display_keys_name_the_key_and_what_was_expected() {
        let good = std::fs::read_to_string(layers_dir().join("chargers.toml")).unwrap();
        let with = |extra: &str| error_for(&format!("{good}\n{extra}\n"));
        let e = with("[label]\nsize = 0");
        assert!(e.contains("layers/chargers.toml") && e.contains("`label.size`") && e.contains("expected"), "{e}");
        let e = with("[label]\nminzoom = 30");
        assert!(e.contains("`label.minzoom`") && e.contains("30") && e.contains("0 to 24"), "{e}");
        let e = with("[label]\ncolor = \"#12345\"");
        assert!(e.contains("`label.color`") && e.contains("#12345"), "{e}");
        let e = with("[label]\nplacement = \"line\"");
        assert!(e.contains("`label.placement`") && e.contains("point"), "{e}");
        let e = with("[label]\nplacement = \"curved\"");
        assert!(e.contains("curved") && e.contains("line") && e.contains("point"), "{e}");
        let e = with("[label]\nsise = 12");
        assert!(e.contains("sise") && e.contains("size"), "{e}");
        let e = with("[legend]\ncolor = \"blue!\"");
        assert!(e.contains("`legend.color`") && e.contains("blue!"), "{e}");
        let e = error_for(&good.replace("order = 61\n", "order = 61\nlabel = \"yes\"\n"));
        assert!(e.contains("label") && e.contains("`false`, `true` or a table"), "{e}");
        let e = error_for(&good.replace("order = 61\n", "order = 61\nclickable = \"no\"\n"));
        assert!(e.contains("clickable") && e.contains("bool"), "{e}");
    }

    fn error_for(text: &str) -> String {
        LayerKind::from_toml(Path::new("layers/chargers.toml"), text).unwrap_err().to_string()
    }

    #[test]
    fn malformed_files_name_the_file_the_key_and_what_was_expected() {
        let good = std::fs::read_to_string(layers_dir().join("chargers.toml")).unwrap();
        let e = error_for(&good.replace("service_radius_m = 300.0", "service_radius_m = \"far\""));
        assert!(e.contains("layers/chargers.toml") && e.contains("service_radius_m") && e.contains("expected"), "{e}");
        let e = error_for(&good.replace("max_points = 30", "max_points = -3"));
        assert!(e.contains("max_points") && e.contains("line"), "{e}");
        let e = error_for(&good.replace("geometry = \"point\"", "geometry = \"blob\""));
        assert!(e.contains("geometry") && e.contains("point"), "{e}");
        let e = error_for(&good.replace("service_radius_m = 300.0\n", ""));
        assert!(e.contains("service_radius_m") && e.contains("facility"), "{e}");
        let e = error_for(&good.replace("name = \"ports\"", "name = \"vehicle_type\""));
        assert!(e.contains("fields[1].name") && e.contains("twice"), "{e}");
        let e = error_for(&good.replace("id = \"chargers\"", "id = \"chargerz\""));
        assert!(e.contains("`id`") && e.contains("chargers"), "{e}");
        let e = error_for(&good.replace("vehicle_type\"\ntype = \"enum\"", "vehicle_type\"\ntype = \"text\""));
        assert!(e.contains("values") && e.contains("enum"), "{e}");
        let e = error_for(&format!("{good}\nunknown_key = 1\n"));
        assert!(e.contains("unknown_key"), "{e}");
        let e = error_for("id = [");
        assert!(e.contains("layers/chargers.toml"), "{e}");
        let e = error_for(&good.replace("responsible_field = \"operator\"", "responsible_field = \"owner\""));
        assert!(e.contains("`responsible_field`") && e.contains("`owner`") && e.contains("operator"), "{e}");
    }

    #[test]
    fn every_facility_gets_its_community_subdistrict_and_grid_cell_by_join() {
        let c = Catalog::embedded();
        for id in ["billboards", "chargers", "bike_stations", "drying_areas", "waste_points", "parking", "markets", "schools", "responsibility_units"] {
            let k = c.kind(id).unwrap();
            let joins: Vec<(&str, &str, &str)> = k
                .fields
                .iter()
                .filter_map(|f| f.join.as_ref().map(|j| (f.name.as_str(), j.layer.as_str(), j.take.as_str())))
                .collect();
            assert_eq!(joins, [("community", "communities", "name"), ("subdistrict", "subdistricts", "name"), ("grid_code", "grid_cells", "code")], "{id}");
        }
        assert_eq!(c.kind("grid_cells").unwrap().field("code").unwrap().pattern.as_deref(), Some("[0-9]{15}"));
    }

    #[test]
    fn a_join_naming_a_missing_layer_or_column_names_the_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        copy_layers(dir.path());
        let chargers = dir.path().join("chargers.toml");
        let good = std::fs::read_to_string(&chargers).unwrap();
        let load_with = |text: String| {
            std::fs::write(&chargers, text).unwrap();
            Catalog::load_dir(dir.path()).unwrap_err().to_string()
        };
        let e = load_with(good.replace(r#"join = { layer = "communities", take = "name" }"#, r#"join = { layer = "wards", take = "name" }"#));
        assert!(e.contains("chargers.toml") && e.contains(".join.layer") && e.contains("`wards`") && e.contains("communities"), "{e}");
        let e = load_with(good.replace(r#"join = { layer = "communities", take = "name" }"#, r#"join = { layer = "roads", take = "name" }"#));
        assert!(e.contains(".join.layer") && e.contains("polygon"), "{e}");
        let e = load_with(good.replace(r#"join = { layer = "communities", take = "name" }"#, r#"join = { layer = "communities", take = "households" }"#));
        assert!(e.contains(".join.take") && e.contains("`households`") && e.contains("code"), "{e}");
        let e = load_with(good.replace(r#"join = { layer = "communities", take = "name" }"#, r#"join = { layer = "communities" }"#));
        assert!(e.contains("chargers.toml") && e.contains("take"), "{e}");
        let e = error_for(&good.replace("name = \"ports\"\ntype = \"integer\"", "name = \"ports\"\ntype = \"integer\"\njoin = { layer = \"communities\", take = \"name\" }"));
        assert!(e.contains(".join") && e.contains("text"), "{e}");
    }

    #[test]
    fn value_constraints_are_checked_where_they_are_written() {
        let good = std::fs::read_to_string(layers_dir().join("chargers.toml")).unwrap();
        let e = error_for(&good.replace("min = 1\nmax = 200", "min = 9\nmax = 2"));
        assert!(e.contains("fields[1].min") && e.contains("min ≤ max"), "{e}");
        let e = error_for(&good.replace("label_en = \"Vehicle type\"", "label_en = \"Vehicle type\"\nmin = 0"));
        assert!(e.contains("fields[0].min") && e.contains("integer and real"), "{e}");
        let e = error_for(&good.replace("unit = \"个\"\nunit_en = \"\"\nrequired = true\nmin = 1", "unit = \"个\"\nunit_en = \"\"\nrequired = true\npattern = \"\\\\d+\"\nmin = 1"));
        assert!(e.contains("fields[1].pattern") && e.contains("text fields"), "{e}");
        let e = error_for(&good.replace("name = \"operator\"\n", "name = \"operator\"\npattern = \"[unclosed\"\n"));
        assert!(e.contains(".pattern") && e.contains("not a regular expression"), "{e}");
        let e = error_for(&good.replace("name = \"operator\"\n", "name = \"operator\"\nmax_length = 0\n"));
        assert!(e.contains(".max_length") && e.contains("positive"), "{e}");
    }
}
