//! `concbench-launch PROGRAM [ARG...]`: runs PROGRAM as its own child and reports that
//! child's peak memory to the harness, so the figure is not floored at the harness's size.
//!
//! Why a launcher: Linux's `wait4` never reports a child's peak resident memory below what
//! the process had when it was forked, because at exec the kernel keeps the forked copy's
//! high-water mark. A child forked by the harness (tens of MiB with its threads, tables and
//! results) therefore reports at least the harness's size. This program is small; a child
//! forked from it starts from its ~1 MiB, and it passes on what `wait4` says of that child.
//!
//! Protocol with the harness (`measure.rs`):
//! - `CONCBENCH_REPORT_FD=N` names an inherited pipe; after PROGRAM exits the launcher
//!   writes one line to it, `<peak_rss_kb> <floor_kb>`: the child's `ru_maxrss` and the
//!   launcher's own anonymous resident memory when it forked (the new floor). The variable and the
//!   pipe are not passed on to PROGRAM.
//! - PROGRAM inherits everything else: arguments, environment, stdin/stdout/stderr, CPU
//!   affinity, process group.
//! - SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to the launcher are passed
//!   on to PROGRAM (the harness stops servers with SIGTERM).
//! - The launcher ends as PROGRAM ended: the same exit code, or the same signal.
//! - PROGRAM cannot be started: one line on stderr and exit status 127.

use std::ffi::{CString, OsString};
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::{AtomicI32, Ordering};

/// The running child, for the signal handler.
static CHILD: AtomicI32 = AtomicI32::new(0);

/// Signals passed on to the child.
const FORWARDED: [libc::c_int; 6] = [
    libc::SIGTERM,
    libc::SIGINT,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
];

extern "C" fn forward(signal: libc::c_int) {
    let child = CHILD.load(Ordering::SeqCst);
    if child > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe {
            libc::kill(child, signal);
        }
    }
}

fn fail(message: &str) -> ! {
    eprintln!("concbench-launch: {message}");
    std::process::exit(127)
}

/// Anonymous resident memory of this process now (kB), from /proc/self/status: what a
/// forked child's page tables start with, so the floor under its peak.
fn own_anon_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("RssAnon:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if args.is_empty() {
        fail("usage: concbench-launch PROGRAM [ARG...]");
    }
    let argv: Vec<CString> = args
        .iter()
        .map(|a| CString::new(a.as_bytes()).unwrap_or_else(|_| fail("an argument holds a NUL")))
        .collect();
    let mut argv_ptrs: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());

    let report_fd: Option<libc::c_int> = std::env::var("CONCBENCH_REPORT_FD")
        .ok()
        .and_then(|v| v.parse().ok());
    // This process has one thread, so changing its environment is safe.
    std::env::remove_var("CONCBENCH_REPORT_FD");
    if let Some(fd) = report_fd {
        // SAFETY: F_SETFD on an fd we were given; the child must not inherit it.
        unsafe {
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
    }

    // Hold the forwarded signals until CHILD is set, so that one sent the moment the
    // program starts is not lost; they are delivered (and passed on) when unblocked. They
    // are held before the handler is installed: one that came between the two would reach
    // `forward` while there is no child yet, and be dropped. Before this point the default
    // disposition still holds, and such a signal ends the launcher, as it should.
    // SAFETY: sigset_t is plain data; sigprocmask on this single-threaded process.
    let forwarded = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for &signal in &FORWARDED {
            libc::sigaddset(&mut set, signal);
        }
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    for &signal in &FORWARDED {
        // SAFETY: `forward` only calls async-signal-safe functions.
        unsafe {
            libc::signal(signal, forward as *const () as libc::sighandler_t);
        }
    }
    let floor_kb = own_anon_rss_kb();
    // SAFETY: this process has one thread, so the child may use anything before exec.
    let child = unsafe { libc::fork() };
    if child < 0 {
        fail(&format!("fork: {}", std::io::Error::last_os_error()));
    }
    if child == 0 {
        // SAFETY: give the program default dispositions and no blocked signals, then
        // replace this process. SIGPIPE too: Rust's runtime ignores it in this process,
        // and an ignored signal would stay ignored across exec.
        unsafe {
            for &signal in FORWARDED.iter().chain(&[libc::SIGPIPE]) {
                libc::signal(signal, libc::SIG_DFL);
            }
            libc::sigprocmask(libc::SIG_UNBLOCK, &forwarded, std::ptr::null_mut());
            libc::execvp(argv_ptrs[0], argv_ptrs.as_ptr());
            let why = std::io::Error::last_os_error();
            eprintln!(
                "concbench-launch: cannot start {}: {why}",
                args[0].to_string_lossy()
            );
            libc::_exit(127);
        }
    }
    CHILD.store(child, Ordering::SeqCst);
    // SAFETY: as above.
    unsafe {
        libc::sigprocmask(libc::SIG_UNBLOCK, &forwarded, std::ptr::null_mut());
    }

    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: rusage is plain data filled by wait4.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::wait4(child, &mut status, 0, &mut usage) };
        if rc == child {
            break (status, usage);
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            fail(&format!("wait4: {}", std::io::Error::last_os_error()));
        }
    };

    if let Some(fd) = report_fd {
        let line = format!("{} {}\n", usage.ru_maxrss.max(0), floor_kb);
        // SAFETY: a plain write of a small buffer to the pipe we were given.
        unsafe {
            libc::write(fd, line.as_ptr().cast(), line.len());
            libc::close(fd);
        }
    }

    if libc::WIFSIGNALED(status) {
        let signal = libc::WTERMSIG(status);
        // End the same way, without a core dump of the launcher itself.
        // SAFETY: plain system calls on this process.
        unsafe {
            let no_core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &no_core);
            libc::signal(signal, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, signal);
            libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::raise(signal);
        }
        std::process::exit(128 + signal);
    }
    std::process::exit(libc::WEXITSTATUS(status));
}
