//! The local neighbourhood variance estimator for spatially balanced (GRTS) samples.
//!
//! D. L. Stevens Jr. and A. R. Olsen (2003), "Variance estimation for spatially balanced
//! samples of environmental resources", *Environmetrics* 14:593–610. A GRTS sample spreads
//! its sites evenly over space, so neighbouring sites are almost a stratum of their own; the
//! SRS formula, which ignores that, overstates the variance whenever the response has a
//! spatial trend. The estimator contrasts each site only with its neighbours:
//!
//! v(Ŷ_HT) = Σᵢ Σ_{j∈Dᵢ} wᵢⱼ (zⱼ − z̄ᵢ)²,  z̄ᵢ = Σ_{k∈Dᵢ} wᵢₖ zₖ,  zⱼ = yⱼ/πⱼ,
//!
//! where Dᵢ is site i's neighbourhood and w a matrix of weights. This module follows R
//! spsurvey's `localmean_weight` and `localmean_var` (Stevens and Kincaid) step by step:
//!
//! 1. Dᵢ = site i and its 3 nearest sampled neighbours (4 sites), made symmetric: if j is in
//!    Dᵢ, i is put in Dⱼ, so a neighbourhood can hold more than 4 sites. Distances are in
//!    metres on a local equirectangular projection of WGS84 (exact to well under a percent
//!    across a city, and only the order of distances matters). Site i itself always comes
//!    first; ties are broken by the order of the observations.
//! 2. Weights taper linearly with rank: the k-th nearest (k = 0 for i itself) of the gᵢ
//!    members of Dᵢ gets 1 − k/gᵢ, divided by πⱼ, then each row is scaled to sum to 1.
//! 3. The matrix is made doubly stochastic (columns also summing to 1) by the least-squares
//!    correction wᵢⱼ += (lᵢ + gⱼ)/2 on the neighbour pairs, with l and g the Lagrange
//!    multipliers of "keep row sums, fix column sums". spsurvey solves the multipliers' linear
//!    system with a Moore–Penrose inverse (`MASS::ginv`); the system is symmetric positive
//!    semi-definite and consistent, and the correction is the same for every solution, so
//!    it is solved here by conjugate gradients.
//! 4. v = Σᵢ Σⱼ wᵢⱼ (zⱼ − z̄ᵢ)² ([`LocalWeights::variance`], spsurvey's number).
//!
//! # One departure from spsurvey: a small-sample correction
//!
//! Each inner sum Σⱼ wᵢⱼ (zⱼ − z̄ᵢ)² is a weighted variance "with divisor n": if the zⱼ of
//! a neighbourhood were independent with variance σ², its expectation would be
//! σ² (1 − Σⱼ wᵢⱼ²), not σ². With 4 or 5 tapered weights Σⱼ wᵢⱼ² is about 0.26, so on a
//! frame whose values vary from site to site without spatial pattern (the usual case for
//! the condition of a billboard or a bin) spsurvey's estimate is about 0.74 of the variance
//! it estimates. [`LocalWeights::variance_corrected`] divides each neighbourhood's term by
//! 1 − Σⱼ wᵢⱼ², as s² divides by n − 1 rather than n; this is the same correction as the
//! kᵢ/(kᵢ − 1) of the local mean estimator of Grafström and Schelin (2014, *Scandinavian
//! Journal of Statistics* 41:641–656, R BalancedSampling `vsb`). It is what the estimates
//! use. On the synthetic frames of `estimate/tests.rs`, with GRTS samples of 60 from 600,
//! spsurvey's form estimated 0.75–1.04 of the true variance and its 95 % intervals covered
//! 90–95 % of the time; the corrected form 1.01–1.42 and 93.7–97.3 %
//! (docs/ESTIMATES.md). The spsurvey form stays available for comparison, and the tests
//! check it against a transliteration of spsurvey's R code.
//!
//! For the Hájek mean spsurvey applies step 4 to the weighted residuals zⱼ = (yⱼ − ȳ)/πⱼ and
//! divides by N̂² = (Σ 1/πⱼ)² (`mean_var`); so does [`hajek_mean_variance`], with the
//! correction. Like spsurvey since 2021, no finite population correction is applied (so the
//! variance is conservative when a large share of the frame is sampled). Also like
//! spsurvey, a stratum with fewer than 4 sites, or whose local estimate is negative or
//! undefined, gets the with-replacement (SRS, infinite population) variance instead.

use crate::crs::EARTH_RADIUS_M;

use super::horvitz_thompson::{ht_size, weighted_residuals, with_replacement_variance};

/// Sites in a neighbourhood before it is made symmetric: the site and its 3 nearest.
pub const NEIGHBOURHOOD_SIZE: usize = 4;

/// The neighbourhoods and weights of one sample: row i lists (j, wᵢⱼ) for j ∈ Dᵢ, i first,
/// then by increasing distance from i.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalWeights {
    rows: Vec<Vec<(usize, f64)>>,
}

impl LocalWeights {
    /// The neighbourhoods and doubly stochastic weights of sites at `xy` (metres, any planar
    /// system) with inclusion probabilities `probs`.
    pub fn new(xy: &[[f64; 2]], probs: &[f64]) -> LocalWeights {
        assert_eq!(xy.len(), probs.len(), "one position per inclusion probability");
        let n = xy.len();
        let members = neighbourhoods(xy);

        // Linear taper on rank, divided by π, rows normalised to sum to 1.
        let mut rows: Vec<Vec<(usize, f64)>> = members
            .iter()
            .map(|row| {
                let g = row.len() as f64;
                let raw: Vec<(usize, f64)> =
                    row.iter().enumerate().map(|(k, &j)| (j, (1.0 - k as f64 / g) / probs[j])).collect();
                let sum: f64 = raw.iter().map(|(_, w)| w).sum();
                raw.into_iter().map(|(j, w)| (j, w / sum)).collect()
            })
            .collect();

        // Doubly stochastic: the column adjustments g solve M g = 1 − (column sums).
        let mut col_sums = vec![0.0; n];
        for row in &rows {
            for &(j, w) in row {
                col_sums[j] += w;
            }
        }
        let b: Vec<f64> = col_sums.iter().map(|s| 1.0 - s).collect();
        let g = solve_multipliers(&members, &b);
        let l: Vec<f64> =
            members.iter().map(|row| -row.iter().map(|&j| g[j]).sum::<f64>() / row.len() as f64).collect();
        for (i, row) in rows.iter_mut().enumerate() {
            for (j, w) in row.iter_mut() {
                *w += (l[i] + g[*j]) / 2.0;
            }
        }
        LocalWeights { rows }
    }

    /// The local variance with each neighbourhood's term divided by 1 − Σⱼ wᵢⱼ², the
    /// small-sample correction that makes it unbiased when the values have no spatial
    /// structure (see the module documentation). NaN if a neighbourhood's weights leave no
    /// degrees of freedom (Σⱼ wᵢⱼ² ≥ 1).
    pub fn variance_corrected(&self, z: &[f64]) -> f64 {
        assert_eq!(z.len(), self.rows.len(), "one value per site");
        self.rows
            .iter()
            .map(|row| {
                let local_mean: f64 = row.iter().map(|&(j, w)| w * z[j]).sum();
                let spread: f64 = row.iter().map(|&(j, w)| w * (z[j] - local_mean).powi(2)).sum();
                let concentration: f64 = row.iter().map(|&(_, w)| w * w).sum();
                // Weights far from a neighbourhood average (possible only in degenerate
                // layouts) leave no degrees of freedom: NaN, and the caller falls back.
                if concentration < 1.0 - 1e-9 {
                    spread / (1.0 - concentration)
                } else {
                    f64::NAN
                }
            })
            .sum()
    }

    /// Row i: (j, wᵢⱼ) for every j in site i's neighbourhood, i first.
    pub fn rows(&self) -> &[Vec<(usize, f64)>] {
        &self.rows
    }

    /// The local neighbourhood variance Σᵢ Σ_{j∈Dᵢ} wᵢⱼ (zⱼ − z̄ᵢ)² of the HT total Σ zⱼ,
    /// where `z` holds the already weighted values yⱼ/πⱼ (or weighted residuals), exactly as
    /// spsurvey's `localmean_var` computes it (without the correction).
    pub fn variance(&self, z: &[f64]) -> f64 {
        assert_eq!(z.len(), self.rows.len(), "one value per site");
        self.rows
            .iter()
            .map(|row| {
                let local_mean: f64 = row.iter().map(|&(j, w)| w * z[j]).sum();
                row.iter().map(|&(j, w)| w * (z[j] - local_mean).powi(2)).sum::<f64>()
            })
            .sum()
    }
}

/// Positions in metres (x east, y north) on an equirectangular projection centred on the
/// sites' mean position: ample for ranking neighbours across a city or county.
pub fn project_metres(lon_lat: &[(f64, f64)]) -> Vec<[f64; 2]> {
    let n = lon_lat.len().max(1) as f64;
    let lon0 = lon_lat.iter().map(|p| p.0).sum::<f64>() / n;
    let lat0 = lon_lat.iter().map(|p| p.1).sum::<f64>() / n;
    let k = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
    let kx = k * lat0.to_radians().cos();
    lon_lat.iter().map(|&(lon, lat)| [(lon - lon0) * kx, (lat - lat0) * k]).collect()
}

/// The local neighbourhood variance of the Hájek mean `mean` = Σ(yⱼ/πⱼ)/Σ(1/πⱼ) of one
/// stratum, as spsurvey's `mean_var` but corrected: the corrected local variance of the
/// residuals (yⱼ − ȳ)/πⱼ divided by N̂². Falls back to the with-replacement variance for
/// fewer than 4 sites or a negative or undefined local estimate; the second field says
/// whether the local estimator was used.
pub fn hajek_mean_variance(values: &[f64], probs: &[f64], lon_lat: &[(f64, f64)], mean: f64) -> (f64, bool) {
    let z = weighted_residuals(values, probs, mean);
    let n_hat = ht_size(probs);
    if values.len() >= NEIGHBOURHOOD_SIZE {
        let weights = LocalWeights::new(&project_metres(lon_lat), probs);
        let v = weights.variance_corrected(&z);
        if v >= 0.0 {
            return (v / (n_hat * n_hat), true);
        }
    }
    (with_replacement_variance(&z) / (n_hat * n_hat), false)
}

/// For each site, its symmetric neighbourhood: itself first, then the others by increasing
/// distance (ties by index).
fn neighbourhoods(xy: &[[f64; 2]]) -> Vec<Vec<usize>> {
    let n = xy.len();
    let d2 = |i: usize, j: usize| {
        let (dx, dy) = (xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]);
        dx * dx + dy * dy
    };
    let mut sets: Vec<std::collections::BTreeSet<usize>> = (0..n).map(|i| [i].into()).collect();
    for i in 0..n {
        // The nearest NEIGHBOURHOOD_SIZE − 1 others, kept sorted by (distance, index): one
        // pass over the sites, O(n) per site.
        let mut nearest: Vec<(f64, usize)> = Vec::with_capacity(NEIGHBOURHOOD_SIZE);
        for j in (0..n).filter(|&j| j != i) {
            let key = (d2(i, j), j);
            let pos = nearest.partition_point(|&(d, k)| d.total_cmp(&key.0).then(k.cmp(&j)).is_lt());
            if pos < NEIGHBOURHOOD_SIZE - 1 {
                nearest.insert(pos, key);
                nearest.truncate(NEIGHBOURHOOD_SIZE - 1);
            }
        }
        for &(_, j) in &nearest {
            sets[i].insert(j);
            sets[j].insert(i);
        }
    }
    sets.into_iter()
        .enumerate()
        .map(|(i, set)| {
            let mut row: Vec<usize> = set.into_iter().collect();
            row.sort_by(|&a, &b| (a != i).cmp(&(b != i)).then(d2(i, a).total_cmp(&d2(i, b))).then(a.cmp(&b)));
            row
        })
        .collect()
}

/// Solves M g = b for the column multipliers, where, with A the symmetric neighbour
/// incidence (self included), gᵢ = |Dᵢ|, D = diag(g/2) and H = A/2, M = D − H D⁻¹ H (the
/// matrix spsurvey pseudo-inverts). M is symmetric positive semi-definite; its null space is
/// the vectors constant on each connected group of neighbourhoods, to which b (1 − column
/// sums, summing to zero over each group) is orthogonal, so conjugate gradients converge to
/// a solution, and every solution gives the same weight correction.
fn solve_multipliers(members: &[Vec<usize>], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let apply = |g: &[f64]| -> Vec<f64> {
        // t_i = (1/gᵢ) Σ_{k∈Dᵢ} g_k ; (M g)_j = gⱼ g_j / 2 − ½ Σ_{i∈Dⱼ} tᵢ
        let t: Vec<f64> = members.iter().map(|row| row.iter().map(|&k| g[k]).sum::<f64>() / row.len() as f64).collect();
        members
            .iter()
            .enumerate()
            .map(|(j, row)| row.len() as f64 * g[j] / 2.0 - row.iter().map(|&i| t[i]).sum::<f64>() / 2.0)
            .collect()
    };
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();

    let mut x = vec![0.0; n];
    let mut r = b.to_vec();
    let mut p = r.clone();
    let mut rs = dot(&r, &r);
    // Stop when the residual is 10⁻¹² of where it started (column sums right to ~10⁻¹³).
    let tol = 1e-24 * rs;
    for _ in 0..(20 * n + 50) {
        if rs <= tol || rs == 0.0 {
            break;
        }
        let ap = apply(&p);
        let pap = dot(&p, &ap);
        if pap <= 0.0 {
            break;
        }
        let alpha = rs / pap;
        for k in 0..n {
            x[k] += alpha * p[k];
            r[k] -= alpha * ap[k];
        }
        let rs_new = dot(&r, &r);
        let beta = rs_new / rs;
        for k in 0..n {
            p[k] = r[k] + beta * p[k];
        }
        rs = rs_new;
    }
    x
}
