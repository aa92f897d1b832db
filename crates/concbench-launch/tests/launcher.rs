//! The launcher, driven by the harness's own `measure` module: runs started through it
//! report the program's own peak memory, not the harness's, and end exactly as the program
//! ended.

use std::time::Duration;

use concbench::exec::{self, Exit, Invocation};

/// `sh -c script`, started through the launcher Cargo built for this test run.
fn sh(script: &str) -> Invocation {
    Invocation {
        program: "/bin/sh".into(),
        args: vec!["-c".into(), script.into()],
        env: vec![],
        pin_cpus: None,
        timeout: Duration::from_secs(20),
        sample_tree: false,
        launcher: Some(env!("CARGO_BIN_EXE_concbench-launch").into()),
    }
}

fn through_launcher(script: &str) -> exec::Measurement {
    exec::run(&sh(script)).unwrap()
}

/// This test process's resident memory (kB).
fn own_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_small_program_reports_its_own_peak_below_the_harness_size() {
    // Make the harness side clearly bigger than a shell, as the real harness is.
    let ballast = std::hint::black_box(vec![1u8; 64 << 20]);
    let m = through_launcher("exit 0");
    assert_eq!(m.exit, Exit::Code(0));
    let harness_kb = own_rss_kb();
    assert!(harness_kb > 60 << 10, "{harness_kb}");
    assert!(
        m.max_rss_kb < 16 << 10,
        "sh's peak {} kB, harness {harness_kb} kB",
        m.max_rss_kb
    );
    assert!(m.rss_floor_kb < m.max_rss_kb, "{m:?}");
    drop(ballast);
}

#[test]
fn a_big_program_reports_its_peak() {
    let m = through_launcher("python3 -c 'b = bytearray(80 << 20)'");
    assert_eq!(m.exit, Exit::Code(0), "{}", m.stderr);
    assert!(m.max_rss_kb > 80 << 10, "{}", m.max_rss_kb);
}

#[test]
fn the_exit_code_and_the_signal_come_through() {
    assert_eq!(through_launcher("exit 3").exit, Exit::Code(3));
    assert_eq!(
        through_launcher("kill -SEGV $$").exit,
        Exit::Signal(libc::SIGSEGV)
    );
    let m = through_launcher("echo out; echo err >&2; exit 0");
    assert_eq!((m.stdout.trim(), m.stderr.trim()), ("out", "err"));
}

#[test]
fn the_program_gets_default_signal_dispositions() {
    // Rust ignores SIGPIPE in its own processes, and the launcher holds the stop signals
    // while it forks; the program must inherit neither.
    let m = through_launcher("grep -E '^(SigIgn|SigBlk)' /proc/self/status");
    let mask = |name: &str| {
        let line = m.stdout.lines().find(|l| l.starts_with(name)).unwrap();
        u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
    };
    let bit = |signal: libc::c_int| 1u64 << (signal - 1);
    assert_eq!(mask("SigIgn:") & bit(libc::SIGPIPE), 0, "{}", m.stdout);
    assert_eq!(mask("SigBlk:"), 0, "{}", m.stdout);
}

#[test]
fn a_signal_to_the_run_reaches_the_program() {
    // The harness stops servers with SIGTERM sent to the process it started.
    let running = exec::start(&sh(
        "trap 'echo stopped; exit 7' TERM; echo ready; while :; do sleep 0.05; done",
    ))
    .unwrap();
    assert_eq!(
        running.next_stdout_line(Duration::from_secs(10)).as_deref(),
        Some("ready")
    );
    let (m, overdue) = running.stop(libc::SIGTERM, Duration::from_secs(5)).unwrap();
    assert!(!overdue);
    assert_eq!(m.exit, Exit::Code(7), "{m:?}");
    assert!(m.stdout.contains("stopped"), "{m:?}");
}

#[test]
fn a_signal_sent_at_once_ends_the_program() {
    for _ in 0..20 {
        let running = exec::start(&sh("exec sleep 30")).unwrap();
        let (m, overdue) = running.stop(libc::SIGTERM, Duration::from_secs(5)).unwrap();
        assert!(!overdue, "SIGTERM was lost: {m:?}");
        assert_eq!(m.exit, Exit::Signal(libc::SIGTERM), "{m:?}");
    }
}

#[test]
fn a_program_that_cannot_start_says_so() {
    let m = exec::run(&Invocation {
        program: "/nonexistent/program".into(),
        ..sh("")
    })
    .unwrap();
    assert_eq!(m.exit, Exit::Code(127));
    assert!(
        m.stderr
            .contains("concbench-launch: cannot start /nonexistent/program: No such file"),
        "{}",
        m.stderr
    );
}
