//! Distribution-free confidence intervals of a median, from order statistics, each carrying
//! the confidence level it really has at its sample size.
//!
//! For n samples sorted x₍₁₎ ≤ … ≤ x₍ₙ₎ of any continuous distribution, the interval
//! [x₍ₖ₎, x₍ₙ₊₁₋ₖ₎] holds the true median with probability exactly 1 − 2·P(Bin(n, ½) ≤ k − 1):
//! each sample falls below the median with probability ½, so the interval misses it only
//! when k − 1 or fewer fall on one side. No shape is assumed, which is what timings on a noisy
//! machine need: they are skewed (noise only slows a run) and often bimodal (the machine runs
//! at two speeds). With ties (discrete data) the closed interval covers at least as often.
//!
//! Few samples cannot reach 95%: [min, max] is the widest such interval and covers with
//! 1 − 2^(1−n): 0 for one sample (a point), 50% for 2, 75% for 3, 87.5% for 4, 93.75% for 5,
//! 96.9% for 6. So the interval says which level it has, rather than a nominal "95%".

/// The confidence level concbench asks of its intervals.
pub const CONFIDENCE: f64 = 0.95;

/// Slack for comparing levels computed in floating point (a level met up to rounding is met).
const LEVEL_SLACK: f64 = 1e-12;

/// An interval [lo, hi] for an unknown value, with the level its method guarantees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// The lower end.
    pub lo: f64,
    /// The upper end (≥ `lo`).
    pub hi: f64,
    /// The probability, over repeated measurements, that an interval made this way holds the
    /// true value, at these sample sizes. It is below the level asked for when the samples
    /// are too few to reach it: 0.75 for [min, max] of 3 samples, 0 for a single sample.
    pub level: f64,
}

impl Interval {
    /// True when `x` lies in the closed interval.
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }

    /// True when the interval's level is at least `level` (up to rounding): a verdict drawn
    /// from it can be stated at that level.
    pub fn reaches(&self, level: f64) -> bool {
        self.level >= level - LEVEL_SLACK
    }
}

/// The coverage of [x₍ₖ₎, x₍ₙ₊₁₋ₖ₎] for the median of `n` samples, for each rank k = 1, 2, …
/// up to the middle ((n + 1) / 2): 1 − 2·P(Bin(n, ½) ≤ k − 1), falling with k.
fn coverage_by_rank(n: usize) -> impl Iterator<Item = f64> {
    // P(Bin(n, ½) = j) by its ratio to the term before, in logarithms: 2⁻ⁿ underflows for
    // n > 1074, and the terms too small to represent are too small to matter.
    let mut ln_term = -(n as f64) * std::f64::consts::LN_2;
    let mut below = 0.0;
    (0..n.div_ceil(2)).map(move |j| {
        below += ln_term.exp();
        ln_term += ((n - j) as f64 / (j + 1) as f64).ln();
        (1.0 - 2.0 * below).max(0.0)
    })
}

/// The coverage 1 − 2·P(Bin(n, ½) ≤ k − 1) of the interval [x₍ₖ₎, x₍ₙ₊₁₋ₖ₎] of the median of
/// `n` samples (ranks from 1); 0 when k is past the middle or zero.
pub fn median_coverage(n: usize, k: usize) -> f64 {
    if k == 0 {
        return 0.0;
    }
    coverage_by_rank(n).nth(k - 1).unwrap_or(0.0)
}

/// The rank k of the narrowest interval [x₍ₖ₎, x₍ₙ₊₁₋ₖ₎] of the median of `n` samples whose
/// coverage is at least `level` (in (0, 1)), with that coverage: the smallest coverage that
/// still reaches the level. When even [min, max] falls short (n ≤ 5 for 95%) it is rank 1
/// with its lower coverage. `None` for no samples.
pub fn median_rank(n: usize, level: f64) -> Option<(usize, f64)> {
    let mut chosen = None;
    for (i, coverage) in coverage_by_rank(n).enumerate() {
        if chosen.is_some() && coverage < level - LEVEL_SLACK {
            break;
        }
        chosen = Some((i + 1, coverage));
    }
    chosen
}

/// The fewest samples whose [min, max] covers a median with at least `level` (in (0, 1)):
/// 6 for 95%, 8 for 99%. Fewer samples give an interval below the level, whatever the method.
pub fn samples_needed(level: f64) -> usize {
    // [min, max] of n covers with 1 − 2^(1−n); the cap is where 2^(1−n) underflows.
    (1..1075)
        .find(|&n| 1.0 - 2f64.powi(1 - n as i32) >= level - LEVEL_SLACK)
        .unwrap_or(1075)
}

/// The most samples [`samples_to_clear`] projects. A figure that would need more sits so
/// close to its bound that the machine's noise, not the sample count, keeps it undecided.
pub const PROJECTION_CAP: usize = 1000;

/// The samples the median's interval at `level` would need for its end facing `bound` to
/// clear it, projected from `interval`, built at `level` from `n` samples around `median`.
///
/// The interval's end is the order statistic of rank k, which stands for the quantile
/// k / (n + 1); its distance from the median is taken to shrink in proportion to
/// ½ − k / (n + 1) as n grows (a density near the median that stays the same, the
/// large-sample shape of every continuous distribution). A projection from few samples is
/// rough: it orders which questions more samples would settle soonest, and says how many
/// runs a user would need. `Some(n)` when the interval already clears the bound at the
/// level; `None` when the median sits on the bound, the interval is a point, or even
/// [`PROJECTION_CAP`] samples would not clear it.
pub fn samples_to_clear(
    median: f64,
    interval: &Interval,
    n: usize,
    bound: f64,
    level: f64,
) -> Option<usize> {
    let gap = (median - bound).abs();
    let reach = if bound < median {
        median - interval.lo
    } else {
        interval.hi - median
    };
    if gap.is_nan() || gap <= 0.0 {
        return None;
    }
    // How far inside the samples the interval's end stands: ½ − k / (n + 1), with whether
    // that rank reaches the level.
    let depth = |n: usize| -> Option<(f64, bool)> {
        let (k, coverage) = median_rank(n, level)?;
        Some((
            0.5 - k as f64 / (n + 1) as f64,
            coverage >= level - LEVEL_SLACK,
        ))
    };
    let now = depth(n).map(|(d, _)| d).filter(|d| *d > 0.0)?;
    let clears = |m: usize| depth(m).is_some_and(|(d, at_level)| at_level && reach * d / now < gap);
    if reach < gap && interval.reaches(level) {
        return Some(n);
    }
    // A first m that clears, by doubling and then halving: the depth falls with m up to the
    // steps of an integer rank, so the search may land a few percent past the very first.
    let mut hi = n.max(1) + 1;
    while !clears(hi) {
        if hi >= PROJECTION_CAP {
            return None;
        }
        hi = (hi * 2).min(PROJECTION_CAP);
    }
    let mut lo = hi / 2;
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if clears(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// The order-statistic interval of the median of `xs` at `level` (in (0, 1); concbench asks
/// [`CONFIDENCE`]): the narrowest [x₍ₖ₎, x₍ₙ₊₁₋ₖ₎] whose coverage reaches the level, or
/// [min, max] with its lower level when the samples are too few (one sample: a point with
/// level 0). Distribution-free; O(n log n), no resampling. `None` for no samples.
pub fn median_interval(xs: &[f64], level: f64) -> Option<Interval> {
    let (k, coverage) = median_rank(xs.len(), level)?;
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(Interval {
        lo: sorted[k - 1],
        hi: sorted[xs.len() - k],
        level: coverage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// n samples of U(0, 2) at its exact quantiles i / (n + 1): the density is flat, so the
    /// projection's assumption holds exactly.
    fn flat(n: usize) -> Vec<f64> {
        (1..=n).map(|i| 2.0 * i as f64 / (n + 1) as f64).collect()
    }

    #[test]
    fn the_projection_is_exact_where_the_density_is_flat() {
        for (n, bound) in [(3, 0.8), (5, 0.8), (5, 1.3), (8, 0.9), (20, 0.9)] {
            let ci = median_interval(&flat(n), CONFIDENCE).unwrap();
            let projected = samples_to_clear(1.0, &ci, n, bound, CONFIDENCE).unwrap();
            // The first m whose own interval, at the level, lies on the median's side.
            let clears = |m: usize| {
                let ci = median_interval(&flat(m), CONFIDENCE).unwrap();
                ci.reaches(CONFIDENCE) && !ci.contains(bound)
            };
            let actual = (1..PROJECTION_CAP).find(|&m| clears(m)).unwrap();
            // Exact up to the steps of an integer rank, which the search may land past.
            let within = actual <= projected && projected <= actual + actual / 10 + 1;
            assert!(
                within,
                "n={n} bound={bound}: projected {projected}, actual {actual}"
            );
            if clears(n) {
                assert_eq!(projected, n, "n={n} bound={bound}");
            }
        }
    }

    #[test]
    fn a_median_on_its_bound_or_a_point_projects_nothing() {
        let ci = median_interval(&flat(5), CONFIDENCE).unwrap();
        assert_eq!(samples_to_clear(1.0, &ci, 5, 1.0, CONFIDENCE), None);
        // So close to the bound that no run of up to the cap clears it.
        assert_eq!(samples_to_clear(1.0, &ci, 5, 0.999, CONFIDENCE), None);
        let point = median_interval(&[1.0], CONFIDENCE).unwrap();
        assert_eq!(samples_to_clear(1.0, &point, 1, 0.5, CONFIDENCE), None);
        // A bound nearer the median needs more samples, a wider interval too.
        let near = samples_to_clear(1.0, &ci, 5, 0.9, CONFIDENCE).unwrap();
        let far = samples_to_clear(1.0, &ci, 5, 0.7, CONFIDENCE).unwrap();
        let wide = Interval { lo: 0.2, ..ci };
        let wider = samples_to_clear(1.0, &wide, 5, 0.7, CONFIDENCE).unwrap();
        assert!(near > far && wider > far, "{near} {far} {wider}");
    }

    #[test]
    fn few_samples_give_min_and_max_with_their_real_level() {
        let levels: Vec<f64> = (1..=6)
            .map(|n| median_rank(n, CONFIDENCE).unwrap())
            .map(|(k, level)| {
                assert_eq!(k, 1);
                level
            })
            .collect();
        for (level, exact) in levels.iter().zip([0.0, 0.5, 0.75, 0.875, 0.9375, 0.96875]) {
            assert!((level - exact).abs() < 1e-12, "{levels:?}");
        }
        assert_eq!(samples_needed(CONFIDENCE), 6);
        assert_eq!(samples_needed(0.99), 8);
        assert_eq!(median_rank(0, CONFIDENCE), None);
    }

    #[test]
    fn more_samples_narrow_the_interval_at_the_smallest_level_above_95() {
        // Known ranks for the median at 95% (e.g. Conover's table): 10 → (2, 9), 20 → (6, 15),
        // 100 → (40, 61).
        let (k, level) = median_rank(10, CONFIDENCE).unwrap();
        assert_eq!(k, 2);
        assert!(
            (level - (1.0 - 2.0 * 11.0 / 1024.0)).abs() < 1e-12,
            "{level}"
        );
        assert_eq!(median_rank(20, CONFIDENCE).unwrap().0, 6);
        let (k, level) = median_rank(100, CONFIDENCE).unwrap();
        assert_eq!(k, 40);
        assert!(level >= CONFIDENCE && median_coverage(100, 41) < CONFIDENCE);
        // Beyond 2⁻¹⁰⁷⁴ the binomial terms are summed in logarithms and still make sense.
        let (k, level) = median_rank(5000, CONFIDENCE).unwrap();
        let spread = 1.96 * (5000f64).sqrt() / 2.0;
        assert!((k as f64 - (2500.0 - spread)).abs() < 3.0, "{k}");
        assert!((CONFIDENCE..0.96).contains(&level), "{level}");
    }

    #[test]
    fn the_interval_is_read_from_the_sorted_samples() {
        let xs = [9.0, 2.0, 7.0, 1.0, 5.0, 3.0, 10.0, 4.0, 8.0, 6.0];
        let ci = median_interval(&xs, CONFIDENCE).unwrap();
        assert_eq!((ci.lo, ci.hi), (2.0, 9.0));
        assert!(ci.reaches(CONFIDENCE) && ci.contains(5.5) && !ci.contains(1.0));
        let three = median_interval(&[3.0, 1.0, 2.0], CONFIDENCE).unwrap();
        assert_eq!((three.lo, three.hi), (1.0, 3.0));
        assert!((three.level - 0.75).abs() < 1e-12);
        assert!(!three.reaches(CONFIDENCE));
        let one = median_interval(&[4.0], CONFIDENCE).unwrap();
        assert_eq!((one.lo, one.hi), (4.0, 4.0));
        assert!(one.level.abs() < 1e-12);
        assert_eq!(median_interval(&[], CONFIDENCE), None);
    }

    #[test]
    fn coverage_at_and_past_the_middle_is_zero() {
        // [x₍₃₎, x₍₃₎] of 5 is the sample median itself: a point, covering with probability 0.
        assert!(median_coverage(5, 3).abs() < 1e-12);
        assert_eq!(median_coverage(5, 4), 0.0);
        assert_eq!(median_coverage(5, 0), 0.0);
        assert!((median_coverage(4, 2) - (1.0 - 2.0 * 5.0 / 16.0)).abs() < 1e-12);
    }

    mod properties {
        use super::*;
        use crate::stats::median;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn the_interval_holds_the_sample_median(xs in prop::collection::vec(1.0f64..1e9, 1..60)) {
                let ci = median_interval(&xs, CONFIDENCE).unwrap();
                let m = median(&xs).unwrap();
                prop_assert!(ci.lo <= m && m <= ci.hi, "{ci:?} {m}");
                prop_assert!((0.0..1.0).contains(&ci.level));
                prop_assert!(ci.reaches(CONFIDENCE) || xs.len() < samples_needed(CONFIDENCE));
            }

            #[test]
            fn more_samples_never_lower_the_rank_nor_the_level_of_a_rank(n in 1usize..400, level in 0.5f64..0.999) {
                // The interval narrows (in ranks) as samples accrue; below the level asked it is
                // [min, max], whose level rises with n.
                let (k, at_n) = median_rank(n, level).unwrap();
                let (k_next, at_next) = median_rank(n + 1, level).unwrap();
                prop_assert!(k_next >= k);
                prop_assert!(median_coverage(n + 1, k) >= median_coverage(n, k));
                if at_n < level {
                    prop_assert!(at_next >= at_n);
                } else {
                    prop_assert!(at_next >= level - LEVEL_SLACK);
                }
            }
        }
    }
}
