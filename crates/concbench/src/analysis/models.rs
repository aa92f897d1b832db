//! The article's comparison table, with numbers in it (`concbench models`): one row per
//! model id, the catalogue's words for it (`suite/models.toml`), its safety class with the
//! evidence from the results file, and the figures measured for it, each from the workload
//! and the run where it was measured.
//!
//! Each measured column is read the way a claim's test is (the same scenario rules, the same
//! figures), so a number here equals the one `claims` and the view show for that run.

use std::collections::BTreeMap;

use serde::Serialize;

use super::claims::{self, Metric, TestSpec, Verdict};
use super::view::{Analysis, Evidence};
use crate::catalogue::models::{ModelTable, SafetyClass};
use crate::catalogue::{Catalogue, Lang};
use crate::results::{ResultsFile, SafetyOutcome};

/// One measured cell.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The value, in the column's unit.
    pub value: f64,
    /// Its interval, where the samples give one (distribution-free, at `level`).
    pub ci95: Option<(f64, f64)>,
    /// The level that interval really reaches (below 0.95 under 6 samples, 0 for one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<f64>,
    /// The value as people read it.
    pub shown: String,
    /// The scenario in words, e.g. `units=100,000, 2 CPUs`.
    pub reason: String,
    /// The runs it came from.
    pub evidence: Vec<Evidence>,
}

/// A model's safety: its class and what shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Safety {
    /// Prevented, detected or silent.
    pub class: SafetyClass,
    /// The class in words.
    pub label: String,
    /// What in the results file shows it, or what would.
    pub evidence: String,
    /// True when the results file holds that evidence (a check that ran, or a racy run).
    pub shown: bool,
}

/// One row of the table.
#[derive(Debug, Clone, Serialize)]
pub struct ModelRow {
    /// The model id.
    pub model: String,
    /// Its language.
    pub lang: Lang,
    /// The unit of concurrency.
    pub unit: String,
    /// How its units communicate.
    pub communication: String,
    /// How memory is shared.
    pub sharing: String,
    /// Who schedules the units.
    pub scheduling: String,
    /// Where it is typically used.
    pub domains: String,
    /// The safety axis.
    pub safety: Safety,
    /// The workloads that have this model.
    pub workloads: Vec<String>,
    /// Memory per idle unit (spawn-idle, most units), bytes.
    pub mem_per_unit_bytes: Option<Cell>,
    /// One hand-off (ping-pong), ns.
    pub handoff_ns: Option<Cell>,
    /// CPU work on every CPU against the language's sequential model (cpu-parallel).
    pub cpu_speedup: Option<Cell>,
    /// One increment of the shared counter (shared-counter, most units), ns.
    pub counter_ns_per_op: Option<Cell>,
    /// One job of the worker pool (worker-pool), ns.
    pub pool_ns_per_job: Option<Cell>,
    /// Requests per second (io-server, I/O only, most connections).
    pub rps: Option<Cell>,
    /// p99 latency, µs: from the open-loop runs (pure I/O, at the offered rate) where the file
    /// has them, else from the closed-loop runs of `rps` (its `reason` says which).
    pub p99_us: Option<Cell>,
}

/// A measured column: (field, workload, metric, scenario, unit).
type Column = (
    &'static str,
    &'static str,
    Metric,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// The measured columns.
const COLUMNS: [Column; 7] = [
    (
        "mem_per_unit",
        "spawn-idle",
        Metric::MemPerUnit,
        &[("units", "max")],
        "bytes",
    ),
    ("handoff", "ping-pong", Metric::Time, &[], "ns"),
    ("cpu_speedup", "cpu-parallel", Metric::Speedup, &[], "×"),
    (
        "counter",
        "shared-counter",
        Metric::Time,
        &[("units", "max")],
        "ns",
    ),
    ("pool", "worker-pool", Metric::Time, &[], "ns"),
    (
        "rps",
        "io-server",
        Metric::Rps,
        &[("cpu", "0"), ("connections", "max")],
        "req/s",
    ),
    (
        "p99",
        "io-server",
        Metric::P99Us,
        &[("cpu", "0"), ("connections", "max")],
        "µs",
    ),
];

/// The p99 column's scenario where the file has an open-loop run: pure I/O at the offered
/// rate, the most connections.
const OPEN_LOOP_P99: &[(&str, &str)] = &[("cpu", "0"), ("rate", ">0"), ("connections", "max")];

/// Builds the table for `file`: every model of the catalogue, in `suite/models.toml` order.
pub fn table(
    catalogue: &Catalogue,
    words: &ModelTable,
    file: &ResultsFile,
    analysis: &Analysis,
) -> Vec<ModelRow> {
    words
        .models
        .iter()
        .filter_map(|info| {
            let (lang, workloads) = home(catalogue, &info.id)?;
            let mut cells: BTreeMap<&str, Option<Cell>> = BTreeMap::new();
            for (field, workload, metric, scenario, unit) in COLUMNS {
                let at = |scenario: &[(&str, &str)]| {
                    workloads
                        .iter()
                        .any(|w| w == workload)
                        .then(|| {
                            measure(
                                catalogue, file, analysis, &info.id, workload, metric, scenario,
                                unit,
                            )
                        })
                        .flatten()
                };
                // Latency from the open loop where the file has one; a closed loop's p99 is
                // the queue its own load builds.
                let cell = match field {
                    "p99" => at(OPEN_LOOP_P99).or_else(|| at(scenario)),
                    _ => at(scenario),
                };
                cells.insert(field, cell);
            }
            let mut take = |k: &str| cells.remove(k).flatten();
            Some(ModelRow {
                model: info.id.clone(),
                lang,
                unit: info.unit.clone(),
                communication: info.communication.clone(),
                sharing: info.sharing.clone(),
                scheduling: info.scheduling.clone(),
                domains: info.domains.clone(),
                safety: safety(words, lang, file),
                workloads: workloads.clone(),
                mem_per_unit_bytes: take("mem_per_unit"),
                handoff_ns: take("handoff"),
                cpu_speedup: take("cpu_speedup"),
                counter_ns_per_op: take("counter"),
                pool_ns_per_job: take("pool"),
                rps: take("rps"),
                p99_us: take("p99"),
            })
        })
        .collect()
}

/// The model's language and the workloads that have it.
fn home(catalogue: &Catalogue, id: &str) -> Option<(Lang, Vec<String>)> {
    let mut lang = None;
    let mut workloads = Vec::new();
    for w in &catalogue.workloads {
        if let Some(m) = w.model(id) {
            lang = Some(m.lang);
            workloads.push(w.name.clone());
        }
    }
    Some((lang?, workloads))
}

#[allow(clippy::too_many_arguments)]
fn measure(
    catalogue: &Catalogue,
    file: &ResultsFile,
    analysis: &Analysis,
    model: &str,
    workload: &str,
    metric: Metric,
    scenario: &[(&str, &str)],
    unit: &str,
) -> Option<Cell> {
    let spec = TestSpec {
        what: String::new(),
        workload: workload.into(),
        metric,
        model: model.into(),
        against: None,
        param: None,
        scenario: scenario
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        cpus: None,
        min_cpus: None,
        of_ideal: false,
        as_expected: None,
        expect: None,
        unit: unit.into(),
        holds: claims::Range::default(),
        caveat: None,
        rule: String::new(),
        counts: true,
    };
    let t = claims::decide(catalogue, &spec, file, analysis);
    if t.verdict == Verdict::NotMeasured {
        return None;
    }
    Some(Cell {
        value: t.measured?,
        ci95: t.ci95,
        level: t.level,
        shown: t.shown,
        reason: t.reason,
        evidence: t.evidence,
    })
}

/// A language's safety class, with the evidence the file holds for it.
fn safety(words: &ModelTable, lang: Lang, file: &ResultsFile) -> Safety {
    let class = words.safety_class(lang);
    let checks: Vec<_> = file.safety.iter().filter(|c| c.lang == lang).collect();
    // A silent language shows its class by the updates its racy runs lost; the others by
    // their checks.
    let (evidence, shown) = match class {
        SafetyClass::Silent => {
            let racy = file
                .runs
                .iter()
                .filter(|r| r.lang == lang && r.racy && r.valid)
                .filter_map(|r| Some((r, r.summary.lost_updates?)))
                .max_by_key(|(_, lost)| *lost);
            match racy {
                Some((r, lost)) => (
                    format!(
                        "{} lost {} of {} updates; nothing checks",
                        r.model,
                        crate::format::format_count(lost),
                        crate::format::format_count(r.reference_checksum.parse().unwrap_or(0))
                    ),
                    true,
                ),
                None => ("no racy run in this file".to_string(), false),
            }
        }
        _ if checks.is_empty() => (
            "not checked in this file (a run with shared-counter checks it)".to_string(),
            false,
        ),
        _ => {
            let said: Vec<String> = checks
                .iter()
                .map(|c| {
                    let what = match c.outcome {
                        SafetyOutcome::Rejected => "refused by the compiler",
                        SafetyOutcome::Reported => "reported by -race",
                        SafetyOutcome::Clean => "clean",
                        SafetyOutcome::Unavailable => "not checked",
                    };
                    format!("{} {what}", c.model)
                })
                .collect();
            let ok = checks
                .iter()
                .all(|c| c.outcome == c.expected || c.outcome == SafetyOutcome::Unavailable);
            let any_ran = checks
                .iter()
                .any(|c| c.outcome != SafetyOutcome::Unavailable);
            (
                format!(
                    "{}{}",
                    said.join("; "),
                    if ok { "" } else { " (not as expected)" }
                ),
                any_ran,
            )
        }
    };
    Safety {
        class,
        label: class.label().to_string(),
        evidence,
        shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::view::analyse;
    use crate::fixtures;

    fn rows(file: &ResultsFile) -> (Analysis, Vec<ModelRow>) {
        let c = Catalogue::embedded();
        let a = analyse(c, file);
        let rows = table(c, ModelTable::embedded(), file, &a);
        (a, rows)
    }

    #[test]
    fn every_model_has_a_row_and_its_figures_are_the_views() {
        let file = fixtures::mixed_file();
        let (a, rows) = rows(&file);
        assert_eq!(rows.len(), ModelTable::embedded().models.len());
        let go = rows.iter().find(|r| r.model == "go-goroutines").unwrap();
        let cell = go
            .mem_per_unit_bytes
            .as_ref()
            .expect("spawn-idle was measured");
        let run = cell.evidence[0].run;
        assert_eq!(Some(cell.value), a.runs[run].mem_per_unit_bytes);
        assert!((cell.value - (264_000.0 - 4_000.0) * 1024.0 / 100_000.0).abs() < 1e-6);
        assert!(go.handoff_ns.is_none(), "no ping-pong run in the file");
        assert_eq!(go.safety.class, SafetyClass::Detected);
        assert!(!go.safety.shown, "the file holds no race check");
        // rust-rayon's speedup is the view's, against rust-seq on the same CPUs.
        let rayon = rows.iter().find(|r| r.model == "rust-rayon").unwrap();
        let s = rayon
            .cpu_speedup
            .as_ref()
            .expect("cpu-parallel was measured");
        let i = s.evidence[0].run;
        assert_eq!(Some(s.value), a.runs[i].speedup.map(|e| e.value));
    }

    #[test]
    fn the_safety_column_cites_the_file() {
        let mut file = fixtures::file(vec![fixtures::run_on(
            "shared-counter",
            "py-threads-racy",
            &[("units", 4), ("increments", 250_000)],
            2,
            false,
            &[3_000_000, 3_100_000, 3_200_000],
            &[],
        )]);
        file.safety.push(crate::results::SafetyCheck {
            model: "go-racy".into(),
            lang: Lang::Go,
            check: "race-detector".into(),
            outcome: SafetyOutcome::Reported,
            expected: SafetyOutcome::Reported,
            command: "concbench-go-race shared-counter go-racy".into(),
            excerpt: "WARNING: DATA RACE".into(),
            reason: None,
        });
        let (_, rows) = rows(&file);
        let py = rows.iter().find(|r| r.model == "py-threads").unwrap();
        assert_eq!(py.safety.class, SafetyClass::Silent);
        assert!(py.safety.shown);
        assert!(
            py.safety
                .evidence
                .contains("py-threads-racy lost 1,001 of 1,000,000"),
            "{}",
            py.safety.evidence
        );
        let go = rows.iter().find(|r| r.model == "go-mutex").unwrap();
        assert_eq!(go.safety.evidence, "go-racy reported by -race");
        let rust = rows.iter().find(|r| r.model == "rust-mutex").unwrap();
        assert_eq!(rust.safety.label, "prevented at compile time");
        assert!(!rust.safety.shown);
    }
}
