//! GRTS — Generalized Random Tessellation Stratified sampling (Stevens & Olsen 2004, JASA
//! 99:262–278), with an ordered over-sample whose base part keeps its inclusion probabilities
//! exactly.
//!
//! # The algorithm, step by step
//!
//! 1. **Inclusion probabilities.** Equal: π_i = n/N. Unequal: π_i = n·aux_i/Σaux; a unit whose
//!    π reaches 1 is taken with certainty (π = 1) and the others are rescaled to the rest of n,
//!    repeatedly until none exceeds 1 ([`pps_probs`]; the same rule as spsurvey's
//!    `grtspts_ip`).
//! 2. **A plane in metres.** Longitude and latitude are projected equirectangularly around the
//!    frame's mean position ([`Frame::local_xy`]), so a quadrant is square on the ground.
//! 3. **A randomly placed square.** The square enclosing the frame (side D, padded by 4 % on
//!    each side, 1.08·D) is doubled to side 2.16·D and its corner is shifted by a uniform
//!    random fraction of 1.08·D in x and in y. The frame always lies inside, and where the
//!    quadrant boundaries fall is random (Stevens & Olsen's random translation).
//! 4. **Hierarchical randomization.** The square is split into four quadrants, each quadrant
//!    into four, and so on; at every cell the order of its four sub-cells is an independent,
//!    uniformly random permutation of the 24 (Stevens & Olsen's hierarchical randomization;
//!    older spsurvey `ranho`). Splitting continues until every cell holds at most one unit
//!    (deeper than the usual "cell mass below 1", which only refines the order), or for 32
//!    levels, after which units at the same place are put in random order.
//! 5. **The line.** Units are ordered by their randomized address — a space-filling curve with
//!    random turns — and each occupies a segment of length π_i on a line of total length n.
//!    Nearby units are (mostly) nearby on the line.
//! 6. **Systematic selection.** Points at u, u+1, …, u+n−1 with u ~ U(0, 1) select the units
//!    whose segments they fall in. Each segment is at most 1 long, so it catches at most one
//!    point, with probability exactly its length: π_i. Points 1 apart on a line where nearby
//!    units are nearby give a sample spread over the frame.
//! 7. **Reverse hierarchical order** (spsurvey's `rho`): the selected sites are listed so that
//!    any first k of them are spread out too — with L = ⌈log₄ n⌉, the positions
//!    ⌊rev₄(a)·n/4^L⌋ for a = 0, 1, …, 4^L−1 (rev₄ reverses a's L base-4 digits), first
//!    occurrences only: 0, n/4, n/2, 3n/4, n/16, …
//!
//! spsurvey since version 5 selects along the same line with the ordered pivotal method
//! (`UPpivotal`) instead of step 6, and uses one permutation per level rather than per cell;
//! both are sound. The systematic method of the 2004 paper is used here because it makes the
//! over-sample below exact.
//!
//! # The over-sample, and why the base keeps exactly π
//!
//! spsurvey (`grts_stratum`) draws M = n + over sites with inclusion probabilities computed for
//! M (`ip` for `n_total`), puts them in reverse hierarchical order, calls the first n the base
//! and the rest replacement sites, and reports the base sites' π as π'·n/M. That is only
//! approximate: the first n in reverse hierarchical order are fixed *positions* on the line
//! (0, M/4, M/2, …), and a unit's chance of sitting at one of them is not in general n/M of
//! its chance of being drawn; and a unit certain in the base design (π = 1) gets n/M.
//!
//! Here the base design's π (above, with certainty units) is kept exactly, in two phases.
//! Certainty units are always base sites, listed first, and stay off the line; n_r = n minus
//! their number is what the line must give.
//!
//! **Phase 1** draws M = n_r + over points from the line exactly as above, with
//! π'_i ∝ size, capped at 1, for size M ([`pps_probs`] with M: spsurvey's n_total sample). The
//! line is closed into a circle of length M; the start s ~ U(0, M) and point j (j = 0…M−1)
//! lies at (s + j) mod M — as a set, the systematic sample of step 6 with start frac(s).
//! P(i drawn) = π'_i. The M points are put in reverse hierarchical order of their number j.
//!
//! **Phase 2** chooses which n_r of the M are base sites so that, given the phase-1 sample,
//! unit i is a base site with probability q_i = π_i/π'_i. Then P(i in base) = π'_i·q_i = π_i
//! exactly. That is possible because the q_i of the drawn units always sum to n_r: a unit
//! capped at π' = 1 has a segment of length 1 and is drawn every time; the others all have
//! q_i = 1/c for the one scale c with π'_i = c·π_i; and n_r − Σ_capped π_i = Σ_uncapped π_i =
//! (M − #capped)/c, which is exactly Σ_drawn-uncapped 1/c.
//! - **No unit capped** (with equal probability whenever n + over < N; with unequal
//!   probability unless some unit has π_i > n_r/M): q_i = n_r/M for all, and the base is *the first n_r points in
//!   reverse hierarchical order* — spsurvey's rule, but counted from the random start s
//!   instead of from the line's origin. Point j falls anywhere on the circle with equal
//!   chance, so it catches unit i with probability π'_i/M, and a segment of length ≤ 1 holds at
//!   most one point: P(i in base) = n_r·π'_i/M = π_i.
//! - **Some unit capped** (a large unit under unequal probability): the base is a systematic
//!   sample of n_r with segment lengths q_i along the line order of the M drawn units (so the
//!   base is spread too, and each replacement site lies between base sites on the line).
//!
//! Base sites are listed in reverse hierarchical order (of their phase-1 point), then the
//! replacement sites in the same order: the first k replacement sites are spread over the
//! frame, whichever base sites they end up replacing. The tests check the base sites'
//! empirical inclusion frequencies against π over 10 000 draws with an over-sample, for equal
//! and unequal probabilities (including capped units).

use rand_chacha::ChaCha8Rng;

use super::{below, unit_f64, Frame};

/// Levels of quadrant splitting after which units still sharing a cell (at most ~1e-9 of the
/// frame's extent apart) are ordered at random.
const MAX_DEPTH: u32 = 32;

/// A GRTS draw: the chosen units in order with their replacement flag, and every other unit in
/// a spread-out order (reverse hierarchical along the line), for minimum-distance refills.
pub(crate) struct Drawn {
    pub sites: Vec<(usize, bool)>,
    pub fill_order: Vec<usize>,
}

/// Inclusion probabilities proportional to `sizes` (all > 0) for a sample of `n` ≤ len: n·s/Σs,
/// with units reaching 1 set to 1 and the others rescaled to the remaining n, repeatedly.
pub(crate) fn pps_probs(sizes: &[f64], n: usize) -> Vec<f64> {
    let mut pi = vec![0.0; sizes.len()];
    let mut certain = vec![false; sizes.len()];
    loop {
        let k = certain.iter().filter(|&&c| c).count();
        let rest = n.saturating_sub(k) as f64;
        let total: f64 = sizes.iter().zip(&certain).filter(|(_, &c)| !c).map(|(s, _)| s).sum();
        let mut changed = false;
        for i in 0..sizes.len() {
            if certain[i] {
                pi[i] = 1.0;
            } else {
                pi[i] = if total > 0.0 { rest * sizes[i] / total } else { 0.0 };
                // A hair's tolerance so that a π of 1 − 1e-15 from rounding counts as certain.
                if pi[i] >= 1.0 - 1e-12 {
                    certain[i] = true;
                    pi[i] = 1.0;
                    changed = true;
                }
            }
        }
        if !changed {
            return pi;
        }
    }
}

/// Draws a GRTS sample of `n` base sites and `over` replacement sites. `pi` holds the base
/// design's inclusion probabilities (summing to n, each in (0, 1]); `sizes` the size measure
/// they are proportional to below 1 (all 1 for equal probability). The caller has checked
/// 1 ≤ n and n + over ≤ N.
pub(crate) fn draw(frame: &Frame, pi: &[f64], sizes: &[f64], n: usize, over: usize, rng: &mut ChaCha8Rng) -> Drawn {
    let big_n = frame.len();
    let line = spatial_order(&frame.local_xy(), rng);
    let mut sites: Vec<(usize, bool)> = Vec::with_capacity(n + over);
    let mut chosen = vec![false; big_n];

    // Certainty units: always in the base, listed first in line order.
    for &u in &line {
        if pi[u] >= 1.0 {
            sites.push((u, false));
            chosen[u] = true;
        }
    }
    let n_r = n - sites.len();
    let m = n_r + over;
    if m > 0 {
        // Phase 1: a GRTS sample of M = n_r + over along the line, π' ∝ size capped at 1.
        let prob_line: Vec<usize> = line.iter().copied().filter(|&u| !chosen[u]).collect();
        let p_line = pps_probs(&prob_line.iter().map(|&u| sizes[u]).collect::<Vec<_>>(), m);
        let mut p1 = vec![0.0; big_n];
        for (&u, &p) in prob_line.iter().zip(&p_line) {
            p1[u] = p;
        }
        let hits = systematic(&prob_line, &p1, m, rng);
        let rho = rho_order(m);
        let mut rank = vec![0usize; m];
        for (r, &j) in rho.iter().enumerate() {
            rank[j] = r;
        }
        // Phase 2: which of the M points are base sites.
        let capped = prob_line.iter().any(|&u| p1[u] >= 1.0);
        let mut in_base = vec![false; m];
        if !capped || n_r == 0 {
            // q uniform (= n_r/M): the first n_r in reverse hierarchical order of the
            // points counted from the random start.
            for (b, &r) in in_base.iter_mut().zip(&rank) {
                *b = r < n_r;
            }
        } else {
            // q_i = π_i/π'_i, summing to n_r over every possible phase-1 sample: systematic
            // subsample along the line.
            let mut line_pos = vec![0usize; big_n];
            for (k, &u) in line.iter().enumerate() {
                line_pos[u] = k;
            }
            let mut in_line: Vec<usize> = hits.clone();
            in_line.sort_by_key(|&u| line_pos[u]);
            let mut q = vec![0.0; big_n];
            for &u in &in_line {
                q[u] = (pi[u] / p1[u]).min(1.0);
            }
            debug_assert!((in_line.iter().map(|&u| q[u]).sum::<f64>() - n_r as f64).abs() < 1e-9, "Σq ≠ n_r");
            let base_units = systematic(&in_line, &q, n_r, rng);
            let mut is_base = vec![false; big_n];
            for u in base_units {
                is_base[u] = true;
            }
            for (b, &u) in in_base.iter_mut().zip(&hits) {
                *b = is_base[u];
            }
        }
        // Base sites in reverse hierarchical order, then replacement sites in the same order.
        for replacement in [false, true] {
            for &j in &rho {
                if in_base[j] != replacement {
                    sites.push((hits[j], replacement));
                    chosen[hits[j]] = true;
                }
            }
        }
    }

    let fill_order = rho_order(big_n).into_iter().map(|k| line[k]).filter(|&u| !chosen[u]).collect();
    Drawn { sites, fill_order }
}

/// The units in randomized hierarchical (quadrant) order: steps 3–5 of the module docs.
pub(crate) fn spatial_order(xy: &[[f64; 2]], rng: &mut ChaCha8Rng) -> Vec<usize> {
    if xy.is_empty() {
        return Vec::new();
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for p in xy {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    let extent = (x1 - x0).max(y1 - y0);
    let d = if extent > 0.0 { extent } else { 1.0 };
    let pad = 0.04 * d;
    let s0 = d + 2.0 * pad;
    let ox = x0 - pad - unit_f64(rng) * s0;
    let oy = y0 - pad - unit_f64(rng) * s0;
    let mut out = Vec::with_capacity(xy.len());
    let all: Vec<usize> = (0..xy.len()).collect();
    split(xy, all, [ox, oy], 2.0 * s0, 0, rng, &mut out);
    out
}

/// Orders the units of one cell (corner, side) into `out`, recursing into its quadrants in a
/// random order.
fn split(
    xy: &[[f64; 2]],
    units: Vec<usize>,
    corner: [f64; 2],
    side: f64,
    depth: u32,
    rng: &mut ChaCha8Rng,
    out: &mut Vec<usize>,
) {
    if units.len() <= 1 {
        out.extend(units);
        return;
    }
    if depth >= MAX_DEPTH {
        let mut units = units;
        for i in (1..units.len()).rev() {
            let j = below(rng, i + 1);
            units.swap(i, j);
        }
        out.extend(units);
        return;
    }
    let half = side / 2.0;
    let (mx, my) = (corner[0] + half, corner[1] + half);
    let mut quads: [Vec<usize>; 4] = Default::default();
    for u in units {
        let q = 2 * usize::from(xy[u][0] >= mx) + usize::from(xy[u][1] >= my);
        quads[q].push(u);
    }
    let mut perm = [0usize, 1, 2, 3];
    for i in (1..4).rev() {
        let j = below(rng, i + 1);
        perm.swap(i, j);
    }
    for q in perm {
        let cell = std::mem::take(&mut quads[q]);
        if cell.is_empty() {
            continue;
        }
        let c = [corner[0] + half * (q / 2) as f64, corner[1] + half * (q % 2) as f64];
        split(xy, cell, c, half, depth + 1, rng, out);
    }
}

/// Systematic selection of `m` units on a circle of length m: `line` is the order, `p` the
/// segment lengths by unit (each ≤ 1, summing to m over `line`). Returns the unit caught by
/// point j, for j = 0…m−1, where point j lies at (s + j) mod m and s ~ U(0, m).
fn systematic(line: &[usize], p: &[f64], m: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let s = unit_f64(rng) * m as f64;
    let k0 = (s.floor() as usize).min(m - 1);
    let f = s - k0 as f64;
    let mut hits = vec![usize::MAX; m];
    let mut hit = vec![false; line.len()];
    let (mut idx, mut end) = (0usize, 0.0f64);
    // Point k (in position order) lies at f + k; j = (k − k0) mod m.
    'points: for k in 0..m {
        let x = f + k as f64;
        while idx < line.len() {
            end += p[line[idx]];
            let last = idx + 1 == line.len();
            idx += 1;
            // A unit's segment is [end − p, end); the last unit absorbs rounding at the end.
            if end > x || last {
                hits[(k + m - k0) % m] = line[idx - 1];
                hit[idx - 1] = true;
                continue 'points;
            }
        }
        break;
    }
    // Only floating-point rounding in Σp could leave a point uncaught: give it the last
    // unit not yet caught, so the sample still has m distinct units.
    if hits.contains(&usize::MAX) {
        let mut spare = (0..line.len()).rev().filter(|&i| !hit[i]);
        for h in hits.iter_mut().filter(|h| **h == usize::MAX) {
            if let Some(i) = spare.next() {
                *h = line[i];
            }
        }
    }
    hits
}

/// spsurvey's reverse hierarchical order of 0..m: with L the least level ≥ 1 where 4^L ≥ m,
/// the distinct values ⌊rev₄(a)·m/4^L⌋ for a = 0, 1, …, 4^L − 1, in order of first appearance.
pub(crate) fn rho_order(m: usize) -> Vec<usize> {
    if m == 0 {
        return Vec::new();
    }
    let mut levels = 1u32;
    while 4usize.pow(levels) < m {
        levels += 1;
    }
    let cells = 4usize.pow(levels);
    let mut seen = vec![false; m];
    let mut order = Vec::with_capacity(m);
    for a in 0..cells {
        let mut rev = 0usize;
        let mut rest = a;
        for _ in 0..levels {
            rev = rev * 4 + rest % 4;
            rest /= 4;
        }
        let pos = rev * m / cells;
        if !seen[pos] {
            seen[pos] = true;
            order.push(pos);
        }
    }
    order
}
