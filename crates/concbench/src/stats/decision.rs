//! Decisions read from an interval: do two models differ, and which band of a verdict does a
//! value fall in. A decision is only as sure as the interval's level: a caller states it with
//! [`Interval::level`], or calls it undecided when the level falls short
//! ([`Interval::reaches`]).

use super::interval::Interval;

/// Whether the new model's times differ from the base's, read from the interval of new over
/// base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Difference {
    /// The whole interval is below 1: new takes less than base.
    Less,
    /// The interval holds 1 (touching it counts): no difference shown.
    Tie,
    /// The whole interval is above 1: new takes more than base.
    Greater,
}

/// Ratios whose whole interval lies within 1 ± this are the same for ranking: a difference
/// finer than 3% is finer than a noisy host tells apart from one run to the next (two
/// standard runs back to back on a 2-CPU VM moved first tiers on ratios of 1.00–1.01×), so
/// such runs share a tier, and more samples would only split hairs.
pub const NEGLIGIBLE: f64 = 0.03;

/// Below this level a figure that decides a verdict or a place in a first tier still asks for
/// extra samples (`run --budget`). Three samples give [min, max] at 75%: a verdict resting on
/// it missed the next run's one time in four, and did on the build VM (2026-12-03, two
/// standard runs: processes-true-parallelism 0.72× [0.66–0.72] 75% then 0.96× [0.92–0.99]
/// 75%). Two more rounds reach 93.75%.
pub const SETTLING_LEVEL: f64 = 0.9;

/// True when the interval of a ratio lies wholly within 1 ± [`NEGLIGIBLE`].
pub fn negligible(ratio: &Interval) -> bool {
    ratio.lo >= 1.0 / (1.0 + NEGLIGIBLE) && ratio.hi <= 1.0 + NEGLIGIBLE
}

/// True when the interval of a ratio tells two models apart for ranking: it excludes 1, by
/// more than [`NEGLIGIBLE`]. The one rule the view's tiers and the extra samples' first
/// tiers both read.
pub fn apart(ratio: &Interval) -> bool {
    difference(ratio) != Difference::Tie && !negligible(ratio)
}

/// The difference that the interval of a ratio (new / base) shows: the two differ only when
/// the interval excludes 1, and tie otherwise.
pub fn difference(ratio: &Interval) -> Difference {
    if ratio.hi < 1.0 {
        Difference::Less
    } else if ratio.lo > 1.0 {
        Difference::Greater
    } else {
        Difference::Tie
    }
}

/// Where an interval falls among the bands that ascending bounds cut the line into. Band i
/// holds the values with exactly i bounds at or below them: band 0 is below the first bound,
/// band i is [bound i − 1, bound i), the last band is at or above the last bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The whole interval lies in this band: the verdict of that band holds.
    Within(usize),
    /// The interval straddles the bounds from `first` to `last` (indices into the bounds):
    /// each is above its lower end and at or below its upper end. The value may lie on
    /// either side, so the verdict is undecided between those bands.
    Across {
        /// The lowest bound straddled.
        first: usize,
        /// The highest bound straddled (`first` when only one is).
        last: usize,
    },
}

/// Places `interval` among the bands of `bounds` (ascending): wholly inside one band, or
/// across which bounds.
pub fn place(interval: &Interval, bounds: &[f64]) -> Placement {
    debug_assert!(bounds.windows(2).all(|w| w[0] <= w[1]), "{bounds:?}");
    let band = |x: f64| bounds.partition_point(|b| *b <= x);
    let (low, high) = (band(interval.lo), band(interval.hi));
    if low == high {
        Placement::Within(low)
    } else {
        Placement::Across {
            first: low,
            last: high - 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_are_apart_only_beyond_one_and_the_negligible_difference() {
        let i = |lo, hi| Interval {
            lo,
            hi,
            level: 0.95,
        };
        assert!(apart(&i(1.05, 1.2)) && apart(&i(0.8, 0.95)));
        assert!(!apart(&i(0.9, 1.1)), "holds 1");
        assert!(!apart(&i(1.01, 1.02)), "within 3%");
    }

    fn interval(lo: f64, hi: f64) -> Interval {
        Interval {
            lo,
            hi,
            level: 0.95,
        }
    }

    #[test]
    fn a_difference_within_three_percent_is_negligible() {
        assert!(
            negligible(&interval(1.005, 1.02)),
            "excludes 1, but by less than 3%"
        );
        assert!(negligible(&interval(0.98, 1.01)));
        assert!(!negligible(&interval(1.01, 1.05)), "may be 5%");
        assert!(!negligible(&interval(0.95, 1.0)));
    }

    #[test]
    fn two_differ_only_when_their_ratio_interval_excludes_one() {
        assert_eq!(difference(&interval(0.8, 0.95)), Difference::Less);
        assert_eq!(difference(&interval(1.05, 1.3)), Difference::Greater);
        assert_eq!(difference(&interval(0.9, 1.1)), Difference::Tie);
        assert_eq!(difference(&interval(0.9, 1.0)), Difference::Tie);
        assert_eq!(difference(&interval(1.0, 1.2)), Difference::Tie);
        assert_eq!(difference(&interval(1.09, 1.09)), Difference::Greater);
    }

    #[test]
    fn an_interval_is_within_a_band_or_across_its_bounds() {
        // Bands of a slowdown: < 1.1 same, [1.1, 1.5) slower, ≥ 1.5 much slower.
        let bounds = [1.1, 1.5];
        assert_eq!(place(&interval(1.0, 1.05), &bounds), Placement::Within(0));
        assert_eq!(place(&interval(1.2, 1.4), &bounds), Placement::Within(1));
        assert_eq!(place(&interval(1.6, 3.0), &bounds), Placement::Within(2));
        assert_eq!(
            place(&interval(1.0, 1.2), &bounds),
            Placement::Across { first: 0, last: 0 }
        );
        assert_eq!(
            place(&interval(1.3, 1.7), &bounds),
            Placement::Across { first: 1, last: 1 }
        );
        assert_eq!(
            place(&interval(0.9, 2.0), &bounds),
            Placement::Across { first: 0, last: 1 }
        );
        // A bound belongs to the band above it: touching it from below straddles it.
        assert_eq!(place(&interval(1.1, 1.2), &bounds), Placement::Within(1));
        assert_eq!(
            place(&interval(1.0, 1.1), &bounds),
            Placement::Across { first: 0, last: 0 }
        );
        assert_eq!(place(&interval(5.0, 6.0), &[]), Placement::Within(0));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn a_placement_agrees_with_the_bands_of_both_ends(
                a in 0.0f64..3.0,
                b in 0.0f64..3.0,
                mut bounds in prop::collection::vec(0.0f64..3.0, 0..5),
            ) {
                bounds.sort_by(f64::total_cmp);
                let (lo, hi) = (a.min(b), a.max(b));
                match place(&interval(lo, hi), &bounds) {
                    Placement::Within(i) => {
                        prop_assert!(i == 0 || bounds[i - 1] <= lo);
                        prop_assert!(i == bounds.len() || hi < bounds[i]);
                    }
                    Placement::Across { first, last } => {
                        prop_assert!(first <= last);
                        for bound in &bounds[first..=last] {
                            prop_assert!(lo < *bound && *bound <= hi);
                        }
                    }
                }
                let point = interval(lo, lo);
                prop_assert!(matches!(place(&point, &bounds), Placement::Within(_)));
            }
        }
    }
}
