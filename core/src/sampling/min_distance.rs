//! An optional minimum distance between sampled sites, in geodesic metres.
//!
//! # How it works
//!
//! The design first orders candidate units exactly as it would without the constraint:
//! - SRS and stratified: the same random permutation the design walks;
//! - GRTS: the GRTS sample itself (base sites, then replacement sites, in their order), then
//!   every other unit of the frame in a reverse hierarchical order of the randomized GRTS
//!   line, which keeps refills spread over the frame.
//!
//! A greedy walk over the candidates then takes a unit when its stratum still needs a site
//! and it lies at least the minimum distance from **every** site already taken, base and
//! replacement alike (a replacement site may end up next to any base site, so all pairs are
//! kept apart). Base quotas are filled first, then replacement quotas. With no unit too close
//! to another, the result is exactly the design's sample.
//!
//! # What it does to inclusion probabilities
//!
//! It makes them **approximate**. A unit with close neighbours is passed over whenever one of
//! them is taken first, so units in dense clusters are chosen less often than their π, and
//! isolated units more often; certainty units (π = 1) are no longer certain if two lie closer
//! than the minimum. The sample still reports the design's π (spsurvey's practice with its
//! `mindis` option, which also re-draws until sites are far enough apart). The distortion is
//! small when the minimum distance is small against the typical spacing of *sampled* sites
//! (about √(area/n)); an evaluator who needs exact design-based inference should leave it off
//! or keep it to a few tens of metres ("not the same corner").
//!
//! # When it cannot be kept
//!
//! If the walk runs out of candidates with a quota still open, the draw fails and says how
//! many sites it placed. The walk is greedy, so a cleverer choice might fit a few more sites;
//! the remedy is a smaller minimum distance, n or over (or another seed).
//!
//! Distances are geodesic on WGS84 ([`crate::crs::distance_m`]); a spherical great-circle
//! distance (within 0.6 % of the geodesic) decides the clear cases first, so the geodesic is
//! computed only for pairs near the threshold.

use std::collections::BTreeMap;

use geo_types::Coord;

use super::Frame;
use crate::error::Error;

/// The sites taken so far and the distance they must keep.
pub(crate) struct Spacing<'a> {
    frame: &'a Frame,
    min_m: f64,
    taken: Vec<usize>,
}

impl<'a> Spacing<'a> {
    pub fn new(frame: &'a Frame, min_m: f64) -> Spacing<'a> {
        Spacing { frame, min_m, taken: Vec::new() }
    }

    /// Takes `u` if it is at least the minimum distance from every unit taken so far.
    pub fn try_take(&mut self, u: usize) -> bool {
        if self.taken.iter().all(|&t| self.far_enough(u, t)) {
            self.taken.push(u);
            true
        } else {
            false
        }
    }

    fn far_enough(&self, a: usize, b: usize) -> bool {
        let (ua, ub) = (&self.frame.units[a], &self.frame.units[b]);
        let approx = great_circle_m(ua.lon, ua.lat, ub.lon, ub.lat);
        // The sphere errs by at most ~0.56 % against the ellipsoid; 1 % plus a metre is safe.
        if approx > self.min_m * 1.01 + 1.0 {
            return true;
        }
        if approx < self.min_m * 0.99 - 1.0 {
            return false;
        }
        crate::crs::distance_m(Coord { x: ua.lon, y: ua.lat }, Coord { x: ub.lon, y: ub.lat }) >= self.min_m
    }
}

/// Haversine distance on the mean-radius sphere, metres.
fn great_circle_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * crate::crs::EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// The error for a minimum distance the greedy walk could not keep.
pub(crate) fn infeasible(
    min_m: f64,
    big_n: usize,
    replacement: bool,
    quota: &BTreeMap<String, usize>,
    open: &BTreeMap<&str, usize>,
) -> Error {
    let wanted: usize = quota.values().sum();
    let missing: usize = open.values().sum();
    let what = if replacement { "replacement" } else { "base" };
    let strata: Vec<String> = open
        .iter()
        .filter(|(s, &left)| left > 0 && !s.is_empty())
        .map(|(s, left)| format!("`{s}` short by {left}"))
        .collect();
    let by_stratum = if strata.is_empty() { String::new() } else { format!(" ({})", strata.join(", ")) };
    Error::Invalid(format!(
        "minimum distance of {min_m} m is infeasible for this sample: after trying all {big_n} units only {} of the {wanted} \
         {what} sites could be placed at least {min_m} m from every other site{by_stratum}; \
         lower the minimum distance, n or the number of replacement sites",
        wanted - missing
    ))
}
