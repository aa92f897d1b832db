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

use crate::catalogue::reference;
use crate::exec::{self, CpuSet, Exit, Invocation};
use crate::results::Sample;
use crate::run::loadgen::{self, LoadSpec};

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
    let running = match exec::start(&inv) {
        Ok(r) => r,
        Err(e) => return failed(format!("{e:#}")),
    };

    let listening = running
        .next_stdout_line(LISTEN_TIMEOUT)
        .ok_or_else(|| {
            format!(
                "the server printed no {{\"listening\": \"127.0.0.1:PORT\"}} line within {} s",
                LISTEN_TIMEOUT.as_secs()
            )
        })
        .and_then(|line| parse_listening(&line));
    let addr = match listening {
        Ok(addr) => addr,
        Err(why) => {
            let stderr = running
                .stop(libc::SIGKILL, STOP_GRACE)
                .map(|(m, _)| m.last_stderr_line().to_string())
                .unwrap_or_default();
            return failed(if stderr.is_empty() {
                why
            } else {
                format!("{why}; stderr: {stderr}")
            });
        }
    };

    let group = running.group();
    let idle_kb = group.rss_kb();
    let connected_kb = Arc::new(AtomicU64::new(0));
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
    };
    let report = loadgen::generate(&load);
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
    let q = |quantile: f64| report.latency_us.value_at_quantile(quantile) as i64;
    let connected_kb = connected_kb.load(Ordering::SeqCst);
    let connections = params["connections"].max(1);
    let mut metrics = BTreeMap::from([
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
        (
            "rss_kb".to_string(),
            m.max_rss_kb.max(m.tree_max_rss_kb.unwrap_or(0)) as i64,
        ),
        ("cpu_ns".to_string(), (m.user_ns + m.sys_ns) as i64),
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
    let sample = Sample {
        elapsed_ns: report.elapsed.as_nanos() as u64,
        wall_ns: m.wall_ns,
        user_ns: m.user_ns,
        sys_ns: m.sys_ns,
        max_rss_kb: m.max_rss_kb,
        exit_code: match m.exit {
            Exit::Code(c) => c,
            _ => -1,
        },
        checksum: report.ok.to_string(),
        ops: report.ok,
        metrics,
        tree_max_rss_kb: m.tree_max_rss_kb,
        rss_floor_kb: m.rss_floor_kb,
        seq: 0,
        settle_ns: 0,
        settled: true,
    };

    let mut problems = Vec::new();
    if died_during_load {
        problems.push(format!(
            "the server exited during the load ({}: {})",
            m.exit,
            m.last_stderr_line()
        ));
    } else if overdue {
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
    if report.ok < params["requests"] {
        problems.push(format!(
            "{} of {} requests answered",
            report.ok, params["requests"]
        ));
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
    match server_answered {
        Some(n) if n != received && problems.is_empty() => problems.push(format!(
            "the server counted {n} answers but the generator received {received}"
        )),
        None if problems.is_empty() => {
            problems.push("the server printed no final JSON line after SIGTERM".into())
        }
        _ => {}
    }
    ServerSample {
        sample: Some(sample),
        problem: (!problems.is_empty()).then(|| problems.join(" · ")),
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
