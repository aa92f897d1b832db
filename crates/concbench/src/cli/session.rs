//! The flags every command that runs shares (`--go`, `--python`, `--wait-steady`), turned
//! into a [`Session`]; and Ctrl-C, whose handler is installed here, once.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::catalogue::Catalogue;
use crate::output::progress;
use crate::run::{Interrupt, Session};

/// Which Go and Python to use.
#[derive(Debug, Clone, Args)]
pub struct ToolchainArgs {
    /// The `go` program to build with (default: `go` on PATH)
    #[arg(long, value_name = "PATH")]
    pub go: Option<PathBuf>,
    /// The Python interpreter to use, e.g. a free-threaded CPython (default: `python3` on PATH)
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
}

/// A `--wait-steady` bound: a duration in humantime's words (`90s`, `30m`, `1h`), at most a
/// day.
pub(super) fn parse_wait(text: &str) -> std::result::Result<Duration, String> {
    let d = humantime::parse_duration(text)
        .map_err(|e| format!("{e}; give a duration such as 90s, 30m or 1h"))?;
    if d > Duration::from_secs(86_400) {
        return Err("at most 24h".into());
    }
    Ok(d)
}

/// A `--budget`: a duration in humantime's words (`12m`, `90s`), or `0` for no extra
/// samples; at most a day.
pub(super) fn parse_budget(text: &str) -> std::result::Result<Duration, String> {
    crate::catalogue::parse_budget(text)
}

/// One line on stderr, as every line of the harness: `concbench: ...`.
pub(super) fn log_step(msg: &str) {
    eprintln!("concbench: {msg}");
}

/// The session of a command that runs, with Ctrl-C's handler installed: progress on stderr.
pub(super) fn session<'a>(
    catalogue: &'a Catalogue,
    toolchains: &ToolchainArgs,
    wait_steady: Duration,
    budget: Option<Duration>,
) -> Session<'a> {
    Session {
        catalogue,
        go: toolchains.go.clone(),
        python: toolchains.python.clone(),
        wait_steady,
        budget,
        command: std::env::args().collect(),
        interrupt: on_ctrl_c(),
        progress: progress::for_stderr,
        log: log_step,
    }
}

/// Installs the process's Ctrl-C handler (a command makes one session, so once) and returns
/// the handle it sets. While the session samples, Ctrl-C stops the run in flight (its
/// process group) and lets the runner save what it has; before that, while the toolchains
/// build, it ends the program as it would without a handler.
fn on_ctrl_c() -> Interrupt {
    let interrupt = Interrupt::new();
    let handle = interrupt.clone();
    let _ = ctrlc::set_handler(move || {
        if handle.ctrl_c() {
            crate::exec::kill_current_run();
        } else {
            // SAFETY: restores SIGINT's default action, then raises it in this thread: the
            // process ends by the signal, as it would have with no handler installed.
            unsafe {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                libc::raise(libc::SIGINT);
            }
        }
    });
    interrupt
}
