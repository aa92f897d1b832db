//! How long a full-suite report takes to build and render, and how big the HTML page is: a
//! synthetic results file holds every run the `full` suite plans (every workload and model
//! of the catalogue, its sweeps, on 4 CPUs), 5 counted samples each, with plausible times
//! and metrics. Targets: the whole report written in ≤ 1 s; the HTML page of a standard run
//! under 2 MB. Prints figures; asserts nothing, since a timed assertion would flake on a
//! noisy machine.
//!
//! cargo bench -p concbench --bench report

use std::collections::BTreeMap;
use std::time::Instant;

use concbench::catalogue::{reference, Catalogue};
use concbench::format::format_ns;
use concbench::machine::Machine;
use concbench::report::{Format, Render, Report};
use concbench::results::{ResultsFile, RunResult, Sample};
use concbench::run::plan::{self, Selection};

#[path = "../tests/common/mod.rs"]
mod common;

/// A small, deterministic hash of a name, to spread the synthetic figures.
fn spread(s: &str) -> u64 {
    s.bytes().fold(1469598103934665603u64, |h, b| {
        (h ^ b as u64).wrapping_mul(1099511628211)
    })
}

fn synthetic(suite: &str, cpus: usize) -> ResultsFile {
    let catalogue = Catalogue::embedded();
    let selection = Selection {
        suite: suite.into(),
        ..Default::default()
    };
    let plan = plan::build(catalogue, &selection, cpus).expect("the suite plans");
    let mut file = ResultsFile::new(
        suite,
        vec![
            "concbench".into(),
            "run".into(),
            "--suite".into(),
            suite.into(),
        ],
        Machine {
            cpu_model: "synthetic".into(),
            logical_cpus: cpus,
            allowed_cpus: (0..cpus).collect(),
            ..Default::default()
        },
        BTreeMap::new(),
    );
    let mut seq = 0;
    for spec in &plan {
        let (reference, ops) = common::answer(&spec.workload, &spec.params);
        let work = reference::work(&spec.workload, &spec.params).unwrap_or(1.0);
        let h = spread(&spec.model);
        let per_unit = 1.0 + (h % 400) as f64 / 4.0;
        let elapsed = (work * per_unit / spec.cpus as f64) as u64 + 10_000;
        let racy = spec.model.ends_with("racy");
        let units = spec.params.get("units").copied().unwrap_or(0) as i64;
        let samples: Vec<Sample> = (0..5u64)
            .map(|k| {
                seq += 1;
                let e = elapsed + elapsed * (k * 7 % 5) / 100;
                let mut metrics = BTreeMap::new();
                if spec.workload == "spawn-idle" {
                    metrics.insert("rss_kb".into(), 4_000 + units * (1 + (h % 10) as i64));
                    metrics.insert("spawn_ns".into(), units * 300);
                }
                if spec.workload == "io-server" {
                    let c = spec.params.get("connections").copied().unwrap_or(1) as i64;
                    for (name, v) in [
                        ("rps", 5_000 + (h % 5_000) as i64 + k as i64 * 10),
                        ("p50_us", 1_000 + c),
                        ("p90_us", 1_100 + 2 * c),
                        ("p99_us", 1_200 + 5 * c),
                        ("p999_us", 1_500 + 9 * c),
                        ("max_us", 2_000 + 20 * c),
                        ("conn_bytes", 9_000),
                        ("cpu_ns", 100_000_000),
                        ("errors", 0),
                        ("timeouts", 0),
                    ] {
                        metrics.insert(name.into(), v);
                    }
                }
                let answer = if racy {
                    reference.saturating_sub(1000 + k)
                } else {
                    reference
                };
                Sample {
                    metrics,
                    seq,
                    ..common::sample(e, spec.cpus, answer, ops)
                }
            })
            .collect();
        let run = common::valid_run(
            &spec.workload,
            &spec.model,
            spec.params.clone(),
            spec.cpus,
            spec.pinned,
            samples,
        );
        file.runs.push(RunResult {
            baseline: spec.baseline,
            ..run
        });
    }
    file
}

fn measure(suite: &str, cpus: usize) {
    let file = synthetic(suite, cpus);
    let samples: usize = file.runs.iter().map(|r| r.samples.len()).sum();
    println!(
        "suite {suite} on {cpus} CPUs: {} runs, {samples} samples",
        file.runs.len()
    );
    let start = Instant::now();
    let report = Report::new(Catalogue::embedded(), &file);
    let analysed = start.elapsed();
    println!(
        "  Report::new (view, findings, claims, models)  {:>12}",
        format_ns(analysed.as_nanos() as u64)
    );
    let mut total = analysed;
    for &format in Report::FORMATS {
        let start = Instant::now();
        let bytes = report.render(format).expect("renders").into_bytes();
        let took = start.elapsed();
        total += took;
        println!(
            "  {:<34} {:>12}  {:>9.1} KiB",
            format!("{format:?}"),
            format_ns(took.as_nanos() as u64),
            bytes.len() as f64 / 1024.0
        );
        if format == Format::Html {
            let charts = String::from_utf8_lossy(&bytes)
                .matches("data-chart=")
                .count();
            println!(
                "  {:<34} {:>12}  (target < 2 MB for a standard run)",
                format!("  html: {charts} charts"),
                format!("{:.2} MB", bytes.len() as f64 / 1e6)
            );
        }
    }
    println!(
        "  everything                         {:>12}  (target ≤ 1 s)",
        format_ns(total.as_nanos() as u64)
    );
}

/// The analysis view alone (every group ranked, every interval), on a file of many runs: the
/// full suite planned on `cpus` CPUs, its CPU sweeps making most of the runs. Target: under
/// 1 s for a few thousand runs.
fn measure_view(suite: &str, cpus: usize) {
    let file = synthetic(suite, cpus);
    let start = Instant::now();
    let view = concbench::analysis::view::analyse(Catalogue::embedded(), &file);
    let took = start.elapsed();
    println!(
        "suite {suite} on {cpus} CPUs: {} runs: the analysis view {:>12}  ({} workloads; target < 1 s)",
        file.runs.len(),
        format_ns(took.as_nanos() as u64),
        view.workloads.len()
    );
}

fn main() {
    measure("full", 4);
    measure("standard", 4);
    for cpus in [32, 48, 64] {
        measure_view("full", cpus);
    }
}
