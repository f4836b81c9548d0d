//! Stratified sampling: sharing n among the strata, and the inclusion probabilities n_h/N_h.
//! (The draw itself, an independent simple random sample in each stratum, is in `srs.rs`.)
//!
//! # Allocation
//!
//! Each allocation gives every stratum a weight w_h — proportional N_h, equal 1, Neyman
//! N_h·S_h — and the ideal, fractional share x_h = λ·w_h. Two bounds apply:
//!
//! - **never more than the stratum holds**: x_h ≤ N_h;
//! - **at least one site per stratum when n ≥ the number of strata H**: x_h ≥ 1, so every
//!   stratum can be estimated (also a Neyman stratum with S_h = 0). When n < H no minimum
//!   applies: the strata with the smallest shares get no site, their units have π = 0, and
//!   no design-based estimate covers them — the caller should warn.
//!
//! With bounds, x_h = clamp(λ·w_h, min_h, N_h) and λ is found so that Σx_h = n (strata at a
//! bound are fixed and the rest share what is left in proportion to w_h). If even λ → ∞
//! cannot place n (Neyman with S_h = 0 in strata that would have to absorb the rest), the
//! zero-weight strata share the remainder equally.
//!
//! The integers n_h come from the **largest-remainder method** (Hamilton's): each stratum gets
//! ⌊x_h⌋, and the sites still missing go one each to the strata with the largest fractional
//! parts. Ties (common with equal allocation: 10 sites in 3 strata) go to the larger stratum,
//! then to the stratum whose name sorts first, so the allocation never depends on the seed.
//! Since ⌊x_h⌋ ≥ min_h and ⌈x_h⌉ ≤ N_h, rounding keeps both bounds, and Σn_h = n exactly.
//!
//! Replacement sites (`over`) are shared among the strata in proportion to their base n_h, by
//! the same method, capped by the units each stratum has left (N_h − n_h), with no minimum: a
//! stratum's replacement sites stand in for its own base sites.

use std::collections::BTreeMap;

use super::{Allocation, Frame};
use crate::error::{Error, Result};

/// Shares `n` sites among strata of the given sizes N_h by `allocation` (see the module docs
/// for the bounds and the rounding). Errors: no strata, n = 0 or n > ΣN_h, and for Neyman a
/// prior SD for a stratum the frame lacks, none for one it has, or one negative or not a
/// number.
pub fn allocate(n: usize, strata: &BTreeMap<String, usize>, allocation: &Allocation) -> Result<BTreeMap<String, usize>> {
    if strata.is_empty() {
        return Err(Error::Invalid("stratified design: the frame has no strata".into()));
    }
    if let Some((s, _)) = strata.iter().find(|(_, &size)| size == 0) {
        return Err(Error::Invalid(format!("stratum `{s}` has no units; every stratum needs at least 1")));
    }
    let big_n: usize = strata.values().sum();
    if n == 0 {
        return Err(Error::Invalid("sample size n = 0: expected at least 1 site".into()));
    }
    if n > big_n {
        return Err(Error::Invalid(format!(
            "sample size n = {n} exceeds the {big_n} units of the strata: expected n from 1 to {big_n}"
        )));
    }
    let weights: Vec<f64> = match allocation {
        Allocation::Proportional => strata.values().map(|&s| s as f64).collect(),
        Allocation::Equal => vec![1.0; strata.len()],
        Allocation::Neyman { prior_sd } => {
            let names = || strata.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            if let Some(unknown) = prior_sd.keys().find(|k| !strata.contains_key(*k)) {
                return Err(Error::Invalid(format!(
                    "Neyman allocation: a prior SD is given for stratum `{unknown}`, which the frame does not have; its strata are {}",
                    names()
                )));
            }
            let mut w = Vec::with_capacity(strata.len());
            for (name, &size) in strata {
                let Some(&sd) = prior_sd.get(name) else {
                    return Err(Error::Invalid(format!(
                        "Neyman allocation: no prior SD for stratum `{name}`; give one (0 or more) for every stratum: {}",
                        names()
                    )));
                };
                if !(sd.is_finite() && sd >= 0.0) {
                    return Err(Error::Invalid(format!(
                        "Neyman allocation: prior SD {sd} for stratum `{name}`: expected a standard deviation of 0 or more"
                    )));
                }
                w.push(size as f64 * sd);
            }
            w
        }
    };
    let caps: Vec<usize> = strata.values().copied().collect();
    let min = usize::from(n >= strata.len());
    let mins = vec![min; strata.len()];
    let counts = apportion(n, &weights, &mins, &caps);
    Ok(strata.keys().cloned().zip(counts).collect())
}

/// Replacement sites per stratum: `over` shared in proportion to the base n_h, capped by
/// N_h − n_h, largest remainder. The caller has checked n + over ≤ N.
pub(crate) fn allocate_over(
    over: usize,
    strata: &BTreeMap<String, usize>,
    base: &BTreeMap<String, usize>,
) -> BTreeMap<String, usize> {
    let weights: Vec<f64> = strata.keys().map(|k| base[k] as f64).collect();
    let caps: Vec<usize> = strata.iter().map(|(k, &size)| size - base[k]).collect();
    let counts = if over == 0 { vec![0; strata.len()] } else { apportion(over, &weights, &vec![0; strata.len()], &caps) };
    strata.keys().cloned().zip(counts).collect()
}

/// π_i = n_h/N_h for every unit (every unit has a stratum: checked by `stratum_sizes`).
pub(crate) fn inclusion_probs(
    frame: &Frame,
    sizes: &BTreeMap<String, usize>,
    alloc: &BTreeMap<String, usize>,
) -> Vec<f64> {
    frame
        .units
        .iter()
        .map(|u| {
            let s = u.stratum.as_deref().unwrap_or_default();
            alloc[s] as f64 / sizes[s] as f64
        })
        .collect()
}

/// Integer shares of `total` with weights, lower and upper bounds (Σmins ≤ total ≤ Σcaps,
/// mins ≤ caps): the bounded ideal shares, rounded by largest remainder. Ties in the
/// remainder go to the larger cap, then the earlier index.
pub(crate) fn apportion(total: usize, weights: &[f64], mins: &[usize], caps: &[usize]) -> Vec<usize> {
    let x = ideal_shares(total as f64, weights, mins, caps);
    let mut counts: Vec<usize> = x
        .iter()
        .zip(mins.iter().zip(caps))
        .map(|(&xi, (&lo, &hi))| ((xi + 1e-9).floor().max(0.0) as usize).clamp(lo, hi))
        .collect();
    // Remainders rounded to 1e-9 so that equal shares computed differently still tie.
    let rem = |i: usize, counts: &[usize]| ((x[i] - counts[i] as f64) * 1e9).round() as i64;
    let mut assigned: usize = counts.iter().sum();
    while assigned < total {
        let mut order: Vec<usize> = (0..x.len()).filter(|&i| counts[i] < caps[i]).collect();
        order.sort_by(|&a, &b| rem(b, &counts).cmp(&rem(a, &counts)).then(caps[b].cmp(&caps[a])).then(a.cmp(&b)));
        for i in order {
            if assigned == total {
                break;
            }
            counts[i] += 1;
            assigned += 1;
        }
    }
    while assigned > total {
        // Only reachable through floating-point noise: take back from the smallest remainders.
        let mut order: Vec<usize> = (0..x.len()).filter(|&i| counts[i] > mins[i]).collect();
        order.sort_by(|&a, &b| rem(a, &counts).cmp(&rem(b, &counts)).then(caps[a].cmp(&caps[b])).then(b.cmp(&a)));
        for i in order {
            if assigned == total {
                break;
            }
            counts[i] -= 1;
            assigned -= 1;
        }
    }
    counts
}

/// x_i = clamp(λ·w_i, min_i, cap_i) with Σx_i = total. If the positive weights cannot reach
/// `total` even at their caps, the zero-weight entries share the rest equally (bounded too).
fn ideal_shares(total: f64, weights: &[f64], mins: &[usize], caps: &[usize]) -> Vec<f64> {
    let lo: Vec<f64> = mins.iter().map(|&m| m as f64).collect();
    let hi: Vec<f64> = caps.iter().map(|&c| c as f64).collect();
    let reach: f64 = (0..weights.len()).map(|i| if weights[i] > 0.0 { hi[i] } else { lo[i] }).sum();
    if reach < total {
        // Positive weights at their caps; zero weights share the rest with equal weights.
        let eq: Vec<f64> = weights.iter().map(|&w| if w > 0.0 { 0.0 } else { 1.0 }).collect();
        let lo2: Vec<f64> = (0..weights.len()).map(|i| if weights[i] > 0.0 { hi[i] } else { lo[i] }).collect();
        return water_fill(total, &eq, &lo2, &hi);
    }
    water_fill(total, weights, &lo, &hi)
}

/// clamp(λ·w_i, lo_i, hi_i) summing to `total`, assuming Σclamp(0) ≤ total ≤ Σclamp(∞).
/// λ is bracketed by bisection, then recomputed exactly from the entries left unclamped.
fn water_fill(total: f64, w: &[f64], lo: &[f64], hi: &[f64]) -> Vec<f64> {
    let at = |lambda: f64| -> Vec<f64> { (0..w.len()).map(|i| (lambda * w[i]).clamp(lo[i], hi[i])).collect() };
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let mut top = 1.0;
    while sum(&at(top)) < total && top < 1e300 {
        top *= 2.0;
    }
    let mut bottom = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (bottom + top);
        if sum(&at(mid)) < total {
            bottom = mid;
        } else {
            top = mid;
        }
    }
    let mut x = at(top);
    // Entries strictly inside their bounds share exactly what the clamped ones leave.
    let free: Vec<usize> = (0..w.len()).filter(|&i| w[i] > 0.0 && x[i] > lo[i] && x[i] < hi[i]).collect();
    let fixed: f64 = (0..w.len()).filter(|i| !free.contains(i)).map(|i| x[i]).sum();
    let wf: f64 = free.iter().map(|&i| w[i]).sum();
    if wf > 0.0 {
        let lambda = (total - fixed) / wf;
        for &i in &free {
            x[i] = (lambda * w[i]).clamp(lo[i], hi[i]);
        }
    }
    x
}
