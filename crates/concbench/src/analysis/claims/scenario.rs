//! What a test's runs are compared within: the scenario key a run belongs to, and the CPUs
//! a run had (or a machine needs) for a test's `min_cpus`. Read by the decision and by its
//! words.

use std::collections::BTreeMap;

use crate::analysis::view;
use crate::catalogue::Workload;
use crate::results::{ResultsFile, RunResult};

/// A run's comparison group as a test reads it: CPUs, placement, the scenario's parameters.
pub(super) type ScenarioKey = (usize, bool, BTreeMap<String, u64>);

/// The CPUs a run had for a test's `min_cpus`: a server's own (its load generator is pinned
/// to the others), anything else's all.
pub(super) fn test_cpus(w: &Workload, file: &ResultsFile, r: &RunResult) -> usize {
    if w.is_server() {
        view::server_cpus(file, r)
    } else {
        r.cpus
    }
}

/// The fewest CPUs a machine needs for a run of `w` to have `min_cpus` of its own.
pub(super) fn machine_cpus_for(w: &Workload, min_cpus: usize) -> usize {
    if w.is_server() {
        (min_cpus..)
            .find(|&n| crate::machine::server_cpus(n) >= min_cpus)
            .expect("the server's share grows with the machine")
    } else {
        min_cpus
    }
}

/// The best speedup `run` could show over one CPU: its `tasks` of nearly equal size on its
/// CPUs take ⌈tasks ÷ CPUs⌉ rounds at best, so tasks ÷ ⌈tasks ÷ CPUs⌉ (8 tasks: 2 on 2
/// CPUs, 4 on 6, 8 on 16). A run without `tasks` could use every CPU.
pub(super) fn ideal_speedup(run: &RunResult) -> f64 {
    let cpus = run.cpus.max(1) as u64;
    match run.params.get("tasks").copied() {
        Some(tasks) if tasks > 0 => tasks as f64 / tasks.div_ceil(cpus) as f64,
        _ => cpus as f64,
    }
}
