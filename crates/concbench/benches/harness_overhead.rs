//! How much time the harness adds to each run beyond the child's own wall time, for a model
//! whose elapsed time is about 1 ms (target: ≤ 5 ms), with every run started through
//! `concbench-launch` and started directly (the launcher's fork and exec show in the child's
//! wall time, not in its elapsed time). Prints figures; asserts nothing, since a timed
//! assertion would flake on a noisy machine.
//!
//! cargo bench -p concbench --bench harness_overhead

use std::time::Instant;

use concbench::catalogue::{Catalogue, Lang};
use concbench::format::format_ns;
use concbench::machine::Machine;
use concbench::results::ResultsFile;
use concbench::run::plan::{self, Selection};
use concbench::run::runner::{self, RunConfig, Silent};
use concbench::stats::median;

#[path = "../tests/common/mod.rs"]
mod common;

const RUNS: u32 = 50;

fn main() {
    let catalogue = Catalogue::embedded();
    let toolchains = common::toolchains(&[Lang::Rust]);
    let selection = Selection {
        suite: "quick".into(),
        workloads: Some(vec!["cpu-parallel".into()]),
        models: Some(vec!["rust-seq".into()]),
        sets: vec![
            "cpu-parallel.tasks=1".parse().unwrap(),
            "cpu-parallel.n=1000000".parse().unwrap(),
        ],
        ..Selection::default()
    };
    let machine = Machine::current();
    let plan = plan::build(catalogue, &selection, machine.allowed_cpus.len()).unwrap();
    println!("cpu-parallel rust-seq tasks=1 n=1000000, {RUNS} runs");
    let mut direct = toolchains.clone();
    for imp in direct.langs.values_mut().flatten() {
        imp.launcher = None;
    }
    for (how, toolchains) in [
        ("through concbench-launch", &toolchains),
        ("started directly", &direct),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let config = RunConfig {
            out: dir.path().join("r.json"),
            order_seed: 1,
            steadiness: false,
            settle: false,
            wait_steady: std::time::Duration::ZERO,
            interrupt: concbench::run::Interrupt::new(),
            budget: std::time::Duration::ZERO,
        };
        let file = ResultsFile::new("quick", vec![], machine.clone(), toolchains.versions());
        let started = Instant::now();
        let file =
            runner::execute(catalogue, toolchains, &plan, &config, file, &mut Silent).unwrap();
        let total = started.elapsed().as_nanos() as f64;
        let run = &file.runs[0];
        assert!(run.valid, "{:?}", run.error);
        let walls: Vec<f64> = run.samples.iter().map(|s| s.wall_ns as f64).collect();
        let elapsed: Vec<f64> = run.samples.iter().map(|s| s.elapsed_ns as f64).collect();
        let overhead = (total - walls.iter().sum::<f64>()) / RUNS as f64;
        println!("{how}:");
        println!(
            "  elapsed inside the child (median): {}",
            format_ns(median(&elapsed).unwrap() as u64)
        );
        println!(
            "  child wall time (median):          {}",
            format_ns(median(&walls).unwrap() as u64)
        );
        println!(
            "  harness time per run beyond it:    {} (target ≤ 5 ms)",
            format_ns(overhead as u64)
        );
    }
}
