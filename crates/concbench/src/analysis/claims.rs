//! The article's claims, checked against a results file (`concbench claims`).
//!
//! The claims and their rules are data (`suite/claims.toml`): each claim has one or more
//! tests, and a test names a workload, a figure, the model it is about, an optional model it
//! is compared with, the scenario, and the ranges in which it holds, holds with a caveat, or
//! does not hold. This module only reads figures the way the analysis view defines them
//! (time per unit of work, requests per second, speedup against the sequential model,
//! memory per unit, ...), picks the runs a test names, and applies its rule. No verdict is
//! written in code: move a figure across a rule's bound in the results file, or the bound
//! in `suite/claims.toml`, and the verdict moves with it.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::view::{self, Analysis, Estimate, Evidence};
use crate::catalogue::{Catalogue, Lang, Role, Workload};
use crate::format;
use crate::results::{ResultsFile, RunResult, SafetyOutcome, Status};
use crate::stats;

const CLAIMS_TOML: &str = include_str!("../../../../suite/claims.toml");

/// A figure a test can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Median time per unit of work, ns.
    Time,
    /// Requests per second (io-server).
    Rps,
    /// p99 latency, µs (io-server).
    P99Us,
    /// p99.9 latency, µs (io-server).
    P999Us,
    /// Largest latency, µs (io-server).
    MaxUs,
    /// Server memory per open connection, bytes (io-server).
    MemPerConn,
    /// Memory per idle unit, bytes (spawn-idle).
    MemPerUnit,
    /// Time to start one unit, ns (spawn-idle).
    SpawnPerUnit,
    /// Against the language's sequential model.
    Speedup,
    /// Run-to-run coefficient of variation of the time, %.
    Cv,
    /// The largest value of a parameter at which the model's run was valid.
    MaxValid,
    /// The outcome of a safety check.
    Safety,
}

impl Metric {
    /// True when a larger value is better (what `best:` picks).
    fn higher_is_better(self) -> bool {
        matches!(self, Metric::Rps | Metric::Speedup | Metric::MaxValid)
    }
}

/// A range of values; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Lowest value inside, if bounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Highest value inside, if bounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl Range {
    fn contains(&self, x: f64) -> bool {
        self.min.is_none_or(|m| x >= m) && self.max.is_none_or(|m| x <= m)
    }
}

/// One test of a claim, as written in `suite/claims.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    /// The figure in words.
    pub what: String,
    /// The workload that measures it.
    pub workload: String,
    /// The figure.
    pub metric: Metric,
    /// The model: an id, or `best:<langs>`.
    pub model: String,
    /// The model it is compared with: the figure becomes a ratio.
    #[serde(default)]
    pub against: Option<String>,
    /// For `max_valid`: the parameter.
    #[serde(default)]
    pub param: Option<String>,
    /// The scenario: parameter → value, `0`, `>0`, `max` or `min`.
    #[serde(default, rename = "where")]
    pub scenario: BTreeMap<String, String>,
    /// `max` (the default) or a CPU count.
    #[serde(default)]
    pub cpus: Option<String>,
    /// Below this many CPUs the test is not measured.
    #[serde(default)]
    pub min_cpus: Option<usize>,
    /// For `speedup`: divide by the CPUs (parallel efficiency).
    #[serde(default)]
    pub per_cpu: bool,
    /// For `safety`: the outcome under which the test holds.
    #[serde(default)]
    pub expect: Option<SafetyOutcome>,
    /// The unit the value is shown in.
    #[serde(default)]
    pub unit: String,
    /// Where the test holds.
    #[serde(default)]
    pub holds: Range,
    /// Where, outside `holds`, it holds with a caveat.
    #[serde(default)]
    pub caveat: Option<Range>,
    /// The rule in words.
    pub rule: String,
    /// False for a figure shown as context only.
    #[serde(default = "yes")]
    pub counts: bool,
}

fn yes() -> bool {
    true
}

/// One claim, as written in `suite/claims.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimSpec {
    /// A short stable name.
    pub id: String,
    /// `go`, `python`, `rust` or `advice`.
    pub section: String,
    /// The article's words.
    pub claim: String,
    /// The tests that decide it.
    pub tests: Vec<TestSpec>,
}

/// `suite/claims.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsTable {
    /// The claims, in the article's order.
    pub claims: Vec<ClaimSpec>,
}

impl ClaimsTable {
    /// The table compiled into this binary.
    pub fn embedded() -> &'static ClaimsTable {
        static TABLE: std::sync::OnceLock<ClaimsTable> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            ClaimsTable::parse(CLAIMS_TOML, Catalogue::embedded())
                .expect("suite/claims.toml compiled into concbench is valid (tested)")
        })
    }

    /// Parses `text` and checks every test against `catalogue`.
    pub fn parse(text: &str, catalogue: &Catalogue) -> Result<ClaimsTable> {
        let table: ClaimsTable = toml::from_str(text).context("suite/claims.toml")?;
        let mut ids = std::collections::BTreeSet::new();
        for c in &table.claims {
            if !ids.insert(&c.id) {
                bail!("suite/claims.toml: claim {} is listed twice", c.id);
            }
            if c.tests.is_empty() || !c.tests.iter().any(|t| t.counts) {
                bail!("suite/claims.toml: claim {} has no test that counts", c.id);
            }
            for t in &c.tests {
                validate_test(t, catalogue).with_context(|| format!("claim {}", c.id))?;
            }
        }
        Ok(table)
    }
}

fn validate_test(t: &TestSpec, catalogue: &Catalogue) -> Result<()> {
    let Some(w) = catalogue.workload(&t.workload) else {
        bail!("unknown workload {}", t.workload);
    };
    for spec in std::iter::once(&t.model).chain(t.against.as_ref()) {
        if t.metric == Metric::Safety {
            continue;
        }
        match ModelSpec::parse(spec) {
            Some(ModelSpec::Id(id)) if w.model(id).is_none() => {
                bail!("{}: unknown model {id}", t.workload)
            }
            None => bail!("bad model {spec:?}: an id or best:<langs>"),
            _ => {}
        }
    }
    for name in t.scenario.keys().chain(t.param.as_ref()) {
        if w.param(name).is_none() {
            bail!("{}: unknown parameter {name}", t.workload);
        }
    }
    if t.metric == Metric::Safety && t.expect.is_none() {
        bail!("a safety test needs `expect`");
    }
    if t.metric == Metric::MaxValid && t.param.is_none() {
        bail!("a max_valid test needs `param`");
    }
    Ok(())
}

/// Which model a test is about.
enum ModelSpec<'a> {
    Id(&'a str),
    /// The best of these languages (`negate`: of every language but these).
    Best {
        langs: Vec<&'a str>,
        negate: bool,
    },
}

impl<'a> ModelSpec<'a> {
    fn parse(s: &'a str) -> Option<ModelSpec<'a>> {
        match s.strip_prefix("best:") {
            None => Some(ModelSpec::Id(s)),
            Some("any") => Some(ModelSpec::Best {
                langs: Vec::new(),
                negate: true,
            }),
            Some(rest) => {
                let (negate, rest) = match rest.strip_prefix('!') {
                    Some(r) => (true, r),
                    None => (false, rest),
                };
                let langs: Vec<&str> = rest.split(',').collect();
                langs
                    .iter()
                    .all(|l| Lang::ALL.iter().any(|x| x.name() == *l))
                    .then_some(ModelSpec::Best { langs, negate })
            }
        }
    }

    fn admits(&self, w: &Workload, run: &RunResult) -> bool {
        match self {
            ModelSpec::Id(id) => run.model == *id,
            ModelSpec::Best { langs, negate } => {
                let contender = w
                    .model(&run.model)
                    .is_some_and(|m| m.role == Role::Contender && !m.racy);
                contender && (langs.contains(&run.lang.as_str()) != *negate)
            }
        }
    }
}

/// A claim's or a test's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Verdict {
    /// The figure is where the rule says the claim holds.
    #[serde(rename = "holds")]
    Holds,
    /// Outside that, but within the caveat range.
    #[serde(rename = "holds with a caveat")]
    Caveat,
    /// Outside both.
    #[serde(rename = "does not hold on this machine")]
    DoesNotHold,
    /// The file has no run that measures it.
    #[serde(rename = "not measured")]
    NotMeasured,
}

impl Verdict {
    /// The words the output uses.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Caveat => "holds with a caveat",
            Verdict::DoesNotHold => "does not hold on this machine",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// One test, decided.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// The figure in words.
    pub what: String,
    /// The workload.
    pub workload: String,
    /// The figure.
    pub metric: Metric,
    /// The models whose runs were read (the model, then the one it is compared with).
    pub models: Vec<String>,
    /// The value, in `unit`.
    pub measured: Option<f64>,
    /// Its unit.
    pub unit: String,
    /// Its bootstrap 95% CI, where the samples give one.
    pub ci95: Option<(f64, f64)>,
    /// The value in words (`2.7 KB`, `1.9× [1.8–2.0]`, `rejected`).
    pub shown: String,
    /// The rule, as written in `suite/claims.toml`.
    pub rule: String,
    /// Where the figure must lie for the claim to hold (in `unit`).
    pub holds: Range,
    /// Where it holds with a caveat, if the rule has such a range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<Range>,
    /// The verdict.
    pub verdict: Verdict,
    /// One line: why.
    pub reason: String,
    /// False for context only.
    pub counts: bool,
    /// The runs read, enough to rerun each.
    pub evidence: Vec<Evidence>,
    /// For a safety test: the check's command and the first lines it printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety: Option<SafetyEvidence>,
    /// When not measured: the parts of a `concbench run` that would measure it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<MeasureSpec>,
    /// The results file the figure was read from, when it is not the one the claims were
    /// checked on (a quick run made to measure what that file lacked); its `evidence` run
    /// numbers are that file's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What a safety check printed.
#[derive(Debug, Clone, Serialize)]
pub struct SafetyEvidence {
    /// The command that checked.
    pub command: String,
    /// The first lines of its report.
    pub excerpt: String,
}

/// A run that would measure a test: `concbench run --suite quick --workloads W --models M
/// --set W.p=v`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MeasureSpec {
    /// The workload.
    pub workload: String,
    /// Its models (empty: all of them).
    pub models: Vec<String>,
    /// Parameters to set, `param=value`.
    pub sets: Vec<(String, u64)>,
    /// The CPUs the machine needs at least (for a server, its own and its load generator's).
    pub min_cpus: usize,
    /// True for a safety check rather than a measured run.
    pub safety: bool,
}

impl MeasureSpec {
    /// The command line.
    pub fn command(&self) -> String {
        if self.safety {
            return format!(
                "concbench run --suite quick --workloads {} (its safety checks)",
                self.workload
            );
        }
        let mut cmd = format!("concbench run --suite quick --workloads {}", self.workload);
        if !self.models.is_empty() {
            cmd.push_str(&format!(" --models {}", self.models.join(",")));
        }
        for (p, v) in &self.sets {
            cmd.push_str(&format!(" --set {}.{p}={v}", self.workload));
        }
        cmd
    }

    /// Where the command can measure it, when not on any machine: "on a machine with 3
    /// CPUs or more".
    pub fn needs(&self) -> Option<String> {
        (self.min_cpus > 1).then(|| format!("on a machine with {} CPUs or more", self.min_cpus))
    }
}

/// One claim, decided.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimResult {
    /// Its id.
    pub id: String,
    /// `go`, `python`, `rust` or `advice`.
    pub section: String,
    /// The article's words, quoted as a claim under test.
    pub claim: String,
    /// The first counted test's workload.
    pub workload: String,
    /// Every model its tests read.
    pub models: Vec<String>,
    /// The first counted test's value.
    pub measured: Option<f64>,
    /// Its unit.
    pub unit: String,
    /// Its CI.
    pub ci95: Option<(f64, f64)>,
    /// The first counted test's rule.
    pub rule: String,
    /// The worst verdict of its counted tests.
    pub verdict: Verdict,
    /// One line: why.
    pub reason: String,
    /// The runs of every test.
    pub evidence: Vec<Evidence>,
    /// Every test, decided.
    pub tests: Vec<TestResult>,
}

/// Decides every claim of `table` on `file` and its view.
pub fn check(
    catalogue: &Catalogue,
    table: &ClaimsTable,
    file: &ResultsFile,
    analysis: &Analysis,
) -> Vec<ClaimResult> {
    table
        .claims
        .iter()
        .map(|c| {
            let tests: Vec<TestResult> = c
                .tests
                .iter()
                .map(|t| decide(catalogue, t, file, analysis))
                .collect();
            combine(c, tests)
        })
        .collect()
}

/// A claim's verdict from its tests': the worst counted one, measured parts first; a claim
/// with a part not measured holds at best with a caveat.
fn combine(c: &ClaimSpec, tests: Vec<TestResult>) -> ClaimResult {
    let counted: Vec<&TestResult> = tests.iter().filter(|t| t.counts).collect();
    let measured: Vec<&&TestResult> = counted
        .iter()
        .filter(|t| t.verdict != Verdict::NotMeasured)
        .collect();
    let missing: Vec<&&TestResult> = counted
        .iter()
        .filter(|t| t.verdict == Verdict::NotMeasured)
        .collect();
    let worst = measured.iter().max_by_key(|t| t.verdict);
    let (verdict, reason) = match (worst, missing.first()) {
        (None, Some(m)) => (Verdict::NotMeasured, m.reason.clone()),
        (None, None) => (Verdict::NotMeasured, "no test counts".into()),
        (Some(w), None) => (w.verdict, w.reason.clone()),
        (Some(w), Some(m)) => (
            w.verdict.max(Verdict::Caveat),
            format!("{}; and {}: {}", w.reason, m.what, m.reason),
        ),
    };
    let first = worst.map(|t| **t).unwrap_or(counted[0]);
    let mut models: Vec<String> = Vec::new();
    let mut evidence: Vec<Evidence> = Vec::new();
    for t in &tests {
        for m in &t.models {
            if !models.contains(m) {
                models.push(m.clone());
            }
        }
        for e in &t.evidence {
            if !evidence.iter().any(|x| x.run == e.run) {
                evidence.push(e.clone());
            }
        }
    }
    ClaimResult {
        id: c.id.clone(),
        section: c.section.clone(),
        claim: c.claim.clone(),
        workload: first.workload.clone(),
        models,
        measured: first.measured,
        unit: first.unit.clone(),
        ci95: first.ci95,
        rule: first.rule.clone(),
        verdict,
        reason,
        evidence,
        tests,
    }
}

/// A value read from runs: its point estimate, CI, and the runs it came from.
struct Reading {
    value: f64,
    ci95: Option<(f64, f64)>,
    runs: Vec<usize>,
    /// The per-sample values the CI of a ratio resamples, when the figure has them.
    samples: Vec<f64>,
}

fn usable(r: &RunResult) -> bool {
    r.status == Status::Valid && !r.samples.is_empty() && !r.baseline
}

/// The per-sample values of a metric for one run.
fn series(metric: Metric, run: &RunResult) -> Vec<f64> {
    let m = |name: &str| view::metric(run, name);
    match metric {
        Metric::Time => view::per_work(run),
        Metric::Rps => m("rps"),
        Metric::P99Us => m("p99_us"),
        Metric::P999Us => m("p999_us"),
        Metric::MaxUs => m("max_us"),
        Metric::MemPerConn => m("conn_bytes"),
        _ => Vec::new(),
    }
}

/// The metric's value for one run, from its samples or from the view's run figures.
fn read(
    metric: Metric,
    per_cpu: bool,
    i: usize,
    file: &ResultsFile,
    a: &Analysis,
) -> Option<Reading> {
    let run = &file.runs[i];
    let fig = &a.runs[i];
    let one = |value: f64, runs: Vec<usize>| Reading {
        value,
        ci95: None,
        runs,
        samples: Vec::new(),
    };
    match metric {
        Metric::MemPerUnit => Some(one(fig.mem_per_unit_bytes?, vec![i, fig.per_unit_base?])),
        Metric::SpawnPerUnit => Some(one(fig.spawn_per_unit_ns?, vec![i, fig.per_unit_base?])),
        Metric::Speedup => {
            let s: Estimate = fig.speedup?;
            let k = if per_cpu { run.cpus as f64 } else { 1.0 };
            Some(Reading {
                value: s.value / k,
                ci95: Some((s.ci95_low / k, s.ci95_high / k)),
                runs: vec![i, fig.speedup_base?],
                samples: Vec::new(),
            })
        }
        Metric::Cv => Some(one(stats::cv(&series(Metric::Time, run)) * 100.0, vec![i])),
        Metric::MaxValid | Metric::Safety => None,
        _ => {
            let xs = series(metric, run);
            let value = stats::median(&xs)?;
            Some(Reading {
                value,
                ci95: stats::bootstrap_median_ci(&xs),
                runs: vec![i],
                samples: xs,
            })
        }
    }
}

/// True when [`read`] would find the metric for run `i`, without computing its CI.
fn has_figure(metric: Metric, i: usize, file: &ResultsFile, a: &Analysis) -> bool {
    let fig = &a.runs[i];
    match metric {
        Metric::MemPerUnit => fig.mem_per_unit_bytes.is_some() && fig.per_unit_base.is_some(),
        Metric::SpawnPerUnit => fig.spawn_per_unit_ns.is_some() && fig.per_unit_base.is_some(),
        Metric::Speedup => fig.speedup.is_some() && fig.speedup_base.is_some(),
        Metric::Cv => !file.runs[i].samples.is_empty(),
        Metric::MaxValid | Metric::Safety => false,
        _ => !series(metric, &file.runs[i]).is_empty(),
    }
}

/// A run's comparison group, as the view makes it (CPUs, placement, the scenario with linear
/// parameters left out and calibrated ones as zero or not), with the parameters by name.
fn scenario_of(w: &Workload, run: &RunResult) -> (usize, bool, BTreeMap<String, u64>) {
    let (cpus, pinned, params) = view::group_key(w, run);
    (cpus, pinned, params.into_iter().collect())
}

/// True when the run matches the test's fixed scenario values (not `max`/`min`) and CPUs.
fn fits(t: &TestSpec, w: &Workload, run: &RunResult) -> bool {
    let cpus_ok = match t.cpus.as_deref() {
        None | Some("max") => true,
        Some(n) => n.parse::<usize>().is_ok_and(|n| n == run.cpus),
    };
    cpus_ok
        && t.scenario.iter().all(|(name, want)| {
            let v = run.params.get(name).copied().unwrap_or(0);
            let calibrated = w.param(name).is_some_and(|p| p.calibrated);
            match want.as_str() {
                "max" | "min" => true,
                ">0" => v > 0,
                "0" => v == 0,
                n => match n.parse::<u64>() {
                    Ok(n) if calibrated => (v > 0) == (n > 0),
                    Ok(n) => v == n,
                    Err(_) => false,
                },
            }
        })
}

/// Picks, among the scenarios every side was measured in, the one the test asks for: most
/// CPUs (unless a count is given), then each `max`/`min` parameter, free runs before pinned.
fn pick_scenario(
    t: &TestSpec,
    keys: Vec<(usize, bool, BTreeMap<String, u64>)>,
) -> Option<(usize, bool, BTreeMap<String, u64>)> {
    keys.into_iter().max_by(|a, b| {
        let mut ord = a.0.cmp(&b.0);
        for (name, want) in &t.scenario {
            if ord != std::cmp::Ordering::Equal {
                break;
            }
            let (x, y) = (a.2.get(name), b.2.get(name));
            ord = match want.as_str() {
                "max" => x.cmp(&y),
                "min" => y.cmp(&x),
                _ => std::cmp::Ordering::Equal,
            };
        }
        ord.then(b.1.cmp(&a.1))
    })
}

/// Decides one test.
pub(crate) fn decide(
    catalogue: &Catalogue,
    t: &TestSpec,
    file: &ResultsFile,
    a: &Analysis,
) -> TestResult {
    let mut out = TestResult {
        what: t.what.clone(),
        workload: t.workload.clone(),
        metric: t.metric,
        models: std::iter::once(t.model.clone())
            .chain(t.against.clone())
            .collect(),
        measured: None,
        unit: t.unit.clone(),
        ci95: None,
        shown: "—".into(),
        rule: t.rule.clone(),
        holds: t.holds,
        caveat: t.caveat,
        verdict: Verdict::NotMeasured,
        reason: String::new(),
        counts: t.counts,
        evidence: Vec::new(),
        safety: None,
        measure: None,
        source: None,
    };
    let Some(w) = catalogue.workload(&t.workload) else {
        out.reason = format!("the catalogue has no workload {}", t.workload);
        return out;
    };
    match t.metric {
        Metric::Safety => return decide_safety(t, file, out),
        Metric::MaxValid => return decide_max_valid(t, w, file, out),
        _ => {}
    }
    let model = ModelSpec::parse(&t.model).expect("validated");
    let against = t
        .against
        .as_deref()
        .map(|s| ModelSpec::parse(s).expect("validated"));
    let min_cpus = t.min_cpus.unwrap_or(1);
    let candidates = |spec: &ModelSpec| -> Vec<usize> {
        (0..file.runs.len())
            .filter(|&i| {
                let r = &file.runs[i];
                r.workload == t.workload
                    && usable(r)
                    && test_cpus(w, file, r) >= min_cpus
                    && spec.admits(w, r)
                    && fits(t, w, r)
                    && has_figure(t.metric, i, file, a)
            })
            .collect()
    };
    let mine = candidates(&model);
    let theirs = against.as_ref().map(candidates);
    let keys_of = |runs: &[usize]| -> Vec<_> {
        runs.iter()
            .map(|&i| scenario_of(w, &file.runs[i]))
            .collect::<Vec<_>>()
    };
    let mut keys = keys_of(&mine);
    if let Some(theirs) = &theirs {
        let other = keys_of(theirs);
        keys.retain(|k| other.contains(k));
    }
    let Some(key) = pick_scenario(t, keys) else {
        out.reason = not_measured_reason(t, w, file, min_cpus);
        out.measure = Some(measure_spec(t, w, &model, against.as_ref(), min_cpus));
        return out;
    };
    let best_of = |runs: &[usize]| -> Option<(usize, Reading)> {
        runs.iter()
            .filter(|&&i| scenario_of(w, &file.runs[i]) == key)
            .filter_map(|&i| Some((i, read(t.metric, t.per_cpu, i, file, a)?)))
            .max_by(|x, y| {
                let o = x.1.value.total_cmp(&y.1.value);
                if t.metric.higher_is_better() {
                    o
                } else {
                    o.reverse()
                }
            })
    };
    let Some((i, mine)) = best_of(&mine) else {
        out.reason = not_measured_reason(t, w, file, min_cpus);
        return out;
    };
    let chosen = |i: usize| file.runs[i].model.clone();
    out.models = vec![chosen(i)];
    let mut raw = String::new();
    let reading = match theirs.as_deref().and_then(best_of) {
        Some((j, theirs)) => {
            out.models.push(chosen(j));
            let base_unit = base_unit(t.metric);
            raw = format!(
                "; {} {}, {} {}",
                chosen(i),
                show(mine.value, None, base_unit),
                chosen(j),
                show(theirs.value, None, base_unit)
            );
            let ci = if mine.samples.is_empty() || theirs.samples.is_empty() {
                None
            } else {
                stats::bootstrap_ratio_ci(&theirs.samples, &mine.samples)
            };
            Reading {
                value: mine.value / theirs.value,
                ci95: ci,
                runs: mine.runs.iter().chain(&theirs.runs).copied().collect(),
                samples: Vec::new(),
            }
        }
        None if t.against.is_some() => {
            out.reason = not_measured_reason(t, w, file, min_cpus);
            return out;
        }
        None => mine,
    };
    let v = reading.value;
    out.measured = Some(v);
    out.ci95 = reading.ci95;
    out.shown = show(v, reading.ci95, &t.unit);
    out.evidence = reading
        .runs
        .iter()
        .map(|&r| view::evidence(file, r))
        .collect();
    out.verdict = verdict_of(t, v);
    let place = place_words(t, &key, &file.runs[i]);
    let subject = if out.models.len() == 2 {
        format!("{} over {}", out.models[0], out.models[1])
    } else {
        out.models[0].clone()
    };
    let straddles = reading
        .ci95
        .is_some_and(|(lo, hi)| verdict_of(t, lo) != verdict_of(t, hi));
    out.reason = format!(
        "{subject}: {} ({place}{raw}), {}{}",
        out.shown,
        range_words(t, v),
        if straddles {
            "; the CI crosses a bound, so more runs (--runs 10) could change the verdict"
        } else {
            ""
        }
    );
    out
}

/// The unit a metric's own values are shown in (before a ratio is taken).
fn base_unit(metric: Metric) -> &'static str {
    match metric {
        Metric::Time | Metric::SpawnPerUnit => "ns",
        Metric::MemPerUnit | Metric::MemPerConn => "bytes",
        Metric::Rps => "req/s",
        Metric::P99Us | Metric::P999Us | Metric::MaxUs => "µs",
        Metric::Speedup => "×",
        Metric::Cv => "%",
        Metric::MaxValid | Metric::Safety => "",
    }
}

fn verdict_of(t: &TestSpec, v: f64) -> Verdict {
    verdict_in(t.holds, t.caveat, v)
}

/// The verdict a value gets from a rule's ranges: holds, else the caveat, else does not hold.
fn verdict_in(holds: Range, caveat: Option<Range>, v: f64) -> Verdict {
    if holds.contains(v) {
        Verdict::Holds
    } else if caveat.is_some_and(|c| c.contains(v)) {
        Verdict::Caveat
    } else {
        Verdict::DoesNotHold
    }
}

impl TestResult {
    /// The verdict this test's rule would give the value `v` (reports draw its ranges).
    pub fn verdict_at(&self, v: f64) -> Verdict {
        verdict_in(self.holds, self.caveat, v)
    }
}

/// Where a value falls, in words: "within the bound ≤ 3,072", "above 200".
fn range_words(t: &TestSpec, v: f64) -> String {
    let r = t.holds;
    let fmt = |x: f64| format::format_number(x);
    match (r.min, r.max) {
        (Some(lo), _) if v < lo => format!("below the {} the rule asks for", fmt(lo)),
        (_, Some(hi)) if v > hi => format!("above the {} the rule allows", fmt(hi)),
        (Some(lo), Some(hi)) => format!("within {}–{}", fmt(lo), fmt(hi)),
        (Some(lo), None) => format!("at least {}", fmt(lo)),
        (None, Some(hi)) => format!("at most {}", fmt(hi)),
        (None, None) => "shown as context".into(),
    }
}

/// The scenario a figure stands on, in words.
fn place_words(
    t: &TestSpec,
    key: &(usize, bool, BTreeMap<String, u64>),
    run: &RunResult,
) -> String {
    let params: Vec<String> = run
        .params
        .iter()
        .filter(|(k, _)| key.2.contains_key(*k) && t.scenario.contains_key(*k))
        .map(|(k, v)| format!("{k}={}", format::format_count(*v)))
        .collect();
    let cpus = format!(
        "{} CPU{}{}",
        key.0,
        if key.0 == 1 { "" } else { "s" },
        if key.1 { " pinned" } else { "" }
    );
    if params.is_empty() {
        cpus
    } else {
        format!("{}, {cpus}", params.join(", "))
    }
}

/// A value with its CI and unit, for people.
fn show(v: f64, ci: Option<(f64, f64)>, unit: &str) -> String {
    // The point value sets the decimals of its CI too: "11.4× [9.4–26.3]".
    let decimals = if v.abs() < 10.0 { 3 } else { 1 };
    let num = |x: f64| match unit {
        "bytes" => format::format_bytes(x),
        "ns" => format::format_ns_fine(x),
        "µs" => format::format_ns_fine(x * 1e3),
        // Three decimals below 10: a ratio of 1.004 must not read as the bound 1.00.
        "×" | "×/CPU" => format!("{x:.decimals$}"),
        "%" => format!("{x:.1}"),
        _ => format::format_number(x),
    };
    let suffix = match unit {
        "bytes" | "ns" | "µs" => String::new(),
        "×" | "×/CPU" | "%" => unit.to_string(),
        u => format!(" {u}"),
    };
    match ci {
        Some((lo, hi)) => format!("{}{suffix} [{}–{}]", num(v), num(lo), num(hi)),
        None => format!("{}{suffix}", num(v)),
    }
}

/// A rule's bound in its unit, as short as it is written: `3 KiB`, `200 ns`, `0.8×`, `5%`.
pub fn show_bound(v: f64, unit: &str) -> String {
    match unit {
        "bytes" => format::format_bytes(v),
        "ns" => format::format_ns_fine(v),
        "µs" => format::format_ns_fine(v * 1e3),
        "×" | "×/CPU" => format!("{}×", format::format_number(v)),
        "%" => format!("{}%", format::format_number(v)),
        _ => format::format_number(v),
    }
}

/// The CPUs a run had for a test's `min_cpus`: a server's own (its load generator is pinned
/// to the others), anything else's all.
fn test_cpus(w: &Workload, file: &ResultsFile, r: &RunResult) -> usize {
    if w.is_server() {
        view::server_cpus(file, r)
    } else {
        r.cpus
    }
}

/// The fewest CPUs a machine needs for a run of `w` to have `min_cpus` of its own.
fn machine_cpus_for(w: &Workload, min_cpus: usize) -> usize {
    if w.is_server() {
        (min_cpus..)
            .find(|&n| crate::machine::server_cpus(n) >= min_cpus)
            .expect("the server's share grows with the machine")
    } else {
        min_cpus
    }
}

fn not_measured_reason(t: &TestSpec, w: &Workload, file: &ResultsFile, min_cpus: usize) -> String {
    let most = file
        .runs
        .iter()
        .filter(|r| !w.is_server() || r.workload == w.name)
        .map(|r| test_cpus(w, file, r))
        .max()
        .unwrap_or(0);
    if most > 0 && most < min_cpus && w.is_server() {
        return format!(
            "needs a server on at least {min_cpus} CPUs; the file's servers had at most {most}, \
             because the load generator is pinned to CPUs of its own: measure on a machine \
             with {} CPUs or more",
            machine_cpus_for(w, min_cpus)
        );
    }
    if most > 0 && most < min_cpus {
        return format!(
            "needs runs on at least {min_cpus} CPUs; the file's runs had at most {most}"
        );
    }
    let any = file.runs.iter().any(|r| r.workload == t.workload);
    if !any {
        return format!("the file has no {} runs", t.workload);
    }
    format!(
        "the file has no valid {} run of {} in the scenario the rule needs",
        t.workload,
        std::iter::once(t.model.as_str())
            .chain(t.against.as_deref())
            .collect::<Vec<_>>()
            .join(" and ")
    )
}

fn measure_spec(
    t: &TestSpec,
    w: &Workload,
    model: &ModelSpec,
    against: Option<&ModelSpec>,
    min_cpus: usize,
) -> MeasureSpec {
    let mut models = Vec::new();
    for spec in std::iter::once(model).chain(against) {
        match spec {
            ModelSpec::Id(id) => models.push(id.to_string()),
            ModelSpec::Best { .. } => {
                models.clear();
                break;
            }
        }
    }
    if !models.is_empty() && t.metric == Metric::Speedup {
        // The speedup is against the language's sequential model: run it too.
        for id in models.clone() {
            if let Some(seq) = w.model(&id).and_then(|m| w.sequential_model(m.lang)) {
                models.push(seq.id.clone());
            }
        }
    }
    let sets = t
        .scenario
        .iter()
        .filter(|(name, _)| !w.param(name).is_some_and(|p| p.calibrated))
        .filter_map(|(name, v)| Some((name.clone(), v.parse::<u64>().ok()?)))
        .collect();
    models.dedup();
    MeasureSpec {
        workload: t.workload.clone(),
        models,
        sets,
        min_cpus: machine_cpus_for(w, min_cpus),
        safety: false,
    }
}

fn decide_safety(t: &TestSpec, file: &ResultsFile, mut out: TestResult) -> TestResult {
    out.unit = String::new();
    let expect = t.expect.expect("validated");
    let Some(check) = file.safety.iter().find(|c| c.model == t.model) else {
        out.reason = format!("the file has no safety check of {}", t.model);
        out.measure = Some(MeasureSpec {
            workload: t.workload.clone(),
            models: Vec::new(),
            sets: Vec::new(),
            min_cpus: 1,
            safety: true,
        });
        return out;
    };
    let word = |o: SafetyOutcome| match o {
        SafetyOutcome::Rejected => "rejected by the compiler",
        SafetyOutcome::Reported => "reported by the race detector",
        SafetyOutcome::Clean => "ran clean, nothing reported",
        SafetyOutcome::Unavailable => "unavailable",
    };
    out.shown = word(check.outcome).into();
    out.safety = Some(SafetyEvidence {
        command: check.command.clone(),
        excerpt: check.excerpt.clone(),
    });
    let first_line = check.excerpt.lines().next().unwrap_or("").trim();
    out.verdict = match check.outcome {
        SafetyOutcome::Unavailable => Verdict::NotMeasured,
        o if o == expect => Verdict::Holds,
        _ => Verdict::DoesNotHold,
    };
    out.reason = match (check.outcome, &check.reason) {
        (SafetyOutcome::Unavailable, Some(why)) => format!("{}: check unavailable: {why}", t.model),
        _ if first_line.is_empty() => format!("{} {} (`{}`)", t.model, out.shown, check.command),
        _ => format!("{} {}: {first_line}", t.model, out.shown),
    };
    out
}

fn decide_max_valid(
    t: &TestSpec,
    w: &Workload,
    file: &ResultsFile,
    mut out: TestResult,
) -> TestResult {
    let param = t.param.as_deref().expect("validated");
    let runs: Vec<usize> = (0..file.runs.len())
        .filter(|&i| {
            let r = &file.runs[i];
            r.workload == t.workload && r.model == t.model && !r.baseline && fits(t, w, r)
        })
        .collect();
    let value = |i: usize| file.runs[i].params.get(param).copied().unwrap_or(0);
    let best = runs
        .iter()
        .copied()
        .filter(|&i| usable(&file.runs[i]))
        .max_by_key(|&i| value(i));
    let Some(i) = best else {
        out.reason = if runs.is_empty() {
            format!("the file has no {} run of {}", t.workload, t.model)
        } else {
            format!("no {} run of {} was valid", t.workload, t.model)
        };
        out.measure = Some(MeasureSpec {
            workload: t.workload.clone(),
            models: vec![t.model.clone()],
            sets: Vec::new(),
            min_cpus: 1,
            safety: false,
        });
        return out;
    };
    let v = value(i) as f64;
    out.measured = Some(v);
    out.shown = format!("{} {}", format::format_count(value(i)), t.unit);
    out.evidence = vec![view::evidence(file, i)];
    out.verdict = verdict_of(t, v);
    // What stopped it going further: a larger run that failed or was refused.
    let beyond = runs
        .iter()
        .filter(|&&j| value(j) > value(i) && !usable(&file.runs[j]))
        .min_by_key(|&&j| value(j))
        .map(|&j| {
            let r = &file.runs[j];
            format!(
                "; at {param}={} the run {}: {}",
                format::format_count(value(j)),
                r.status.label(),
                r.error.as_deref().unwrap_or("no reason recorded")
            )
        })
        .unwrap_or_else(|| format!("; the file has no larger {param} for it"));
    out.reason = format!(
        "{}: valid at {param}={}, {}{beyond}",
        t.model,
        format::format_count(value(i)),
        range_words(t, v)
    );
    out
}

/// Fills the tests `results` could not measure with those `extra` (decided on another file,
/// `source`) did measure, and decides each claim again.
pub fn merge(
    table: &ClaimsTable,
    results: Vec<ClaimResult>,
    extra: &[ClaimResult],
    source: &str,
) -> Vec<ClaimResult> {
    results
        .into_iter()
        .zip(&table.claims)
        .map(|(mut r, spec)| {
            let Some(other) = extra.iter().find(|e| e.id == r.id) else {
                return r;
            };
            for (mine, theirs) in r.tests.iter_mut().zip(&other.tests) {
                if mine.verdict == Verdict::NotMeasured && theirs.verdict != Verdict::NotMeasured {
                    *mine = theirs.clone();
                    mine.source = Some(source.to_string());
                    mine.reason = format!("{} (measured now, quick size: {source})", mine.reason);
                }
            }
            combine(spec, r.tests)
        })
        .collect()
}

/// Every run the not-measured tests of `results` ask for, once.
pub fn missing(results: &[ClaimResult]) -> Vec<MeasureSpec> {
    let mut out: Vec<MeasureSpec> = results
        .iter()
        .flat_map(|c| &c.tests)
        .filter(|t| t.verdict == Verdict::NotMeasured)
        .filter_map(|t| t.measure.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The tally of verdicts, for a summary line.
pub fn tally(results: &[ClaimResult]) -> BTreeMap<Verdict, usize> {
    let mut out = BTreeMap::new();
    for r in results {
        *out.entry(r.verdict).or_insert(0) += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::view::analyse;
    use crate::fixtures;
    use crate::results::SafetyCheck;

    fn decide_all(file: &ResultsFile) -> Vec<ClaimResult> {
        let catalogue = Catalogue::embedded();
        check(
            catalogue,
            ClaimsTable::embedded(),
            file,
            &analyse(catalogue, file),
        )
    }

    fn claim<'a>(results: &'a [ClaimResult], id: &str) -> &'a ClaimResult {
        results.iter().find(|c| c.id == id).expect(id)
    }

    /// py-seq at 2.0 s and py-threads at `threads_ns`, 5 samples each, on 2 CPUs.
    fn gil_file(threads_ns: u64) -> ResultsFile {
        let seq = [
            2_000_000_000,
            2_010_000_000,
            1_990_000_000,
            2_005_000_000,
            1_995_000_000,
        ];
        let threads: Vec<u64> = (0..5).map(|i| threads_ns + i * 1_000_000).collect();
        fixtures::file(vec![
            fixtures::cpu_parallel("py-seq", 3_000_000, &seq),
            fixtures::cpu_parallel("py-threads", 3_000_000, &threads),
        ])
    }

    #[test]
    fn the_gil_claim_holds_for_a_gil_and_flips_for_a_free_threaded_python() {
        let gil = decide_all(&gil_file(2_050_000_000));
        let c = claim(&gil, "gil-cpu-threads");
        assert_eq!(c.verdict, Verdict::Holds, "{}", c.reason);
        let speedup = c.measured.unwrap();
        assert!((speedup - 2.0 / 2.052).abs() < 0.01, "{speedup}");
        assert_eq!(c.evidence.len(), 2, "the threads' run and py-seq's");
        // A free-threaded CPython: the same program, threads twice as fast.
        let free = decide_all(&gil_file(1_020_000_000));
        let c = claim(&free, "gil-cpu-threads");
        assert_eq!(c.verdict, Verdict::DoesNotHold, "{}", c.reason);
        assert!(c.reason.contains("py-threads"), "{}", c.reason);
    }

    /// ping-pong go-channels at `ns` per hand-off (rounds 100,000: 200,000 hand-offs).
    fn handoff_file(ns: u64) -> ResultsFile {
        let total = ns * 200_000;
        fixtures::file(vec![fixtures::run(
            "ping-pong",
            "go-channels",
            &[("rounds", 100_000)],
            &[
                total,
                total + 1_000,
                total - 1_000,
                total + 2_000,
                total - 2_000,
            ],
        )])
    }

    #[test]
    fn moving_the_figure_across_a_bound_moves_the_verdict() {
        let verdict = |ns: u64| {
            let r = decide_all(&handoff_file(ns));
            let t = &claim(&r, "goroutine-switch-100ns").tests[0];
            (t.verdict, t.measured.unwrap())
        };
        // The rule: holds 50–200 ns, caveat 25–400 ns.
        for (ns, want) in [
            (150, Verdict::Holds),
            (199, Verdict::Holds),
            (202, Verdict::Caveat),
            (390, Verdict::Caveat),
            (410, Verdict::DoesNotHold),
            (20, Verdict::DoesNotHold),
        ] {
            let (got, measured) = verdict(ns);
            assert_eq!(got, want, "{ns} ns per hand-off");
            assert!((measured - ns as f64).abs() < 0.1, "{measured} for {ns}");
        }
        // The claim's second test (OS threads) is not in the file: the claim cannot hold
        // outright.
        let r = decide_all(&handoff_file(150));
        let c = claim(&r, "goroutine-switch-100ns");
        assert_eq!(c.verdict, Verdict::Caveat, "{}", c.reason);
        assert!(c.reason.contains("rust-threads"), "{}", c.reason);
    }

    #[test]
    fn a_file_without_the_runs_leaves_every_claim_not_measured_with_what_to_run() {
        let empty = fixtures::file(Vec::new());
        let results = decide_all(&empty);
        assert_eq!(results.len(), ClaimsTable::embedded().claims.len());
        for c in &results {
            assert_eq!(c.verdict, Verdict::NotMeasured, "{}: {}", c.id, c.reason);
            assert!(c.measured.is_none(), "{}", c.id);
            for t in c.tests.iter().filter(|t| t.counts) {
                let m = t
                    .measure
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}: no run to measure it", c.id));
                assert!(
                    m.command().starts_with("concbench run --suite quick"),
                    "{}",
                    m.command()
                );
            }
        }
        let zero_cost = claim(&results, "zero-cost-mutex");
        let cmd = zero_cost.tests[0].measure.as_ref().unwrap().command();
        assert_eq!(
            cmd,
            "concbench run --suite quick --workloads shared-counter --models rust-mutex,rust-seq --set shared-counter.units=1"
        );
        assert!(!missing(&results).is_empty());
    }

    fn safety_check(model: &str, lang: &str, outcome: SafetyOutcome) -> SafetyCheck {
        SafetyCheck {
            model: model.into(),
            lang: lang.into(),
            check: "compile-fail".into(),
            outcome,
            expected: SafetyOutcome::Rejected,
            command: "rustc x.rs".into(),
            excerpt: "error[E0373]: closure may outlive the current function".into(),
            reason: (outcome == SafetyOutcome::Unavailable).then(|| "no rustc".into()),
        }
    }

    #[test]
    fn safety_claims_follow_the_check_in_the_file() {
        let verdict = |outcome| {
            let mut f = fixtures::file(Vec::new());
            f.safety.push(safety_check("rust-racy", "rust", outcome));
            let r = decide_all(&f);
            let c = claim(&r, "rust-races-at-compile-time").clone();
            (c.verdict, c.reason)
        };
        let (v, reason) = verdict(SafetyOutcome::Rejected);
        assert_eq!(v, Verdict::Holds);
        assert!(reason.contains("E0373"), "{reason}");
        assert_eq!(verdict(SafetyOutcome::Clean).0, Verdict::DoesNotHold);
        let (v, reason) = verdict(SafetyOutcome::Unavailable);
        assert_eq!(v, Verdict::NotMeasured);
        assert!(reason.contains("no rustc"), "{reason}");
    }

    #[test]
    fn a_ratio_against_the_best_of_a_language_names_both_runs() {
        // py-processes 1.6 s, py-numpy 0.1 s (the best Python), py-seq 2 s.
        let f = fixtures::file(vec![
            fixtures::cpu_parallel("py-seq", 3_000_000, &[2_000_000_000; 5]),
            fixtures::cpu_parallel("py-processes", 3_000_000, &[1_600_000_000; 5]),
            fixtures::cpu_parallel("py-numpy", 3_000_000, &[100_000_000; 5]),
        ]);
        let r = decide_all(&f);
        let t = &claim(&r, "pipelines-python-multiprocessing").tests[0];
        assert_eq!(t.models, vec!["py-processes", "py-numpy"]);
        assert!((t.measured.unwrap() - 16.0).abs() < 1e-6);
        assert_eq!(t.verdict, Verdict::DoesNotHold);
        assert_eq!(t.evidence.len(), 2);
        assert_eq!(t.evidence[1].model, "py-numpy");
    }

    #[test]
    fn the_claims_file_is_checked_against_the_catalogue() {
        let bad = CLAIMS_TOML.replacen("model = \"go-goroutines\"", "model = \"go-goroutinez\"", 1);
        let err = ClaimsTable::parse(&bad, Catalogue::embedded()).unwrap_err();
        assert!(
            format!("{err:#}").contains("unknown model go-goroutinez"),
            "{err:#}"
        );
        let bad = CLAIMS_TOML.replacen("metric = \"mem_per_unit\"", "metric = \"mem\"", 1);
        assert!(ClaimsTable::parse(&bad, Catalogue::embedded()).is_err());
    }

    #[test]
    fn the_largest_valid_size_is_read_and_the_refused_one_named() {
        let mut refused = fixtures::run_on(
            "spawn-idle",
            "rust-threads",
            &[("units", 100_000)],
            2,
            false,
            &[],
            &[],
        );
        refused.valid = false;
        refused.status = Status::Refused;
        refused.error = Some("refused: 100000 threads exceed the cap of 13105".into());
        let f = fixtures::file(vec![
            fixtures::run_on(
                "spawn-idle",
                "rust-threads",
                &[("units", 0)],
                2,
                false,
                &[50_000; 3],
                &[("rss_kb", 4_000)],
            ),
            fixtures::run_on(
                "spawn-idle",
                "rust-threads",
                &[("units", 10_000)],
                2,
                false,
                &[9_000_000; 3],
                &[("rss_kb", 100_000)],
            ),
            refused,
        ]);
        let r = decide_all(&f);
        let t = &claim(&r, "tens-of-thousands").tests[1];
        assert_eq!(t.measured, Some(10_000.0));
        assert!(t.reason.contains("cap of 13105"), "{}", t.reason);
    }

    #[test]
    fn a_process_pool_behind_a_server_is_judged_on_the_servers_own_cpus() {
        // py-asyncio-processes 1.43× py-asyncio on mixed requests. On 2 CPUs the server had
        // one (the load generator the other), where a pool cannot add a core: not measured.
        let runs = |cpus: usize, server_cpus: Option<i64>| {
            let mut runs = vec![
                // py-asyncio on mixed requests, 1,400 req/s.
                fixtures::mixed_servers(700_000_000, 0).swap_remove(1),
                fixtures::server(
                    "py-asyncio-processes",
                    2_800,
                    100,
                    2_000,
                    60_000,
                    60_000,
                    1_000,
                    1_100_000_000,
                ),
            ];
            for r in &mut runs {
                r.cpus = cpus;
                for s in &mut r.samples {
                    if let Some(n) = server_cpus {
                        s.metrics.insert("server_cpus".into(), n);
                    }
                }
                fixtures::summarise(r);
            }
            fixtures::file(runs)
        };
        let layered = |f: &ResultsFile| {
            claim(&decide_all(f), "layered-asyncio-process-pool").tests[0].clone()
        };
        // A file from before server_cpus was recorded: derived from the placement rule.
        for file in [runs(2, None), runs(2, Some(1))] {
            let t = layered(&file);
            assert_eq!(t.verdict, Verdict::NotMeasured, "{}", t.reason);
            assert!(
                t.reason.contains(
                    "needs a server on at least 2 CPUs; the file's servers had at most 1"
                ),
                "{}",
                t.reason
            );
            let m = t.measure.expect("a command");
            assert_eq!(
                m.needs().as_deref(),
                Some("on a machine with 3 CPUs or more")
            );
        }
        // On 3 CPUs the server had 2: decided.
        for file in [runs(3, None), runs(3, Some(2))] {
            let t = layered(&file);
            assert_eq!(t.verdict, Verdict::Holds, "{}", t.reason);
            assert!((t.measured.unwrap() - 2_000.0 / 1_400.0).abs() < 1e-9);
        }
    }
}
