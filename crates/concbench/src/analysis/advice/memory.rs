//! Memory per unit of concurrency, from spawn-idle: the job path's memory, and the answer to
//! an I/O-bound profile with a memory budget when the results file has no io-server run.
//!
//! A million mostly idle connections are bound by memory, and spawn-idle measures the memory
//! of each language's units held idle. Each io-server model names the spawn-idle model that
//! holds its unit (`idle_unit` in `suite/workloads/io-server.toml`: go-net-http's goroutine
//! per connection is go-goroutines'), so the advice judges the budget and this machine's
//! caps from it, and marks capacity and latency not measured.

use serde::Serialize;

use super::checks::{caps_check, memory_check, safety_check};
use super::{
    choose_cpus, factor, groups_of, mib, nearest, points_of, Advice, Check, Constraint,
    Extrapolation, Inputs, KeyFigures, Row, NEAR,
};
use crate::analysis::profile::Profile;
use crate::analysis::view::{evidence, Group};
use crate::catalogue::selection::{Selection, SetOverride};
use crate::catalogue::{Model, Role, Workload};

/// Where the memory a profile's units or connections need was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MemorySource {
    /// io-server: the server's memory under load, plus its memory per connection for each
    /// connection more.
    #[serde(rename = "io-server-per-connection")]
    PerConnection,
    /// spawn-idle: memory with its units, plus its memory per unit for each unit more.
    #[serde(rename = "spawn-idle-per-unit")]
    PerUnit,
}

impl MemorySource {
    /// The source in words, as every output format says it.
    pub fn describe(self, path_is_io: bool) -> &'static str {
        match (self, path_is_io) {
            (MemorySource::PerConnection, _) => {
                "io-server's memory per connection (the server's memory under load, plus its \
                 memory per connection for each connection more)"
            }
            (MemorySource::PerUnit, true) => {
                "spawn-idle's memory per unit (each server's unit of concurrency held idle: \
                 the server's own buffers per connection come on top)"
            }
            (MemorySource::PerUnit, false) => {
                "spawn-idle's memory per unit (the approach's unit of concurrency held idle)"
            }
        }
    }
}

/// The memory `n` units need, read from one spawn-idle run.
pub(super) struct UnitMemory {
    /// Bytes: the run's memory with its units, plus its memory per unit for each unit more.
    pub need: f64,
    /// How `need` was reckoned, in words.
    pub how: String,
    /// The spawn-idle run.
    pub run: usize,
    /// Its units.
    pub units: u64,
}

/// The memory `n` units of spawn-idle's `model` need, from its run at the unit count nearest
/// `n` in `groups`; `None` when not measured.
pub(super) fn unit_memory(
    inputs: &Inputs,
    groups: &[&Group],
    model: &str,
    n: u64,
) -> Option<UnitMemory> {
    let p = nearest(&points_of(groups, model), "units", n as f64)?;
    let per = inputs.analysis.runs[p.run()].mem_per_unit_bytes?.max(0.0);
    let at = p.param("units").unwrap_or(0);
    let rss = *inputs.file.runs[p.run()].summary.metrics.get("rss_kb")? as f64 * 1024.0;
    let extra = n.saturating_sub(at);
    let how = if extra > 0 {
        format!("{} with {at} units + {} × {extra} more", mib(rss), mib(per))
    } else {
        format!("{} with {at} units", mib(rss))
    };
    Some(UnitMemory {
        need: rss + per * extra as f64,
        how,
        run: p.run(),
        units: at,
    })
}

/// The I/O-bound profile's answer when the file has no io-server run: with a memory budget
/// and spawn-idle runs, one row per io-server model of the profile's languages, judged on
/// memory (from its `idle_unit`), caps and safety, capacity and latency not measured.
/// Without them, `advice` is left as it is: no answer, and what to measure.
pub(super) fn without_io_server(
    profile: &Profile,
    inputs: &Inputs,
    workload: &Workload,
    advice: &mut Advice,
) {
    let Some(budget) = profile.memory_mb else {
        return;
    };
    let all = groups_of(inputs.analysis, "spawn-idle");
    let Some((cpus, pinned)) = choose_cpus(&all, profile.cpus) else {
        advice.missing = Some("this results file has no valid io-server or spawn-idle run".into());
        advice.commands = vec![Selection::measure(vec![
            "io-server".into(),
            "spawn-idle".into(),
        ])];
        return;
    };
    let spawn: Vec<&Group> = all
        .iter()
        .copied()
        .filter(|g| g.cpus == cpus && g.pinned == pinned)
        .collect();
    advice.missing = Some(
        "this results file has no valid io-server run, so throughput and latency are not \
         measured"
            .into(),
    );
    advice.workloads.push("spawn-idle".into());
    advice.memory_from = Some(MemorySource::PerUnit);
    advice.basis = format!(
        "spawn-idle, {cpus} CPUs{}: each io-server model's unit of concurrency held idle \
         (its idle_unit); no io-server run, so only memory, caps and safety are judged",
        if pinned { " (pinned)" } else { "" }
    );
    let (mut units, mut unjudged) = (Vec::new(), Vec::new());
    for m in workload.models.iter().filter(|m| m.role == Role::Contender) {
        if !profile.langs.contains(&m.lang) {
            advice.left_out.push(m.id.clone());
            continue;
        }
        let memory = m
            .idle_unit
            .as_deref()
            .and_then(|u| Some((u, unit_memory(inputs, &spawn, u, profile.concurrency)?)));
        // A row with no figure at all would only say "not measured": named once instead.
        let Some((unit, memory)) = memory else {
            unjudged.push(m.id.as_str());
            continue;
        };
        units.push(memory.units);
        advice
            .rows
            .push(idle_row(profile, inputs, workload, m, budget, unit, memory));
    }
    if !unjudged.is_empty() {
        advice.basis.push_str(&format!(
            "; not judged, as spawn-idle measured no unit like theirs: {}",
            unjudged.join(", ")
        ));
    }
    far_units(profile, inputs, units, advice);
}

/// One io-server model's row, from the memory of spawn-idle's `unit`.
fn idle_row(
    profile: &Profile,
    inputs: &Inputs,
    workload: &Workload,
    m: &Model,
    budget: f64,
    unit: &str,
    memory: UnitMemory,
) -> Row {
    let how = format!("spawn-idle {unit}: {}", memory.how);
    let mut checks = vec![memory_check(Some(memory.need), budget, &how)];
    let unmeasured = |constraint| Check {
        constraint,
        ok: None,
        headroom: None,
        text: "not measured: this results file has no io-server run".into(),
    };
    if profile.rate.is_some() {
        checks.push(unmeasured(Constraint::Capacity));
    }
    if profile.p99_ms.is_some() {
        checks.push(unmeasured(Constraint::Latency));
    }
    checks.extend(caps_check(
        workload,
        &m.id,
        "connections",
        profile.concurrency,
        inputs.limits,
    ));
    if profile.safety_critical {
        checks.push(safety_check(inputs.models, m.lang));
    }
    let figures = KeyFigures {
        memory_bytes: Some(memory.need),
        ..KeyFigures::default()
    };
    // Memory alone is judged: no throughput to rank by, so no tie to state.
    Row {
        source: format!(
            "spawn-idle {unit} run {}: units={}",
            memory.run, memory.units
        ),
        evidence: vec![evidence(inputs.file, memory.run)],
        ..Row::judged(&m.id, m.lang, checks, None, figures)
    }
}

/// The profile's concurrency far above every unit count the rows stood on: said, with the
/// spawn-idle run that measures it (fewer units than measured only overstates the memory).
fn far_units(profile: &Profile, inputs: &Inputs, mut units: Vec<u64>, advice: &mut Advice) {
    let n = profile.concurrency;
    units.sort_unstable();
    units.dedup();
    if units.is_empty()
        || !units
            .iter()
            .all(|&u| u < n && factor(u as f64, n as f64) > NEAR)
    {
        return;
    }
    let measured = match (units.first(), units.last()) {
        (Some(lo), Some(hi)) if lo != hi => format!("{lo}–{hi}"),
        (Some(lo), _) => lo.to_string(),
        _ => unreachable!("units is not empty"),
    };
    advice.extrapolations.push(Extrapolation {
        what: format!("concurrency {n}: spawn-idle held {measured} units"),
        stands_on: format!("units={measured}"),
    });
    let max = inputs
        .catalogue
        .workload("spawn-idle")
        .and_then(|w| w.param("units"))
        .map_or(u64::MAX, |p| p.max);
    advice.commands.push(Selection {
        sets: vec![SetOverride {
            workload: "spawn-idle".into(),
            param: "units".into(),
            value: n.min(max),
        }],
        ..Selection::measure(vec!["spawn-idle".into()])
    });
}

#[cfg(test)]
mod tests {
    use super::MemorySource;
    use crate::analysis::advice::checks::check;
    use crate::analysis::advice::tests::{advise_on, gateway_runs, profile};
    use crate::analysis::advice::{AdvicePath, Constraint};
    use crate::analysis::profile::Profile;
    use crate::fixtures;
    use crate::results::RunResult;

    /// spawn-idle's `model` holding `units` idle in `rss_kb`.
    fn spawn(model: &str, units: u64, rss_kb: i64) -> RunResult {
        fixtures::run_on(
            "spawn-idle",
            model,
            &[("units", units)],
            2,
            false,
            &[1_000_000, 1_010_000, 990_000],
            &[("rss_kb", rss_kb), ("spawn_ns", 1000)],
        )
    }

    /// Go's goroutine at 2.7 KiB, tokio's task at 460 B and Rust's thread at 9.6 KiB, each
    /// measured with 10,000 units over a base.
    fn spawn_idle_runs() -> Vec<RunResult> {
        vec![
            spawn("go-goroutines", 0, 6_000),
            spawn("go-goroutines", 10_000, 6_000 + 27_000),
            spawn("rust-tokio", 0, 3_000),
            spawn("rust-tokio", 10_000, 3_000 + 4_492),
            spawn("rust-threads", 0, 2_600),
            spawn("rust-threads", 10_000, 2_600 + 96_000),
        ]
    }

    /// A million mostly idle connections in 1 GiB.
    fn massive(f: impl FnOnce(&mut crate::analysis::profile::ProfileInput)) -> Profile {
        profile(|i| {
            i.concurrency = Some(1_000_000.0);
            i.io_ms = Some(60_000.0);
            i.cpu_ms = Some(0.0);
            i.memory_mb = Some(1024.0);
            f(i);
        })
    }

    #[test]
    fn without_io_server_memory_per_unit_decides_which_servers_fit() {
        let (file, a) = advise_on(spawn_idle_runs(), &massive(|_| {}));
        assert_eq!(a.path, AdvicePath::IoServer);
        assert_eq!(a.memory_from, Some(MemorySource::PerUnit));
        assert!(a.basis.starts_with("spawn-idle, 2 CPUs"), "{}", a.basis);
        let row = |m: &str| a.rows.iter().find(|r| r.model == m).unwrap();
        // 1M goroutines: 33,000 KiB with 10,000 + 2.7 KiB × 990,000 more ≈ 2.6 GiB.
        let go = row("go-net-http");
        let need = 33_000.0 * 1024.0 + 27_000.0 * 1024.0 / 10_000.0 * 990_000.0;
        assert_eq!(go.figures.memory_bytes, Some(need));
        assert!(!go.feasible && go.binding == Constraint::Memory, "{go:?}");
        // Read from spawn-idle's go-goroutines, cited.
        assert_eq!(file.runs[go.evidence[0].run].model, "go-goroutines");
        assert!(
            go.source.starts_with("spawn-idle go-goroutines run"),
            "{}",
            go.source
        );
        // 1M tokio tasks ≈ 450 MiB: they fit, and are the choice.
        let tokio = row("rust-tokio");
        assert!(
            tokio.feasible && tokio.binding == Constraint::Memory,
            "{tokio:?}"
        );
        let need = 7_492.0 * 1024.0 + 4_492.0 * 1024.0 / 10_000.0 * 990_000.0;
        assert!((tokio.headroom.unwrap() - 1024.0 * 1024.0 * 1024.0 / need).abs() < 1e-9);
        assert_eq!(a.rows[0].model, "rust-tokio");
        // A thread per connection: over this machine's caps as well as the budget.
        let threads = row("rust-threads");
        assert!(check(threads, Constraint::Caps).unwrap().ok == Some(false));
        // Nothing is invented for what was not measured.
        assert!(a.rows.iter().all(|r| r.figures.throughput.is_none()));
        assert!(
            !a.rows.iter().any(|r| r.model == "py-asyncio"),
            "no Python run"
        );
        assert!(a.basis.contains("not judged"), "{}", a.basis);
        assert!(a
            .missing
            .as_deref()
            .unwrap()
            .contains("throughput and latency are not measured"));
        assert!(a.recommendation[0].starts_with("rust-tokio (rust) is the choice"));
        assert!(
            a.recommendation
                .iter()
                .any(|s| s.contains("throughput and latency need an io-server run")),
            "{:?}",
            a.recommendation
        );
        // 1M units against 10,000 held: said, with the run that measures it.
        assert_eq!(a.extrapolations[0].stands_on, "units=10000");
        let commands: Vec<String> = a.commands.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            commands,
            [
                "concbench run --suite quick --workloads io-server",
                "concbench run --suite quick --workloads spawn-idle --set spawn-idle.units=1000000"
            ]
        );
    }

    #[test]
    fn throughput_and_latency_targets_are_marked_not_measured() {
        let p = massive(|i| {
            i.rate = Some(1000.0);
            i.p99_ms = Some(70_000.0);
        });
        let (_, a) = advise_on(spawn_idle_runs(), &p);
        let tokio = a.rows.iter().find(|r| r.model == "rust-tokio").unwrap();
        for c in [Constraint::Capacity, Constraint::Latency] {
            let k = check(tokio, c).unwrap();
            assert_eq!(k.ok, None, "{k:?}");
            assert!(k.text.starts_with("not measured"), "{}", k.text);
        }
        // It fits the budget but is not shown to meet the profile.
        assert!(tokio.undecided());
        assert_eq!(check(tokio, Constraint::Memory).unwrap().ok, Some(true));
        assert!(a.recommendation[0].starts_with("No model is shown to meet this profile yet."));
    }

    #[test]
    fn without_a_budget_or_spawn_idle_there_is_still_no_answer() {
        let (_, a) = advise_on(spawn_idle_runs(), &massive(|i| i.memory_mb = None));
        assert!(a.rows.is_empty() && a.memory_from.is_none());
        assert_eq!(
            a.recommendation,
            ["No advice: this results file has no valid io-server run."]
        );
        let cpu = fixtures::cpu_parallel("rust-seq", 1000, &[1000, 1010, 990]);
        let (_, a) = advise_on(vec![cpu], &massive(|_| {}));
        assert!(a.rows.is_empty());
        assert_eq!(
            a.missing.as_deref(),
            Some("this results file has no valid io-server or spawn-idle run")
        );
        assert_eq!(
            a.commands[0].to_string(),
            "concbench run --suite quick --workloads io-server,spawn-idle"
        );
    }

    #[test]
    fn io_servers_memory_per_connection_is_used_when_the_file_has_it() {
        let mut runs = gateway_runs();
        runs.extend(spawn_idle_runs());
        let p = profile(|i| {
            i.concurrency = Some(1000.0);
            i.io_ms = Some(1.0);
            i.memory_mb = Some(40.0);
        });
        let (file, a) = advise_on(runs, &p);
        assert_eq!(a.memory_from, Some(MemorySource::PerConnection));
        let go = a.rows.iter().find(|r| r.model == "go-net-http").unwrap();
        // The server's 10,000 KiB at 100 connections + 8 KiB × 900 more, not a goroutine's.
        let need = 10_000.0 * 1024.0 + 8.0 * 1024.0 * 900.0;
        assert_eq!(go.figures.memory_bytes, Some(need));
        assert!(go
            .evidence
            .iter()
            .all(|e| file.runs[e.run].workload == "io-server"));
    }
}
