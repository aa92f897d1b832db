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

/// The median of a non-empty slice, reordering it (no allocation: the bootstrap's inner loop).
fn median_in_place(v: &mut [f64]) -> f64 {
    let (len, mid) = (v.len(), v.len() / 2);
    let (below, m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    let m = *m;
    if len % 2 == 1 {
        m
    } else {
        let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + m) / 2.0
    }
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
    // The resample is refilled each round, so its median may reorder it in place.
    bootstrap_ci_mut(xs, median_in_place)
}

/// A percentile bootstrap 95% interval of `statistic`, seeded from the data so it is
/// reproducible.
pub fn bootstrap_ci(xs: &[f64], statistic: impl Fn(&[f64]) -> f64) -> Option<(f64, f64)> {
    bootstrap_ci_mut(xs, |s| statistic(s))
}

/// [`bootstrap_ci`] with a statistic that may reorder the resample it is given.
fn bootstrap_ci_mut(xs: &[f64], statistic: impl Fn(&mut [f64]) -> f64) -> Option<(f64, f64)> {
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
        stats.push(statistic(&mut resample));
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

/// A percentile bootstrap 95% interval of median(new) / median(base), resampling both.
pub fn bootstrap_ratio_ci(base: &[f64], new: &[f64]) -> Option<(f64, f64)> {
    if base.is_empty() || new.is_empty() {
        return None;
    }
    let seed = base
        .iter()
        .chain(new)
        .fold(0u64, |acc, x| acc.rotate_left(9) ^ x.to_bits());
    let mut rng = SplitMix64::new(seed);
    let mut ratios = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
    let mut b = vec![0.0; base.len()];
    let mut n = vec![0.0; new.len()];
    for _ in 0..BOOTSTRAP_RESAMPLES {
        b.iter_mut().for_each(|x| *x = base[rng.below(base.len())]);
        n.iter_mut().for_each(|x| *x = new[rng.below(new.len())]);
        let mb = median_in_place(&mut b);
        if mb > 0.0 {
            ratios.push(median_in_place(&mut n) / mb);
        }
    }
    if ratios.is_empty() {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    Some((at(0.025), at(0.975)))
}

/// The significance level of every test concbench reports.
pub const ALPHA: f64 = 0.05;

/// The smallest two-sided p-value the Mann-Whitney U test can give samples of these sizes:
/// 2 / C(n1 + n2, n1). With 3 runs a side it is 0.1, so no difference can reach p < 0.05.
pub fn smallest_p(n1: usize, n2: usize) -> f64 {
    // C(n1 + n2, n1) in floating point; large sizes underflow harmlessly to a tiny p.
    let mut c = 1.0;
    for i in 0..n1 {
        c = c * (n2 + i + 1) as f64 / (i + 1) as f64;
    }
    (2.0 / c).min(1.0)
}

/// The two-sided p-value of the Mann–Whitney U test that `a` and `b` come from the same
/// distribution: exact (by counting rank arrangements) for small samples without ties, the
/// normal approximation with tie and continuity corrections otherwise.
pub fn mann_whitney_p(a: &[f64], b: &[f64]) -> Option<f64> {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    // U of `a`: pairs (x in a, y in b) with x > y, ties counting one half.
    let mut u = 0.0;
    for x in a {
        for y in b {
            u += if x > y {
                1.0
            } else if x == y {
                0.5
            } else {
                0.0
            };
        }
    }
    let mut all: Vec<f64> = a.iter().chain(b).copied().collect();
    all.sort_by(f64::total_cmp);
    let mut tie_sizes = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let j = all[i..].iter().take_while(|x| **x == all[i]).count();
        if j > 1 {
            tie_sizes.push(j as f64);
        }
        i += j;
    }
    if tie_sizes.is_empty() && n1 + n2 <= 50 {
        return Some(exact_mann_whitney_p(n1, n2, u as usize));
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let n = n1f + n2f;
    let mean = n1f * n2f / 2.0;
    let tie_term: f64 = tie_sizes.iter().map(|t| t * t * t - t).sum::<f64>() / (n * (n - 1.0));
    let var = n1f * n2f / 12.0 * ((n + 1.0) - tie_term);
    if var <= 0.0 {
        return Some(1.0);
    }
    let z = ((u - mean).abs() - 0.5).max(0.0) / var.sqrt();
    Some((2.0 * (1.0 - normal_cdf(z))).min(1.0))
}

/// The exact two-sided p-value of U = `u` for samples of `n1` and `n2` without ties.
fn exact_mann_whitney_p(n1: usize, n2: usize, u: usize) -> f64 {
    // counts[m][n][k]: arrangements of m and n items with U = k, built up by the recurrence
    // f(m, n, k) = f(m − 1, n, k − n) + f(m, n − 1, k).
    let max_u = n1 * n2;
    let mut table = vec![vec![vec![0f64; max_u + 1]; n2 + 1]; n1 + 1];
    for (m, row) in table.iter_mut().enumerate() {
        for (n, cell) in row.iter_mut().enumerate() {
            if m == 0 || n == 0 {
                cell[0] = 1.0;
            }
        }
    }
    for m in 1..=n1 {
        for n in 1..=n2 {
            for k in 0..=m * n {
                let with_a_last = if k >= n { table[m - 1][n][k - n] } else { 0.0 };
                table[m][n][k] = with_a_last + table[m][n - 1][k];
            }
        }
    }
    let counts = &table[n1][n2];
    let total: f64 = counts.iter().sum();
    let lower: f64 = counts[..=u].iter().sum::<f64>() / total;
    let upper: f64 = counts[u..].iter().sum::<f64>() / total;
    (2.0 * lower.min(upper)).min(1.0)
}

/// The standard normal distribution function (Abramowitz & Stegun 7.1.26 for erf; error
/// below 1.5e-7).
fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
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
mod tests {
    #[test]
    fn the_median_in_place_is_the_median() {
        for xs in [
            vec![3.0, 1.0, 2.0],
            vec![4.0, 1.0, 3.0, 2.0],
            vec![7.0],
            vec![2.0, 2.0, 1.0, 9.0, 9.0, 0.5],
        ] {
            let mut v = xs.clone();
            assert_eq!(
                super::median_in_place(&mut v),
                super::median(&xs).unwrap(),
                "{xs:?}"
            );
        }
    }

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let xs = [5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(super::percentile(&xs, 0.5), Some(3.0));
        assert_eq!(super::percentile(&xs, 0.1), Some(1.4));
        assert_eq!(super::percentile(&xs, 1.0), Some(5.0));
        assert_eq!(super::percentile(&[], 0.5), None);
    }

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

    #[test]
    fn mann_whitney_exact_values() {
        // Completely separated samples of 5 and 5: p = 2 / C(10, 5) = 2 / 252.
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [6.0, 7.0, 8.0, 9.0, 10.0];
        let p = mann_whitney_p(&a, &b).unwrap();
        assert!((p - 2.0 / 252.0).abs() < 1e-12, "{p}");
        assert_eq!(mann_whitney_p(&b, &a), Some(p));
        // Interleaved samples: nothing to see.
        let c = [1.0, 3.0, 5.0, 7.0, 9.0];
        let d = [2.0, 4.0, 6.0, 8.0, 10.0];
        assert!(mann_whitney_p(&c, &d).unwrap() > 0.5);
    }

    #[test]
    fn mann_whitney_with_ties_uses_the_normal_approximation() {
        let same = [5.0; 6];
        assert_eq!(mann_whitney_p(&same, &same), Some(1.0));
        let a = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0];
        let b = [10.0, 10.0, 11.0, 11.0, 12.0, 12.0, 13.0, 13.0];
        assert!(mann_whitney_p(&a, &b).unwrap() < 0.01);
    }

    #[test]
    fn normal_cdf_known_points() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158_655_25).abs() < 1e-6);
    }

    #[test]
    fn ratio_interval_and_geometric_mean() {
        let base = [100.0, 101.0, 99.0, 100.5, 99.5];
        let new = [200.0, 202.0, 198.0, 201.0, 199.0];
        let (lo, hi) = bootstrap_ratio_ci(&base, &new).unwrap();
        assert!(lo > 1.9 && hi < 2.1, "{lo} {hi}");
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
            fn the_bootstrap_interval_brackets_the_median(xs in samples()) {
                let (lo, hi) = bootstrap_median_ci(&xs).unwrap();
                let m = median(&xs).unwrap();
                let min = xs.iter().cloned().fold(f64::INFINITY, f64::min);
                let max = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(min <= lo && lo <= hi && hi <= max);
                // A percentile interval of the median holds the median for any data set
                // whose middle values are not all in one tail.
                prop_assert!(lo <= m * (1.0 + 1e-12) || xs.len() < 3);
                prop_assert_eq!(bootstrap_median_ci(&xs), Some((lo, hi)));
            }

            #[test]
            fn mann_whitney_is_a_symmetric_probability(a in samples(), b in samples()) {
                let p = mann_whitney_p(&a, &b).unwrap();
                prop_assert!((0.0..=1.0).contains(&p));
                let q = mann_whitney_p(&b, &a).unwrap();
                prop_assert!((p - q).abs() < 1e-9);
            }

            #[test]
            fn a_sample_against_itself_is_never_significant(a in prop::collection::vec(1.0f64..1e9, 2..30)) {
                prop_assert!(mann_whitney_p(&a, &a).unwrap() > 0.5);
            }

            #[test]
            fn a_large_shift_is_always_significant(a in prop::collection::vec(1.0f64..2.0, 5..30)) {
                let b: Vec<f64> = a.iter().map(|x| x + 10.0).collect();
                prop_assert!(mann_whitney_p(&a, &b).unwrap() < 0.05);
            }

            #[test]
            fn the_ratio_interval_of_identical_samples_holds_one(xs in samples()) {
                let (lo, hi) = bootstrap_ratio_ci(&xs, &xs).unwrap();
                prop_assert!(lo <= 1.0 + 1e-12 || xs.len() == 1);
                prop_assert!(hi >= 1.0 - 1e-12 || xs.len() == 1);
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
