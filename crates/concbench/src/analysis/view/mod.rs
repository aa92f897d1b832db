//! The analysis view: everything a person reads about a results file, computed once.
//!
//! Per workload, runs are put in *comparison groups*: the same CPUs, the same placement
//! (pinned or free) and the same scenario. A scenario is the run's parameters, except that
//! a parameter the work grows in proportion to (`linear` in the catalogue: cpu-parallel's
//! `n`, which the compiled languages run ten times longer) may differ, and then models are
//! compared per unit of work; and a `calibrated` parameter (io-server's `cpu`, sized to the
//! same cost in each language) only tells zero from non-zero. In a group, models are ranked
//! by median time per unit of work (io-server: by requests per second), each with its ratio
//! to the best and its interval, and split into tiers: two models are in different tiers
//! only when the interval of their ratio excludes 1; otherwise they are tied. The ratio is
//! paired by round where the two runs' samples pair (a block runs its models in shuffled
//! order within each round), unpaired otherwise. Every interval is distribution-free and
//! carries the level it really reaches with its samples (75% for 3 samples, 95% from 6); a
//! single sample gives a point, which decides nothing.
//!
//! Models shown for scale are not ranked with the concurrency models: the baselines
//! (`role = "baseline"` in the catalogue: the C programs) and the sequential references
//! (unit "none (sequential)"). Each group lists them apart, each with its figure relative
//! to the group's best concurrency model. A group that holds only such models ranks them
//! among themselves and says so (`for_scale_only`).
//!
//! Figures of single runs (speedup against the language's sequential model, scaling against
//! the same model on one CPU, memory per unit, lost updates, server figures) are computed
//! here too, once per run, and every figure names the runs it came from.
//!
//! The types and the per-sample helpers are here; the per-run figures are computed in
//! `figures.rs`, the comparison groups in `groups.rs`.

mod figures;
mod groups;

use serde::Serialize;
use std::collections::BTreeMap;

use crate::catalogue::{reference, Catalogue};
use crate::results::{ResultsFile, RunResult, Status};
use crate::stats;

pub use crate::stats::ALPHA;
pub use figures::{cpu_ms_per_request, server_cpus, RunFigures, Scaling, ServerFigures};
pub use groups::{for_scale, Baseline, CalibratedCost, Group, Ranked, CALIBRATION_SPREAD};
pub(crate) use groups::{group_key, group_ratio};

/// The whole view of one results file.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// One entry per workload, in the order the file holds them.
    pub workloads: Vec<WorkloadView>,
    /// Per run of the file (same index as `file.runs`): its own derived figures.
    pub runs: Vec<RunFigures>,
}

/// What one workload's runs say.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadView {
    /// The workload's name.
    pub workload: String,
    /// Its one-line title.
    pub title: String,
    /// What models are ranked per: `iteration`, `job`, `request`, ...
    pub work_unit: String,
    /// Its comparison groups, in the order their first run appears in the file.
    pub groups: Vec<Group>,
    /// Runs that could not be ranked, with why (failed, refused, unavailable, racy).
    pub doubtful: Vec<Doubt>,
    /// How steady the machine itself was around the workload's block, if probed: the
    /// larger of the CVs before and after.
    pub machine_cv: Option<f64>,
    /// The share of the block's busy CPU time the host took for other guests (steal), where
    /// the kernel counts it.
    pub host_steal: Option<f64>,
    /// The file's indexes of the workload's runs.
    pub runs: Vec<usize>,
}

/// A figure with its interval: distribution-free, at the level it really reaches with the
/// samples it has (95% from 6 samples; 75% for 3; none for one). The field names are those
/// the JSON has always had; `level` says what they cover.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The point estimate (a median, the median per-round ratio of paired runs, or a ratio
    /// of medians).
    pub value: f64,
    /// Lower end of the interval.
    pub ci95_low: f64,
    /// Upper end of the interval.
    pub ci95_high: f64,
    /// The probability that an interval made this way holds the true value: at least 0.95
    /// with enough samples, less with fewer, 0 for one sample (a point, which decides
    /// nothing).
    pub level: f64,
}

impl Estimate {
    /// The interval, for the decisions of [`stats`].
    pub fn interval(&self) -> stats::Interval {
        stats::Interval {
            lo: self.ci95_low,
            hi: self.ci95_high,
            level: self.level,
        }
    }

    /// True when the figure has an interval that can decide something: more than one sample.
    pub fn decides(&self) -> bool {
        self.level > 0.0
    }

    /// The interval's level as it reads: `95%` once it reaches the level concbench asks,
    /// else the level reached, rounded down (`75%`, `87.5%`, `93.7%`).
    pub fn level_words(&self) -> String {
        level_words(self.level)
    }
}

/// A level as it reads: `95%` once it reaches [`stats::CONFIDENCE`], else the level reached,
/// rounded down to a tenth of a percent so that it never overstates (`75%`, `93.7%`).
pub fn level_words(level: f64) -> String {
    let interval = stats::Interval {
        lo: 0.0,
        hi: 0.0,
        level,
    };
    let shown = if interval.reaches(stats::CONFIDENCE) {
        stats::CONFIDENCE
    } else {
        level
    };
    let tenths = (shown * 1000.0 + 1e-9).floor() / 10.0;
    format!("{}%", crate::format::format_number(tenths))
}

/// "1.50× (95% interval 1.46–1.51×)", "1.12× (75% interval 1.02–1.19×)", or for a single
/// sample "1.09× (one sample)": a ratio with its interval, the unit said once.
pub fn ratio_words(e: &Estimate) -> String {
    use crate::format::format_ratio;
    if !e.decides() {
        return format!("{} (one sample)", format_ratio(e.value));
    }
    format!(
        "{} ({} interval {}–{})",
        format_ratio(e.value),
        e.level_words(),
        format_ratio(e.ci95_low).trim_end_matches('×'),
        format_ratio(e.ci95_high)
    )
}

/// The run a figure was computed from: enough to rerun it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Index of the run in the results file.
    pub run: usize,
    /// The workload.
    pub workload: String,
    /// The model.
    pub model: String,
    /// Every parameter the run used.
    pub params: BTreeMap<String, u64>,
    /// Its CPUs.
    pub cpus: usize,
    /// Pinned to them, or free.
    pub pinned: bool,
    /// Median elapsed time, ns.
    pub median_ns: u64,
    /// The median's order-statistic interval, ns, at `level`.
    pub ci95_ns: (u64, u64),
    /// The level that interval really reaches with the run's samples (0 for one sample).
    pub level: f64,
    /// Counted samples.
    pub samples: usize,
    /// For a server run, its median requests per second with their interval: its elapsed
    /// time is the load's fixed duration, which says nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rps: Option<Estimate>,
}

/// A run that cannot be ranked, or whose figure needs a caveat.
#[derive(Debug, Clone, Serialize)]
pub struct Doubt {
    /// The run's model.
    pub model: String,
    /// Its outcome.
    pub status: Status,
    /// Why, in a few words (the error, or the racy finding).
    pub reason: String,
    /// The run.
    pub evidence: Evidence,
}

/// Builds the view of `file`.
pub fn analyse(catalogue: &Catalogue, file: &ResultsFile) -> Analysis {
    let runs: Vec<RunFigures> = file
        .runs
        .iter()
        .map(|r| figures::run_figures(catalogue, file, r))
        .collect();
    let mut names: Vec<&str> = Vec::new();
    for r in &file.runs {
        if !names.contains(&r.workload.as_str()) {
            names.push(&r.workload);
        }
    }
    let workloads = names
        .into_iter()
        .filter_map(|name| {
            let workload = catalogue.workload(name)?;
            Some(groups::workload_view(workload, file, &runs))
        })
        .collect();
    Analysis { workloads, runs }
}

impl Analysis {
    /// The view of one workload.
    pub fn workload(&self, name: &str) -> Option<&WorkloadView> {
        self.workloads.iter().find(|w| w.workload == name)
    }
}

/// The samples' elapsed times, ns.
pub(super) fn elapsed(run: &RunResult) -> Vec<f64> {
    run.samples.iter().map(|s| s.elapsed_ns as f64).collect()
}

/// The samples' elapsed times per unit of work, ns.
pub(crate) fn per_work(run: &RunResult) -> Vec<f64> {
    let work = reference::work(&run.workload, &run.params)
        .unwrap_or(1.0)
        .max(1.0);
    elapsed(run).iter().map(|ns| ns / work).collect()
}

/// The samples' values of one metric.
pub(crate) fn metric(run: &RunResult, name: &str) -> Vec<f64> {
    run.samples
        .iter()
        .filter_map(|s| s.metrics.get(name))
        .map(|v| *v as f64)
        .collect()
}

/// True for a run whose samples can be ranked: valid, counted, and not racy (a racy
/// model's time is not the time of the work the others do).
pub(super) fn rankable(run: &RunResult) -> bool {
    run.status == Status::Valid && !run.samples.is_empty() && !run.racy && !run.baseline
}

/// The evidence of a run.
pub fn evidence(file: &ResultsFile, index: usize) -> Evidence {
    let r = &file.runs[index];
    let median = r.summary.median_elapsed_ns as f64;
    let interval = median_estimate(&elapsed(r)).unwrap_or(Estimate {
        value: median,
        ci95_low: median,
        ci95_high: median,
        level: 0.0,
    });
    Evidence {
        run: index,
        workload: r.workload.clone(),
        model: r.model.clone(),
        params: r.params.clone(),
        cpus: r.cpus,
        pinned: r.pinned,
        median_ns: r.summary.median_elapsed_ns,
        ci95_ns: (
            interval.ci95_low.round() as u64,
            interval.ci95_high.round() as u64,
        ),
        level: interval.level,
        samples: r.samples.len(),
        rps: median_estimate(&metric(r, "rps")),
    }
}

/// True when the i-th counted samples of two runs were taken in the same round, so that
/// their ratio cancels what the round did to both: runs of one workload (a file holds one
/// block per workload, and a block runs its models in shuffled order within each round) with
/// as many counted samples each.
pub(crate) fn paired(a: &RunResult, b: &RunResult) -> bool {
    a.workload == b.workload && a.samples.len() == b.samples.len()
}

/// `new` (the series of run `new_run`) over `base` (of run `base_run`) as an estimate,
/// paired by round where the runs' samples pair: on the rounds both have where every sample
/// records its round (extra samples go to some runs of a block only), else sample i with
/// sample i where [`paired`] says so; unpaired otherwise. A series must hold one value per
/// sample for its rounds to be read.
pub(crate) fn ratio_of_runs(
    (base_run, base): (&RunResult, &[f64]),
    (new_run, new): (&RunResult, &[f64]),
) -> Option<Estimate> {
    match common_rounds((base_run, base), (new_run, new)) {
        Some((b, n)) => ratio(&b, &n, true),
        None => ratio(base, new, paired(base_run, new_run)),
    }
}

/// The two series restricted to the rounds both runs sampled, in round order, when both runs
/// record a round on every sample, belong to one workload, and share at least two rounds.
fn common_rounds(
    (a_run, a): (&RunResult, &[f64]),
    (b_run, b): (&RunResult, &[f64]),
) -> Option<(Vec<f64>, Vec<f64>)> {
    if a_run.workload != b_run.workload
        || a.len() != a_run.samples.len()
        || b.len() != b_run.samples.len()
    {
        return None;
    }
    let rounds =
        |r: &RunResult| -> Option<Vec<u32>> { r.samples.iter().map(|s| s.round).collect() };
    let (ra, rb) = (rounds(a_run)?, rounds(b_run)?);
    let mut pairs: Vec<(u32, f64, f64)> = ra
        .iter()
        .zip(a)
        .filter_map(|(round, x)| {
            let j = rb.iter().position(|r| r == round)?;
            Some((*round, *x, b[j]))
        })
        .collect();
    if pairs.len() < 2 {
        return None;
    }
    pairs.sort_by_key(|p| p.0);
    Some(pairs.into_iter().map(|(_, x, y)| (x, y)).unzip())
}

/// `new` over `base` as an estimate: for `paired` samples the median per-round ratio and its
/// order-statistic interval; otherwise the ratio of medians, between the extreme quotients
/// of the two medians' intervals. Both at the level they really reach.
pub(crate) fn ratio(base: &[f64], new: &[f64], paired: bool) -> Option<Estimate> {
    let by_round = paired
        .then(|| {
            let ratios = stats::paired_ratios(base, new)?;
            Some((
                stats::median(&ratios)?,
                stats::median_interval(&ratios, stats::CONFIDENCE)?,
            ))
        })
        .flatten();
    let (value, ci) = match by_round {
        Some(found) => found,
        None => {
            let (mb, mn) = (stats::median(base)?, stats::median(new)?);
            if mb <= 0.0 {
                return None;
            }
            let ci = stats::unpaired_ratio_interval(base, new, stats::CONFIDENCE)?;
            (mn / mb, ci)
        }
    };
    Some(Estimate {
        value,
        ci95_low: ci.lo,
        ci95_high: ci.hi,
        level: ci.level,
    })
}

/// A median with its order-statistic interval.
pub(crate) fn median_estimate(xs: &[f64]) -> Option<Estimate> {
    let ci = stats::median_interval(xs, stats::CONFIDENCE)?;
    Some(Estimate {
        value: stats::median(xs)?,
        ci95_low: ci.lo,
        ci95_high: ci.hi,
        level: ci.level,
    })
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn failed_racy_and_baseline_runs_are_not_ranked_but_named() {
        let file = fixtures::mixed_file();
        let a = analyse(Catalogue::embedded(), &file);
        let cpu = a.workload("cpu-parallel").unwrap();
        assert!(cpu
            .groups
            .iter()
            .all(|g| g.ranking.iter().all(|r| r.model != "py-numpy")));
        assert!(cpu
            .doubtful
            .iter()
            .any(|d| d.model == "py-numpy" && d.status == Status::Unavailable));
        let counter = a.workload("shared-counter").unwrap();
        assert!(counter.groups.is_empty());
        assert!(counter.doubtful[0].reason.contains("lost 1001 of 1000000"));
        let spawn = a.workload("spawn-idle").unwrap();
        assert_eq!(spawn.groups.len(), 1, "the units=0 baseline is not a group");
        let f = &a.runs[7];
        assert!((f.mem_per_unit_bytes.unwrap() - 260_000.0 * 1024.0 / 100_000.0).abs() < 1e-6);
        assert!((f.spawn_per_unit_ns.unwrap() - 600.0).abs() < 1e-9);
        let rayon2 = &a.runs[3];
        let sc = rayon2.scaling.unwrap();
        assert!((sc.speedup.value - 20_500_000.0 / 10_400_000.0).abs() < 1e-9);
        assert!((sc.efficiency - sc.speedup.value / 2.0).abs() < 1e-12);
    }
}
