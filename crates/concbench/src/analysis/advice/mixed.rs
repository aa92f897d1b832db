//! Figures from mixed-service beside the advice of a profile that both waits and computes:
//! each design with every CPU serving (no load generator), at the offered rate that was
//! measured. They are shown as evidence, not ranked into the rows: the rows read io-server,
//! whose sizes the profile is matched to, and mixed-service measures one rate only.

use super::{Inputs, Profile};
use crate::results::Status;

/// One line per valid mixed-service run of the profile's languages, at the most CPUs
/// measured: achieved requests/s of the offered rate and p99 from the intended arrival.
/// Empty unless the profile has both an I/O wait and CPU work.
pub(super) fn evidence(profile: &Profile, inputs: &Inputs) -> Vec<String> {
    if profile.io_ms <= 0.0 || profile.cpu_ms <= 0.0 {
        return Vec::new();
    }
    let runs: Vec<(usize, &crate::results::RunResult)> = inputs
        .file
        .runs
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.workload == "mixed-service"
                && r.status == Status::Valid
                && profile.langs.contains(&r.lang)
        })
        .collect();
    let Some(cpus) = runs.iter().map(|(_, r)| r.cpus).max() else {
        return Vec::new();
    };
    runs.iter()
        .filter(|(_, r)| r.cpus == cpus)
        .filter_map(|&(i, r)| {
            let m = &r.summary.metrics;
            let (rps, p99) = (m.get("rps")?, m.get("p99_us")?);
            let rate = r.params.get("rate").copied().unwrap_or(0);
            Some(format!(
                "{}: {rps} req/s of {rate}/s offered, p99 {} ms (mixed-service run {i}: cpu={} delay_us={}, {cpus} CPUs serving)",
                r.model,
                super::rate_text(*p99 as f64 / 1000.0),
                r.params.get("cpu").copied().unwrap_or(0),
                r.params.get("delay_us").copied().unwrap_or(0),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{advise_on, profile};
    use crate::fixtures;

    #[test]
    fn a_profile_that_waits_and_computes_gets_the_in_process_figures() {
        let params = [
            ("rate", 300),
            ("requests", 750),
            ("delay_us", 1000),
            ("cpu", 16_000),
            ("workers", 2),
        ];
        let run = |model: &str, rps: i64, p99: i64| {
            fixtures::run_on(
                "mixed-service",
                model,
                &params,
                2,
                false,
                &[1; 3],
                &[("rps", rps), ("p99_us", p99)],
            )
        };
        let runs = || {
            vec![
                run("py-asyncio", 230, 700_000),
                run("py-asyncio-processes", 298, 15_000),
            ]
        };
        let mixed = profile(|i| {
            i.concurrency = Some(100.0);
            i.io_ms = Some(5.0);
            i.cpu_ms = Some(4.0);
            i.langs = Some(vec!["python".into()]);
        });
        let (_, a) = advise_on(runs(), &mixed);
        assert_eq!(a.mixed_service.len(), 2, "{:?}", a.mixed_service);
        assert!(
            a.mixed_service[1].starts_with(
                "py-asyncio-processes: 298 req/s of 300/s offered, p99 15 ms (mixed-service run 1"
            ),
            "{}",
            a.mixed_service[1]
        );
        let pure_io = profile(|i| {
            i.concurrency = Some(100.0);
            i.io_ms = Some(5.0);
            i.cpu_ms = Some(0.0);
        });
        assert!(advise_on(runs(), &pure_io).1.mixed_service.is_empty());
        let go = profile(|i| {
            i.concurrency = Some(100.0);
            i.io_ms = Some(5.0);
            i.cpu_ms = Some(4.0);
            i.langs = Some(vec!["go".into()]);
        });
        assert!(advise_on(runs(), &go).1.mixed_service.is_empty());
    }
}
