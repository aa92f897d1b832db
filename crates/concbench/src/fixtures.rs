//! Fixtures for the unit tests: samples, runs and results files built from a few numbers.

use std::collections::BTreeMap;

use crate::analysis::{summary, warnings};
use crate::catalogue::{reference, Lang};
use crate::machine::steadiness::Steadiness;
use crate::results::{Block, ResultsFile, RunResult, Sample, Summary, SCHEMA};
use crate::run::plan::{self, RunSpec, Selection};

/// The embedded catalogue's plan of `suite` for one workload's `models`, on a machine of
/// `cpus` CPUs.
pub fn plan_of(suite: &str, workload: &str, models: &[&str], cpus: usize) -> Vec<RunSpec> {
    let sel = Selection {
        suite: suite.into(),
        workloads: Some(vec![workload.into()]),
        models: Some(models.iter().map(|m| m.to_string()).collect()),
        ..Default::default()
    };
    plan::build(crate::catalogue::Catalogue::embedded(), &sel, cpus).unwrap()
}

/// A sample that took `elapsed_ns` (wall 2 ms more, two cores busy) and answered `checksum`.
pub fn sample(elapsed_ns: u64, checksum: u64, ops: u64) -> Sample {
    Sample {
        elapsed_ns,
        wall_ns: elapsed_ns + 2_000_000,
        user_ns: elapsed_ns * 2,
        sys_ns: elapsed_ns / 20,
        max_rss_kb: 4_000,
        exit_code: 0,
        checksum: checksum.to_string(),
        ops,
        metrics: BTreeMap::new(),
        tree_max_rss_kb: None,
        rss_floor_kb: 0,
        seq: 0,
        settle_ns: 0,
        settled: true,
        round: None,
        extra: None,
    }
}

/// A valid run of `model` on 2 unpinned CPUs, one sample per `elapsed` value, with the
/// reference answer, its summary and its warnings.
pub fn run(workload: &str, model: &str, params: &[(&str, u64)], elapsed: &[u64]) -> RunResult {
    let params: BTreeMap<String, u64> = params.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let reference = reference::checksum(workload, &params).expect("a catalogued workload");
    let ops = reference::expected_ops(workload, &params).expect("a catalogued workload");
    let samples: Vec<Sample> = elapsed.iter().map(|e| sample(*e, reference, ops)).collect();
    let mut r = RunResult {
        workload: workload.into(),
        model: model.into(),
        lang: Lang::all()
            .iter()
            .copied()
            .find(|l| model.starts_with(l.model_prefix()))
            .expect("a model id starts with its language's prefix"),
        params,
        cpus: 2,
        pinned: false,
        baseline: false,
        valid: true,
        racy: false,
        status: crate::results::Status::Valid,
        error: None,
        reference_checksum: reference.to_string(),
        summary: Summary::default(),
        samples,
        warnings: Vec::new(),
    };
    summarise(&mut r);
    r
}

/// A valid cpu-parallel run of `model` (8 tasks of `n`, 2 workers, 2 free CPUs).
pub fn cpu_parallel(model: &str, n: u64, elapsed: &[u64]) -> RunResult {
    run(
        "cpu-parallel",
        model,
        &[("tasks", 8), ("n", n), ("workers", 2)],
        elapsed,
    )
}

/// Recomputes a run's summary and warnings after its samples changed.
pub fn summarise(r: &mut RunResult) {
    let reference = r.reference_checksum.parse().unwrap_or(0);
    r.summary = summary::summarise(&r.samples, reference, r.racy);
    r.warnings = warnings::for_run(r).iter().map(|w| w.to_string()).collect();
}

/// A results file holding `runs`.
pub fn file(runs: Vec<RunResult>) -> ResultsFile {
    ResultsFile {
        schema: SCHEMA.into(),
        concbench_version: "0.1.0".into(),
        started_at: "2026-11-26T23:00:00Z".into(),
        finished_at: None,
        suite: "standard".into(),
        command: vec![],
        interrupted: false,
        machine: Default::default(),
        toolchains: Default::default(),
        runs,
        blocks: Vec::new(),
        safety: Vec::new(),
        calibration: Vec::new(),
        extra: None,
        offered: Vec::new(),
    }
}

/// A run like [`run`], on `cpus` CPUs (pinned or not), with these metrics on every sample;
/// a racy model loses 1000 + i updates in sample i; spawn-idle at units = 0 is a baseline.
pub fn run_on(
    workload: &str,
    model: &str,
    params: &[(&str, u64)],
    cpus: usize,
    pinned: bool,
    elapsed: &[u64],
    metrics: &[(&str, i64)],
) -> RunResult {
    let mut r = run(workload, model, params, elapsed);
    r.cpus = cpus;
    r.pinned = pinned;
    r.racy = model.ends_with("racy");
    r.baseline = workload == "spawn-idle" && r.params["units"] == 0;
    let reference: u64 = r.reference_checksum.parse().unwrap();
    for (i, s) in r.samples.iter_mut().enumerate() {
        s.user_ns = s.elapsed_ns * cpus as u64 * 9 / 10;
        s.max_rss_kb += 100 * i as u64;
        s.metrics = metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        if r.racy {
            s.checksum = (reference - 1000 - i as u64).to_string();
        }
    }
    summarise(&mut r);
    r
}

/// An io-server run of `model` at `connections`: req/s, p99 (µs), server memory (KiB),
/// memory per connection (bytes), server CPU (ns) for 1000 requests.
#[allow(clippy::too_many_arguments)]
pub fn server(
    model: &str,
    cpu: u64,
    connections: u64,
    rps: i64,
    p99_us: i64,
    rss_kb: i64,
    conn_bytes: i64,
    cpu_ns: i64,
) -> RunResult {
    run_on(
        "io-server",
        model,
        &[
            ("delay_us", 1000),
            ("cpu", cpu),
            ("workers", 2),
            ("connections", connections),
            ("requests", 1000),
            ("rate", 0),
        ],
        2,
        false,
        &[100_000_000, 101_000_000, 99_000_000],
        &[
            ("rps", rps),
            ("p99_us", p99_us),
            ("p50_us", p99_us / 3),
            ("p999_us", p99_us + 100),
            ("max_us", p99_us + 200),
            ("rss_kb", rss_kb),
            ("conn_bytes", conn_bytes),
            ("cpu_ns", cpu_ns),
            ("requests", 1000),
        ],
    )
}

/// py-asyncio and rust-tokio, pure I/O and mixed, at 100 connections: server CPU for
/// 1000 requests at cpu=0 and at the mixed sizes.
pub fn mixed_servers(py_mixed_cpu_ns: i64, rust_mixed_cpu_ns: i64) -> Vec<RunResult> {
    vec![
        server(
            "py-asyncio",
            0,
            100,
            6_000,
            5_000,
            25_000,
            2_600,
            100_000_000,
        ),
        server(
            "py-asyncio",
            2_800,
            100,
            1_400,
            90_000,
            25_000,
            2_600,
            py_mixed_cpu_ns,
        ),
        server(
            "rust-tokio",
            0,
            100,
            30_000,
            4_000,
            5_000,
            10_000,
            30_000_000,
        ),
        server(
            "rust-tokio",
            500_000,
            100,
            1_100,
            120_000,
            5_000,
            10_000,
            rust_mixed_cpu_ns,
        ),
    ]
}

/// A steadiness probe that read `cv` on one CPU (and 0.5% with both busy).
pub fn probe(cv: f64) -> Steadiness {
    Steadiness {
        slices: 50,
        cv,
        slowest_over_fastest: 1.1,
        cpus: 2,
        all_busy_speed: 1.0,
        all_busy_cv: 0.005,
        latency_bound_cv: None,
    }
}

/// A block of `workload` whose probes before and after both read `cv`.
pub fn probed_block(workload: &str, cv: f64) -> Block {
    Block {
        workload: workload.into(),
        first_seq: 0,
        last_seq: 0,
        steadiness_before: Some(probe(cv)),
        steadiness_after: Some(probe(cv)),
        steady_wait_ns: 0,
        host_steal: None,
    }
}

/// A file with a bit of everything: pinned cpu-parallel runs on 1 and 2 CPUs, an
/// unavailable model, a racy model, and spawn-idle with its baseline.
pub fn mixed_file() -> ResultsFile {
    let cpu = [("tasks", 8), ("n", 2_000_000), ("workers", 2)];
    let one = [("tasks", 8), ("n", 2_000_000), ("workers", 1)];
    let mut failed = run_on("cpu-parallel", "py-numpy", &cpu, 2, true, &[], &[]);
    failed.valid = false;
    failed.status = crate::results::Status::Unavailable;
    failed.error = Some("unavailable: NumPy is not installed in the Python environment (check that pip can reach the package index, then run again)".into());
    file(vec![
        run_on(
            "cpu-parallel",
            "rust-seq",
            &one,
            1,
            true,
            &[20_000_000, 20_100_000, 19_900_000],
            &[],
        ),
        run_on(
            "cpu-parallel",
            "rust-seq",
            &cpu,
            2,
            true,
            &[20_000_000, 20_200_000, 19_800_000],
            &[],
        ),
        run_on(
            "cpu-parallel",
            "rust-rayon",
            &one,
            1,
            true,
            &[20_500_000, 20_400_000, 20_600_000],
            &[],
        ),
        run_on(
            "cpu-parallel",
            "rust-rayon",
            &cpu,
            2,
            true,
            &[10_400_000, 10_300_000, 10_500_000],
            &[],
        ),
        failed,
        run_on(
            "shared-counter",
            "go-racy",
            &[("units", 4), ("increments", 250_000)],
            2,
            false,
            &[3_000_000, 3_100_000, 2_900_000],
            &[],
        ),
        run_on(
            "spawn-idle",
            "go-goroutines",
            &[("units", 0)],
            2,
            false,
            &[50_000, 51_000, 49_000],
            &[("rss_kb", 4_000), ("spawn_ns", 0)],
        ),
        run_on(
            "spawn-idle",
            "go-goroutines",
            &[("units", 100_000)],
            2,
            false,
            &[90_000_000, 91_000_000, 89_000_000],
            &[("rss_kb", 264_000), ("spawn_ns", 60_000_000)],
        ),
    ])
}
