//! One sample of the io-server workload: start the server, wait for its address, read its
//! memory idle and with every connection open, drive the load, stop it with SIGTERM, and
//! check what both sides counted.
//!
//! With two or more CPUs the server and the load generator are pinned apart, so the
//! generator never competes with the server it measures: the generator takes the last
//! quarter of the CPUs (at least one), the server the rest.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::Deserialize;

use crate::catalogue::{reference, Catalogue, ParamValue};
use crate::exec::{self, CpuSet, Exit, Invocation};
use crate::results::{Calibration, Sample};
use crate::run::loadgen::{self, LoadSpec};
use crate::run::plan::{scenarios, RunSpec};
use crate::stats;
use crate::toolchain::Toolchains;

/// How long a server may take to print its address.
pub const LISTEN_TIMEOUT: Duration = Duration::from_secs(15);
/// How long after the load failed a dying server has to be seen exiting.
const DEATH_NOTICE: Duration = Duration::from_millis(500);

/// How long a server may take to stop after SIGTERM.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// A request unanswered for this long is a timeout.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Distinct ids the generator asks for (their answers are computed once per `cpu`).
const DISTINCT_IDS: u64 = 256;

/// The CPUs of the server and of the load generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// CPUs the server is pinned to; `None` (fewer than two CPUs allowed) leaves it unpinned.
    pub server: Option<Vec<usize>>,
    /// CPUs the load generator's threads are pinned to; `None` leaves them unpinned.
    pub generator: Option<Vec<usize>>,
}

/// Splits `allowed` CPUs between server and generator; `pinned` limits the server to that
/// many of its share (`--cpus`).
pub fn place(allowed: &[usize], pinned: Option<usize>) -> Placement {
    if allowed.len() < 2 {
        return Placement {
            server: None,
            generator: None,
        };
    }
    let generator_count = crate::machine::load_generator_cpus(allowed.len());
    let (server, generator) = allowed.split_at(allowed.len() - generator_count);
    let server_count = pinned.unwrap_or(server.len()).clamp(1, server.len());
    Placement {
        server: Some(server[..server_count].to_vec()),
        generator: Some(generator.to_vec()),
    }
}

/// The expected bodies for the generator's ids at this `cpu`, computed once.
fn expected_bodies(cpu: u64) -> (Arc<Vec<u64>>, Arc<Vec<String>>) {
    static CACHE: OnceLock<Mutex<HashMap<u64, Arc<Vec<String>>>>> = OnceLock::new();
    let ids: Vec<u64> = (1..=DISTINCT_IDS).collect();
    let cache = CACHE.get_or_init(Default::default);
    let bodies = {
        let mut cache = cache.lock().expect("not poisoned");
        Arc::clone(cache.entry(cpu).or_insert_with(|| {
            Arc::new(
                ids.iter()
                    .map(|id| reference::xs_k(*id, cpu).to_string())
                    .collect(),
            )
        }))
    };
    (Arc::new(ids), bodies)
}

/// What a server sample produced: the sample, and what was wrong with it, if anything.
pub struct ServerSample {
    /// The measured sample; `None` when no load was measured (the server did not start or
    /// listen, or the load generator failed).
    pub sample: Option<Sample>,
    /// Why the sample does not count (the server died or did not stop, errors, timeouts,
    /// requests unanswered or unsent), problems joined by ` · `; `None` when it is sound.
    pub problem: Option<String>,
}

fn failed(problem: String) -> ServerSample {
    ServerSample {
        sample: None,
        problem: Some(problem),
    }
}

/// Runs one io-server sample. `inv` starts the server with its server parameters only;
/// `params` holds all of them, load parameters included.
pub fn sample(
    mut inv: Invocation,
    params: &BTreeMap<String, u64>,
    pinned: Option<usize>,
) -> ServerSample {
    let allowed = exec::allowed_cpus();
    let placement = place(&allowed, pinned);
    let server_cpus = placement.server.as_ref().map_or(allowed.len(), Vec::len);
    inv.pin_cpus = placement.server.clone().map(CpuSet::List);
    let (running, addr) = match start_server(&inv) {
        Ok(started) => started,
        Err(why) => return failed(why),
    };

    let group = running.group();
    let idle_kb = group.rss_kb();
    let connected_kb = Arc::new(AtomicU64::new(0));
    let measured_from = Arc::new(AtomicU64::new(0));
    let (ids, bodies) = expected_bodies(params["cpu"]);
    let duration = measured_duration(params);
    let load = LoadSpec {
        addr,
        connections: params["connections"] as usize,
        requests: params["requests"],
        duration,
        rate: params["rate"],
        // Leave the server's own time limit room to stop and be measured.
        time_limit: inv.timeout.mul_f64(0.8),
        request_timeout: REQUEST_TIMEOUT,
        ids,
        bodies,
        threads: placement.generator.as_ref().map_or(1, Vec::len),
        cpus: placement.generator.clone(),
        on_connected: Some({
            let connected_kb = Arc::clone(&connected_kb);
            Arc::new(move || connected_kb.store(group.rss_kb(), Ordering::SeqCst))
        }),
        on_measured: Some({
            let measured_from = Arc::clone(&measured_from);
            Arc::new(move || measured_from.store(group.cpu_ns(), Ordering::SeqCst))
        }),
    };
    let report = loadgen::generate(&load);
    // The server's CPU over the measured phase and its drain: start-up and ramp left out.
    let measured_cpu_ns = group
        .cpu_ns()
        .saturating_sub(measured_from.load(Ordering::SeqCst));
    // A server that died drops its connections first and is seen to exit a moment later
    // (its launcher and any wrapper exit after it): when the load saw failures, give it
    // that moment before asking. A healthy server is not waited for.
    let failures = report.as_ref().map_or(true, |r| r.errors + r.timeouts > 0);
    let died_during_load = running.exits_within(if failures {
        DEATH_NOTICE
    } else {
        Duration::ZERO
    });
    let (m, overdue) = match running.stop(libc::SIGTERM, STOP_GRACE) {
        Ok(done) => done,
        Err(e) => return failed(format!("{e:#}")),
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => return failed(format!("load generator: {e:#}")),
    };

    let server_report = crate::exec::protocol::parse_report(&m.stdout).ok();
    let server_answered = server_report.as_ref().map(|r| r.ops);
    let connected_kb = connected_kb.load(Ordering::SeqCst);
    let connections = params["connections"].max(1);
    let mut metrics = load_metrics(&report);
    metrics.extend([
        (
            "rss_kb".to_string(),
            m.max_rss_kb.max(m.tree_max_rss_kb.unwrap_or(0)) as i64,
        ),
        ("cpu_ns".to_string(), measured_cpu_ns as i64),
        ("idle_rss_kb".to_string(), idle_kb as i64),
        ("connected_rss_kb".to_string(), connected_kb as i64),
        (
            "conn_bytes".to_string(),
            (connected_kb.saturating_sub(idle_kb) * 1024 / connections) as i64,
        ),
    ]);
    metrics.insert("server_cpus".to_string(), server_cpus as i64);
    if let Some(n) = server_answered {
        metrics.insert("server_answered".to_string(), n as i64);
    }
    if let Some(wait_us) = server_report.as_ref().and_then(mean_wait_us) {
        metrics.insert("wait_us".to_string(), wait_us);
    }
    let exit_code = match m.exit {
        Exit::Code(c) => c,
        _ => -1,
    };
    let sample = Sample::of_process(
        &m,
        exit_code,
        report.elapsed.as_nanos() as u64,
        report.ok.to_string(),
        report.ok,
        metrics,
    );

    let stop = Stop {
        died_during_load,
        overdue,
        server_answered,
    };
    let problems = problems(&m, &stop, &report, params["requests"], duration);
    ServerSample {
        sample: Some(sample),
        problem: (!problems.is_empty()).then(|| problems.join(" · ")),
    }
}

/// The load generator's figures of a sample: counts, rate, ramp and latency percentiles.
fn load_metrics(report: &loadgen::LoadReport) -> BTreeMap<String, i64> {
    let q = |quantile: f64| report.latency_us.value_at_quantile(quantile) as i64;
    BTreeMap::from([
        ("requests".to_string(), report.ok as i64),
        ("errors".to_string(), report.errors as i64),
        ("timeouts".to_string(), report.timeouts as i64),
        ("unsent".to_string(), report.unsent as i64),
        ("rps".to_string(), report.rps().round() as i64),
        ("ramp_ms".to_string(), report.ramp.as_millis() as i64),
        ("ramp_requests".to_string(), report.ramp_ok as i64),
        ("p50_us".to_string(), q(0.5)),
        ("p90_us".to_string(), q(0.9)),
        ("p99_us".to_string(), q(0.99)),
        ("p999_us".to_string(), q(0.999)),
        ("max_us".to_string(), report.latency_us.max() as i64),
    ])
}

/// How the server's side of a sample ended.
struct Stop {
    /// It exited while the load ran.
    died_during_load: bool,
    /// It outlasted the grace after SIGTERM.
    overdue: bool,
    /// The answers it counted, from its final line.
    server_answered: Option<u64>,
}

/// What makes a sample not count: the server's end, answers missing, a phase cut short,
/// errors, timeouts, requests unsent, counts that disagree.
fn problems(
    m: &exec::Measurement,
    stop: &Stop,
    report: &loadgen::LoadReport,
    requests: u64,
    duration: Duration,
) -> Vec<String> {
    let mut problems = Vec::new();
    if stop.died_during_load {
        problems.push(format!(
            "the server exited during the load ({}: {})",
            m.exit,
            m.last_stderr_line()
        ));
    } else if stop.overdue {
        problems.push(format!(
            "the server did not stop within {} s of SIGTERM",
            STOP_GRACE.as_secs()
        ));
    } else if m.exit != Exit::Code(0) {
        problems.push(format!(
            "the server's {} after SIGTERM: {}",
            m.exit,
            m.last_stderr_line()
        ));
    }
    if report.ok < requests {
        problems.push(format!("{} of {} requests answered", report.ok, requests));
    }
    if report.elapsed < duration && problems.is_empty() {
        problems.push(format!(
            "the measured phase lasted {} ms of its {} ms (the time limit came first)",
            report.elapsed.as_millis(),
            duration.as_millis()
        ));
    }
    if report.errors > 0 {
        problems.push(format!(
            "{} errors (first: {})",
            report.errors,
            report.first_error.as_deref().unwrap_or("?")
        ));
    }
    if report.timeouts > 0 {
        problems.push(format!(
            "{} timeouts ({} s each)",
            report.timeouts,
            REQUEST_TIMEOUT.as_secs()
        ));
    }
    if report.unsent > 0 {
        problems.push(format!(
            "{} requests not sent before the time limit",
            report.unsent
        ));
    }
    let received = report.ok + report.ramp_ok;
    match stop.server_answered {
        Some(n) if n != received && problems.is_empty() => problems.push(format!(
            "the server counted {n} answers but the generator received {received}"
        )),
        None if problems.is_empty() => {
            problems.push("the server printed no final JSON line after SIGTERM".into())
        }
        _ => {}
    }
    problems
}

/// What a calibrated `cpu` aims at: the server CPU its work adds to each request.
pub const CPU_TARGET: Duration = Duration::from_millis(1);
/// A step count is kept once the CPU it adds is within this share of the target.
pub const CPU_TOLERANCE: f64 = crate::results::WORK_TOLERANCE;
/// Requests of a calibration measurement without a CPU part: HTTP alone costs tens of µs
/// a request, and /proc counts CPU in 10 ms ticks, so enough of them to span many ticks.
const BASE_REQUESTS: u64 = 3_000;
/// Requests of a calibration measurement with a CPU part (~1 ms each: ~50 ticks).
const WORK_REQUESTS: u64 = 500;
/// Measurements with a CPU part before giving up on the tolerance.
const CALIBRATION_TRIES: usize = 6;

/// Sizes the calibrated parameter (`cpu`) of a server block per language, so that every
/// language's work adds [`CPU_TARGET`] of server CPU per request on this machine, and
/// returns what it measured. Only runs with the suite's own value above 0 are sized (a
/// value given with `--set` stands as given); a language whose calibration fails keeps the
/// suite's value, and `warn` says why.
pub fn calibrate_block(
    catalogue: &Catalogue,
    toolchains: &Toolchains,
    suite: &str,
    specs: &[&RunSpec],
    warn: &mut dyn FnMut(&str),
) -> Vec<Calibration> {
    let mut out: Vec<Calibration> = Vec::new();
    for spec in specs {
        let (workload, model) = spec.catalogued(catalogue);
        let Some(param) = workload.params.iter().find(|p| p.calibrated) else {
            continue;
        };
        let Some(suite_value) = suite_value(catalogue, suite, spec, &param.name) else {
            continue;
        };
        if out
            .iter()
            .any(|c| c.lang == model.lang.name() && c.param == param.name)
        {
            continue;
        }
        // Measure a model whose work runs in the server's own process, whose CPU /proc
        // shows while it runs.
        let measured = specs
            .iter()
            .filter(|s| s.lang == spec.lang)
            .map(|s| s.catalogued(catalogue).1)
            .find(|m| !m.processes)
            .unwrap_or(model);
        let imp = match toolchains.implementation_for(spec.lang, &spec.workload, &measured.id) {
            Ok(imp) => imp,
            Err(_) => continue,
        };
        let start = |value: u64| {
            let mut params: BTreeMap<String, u64> = spec
                .params
                .iter()
                .filter(|(name, _)| !workload.param(name).is_some_and(|p| p.load))
                .map(|(k, v)| (k.clone(), *v))
                .collect();
            params.insert("delay_us".into(), 0);
            params.insert(param.name.clone(), value);
            imp.invocation(&spec.workload, &measured.id, &params, spec.timeout)
        };
        match calibrate(&start, suite_value) {
            Ok((value, added_ns, base_ns)) => out.push(Calibration {
                workload: spec.workload.clone(),
                param: param.name.clone(),
                lang: model.lang.name().into(),
                model: measured.id.clone(),
                suite_value,
                value,
                added_ns,
                target_ns: CPU_TARGET.as_nanos() as u64,
                base_ns,
                from_round: 0,
            }),
            Err(why) => warn(&format!(
                "{} {}: {} stays at the suite's {suite_value}: calibration failed: {why}",
                spec.workload,
                model.lang.name(),
                param.name
            )),
        }
    }
    out
}

/// Gives `spec` the calibrated value of its language, if one applies to it (its value is
/// the suite's that was calibrated); true if it changed.
pub fn apply_calibration(calibrations: &[Calibration], spec: &mut RunSpec) -> bool {
    let Some(c) = calibrations.iter().find(|c| {
        c.workload == spec.workload
            && c.lang == spec.lang.name()
            && spec.params.get(&c.param) == Some(&c.suite_value)
    }) else {
        return false;
    };
    spec.params.insert(c.param.clone(), c.value);
    true
}

/// The suite's value of `param` for `spec`'s model when `spec` has it and it is above 0;
/// `None` for a value the suite does not give (set on the command line) or 0.
fn suite_value(catalogue: &Catalogue, suite: &str, spec: &RunSpec, param: &str) -> Option<u64> {
    let (workload, model) = spec.catalogued(catalogue);
    let value = *spec.params.get(param)?;
    let entry = workload.suites.get(suite)?;
    let given = scenarios(entry, model).iter().any(|s| {
        s.get(param)
            .is_some_and(|g| g.values().contains(&ParamValue::Int(value)))
    });
    (value > 0 && given).then_some(value)
}

/// Finds the step count whose work adds [`CPU_TARGET`] of server CPU per request: the
/// suite's value first, then the count that the measurements so far say would, until one is
/// within [`CPU_TOLERANCE`]. Returns (steps, the CPU they added per request, the CPU of a
/// request without them), ns.
///
/// The next count comes from the median cost of a step over every measurement so far, not
/// from the last one alone: on a shared host one measurement can be a third off, and sizing
/// from it alone makes the counts swing around the target instead of settling on it.
fn calibrate(start: &dyn Fn(u64) -> Invocation, first: u64) -> Result<(u64, u64, u64), String> {
    let target = CPU_TARGET.as_nanos() as f64;
    let base = server_cpu_per_request(&start(0), 0, BASE_REQUESTS)?;
    let mut steps = first.max(1);
    let mut tried = Vec::new();
    let mut step_costs = Vec::new();
    for _ in 0..CALIBRATION_TRIES {
        let added = server_cpu_per_request(&start(steps), steps, WORK_REQUESTS)? - base;
        tried.push(format!("{steps} steps: {:.0} µs", added / 1000.0));
        if added <= 0.0 {
            break;
        }
        if (added / target - 1.0).abs() <= CPU_TOLERANCE {
            return Ok((steps, added.round() as u64, base.round() as u64));
        }
        step_costs.push(added / steps as f64);
        let cost = stats::median(&step_costs).unwrap_or(added / steps as f64);
        steps = (target / cost).round().max(1.0) as u64;
    }
    Err(format!(
        "no step count within {:.0}% of {} µs ({})",
        CPU_TOLERANCE * 100.0,
        CPU_TARGET.as_micros(),
        tried.join(", ")
    ))
}

/// The server CPU (user + system, from /proc, ns) per request answered: a server started
/// with `inv` (whose `cpu` is `cpu`), one connection, `requests` requests.
fn server_cpu_per_request(inv: &Invocation, cpu: u64, requests: u64) -> Result<f64, String> {
    let placement = place(&exec::allowed_cpus(), None);
    let mut inv = inv.clone();
    inv.pin_cpus = placement.server.clone().map(CpuSet::List);
    let (running, addr) = start_server(&inv)?;
    let group = running.group();
    let (ids, bodies) = expected_bodies(cpu);
    let before = group.cpu_ns();
    let report = loadgen::generate(&LoadSpec {
        addr,
        connections: 1,
        requests,
        duration: Duration::ZERO,
        rate: 0,
        time_limit: inv.timeout.mul_f64(0.8),
        request_timeout: REQUEST_TIMEOUT,
        ids,
        bodies,
        threads: 1,
        cpus: placement.generator.clone(),
        on_connected: None,
        on_measured: None,
    });
    let after = group.cpu_ns();
    let _ = running.stop(libc::SIGTERM, STOP_GRACE);
    let report = report.map_err(|e| format!("load generator: {e:#}"))?;
    if report.errors + report.timeouts + report.unsent > 0 {
        return Err(format!(
            "{} errors, {} timeouts, {} unsent (first error: {})",
            report.errors,
            report.timeouts,
            report.unsent,
            report.first_error.as_deref().unwrap_or("none")
        ));
    }
    let answered = (report.ok + report.ramp_ok).max(1);
    Ok(after.saturating_sub(before) as f64 / answered as f64)
}

/// Starts the server and waits for its address; on failure, why (with the server's last
/// stderr line), the server stopped.
fn start_server(inv: &Invocation) -> Result<(exec::Running, SocketAddr), String> {
    let running = exec::start(inv).map_err(|e| format!("{e:#}"))?;
    let listening = running
        .next_stdout_line(LISTEN_TIMEOUT)
        .ok_or_else(|| {
            format!(
                "the server printed no {{\"listening\": \"127.0.0.1:PORT\"}} line within {} s",
                LISTEN_TIMEOUT.as_secs()
            )
        })
        .and_then(|line| parse_listening(&line));
    match listening {
        Ok(addr) => Ok((running, addr)),
        Err(why) => {
            let stderr = running
                .stop(libc::SIGKILL, STOP_GRACE)
                .map(|(m, _)| m.last_stderr_line().to_string())
                .unwrap_or_default();
            Err(if stderr.is_empty() {
                why
            } else {
                format!("{why}; stderr: {stderr}")
            })
        }
    }
}

/// How long the measured phase lasts at least: the `duration_ms` load parameter (absent
/// from results written before it existed: 0, the phase is bounded by its request count).
fn measured_duration(params: &BTreeMap<String, u64>) -> Duration {
    Duration::from_millis(params.get("duration_ms").copied().unwrap_or(0))
}

/// The mean upstream wait the server measured (µs, rounded), from its result line's
/// `wait_ns_sum` and `waits`; `None` when it measured none.
fn mean_wait_us(report: &crate::exec::protocol::Report) -> Option<i64> {
    let (sum, count) = (
        *report.metrics.get("wait_ns_sum")?,
        *report.metrics.get("waits")?,
    );
    (count > 0).then(|| (sum as f64 / count as f64 / 1000.0).round() as i64)
}

/// Parses `{"listening": "127.0.0.1:PORT"}`, refusing any address off the loopback.
fn parse_listening(line: &str) -> Result<SocketAddr, String> {
    #[derive(Deserialize)]
    struct Listening {
        listening: String,
    }
    let l: Listening = serde_json::from_str(line.trim())
        .map_err(|_| format!("the server's first line is not {{\"listening\": ...}}: {line:?}"))?;
    let addr: SocketAddr = l
        .listening
        .parse()
        .map_err(|_| format!("the server's address {:?} is not IP:PORT", l.listening))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "the server listens on {addr}, not on the loopback: refused"
        ));
    }
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_and_generator_are_pinned_apart() {
        assert_eq!(
            place(&[0], None),
            Placement {
                server: None,
                generator: None
            }
        );
        assert_eq!(
            place(&[0, 1], None),
            Placement {
                server: Some(vec![0]),
                generator: Some(vec![1])
            }
        );
        let eight: Vec<usize> = (0..8).collect();
        let p = place(&eight, None);
        assert_eq!(p.server, Some((0..6).collect()));
        assert_eq!(p.generator, Some(vec![6, 7]));
        assert_eq!(place(&eight, Some(2)).server, Some(vec![0, 1]));
    }

    #[test]
    fn the_listening_line_must_name_the_loopback() {
        assert_eq!(
            parse_listening(r#"{"listening": "127.0.0.1:8080"}"#)
                .unwrap()
                .port(),
            8080
        );
        assert!(parse_listening(r#"{"listening": "0.0.0.0:8080"}"#)
            .unwrap_err()
            .contains("refused"));
        assert!(parse_listening("hello").is_err());
    }

    #[test]
    fn the_mean_wait_comes_from_the_servers_sum_and_count() {
        let report = |metrics: &[(&str, i64)]| crate::exec::protocol::Report {
            checksum: 0,
            elapsed_ns: 0,
            ops: 0,
            metrics: metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        };
        assert_eq!(
            mean_wait_us(&report(&[("wait_ns_sum", 4_500_000), ("waits", 3)])),
            Some(1500)
        );
        assert_eq!(
            mean_wait_us(&report(&[("wait_ns_sum", 0), ("waits", 0)])),
            None
        );
        assert_eq!(mean_wait_us(&report(&[])), None);
    }

    #[test]
    fn only_the_suites_own_values_are_calibrated() {
        let catalogue = Catalogue::embedded();
        let plan =
            crate::fixtures::plan_of("quick", "io-server", &["go-net-http", "py-threads"], 2);
        let go = plan
            .iter()
            .find(|s| s.model == "go-net-http" && s.params["cpu"] > 0)
            .unwrap();
        assert_eq!(suite_value(catalogue, "quick", go, "cpu"), Some(500_000));
        let zero = plan.iter().find(|s| s.params["cpu"] == 0).unwrap();
        assert_eq!(suite_value(catalogue, "quick", zero, "cpu"), None);
        let mut set = go.clone();
        set.params.insert("cpu".into(), 123);
        assert_eq!(suite_value(catalogue, "quick", &set, "cpu"), None);

        let found = [Calibration {
            workload: "io-server".into(),
            param: "cpu".into(),
            lang: "go".into(),
            model: "go-net-http".into(),
            suite_value: 500_000,
            value: 612_000,
            added_ns: 1_000_000,
            target_ns: 1_000_000,
            base_ns: 30_000,
            from_round: 0,
        }];
        let mut sized = go.clone();
        assert!(apply_calibration(&found, &mut sized));
        assert_eq!(sized.params["cpu"], 612_000);
        // A value given with --set, another language, cpu = 0: left as they are.
        assert!(!apply_calibration(&found, &mut set));
        let mut python = plan
            .iter()
            .find(|s| s.model == "py-threads" && s.params["cpu"] > 0)
            .unwrap()
            .clone();
        assert!(!apply_calibration(&found, &mut python));
        assert!(!apply_calibration(&found, &mut zero.clone()));
    }

    #[test]
    fn calibration_sizes_the_work_to_the_target() {
        // The real py-asyncio server (CPython's xorshift loop: ~0.3 µs a step), from a
        // guess ten times too small.
        let python = concat!(env!("CARGO_MANIFEST_DIR"), "/../../impls/python");
        let start = |cpu: u64| Invocation {
            program: "python3".into(),
            args: [
                "-m",
                "concbench_py",
                "io-server",
                "py-asyncio",
                "--delay_us=0",
                &format!("--cpu={cpu}"),
                "--workers=1",
                "--alloc=0",
            ]
            .map(String::from)
            .to_vec(),
            env: vec![("PYTHONPATH".into(), python.into())],
            pin_cpus: None,
            timeout: Duration::from_secs(60),
            sample_tree: false,
            launcher: None,
        };
        // It measures real CPU time beside the other tests on a shared host, where one
        // calibration can miss; a calibration that is broken misses every time.
        let (steps, added, base) = (0..3)
            .find_map(|_| calibrate(&start, 300).ok())
            .expect("no calibration within the tolerance in three attempts");
        let target = CPU_TARGET.as_nanos() as f64;
        assert!(
            (added as f64 / target - 1.0).abs() <= CPU_TOLERANCE,
            "{added} ns"
        );
        assert!((1_000..20_000).contains(&steps), "{steps} steps");
        assert!(base > 0 && base < added, "base {base} ns");
    }

    fn sh_server(script: &str) -> Invocation {
        Invocation {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            env: vec![],
            pin_cpus: None,
            timeout: Duration::from_secs(30),
            sample_tree: false,
            launcher: None,
        }
    }

    fn params() -> BTreeMap<String, u64> {
        [
            ("delay_us", 0),
            ("cpu", 0),
            ("workers", 1),
            ("alloc", 0),
            ("connections", 2),
            ("requests", 10),
            ("rate", 0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    #[test]
    fn a_server_that_never_prints_its_address_fails_clearly() {
        let started = std::time::Instant::now();
        let mut inv = sh_server("echo starting >&2; sleep 600");
        inv.timeout = Duration::from_secs(60);
        let out = sample(inv, &params(), None);
        assert!(out.sample.is_none());
        let why = out.problem.unwrap();
        assert!(
            why.contains("printed no {\"listening\"") && why.contains("starting"),
            "{why}"
        );
        assert!(started.elapsed() < LISTEN_TIMEOUT + Duration::from_secs(10));
    }
}
