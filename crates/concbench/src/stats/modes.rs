//! Two modes: samples that fall in two clusters, as a model does when its threads share one
//! core in some rounds and have two in others. One median, or one interval, of such samples
//! describes neither cluster, and which side the median lands on can flip from one run to
//! the next; so the view reports both.
//!
//! The rule, kept simple so that it can be checked by hand: sort the samples; for each place
//! where they can be split with at least [`MIN_SIDE`] samples on each side, compare the gap
//! there with the spread (largest minus smallest) within each side. The samples have two
//! modes when, at the widest such gap,
//!
//! - the gap is more than [`GAP_OVER_SPREAD`] times the larger of the two spreads, and
//! - the upper cluster's median is at least [`MODE_RATIO`] times the lower one's, so that a
//!   gap of a few nanoseconds between two tight clusters is not called two modes.

use super::median;

/// Samples on each side of the gap, at least.
pub const MIN_SIDE: usize = 2;

/// The gap must be this many times the larger spread within a side.
pub const GAP_OVER_SPREAD: f64 = 3.0;

/// The upper mode's median over the lower one's, at least.
pub const MODE_RATIO: f64 = 1.10;

/// Two clusters of samples.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TwoModes {
    /// The lower cluster's median.
    pub low: f64,
    /// How many samples are in it.
    pub low_n: usize,
    /// The upper cluster's median.
    pub high: f64,
    /// How many samples are in it.
    pub high_n: usize,
}

/// The two modes of `xs` by the rule above, `None` when it finds one cluster (or there are
/// fewer than 2 × [`MIN_SIDE`] samples).
pub fn two_modes(xs: &[f64]) -> Option<TwoModes> {
    let mut s: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if s.len() < 2 * MIN_SIDE {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let k = (MIN_SIDE..=s.len() - MIN_SIDE)
        .max_by(|&a, &b| (s[a] - s[a - 1]).total_cmp(&(s[b] - s[b - 1])))?;
    let (low, high) = s.split_at(k);
    let gap = high[0] - low[low.len() - 1];
    let spread = |side: &[f64]| side[side.len() - 1] - side[0];
    let (ml, mh) = (median(low)?, median(high)?);
    let apart = gap > GAP_OVER_SPREAD * spread(low).max(spread(high)) && mh >= MODE_RATIO * ml;
    apart.then_some(TwoModes {
        low: ml,
        low_n: low.len(),
        high: mh,
        high_n: high.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_core_shared_or_not_makes_two_modes() {
        // ping-pong: ~1.0 s with the two threads on one core, ~2.3 s across two.
        let m = two_modes(&[1.00, 2.31, 1.02, 2.28, 2.35]).unwrap();
        assert_eq!((m.low_n, m.high_n), (2, 3));
        assert!(
            (m.low - 1.01).abs() < 1e-12 && (m.high - 2.31).abs() < 1e-12,
            "{m:?}"
        );
    }

    #[test]
    fn one_cluster_a_lone_outlier_or_too_few_samples_are_not_two_modes() {
        // Noise spread evenly.
        assert_eq!(two_modes(&[10.0, 11.0, 12.0, 13.0, 14.0]), None);
        // One slow sample is an outlier, not a mode: each side needs two.
        assert_eq!(two_modes(&[10.0, 10.1, 10.2, 10.1, 25.0]), None);
        // Three samples cannot have two sides of two.
        assert_eq!(two_modes(&[1.0, 1.0, 5.0]), None);
        // Two tight clusters 2% apart: a gap, but not two modes worth the name.
        assert_eq!(two_modes(&[100.0, 100.01, 102.0, 102.01]), None);
    }

    #[test]
    fn clusters_whose_spread_is_near_the_gap_are_one() {
        // Gap 4, spreads 3 and 3: not three times apart.
        assert_eq!(two_modes(&[10.0, 13.0, 17.0, 20.0]), None);
        // Gap 10, spreads 1 and 2: two modes.
        assert!(two_modes(&[10.0, 11.0, 21.0, 23.0]).is_some());
    }
}
