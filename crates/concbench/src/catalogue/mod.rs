//! The catalogue of workloads, models and suite sizes, read from `suite/`; beside it, the
//! schemas of the other `suite/` files: the comparison table's words ([`models`]), the
//! article's claims ([`claims`]) and the advice presets ([`presets`]); and what to run, as
//! the command line writes it ([`selection`]).
//!
//! `suite/` is the single source of truth for what concbench runs: the harness embeds its
//! files at compile time (so the binary works from anywhere) and validates them once, here,
//! before any work starts.

pub mod claims;
pub mod languages;
pub mod models;
pub mod presets;
pub mod reference;
pub mod selection;
pub mod source;

pub use languages::{Lang, Role};

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// The suite files, embedded when the harness is compiled.
const SUITES_TOML: &str = include_str!("../../../../suite/suites.toml");
const WORKLOAD_TOMLS: &[(&str, &str)] = &[
    (
        "cpu-parallel.toml",
        include_str!("../../../../suite/workloads/cpu-parallel.toml"),
    ),
    (
        "worker-pool.toml",
        include_str!("../../../../suite/workloads/worker-pool.toml"),
    ),
    (
        "shared-counter.toml",
        include_str!("../../../../suite/workloads/shared-counter.toml"),
    ),
    (
        "spawn-idle.toml",
        include_str!("../../../../suite/workloads/spawn-idle.toml"),
    ),
    (
        "ping-pong.toml",
        include_str!("../../../../suite/workloads/ping-pong.toml"),
    ),
    (
        "prime-sieve.toml",
        include_str!("../../../../suite/workloads/prime-sieve.toml"),
    ),
    (
        "io-server.toml",
        include_str!("../../../../suite/workloads/io-server.toml"),
    ),
    (
        "mixed-service.toml",
        include_str!("../../../../suite/workloads/mixed-service.toml"),
    ),
    (
        "safety-kernels.toml",
        include_str!("../../../../suite/workloads/safety-kernels.toml"),
    ),
];

/// What a per-unit cap counts: each unit of the capped parameter is one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    /// One OS thread per unit.
    Thread,
    /// One OS process per unit.
    Process,
}

/// A model whose `param` creates one OS thread or process per unit; the harness caps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cap {
    /// The parameter whose value is the number of units created.
    pub param: String,
    /// What each unit of `param` creates: an OS thread or a process.
    pub per: UnitKind,
}

/// One parameter of a workload, with the range every implementation enforces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    /// The parameter's name, passed to implementations as `--name=value`.
    pub name: String,
    /// The smallest value allowed (inclusive).
    pub min: u64,
    /// The largest value allowed (inclusive).
    pub max: u64,
    /// What the parameter means, for `concbench list`.
    pub about: String,
    /// A load-generator parameter (io-server): the harness uses it and never passes it to
    /// the implementation.
    #[serde(default)]
    pub load: bool,
    /// The work grows in proportion to it: runs that differ only in this parameter (one
    /// language's longer loop) are still compared, per unit of work.
    #[serde(default)]
    pub linear: bool,
    /// Sized per language to the same cost (io-server's `cpu`: about 1 ms of CPU in each):
    /// runs compare within "zero" and within "non-zero", whatever the value.
    #[serde(default)]
    pub calibrated: bool,
    /// The value a claim's `where` (and any reader choosing a scenario) means when it does
    /// not name the parameter: io-server's `rate = 0`, so that throughput is read from
    /// closed-loop runs unless open-loop ones are asked for (`rate = ">0"`).
    #[serde(default)]
    pub where_default: Option<u64>,
}

/// A concurrency model of one workload, with the catalogue fields
/// of docs/DESIGN.md, "Models".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// The model's id, unique within its workload and prefixed by its language (`py-threads`).
    pub id: String,
    /// The language of its implementation.
    pub lang: Lang,
    /// The API or construct the implementation uses.
    pub tool: String,
    /// The concurrency unit: OS thread, process, goroutine, async task, ...
    pub unit: String,
    /// How units exchange data: channel, queue, lock, pipe, ...
    pub communication: String,
    /// Who schedules the units: the OS preemptively, Go's M:N work-stealing, an event loop, ...
    pub scheduling: String,
    /// Memory sharing: shared, copied, owned.
    pub memory: String,
    /// A deliberately unsynchronised variant: a wrong checksum is its finding.
    #[serde(default)]
    pub racy: bool,
    /// For a racy model: why it may lose nothing, shown beside "lost 0" so that it is never
    /// left unexplained.
    #[serde(default)]
    pub when_nothing_is_lost: Option<String>,
    /// The language's sequential baseline, against which speedups are computed.
    #[serde(default)]
    pub sequential: bool,
    /// `role = "baseline"`: a reference point (the C models), not a contender.
    #[serde(default)]
    pub role: Role,
    /// Starts worker processes: the harness also samples the whole process tree's memory.
    #[serde(default)]
    pub processes: bool,
    /// Parameters that create one OS thread or process per unit, capped by the harness.
    #[serde(default)]
    pub caps: Vec<Cap>,
    /// The spawn-idle model that holds this model's unit of concurrency idle (io-server's
    /// go-net-http runs a goroutine per connection: `go-goroutines`). Advice reads a
    /// connection's memory from it when a results file has no io-server run.
    #[serde(default)]
    pub idle_unit: Option<String>,
    /// Sizes the model is not run at, each with the measurement that says why (py-threads
    /// with CPU work per request at 1,000 connections): the run is refused with that reason.
    #[serde(default)]
    pub limits: Vec<ModelLimit>,
    /// The fewest CPUs of its own a run of this model needs to measure what it is for (a
    /// server of one worker process per CPU: 2); a server's own are those the load generator
    /// leaves it. With fewer, the run is refused, naming the machine size it needs.
    #[serde(default)]
    pub needs_cpus: Option<usize>,
}

/// A size a model is not run at in some scenario, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelLimit {
    /// The parameter limited.
    pub param: String,
    /// The largest value run.
    pub max: u64,
    /// The scenario the limit holds in: parameter → `0`, `>0` or a value (every one must
    /// match); empty: always.
    #[serde(default, rename = "where")]
    pub scenario: BTreeMap<String, String>,
    /// Why, in one sentence with the measurement behind it.
    pub why: String,
}

impl ModelLimit {
    /// The refusal of a run with `params`, or `None` when the limit does not apply.
    pub fn refuses(&self, params: &BTreeMap<String, u64>) -> Option<String> {
        let value = *params.get(&self.param)?;
        let applies = self.scenario.iter().all(|(name, want)| {
            let v = params.get(name).copied().unwrap_or(0);
            match want.as_str() {
                ">0" => v > 0,
                n => n.parse::<u64>().is_ok_and(|n| n == v),
            }
        });
        (applies && value > self.max).then(|| {
            format!(
                "refused: {}={value} is above this model's limit of {} here: {}",
                self.param, self.max, self.why
            )
        })
    }
}

/// A parameter value in a suite: an integer, the run's CPU count, or (io-server's `rate`)
/// a rate set at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A fixed value.
    Int(u64),
    /// The string `"cpus"`.
    Word(CpusWord),
}

/// The one word a suite may use instead of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CpusWord {
    /// `cpus`: the run's CPU count.
    Cpus,
    /// `auto` (io-server's `rate` only): an open loop offered half the req/s of the slowest
    /// contender's closed-loop run measured earlier in the same block in the same scenario;
    /// set when the run starts (see `run/offered.rs`).
    Auto,
}

impl ParamValue {
    /// The value for a run on `cpus` CPUs.
    pub fn resolve(self, cpus: usize) -> u64 {
        match self {
            ParamValue::Int(v) => v,
            ParamValue::Word(CpusWord::Cpus) => cpus as u64,
            // Set at run time; the plan carries 0 and marks the run (`RunSpec::auto_rate`).
            ParamValue::Word(CpusWord::Auto) => 0,
        }
    }
}

/// One value, or a sweep of several (one run per value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamSetting {
    /// One value: one run.
    One(ParamValue),
    /// Several values: one run per value.
    Sweep(Vec<ParamValue>),
}

impl ParamSetting {
    /// The values this setting stands for.
    pub fn values(&self) -> Vec<ParamValue> {
        match self {
            ParamSetting::One(v) => vec![*v],
            ParamSetting::Sweep(vs) => vs.clone(),
        }
    }
}

/// Where a suite runs a workload: pinned to N CPUs, free on all, or pinned to each count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Placement {
    /// Pinned to the first N CPUs (skipped on a machine with fewer).
    Pinned(usize),
    /// `all` or `each`.
    Word(PlacementWord),
}

/// The words a placement may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlacementWord {
    /// Unpinned, on every CPU the harness may use.
    All,
    /// Pinned to 1, 2, ... N CPUs in turn: a scaling sweep.
    Each,
}

impl Placement {
    /// The pinnings this placement stands for on a machine with `allowed` CPUs:
    /// `None` is unpinned.
    pub fn expand(self, allowed: usize) -> Vec<Option<usize>> {
        match self {
            Placement::Pinned(n) if n >= 1 && n <= allowed => vec![Some(n)],
            Placement::Pinned(_) => vec![],
            Placement::Word(PlacementWord::All) => vec![None],
            Placement::Word(PlacementWord::Each) => (1..=allowed).map(Some).collect(),
        }
    }
}

/// A parameter's lower bound in proportion to another parameter of the same run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Floor {
    /// The parameter the bound follows.
    pub per: String,
    /// The bound is `times` × that parameter's value.
    pub times: u64,
}

/// One more scenario of a suite entry: settings over the entry's (and its languages' and
/// models'), with sizes of its own per language and per model, applied last. io-server's
/// mixed scenario at one connection count gives each language its own first `cpu` guess.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Scenario {
    /// Sizes given to one language's models in this scenario.
    #[serde(default)]
    pub langs: BTreeMap<Lang, BTreeMap<String, ParamSetting>>,
    /// Sizes given to one model only in this scenario.
    #[serde(default)]
    pub models: BTreeMap<String, BTreeMap<String, ParamSetting>>,
    /// Sizes for every model (the scenario's other keys).
    #[serde(flatten)]
    pub params: BTreeMap<String, ParamSetting>,
}

/// A workload's sizes in one suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteEntry {
    /// Sizes given to one language's models, overriding `params`.
    #[serde(default)]
    pub langs: BTreeMap<Lang, BTreeMap<String, ParamSetting>>,
    /// Sizes given to one model only, overriding `params` and `langs`.
    #[serde(default)]
    pub models: BTreeMap<String, BTreeMap<String, ParamSetting>>,
    /// CPU placements to repeat every run in (default: unpinned on all CPUs); `--cpus`
    /// overrides it.
    #[serde(default)]
    pub pin_cpus: Vec<Placement>,
    /// Counted runs for this workload in this suite, instead of the suite's.
    #[serde(default)]
    pub runs: Option<u32>,
    /// Warm-up runs for this workload in this suite, instead of the suite's.
    #[serde(default)]
    pub warmup: Option<u32>,
    /// Lower bounds that follow another parameter of the same run, parameter name → floor:
    /// io-server's `requests = { per = "connections", times = 4 }` sends at least 4 requests
    /// on every connection. `--set` of the parameter itself replaces its floor.
    #[serde(default)]
    pub floors: BTreeMap<String, Floor>,
    /// More scenarios, each a set of settings that override the entry's (and its languages'
    /// and models') for runs of their own: io-server's open loop at one connection count,
    /// `[[suites.standard.extra]] rate = "auto"; connections = 100`.
    #[serde(default)]
    pub extra: Vec<Scenario>,
    /// Sizes for every model, parameter name → setting (the entry's other keys).
    #[serde(flatten)]
    pub params: BTreeMap<String, ParamSetting>,
}

/// A workload: what each unit does, its parameters, its models and its sizes per suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// The workload's name, e.g. `cpu-parallel`, as the command line takes it.
    pub name: String,
    /// A one-line description, shown above its table.
    pub title: String,
    /// The claim or sample of the article the workload answers.
    pub from: String,
    /// What one op is (task, job, increment, ...): ns/op is per one of these.
    pub op: String,
    /// What one unit of work is, where it is not one op (cpu-parallel: a loop iteration):
    /// models are ranked by time per unit of work.
    #[serde(default)]
    pub work_unit: Option<String>,
    /// Default time limit of one run, in seconds.
    pub timeout_s: u64,
    /// Parameters of a baseline run the harness adds per model (spawn-idle's `units = 0`).
    #[serde(default)]
    pub baseline: BTreeMap<String, u64>,
    /// Its parameters, in the order messages list them.
    pub params: Vec<ParamSpec>,
    /// Its concurrency models, in the order tables show them.
    pub models: Vec<Model>,
    /// Its sizes per suite, by suite name; a workload without an entry is not in that suite.
    #[serde(default)]
    pub suites: BTreeMap<String, SuiteEntry>,
}

impl Workload {
    /// True for a server workload (io-server): one with load parameters, driven by the
    /// harness's load generator.
    pub fn is_server(&self) -> bool {
        self.params.iter().any(|p| p.load)
    }

    /// The model with this id, if the workload has it.
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The parameter with this name, if the workload has it.
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The unit models are ranked per: `work_unit`, or one op.
    pub fn work_unit(&self) -> &str {
        self.work_unit.as_deref().unwrap_or(&self.op)
    }

    /// The sequential model of a language, the baseline for speedups.
    pub fn sequential_model(&self, lang: Lang) -> Option<&Model> {
        self.models.iter().find(|m| m.lang == lang && m.sequential)
    }
}

/// A suite: a named set of sizes with its default repetitions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteInfo {
    /// What the suite is for, for `concbench list`.
    pub about: String,
    /// Counted runs per model, unless the workload or `--runs` says otherwise.
    pub runs: u32,
    /// Warm-up runs per language in each workload, not counted, unless the workload or
    /// `--warmup` says otherwise.
    pub warmup: u32,
    /// The time budget of a run of this suite, in humantime's words (`12m`, `90s`, `0s`),
    /// unless `--budget` says otherwise: the planned samples all run, and extra samples, where
    /// a verdict or a first tier needs them, fill what they leave. Absent: no extra samples.
    #[serde(default)]
    pub budget: Option<String>,
    /// At most this many counted runs for the models of a language (`runs_by_lang = { java =
    /// 3 }`), below the workload's or the suite's; `--runs` overrides it.
    #[serde(default)]
    pub runs_by_lang: BTreeMap<Lang, u32>,
}

impl SuiteInfo {
    /// The suite's budget ([`SuiteInfo::budget`]); zero when it has none.
    pub fn budget(&self) -> Duration {
        self.budget
            .as_deref()
            .and_then(|b| parse_budget(b).ok())
            .unwrap_or_default()
    }

    /// The counted runs of a model of `lang`, given the workload's own (`entry_runs`).
    pub fn runs_for(&self, lang: Lang, entry_runs: Option<u32>) -> u32 {
        let runs = entry_runs.unwrap_or(self.runs);
        self.runs_by_lang.get(&lang).map_or(runs, |&r| runs.min(r))
    }
}

/// A time budget in humantime's words (`12m`, `90s`, `1h`; `0` for none), at most a day.
pub fn parse_budget(text: &str) -> std::result::Result<Duration, String> {
    if text.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    let d = humantime::parse_duration(text.trim()).map_err(|e| {
        format!("{e}; give a duration such as 12m or 90s, or 0 for no extra samples")
    })?;
    if d > Duration::from_secs(86_400) {
        return Err("at most 24h".into());
    }
    Ok(d)
}

/// Everything in `suite/`, validated.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// The suites of `suite/suites.toml`, by name.
    pub suites: BTreeMap<String, SuiteInfo>,
    /// The workloads of `suite/workloads/`, in catalogue order.
    pub workloads: Vec<Workload>,
}

impl Catalogue {
    /// The catalogue in use: the one compiled into this binary, or the suite folder that
    /// `CONCBENCH_SUITE` names ([`source`]). The command line checks it first
    /// ([`Catalogue::in_use`]), so that a bad suite is one clear error, not a panic.
    pub fn embedded() -> &'static Catalogue {
        Catalogue::in_use().expect("the suite/ files in use are valid (checked at start)")
    }

    /// The catalogue in use, or why its files are not valid.
    pub fn in_use() -> Result<&'static Catalogue> {
        static CATALOGUE: std::sync::OnceLock<std::result::Result<Catalogue, String>> =
            std::sync::OnceLock::new();
        CATALOGUE
            .get_or_init(|| {
                let load = || -> Result<Catalogue> {
                    languages::table()?;
                    let suites = source::text("suites.toml", SUITES_TOML)?;
                    let workloads = source::workloads(WORKLOAD_TOMLS)?;
                    let files: Vec<(&str, &str)> = workloads
                        .iter()
                        .map(|(n, t)| (n.as_str(), t.as_str()))
                        .collect();
                    Catalogue::parse(&suites, &files)
                };
                load().map_err(|e| format!("{e:#}"))
            })
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Parses and validates suite files given as (file name, text).
    pub fn parse(suites_toml: &str, workload_tomls: &[(&str, &str)]) -> Result<Catalogue> {
        let suites: BTreeMap<String, SuiteInfo> =
            toml::from_str(suites_toml).context("suite/suites.toml")?;
        for (name, suite) in &suites {
            if let Some(b) = &suite.budget {
                parse_budget(b).map_err(|e| {
                    anyhow::anyhow!("suite/suites.toml: [{name}] budget {b:?}: {e}")
                })?;
            }
        }
        let mut workloads = Vec::new();
        for (file, text) in workload_tomls {
            let workload: Workload =
                toml::from_str(text).with_context(|| format!("suite/workloads/{file}"))?;
            validate_workload(&workload, &suites)
                .with_context(|| format!("suite/workloads/{file}"))?;
            workloads.push(workload);
        }
        validate_idle_units(&workloads)?;
        Ok(Catalogue { suites, workloads })
    }

    /// The workload with this name, if there is one.
    pub fn workload(&self, name: &str) -> Option<&Workload> {
        self.workloads.iter().find(|w| w.name == name)
    }

    /// Workload names, for messages.
    pub fn workload_names(&self) -> Vec<&str> {
        self.workloads.iter().map(|w| w.name.as_str()).collect()
    }
}

/// Every `idle_unit` names a spawn-idle model of the same language.
fn validate_idle_units(workloads: &[Workload]) -> Result<()> {
    let spawn = workloads.iter().find(|w| w.name == "spawn-idle");
    for w in workloads {
        for m in &w.models {
            let Some(unit) = &m.idle_unit else { continue };
            let Some(idle) = spawn.and_then(|s| s.model(unit)) else {
                bail!(
                    "suite/workloads/{}.toml: model {}: idle_unit {unit} is no spawn-idle model",
                    w.name,
                    m.id
                );
            };
            if idle.lang != m.lang {
                bail!(
                    "suite/workloads/{}.toml: model {}: idle_unit {unit} is of another language",
                    w.name,
                    m.id
                );
            }
        }
    }
    Ok(())
}

fn validate_workload(w: &Workload, suites: &BTreeMap<String, SuiteInfo>) -> Result<()> {
    for p in &w.params {
        if p.min > p.max {
            bail!("parameter {}: min {} > max {}", p.name, p.min, p.max);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for m in &w.models {
        if !seen.insert(&m.id) {
            bail!("model {} is listed twice", m.id);
        }
        let prefix = m.lang.model_prefix();
        if !m.id.starts_with(prefix) {
            bail!(
                "model {} of language {} must start with {prefix}",
                m.id,
                m.lang
            );
        }
        if m.role != m.lang.info().role {
            bail!(
                "model {}: its role must be its language's ({:?} in suite/languages.toml)",
                m.id,
                m.lang.info().role
            );
        }
        for cap in &m.caps {
            if w.param(&cap.param).is_none() {
                bail!("model {}: cap on unknown parameter {}", m.id, cap.param);
            }
        }
        for limit in &m.limits {
            for name in std::iter::once(&limit.param).chain(limit.scenario.keys()) {
                if w.param(name).is_none() {
                    bail!("model {}: limit on unknown parameter {name}", m.id);
                }
            }
        }
    }
    for (name, value) in &w.baseline {
        check_value(w, name, ParamValue::Int(*value)).context("baseline")?;
    }
    for (suite, entry) in &w.suites {
        if !suites.contains_key(suite) {
            bail!("suite {suite} is not defined in suite/suites.toml");
        }
        for p in &w.params {
            if !entry.params.contains_key(&p.name) {
                bail!("suite {suite} does not give parameter {}", p.name);
            }
        }
        for (name, floor) in &entry.floors {
            for p in [name, &floor.per] {
                if w.param(p).is_none() {
                    bail!("suite {suite}: floor of {name}: unknown parameter {p}");
                }
            }
        }
        let lang_overrides = entry
            .langs
            .values()
            .flat_map(|params| params.iter().map(|(name, value)| (None, name, value)));
        let overrides = entry.models.iter().flat_map(|(model, params)| {
            params
                .iter()
                .map(move |(name, value)| (Some(model), name, value))
        });
        let extras = entry.extra.iter().flat_map(|scenario| {
            let langs = scenario
                .langs
                .values()
                .flat_map(|p| p.iter().map(|(n, v)| (None, n, v)));
            let models = scenario
                .models
                .iter()
                .flat_map(|(model, params)| params.iter().map(move |(n, v)| (Some(model), n, v)));
            scenario
                .params
                .iter()
                .map(|(n, v)| (None, n, v))
                .chain(langs)
                .chain(models)
        });
        for (model, name, setting) in entry
            .params
            .iter()
            .map(|(n, v)| (None, n, v))
            .chain(lang_overrides)
            .chain(overrides)
            .chain(extras)
        {
            if let Some(model) = model {
                if w.model(model).is_none() {
                    bail!("suite {suite} sizes unknown model {model}");
                }
            }
            for value in setting.values() {
                check_value(w, name, value).with_context(|| format!("suite {suite}"))?;
            }
        }
    }
    Ok(())
}

fn check_value(w: &Workload, name: &str, value: ParamValue) -> Result<()> {
    let Some(spec) = w.param(name) else {
        bail!("unknown parameter {name}");
    };
    if let ParamValue::Int(v) = value {
        if v < spec.min || v > spec.max {
            bail!("{name} = {v} is out of range ({}..={})", spec.min, spec.max);
        }
    }
    if value == ParamValue::Word(CpusWord::Auto) && !(w.is_server() && name == "rate") {
        bail!("{name} = \"auto\": only a server's rate is set at run time");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_suite_files_are_valid() {
        let c = Catalogue::parse(SUITES_TOML, WORKLOAD_TOMLS).unwrap();
        assert_eq!(c.workloads.len(), WORKLOAD_TOMLS.len());
        for suite in ["seed", "quick", "standard", "full"] {
            assert!(c.suites.contains_key(suite), "{suite}");
        }
    }

    #[test]
    fn an_idle_unit_must_name_a_spawn_idle_model_of_the_same_language() {
        let with = |unit: &str| {
            let tomls: Vec<(&str, String)> = WORKLOAD_TOMLS
                .iter()
                .map(|(f, t)| {
                    let t = if *f == "io-server.toml" {
                        t.replace("idle_unit = \"go-goroutines\"", unit)
                    } else {
                        t.to_string()
                    };
                    (*f, t)
                })
                .collect();
            let tomls: Vec<(&str, &str)> = tomls.iter().map(|(f, t)| (*f, t.as_str())).collect();
            Catalogue::parse(SUITES_TOML, &tomls).map_err(|e| format!("{e:#}"))
        };
        assert!(with("idle_unit = \"go-goroutines\"").is_ok());
        let err = with("idle_unit = \"go-fibres\"").unwrap_err();
        assert!(
            err.contains("go-net-http: idle_unit go-fibres is no spawn-idle model"),
            "{err}"
        );
        let err = with("idle_unit = \"rust-tokio\"").unwrap_err();
        assert!(
            err.contains("idle_unit rust-tokio is of another language"),
            "{err}"
        );
    }

    #[test]
    fn every_workload_is_in_quick_and_standard() {
        for w in &Catalogue::embedded().workloads {
            assert!(w.suites.contains_key("quick"), "{}", w.name);
            assert!(w.suites.contains_key("standard"), "{}", w.name);
        }
    }

    #[test]
    fn seed_holds_the_articles_three_programs() {
        let c = Catalogue::embedded();
        let seed: Vec<&str> = c
            .workloads
            .iter()
            .filter(|w| w.suites.contains_key("seed"))
            .map(|w| w.name.as_str())
            .collect();
        assert_eq!(seed, ["cpu-parallel", "worker-pool", "shared-counter"]);
        let pool = &c.workload("worker-pool").unwrap().suites["seed"].params;
        assert_eq!(pool["jobs"], ParamSetting::One(ParamValue::Int(9)));
        assert_eq!(pool["workers"], ParamSetting::One(ParamValue::Int(3)));
    }

    fn workload_with(extra: &str) -> String {
        format!(
            "name = \"w\"\ntitle = \"t\"\nfrom = \"f\"\nop = \"op\"\ntimeout_s = 1\n\
             [[params]]\nname = \"n\"\nmin = 1\nmax = 10\nabout = \"a\"\n\
             [[models]]\nid = \"go-x\"\nlang = \"go\"\ntool = \"t\"\nunit = \"u\"\n\
             communication = \"c\"\nscheduling = \"s\"\nmemory = \"m\"\n{extra}"
        )
    }

    #[test]
    fn a_suite_value_out_of_range_is_refused() {
        let text = workload_with("[suites.quick]\nn = 11\n");
        let err = Catalogue::parse(SUITES_TOML, &[("w.toml", &text)]).unwrap_err();
        assert!(format!("{err:#}").contains("out of range"), "{err:#}");
    }

    #[test]
    fn a_suite_missing_a_parameter_is_refused() {
        let text = workload_with("[suites.quick]\n");
        let err = Catalogue::parse(SUITES_TOML, &[("w.toml", &text)]).unwrap_err();
        assert!(format!("{err:#}").contains("does not give parameter n"));
    }

    #[test]
    fn a_model_override_for_an_unknown_model_is_refused() {
        let text = workload_with("[suites.quick]\nn = 2\n[suites.quick.models.go-y]\nn = 3\n");
        let err = Catalogue::parse(SUITES_TOML, &[("w.toml", &text)]).unwrap_err();
        assert!(format!("{err:#}").contains("unknown model go-y"));
    }

    #[test]
    fn a_floor_on_an_unknown_parameter_is_refused() {
        let text = workload_with(
            "[suites.quick]\nn = 2\n[suites.quick.floors]\nn = { per = \"m\", times = 4 }\n",
        );
        let err = Catalogue::parse(SUITES_TOML, &[("w.toml", &text)]).unwrap_err();
        assert!(
            format!("{err:#}").contains("floor of n: unknown parameter m"),
            "{err:#}"
        );
        let text = workload_with(
            "[suites.quick]\nn = 2\n[suites.quick.floors]\nn = { per = \"n\", time = 4 }\n",
        );
        assert!(Catalogue::parse(SUITES_TOML, &[("w.toml", &text)]).is_err());
    }

    #[test]
    fn a_model_is_a_contender_unless_its_role_says_baseline() {
        let c = Catalogue::parse(SUITES_TOML, &[("w.toml", &workload_with(""))]).unwrap();
        assert_eq!(c.workloads[0].models[0].role, Role::Contender);
        // A model's role is its language's (suite/languages.toml): C's models are baselines.
        let text = workload_with("role = \"baseline\"\n");
        let err = Catalogue::parse(SUITES_TOML, &[("w.toml", &text)]).unwrap_err();
        assert!(
            format!("{err:#}").contains("must be its language's"),
            "{err:#}"
        );
        let text = workload_with("role = \"baseline\"\n")
            .replace("\"go-x\"", "\"c-x\"")
            .replace("lang = \"go\"", "lang = \"c\"");
        let c = Catalogue::parse(SUITES_TOML, &[("w.toml", &text)]).unwrap();
        assert_eq!(c.workloads[0].models[0].role, Role::Baseline);
        let text = workload_with("role = \"referee\"\n");
        assert!(Catalogue::parse(SUITES_TOML, &[("w.toml", &text)]).is_err());
    }

    #[test]
    fn the_c_models_are_the_baselines_and_the_only_ones() {
        for w in &Catalogue::embedded().workloads {
            for m in &w.models {
                assert_eq!(m.lang.info().role, m.role, "{}", m.id);
                // The languages compared are those whose models are contenders.
                assert_eq!(
                    Lang::compared().contains(&m.lang),
                    m.role == Role::Contender,
                    "{}",
                    m.id
                );
            }
        }
    }

    #[test]
    fn a_language_is_written_by_its_name_and_read_back_from_it() {
        for &l in Lang::all() {
            assert_eq!(
                serde_json::to_string(&l).unwrap(),
                format!("\"{}\"", l.name())
            );
            assert_eq!(
                serde_json::from_str::<Lang>(&format!("\"{l}\"")).unwrap(),
                l
            );
            assert_eq!(Lang::from_name(l.name()), Some(l));
            assert!(l.title().to_lowercase().starts_with(l.name()));
        }
        assert_eq!(Lang::from_name("cobol"), None);
        assert_eq!(
            Lang::names(Lang::compared()),
            "go, python, rust, java, node"
        );
    }

    #[test]
    fn cpus_word_and_sweeps_parse() {
        let text = workload_with("[suites.quick]\nn = [\"cpus\", 4]\n");
        let c = Catalogue::parse(SUITES_TOML, &[("w.toml", &text)]).unwrap();
        let values = c.workloads[0].suites["quick"].params["n"].values();
        assert_eq!(values[0].resolve(7), 7);
        assert_eq!(values[1].resolve(7), 4);
    }

    #[test]
    fn a_model_limit_refuses_only_in_its_scenario_and_says_why() {
        let w = Catalogue::embedded().workload("io-server").unwrap();
        let threads = w.model("py-threads").unwrap();
        let params = |cpu: u64, connections: u64| -> BTreeMap<String, u64> {
            [("cpu", cpu), ("connections", connections)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        };
        let refused = |p| threads.limits.iter().find_map(|l| l.refuses(&p));
        let why = refused(params(2_800, 1_000)).expect("refused");
        assert!(
            why.starts_with("refused: connections=1000 is above"),
            "{why}"
        );
        assert!(why.contains("GIL"), "{why}");
        assert_eq!(refused(params(0, 1_000)), None, "pure I/O runs");
        assert_eq!(refused(params(2_800, 100)), None);
    }

    #[test]
    fn auto_is_only_a_servers_rate() {
        let w = Catalogue::embedded().workload("io-server").unwrap();
        assert!(check_value(w, "rate", ParamValue::Word(CpusWord::Auto)).is_ok());
        let err = check_value(w, "connections", ParamValue::Word(CpusWord::Auto)).unwrap_err();
        assert!(err.to_string().contains("only a server's rate"), "{err}");
    }
}
