//! The maximal covering location problem (MCLP, Church & ReVelle 1974): choose `p` new sites
//! among candidates so that the demand within reach of at least one site — existing or new —
//! is as large as possible.
//!
//! PySAL's `spopt` answers it exactly, as a MIP solved by CBC: its model building alone took
//! two minutes at 20 000 demand points × 1 000 candidates here, and CBC itself seconds to
//! minutes where the sites overlap much (docs/BENCHMARKS.md). The answer here is a heuristic
//! with a proof: greedy, then swaps until no single exchange gains; an exact branch and bound
//! within a work budget; otherwise the Lagrangian relaxation's own choices, improved by swaps,
//! where they do better, and its upper bound on the best possible coverage, so the result
//! says "covers X, at least X / bound of the best possible". The problem arrives as a coverage
//! table (which demand each candidate reaches), so the same solver serves straight-line and
//! street-network distances.

/// A coverage instance: demand weights, which demand each candidate reaches, and which demand
/// the existing facilities cover already.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// The weight of each demand point (households, people, 1 each).
    pub weights: Vec<f64>,
    /// For each candidate, the indices of the demand points it reaches (sorted, no repeats).
    pub reaches: Vec<Vec<usize>>,
    /// For each demand point, whether an existing facility reaches it already.
    pub covered: Vec<bool>,
}

/// A choice of sites and what it achieves.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// The chosen candidates, in the order they were picked (greedy order, then swaps).
    pub sites: Vec<usize>,
    /// Demand covered by the existing facilities and the chosen sites together.
    pub coverage: f64,
    /// Demand covered by the existing facilities alone.
    pub before: f64,
    /// No choice of `p` sites covers more than this: `coverage` itself when the exact search
    /// finished (the answer is proven best), else a Lagrangian bound.
    pub upper_bound: f64,
}

impl Solution {
    /// The share of the best possible the solution is at least worth: coverage gained over the
    /// most that could be gained (1 when nothing can be gained).
    pub fn guarantee(&self) -> f64 {
        let possible = self.upper_bound - self.before;
        if possible <= 1e-12 {
            1.0
        } else {
            ((self.coverage - self.before) / possible).clamp(0.0, 1.0)
        }
    }
}

impl Instance {
    /// Demand covered by the existing facilities and `sites`.
    pub fn coverage_of(&self, sites: &[usize]) -> f64 {
        let mut hit = self.covered.clone();
        for &s in sites {
            for &d in &self.reaches[s] {
                hit[d] = true;
            }
        }
        // An empty sum of floats is −0.0; + 0.0 makes it the 0 a report prints.
        hit.iter().zip(&self.weights).filter(|(h, _)| **h).map(|(_, w)| w).sum::<f64>() + 0.0
    }

    fn before(&self) -> f64 {
        self.coverage_of(&[])
    }
}

/// How much work (demand points looked at) the exact search may do before the answer is left
/// to the heuristic and its bound: about a tenth of a second in a release build, enough to
/// settle instances of a few dozen candidates.
const EXACT_WORK_LIMIT: u64 = 20_000_000;

/// Chooses `p` sites (fewer when there are fewer candidates): greedy, then best-improvement
/// swaps; then an exact branch-and-bound search started from that answer, which proves it
/// best or improves it on instances small enough to finish; otherwise the Lagrangian bound
/// says how far from the best the answer can be.
pub fn solve(instance: &Instance, p: usize) -> Solution {
    let p = p.min(instance.reaches.len());
    let mut sites = greedy(instance, p);
    swap_search(instance, &mut sites);
    let mut coverage = instance.coverage_of(&sites);
    perturbed_search(instance, &mut sites, &mut coverage);
    let mut search = Exact {
        instance,
        p,
        best: coverage,
        best_sites: sites.clone(),
        work: 0,
    };
    let order = search.candidate_order();
    let finished = search.explore(&order, 0, &mut instance.covered.clone(), &mut Vec::new());
    if search.best > coverage + 1e-9 {
        coverage = search.best;
        sites = search.best_sites;
    }
    let upper_bound = if finished {
        coverage
    } else {
        // The relaxation's own choices (its p most valuable sites at each step) are answers
        // too: the best of them, improved by swaps, may beat the greedy start's local optimum.
        let relaxed = lagrangian(instance, p, coverage);
        if let Some(mut other) = relaxed.best_sites {
            swap_search(instance, &mut other);
            let other_coverage = instance.coverage_of(&other);
            if other_coverage > coverage + 1e-9 {
                coverage = other_coverage;
                sites = other;
            }
        }
        relaxed.bound.max(coverage)
    };
    Solution {
        sites,
        coverage,
        before: instance.before(),
        upper_bound,
    }
}

/// Depth-first branch and bound over the candidates. The bound at a node is the coverage so
/// far plus the largest remaining single-site gains, one per site still to choose: coverage is
/// submodular (a site never gains more for others being chosen), so no completion beats it.
struct Exact<'a> {
    instance: &'a Instance,
    p: usize,
    best: f64,
    best_sites: Vec<usize>,
    work: u64,
}

impl Exact<'_> {
    /// Candidates that can gain anything, best first, so good answers come early.
    fn candidate_order(&self) -> Vec<usize> {
        let gain = |c: usize| {
            self.instance.reaches[c]
                .iter()
                .filter(|&&d| !self.instance.covered[d])
                .map(|&d| self.instance.weights[d])
                .sum::<f64>()
        };
        let mut order: Vec<usize> = (0..self.instance.reaches.len())
            .filter(|&c| gain(c) > 0.0)
            .collect();
        order.sort_by(|a, b| gain(*b).total_cmp(&gain(*a)));
        order
    }

    /// Explores choices extending `chosen` with candidates from `order[from..]`; `hit` is the
    /// demand covered so far. Returns false when the work limit cut the search short.
    fn explore(
        &mut self,
        order: &[usize],
        from: usize,
        hit: &mut Vec<bool>,
        chosen: &mut Vec<usize>,
    ) -> bool {
        self.work += hit.len() as u64
            + order[from.min(order.len())..]
                .iter()
                .map(|&c| self.instance.reaches[c].len() as u64)
                .sum::<u64>();
        if self.work > EXACT_WORK_LIMIT {
            return false;
        }
        let covered: f64 = hit
            .iter()
            .zip(&self.instance.weights)
            .filter(|(h, _)| **h)
            .map(|(_, w)| w)
            .sum();
        let left = self.p - chosen.len();
        if left == 0 || from >= order.len() {
            if covered > self.best + 1e-9 {
                self.best = covered;
                // Fewer useful candidates than sites: the rest cannot add anything.
                self.best_sites = chosen.clone();
                self.fill_sites();
            }
            return true;
        }
        let mut gains: Vec<f64> = order[from..]
            .iter()
            .map(|&c| {
                self.instance.reaches[c]
                    .iter()
                    .filter(|&&d| !hit[d])
                    .map(|&d| self.instance.weights[d])
                    .sum()
            })
            .collect();
        let mut sorted = gains.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        if sorted.first().is_none_or(|g| *g <= 0.0) {
            // No candidate left adds anything: this choice is complete as it is.
            if covered > self.best + 1e-9 {
                self.best = covered;
                self.best_sites = chosen.clone();
                self.fill_sites();
            }
            return true;
        }
        let bound = covered + sorted.iter().take(left).sum::<f64>();
        if bound <= self.best + 1e-9 {
            return true;
        }
        for k in 0..order.len() - from {
            if gains[k] <= 0.0 {
                continue;
            }
            let c = order[from + k];
            let newly: Vec<usize> = self.instance.reaches[c]
                .iter()
                .copied()
                .filter(|&d| !hit[d])
                .collect();
            newly.iter().for_each(|&d| hit[d] = true);
            chosen.push(c);
            let done = self.explore(order, from + k + 1, hit, chosen);
            chosen.pop();
            newly.iter().for_each(|&d| hit[d] = false);
            if !done {
                return false;
            }
            gains[k] = 0.0;
        }
        true
    }

    /// Tops the best choice up to `p` sites with unchosen candidates (they add nothing, but
    /// the planner asked for `p`).
    fn fill_sites(&mut self) {
        for c in 0..self.instance.reaches.len() {
            if self.best_sites.len() >= self.p {
                break;
            }
            if !self.best_sites.contains(&c) {
                self.best_sites.push(c);
            }
        }
    }
}

/// How many sites each demand point is reached by among `sites`, plus one for an existing
/// facility: what swaps need to know whether removing a site uncovers a point.
fn cover_counts(instance: &Instance, sites: &[usize]) -> Vec<u32> {
    let mut counts: Vec<u32> = instance.covered.iter().map(|c| u32::from(*c)).collect();
    for &s in sites {
        for &d in &instance.reaches[s] {
            counts[d] += 1;
        }
    }
    counts
}

/// Picks, `p` times, the candidate that newly covers the most demand.
fn greedy(instance: &Instance, p: usize) -> Vec<usize> {
    greedy_from(instance, Vec::with_capacity(p), p, &[])
}

/// Adds to `chosen`, until it holds `p` sites, the candidate that newly covers the most
/// demand, never one of `barred`.
fn greedy_from(instance: &Instance, mut chosen: Vec<usize>, p: usize, barred: &[usize]) -> Vec<usize> {
    let mut hit = instance.covered.clone();
    let mut taken = vec![false; instance.reaches.len()];
    for &c in chosen.iter().chain(barred) {
        taken[c] = true;
    }
    for &c in &chosen {
        for &d in &instance.reaches[c] {
            hit[d] = true;
        }
    }
    while chosen.len() < p {
        let gain = |c: usize| {
            instance.reaches[c]
                .iter()
                .filter(|&&d| !hit[d])
                .map(|&d| instance.weights[d])
                .sum::<f64>()
        };
        let best = (0..instance.reaches.len())
            .filter(|&c| !taken[c])
            .map(|c| (c, gain(c)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((c, _)) = best else { break };
        taken[c] = true;
        chosen.push(c);
        for &d in &instance.reaches[c] {
            hit[d] = true;
        }
    }
    chosen
}

/// Rounds of [`perturbed_search`].
const PERTURBATIONS: usize = 16;

/// Iterated local search: a swap-optimal answer can still be beaten by exchanging several
/// sites at once, which single swaps never try. Each round drops a fifth of the current sites
/// (chosen by a fixed-seed generator, so answers are reproducible), refills them greedily from
/// the other candidates, and swaps to a local optimum again; the best answer is kept, and the
/// search goes on from any answer at least as good as the current one.
fn perturbed_search(instance: &Instance, sites: &mut Vec<usize>, coverage: &mut f64) {
    let p = sites.len();
    if p < 2 || instance.reaches.len() <= p + 1 {
        return;
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    };
    // Never more than the candidates outside the answer, or the refill runs short.
    let drop = (p / 5).max(1).min(instance.reaches.len() - p);
    let mut current = sites.clone();
    let mut current_coverage = *coverage;
    for _ in 0..PERTURBATIONS {
        let mut trial = current.clone();
        let mut dropped = Vec::with_capacity(drop);
        for _ in 0..drop {
            dropped.push(trial.swap_remove(next(trial.len())));
        }
        let mut trial = greedy_from(instance, trial, p, &dropped);
        swap_search(instance, &mut trial);
        let trial_coverage = instance.coverage_of(&trial);
        if trial_coverage > *coverage + 1e-9 {
            *coverage = trial_coverage;
            *sites = trial.clone();
        }
        if trial_coverage + 1e-9 >= current_coverage {
            current = trial;
            current_coverage = trial_coverage;
        }
    }
}

/// Exchanges one chosen site for one unchosen candidate while some exchange gains coverage,
/// taking the best exchange each round.
///
/// A round costs about one pass over the coverage table, not one per chosen site: what a
/// candidate would gain splits into what nobody covers (the same whatever leaves) and what only
/// the leaving site covers, found through the demand points it alone covers and the
/// candidates that reach them.
fn swap_search(instance: &Instance, sites: &mut [usize]) {
    let n = instance.reaches.len();
    // Which candidates reach each demand point: the table turned round.
    let mut reached_by: Vec<Vec<usize>> = vec![Vec::new(); instance.weights.len()];
    for (c, reach) in instance.reaches.iter().enumerate() {
        for &d in reach {
            reached_by[d].push(c);
        }
    }
    let mut extra = vec![0.0f64; n];
    let mut touched: Vec<usize> = Vec::new();
    loop {
        let counts = cover_counts(instance, sites);
        let chosen: Vec<bool> = (0..n).map(|c| sites.contains(&c)).collect();
        // What each candidate gains from points nobody covers.
        let open_gain: Vec<f64> = instance
            .reaches
            .iter()
            .map(|r| r.iter().filter(|&&d| counts[d] == 0).map(|&d| instance.weights[d]).sum::<f64>())
            .collect();
        let mut best: Option<(usize, usize, f64)> = None;
        for (slot, &out) in sites.iter().enumerate() {
            // Demand only `out` covers is lost when it leaves, and open to whoever comes in.
            let mut loss = 0.0;
            for &d in &instance.reaches[out] {
                if counts[d] == 1 {
                    loss += instance.weights[d];
                    for &c in &reached_by[d] {
                        if extra[c] == 0.0 {
                            touched.push(c);
                        }
                        extra[c] += instance.weights[d];
                    }
                }
            }
            for incoming in (0..n).filter(|&c| !chosen[c]) {
                let delta = open_gain[incoming] + extra[incoming] - loss;
                if delta > 1e-9 * (1.0 + loss) && best.is_none_or(|b| delta > b.2) {
                    best = Some((slot, incoming, delta));
                }
            }
            for c in touched.drain(..) {
                extra[c] = 0.0;
            }
        }
        match best {
            Some((slot, incoming, _)) => sites[slot] = incoming,
            None => return,
        }
    }
}

/// An upper bound on the coverage of any `p` sites, by Lagrangian relaxation of "a demand
/// point counts as covered only if a chosen site reaches it" with multipliers λ ≥ 0:
///
/// L(λ) = Σ_uncovered max(0, wᵢ − λᵢ) + (sum of the `p` largest Σ_{i reached by j} λᵢ) + existing,
///
/// which is at least the best coverage for every λ ≥ 0; subgradient steps lower it. Points an
/// existing facility covers are counted outright and left out of the relaxation.
pub fn lagrangian_bound(instance: &Instance, p: usize) -> f64 {
    lagrangian(instance, p, instance.coverage_of(&greedy(instance, p))).bound
}

/// What the relaxation found: its bound, and the best of the choices it made on the way
/// (`None` when none beat the coverage it was given).
struct Relaxed {
    bound: f64,
    best_sites: Option<Vec<usize>>,
}

/// [`lagrangian_bound`] given a coverage some choice achieves (the steps aim at the best
/// coverage known, and stop once the bound meets it). Each step's p most valuable sites are
/// a choice too; the best of them is kept.
fn lagrangian(instance: &Instance, p: usize, known: f64) -> Relaxed {
    let mut heuristic = known;
    let mut best_sites = None;
    let existing: f64 = instance
        .covered
        .iter()
        .zip(&instance.weights)
        .filter(|(c, _)| **c)
        .map(|(_, w)| w)
        .sum();
    let open: Vec<usize> = (0..instance.weights.len())
        .filter(|&i| !instance.covered[i])
        .collect();
    if open.is_empty() || p == 0 {
        return Relaxed { bound: existing, best_sites: None };
    }
    let mut lambda = vec![0.0f64; instance.weights.len()];
    // Start where each point is worth half its weight to the sites.
    for &i in &open {
        lambda[i] = instance.weights[i] / 2.0;
    }
    let mut best = f64::INFINITY;
    let mut step_scale = 2.0;
    let mut since_better = 0;
    for _ in 0..300 {
        // Site values and the p best.
        let value: Vec<f64> = instance
            .reaches
            .iter()
            .map(|r| {
                r.iter()
                    .filter(|&&d| !instance.covered[d])
                    .map(|&d| lambda[d])
                    .sum()
            })
            .collect();
        let mut order: Vec<usize> = (0..value.len()).collect();
        order.sort_by(|a, b| value[*b].total_cmp(&value[*a]));
        let top: Vec<usize> = order.into_iter().take(p).collect();
        let mut reach_count = vec![0u32; instance.weights.len()];
        for &s in &top {
            for &d in &instance.reaches[s] {
                reach_count[d] += 1;
            }
        }
        let demand_part: f64 = open
            .iter()
            .map(|&i| (instance.weights[i] - lambda[i]).max(0.0))
            .sum();
        let site_part: f64 = top.iter().map(|&s| value[s]).sum();
        let bound = existing + demand_part + site_part;
        let chosen_coverage = existing + open.iter().filter(|&&i| reach_count[i] > 0).map(|&i| instance.weights[i]).sum::<f64>();
        if chosen_coverage > heuristic + 1e-9 {
            heuristic = chosen_coverage;
            best_sites = Some(top.clone());
        }
        if bound < best - 1e-9 {
            best = bound;
            since_better = 0;
        } else {
            since_better += 1;
            if since_better >= 15 {
                step_scale /= 2.0;
                since_better = 0;
            }
        }
        if best - heuristic <= 1e-9 * (1.0 + best) || step_scale < 1e-6 {
            break;
        }
        // Subgradient of L at λ: ∂/∂λᵢ = −[wᵢ > λᵢ] + (times i is reached by the top sites).
        let grad: Vec<(usize, f64)> = open
            .iter()
            .map(|&i| {
                (
                    i,
                    f64::from(reach_count[i])
                        - if instance.weights[i] > lambda[i] {
                            1.0
                        } else {
                            0.0
                        },
                )
            })
            .collect();
        let norm: f64 = grad.iter().map(|(_, g)| g * g).sum();
        if norm == 0.0 {
            break;
        }
        let step = step_scale * (bound - heuristic).max(1e-9) / norm;
        for (i, g) in grad {
            lambda[i] = (lambda[i] - step * g).max(0.0);
        }
    }
    Relaxed { bound: best, best_sites }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small random instance: `n` demand points and `m` candidates on a 10 × 10 square,
    /// candidates reaching demand within `r`; a few points covered already.
    fn random_instance(seed: u64, n: usize, m: usize, r: f64) -> Instance {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let demand: Vec<(f64, f64, f64)> = (0..n)
            .map(|_| (next() * 10.0, next() * 10.0, 1.0 + (next() * 9.0).floor()))
            .collect();
        let sites: Vec<(f64, f64)> = (0..m).map(|_| (next() * 10.0, next() * 10.0)).collect();
        let reaches = sites
            .iter()
            .map(|(x, y)| {
                (0..n)
                    .filter(|&i| {
                        ((demand[i].0 - x).powi(2) + (demand[i].1 - y).powi(2)).sqrt() <= r
                    })
                    .collect()
            })
            .collect();
        let covered = (0..n).map(|_| next() < 0.1).collect();
        Instance {
            weights: demand.iter().map(|d| d.2).collect(),
            reaches,
            covered,
        }
    }

    /// The best coverage over every choice of `p` of the candidates.
    fn exhaustive(instance: &Instance, p: usize) -> f64 {
        fn walk(
            instance: &Instance,
            p: usize,
            from: usize,
            chosen: &mut Vec<usize>,
            best: &mut f64,
        ) {
            if chosen.len() == p {
                *best = best.max(instance.coverage_of(chosen));
                return;
            }
            for c in from..instance.reaches.len() {
                chosen.push(c);
                walk(instance, p, c + 1, chosen, best);
                chosen.pop();
            }
        }
        let mut best = 0.0;
        walk(
            instance,
            p.min(instance.reaches.len()),
            0,
            &mut Vec::new(),
            &mut best,
        );
        best
    }

    #[test]
    fn on_small_instances_the_answer_is_the_exhaustive_optimum_and_the_bound_is_above_it() {
        let mut bound_gaps = Vec::new();
        for seed in 0..40 {
            let instance = random_instance(seed, 60, 12, 2.0);
            for p in [1, 2, 3, 4] {
                let solution = solve(&instance, p);
                let optimum = exhaustive(&instance, p);
                assert!(
                    (solution.coverage - optimum).abs() < 1e-9,
                    "seed {seed}, p {p}: {} vs optimum {optimum}",
                    solution.coverage
                );
                assert!(
                    solution.upper_bound >= optimum - 1e-9,
                    "seed {seed}, p {p}: bound {} below optimum {optimum}",
                    solution.upper_bound
                );
                assert_eq!(solution.sites.len(), p);
                bound_gaps.push((solution.upper_bound - optimum) / optimum.max(1.0));
            }
        }
        assert!(
            bound_gaps.iter().all(|g| g.abs() < 1e-9),
            "the exact search finishes on 12 candidates and proves its answer"
        );
    }

    #[test]
    fn the_lagrangian_bound_is_above_the_optimum_and_close_to_it() {
        let mut gaps = Vec::new();
        for seed in 100..130 {
            let instance = random_instance(seed, 80, 12, 2.0);
            for p in [2, 3, 5] {
                let optimum = exhaustive(&instance, p);
                let bound = lagrangian_bound(&instance, p);
                assert!(
                    bound >= optimum - 1e-9,
                    "seed {seed}, p {p}: bound {bound} below the optimum {optimum}"
                );
                gaps.push((bound - optimum) / optimum.max(1.0));
            }
        }
        // Useful, not only valid: on average within a few per cent of the optimum.
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        assert!(mean < 0.05, "mean relative gap of the bound {mean}");
    }

    #[test]
    fn a_large_instance_gets_an_answer_whose_stated_guarantee_holds() {
        let instance = random_instance(7, 3000, 200, 1.2);
        let solution = solve(&instance, 15);
        assert_eq!(solution.sites.len(), 15);
        assert!((instance.coverage_of(&solution.sites) - solution.coverage).abs() < 1e-9);
        assert!(solution.upper_bound >= solution.coverage && solution.coverage >= solution.before);
        let greedy_only = instance.coverage_of(&greedy(&instance, 15));
        assert!(
            solution.coverage >= greedy_only,
            "the swaps never lose what greedy found"
        );
        let g = solution.guarantee();
        assert!(
            g > 0.8 && g <= 1.0,
            "guarantee {g} (bound {}, coverage {})",
            solution.upper_bound,
            solution.coverage
        );
    }

    #[test]
    fn greedy_alone_can_miss_what_the_swaps_find() {
        // Candidate 0 reaches the two heavy points (3 + 3); candidates 1 and 2 each reach one
        // heavy and one light point (3 + 2). Greedy takes 0 first, then 1: 6 + 2 = 8; the
        // optimum with p = 2 is {1, 2}: 10.
        let instance = Instance {
            weights: vec![3.0, 3.0, 2.0, 2.0],
            reaches: vec![vec![0, 1], vec![0, 2], vec![1, 3]],
            covered: vec![false; 4],
        };
        let greedy_only = instance.coverage_of(&greedy(&instance, 2));
        let solution = solve(&instance, 2);
        assert_eq!(greedy_only, 8.0);
        assert_eq!(solution.coverage, 10.0);
        assert_eq!(
            solution.guarantee(),
            1.0,
            "bound {} proves it",
            solution.upper_bound
        );
    }

    #[test]
    fn existing_facilities_count_as_built() {
        let instance = Instance {
            weights: vec![5.0, 1.0],
            reaches: vec![vec![0], vec![1]],
            covered: vec![true, false],
        };
        let solution = solve(&instance, 1);
        assert_eq!(solution.sites, vec![1], "the site that adds something");
        assert_eq!((solution.before, solution.coverage), (5.0, 6.0));
    }
}
