//! Matching the columns of an input file (CSV headers, GeoJSON property keys) to a layer's
//! attributes.
//!
//! Files come with machine names (`ports`), Chinese labels (`充电端口数`, often with the unit:
//! `充电端口数（个）`) or English labels, so all three are accepted, and a wardgis export can
//! be edited and imported again unchanged.

use crate::catalog::{FieldDef, LayerKind};

/// Header spellings of the longitude column (compared trimmed and case-insensitively).
pub(crate) const LON_HEADERS: [&str; 7] = ["经度", "lng", "lon", "long", "longitude", "x", "东经"];
/// Header spellings of the latitude column.
pub(crate) const LAT_HEADERS: [&str; 5] = ["纬度", "lat", "latitude", "y", "北纬"];
/// Header spellings of a WKT geometry column, for layers that are not points.
pub(crate) const WKT_HEADERS: [&str; 3] = ["wkt", "geometry", "geom"];

/// Spellings of the built-in columns besides their own names.
const NAME_ALIASES: [&str; 3] = ["名称", "名字", "name"];
const SOURCE_ALIASES: [&str; 2] = ["来源", "source"];
/// Columns a wardgis export writes that import deliberately ignores: the store assigns fids.
const IGNORED: [&str; 2] = ["fid", "id"];

/// What one input column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// A built-in column (`name` or `source`).
    Builtin(&'static str),
    /// The catalog field at this index of `kind.fields`.
    Field(usize),
    Lon,
    Lat,
    Wkt,
    /// Known and deliberately not imported (`fid`).
    Ignored,
}

impl Target {
    /// The attribute key this column fills, if it is an attribute.
    pub(crate) fn key(self, kind: &LayerKind) -> Option<&str> {
        match self {
            Target::Builtin(n) => Some(n),
            Target::Field(i) => Some(kind.fields[i].name.as_str()),
            _ => None,
        }
    }
}

/// The target of a column called `header`; `geometry_columns` says whether coordinate and
/// WKT headers count (CSV) or not (GeoJSON, where the geometry is the geometry member).
pub(crate) fn resolve(kind: &LayerKind, header: &str, geometry_columns: bool) -> Option<Target> {
    let h = normalise(header);
    if h.is_empty() {
        return Some(Target::Ignored);
    }
    let is = |list: &[&str]| list.iter().any(|a| a.eq_ignore_ascii_case(&h));
    if geometry_columns && is(&LON_HEADERS) {
        return Some(Target::Lon);
    }
    if geometry_columns && is(&LAT_HEADERS) {
        return Some(Target::Lat);
    }
    if geometry_columns && is(&WKT_HEADERS) {
        return Some(Target::Wkt);
    }
    if is(&NAME_ALIASES) {
        return Some(Target::Builtin("name"));
    }
    if is(&SOURCE_ALIASES) {
        return Some(Target::Builtin("source"));
    }
    if let Some(i) = kind.fields.iter().position(|f| matches_field(f, &h)) {
        return Some(Target::Field(i));
    }
    is(&IGNORED).then_some(Target::Ignored)
}

fn matches_field(f: &FieldDef, h: &str) -> bool {
    f.name.eq_ignore_ascii_case(h) || f.label_zh == h || f.label_en.eq_ignore_ascii_case(h)
}

/// The header trimmed, without a trailing unit in parentheses: `面积（m²）` → `面积`.
fn normalise(header: &str) -> String {
    let h = header.trim().trim_start_matches('\u{FEFF}').trim();
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(stripped) = h.strip_suffix(close) {
            if let Some(i) = stripped.rfind(open) {
                let base = stripped[..i].trim();
                if !base.is_empty() {
                    return base.to_owned();
                }
            }
        }
    }
    h.to_owned()
}

/// The warning for columns nobody will import, listing what would have matched.
pub(crate) fn unknown_warning(kind: &LayerKind, unknown: &[String]) -> String {
    let known: Vec<String> = kind
        .fields
        .iter()
        .map(|f| format!("{} ({})", f.name, f.label_zh))
        .collect();
    format!(
        "ignored column(s) {}; known fields are name (名称), source (来源), {}",
        super::list_names(unknown, false),
        known.join(", ")
    )
}

/// How the user should name a field in messages: `ports (充电端口数)`.
pub(crate) fn field_label(f: &FieldDef) -> String {
    format!("{} ({})", f.name, f.label_zh)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chargers() -> LayerKind {
        crate::io::tests::catalog().kind("chargers").unwrap().clone()
    }

    #[test]
    fn headers_by_name_label_or_alias() {
        let k = chargers();
        let ports = Some(Target::Field(k.fields.iter().position(|f| f.name == "ports").unwrap()));
        for h in ["ports", "Ports", "充电端口数", "充电端口数（个）", " ports (个) "] {
            assert_eq!(resolve(&k, h, true), ports, "{h}");
        }
        for h in ["名称", "Name", "名字"] {
            assert_eq!(resolve(&k, h, true), Some(Target::Builtin("name")), "{h}");
        }
        assert_eq!(resolve(&k, "来源", true), Some(Target::Builtin("source")));
        assert_eq!(resolve(&k, "经度", true), Some(Target::Lon));
        assert_eq!(resolve(&k, "Latitude", true), Some(Target::Lat));
        assert_eq!(resolve(&k, "x", false), None);
        assert_eq!(resolve(&k, "fid", true), Some(Target::Ignored));
        assert_eq!(resolve(&k, "备注", true), None);
    }
}
