//! The work each mixed io-server sample really got, and the correction that keeps it on target
//! over the block.
//!
//! The calibration before the block sizes each language's `cpu` step count so that its work
//! adds [`CPU_TARGET`](crate::run::io_server::CPU_TARGET) of server CPU per request. Over a
//! block of minutes the cost of a step drifts (the host's speed, the caches, turbo), so each
//! mixed sample measures what its work added, the way the calibration does: its server CPU
//! per request (from /proc) minus that of the same model at `cpu = 0` in the same scenario.
//! After each round, a language whose work left the tolerance has its step count corrected
//! for the rounds that follow, in proportion.

use crate::results::{RunResult, Sample};
use crate::stats;

pub use crate::results::ADDED_CPU_US;
/// The per-sample metric: the step count the sample ran with (a correction during the block
/// changes it between rounds).
pub const STEPS: &str = "cpu_steps";

/// A sample's server CPU per request answered in its measured phase, ns.
pub fn cpu_per_request_ns(s: &Sample) -> Option<f64> {
    let cpu = *s.metrics.get("cpu_ns")? as f64;
    let requests = *s.metrics.get("requests")? as f64;
    (requests > 0.0).then(|| cpu / requests)
}

/// The server CPU per request without the work, ns, for a mixed run: the median over the
/// samples so far of `pure` (the same model at `cpu = 0`, everything else alike), or the
/// calibration's `base_ns` (one connection, no wait) while that run has none.
pub fn base_ns(pure: Option<&RunResult>, calibration_base: Option<u64>) -> Option<f64> {
    let measured: Vec<f64> = pure
        .map(|r| r.samples.iter().filter_map(cpu_per_request_ns).collect())
        .unwrap_or_default();
    stats::median(&measured).or(calibration_base.map(|b| b as f64))
}

/// The work a mixed sample got: its server CPU per request less `base` (ns), in µs.
pub fn added_us(sample: &Sample, base: f64) -> Option<i64> {
    Some(((cpu_per_request_ns(sample)? - base) / 1000.0).round() as i64)
}

/// A language's figure for one round: the median of what its mixed samples of the round
/// added (µs), over its models and connection counts. Not the least: a model's overhead moves
/// the difference either way (py-threads at 10 connections spends more on GIL hand-offs
/// without the work than with it), and one low sample would steer the correction. `None`
/// without a sample.
pub fn language_figure_us(samples: &[i64]) -> Option<f64> {
    stats::median(&samples.iter().map(|x| *x as f64).collect::<Vec<_>>())
}

/// The step count that brings the work back to `target_us` when `steps` measured `figure_us`
/// and that is outside `tolerance` (a share of the target); `None` while it is within.
pub fn corrected_steps(steps: u64, figure_us: f64, target_us: f64, tolerance: f64) -> Option<u64> {
    if figure_us <= 0.0 || (figure_us / target_us - 1.0).abs() <= tolerance {
        return None;
    }
    Some(((steps as f64) * target_us / figure_us).round().max(1.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sample(cpu_ns: i64, requests: i64) -> Sample {
        Sample {
            elapsed_ns: 1,
            wall_ns: 1,
            user_ns: 0,
            sys_ns: 0,
            max_rss_kb: 0,
            exit_code: 0,
            checksum: String::new(),
            ops: 0,
            metrics: BTreeMap::from([
                ("cpu_ns".to_string(), cpu_ns),
                ("requests".to_string(), requests),
            ]),
            tree_max_rss_kb: None,
            rss_floor_kb: 0,
            seq: 0,
            settle_ns: 0,
            settled: true,
            round: None,
            extra: None,
        }
    }

    #[test]
    fn a_sample_s_work_is_its_cpu_per_request_less_the_pure_io_runs() {
        let mut pure = crate::fixtures::server("py-asyncio", 0, 100, 1, 1, 1, 1, 1);
        pure.samples = vec![
            sample(100_000_000, 1000),
            sample(120_000_000, 1000),
            sample(80_000_000, 1000),
        ];
        // The pure run's median (100 µs a request), not the calibration's 30 µs.
        let base = base_ns(Some(&pure), Some(30_000)).unwrap();
        assert_eq!(base, 100_000.0);
        assert_eq!(added_us(&sample(870_000_000, 1000), base), Some(770));
        // No pure-I/O sample yet: the calibration's base.
        assert_eq!(base_ns(None, Some(30_000)), Some(30_000.0));
        assert_eq!(base_ns(None, None), None);
        assert_eq!(added_us(&sample(1, 0), base), None);
    }

    #[test]
    fn a_language_off_target_is_corrected_in_proportion() {
        // Python's samples added 0.55 to 0.84 ms: the median, 0.77, is 23% short of 1 ms.
        let figure = language_figure_us(&[550, 770, 800, 760, 840]).unwrap();
        assert_eq!(figure, 770.0);
        assert_eq!(corrected_steps(2800, figure, 1000.0, 0.10), Some(3636));
        // Within 10%: left alone, on either side.
        assert_eq!(corrected_steps(2800, 1090.0, 1000.0, 0.10), None);
        assert_eq!(corrected_steps(2800, 910.0, 1000.0, 0.10), None);
        assert_eq!(
            corrected_steps(500_000, 1250.0, 1000.0, 0.10),
            Some(400_000)
        );
        // Nothing measured: no figure, no correction.
        assert_eq!(language_figure_us(&[]), None);
        assert_eq!(corrected_steps(2800, 0.0, 1000.0, 0.10), None);
    }
}
