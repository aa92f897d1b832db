//! The safety axis, shown rather than asserted: what each language does about an
//! unsynchronised shared counter.
//!
//! - Rust (`compile-fail`): the programs of [`COMPILE_FAIL_SAMPLES`], compiled with the
//!   machine's `rustc`: an `Rc<Cell>` counter sent to threads must be refused with the
//!   `Send`/`Sync` error (E0277), the article's counter without its `Mutex` in scoped threads
//!   with the aliasing error (E0499). Any other refusal (a lifetime error such as E0373, which
//!   `move` silences) shows nothing about data races.
//! - Go (`race-detector`): every Go model of shared-counter, run at a tiny size from a
//!   `go build -race` binary; go-racy must be reported, the synchronised models must not.
//!
//! Python and C have nothing to run here: nothing checks their racy counters, and their
//! lost updates are in the measured runs themselves.
//!
//! A check never fails the suite: whatever goes wrong (no rustc, no cgo, a crash) is a
//! check whose outcome is `unavailable`, or not the expected one, with the reason.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::catalogue::{Catalogue, Lang};
use crate::exec::{self, Exit, Invocation};
use crate::results::{SafetyCheck, SafetyOutcome};
use crate::toolchain::{self, ToolchainOptions, Unavailable};

/// A program Rust must refuse, and the error that says it was refused for a data race.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompileFailSample {
    /// The check's model id in results files and `suite/claims.toml`.
    pub model: &'static str,
    /// The program, relative to the source tree.
    pub program: &'static str,
    /// The error code the refusal must include.
    pub code: &'static str,
    /// Words that error's message must contain (E0277 is also every other unmet bound).
    pub message: &'static str,
    /// What the program does, for the summary line.
    pub shows: &'static str,
}

/// The programs Rust must refuse: one per rule that keeps safe Rust free of data races.
pub const COMPILE_FAIL_SAMPLES: &[CompileFailSample] = &[
    CompileFailSample {
        model: "rust-racy-send",
        program: "impls/rust/compile_fail/rc_counter_sent.rs",
        code: "E0277",
        message: "between threads safely",
        shows: "an Rc<Cell> counter sent to threads",
    },
    CompileFailSample {
        model: "rust-racy-alias",
        program: "impls/rust/compile_fail/scoped_counter.rs",
        code: "E0499",
        message: "as mutable more than once",
        shows: "one counter borrowed mutably by scoped threads",
    },
];

/// The workload whose models the race detector checks.
pub const WORKLOAD: &str = "shared-counter";

/// The size of each race-detector run: two units are enough for the detector, which sees a
/// race from the order of accesses, not from a lost update; it runs in milliseconds.
const RACE_ARGS: [&str; 2] = ["--units=2", "--increments=1000"];

/// The time limit of one check's process; past it the process group is killed and reaped.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The race detector's header line for each race it reports.
const DATA_RACE: &str = "WARNING: DATA RACE";

/// Lines of a race report kept in the excerpt: the two accesses and their goroutines.
const RACE_EXCERPT_LINES: usize = 15;

/// Lines of rustc's first error kept in the excerpt.
const RUSTC_EXCERPT_LINES: usize = 12;

/// The programs the checks need, found and built before anything is measured.
#[derive(Debug, Clone)]
pub struct SafetyTools {
    root: PathBuf,
    rustc: Result<PathBuf, Unavailable>,
    go_race: Result<PathBuf, Unavailable>,
}

impl SafetyTools {
    /// Finds rustc and builds `concbench-go` with `-race` (cached), reporting builds through
    /// `log`. Never fails: what is missing makes its checks unavailable.
    pub fn prepare(opts: &ToolchainOptions, log: &mut dyn FnMut(&str)) -> SafetyTools {
        SafetyTools {
            root: opts.root.clone(),
            rustc: toolchain::rustc(),
            go_race: toolchain::build_go_race(opts, log),
        }
    }

    /// Runs every check: Rust's compile-fail, then the race detector on each Go model of
    /// shared-counter in the catalogue (the racy ones expected reported, the others clean).
    pub fn check(&self, catalogue: &Catalogue) -> Vec<SafetyCheck> {
        let mut checks: Vec<SafetyCheck> = COMPILE_FAIL_SAMPLES
            .iter()
            .map(|sample| compile_fail(self.rustc.as_ref(), &self.root, sample))
            .collect();
        if let Some(workload) = catalogue.workload(WORKLOAD) {
            for model in workload.models.iter().filter(|m| m.lang == Lang::Go) {
                checks.push(race_detector(self.go_race.as_ref(), &model.id, model.racy));
            }
        }
        checks
    }
}

/// Every safety check, from scratch: what `run` stores in a results file, for a caller that
/// has a file without them. Builds what it needs (cached), reporting through `log`.
pub fn check_all(
    catalogue: &Catalogue,
    opts: &ToolchainOptions,
    log: &mut dyn FnMut(&str),
) -> Vec<SafetyCheck> {
    SafetyTools::prepare(opts, log).check(catalogue)
}

/// Compiles `sample`'s program under `root` with `rustc` (metadata only: the borrow
/// checker runs, no code is generated) and says whether it was refused for the right reason.
pub fn compile_fail(
    rustc: Result<&PathBuf, &Unavailable>,
    root: &Path,
    sample: &CompileFailSample,
) -> SafetyCheck {
    let command = format!(
        "rustc --edition 2021 --emit=metadata --crate-type bin -o \"$(mktemp -d)/x\" {}",
        sample.program
    );
    let mut check = SafetyCheck {
        model: sample.model.into(),
        lang: Lang::Rust,
        check: "compile-fail".into(),
        outcome: SafetyOutcome::Unavailable,
        expected: SafetyOutcome::Rejected,
        command,
        excerpt: String::new(),
        reason: None,
    };
    let rustc = match rustc {
        Ok(rustc) => rustc,
        Err(why) => {
            check.reason = Some(why.to_string());
            return check;
        }
    };
    let out_dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => {
            check.reason = Some(format!("cannot create a temporary folder for rustc: {e}"));
            return check;
        }
    };
    let inv = Invocation {
        program: rustc.clone(),
        args: vec![
            "--edition".into(),
            "2021".into(),
            "--emit=metadata".into(),
            "--crate-type".into(),
            "bin".into(),
            "--color=never".into(),
            "-o".into(),
            out_dir.path().join("x").display().to_string(),
            root.join(sample.program).display().to_string(),
        ],
        env: vec![],
        pin_cpus: None,
        timeout: TIMEOUT,
        sample_tree: false,
        launcher: None,
    };
    match exec::run(&inv) {
        Ok(m) => {
            // Paths as the command line gives them: relative to the source tree.
            let stderr = m.stderr.replace(&format!("{}/", root.display()), "");
            let verdict = classify_rustc(m.exit, &stderr, sample);
            check.outcome = verdict.outcome;
            check.excerpt = verdict.excerpt;
            check.reason = verdict.reason;
        }
        Err(e) => check.reason = Some(format!("cannot run {}: {e:#}", rustc.display())),
    }
    check
}

/// Runs `model` of shared-counter from the `-race` binary and says whether the race
/// detector reported it; a `racy` model is expected reported, any other clean.
pub fn race_detector(
    binary: Result<&PathBuf, &Unavailable>,
    model: &str,
    racy: bool,
) -> SafetyCheck {
    let args: Vec<String> = [WORKLOAD, model]
        .into_iter()
        .chain(RACE_ARGS)
        .map(str::to_string)
        .collect();
    let mut check = SafetyCheck {
        model: model.into(),
        lang: Lang::Go,
        check: "race-detector".into(),
        outcome: SafetyOutcome::Unavailable,
        expected: if racy {
            SafetyOutcome::Reported
        } else {
            SafetyOutcome::Clean
        },
        command: format!(
            "go -C impls/go build -race -o /tmp/concbench-go-race . && /tmp/concbench-go-race {}",
            args.join(" ")
        ),
        excerpt: String::new(),
        reason: None,
    };
    let binary = match binary {
        Ok(binary) => binary,
        Err(why) => {
            check.reason = Some(why.to_string());
            return check;
        }
    };
    let inv = Invocation {
        program: binary.clone(),
        args,
        env: vec![],
        pin_cpus: None,
        timeout: TIMEOUT,
        sample_tree: false,
        launcher: None,
    };
    match exec::run(&inv) {
        Ok(m) => {
            let verdict = classify_race(m.exit, &m.stderr, check.expected);
            check.outcome = verdict.outcome;
            check.excerpt = verdict.excerpt;
            check.reason = verdict.reason;
        }
        Err(e) => check.reason = Some(format!("cannot run {}: {e:#}", binary.display())),
    }
    check
}

/// What a check's output says.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The outcome.
    pub outcome: SafetyOutcome,
    /// The first lines of the error or the report.
    pub excerpt: String,
    /// What went wrong, when something did.
    pub reason: Option<String>,
}

/// rustc's verdict on `sample`, from how it exited and its stderr: refused with the
/// sample's error (`rejected`, the excerpt is that error), accepted (`clean`, the evidence
/// is wrong), or refused without it (`unavailable`: the program shows some other rule, such
/// as a lifetime error, or is broken, so its refusal says nothing about data races).
pub fn classify_rustc(exit: Exit, stderr: &str, sample: &CompileFailSample) -> Verdict {
    let unavailable = |reason: String| Verdict {
        outcome: SafetyOutcome::Unavailable,
        excerpt: first_error_block(stderr, None),
        reason: Some(reason),
    };
    match exit {
        Exit::Code(0) => {
            return Verdict {
                outcome: SafetyOutcome::Clean,
                excerpt: String::new(),
                reason: Some(format!(
                    "rustc accepted {}: the program no longer races, or the compiler no longer \
                     refuses it",
                    sample.program
                )),
            }
        }
        Exit::Code(_) => {}
        Exit::Signal(_) | Exit::TimedOut => return unavailable(format!("rustc {exit}")),
    }
    let codes = error_codes(stderr);
    let refused_for_the_race = codes
        .iter()
        .any(|(code, message)| code == sample.code && message.contains(sample.message));
    if refused_for_the_race {
        return Verdict {
            outcome: SafetyOutcome::Rejected,
            excerpt: first_error_block(stderr, Some(sample.code)),
            reason: None,
        };
    }
    if codes.is_empty() {
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return unavailable(format!(
            "rustc failed ({exit}) without an error code: {first}"
        ));
    }
    let listed: Vec<&str> = codes.iter().map(|(c, _)| c.as_str()).collect();
    unavailable(format!(
        "rustc refused {} with {}, not with {} (\"{}\"): the refusal is not the data-race \
         rule the program is there to show, so it shows nothing; fix the program",
        sample.program,
        listed.join(", "),
        sample.code,
        sample.message
    ))
}

/// The race detector's verdict on one model's run: a `WARNING: DATA RACE` on stderr is
/// `reported`; a run that exited 0 without one is `clean`; a run that failed otherwise
/// checked nothing (`unavailable`). A verdict that is not `expected` says what it means.
pub fn classify_race(exit: Exit, stderr: &str, expected: SafetyOutcome) -> Verdict {
    let lines: Vec<&str> = stderr.lines().collect();
    let verdict = match lines.iter().position(|l| l.contains(DATA_RACE)) {
        Some(at) => Verdict {
            outcome: SafetyOutcome::Reported,
            excerpt: lines[at..]
                .iter()
                .take(RACE_EXCERPT_LINES)
                .copied()
                .collect::<Vec<_>>()
                .join("\n"),
            reason: None,
        },
        None if exit == Exit::Code(0) => Verdict {
            outcome: SafetyOutcome::Clean,
            excerpt: String::new(),
            reason: None,
        },
        None => {
            let last = lines
                .iter()
                .rev()
                .map(|l| l.trim())
                .find(|l| !l.is_empty())
                .unwrap_or("");
            Verdict {
                outcome: SafetyOutcome::Unavailable,
                excerpt: String::new(),
                reason: Some(format!("the run failed ({exit}): {last}")),
            }
        }
    };
    let reason = match (verdict.outcome, expected) {
        (SafetyOutcome::Clean, SafetyOutcome::Reported) => Some(
            "the race detector reported nothing for a deliberately unsynchronised counter: \
             the model no longer races, or the detector missed it"
                .to_string(),
        ),
        (SafetyOutcome::Reported, SafetyOutcome::Clean) => Some(
            "the race detector reported a data race in a model that should be synchronised: \
             a bug in the model"
                .to_string(),
        ),
        _ => verdict.reason.clone(),
    };
    Verdict { reason, ..verdict }
}

/// Every `error[EXXXX]: message` of rustc's output: the code and the message.
fn error_codes(stderr: &str) -> Vec<(String, String)> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error[E"))
        .filter_map(|rest| {
            let (digits, message) = rest.split_once("]:")?;
            Some((format!("E{digits}"), message.trim().to_string()))
        })
        .collect()
}

/// rustc's first error (with `code`, the first with that code), up to the blank line that
/// ends it, at most [`RUSTC_EXCERPT_LINES`] lines.
fn first_error_block(stderr: &str, code: Option<&str>) -> String {
    let head = match code {
        Some(code) => format!("error[{code}]"),
        None => "error".into(),
    };
    stderr
        .lines()
        .skip_while(|l| !l.starts_with(&head))
        .take_while(|l| !l.trim().is_empty())
        .take(RUSTC_EXCERPT_LINES)
        .collect::<Vec<_>>()
        .join("\n")
}

/// One short line per language for the terminal, e.g. "safety: rust refused an `Rc<Cell>`
/// counter sent to threads at compile time (E0277); go -race reported go-racy" — each
/// unexpected outcome named with what was expected.
pub fn summary_lines(checks: &[SafetyCheck]) -> Vec<String> {
    let mut langs: Vec<&str> = checks.iter().map(|c| c.lang.name()).collect();
    langs.dedup();
    langs
        .into_iter()
        .map(|lang| {
            let mine: Vec<&SafetyCheck> = checks.iter().filter(|c| c.lang.name() == lang).collect();
            format!("safety: {}", lang_line(lang, &mine))
        })
        .collect()
}

fn lang_line(lang: &str, checks: &[&SafetyCheck]) -> String {
    // One reason shared by every check: the tool is missing; say it once.
    if let [first, ..] = checks {
        if checks
            .iter()
            .all(|c| c.outcome == SafetyOutcome::Unavailable)
            && checks.iter().all(|c| c.reason == first.reason)
        {
            let what = match first.check.as_str() {
                "race-detector" => "-race",
                other => other,
            };
            return format!(
                "{lang} {what} unavailable: {}",
                first.reason.as_deref().unwrap_or("no reason given")
            );
        }
    }
    let mut parts = Vec::new();
    for check in checks.iter().filter(|c| c.check == "compile-fail") {
        parts.push(match check.outcome {
            SafetyOutcome::Rejected => {
                let codes: Vec<String> = error_codes(&check.excerpt)
                    .into_iter()
                    .map(|(c, _)| c)
                    .collect();
                format!(
                    "{lang} refused {} at compile time ({})",
                    shows(&check.model),
                    codes.join(", ")
                )
            }
            SafetyOutcome::Clean => format!(
                "{lang} COMPILED {} (expected refused): {}",
                shows(&check.model),
                check.reason.as_deref().unwrap_or("")
            ),
            _ => format!(
                "{lang} compile-fail check of {} {}: {}",
                check.model,
                outcome_word(check.outcome),
                check.reason.as_deref().unwrap_or("no reason given")
            ),
        });
    }
    let raced: Vec<&&SafetyCheck> = checks
        .iter()
        .filter(|c| c.check == "race-detector")
        .collect();
    if !raced.is_empty() {
        let with = |outcome: SafetyOutcome| -> String {
            raced
                .iter()
                .filter(|c| c.outcome == outcome)
                .map(|c| c.model.as_str())
                .collect::<Vec<_>>()
                .join("/")
        };
        let mut said = Vec::new();
        let reported = with(SafetyOutcome::Reported);
        if !reported.is_empty() {
            said.push(format!("reported {reported}"));
        }
        for outcome in [SafetyOutcome::Clean, SafetyOutcome::Unavailable] {
            let models = with(outcome);
            if !models.is_empty() {
                said.push(format!("{models} {}", outcome_word(outcome)));
            }
        }
        let mut line = format!("{lang} -race {}", said.join(", "));
        let unexpected: Vec<String> = raced
            .iter()
            .filter(|c| c.outcome != c.expected)
            .map(|c| {
                format!(
                    "{} {} (expected {}){}",
                    c.model,
                    outcome_word(c.outcome),
                    outcome_word(c.expected),
                    c.reason
                        .as_deref()
                        .map_or(String::new(), |r| format!(": {r}"))
                )
            })
            .collect();
        if !unexpected.is_empty() {
            line.push_str(&format!(" — NOT AS EXPECTED: {}", unexpected.join("; ")));
        }
        parts.push(line);
    }
    parts.join("; ")
}

/// What a compile-fail check's program does, in words; its model id when it is unknown (a
/// file from an older concbench).
fn shows(model: &str) -> &str {
    COMPILE_FAIL_SAMPLES
        .iter()
        .find(|s| s.model == model)
        .map_or(model, |s| s.shows)
}

fn outcome_word(outcome: SafetyOutcome) -> &'static str {
    match outcome {
        SafetyOutcome::Rejected => "rejected",
        SafetyOutcome::Reported => "reported",
        SafetyOutcome::Clean => "clean",
        SafetyOutcome::Unavailable => "unavailable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rustc 1.95's stderr for the compile-fail program, trimmed to two of its errors.
    const RUSTC_REFUSAL: &str = "\
error[E0373]: closure may outlive the current function, but it borrows `counter`, which is owned by the current function
  --> impls/rust/compile_fail/unsynchronised_counter.rs:22:36
   |
22 |         let handle = thread::spawn(|| {
   |                                    ^^ may outlive borrowed value `counter`
23 |             for _ in 0..1000 {
24 |                 counter += 1;
   |                 ------- `counter` is borrowed here
   |
note: function requires argument type to outlive `'static`
  --> impls/rust/compile_fail/unsynchronised_counter.rs:22:22
   |
22 |           let handle = thread::spawn(|| {
   |  ______________________^
help: to force the closure to take ownership of `counter` (and any other referenced variables), use the `move` keyword

error[E0499]: cannot borrow `counter` as mutable more than once at a time
  --> impls/rust/compile_fail/unsynchronised_counter.rs:22:36

error: aborting due to 2 previous errors

Some errors have detailed explanations: E0373, E0499.
";

    /// A -race build's stderr for go-racy (Go 1.26.8): the first of its two reports, and its
    /// last line. Goroutine 9 had finished before 10 read the counter: the detector reports
    /// accesses not ordered by happens-before, whether or not they overlapped in time.
    const GO_RACE_REPORT: &str = "\
==================
WARNING: DATA RACE
Read at 0x00c0000961d8 by goroutine 10:
  main.racyIncrement()
      concbench/impls/go/shared_counter.go:129 +0x28
  main.counterRacy.func1()
      concbench/impls/go/shared_counter.go:106 +0x38
  main.countWith.func1()
      concbench/impls/go/shared_counter.go:36 +0x38

Previous write at 0x00c0000961d8 by goroutine 9:
  main.racyIncrement()
      concbench/impls/go/shared_counter.go:129 +0x3a
  main.counterRacy.func1()
      concbench/impls/go/shared_counter.go:106 +0x38
  main.countWith.func1()
      concbench/impls/go/shared_counter.go:36 +0x38

Goroutine 10 (running) created at:
  sync.(*WaitGroup).Go()
      sync/waitgroup.go:238 +0x72
  main.counterRacy()
      concbench/impls/go/shared_counter.go:103 +0x124
  main.Main()
      concbench/impls/go/protocol.go:262 +0x450
  main.main()
      concbench/impls/go/main.go:27 +0xe4

Goroutine 9 (running) created at:
  sync.(*WaitGroup).Go()
      sync/waitgroup.go:238 +0x72
  main.counterRacy()
      concbench/impls/go/shared_counter.go:103 +0x124
  main.Main()
      concbench/impls/go/protocol.go:262 +0x450
  main.main()
      concbench/impls/go/main.go:27 +0xe4
==================
Found 2 data race(s)
";

    const SEND: &CompileFailSample = &COMPILE_FAIL_SAMPLES[0];
    const ALIAS: &CompileFailSample = &COMPILE_FAIL_SAMPLES[1];

    /// rustc 1.95 on the old sample, a counter borrowed by `thread::spawn` closures: the
    /// lifetime error comes first, the aliasing one after it.
    const E0373_ONLY: &str = "\
error[E0373]: closure may outlive the current function, but it borrows `counter`, which is owned by the current function
  --> x.rs:22:36

error: aborting due to 1 previous error
";

    #[test]
    fn a_refusal_with_the_samples_error_is_rejected_with_that_error() {
        assert_eq!((SEND.code, ALIAS.code), ("E0277", "E0499"));
        let v = classify_rustc(Exit::Code(1), RUSTC_REFUSAL, ALIAS);
        assert_eq!(v.outcome, SafetyOutcome::Rejected);
        assert_eq!(v.reason, None);
        assert!(
            v.excerpt
                .starts_with("error[E0499]: cannot borrow `counter` as mutable"),
            "the excerpt is the error the claim is about: {}",
            v.excerpt
        );
        assert!(!v.excerpt.contains("E0373"));
        assert!(v.excerpt.lines().count() <= RUSTC_EXCERPT_LINES);
        let send = "error[E0277]: `Rc<Cell<u64>>` cannot be sent between threads safely\n";
        let v = classify_rustc(Exit::Code(1), send, SEND);
        assert_eq!(v.outcome, SafetyOutcome::Rejected);
        assert!(v.excerpt.starts_with("error[E0277]"));
    }

    #[test]
    fn a_lifetime_error_alone_does_not_pass_for_a_data_race() {
        for sample in COMPILE_FAIL_SAMPLES {
            let v = classify_rustc(Exit::Code(1), E0373_ONLY, sample);
            assert_eq!(v.outcome, SafetyOutcome::Unavailable, "{}", sample.model);
            let why = v.reason.unwrap();
            assert!(why.contains("with E0373, not with"), "{why}");
            assert!(why.contains(sample.code), "{why}");
        }
        // E0373 and E0499 together are not the Send/Sync refusal either.
        let v = classify_rustc(Exit::Code(1), RUSTC_REFUSAL, SEND);
        assert_eq!(v.outcome, SafetyOutcome::Unavailable);
    }

    #[test]
    fn a_program_that_compiles_is_clean_and_says_the_evidence_is_wrong() {
        for sample in COMPILE_FAIL_SAMPLES {
            let v = classify_rustc(Exit::Code(0), "", sample);
            assert_eq!(v.outcome, SafetyOutcome::Clean);
            assert!(v.reason.unwrap().contains("accepted"));
        }
    }

    #[test]
    fn a_refusal_for_another_reason_shows_nothing() {
        let typo = "error[E0425]: cannot find value `countr` in this scope\n --> x.rs:3:5\n\n";
        let v = classify_rustc(Exit::Code(1), typo, ALIAS);
        assert_eq!(v.outcome, SafetyOutcome::Unavailable);
        assert!(v.reason.unwrap().contains("E0425"));
        // E0277 counts only when it is about Send or Sync.
        let bound = "error[E0277]: the trait bound `u64: Foo` is not satisfied\n";
        assert_eq!(
            classify_rustc(Exit::Code(1), bound, SEND).outcome,
            SafetyOutcome::Unavailable
        );
        let crash = classify_rustc(Exit::Code(101), "thread 'rustc' panicked\n", SEND);
        assert_eq!(crash.outcome, SafetyOutcome::Unavailable);
        assert!(crash.reason.unwrap().contains("without an error code"));
    }

    #[test]
    fn a_race_report_is_reported_with_its_first_lines() {
        let v = classify_race(Exit::Code(66), GO_RACE_REPORT, SafetyOutcome::Reported);
        assert_eq!(v.outcome, SafetyOutcome::Reported);
        assert_eq!(v.reason, None);
        assert!(v.excerpt.starts_with(DATA_RACE));
        assert_eq!(v.excerpt.lines().count(), RACE_EXCERPT_LINES);
        // In a model that must be synchronised, the same report is a bug.
        let v = classify_race(Exit::Code(66), GO_RACE_REPORT, SafetyOutcome::Clean);
        assert_eq!(v.outcome, SafetyOutcome::Reported);
        assert!(v.reason.unwrap().contains("should be synchronised"));
    }

    #[test]
    fn a_quiet_run_is_clean_and_a_failed_run_checked_nothing() {
        let v = classify_race(Exit::Code(0), "", SafetyOutcome::Clean);
        assert_eq!(v.outcome, SafetyOutcome::Clean);
        assert_eq!(v.reason, None);
        let missed = classify_race(Exit::Code(0), "", SafetyOutcome::Reported);
        assert_eq!(missed.outcome, SafetyOutcome::Clean);
        assert!(missed.reason.unwrap().contains("reported nothing"));
        let crash = classify_race(Exit::Code(2), "panic: boom\n", SafetyOutcome::Clean);
        assert_eq!(crash.outcome, SafetyOutcome::Unavailable);
        assert!(crash.reason.unwrap().contains("panic: boom"));
        let hung = classify_race(Exit::TimedOut, "", SafetyOutcome::Clean);
        assert_eq!(hung.outcome, SafetyOutcome::Unavailable);
    }

    fn check(model: &str, lang: &str, kind: &str, outcome: SafetyOutcome) -> SafetyCheck {
        SafetyCheck {
            model: model.into(),
            lang: Lang::from_name(lang).expect("a language"),
            check: kind.into(),
            outcome,
            expected: outcome,
            command: String::new(),
            excerpt: String::new(),
            reason: None,
        }
    }

    #[test]
    fn the_summary_is_one_line_per_language_naming_what_was_unexpected() {
        let mut rust = check(
            "rust-racy-send",
            "rust",
            "compile-fail",
            SafetyOutcome::Rejected,
        );
        rust.excerpt = "error[E0277]: `Rc<Cell<u64>>` cannot be sent between threads safely".into();
        let mut checks = vec![
            rust,
            check("go-mutex", "go", "race-detector", SafetyOutcome::Clean),
            check("go-atomic", "go", "race-detector", SafetyOutcome::Clean),
            check("go-racy", "go", "race-detector", SafetyOutcome::Reported),
        ];
        assert_eq!(
            summary_lines(&checks),
            [
                "safety: rust refused an Rc<Cell> counter sent to threads at compile time (E0277)",
                "safety: go -race reported go-racy, go-mutex/go-atomic clean",
            ]
        );
        checks[3].outcome = SafetyOutcome::Clean;
        checks[3].expected = SafetyOutcome::Reported;
        let go = &summary_lines(&checks)[1];
        assert!(
            go.contains("NOT AS EXPECTED: go-racy clean (expected reported)"),
            "{go}"
        );
        for c in &mut checks[1..] {
            c.outcome = SafetyOutcome::Unavailable;
            c.reason = Some("no cgo (install gcc)".into());
        }
        assert_eq!(
            summary_lines(&checks)[1],
            "safety: go -race unavailable: no cgo (install gcc)"
        );
    }
}
