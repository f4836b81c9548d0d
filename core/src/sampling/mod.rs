//! Probability samples of a layer's features for third-party evaluation: sampling frames,
//! designs, seeded draws, inclusion probabilities and sample sizes.
//!
//! An evaluator who inspects "some" billboards or chargers and publishes a pass rate for all of
//! them needs to be able to say how the sites were chosen. In a *probability sample* every unit
//! of the frame has a known, non-zero chance π_i of being chosen (its first-order *inclusion
//! probability*); an estimate that weights each visited site by 1/π_i (Horvitz–Thompson) is
//! then unbiased for the whole frame, and its uncertainty can be computed from the design.
//! The designs never read the project: the caller builds a [`Frame`] (the units, their
//! positions, strata and size measures), chooses a [`DesignSpec`], and [`draw`]s with a seed.
//! The one bridge is [`build_frame`] (`project_frame.rs`), which makes a frame from a
//! project's layers as a [`FrameSpec`] describes (attribute filter, polygon, strata from an
//! attribute or a spatial join, size measure); [`plan_record`] turns a draw into the plan
//! that [`crate::Project::save_plan`] stores (the whole frame with each unit's π, the sample,
//! the parameters and the seed), so an evaluation can always be traced back to its draw.
//!
//! # The designs, and what each is for
//!
//! - **Simple random sampling without replacement** ([`Design::Srs`]): every set of n units
//!   is equally likely; π_i = n/N. The reference design: easy to explain, but by chance it
//!   may put many sites in one neighbourhood and none in another.
//! - **Stratified** ([`Design::Stratified`]): the frame is split into strata (billboard type,
//!   subdistrict, community) and an independent simple random sample of n_h units is drawn
//!   from each stratum's N_h; π_i = n_h/N_h. Use it when results are reported per stratum, or
//!   when strata differ: each stratum is guaranteed its share of sites. The [`Allocation`]
//!   decides n_h: *proportional* (n_h ∝ N_h, every unit has the same π — the safe default),
//!   *equal* (the same n_h everywhere, for comparing strata of very different sizes), or
//!   *Neyman* (n_h ∝ N_h·S_h, with S_h a prior guess of the standard deviation in stratum h,
//!   e.g. from last year's scores: the most precise overall mean for a given n). See
//!   [`allocate`] for how fractional shares are rounded.
//! - **GRTS** ([`Design::Grts`], Generalized Random Tessellation Stratified; Stevens & Olsen
//!   2004, *Spatially balanced sampling of natural resources*, JASA 99:262–278): a sample
//!   spread evenly over space, like a systematic grid, yet a probability sample with exactly
//!   known π_i. Use it when what is inspected varies over space (street management, waste
//!   points): neighbouring sites tend to be alike, so a spread-out sample says more than a
//!   clumped one of the same size. With `unequal: false`, π_i = n/N; with `unequal: true`,
//!   π_i ∝ the unit's size measure ([`FrameUnit::aux`], e.g. face area), so large units are
//!   visited more often (units whose π would exceed 1 are taken with certainty). GRTS can
//!   also draw an ordered *over-sample* of replacement sites, used in their order when a
//!   base site cannot be visited. How, and why the base keeps exactly π, is in `grts.rs`.
//!
//! Any design may ask for a minimum distance between sampled sites ([`DesignSpec::min_dist_m`],
//! geodesic metres) so that two inspections do not fall on the same street corner. **This makes
//! the inclusion probabilities approximate**: a unit in a dense cluster is less likely to be
//! chosen than its π says. [`Sample::inclusion_probs`] still reports the design's π, which is
//! the usual practice (spsurvey does the same); keep the minimum distance small against the
//! spacing of the frame. See `min_distance.rs`.
//!
//! [`sample_size_proportion`] and [`sample_size_stratified`] answer "how many sites for ±5
//! points at 95 % confidence?".
//!
//! # Reproducibility
//!
//! Every draw is a function of the frame (including its order), the spec and the seed only.
//! Randomness comes from ChaCha8 (`rand_chacha`) seeded with `seed_from_u64`, whose output
//! is fixed by the ChaCha specification and rand_core's documented seed expansion; uniform
//! numbers and indices are derived from its raw 64-bit output here (`unit_f64`, `below`), not
//! through rand's distribution code, so a newer `rand` cannot change a stored plan's sample.
//! No hash-map order is ever used.
//!
//! # What a draw returns
//!
//! [`Sample::sites`] lists the base sites first (`replacement: false`, `site_no` 1..=n), then
//! the replacement sites (`replacement: true`, `site_no` n+1..=n+over) in the order they are
//! to be used. Every design accepts `over`: for SRS the replacement sites are the next units
//! of the same random order, for stratified designs they are allocated to the strata in
//! proportion to n_h (and must replace a base site of their own stratum), for GRTS they come
//! from the reverse hierarchical order.

mod frame;
mod grts;
mod min_distance;
pub mod plan;
mod project_frame;
mod sample_size;
mod srs;
mod stratified;
#[cfg(test)]
mod project_tests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use frame::{Frame, FrameUnit};
pub use plan::plan_record;
pub use project_frame::{build_frame, AttributeFilter, FrameSpec, NO_STRATUM};
pub use sample_size::{sample_size_proportion, sample_size_stratified, SampleSize};
pub use stratified::allocate;

/// How a stratified design shares n among the strata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Allocation {
    /// n_h ∝ N_h: every unit has the same inclusion probability.
    Proportional,
    /// The same n_h in every stratum (so far as the strata hold that many).
    Equal,
    /// n_h ∝ N_h·S_h, with a prior standard deviation S_h ≥ 0 for every stratum.
    Neyman { prior_sd: BTreeMap<String, f64> },
}

/// A sampling design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Design {
    /// Simple random sampling without replacement.
    Srs,
    /// Stratified simple random sampling; strata from [`FrameUnit::stratum`].
    Stratified { allocation: Allocation },
    /// GRTS spatially balanced sampling; `unequal` uses [`FrameUnit::aux`] as size measure.
    Grts { unequal: bool },
}

impl Design {
    /// The design's short name: `srs`, `stratified` or `grts`.
    pub fn name(&self) -> &'static str {
        match self {
            Design::Srs => "srs",
            Design::Stratified { .. } => "stratified",
            Design::Grts { .. } => "grts",
        }
    }
}

/// A design with its sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignSpec {
    pub design: Design,
    /// The number of base sites, 1..=N.
    pub n: usize,
    /// The number of ordered replacement sites drawn besides the base sites (n + over ≤ N).
    pub over: usize,
    /// The least geodesic distance, in metres, between any two sampled sites (base and
    /// replacement). Makes inclusion probabilities approximate; see the module docs.
    pub min_dist_m: Option<f64>,
}

/// One site of a drawn sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampledSite {
    /// 1-based order: base sites 1..=n, then replacement sites in the order of their use.
    pub site_no: usize,
    /// Index into [`Frame::units`].
    pub unit: usize,
    /// The unit's stratum (whatever the design), for display.
    pub stratum: Option<String>,
    /// The unit's inclusion probability under the design (for a replacement site too: the π
    /// it has in the base design, which is what weights start from when it replaces one).
    pub inclusion_prob: f64,
    /// True for over-sample (replacement) sites.
    pub replacement: bool,
}

/// A drawn sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Base sites, then replacement sites.
    pub sites: Vec<SampledSite>,
    /// Every frame unit's first-order inclusion probability under the design (base sample).
    pub inclusion_probs: Vec<f64>,
    /// Base sites per stratum, n_h; the single entry `""` → n for unstratified designs.
    pub allocation: BTreeMap<String, usize>,
}

/// Every frame unit's first-order inclusion probability for the base sample of `spec`:
/// SRS n/N; stratified n_h/N_h; GRTS equal n/N; GRTS unequal n·aux_i/Σaux with units whose
/// π would reach 1 taken with certainty and the others rescaled (repeatedly) to the rest of n.
/// A minimum distance is not reflected (it makes the true probabilities approximate).
pub fn inclusion_probabilities(frame: &Frame, spec: &DesignSpec) -> Result<Vec<f64>> {
    frame.validate()?;
    check_sizes(frame, spec)?;
    let big_n = frame.len();
    match &spec.design {
        Design::Srs | Design::Grts { unequal: false } => Ok(vec![spec.n as f64 / big_n as f64; big_n]),
        Design::Stratified { allocation } => {
            let sizes = frame.stratum_sizes()?;
            let alloc = allocate(spec.n, &sizes, allocation)?;
            Ok(stratified::inclusion_probs(frame, &sizes, &alloc))
        }
        Design::Grts { unequal: true } => Ok(grts::pps_probs(&frame.sizes()?, spec.n)),
    }
}

/// Draws a sample of `spec` from `frame`. The same frame, spec and seed give the same sample
/// on every machine.
pub fn draw(frame: &Frame, spec: &DesignSpec, seed: u64) -> Result<Sample> {
    let pi = inclusion_probabilities(frame, spec)?;
    let min_dist = check_min_dist(spec.min_dist_m)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (chosen, allocation) = match &spec.design {
        Design::Srs => {
            let quotas = srs::Quotas::single(spec.n, spec.over);
            let order = srs::permutation(frame.len(), &mut rng);
            (srs::take_in_order(frame, &order, &quotas, min_dist)?, quotas.base)
        }
        Design::Stratified { allocation } => {
            let sizes = frame.stratum_sizes()?;
            let base = allocate(spec.n, &sizes, allocation)?;
            let over = stratified::allocate_over(spec.over, &sizes, &base);
            let quotas = srs::Quotas { base, over };
            let order = srs::permutation(frame.len(), &mut rng);
            (srs::take_in_order(frame, &order, &quotas, min_dist)?, quotas.base)
        }
        Design::Grts { unequal } => {
            let sizes = if *unequal { frame.sizes()? } else { vec![1.0; frame.len()] };
            let drawn = grts::draw(frame, &pi, &sizes, spec.n, spec.over, &mut rng);
            let quotas = srs::Quotas::single(spec.n, spec.over);
            let chosen = match min_dist {
                None => drawn.sites,
                Some(_) => {
                    // Candidates: the GRTS sample in its order, then every other unit in a
                    // spatially spread order, so refills stay balanced.
                    let mut order: Vec<usize> = drawn.sites.iter().map(|&(u, _)| u).collect();
                    order.extend(drawn.fill_order);
                    srs::take_in_order(frame, &order, &quotas, min_dist)?
                }
            };
            (chosen, quotas.base)
        }
    };
    let sites = chosen
        .into_iter()
        .enumerate()
        .map(|(k, (unit, replacement))| SampledSite {
            site_no: k + 1,
            unit,
            stratum: frame.units[unit].stratum.clone(),
            inclusion_prob: pi[unit],
            replacement,
        })
        .collect();
    Ok(Sample { sites, inclusion_probs: pi, allocation })
}

/// n ≥ 1, n ≤ N, n + over ≤ N.
fn check_sizes(frame: &Frame, spec: &DesignSpec) -> Result<()> {
    let big_n = frame.len();
    if spec.n == 0 {
        return Err(Error::Invalid("sample size n = 0: expected at least 1 site".into()));
    }
    if spec.n > big_n {
        return Err(Error::Invalid(format!(
            "sample size n = {} exceeds the frame's {big_n} units: expected n from 1 to {big_n}",
            spec.n
        )));
    }
    if spec.n + spec.over > big_n {
        return Err(Error::Invalid(format!(
            "n + over = {} + {} exceeds the frame's {big_n} units: at most {} replacement sites can be drawn with n = {}",
            spec.n,
            spec.over,
            big_n - spec.n,
            spec.n
        )));
    }
    Ok(())
}

/// `None` or a positive finite distance; 0 means none.
fn check_min_dist(d: Option<f64>) -> Result<Option<f64>> {
    match d {
        None => Ok(None),
        Some(0.0) => Ok(None),
        Some(d) if d.is_finite() && d > 0.0 => Ok(Some(d)),
        Some(d) => Err(Error::Invalid(format!(
            "minimum distance {d} m: expected a distance in metres greater than 0 (or none)"
        ))),
    }
}

/// A uniform number in [0, 1) from the top 53 bits of one 64-bit output.
pub(crate) fn unit_f64(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in 0..n (n ≥ 1), without modulo bias: outputs below 2^64 mod n are
/// rejected, so the accepted range is a whole number of copies of 0..n.
pub(crate) fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let n = n as u64;
    let threshold = n.wrapping_neg() % n;
    loop {
        let x = rng.next_u64();
        if x >= threshold {
            return (x % n) as usize;
        }
    }
}
