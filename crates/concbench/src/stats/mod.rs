//! Statistics of samples: arithmetic only, no I/O, no clock — so it can be tested with
//! properties. This file holds the descriptive statistics; one file per further concern:
//!
//! - [`interval`]: distribution-free intervals of a median, with the level they really have
//! - [`ratio`]: intervals of how many times slower one model is than another, paired by
//!   round or not
//! - [`decision`]: do two models differ, which band of a verdict holds: read from an
//!   interval
//! - `resample` (test builds only): the percentile bootstrap the analysis used before these
//!   intervals; the coverage test keeps it to show why it was replaced
//! - [`rank_test`]: the Mann–Whitney U test
//! - [`modes`]: samples that fall in two clusters (two modes), by a simple gap rule

pub mod decision;
pub mod interval;
pub mod modes;
pub mod rank_test;
pub mod ratio;
#[cfg(test)]
pub mod resample;

pub use decision::{
    apart, difference, negligible, place, Difference, Placement, NEGLIGIBLE, SETTLING_LEVEL,
};
pub use interval::{median_interval, Interval, CONFIDENCE};
pub use modes::{two_modes, TwoModes};
pub use rank_test::{mann_whitney_p, smallest_p, ALPHA};
pub use ratio::{paired_ratio_interval, paired_ratios, unpaired_ratio_interval};
#[cfg(test)]
pub use resample::{bootstrap_ci, bootstrap_median_ci, bootstrap_ratio_ci, BOOTSTRAP_RESAMPLES};

/// A small deterministic PRNG (SplitMix64): the runner's shuffled order within a round must
/// be reproducible from the results file's seed, and the tests' simulations likewise.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform index below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The median (mean of the middle two for an even count); `None` for no data.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

/// The q-quantile (0 ≤ q ≤ 1) by linear interpolation between the closest ranks: p10 is
/// `percentile(xs, 0.1)`.
pub fn percentile(xs: &[f64], q: f64) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let at = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    Some(v[lo] + (v[hi] - v[lo]) * (at - lo as f64))
}

/// The median absolute deviation (unscaled).
pub fn mad(xs: &[f64]) -> Option<f64> {
    let m = median(xs)?;
    let deviations: Vec<f64> = xs.iter().map(|x| (x - m).abs()).collect();
    median(&deviations)
}

/// Mean and sample standard deviation (n − 1).
pub fn mean_sd(xs: &[f64]) -> Option<(f64, f64)> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    Some((mean, var.sqrt()))
}

/// Coefficient of variation: sd / mean (0 for a single sample or a zero mean).
pub fn cv(xs: &[f64]) -> f64 {
    match mean_sd(xs) {
        Some((mean, sd)) if mean != 0.0 => sd / mean,
        _ => 0.0,
    }
}

/// Indices of outliers by the modified z-score (Iglewicz & Hoaglin): |0.6745 (x − median) /
/// MAD| > 3.5. With a MAD of zero nothing is called an outlier.
pub fn outliers(xs: &[f64]) -> Vec<usize> {
    let (Some(m), Some(d)) = (median(xs), mad(xs)) else {
        return Vec::new();
    };
    if d == 0.0 {
        return Vec::new();
    }
    xs.iter()
        .enumerate()
        .filter(|(_, x)| (0.6745 * (*x - m) / d).abs() > 3.5)
        .map(|(i, _)| i)
        .collect()
}

/// The geometric mean of positive values.
pub fn geometric_mean(xs: &[f64]) -> Option<f64> {
    let logs: Vec<f64> = xs.iter().filter(|x| **x > 0.0).map(|x| x.ln()).collect();
    if logs.is_empty() {
        return None;
    }
    Some((logs.iter().sum::<f64>() / logs.len() as f64).exp())
}

#[cfg(test)]
mod coverage;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let xs = [5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(percentile(&xs, 0.5), Some(3.0));
        assert_eq!(percentile(&xs, 0.1), Some(1.4));
        assert_eq!(percentile(&xs, 1.0), Some(5.0));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn mad_and_cv() {
        assert_eq!(mad(&[1.0, 2.0, 3.0, 4.0, 100.0]), Some(1.0));
        assert!((cv(&[10.0, 10.0, 10.0])).abs() < 1e-12);
        let c = cv(&[9.0, 10.0, 11.0]);
        assert!((c - 0.1).abs() < 1e-12, "{c}");
    }

    #[test]
    fn a_far_sample_is_an_outlier() {
        assert_eq!(outliers(&[10.0, 10.2, 9.9, 10.1, 10.0, 30.0]), vec![5]);
        assert!(outliers(&[10.0, 10.0, 10.0]).is_empty());
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<u32> = (0..50).collect();
        SplitMix64::new(1).shuffle(&mut v);
        assert_ne!(v, (0..50).collect::<Vec<_>>());
        v.sort();
        assert_eq!(v, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn geometric_mean_of_two() {
        assert!((geometric_mean(&[2.0, 8.0]).unwrap() - 4.0).abs() < 1e-12);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn samples() -> impl Strategy<Value = Vec<f64>> {
            prop::collection::vec(1.0f64..1e9, 1..40)
        }

        proptest! {
            #[test]
            fn the_median_lies_within_the_data_and_ignores_order(mut xs in samples(), seed in any::<u64>()) {
                let m = median(&xs).unwrap();
                let lo = xs.iter().cloned().fold(f64::INFINITY, f64::min);
                let hi = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(lo <= m && m <= hi);
                SplitMix64::new(seed).shuffle(&mut xs);
                prop_assert_eq!(median(&xs), Some(m));
            }

            #[test]
            fn scaling_the_data_scales_median_and_mad(xs in samples(), k in 0.001f64..1000.0) {
                let scaled: Vec<f64> = xs.iter().map(|x| x * k).collect();
                let (m, ms) = (median(&xs).unwrap(), median(&scaled).unwrap());
                prop_assert!((ms - m * k).abs() <= 1e-9 * ms.abs().max(1.0));
                let (d, ds) = (mad(&xs).unwrap(), mad(&scaled).unwrap());
                prop_assert!((ds - d * k).abs() <= 1e-9 * ds.abs().max(1.0));
                prop_assert!((cv(&scaled) - cv(&xs)).abs() <= 1e-9);
            }

            #[test]
            fn outliers_are_far_from_the_median(xs in samples()) {
                let m = median(&xs).unwrap();
                let d = mad(&xs).unwrap();
                for i in outliers(&xs) {
                    prop_assert!((xs[i] - m).abs() > 3.5 * d / 0.6745 * (1.0 - 1e-12));
                }
            }
        }
    }
}
