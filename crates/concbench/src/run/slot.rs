//! One planned run while a plan executes (its slot): created with its reference checksum and
//! whether it may start at all, each sample taken and checked against the reference, and the
//! run's row as it stands.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Result;

use crate::catalogue::reference;
use crate::catalogue::Catalogue;
use crate::exec::{self, Exit};
use crate::machine::limits::Limits;
use crate::results::{RunResult, Sample, Status, Summary};
use crate::run::plan::RunSpec;
use crate::toolchain::Toolchains;

/// The state of one planned run while the plan executes.
pub(super) struct Slot {
    pub(super) spec: RunSpec,
    pub(super) result: RunResult,
    /// Why the run cannot start at all, if so (unavailable or refused).
    pub(super) blocked: Option<(Status, String)>,
    pub(super) failed: bool,
    /// Samples taken so far, warm-ups included.
    pub(super) taken: u32,
    pub(super) last_wall: Option<Duration>,
    pub(super) reference: u64,
    pub(super) expected_ops: u64,
}

/// The refusal of a run whose model needs more CPUs of its own than the run has
/// ([`crate::catalogue::Model::needs_cpus`]).
fn too_few_cpus(catalogue: &Catalogue, spec: &RunSpec) -> Option<String> {
    let (workload, model) = spec.catalogued(catalogue);
    let needs = model.needs_cpus?;
    let (has, machine, whose) = if workload.is_server() {
        let has = crate::machine::server_cpus(spec.cpus);
        let whose = format!(
            "the server has {has} of the run's {} CPUs (the load generator takes the rest)",
            spec.cpus
        );
        (has, crate::machine::cpus_for_server(needs), whose)
    } else {
        (spec.cpus, needs, format!("the run has {}", spec.cpus))
    };
    (has < needs).then(|| {
        format!(
            "refused: {} needs {needs} CPUs of its own to measure what it is for, and {whose}; \
             run it on a machine of {machine} CPUs or more",
            model.id
        )
    })
}

pub(super) fn new_slot(
    catalogue: &Catalogue,
    toolchains: &Toolchains,
    limits: &Limits,
    spec: &RunSpec,
) -> Result<Slot> {
    let (_, model) = spec.catalogued(catalogue);
    let reference = reference::checksum(&spec.workload, &spec.params)?;
    let expected_ops = reference::expected_ops(&spec.workload, &spec.params)?;
    let blocked = match toolchains.implementation_for(model.lang, &spec.workload, &spec.model) {
        Err(why) => Some((Status::Unavailable, format!("unavailable: {why}"))),
        Ok(_) => model
            .caps
            .iter()
            .find_map(|cap| {
                limits
                    .largest_safe(cap.per)
                    .check(&cap.param, spec.params[&cap.param])
            })
            .or_else(|| model.limits.iter().find_map(|l| l.refuses(&spec.params)))
            .or_else(|| too_few_cpus(catalogue, spec))
            .map(|why| (Status::Refused, why)),
    };
    let result = RunResult {
        workload: spec.workload.clone(),
        model: spec.model.clone(),
        lang: model.lang,
        params: spec.params.clone(),
        cpus: spec.cpus,
        pinned: spec.pinned,
        baseline: spec.baseline,
        valid: false,
        racy: model.racy,
        status: blocked
            .as_ref()
            .map_or(Status::NotRun, |(status, _)| *status),
        error: blocked.as_ref().map(|(_, why)| why.clone()),
        reference_checksum: reference.to_string(),
        samples: Vec::new(),
        summary: Summary::default(),
        warnings: Vec::new(),
    };
    Ok(Slot {
        spec: spec.clone(),
        result,
        blocked,
        failed: false,
        taken: 0,
        last_wall: None,
        reference,
        expected_ops,
    })
}

/// Why a sample failed, with the sample itself when it ran to the end (a wrong answer).
#[derive(Debug)]
pub(super) struct SampleFailure {
    pub(super) status: Status,
    pub(super) why: String,
    pub(super) sample: Option<Sample>,
}

fn failure(why: String, sample: Option<Sample>) -> Box<SampleFailure> {
    Box::new(SampleFailure {
        status: Status::Failed,
        why,
        sample,
    })
}

/// Runs one sample of `slot` and checks it.
pub(super) fn take_sample(
    toolchains: &Toolchains,
    catalogue: &Catalogue,
    slot: &mut Slot,
) -> std::result::Result<Sample, Box<SampleFailure>> {
    let spec = slot.spec.clone();
    let (workload, model) = spec.catalogued(catalogue);
    let imp = toolchains
        .implementation_for(spec.lang, &spec.workload, &spec.model)
        .map_err(|why| {
            Box::new(SampleFailure {
                status: Status::Unavailable,
                why: format!("unavailable: {why}"),
                sample: None,
            })
        })?;
    // Load parameters belong to the harness's load generator, not to the implementation.
    let own_params: BTreeMap<String, u64> = spec
        .params
        .iter()
        .filter(|(name, _)| !workload.param(name).is_some_and(|p| p.load))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let mut inv = imp.invocation(&spec.workload, &spec.model, &own_params, spec.timeout);
    inv.sample_tree = model.processes;
    if workload.is_server() {
        let out =
            crate::run::io_server::sample(inv, &spec.params, spec.pinned.then_some(spec.cpus));
        if let Some(sample) = &out.sample {
            slot.last_wall = Some(Duration::from_nanos(sample.wall_ns));
        }
        return match (out.sample, out.problem) {
            // io_server::sample has checked every body and both sides' counts; a load that
            // lasts `duration_ms` answers more requests than its `requests` floor.
            (Some(sample), None) => Ok(sample),
            (sample, problem) => Err(failure(problem.unwrap_or_default(), sample)),
        };
    }
    inv.pin_cpus = spec.pinned.then_some(exec::CpuSet::First(spec.cpus));
    let m = exec::run(&inv).map_err(|e| failure(format!("{e:#}"), None))?;
    slot.last_wall = Some(Duration::from_nanos(m.wall_ns));
    let exit_code = match m.exit {
        Exit::Code(0) => 0,
        Exit::Code(_) | Exit::Signal(_) => {
            return Err(failure(
                format!("{}: {}", m.exit, m.last_stderr_line()),
                None,
            ));
        }
        Exit::TimedOut => {
            return Err(Box::new(SampleFailure {
                status: Status::TimedOut,
                why: format!(
                    "timed out after {} s (raise --timeout, or lower the sizes)",
                    spec.timeout.as_secs()
                ),
                sample: None,
            }));
        }
    };
    let report = crate::exec::protocol::parse_report(&m.stdout).map_err(|e| failure(e, None))?;
    let sample = Sample::of_process(
        &m,
        exit_code,
        report.elapsed_ns,
        report.checksum.to_string(),
        report.ops,
        report.metrics,
    );
    check_sample(slot, model.racy, sample)
}

/// Checks a sample's op count and answer against the harness's reference.
fn check_sample(
    slot: &Slot,
    racy: bool,
    sample: Sample,
) -> std::result::Result<Sample, Box<SampleFailure>> {
    if sample.ops != slot.expected_ops {
        return Err(failure(
            format!(
                "reported ops {} but the workload does {}",
                sample.ops, slot.expected_ops
            ),
            Some(sample),
        ));
    }
    if sample.checksum != slot.reference.to_string() && !racy {
        return Err(failure(
            format!(
                "wrong answer: checksum {} but the reference is {}",
                sample.checksum, slot.reference
            ),
            Some(sample),
        ));
    }
    Ok(sample)
}

/// The run's row as it stands: validity and summary from the samples so far.
pub(super) fn finished_result(slot: &Slot) -> RunResult {
    let mut r = slot.result.clone();
    r.valid = r.error.is_none() && !r.samples.is_empty();
    if r.error.is_none() {
        r.status = if r.valid {
            Status::Valid
        } else {
            Status::NotRun
        };
    }
    r.summary = crate::analysis::summary::summarise(&r.samples, slot.reference, r.racy);
    r.warnings = crate::analysis::warnings::for_run(&r)
        .iter()
        .map(|w| w.to_string())
        .collect();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_of_several_processes_is_refused_on_one_server_cpu() {
        let catalogue = Catalogue::embedded();
        let plan = crate::fixtures::plan_of(
            "quick",
            "io-server",
            &["py-uvicorn-workers", "py-uvicorn"],
            2,
        );
        let workers = plan
            .iter()
            .find(|s| s.model == "py-uvicorn-workers")
            .unwrap();
        let why = too_few_cpus(catalogue, workers).expect("refused on 2 CPUs");
        assert!(
            why.contains("the server has 1 of the run's 2 CPUs")
                && why.contains("a machine of 3 CPUs or more"),
            "{why}"
        );
        let one = plan.iter().find(|s| s.model == "py-uvicorn").unwrap();
        assert_eq!(
            too_few_cpus(catalogue, one),
            None,
            "one process needs no more"
        );
        // On 4 CPUs the server has 3 of its own.
        let mut bigger = workers.clone();
        bigger.cpus = 4;
        assert_eq!(too_few_cpus(catalogue, &bigger), None);
    }
}
