//! Each run's own figures, computed once: speedup against its language's sequential model,
//! scaling against the same model on one CPU, memory and spawn time per unit against its
//! baseline, lost updates, and a server's figures.

use serde::Serialize;

use super::{elapsed, median_estimate, metric, ratio_of_runs, Estimate};
use crate::catalogue::{reference, Catalogue};
use crate::results::{ResultsFile, RunResult, Status};
use crate::stats;

/// One run's own derived figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunFigures {
    /// The run's model, so that a figure that points at another run can name it.
    pub model: String,
    /// Median time per unit of work, ns.
    pub ns_per_work: Option<f64>,
    /// The median elapsed time, ns, with its order-statistic interval and level.
    pub median: Option<Estimate>,
    /// Against the same language's sequential model at the same sizes and CPUs: its time over
    /// this run's (2.0 = twice as fast).
    pub speedup: Option<Estimate>,
    /// The sequential run that `speedup` is against.
    pub speedup_base: Option<usize>,
    /// Against the same model pinned to one CPU (pinned runs only).
    pub scaling: Option<Scaling>,
    /// spawn-idle: (rss(units) − rss(0)) / units, bytes, against the run's baseline.
    pub mem_per_unit_bytes: Option<f64>,
    /// spawn-idle: spawn time / units, ns.
    pub spawn_per_unit_ns: Option<f64>,
    /// The baseline run that the per-unit figures are against.
    pub per_unit_base: Option<usize>,
    /// Racy models: updates lost (median) and the updates made.
    pub lost_updates: Option<(u64, u64)>,
    /// io-server: what the load generator measured.
    pub server: Option<ServerFigures>,
    /// When the run's samples fall in two clusters ([`stats::modes`]): both modes' medians on
    /// the figure it is ranked by (elapsed ns; requests per second for a server). Its median
    /// then describes neither, and can land on either side from one run to the next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modes: Option<stats::TwoModes>,
}

/// Scaling against one CPU.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Scaling {
    /// The one-CPU run's time over this one's.
    pub speedup: Estimate,
    /// `speedup` / CPUs.
    pub efficiency: f64,
    /// The one-CPU run.
    pub base: usize,
}

/// An io-server run's figures (medians over its samples).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ServerFigures {
    /// Requests answered per second of the load phase.
    pub rps: Estimate,
    /// Latency percentiles, µs.
    pub p50_us: f64,
    /// 99th percentile, µs.
    pub p99_us: f64,
    /// 99.9th percentile, µs.
    pub p999_us: f64,
    /// Largest latency, µs.
    pub max_us: f64,
    /// Server memory per open idle connection, bytes.
    pub mem_per_conn_bytes: Option<f64>,
    /// Server CPU time (user + sys), ns.
    pub cpu_ns: Option<f64>,
    /// The CPUs the server had: the run's, less those its load generator was pinned to.
    pub server_cpus: usize,
}

/// Parameters equal but for the pool size, which follows the CPU count in a sweep.
fn same_sizes(a: &RunResult, b: &RunResult) -> bool {
    let sizes = |r: &RunResult| {
        r.params
            .iter()
            .filter(|(k, _)| k.as_str() != "workers")
            .map(|(k, v)| (k.clone(), *v))
            .collect::<Vec<_>>()
    };
    sizes(a) == sizes(b)
}

/// The figures of one run of `file`.
pub(super) fn run_figures(
    catalogue: &Catalogue,
    file: &ResultsFile,
    run: &RunResult,
) -> RunFigures {
    let mut out = RunFigures {
        model: run.model.clone(),
        ..RunFigures::default()
    };
    let Some(workload) = catalogue.workload(&run.workload) else {
        return out;
    };
    let usable = |r: &RunResult| r.status == Status::Valid && !r.samples.is_empty();
    if run.racy && usable(run) {
        let made: u64 = run.reference_checksum.parse().unwrap_or(0);
        out.lost_updates = run.summary.lost_updates.map(|lost| (lost, made));
    }
    if !usable(run) {
        return out;
    }
    out.median = median_estimate(&elapsed(run));
    out.modes = if workload.is_server() {
        stats::two_modes(&metric(run, "rps"))
    } else {
        stats::two_modes(&elapsed(run))
    };
    let work = reference::work(&run.workload, &run.params).unwrap_or(0.0);
    if work > 0.0 && run.summary.median_elapsed_ns > 0 {
        out.ns_per_work = Some(run.summary.median_elapsed_ns as f64 / work);
    }
    let find = |pred: &dyn Fn(&RunResult) -> bool| {
        file.runs
            .iter()
            .position(|r| r.workload == run.workload && usable(r) && pred(r))
    };
    // Speedup against the language's sequential model at the same sizes, CPUs and placement.
    if let Some(seq) = workload
        .model(&run.model)
        .and_then(|m| workload.sequential_model(m.lang))
    {
        if let Some(i) = find(&|r| {
            r.model == seq.id && r.cpus == run.cpus && r.pinned == run.pinned && same_sizes(r, run)
        }) {
            out.speedup = ratio_of_runs(
                (run, &elapsed(run)),
                (&file.runs[i], &elapsed(&file.runs[i])),
            );
            out.speedup_base = Some(i);
        }
    }
    // Scaling against the same model pinned to one CPU.
    if run.pinned {
        if let Some(i) = find(&|r| {
            r.model == run.model
                && r.pinned
                && r.cpus == 1
                && r.baseline == run.baseline
                && same_sizes(r, run)
        }) {
            if let Some(speedup) = ratio_of_runs(
                (run, &elapsed(run)),
                (&file.runs[i], &elapsed(&file.runs[i])),
            ) {
                out.scaling = Some(Scaling {
                    speedup,
                    efficiency: speedup.value / run.cpus as f64,
                    base: i,
                });
            }
        }
    }
    // Memory and spawn time per unit, against the run's baseline (spawn-idle's units = 0).
    if !workload.baseline.is_empty() && !run.baseline {
        let units = run.params.get("units").copied().unwrap_or(0) as f64;
        if let Some(i) = find(&|r| {
            r.baseline && r.model == run.model && r.cpus == run.cpus && r.pinned == run.pinned
        }) {
            let rss = |r: &RunResult| r.summary.metrics.get("rss_kb").copied().unwrap_or(0) as f64;
            if units > 0.0 {
                out.mem_per_unit_bytes = Some((rss(run) - rss(&file.runs[i])) * 1024.0 / units);
                out.spawn_per_unit_ns = run
                    .summary
                    .metrics
                    .get("spawn_ns")
                    .map(|ns| *ns as f64 / units);
                out.per_unit_base = Some(i);
            }
        }
    }
    if workload.is_server() {
        let m = |name: &str| stats::median(&metric(run, name));
        if let Some(rps) = median_estimate(&metric(run, "rps")) {
            out.server = Some(ServerFigures {
                rps,
                p50_us: m("p50_us").unwrap_or(0.0),
                p99_us: m("p99_us").unwrap_or(0.0),
                p999_us: m("p999_us").unwrap_or(0.0),
                max_us: m("max_us").unwrap_or(0.0),
                mem_per_conn_bytes: m("conn_bytes"),
                cpu_ns: m("cpu_ns"),
                server_cpus: server_cpus(file, run),
            });
        }
    }
    out
}

/// The CPUs a server run gave the server: as recorded (`server_cpus`), or, in files from
/// before it was, as the harness places a server: the run's CPUs less the load generator's
/// share of the machine's.
pub fn server_cpus(file: &ResultsFile, run: &RunResult) -> usize {
    if let Some(n) = run.summary.metrics.get("server_cpus") {
        return (*n).max(1) as usize;
    }
    let allowed = match file.machine.allowed_cpus.len() {
        0 => run.cpus,
        n => n,
    };
    run.cpus.min(crate::machine::server_cpus(allowed)).max(1)
}

/// A server run's CPU (user + sys, medians over its samples) per request answered, ms.
pub fn cpu_ms_per_request(file: &ResultsFile, run: usize) -> Option<f64> {
    let m = &file.runs[run].summary.metrics;
    let (cpu, requests) = (*m.get("cpu_ns")? as f64, *m.get("requests")? as f64);
    (requests > 0.0).then(|| cpu / requests / 1e6)
}
