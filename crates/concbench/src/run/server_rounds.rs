//! The io-server block's work that changes between rounds: the offered rate of an open-loop
//! scenario, set from the closed-loop runs measured earlier in the block; the calibrated work
//! each mixed sample really got; and the step count corrected after a round whose work left
//! the calibration's tolerance.

use crate::catalogue::Catalogue;
use crate::results::{ResultsFile, RunResult, Sample, Status};
use crate::run::slot::Slot;

/// Sets the offered rate of `open`'s scenario (`rate = "auto"`, see [`crate::run::offered`])
/// on every open-loop run of that scenario in the block, and records it; when it cannot be
/// set, the run fails with the reason.
pub(super) fn set_offered_rate(
    catalogue: &Catalogue,
    file: &mut ResultsFile,
    slots: &mut [Slot],
    members: &[usize],
    open: usize,
) {
    let measured: Vec<&RunResult> = members.iter().map(|&j| &slots[j].result).collect();
    match crate::run::offered::offered_rate(catalogue, &slots[open].spec, &measured) {
        Ok(offered) => {
            let spec = slots[open].spec.clone();
            for &j in members {
                let s = &mut slots[j];
                if s.spec.auto_rate
                    && crate::run::offered::same_open_scenario(catalogue, &spec, &s.spec)
                {
                    s.spec.auto_rate = false;
                    s.spec.params.insert("rate".into(), offered.rate);
                    s.result.params = s.spec.params.clone();
                }
            }
            file.offered.push(offered);
        }
        Err(why) => {
            let s = &mut slots[open];
            s.failed = true;
            s.result.status = Status::Failed;
            s.result.error = Some(why);
        }
    }
}

/// For a mixed server sample (its calibrated parameter above 0), records the work it got
/// ([`crate::run::work`]: the server CPU per request it added, and its step count) and
/// returns the first.
pub(super) fn measure_work(
    catalogue: &Catalogue,
    file: &ResultsFile,
    slots: &[Slot],
    i: usize,
    sample: &mut Sample,
) -> Option<i64> {
    use crate::run::work;
    let spec = &slots[i].spec;
    let (workload, _) = spec.catalogued(catalogue);
    let param = workload.params.iter().find(|p| p.calibrated)?;
    let steps = *spec.params.get(&param.name).filter(|v| **v > 0)?;
    let pure = slots.iter().find(|s| {
        s.spec.workload == spec.workload
            && s.spec.model == spec.model
            && (s.spec.cpus, s.spec.pinned) == (spec.cpus, spec.pinned)
            && s.spec.params.iter().all(|(k, v)| {
                if *k == param.name {
                    *v == 0
                } else {
                    spec.params.get(k) == Some(v)
                }
            })
    });
    let calibration = file
        .calibration
        .iter()
        .rev()
        .find(|c| c.workload == spec.workload && c.lang == spec.lang.name());
    let base = work::base_ns(pure.map(|s| &s.result), calibration.map(|c| c.base_ns))?;
    let added = work::added_us(sample, base)?;
    sample.metrics.insert(work::ADDED_CPU_US.into(), added);
    sample.metrics.insert(work::STEPS.into(), steps as i64);
    Some(added)
}

/// After a round, corrects the step count of each language whose work measured in the round
/// left the calibration's tolerance, for the rounds that follow, and records the correction.
pub(super) fn correct_work(
    file: &mut ResultsFile,
    slots: &mut [Slot],
    round_work: &[(usize, i64)],
    next_round: u32,
    warn: &mut dyn FnMut(&str),
) {
    use crate::run::io_server::CPU_TOLERANCE;
    let mut langs: Vec<crate::catalogue::Lang> = round_work
        .iter()
        .map(|(i, _)| slots[*i].spec.lang)
        .collect();
    langs.dedup();
    langs.sort_by_key(|l| l.name());
    langs.dedup();
    for lang in langs {
        let Some(c) = file
            .calibration
            .iter()
            .rev()
            .find(|c| c.lang == lang.name() && slots.iter().any(|s| s.spec.workload == c.workload))
            .cloned()
        else {
            continue;
        };
        // What the language's samples of the round added.
        let added: Vec<i64> = round_work
            .iter()
            .filter(|(i, _)| {
                let s = &slots[*i];
                s.spec.lang == lang && s.spec.params.get(&c.param) == Some(&c.value)
            })
            .map(|(_, added)| *added)
            .collect();
        let Some(figure) = crate::run::work::language_figure_us(&added) else {
            continue;
        };
        let target_us = c.target_ns as f64 / 1000.0;
        let Some(steps) =
            crate::run::work::corrected_steps(c.value, figure, target_us, CPU_TOLERANCE)
        else {
            continue;
        };
        for s in slots.iter_mut().filter(|s| {
            s.spec.lang == lang
                && s.spec.workload == c.workload
                && s.spec.params.get(&c.param) == Some(&c.value)
        }) {
            s.spec.params.insert(c.param.clone(), steps);
            s.result.params = s.spec.params.clone();
        }
        warn(&format!(
            "{} {}: its {} work added {:.0} µs a request in round {} (target {:.0} µs ± {:.0}%): \
             {} steps from round {}, was {}",
            c.workload,
            lang.name(),
            c.param,
            figure,
            next_round,
            target_us,
            CPU_TOLERANCE * 100.0,
            steps,
            next_round + 1,
            c.value
        ));
        file.calibration.push(crate::results::Calibration {
            suite_value: c.value,
            value: steps,
            added_ns: (figure * 1000.0).round() as u64,
            from_round: next_round,
            ..c
        });
    }
}
