//! io-server's `rate = "auto"`: the open loop that measures latency is offered a fixed rate
//! well under every contender's capacity, so that its percentiles are the latency of a
//! request, not the queue a saturated closed loop builds. The rate is half the requests per
//! second of the slowest contender's closed-loop run in the same scenario, measured earlier
//! in the same block; every model of the scenario is offered that one rate.

use std::collections::BTreeMap;

use crate::catalogue::{Catalogue, Role};
use crate::results::{OfferedRate, RunResult};
use crate::run::plan::RunSpec;
use crate::stats;

/// The share of the slowest contender's closed-loop req/s that the open loop offers: at half
/// its capacity, the slowest model's queue stays short (an M/D/1 queue at 50% load waits on
/// average half a service time), and the faster ones are further below theirs.
pub const SHARE: f64 = 0.5;

/// True when `closed` is a closed-loop run of `open`'s scenario: same workload, CPUs and
/// placement, every parameter alike but `rate` (0 in `closed`), `alloc` (the open loop's
/// allocating requests are sized from the closed loop's capacity without allocation: writing
/// 64 KiB costs microseconds against the hundreds a Python request takes, well inside the
/// half's margin) and a calibrated one, which need only agree on being 0 or not (its step
/// count differs per language).
fn same_scenario(catalogue: &Catalogue, open: &RunSpec, closed: &RunResult) -> bool {
    let Some(workload) = catalogue.workload(&open.workload) else {
        return false;
    };
    closed.workload == open.workload
        && (closed.cpus, closed.pinned) == (open.cpus, open.pinned)
        && closed.params.get("rate") == Some(&0)
        && open.params.iter().all(|(name, v)| {
            let theirs = closed.params.get(name).copied();
            match name.as_str() {
                "rate" | "alloc" => true,
                _ if workload.param(name).is_some_and(|p| p.calibrated) => {
                    theirs.is_some_and(|t| (t > 0) == (*v > 0))
                }
                _ => theirs == Some(*v),
            }
        })
}

/// The rate to offer `open`'s scenario, from the closed-loop runs measured so far
/// (`measured`: the block's runs with their samples): [`SHARE`] of the lowest median req/s
/// among the contenders (the C baselines left out), with the run it came from; `Err` with
/// the reason when none of them has a valid sample yet.
pub fn offered_rate(
    catalogue: &Catalogue,
    open: &RunSpec,
    measured: &[&RunResult],
) -> Result<OfferedRate, String> {
    let slowest = measured
        .iter()
        .filter(|r| same_scenario(catalogue, open, r))
        .filter(|r| {
            catalogue
                .workload(&r.workload)
                .and_then(|w| w.model(&r.model))
                .is_some_and(|m| m.role != Role::Baseline)
        })
        .filter_map(|r| {
            let rps: Vec<f64> = r
                .samples
                .iter()
                .filter_map(|s| s.metrics.get("rps").map(|v| *v as f64))
                .collect();
            Some((r, stats::median(&rps)?))
        })
        .filter(|(_, rps)| *rps > 0.0)
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let Some((run, rps)) = slowest else {
        return Err(format!(
            "rate = \"auto\": no closed-loop run of this scenario ({}) was measured before it, \
             so there is no capacity to offer half of; give a rate with --set {}.rate=N",
            scenario_text(&open.params),
            open.workload
        ));
    };
    Ok(OfferedRate {
        workload: open.workload.clone(),
        params: open
            .params
            .iter()
            .filter(|(k, _)| *k != "rate")
            .map(|(k, v)| (k.clone(), *v))
            .collect(),
        rate: (rps * SHARE).round().max(1.0) as u64,
        share: SHARE,
        slowest_model: run.model.clone(),
        slowest_rps: rps.round() as u64,
    })
}

/// `connections=100 cpu=0 ...`: a scenario's parameters, for messages.
fn scenario_text(params: &BTreeMap<String, u64>) -> String {
    params
        .iter()
        .filter(|(k, _)| *k != "rate")
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `a` and `b` are open-loop runs of one scenario, which share one offered rate.
pub fn same_open_scenario(catalogue: &Catalogue, a: &RunSpec, b: &RunSpec) -> bool {
    let Some(workload) = catalogue.workload(&a.workload) else {
        return false;
    };
    a.workload == b.workload
        && (a.cpus, a.pinned) == (b.cpus, b.pinned)
        && a.params.iter().all(|(name, v)| {
            let theirs = b.params.get(name).copied();
            if workload.param(name).is_some_and(|p| p.calibrated) {
                theirs.is_some_and(|t| (t > 0) == (*v > 0))
            } else {
                theirs == Some(*v)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::server;

    fn open_spec() -> RunSpec {
        crate::fixtures::plan_of("standard", "io-server", &["go-net-http"], 2)
            .into_iter()
            .find(|s| s.auto_rate)
            .expect("the standard suite has an open-loop scenario")
    }

    #[test]
    fn the_open_loop_is_offered_half_the_slowest_contenders_closed_loop_rate() {
        let catalogue = Catalogue::embedded();
        let open = open_spec();
        let conns = open.params["connections"];
        let cpu = open.params["cpu"];
        let mut fast = server("rust-tokio", cpu, conns, 20_000, 5_000, 1_000, 1, 1);
        let mut slow = server("py-threads", cpu, conns, 3_000, 50_000, 1_000, 1, 1);
        // Another connection count, slower still: not this scenario.
        let other = server("py-asyncio", cpu, conns + 1, 500, 50_000, 1_000, 1, 1);
        for r in [&mut fast, &mut slow] {
            r.params = open.params.clone();
            r.params.insert("rate".into(), 0);
            // The closed loop does not allocate; the open loop's requests do.
            r.params.insert("alloc".into(), 0);
        }
        assert!(open.params["alloc"] > 0, "the standard open loop allocates");
        let got = offered_rate(catalogue, &open, &[&fast, &slow, &other]).unwrap();
        assert_eq!(
            (got.rate, got.slowest_model.as_str()),
            (1_500, "py-threads")
        );
        assert_eq!(got.slowest_rps, 3_000);
        assert!(!got.params.contains_key("rate"));

        // Nothing measured in the scenario yet: the run cannot start, and says why.
        let why = offered_rate(catalogue, &open, &[&other]).unwrap_err();
        assert!(why.contains("no closed-loop run of this scenario"), "{why}");
    }
}
