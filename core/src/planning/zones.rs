//! Pilot zones (试点片区): the areas planners draft for a pilot — chargers in one old
//! neighbourhood, drying areas in another — each with a theme, a status, an author, a date and
//! a note.
//!
//! A zone is a feature of the catalog layer [`ZONE_LAYER`], so it is stored, edited, undone,
//! redone and exported like every feature, and QGIS opens it as an ordinary layer. What this
//! module adds is the planning domain's rules: a zone's name is unique among zones (reports and
//! `--zone` find zones by it), its area is a real polygon, and a new zone is a draft dated today
//! unless told otherwise.

use geo::{Area, BoundingRect, GeodesicArea, Validation};
use geo_types::{Geometry, MultiPolygon};
use serde::Serialize;
use ts_rs::TS;

use crate::dates;
use crate::feature::{Feature, Value};
use crate::project::Project;
use crate::store::Storage;
use crate::{Error, Result};

/// The catalog layer that holds the pilot zones.
pub const ZONE_LAYER: &str = "pilot_zones";

/// A pilot zone as planners see it (and the window lists it).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PilotZone {
    #[ts(type = "number")]
    pub fid: i64,
    pub name: String,
    /// Such as 充电桩试点.
    pub theme: String,
    /// `draft` or `approved`.
    pub status: String,
    pub author: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    pub note: Option<String>,
    /// The zone's area in km² (geodesic).
    pub area_km2: f64,
    /// `[west, south, east, north]`, to zoom to.
    pub bounds: Option<[f64; 4]>,
    #[serde(skip)]
    #[ts(skip)]
    pub area: MultiPolygon<f64>,
}

/// What a new zone is made of; `status` defaults to `draft` and `date` to today (China time).
#[derive(Debug, Clone)]
pub struct NewZone {
    pub name: String,
    pub theme: String,
    pub status: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    pub note: Option<String>,
    pub geometry: Geometry<f64>,
}

/// Every zone, by name.
pub fn zones<S: Storage>(project: &Project<S>) -> Result<Vec<PilotZone>> {
    let mut zones: Vec<PilotZone> = project.features(ZONE_LAYER)?.iter().filter_map(zone_of).collect();
    zones.sort_by(|a, b| a.name.cmp(&b.name).then(a.fid.cmp(&b.fid)));
    Ok(zones)
}

/// The zone called `name`; the error lists the zones there are.
pub fn zone<S: Storage>(project: &Project<S>, name: &str) -> Result<PilotZone> {
    let all = zones(project)?;
    let mut named = all.iter().filter(|z| z.name == name);
    match (named.next(), named.next()) {
        (Some(z), None) => Ok(z.clone()),
        (Some(_), Some(_)) => Err(Error::Invalid(format!(
            "two pilot zones are named `{name}` (one was drawn in another program or as a plain feature); rename one in layer `{ZONE_LAYER}`"
        ))),
        (None, _) => Err(Error::Invalid(format!("no pilot zone named `{name}`; the zones are: {}", names(&all)))),
    }
}

/// Adds a zone as one action (undoable); returns its fid. Refuses an empty or taken name, an
/// unknown status, a bad date and anything but a valid polygon of some area.
pub fn add_zone<S: Storage>(project: &Project<S>, new: NewZone) -> Result<i64> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a pilot zone needs a name".into()));
    }
    if new.theme.trim().is_empty() {
        return Err(Error::Invalid(format!("pilot zone `{name}` needs a theme, such as 充电桩试点")));
    }
    if zones(project)?.iter().any(|z| z.name == name) {
        return Err(Error::Invalid(format!("a pilot zone named `{name}` exists; choose another name or remove it first")));
    }
    let area = zone_area(name, &new.geometry)?;
    let status = new.status.as_deref().unwrap_or("draft");
    if !matches!(status, "draft" | "approved") {
        return Err(Error::Invalid(format!("pilot zone `{name}`: status `{status}` is not one of `draft` (草案), `approved` (已批准)")));
    }
    let date = match new.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => dates::ymd(dates::today_cst().date()),
        Some(d) => match dates::parse_ymd(d) {
            Some(parsed) => dates::ymd(parsed),
            None => return Err(Error::Invalid(format!("pilot zone `{name}`: date `{d}` is not a date; write it as 2026-11-28"))),
        },
    };
    let mut feature = Feature::new(area)
        .with("name", name)
        .with("theme", new.theme.trim())
        .with("status", status)
        .with("date", Value::Date(date));
    for (field, value) in [("author", &new.author), ("note", &new.note)] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            feature = feature.with(field, v);
        }
    }
    let fids = project.insert(ZONE_LAYER, vec![feature], &format!("新建试点片区 {name}"))?;
    Ok(fids[0])
}

/// Renames a zone as one action (undoable).
pub fn rename_zone<S: Storage>(project: &Project<S>, name: &str, new_name: &str) -> Result<()> {
    let new_name = new_name.trim();
    if new_name.is_empty() {
        return Err(Error::Invalid("a pilot zone needs a name".into()));
    }
    let z = zone(project, name)?;
    if new_name != name && zones(project)?.iter().any(|other| other.name == new_name) {
        return Err(Error::Invalid(format!("a pilot zone named `{new_name}` exists; choose another name")));
    }
    let mut feature = project.feature(ZONE_LAYER, z.fid)?;
    feature.props.insert("name".into(), Value::Text(new_name.to_owned()));
    project.update(ZONE_LAYER, feature, &format!("试点片区 {name} 改名为 {new_name}"))
}

/// Removes a zone as one action (undoable).
pub fn remove_zone<S: Storage>(project: &Project<S>, name: &str) -> Result<()> {
    let z = zone(project, name)?;
    project.delete(ZONE_LAYER, &[z.fid], &format!("删除试点片区 {name}"))
}

/// A zone's outline from text: GeoJSON (a geometry, a Feature, or a FeatureCollection of one
/// feature) or WKT, in WGS 84 longitude/latitude. `source` names the text in messages.
pub fn outline_from_text(source: &str, text: &str) -> Result<Geometry<f64>> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if !text.starts_with('{') {
        return crate::io::wkt::from_wkt(text).map_err(|e| Error::Invalid(format!("{source}: not GeoJSON, and not WKT either: {e}")));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::Invalid(format!("{source}: not valid JSON: {e}")))?;
    let geometry = match value.get("type").and_then(|t| t.as_str()) {
        Some("FeatureCollection") => match value["features"].as_array().map(Vec::as_slice) {
            Some([one]) => one["geometry"].clone(),
            Some(many) => {
                return Err(Error::Invalid(format!("{source}: {} features; a zone is one outline: keep one feature", many.len())))
            }
            None => return Err(Error::Invalid(format!("{source}: a FeatureCollection without `features`"))),
        },
        Some("Feature") => value["geometry"].clone(),
        _ => value,
    };
    crate::edit::geometry_from_geojson(&geometry).map_err(|e| Error::Invalid(format!("{source}: {e}")))
}

/// The outline of the feature called `name` in `layer` (a community made a zone).
pub fn outline_of_feature<S: Storage>(project: &Project<S>, layer: &str, name: &str) -> Result<Geometry<f64>> {
    project.catalog().kind(layer)?;
    let features = project.features(layer)?;
    let mut named = features.iter().filter(|f| f.name() == Some(name));
    match (named.next(), named.next()) {
        (Some(f), None) => Ok(f.geometry.clone()),
        (Some(_), Some(_)) => Err(Error::Invalid(format!("layer `{layer}` has several features named `{name}`; give the outline as a file"))),
        (None, _) => Err(Error::Invalid(format!("layer `{layer}` has no feature named `{name}`"))),
    }
}

/// A stored feature as a zone; features without a name or an area are left out (a zone is
/// found by its name, and one drawn elsewhere without a name cannot be asked for).
fn zone_of(f: &Feature) -> Option<PilotZone> {
    let name = f.name()?.to_owned();
    let area = match &f.geometry {
        Geometry::MultiPolygon(m) => m.clone(),
        Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
        _ => return None,
    };
    let text = |k: &str| f.get(k).as_str().map(str::to_owned);
    Some(PilotZone {
        fid: f.fid?,
        name,
        theme: text("theme").unwrap_or_default(),
        status: text("status").unwrap_or_else(|| "draft".into()),
        author: text("author"),
        date: text("date"),
        note: text("note"),
        area_km2: area.geodesic_area_unsigned() / 1e6,
        bounds: area.bounding_rect().map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
        area,
    })
}

/// The zone's outline as a multipolygon, refused unless it is a valid polygon of some area.
fn zone_area(name: &str, geometry: &Geometry<f64>) -> Result<MultiPolygon<f64>> {
    let area = match geometry {
        Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
        Geometry::MultiPolygon(m) => m.clone(),
        other => {
            return Err(Error::Invalid(format!(
                "pilot zone `{name}`: a zone is an area; got a {}",
                crate::project::geometry_name(other)
            )))
        }
    };
    if let Err(problem) = area.check_validation() {
        return Err(Error::Invalid(format!("pilot zone `{name}` is not a valid polygon ({problem}); redraw it without crossing its own edge")));
    }
    if area.unsigned_area() <= 0.0 {
        return Err(Error::Invalid(format!("pilot zone `{name}` has no area; draw at least three corners")));
    }
    Ok(area)
}

/// The zones' names for a message.
fn names(zones: &[PilotZone]) -> String {
    if zones.is_empty() {
        "none yet (draw one, or `wardgis zone add`)".into()
    } else {
        zones.iter().map(|z| z.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use geo_types::{polygon, Polygon};

    fn square(x: f64, y: f64, side: f64) -> Polygon<f64> {
        polygon![(x: x, y: y), (x: x + side, y: y), (x: x + side, y: y + side), (x: x, y: y + side), (x: x, y: y)]
    }

    fn zone_named(name: &str, p: Polygon<f64>) -> NewZone {
        NewZone { name: name.into(), theme: "充电桩试点".into(), status: None, author: None, date: None, note: None, geometry: p.into() }
    }

    #[test]
    fn zones_are_added_listed_renamed_removed_and_every_step_undoes() {
        let dir = tempfile::tempdir().unwrap();
        let p = Project::create(&dir.path().join("z.gpkg"), Catalog::embedded()).unwrap();
        add_zone(&p, zone_named("城中试点", square(119.82, 31.36, 0.01))).unwrap();
        let z = zone(&p, "城中试点").unwrap();
        assert_eq!((z.status.as_str(), z.theme.as_str()), ("draft", "充电桩试点"));
        assert!(z.date.as_deref().is_some_and(|d| d.len() == 10), "{:?}", z.date);
        // 0.01° square at 31.36° N: about 1.11 km × 0.95 km.
        assert!((z.area_km2 - 1.057).abs() < 0.01, "{}", z.area_km2);

        let e = add_zone(&p, zone_named("城中试点", square(119.84, 31.36, 0.01))).unwrap_err().to_string();
        assert!(e.contains("exists"), "{e}");
        rename_zone(&p, "城中试点", "城中充电桩试点").unwrap();
        assert_eq!(zones(&p).unwrap().iter().map(|z| z.name.as_str()).collect::<Vec<_>>(), ["城中充电桩试点"]);
        remove_zone(&p, "城中充电桩试点").unwrap();
        assert!(zones(&p).unwrap().is_empty());
        let e = zone(&p, "城中试点").unwrap_err().to_string();
        assert!(e.contains("none yet"), "{e}");

        p.undo().unwrap(); // the removal
        assert_eq!(zones(&p).unwrap()[0].name, "城中充电桩试点");
        p.undo().unwrap(); // the rename
        assert_eq!(zones(&p).unwrap()[0].name, "城中试点");
        p.redo().unwrap();
        assert_eq!(zones(&p).unwrap()[0].name, "城中充电桩试点");
    }

    #[test]
    fn a_zone_must_be_a_named_valid_area() {
        let dir = tempfile::tempdir().unwrap();
        let p = Project::create(&dir.path().join("z.gpkg"), Catalog::embedded()).unwrap();
        let bow_tie = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0), (x: 0.0, y: 0.0)];
        let e = add_zone(&p, zone_named("蝴蝶", bow_tie)).unwrap_err().to_string();
        assert!(e.contains("not a valid polygon"), "{e}");
        let e = add_zone(&p, zone_named(" ", square(0.0, 0.0, 1.0))).unwrap_err().to_string();
        assert!(e.contains("needs a name"), "{e}");
        let point = NewZone { geometry: geo_types::Point::new(1.0, 1.0).into(), ..zone_named("点", square(0.0, 0.0, 1.0)) };
        assert!(add_zone(&p, point).unwrap_err().to_string().contains("got a POINT"));
        let bad_status = NewZone { status: Some("done".into()), ..zone_named("甲", square(0.0, 0.0, 1.0)) };
        assert!(add_zone(&p, bad_status).unwrap_err().to_string().contains("`done`"));
        let bad_date = NewZone { date: Some("28/11/2026".into()), ..zone_named("乙", square(0.0, 0.0, 1.0)) };
        assert!(add_zone(&p, bad_date).unwrap_err().to_string().contains("2026-11-28"));
        assert!(zones(&p).unwrap().is_empty());
    }
}
