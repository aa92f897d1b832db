//! A run's summary: the figures of its counted samples that the results file stores
//! (median with its order-statistic interval, ns per op, CV, CPU use, peak memory, lost updates, the
//! medians of the implementation's own metrics).

use std::collections::BTreeMap;

use crate::results::{Sample, Summary};
use crate::stats;

/// Summary figures of a run's samples.
pub fn summarise(samples: &[Sample], reference: u64, racy: bool) -> Summary {
    if samples.is_empty() {
        return Summary::default();
    }
    let elapsed: Vec<f64> = samples.iter().map(|s| s.elapsed_ns as f64).collect();
    let median = stats::median(&elapsed).unwrap_or(0.0);
    let (lo, hi) = stats::median_interval(&elapsed, stats::CONFIDENCE)
        .map_or((median, median), |ci| (ci.lo, ci.hi));
    let walls: Vec<f64> = samples.iter().map(|s| s.wall_ns as f64).collect();
    let utilisation: Vec<f64> = samples
        .iter()
        .map(|s| (s.user_ns + s.sys_ns) as f64 / s.wall_ns.max(1) as f64)
        .collect();
    let ops = samples[0].ops.max(1) as f64;
    let mut metric_names: Vec<&String> = samples.iter().flat_map(|s| s.metrics.keys()).collect();
    metric_names.sort();
    metric_names.dedup();
    let metrics: BTreeMap<String, i64> = metric_names
        .into_iter()
        .filter_map(|name| {
            let values: Vec<f64> = samples
                .iter()
                .filter_map(|s| s.metrics.get(name))
                .map(|v| *v as f64)
                .collect();
            Some((name.clone(), stats::median(&values)?.round() as i64))
        })
        .collect();
    let lost_updates = racy.then(|| {
        let lost: Vec<f64> = samples
            .iter()
            .map(|s| reference.saturating_sub(s.checksum.parse().unwrap_or(reference)) as f64)
            .collect();
        stats::median(&lost).unwrap_or(0.0).round() as u64
    });
    Summary {
        median_elapsed_ns: median.round() as u64,
        ci95_low_ns: lo.round() as u64,
        ci95_high_ns: hi.round() as u64,
        ns_per_op: median / ops,
        median_wall_ns: stats::median(&walls).unwrap_or(0.0).round() as u64,
        cv: stats::cv(&elapsed),
        outliers: stats::outliers(&elapsed).len(),
        cpu_utilisation: stats::median(&utilisation).unwrap_or(0.0),
        peak_rss_kb: samples.iter().map(Sample::peak_rss_kb).max().unwrap_or(0),
        peak_rss_at_floor: samples
            .iter()
            .all(|s| s.rss_floor_kb > 0 && s.peak_rss_kb() <= s.rss_floor_kb + s.rss_floor_kb / 50),
        lost_updates,
        metrics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(elapsed: u64, checksum: &str) -> Sample {
        Sample {
            elapsed_ns: elapsed,
            wall_ns: elapsed * 2,
            user_ns: elapsed * 3,
            sys_ns: elapsed,
            max_rss_kb: 10,
            exit_code: 0,
            checksum: checksum.into(),
            ops: 4,
            metrics: BTreeMap::from([("rss_kb".into(), elapsed as i64)]),
            tree_max_rss_kb: Some(30),
            rss_floor_kb: 0,
            seq: 0,
            settle_ns: 0,
            settled: true,
            round: None,
            extra: None,
        }
    }

    #[test]
    fn summary_of_samples() {
        let s = summarise(
            &[sample(100, "40"), sample(300, "40"), sample(200, "40")],
            40,
            false,
        );
        assert_eq!(s.median_elapsed_ns, 200);
        assert_eq!(s.ns_per_op, 50.0);
        assert_eq!(s.cpu_utilisation, 2.0);
        assert_eq!(s.peak_rss_kb, 30);
        assert_eq!(s.metrics["rss_kb"], 200);
        assert!(s.ci95_low_ns >= 100 && s.ci95_high_ns <= 300);
        assert_eq!(s.lost_updates, None);
    }

    #[test]
    fn racy_runs_count_lost_updates() {
        let s = summarise(
            &[sample(1, "37"), sample(1, "40"), sample(1, "35")],
            40,
            true,
        );
        assert_eq!(s.lost_updates, Some(3));
    }
}
