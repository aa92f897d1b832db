//! `concbench advise`: for a workload profile, which models can do it at all on this
//! machine, and which does it best, by what margin — read from the analysis view.
//!
//! A profile is I/O-bound (a unit waits at least as long as it computes) or job-bound. An
//! I/O-bound profile is read from io-server: the scenario (pure I/O, `cpu = 0`, or mixed)
//! whose measured CPU per request is nearest the profile's, on the CPUs nearest the
//! profile's, and per model the run at the nearest connection count. A job-bound profile is
//! read from worker-pool (the cost of handing a job to a pool), cpu-parallel (how fast each
//! approach computes, against the fastest sequential model: the profile's `cpu_ms` is time
//! in compiled code) and spawn-idle (memory per unit), joined by language and unit of
//! concurrency (`rust-crossbeam`'s OS threads are measured by `rust-threads`).
//!
//! Each model is checked against every target the profile sets: memory, capacity, latency,
//! this machine's thread and process caps, and safety. The feasible ones are ranked by their
//! headroom on the binding (tightest) constraint, then by CPU per unit and memory; the
//! others follow, each with the constraint it fails and by how much. Where the profile lies
//! away from what was measured, the advice says so, names the point it stands on, and gives
//! the `concbench run` command that would measure the profile's own point.
//!
//! No I/O: the caps come in as a [`Limits`] value.

mod checks;
mod extrapolate;
mod io;
mod jobs;
mod memory;
mod mixed;
mod recommend;
mod scenario;

pub use memory::MemorySource;
use serde::{Serialize, Serializer};

use super::profile::{num, Profile};
use super::view::{Analysis, Evidence, Group, Ranked};
use crate::catalogue::models::ModelTable;
use crate::catalogue::selection::Selection;
use crate::catalogue::{Catalogue, Lang};
use crate::format::format_bytes;
use crate::machine::limits::Limits;
use crate::results::ResultsFile;

/// A rate as tables show it: whole above 10 a second, two decimals below.
pub fn rate_text(x: f64) -> String {
    if x >= 10.0 {
        num(x.round())
    } else {
        num((x * 100.0).round() / 100.0)
    }
}

/// A measured point within this factor of the profile's value stands for it; beyond, the
/// advice is an extrapolation and says so.
const NEAR: f64 = 2.0;

/// What a model is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Constraint {
    /// Memory per unit × concurrency within the budget.
    Memory,
    /// Measured throughput covers the rate.
    Capacity,
    /// p99 latency within the target.
    Latency,
    /// Thread- or process-per-unit models within this machine's caps.
    Caps,
    /// Races prevented at compile time or detected at run time.
    Safety,
    /// No target was set: models are ranked by throughput alone.
    Throughput,
}

impl Constraint {
    /// The word tables use.
    pub fn label(self) -> &'static str {
        match self {
            Constraint::Memory => "memory",
            Constraint::Capacity => "capacity",
            Constraint::Latency => "latency",
            Constraint::Caps => "caps",
            Constraint::Safety => "safety",
            Constraint::Throughput => "throughput",
        }
    }
}

/// One model against one constraint.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The constraint.
    pub constraint: Constraint,
    /// `Some(true)` met, `Some(false)` failed, `None` not measured.
    pub ok: Option<bool>,
    /// What the model has over what the profile needs (≥ 1 fits): budget / need, capacity /
    /// rate, target / p99, cap / concurrency. `None` for safety and unmeasured figures.
    pub headroom: Option<f64>,
    /// The figures, in words: "9620 req/s against 5000/s".
    pub text: String,
}

/// The figures a row shows, each from the runs in its evidence.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KeyFigures {
    /// Requests (io-server) or jobs per second the model sustains.
    pub throughput: Option<f64>,
    /// io-server: measured p99, ms; jobs: one job's time on one core, ms.
    pub p99_ms: Option<f64>,
    /// Memory the profile's concurrency needs, bytes.
    pub memory_bytes: Option<f64>,
    /// io-server: server CPU per request, ms.
    pub cpu_ms_per_unit: Option<f64>,
}

/// One model's line of advice.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// 1 for the best; infeasible models follow the feasible ones.
    pub rank: usize,
    /// The model's id (in the workload the row is read from).
    pub model: String,
    /// Its language.
    pub lang: Lang,
    /// True when it meets every target.
    pub feasible: bool,
    /// The tightest constraint (feasible) or the one it fails.
    pub binding: Constraint,
    /// Its headroom on the binding constraint.
    pub headroom: Option<f64>,
    /// What it is ranked by: the binding headroom (throughput where no target is set).
    pub score: Option<f64>,
    /// Why it is where it is: the binding check, or every failed one.
    pub reasons: Vec<String>,
    /// Every constraint checked.
    pub checks: Vec<Check>,
    /// The figures shown.
    pub figures: KeyFigures,
    /// Where each figure comes from: workload, scenario, runs.
    pub source: String,
    /// The runs used.
    pub evidence: Vec<Evidence>,
    /// When the row's throughput is tied with the row above's by the view's rule (the
    /// interval of their ratio holds 1, or cannot decide): that ratio, this row's time per
    /// unit over the row above's (for a server, the row above's requests per second over
    /// this one's: above 1, this row is the worse), from the runs each reads. The two then
    /// share a rank.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tied_with_above: Option<crate::analysis::view::Estimate>,
    /// The runs the throughput figure is made of, each with its part of the time per unit
    /// (ns; for a server, one run with weight 1): what a tie is read from.
    #[serde(skip)]
    pub(super) throughput_runs: Vec<(usize, f64)>,
}

impl Row {
    /// `model`'s row judged on its `checks` (ranked by `throughput` where it has one), with
    /// its key figures; the caller adds where the figures come from.
    fn judged(
        model: &str,
        lang: Lang,
        checks: Vec<Check>,
        throughput: Option<f64>,
        figures: KeyFigures,
    ) -> Row {
        let judged = checks::judge(&checks, throughput);
        Row {
            rank: 0,
            model: model.into(),
            lang,
            feasible: judged.feasible,
            binding: judged.binding,
            headroom: judged.headroom,
            score: judged.score,
            reasons: judged.reasons,
            checks,
            figures,
            source: String::new(),
            evidence: Vec::new(),
            tied_with_above: None,
            throughput_runs: Vec::new(),
        }
    }

    /// Meets every measured target, but one target was not measured: it may yet qualify.
    pub fn undecided(&self) -> bool {
        !self.feasible && !checks::fails(self)
    }
}

/// A dimension on which the profile lies away from what was measured.
#[derive(Debug, Clone, Serialize)]
pub struct Extrapolation {
    /// What differs, with the measured range.
    pub what: String,
    /// The measured point the advice stands on instead.
    pub stands_on: String,
}

/// The workloads a profile is read from, by whether a unit of it waits or computes more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AdvicePath {
    /// I/O-bound: read from io-server.
    #[serde(rename = "io-server")]
    IoServer,
    /// Job-bound: read from worker-pool, cpu-parallel and spawn-idle.
    #[serde(rename = "jobs")]
    Jobs,
}

/// The advice for one profile and one results file.
#[derive(Debug, Clone, Serialize)]
pub struct Advice {
    /// The profile, as checked.
    pub profile: Profile,
    /// Which workloads the profile is read from.
    pub path: AdvicePath,
    /// Where the figures come from, in words.
    pub basis: String,
    /// Where the memory figures come from, once rows read any.
    pub memory_from: Option<MemorySource>,
    /// The models, feasible ones first, best first.
    pub rows: Vec<Row>,
    /// Two or three sentences: the choice, the runner-up, what would change it.
    pub recommendation: Vec<String>,
    /// Where the profile lies away from the measured points.
    pub extrapolations: Vec<Extrapolation>,
    /// The runs that would measure the profile's own points (or what is missing).
    #[serde(serialize_with = "commands_json")]
    pub commands: Vec<Selection>,
    /// The workloads the advice reads (all of them are needed for a complete answer).
    pub workloads: Vec<String>,
    /// What the file lacks, in words: why there is no answer (no rows), or which targets
    /// the rows leave unmeasured.
    pub missing: Option<String>,
    /// Models left out by `--langs`.
    pub left_out: Vec<String>,
    /// For a profile that both waits and computes: each design's figures from
    /// mixed-service (every CPU serving, open-loop arrivals), one line a run; evidence
    /// beside the rows, not ranked into them.
    pub mixed_service: Vec<String>,
}

/// `commands` as the advice's JSON has always written them: `workloads`, `models` (empty:
/// every model), `sets` as `[workload, param, value]` and `cpus` (a count or null).
fn commands_json<S: Serializer>(commands: &[Selection], s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Command<'a> {
        workloads: &'a [String],
        models: &'a [String],
        sets: Vec<(&'a str, &'a str, u64)>,
        cpus: Option<usize>,
    }
    s.collect_seq(commands.iter().map(|c| {
        Command {
            workloads: c.workloads.as_deref().unwrap_or_default(),
            models: c.models.as_deref().unwrap_or_default(),
            sets: c
                .sets
                .iter()
                .map(|o| (o.workload.as_str(), o.param.as_str(), o.value))
                .collect(),
            cpus: c.cpus.as_ref().and_then(|n| n.first().copied()),
        }
    }))
}

/// What `advise` reads.
pub struct Inputs<'a> {
    /// The catalogue.
    pub catalogue: &'a Catalogue,
    /// The results file.
    pub file: &'a ResultsFile,
    /// Its analysis view.
    pub analysis: &'a Analysis,
    /// The safety classes.
    pub models: &'a ModelTable,
    /// This machine's limits, for the caps.
    pub limits: &'a Limits,
}

/// A measured run of one model that a row reads.
#[derive(Clone, Copy)]
struct Point<'a> {
    ranked: &'a Ranked,
}

impl Point<'_> {
    fn run(&self) -> usize {
        self.ranked.evidence.run
    }
    fn param(&self, name: &str) -> Option<u64> {
        self.ranked.evidence.params.get(name).copied()
    }
}

/// How far apart two positive values are, as a factor ≥ 1.
fn factor(a: f64, b: f64) -> f64 {
    if a <= 0.0 || b <= 0.0 {
        return if a == b { 1.0 } else { f64::INFINITY };
    }
    (a / b).max(b / a)
}

/// The CPUs to read: those nearest the profile's (the most measured when it names none),
/// unpinned before pinned.
fn choose_cpus(groups: &[&Group], want: Option<usize>) -> Option<(usize, bool)> {
    groups
        .iter()
        .map(|g| (g.cpus, g.pinned))
        .min_by_key(|&(c, pinned)| {
            let distance = match want {
                Some(w) => c.abs_diff(w),
                None => usize::MAX - c,
            };
            (distance, usize::MAX - c, pinned)
        })
}

/// Every ranked run of `model` in `groups`.
fn points_of<'a>(groups: &[&'a Group], model: &str) -> Vec<Point<'a>> {
    groups
        .iter()
        .flat_map(|g| {
            g.ranking
                .iter()
                .filter(move |r| r.model == model)
                .map(|r| Point { ranked: r })
        })
        .collect()
}

/// The point whose `param` is nearest `want` (as a factor); ties go to the larger value,
/// which is the conservative side for memory and latency.
fn nearest<'a>(points: &[Point<'a>], param: &str, want: f64) -> Option<Point<'a>> {
    points.iter().copied().min_by(|a, b| {
        let (x, y) = (
            a.param(param).unwrap_or(0) as f64,
            b.param(param).unwrap_or(0) as f64,
        );
        factor(x, want)
            .total_cmp(&factor(y, want))
            .then(y.total_cmp(&x))
    })
}

/// The median of `xs`, in any order.
fn median(mut xs: Vec<f64>) -> Option<f64> {
    xs.sort_by(f64::total_cmp);
    crate::stats::median(&xs)
}

/// The run's parameters as `name=value` words.
fn params_text(e: &Evidence) -> String {
    e.params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A size in bytes, as advice shows it.
fn mib(bytes: f64) -> String {
    format_bytes(bytes)
}
/// Builds the advice for `profile` from the inputs.
pub fn advise(profile: &Profile, inputs: &Inputs) -> Advice {
    let mut advice = if profile.io_bound() {
        io::io_advice(profile, inputs)
    } else {
        jobs::job_advice(profile, inputs)
    };
    recommend::rank(&mut advice.rows);
    recommend::mark_ties(&mut advice.rows, inputs);
    advice.recommendation = recommend::recommend(profile, &advice);
    advice.mixed_service = mixed::evidence(profile, inputs);
    advice
}

/// Advice with nothing in it yet, read from `workloads` by `path`.
fn empty(profile: &Profile, path: AdvicePath, workloads: &[&str]) -> Advice {
    Advice {
        profile: profile.clone(),
        path,
        basis: String::new(),
        memory_from: None,
        rows: Vec::new(),
        recommendation: Vec::new(),
        extrapolations: Vec::new(),
        commands: Vec::new(),
        workloads: workloads.iter().map(|w| w.to_string()).collect(),
        missing: None,
        left_out: Vec::new(),
        mixed_service: Vec::new(),
    }
}

/// The ranked groups of `workload` in the view.
fn groups_of<'a>(analysis: &'a Analysis, workload: &str) -> Vec<&'a Group> {
    analysis
        .workload(workload)
        .map(|w| w.groups.iter().filter(|g| !g.ranking.is_empty()).collect())
        .unwrap_or_default()
}

/// Models of the groups, in first-seen order, split into those of the profile's languages and
/// those left out.
fn models_in(groups: &[&Group], profile: &Profile) -> (Vec<(String, Lang)>, Vec<String>) {
    let (mut kept, mut left) = (Vec::new(), Vec::new());
    for g in groups {
        for r in &g.ranking {
            // The profile's languages are among those compared: a baseline is left out too.
            if profile.langs.contains(&r.lang) {
                if !kept.iter().any(|(m, _)| m == &r.model) {
                    kept.push((r.model.clone(), r.lang));
                }
            } else if !left.contains(&r.model) {
                left.push(r.model.clone());
            }
        }
    }
    (kept, left)
}

#[cfg(test)]
mod tests {
    //! What the advice tests share: a machine's limits, a profile from flags, a gateway's
    //! io-server runs, and advice from runs.

    use super::*;
    use crate::analysis::profile::{build, Layer, ProfileInput};
    use crate::analysis::view::analyse;
    use crate::fixtures::{self, server};
    use crate::results::RunResult;

    pub(super) fn limits() -> Limits {
        Limits {
            threads_max: 192_731,
            max_user_processes: 96_365,
            pid_max: 4_194_304,
            max_map_count: 1 << 22,
            mem_available_kb: 24 * 1024 * 1024,
            threads_in_use: 768,
        }
    }

    pub(super) fn profile(f: impl FnOnce(&mut ProfileInput)) -> Profile {
        let mut i = ProfileInput::default();
        f(&mut i);
        build(None, &[(i, Layer::Flags)]).unwrap()
    }

    pub(super) fn advise_on(runs: Vec<RunResult>, p: &Profile) -> (ResultsFile, Advice) {
        let file = fixtures::file(runs);
        let analysis = analyse(Catalogue::embedded(), &file);
        let a = advise(
            p,
            &Inputs {
                catalogue: Catalogue::embedded(),
                file: &file,
                analysis: &analysis,
                models: ModelTable::embedded(),
                limits: &limits(),
            },
        );
        (file, a)
    }

    pub(super) fn gateway_runs() -> Vec<RunResult> {
        vec![
            // rust-threads: the most req/s, but a thread's memory and a long tail.
            server(
                "rust-threads",
                0,
                100,
                12_000,
                40_000,
                5_000,
                64 * 1024,
                50_000_000,
            ),
            server(
                "rust-tokio",
                0,
                100,
                10_000,
                9_000,
                5_000,
                4 * 1024,
                40_000_000,
            ),
            server(
                "go-net-http",
                0,
                100,
                9_000,
                12_000,
                10_000,
                8 * 1024,
                60_000_000,
            ),
            server(
                "py-asyncio",
                0,
                100,
                5_000,
                20_000,
                25_000,
                2 * 1024,
                300_000_000,
            ),
        ]
    }

    /// A gateway at 100 connections, 1 ms of I/O: `rate` requests/s, a p99 target in ms.
    pub(super) fn at_100_connections(rate: f64, p99_ms: f64) -> Profile {
        profile(|i| {
            i.concurrency = Some(100.0);
            i.io_ms = Some(1.0);
            i.rate = Some(rate);
            i.p99_ms = Some(p99_ms);
        })
    }

    /// The same server run, offered `rate` requests/s in an open loop.
    pub(super) fn open_loop(mut r: RunResult, rate: u64) -> RunResult {
        r.params.insert("rate".into(), rate);
        r
    }

    #[test]
    fn the_path_is_written_as_its_workload_words() {
        assert_eq!(
            serde_json::to_string(&[AdvicePath::IoServer, AdvicePath::Jobs]).unwrap(),
            r#"["io-server","jobs"]"#
        );
    }
}
