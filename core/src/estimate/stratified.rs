//! Simple random sampling without replacement within strata, and the combination of
//! strata: W. G. Cochran, *Sampling Techniques*, 3rd ed. (Wiley, 1977), ch. 5.
//!
//! In stratum h, with N_h units of which n_h were drawn by SRS and observed, the sample
//! mean ȳ_h is unbiased for the stratum mean and its variance is estimated by
//! (1 − n_h/N_h) s_h²/n_h (Cochran eq. 5.7), where s_h² is the sample variance with divisor
//! n_h − 1 and 1 − n_h/N_h the finite population correction. Across strata, with
//! W_h = N_h/N known from the frame, ȳ_st = Σ W_h ȳ_h and v(ȳ_st) = Σ W_h² v(ȳ_h)
//! (eq. 5.1, 5.6): strata are drawn independently, so their variances add. Simple random
//! sampling is the one-stratum case, v(ȳ) = (1 − n/N) s²/n.

use crate::error::{Error, Result};

/// The mean and the estimated variance of the mean of one stratum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StratumMean {
    pub mean: f64,
    pub variance: f64,
}

/// Sample mean and (1 − n/N) s²/n for values drawn by SRS from `units` units. Needs
/// 2 ≤ n ≤ N; a census (n = N) has variance 0.
pub fn srs_mean(values: &[f64], units: u64) -> StratumMean {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    if n as u64 >= units {
        return StratumMean { mean, variance: 0.0 };
    }
    let s2 = values.iter().map(|y| (y - mean) * (y - mean)).sum::<f64>() / (n as f64 - 1.0);
    let fpc = 1.0 - n as f64 / units as f64;
    StratumMean { mean, variance: fpc * s2 / n as f64 }
}

/// Checks that the inclusion probabilities of one stratum are equal (to 1 part in 10⁹), as
/// simple random sampling within the stratum makes them. Unequal probabilities mean another
/// design (GRTS with unequal probabilities), for which the SRS formula is wrong.
pub fn check_equal_probabilities(stratum: &str, probs: &[f64]) -> Result<()> {
    let (lo, hi) = probs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &p| (lo.min(p), hi.max(p)));
    if hi - lo > 1e-9 * hi {
        return Err(Error::Invalid(format!(
            "stratum `{stratum}`: inclusion probabilities range from {lo} to {hi}; the stratified \
             (simple random sampling) variance needs equal probabilities within each stratum; \
             for a GRTS sample, with unequal probabilities, use the local neighbourhood variance"
        )));
    }
    Ok(())
}

/// Combines stratum means with known sizes: (Σ W_h ȳ_h, Σ W_h² v_h) with W_h = N_h/N.
pub fn combine(strata: &[(u64, StratumMean)]) -> StratumMean {
    let total: f64 = strata.iter().map(|(size, _)| *size as f64).sum();
    let mut mean = 0.0;
    let mut variance = 0.0;
    for (size, m) in strata {
        let w = *size as f64 / total;
        mean += w * m.mean;
        variance += w * w * m.variance;
    }
    StratumMean { mean, variance }
}
