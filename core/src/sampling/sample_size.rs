//! How many sites: the sample size that estimates a proportion (a pass rate) to a margin of
//! error at a confidence level, with the finite population correction.
//!
//! For simple random sampling from an infinite population, n₀ = z²·p(1−p)/e², where e is the
//! margin of error (0.05 for ±5 points), p the expected proportion (0.5 when unknown: the
//! largest n₀) and z the standard normal quantile for (1 + confidence)/2 (1.96 for 95 %).
//! From a frame of N units, n = n₀ / (1 + (n₀ − 1)/N) (Cochran 1977, *Sampling Techniques*,
//! §4.4), rounded up. For 0.05, 95 %, p = 0.5: n₀ = 384.15, so 385 from a very large frame and
//! 278 from N = 1000.
//!
//! For a stratified design the overall n is computed from ΣN_h the same way and then
//! allocated ([`super::allocate`]). With proportional allocation this is conservative (the
//! stratified estimator is at least as precise as SRS of the same n, up to rounding); with
//! equal or Neyman allocation under a poor prior it may not be. It gives the *overall*
//! precision; a stratum reported on its own needs its own n_h from [`sample_size_proportion`]
//! with its N_h.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Allocation;
use crate::error::{Error, Result};

/// A sample size for a proportion.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SampleSize {
    /// For an infinite population (before the finite population correction), unrounded.
    pub n0: f64,
    /// With the finite population correction when a population size was given, rounded up;
    /// ⌈n₀⌉ otherwise. At least 1, at most N.
    pub n: usize,
    /// The standard normal quantile used, z_{(1+conf)/2}.
    pub z: f64,
}

/// Sample size for estimating a proportion `p` to ±`moe` at confidence `conf`, from a frame of
/// `population` units (or an infinite one). moe and conf in (0, 1), p in [0, 1]. With p = 0
/// or 1 the formula gives 0; the answer is then 1 (a sample cannot be empty).
pub fn sample_size_proportion(moe: f64, conf: f64, p: f64, population: Option<u64>) -> Result<SampleSize> {
    if !(moe > 0.0 && moe < 1.0) {
        return Err(Error::Invalid(format!(
            "margin of error {moe}: expected a proportion between 0 and 1, exclusive (0.05 for ±5 percentage points)"
        )));
    }
    if !(conf > 0.0 && conf < 1.0) {
        return Err(Error::Invalid(format!(
            "confidence level {conf}: expected a proportion between 0 and 1, exclusive (0.95 for 95 %)"
        )));
    }
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::Invalid(format!(
            "expected proportion {p}: expected a number from 0 to 1 (0.5 when unknown, the most cautious)"
        )));
    }
    if population == Some(0) {
        return Err(Error::Invalid("population size N = 0: expected at least 1 unit".into()));
    }
    let z = crate::estimate::normal::normal_quantile((1.0 + conf) / 2.0);
    let n0 = z * z * p * (1.0 - p) / (moe * moe);
    let n_exact = match population {
        Some(big_n) => n0 / (1.0 + (n0 - 1.0) / big_n as f64),
        None => n0,
    };
    // A hair's tolerance so that 100.000000000001 from rounding is 100, not 101.
    let mut n = ((n_exact - 1e-9).ceil().max(1.0)) as usize;
    if let Some(big_n) = population {
        n = n.min(big_n as usize);
    }
    Ok(SampleSize { n0, n, z })
}

/// Sample size for a stratified design: the overall n by [`sample_size_proportion`] with
/// N = ΣN_h, then shared among the strata by `allocation` (see [`super::allocate`]); the
/// values sum to that n (raised to the number of strata, if the frame allows, so that every
/// stratum gets a site).
pub fn sample_size_stratified(
    moe: f64,
    conf: f64,
    p: f64,
    strata: &BTreeMap<String, u64>,
    allocation: &Allocation,
) -> Result<BTreeMap<String, usize>> {
    if strata.is_empty() {
        return Err(Error::Invalid("stratified sample size: no strata given".into()));
    }
    let big_n: u64 = strata.values().sum();
    let size = sample_size_proportion(moe, conf, p, Some(big_n))?;
    let sizes: BTreeMap<String, usize> = strata.iter().map(|(k, &v)| (k.clone(), v as usize)).collect();
    let n = size.n.max(strata.len().min(big_n as usize));
    super::allocate(n, &sizes, allocation)
}
