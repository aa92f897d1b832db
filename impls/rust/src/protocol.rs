//! The command-line protocol every concbench implementation speaks (see
//! impls/README.md): `<program> <workload> <model> --<param>=<value> ...` runs one
//! measurement and prints one JSON line; `<program> --list` says what is implemented.
//! Bad input of any kind exits 2 with one line on stderr and nothing on stdout.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

/// The program name that starts every error line.
pub const PROGRAM: &str = "concbench-rust";

/// The compiler this binary was built with, as `--list` reports it ("rustc 1.95.0").
pub const RUNTIME: &str = env!("CONCBENCH_RUSTC_VERSION");

/// One integer parameter of a workload and the range that every implementation enforces
/// (the `min`/`max` of `suite/workloads/<workload>.toml`).
#[derive(Debug)]
pub struct Param {
    /// Name as given on the command line, without the leading `--`.
    pub name: &'static str,
    /// Smallest accepted value.
    pub min: u64,
    /// Largest accepted value.
    pub max: u64,
}

impl Param {
    /// Parameter `--name`, valid in `min..=max`.
    pub const fn new(name: &'static str, min: u64, max: u64) -> Self {
        Param { name, min, max }
    }
}

/// One concurrency model of a workload.
#[derive(Debug)]
pub struct Model {
    /// The model id of the suite's catalogue, e.g. `rust-rayon`.
    pub id: &'static str,
    /// Runs the workload under this model with validated arguments.
    pub run: fn(&Args) -> Outcome,
}

impl Model {
    /// Model `id`, run by `run`.
    pub const fn new(id: &'static str, run: fn(&Args) -> Outcome) -> Self {
        Model { id, run }
    }
}

/// A workload: its parameters and the Rust models that implement it.
#[derive(Debug)]
pub struct Workload {
    /// The workload name of the suite, e.g. `cpu-parallel`.
    pub name: &'static str,
    /// Every parameter; each must be given exactly once.
    pub params: &'static [Param],
    /// The models, in the order `--list` shows them.
    pub models: &'static [Model],
}

/// The validated parameter values of one run, each within its range.
#[derive(Debug)]
pub struct Args {
    params: &'static [Param],
    values: Vec<u64>,
}

impl Args {
    /// The value of parameter `name`.
    ///
    /// # Panics
    /// If the workload has no such parameter: a programming error that every model's test
    /// catches.
    pub fn get(&self, name: &str) -> u64 {
        let index = self
            .params
            .iter()
            .position(|p| p.name == name)
            .unwrap_or_else(|| panic!("the workload has no parameter --{name}"));
        self.values[index]
    }

    /// The value of parameter `name` as a count of things held in memory.
    ///
    /// # Panics
    /// As [`Args::get`], or if the value does not fit in `usize` (the suite's ranges make
    /// that impossible on a 64-bit machine).
    pub fn get_usize(&self, name: &str) -> usize {
        usize::try_from(self.get(name)).unwrap_or_else(|_| panic!("--{name} does not fit in usize"))
    }
}

/// What one run measured: the last stdout line of the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The workload's checksum (docs/DESIGN.md, "Workloads").
    pub checksum: u64,
    /// Time of the concurrent part only: from just before the first unit of concurrency is
    /// created until the answer is known.
    pub elapsed: Duration,
    /// Units of the workload's work done.
    pub ops: u64,
    /// Further measured numbers, by name.
    pub metrics: Vec<(&'static str, u64)>,
}

impl Outcome {
    /// The outcome of a run that started at `start` and knows its answer now, with no
    /// metrics.
    pub fn since(start: Instant, checksum: u64, ops: u64) -> Self {
        Outcome {
            checksum,
            elapsed: start.elapsed(),
            ops,
            metrics: vec![],
        }
    }

    /// The protocol's result line: `{"checksum": "<u64>", "elapsed_ns": .., "ops": .., "metrics": {..}}`.
    pub fn to_json(&self) -> String {
        let metrics: Map<String, Value> = self
            .metrics
            .iter()
            .map(|&(name, value)| (name.to_owned(), value.into()))
            .collect();
        json!({
            "checksum": self.checksum.to_string(),
            "elapsed_ns": nanos(self.elapsed),
            "ops": self.ops,
            "metrics": metrics,
        })
        .to_string()
    }
}

/// A duration in whole nanoseconds, as the protocol's integers carry it (saturating, which
/// only a run of over 500 years would reach).
pub fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// `--list`: print what is implemented.
    List,
    /// Run one model of one workload.
    Run {
        /// The model to run.
        model: &'static Model,
        /// Its validated arguments.
        args: Args,
    },
}

/// Bad input: the text after `<program>: ` on the one stderr line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

/// Parses and validates the arguments (without the program name) against `workloads`.
pub fn parse(workloads: &'static [Workload], argv: &[OsString]) -> Result<Command, UsageError> {
    let argv = argv
        .iter()
        .map(|a| {
            a.to_str()
                .ok_or_else(|| UsageError(format!("argument {a:?} is not valid UTF-8")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let usage = || {
        UsageError(format!(
            "usage: {PROGRAM} <workload> <model> --<param>=<value> ... | {PROGRAM} --list"
        ))
    };
    let (&first, rest) = argv.split_first().ok_or_else(usage)?;
    if first == "--list" {
        return match rest.first() {
            None => Ok(Command::List),
            Some(extra) => Err(UsageError(format!(
                "--list takes no arguments, got {extra:?}"
            ))),
        };
    }
    let workload = workloads.iter().find(|w| w.name == first).ok_or_else(|| {
        let known: Vec<_> = workloads.iter().map(|w| w.name).collect();
        UsageError(format!(
            "unknown workload {first:?} (known: {})",
            known.join(", ")
        ))
    })?;
    let fail = |what: String| UsageError(format!("{}: {what}", workload.name));
    let models: Vec<_> = workload.models.iter().map(|m| m.id).collect();
    let (&model_id, params) = rest
        .split_first()
        .ok_or_else(|| fail(format!("missing the model (one of: {})", models.join(", "))))?;
    let model = workload
        .models
        .iter()
        .find(|m| m.id == model_id)
        .ok_or_else(|| {
            fail(format!(
                "unknown model {model_id:?} (rust models: {})",
                models.join(", ")
            ))
        })?;

    let mut values: Vec<Option<u64>> = vec![None; workload.params.len()];
    for &arg in params {
        let (name, text) = arg
            .strip_prefix("--")
            .and_then(|a| a.split_once('='))
            .ok_or_else(|| {
                fail(format!(
                    "unexpected argument {arg:?} (parameters are --name=value)"
                ))
            })?;
        let index = workload
            .params
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| {
                fail(format!(
                    "unknown parameter --{name} ({})",
                    expected(workload)
                ))
            })?;
        let param = &workload.params[index];
        if values[index].is_some() {
            return Err(fail(format!("--{name} is given more than once")));
        }
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail(format!(
                "--{name}={text} is not a non-negative integer"
            )));
        }
        // Digits that overflow u64 are above every maximum, so they are out of range too.
        match text.parse::<u64>() {
            Ok(value) if (param.min..=param.max).contains(&value) => values[index] = Some(value),
            _ => {
                return Err(fail(format!(
                    "--{name}={text} is out of range ({}..={})",
                    param.min, param.max
                )))
            }
        }
    }
    let missing: Vec<_> = workload
        .params
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(p, _)| format!("--{}", p.name))
        .collect();
    if !missing.is_empty() {
        return Err(fail(format!("missing {}", missing.join(", "))));
    }
    Ok(Command::Run {
        model,
        args: Args {
            params: workload.params,
            values: values.into_iter().flatten().collect(),
        },
    })
}

/// "expected --a, --b": the parameters of `workload`, for error lines.
fn expected(workload: &Workload) -> String {
    let names: Vec<_> = workload
        .params
        .iter()
        .map(|p| format!("--{}", p.name))
        .collect();
    format!("expected {}", names.join(", "))
}

/// The `--list` line: `{"lang": "rust", "runtime": "rustc X.Y.Z", "models": {..}}`.
pub fn list_json(workloads: &[Workload]) -> String {
    let models: Map<String, Value> = workloads
        .iter()
        .map(|w| (w.name.to_owned(), w.models.iter().map(|m| m.id).collect()))
        .collect();
    json!({"lang": "rust", "runtime": RUNTIME, "models": models}).to_string()
}

/// The whole program: parse, run, print; exit 2 on bad input.
pub fn main(workloads: &'static [Workload]) -> ExitCode {
    // A panic is a failed run (often a refused resource: "failed to spawn thread"). Say so
    // on one line, since the harness keeps the last stderr line, and exit 1 at once, so that
    // a dead unit cannot leave its partners blocked forever. Units that panic meanwhile
    // wait for that exit instead of adding lines.
    static FIRST: std::sync::Once = std::sync::Once::new();
    std::panic::set_hook(Box::new(|info| {
        FIRST.call_once(|| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("panic");
            let at = info
                .location()
                .map(|l| format!(" (panicked at {l})"))
                .unwrap_or_default();
            // Not eprintln!, which would panic again if stderr is gone.
            let line = format!("{PROGRAM}: {}{at}\n", message.replace('\n', " "));
            let _ = std::io::stderr().write_all(line.as_bytes());
            std::process::exit(1);
        });
        loop {
            std::thread::park();
        }
    }));

    let argv: Vec<OsString> = std::env::args_os().skip(1).collect();
    let line = match parse(workloads, &argv) {
        Err(UsageError(message)) => {
            eprintln!("{PROGRAM}: {message}");
            return ExitCode::from(2);
        }
        Ok(Command::List) => list_json(workloads),
        Ok(Command::Run { model, args }) => (model.run)(&args).to_json(),
    };
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{PROGRAM}: cannot write the result: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A tokio multi-thread runtime: `workers` worker threads, or tokio's default (one per
/// CPU) for `None`. Only the scheduler is enabled: these models do no I/O and never sleep.
pub fn tokio_runtime(workers: Option<usize>) -> tokio::runtime::Runtime {
    build_tokio_runtime(workers, false)
}

/// A tokio multi-thread runtime of `workers` worker threads with its I/O (sockets,
/// signals) and timer drivers, for the servers.
pub fn tokio_io_runtime(workers: usize) -> tokio::runtime::Runtime {
    build_tokio_runtime(Some(workers), true)
}

fn build_tokio_runtime(workers: Option<usize>, drivers: bool) -> tokio::runtime::Runtime {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = workers {
        builder.worker_threads(workers);
    }
    if drivers {
        builder.enable_io().enable_time();
    }
    builder
        .build()
        .unwrap_or_else(|e| panic!("cannot start the tokio runtime: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nothing(_: &Args) -> Outcome {
        Outcome {
            checksum: 0,
            elapsed: Duration::ZERO,
            ops: 0,
            metrics: vec![],
        }
    }

    static TOY: &[Workload] = &[Workload {
        name: "toy",
        params: &[
            Param {
                name: "a",
                min: 1,
                max: 10,
            },
            Param {
                name: "b",
                min: 0,
                max: u64::MAX - 1,
            },
        ],
        models: &[Model {
            id: "rust-x",
            run: nothing,
        }],
    }];

    fn parse_strs(args: &[&str]) -> Result<Command, UsageError> {
        let argv: Vec<OsString> = args.iter().map(OsString::from).collect();
        parse(TOY, &argv)
    }

    fn error(args: &[&str]) -> String {
        parse_strs(args).expect_err("bad input must be refused").0
    }

    #[test]
    fn accepts_every_parameter_once_in_any_order() {
        let Ok(Command::Run { model, args }) = parse_strs(&["toy", "rust-x", "--b=7", "--a=10"])
        else {
            panic!("valid input refused")
        };
        assert_eq!(model.id, "rust-x");
        assert_eq!((args.get("a"), args.get("b")), (10, 7));
    }

    #[test]
    fn refuses_bad_input_saying_which_and_why() {
        assert!(error(&[]).starts_with("usage: "));
        assert_eq!(error(&["nope"]), r#"unknown workload "nope" (known: toy)"#);
        assert_eq!(error(&["toy"]), "toy: missing the model (one of: rust-x)");
        assert_eq!(
            error(&["toy", "go-x", "--a=1", "--b=1"]),
            r#"toy: unknown model "go-x" (rust models: rust-x)"#
        );
        assert_eq!(
            error(&["toy", "rust-x", "--a=1", "--b=1", "--c=1"]),
            "toy: unknown parameter --c (expected --a, --b)"
        );
        assert_eq!(
            error(&["toy", "rust-x", "--a=1", "--a=2", "--b=1"]),
            "toy: --a is given more than once"
        );
        assert_eq!(error(&["toy", "rust-x", "--a=1"]), "toy: missing --b");
        assert_eq!(error(&["toy", "rust-x"]), "toy: missing --a, --b");
        assert_eq!(
            error(&["toy", "rust-x", "--a=1", "--b=1", "stray"]),
            r#"toy: unexpected argument "stray" (parameters are --name=value)"#
        );
        assert_eq!(
            error(&["toy", "rust-x", "--a", "1", "--b=1"]),
            r#"toy: unexpected argument "--a" (parameters are --name=value)"#
        );
        assert_eq!(
            error(&["--list", "x"]),
            r#"--list takes no arguments, got "x""#
        );
    }

    #[test]
    fn values_are_decimal_digits_within_the_range() {
        for bad in ["", "-1", "+1", "1.0", "1e3", " 1", "0x1", "abc"] {
            let arg = format!("--a={bad}");
            assert_eq!(
                error(&["toy", "rust-x", &arg, "--b=1"]),
                format!("toy: --a={bad} is not a non-negative integer")
            );
        }
        for (a, b) in [("0", "0"), ("11", "0"), ("1", "18446744073709551615")] {
            let (a_arg, b_arg) = (format!("--a={a}"), format!("--b={b}"));
            let message = error(&["toy", "rust-x", &a_arg, &b_arg]);
            assert!(message.contains("is out of range"), "{message}");
        }
        let message = error(&["toy", "rust-x", "--a=1", "--b=99999999999999999999999"]);
        assert_eq!(
            message,
            "toy: --b=99999999999999999999999 is out of range (0..=18446744073709551614)"
        );
        assert!(parse_strs(&["toy", "rust-x", "--a=01", "--b=0"]).is_ok());
    }

    #[test]
    fn result_line_has_the_protocol_fields() {
        let outcome = Outcome {
            checksum: u64::MAX,
            elapsed: Duration::from_nanos(1234),
            ops: 8,
            metrics: vec![("rss_kb", 5)],
        };
        let line: Value = serde_json::from_str(&outcome.to_json()).unwrap();
        assert_eq!(
            line,
            json!({"checksum": "18446744073709551615", "elapsed_ns": 1234, "ops": 8,
                   "metrics": {"rss_kb": 5}})
        );
    }

    #[test]
    fn list_names_every_model() {
        let list: Value = serde_json::from_str(&list_json(TOY)).unwrap();
        assert_eq!(list["lang"], "rust");
        assert!(list["runtime"].as_str().unwrap().starts_with("rustc "));
        assert_eq!(list["models"], json!({"toy": ["rust-x"]}));
    }
}
