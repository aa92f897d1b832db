//! Warnings about how far a run's numbers can be trusted, each saying what to do next.

use std::fmt;

use crate::format::format_ns;
use crate::results::RunResult;
use crate::stats;

/// The coefficient of variation above which a run is called noisy.
pub const NOISY_CV: f64 = 0.05;
/// The median elapsed time below which a run is too short to time well.
pub const TOO_SHORT_NS: u64 = 1_000_000;

/// Something about a run's samples that weakens its numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// The samples vary too much.
    Noisy {
        /// Coefficient of variation of the samples on the figure the run is ranked by:
        /// elapsed time, or a server's requests per second (0.05 = 5%).
        cv: f64,
        /// The 10th to 90th percentile of that figure: the model's spread.
        spread: Spread,
    },
    /// The runs are so short that start-up jitter and clock resolution weigh on them.
    TooShort {
        /// Median of the samples' elapsed times, ns.
        median_ns: u64,
        /// The run's workload, for the `--set` advice.
        workload: String,
        /// The parameter that sizes the work, the one to raise.
        param: String,
    },
    /// Some samples lie far from the rest (modified z-score > 3.5).
    Outliers {
        /// Samples that are outliers.
        count: usize,
        /// Samples in all.
        of: usize,
    },
}

/// The 10th to 90th percentile of a run's samples, in the unit its table shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spread {
    /// Elapsed times, ns.
    Time {
        /// 10th percentile.
        p10_ns: f64,
        /// 90th percentile.
        p90_ns: f64,
    },
    /// A server's requests per second.
    Rate {
        /// 10th percentile.
        p10: f64,
        /// 90th percentile.
        p90: f64,
    },
}

impl fmt::Display for Spread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spread::Time { p10_ns, p90_ns } => write!(
                f,
                "p10–p90 {}–{}",
                format_ns(p10_ns.round() as u64),
                format_ns(p90_ns.round() as u64)
            ),
            Spread::Rate { p10, p90 } => write!(f, "p10–p90 {p10:.0}–{p90:.0} req/s"),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Noisy { cv, spread } => write!(
                f,
                "noisy: CV {:.1}% > {:.0}% ({spread})",
                cv * 100.0,
                NOISY_CV * 100.0
            ),
            Warning::TooShort {
                median_ns,
                workload,
                param,
            } => write!(
                f,
                "too short: {} per run is under 1 ms; raise {param} (--set {workload}.{param}=...)",
                format_ns(*median_ns)
            ),
            Warning::Outliers { count, of } => write!(
                f,
                "{count} of {of} samples are outliers; rerun on a quiet machine, or use --runs 10"
            ),
        }
    }
}

/// What to make of a table's noisy rows, from how steady the machine itself was around
/// their block (`machine_cv`: the larger CV of the probes before and after it) and how much
/// of its CPU time the host took during it (`host_steal`).
pub fn noise_advice(workload: &str, machine_cv: Option<f64>, host_steal: Option<f64>) -> String {
    use crate::machine::steadiness::{notable_steal, UNSTEADY_CV};
    let rerun = format!(
        "rerun this workload in a quiet spell (concbench run --workloads {workload} \
         --wait-steady 30m waits for one), or on a quieter machine (concbench doctor)"
    );
    let stole = notable_steal(host_steal);
    match (machine_cv, stole) {
        (Some(cv), _) if cv > UNSTEADY_CV => format!(
            "the machine itself was unsteady around this block (probe CV up to {:.1}%{}), and \
             no run can be steadier than the machine: {rerun}",
            cv * 100.0,
            stole
                .map(|s| format!("; the host took {:.1}% of its CPU time", s * 100.0))
                .unwrap_or_default()
        ),
        (Some(cv), Some(steal)) => format!(
            "the probes around this block read steady (CV up to {:.1}%), but during it the \
             host took {:.1}% of the machine's CPU time for other guests (steal in \
             /proc/stat), so part of this spread is the host's: {rerun}",
            cv * 100.0,
            steal * 100.0
        ),
        (Some(cv), None) => format!(
            "the machine was steady around this block (probe CV up to {:.1}%), so this spread \
             is the models' own (contention, threads parking and waking, a runtime's start-up): \
             read it as part of their result, with the p10–p90 range",
            cv * 100.0
        ),
        (None, _) => "the machine's steadiness was not probed; `concbench doctor` measures it, \
                 and --runs 10 narrows the CIs"
            .into(),
    }
}

/// The parameter that sizes a workload's work: the largest one that is not a pool or buffer
/// size.
fn size_param(run: &RunResult) -> String {
    run.params
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "workers" | "buffer"))
        .max_by_key(|(_, v)| **v)
        .map_or_else(|| "its size".into(), |(k, _)| k.clone())
}

/// The warnings of a run's counted samples. Noise and outliers are judged on the figure the
/// run is ranked by: a server's requests per second, anything else's elapsed time.
pub fn for_run(run: &RunResult) -> Vec<Warning> {
    let elapsed: Vec<f64> = run.samples.iter().map(|s| s.elapsed_ns as f64).collect();
    if elapsed.is_empty() || run.baseline {
        return Vec::new();
    }
    let rates: Option<Vec<f64>> = run
        .samples
        .iter()
        .map(|s| s.metrics.get("rps").map(|v| *v as f64))
        .collect();
    let ranked = rates.as_deref().unwrap_or(&elapsed);
    let mut out = Vec::new();
    let cv = stats::cv(ranked);
    if ranked.len() > 1 && cv > NOISY_CV {
        let (p10, p90) = (
            stats::percentile(ranked, 0.1).unwrap_or(0.0),
            stats::percentile(ranked, 0.9).unwrap_or(0.0),
        );
        let spread = if rates.is_some() {
            Spread::Rate { p10, p90 }
        } else {
            Spread::Time {
                p10_ns: p10,
                p90_ns: p90,
            }
        };
        out.push(Warning::Noisy { cv, spread });
    }
    let median = stats::median(&elapsed).unwrap_or(0.0) as u64;
    if median < TOO_SHORT_NS {
        out.push(Warning::TooShort {
            median_ns: median,
            workload: run.workload.clone(),
            param: size_param(run),
        });
    }
    let outliers = stats::outliers(ranked).len();
    if outliers > 0 {
        out.push(Warning::Outliers {
            count: outliers,
            of: ranked.len(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(elapsed: &[u64]) -> RunResult {
        crate::fixtures::run(
            "cpu-parallel",
            "rust-seq",
            &[("n", 1000), ("tasks", 8), ("workers", 2000)],
            elapsed,
        )
    }

    #[test]
    fn steady_long_runs_have_no_warnings() {
        assert!(for_run(&run(&[
            10_000_000, 10_100_000, 9_950_000, 10_050_000, 10_000_000
        ]))
        .is_empty());
    }

    #[test]
    fn noise_shortness_and_outliers_are_named_with_advice() {
        let w = for_run(&run(&[
            100_000, 100_500, 99_800, 100_200, 100_100, 100_300, 400_000,
        ]));
        let text: Vec<String> = w.iter().map(|w| w.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.starts_with("noisy: CV") && t.contains("(p10–p90 99.920 µs–220.300 µs)")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("too short") && t.contains("--set cpu-parallel.n=")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("1 of 7 samples are outliers")),
            "{text:?}"
        );
    }
}
