//! The sampling frame: the list of units a sample is drawn from.
//!
//! A unit is one feature of one layer, reduced to what a design needs: where it is (a WGS84
//! point; a line or polygon is represented by a point on it chosen by the caller), which
//! stratum it belongs to, and a size measure for unequal-probability designs. The frame keeps
//! the units in the order the caller gave; every result refers to a unit by its index in
//! [`Frame::units`], so that order is part of the plan and must be stored with it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One unit of a sampling frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameUnit {
    /// The layer the unit comes from (a frame may be the union of several layers).
    pub layer: String,
    /// The feature id within that layer.
    pub fid: i64,
    /// WGS84 longitude, degrees.
    pub lon: f64,
    /// WGS84 latitude, degrees.
    pub lat: f64,
    /// The stratum, for stratified designs (from an attribute or a spatial join).
    pub stratum: Option<String>,
    /// The size measure for unequal-probability GRTS (e.g. a billboard's face area); must be
    /// a positive number for every unit when the design uses it.
    pub aux: Option<f64>,
}

impl FrameUnit {
    /// A unit with no stratum and no size measure.
    pub fn new(layer: impl Into<String>, fid: i64, lon: f64, lat: f64) -> FrameUnit {
        FrameUnit { layer: layer.into(), fid, lon, lat, stratum: None, aux: None }
    }

    /// Sets the stratum; builder style.
    pub fn with_stratum(mut self, stratum: impl Into<String>) -> FrameUnit {
        self.stratum = Some(stratum.into());
        self
    }

    /// Sets the size measure; builder style.
    pub fn with_aux(mut self, aux: f64) -> FrameUnit {
        self.aux = Some(aux);
        self
    }

    /// `layer` fid `fid`, the way messages name a unit.
    pub fn label(&self) -> String {
        format!("unit `{}` fid {}", self.layer, self.fid)
    }
}

/// A sampling frame: the units a design draws from, in a fixed order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub units: Vec<FrameUnit>,
}

impl Frame {
    pub fn new(units: Vec<FrameUnit>) -> Frame {
        Frame { units }
    }

    /// The number of units, N.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Checks what every design needs: at least one unit, each at a valid WGS84 position.
    pub fn validate(&self) -> Result<()> {
        if self.units.is_empty() {
            return Err(Error::Invalid(
                "the sampling frame is empty: there are no units to sample (check the layer, the attribute filter and the polygon)"
                    .into(),
            ));
        }
        for u in &self.units {
            let ok = u.lon.is_finite() && u.lat.is_finite() && u.lon.abs() <= 180.0 && u.lat.abs() <= 90.0;
            if !ok {
                return Err(Error::Invalid(format!(
                    "{}: position ({}, {}) is not a WGS84 longitude, latitude (expected -180..180, -90..90 degrees)",
                    u.label(),
                    u.lon,
                    u.lat
                )));
            }
        }
        Ok(())
    }

    /// The number of units in each stratum, N_h, by stratum name. Every unit must have a
    /// stratum; the error names the first that has none.
    pub fn stratum_sizes(&self) -> Result<BTreeMap<String, usize>> {
        let mut sizes = BTreeMap::new();
        for u in &self.units {
            match &u.stratum {
                Some(s) => *sizes.entry(s.clone()).or_insert(0) += 1,
                None => {
                    return Err(Error::Invalid(format!(
                        "{}: field `stratum` is empty; a stratified design needs a stratum for every unit \
                         (filter those units out or stratify by a field that every unit has)",
                        u.label()
                    )))
                }
            }
        }
        Ok(sizes)
    }

    /// The size measure of every unit; the error names the first unit whose `aux` is missing,
    /// not a number, zero or negative.
    pub fn sizes(&self) -> Result<Vec<f64>> {
        self.units
            .iter()
            .map(|u| match u.aux {
                Some(a) if a.is_finite() && a > 0.0 => Ok(a),
                Some(a) => Err(Error::Invalid(format!(
                    "{}: field `aux` (the size measure) is {a}; unequal-probability GRTS needs a positive number \
                     for every unit (filter those units out or choose another size field)",
                    u.label()
                ))),
                None => Err(Error::Invalid(format!(
                    "{}: field `aux` (the size measure) is missing; unequal-probability GRTS needs a positive number \
                     for every unit (filter those units out or choose another size field)",
                    u.label()
                ))),
            })
            .collect()
    }

    /// The units' positions in metres on a local plane: equirectangular, centred on the
    /// frame's mean position. Exact enough for ordering units in space over a city (the
    /// scale error across 50 km north–south is under 0.5 %); frames are assumed not to
    /// straddle the ±180° meridian.
    pub fn local_xy(&self) -> Vec<[f64; 2]> {
        if self.units.is_empty() {
            return Vec::new();
        }
        let n = self.units.len() as f64;
        let lat0 = self.units.iter().map(|u| u.lat).sum::<f64>() / n;
        let lon0 = self.units.iter().map(|u| u.lon).sum::<f64>() / n;
        let k = crate::crs::EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        let kx = k * lat0.to_radians().cos();
        self.units.iter().map(|u| [(u.lon - lon0) * kx, (u.lat - lat0) * k]).collect()
    }
}
