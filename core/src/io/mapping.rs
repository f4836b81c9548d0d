//! What the user says a source column fills, overriding the header matching of
//! [`super::columns`]: a spreadsheet headed `X坐标`, `Y坐标`, `桩类型` imports once the user
//! says which is the longitude, the latitude and the vehicle type, instead of being renamed
//! in Excel first.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::columns::Target;
use crate::catalog::LayerKind;

/// What one source column fills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ColumnChoice {
    /// The catalog field of this name.
    Field(String),
    /// The built-in `name` column.
    Name,
    /// The built-in `source` column.
    Source,
    /// The longitude (or easting, for a projected system).
    Lon,
    /// The latitude (or northing).
    Lat,
    /// A WKT geometry.
    Wkt,
    /// Not imported.
    Skip,
}

impl FromStr for ColumnChoice {
    type Err = String;
    /// `name`, `source`, `lon`, `lat`, `wkt`, `skip`, or a field name (checked against the
    /// layer by [`check`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Ok(match s.to_ascii_lowercase().as_str() {
            "" => return Err("is empty; expected a field name, name, source, lon, lat, wkt or skip".into()),
            "name" => ColumnChoice::Name,
            "source" => ColumnChoice::Source,
            "lon" => ColumnChoice::Lon,
            "lat" => ColumnChoice::Lat,
            "wkt" => ColumnChoice::Wkt,
            "skip" => ColumnChoice::Skip,
            _ => ColumnChoice::Field(s.to_owned()),
        })
    }
}

impl fmt::Display for ColumnChoice {
    /// What [`ColumnChoice::from_str`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColumnChoice::Field(name) => name,
            ColumnChoice::Name => "name",
            ColumnChoice::Source => "source",
            ColumnChoice::Lon => "lon",
            ColumnChoice::Lat => "lat",
            ColumnChoice::Wkt => "wkt",
            ColumnChoice::Skip => "skip",
        })
    }
}

/// Refuses a mapping that names a field the layer does not have (listing the accepted
/// names) or maps one source column twice.
pub(crate) fn check(kind: &LayerKind, columns: &[(String, ColumnChoice)]) -> Result<(), String> {
    for (i, (column, choice)) in columns.iter().enumerate() {
        if columns[..i].iter().any(|(c, _)| c.trim() == column.trim()) {
            return Err(format!("column `{}` is mapped twice; map each column once", super::clip(column.trim())));
        }
        if let ColumnChoice::Field(name) = choice {
            if !kind.fields.iter().any(|f| &f.name == name) {
                let fields: Vec<&str> = kind.fields.iter().map(|f| f.name.as_str()).collect();
                return Err(format!(
                    "column `{}` is mapped to `{}`, which layer `{}` does not have; expected one of {}, name, source, lon, lat, wkt or skip",
                    super::clip(column.trim()),
                    super::clip(name),
                    kind.id,
                    fields.join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// The target the user chose for the source column `header` (compared trimmed), if any.
/// The mapping has been [`check`]ed, so a field name always resolves.
pub(crate) fn chosen(kind: &LayerKind, columns: &[(String, ColumnChoice)], header: &str) -> Option<Target> {
    let header = header.trim().trim_start_matches('\u{FEFF}').trim();
    let (_, choice) = columns.iter().find(|(c, _)| c.trim() == header)?;
    Some(match choice {
        ColumnChoice::Field(name) => Target::Field(kind.fields.iter().position(|f| &f.name == name)?),
        ColumnChoice::Name => Target::Builtin("name"),
        ColumnChoice::Source => Target::Builtin("source"),
        ColumnChoice::Lon => Target::Lon,
        ColumnChoice::Lat => Target::Lat,
        ColumnChoice::Wkt => Target::Wkt,
        ColumnChoice::Skip => Target::Ignored,
    })
}

/// What a resolved column fills, as the user would choose it.
pub(crate) fn choice_of(kind: &LayerKind, target: Target) -> ColumnChoice {
    match target {
        Target::Builtin("source") => ColumnChoice::Source,
        Target::Builtin(_) => ColumnChoice::Name,
        Target::Field(i) => ColumnChoice::Field(kind.fields[i].name.clone()),
        Target::Lon => ColumnChoice::Lon,
        Target::Lat => ColumnChoice::Lat,
        Target::Wkt => ColumnChoice::Wkt,
        Target::Ignored => ColumnChoice::Skip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_read_back_and_unknown_fields_are_refused() {
        let kind = crate::io::tests::catalog().kind("chargers").unwrap().clone();
        for s in ["name", "source", "lon", "lat", "wkt", "skip", "ports"] {
            assert_eq!(s.parse::<ColumnChoice>().unwrap().to_string(), s);
        }
        assert_eq!("LON".parse::<ColumnChoice>(), Ok(ColumnChoice::Lon));
        let ok = vec![("X坐标".to_owned(), ColumnChoice::Lon), ("桩型".to_owned(), ColumnChoice::Field("vehicle_type".into()))];
        assert_eq!(check(&kind, &ok), Ok(()));
        assert_eq!(chosen(&kind, &ok, " X坐标 "), Some(Target::Lon));
        assert_eq!(chosen(&kind, &ok, "Y坐标"), None);
        let bad = vec![("端口".to_owned(), ColumnChoice::Field("port".into()))];
        let e = check(&kind, &bad).unwrap_err();
        assert!(e.contains("`port`") && e.contains("vehicle_type, ports"), "{e}");
        let twice = vec![("a".to_owned(), ColumnChoice::Lon), (" a".to_owned(), ColumnChoice::Lat)];
        assert!(check(&kind, &twice).unwrap_err().contains("mapped twice"));
    }
}
