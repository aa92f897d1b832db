//! Comparison groups: per workload, the runs alike in CPUs, placement and scenario, ranked
//! by median with ratios to the best, p-values and tiers; the baselines apart; and, where a
//! server group ranks languages on work sized per language, what that work cost in each.

use std::collections::BTreeMap;

use serde::Serialize;

use super::figures::{cpu_ms_per_request, server_cpus, RunFigures};
use super::{
    evidence, median_estimate, metric, per_work, rankable, ratio_of_runs, Doubt, Estimate,
    Evidence, WorkloadView,
};
use crate::catalogue::{Lang, Model, Role, Workload};
use crate::results::{ResultsFile, RunResult, Status, ADDED_CPU_US, WORK_TOLERANCE};
use crate::stats;

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
    /// True when higher is better (throughput), false for times (and latencies).
    pub higher_is_better: bool,
    /// A server group in an open loop: the rate every run was offered (req/s); it is ranked
    /// by p99 latency (ns), lowest first. `None` for a closed loop and other workloads.
    pub offered_rate: Option<u64>,
    /// The ranked models, best first.
    pub ranking: Vec<Ranked>,
    /// Tiers of the ranking, best tier first: each opened by the best model not yet placed,
    /// joined by the next ones while the interval of their ratio to every member holds 1
    /// (tied). Two models are in different tiers only when some interval excludes 1.
    pub tiers: Vec<Vec<String>>,
    /// True when some ranked model has a single sample: its intervals are points, which
    /// decide nothing, so it is tied with every other.
    pub too_few_samples: bool,
    /// True when the group holds only models shown for scale (sequential references and
    /// baselines), ranked among themselves: it has no concurrency model to call first.
    pub for_scale_only: bool,
    /// io-server: the models by median p99 latency (µs), lowest first.
    pub by_p99: Vec<(String, f64)>,
    /// The models shown for scale measured in the same scenario (the C baselines and the
    /// sequential references), not ranked with the concurrency models, each against the
    /// best of the ranking.
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
    /// The languages whose calibrated work was off target in this group: when the group ranks
    /// two or more languages and one is, its ranking across languages compares unequal work.
    pub fn unequal_work(&self) -> Vec<&CalibratedCost> {
        self.calibrated_costs
            .iter()
            .filter(|c| c.on_target == Some(false))
            .collect()
    }

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
    pub lang: Lang,
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
    /// What the calibration aimed at, ms per request (`None`: the file has no calibration
    /// for this language, e.g. a value given with `--set`).
    pub target_ms: Option<f64>,
    /// The median of what the work added to the language's mixed runs of the group, ms: the
    /// figure judged against the target (a model's overhead moves a run's either way).
    pub median_ms: f64,
    /// Whether that median was within [`WORK_TOLERANCE`] of the target, as the run's own
    /// correction judges it. `None` without a target.
    pub on_target: Option<bool>,
    /// The language's mixed runs whose own figure (the median of their samples'
    /// `added_cpu_us`, or their CPU per request less their run at 0's) is outside the
    /// tolerance, with it (ms): marked in the view, since they did not get the work asked.
    pub off_target_runs: Vec<(usize, f64)>,
}

/// A figure of a model shown for scale in a group (a C baseline or a sequential reference):
/// a reference point, not a contender.
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    /// The model's id.
    pub model: String,
    /// Its language.
    pub lang: Lang,
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

/// True for a model shown for scale rather than ranked: a baseline (the C programs) or a
/// sequential reference (unit "none (sequential)"), which is no way to share the work.
pub fn for_scale(model: &Model) -> bool {
    model.role == Role::Baseline || model.unit == "none (sequential)"
}

/// One model's place in a group.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    /// 1 for the best.
    pub rank: usize,
    /// The model's id.
    pub model: String,
    /// Its language.
    pub lang: Lang,
    /// The tier it is in (0: tied for best).
    pub tier: usize,
    /// The ranking metric's median (ns per unit of work, or requests per second).
    pub value: Estimate,
    /// How many times the best it is on the ranking metric, oriented so that 1.0 is the best
    /// and larger is worse: its time over the best's, or the best's throughput over its.
    pub vs_best: Estimate,
    /// Mann-Whitney p-value of its samples against the best's (`None` for the best itself),
    /// for reference: tiers are read from the intervals of the ratios.
    pub p_vs_best: Option<f64>,
    /// Coefficient of variation of its samples.
    pub cv: f64,
    /// Where the figures come from.
    pub evidence: Evidence,
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

/// The view of one workload: its comparison groups and the runs that could not be ranked.
pub(super) fn workload_view(
    workload: &Workload,
    file: &ResultsFile,
    figures: &[RunFigures],
) -> WorkloadView {
    let indexes: Vec<usize> = (0..file.runs.len())
        .filter(|&i| file.runs[i].workload == workload.name)
        .collect();
    let is_baseline = |i: usize| workload.model(&file.runs[i].model).is_some_and(for_scale);
    // Concurrency models make the groups; those shown for scale join the group of their
    // scenario, or make one of their own where no concurrency model was measured.
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
        .map(|(ranked, baselines)| {
            let mut g = group(workload, file, ranked, baselines);
            g.for_scale_only = ranked.iter().all(|&i| is_baseline(i));
            g
        })
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

/// A run's samples on the ranking metric: requests per second for a server in a closed loop,
/// p99 latency (ns) for one in an open loop (every model answers the rate it is offered, so
/// its latency is what tells them apart), else ns per unit of work.
fn samples(file: &ResultsFile, server: bool, i: usize) -> Vec<f64> {
    let r = &file.runs[i];
    match (server, offered_rate(r)) {
        (true, Some(_)) => metric(r, "p99_us")
            .into_iter()
            .map(|us| us * 1000.0)
            .collect(),
        (true, None) => metric(r, "rps"),
        _ => per_work(r),
    }
}

/// The rate an open-loop server run was offered (its `rate` above 0); `None` for a closed
/// loop or a run without a rate.
pub fn offered_rate(run: &RunResult) -> Option<u64> {
    run.params.get("rate").copied().filter(|r| *r > 0)
}

/// A group's members in ranking order, with their tiers.
struct Order {
    /// Each member's samples on the ranking metric.
    series: Vec<Vec<f64>>,
    /// Each member's run.
    runs: Vec<usize>,
    /// Their medians.
    medians: Vec<f64>,
    /// Members (indexes into `series`), best first.
    order: Vec<usize>,
    /// Tiers of members, best first.
    tiers: Vec<Vec<usize>>,
    /// True when some member has a single sample.
    too_few_samples: bool,
}

impl Order {
    /// The best member.
    fn best(&self) -> usize {
        self.order[0]
    }

    /// The Mann-Whitney p-value between two members.
    fn p(&self, a: usize, b: usize) -> f64 {
        stats::mann_whitney_p(&self.series[a], &self.series[b]).unwrap_or(1.0)
    }
}

/// A run and its samples on the ranking metric.
type Series<'a> = (usize, &'a [f64]);

/// `m` against `best` on the ranking metric, oriented so that 1.0 is the best and larger is
/// worse (its time over the best's, or the best's throughput over its, `higher`): paired by
/// round where the two runs' samples pair.
fn vs(file: &ResultsFile, higher: bool, best: Series, m: Series) -> Estimate {
    vs_opt(file, higher, best, m).unwrap_or(exact(1.0))
}

/// True when the interval of the ratio of two members holds 1, or cannot decide (a single
/// sample): they are tied.
fn tied(file: &ResultsFile, o: &Order, a: usize, b: usize) -> bool {
    tie(file, (o.runs[a], &o.series[a]), (o.runs[b], &o.series[b])).is_none()
}

/// `None` when the interval of the ratio of two runs' series holds 1, lies wholly within
/// 1 ± [`stats::NEGLIGIBLE`], or cannot decide (a single sample): they are tied; else the
/// ratio, whose interval excludes 1 by more than a negligible difference.
fn tie(file: &ResultsFile, a: Series, b: Series) -> Option<Estimate> {
    ratio_of_runs((&file.runs[a.0], a.1), (&file.runs[b.0], b.1))
        .filter(|r| r.decides() && stats::apart(&r.interval()))
}

/// The ratio of run `b` over run `a` of one comparison group on the group's ranking metric
/// (for a server in a closed loop, `a`'s requests per second over `b`'s, so that above 1 `b` is always the
/// worse), with its interval: what the view's tiers are read from.
pub(crate) fn group_ratio(
    workload: &Workload,
    file: &ResultsFile,
    a: usize,
    b: usize,
) -> Option<Estimate> {
    let server = workload.is_server();
    // A closed loop ranks by throughput (higher is better), an open loop by p99 latency.
    let higher = server && offered_rate(&file.runs[a]).is_none();
    let (sa, sb) = (samples(file, server, a), samples(file, server, b));
    vs_opt(file, higher, (a, &sa), (b, &sb))
}

/// [`vs`], `None` where the ratio has no estimate.
fn vs_opt(file: &ResultsFile, higher: bool, best: Series, m: Series) -> Option<Estimate> {
    let (b, m) = ((&file.runs[best.0], best.1), (&file.runs[m.0], m.1));
    if higher {
        ratio_of_runs(m, b)
    } else {
        ratio_of_runs(b, m)
    }
}

/// Orders the members by median (`higher`: highest first) and splits them into tiers.
fn order(file: &ResultsFile, runs: &[usize], series: Vec<Vec<f64>>, higher: bool) -> Order {
    let medians: Vec<f64> = series
        .iter()
        .map(|s| stats::median(s).unwrap_or(f64::NAN))
        .collect();
    let mut order: Vec<usize> = (0..series.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (medians[a], medians[b]);
        if higher {
            y.total_cmp(&x)
        } else {
            x.total_cmp(&y)
        }
    });
    let too_few_samples = series.len() > 1 && series.iter().any(|s| s.len() < 2);
    let mut out = Order {
        series,
        runs: runs.to_vec(),
        medians,
        order,
        tiers: Vec::new(),
        too_few_samples,
    };
    // Tiers: the best remaining model opens a tier; the next joins it while it is tied with
    // every member.
    let mut tiers: Vec<Vec<usize>> = Vec::new();
    for &m in &out.order {
        match tiers.last_mut() {
            Some(tier) if tier.iter().all(|&t| tied(file, &out, t, m)) => tier.push(m),
            _ => tiers.push(vec![m]),
        }
    }
    out.tiers = tiers;
    out
}

/// An estimate with no spread: `value` for the point and both bounds, deciding nothing.
fn exact(value: f64) -> Estimate {
    Estimate {
        value,
        ci95_low: value,
        ci95_high: value,
        level: 0.0,
    }
}

/// The ranked models, best first: each with its tier, its ratio to the best and the p-value
/// against it.
fn ranking(file: &ResultsFile, members: &[usize], o: &Order, higher: bool) -> Vec<Ranked> {
    let best = o.best();
    let tier_of = |m: usize| o.tiers.iter().position(|t| t.contains(&m)).unwrap_or(0);
    o.order
        .iter()
        .enumerate()
        .map(|(rank, &m)| {
            let i = members[m];
            let r = &file.runs[i];
            let value = median_estimate(&o.series[m]).unwrap_or(exact(o.medians[m]));
            let vs_best = vs(
                file,
                higher,
                (o.runs[best], &o.series[best]),
                (i, &o.series[m]),
            );
            Ranked {
                rank: rank + 1,
                model: r.model.clone(),
                lang: r.lang,
                tier: tier_of(m),
                value,
                vs_best,
                p_vs_best: (m != best).then(|| o.p(best, m)),
                cv: stats::cv(&o.series[m]),
                evidence: evidence(file, i),
            }
        })
        .collect()
}

/// A server group's models by median p99 latency (µs), lowest first.
fn by_p99(file: &ResultsFile, members: &[usize]) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = members
        .iter()
        .filter_map(|&i| {
            let r = &file.runs[i];
            Some((r.model.clone(), stats::median(&metric(r, "p99_us"))?))
        })
        .collect();
    out.sort_by(|a, b| a.1.total_cmp(&b.1));
    out
}

/// The models shown for scale measured in the group's scenario, each against the best.
fn baselines(
    file: &ResultsFile,
    (server, higher): (bool, bool),
    runs: &[usize],
    best: Series,
) -> Vec<Baseline> {
    runs.iter()
        .map(|&i| {
            let own = samples(file, server, i);
            let median = stats::median(&own).unwrap_or(f64::NAN);
            let r = &file.runs[i];
            Baseline {
                model: r.model.clone(),
                lang: r.lang,
                value: median_estimate(&own).unwrap_or(exact(median)),
                vs_best: vs(file, higher, best, (i, &own)),
                p_vs_best: stats::mann_whitney_p(best.1, &own),
                evidence: evidence(file, i),
            }
        })
        .collect()
}

/// What the group's runs share: the parameters they all have alike, those that differ, and
/// the scenario (each parameter but the linear ones, a calibrated one as `0` or `>0`).
type Shared = (BTreeMap<String, u64>, Vec<String>, BTreeMap<String, String>);

/// The parameters the members share, those that vary, and their scenario.
fn shared(workload: &Workload, file: &ResultsFile, members: &[usize]) -> Shared {
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
    let scenario = group_key(workload, first)
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
    (params, varying, scenario)
}

/// One comparison group: rank, ratios to the best, p-values, tiers; and its baselines
/// against the best.
fn group(
    workload: &Workload,
    file: &ResultsFile,
    members: &[usize],
    baselines_in: &[usize],
) -> Group {
    let server = workload.is_server();
    let offered = offered_rate(&file.runs[members[0]]).filter(|_| server);
    // A closed loop ranks by throughput (higher is better), an open loop by p99 latency.
    let higher = server && offered.is_none();
    let o = order(
        file,
        members,
        members.iter().map(|&i| samples(file, server, i)).collect(),
        higher,
    );
    let ranking = ranking(file, members, &o, higher);
    let (params, varying, scenario) = shared(workload, file, members);
    let calibrated_costs = if server {
        calibrated_costs(workload, file, &ranking, &scenario)
    } else {
        Vec::new()
    };
    let first = &file.runs[members[0]];
    Group {
        workload: workload.name.clone(),
        cpus: first.cpus,
        pinned: first.pinned,
        server_cpus: server.then(|| server_cpus(file, first)),
        params,
        varying,
        scenario,
        metric: match (server, offered) {
            (true, Some(rate)) => format!("p99 latency at {rate} req/s offered (open loop)"),
            (true, None) => "requests per second".into(),
            _ => format!("ns per {}", workload.work_unit()),
        },
        higher_is_better: higher,
        offered_rate: offered,
        tiers: o
            .tiers
            .iter()
            .map(|t| {
                t.iter()
                    .map(|&m| file.runs[members[m]].model.clone())
                    .collect()
            })
            .collect(),
        ranking,
        too_few_samples: o.too_few_samples,
        for_scale_only: false,
        by_p99: if server {
            by_p99(file, members)
        } else {
            Vec::new()
        },
        baselines: baselines(
            file,
            (server, higher),
            baselines_in,
            (members[o.best()], &o.series[o.best()]),
        ),
        calibrated_costs,
    }
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
    let mut langs: Vec<Lang> = Vec::new();
    for r in ranking {
        if !langs.contains(&r.lang) {
            langs.push(r.lang);
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
                    // What the samples measured as they ran, else the runs' difference.
                    let ms = recorded_work_ms(&file.runs[mixed]).or_else(|| {
                        Some(cpu_ms_per_request(file, mixed)? - cpu_ms_per_request(file, pure)?)
                    })?;
                    Some((r.model.as_str(), mixed, pure, ms))
                })
                .collect();
            let target_ms = file
                .calibration
                .iter()
                .rev()
                .find(|c| c.workload == workload.name && c.lang == lang.name())
                .map(|c| c.target_ns as f64 / 1e6);
            let off = |ms: f64| target_ms.map(|t| (ms / t - 1.0).abs() > WORK_TOLERANCE);
            let off_target_runs = added
                .iter()
                .filter(|a| off(a.3) == Some(true))
                .map(|a| (a.1, a.3))
                .collect();
            let least = added.iter().min_by(|a, b| a.3.total_cmp(&b.3))?;
            let most = added.iter().map(|a| a.3).fold(f64::MIN, f64::max);
            let median_ms = stats::median(&added.iter().map(|a| a.3).collect::<Vec<_>>())?;
            let mut values: Vec<u64> = added
                .iter()
                .filter_map(|a| file.runs[a.1].params.get(&param.name).copied())
                .collect();
            values.sort_unstable();
            values.dedup();
            Some(CalibratedCost {
                param: param.name.clone(),
                lang,
                values,
                added_ms: least.3,
                model: least.0.to_string(),
                most_ms: most,
                runs: added.iter().flat_map(|a| [a.1, a.2]).collect(),
                target_ms,
                median_ms,
                on_target: off(median_ms).map(|o| !o),
                off_target_runs,
            })
        })
        .collect();
    if costs.len() < 2 {
        return Vec::new();
    }
    costs
}

/// The work a mixed run's samples recorded as they ran: the median of their
/// [`ADDED_CPU_US`], ms; `None` in files from before it was recorded.
fn recorded_work_ms(run: &RunResult) -> Option<f64> {
    let us: Vec<f64> = run
        .samples
        .iter()
        .filter_map(|s| s.metrics.get(ADDED_CPU_US).map(|v| *v as f64))
        .collect();
    stats::median(&us).map(|us| us / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::view::{analyse, Analysis};
    use crate::catalogue::Catalogue;
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
        assert!(g.ranking[1].vs_best.interval().contains(1.0));
        assert!(!g.too_few_samples);
    }

    #[test]
    fn a_difference_within_three_percent_is_a_tie() {
        // rust-threads is 1-2% slower in every round: the interval excludes 1, but lies
        // within 1 ± 3%, finer than the next run would repeat.
        let (_, a) = analyse_runs(vec![
            cpu("rust-rayon", &[10_000, 10_200, 9_900, 10_100, 10_050]),
            cpu("rust-threads", &[10_150, 10_350, 10_050, 10_250, 10_200]),
        ]);
        let g = &a.workloads[0].groups[0];
        let r = g.ranking[1].vs_best.interval();
        assert!(r.lo > 1.0 && r.hi < 1.03, "{r:?}");
        assert_eq!(g.tiers.len(), 1, "{:?}", g.tiers);
        // At 5% apart they differ.
        let (_, a) = analyse_runs(vec![
            cpu("rust-rayon", &[10_000, 10_200, 9_900, 10_100, 10_050]),
            cpu("rust-threads", &[10_500, 10_710, 10_395, 10_605, 10_552]),
        ]);
        assert_eq!(a.workloads[0].groups[0].tiers.len(), 2);
    }

    #[test]
    fn a_model_twice_as_fast_is_ranked_first_with_an_interval_that_contains_2() {
        let (_, a) = analyse_runs(vec![
            cpu("rust-seq", &[20_000, 20_300, 19_800, 20_100, 19_900]),
            cpu("rust-threads", &[20_000, 20_300, 19_800, 20_100, 19_900]),
            cpu("rust-rayon", &[10_000, 10_150, 9_900, 10_050, 9_950]),
        ]);
        let g = &a.workloads[0].groups[0];
        assert_eq!(g.ranking[0].model, "rust-rayon");
        let slower = &g.ranking[1];
        assert_eq!(slower.tier, 1);
        let r = slower.vs_best;
        assert!((r.value - 2.0).abs() < 0.01, "{r:?}");
        assert!(r.ci95_low <= 2.0 && 2.0 <= r.ci95_high, "{r:?}");
        // Five paired rounds: [min, max] of the per-round ratios, at 1 − 2⁻⁴.
        assert!((r.level - 0.9375).abs() < 1e-12, "{r:?}");
        // rust-seq is as slow as rust-threads but is shown for scale, not ranked.
        assert_eq!(g.ranking.len(), 2);
        assert_eq!(g.baselines[0].model, "rust-seq");
        assert!((g.baselines[0].vs_best.value - 2.0).abs() < 0.01);
        // The speedup against rust-seq is the same ratio, read from the same runs.
        let f = &a.runs[2];
        assert_eq!(f.speedup_base, Some(0));
        assert!((f.speedup.unwrap().value - 2.0).abs() < 0.01);
    }

    #[test]
    fn a_sequential_reference_is_never_first() {
        // rust-seq is the fastest way to count alone; it is not a way to share a counter.
        let (_, a) = analyse_runs(vec![
            cpu("rust-seq", &[1_000, 1_010, 990, 1_005, 995]),
            cpu("rust-threads", &[20_000, 20_300, 19_800, 20_100, 19_900]),
        ]);
        let g = &a.workloads[0].groups[0];
        assert_eq!(g.ranking[0].model, "rust-threads");
        assert!(!g.for_scale_only);
        assert!(g.baselines[0].vs_best.value < 0.1);
        // Alone, the references make a group of their own, marked as such.
        let (_, a) = analyse_runs(vec![
            cpu("rust-seq", &[1_000, 1_010, 990, 1_005, 995]),
            cpu("go-seq", &[2_000, 2_010, 1_990, 2_005, 1_995]),
        ]);
        assert!(a.workloads[0].groups[0].for_scale_only);
    }

    #[test]
    fn a_single_sample_decides_nothing() {
        let (_, a) = analyse_runs(vec![
            cpu("rust-threads", &[10_900]),
            cpu("rust-rayon", &[10_000]),
        ]);
        let g = &a.workloads[0].groups[0];
        assert_eq!(g.tiers.len(), 1, "one sample each: tied, {:?}", g.tiers);
        assert!(g.too_few_samples);
        let r = g.ranking[1].vs_best;
        assert_eq!((r.ci95_low, r.ci95_high, r.level), (1.09, 1.09, 0.0));
        assert!(!r.decides());
    }

    #[test]
    fn runs_of_different_loop_lengths_compare_per_iteration() {
        let mut long = cpu("rust-threads", &[40_000, 40_100, 39_900, 40_050, 39_950]);
        long.params.insert("n".into(), 2_000_000);
        let (_, a) = analyse_runs(vec![
            cpu("rust-rayon", &[20_000, 20_100, 19_900, 20_050, 19_950]),
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
    fn every_tier_has_no_pair_that_differs_and_every_ratio_is_near_the_medians() {
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
                    let r = stats::paired_ratio_interval(&s(x), &s(y), stats::CONFIDENCE);
                    assert!(r.unwrap().contains(1.0), "{x} {y}");
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
                (r.vs_best.value / from_file - 1.0).abs() < 0.02,
                "{}",
                r.model
            );
        }
    }
}
