//! The rows of a table — a CSV file or a spreadsheet's sheet — as features: which column
//! holds which field or coordinate, worked out once from the header, and each row's cells
//! parsed against the catalog. The CSV and XLSX readers share it, so both accept the same
//! headers and values and report the same problems.

use geo_types::{Coord, Geometry, Point};

use super::columns::{self, Target, LAT_HEADERS, LON_HEADERS, WKT_HEADERS};
use super::geometry::{fit_to_layer, lat_ok, lon_ok, to_storage};
use super::reading::Reading;
use super::{attributes, clip, list_names, mapping, wkt, ImportOptions, RowError};
use crate::catalog::{FieldDef, GeometryType, LayerKind};
use crate::crs::Crs;
use crate::feature::{Feature, Value};

/// One row of cells as text, as the table's reader found them.
pub(crate) trait Row {
    /// The text of cell `i`; `None` beyond the row's last cell.
    fn get(&self, i: usize) -> Option<&str>;
    /// How many cells the row has.
    fn len(&self) -> usize;
}

impl Row for csv::StringRecord {
    fn get(&self, i: usize) -> Option<&str> {
        csv::StringRecord::get(self, i)
    }
    fn len(&self) -> usize {
        csv::StringRecord::len(self)
    }
}

impl Row for Vec<String> {
    fn get(&self, i: usize) -> Option<&str> {
        self.as_slice().get(i).map(String::as_str)
    }
    fn len(&self) -> usize {
        self.as_slice().len()
    }
}

/// Where the geometry of a row is.
#[derive(Debug, Clone, Copy)]
enum GeometryColumns {
    LonLat { lon: usize, lat: usize },
    Wkt(usize),
}

/// The meaning of each column of one table, worked out once from its header.
pub(crate) struct Layout {
    /// The headers as written in the file.
    pub headers: Vec<String>,
    targets: Vec<Option<Target>>,
    geometry: GeometryColumns,
}

impl Layout {
    /// Resolves the header: the user's mapping (`opts.columns`) first, else by name; tells
    /// `reading` the columns and their targets (a preview lists them even when the layout is
    /// refused). `Err` explains a file that cannot be imported at all: two columns for one
    /// field, no geometry columns, or a required field with no column.
    pub fn new(kind: &LayerKind, headers: Vec<String>, opts: &ImportOptions, reading: &Reading) -> Result<Layout, String> {
        let targets: Vec<Option<Target>> = headers
            .iter()
            .map(|h| mapping::chosen(kind, &opts.columns, h).or_else(|| columns::resolve(kind, h, true)))
            .collect();
        reading.found.columns.borrow_mut().extend(headers.iter().cloned().zip(targets.iter().copied()));
        check_duplicates(kind, &headers, &targets)?;
        let geometry = geometry_columns(kind, &headers, &targets)?;
        check_required_columns(kind, &headers, &targets)?;
        Ok(Layout { headers, targets, geometry })
    }

    pub fn unknown_warning(&self, kind: &LayerKind) -> Option<String> {
        let unknown: Vec<String> = self
            .headers
            .iter()
            .zip(&self.targets)
            .filter(|(_, t)| t.is_none())
            .map(|(h, _)| h.trim().to_owned())
            .collect();
        (!unknown.is_empty()).then(|| columns::unknown_warning(kind, &unknown))
    }

    /// The catalog field column `i` fills, if any: a spreadsheet reader reads a typed cell
    /// (a date, a number) as that field takes it.
    pub fn field<'k>(&self, kind: &'k LayerKind, i: usize) -> Option<&'k FieldDef> {
        match self.targets.get(i)? {
            Some(Target::Field(fi)) => Some(&kind.fields[*fi]),
            _ => None,
        }
    }

    /// The numbers in a row's longitude and latitude columns, when both are numbers: what
    /// a preview guesses a projected system from.
    pub fn raw_position(&self, record: &impl Row) -> Option<(f64, f64)> {
        let GeometryColumns::LonLat { lon, lat } = self.geometry else { return None };
        let number = |i| record.get(i).and_then(|s: &str| s.trim().parse::<f64>().ok()).filter(|v| v.is_finite());
        Some((number(lon)?, number(lat)?))
    }

    /// One row as a feature, or the first problem in it (naming its column).
    pub fn feature(&self, kind: &LayerKind, record: &impl Row, crs: Crs) -> Result<Feature, RowError> {
        self.check_extra_values(record)?;
        let geometry = self.geometry(kind, record, crs)?;
        let mut f = Feature::new(geometry);
        for key in kind.column_names() {
            f.props.insert(key.to_owned(), Value::Null);
        }
        for (i, target) in self.targets.iter().enumerate() {
            let raw = record.get(i).unwrap_or("");
            let value = match target {
                Some(Target::Builtin(_)) => text_value(raw),
                Some(Target::Field(fi)) => attributes::parse_value(&kind.fields[*fi], raw)
                    .map_err(|why| RowError::new(&self.headers[i], raw, why).at(i))?,
                _ => continue,
            };
            if let Some(key) = target.and_then(|t| t.key(kind)) {
                f.props.insert(key.to_owned(), value);
            }
        }
        Ok(f)
    }

    /// Values beyond the header's columns would be silently lost; empty ones are harmless.
    fn check_extra_values(&self, record: &impl Row) -> Result<(), RowError> {
        let n = self.headers.len();
        match (n..record.len()).find(|i| !record.get(*i).unwrap_or("").trim().is_empty()) {
            None => Ok(()),
            Some(i) => Err(RowError::new(
                format!("(column {})", i + 1),
                record.get(i).unwrap_or(""),
                format!("a value beyond the {n} columns of the header; is a comma inside a value missing its quotes?"),
            )
            .at(i)),
        }
    }

    fn geometry(&self, kind: &LayerKind, record: &impl Row, crs: Crs) -> Result<Geometry<f64>, RowError> {
        let (column, mut g) = match self.geometry {
            GeometryColumns::LonLat { lon, lat } => (lon, Point(self.position(record, lon, lat, crs)?).into()),
            GeometryColumns::Wkt(i) => {
                let raw = record.get(i).unwrap_or("");
                (i, wkt::from_wkt(raw).map_err(|why| RowError::new(&self.headers[i], raw, why).at(i))?)
            }
        };
        let bad = |why| RowError::new(&self.headers[column], record.get(column).unwrap_or(""), why).at(column);
        g = to_storage(g, crs).map_err(bad)?;
        fit_to_layer(kind.geometry, g).map_err(bad)
    }

    /// The position in the file's system: degrees, range-checked here so the message can
    /// name the column, or projected metres (checked once converted).
    fn position(&self, record: &impl Row, lon: usize, lat: usize, crs: Crs) -> Result<Coord<f64>, RowError> {
        let (raw_x, raw_y) = (record.get(lon).unwrap_or("").trim(), record.get(lat).unwrap_or("").trim());
        if !crs.is_geographic() {
            let metres = |raw: &str, column: usize, what: &str| {
                raw.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                    RowError::new(&self.headers[column], raw, format!("expected the {what} in metres ({crs}), e.g. 40512345.67")).at(column)
                })
            };
            return Ok(Coord { x: metres(raw_x, lon, "easting (x)")?, y: metres(raw_y, lat, "northing (y)")? });
        }
        let x = degrees(raw_x, "longitude", -180.0, 180.0).map_err(|why| RowError::new(&self.headers[lon], raw_x, why).at(lon))?;
        let y = degrees(raw_y, "latitude", -90.0, 90.0).map_err(|why| {
            let swapped = lat_ok(x) && lon_ok(raw_y.parse().unwrap_or(f64::NAN));
            let hint = if swapped { "; are longitude and latitude swapped?" } else { "" };
            RowError::new(&self.headers[lat], raw_y, format!("{why}{hint}")).at(lat)
        })?;
        Ok(Coord { x, y })
    }
}

/// One coordinate in decimal degrees within `min..=max`.
fn degrees(raw: &str, what: &str, min: f64, max: f64) -> Result<f64, String> {
    let expected = format!("expected the {what} in decimal degrees, {min}..{max}, e.g. {}", if min < -90.0 { "119.8231" } else { "31.3562" });
    if raw.is_empty() {
        return Err(format!("is empty; {expected}"));
    }
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() && (min..=max).contains(&v) => Ok(v),
        Ok(_) => Err(format!("is out of range; {expected}")),
        Err(_) => Err(expected),
    }
}

/// A built-in text column: trimmed, empty meaning no value.
pub(crate) fn text_value(raw: &str) -> Value {
    let s = raw.trim();
    if s.is_empty() {
        Value::Null
    } else {
        Value::Text(s.to_owned())
    }
}

fn check_duplicates(kind: &LayerKind, headers: &[String], targets: &[Option<Target>]) -> Result<(), String> {
    for (i, t) in targets.iter().enumerate() {
        let Some(t) = t.filter(|t| *t != Target::Ignored) else { continue };
        if let Some(j) = targets[..i].iter().position(|u| *u == Some(t)) {
            let what = match t {
                Target::Lon => "the longitude".to_owned(),
                Target::Lat => "the latitude".to_owned(),
                Target::Wkt => "the WKT geometry".to_owned(),
                _ => format!("field `{}`", t.key(kind).unwrap_or("?")),
            };
            return Err(format!(
                "columns `{}` and `{}` both give {what}; remove or rename one",
                clip(headers[j].trim()),
                clip(headers[i].trim())
            ));
        }
    }
    Ok(())
}

/// Finds the geometry columns: longitude and latitude for point layers (or a `wkt` column),
/// a `wkt` column for other layers.
fn geometry_columns(kind: &LayerKind, headers: &[String], targets: &[Option<Target>]) -> Result<GeometryColumns, String> {
    let find = |t: Target| targets.iter().position(|u| *u == Some(t));
    let found = || list_names(headers, true);
    if kind.geometry == GeometryType::Point || kind.geometry == GeometryType::MultiPoint {
        match (find(Target::Lon), find(Target::Lat), find(Target::Wkt)) {
            (Some(lon), Some(lat), _) => return Ok(GeometryColumns::LonLat { lon, lat }),
            (None, None, Some(w)) => return Ok(GeometryColumns::Wkt(w)),
            (lon, lat, _) => {
                let mut missing = vec![];
                if lon.is_none() {
                    missing.push(format!("a longitude column (named one of {})", LON_HEADERS.join(", ")));
                }
                if lat.is_none() {
                    missing.push(format!("a latitude column (named one of {})", LAT_HEADERS.join(", ")));
                }
                return Err(format!("needs {}; found headers {}", missing.join(" and "), found()));
            }
        }
    }
    find(Target::Wkt).map(GeometryColumns::Wkt).ok_or_else(|| {
        format!(
            "layer `{}` holds {} geometries, so its CSV needs a WKT column named one of: {}; found headers {}",
            kind.id,
            super::geometry::type_label(kind.geometry),
            WKT_HEADERS.join(", "),
            found()
        )
    })
}

fn check_required_columns(kind: &LayerKind, headers: &[String], targets: &[Option<Target>]) -> Result<(), String> {
    let missing: Vec<String> = kind
        .fields
        .iter()
        .enumerate()
        .filter(|(i, f)| f.required && !targets.contains(&Some(Target::Field(*i))))
        .map(|(_, f)| columns::field_label(f))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "required field(s) {} have no column (by name, Chinese or English label); found headers {}",
        missing.join(", "),
        list_names(headers, true)
    ))
}

