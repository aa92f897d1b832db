//! The job-bound path: a profile read from worker-pool (the cost of handing a job to a
//! pool), cpu-parallel (how fast each approach computes, against the fastest sequential
//! model: the profile's `cpu_ms` is time in compiled code) and spawn-idle (memory per unit),
//! joined by language and unit of concurrency.

use super::checks::{capacity_check, caps_check, latency_check, memory_check, safety_check};
use super::memory::{unit_memory, MemorySource};
use super::{
    choose_cpus, empty, extrapolate, groups_of, models_in, nearest, points_of, Advice, AdvicePath,
    Check, Constraint, Inputs, KeyFigures, Row,
};
use crate::analysis::profile::{num, Profile};
use crate::analysis::view::{evidence, Group};
use crate::catalogue::selection::Selection;
use crate::catalogue::{Catalogue, Lang, Model, Workload};
use crate::format::format_ns_fine;

/// The workloads the job path reads.
const WORKLOADS: [&str; 3] = ["worker-pool", "cpu-parallel", "spawn-idle"];

/// The groups the job path reads, at the CPUs chosen.
struct Sources<'a> {
    /// worker-pool's, at the CPUs nearest the profile's.
    pool: Vec<&'a Group>,
    /// cpu-parallel's, at the CPUs nearest those.
    compute: Vec<&'a Group>,
    /// spawn-idle's, at the CPUs nearest those.
    spawn: Vec<&'a Group>,
    /// The CPUs of the pool's runs.
    cpus: usize,
    /// Whether they were pinned to them.
    pinned: bool,
    /// The catalogue's cpu-parallel.
    cpu_workload: Option<&'a Workload>,
    /// The fastest sequential cpu-parallel run: the profile's CPU time is time in it. Its
    /// model and median ns per iteration (a sequential model is shown for scale, so it is
    /// among a group's baselines, or ranked in a group of references only).
    reference: (&'a str, f64),
}

/// The runs a row reads, and where each figure comes from in words.
#[derive(Default)]
struct Cited {
    /// The runs.
    runs: Vec<usize>,
    /// "worker-pool run 3", "cpu-parallel rust-threads run 7", ...
    sources: Vec<String>,
}

/// The advice for a job-bound profile.
pub(super) fn job_advice(profile: &Profile, inputs: &Inputs) -> Advice {
    let mut advice = empty(profile, AdvicePath::Jobs, &WORKLOADS);
    let Some(pool_workload) = inputs.catalogue.workload("worker-pool") else {
        return advice;
    };
    let Some(sources) = sources(profile, inputs, &mut advice) else {
        return advice;
    };
    let reference = sources.reference;
    advice.basis = format!(
        "worker-pool (handing a job to a pool), cpu-parallel (computing; the profile's {} ms of \
         CPU is time in {}, {} per iteration) and spawn-idle (memory per unit), {} CPUs{}",
        num(profile.cpu_ms),
        reference.0,
        format_ns_fine(reference.1),
        sources.cpus,
        if sources.pinned { " (pinned)" } else { "" }
    );
    advice.memory_from = Some(MemorySource::PerUnit);
    let (models, left_out) = models_in(&sources.pool, profile);
    advice.left_out = left_out;
    let (mut workers, mut units) = (Vec::new(), Vec::new());
    for (model, lang) in &models {
        let row = job_row(
            profile,
            inputs,
            pool_workload,
            &sources,
            (model, *lang),
            (&mut workers, &mut units),
        );
        advice.rows.extend(row);
    }
    extrapolate::jobs(
        profile,
        inputs.file,
        pool_workload,
        sources.cpus,
        workers,
        units,
        &mut advice,
    );
    advice
}

/// The groups to read, or `None` with what is missing said in `advice`: a command for every
/// workload with no valid run, and the reason when worker-pool, cpu-parallel or its
/// sequential reference is missing.
fn sources<'a>(profile: &Profile, inputs: &Inputs<'a>, advice: &mut Advice) -> Option<Sources<'a>> {
    let pool_all = groups_of(inputs.analysis, "worker-pool");
    let cpu_all = groups_of(inputs.analysis, "cpu-parallel");
    let spawn_all = groups_of(inputs.analysis, "spawn-idle");
    let lacking: Vec<String> = WORKLOADS
        .iter()
        .zip([&pool_all, &cpu_all, &spawn_all])
        .filter(|(_, g)| g.is_empty())
        .map(|(n, _)| n.to_string())
        .collect();
    if !lacking.is_empty() {
        advice.commands.push(Selection::measure(lacking.clone()));
        if pool_all.is_empty() || cpu_all.is_empty() {
            advice.missing = Some(format!(
                "this results file has no valid {} run",
                lacking.join(" or ")
            ));
            return None;
        }
    }
    let (cpus, pinned) = choose_cpus(&pool_all, profile.cpus)?;
    let pool: Vec<&Group> = pool_all
        .iter()
        .copied()
        .filter(|g| g.cpus == cpus && g.pinned == pinned)
        .collect();
    let compute = at_cpus(&cpu_all, cpus);
    let spawn = at_cpus(&spawn_all, cpus);
    // The profile's cpu_ms is time in compiled code: the fastest sequential model measured.
    let cpu_workload = inputs.catalogue.workload("cpu-parallel");
    let sequential = |model: &str| {
        cpu_workload
            .and_then(|w| w.model(model))
            .is_some_and(|m| m.sequential)
    };
    let reference = compute
        .iter()
        .flat_map(|g| {
            let ranked = g.ranking.iter().map(|r| (r.model.as_str(), r.value.value));
            ranked.chain(
                g.baselines
                    .iter()
                    .map(|b| (b.model.as_str(), b.value.value)),
            )
        })
        .filter(|(model, _)| sequential(model))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let Some(reference) = reference else {
        advice.missing = Some("this results file has no valid sequential cpu-parallel run (go-seq, rust-seq), which the profile's CPU time is measured against".into());
        advice
            .commands
            .push(Selection::measure(vec!["cpu-parallel".into()]));
        return None;
    };
    Some(Sources {
        pool,
        compute,
        spawn,
        cpus,
        pinned,
        cpu_workload,
        reference,
    })
}

/// The groups on the CPUs nearest `cpus`, unpinned before pinned.
fn at_cpus<'a>(groups: &[&'a Group], cpus: usize) -> Vec<&'a Group> {
    let want = choose_cpus(groups, Some(cpus));
    groups
        .iter()
        .copied()
        .filter(|g| Some((g.cpus, g.pinned)) == want)
        .collect()
}

/// The model of `workload` that measures the same approach as `model` of `from`: the same
/// id, or else the one contender of the same language and unit of concurrency.
fn twin<'a>(catalogue: &'a Catalogue, from: &str, model: &str, workload: &str) -> Option<&'a str> {
    let w = catalogue.workload(workload)?;
    if let Some(m) = w.model(model) {
        return Some(&m.id);
    }
    let me = catalogue.workload(from)?.model(model)?;
    let same: Vec<&Model> = w
        .models
        .iter()
        .filter(|m| m.lang == me.lang && m.unit == me.unit && !m.sequential && !m.racy)
        .collect();
    (same.len() == 1).then(|| same[0].id.as_str())
}

/// One model's row: its pool run at the workers nearest the profile's concurrency, its
/// computing speed, one job's time alone and its memory; `None` when the pool has no run of
/// it. The workers and units it stood on are added to `seen`.
fn job_row(
    profile: &Profile,
    inputs: &Inputs,
    pool_workload: &Workload,
    s: &Sources,
    (model, lang): (&str, Lang),
    seen: (&mut Vec<u64>, &mut Vec<u64>),
) -> Option<Row> {
    let (catalogue, analysis) = (inputs.catalogue, inputs.analysis);
    let n = profile.concurrency;
    let ref_ns = s.reference.1;
    let job = nearest(&points_of(&s.pool, model), "workers", n as f64)?;
    seen.0.extend(job.param("workers"));
    let mut cited = Cited {
        runs: vec![job.run()],
        sources: vec![format!("worker-pool run {}", job.run())],
    };
    let per_job_ns = analysis.runs[job.run()]
        .ns_per_work
        .unwrap_or(job.ranked.value.value);
    // Computing: the same approach in cpu-parallel.
    let compute_point = twin(catalogue, "worker-pool", model, "cpu-parallel")
        .and_then(|t| points_of(&s.compute, t).into_iter().next());
    let mut throughput_runs = Vec::new();
    let job_ns = compute_point.map(|p| {
        cited.runs.push(p.run());
        cited
            .sources
            .push(format!("cpu-parallel {} run {}", p.ranked.model, p.run()));
        let compute_ns = profile.cpu_ms * 1e6 * p.ranked.value.value / ref_ns;
        throughput_runs = vec![(job.run(), per_job_ns), (p.run(), compute_ns)];
        compute_ns + per_job_ns
    });
    let throughput = job_ns.map(|ns| 1e9 / ns);
    // One job alone on one core: the I/O wait plus the work at the language's own
    // sequential speed. A lower bound of its p99, which no job run measures.
    let seq_ns = s
        .cpu_workload
        .and_then(|w| w.sequential_model(lang))
        .and_then(|seq| points_of(&s.compute, &seq.id).into_iter().next())
        .map(|p| {
            cited.runs.push(p.run());
            p.ranked.value.value
        });
    let one_job_ms = seq_ns.map(|seq| profile.io_ms + profile.cpu_ms * seq / ref_ns);
    let memory = job_memory(inputs, s, model, n, seen.1, &mut cited);
    let checks = job_checks(
        profile,
        inputs,
        pool_workload,
        (model, lang),
        (throughput, one_job_ms),
        &memory,
    );
    cited.runs.sort_unstable();
    cited.runs.dedup();
    let figures = KeyFigures {
        throughput,
        p99_ms: one_job_ms,
        memory_bytes: memory.as_ref().map(|(b, _)| *b),
        cpu_ms_per_unit: None,
    };
    Some(Row {
        source: cited.sources.join(", "),
        evidence: cited
            .runs
            .iter()
            .map(|&i| evidence(inputs.file, i))
            .collect(),
        throughput_runs,
        ..Row::judged(model, lang, checks, throughput, figures)
    })
}

/// The memory `n` units of the model's approach need, from spawn-idle at the unit count
/// nearest `n`, and how that was reckoned; `None` when not measured. The units it stood on
/// are added to `units`.
fn job_memory(
    inputs: &Inputs,
    s: &Sources,
    model: &str,
    n: u64,
    units: &mut Vec<u64>,
    cited: &mut Cited,
) -> Option<(f64, String)> {
    let twin = twin(inputs.catalogue, "worker-pool", model, "spawn-idle")?;
    let m = unit_memory(inputs, &s.spawn, twin, n)?;
    units.push(m.units);
    cited.runs.push(m.run);
    cited
        .sources
        .push(format!("spawn-idle {twin} run {}", m.run));
    Some((m.need, m.how))
}

/// The model's checks against every target the profile sets, from its throughput and one
/// job's time (each `None` when not measured) and its memory.
fn job_checks(
    profile: &Profile,
    inputs: &Inputs,
    pool_workload: &Workload,
    (model, lang): (&str, Lang),
    (throughput, one_job_ms): (Option<f64>, Option<f64>),
    memory: &Option<(f64, String)>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(budget) = profile.memory_mb {
        checks.push(match memory {
            Some((need, how)) => memory_check(Some(*need), budget, how),
            None => memory_check(None, budget, "spawn-idle has no run of this approach"),
        });
    }
    if let Some(rate) = profile.rate {
        checks.push(match throughput {
            Some(t) => capacity_check(t, rate, "jobs", "by worker-pool + cpu-parallel"),
            None => Check {
                constraint: Constraint::Capacity,
                ok: None,
                headroom: None,
                text: "not measured: cpu-parallel has no run of this approach".into(),
            },
        });
    }
    if let Some(target) = profile.p99_ms {
        checks.push(match one_job_ms {
            Some(ms) => latency_check(ms, target, "one job alone (p99 not measured)"),
            None => Check {
                constraint: Constraint::Latency,
                ok: None,
                headroom: None,
                text: "not measured: no sequential cpu-parallel run of this language".into(),
            },
        });
    }
    checks.extend(caps_check(
        pool_workload,
        model,
        "workers",
        profile.concurrency,
        inputs.limits,
    ));
    if profile.safety_critical {
        checks.push(safety_check(inputs.models, lang));
    }
    checks
}

#[cfg(test)]
mod tests {
    use crate::analysis::advice::tests::{advise_on, profile};
    use crate::analysis::advice::AdvicePath;
    use crate::fixtures;

    #[test]
    fn a_job_profile_reads_the_pool_the_loop_and_the_memory_per_unit() {
        let cpu = |m: &str, n: u64, ns: u64| {
            fixtures::cpu_parallel(m, n, &[ns, ns + ns / 100, ns - ns / 100])
        };
        let pool = |m: &str, ns: u64| {
            fixtures::run(
                "worker-pool",
                m,
                &[
                    ("jobs", 1000),
                    ("workers", 2),
                    ("buffer", 100),
                    ("spin", 100),
                ],
                &[ns, ns + ns / 100, ns - ns / 100],
            )
        };
        let spawn = |m: &str, units: u64, rss: i64| {
            fixtures::run_on(
                "spawn-idle",
                m,
                &[("units", units)],
                2,
                false,
                &[1_000_000, 1_010_000, 990_000],
                &[("rss_kb", rss), ("spawn_ns", 1000)],
            )
        };
        let runs = vec![
            cpu("rust-seq", 1_000_000, 8_000_000),
            cpu("rust-threads", 1_000_000, 4_000_000),
            cpu("py-processes", 100_000, 40_000_000),
            pool("rust-crossbeam", 500_000),
            pool("py-processes", 50_000_000),
            spawn("rust-threads", 0, 2_000),
            spawn("rust-threads", 1000, 12_000),
        ];
        let p = profile(|i| {
            i.concurrency = Some(4.0);
            i.cpu_ms = Some(1.0);
            i.rate = Some(500.0);
            i.memory_mb = Some(100.0);
        });
        let (file, a) = advise_on(runs, &p);
        assert_eq!(a.path, AdvicePath::Jobs);
        let rust = &a.rows[0];
        assert_eq!(rust.model, "rust-crossbeam");
        assert!(rust.feasible);
        // rust-threads' ns/iteration is half rust-seq's: a 1 ms job takes 0.5 ms of wall on
        // 2 CPUs, plus 500 ns of hand-off.
        let ns_iter = |m: &str| {
            let r = file
                .runs
                .iter()
                .find(|r| r.workload == "cpu-parallel" && r.model == m)
                .unwrap();
            r.summary.median_elapsed_ns as f64
                / crate::catalogue::reference::work("cpu-parallel", &r.params).unwrap()
        };
        let job_ns = 1e6 * ns_iter("rust-threads") / ns_iter("rust-seq") + 500.0;
        assert!((rust.figures.throughput.unwrap() - 1e9 / job_ns).abs() < 1e-6);
        // py-processes has no spawn-idle twin: its memory is not measured, so not judged.
        let py = a.rows.iter().find(|r| r.model == "py-processes").unwrap();
        assert!(!py.feasible);
        assert!(
            py.reasons
                .iter()
                .any(|r| r.contains("memory: not measured")),
            "{:?}",
            py.reasons
        );
        assert!(
            py.reasons.iter().any(|r| r.starts_with("capacity:")),
            "{:?}",
            py.reasons
        );
    }
}
