//! The percentile bootstrap: intervals by resampling the samples. Its "95%" is nominal: with
//! 3 or 5 samples its interval of a median never leaves [min, max], which covers a median
//! only 75% or 93.75% of the times, and with one sample it is a point. The order-statistic
//! intervals of [`super::interval`] and [`super::ratio`] state the level they really have,
//! without resampling.

use super::SplitMix64;

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

/// Resamples drawn by the bootstrap.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// A percentile bootstrap interval of the median, nominally 95% (see the module's note).
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

/// A percentile bootstrap interval of median(new) / median(base), resampling both, nominally
/// 95%: for 3 samples a side it never leaves [min new / max base, max new / min base], which
/// covers at most 90% for independent samples of one shape up to scale.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::median;

    #[test]
    fn the_median_in_place_is_the_median() {
        for xs in [
            vec![3.0, 1.0, 2.0],
            vec![4.0, 1.0, 3.0, 2.0],
            vec![7.0],
            vec![2.0, 2.0, 1.0, 9.0, 9.0, 0.5],
        ] {
            let mut v = xs.clone();
            assert_eq!(median_in_place(&mut v), median(&xs).unwrap(), "{xs:?}");
        }
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
    fn ratio_interval() {
        let base = [100.0, 101.0, 99.0, 100.5, 99.5];
        let new = [200.0, 202.0, 198.0, 201.0, 199.0];
        let (lo, hi) = bootstrap_ratio_ci(&base, &new).unwrap();
        assert!(lo > 1.9 && hi < 2.1, "{lo} {hi}");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn samples() -> impl Strategy<Value = Vec<f64>> {
            prop::collection::vec(1.0f64..1e9, 1..40)
        }

        proptest! {
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
            fn the_ratio_interval_of_identical_samples_holds_one(xs in samples()) {
                let (lo, hi) = bootstrap_ratio_ci(&xs, &xs).unwrap();
                prop_assert!(lo <= 1.0 + 1e-12 || xs.len() == 1);
                prop_assert!(hi >= 1.0 - 1e-12 || xs.len() == 1);
            }
        }
    }
}
