//! Fixtures for the unit tests: samples, runs and results files built from a few numbers.

use std::collections::BTreeMap;

use crate::analysis::{summary, warnings};
use crate::catalogue::reference;
use crate::results::{ResultsFile, RunResult, Sample, Summary, SCHEMA};

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
        lang: model
            .split('-')
            .next()
            .unwrap_or("")
            .replace("py", "python"),
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
    }
}
