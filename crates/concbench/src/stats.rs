//! Statistics of samples: arithmetic only, no I/O, no clock — so it can be tested with
//! properties.

/// A small deterministic PRNG (SplitMix64): the bootstrap must give the same interval for
/// the same samples, so that two reports of one results file agree.
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

/// Resamples drawn by the bootstrap.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// A percentile bootstrap 95% confidence interval of the median.
pub fn bootstrap_median_ci(xs: &[f64]) -> Option<(f64, f64)> {
    bootstrap_ci(xs, |s| median(s).expect("non-empty"))
}

/// A percentile bootstrap 95% interval of `statistic`, seeded from the data so it is
/// reproducible.
pub fn bootstrap_ci(xs: &[f64], statistic: impl Fn(&[f64]) -> f64) -> Option<(f64, f64)> {
    if xs.is_empty() {
        return None;
    }
    let seed = xs
        .iter()
        .fold(xs.len() as u64, |acc, x| acc.rotate_left(7) ^ x.to_bits());
    let mut rng = SplitMix64::new(seed);
    let mut stats = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
    let mut resample = vec![0.0; xs.len()];
    for _ in 0..BOOTSTRAP_RESAMPLES {
        for slot in resample.iter_mut() {
            *slot = xs[rng.below(xs.len())];
        }
        stats.push(statistic(&resample));
    }
    stats.sort_by(f64::total_cmp);
    let at = |q: f64| stats[((stats.len() - 1) as f64 * q).round() as usize];
    Some((at(0.025), at(0.975)))
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_bootstrap_interval_holds_the_median_and_is_reproducible() {
        let xs = [10.0, 11.0, 9.5, 10.4, 10.2, 9.8, 10.9];
        let (lo, hi) = bootstrap_median_ci(&xs).unwrap();
        let m = median(&xs).unwrap();
        assert!(lo <= m && m <= hi, "{lo} {m} {hi}");
        assert!(lo >= 9.5 && hi <= 11.0);
        assert_eq!(bootstrap_median_ci(&xs), Some((lo, hi)));
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<u32> = (0..50).collect();
        SplitMix64::new(1).shuffle(&mut v);
        assert_ne!(v, (0..50).collect::<Vec<_>>());
        v.sort();
        assert_eq!(v, (0..50).collect::<Vec<_>>());
    }
}
