//! Intervals for how many times slower one model is than another: new over base.
//!
//! - Paired ([`paired_ratio_interval`]), when sample i of both models comes from the same
//!   round: concbench runs a block's models in shuffled order within each round, so the two
//!   runs of a round share the machine's state (its speed, the other guests' load), and the
//!   shuffle makes their order within the round no advantage to either. The ratio of a round,
//!   new_i / base_i, cancels the state the round multiplies both by; the interval is the
//!   order-statistic interval of the median of those ratios, distribution-free and as
//!   narrow as the rounds agree. It estimates the median per-round ratio: the factor by which
//!   new is slower than base in a typical round (above 1: new is slower in most rounds). When
//!   the two models' times have one shape up to a scale (new = c × base in distribution, with
//!   the round's state multiplying both), that is c, the ratio of their typical times.
//! - Unpaired ([`unpaired_ratio_interval`]), when the samples cannot be matched round by
//!   round (different counts, different results files): each model's median gets its own
//!   interval, at a level raised so that both hold together with the level asked, and the
//!   ratio lies between the extreme quotients of their ends. It estimates the ratio of the
//!   two medians and is wider than the paired interval, as it ignores what the rounds share.

use super::interval::{median_interval, Interval};

/// The per-round ratios new_i / base_i of paired samples. `None` when the counts differ,
/// there are no samples, or a base sample is not positive (a time is positive; a zero one has
/// no ratio).
pub fn paired_ratios(base: &[f64], new: &[f64]) -> Option<Vec<f64>> {
    if base.len() != new.len() || base.is_empty() || base.iter().any(|b| *b <= 0.0) {
        return None;
    }
    Some(base.iter().zip(new).map(|(b, n)| n / b).collect())
}

/// The interval of the median per-round ratio new_i / base_i at `level`, from paired samples
/// (sample i of each taken in the same round): the order-statistic interval of the ratios,
/// with its real level (below `level` under 6 rounds for 95%). Its point estimate is the
/// median of [`paired_ratios`]. `None` where [`paired_ratios`] is.
pub fn paired_ratio_interval(base: &[f64], new: &[f64], level: f64) -> Option<Interval> {
    median_interval(&paired_ratios(base, new)?, level)
}

/// An interval of median(new) / median(base) from samples that cannot be paired: each
/// median's order-statistic interval at (1 + `level`) / 2, then [lo_new / hi_base,
/// hi_new / lo_base]. When both medians' intervals hold, the ratio of the medians lies in
/// that one, so its level is at least level_base + level_new − 1 (Bonferroni), whatever ties
/// the two sets of samples (a shared round, a shared machine). Independent samples would
/// allow level_base × level_new, which is hardly more (0.96899 against 0.96875 at 7
/// samples a side), so one rule serves both. `None` for no samples or a base interval reaching 0.
pub fn unpaired_ratio_interval(base: &[f64], new: &[f64], level: f64) -> Option<Interval> {
    let each = (1.0 + level) / 2.0;
    let (b, n) = (median_interval(base, each)?, median_interval(new, each)?);
    if b.lo <= 0.0 {
        return None;
    }
    Some(Interval {
        lo: n.lo / b.hi,
        hi: n.hi / b.lo,
        level: (b.level + n.level - 1.0).max(0.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::CONFIDENCE;

    #[test]
    fn the_shared_state_of_a_round_cancels_in_its_ratio() {
        // The machine's speed changes from round to round by 2×, new is always 1.5× base:
        // paired, the ratio is exact; unpaired, it spans the machine's swings.
        let speed = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0];
        let base: Vec<f64> = speed.iter().map(|s| 10.0 * s).collect();
        let new: Vec<f64> = speed.iter().map(|s| 15.0 * s).collect();
        let paired = paired_ratio_interval(&base, &new, CONFIDENCE).unwrap();
        assert!((paired.lo - 1.5).abs() < 1e-12 && (paired.hi - 1.5).abs() < 1e-12);
        assert!(paired.reaches(CONFIDENCE));
        let unpaired = unpaired_ratio_interval(&base, &new, CONFIDENCE).unwrap();
        assert!((unpaired.lo - 0.75).abs() < 1e-12 && (unpaired.hi - 3.0).abs() < 1e-12);
        // Seven a side: [min, max] each at 1 − 2⁻⁶, together at least 1 − 2⁻⁵.
        assert!(
            (unpaired.level - (1.0 - 2.0 / 64.0)).abs() < 1e-12,
            "{unpaired:?}"
        );
    }

    #[test]
    fn unmatched_or_unusable_samples_have_no_paired_ratio() {
        assert_eq!(paired_ratios(&[1.0, 2.0], &[1.0]), None);
        assert_eq!(paired_ratios(&[], &[]), None);
        assert_eq!(paired_ratios(&[0.0, 2.0], &[1.0, 1.0]), None);
        assert_eq!(
            paired_ratios(&[2.0, 4.0], &[3.0, 2.0]),
            Some(vec![1.5, 0.5])
        );
        assert_eq!(
            unpaired_ratio_interval(&[0.0, 1.0], &[1.0], CONFIDENCE),
            None
        );
        assert_eq!(unpaired_ratio_interval(&[], &[1.0], CONFIDENCE), None);
    }

    #[test]
    fn few_samples_say_how_little_the_interval_is_worth() {
        let paired = paired_ratio_interval(&[10.0, 11.0, 12.0], &[13.0, 13.0, 16.0], 0.95);
        let paired = paired.unwrap();
        assert_eq!((paired.lo, paired.hi), (13.0 / 11.0, 16.0 / 12.0));
        assert!((paired.level - 0.75).abs() < 1e-12);
        let unpaired = unpaired_ratio_interval(&[10.0, 11.0, 12.0], &[13.0, 14.0], 0.95);
        let unpaired = unpaired.unwrap();
        assert_eq!((unpaired.lo, unpaired.hi), (13.0 / 12.0, 14.0 / 10.0));
        assert!((unpaired.level - (0.75 + 0.5 - 1.0)).abs() < 1e-12);
        let single = unpaired_ratio_interval(&[10.0], &[20.0], 0.95).unwrap();
        assert_eq!((single.lo, single.hi, single.level), (2.0, 2.0, 0.0));
    }

    mod properties {
        use super::*;
        use crate::stats::median;
        use proptest::prelude::*;

        fn samples() -> impl Strategy<Value = Vec<f64>> {
            prop::collection::vec(1.0f64..1e9, 1..40)
        }

        proptest! {
            #[test]
            fn the_ratio_interval_of_identical_samples_holds_one(xs in samples()) {
                let paired = paired_ratio_interval(&xs, &xs, CONFIDENCE).unwrap();
                prop_assert!(paired.contains(1.0), "{paired:?}");
                let unpaired = unpaired_ratio_interval(&xs, &xs, CONFIDENCE).unwrap();
                prop_assert!(unpaired.contains(1.0), "{unpaired:?}");
            }

            #[test]
            fn ratio_intervals_hold_their_estimates(
                pairs in prop::collection::vec((1.0f64..1e6, 1.0f64..1e6), 1..40),
                extra in samples(),
            ) {
                let (base, new): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
                let paired = paired_ratio_interval(&base, &new, CONFIDENCE).unwrap();
                let m = median(&paired_ratios(&base, &new).unwrap()).unwrap();
                prop_assert!(paired.lo <= m && m <= paired.hi);
                let more: Vec<f64> = new.iter().chain(&extra).copied().collect();
                let unpaired = unpaired_ratio_interval(&base, &more, CONFIDENCE).unwrap();
                let r = median(&more).unwrap() / median(&base).unwrap();
                prop_assert!(unpaired.lo <= r * (1.0 + 1e-12) && r <= unpaired.hi * (1.0 + 1e-12));
            }
        }
    }
}
