//! Cross-language conformance: every workload × model of the catalogue runs at a tiny size
//! in its real implementation, and its checksum and op count must equal the harness's own
//! reference; every implementation refuses bad parameters the protocol's way.
//!
//! These tests need Go, Python 3, cargo and a C compiler (which cargo needs anyway, to link):
//! a missing toolchain fails them (CI has all four). Java (JDK 21+) and Node.js (20+) are
//! optional: without them their models are skipped, and the skip is said on stderr.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use concbench::catalogue::{Catalogue, Lang, Workload};
use concbench::exec::protocol::parse_report;
use concbench::exec::{self, Exit};
use concbench::toolchain::{Implementation, Toolchains};

mod common;

/// Every language's implementations, built once for all the tests.
fn toolchains() -> &'static Toolchains {
    static T: OnceLock<Toolchains> = OnceLock::new();
    T.get_or_init(|| {
        let t = common::toolchains(Lang::all());
        for (lang, why) in t
            .langs
            .iter()
            .filter_map(|(l, i)| Some((l, i.as_ref().err()?)))
        {
            if OPTIONAL.contains(&lang.name()) {
                eprintln!("conformance: skipping every {lang} model: {why}");
            }
        }
        t
    })
}

/// The languages whose toolchains a machine may lack: their models are skipped there.
const OPTIONAL: [&str; 2] = ["java", "node"];

/// The implementation of `lang`; `None` (skip) for an optional language that is unavailable.
fn implementation(lang: Lang) -> Option<&'static Implementation> {
    match toolchains().langs.get(&lang) {
        Some(Ok(imp)) => Some(imp),
        Some(Err(_)) if OPTIONAL.contains(&lang.name()) => None,
        Some(Err(why)) => panic!("{lang} is unavailable: {why}"),
        None => panic!("{lang} was not prepared"),
    }
}

/// A tiny size for each workload: every model finishes in well under a second.
fn tiny(workload: &str) -> BTreeMap<String, u64> {
    let pairs: &[(&str, u64)] = match workload {
        "cpu-parallel" => &[("tasks", 3), ("n", 1000), ("workers", 2)],
        "worker-pool" => &[("jobs", 100), ("workers", 3), ("buffer", 4), ("spin", 5)],
        "shared-counter" => &[("units", 3), ("increments", 200)],
        "spawn-idle" => &[("units", 50)],
        "ping-pong" => &[("rounds", 100)],
        "prime-sieve" => &[("primes", 30), ("buffer", 1)],
        "mixed-service" => &[
            ("rate", 5_000),
            ("requests", 40),
            ("delay_us", 300),
            ("cpu", 200),
            ("workers", 2),
        ],
        "io-server" => &[
            ("delay_us", 200),
            ("cpu", 50),
            ("workers", 2),
            ("alloc", 4096),
            ("connections", 3),
            ("requests", 60),
            ("rate", 0),
        ],
        // Kernel 3 here; safety_kernels_conforms runs every kernel.
        "safety-kernels" => &[("kernel", 3), ("len", 100), ("passes", 3)],
        other => panic!("no tiny size for {other}: add one"),
    };
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn run(
    imp: &Implementation,
    workload: &str,
    model: &str,
    params: &BTreeMap<String, u64>,
) -> exec::Measurement {
    let inv = imp.invocation(workload, model, params, Duration::from_secs(60));
    exec::run(&inv).expect("the implementation starts")
}

/// The metrics every model of a workload reports (impls/README.md).
fn expected_metrics(workload: &str) -> &'static [&'static str] {
    match workload {
        "mixed-service" => &["rps", "p50_us", "p90_us", "p99_us", "p999_us", "max_us"],
        _ => &[],
    }
}

fn check_workload(name: &str) {
    check_workload_at(name, tiny(name));
}

/// Every model of workload `name` at `params`: exit 0, the reference's checksum and ops.
fn check_workload_at(name: &str, params: BTreeMap<String, u64>) {
    let catalogue = Catalogue::embedded();
    let workload = catalogue.workload(name).unwrap();
    let (reference, ops) = common::answer(name, &params);
    let mut failures = Vec::new();
    for model in &workload.models {
        let Some(imp) = implementation(model.lang) else {
            continue;
        };
        let m = run(imp, name, &model.id, &params);
        if m.exit != Exit::Code(0) {
            failures.push(format!(
                "{}: {}: {}",
                model.id,
                m.exit,
                m.last_stderr_line()
            ));
            continue;
        }
        match parse_report(&m.stdout) {
            Err(e) => failures.push(format!("{}: {e}", model.id)),
            Ok(r) => {
                if r.ops != ops {
                    failures.push(format!("{}: ops {} ≠ {ops}", model.id, r.ops));
                }
                if r.checksum != reference && !model.racy {
                    failures.push(format!(
                        "{}: checksum {} ≠ reference {reference}",
                        model.id, r.checksum
                    ));
                }
                let missing: Vec<&&str> = expected_metrics(name)
                    .iter()
                    .filter(|k| !r.metrics.contains_key(**k))
                    .collect();
                if !missing.is_empty() {
                    failures.push(format!("{}: no metric {missing:?}", model.id));
                }
                if r.elapsed_ns == 0 || r.elapsed_ns > m.wall_ns {
                    failures.push(format!(
                        "{}: elapsed_ns {} outside the wall time {}",
                        model.id, r.elapsed_ns, m.wall_ns
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{name} {params:?}:\n{}",
        failures.join("\n")
    );
}

#[test]
fn cpu_parallel_conforms() {
    check_workload("cpu-parallel");
}

#[test]
fn worker_pool_conforms() {
    check_workload("worker-pool");
}

#[test]
fn shared_counter_conforms() {
    check_workload("shared-counter");
}

#[test]
fn spawn_idle_conforms() {
    check_workload("spawn-idle");
}

#[test]
fn ping_pong_conforms() {
    check_workload("ping-pong");
}

#[test]
fn prime_sieve_conforms() {
    check_workload("prime-sieve");
}

#[test]
fn mixed_service_conforms() {
    check_workload("mixed-service");
}

/// Every kernel, each at a size whose passes differ (the checksum of the pipeline and of the
/// shared table depends on the pass number).
#[test]
fn safety_kernels_conforms() {
    for kernel in 1..=3 {
        let mut params = tiny("safety-kernels");
        params.insert("kernel".into(), kernel);
        check_workload_at("safety-kernels", params);
    }
}

/// Every prime-sieve model at buffer 0 (a rendezvous: unbuffered in Go, `bounded(0)` in
/// crossbeam, a one-slot queue or channel whose send waits for its receive in Python and
/// tokio; ignored by py-async-generators) and at buffer 1 gives the reference checksum,
/// which depends on `primes` alone.
#[test]
fn prime_sieve_conforms_at_buffers_0_and_1() {
    let workload = Catalogue::embedded().workload("prime-sieve").unwrap();
    let mut failures = Vec::new();
    for buffer in [0u64, 1] {
        let mut params = tiny("prime-sieve");
        params.insert("buffer".into(), buffer);
        let (reference, ops) = common::answer("prime-sieve", &params);
        for model in &workload.models {
            let Some(imp) = implementation(model.lang) else {
                continue;
            };
            let m = run(imp, "prime-sieve", &model.id, &params);
            let outcome = match (&m.exit, parse_report(&m.stdout)) {
                (Exit::Code(0), Ok(r)) => (r.checksum, r.ops),
                (Exit::Code(0), Err(e)) => {
                    failures.push(format!("{} buffer={buffer}: {e}", model.id));
                    continue;
                }
                (exit, _) => {
                    let why = m.last_stderr_line();
                    failures.push(format!("{} buffer={buffer}: {exit}: {why}", model.id));
                    continue;
                }
            };
            if outcome != (reference, ops) {
                failures.push(format!(
                    "{} buffer={buffer}: checksum {}, ops {} ≠ reference {reference}, {ops}",
                    model.id, outcome.0, outcome.1
                ));
            }
        }
    }
    assert!(failures.is_empty(), "prime-sieve:\n{}", failures.join("\n"));
}

/// The server parameters of `params` (the load generator's are not the implementation's).
fn server_params(workload: &Workload, params: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    params
        .iter()
        .filter(|(k, _)| !workload.param(k).is_some_and(|p| p.load))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

#[test]
fn io_server_conforms() {
    let workload = Catalogue::embedded().workload("io-server").unwrap();
    let params = tiny("io-server");
    let mut failures = Vec::new();
    for model in &workload.models {
        let Some(imp) = implementation(model.lang) else {
            continue;
        };
        let mut inv = imp.invocation(
            "io-server",
            &model.id,
            &server_params(workload, &params),
            Duration::from_secs(60),
        );
        inv.sample_tree = model.processes;
        let out = concbench::run::io_server::sample(inv, &params, None);
        match (out.sample, out.problem) {
            (Some(s), None) => {
                assert_eq!(s.ops, params["requests"], "{}", model.id);
                // The server's own CPUs are recorded: all but the load generator's.
                let allowed = concbench::exec::allowed_cpus().len();
                assert_eq!(
                    s.metrics["server_cpus"] as usize,
                    concbench::machine::server_cpus(allowed),
                    "{}",
                    model.id
                );
                let p50 = s.metrics["p50_us"];
                if p50 < 200 {
                    failures.push(format!(
                        "{}: p50 {p50} µs is below the 200 µs delay",
                        model.id
                    ));
                }
            }
            (_, problem) => failures.push(format!("{}: {}", model.id, problem.unwrap_or_default())),
        }
    }
    assert!(failures.is_empty(), "io-server:\n{}", failures.join("\n"));
}

#[test]
fn every_catalogued_model_is_implemented_and_nothing_else() {
    let catalogue = Catalogue::embedded();
    for &lang in Lang::all() {
        let Some(imp) = implementation(lang) else {
            continue;
        };
        let mut listed: Vec<(String, String)> = imp
            .models
            .iter()
            .flat_map(|(w, ms)| ms.iter().map(move |m| (w.clone(), m.clone())))
            .collect();
        listed.sort();
        let mut catalogued: Vec<(String, String)> = catalogue
            .workloads
            .iter()
            .flat_map(|w| {
                w.models
                    .iter()
                    .filter(|m| m.lang == lang)
                    .map(move |m| (w.name.clone(), m.id.clone()))
            })
            .collect();
        catalogued.sort();
        assert_eq!(listed, catalogued, "{lang}: --list differs from suite/");
    }
}

#[test]
fn spawn_idle_accepts_zero_units_and_reports_its_metrics() {
    let workload = Catalogue::embedded().workload("spawn-idle").unwrap();
    for units in [0u64, 20] {
        let params = BTreeMap::from([("units".to_string(), units)]);
        for model in &workload.models {
            let Some(imp) = implementation(model.lang) else {
                continue;
            };
            let m = run(imp, "spawn-idle", &model.id, &params);
            assert_eq!(
                m.exit,
                Exit::Code(0),
                "{} units={units}: {}",
                model.id,
                m.last_stderr_line()
            );
            let r = parse_report(&m.stdout).unwrap();
            assert_eq!(r.checksum, units, "{}", model.id);
            assert!(
                r.metrics.get("rss_kb").is_some_and(|kb| *kb > 0),
                "{}: {:?}",
                model.id,
                r.metrics
            );
            assert!(
                r.metrics.contains_key("spawn_ns"),
                "{}: {:?}",
                model.id,
                r.metrics
            );
        }
    }
}

/// Runs `args` and checks the protocol's answer to bad input: exit 2, nothing on stdout,
/// one line on stderr.
fn assert_refused(imp: &Implementation, args: Vec<String>, what: &str) {
    let mut full = imp.prefix_args.clone();
    full.extend(args);
    let inv = exec::Invocation {
        program: imp.program.clone(),
        args: full,
        env: imp.env.clone(),
        pin_cpus: None,
        timeout: Duration::from_secs(30),
        sample_tree: false,
        launcher: imp.launcher.clone(),
    };
    let m = exec::run(&inv).unwrap();
    assert_eq!(m.exit, Exit::Code(2), "{}: {what}: {}", imp.lang, m.stderr);
    assert!(
        m.stdout.is_empty(),
        "{}: {what}: stdout {:?}",
        imp.lang,
        m.stdout
    );
    assert_eq!(
        m.stderr.trim_end().lines().count(),
        1,
        "{}: {what}: stderr {:?}",
        imp.lang,
        m.stderr
    );
}

fn args_of(workload: &Workload, model: &str, params: &BTreeMap<String, u64>) -> Vec<String> {
    let mut args = vec![workload.name.clone(), model.to_string()];
    args.extend(params.iter().map(|(k, v)| format!("--{k}={v}")));
    args
}

#[test]
fn bad_input_is_refused_the_protocols_way() {
    let catalogue = Catalogue::embedded();
    for workload in &catalogue.workloads {
        let params = server_params(workload, &tiny(&workload.name));
        for model in &workload.models {
            let Some(imp) = implementation(model.lang) else {
                continue;
            };
            // Java's and Node's own tests check every model's ranges (impls/README.md); here
            // one model per workload, since each JVM start costs a few tenths of a second.
            let first_of_its_lang = workload.models.iter().find(|m| m.lang == model.lang);
            if OPTIONAL.contains(&model.lang.name())
                && first_of_its_lang.map(|m| &m.id) != Some(&model.id)
            {
                continue;
            }
            for spec in workload.params.iter().filter(|p| !p.load) {
                let mut below = params.clone();
                if spec.min > 0 {
                    below.insert(spec.name.clone(), spec.min - 1);
                    assert_refused(
                        imp,
                        args_of(workload, &model.id, &below),
                        &format!("{} {}=min-1", model.id, spec.name),
                    );
                }
                let mut above = params.clone();
                above.insert(spec.name.clone(), spec.max + 1);
                assert_refused(
                    imp,
                    args_of(workload, &model.id, &above),
                    &format!("{} {}=max+1", model.id, spec.name),
                );
            }
        }
        // Once per language: the other kinds of bad input.
        let mut langs: Vec<Lang> = workload.models.iter().map(|m| m.lang).collect();
        langs.dedup();
        for lang in langs {
            let Some(imp) = implementation(lang) else {
                continue;
            };
            let model = &workload.models.iter().find(|m| m.lang == lang).unwrap().id;
            let good = args_of(workload, model, &params);
            let mut missing = good.clone();
            missing.pop();
            assert_refused(imp, missing, "missing parameter");
            let mut repeated = good.clone();
            repeated.push(good.last().unwrap().clone());
            assert_refused(imp, repeated, "repeated parameter");
            let mut unknown = good.clone();
            unknown.push("--bogus=1".into());
            assert_refused(imp, unknown, "unknown parameter");
            let mut not_int = good.clone();
            let last = not_int.pop().unwrap();
            not_int.push(format!("{}=abc", last.split('=').next().unwrap()));
            assert_refused(imp, not_int, "non-integer value");
            let mut negative = good.clone();
            let last = negative.pop().unwrap();
            negative.push(format!("{}=-1", last.split('=').next().unwrap()));
            assert_refused(imp, negative, "negative value");
            let mut other_model = good.clone();
            other_model[1] = "no-such-model".into();
            assert_refused(imp, other_model, "unknown model");
            if let Some(load) = workload.params.iter().find(|p| p.load) {
                let mut with_load = good.clone();
                with_load.push(format!("--{}=1", load.name));
                assert_refused(imp, with_load, "a load parameter");
            }
            let mut other_workload = good.clone();
            other_workload[0] = "no-such-workload".into();
            assert_refused(imp, other_workload, "unknown workload");
        }
    }
}
