//! Turning the command line's choices into the list of runs to make.
//!
//! Raw options are validated here, against the catalogue, before any work starts: an unknown
//! workload, model or parameter, a `--set` out of range, or a CPU count the machine does not
//! have is bad usage.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Result;

pub use crate::catalogue::selection::{Selection, SetOverride};
use crate::catalogue::{Catalogue, Lang, Model, ParamValue, Workload};
use crate::UsageError;

/// One run to make: a workload, a model, every parameter, and a CPU count.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// The workload's name.
    pub workload: String,
    /// The model's id.
    pub model: String,
    /// The model's language, which picks the program that runs it.
    pub lang: Lang,
    /// Every parameter of the workload, name → value, load parameters included.
    pub params: BTreeMap<String, u64>,
    /// CPUs the run may use: N when pinned, else every CPU the harness may use.
    pub cpus: usize,
    /// Whether the run is pinned (`sched_setaffinity`) to the first `cpus` CPUs.
    pub pinned: bool,
    /// A baseline run the harness added (spawn-idle's `units = 0`), not one that was asked for.
    pub baseline: bool,
    /// Time limit of each sample; past it the sample's process group is killed.
    pub timeout: Duration,
    /// Counted samples to take.
    pub runs: u32,
    /// Warm-up samples to take first, not counted.
    pub warmup: u32,
    /// The suite gave `rate = "auto"`: `params["rate"]` is 0 until the block's closed-loop
    /// runs have measured the scenario, and is then set to the offered rate
    /// (`run/offered.rs`).
    pub auto_rate: bool,
}

impl RunSpec {
    /// The workload and model this run was planned from.
    pub fn catalogued<'c>(&self, catalogue: &'c Catalogue) -> (&'c Workload, &'c Model) {
        let w = catalogue
            .workload(&self.workload)
            .expect("planned from the catalogue");
        (w, w.model(&self.model).expect("planned from the catalogue"))
    }

    /// `name=value` pairs in the workload's parameter order, for messages.
    pub fn params_text(&self, workload: &Workload) -> String {
        workload
            .params
            .iter()
            .map(|p| format!("{}={}", p.name, self.params[&p.name]))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn usage(msg: String) -> anyhow::Error {
    UsageError(msg).into()
}

/// Builds the runs for `sel`, in catalogue order. `allowed_cpus` is how many CPUs the
/// harness may use.
pub fn build(catalogue: &Catalogue, sel: &Selection, allowed_cpus: usize) -> Result<Vec<RunSpec>> {
    if !catalogue.suites.contains_key(&sel.suite) {
        return Err(usage(format!(
            "unknown suite {:?}; the suites are: {}",
            sel.suite,
            catalogue
                .suites
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let workloads = select_workloads(catalogue, sel)?;
    let models = select_models(catalogue, &workloads, sel)?;
    validate_sets(catalogue, sel)?;
    let cli_cpus: Option<Vec<Option<usize>>> = match &sel.cpus {
        None => None,
        Some(list) => {
            if list.is_empty() {
                return Err(usage("--cpus needs at least one CPU count".into()));
            }
            for &n in list {
                if n == 0 || n > allowed_cpus {
                    return Err(usage(format!(
                        "--cpus {n}: this machine lets concbench use 1 to {allowed_cpus} CPUs"
                    )));
                }
            }
            Some(list.iter().copied().map(Some).collect())
        }
    };

    let mut plan = Vec::new();
    for w in &workloads {
        let entry = &w.suites[&sel.suite];
        let suite = &catalogue.suites[&sel.suite];
        let warmup = sel.warmup.or(entry.warmup).unwrap_or(suite.warmup);
        let cpu_counts = match &cli_cpus {
            Some(list) => list.clone(),
            None if entry.pin_cpus.is_empty() => vec![None],
            None => {
                let mut all: Vec<Option<usize>> = entry
                    .pin_cpus
                    .iter()
                    .flat_map(|p| p.expand(allowed_cpus))
                    .collect();
                all.dedup();
                all
            }
        };
        for model in w.models.iter().filter(|m| models.contains(&m.id)) {
            let runs = sel
                .runs
                .unwrap_or_else(|| suite.runs_for(model.lang, entry.runs));
            let repetitions = (warmup, runs);
            for settings in scenarios(entry, model) {
                let auto_rate = settings.get("rate").is_some_and(|r| {
                    r.values()
                        .contains(&ParamValue::Word(crate::catalogue::CpusWord::Auto))
                });
                let explicit: BTreeMap<&str, u64> = sel
                    .sets
                    .iter()
                    .filter(|s| s.workload == w.name)
                    .map(|s| (s.param.as_str(), s.value))
                    .collect();
                for pin in &cpu_counts {
                    let cpus = pin.unwrap_or(allowed_cpus);
                    for params in expand(w, &settings, &entry.floors, &explicit, *pin, cpus) {
                        let mut specs = vec![(params.clone(), false)];
                        if !w.baseline.is_empty() {
                            let mut base = params;
                            base.extend(w.baseline.clone());
                            specs.insert(0, (base, true));
                        }
                        for (params, baseline) in specs {
                            let mut spec = spec(
                                w,
                                model,
                                params,
                                cpus,
                                pin.is_some(),
                                baseline,
                                sel,
                                repetitions,
                            );
                            // A rate given with --set stands as given.
                            spec.auto_rate = auto_rate
                                && spec.params.get("rate") == Some(&0)
                                && !explicit.contains_key("rate");
                            push_unique(&mut plan, spec);
                        }
                    }
                }
            }
        }
    }
    // Warm-ups are a language's, not each run's: every sample is a fresh process, and each
    // language's models are one executable (the Rust, Go and C binaries, the Python
    // interpreter with its package, one jar on the JVM, node with main.js), so what a warm-up
    // warms is that executable's first launch in the block (it, its libraries and the
    // workload's code in the page cache, a JIT's class data), once.
    let mut warmed = std::collections::BTreeSet::new();
    for spec in &mut plan {
        if !warmed.insert((spec.workload.clone(), spec.lang)) {
            spec.warmup = 0;
        }
    }
    Ok(plan)
}

/// A model's sizes in a suite: the workload's, then its language's, then its own.
pub fn model_settings(
    entry: &crate::catalogue::SuiteEntry,
    model: &Model,
) -> BTreeMap<String, crate::catalogue::ParamSetting> {
    let mut settings = entry.params.clone();
    if let Some(lang) = entry.langs.get(&model.lang) {
        settings.extend(lang.clone());
    }
    if let Some(own) = entry.models.get(&model.id) {
        settings.extend(own.clone());
    }
    settings
}

/// A model's settings in each scenario of a suite entry: the entry's own, then each extra
/// one over it (its sizes for every model, then its language's, then the model's own).
pub fn scenarios(
    entry: &crate::catalogue::SuiteEntry,
    model: &Model,
) -> Vec<BTreeMap<String, crate::catalogue::ParamSetting>> {
    let base = model_settings(entry, model);
    let extras = entry.extra.iter().map(|extra| {
        let mut s = base.clone();
        s.extend(extra.params.clone());
        if let Some(lang) = extra.langs.get(&model.lang) {
            s.extend(lang.clone());
        }
        if let Some(own) = extra.models.get(&model.id) {
            s.extend(own.clone());
        }
        s
    });
    std::iter::once(base.clone()).chain(extras).collect()
}

#[allow(clippy::too_many_arguments)]
fn spec(
    w: &Workload,
    model: &Model,
    params: BTreeMap<String, u64>,
    cpus: usize,
    pinned: bool,
    baseline: bool,
    sel: &Selection,
    repetitions: (u32, u32),
) -> RunSpec {
    RunSpec {
        workload: w.name.clone(),
        model: model.id.clone(),
        lang: model.lang,
        params,
        cpus,
        pinned,
        baseline,
        timeout: sel.timeout.unwrap_or(Duration::from_secs(w.timeout_s)),
        warmup: repetitions.0,
        runs: repetitions.1,
        auto_rate: false,
    }
}

fn push_unique(plan: &mut Vec<RunSpec>, spec: RunSpec) {
    let same = |s: &RunSpec| {
        s.auto_rate == spec.auto_rate
            && s.workload == spec.workload
            && s.model == spec.model
            && s.params == spec.params
            && s.cpus == spec.cpus
            && s.pinned == spec.pinned
    };
    if !plan.iter().any(same) {
        plan.push(spec);
    }
}

/// Every combination of the settings' values (sweeps), resolved for `cpus`.
fn expand(
    w: &Workload,
    settings: &BTreeMap<String, crate::catalogue::ParamSetting>,
    floors: &BTreeMap<String, crate::catalogue::Floor>,
    explicit: &BTreeMap<&str, u64>,
    pinned: Option<usize>,
    cpus: usize,
) -> Vec<BTreeMap<String, u64>> {
    let mut combos = vec![BTreeMap::new()];
    for p in &w.params {
        let values: Vec<u64> = if let Some(v) = explicit.get(p.name.as_str()) {
            vec![*v]
        } else if let (Some(n), "workers") = (pinned, p.name.as_str()) {
            // Pinned to N CPUs, a pool gets N workers unless --set says otherwise.
            vec![n as u64]
        } else {
            let mut vs: Vec<u64> = settings[&p.name]
                .values()
                .into_iter()
                .map(|v: ParamValue| v.resolve(cpus))
                .collect();
            vs.dedup();
            vs
        };
        combos = combos
            .into_iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.insert(p.name.clone(), *v);
                    c
                })
            })
            .collect();
    }
    // Floors follow the run's own values; a value given with --set stands as given.
    for c in &mut combos {
        for (name, floor) in floors {
            if explicit.contains_key(name.as_str()) {
                continue;
            }
            let (Some(&per), Some(spec)) = (c.get(&floor.per), w.param(name)) else {
                continue;
            };
            let at_least = per.saturating_mul(floor.times).min(spec.max);
            if let Some(v) = c.get_mut(name) {
                *v = (*v).max(at_least);
            }
        }
    }
    combos
}

fn select_workloads<'a>(catalogue: &'a Catalogue, sel: &Selection) -> Result<Vec<&'a Workload>> {
    let Some(names) = &sel.workloads else {
        return Ok(catalogue
            .workloads
            .iter()
            .filter(|w| w.suites.contains_key(&sel.suite))
            .collect());
    };
    let mut out = Vec::new();
    for name in names {
        let w = catalogue.workload(name).ok_or_else(|| {
            usage(format!(
                "unknown workload {name:?}; the workloads are: {}",
                catalogue.workload_names().join(", ")
            ))
        })?;
        if !w.suites.contains_key(&sel.suite) {
            return Err(usage(format!(
                "workload {name} has no sizes in suite {}; it is in: {}",
                sel.suite,
                w.suites.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        out.push(w);
    }
    // Catalogue order, whatever order the user typed.
    out.sort_by_key(|w| catalogue.workloads.iter().position(|x| x.name == w.name));
    out.dedup_by_key(|w| w.name.clone());
    Ok(out)
}

fn select_models(
    catalogue: &Catalogue,
    workloads: &[&Workload],
    sel: &Selection,
) -> Result<Vec<String>> {
    let all: Vec<String> = workloads
        .iter()
        .flat_map(|w| w.models.iter().map(|m| m.id.clone()))
        .collect();
    let Some(wanted) = &sel.models else {
        return Ok(all);
    };
    for id in wanted {
        if !all.contains(id) {
            let known_anywhere = catalogue.workloads.iter().any(|w| w.model(id).is_some());
            let msg = if known_anywhere {
                format!(
                    "model {id} is not a model of the selected workloads in suite {}",
                    sel.suite
                )
            } else {
                let mut ids: Vec<&str> = catalogue
                    .workloads
                    .iter()
                    .flat_map(|w| w.models.iter().map(|m| m.id.as_str()))
                    .collect();
                ids.sort();
                ids.dedup();
                format!("unknown model {id:?}; the models are: {}", ids.join(", "))
            };
            return Err(usage(msg));
        }
    }
    Ok(wanted.clone())
}

fn validate_sets(catalogue: &Catalogue, sel: &Selection) -> Result<()> {
    for s in &sel.sets {
        let w = catalogue.workload(&s.workload).ok_or_else(|| {
            usage(format!(
                "--set {}.{}: unknown workload {:?}; the workloads are: {}",
                s.workload,
                s.param,
                s.workload,
                catalogue.workload_names().join(", ")
            ))
        })?;
        let p = w.param(&s.param).ok_or_else(|| {
            usage(format!(
                "--set {}.{}: {} has no parameter {:?}; its parameters are: {}",
                s.workload,
                s.param,
                s.workload,
                s.param,
                w.params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        if s.value < p.min || s.value > p.max {
            return Err(usage(format!(
                "--set {}.{}={}: out of range ({}..={})",
                s.workload, s.param, s.value, p.min, p.max
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(suite: &str) -> Selection {
        Selection {
            suite: suite.into(),
            ..Selection::default()
        }
    }

    fn err_text(r: Result<Vec<RunSpec>>) -> String {
        let e = r.unwrap_err();
        assert!(e.downcast_ref::<UsageError>().is_some(), "{e}");
        e.to_string()
    }

    #[test]
    fn seed_plans_the_articles_numbers() {
        let plan = build(Catalogue::embedded(), &sel("seed"), 2).unwrap();
        let pool = plan.iter().find(|s| s.model == "go-channels").unwrap();
        assert_eq!(pool.params["jobs"], 9);
        assert_eq!(pool.params["workers"], 3);
        assert_eq!(pool.params["buffer"], 100);
        let cpu = plan
            .iter()
            .find(|s| s.model == "py-processes" && s.workload == "cpu-parallel")
            .unwrap();
        assert_eq!(cpu.params["n"], 10_000_000);
        assert_eq!(
            cpu.params["workers"], 2,
            "\"cpus\" resolves to the CPU count"
        );
    }

    #[test]
    fn set_overrides_every_model_including_per_model_sizes() {
        let mut s = sel("standard");
        s.workloads = Some(vec!["spawn-idle".into()]);
        s.sets = vec!["spawn-idle.units=7".parse().unwrap()];
        let plan = build(Catalogue::embedded(), &s, 2).unwrap();
        assert!(plan
            .iter()
            .all(|r| r.params["units"] == 7 || (r.baseline && r.params["units"] == 0)));
        assert!(plan.iter().any(|r| r.model == "py-threads"));
    }

    #[test]
    fn a_floor_raises_requests_with_the_connections() {
        // The suites' io-server load is time-bound now; the floor is set here.
        let mut catalogue = Catalogue::embedded().clone();
        let io = catalogue
            .workloads
            .iter_mut()
            .find(|w| w.name == "io-server")
            .unwrap();
        let standard = io.suites.get_mut("standard").unwrap();
        standard.params.insert(
            "requests".into(),
            crate::catalogue::ParamSetting::One(ParamValue::Int(1000)),
        );
        standard.floors.insert(
            "requests".into(),
            crate::catalogue::Floor {
                per: "connections".into(),
                times: 4,
            },
        );
        let mut s = sel("standard");
        s.workloads = Some(vec!["io-server".into()]);
        s.models = Some(vec!["rust-tokio".into()]);
        let plan = build(&catalogue, &s, 2).unwrap();
        let mut got: Vec<(u64, u64)> = plan
            .iter()
            .map(|r| (r.params["connections"], r.params["requests"]))
            .collect();
        got.sort_unstable();
        got.dedup();
        // 1,000 requests, and at least 4 on every connection.
        assert_eq!(got, [(10, 1000), (100, 1000), (1000, 4000)]);
        // --set requests stands as given.
        s.sets = vec!["io-server.requests=500".parse().unwrap()];
        let plan = build(&catalogue, &s, 2).unwrap();
        assert!(plan.iter().all(|r| r.params["requests"] == 500));
    }

    #[test]
    fn a_language_can_have_its_own_sizes() {
        let mut s = sel("standard");
        s.workloads = Some(vec!["cpu-parallel".into()]);
        let plan = build(Catalogue::embedded(), &s, 2).unwrap();
        let n = |model: &str| plan.iter().find(|r| r.model == model).unwrap().params["n"];
        assert_eq!(n("rust-rayon"), 30_000_000);
        assert_eq!(n("go-seq"), 30_000_000);
        assert_eq!(n("py-numpy"), 3_000_000);
    }

    #[test]
    fn per_model_sizes_and_sweeps_expand() {
        let mut s = sel("standard");
        s.workloads = Some(vec!["spawn-idle".into()]);
        let plan = build(Catalogue::embedded(), &s, 2).unwrap();
        let units = |model: &str| -> Vec<u64> {
            plan.iter()
                .filter(|r| r.model == model)
                .map(|r| r.params["units"])
                .collect()
        };
        assert_eq!(units("go-goroutines"), [0, 10_000, 100_000]);
        assert_eq!(units("rust-threads"), [0, 1_000, 10_000]);
        assert!(plan
            .iter()
            .filter(|r| r.baseline)
            .all(|r| r.params["units"] == 0));
    }

    #[test]
    fn an_extra_scenario_has_its_own_language_sizes() {
        let mut s = sel("standard");
        s.workloads = Some(vec!["io-server".into()]);
        let plan = build(Catalogue::embedded(), &s, 2).unwrap();
        let mixed = |model: &str| -> Vec<(u64, u64)> {
            plan.iter()
                .filter(|r| r.model == model && r.params["cpu"] > 0)
                .map(|r| (r.params["cpu"], r.params["connections"]))
                .collect()
        };
        // The mixed scenario: one connection count, each language its own first guess.
        assert_eq!(mixed("py-asyncio"), [(2_800, 100)]);
        assert_eq!(mixed("node-async"), [(350_000, 100)]);
        assert_eq!(mixed("go-net-http"), [(500_000, 100)]);
        // Pure I/O at every connection count, and the open loop allocating.
        let go: Vec<_> = plan.iter().filter(|r| r.model == "go-net-http").collect();
        let closed: Vec<u64> = go
            .iter()
            .filter(|r| r.params["cpu"] == 0 && !r.auto_rate)
            .map(|r| r.params["connections"])
            .collect();
        assert_eq!(closed, [10, 100, 1000]);
        let open = go.iter().find(|r| r.auto_rate).unwrap();
        assert_eq!((open.params["cpu"], open.params["alloc"]), (0, 65_536));
    }

    #[test]
    fn a_language_warms_up_once_per_block() {
        let mut s = sel("standard");
        s.workloads = Some(vec!["ping-pong".into()]);
        let plan = build(Catalogue::embedded(), &s, 2).unwrap();
        let go: Vec<_> = plan.iter().filter(|r| r.lang == Lang::Go).collect();
        assert!(go.len() > 2, "several Go runs");
        assert_eq!(go.iter().map(|r| r.warmup).sum::<u32>(), 1);
        assert_eq!(go[0].warmup, 1, "the first");
        assert!(go.iter().all(|r| r.runs == 3));
        let langs: std::collections::BTreeSet<_> = plan.iter().map(|r| r.lang).collect();
        assert_eq!(
            plan.iter().map(|r| r.warmup).sum::<u32>() as usize,
            langs.len()
        );
    }

    #[test]
    fn cpus_pins_and_sets_workers_unless_set_says_otherwise() {
        let mut s = sel("quick");
        s.workloads = Some(vec!["cpu-parallel".into()]);
        s.models = Some(vec!["rust-rayon".into()]);
        s.cpus = Some(vec![1, 2]);
        let plan = build(Catalogue::embedded(), &s, 2).unwrap();
        let got: Vec<(usize, u64, bool)> = plan
            .iter()
            .map(|r| (r.cpus, r.params["workers"], r.pinned))
            .collect();
        assert_eq!(got, [(1, 1, true), (2, 2, true)]);
        s.sets = vec!["cpu-parallel.workers=5".parse().unwrap()];
        let plan = build(Catalogue::embedded(), &s, 2).unwrap();
        assert!(plan.iter().all(|r| r.params["workers"] == 5));
    }

    #[test]
    fn a_suite_can_run_a_workload_pinned_and_unpinned() {
        let mut s = sel("standard");
        s.workloads = Some(vec!["ping-pong".into()]);
        s.models = Some(vec!["go-channels".into()]);
        let plan = build(Catalogue::embedded(), &s, 2).unwrap();
        let got: Vec<(usize, bool)> = plan.iter().map(|r| (r.cpus, r.pinned)).collect();
        assert_eq!(got, [(1, true), (2, false)]);
        s.cpus = Some(vec![2]);
        let plan = build(Catalogue::embedded(), &s, 2).unwrap();
        let got: Vec<(usize, bool)> = plan.iter().map(|r| (r.cpus, r.pinned)).collect();
        assert_eq!(got, [(2, true)], "--cpus overrides the suite");
    }

    #[test]
    fn placements_expand_on_the_machine() {
        use crate::catalogue::{Placement, PlacementWord};
        assert_eq!(Placement::Pinned(1).expand(2), [Some(1)]);
        assert!(Placement::Pinned(4).expand(2).is_empty());
        assert_eq!(Placement::Word(PlacementWord::All).expand(2), [None]);
        assert_eq!(
            Placement::Word(PlacementWord::Each).expand(3),
            [Some(1), Some(2), Some(3)]
        );
    }

    #[test]
    fn repetitions_come_from_the_command_line_the_workload_or_the_suite() {
        // The full suite: its own runs (5) differ from io-server's (3).
        let mut s = sel("full");
        s.workloads = Some(vec!["io-server".into(), "ping-pong".into()]);
        let plan = build(Catalogue::embedded(), &s, 2).unwrap();
        let io = plan.iter().find(|r| r.workload == "io-server").unwrap();
        let pp = plan.iter().find(|r| r.workload == "ping-pong").unwrap();
        assert_eq!((io.warmup, io.runs), (0, 3), "the workload's own");
        assert_eq!((pp.warmup, pp.runs), (1, 5), "the suite's");
        s.runs = Some(7);
        let plan = build(Catalogue::embedded(), &s, 2).unwrap();
        assert!(plan.iter().all(|r| r.runs == 7));
    }

    #[test]
    fn bad_choices_are_usage_errors() {
        let c = Catalogue::embedded();
        let mut s = sel("nope");
        assert!(err_text(build(c, &s, 2)).contains("unknown suite"));
        s = sel("quick");
        s.workloads = Some(vec!["nope".into()]);
        assert!(err_text(build(c, &s, 2)).contains("unknown workload \"nope\""));
        s = sel("quick");
        s.models = Some(vec!["go-nope".into()]);
        assert!(err_text(build(c, &s, 2)).contains("unknown model \"go-nope\""));
        s = sel("quick");
        s.sets = vec!["cpu-parallel.bogus=1".parse().unwrap()];
        assert!(err_text(build(c, &s, 2)).contains("no parameter \"bogus\""));
        s.sets = vec!["cpu-parallel.tasks=0".parse().unwrap()];
        assert!(err_text(build(c, &s, 2)).contains("out of range"));
        s.sets = vec![];
        s.cpus = Some(vec![3]);
        assert!(err_text(build(c, &s, 2)).contains("1 to 2 CPUs"));
        s = sel("seed");
        s.workloads = Some(vec!["ping-pong".into()]);
        assert!(err_text(build(c, &s, 2)).contains("no sizes in suite seed"));
    }
}
