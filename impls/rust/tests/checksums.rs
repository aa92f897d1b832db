//! Every model computes the right answer: the suite's test vectors, and every model at tiny
//! sizes (edges included) against references computed in the tests.

mod common;

use common::{measure, repo_root, rust_models};
use serde_json::Value;

/// Parameters that do not change a checksum, which test-vectors.json leaves out.
const NEUTRAL: &[(&str, &str, u64)] = &[
    ("cpu-parallel", "workers", 2),
    ("worker-pool", "workers", 3),
    ("worker-pool", "buffer", 7),
    ("prime-sieve", "buffer", 1),
    ("mixed-service", "workers", 2),
];

/// Runs left out of every test run: a chain of 4000 OS threads handing numbers to each
/// other takes ~45 s even optimised. rust-tokio covers that vector.
const TOO_SLOW: &[(&str, &str, &str)] = &[("prime-sieve", "primes=4000", "rust-crossbeam")];

/// Vectors checked only by an optimised test build (`cargo test --release`): tokio's
/// 4000-prime chain takes ~1 s optimised but 20-50 s unoptimised.
const OPTIMISED_ONLY: &[(&str, &str)] = &[("prime-sieve", "primes=4000")];

/// Checks every case of test-vectors.json for `workload` under every Rust model.
fn check_vectors(workload: &str) {
    let text = std::fs::read_to_string(repo_root().join("suite/test-vectors.json")).unwrap();
    let vectors: Value = serde_json::from_str(&text).unwrap();
    let cases: Vec<_> = vectors["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|case| case["workload"] == workload)
        .collect();
    assert!(
        !cases.is_empty(),
        "test-vectors.json has no {workload} case"
    );
    for case in cases {
        let mut params: Vec<(&str, u64)> = case["params"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_u64().unwrap()))
            .collect();
        let label: Vec<_> = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let label = label.join(",");
        if cfg!(debug_assertions) && OPTIMISED_ONLY.contains(&(workload, label.as_str())) {
            eprintln!("{workload} {label}: checked by `cargo test --release` only");
            continue;
        }
        for &(_, name, value) in NEUTRAL.iter().filter(|(w, _, _)| *w == workload) {
            if !params.iter().any(|(n, _)| *n == name) {
                params.push((name, value));
            }
        }
        let expected = case["checksum"].as_str().unwrap();
        for model in rust_models(workload) {
            if TOO_SLOW.contains(&(workload, label.as_str(), model.as_str())) {
                continue;
            }
            let result = measure(workload, &model, &params);
            assert_eq!(result["checksum"], expected, "{workload} {model} {label}");
        }
    }
}

#[test]
fn test_vectors_cover_every_workload() {
    let text = std::fs::read_to_string(repo_root().join("suite/test-vectors.json")).unwrap();
    let vectors: Value = serde_json::from_str(&text).unwrap();
    let cases = vectors["cases"].as_array().unwrap();
    for workload in concbench_rust::WORKLOADS {
        // A server's checksum is the count of requests it answered: tests/io_server.rs
        // checks each answer instead.
        if workload.name == "io-server" {
            continue;
        }
        // Each workload below has its own vectors test; a new workload needs one too.
        assert!(
            cases.iter().any(|case| case["workload"] == workload.name),
            "{} has no test vector",
            workload.name
        );
    }
}

#[test]
fn vectors_cpu_parallel() {
    check_vectors("cpu-parallel");
}

#[test]
fn vectors_worker_pool() {
    check_vectors("worker-pool");
}

#[test]
fn vectors_shared_counter() {
    check_vectors("shared-counter");
}

#[test]
fn vectors_spawn_idle() {
    check_vectors("spawn-idle");
}

#[test]
fn vectors_ping_pong() {
    check_vectors("ping-pong");
}

#[test]
fn vectors_prime_sieve() {
    check_vectors("prime-sieve");
}

#[test]
fn vectors_mixed_service() {
    check_vectors("mixed-service");
}

#[test]
fn vectors_safety_kernels() {
    check_vectors("safety-kernels");
}

/// mixed-service is open loop: latency runs from each request's intended arrival. Requests
/// that arrive faster than one worker computes them queue, and the queue shows in the
/// latency, not in a slower schedule of arrivals.
#[test]
fn mixed_service_latency_counts_the_queue() {
    // 20 requests at 10,000/s all arrive within 2 ms; after a 1 ms wait, each needs 10^7
    // xorshift steps (>= 5 ms on any CPU of today) on the one worker.
    let params: &[(&str, u64)] = &[
        ("rate", 10_000),
        ("requests", 20),
        ("delay_us", 1_000),
        ("cpu", 10_000_000),
        ("workers", 1),
    ];
    for model in rust_models("mixed-service") {
        let result = measure("mixed-service", &model, params);
        let context = format!("{model}: {result}");
        let us = |name: &str| {
            result["metrics"][name]
                .as_u64()
                .unwrap_or_else(|| panic!("no {name}: {context}"))
        };
        assert!(
            us("p50_us") >= 1_000,
            "every answer waited the upstream wait: {context}"
        );
        assert!(
            us("p50_us") <= us("p90_us") && us("p90_us") <= us("p99_us"),
            "{context}"
        );
        assert!(
            us("p99_us") <= us("p999_us") && us("p999_us") <= us("max_us"),
            "{context}"
        );
        // The last answer waited for the 19 CPU parts queued before it: >= 100 ms.
        assert!(
            us("max_us") >= 100_000,
            "the queue is in the latency: {context}"
        );
        // The schedule lasts until the last answer: far fewer than the offered 10,000/s.
        assert!(us("rps") < 1_000, "{context}");
    }
}

/// Runs every model of `workload` at each of `sizes` and checks checksum and ops against
/// `expect(params) -> (checksum, ops)`; returns the results for further checks.
fn check_models(
    workload: &str,
    sizes: &[&[(&str, u64)]],
    expect: impl Fn(&dyn Fn(&str) -> u64) -> (u64, u64),
) -> Vec<Value> {
    let models = rust_models(workload);
    assert!(!models.is_empty());
    let mut results = vec![];
    for params in sizes {
        let get = |name: &str| params.iter().find(|(n, _)| *n == name).unwrap().1;
        let (checksum, ops) = expect(&get);
        for model in &models {
            let result = measure(workload, model, params);
            let context = format!("{workload} {model} {params:?}: {result}");
            assert_eq!(result["checksum"], checksum.to_string(), "{context}");
            assert_eq!(result["ops"], ops, "{context}");
            results.push(result);
        }
    }
    results
}

#[test]
fn cpu_parallel_models() {
    check_models(
        "cpu-parallel",
        &[
            &[("tasks", 1), ("n", 0), ("workers", 1)],
            &[("tasks", 5), ("n", 1000), ("workers", 3)],
            &[("tasks", 2), ("n", 10), ("workers", 8)],
            &[("tasks", 300), ("n", 7), ("workers", 2)],
        ],
        |p| (common::cpu_parallel(p("tasks"), p("n")), p("tasks")),
    );
}

#[test]
fn worker_pool_models() {
    check_models(
        "worker-pool",
        &[
            &[("jobs", 1), ("workers", 1), ("buffer", 1), ("spin", 0)],
            &[("jobs", 500), ("workers", 3), ("buffer", 1), ("spin", 3)],
            &[("jobs", 200), ("workers", 8), ("buffer", 1000), ("spin", 1)],
        ],
        |p| (common::worker_pool(p("jobs"), p("spin")), p("jobs")),
    );
}

#[test]
fn shared_counter_models() {
    check_models(
        "shared-counter",
        &[
            &[("units", 1), ("increments", 0)],
            &[("units", 1), ("increments", 1)],
            &[("units", 8), ("increments", 2000)],
        ],
        |p| {
            let total = p("units") * p("increments");
            (total, total)
        },
    );
}

#[test]
fn spawn_idle_models_report_memory_and_spawn_time() {
    let results = check_models(
        "spawn-idle",
        &[&[("units", 0)], &[("units", 1)], &[("units", 200)]],
        |p| (p("units"), p("units")),
    );
    for result in results {
        let metrics = &result["metrics"];
        assert!(metrics["rss_kb"].as_u64().unwrap() > 0, "{result}");
        let spawn_ns = metrics["spawn_ns"].as_u64().unwrap();
        assert!(
            spawn_ns <= result["elapsed_ns"].as_u64().unwrap(),
            "{result}"
        );
    }
}

#[test]
fn ping_pong_models() {
    check_models("ping-pong", &[&[("rounds", 1)], &[("rounds", 300)]], |p| {
        (2 * p("rounds"), 2 * p("rounds"))
    });
}

#[test]
fn prime_sieve_models() {
    check_models(
        "prime-sieve",
        &[
            &[("primes", 1), ("buffer", 1)],
            &[("primes", 2), ("buffer", 1)],
            &[("primes", 60), ("buffer", 1)],
        ],
        |p| (common::prime_sieve(p("primes")), p("primes")),
    );
}

/// Every buffer gives the same answer: 0 (a rendezvous: crossbeam's `bounded(0)`, and
/// tokio's `channel(1)` with a send that waits for its receive), 1, and buffers that let
/// the generator run far ahead of the chain.
#[test]
fn prime_sieve_models_at_every_buffer() {
    check_models(
        "prime-sieve",
        &[
            &[("primes", 1), ("buffer", 0)],
            &[("primes", 60), ("buffer", 0)],
            &[("primes", 60), ("buffer", 7)],
            &[("primes", 60), ("buffer", 10_000)],
        ],
        |p| (common::prime_sieve(p("primes")), p("primes")),
    );
}

#[test]
fn references_agree_with_known_values() {
    // Guards the references themselves (docs/DESIGN.md, "Workloads" and the first primes).
    assert_eq!(common::cpu_parallel(1, 10), 285);
    assert_eq!(common::cpu_parallel(3, 1000), 1_001_502_501);
    assert_eq!(common::worker_pool(9, 0), 90);
    assert_eq!(common::worker_pool(1, 1), 2_164_539_522);
    assert_eq!(common::prime_sieve(10), 129);
    assert_eq!(common::xorshift(1, 2), 1_152_992_998_833_853_505);
}
