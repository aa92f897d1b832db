//! The `concbench` command as a user meets it: bad input, missing toolchains, implementations
//! that crash or hang, Ctrl-C.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use concbench::results::ResultsFile;

fn concbench() -> Command {
    let mut cmd = Command::cargo_bin("concbench").unwrap();
    cmd.env_remove("CONCBENCH_WRAPPER");
    cmd
}

/// Exit 2, nothing on stdout, exactly one line on stderr that says `says`.
fn assert_bad_usage(args: &[&str], says: &str) {
    let out = concbench().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "{args:?}: stdout {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    assert!(
        stderr.contains(says),
        "{args:?}: {stderr:?} does not say {says:?}"
    );
}

#[test]
fn bad_usage_is_one_line_and_exit_2() {
    assert_bad_usage(&["run", "--workloads", "nope"], "unknown workload \"nope\"");
    assert_bad_usage(&["run", "--models", "go-nope"], "unknown model \"go-nope\"");
    assert_bad_usage(&["run", "--suite", "huge"], "unknown suite \"huge\"");
    assert_bad_usage(
        &["run", "--set", "cpu-parallel.n"],
        "is not workload.param=value",
    );
    assert_bad_usage(
        &["run", "--set", "cpu-parallel.nn=3"],
        "has no parameter \"nn\"",
    );
    assert_bad_usage(&["run", "--set", "nope.n=3"], "unknown workload \"nope\"");
    assert_bad_usage(&["run", "--set", "cpu-parallel.tasks=0"], "out of range");
    assert_bad_usage(
        &["run", "--set", "cpu-parallel.n=-4"],
        "not a non-negative integer",
    );
    assert_bad_usage(&["run", "--cpus", "0"], "--cpus 0");
    assert_bad_usage(&["run", "--cpus", "4096"], "--cpus 4096");
    assert_bad_usage(&["run", "--runs", "0"], "--runs");
    assert_bad_usage(
        &["run", "--wait-steady", "soon"],
        "give a duration such as 90s, 30m or 1h",
    );
    assert_bad_usage(&["run", "--wait-steady", "2days"], "at most 24h");
    assert_bad_usage(
        &["run", "--budget", "soon"],
        "give a duration such as 12m or 90s, or 0 for no extra samples",
    );
    assert_bad_usage(&["run", "--budget", "3days"], "at most 24h");
    // advise only waits when it measures.
    assert_bad_usage(
        &["advise", "--preset", "gateway", "--wait-steady", "1m"],
        "--measure",
    );
    assert_bad_usage(
        &["run", "--suite", "seed", "--workloads", "ping-pong"],
        "no sizes in suite seed",
    );
    assert_bad_usage(&["frobnicate"], "frobnicate");
}

/// A folder holding links to the programs named, and nothing else: a PATH without Go.
fn path_with_only(dir: &Path, programs: &[&str]) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    for p in programs {
        let real = concbench::toolchain::find_on_path(p).unwrap_or_else(|| panic!("{p} on PATH"));
        std::os::unix::fs::symlink(real, bin.join(p)).unwrap();
    }
    bin
}

fn results(path: &Path) -> ResultsFile {
    ResultsFile::load(path).unwrap()
}

fn run_of<'a>(file: &'a ResultsFile, model: &str) -> &'a concbench::results::RunResult {
    file.runs
        .iter()
        .find(|r| r.model == model)
        .unwrap_or_else(|| panic!("no run of {model}"))
}

/// `concbench run --suite quick --workloads W --models M --runs R [extra]` (with `--warmup 0`
/// unless `extra` sets it)
/// through `cmd` (its environment already set), writing `dir/r.json`; checks the exit
/// status and returns the output and the results file.
fn quick_run(
    mut cmd: Command,
    dir: &Path,
    workload: &str,
    models: &str,
    runs: u32,
    extra: &[&str],
    exit: i32,
) -> (std::process::Output, ResultsFile) {
    let out_file = dir.join("r.json");
    let runs = runs.to_string();
    let out = cmd
        .args([
            "run",
            "--suite",
            "quick",
            "--workloads",
            workload,
            "--models",
            models,
        ])
        .args(["--runs", &runs])
        .args(
            (!extra.contains(&"--warmup"))
                .then_some(["--warmup", "0"])
                .into_iter()
                .flatten(),
        )
        .args(extra)
        .arg("--out")
        .arg(&out_file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(exit),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out, results(&out_file))
}

#[test]
fn a_missing_toolchain_makes_only_its_models_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let bin = path_with_only(dir.path(), &["cargo", "rustc"]);
    let mut cmd = concbench();
    cmd.env("PATH", &bin).env("CARGO", env!("CARGO"));
    let (out, file) = quick_run(
        cmd,
        dir.path(),
        "ping-pong",
        "go-channels,rust-threads",
        1,
        &[],
        0,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let go = run_of(&file, "go-channels");
    assert!(!go.valid);
    let err = go.error.as_deref().unwrap();
    assert!(
        err.contains("`go` is not on PATH") && err.contains("install Go"),
        "{err}"
    );
    assert!(run_of(&file, "rust-threads").valid);
    assert!(stderr.contains("go-channels: unavailable"), "{stderr}");
    // Pinned to one CPU and free: two runs, one warning.
    assert_eq!(
        stderr.matches("go-channels: unavailable").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("(2 runs)"), "{stderr}");
}

#[test]
fn samples_record_their_place_in_the_order_the_suite_ran() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = quick_run(
        concbench(),
        dir.path(),
        "cpu-parallel",
        "rust-seq,rust-threads",
        2,
        &["--warmup", "1"],
        0,
    );
    // Place 1 is the language's one warm-up (Rust's, not kept); the counted samples follow,
    // interleaved across models, each model's in increasing order.
    let mut places = vec![];
    for run in &file.runs {
        let seq: Vec<u64> = run.samples.iter().map(|s| s.seq).collect();
        assert!(seq.windows(2).all(|w| w[0] < w[1]), "{seq:?}");
        places.extend(seq);
    }
    places.sort_unstable();
    assert_eq!(places, [2, 3, 4, 5]);
}

#[test]
fn counted_rounds_run_side_by_side_after_a_languages_one_warm_up() {
    let dir = tempfile::tempdir().unwrap();
    // ping-pong runs each model pinned to one CPU and on all: two runs, one warm-up (the
    // language's, taken by its first run), then counted round k of both runs side by side.
    let (_, file) = quick_run(
        concbench(),
        dir.path(),
        "ping-pong",
        "rust-threads",
        2,
        &["--warmup", "1"],
        0,
    );
    assert_eq!(file.runs.len(), 2);
    let mut by_round: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for run in &file.runs {
        for s in &run.samples {
            by_round.entry(s.round.unwrap()).or_default().push(s.seq);
        }
    }
    // One warm-up in all (place 1); round 0 at places 2-3, round 1 at 4-5.
    let mut rounds: Vec<(u32, Vec<u64>)> = by_round.into_iter().collect();
    rounds.iter_mut().for_each(|(_, seq)| seq.sort_unstable());
    assert_eq!(rounds, [(0, vec![2, 3]), (1, vec![4, 5])]);
}

#[test]
fn a_budget_gives_extra_samples_to_a_first_tier_one_sample_cannot_decide() {
    let dir = tempfile::tempdir().unwrap();
    // One sample each: a point, which decides nothing, so the two are tied for first and
    // the budget buys them extra rounds, side by side.
    let (_, file) = quick_run(
        concbench(),
        dir.path(),
        "cpu-parallel",
        "rust-threads,rust-rayon",
        1,
        &["--budget", "30s"],
        0,
    );
    let extra = file.extra.as_ref().expect("the budget is recorded");
    assert_eq!(extra.budget_ns, 30_000_000_000);
    assert!(extra.samples >= 2, "{extra:?}");
    let counted: usize = file
        .runs
        .iter()
        .map(|r| r.samples.iter().filter(|s| s.extra.is_some()).count())
        .sum();
    assert_eq!(counted as u64, extra.samples);
    let rounds = |model: &str| -> Vec<Option<u32>> {
        run_of(&file, model)
            .samples
            .iter()
            .map(|s| s.round)
            .collect()
    };
    // Round 0 is the planned one; the extra rounds follow it, each run sampled in each.
    assert_eq!(rounds("rust-threads"), rounds("rust-rayon"));
    assert_eq!(rounds("rust-threads")[0], Some(0));
    for s in &run_of(&file, "rust-rayon").samples[1..] {
        assert_eq!(s.extra.as_deref(), Some("first tier of cpu-parallel"));
    }
    // Without a budget (the quick suite has none), no extra sample.
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = quick_run(
        concbench(),
        dir.path(),
        "cpu-parallel",
        "rust-threads,rust-rayon",
        1,
        &[],
        0,
    );
    assert!(file.extra.is_none());
    assert!(file.runs.iter().all(|r| r.samples.len() == 1));
}

#[test]
fn a_suite_runs_one_block_per_workload_each_probed_for_steadiness() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = quick_run(
        concbench(),
        dir.path(),
        "cpu-parallel,ping-pong",
        "rust-seq,rust-threads",
        2,
        &["--warmup", "1"],
        0,
    );
    let names: Vec<&str> = file.blocks.iter().map(|b| b.workload.as_str()).collect();
    assert_eq!(names, ["cpu-parallel", "ping-pong"]);
    let (cpu, ping) = (&file.blocks[0], &file.blocks[1]);
    // cpu-parallel: one Rust warm-up and 2 runs × 2 samples; ping-pong: the same, with
    // rust-threads pinned to 1 CPU and free.
    assert_eq!((cpu.first_seq, cpu.last_seq), (1, 5));
    assert_eq!((ping.first_seq, ping.last_seq), (6, 10));
    for run in &file.runs {
        let block = file.block_of(&run.workload).unwrap();
        assert!(
            run.samples
                .iter()
                .all(|s| (block.first_seq..=block.last_seq).contains(&s.seq)),
            "{} {}: {:?}",
            run.workload,
            run.model,
            run.samples.iter().map(|s| s.seq).collect::<Vec<_>>()
        );
    }
    assert!(cpu.steadiness_before.is_some() && ping.steadiness_before.is_some());
    // The probe between two blocks closes the first and opens the second.
    assert_eq!(cpu.steadiness_after, ping.steadiness_before);
    assert_eq!(ping.steadiness_after, file.machine.steadiness_end);
}

#[test]
fn a_run_with_shared_counter_records_the_safety_checks() {
    let dir = tempfile::tempdir().unwrap();
    let (out, file) = quick_run(
        concbench(),
        dir.path(),
        "shared-counter",
        "rust-seq",
        1,
        &[],
        0,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    use concbench::results::SafetyOutcome;
    let rust: Vec<_> = file
        .safety
        .iter()
        .filter(|c| c.lang == concbench::catalogue::Lang::Rust)
        .collect();
    let models: Vec<&str> = rust.iter().map(|c| c.model.as_str()).collect();
    assert_eq!(
        models,
        ["rust-racy-send", "rust-racy-alias"],
        "{:#?}",
        file.safety
    );
    for check in &rust {
        assert_eq!(check.check, "compile-fail");
        assert_eq!(check.outcome, SafetyOutcome::Rejected, "{check:#?}");
    }
    // Every Go model of the workload is checked, whether the selection ran it or not.
    let go: Vec<&str> = file
        .safety
        .iter()
        .filter(|c| c.lang == concbench::catalogue::Lang::Go && c.check == "race-detector")
        .map(|c| c.model.as_str())
        .collect();
    assert_eq!(
        go,
        [
            "go-mutex",
            "go-atomic",
            "go-channel",
            "go-racy",
            "go-channel-pointer"
        ]
    );
    assert!(
        stderr.contains(
            "safety: rust refused an Rc<Cell> counter sent to threads at compile time (E0277); \
             rust refused one counter borrowed mutably by scoped threads at compile time (E0499)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("safety: go -race"), "{stderr}");
}

#[test]
fn a_run_without_shared_counter_makes_no_safety_checks() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = quick_run(
        concbench(),
        dir.path(),
        "ping-pong",
        "rust-threads",
        1,
        &[],
        0,
    );
    assert!(file.safety.is_empty(), "{:#?}", file.safety);
}

#[test]
fn report_renders_a_results_file_again_with_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (run_out, _) = quick_run(
        concbench(),
        dir.path(),
        "cpu-parallel",
        "rust-seq,rust-threads",
        3,
        &[],
        0,
    );
    let path = dir.path().join("r.json");
    // The run wrote its HTML report beside the results file, and said where.
    let page = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(page.contains("<svg") && page.contains("data-chart=\"ranking\""));
    assert!(
        String::from_utf8_lossy(&run_out.stdout).contains("r.html")
            || String::from_utf8_lossy(&run_out.stderr).contains("r.html")
    );
    let md = concbench()
        .args(["compare", "--format", "md"])
        .arg(&path)
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(md.status.code(), Some(0));
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.lines()
            .any(|l| l.starts_with("| cpu-parallel | rust-seq")),
        "{md}"
    );
    let out = concbench().arg("report").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    // The same tables and findings as the run printed, without running anything.
    assert!(text.contains("cpu-parallel — "), "{text}");
    assert!(text.contains("• 2 CPUs"), "{text}");
    assert!(
        // rust-seq is shown for scale, not ranked.
        text.contains("In short:\n  cpu-parallel (2 CPUs, 1 models): only rust-threads ranked"),
        "{text}"
    );
    let printed = String::from_utf8_lossy(&run_out.stdout);
    let findings = |t: &str| {
        t.lines()
            .filter(|l| l.starts_with('•'))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(findings(&text), findings(&printed));

    let out = concbench()
        .args(["report", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["schema"], "concbench.analysis/1");
    let group = &view["analysis"]["workloads"][0]["groups"][0];
    let ranking = &group["ranking"];
    assert_eq!(ranking.as_array().unwrap().len(), 1);
    assert_eq!(ranking[0]["rank"], 1);
    assert_eq!(group["baselines"][0]["model"], "rust-seq");
    // Three samples: the interval's level is that of [min, max] of 3, not a nominal 95%.
    assert_eq!(ranking[0]["value"]["level"], 0.75);

    std::fs::write(dir.path().join("bad.json"), "{\"schema\": \"other/9\"}").unwrap();
    let bad = concbench()
        .arg("report")
        .arg(dir.path().join("bad.json"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("has schema \"other/9\""), "{err}");
}

#[test]
fn implementations_start_through_the_launcher_so_peaks_are_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = quick_run(
        concbench(),
        dir.path(),
        "cpu-parallel",
        "rust-seq,go-seq",
        1,
        &[],
        0,
    );
    for run in &file.runs {
        let s = &run.samples[0];
        // The floor is the launcher's memory (~0.1 MiB), not the harness's (~5 MiB), and
        // the peak is the program's own, above it.
        assert!(s.rss_floor_kb < 1024, "{}: {s:?}", run.model);
        assert!(s.max_rss_kb > s.rss_floor_kb, "{}: {s:?}", run.model);
        assert!(!run.summary.peak_rss_at_floor, "{}", run.model);
    }
}

#[test]
fn a_wait_for_a_steady_machine_is_bounded_and_recorded_on_its_block() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = quick_run(
        concbench(),
        dir.path(),
        "cpu-parallel",
        "rust-seq",
        1,
        &["--wait-steady", "1s"],
        0,
    );
    let block = &file.blocks[0];
    let probe = block.steadiness_before.as_ref().expect("probed");
    // Steady at the first probe: no wait. Otherwise the harness waited its whole bound
    // (one probe interval is longer than 1 s), probed again and ran the block anyway.
    let unsteady = probe.machine_cv() > concbench::machine::steadiness::UNSTEADY_CV;
    assert!(
        [0, 1_000_000_000].contains(&block.steady_wait_ns),
        "{block:?}"
    );
    if unsteady {
        assert_eq!(block.steady_wait_ns, 1_000_000_000, "{block:?}");
    }
    // Where the kernel counts steal, the block keeps the host's share of its CPU time.
    if concbench::machine::steal_jiffies().is_some() {
        let steal = block.host_steal.expect("the block's steal");
        assert!((0.0..=1.0).contains(&steal), "{block:?}");
    }
    assert!(run_of(&file, "rust-seq").valid);
}

/// A wrapper script that stands in for `model`'s implementation with `body`, and runs every
/// other implementation as it is.
fn wrapper(dir: &Path, model: &str, body: &str) -> PathBuf {
    let path = dir.join("wrapper.sh");
    fs::write(
        &path,
        format!("#!/bin/sh\ncase \" $* \" in\n  *\" {model} \"*) {body} ;;\n  *) exec \"$@\" ;;\nesac\n"),
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_crashing_implementation_is_a_failed_run_and_the_suite_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let wrap = wrapper(
        dir.path(),
        "rust-seq",
        "echo 'boom: simulated crash' >&2; exit 3",
    );
    let mut cmd = concbench();
    cmd.env("CONCBENCH_WRAPPER", &wrap);
    let (out, file) = quick_run(
        cmd,
        dir.path(),
        "cpu-parallel",
        "rust-seq,rust-threads",
        2,
        &[],
        1,
    );
    let crashed = run_of(&file, "rust-seq");
    assert!(!crashed.valid);
    assert_eq!(
        crashed.error.as_deref(),
        Some("exit status 3: boom: simulated crash")
    );
    let fine = run_of(&file, "rust-threads");
    assert!(fine.valid, "{:?}", fine.error);
    assert_eq!(fine.samples.len(), 2);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("boom: simulated crash"),
        "the table's notes say why: {stdout}"
    );
}

#[test]
fn a_hanging_implementation_is_killed_at_its_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    // A distinctive duration, to look for leftovers afterwards.
    let wrap = wrapper(dir.path(), "rust-seq", "exec sleep 987");
    let started = Instant::now();
    let mut cmd = concbench();
    cmd.env("CONCBENCH_WRAPPER", &wrap);
    let (_, file) = quick_run(
        cmd,
        dir.path(),
        "cpu-parallel",
        "rust-seq,rust-rayon",
        1,
        &["--timeout", "1"],
        1,
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    let hung = run_of(&file, "rust-seq");
    assert!(
        hung.error
            .as_deref()
            .unwrap()
            .starts_with("timed out after 1 s"),
        "{:?}",
        hung.error
    );
    assert!(run_of(&file, "rust-rayon").valid);
    assert!(!leftover("sleep 987"), "the hung process outlived its run");
}

fn leftover(cmdline: &str) -> bool {
    fs::read_dir("/proc").unwrap().flatten().any(|e| {
        fs::read(e.path().join("cmdline"))
            .map(|c| String::from_utf8_lossy(&c).replace('\0', " ").trim() == cmdline)
            .unwrap_or(false)
    })
}

#[test]
fn ctrl_c_keeps_what_was_measured() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("r.json");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("concbench"))
        .args([
            "run",
            "--suite",
            "quick",
            "--workloads",
            "ping-pong",
            "--models",
            "rust-threads",
        ])
        .args(["--runs", "1000", "--warmup", "0", "--out"])
        .arg(&out_file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first save of the results file, then interrupt.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !out_file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: sending SIGINT to our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let file = results(&out_file);
    assert!(file.interrupted);
    let run = run_of(&file, "rust-threads");
    assert!(
        !run.samples.is_empty() && run.samples.len() < 1000,
        "{}",
        run.samples.len()
    );
    assert!(run.valid);
}

#[test]
fn list_shows_every_workload_and_the_toolchains() {
    let out = concbench().arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for w in &concbench::catalogue::Catalogue::embedded().workloads {
        assert!(stdout.contains(&w.name), "{}", w.name);
    }
    assert!(stdout.contains("rustc 1."), "{stdout}");
}

#[test]
fn a_thread_count_above_the_cap_is_refused_before_starting_and_the_suite_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    // Exit 0: a refusal is a warning, not a failure.
    let (out, file) = quick_run(
        concbench(),
        dir.path(),
        "spawn-idle",
        "rust-threads,rust-tokio",
        1,
        &["--set", "spawn-idle.units=5000000"],
        0,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let refused = file
        .runs
        .iter()
        .find(|r| r.model == "rust-threads" && r.params["units"] == 5_000_000)
        .unwrap();
    let why = refused.error.as_deref().unwrap();
    assert!(
        why.starts_with("refused before starting: units=5000000"),
        "{why}"
    );
    assert!(
        why.contains("largest safe count") && why.contains("bound by"),
        "{why}"
    );
    assert!(refused.samples.is_empty());
    assert!(stderr.contains("refused before starting"), "{stderr}");
    // The baseline and the async model still ran; 5 million tasks take a few seconds.
    assert!(file
        .runs
        .iter()
        .any(|r| r.model == "rust-tokio" && r.valid && r.params["units"] == 5_000_000));
    assert!(started.elapsed() < Duration::from_secs(120));
}

#[test]
fn a_server_that_dies_mid_run_fails_the_run_with_the_generators_errors() {
    let dir = tempfile::tempdir().unwrap();
    // The real server starts and answers, then is killed 0.5 s into the load.
    let wrap = wrapper(
        dir.path(),
        "rust-tokio",
        "\"$@\" & server=$!; sleep 0.5; kill -9 $server; wait $server; exit 1",
    );
    let started = Instant::now();
    let mut cmd = concbench();
    cmd.env("CONCBENCH_WRAPPER", &wrap);
    let load = [
        "--set",
        "io-server.cpu=0",
        "--set",
        "io-server.connections=4",
        "--set",
        "io-server.requests=1000000",
        "--set",
        "io-server.delay_us=1000",
        "--timeout",
        "8",
    ];
    let (_, file) = quick_run(
        cmd,
        dir.path(),
        "io-server",
        "rust-tokio,rust-threads",
        1,
        &load,
        1,
    );
    assert!(started.elapsed() < Duration::from_secs(100));
    let died = run_of(&file, "rust-tokio");
    let why = died.error.as_deref().unwrap();
    assert!(why.contains("the server exited during the load"), "{why}");
    assert!(why.contains("errors (first:"), "{why}");
    let sample = &died.samples[0];
    assert!(
        sample.metrics["requests"] > 0 && sample.metrics["errors"] > 0,
        "{:?}",
        sample.metrics
    );
    // The other server, asked for a million requests, is stopped by the time limit instead.
    let limited = run_of(&file, "rust-threads");
    assert!(
        limited
            .error
            .as_deref()
            .unwrap()
            .contains("not sent before the time limit"),
        "{:?}",
        limited.error
    );
    assert!(!leftover_server(), "a server outlived its run");
}

/// Whether any implementation process is still running an io-server.
fn leftover_server() -> bool {
    fs::read_dir("/proc").unwrap().flatten().any(|e| {
        fs::read(e.path().join("cmdline"))
            .map(|c| {
                let c = String::from_utf8_lossy(&c);
                c.contains("concbench-rust\0io-server")
            })
            .unwrap_or(false)
    })
}

#[test]
fn claims_and_models_read_a_results_file_and_say_what_it_cannot_decide() {
    let dir = tempfile::tempdir().unwrap();
    quick_run(
        concbench(),
        dir.path(),
        "cpu-parallel",
        "py-seq,py-threads",
        3,
        &[],
        0,
    );
    let path = dir.path().join("r.json");
    let out = concbench()
        .args(["claims", "--no-run", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "concbench.claims/1");
    let claims = doc["claims"].as_array().unwrap();
    assert!(claims.len() >= 20, "{}", claims.len());
    for c in claims {
        for key in [
            "id", "claim", "workload", "models", "measured", "unit", "ci95", "rule", "verdict",
            "reason", "evidence",
        ] {
            assert!(c.get(key).is_some(), "{key} missing from {c}");
        }
    }
    let by_id = |id: &str| claims.iter().find(|c| c["id"] == id).unwrap();
    // The file has Python's threads and sequential model: the GIL claim is decided, from
    // the two runs it names.
    let gil = by_id("gil-cpu-threads");
    assert_ne!(gil["verdict"], "not measured", "{gil}");
    assert!(gil["measured"].as_f64().unwrap() > 0.0);
    let runs: Vec<&str> = gil["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["model"].as_str().unwrap())
        .collect();
    assert_eq!(runs, ["py-threads", "py-seq"]);
    // It has no spawn-idle run: that claim is not measured, not guessed, and says what to run.
    let kb = by_id("goroutine-2kb");
    assert_eq!(kb["verdict"], "not measured");
    assert!(kb["measured"].is_null());
    assert_eq!(kb["tests"][0]["measure"]["workload"], "spawn-idle", "{kb}");

    let text = concbench()
        .args(["claims", "--no-run"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("rule: holds if threads run CPU-bound Python"),
        "{text}"
    );
    assert!(
        text.contains(
            "to measure: concbench run --suite quick --workloads spawn-idle --models go-goroutines"
        ),
        "{text}"
    );

    let md = concbench()
        .args(["models", "--format", "md"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(md.status.code(), Some(0));
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.lines()
            .any(|l| l.starts_with("| py-threads | python | OS thread")),
        "{md}"
    );
    let json = concbench()
        .args(["models", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let threads = doc["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "py-threads")
        .unwrap();
    for key in [
        "model",
        "lang",
        "unit",
        "communication",
        "sharing",
        "scheduling",
        "domains",
        "safety",
        "cpu_speedup",
    ] {
        assert!(threads.get(key).is_some(), "{key} missing");
    }
    assert!(
        threads["cpu_speedup"]["value"].as_f64().is_some(),
        "{threads}"
    );

    // With no results file to read, one line says what to do.
    let empty = tempfile::tempdir().unwrap();
    let out = concbench()
        .arg("claims")
        .current_dir(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("run `concbench run` first"), "{err}");
}

/// A quick run's io-server, worker-pool, cpu-parallel and spawn-idle runs, as written.
fn advise_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/quick-advise.json")
}

#[test]
fn advise_refuses_bad_profiles_in_one_line() {
    let file = advise_fixture();
    let r = file.to_str().unwrap();
    let bad = |extra: &[&str], says: &str| {
        let mut args = vec!["advise", "--results", r];
        args.extend_from_slice(extra);
        assert_bad_usage(&args, says);
    };
    bad(&["--preset", "gatway"], "unknown preset \"gatway\"");
    bad(&[], "advise needs a profile: --preset P");
    bad(&["--io-ms", "1"], "the profile has no concurrency");
    bad(&["--concurrency", "10"], "the profile does no work");
    bad(
        &["--preset", "gateway", "--io-ms", "-1"],
        "--io-ms -1 is negative",
    );
    bad(&["--preset", "gateway", "--cpus", "0"], "--cpus 0 is zero");
    bad(
        &["--preset", "gateway", "--p99-ms", "0.5"],
        "is below the I/O wait",
    );
    bad(
        &["--preset", "trading", "--rate", "1000000"],
        "--rate 1000000 contradicts --concurrency 10",
    );
    bad(
        &["--preset", "trading", "--langs", "cobol"],
        "unknown language \"cobol\"",
    );
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.toml");
    fs::write(&profile, "concurrency = 10\nio_ms = 1\nrate = -3\n").unwrap();
    bad(&["--profile", profile.to_str().unwrap()], "rate = -3 in");
}

#[test]
fn advise_ranks_from_the_results_file_with_its_own_figures_in_under_a_second() {
    let path = advise_fixture();
    let file = results(&path);
    let started = Instant::now();
    let out = concbench()
        .args([
            "advise",
            "--preset",
            "gateway",
            "--format",
            "json",
            "--results",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 7, "every io-server model");
    let mut seen_infeasible = false;
    for (k, row) in rows.iter().enumerate() {
        // A row tied with the one above (their throughput ratio's interval holds 1, or one
        // sample each cannot decide) shares its rank.
        if row["tied_with_above"].is_object() {
            let r = &row["tied_with_above"];
            let one_sample = r["level"].as_f64() == Some(0.0);
            let holds_one =
                r["ci95_low"].as_f64() <= Some(1.0) && r["ci95_high"].as_f64() >= Some(1.0);
            assert!(one_sample || holds_one, "{r}");
            assert_eq!(row["rank"], rows[k - 1]["rank"]);
        } else {
            assert_eq!(row["rank"], k + 1);
        }
        let feasible = row["feasible"].as_bool().unwrap();
        assert!(!(feasible && seen_infeasible), "feasible rows come first");
        seen_infeasible |= !feasible;
        assert!(!row["binding"].as_str().unwrap().is_empty());
        assert!(row["score"].is_number() && row["headroom"].is_number());
        let run = &file.runs[row["evidence"][0]["run"].as_u64().unwrap() as usize];
        assert_eq!(run.model, row["model"].as_str().unwrap());
        assert_eq!(run.workload, "io-server");
        // The figures shown are the file's medians.
        let m = &run.summary.metrics;
        assert_eq!(row["figures"]["throughput"].as_f64(), Some(m["rps"] as f64));
        assert_eq!(
            row["figures"]["p99_ms"].as_f64(),
            Some(m["p99_us"] as f64 / 1000.0)
        );
        if row["binding"] == "capacity" {
            assert_eq!(row["headroom"].as_f64(), Some(m["rps"] as f64 / 5000.0));
        }
    }
    // The gateway's 1000 connections lie beyond the quick suite's 100: said, with the command.
    assert_eq!(doc["extrapolations"][0]["stands_on"], "connections=100");
    assert_eq!(
        doc["commands"][0],
        "concbench run --suite quick --workloads io-server --set io-server.connections=1000"
    );
    for preset in ["gateway", "data-pipeline", "trading", "background-jobs"] {
        let out = concbench()
            .args(["advise", "--preset", preset, "--results"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{preset}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("concbench advise · {preset} — ")),
            "{text}"
        );
        // A choice, or a tie where one sample a model cannot tell the first ones apart.
        assert!(
            text.contains("is the choice for this profile")
                || text.contains("are tied for this profile"),
            "{preset}: {text}"
        );
        assert!(text.contains("Evidence:"), "{text}");
    }
}

#[test]
fn advise_judges_massive_connections_from_spawn_idle_without_io_server_in_every_format() {
    // The quick fixture's spawn-idle runs alone.
    let mut doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(advise_fixture()).unwrap()).unwrap();
    let spawn_idle = |v: &serde_json::Value| v["workload"] == "spawn-idle";
    for key in ["runs", "blocks"] {
        doc[key].as_array_mut().unwrap().retain(spawn_idle);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spawn-idle.json");
    fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    let advise = |format: &str| {
        let out = concbench()
            .args(["advise", "--concurrency", "1000000", "--io-ms", "60000"])
            .args(["--cpu-ms", "0", "--memory-mb", "1024", "--format", format])
            .arg("--results")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let json: serde_json::Value = serde_json::from_str(&advise("json")).unwrap();
    assert_eq!(json["memory_from"], "spawn-idle-per-unit");
    let rows = json["rows"].as_array().unwrap();
    let row = |m: &str| rows.iter().find(|r| r["model"] == m).unwrap();
    // A goroutine's memory per unit times a million is over 1 GiB; a tokio task's is not.
    assert_eq!(row("go-net-http")["feasible"], false);
    assert_eq!(row("go-net-http")["binding"], "memory");
    assert_eq!(row("rust-tokio")["feasible"], true);
    assert!(row("rust-tokio")["figures"]["throughput"].is_null());
    assert!(json["missing"]
        .as_str()
        .unwrap()
        .contains("throughput and latency are not measured"));
    for (format, says) in [
        ("terminal", "memory from: spawn-idle's memory per unit"),
        ("md", "Memory from spawn-idle's memory per unit"),
    ] {
        let text = advise(format);
        assert!(text.contains(says), "{format}: {text}");
        assert!(text.contains("rust-tokio (rust) is the choice"), "{text}");
    }
    let out = concbench()
        .args(["report", "--format", "html", "--concurrency", "1000000"])
        .args(["--io-ms", "60000", "--cpu-ms", "0", "--memory-mb", "1024"])
        .arg(&path)
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        html.contains("Memory from spawn-idle&#39;s memory per unit"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn advise_without_results_says_what_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = concbench()
        .current_dir(dir.path())
        .args(["advise", "--preset", "gateway"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("concbench run --suite quick --workloads io-server")
            && err.contains("--measure"),
        "{err}"
    );
}

#[test]
fn report_given_a_profile_adds_the_advice_to_html_and_markdown() {
    let path = advise_fixture();
    for (format, marker) in [
        ("html", "<section id=\"advice\">"),
        ("md", "### Advice: trading"),
    ] {
        let out = concbench()
            .args(["report", "--format", format, "--preset", "trading"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{format}");
        assert!(
            text.contains("rust-threads (rust) is the choice"),
            "{format}"
        );
        let plain = concbench()
            .args(["report", "--format", format])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            !String::from_utf8_lossy(&plain.stdout).contains(marker),
            "{format}"
        );
    }
}
