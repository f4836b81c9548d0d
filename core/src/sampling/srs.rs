//! Simple random sampling without replacement, and the quota walk that stratified sampling
//! and the minimum distance share.
//!
//! A simple random sample of n from N is the first n units of a uniformly random permutation
//! of the frame (Fisher–Yates), so π = n/N exactly; the next `over` units of the same
//! permutation are the replacement sites, in that order.
//!
//! A stratified sample walks the same kind of permutation and takes a unit while its stratum
//! still needs base sites. The units of one stratum appear in a uniformly random permutation
//! in a uniformly random order, so each stratum gets a simple random sample of its n_h, drawn
//! independently of the other strata's (given the allocation): π_i = n_h/N_h exactly. A
//! second walk fills each stratum's replacement quota. Sites are listed in the order the walk
//! took them, so strata are interleaved at random.

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;

use super::min_distance::Spacing;
use super::{below, Frame};
use crate::error::Result;

/// How many base and replacement sites each stratum needs (`""` for unstratified designs).
#[derive(Debug, Clone)]
pub(crate) struct Quotas {
    pub base: BTreeMap<String, usize>,
    pub over: BTreeMap<String, usize>,
}

impl Quotas {
    /// One pseudo-stratum `""` holding every unit.
    pub fn single(n: usize, over: usize) -> Quotas {
        Quotas { base: BTreeMap::from([(String::new(), n)]), over: BTreeMap::from([(String::new(), over)]) }
    }

    fn is_single(&self) -> bool {
        self.base.len() == 1 && self.base.contains_key("")
    }
}

/// A uniformly random permutation of 0..n (Fisher–Yates, drawing from the end).
pub(crate) fn permutation(n: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = below(rng, i + 1);
        p.swap(i, j);
    }
    p
}

/// Walks `order` twice: first taking units while their stratum's base quota is open, then
/// (over the units not taken) while its replacement quota is open; with a minimum distance, a
/// unit closer than that to any unit already taken is passed over. Returns (unit,
/// replacement) in the order taken: all base sites, then all replacement sites.
pub(crate) fn take_in_order(
    frame: &Frame,
    order: &[usize],
    quotas: &Quotas,
    min_dist: Option<f64>,
) -> Result<Vec<(usize, bool)>> {
    let single = quotas.is_single();
    let stratum_of = |u: usize| -> &str {
        if single {
            ""
        } else {
            frame.units[u].stratum.as_deref().unwrap_or("")
        }
    };
    let mut spacing = min_dist.map(|d| Spacing::new(frame, d));
    let mut taken = vec![false; frame.len()];
    let mut out = Vec::with_capacity(quotas.base.values().sum::<usize>() + quotas.over.values().sum::<usize>());
    for (pass, quota) in [(false, &quotas.base), (true, &quotas.over)] {
        let mut open: BTreeMap<&str, usize> =
            quota.iter().filter(|(_, &q)| q > 0).map(|(s, &q)| (s.as_str(), q)).collect();
        let mut left: usize = open.values().sum();
        for &u in order {
            if left == 0 {
                break;
            }
            if taken[u] {
                continue;
            }
            let Some(q) = open.get_mut(stratum_of(u)) else { continue };
            if *q == 0 {
                continue;
            }
            if let Some(sp) = spacing.as_mut() {
                if !sp.try_take(u) {
                    continue;
                }
            }
            *q -= 1;
            left -= 1;
            taken[u] = true;
            out.push((u, pass));
        }
        if left > 0 {
            // Only a minimum distance can leave a quota open: quotas never exceed what a
            // stratum holds.
            let d = min_dist.unwrap_or(0.0);
            return Err(super::min_distance::infeasible(d, frame.len(), pass, quota, &open));
        }
    }
    Ok(out)
}
