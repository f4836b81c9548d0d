//! Horvitz–Thompson and Hájek point estimators, and the residuals their variances use.
//!
//! D. G. Horvitz and D. J. Thompson (1952), "A generalization of sampling without replacement
//! from a finite universe", *JASA* 47:663–685: a unit drawn with probability πᵢ stands for
//! 1/πᵢ units, and Σ yᵢ/πᵢ is unbiased for the population total under any design whose πᵢ
//! are all positive. J. Hájek (1971) divides that total by the estimated population size
//! Σ 1/πᵢ instead of the true N: the ratio is not exactly unbiased, but it is
//! location-invariant (adding c to every y adds c to the estimate), equals the plain sample
//! mean whenever the πᵢ are equal, and has a smaller variance when Σ 1/πᵢ varies from
//! sample to sample, as it does with unequal probabilities (Särndal, Swensson and Wretman,
//! *Model Assisted Survey Sampling*, 1992, §5.7).

/// Horvitz–Thompson estimate of the population total: Σ yᵢ/πᵢ.
pub fn ht_total(values: &[f64], probs: &[f64]) -> f64 {
    values.iter().zip(probs).map(|(y, p)| y / p).sum()
}

/// Horvitz–Thompson estimate of the population size: N̂ = Σ 1/πᵢ.
pub fn ht_size(probs: &[f64]) -> f64 {
    probs.iter().map(|p| 1.0 / p).sum()
}

/// Hájek estimate of the population mean: Σ yᵢ/πᵢ ÷ Σ 1/πᵢ.
pub fn hajek_mean(values: &[f64], probs: &[f64]) -> f64 {
    ht_total(values, probs) / ht_size(probs)
}

/// The weighted residuals zᵢ = (yᵢ − ȳ)/πᵢ of the Hájek mean ȳ. The Hájek mean is a ratio
/// of two HT totals; its Taylor linearisation is ȳ − Ȳ ≈ (Σ zᵢ)/N, so its variance is the
/// variance of the HT total of the residuals divided by N² (estimated by N̂²). Whatever
/// variance estimator suits the design for an HT total (stratified, local neighbourhood) is
/// applied to these zᵢ. Their sum is zero by construction.
pub fn weighted_residuals(values: &[f64], probs: &[f64], mean: f64) -> Vec<f64> {
    values.iter().zip(probs).map(|(y, p)| (y - mean) / p).collect()
}

/// The with-replacement ("independent draws", no finite population correction) variance of
/// the HT total of `z`: n/(n − 1) · Σ (zᵢ − z̄)². It is what R's `survey::svymean` reports
/// for a design without strata or fpc, and what spsurvey falls back to when the local
/// neighbourhood estimator cannot be used. Needs n ≥ 2; returns NaN otherwise.
pub fn with_replacement_variance(z: &[f64]) -> f64 {
    let n = z.len();
    if n < 2 {
        return f64::NAN;
    }
    let mean = z.iter().sum::<f64>() / n as f64;
    let ss: f64 = z.iter().map(|v| (v - mean) * (v - mean)).sum();
    n as f64 / (n as f64 - 1.0) * ss
}
