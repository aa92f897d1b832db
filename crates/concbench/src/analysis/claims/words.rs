//! The words of a decided test: a value with its CI and unit, a rule's bound, where a value
//! falls against the rule, the scenario it stands on, and why a test is not measured.

use super::scenario::{ideal_speedup, machine_cpus_for, test_cpus, ScenarioKey};
use super::{Metric, TestSpec};
use crate::analysis::view::level_words;
use crate::catalogue::Workload;
use crate::format;
use crate::results::{ResultsFile, RunResult, SafetyOutcome};
use crate::stats::{Interval, CONFIDENCE};

/// The unit a metric's own values are shown in (before a ratio is taken).
pub(super) fn base_unit(metric: Metric) -> &'static str {
    match metric {
        Metric::Time | Metric::SpawnPerUnit => "ns",
        Metric::MemPerUnit | Metric::MemPerConn => "bytes",
        Metric::Rps => "req/s",
        Metric::P99Us | Metric::P999Us | Metric::MaxUs => "µs",
        Metric::Speedup | Metric::Overlap | Metric::TailRatio => "×",
        Metric::Cv => "%",
        Metric::MaxValid | Metric::Safety => "",
    }
}

/// Where a value falls, in words: "within the bound ≤ 3,072", "above 200".
pub(super) fn range_words(t: &TestSpec, v: f64) -> String {
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
pub(super) fn place_words(t: &TestSpec, key: &ScenarioKey, run: &RunResult) -> String {
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
    let place = if params.is_empty() {
        cpus
    } else {
        format!("{}, {cpus}", params.join(", "))
    };
    if !t.of_ideal {
        return place;
    }
    let tasks = run.params.get("tasks").copied().unwrap_or(0);
    format!(
        "{place}; the ideal speedup for {} tasks on {} CPUs is {}×",
        format::format_count(tasks),
        run.cpus,
        format::format_number(ideal_speedup(run))
    )
}

/// A value with its interval and unit, for people: `1.9× [1.8–2.0]` at 95% or more,
/// `1.9× [1.7–2.1] 75%` below, and the value alone for one sample (a point).
pub(super) fn show(v: f64, ci: Option<Interval>, unit: &str) -> String {
    // The point value sets the decimals of its interval too: "11.4× [9.4–26.3]".
    let decimals = if v.abs() < 10.0 { 3 } else { 1 };
    let num = |x: f64| match unit {
        "bytes" => format::format_bytes(x),
        "ns" => format::format_ns_fine(x),
        "µs" => format::format_ns_fine(x * 1e3),
        // Three decimals below 10: a ratio of 1.004 must not read as the bound 1.00.
        "×" | "×/CPU" | "of ideal" => format!("{x:.decimals$}"),
        "%" => format!("{x:.1}"),
        _ => format::format_number(x),
    };
    let suffix = match unit {
        "bytes" | "ns" | "µs" => String::new(),
        "×" | "×/CPU" | "%" => unit.to_string(),
        "of ideal" => format!("× {unit}"),
        u => format!(" {u}"),
    };
    match ci.filter(|c| c.level > 0.0) {
        Some(c) if c.reaches(CONFIDENCE) => {
            format!("{}{suffix} [{}–{}]", num(v), num(c.lo), num(c.hi))
        }
        Some(c) => format!(
            "{}{suffix} [{}–{}] {}",
            num(v),
            num(c.lo),
            num(c.hi),
            level_words(c.level)
        ),
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
        "of ideal" => format!("{}× of ideal", format::format_number(v)),
        "%" => format!("{}%", format::format_number(v)),
        _ => format::format_number(v),
    }
}

/// Why a test is not measured: too few CPUs (a server's own), no run of the workload, or
/// none of the model in the scenario the rule needs.
pub(super) fn not_measured_reason(
    t: &TestSpec,
    w: &Workload,
    file: &ResultsFile,
    min_cpus: usize,
) -> String {
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

/// What a safety check's outcome says, in words.
pub(super) fn outcome_words(o: SafetyOutcome) -> &'static str {
    match o {
        SafetyOutcome::Rejected => "rejected by the compiler",
        SafetyOutcome::Reported => "reported by the race detector",
        SafetyOutcome::Clean => "ran clean, nothing reported",
        SafetyOutcome::Unavailable => "unavailable",
    }
}
