//! Design-based estimates with confidence intervals: the mean score and the pass rate of
//! the sites a third-party evaluator inspected, per stratum and overall.
//!
//! "Design-based" means the uncertainty comes from the random draw of the sites, not from a
//! model of the scores: each site carries its first-order inclusion probability π (what the
//! sampling plan gave it), and the estimator and its variance follow from the design that
//! drew it. Nothing here reads the project file; the caller hands over the observations and
//! the stratum sizes of the frame.
//!
//! # Which estimator for which design
//!
//! | design of the sample | [`VarianceMethod`] | point estimate per stratum | variance per stratum |
//! |---|---|---|---|
//! | simple random sampling (SRS) | `Stratified` (one stratum) | sample mean | (1 − n/N) s²/n |
//! | stratified SRS (any allocation) | `Stratified` | sample mean ȳ_h | (1 − n_h/N_h) s_h²/n_h |
//! | GRTS, equal or unequal π (per stratum or not) | `LocalNeighbourhood` | Hájek mean | local neighbourhood |
//!
//! Strata are always combined with their known sizes from the frame: ȳ = Σ W_h ȳ_h with
//! W_h = N_h/N, v(ȳ) = Σ W_h² v(ȳ_h) — strata are drawn independently, so variances add
//! (Cochran, *Sampling Techniques*, 3rd ed., 1977, ch. 5, eq. 5.1 and 5.6; see
//! [`stratified`]). An unstratified sample is one stratum, named `""`.
//!
//! **The point estimate within a stratum is the Hájek mean** Σ(yᵢ/πᵢ) / Σ(1/πᵢ), the
//! Horvitz–Thompson total divided by the HT estimate of the stratum size, not the HT total
//! divided by the known N_h (see [`horvitz_thompson`]). Under SRS within a stratum the πᵢ are
//! equal and both reduce to the plain sample mean. Under GRTS with unequal probabilities the
//! Hájek form is preferred because it is location-invariant (a score shifted by 10 points
//! shifts the estimate by exactly 10, which HT/N does not guarantee) and its variance is
//! smaller when Σ 1/πᵢ varies between samples; it is also what R spsurvey reports. Its
//! variance is the variance of the HT total of the residuals (yᵢ − ȳ)/πᵢ divided by
//! N̂² = (Σ 1/πᵢ)² (Taylor linearisation of the ratio), as in spsurvey's `mean_var`.
//!
//! **Stratified variance** ([`stratified`]): the SRS-without-replacement formula with the
//! finite population correction, computed from the observed n_h (a site that could not be
//! visited and was not replaced is treated as missing at random within its stratum). It
//! requires equal π within each stratum and refuses unequal ones, which mean another design.
//!
//! **Local neighbourhood variance** ([`local_neighbourhood`]): Stevens and Olsen (2003),
//! "Variance estimation for spatially balanced samples of environmental resources",
//! *Environmetrics* 14:593–610, as implemented in spsurvey's `localmean_weight` and
//! `localmean_var`: each site is compared with its 3 nearest sampled neighbours through
//! doubly stochastic, inverse-probability weights. A GRTS sample is spread evenly, so this
//! variance is close to that of a fine stratification and, on a frame whose scores follow a
//! spatial trend, smaller than the SRS formula would say (which would also be valid, but
//! wastefully wide). **One deliberate departure from spsurvey:** each neighbourhood's term
//! is divided by 1 − Σⱼ wᵢⱼ², the small-sample correction (like n − 1 in s²) without which
//! the estimator gives about 0.74 of the variance when site values have no spatial pattern;
//! in our simulations spsurvey's form covered 90–95 % instead of 95 %, the corrected form
//! 93.7–97.3 % (see [`local_neighbourhood`] and docs/ESTIMATES.md). As in spsurvey, no
//! finite population correction is applied, and a stratum with 2 or 3 sites, or whose
//! local estimate is negative, gets the with-replacement variance
//! n/(n−1) Σ (zᵢ − z̄)² / N̂² instead.
//!
//! **Proportions** ([`estimate_proportion`]) are means of 0/1 values (1 = pass); the same
//! estimators apply, and the interval is clipped to [0, 1]. Under SRS, s_h² then equals
//! n_h p_h (1 − p_h)/(n_h − 1), Cochran eq. 5.4.
//!
//! **Confidence intervals** are normal: estimate ± z·SE with z = Φ⁻¹((1 + conf)/2)
//! ([`normal`]), 1.959964 for 95 %. They are approximate: trustworthy for the overall
//! estimate with tens of sites, rough for a stratum with a handful. A pass rate of 0 or 1 in
//! a stratum gives SE 0 and an interval of one point; report the n alongside.
//!
//! # Edge cases, decided conservatively
//!
//! - A stratum observed in full (n_h = N_h) is a census: its mean is the plain mean of its
//!   values and its variance 0, whatever the method.
//! - A stratum with a single observation out of more than one unit has no variance
//!   estimate; rather than invent one (or silently pool it with a stratum of our choosing),
//!   the estimate fails and the message says to merge it with a similar stratum (adding
//!   the sizes) or to observe one more site.
//! - A stratum of the frame (N_h > 0 in the sizes) without any observation fails too: the
//!   overall figure would silently leave it out. Leave it out of the sizes to estimate over
//!   the other strata only. Strata of size 0 are ignored.
//!
//! # Example
//!
//! ```
//! use std::collections::BTreeMap;
//! use wardgis::estimate::{estimate_mean, Observation, VarianceMethod};
//!
//! let site = |value: f64, stratum: &str, n: f64, size: f64| Observation {
//!     value, inclusion_prob: n / size, stratum: stratum.into(), lon: 119.82, lat: 31.36,
//! };
//! let obs = vec![
//!     site(80.0, "A", 2.0, 10.0), site(90.0, "A", 2.0, 10.0),
//!     site(60.0, "B", 2.0, 30.0), site(70.0, "B", 2.0, 30.0),
//! ];
//! let sizes = BTreeMap::from([("A".to_string(), 10), ("B".to_string(), 30)]);
//! let e = estimate_mean(&obs, &sizes, VarianceMethod::Stratified, 0.95).unwrap();
//! assert!((e.overall.estimate - (0.25 * 85.0 + 0.75 * 65.0)).abs() < 1e-12);
//! assert_eq!(e.by_stratum["B"].n, 2);
//! ```

pub mod horvitz_thompson;
pub mod local_neighbourhood;
pub mod normal;
pub mod stratified;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use horvitz_thompson::hajek_mean;
use stratified::StratumMean;

/// One observed site: its value (a score, or 1.0/0.0 for pass/fail), its first-order
/// inclusion probability, its stratum ("" if none), and its position (lon, lat, WGS84) for
/// the local variance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Observation {
    pub value: f64,
    pub inclusion_prob: f64,
    pub stratum: String,
    pub lon: f64,
    pub lat: f64,
}

/// An estimate with its standard error and a normal confidence interval at level `conf`,
/// from `n` observations of a population of `population` units (the known frame size N, or
/// N_h for a stratum).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub estimate: f64,
    pub std_error: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub conf: f64,
    pub n: usize,
    pub population: f64,
}

/// The overall estimate and one per stratum (keyed by stratum name; an unstratified sample
/// has the single stratum `""`, whose estimate equals the overall one).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Estimates {
    pub overall: Estimate,
    pub by_stratum: BTreeMap<String, Estimate>,
}

/// How the variance within each stratum is estimated; choose it from the design that drew
/// the sample (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum VarianceMethod {
    /// Simple random sampling without replacement within strata, with the finite population
    /// correction (SRS is the one-stratum case).
    Stratified,
    /// The local neighbourhood estimator of Stevens and Olsen (2003), for GRTS samples.
    LocalNeighbourhood,
}

/// The mean of the values per stratum and overall. Within a stratum, the Hájek mean
/// Σ(yᵢ/πᵢ)/Σ(1/πᵢ) (the sample mean under SRS); overall, the strata combined with the known
/// weights N_h/N from `strata_sizes`. See the [module documentation](self) for the variances.
///
/// Fails, naming what is wrong and what is accepted, on: no observations; a value that is
/// not finite; an inclusion probability outside (0, 1]; a non-finite or out-of-range
/// position (local variance only); a stratum missing from `strata_sizes` or present there
/// without observations; more observations than units in a stratum; a stratum with one
/// observation out of several units; unequal probabilities within a stratum (stratified
/// variance only); `conf` outside (0, 1).
pub fn estimate_mean(
    obs: &[Observation],
    strata_sizes: &BTreeMap<String, u64>,
    method: VarianceMethod,
    conf: f64,
) -> Result<Estimates> {
    estimate(obs, strata_sizes, method, conf, false)
}

/// The proportion of values equal to 1.0 (a pass rate), per stratum and overall: the same
/// estimators as [`estimate_mean`] on 0/1 values, with intervals clipped to [0, 1]. Every
/// value must be exactly 1.0 (pass) or 0.0 (fail); anything else (a score passed by mistake)
/// is an error.
pub fn estimate_proportion(
    obs: &[Observation],
    strata_sizes: &BTreeMap<String, u64>,
    method: VarianceMethod,
    conf: f64,
) -> Result<Estimates> {
    for (i, o) in obs.iter().enumerate() {
        if o.value != 0.0 && o.value != 1.0 {
            return Err(Error::Invalid(format!(
                "observation {} (stratum `{}`): value {} is not a pass/fail value; a proportion \
                 needs 1.0 (pass) or 0.0 (fail)",
                i + 1,
                o.stratum,
                o.value
            )));
        }
    }
    estimate(obs, strata_sizes, method, conf, true)
}

fn estimate(
    obs: &[Observation],
    strata_sizes: &BTreeMap<String, u64>,
    method: VarianceMethod,
    conf: f64,
    proportion: bool,
) -> Result<Estimates> {
    if !(conf > 0.0 && conf < 1.0) {
        return Err(Error::Invalid(format!(
            "confidence level {conf} is outside (0, 1); give it as a fraction, e.g. 0.95"
        )));
    }
    if obs.is_empty() {
        return Err(Error::Invalid(
            "no observations to estimate from; at least one observed site per stratum is needed".into(),
        ));
    }
    check_observations(obs, method)?;

    let mut groups: BTreeMap<&str, Vec<&Observation>> = BTreeMap::new();
    for o in obs {
        groups.entry(o.stratum.as_str()).or_default().push(o);
    }
    let known = || {
        if strata_sizes.is_empty() {
            "none".to_string()
        } else {
            strata_sizes.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        }
    };
    for (name, &size) in strata_sizes {
        if size > 0 && !groups.contains_key(name.as_str()) {
            return Err(Error::Invalid(format!(
                "stratum `{name}` has {size} units in the frame but no observations, so the \
                 overall estimate cannot represent it; observe sites there, or leave it out of \
                 the stratum sizes to estimate over the other strata only"
            )));
        }
    }

    let z = normal::two_sided_z(conf);
    let mut strata = Vec::with_capacity(groups.len());
    let mut by_stratum = BTreeMap::new();
    for (name, members) in &groups {
        let Some(&size) = strata_sizes.get(*name) else {
            return Err(Error::Invalid(format!(
                "stratum `{name}` of {} observation(s) has no size; known strata: {}",
                members.len(),
                known()
            )));
        };
        let m = stratum_mean(name, members, size, method)?;
        by_stratum.insert(name.to_string(), interval(m, members.len(), size as f64, conf, z, proportion));
        strata.push((size, m));
    }
    let total = strata.iter().map(|(size, _)| *size as f64).sum();
    let overall = interval(stratified::combine(&strata), obs.len(), total, conf, z, proportion);
    Ok(Estimates { overall, by_stratum })
}

fn check_observations(obs: &[Observation], method: VarianceMethod) -> Result<()> {
    for (i, o) in obs.iter().enumerate() {
        let at = || format!("observation {} (stratum `{}`)", i + 1, o.stratum);
        if !o.value.is_finite() {
            return Err(Error::Invalid(format!("{}: value {} is not a finite number", at(), o.value)));
        }
        if !(o.inclusion_prob > 0.0 && o.inclusion_prob <= 1.0) {
            return Err(Error::Invalid(format!(
                "{}: inclusion probability {} is outside (0, 1]; it is the chance the design \
                 gave the site of being drawn, e.g. n/N = 0.05",
                at(),
                o.inclusion_prob
            )));
        }
        if method == VarianceMethod::LocalNeighbourhood
            && !(o.lon.is_finite() && o.lat.is_finite() && o.lon.abs() <= 180.0 && o.lat.abs() <= 90.0)
        {
            return Err(Error::Invalid(format!(
                "{}: position ({}, {}) is not a WGS84 longitude, latitude; the local \
                 neighbourhood variance needs each site's position (lon in [-180, 180], lat in \
                 [-90, 90])",
                at(),
                o.lon,
                o.lat
            )));
        }
    }
    Ok(())
}

/// The mean and variance of one stratum of `size` units from its observations.
fn stratum_mean(name: &str, members: &[&Observation], size: u64, method: VarianceMethod) -> Result<StratumMean> {
    let n = members.len();
    let values: Vec<f64> = members.iter().map(|o| o.value).collect();
    let probs: Vec<f64> = members.iter().map(|o| o.inclusion_prob).collect();
    if n as u64 > size {
        return Err(Error::Invalid(format!(
            "stratum `{name}` has {n} observations but only {size} units in the frame; a stratum \
             cannot have more observed sites than units (check the stratum sizes, or sites \
             entered twice)"
        )));
    }
    if n as u64 == size {
        // A census of the stratum: nothing is estimated.
        return Ok(StratumMean { mean: values.iter().sum::<f64>() / n as f64, variance: 0.0 });
    }
    if n == 1 {
        return Err(Error::Invalid(format!(
            "stratum `{name}` has 1 observation out of {size} units, which gives no variance \
             estimate; at least 2 are needed (or all {size}): observe another site, or merge the \
             stratum with a similar one (adding their sizes)"
        )));
    }
    match method {
        VarianceMethod::Stratified => {
            stratified::check_equal_probabilities(name, &probs)?;
            Ok(stratified::srs_mean(&values, size))
        }
        VarianceMethod::LocalNeighbourhood => {
            let mean = hajek_mean(&values, &probs);
            let lon_lat: Vec<(f64, f64)> = members.iter().map(|o| (o.lon, o.lat)).collect();
            let (variance, _) = local_neighbourhood::hajek_mean_variance(&values, &probs, &lon_lat, mean);
            Ok(StratumMean { mean, variance })
        }
    }
}

fn interval(m: StratumMean, n: usize, population: f64, conf: f64, z: f64, proportion: bool) -> Estimate {
    let std_error = m.variance.max(0.0).sqrt();
    let (mut ci_low, mut ci_high) = (m.mean - z * std_error, m.mean + z * std_error);
    if proportion {
        ci_low = ci_low.clamp(0.0, 1.0);
        ci_high = ci_high.clamp(0.0, 1.0);
    }
    Estimate { estimate: m.mean, std_error, ci_low, ci_high, conf, n, population }
}
