//! Running a plan, one block per workload: the machine's steadiness is probed before each
//! block, then the block's warm-up and counted samples run, interleaved across its runs in
//! a shuffled order each round (A C B, B A C, ...), so that the drift of a noisy machine
//! spreads over the models compared with each other instead of punishing whichever ran
//! last. Runs of other workloads never sit between them: a 40 ms cpu-parallel sample does
//! not follow 10,000 threads being torn down. After a sample that may have left the
//! machine work to do, the next one waits (bounded) until the machine is quiet again.
//!
//! After the last block, while a time budget lasts (`--budget`), the runs a verdict or a
//! first tier depends on and that their samples do not decide yet get extra rounds,
//! interleaved with the runs they are compared with ([`crate::run::extra`]); what is open is
//! the analysis's call ([`crate::analysis::sampling`]). Every sample records its round, and
//! an extra one why it was taken.
//!
//! A run whose sample fails (crash, timeout, wrong checksum, refused by a cap, toolchain
//! missing) keeps its row with the reason, and the suite goes on. The results file is
//! rewritten as samples arrive, and once more when interrupted, so nothing measured is lost.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::analysis::sampling;
use crate::catalogue::claims::ClaimsTable;
use crate::catalogue::Catalogue;
use crate::machine::limits::Limits;
use crate::results::{Block, ExtraSampling, ResultsFile, Sample};
use crate::run::extra::{self, Stop};
use crate::run::interrupt::Interrupt;
use crate::run::plan::RunSpec;
use crate::run::server_rounds::{correct_work, measure_work, set_offered_rate};
use crate::run::settle;
use crate::run::slot::{finished_result, new_slot, take_sample, SampleFailure, Slot};
use crate::run::steady;
use crate::stats;
use crate::toolchain::Toolchains;

/// How often, at most, the results file is rewritten while samples arrive.
const SAVE_INTERVAL: Duration = Duration::from_secs(2);

/// Observes a run as it happens (terminal progress, plain log lines, nothing in tests).
pub trait Reporter {
    /// The plan is about to start: `total` samples (warm-ups included).
    fn start(&mut self, _total: u64) {}
    /// `samples` extra samples were added to the plan (an extra round).
    fn more(&mut self, _samples: u64) {}
    /// A sample starts; `eta` is the estimated time left, once there is a basis for it.
    fn sample_start(&mut self, _label: &str, _done: u64, _eta: Option<Eta>) {}
    /// A sample ended; `outcome` is its elapsed time or why it failed.
    fn sample_done(&mut self, _label: &str, _outcome: &str) {}
    /// Something the user should act on.
    fn warning(&mut self, _message: &str) {}
    /// The harness is waiting for the machine before the next block (`--wait-steady`).
    fn waiting(&mut self, _message: &str) {}
    /// The plan is done (or stopped).
    fn finish(&mut self) {}
}

/// The time a run has left, as far as it can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eta {
    /// The samples still to take, each at its run's last wall time (the mean of the known
    /// ones for a run not sampled yet).
    pub samples: Duration,
    /// The most the blocks still to come may wait for a steady machine (`--wait-steady`):
    /// unknown in advance, so it is given as a bound beside the estimate, not added to it.
    pub waits_up_to: Duration,
    /// The time budget of the run's sampling (`--budget`): spent so far and its limit.
    pub budget: Option<(Duration, Duration)>,
    /// The most the extra samples may still add, within the budget, after those planned.
    pub extra_up_to: Duration,
}

/// A reporter that says nothing.
pub struct Silent;
impl Reporter for Silent {}

/// Where results go, and the order of runs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The results file, rewritten atomically as samples arrive and once more at the end.
    pub out: PathBuf,
    /// Seeds the shuffled order of each round.
    pub order_seed: u64,
    /// Probe the machine's steadiness before each block and after the last (0.75 s each).
    pub steadiness: bool,
    /// After a sample that may have left the machine work to do, wait (bounded) for it to
    /// settle before the next.
    pub settle: bool,
    /// Before each block, wait up to this long for the steadiness probe to read steady
    /// (zero: probe once and go on).
    pub wait_steady: Duration,
    /// Ctrl-C: once pressed, the runner stops at the next sample boundary and saves what it
    /// has.
    pub interrupt: Interrupt,
    /// The most time the run's sampling may take in all, from its first sample: the planned
    /// samples all run, and extra ones fill what they leave. Zero: no extra samples.
    pub budget: Duration,
}

/// Executes `plan` and returns the results file it wrote to `config.out`.
pub fn execute(
    catalogue: &Catalogue,
    toolchains: &Toolchains,
    plan: &[RunSpec],
    config: &RunConfig,
    mut file: ResultsFile,
    reporter: &mut dyn Reporter,
) -> Result<ResultsFile> {
    let limits = Limits::current();
    let mut slots: Vec<Slot> = plan
        .iter()
        .map(|spec| new_slot(catalogue, toolchains, &limits, spec))
        .collect::<Result<_>>()?;
    // One warning per reason, not per run: a model refused in five scenarios says so once.
    let mut blocked: Vec<(String, usize)> = Vec::new();
    for slot in slots.iter().filter(|s| s.blocked.is_some()) {
        let line = format!(
            "{} {}: {}",
            slot.spec.workload,
            slot.spec.model,
            slot.blocked.as_ref().map_or("", |(_, why)| why.as_str())
        );
        match blocked.iter_mut().find(|(l, _)| *l == line) {
            Some((_, n)) => *n += 1,
            None => blocked.push((line, 1)),
        }
    }
    for (line, runs) in blocked {
        match runs {
            1 => reporter.warning(&line),
            n => reporter.warning(&format!("{line} ({n} runs)")),
        }
    }

    let total: u32 = slots
        .iter()
        .filter(|s| s.blocked.is_none())
        .map(|s| s.spec.warmup + s.spec.runs)
        .sum();
    reporter.start(total as u64);
    let mut run = Progress {
        rng: stats::SplitMix64::new(config.order_seed),
        last_save: Instant::now(),
        done: 0,
        settle_next: false,
        waits_left: Duration::ZERO,
        started: Instant::now(),
        budget: config.budget,
        planned: total as u64,
    };
    let mut probe = None;
    let blocks = blocks(&slots);
    let live_blocks: Vec<bool> = blocks
        .iter()
        .map(|(_, members)| members.iter().any(|&i| slots[i].blocked.is_none()))
        .collect();
    for (k, (workload, members)) in blocks.into_iter().enumerate() {
        if config.interrupt.is_interrupted() {
            break;
        }
        run.waits_left = if config.steadiness {
            waits_after(&live_blocks, k, config.wait_steady)
        } else {
            Duration::ZERO
        };
        let live = live_blocks[k];
        let mut waited = Duration::ZERO;
        if live && config.steadiness {
            let bound = config.wait_steady;
            let mut machine = steady::Machine {
                interrupt: config.interrupt.clone(),
            };
            let w = steady::wait(&mut machine, bound, &mut |p, so_far| {
                reporter.waiting(&steady::waiting_line(&workload, p, so_far, bound))
            });
            if !bound.is_zero() && !w.steady() && !config.interrupt.is_interrupted() {
                reporter.warning(&steady::gave_up_line(&workload, &w));
            }
            waited = w.waited;
            probe = Some(w.probe);
            if file.machine.steadiness_start.is_none() {
                file.machine.steadiness_start = probe.clone();
            }
            if let Some(last) = file.blocks.last_mut() {
                last.steadiness_after = probe.clone();
            }
        }
        if live && catalogue.workload(&workload).is_some_and(|w| w.is_server()) {
            calibrate(
                catalogue, toolchains, &mut file, &mut slots, &members, reporter,
            );
        }
        let first_seq = run.done + 1;
        let steal_start = crate::machine::steal_jiffies();
        run_block(
            catalogue, toolchains, config, &mut file, &mut slots, &members, &mut run, reporter,
        )?;
        let host_steal = crate::machine::steal_share(steal_start, crate::machine::steal_jiffies());
        file.blocks.push(Block {
            workload,
            first_seq: if run.done >= first_seq { first_seq } else { 0 },
            last_seq: if run.done >= first_seq { run.done } else { 0 },
            steadiness_before: if live { probe.clone() } else { None },
            steadiness_after: None,
            steady_wait_ns: waited.as_nanos() as u64,
            host_steal: if run.done >= first_seq {
                host_steal
            } else {
                None
            },
        });
    }
    if !config.budget.is_zero() {
        let before = run.done;
        let stop = if config.interrupt.is_interrupted() {
            Stop::Interrupted
        } else {
            extra_rounds(
                catalogue, toolchains, config, &mut file, &mut slots, &mut run, reporter,
            )?
        };
        file.extra = Some(ExtraSampling {
            budget_ns: config.budget.as_nanos() as u64,
            spent_ns: run.started.elapsed().as_nanos() as u64,
            samples: run.done - before,
            stopped: stop.word().to_string(),
        });
    }
    file.interrupted = config.interrupt.is_interrupted();
    file.finished_at = Some(crate::results::now_rfc3339());
    file.machine.load_avg_end = crate::machine::load_average();
    if total > 0 && config.steadiness && !file.interrupted {
        let end = crate::machine::steadiness::brief();
        file.machine.steadiness_end = Some(end.clone());
        if let Some(last) = file
            .blocks
            .iter_mut()
            .rev()
            .find(|b| b.steadiness_before.is_some())
        {
            last.steadiness_after = Some(end);
        }
    }
    save(&mut file, &slots, config)?;
    reporter.finish();
    Ok(file)
}

/// Sizes a server block's calibrated parameter per language on this machine
/// ([`crate::run::io_server::calibrate_block`]) and gives the block's runs their value.
fn calibrate(
    catalogue: &Catalogue,
    toolchains: &Toolchains,
    file: &mut ResultsFile,
    slots: &mut [Slot],
    members: &[usize],
    reporter: &mut dyn Reporter,
) {
    let specs: Vec<&RunSpec> = members
        .iter()
        .map(|&i| &slots[i])
        .filter(|s| s.blocked.is_none())
        .map(|s| &s.spec)
        .collect();
    reporter.waiting("calibrating each language's CPU work per request");
    let found = crate::run::io_server::calibrate_block(
        catalogue,
        toolchains,
        &file.suite,
        &specs,
        &mut |m| reporter.warning(m),
    );
    for &i in members {
        let slot = &mut slots[i];
        if crate::run::io_server::apply_calibration(&found, &mut slot.spec) {
            slot.result.params = slot.spec.params.clone();
        }
    }
    file.calibration.extend(found);
}

/// Where the suite stands, carried from block to block.
struct Progress {
    rng: stats::SplitMix64,
    last_save: Instant,
    /// Samples taken so far, warm-ups included: the last sample's `seq`.
    done: u64,
    /// The last sample may have left the machine work to do: settle before the next.
    settle_next: bool,
    /// The most the blocks after this one may wait for a steady machine.
    waits_left: Duration,
    /// When the first block started: the budget counts from here.
    started: Instant,
    /// The run's time budget ([`RunConfig::budget`]).
    budget: Duration,
    /// The planned samples, warm-ups included: past them, samples are extra.
    planned: u64,
}

impl Progress {
    /// The time left: the planned samples' estimate `samples`, the budget spent, and what
    /// extra samples may add within it.
    fn eta(&self, samples: Option<Duration>) -> Option<Eta> {
        let spent = self.started.elapsed();
        let extra_up_to = self
            .budget
            .saturating_sub(spent + samples.unwrap_or_default());
        let budget = (!self.budget.is_zero()).then_some((spent, self.budget));
        let samples = if self.done >= self.planned {
            Some(Duration::ZERO)
        } else {
            samples
        };
        samples.map(|samples| Eta {
            samples,
            waits_up_to: self.waits_left,
            budget,
            extra_up_to,
        })
    }
}

/// The extra rounds after the last block, until nothing is open, the budget is spent, or
/// Ctrl-C: each time, the analysis of the runs so far says what is open, and each workload
/// concerned gets one round of the runs named, in a shuffled order.
fn extra_rounds(
    catalogue: &Catalogue,
    toolchains: &Toolchains,
    config: &RunConfig,
    file: &mut ResultsFile,
    slots: &mut [Slot],
    run: &mut Progress,
    reporter: &mut dyn Reporter,
) -> Result<Stop> {
    let table = ClaimsTable::embedded();
    let mut done: BTreeMap<String, u32> = BTreeMap::new();
    loop {
        if config.interrupt.is_interrupted() {
            return Ok(Stop::Interrupted);
        }
        file.runs = slots.iter().map(finished_result).collect();
        let needs = sampling::needs(catalogue, table, file);
        let left = config.budget.saturating_sub(run.started.elapsed());
        let mean = estimate_mean_wall(slots);
        let rounds = {
            let live = |i: usize| slots[i].blocked.is_none() && !slots[i].failed;
            let cost = |i: usize| {
                slots[i]
                    .last_wall
                    .or(mean)
                    .unwrap_or(Duration::from_secs(1))
            };
            match extra::plan_rounds(&needs, &live, &cost, left, &done) {
                Ok(rounds) => rounds,
                Err(stop) => return Ok(stop),
            }
        };
        for round in rounds {
            let number = done.entry(round.workload.clone()).or_insert(0);
            *number += 1;
            let extra_round = *number;
            // The extra rounds go on from the block's last counted round.
            let counted = round
                .runs
                .iter()
                .map(|(i, _)| slots[*i].spec.runs)
                .max()
                .unwrap_or(0);
            reporter.more(round.runs.len() as u64);
            let mut order = round.runs.clone();
            run.rng.shuffle(&mut order);
            for (i, reason) in order {
                let take = Take {
                    warmup: false,
                    round: Some(counted + extra_round - 1),
                    label: format!(
                        "{} · extra {extra_round} ({reason})",
                        run_label(catalogue, &slots[i].spec)
                    ),
                    extra: Some(reason),
                };
                let taken = take_one(
                    catalogue, toolchains, config, file, slots, i, take, run, reporter,
                )?;
                if matches!(taken, Taken::Interrupted) {
                    return Ok(Stop::Interrupted);
                }
            }
        }
    }
}

/// The most the blocks after block `k` may wait for a steady machine: `bound` for each one
/// that will run (`live`); a block whose runs are all refused or unavailable is not probed.
fn waits_after(live: &[bool], k: usize, bound: Duration) -> Duration {
    bound * live[k + 1..].iter().filter(|&&l| l).count() as u32
}

/// The plan's runs grouped by workload, in the order the workloads first appear.
fn blocks(slots: &[Slot]) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        match out.iter_mut().find(|(w, _)| *w == slot.spec.workload) {
            Some((_, members)) => members.push(i),
            None => out.push((slot.spec.workload.clone(), vec![i])),
        }
    }
    out
}

/// One block: its warm-up rounds, then its counted rounds, each round in a fresh shuffled
/// order of the block's runs, so drift spreads over the models that are compared with each
/// other. Counted rounds start together for every run, after the longest warm-up of the
/// block, so that counted round k of two runs ran side by side (the pairing of ratios).
#[allow(clippy::too_many_arguments)]
fn run_block(
    catalogue: &Catalogue,
    toolchains: &Toolchains,
    config: &RunConfig,
    file: &mut ResultsFile,
    slots: &mut [Slot],
    members: &[usize],
    run: &mut Progress,
    reporter: &mut dyn Reporter,
) -> Result<()> {
    let lead = members
        .iter()
        .map(|&i| slots[i].spec.warmup)
        .max()
        .unwrap_or(0);
    let rounds = lead
        + members
            .iter()
            .map(|&i| slots[i].spec.runs)
            .max()
            .unwrap_or(0);
    for round in 0..rounds {
        let mut order = members.to_vec();
        run.rng.shuffle(&mut order);
        // Runs whose rate is set from the closed-loop runs of their scenario come after them.
        order.sort_by_key(|&i| slots[i].spec.auto_rate);
        let mut round_work: Vec<(usize, i64)> = Vec::new();
        for i in order {
            if config.interrupt.is_interrupted() {
                return Ok(());
            }
            if slots[i].spec.auto_rate && slots[i].blocked.is_none() && !slots[i].failed {
                set_offered_rate(catalogue, file, slots, members, i);
            }
            let slot = &slots[i];
            // In the lead: this run's warm-ups, if it has that many; after it: its counted
            // rounds.
            let (warmup, taken) = if round < lead {
                (true, round < slot.spec.warmup)
            } else {
                (false, round - lead < slot.spec.runs)
            };
            if slot.blocked.is_some() || slot.failed || !taken {
                continue;
            }
            let take = Take {
                warmup,
                round: (!warmup).then(|| round - lead),
                label: sample_label(catalogue, &slot.spec, warmup, round, lead),
                extra: None,
            };
            match take_one(
                catalogue, toolchains, config, file, slots, i, take, run, reporter,
            )? {
                Taken::Interrupted => return Ok(()),
                Taken::Sampled { added_work } => {
                    round_work.extend(added_work.map(|added| (i, added)));
                }
            }
        }
        if round + 1 < rounds {
            correct_work(file, slots, &round_work, round + 1, &mut |w| {
                reporter.warning(w)
            });
        }
    }
    Ok(())
}

/// One sample to take: its round, its words in the progress, and why, if extra.
struct Take {
    /// A warm-up: run, not counted.
    warmup: bool,
    /// The counted round of its block (extra rounds go on from the last planned one).
    round: Option<u32>,
    /// The progress line's words.
    label: String,
    /// Why an extra sample is taken (`None`: planned).
    extra: Option<String>,
}

/// What taking one sample came to.
enum Taken {
    /// Ctrl-C cut it short: it measured nothing.
    Interrupted,
    /// Sampled (or failed, recorded as the run's failure); `added_work` is what a mixed
    /// server sample's calibrated work added (see [`measure_work`]).
    Sampled { added_work: Option<i64> },
}

/// Takes one sample of run `i`, records it (or the run's failure) and saves the file when
/// due.
#[allow(clippy::too_many_arguments)]
fn take_one(
    catalogue: &Catalogue,
    toolchains: &Toolchains,
    config: &RunConfig,
    file: &mut ResultsFile,
    slots: &mut [Slot],
    i: usize,
    take: Take,
    run: &mut Progress,
    reporter: &mut dyn Reporter,
) -> Result<Taken> {
    let eta = run.eta(estimate_remaining(slots));
    let label = take.label;
    let waited = if run.settle_next && config.settle {
        settle::wait(&mut settle::ProcStat, settle::MAX_WAIT)
    } else {
        settle::Settled {
            waited_ns: 0,
            settled: true,
        }
    };
    reporter.sample_start(&label, run.done, eta);
    let processes = catalogue
        .workload(&slots[i].spec.workload)
        .and_then(|w| w.model(&slots[i].spec.model))
        .is_some_and(|m| m.processes);
    let outcome = take_sample(toolchains, catalogue, &mut slots[i]);
    run.done += 1;
    if config.interrupt.is_interrupted() {
        // The sample was cut short by Ctrl-C: it measured nothing.
        return Ok(Taken::Interrupted);
    }
    let mut added_work = None;
    let slot = &mut slots[i];
    slot.taken += 1;
    let stamp = |s: Sample| Sample {
        seq: run.done,
        settle_ns: waited.waited_ns,
        settled: waited.settled,
        round: take.round,
        extra: take.extra.clone(),
        ..s
    };
    match outcome {
        Ok(mut sample) => {
            run.settle_next = settle::leaves_work(&sample, processes);
            reporter.sample_done(&label, &crate::format::format_ns(sample.elapsed_ns));
            added_work = measure_work(catalogue, file, slots, i, &mut sample);
            let slot = &mut slots[i];
            if !take.warmup {
                slot.result.samples.push(stamp(sample));
            }
        }
        Err(failed) => {
            // A crash or a kill can leave as much behind as a heavy run.
            run.settle_next = true;
            let SampleFailure {
                status,
                why,
                sample,
            } = *failed;
            reporter.sample_done(&label, &format!("FAILED: {why}"));
            slot.failed = true;
            slot.result.status = status;
            slot.result.error = Some(why);
            slot.result.samples.extend(sample.map(stamp));
        }
    }
    if run.last_save.elapsed() >= SAVE_INTERVAL {
        save(file, slots, config)?;
        run.last_save = Instant::now();
    }
    Ok(Taken::Sampled { added_work })
}

/// Estimated time for the samples still to come, from each run's last wall time (runs not yet
/// timed count at the mean of those that were).
fn estimate_remaining(slots: &[Slot]) -> Option<Duration> {
    let live: Vec<&Slot> = slots
        .iter()
        .filter(|s| s.blocked.is_none() && !s.failed)
        .collect();
    let mean = estimate_mean_wall(slots)?;
    Some(
        live.iter()
            .map(|s| {
                s.last_wall.unwrap_or(mean) * (s.spec.warmup + s.spec.runs).saturating_sub(s.taken)
            })
            .sum(),
    )
}

/// The mean last wall time of the runs timed so far, `None` before the first.
fn estimate_mean_wall(slots: &[Slot]) -> Option<Duration> {
    let known: Vec<Duration> = slots
        .iter()
        .filter(|s| s.blocked.is_none() && !s.failed)
        .filter_map(|s| s.last_wall)
        .collect();
    (!known.is_empty()).then(|| known.iter().sum::<Duration>() / known.len() as u32)
}

/// A run in words: workload, model, its sizes, and its CPUs when pinned.
fn run_label(catalogue: &Catalogue, spec: &RunSpec) -> String {
    let (w, _) = spec.catalogued(catalogue);
    let pin = if spec.pinned {
        format!(" cpus={}", spec.cpus)
    } else {
        String::new()
    };
    format!(
        "{} {} {}{pin}",
        spec.workload,
        spec.model,
        spec.params_text(w)
    )
}

fn sample_label(
    catalogue: &Catalogue,
    spec: &RunSpec,
    warmup: bool,
    round: u32,
    lead: u32,
) -> String {
    let which = if warmup {
        format!("warm-up {}/{}", round + 1, spec.warmup)
    } else {
        format!("run {}/{}", round - lead + 1, spec.runs)
    };
    format!("{} · {which}", run_label(catalogue, spec))
}

fn save(file: &mut ResultsFile, slots: &[Slot], config: &RunConfig) -> Result<()> {
    file.runs = slots.iter().map(finished_result).collect();
    file.write_atomic(&config.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eta_bounds_the_waits_of_the_blocks_still_to_run() {
        let bound = Duration::from_secs(600);
        // The third block's runs are all refused: it is not probed, so it cannot wait.
        let live = [true, true, false, true];
        assert_eq!(waits_after(&live, 0, bound), bound * 2);
        assert_eq!(waits_after(&live, 1, bound), bound);
        assert_eq!(waits_after(&live, 3, bound), Duration::ZERO);
    }

    /// The runner as Ctrl-C leaves it: `interrupted` before the first block.
    fn execute_with(interrupted: bool) -> ResultsFile {
        let catalogue = Catalogue::embedded();
        let plan = crate::fixtures::plan_of("quick", "cpu-parallel", &["rust-seq"], 1);
        let dir = tempfile::tempdir().unwrap();
        let config = RunConfig {
            out: dir.path().join("r.json"),
            order_seed: 1,
            steadiness: false,
            settle: false,
            wait_steady: Duration::ZERO,
            interrupt: Interrupt::new(),
            budget: Duration::ZERO,
        };
        if interrupted {
            config.interrupt.interrupt();
        }
        let file = ResultsFile::new("quick", vec![], Default::default(), BTreeMap::new());
        // No toolchain: the run is unavailable, and no program starts.
        let toolchains = Toolchains::default();
        let file = execute(catalogue, &toolchains, &plan, &config, file, &mut Silent).unwrap();
        assert_eq!(
            ResultsFile::load(&config.out).unwrap().interrupted,
            interrupted
        );
        file
    }

    #[test]
    fn an_interrupted_runner_starts_no_block_and_still_writes_its_file() {
        let file = execute_with(true);
        assert!(file.interrupted && file.blocks.is_empty());
        assert_eq!(file.runs.len(), 1, "the planned run keeps its row");
        let file = execute_with(false);
        assert!(!file.interrupted);
        assert_eq!(file.blocks.len(), 1);
    }
}
