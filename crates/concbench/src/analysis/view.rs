//! The analysis view: everything a person reads about a results file, computed once.
//!
//! Per workload, runs are put in *comparison groups*: the same CPUs, the same placement
//! (pinned or free) and the same scenario. A scenario is the run's parameters, except that
//! a parameter the work grows in proportion to (`linear` in the catalogue: cpu-parallel's
//! `n`, which the compiled languages run ten times longer) may differ, and then models are
//! compared per unit of work; and a `calibrated` parameter (io-server's `cpu`, sized to the
//! same cost in each language) only tells zero from non-zero. In a group, models are ranked
//! by median time per unit of work (io-server: by requests per second), each with its ratio
//! to the best (bootstrap 95% CI) and the Mann-Whitney p-value against it, and split into
//! tiers of models that are not significantly different from each other.
//!
//! Baseline models (`role = "baseline"` in the catalogue: the C programs) are not ranked
//! with the contenders: each group lists them apart, each with its time relative to the
//! group's best contender. A group that holds only baselines ranks them among themselves.
//!
//! Figures of single runs (speedup against the language's sequential model, scaling against
//! the same model on one CPU, memory per unit, lost updates, server figures) are computed
//! here too, once per run, and every figure names the runs it came from.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalogue::{reference, Catalogue, Role, Workload};
use crate::results::{ResultsFile, RunResult, Status};
use crate::stats;

pub use crate::stats::ALPHA;

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

/// Runs comparable with each other: one workload, CPU count, placement and scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// The workload's name.
    pub workload: String,
    /// CPUs the runs had.
    pub cpus: usize,
    /// Whether they were pinned to them.
    pub pinned: bool,
    /// A server group: the CPUs the server had of those (the load generator has the rest).
    pub server_cpus: Option<usize>,
    /// The parameters every run of the group shares.
    pub params: BTreeMap<String, u64>,
    /// Parameters that differ between the group's runs (linear or calibrated ones).
    pub varying: Vec<String>,
    /// The scenario that makes the group: each parameter but the linear ones, a calibrated
    /// one as `0` or `>0`.
    pub scenario: BTreeMap<String, String>,
    /// What the ranking is by, e.g. `ns per iteration` or `requests per second`.
    pub metric: String,
    /// True when higher is better (throughput), false for times.
    pub higher_is_better: bool,
    /// The ranked models, best first.
    pub ranking: Vec<Ranked>,
    /// Tiers of the ranking: each a list of models not significantly different from each
    /// other (p ≥ 0.05 between every pair), best tier first.
    pub tiers: Vec<Vec<String>>,
    /// True when some pair has too few samples for any difference to reach p < 0.05: the
    /// ranking then goes by medians alone.
    pub too_few_samples: bool,
    /// io-server: the models by median p99 latency (µs), lowest first.
    pub by_p99: Vec<(String, f64)>,
    /// The baseline models measured in the same scenario, not ranked with the others, each
    /// against the best of the ranking.
    pub baselines: Vec<Baseline>,
    /// A server group whose scenario has a calibrated parameter above zero, with models of
    /// two or more languages: what that work cost in each language, in ranking order. The
    /// ranking across languages assumes the sizing gave each the same cost; this is the
    /// measurement of whether it did.
    pub calibrated_costs: Vec<CalibratedCost>,
}

/// Below this spread of the calibrated work's cost between languages (largest ÷ smallest),
/// a group's ranking across languages is taken at face value: three closed-loop runs a
/// model rarely pin a throughput ratio more finely than 10%.
pub const CALIBRATION_SPREAD: f64 = 1.10;

impl Group {
    /// The calibrated work's cost in the language where it was dearest over the one where it
    /// was cheapest, with those two; `None` unless [`Group::calibrated_costs`] has two.
    pub fn calibration_spread(&self) -> Option<(f64, &CalibratedCost, &CalibratedCost)> {
        let by_cost = |a: &&CalibratedCost, b: &&CalibratedCost| a.added_ms.total_cmp(&b.added_ms);
        let cheap = self.calibrated_costs.iter().min_by(by_cost)?;
        let dear = self.calibrated_costs.iter().max_by(by_cost)?;
        (self.calibrated_costs.len() >= 2 && cheap.added_ms > 0.0)
            .then(|| (dear.added_ms / cheap.added_ms, dear, cheap))
    }
}

/// What a calibrated parameter's work (io-server's `cpu`, sized per language to about the
/// same CPU per request) cost one language in a group: the server CPU per request it added
/// to each model, against the same model's run at 0 that is otherwise alike.
#[derive(Debug, Clone, Serialize)]
pub struct CalibratedCost {
    /// The calibrated parameter.
    pub param: String,
    /// The language.
    pub lang: String,
    /// The parameter's values in this language's runs, ascending.
    pub values: Vec<u64>,
    /// The least the work added to any of the language's models, ms of server CPU (user +
    /// sys) per request. A model's own overhead only adds to it, so the least is the nearest
    /// to the work's cost.
    pub added_ms: f64,
    /// The model it added the least to.
    pub model: String,
    /// The most it added to any of the language's models, ms.
    pub most_ms: f64,
    /// The runs it comes from: each model's mixed run and its run at 0.
    pub runs: Vec<usize>,
}

/// A baseline model's figure in a group: a reference point, not a contender.
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    /// The model's id.
    pub model: String,
    /// Its language.
    pub lang: String,
    /// The ranking metric's median (ns per unit of work, or requests per second).
    pub value: Estimate,
    /// How many times the group's best it is, oriented like [`Ranked::vs_best`]: above 1.0
    /// the best contender beats the baseline, below 1.0 the baseline is ahead.
    pub vs_best: Estimate,
    /// Mann-Whitney p-value of its samples against the best's.
    pub p_vs_best: Option<f64>,
    /// Where the figures come from.
    pub evidence: Evidence,
}

/// One model's place in a group.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    /// 1 for the best.
    pub rank: usize,
    /// The model's id.
    pub model: String,
    /// Its language.
    pub lang: String,
    /// The tier it is in (0: tied for best).
    pub tier: usize,
    /// The ranking metric's median (ns per unit of work, or requests per second).
    pub value: Estimate,
    /// How many times the best it is on the ranking metric, oriented so that 1.0 is the best
    /// and larger is worse: its time over the best's, or the best's throughput over its.
    pub vs_best: Estimate,
    /// Mann-Whitney p-value of its samples against the best's (`None` for the best itself).
    pub p_vs_best: Option<f64>,
    /// Coefficient of variation of its samples.
    pub cv: f64,
    /// Where the figures come from.
    pub evidence: Evidence,
}

/// A figure with its bootstrap 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The point estimate (a median, or a ratio of medians).
    pub value: f64,
    /// Lower bound of the 95% CI.
    pub ci95_low: f64,
    /// Upper bound of the 95% CI.
    pub ci95_high: f64,
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
    /// The median's bootstrap 95% CI, ns.
    pub ci95_ns: (u64, u64),
    /// Counted samples.
    pub samples: usize,
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

/// One run's own derived figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunFigures {
    /// The run's model, so that a figure that points at another run can name it.
    pub model: String,
    /// Median time per unit of work, ns.
    pub ns_per_work: Option<f64>,
    /// Against the same language's sequential model at the same sizes and CPUs: its time over
    /// this run's (2.0 = twice as fast).
    pub speedup: Option<Estimate>,
    /// The sequential run that `speedup` is against.
    pub speedup_base: Option<usize>,
    /// Against the same model pinned to one CPU (pinned runs only).
    pub scaling: Option<Scaling>,
    /// spawn-idle: (rss(units) − rss(0)) / units, bytes, against the run's baseline.
    pub mem_per_unit_bytes: Option<f64>,
    /// spawn-idle: spawn time / units, ns.
    pub spawn_per_unit_ns: Option<f64>,
    /// The baseline run that the per-unit figures are against.
    pub per_unit_base: Option<usize>,
    /// Racy models: updates lost (median) and the updates made.
    pub lost_updates: Option<(u64, u64)>,
    /// io-server: what the load generator measured.
    pub server: Option<ServerFigures>,
}

/// Scaling against one CPU.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Scaling {
    /// The one-CPU run's time over this one's.
    pub speedup: Estimate,
    /// `speedup` / CPUs.
    pub efficiency: f64,
    /// The one-CPU run.
    pub base: usize,
}

/// An io-server run's figures (medians over its samples).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ServerFigures {
    /// Requests answered per second of the load phase.
    pub rps: Estimate,
    /// Latency percentiles, µs.
    pub p50_us: f64,
    /// 99th percentile, µs.
    pub p99_us: f64,
    /// 99.9th percentile, µs.
    pub p999_us: f64,
    /// Largest latency, µs.
    pub max_us: f64,
    /// Server memory per open idle connection, bytes.
    pub mem_per_conn_bytes: Option<f64>,
    /// Server CPU time (user + sys), ns.
    pub cpu_ns: Option<f64>,
    /// The CPUs the server had: the run's, less those its load generator was pinned to.
    pub server_cpus: usize,
}

/// Builds the view of `file`.
pub fn analyse(catalogue: &Catalogue, file: &ResultsFile) -> Analysis {
    let runs: Vec<RunFigures> = file
        .runs
        .iter()
        .map(|r| run_figures(catalogue, file, r))
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
            Some(workload_view(workload, file, &runs))
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
fn elapsed(run: &RunResult) -> Vec<f64> {
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
fn rankable(run: &RunResult) -> bool {
    run.status == Status::Valid && !run.samples.is_empty() && !run.racy && !run.baseline
}

/// The evidence of a run.
pub fn evidence(file: &ResultsFile, index: usize) -> Evidence {
    let r = &file.runs[index];
    Evidence {
        run: index,
        workload: r.workload.clone(),
        model: r.model.clone(),
        params: r.params.clone(),
        cpus: r.cpus,
        pinned: r.pinned,
        median_ns: r.summary.median_elapsed_ns,
        ci95_ns: (r.summary.ci95_low_ns, r.summary.ci95_high_ns),
        samples: r.samples.len(),
    }
}

/// `new` over `base` as an estimate: the ratio of medians and its bootstrap CI.
fn ratio(base: &[f64], new: &[f64]) -> Option<Estimate> {
    let (mb, mn) = (stats::median(base)?, stats::median(new)?);
    if mb <= 0.0 {
        return None;
    }
    let (lo, hi) = stats::bootstrap_ratio_ci(base, new).unwrap_or((mn / mb, mn / mb));
    Some(Estimate {
        value: mn / mb,
        ci95_low: lo,
        ci95_high: hi,
    })
}

/// A median with its bootstrap CI.
fn median_estimate(xs: &[f64]) -> Option<Estimate> {
    let m = stats::median(xs)?;
    let (lo, hi) = stats::bootstrap_median_ci(xs).unwrap_or((m, m));
    Some(Estimate {
        value: m,
        ci95_low: lo,
        ci95_high: hi,
    })
}

/// Parameters equal but for the pool size, which follows the CPU count in a sweep.
fn same_sizes(a: &RunResult, b: &RunResult) -> bool {
    let sizes = |r: &RunResult| {
        r.params
            .iter()
            .filter(|(k, _)| k.as_str() != "workers")
            .map(|(k, v)| (k.clone(), *v))
            .collect::<Vec<_>>()
    };
    sizes(a) == sizes(b)
}

fn run_figures(catalogue: &Catalogue, file: &ResultsFile, run: &RunResult) -> RunFigures {
    let mut out = RunFigures {
        model: run.model.clone(),
        ..RunFigures::default()
    };
    let Some(workload) = catalogue.workload(&run.workload) else {
        return out;
    };
    let usable = |r: &RunResult| r.status == Status::Valid && !r.samples.is_empty();
    if run.racy && usable(run) {
        let made: u64 = run.reference_checksum.parse().unwrap_or(0);
        out.lost_updates = run.summary.lost_updates.map(|lost| (lost, made));
    }
    if !usable(run) {
        return out;
    }
    let work = reference::work(&run.workload, &run.params).unwrap_or(0.0);
    if work > 0.0 && run.summary.median_elapsed_ns > 0 {
        out.ns_per_work = Some(run.summary.median_elapsed_ns as f64 / work);
    }
    let find = |pred: &dyn Fn(&RunResult) -> bool| {
        file.runs
            .iter()
            .position(|r| r.workload == run.workload && usable(r) && pred(r))
    };
    // Speedup against the language's sequential model at the same sizes, CPUs and placement.
    if let Some(seq) = workload
        .model(&run.model)
        .and_then(|m| workload.sequential_model(m.lang))
    {
        if let Some(i) = find(&|r| {
            r.model == seq.id && r.cpus == run.cpus && r.pinned == run.pinned && same_sizes(r, run)
        }) {
            out.speedup = ratio(&elapsed(run), &elapsed(&file.runs[i]));
            out.speedup_base = Some(i);
        }
    }
    // Scaling against the same model pinned to one CPU.
    if run.pinned {
        if let Some(i) = find(&|r| {
            r.model == run.model
                && r.pinned
                && r.cpus == 1
                && r.baseline == run.baseline
                && same_sizes(r, run)
        }) {
            if let Some(speedup) = ratio(&elapsed(run), &elapsed(&file.runs[i])) {
                out.scaling = Some(Scaling {
                    speedup,
                    efficiency: speedup.value / run.cpus as f64,
                    base: i,
                });
            }
        }
    }
    // Memory and spawn time per unit, against the run's baseline (spawn-idle's units = 0).
    if !workload.baseline.is_empty() && !run.baseline {
        let units = run.params.get("units").copied().unwrap_or(0) as f64;
        if let Some(i) = find(&|r| {
            r.baseline && r.model == run.model && r.cpus == run.cpus && r.pinned == run.pinned
        }) {
            let rss = |r: &RunResult| r.summary.metrics.get("rss_kb").copied().unwrap_or(0) as f64;
            if units > 0.0 {
                out.mem_per_unit_bytes = Some((rss(run) - rss(&file.runs[i])) * 1024.0 / units);
                out.spawn_per_unit_ns = run
                    .summary
                    .metrics
                    .get("spawn_ns")
                    .map(|ns| *ns as f64 / units);
                out.per_unit_base = Some(i);
            }
        }
    }
    if workload.is_server() {
        let m = |name: &str| stats::median(&metric(run, name));
        if let Some(rps) = median_estimate(&metric(run, "rps")) {
            out.server = Some(ServerFigures {
                rps,
                p50_us: m("p50_us").unwrap_or(0.0),
                p99_us: m("p99_us").unwrap_or(0.0),
                p999_us: m("p999_us").unwrap_or(0.0),
                max_us: m("max_us").unwrap_or(0.0),
                mem_per_conn_bytes: m("conn_bytes"),
                cpu_ns: m("cpu_ns"),
                server_cpus: server_cpus(file, run),
            });
        }
    }
    out
}

/// What makes runs comparable: CPUs, placement, and the scenario's parameters.
pub(crate) type GroupKey = (usize, bool, Vec<(String, u64)>);

/// The key of a run's comparison group.
pub(crate) fn group_key(workload: &Workload, run: &RunResult) -> GroupKey {
    let scenario = run
        .params
        .iter()
        .filter_map(|(name, value)| match workload.param(name) {
            Some(p) if p.linear => None,
            Some(p) if p.calibrated => Some((name.clone(), u64::from(*value > 0))),
            _ => Some((name.clone(), *value)),
        })
        .collect();
    (run.cpus, run.pinned, scenario)
}

fn workload_view(workload: &Workload, file: &ResultsFile, figures: &[RunFigures]) -> WorkloadView {
    let indexes: Vec<usize> = (0..file.runs.len())
        .filter(|&i| file.runs[i].workload == workload.name)
        .collect();
    let is_baseline = |i: usize| {
        workload
            .model(&file.runs[i].model)
            .is_some_and(|m| m.role == Role::Baseline)
    };
    // Contenders make the groups; baselines join the group of their scenario, or make one of
    // their own where no contender was measured.
    let mut keys: Vec<GroupKey> = Vec::new();
    let mut members: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for baselines in [false, true] {
        for &i in &indexes {
            if !rankable(&file.runs[i]) || is_baseline(i) != baselines {
                continue;
            }
            let key = group_key(workload, &file.runs[i]);
            match keys.iter().position(|k| *k == key) {
                Some(g) if baselines && !members[g].0.iter().all(|&j| is_baseline(j)) => {
                    members[g].1.push(i)
                }
                Some(g) => members[g].0.push(i),
                None => {
                    keys.push(key);
                    members.push((vec![i], Vec::new()));
                }
            }
        }
    }
    let groups = members
        .iter()
        .map(|(ranked, baselines)| group(workload, file, ranked, baselines))
        .collect();
    let doubtful = indexes
        .iter()
        .filter_map(|&i| {
            let r = &file.runs[i];
            let reason = match (&r.error, figures[i].lost_updates) {
                (Some(e), _) => e.clone(),
                (None, Some((lost, made))) => {
                    format!("racy by design: lost {lost} of {made} updates")
                }
                (None, None) if r.status == Status::NotRun => "not run (interrupted)".into(),
                _ => return None,
            };
            Some(Doubt {
                model: r.model.clone(),
                status: r.status,
                reason,
                evidence: evidence(file, i),
            })
        })
        .collect();
    WorkloadView {
        workload: workload.name.clone(),
        title: workload.title.clone(),
        work_unit: workload.work_unit().to_string(),
        groups,
        doubtful,
        machine_cv: file.block_of(&workload.name).and_then(|b| b.machine_cv()),
        host_steal: file.block_of(&workload.name).and_then(|b| b.host_steal),
        runs: indexes,
    }
}

/// One comparison group: rank, ratios to the best, p-values, tiers; and its baselines
/// against the best.
fn group(workload: &Workload, file: &ResultsFile, members: &[usize], baselines: &[usize]) -> Group {
    let server = workload.is_server();
    // A run's samples on the ranking metric: ns per unit of work, or requests per second.
    let samples = |i: usize| -> Vec<f64> {
        let r = &file.runs[i];
        if server {
            metric(r, "rps")
        } else {
            per_work(r)
        }
    };
    let series: Vec<Vec<f64>> = members.iter().map(|&i| samples(i)).collect();
    let medians: Vec<f64> = series
        .iter()
        .map(|s| stats::median(s).unwrap_or(f64::NAN))
        .collect();
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (medians[a], medians[b]);
        if server {
            y.total_cmp(&x)
        } else {
            x.total_cmp(&y)
        }
    });
    let best = order[0];
    let p = |a: usize, b: usize| stats::mann_whitney_p(&series[a], &series[b]).unwrap_or(1.0);
    let mut too_few_samples = false;
    for &a in &order {
        for &b in &order {
            if a < b && stats::smallest_p(series[a].len(), series[b].len()) >= ALPHA {
                too_few_samples = true;
            }
        }
    }
    // Tiers: the best remaining model opens a tier; the next joins it while it is not
    // significantly different from every member.
    let mut tiers: Vec<Vec<usize>> = Vec::new();
    for &m in &order {
        match tiers.last_mut() {
            Some(tier) if tier.iter().all(|&t| p(t, m) >= ALPHA) => tier.push(m),
            _ => tiers.push(vec![m]),
        }
    }
    let tier_of = |m: usize| tiers.iter().position(|t| t.contains(&m)).unwrap_or(0);
    let ranking: Vec<Ranked> = order
        .iter()
        .enumerate()
        .map(|(rank, &m)| {
            let i = members[m];
            let r = &file.runs[i];
            let value = median_estimate(&series[m]).unwrap_or(Estimate {
                value: medians[m],
                ci95_low: medians[m],
                ci95_high: medians[m],
            });
            // Oriented so that 1.0 is the best and larger is worse.
            let vs_best = if server {
                ratio(&series[m], &series[best])
            } else {
                ratio(&series[best], &series[m])
            }
            .unwrap_or(Estimate {
                value: 1.0,
                ci95_low: 1.0,
                ci95_high: 1.0,
            });
            Ranked {
                rank: rank + 1,
                model: r.model.clone(),
                lang: r.lang.clone(),
                tier: tier_of(m),
                value,
                vs_best,
                p_vs_best: (m != best).then(|| p(best, m)),
                cv: stats::cv(&series[m]),
                evidence: evidence(file, i),
            }
        })
        .collect();
    let mut by_p99: Vec<(String, f64)> = Vec::new();
    if server {
        by_p99 = members
            .iter()
            .filter_map(|&i| {
                let r = &file.runs[i];
                Some((r.model.clone(), stats::median(&metric(r, "p99_us"))?))
            })
            .collect();
        by_p99.sort_by(|a, b| a.1.total_cmp(&b.1));
    }
    let one = Estimate {
        value: 1.0,
        ci95_low: 1.0,
        ci95_high: 1.0,
    };
    let baselines = baselines
        .iter()
        .map(|&i| {
            let own = samples(i);
            let median = stats::median(&own).unwrap_or(f64::NAN);
            let r = &file.runs[i];
            Baseline {
                model: r.model.clone(),
                lang: r.lang.clone(),
                value: median_estimate(&own).unwrap_or(Estimate {
                    value: median,
                    ci95_low: median,
                    ci95_high: median,
                }),
                vs_best: if server {
                    ratio(&own, &series[best])
                } else {
                    ratio(&series[best], &own)
                }
                .unwrap_or(one),
                p_vs_best: stats::mann_whitney_p(&series[best], &own),
                evidence: evidence(file, i),
            }
        })
        .collect();
    let first = &file.runs[members[0]];
    let varying: Vec<String> = first
        .params
        .keys()
        .filter(|k| {
            members
                .iter()
                .any(|&i| file.runs[i].params.get(*k) != first.params.get(*k))
        })
        .cloned()
        .collect();
    let params = first
        .params
        .iter()
        .filter(|(k, _)| !varying.contains(k))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let scenario: BTreeMap<String, String> = group_key(workload, first)
        .2
        .into_iter()
        .map(|(name, value)| {
            let calibrated = workload.param(&name).is_some_and(|p| p.calibrated);
            let shown = match (calibrated, value) {
                (true, 0) => "0".to_string(),
                (true, _) => ">0".to_string(),
                (false, v) => v.to_string(),
            };
            (name, shown)
        })
        .collect();
    let calibrated_costs = if server {
        calibrated_costs(workload, file, &ranking, &scenario)
    } else {
        Vec::new()
    };
    Group {
        workload: workload.name.clone(),
        cpus: first.cpus,
        pinned: first.pinned,
        server_cpus: server.then(|| server_cpus(file, first)),
        params,
        varying,
        scenario,
        metric: if server {
            "requests per second".into()
        } else {
            format!("ns per {}", workload.work_unit())
        },
        higher_is_better: server,
        tiers: tiers
            .iter()
            .map(|t| {
                t.iter()
                    .map(|&m| file.runs[members[m]].model.clone())
                    .collect()
            })
            .collect(),
        ranking,
        too_few_samples,
        by_p99,
        baselines,
        calibrated_costs,
    }
}

/// The CPUs a server run gave the server: as recorded (`server_cpus`), or, in files from
/// before it was, as the harness places a server: the run's CPUs less the load generator's
/// share of the machine's.
pub fn server_cpus(file: &ResultsFile, run: &RunResult) -> usize {
    if let Some(n) = run.summary.metrics.get("server_cpus") {
        return (*n).max(1) as usize;
    }
    let allowed = match file.machine.allowed_cpus.len() {
        0 => run.cpus,
        n => n,
    };
    run.cpus.min(crate::machine::server_cpus(allowed)).max(1)
}

/// A server run's CPU (user + sys, medians over its samples) per request answered, ms.
pub fn cpu_ms_per_request(file: &ResultsFile, run: usize) -> Option<f64> {
    let m = &file.runs[run].summary.metrics;
    let (cpu, requests) = (*m.get("cpu_ns")? as f64, *m.get("requests")? as f64);
    (requests > 0.0).then(|| cpu / requests / 1e6)
}

/// Per language of a server group, what its calibrated parameter's work cost (see
/// [`Group::calibrated_costs`]); empty unless the group mixes languages at a value above 0.
fn calibrated_costs(
    workload: &Workload,
    file: &ResultsFile,
    ranking: &[Ranked],
    scenario: &BTreeMap<String, String>,
) -> Vec<CalibratedCost> {
    let Some(param) = workload
        .params
        .iter()
        .find(|p| p.calibrated && scenario.get(&p.name).map(String::as_str) == Some(">0"))
    else {
        return Vec::new();
    };
    // The same model's run with the work at 0, everything else alike.
    let pure_twin = |mixed: usize| -> Option<usize> {
        let m = &file.runs[mixed];
        (0..file.runs.len()).find(|&i| {
            let r = &file.runs[i];
            rankable(r)
                && r.workload == m.workload
                && r.model == m.model
                && (r.cpus, r.pinned) == (m.cpus, m.pinned)
                && r.params.iter().all(|(k, v)| {
                    if *k == param.name {
                        *v == 0
                    } else {
                        m.params.get(k) == Some(v)
                    }
                })
        })
    };
    let mut langs: Vec<&str> = Vec::new();
    for r in ranking {
        if !langs.contains(&r.lang.as_str()) {
            langs.push(&r.lang);
        }
    }
    let costs: Vec<CalibratedCost> = langs
        .into_iter()
        .filter_map(|lang| {
            // (model, mixed run, run at 0, ms added)
            let added: Vec<(&str, usize, usize, f64)> = ranking
                .iter()
                .filter(|r| r.lang == lang)
                .filter_map(|r| {
                    let mixed = r.evidence.run;
                    let pure = pure_twin(mixed)?;
                    let ms = cpu_ms_per_request(file, mixed)? - cpu_ms_per_request(file, pure)?;
                    Some((r.model.as_str(), mixed, pure, ms))
                })
                .collect();
            let least = added.iter().min_by(|a, b| a.3.total_cmp(&b.3))?;
            let most = added.iter().map(|a| a.3).fold(f64::MIN, f64::max);
            let mut values: Vec<u64> = added
                .iter()
                .filter_map(|a| file.runs[a.1].params.get(&param.name).copied())
                .collect();
            values.sort_unstable();
            values.dedup();
            Some(CalibratedCost {
                param: param.name.clone(),
                lang: lang.to_string(),
                values,
                added_ms: least.3,
                model: least.0.to_string(),
                most_ms: most,
                runs: added.iter().flat_map(|a| [a.1, a.2]).collect(),
            })
        })
        .collect();
    if costs.len() < 2 {
        return Vec::new();
    }
    costs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn cpu(model: &str, elapsed: &[u64]) -> crate::results::RunResult {
        fixtures::cpu_parallel(model, 1_000_000, elapsed)
    }

    fn analyse_runs(runs: Vec<RunResult>) -> (ResultsFile, Analysis) {
        let file = fixtures::file(runs);
        let a = analyse(Catalogue::embedded(), &file);
        (file, a)
    }

    #[test]
    fn two_equal_models_are_tied() {
        let (_, a) = analyse_runs(vec![
            cpu("rust-threads", &[10_00, 10_20, 9_90, 10_10, 10_05]),
            cpu("rust-rayon", &[10_02, 9_95, 10_15, 10_00, 10_08]),
        ]);
        let g = &a.workloads[0].groups[0];
        assert_eq!(g.tiers.len(), 1, "{:?}", g.tiers);
        assert_eq!(g.tiers[0].len(), 2);
        assert!(g.ranking[1].p_vs_best.unwrap() >= ALPHA);
        assert!(!g.too_few_samples);
    }

    #[test]
    fn a_model_twice_as_fast_is_ranked_first_with_a_ci_that_contains_2() {
        let (_, a) = analyse_runs(vec![
            cpu("rust-seq", &[20_000, 20_300, 19_800, 20_100, 19_900]),
            cpu("rust-rayon", &[10_000, 10_150, 9_900, 10_050, 9_950]),
        ]);
        let g = &a.workloads[0].groups[0];
        assert_eq!(g.ranking[0].model, "rust-rayon");
        let slower = &g.ranking[1];
        assert_eq!(slower.tier, 1);
        assert!(slower.p_vs_best.unwrap() < ALPHA);
        let r = slower.vs_best;
        assert!((r.value - 2.0).abs() < 0.01, "{r:?}");
        assert!(r.ci95_low <= 2.0 && 2.0 <= r.ci95_high, "{r:?}");
        // The speedup against rust-seq is the same ratio, read from the same runs.
        let f = &a.runs[1];
        assert_eq!(f.speedup_base, Some(0));
        assert!((f.speedup.unwrap().value - 2.0).abs() < 0.01);
    }

    #[test]
    fn runs_of_different_loop_lengths_compare_per_iteration() {
        let mut long = cpu("rust-seq", &[40_000, 40_100, 39_900, 40_050, 39_950]);
        long.params.insert("n".into(), 2_000_000);
        let (_, a) = analyse_runs(vec![
            cpu("go-seq", &[20_000, 20_100, 19_900, 20_050, 19_950]),
            long,
        ]);
        let w = &a.workloads[0];
        assert_eq!(w.groups.len(), 1, "n is linear: one group");
        let g = &w.groups[0];
        assert_eq!(g.varying, ["n"]);
        assert_eq!(g.metric, "ns per iteration");
        // Twice the time for twice the loop: the same time per iteration.
        assert!((g.ranking[1].vs_best.value - 1.0).abs() < 0.01);
        assert_eq!(g.tiers.len(), 1);
    }

    #[test]
    fn every_tier_has_no_significant_pair_and_every_ratio_is_the_medians() {
        let (file, a) = analyse_runs(vec![
            cpu("rust-seq", &[30_000, 30_300, 29_800, 30_100, 29_900]),
            cpu("rust-threads", &[10_100, 10_150, 9_900, 10_050, 9_950]),
            cpu("rust-rayon", &[10_000, 10_250, 9_950, 10_100, 10_000]),
            cpu("rust-tokio", &[15_000, 15_100, 14_900, 15_050, 14_950]),
        ]);
        let g = &a.workloads[0].groups[0];
        for tier in &g.tiers {
            for x in tier {
                for y in tier {
                    let s = |m: &str| {
                        let r = file.runs.iter().find(|r| r.model == m).unwrap();
                        r.samples
                            .iter()
                            .map(|s| s.elapsed_ns as f64)
                            .collect::<Vec<_>>()
                    };
                    if x != y {
                        assert!(stats::mann_whitney_p(&s(x), &s(y)).unwrap() >= ALPHA);
                    }
                }
            }
        }
        let best = file
            .runs
            .iter()
            .find(|r| r.model == g.ranking[0].model)
            .unwrap();
        for r in &g.ranking {
            let run = &file.runs[r.evidence.run];
            let from_file =
                run.summary.median_elapsed_ns as f64 / best.summary.median_elapsed_ns as f64;
            assert!(
                (r.vs_best.value / from_file - 1.0).abs() < 0.005,
                "{}",
                r.model
            );
        }
    }

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
