//! Fixtures shared by the integration tests and the benchmarks (`mod common;` in a test,
//! `#[path = "../tests/common/mod.rs"] mod common;` in a bench): the toolchains of this source
//! tree, a workload's reference answer, and samples and runs as the runner records them.

// Each test or bench uses some of these, never all.
#![allow(dead_code)]

use std::collections::BTreeMap;

use concbench::analysis::summary;
use concbench::catalogue::{reference, Catalogue, Lang};
use concbench::results::{RunResult, Sample, Status};
use concbench::toolchain::{ToolchainOptions, Toolchains};

/// The toolchain options of this source tree, with `go` and `python3` from PATH.
pub fn source_options() -> ToolchainOptions {
    ToolchainOptions::new(None, None).expect("source tree")
}

/// The implementations of `langs` in this source tree, built if need be (builds on stderr).
pub fn toolchains(langs: &[Lang]) -> Toolchains {
    Toolchains::prepare(&source_options(), langs, &mut |msg| eprintln!("{msg}"))
}

/// The harness's own answer for `workload` at `params`: its checksum and its op count.
pub fn answer(workload: &str, params: &BTreeMap<String, u64>) -> (u64, u64) {
    let checksum = reference::checksum(workload, params).unwrap();
    let ops = reference::expected_ops(workload, params).unwrap();
    (checksum, ops)
}

/// A sample of `elapsed_ns` inside the child that answered `checksum` in `ops` operations on
/// `cpus` busy CPUs: 20 ms of start-up around it, 8 MB at its peak, no metrics.
pub fn sample(elapsed_ns: u64, cpus: usize, checksum: u64, ops: u64) -> Sample {
    Sample {
        elapsed_ns,
        wall_ns: elapsed_ns + 20_000_000,
        user_ns: elapsed_ns * cpus as u64,
        sys_ns: elapsed_ns / 20,
        max_rss_kb: 8_000,
        exit_code: 0,
        checksum: checksum.to_string(),
        ops,
        metrics: BTreeMap::new(),
        tree_max_rss_kb: None,
        rss_floor_kb: 100,
        seq: 0,
        settle_ns: 0,
        settled: true,
        round: None,
        extra: None,
    }
}

/// A valid run of a catalogued `model` with these samples, as the runner leaves it: its
/// language and raciness from the catalogue, its reference answer, its summary (a run of
/// spawn-idle at `units = 0` is a baseline).
pub fn valid_run(
    workload: &str,
    model: &str,
    params: BTreeMap<String, u64>,
    cpus: usize,
    pinned: bool,
    samples: Vec<Sample>,
) -> RunResult {
    let catalogued = Catalogue::embedded()
        .workload(workload)
        .and_then(|w| w.model(model))
        .unwrap_or_else(|| panic!("{workload} {model} is not in the catalogue"));
    let (checksum, _) = answer(workload, &params);
    let summary = summary::summarise(&samples, checksum, catalogued.racy);
    RunResult {
        workload: workload.into(),
        model: model.into(),
        lang: catalogued.lang,
        baseline: workload == "spawn-idle" && params.get("units") == Some(&0),
        params,
        cpus,
        pinned,
        valid: true,
        racy: catalogued.racy,
        status: Status::Valid,
        error: None,
        reference_checksum: checksum.to_string(),
        samples,
        summary,
        warnings: Vec::new(),
    }
}
