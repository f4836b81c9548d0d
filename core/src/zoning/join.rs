//! The spatial join a user runs (`join LAYER --to communities,subdistricts,grid_cells`): every
//! feature of a layer gets, in the fields the catalog joins from each target layer, the name
//! or code of the target polygon that holds it.
//!
//! - A point is placed by itself; a line or polygon by its interior point (`geo`'s
//!   `InteriorPoint`, inside the largest part), so a school straddling two communities is
//!   placed in one, deterministically.
//! - "Holds" is decided as GDAL's `ST_Within(point, polygon)` decides it: the point lies in
//!   the polygon's interior. Where several polygons hold it (overlapping zones), the lowest fid
//!   wins. A point on a boundary and in no interior (on the edge two communities share) is
//!   given the lowest fid of the polygons whose boundary it lies on, and counted as on a
//!   boundary in the report, since `ST_Within` would put it in none.
//! - A feature no polygon holds or touches gets null in the joined fields — a value left from
//!   an earlier join would be wrong — and is listed in the report by fid and name.
//!
//! Candidates come from the R-trees through [`crate::index::join::zone_members`] (one tree
//! query per zone); only they get the exact test. Everything is written as one action
//! ([`ActionKind::Join`]), so one undo restores every field.

use std::collections::BTreeMap;

use geo::{Contains, InteriorPoint};
use geo_types::{Geometry, Point};

use crate::action::ActionKind;
use crate::catalog::JoinSource;
use crate::error::{Error, Result};
use crate::feature::{Feature, Value};
use crate::index::{join::zone_members, Entry, LayerIndex, Shape};
use crate::project::Project;
use crate::store::Storage;

/// What a join did, per target layer.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinReport {
    pub layer: String,
    /// Features in the layer.
    pub features: usize,
    /// Features whose joined fields changed (and were written).
    pub updated: usize,
    /// The action's summary in the history (`None` when nothing changed, so nothing was written).
    pub action: Option<String>,
    pub targets: Vec<TargetReport>,
}

/// The join to one target layer.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetReport {
    pub layer: String,
    /// The fields filled from it, as `field ← column`.
    pub fields: Vec<String>,
    /// Features placed in a polygon (including those on a boundary).
    pub placed: usize,
    /// Features on a boundary and in no polygon's interior, placed by the lowest fid.
    pub on_boundary: Vec<Unplaced>,
    /// Features in no polygon: their joined fields are now null.
    pub outside: Vec<Unplaced>,
}

/// A feature named in a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Unplaced {
    pub fid: i64,
    pub name: Option<String>,
}

/// Where each feature of `layer` lies, for one target: target fid per feature fid, and
/// whether it was decided on a boundary. Features in no polygon are absent.
fn place(anchors: &LayerIndex, zones: &LayerIndex) -> BTreeMap<i64, (i64, bool)> {
    let outlines: BTreeMap<i64, &Geometry<f64>> = zones
        .entries()
        .filter_map(|e| match &e.shape {
            Shape::Other(o) => Some((e.fid, &o.geometry)),
            Shape::Point(_) => None,
        })
        .collect();
    let points: BTreeMap<i64, Point<f64>> = anchors
        .entries()
        .filter_map(|e| match e.shape {
            Shape::Point([x, y]) => Some((e.fid, Point::new(x, y))),
            Shape::Other(_) => None,
        })
        .collect();
    // Members come sorted by zone, so the first zone seen for a feature has the lowest fid.
    let mut out: BTreeMap<i64, (i64, bool)> = BTreeMap::new();
    for m in zone_members(zones, anchors) {
        let inside = outlines[&m.zone].contains(&points[&m.fid]);
        match out.get(&m.fid) {
            None => {
                out.insert(m.fid, (m.zone, !inside));
            }
            Some(&(_, true)) if inside => {
                out.insert(m.fid, (m.zone, false));
            }
            _ => {}
        }
    }
    out
}

/// The point a feature is placed by: itself, a multipoint's first point, or a line's or
/// polygon's interior point.
fn anchor(g: &Geometry<f64>) -> Option<Point<f64>> {
    match g {
        Geometry::Point(p) => Some(*p),
        Geometry::MultiPoint(mp) => mp.0.first().copied(),
        other => other.interior_point(),
    }
}

/// Joins `layer` to each of `targets` and writes the joined fields of every changed feature
/// as one action. A target must be a polygon layer with features from which the catalog
/// joins at least one field of `layer`.
pub fn join<S: Storage>(project: &Project<S>, layer: &str, targets: &[&str]) -> Result<JoinReport> {
    let catalog = project.catalog();
    let kind = catalog.kind(layer)?;
    if targets.is_empty() {
        return Err(Error::Invalid("name at least one polygon layer to join to (e.g. communities)".into()));
    }
    let mut plan: Vec<(&str, Vec<(&str, &JoinSource)>)> = Vec::new();
    for &t in targets {
        catalog.kind(t)?;
        if plan.iter().any(|(seen, _)| *seen == t) {
            return Err(Error::Invalid(format!("`{t}` is named twice; name each layer to join to once")));
        }
        let fields: Vec<(&str, &JoinSource)> = kind
            .fields
            .iter()
            .filter_map(|f| f.join.as_ref().filter(|j| j.layer == t).map(|j| (f.name.as_str(), j)))
            .collect();
        if fields.is_empty() {
            let joined: Vec<String> =
                kind.fields.iter().filter_map(|f| f.join.as_ref().map(|j| format!("{} ← {}.{}", f.name, j.layer, j.take))).collect();
            let known = if joined.is_empty() { "none".to_owned() } else { joined.join(", ") };
            return Err(Error::Invalid(format!(
                "layer `{layer}` has no field filled from `{t}` (a field's `join` key in the catalog); its joined fields: {known}"
            )));
        }
        plan.push((t, fields));
    }

    let mut features: Vec<Feature> = project.features(layer)?;
    let anchors = LayerIndex::build(
        features.iter().filter_map(|f| Entry::new(f.fid?, &Geometry::Point(anchor(&f.geometry)?))).collect(),
    );
    let by_fid: BTreeMap<i64, usize> = features.iter().enumerate().filter_map(|(i, f)| Some((f.fid?, i))).collect();
    let mut reports = Vec::new();
    let mut changed = vec![false; features.len()];
    for (t, fields) in &plan {
        let zones_features = project.features(t)?;
        if zones_features.is_empty() {
            return Err(Error::Invalid(format!("layer `{t}` has no features to join to; fill it first")));
        }
        let zone_values: BTreeMap<i64, &Feature> = zones_features.iter().filter_map(|z| Some((z.fid?, z))).collect();
        let placed = place(&anchors, &*project.index(t)?);
        let mut report = TargetReport {
            layer: (*t).to_owned(),
            fields: fields.iter().map(|(f, j)| format!("{f} ← {}", j.take)).collect(),
            placed: placed.len(),
            on_boundary: Vec::new(),
            outside: Vec::new(),
        };
        for (&fid, &i) in &by_fid {
            let f = &mut features[i];
            let zone = placed.get(&fid);
            let named = || Unplaced { fid, name: f.name().map(str::to_owned) };
            match zone {
                None => report.outside.push(named()),
                Some((_, true)) => report.on_boundary.push(named()),
                Some(_) => {}
            }
            for (field, source) in fields {
                let new = zone.and_then(|(z, _)| zone_values.get(z)).map_or(Value::Null, |z| z.get(&source.take).clone());
                if f.get(field) != &new {
                    f.props.insert((*field).to_owned(), new);
                    changed[i] = true;
                }
            }
        }
        reports.push(report);
    }
    let n = features.len();
    let updates: Vec<Feature> = features.into_iter().zip(&changed).filter(|(_, c)| **c).map(|(f, _)| f).collect();
    let summary = format!("join `{layer}` to {}: {} of {n} feature(s) changed", targets.join(", "), updates.len());
    let updated = project.update_many(ActionKind::Join, layer, updates, &summary)?;
    Ok(JoinReport { layer: layer.to_owned(), features: n, updated, action: (updated > 0).then_some(summary), targets: reports })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn interior_wins_over_boundary_and_the_lowest_fid_breaks_ties() {
        let square = |x0: f64| -> Geometry<f64> {
            polygon![(x: x0, y: 0.0), (x: x0 + 1.0, y: 0.0), (x: x0 + 1.0, y: 1.0), (x: x0, y: 1.0)].into()
        };
        // 1 and 2 share the edge x = 1; 3 overlaps 2 entirely.
        let zones = LayerIndex::build(vec![
            Entry::new(1, &square(0.0)).unwrap(),
            Entry::new(2, &square(1.0)).unwrap(),
            Entry::new(3, &square(1.0)).unwrap(),
        ]);
        let pts = [(10, 0.5, 0.5), (11, 1.0, 0.5), (12, 1.5, 0.5), (13, 5.0, 5.0), (14, 0.0, 0.0)];
        let anchors =
            LayerIndex::build(pts.iter().map(|&(f, x, y)| Entry::new(f, &Geometry::Point(Point::new(x, y))).unwrap()).collect());
        let got = place(&anchors, &zones);
        assert_eq!(got.get(&10), Some(&(1, false)));
        assert_eq!(got.get(&11), Some(&(1, true)), "on the shared edge: the lowest fid, flagged");
        assert_eq!(got.get(&12), Some(&(2, false)), "inside two overlapping zones: the lowest fid");
        assert_eq!(got.get(&13), None);
        assert_eq!(got.get(&14), Some(&(1, true)), "a corner is on the boundary");
    }

    #[test]
    fn a_polygon_is_placed_by_its_interior_point() {
        let l: Geometry<f64> = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 4.0), (x: 0.0, y: 4.0)].into();
        let p = anchor(&l).unwrap();
        assert!(l.contains(&p), "{p:?}");
    }
}
