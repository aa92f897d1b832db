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
        crate::machine::cpus_for_server(min_cpus)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::fixtures;

    #[test]
    fn a_server_counts_its_own_cpus_and_an_in_process_service_all() {
        let catalogue = Catalogue::embedded();
        let (io, mixed) = (
            catalogue.workload("io-server").unwrap(),
            catalogue.workload("mixed-service").unwrap(),
        );
        let mut server = fixtures::server(
            "py-asyncio-processes",
            2_800,
            100,
            2_000,
            60_000,
            60_000,
            1_000,
            1_100_000_000,
        );
        server.cpus = 2;
        let service = fixtures::run_on(
            "mixed-service",
            "py-asyncio-processes",
            &[
                ("rate", 300),
                ("requests", 750),
                ("delay_us", 1000),
                ("cpu", 16_000),
                ("workers", 2),
            ],
            2,
            false,
            &[1; 3],
            &[],
        );
        let file = fixtures::file(vec![server.clone(), service.clone()]);
        // On 2 CPUs the load generator takes one: the server has the other.
        assert_eq!(test_cpus(io, &file, &server), 1);
        assert_eq!(test_cpus(mixed, &file, &service), 2);
        // A server needs a machine of 3 CPUs to have 2 of its own; the service needs 2.
        assert_eq!(machine_cpus_for(io, 2), 3);
        assert_eq!(machine_cpus_for(mixed, 2), 2);
        // The CPUs the server recorded win over the placement rule.
        for s in &mut server.samples {
            s.metrics.insert("server_cpus".into(), 2);
        }
        fixtures::summarise(&mut server);
        assert_eq!(test_cpus(io, &file, &server), 2);
    }
}
