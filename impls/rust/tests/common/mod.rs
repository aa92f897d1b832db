//! What the integration tests share: running the real binary, reading the suite (the
//! single source of truth), and reference checksums computed here, independently of the
//! implementations.

#![allow(dead_code)] // each test binary uses its own part

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

/// The repository root (the tests run from the crate's folder).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `concbench-rust` with `args`; a run that hangs fails the test instead of the suite.
pub fn run(args: &[String]) -> Output {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_concbench-rust"))
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap_or_else(|e| panic!("cannot run concbench-rust {args:?}: {e}"))
}

/// Runs one measurement and returns its result line, checking the protocol's success
/// shape on the way.
pub fn measure(workload: &str, model: &str, params: &[(&str, u64)]) -> Value {
    let mut args = vec![workload.to_owned(), model.to_owned()];
    args.extend(
        params
            .iter()
            .map(|(name, value)| format!("--{name}={value}")),
    );
    let output = run(&args);
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?} failed: {stderr}");
    assert!(stderr.is_empty(), "{args:?} wrote to stderr: {stderr}");
    let last = stdout
        .lines()
        .last()
        .unwrap_or_else(|| panic!("{args:?} printed nothing"));
    let result: Value = serde_json::from_str(last).unwrap_or_else(|e| panic!("{last}: {e}"));
    let checksum = result["checksum"].as_str().expect("checksum is a string");
    assert!(
        checksum.parse::<u64>().is_ok(),
        "{last}: checksum is not a u64"
    );
    assert!(result["elapsed_ns"].is_u64(), "{last}: elapsed_ns");
    assert!(result["ops"].is_u64(), "{last}: ops");
    let metrics = result["metrics"].as_object().expect("metrics is an object");
    assert!(
        metrics.values().all(Value::is_u64),
        "{last}: metrics are integers"
    );
    result
}

/// One workload file of `suite/workloads/`.
pub struct SuiteWorkload {
    pub name: String,
    /// (name, min, max) of each parameter that the implementations take.
    pub params: Vec<(String, u64, u64)>,
    /// The load parameters (`load = true`): the harness's, which implementations refuse.
    pub load_params: Vec<String>,
    /// Ids of the models with `lang = "rust"`, in the file's order.
    pub rust_models: Vec<String>,
}

/// Every workload of the suite that has Rust models.
pub fn suite_workloads() -> Vec<SuiteWorkload> {
    let dir = repo_root().join("suite/workloads");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let workloads: Vec<_> = files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let doc: toml::Table = text.parse().unwrap_or_else(|e| panic!("{path:?}: {e}"));
            let integer = |v: &toml::Value| u64::try_from(v.as_integer().unwrap()).unwrap();
            let (load, server): (Vec<_>, Vec<_>) = doc["params"]
                .as_array()
                .unwrap()
                .iter()
                .partition(|p| p.get("load").and_then(toml::Value::as_bool) == Some(true));
            SuiteWorkload {
                name: doc["name"].as_str().unwrap().to_owned(),
                params: server
                    .iter()
                    .map(|p| {
                        let name = p["name"].as_str().unwrap().to_owned();
                        (name, integer(&p["min"]), integer(&p["max"]))
                    })
                    .collect(),
                load_params: load
                    .iter()
                    .map(|p| p["name"].as_str().unwrap().to_owned())
                    .collect(),
                rust_models: doc["models"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|m| m["lang"].as_str() == Some("rust"))
                    .map(|m| m["id"].as_str().unwrap().to_owned())
                    .collect(),
            }
        })
        .filter(|w| !w.rust_models.is_empty())
        .collect();
    assert!(workloads.len() >= 6, "the suite lost workloads: {dir:?}");
    workloads
}

/// The Rust models of `workload` in the suite.
pub fn rust_models(workload: &str) -> Vec<String> {
    suite_workloads()
        .into_iter()
        .find(|w| w.name == workload)
        .unwrap_or_else(|| panic!("no workload {workload} in the suite"))
        .rust_models
}

/// cpu-parallel: Σ_k Σ_{i < n+k} i², by the closed form (the implementations must loop).
pub fn cpu_parallel(tasks: u64, n: u64) -> u64 {
    (0..tasks)
        .map(|k| {
            let m = u128::from(n + k);
            let sum_of_squares = if m == 0 {
                0
            } else {
                (m - 1) * m * (2 * m - 1) / 6
            };
            sum_of_squares as u64 // mod 2^64
        })
        .fold(0, u64::wrapping_add)
}

/// xs^k(x): xorshift64 applied k times.
pub fn xorshift(mut x: u64, k: u64) -> u64 {
    for _ in 0..k {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// worker-pool: Σ_{j=1..jobs} 2 · xs^spin(j).
pub fn worker_pool(jobs: u64, spin: u64) -> u64 {
    (1..=jobs)
        .map(|j| xorshift(j, spin).wrapping_mul(2))
        .fold(0, u64::wrapping_add)
}

/// prime-sieve: the sum of the first `primes` primes, by trial division.
pub fn prime_sieve(primes: u64) -> u64 {
    (2u64..)
        .filter(|&n| (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
        .take(primes as usize)
        .sum()
}
