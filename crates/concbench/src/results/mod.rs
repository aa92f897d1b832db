//! The results file (docs/results-format.md): a public, versioned format that other tools read.
//!
//! Plain serde structs, kept apart from how they are shown. Written atomically (a temp file
//! in the same folder, then rename), after every finished run, so a crash or Ctrl-C never
//! loses what was already measured.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::catalogue::Lang;
use crate::machine::steadiness::{notable_steal, Steadiness, UNSTEADY_CV};
use crate::machine::Machine;
use crate::UsageError;

pub mod outcome;
pub use crate::catalogue::models::SafetyOutcome;
pub use outcome::Status;

/// The schema this concbench writes and reads.
pub const SCHEMA: &str = "concbench.results/1";

/// One results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsFile {
    /// The format and its version: [`SCHEMA`].
    pub schema: String,
    /// The version of concbench that wrote the file.
    pub concbench_version: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// When the suite finished or was interrupted (RFC 3339, UTC); `None` while it runs.
    #[serde(default)]
    pub finished_at: Option<String>,
    /// The suite that was run: `seed`, `quick`, `standard` or `full`.
    pub suite: String,
    /// The command line that produced the file.
    #[serde(default)]
    pub command: Vec<String>,
    /// True when the run was stopped (Ctrl-C) before the plan was done.
    #[serde(default)]
    pub interrupted: bool,
    /// The machine the file was measured on.
    pub machine: Machine,
    /// Toolchain versions by name (`rust`, `go`, `python`, `numpy`), for those that were ready.
    pub toolchains: BTreeMap<String, String>,
    /// Every planned run in plan order, failed and refused ones included.
    pub runs: Vec<RunResult>,
    /// The blocks the suite ran in, in order: one per workload, with the machine's
    /// steadiness just before and just after it. Empty in files written before blocks.
    #[serde(default)]
    pub blocks: Vec<Block>,
    /// What each language does about an unsynchronised counter, shown rather than asserted:
    /// the Rust compiler's refusal, Go's race detector. Empty when the suite did not check.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub safety: Vec<SafetyCheck>,
    /// How each language's calibrated parameter (io-server's `cpu`) was sized on this
    /// machine before its block. Empty when nothing was calibrated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calibration: Vec<Calibration>,
    /// The extra samples taken after the planned ones where a verdict or a first tier
    /// needed them (`run --budget`): the budget and how it was used. `None` in files
    /// written before extra samples existed; each extra sample says why it was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<ExtraSampling>,
    /// The rates the open-loop scenarios were offered (io-server's `rate = "auto"`), each
    /// with the closed-loop run it was derived from. Empty when no rate was set at run time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offered: Vec<OfferedRate>,
}

/// How a run used its time budget for extra samples.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraSampling {
    /// The budget: the most time the whole run's sampling may take (planned samples
    /// included; the extra ones get what they leave), ns. 0: no extra samples.
    pub budget_ns: u64,
    /// The sampling time the run took in all, from its first sample to its last, ns.
    pub spent_ns: u64,
    /// Extra samples taken.
    pub samples: u64,
    /// Why the extra samples ended: `decided` (nothing left open), `budget spent`,
    /// `round limit`, `interrupted`.
    pub stopped: String,
}

/// The rate an open-loop scenario was offered, set at run time: [`OfferedRate::share`] of
/// the slowest contender's closed-loop requests per second in the same scenario, measured
/// earlier in the block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferedRate {
    /// The workload, e.g. `io-server`.
    pub workload: String,
    /// The scenario's parameters, `rate` left out (a calibrated one as the first run had it).
    pub params: BTreeMap<String, u64>,
    /// The rate offered, requests per second: every open-loop run of the scenario has it as
    /// its `rate`.
    pub rate: u64,
    /// The share of the slowest contender's capacity it is.
    pub share: f64,
    /// The slowest contender's model.
    pub slowest_model: String,
    /// Its closed-loop requests per second (median of its samples so far).
    pub slowest_rps: u64,
}

/// A calibrated parameter's work is on target when the server CPU it adds per request is
/// within this share of the target (the calibration's, and each mixed run's afterwards).
pub const WORK_TOLERANCE: f64 = 0.10;

/// The per-sample metric of a mixed server run: the server CPU per request its calibrated
/// work added (µs), its CPU per request less that of the same model at 0.
pub const ADDED_CPU_US: &str = "added_cpu_us";

/// One language's sizing of a calibrated parameter: measured on this machine before the
/// workload's block, then used by every model of the language in place of the suite's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calibration {
    /// The workload, e.g. `io-server`.
    pub workload: String,
    /// The parameter sized, e.g. `cpu`.
    pub param: String,
    /// The language.
    pub lang: String,
    /// The model measured (one whose work runs in the server's own process).
    pub model: String,
    /// The value the suite gives, replaced by `value`.
    pub suite_value: u64,
    /// The value every model of the language ran with.
    pub value: u64,
    /// The server CPU the parameter's work added per request at `value` (ns), from /proc.
    pub added_ns: u64,
    /// What it aimed at (ns).
    pub target_ns: u64,
    /// The server CPU per request with the parameter at 0 (ns).
    pub base_ns: u64,
    /// 0: sized before the block. N: a correction made during the block, before its round N
    /// (counted from 0), because the work measured in the block's samples (`added_ns`: their
    /// median) had left the tolerance; `suite_value` is then the value it replaced.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub from_round: u32,
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

/// One safety check: the program, the command that checked it, and what it printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafetyCheck {
    /// The model checked (`go-racy`, `go-mutex`, ...), or for a compile-fail check the model
    /// the refused program would have been (`rust-racy`).
    pub model: String,
    /// Its language.
    pub lang: Lang,
    /// `compile-fail` or `race-detector`.
    pub check: String,
    /// What happened.
    pub outcome: SafetyOutcome,
    /// What had to happen for the language to be doing its job (a synchronised model:
    /// `clean`; the racy one: `reported` or `rejected`).
    pub expected: SafetyOutcome,
    /// The command line, so a reader can rerun it.
    pub command: String,
    /// The first lines of the compiler's error or of the race report (empty when clean).
    #[serde(default)]
    pub excerpt: String,
    /// Why the check is unavailable, or what went wrong; `None` when it ran as expected.
    #[serde(default)]
    pub reason: Option<String>,
}

/// One workload's runs, executed together: its warm-ups, then its counted rounds, shuffled
/// among that workload's runs only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// The workload whose runs the block holds.
    pub workload: String,
    /// The `seq` of the block's first sample (0 when none ran).
    pub first_seq: u64,
    /// The `seq` of the block's last sample (0 when none ran).
    pub last_seq: u64,
    /// The steadiness probe just before the block's first sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steadiness_before: Option<Steadiness>,
    /// The probe just after its last sample (the next block's `steadiness_before`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steadiness_after: Option<Steadiness>,
    /// How long the harness waited for a steady machine before the block, ns
    /// (`run --wait-steady`; 0 when it did not wait).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub steady_wait_ns: u64,
    /// The share of the CPU time the machine had work during the block that the host gave to
    /// other guests instead: steal in /proc/stat, a witness of host noise that does not
    /// depend on the probe (absent where the kernel does not count steal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_steal: Option<f64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Block {
    /// The larger of the two probes' CVs: how unsteady the machine itself was around the
    /// block (`None` when it was not probed).
    pub fn machine_cv(&self) -> Option<f64> {
        match (&self.steadiness_before, &self.steadiness_after) {
            (Some(a), Some(b)) => Some(a.machine_cv().max(b.machine_cv())),
            (Some(a), None) | (None, Some(a)) => Some(a.machine_cv()),
            (None, None) => None,
        }
    }

    /// True when a probe around the block read above [`UNSTEADY_CV`].
    pub fn machine_unsteady(&self) -> bool {
        self.machine_cv().is_some_and(|cv| cv > UNSTEADY_CV)
    }

    /// True when a probe around the block found the core shared with unseen work rather than
    /// the clock varying ([`Steadiness::core_shared`]).
    pub fn core_shared(&self) -> bool {
        [&self.steadiness_before, &self.steadiness_after]
            .into_iter()
            .flatten()
            .any(Steadiness::core_shared)
    }

    /// True when the host took more than
    /// [`NOTABLE_STEAL`](crate::machine::steadiness::NOTABLE_STEAL) of the block's busy CPU
    /// time.
    pub fn host_stole(&self) -> bool {
        notable_steal(self.host_steal).is_some()
    }

    /// True when the block's spread is, at least in part, the machine's (see
    /// [`crate::machine::steadiness::machine_noisy`]).
    pub fn machine_noisy(&self) -> bool {
        crate::machine::steadiness::machine_noisy(self.machine_cv(), self.host_steal)
    }
}

/// One workload × model × parameters × CPU count, with its samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// The workload's name, e.g. `cpu-parallel`.
    pub workload: String,
    /// The model's id, e.g. `py-processes`.
    pub model: String,
    /// The model's language (written by its name: `go`, `python`, `rust`, `c`).
    pub lang: Lang,
    /// Every parameter the run used, name → value.
    pub params: BTreeMap<String, u64>,
    /// CPUs the run had: the pinned count, or every CPU the harness could use.
    pub cpus: usize,
    /// Whether the run was pinned to `cpus` CPUs (`--cpus`), or free on all of them.
    #[serde(default)]
    pub pinned: bool,
    /// A baseline run the harness added (spawn-idle's `units = 0`).
    #[serde(default)]
    pub baseline: bool,
    /// True when the run has samples and none failed: each exited 0 with the expected op count
    /// and, unless `racy`, the reference checksum.
    pub valid: bool,
    /// A deliberately unsynchronised model: a checksum below the reference is its finding (lost
    /// updates), not a failure.
    pub racy: bool,
    /// How the run ended; files written before this field existed get it from `valid` and
    /// `error` when they are read.
    #[serde(default = "not_run")]
    pub status: Status,
    /// Why the run failed or never started (exit status and last stderr line, timeout, wrong
    /// answer, refused by a cap, toolchain unavailable); `None` when it did not.
    pub error: Option<String>,
    /// The checksum the harness computed itself.
    #[serde(default)]
    pub reference_checksum: String,
    /// The counted samples (warm-ups left out), plus a failed one that ran to the end (a wrong
    /// answer).
    pub samples: Vec<Sample>,
    /// Figures derived from `samples`.
    pub summary: Summary,
    /// What weakens these numbers, and what to do (noisy, too short, outliers).
    #[serde(default)]
    pub warnings: Vec<String>,
}

fn not_run() -> Status {
    Status::NotRun
}

/// One counted execution of an implementation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Measured inside the process around the concurrent part.
    pub elapsed_ns: u64,
    /// Measured by the harness around the whole process.
    pub wall_ns: u64,
    /// User CPU time of the process and its reaped children, from wait4, ns.
    pub user_ns: u64,
    /// System CPU time of the process and its reaped children, from wait4, ns.
    pub sys_ns: u64,
    /// wait4's peak resident memory of the largest single process.
    pub max_rss_kb: u64,
    /// The process's exit status: 0 for a finished sample; for io-server, the server's status
    /// after SIGTERM (-1 when a signal or the time limit ended it).
    pub exit_code: i32,
    /// The answer the implementation reported, a u64 in decimal (io-server: requests answered).
    pub checksum: String,
    /// Operations the implementation reported (io-server: requests answered with the right body).
    pub ops: u64,
    /// The implementation's own figures (`rss_kb`, `spawn_ns`); for io-server, the load's
    /// (`rps`, `p99_us`, `conn_bytes`, ...).
    pub metrics: BTreeMap<String, i64>,
    /// Peak of the whole process tree, sampled, for models that start processes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree_max_rss_kb: Option<u64>,
    /// The memory of the process that forked the implementation, when it did: the launcher's
    /// (~0.1 MiB), or the harness's own where no launcher was found. wait4 never reports a
    /// `max_rss_kb` below it (Linux keeps the forked copy's high-water mark across exec), so
    /// a peak at this value is an upper bound, not a measurement.
    #[serde(default)]
    pub rss_floor_kb: u64,
    /// This sample's place in the order the suite ran (1 = first, warm-ups counted), so
    /// drift over time and the runs next to a slow sample can be seen.
    #[serde(default)]
    pub seq: u64,
    /// How long the harness waited for the machine to settle before this sample, after a
    /// sample that left it work to do (0: no wait was needed).
    #[serde(default)]
    pub settle_ns: u64,
    /// False when that wait reached its bound with the machine still busy: this sample may
    /// have shared the machine with the last one's aftermath.
    #[serde(default = "settled_by_default")]
    pub settled: bool,
    /// The counted round of its workload's block the sample was taken in (0 = the first
    /// counted round; the extra rounds go on from the last planned one). Samples of two runs
    /// with the same round ran next to each other, so their ratio is paired by round.
    /// `None` in files written before rounds were recorded (then sample i pairs with
    /// sample i).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<u32>,
    /// Set on a sample taken after the planned ones because a verdict or a first tier
    /// depended on this run and its interval did not decide it yet: why (`claim
    /// gateways-prefer-go`, `first tier of worker-pool`). `None` for a planned sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
}

fn settled_by_default() -> bool {
    true
}

impl Sample {
    /// The sample of a finished process: what the harness measured of it (`m`), and what it
    /// reported of its own work. Its place in the suite's order (`seq`, the wait before it,
    /// its round, why it was extra) is stamped by the runner afterwards.
    pub fn of_process(
        m: &crate::exec::Measurement,
        exit_code: i32,
        elapsed_ns: u64,
        checksum: String,
        ops: u64,
        metrics: BTreeMap<String, i64>,
    ) -> Sample {
        Sample {
            elapsed_ns,
            wall_ns: m.wall_ns,
            user_ns: m.user_ns,
            sys_ns: m.sys_ns,
            max_rss_kb: m.max_rss_kb,
            exit_code,
            checksum,
            ops,
            metrics,
            tree_max_rss_kb: m.tree_max_rss_kb,
            rss_floor_kb: m.rss_floor_kb,
            seq: 0,
            settle_ns: 0,
            settled: true,
            round: None,
            extra: None,
        }
    }

    /// The larger of the single-process and the process-tree peaks.
    pub fn peak_rss_kb(&self) -> u64 {
        self.max_rss_kb.max(self.tree_max_rss_kb.unwrap_or(0))
    }
}

/// Figures derived from the samples.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Median of the samples' `elapsed_ns`, ns.
    pub median_elapsed_ns: u64,
    /// Lower bound of the order-statistic interval of that median, ns (files written before
    /// 2026-12-03 hold a bootstrap interval here).
    pub ci95_low_ns: u64,
    /// Upper bound of that interval, ns.
    pub ci95_high_ns: u64,
    /// `median_elapsed_ns` divided by the op count: ns per op.
    pub ns_per_op: f64,
    /// Median of the samples' `wall_ns` (the whole process, start-up included), ns.
    #[serde(default)]
    pub median_wall_ns: u64,
    /// Coefficient of variation of elapsed_ns.
    #[serde(default)]
    pub cv: f64,
    /// (user + sys) / wall, median: 2.0 means two cores busy.
    #[serde(default)]
    pub cpu_utilisation: f64,
    /// The largest peak memory of any sample (kB).
    #[serde(default)]
    pub peak_rss_kb: u64,
    /// True when `peak_rss_kb` is no more than its floor (`rss_floor_kb`): the model used
    /// at most that much, and wait4 cannot tell how much less.
    #[serde(default)]
    pub peak_rss_at_floor: bool,
    /// Samples that are outliers by the modified z-score.
    #[serde(default)]
    pub outliers: usize,
    /// Racy models: units × increments − the counter (median).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_updates: Option<u64>,
    /// Medians of the implementation's own metrics.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, i64>,
}

impl ResultsFile {
    /// A file for a suite about to run now: no runs yet, this version of concbench.
    pub fn new(
        suite: &str,
        command: Vec<String>,
        machine: Machine,
        toolchains: BTreeMap<String, String>,
    ) -> ResultsFile {
        ResultsFile {
            schema: SCHEMA.into(),
            concbench_version: env!("CARGO_PKG_VERSION").into(),
            started_at: now_rfc3339(),
            finished_at: None,
            suite: suite.into(),
            command,
            interrupted: false,
            machine,
            toolchains,
            runs: Vec::new(),
            blocks: Vec::new(),
            safety: Vec::new(),
            calibration: Vec::new(),
            extra: None,
            offered: Vec::new(),
        }
    }

    /// Writes the file atomically: a temp file beside it, then rename.
    pub fn write_atomic(&self, path: &Path) -> Result<()> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        serde_json::to_writer_pretty(&mut tmp, self)?;
        tmp.write_all(b"\n")?;
        tmp.as_file().sync_all()?;
        tmp.persist(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    /// The blocks whose machine probes read above [`UNSTEADY_CV`], each with its workload
    /// and the larger probe CV, in the order they ran.
    pub fn unsteady_blocks(&self) -> Vec<(&str, f64)> {
        self.blocks
            .iter()
            .filter(|b| b.machine_unsteady())
            .filter_map(|b| Some((b.workload.as_str(), b.machine_cv()?)))
            .collect()
    }

    /// The block a workload's runs were executed in, if the file records blocks.
    pub fn block_of(&self, workload: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.workload == workload)
    }

    /// Reads a results file, refusing (as bad input) one that is corrupt or of another schema.
    pub fn load(path: &Path) -> Result<ResultsFile> {
        let text = fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read results file {}: {e}", path.display())))?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            UsageError(format!(
                "{} is not a concbench results file (invalid JSON: {e})",
                path.display()
            ))
        })?;
        match value.get("schema").and_then(|s| s.as_str()) {
            Some(SCHEMA) => {}
            Some(other) => {
                return Err(UsageError(format!(
                    "{} has schema {other:?}; this concbench reads {SCHEMA:?} \
                     (rerun the suite with this version, or use the concbench that wrote it)",
                    path.display()
                ))
                .into())
            }
            None => {
                return Err(UsageError(format!(
                    "{} is not a concbench results file (no \"schema\" field)",
                    path.display()
                ))
                .into())
            }
        }
        let mut value = value;
        fill_in_legacy_status(&mut value);
        serde_json::from_value(value).map_err(|e| {
            UsageError(format!(
                "{} is a corrupt {SCHEMA} file: {e}",
                path.display()
            ))
            .into()
        })
    }
}

/// Gives every run of a file written before `status` existed the status its `valid` and
/// `error` imply.
fn fill_in_legacy_status(file: &mut serde_json::Value) {
    let Some(runs) = file.get_mut("runs").and_then(|r| r.as_array_mut()) else {
        return;
    };
    for run in runs.iter_mut().filter_map(|r| r.as_object_mut()) {
        if run.contains_key("status") {
            continue;
        }
        let valid = run.get("valid").and_then(|v| v.as_bool()).unwrap_or(false);
        let error = run.get("error").and_then(|e| e.as_str());
        let status = Status::from_legacy(valid, error);
        run.insert(
            "status".into(),
            serde_json::to_value(status).expect("a plain enum"),
        );
    }
}

/// Now, as RFC 3339 UTC to the second: the time stamps of a results file.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> ResultsFile {
        crate::fixtures::file(vec![crate::fixtures::run(
            "ping-pong",
            "go-channels",
            &[("rounds", 10)],
            &[5_000, 6_000],
        )])
    }

    #[test]
    fn a_written_file_reads_back_equal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("r.json");
        example().write_atomic(&path).unwrap();
        assert_eq!(ResultsFile::load(&path).unwrap(), example());
    }

    #[test]
    fn the_design_field_names_are_kept() {
        let v = serde_json::to_value(example()).unwrap();
        for key in [
            "schema",
            "concbench_version",
            "started_at",
            "suite",
            "machine",
            "toolchains",
            "runs",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        let run = &v["runs"][0];
        for key in [
            "workload", "model", "lang", "params", "cpus", "valid", "racy", "error", "samples",
            "summary",
        ] {
            assert!(run.get(key).is_some(), "{key}");
        }
        for key in [
            "elapsed_ns",
            "wall_ns",
            "user_ns",
            "sys_ns",
            "max_rss_kb",
            "exit_code",
            "checksum",
            "ops",
            "metrics",
        ] {
            assert!(run["samples"][0].get(key).is_some(), "{key}");
        }
        for key in [
            "median_elapsed_ns",
            "ci95_low_ns",
            "ci95_high_ns",
            "ns_per_op",
        ] {
            assert!(run["summary"].get(key).is_some(), "{key}");
        }
    }

    fn load_text(text: &str) -> anyhow::Error {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        fs::write(&path, text).unwrap();
        ResultsFile::load(&path).unwrap_err()
    }

    #[test]
    fn corrupt_and_foreign_files_are_bad_input() {
        for (text, says) in [
            ("{not json", "invalid JSON"),
            ("{\"runs\": []}", "no \"schema\""),
            (
                "{\"schema\": \"concbench.results/0\"}",
                "concbench.results/0",
            ),
            (
                "{\"schema\": \"concbench.results/1\", \"runs\": 3}",
                "corrupt",
            ),
        ] {
            let err = load_text(text);
            assert!(err.downcast_ref::<UsageError>().is_some(), "{text}");
            assert!(err.to_string().contains(says), "{text}: {err}");
        }
    }
}
