//! Our load generator against wrk, driving the same server at the same connections: prints
//! both request rates and their ratio (target: ours ≥ 1.0× wrk's).
//!
//! scripts/bench-loadgen.sh installs wrk (Debian's package) when it is missing and runs this.
//! Both generators get the same CPUs (pinned apart from the server's), the same
//! connections and one thread per generator CPU; both run for the same time (wrk's `-d`,
//! our measured phase after its ramp). The two alternate, ROUNDS times each, each
//! against a freshly started server, and the medians are compared, so that a noisy moment
//! does not decide the ratio.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use concbench::catalogue::Lang;
use concbench::exec::{self, CpuSet};
use concbench::run::io_server::place;
use concbench::run::loadgen::{self, LoadSpec};
use concbench::stats::median;
use concbench::toolchain::find_on_path;

#[path = "../tests/common/mod.rs"]
mod common;

const SECONDS: u64 = 3;
const ROUNDS: usize = 3;
const MODEL: &str = "rust-tokio";

fn main() {
    let Some(wrk) = find_on_path("wrk") else {
        eprintln!("wrk is not installed: run scripts/bench-loadgen.sh (it installs Debian's wrk)");
        std::process::exit(2);
    };
    let toolchains = common::toolchains(&[Lang::Rust]);
    let imp = toolchains
        .implementation_for(Lang::Rust, "io-server", MODEL)
        .expect("the Rust io-server implementation");
    let placement = place(&exec::allowed_cpus(), None);
    let generator_cpus = placement.generator.clone().unwrap_or_default();
    let threads = generator_cpus.len().max(1);
    println!(
        "server {MODEL} on CPUs {:?}; generators on CPUs {generator_cpus:?}, {threads} thread(s)",
        placement.server
    );
    for connections in [10usize, 100, 1000] {
        let server_params = BTreeMap::from([
            ("delay_us".to_string(), 0),
            ("cpu".to_string(), 0),
            ("workers".to_string(), 1),
        ]);
        let start_server = || {
            let mut inv =
                imp.invocation("io-server", MODEL, &server_params, Duration::from_secs(120));
            inv.pin_cpus = placement.server.clone().map(CpuSet::List);
            let server = exec::start(&inv).expect("server starts");
            let line = server
                .next_stdout_line(Duration::from_secs(10))
                .expect("listening line");
            let v: serde_json::Value = serde_json::from_str(&line).expect("JSON");
            let addr: std::net::SocketAddr = v["listening"].as_str().unwrap().parse().unwrap();
            (server, addr)
        };

        let mut wrk_rates = Vec::new();
        let mut our_rates = Vec::new();
        for _ in 0..ROUNDS {
            let wrk_rps = run_wrk(&wrk, &start_server, &generator_cpus, threads, connections);
            wrk_rates.push(wrk_rps);
            let (server, addr) = start_server();
            let report = loadgen::generate(&LoadSpec {
                addr,
                connections,
                requests: 1,
                duration: Duration::from_secs(SECONDS),
                rate: 0,
                time_limit: Duration::from_secs(SECONDS * 4),
                request_timeout: Duration::from_secs(10),
                ids: Arc::new(vec![1]),
                bodies: Arc::new(vec!["1".into()]),
                threads,
                cpus: (!generator_cpus.is_empty()).then(|| generator_cpus.clone()),
                on_connected: None,
                on_measured: None,
            })
            .expect("load runs");
            let _ = server.stop(libc::SIGTERM, Duration::from_secs(5));
            assert_eq!(
                report.errors + report.timeouts,
                0,
                "{:?}",
                report.first_error
            );
            our_rates.push(report.rps());
        }
        let (w, o) = (median(&wrk_rates).unwrap(), median(&our_rates).unwrap());
        println!(
            "connections {connections:>5}: wrk {w:>8.0} req/s · concbench {o:>8.0} req/s · ratio {:.2}× \
             (medians of {ROUNDS} alternating rounds; wrk {wrk_rates:.0?}, concbench {our_rates:.0?})",
            o / w
        );
    }
}

/// One wrk run against a fresh server: its req/s.
fn run_wrk(
    wrk: &std::path::Path,
    start_server: &dyn Fn() -> (exec::Running, std::net::SocketAddr),
    generator_cpus: &[usize],
    threads: usize,
    connections: usize,
) -> f64 {
    let (server, addr) = start_server();
    let mut cmd = Command::new(wrk);
    if !generator_cpus.is_empty() {
        cmd = Command::new("taskset");
        let list: Vec<String> = generator_cpus.iter().map(|c| c.to_string()).collect();
        cmd.arg("-c").arg(list.join(",")).arg(wrk);
    }
    let out = cmd
        .args([
            "-t",
            &threads.to_string(),
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{SECONDS}s"),
        ])
        .arg(format!("http://{addr}/work?id=1"))
        .output()
        .expect("wrk runs");
    let _ = server.stop(libc::SIGTERM, Duration::from_secs(5));
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("wrk printed no Requests/sec:\n{text}"))
}
