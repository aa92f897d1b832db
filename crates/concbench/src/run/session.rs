//! A session: one plan carried from start to end into one results file. The toolchains the
//! plan needs are found and built, and the safety checks' programs with them, so that no
//! build runs between measurements; then Ctrl-C is listened to, the runner executes the plan
//! with progress, and the safety checks run after the last block.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Result;

use crate::catalogue::{Catalogue, Lang};
use crate::machine::Machine;
use crate::results::{ResultsFile, SafetyCheck};
use crate::run::interrupt::Interrupt;
use crate::run::plan::RunSpec;
use crate::run::runner::{self, Reporter, RunConfig};
use crate::run::safety::{self, SafetyTools};
use crate::toolchain::{ToolchainOptions, Toolchains};

/// The folder results files go to by default, and where the newest one is looked for.
pub const RESULTS_DIR: &str = "concbench-results";

/// How a session runs: the toolchains to use, how long to wait for a steady machine, Ctrl-C,
/// and where its progress goes.
pub struct Session<'a> {
    /// The workloads and models the plans come from.
    pub catalogue: &'a Catalogue,
    /// `--go`: the `go` program to build with (default: `go` on PATH).
    pub go: Option<PathBuf>,
    /// `--python`: the Python interpreter (default: `python3` on PATH).
    pub python: Option<PathBuf>,
    /// Before each workload's block, wait up to this long for a steady machine (zero: probe
    /// once and go on).
    pub wait_steady: Duration,
    /// `--budget`: the most time the sampling may take in all, extra samples filling what
    /// the planned ones leave (default: the suite's, see `suite/suites.toml`).
    pub budget: Option<Duration>,
    /// The command line as typed, recorded in the results file.
    pub command: Vec<String>,
    /// Ctrl-C, listened to from the first sample on.
    pub interrupt: Interrupt,
    /// Makes the reporter of the runs' progress, when the first sample is about to start (a
    /// progress bar drawn earlier would mix with the build lines).
    pub progress: fn() -> Box<dyn Reporter>,
    /// Where the session's lines go: builds, what it is about to run, the safety checks.
    pub log: fn(&str),
}

impl Session<'_> {
    /// The toolchain options of `--go` and `--python`, checked when a session first needs them
    /// (a command that reads only never does).
    fn options(&self) -> Result<ToolchainOptions> {
        ToolchainOptions::new(self.go.clone(), self.python.clone())
    }

    /// Prepares the toolchains `plan` needs, runs it with progress and writes its results file
    /// to `out` (default: `concbench-results/<suite>-<time>.json`); returns the file and its
    /// path. On Ctrl-C the file holds what was measured and says it was interrupted.
    pub fn execute(
        &self,
        plan: &[RunSpec],
        suite: &str,
        out: Option<PathBuf>,
        machine: Machine,
    ) -> Result<(ResultsFile, PathBuf)> {
        let log = &mut |msg: &str| (self.log)(msg);
        let mut langs: Vec<Lang> = plan.iter().map(|s| s.lang).collect();
        langs.sort();
        langs.dedup();
        let opts = self.options()?;
        let toolchains = Toolchains::prepare(&opts, &langs, log);
        // The safety checks' programs are built now, with the others, so that no build runs
        // between measurements; the checks themselves run after the last block.
        let safety_tools = plan
            .iter()
            .any(|s| s.workload == safety::WORKLOAD)
            .then(|| SafetyTools::prepare(&opts, log));

        let started = SystemTime::now();
        let out = out.unwrap_or_else(|| default_out(suite, started));
        let config = RunConfig {
            out: out.clone(),
            order_seed: started
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64),
            steadiness: true,
            settle: true,
            wait_steady: self.wait_steady,
            interrupt: self.interrupt.clone(),
            budget: self.budget.unwrap_or_else(|| {
                self.catalogue
                    .suites
                    .get(suite)
                    .map(|s| s.budget())
                    .unwrap_or_default()
            }),
        };
        let file = ResultsFile::new(suite, self.command.clone(), machine, toolchains.versions());
        self.interrupt.listen();
        let samples: u32 = plan.iter().map(|s| s.warmup + s.runs).sum();
        log(&format!(
            "{} runs, {samples} samples (warm-ups included) → {}",
            plan.len(),
            out.display()
        ));
        let mut reporter = (self.progress)();
        let mut file = runner::execute(
            self.catalogue,
            &toolchains,
            plan,
            &config,
            file,
            reporter.as_mut(),
        )?;
        if let Some(tools) = safety_tools.filter(|_| !file.interrupted) {
            file.safety = tools.check(self.catalogue);
            for line in safety::summary_lines(&file.safety) {
                log(&line);
            }
            file.write_atomic(&out)?;
        }
        Ok((file, out))
    }

    /// Every safety check, from scratch, for a results file that has none.
    pub fn safety_checks(&self) -> Result<Vec<SafetyCheck>> {
        let opts = self.options()?;
        Ok(safety::check_all(self.catalogue, &opts, &mut |msg| {
            (self.log)(msg)
        }))
    }
}

/// `concbench-results/<name>-<time>.json`, the time in a form that sorts and is a valid
/// file name everywhere (`20261201T200000Z`).
pub fn default_out(name: &str, time: SystemTime) -> PathBuf {
    let stamp = humantime::format_rfc3339_seconds(time)
        .to_string()
        .replace([':', '-'], "");
    Path::new(RESULTS_DIR).join(format!("{name}-{stamp}.json"))
}

/// The newest results file in `concbench-results/`, if any.
pub fn newest_results() -> Option<PathBuf> {
    std::fs::read_dir(RESULTS_DIR)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()
        .map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_results_file_is_named_by_suite_and_time() {
        let time = UNIX_EPOCH + Duration::from_secs(1_796_155_200);
        assert_eq!(
            default_out("quick", time),
            Path::new("concbench-results/quick-20261201T200000Z.json")
        );
    }
}
