//! Where the profile lies away from what was measured: each dimension said in words, with
//! the measured point the advice stands on instead, and the `concbench run` commands that
//! would measure the profile's own point.

use super::scenario::{Scenario, Stood};
use super::{factor, median, Advice, Extrapolation, Inputs, NEAR};
use crate::analysis::profile::{num, Profile};
use crate::analysis::view::cpu_ms_per_request;
use crate::catalogue::selection::{Selection, SetOverride};
use crate::catalogue::{Lang, Workload};
use crate::results::ResultsFile;

/// "10–100" or "1000".
fn range(values: &[u64]) -> String {
    let (lo, hi) = (values.iter().min(), values.iter().max());
    match (lo, hi) {
        (Some(l), Some(h)) if l != h => format!("{l}–{h}"),
        (Some(l), _) => l.to_string(),
        _ => "nothing".into(),
    }
}

/// `--set io-server.param=value`.
fn io_set(param: &str, value: u64) -> SetOverride {
    SetOverride {
        workload: "io-server".into(),
        param: param.into(),
        value,
    }
}

/// A run of io-server with these models (`None`: every model), sets and CPU count.
fn io_run(models: Option<Vec<String>>, sets: Vec<SetOverride>, cpus: Option<usize>) -> Selection {
    Selection {
        models,
        sets,
        cpus: cpus.map(|n| vec![n]),
        ..Selection::measure(vec!["io-server".into()])
    }
}

/// The io-server path's extrapolations and commands: connections, I/O wait, CPU per request
/// and CPU count; and, where a p99 at the profile's rate was not measured, the open-loop runs
/// that measure it.
pub(super) fn io(
    profile: &Profile,
    inputs: &Inputs,
    workload: &Workload,
    scenario: &Scenario,
    models: &[(String, Lang)],
    mut stood: Stood,
    advice: &mut Advice,
) {
    let n = profile.concurrency;
    let max = workload.param("connections").map_or(u64::MAX, |p| p.max);
    let mut sets = far_connections(n, max, &mut stood, advice);
    sets.extend(far_delay(profile, &mut stood.delays, advice));
    let cpus = cpus_extrapolation(profile, inputs.file, scenario.cpus, advice);
    if cpu_far(profile, scenario) {
        cpu_commands(profile, inputs, scenario, models, &sets, cpus, advice);
    } else if !sets.is_empty() || cpus.is_some() || stood.unmeasured_latency {
        if stood.unmeasured_latency && !sets.iter().any(|s| s.param == "connections") {
            // The closed-loop runs the open-loop ones are read beside, at the same point.
            sets.push(io_set("connections", n.min(max)));
        }
        advice.commands.push(io_run(None, sets, cpus));
    }
    if let (true, Some(rate)) = (stood.unmeasured_latency, profile.rate) {
        open_loop_commands(n.min(max), rate, advice);
    }
}

/// The profile's concurrency against the connections measured, `max` the most io-server
/// measures: far from every run the rows stand on, said, and the sets that measure it.
fn far_connections(n: u64, max: u64, stood: &mut Stood, advice: &mut Advice) -> Vec<SetOverride> {
    let mut sets = Vec::new();
    stood.measured.sort_unstable();
    stood.measured.dedup();
    stood.connections.sort_unstable();
    stood.connections.dedup();
    let far = |v: u64| factor(v as f64, n as f64) > NEAR;
    if stood.connections.is_empty() || !stood.connections.iter().all(|&c| far(c)) {
        return sets;
    }
    advice.extrapolations.push(Extrapolation {
        what: format!(
            "concurrency {n}: io-server was measured at {} connections{}",
            range(&stood.measured),
            if n > max {
                format!(" (and measures at most {max})")
            } else {
                String::new()
            }
        ),
        stands_on: format!("connections={}", range(&stood.connections)),
    });
    let conns = n.min(max);
    // `requests` is only a floor: each sample opens every connection and has each answered
    // once (the ramp, left out), then runs `duration_ms` of steady load.
    sets.push(io_set("connections", conns));
    sets
}

/// The profile's I/O wait against the waits measured: far from every one, said, and the set
/// that measures it.
fn far_delay(profile: &Profile, delays: &mut Vec<u64>, advice: &mut Advice) -> Option<SetOverride> {
    delays.sort_unstable();
    delays.dedup();
    let want_delay = (profile.io_ms * 1000.0).round() as u64;
    if delays.is_empty()
        || !delays
            .iter()
            .all(|&d| factor(d as f64, want_delay as f64) > NEAR)
    {
        return None;
    }
    advice.extrapolations.push(Extrapolation {
        what: format!(
            "I/O wait {} ms: io-server waited {} µs per request",
            num(profile.io_ms),
            range(delays)
        ),
        stands_on: format!("delay_us={}", range(delays)),
    });
    Some(io_set("delay_us", want_delay.max(1)))
}

/// True when the profile's CPU per request is far from the scenario's.
fn cpu_far(profile: &Profile, scenario: &Scenario) -> bool {
    if scenario.cpu == "0" {
        profile.cpu_ms > scenario.cost * NEAR && profile.cpu_ms > 0.0
    } else {
        factor(profile.cpu_ms, scenario.cost) > NEAR
    }
}

/// The profile's CPU per request, said, and per language the command that measures it.
fn cpu_commands(
    profile: &Profile,
    inputs: &Inputs,
    scenario: &Scenario,
    models: &[(String, Lang)],
    sets: &[SetOverride],
    cpus: Option<usize>,
    advice: &mut Advice,
) {
    advice.extrapolations.push(Extrapolation {
        what: format!(
            "CPU {} ms per request: the {} scenario's server CPU per request was {} ms",
            num(profile.cpu_ms),
            scenario.name(),
            num(scenario.cost)
        ),
        stands_on: format!("the {} scenario", scenario.name()),
    });
    // The calibrated `cpu` parameter is a step count whose cost differs per language:
    // scale each language's mixed value by its own measured cost per request.
    for lang in &profile.langs {
        let mixed: Vec<(u64, f64)> = scenario
            .at_cpus
            .iter()
            .filter(|g| g.scenario.get("cpu").map(String::as_str) == Some(">0"))
            .flat_map(|g| g.ranking.iter())
            .filter(|r| r.lang == *lang)
            .filter_map(|r| {
                Some((
                    *r.evidence.params.get("cpu")?,
                    cpu_ms_per_request(inputs.file, r.evidence.run)?,
                ))
            })
            .collect();
        let steps_per_ms = median(mixed.iter().map(|(s, ms)| *s as f64 / ms).collect());
        let lang_models: Vec<String> = models
            .iter()
            .filter(|(_, l)| l == lang)
            .map(|(m, _)| m.clone())
            .collect();
        if let (Some(k), false) = (steps_per_ms, lang_models.is_empty()) {
            let mut s = sets.to_vec();
            s.push(io_set("cpu", (k * profile.cpu_ms).round() as u64));
            advice.commands.push(io_run(Some(lang_models), s, cpus));
        }
    }
}

/// Requests an open-loop run measures at least: its p99 then stands on the 20 slowest.
const OPEN_LOOP_REQUESTS: u64 = 2_000;

/// Each command so far again, open loop at the profile's rate on `conns` connections: the
/// closed-loop runs give the capacity, these the p99, so a file measured from the commands
/// answers on its own.
fn open_loop_commands(conns: u64, rate: f64, advice: &mut Advice) {
    let rate = rate.ceil() as u64;
    for mut c in advice.commands.clone() {
        c.sets.retain(|s| {
            !matches!(
                s.param.as_str(),
                "connections" | "requests" | "rate" | "duration_ms"
            )
        });
        c.sets
            .extend([io_set("connections", conns), io_set("rate", rate)]);
        // The p99 of at least OPEN_LOOP_REQUESTS latencies: a longer steady phase where the
        // rate is low (the suite's 1 s is enough from 2,000/s).
        let ms = (OPEN_LOOP_REQUESTS * 1000).div_ceil(rate.max(1));
        if ms > 1000 {
            c.sets.push(io_set("duration_ms", ms));
        }
        advice.commands.push(c);
    }
}

/// The job path's extrapolations and command: workers and units far from the profile's
/// concurrency, and the CPU count. `workers` and `units` are those the rows stood on.
pub(super) fn jobs(
    profile: &Profile,
    file: &ResultsFile,
    pool: &Workload,
    cpus: usize,
    mut workers: Vec<u64>,
    mut units: Vec<u64>,
    advice: &mut Advice,
) {
    let n = profile.concurrency;
    let (mut workloads, mut sets) = (Vec::new(), Vec::new());
    let far = |v: u64| factor(v as f64, n as f64) > NEAR;
    workers.sort_unstable();
    workers.dedup();
    if !workers.is_empty() && workers.iter().all(|&w| far(w)) {
        advice.extrapolations.push(Extrapolation {
            what: format!(
                "concurrency {n}: worker-pool ran {} workers",
                range(&workers)
            ),
            stands_on: format!("workers={}", range(&workers)),
        });
        let max = pool.param("workers").map_or(u64::MAX, |p| p.max);
        workloads.push("worker-pool".to_string());
        sets.push(SetOverride {
            workload: "worker-pool".into(),
            param: "workers".into(),
            value: n.min(max),
        });
    }
    units.sort_unstable();
    units.dedup();
    // Fewer units than measured only overstates the memory: the risk is above.
    if !units.is_empty() && units.iter().all(|&u| far(u) && u < n) {
        advice.extrapolations.push(Extrapolation {
            what: format!("concurrency {n}: spawn-idle held {} units", range(&units)),
            stands_on: format!("units={}", range(&units)),
        });
        workloads.push("spawn-idle".to_string());
        sets.push(SetOverride {
            workload: "spawn-idle".into(),
            param: "units".into(),
            value: n,
        });
    }
    let cpus = cpus_extrapolation(profile, file, cpus, advice);
    if cpus.is_some() && workloads.is_empty() {
        workloads = advice.workloads.clone();
    }
    if !workloads.is_empty() {
        advice.commands.push(Selection {
            sets,
            cpus: cpus.map(|n| vec![n]),
            ..Selection::measure(workloads)
        });
    }
}

/// Notes a CPU count unlike the measured one; returns `--cpus` for the command when this
/// machine has that many.
fn cpus_extrapolation(
    profile: &Profile,
    file: &ResultsFile,
    measured: usize,
    advice: &mut Advice,
) -> Option<usize> {
    let want = profile.cpus?;
    if want == measured {
        return None;
    }
    let here = file.machine.allowed_cpus.len();
    let fits = here == 0 || want <= here;
    advice.extrapolations.push(Extrapolation {
        what: format!(
            "{want} CPUs: the runs had {measured}{}",
            if fits {
                String::new()
            } else {
                format!(" (this machine has {here}: measure on the target machine)")
            }
        ),
        stands_on: format!("{measured} CPUs"),
    });
    fits.then_some(want)
}

#[cfg(test)]
mod tests {
    use crate::analysis::advice::tests::{advise_on, gateway_runs, profile};
    use crate::fixtures::server;

    #[test]
    fn a_cpu_share_unlike_the_scenario_gets_one_command_per_language() {
        let mut runs = gateway_runs();
        // Mixed: Rust does 500,000 steps in ~1 ms, Python 2,800.
        runs.push(server(
            "rust-tokio",
            500_000,
            100,
            900,
            110_000,
            5_000,
            4 * 1024,
            1_000_000_000,
        ));
        runs.push(server(
            "py-asyncio",
            2_800,
            100,
            600,
            170_000,
            25_000,
            2 * 1024,
            1_250_000_000,
        ));
        let p = profile(|i| {
            i.concurrency = Some(100.0);
            i.io_ms = Some(1.0);
            i.cpu_ms = Some(0.9);
        });
        // 0.9 ms is nearer the mixed scenario's CPU per request (1.125 ms) than pure I/O's.
        let (_, a) = advise_on(runs.clone(), &p);
        assert!(a.basis.contains("mixed (cpu>0)"), "{}", a.basis);
        assert!(a.extrapolations.is_empty());
        let p = profile(|i| {
            i.concurrency = Some(100.0);
            i.io_ms = Some(4.0);
            i.cpu_ms = Some(4.0);
        });
        let (_, a) = advise_on(runs, &p);
        let cmds: Vec<String> = a.commands.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            cmds,
            [
                "concbench run --suite quick --workloads io-server --models py-asyncio --set io-server.delay_us=4000 --set io-server.cpu=8960",
                "concbench run --suite quick --workloads io-server --models rust-tokio --set io-server.delay_us=4000 --set io-server.cpu=2000000",
            ]
        );
    }
}
