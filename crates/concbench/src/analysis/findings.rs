//! Findings: what the analysis view says, in plain sentences.
//!
//! Every number in a sentence is read from the view; nothing here computes a figure. The
//! sentences are kept as data (a [`Finding`] with the runs it cites) so the terminal, the
//! reports and the JSON all say the same thing.

use serde::Serialize;

use crate::analysis::view::{
    ratio_words, Analysis, Doubt, Group, Ranked, WorkloadView, CALIBRATION_SPREAD,
};
use crate::analysis::warnings::NOISY_CV;
use crate::format::{format_bytes, format_ns_fine, format_number, format_ratio};
use crate::stats;

/// One sentence and the runs (indexes into the results file) it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The sentence.
    pub text: String,
    /// The runs whose figures it quotes.
    pub runs: Vec<usize>,
}

/// What one workload's runs say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadFindings {
    /// The workload.
    pub workload: String,
    /// Its findings, most important first.
    pub findings: Vec<Finding>,
    /// One line for the end of a run.
    pub headline: String,
}

/// Two modes in words: "two modes: 2 samples at 1.01 ms, 3 at 2.31 ms; the median describes
/// neither" (a server's in requests per second).
pub fn modes_words(m: &stats::TwoModes, server: bool) -> String {
    let show = |x: f64| {
        if server {
            format!("{} req/s", format_number(x.round()))
        } else {
            format_ns_fine(x)
        }
    };
    format!(
        "two modes: {} samples at {}, {} at {}; the median describes neither",
        m.low_n,
        show(m.low),
        m.high_n,
        show(m.high)
    )
}

/// The runs of a workload whose samples fall in two modes, in one sentence.
fn modes_finding(analysis: &Analysis, w: &WorkloadView, server: bool) -> Option<Finding> {
    let found: Vec<(usize, String)> = w
        .runs
        .iter()
        .filter_map(|&i| {
            let f = &analysis.runs[i];
            Some((
                i,
                format!("{} has {}", f.model, modes_words(f.modes.as_ref()?, server)),
            ))
        })
        .collect();
    (!found.is_empty()).then(|| Finding {
        text: format!(
            "{}: {} (its threads sharing one core in some rounds and not in others can do \
             this; compare both modes, not the medians).",
            w.workload,
            found
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        runs: found.iter().map(|(i, _)| *i).collect(),
    })
}

/// The findings of every workload of `analysis`.
pub fn findings(analysis: &Analysis) -> Vec<WorkloadFindings> {
    analysis
        .workloads
        .iter()
        .map(|w| workload_findings(analysis, w))
        .collect()
}

/// "2 CPUs (pinned), units=10000": what sets a group apart from the workload's others.
pub fn group_label(w: &WorkloadView, g: &Group) -> String {
    let mut parts = vec![cpus_label(g.cpus, g.pinned, g.server_cpus)];
    for (name, value) in &g.scenario {
        // A pool sized to the CPUs says nothing the CPU count does not.
        if name == "workers" && *value == g.cpus.to_string() {
            continue;
        }
        let differs = w
            .groups
            .iter()
            .any(|o| o.scenario.get(name).is_some_and(|v| v != value));
        if differs {
            let eq = if value.starts_with('>') { "" } else { "=" };
            parts.push(format!("{name}{eq}{value}"));
        }
    }
    parts.join(", ")
}

/// "2 CPUs", "1 CPU (pinned)", and for a server that had fewer of them than the run, "2 CPUs
/// (server on 1)": the load generator is pinned to the others.
pub fn cpus_label(cpus: usize, pinned: bool, server_cpus: Option<usize>) -> String {
    let mut out = format!(
        "{cpus} CPU{}{}",
        if cpus == 1 { "" } else { "s" },
        if pinned { " (pinned)" } else { "" }
    );
    if let Some(n) = server_cpus.filter(|&n| n < cpus) {
        out += &format!(" (server on {n})");
    }
    out
}

/// The ranking metric's value as it reads: `2.05 ns per iteration`, `10412 req/s`.
pub fn metric_value(g: &Group, value: f64, unit: &str) -> String {
    if g.offered_rate.is_some() {
        format!("p99 {}", format_ns_fine(value))
    } else if g.higher_is_better {
        format!("{value:.0} req/s")
    } else {
        format!("{} per {unit}", format_ns_fine(value))
    }
}

/// "1.06× (95% interval 1.03–1.09×)": a model's ratio to the best.
fn ratio_with_ci(r: &Ranked) -> String {
    ratio_words(&r.vs_best)
}

/// "a, b and c".
fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The sentence that ranks one group: its winner or the models tied for first, and the
/// margin to the first model that differs from them.
fn ranking_sentence(w: &WorkloadView, g: &Group) -> Finding {
    let label = group_label(w, g);
    let best = &g.ranking[0];
    let unit = &w.work_unit;
    let (is_better, tied_for) = if g.offered_rate.is_some() {
        ("has the lowest p99 latency", "the lowest p99 latency")
    } else if g.higher_is_better {
        ("has the most throughput", "the most throughput")
    } else {
        ("is fastest", "fastest")
    };
    let top: Vec<&Ranked> = g.ranking.iter().filter(|r| r.tier == 0).collect();
    let mut runs: Vec<usize> = top.iter().map(|r| r.evidence.run).collect();
    if let Some(unequal) = unequal_work_words(g) {
        // Unequal work across languages: each language's models in their order, no winner.
        let mut langs: Vec<(String, Vec<&str>)> = Vec::new();
        for r in &g.ranking {
            match langs.iter_mut().find(|(l, _)| *l == r.lang.title()) {
                Some((_, models)) => models.push(&r.model),
                None => langs.push((r.lang.title().to_string(), vec![&r.model])),
            }
        }
        let each: Vec<String> = langs
            .iter()
            .map(|(l, models)| format!("{l}: {}", models.join(" > ")))
            .collect();
        return Finding {
            text: format!(
                "{label}: {unequal}, so no model is ranked first; by {} within each language: {}.",
                g.metric,
                each.join("; ")
            ),
            runs: g.ranking.iter().map(|r| r.evidence.run).collect(),
        };
    }
    let mut text = if g.for_scale_only {
        let names: Vec<&str> = g.ranking.iter().map(|r| r.model.as_str()).collect();
        format!(
            "{label}: only models shown for scale were measured here ({}), no concurrency \
             model to rank; the best of them is {}, at {}",
            join_names(&names),
            best.model,
            metric_value(g, best.value.value, unit)
        )
    } else if g.ranking.len() == 1 && !g.baselines.is_empty() {
        format!(
            "{label}: {} is the only concurrency model measured here, at {}",
            best.model,
            metric_value(g, best.value.value, unit)
        )
    } else if g.ranking.len() == 1 {
        format!(
            "{label}: only {} was measured here: {}",
            best.model,
            metric_value(g, best.value.value, unit)
        )
    } else if top.len() == 1 {
        format!(
            "{label}: {} {is_better}, at {}",
            best.model,
            metric_value(g, best.value.value, unit)
        )
    } else {
        let names: Vec<&str> = top.iter().map(|r| r.model.as_str()).collect();
        let last = top.last().expect("a tier has a member");
        let why = if g.too_few_samples {
            "some have a single run, which tells no two apart"
        } else {
            "the interval of every pair's ratio holds 1"
        };
        format!(
            "{label}: {} are tied for {tied_for} ({why}), at {}–{}",
            join_names(&names),
            metric_value(g, best.value.value, unit)
                .split(" per ")
                .next()
                .unwrap_or_default()
                .trim_end_matches(" req/s"),
            metric_value(g, last.value.value, unit)
        )
    };
    if let Some(next) = g.ranking.iter().find(|r| r.tier == 1) {
        runs.push(next.evidence.run);
        text += &if g.offered_rate.is_some() {
            format!(
                "; the next, {}, has a p99 {} as long",
                next.model,
                ratio_with_ci(next)
            )
        } else if g.higher_is_better {
            format!(
                "; it answers {} as many requests per second as the next, {}",
                ratio_with_ci(next),
                next.model
            )
        } else {
            format!(
                "; the next, {}, takes {} as long",
                next.model,
                ratio_with_ci(next)
            )
        };
    }
    if g.too_few_samples && g.ranking.len() > 1 {
        let single: Vec<&str> = g
            .ranking
            .iter()
            .filter(|r| r.evidence.samples < 2)
            .map(|r| r.model.as_str())
            .collect();
        text += &format!(
            " — one sample of {}: a single run decides nothing, so it is tied with every \
             model (use --runs {})",
            join_names(&single),
            stats::interval::samples_needed(stats::CONFIDENCE)
        );
    }
    Finding {
        text: text + ".",
        runs,
    }
}

/// The findings of one workload: per group its ranking, the baselines, the last model, the
/// spread of tail latency and memory, and the calibration; then the noisy rows and the runs
/// that could not be ranked.
fn workload_findings(analysis: &Analysis, w: &WorkloadView) -> WorkloadFindings {
    let mut findings = Vec::new();
    // The group with the most models is where "last" says the most; other groups name
    // their winner and margin only.
    let widest = w.groups.iter().map(|g| g.ranking.len()).max().unwrap_or(0);
    let mut last_said = false;
    for g in &w.groups {
        let label = group_label(w, g);
        findings.push(with_speedup(analysis, g, ranking_sentence(w, g)));
        findings.extend(baselines_finding(&label, g));
        if g.ranking.len() >= 3 && g.ranking.len() == widest && !last_said {
            last_said = true;
            findings.push(last_finding(&label, w, g));
        }
        findings.extend(spread_finding(analysis, &label, g));
        findings.extend(calibration_finding(&label, g));
    }
    findings.extend(noisy_finding(w));
    let server = w.groups.iter().any(|g| g.higher_is_better);
    findings.extend(modes_finding(analysis, w, server));
    findings.extend(doubt_findings(w));
    WorkloadFindings {
        workload: w.workload.clone(),
        headline: headline(w),
        findings,
    }
}

/// The ranking sentence, with the winner against its own language's sequential model where
/// the file has that run.
fn with_speedup(analysis: &Analysis, g: &Group, mut ranked: Finding) -> Finding {
    let best = &g.ranking[0];
    if g.for_scale_only {
        return ranked;
    }
    let figures = &analysis.runs[best.evidence.run];
    if let (Some(s), Some(base)) = (figures.speedup, figures.speedup_base) {
        if base != best.evidence.run {
            ranked.text.pop();
            ranked.text += &format!(
                "; {} runs {} as fast as {}, its language's sequential model.",
                best.model,
                ratio_words(&s),
                analysis.runs[base].model
            );
            ranked.runs.push(base);
        }
    }
    ranked
}

/// The models shown for scale against the best concurrency model: how far the ranking is
/// from plain C and from one thread.
fn baselines_finding(label: &str, g: &Group) -> Option<Finding> {
    if g.baselines.is_empty() {
        return None;
    }
    let best = &g.ranking[0];
    let how = if g.higher_is_better {
        "the best's throughput over theirs"
    } else {
        "their time over the best's"
    };
    let each: Vec<String> = g
        .baselines
        .iter()
        .map(|b| format!("{} {}", b.model, ratio_words(&b.vs_best)))
        .collect();
    let mut runs: Vec<usize> = g.baselines.iter().map(|b| b.evidence.run).collect();
    runs.push(best.evidence.run);
    Some(Finding {
        text: format!(
            "{label}: against {}, the best ranked, the models shown for scale (not ranked; \
             {how}): {}.",
            best.model,
            each.join(", ")
        ),
        runs,
    })
}

/// The last model of the group, against the best.
fn last_finding(label: &str, w: &WorkloadView, g: &Group) -> Finding {
    let best = &g.ranking[0];
    let slowest = g.ranking.last().expect("three or more");
    let what = if g.higher_is_better {
        "the best's throughput over its"
    } else {
        "its time over the fastest's"
    };
    Finding {
        text: format!(
            "{label}: last is {}, at {} ({what}: {}).",
            slowest.model,
            metric_value(g, slowest.value.value, &w.work_unit),
            ratio_with_ci(slowest)
        ),
        runs: vec![slowest.evidence.run, best.evidence.run],
    }
}

/// Tail latency (io-server) and memory where it is the point: per unit (spawn-idle) and per
/// connection (io-server), in one sentence.
fn spread_finding(analysis: &Analysis, label: &str, g: &Group) -> Option<Finding> {
    let mut parts = Vec::new();
    let mut cited = Vec::new();
    let run_of = |m: &str| {
        g.ranking
            .iter()
            .find(|r| r.model == m)
            .map(|r| r.evidence.run)
    };
    if let (Some(low), Some(high), true) = (g.by_p99.first(), g.by_p99.last(), g.by_p99.len() >= 2)
    {
        parts.push(format!(
            "p99 latency from {} ({}) to {} ({})",
            format_ns_fine(low.1 * 1000.0),
            low.0,
            format_ns_fine(high.1 * 1000.0),
            high.0
        ));
        cited.extend([run_of(&low.0), run_of(&high.0)].into_iter().flatten());
    }
    let per_unit: Vec<(&Ranked, f64)> = g
        .ranking
        .iter()
        .filter_map(|r| {
            let f = &analysis.runs[r.evidence.run];
            Some((
                r,
                f.mem_per_unit_bytes
                    .or(f.server.and_then(|s| s.mem_per_conn_bytes))?,
            ))
        })
        .collect();
    let least = per_unit.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    let most = per_unit.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some(least), Some(most), true) = (least, most, per_unit.len() >= 2) {
        let per = if g.by_p99.is_empty() {
            "unit"
        } else {
            "connection"
        };
        parts.push(format!(
            "memory per {per} from {} ({}) to {} ({})",
            format_bytes(least.1),
            least.0.model,
            format_bytes(most.1),
            most.0.model
        ));
        cited.extend([least.0.evidence.run, most.0.evidence.run]);
    }
    (!parts.is_empty()).then(|| Finding {
        text: format!("{label}: {}.", parts.join("; ")),
        runs: cited,
    })
}

/// Rows too noisy for small differences to count, once for the workload.
fn noisy_finding(w: &WorkloadView) -> Option<Finding> {
    let mut noisy: Vec<(String, f64, usize)> = Vec::new();
    for r in w.groups.iter().flat_map(|g| &g.ranking) {
        if r.cv > NOISY_CV && !noisy.iter().any(|(m, _, _)| *m == r.model) {
            noisy.push((r.model.clone(), r.cv, r.evidence.run));
        }
    }
    if noisy.is_empty() {
        return None;
    }
    let names: Vec<String> = noisy
        .iter()
        .map(|(m, cv, _)| format!("{m} ({:.0}%)", cv * 100.0))
        .collect();
    Some(Finding {
        text: format!(
            "Ranked, but too noisy for small differences to count (CV above {:.0}%): {}.",
            NOISY_CV * 100.0,
            names.join(", ")
        ),
        runs: noisy.iter().map(|(_, _, run)| *run).collect(),
    })
}

/// One sentence per run that could not be ranked; a model with several says which run each
/// is about.
fn doubt_findings(w: &WorkloadView) -> Vec<Finding> {
    let mut findings = Vec::new();
    for d in &w.doubtful {
        let twins: Vec<&Doubt> = w.doubtful.iter().filter(|o| o.model == d.model).collect();
        let mut which = Vec::new();
        if twins
            .iter()
            .any(|o| o.evidence.cpus != d.evidence.cpus || o.evidence.pinned != d.evidence.pinned)
        {
            which.push(format!(
                "{} CPU{}",
                d.evidence.cpus,
                if d.evidence.cpus == 1 { "" } else { "s" }
            ));
        }
        for (k, v) in &d.evidence.params {
            if twins.iter().any(|o| o.evidence.params.get(k) != Some(v)) {
                which.push(format!("{k}={v}"));
            }
        }
        let model = if which.is_empty() {
            d.model.clone()
        } else {
            format!("{} ({})", d.model, which.join(", "))
        };
        findings.push(Finding {
            text: format!("{model} is not ranked — {}.", d.reason),
            runs: vec![d.evidence.run],
        });
    }
    findings
}

/// A group that ranks languages on work sized per language: what the work cost in each, and
/// whether the ranking across languages can be read at face value.
fn calibration_finding(label: &str, g: &Group) -> Option<Finding> {
    let (spread, dear, cheap) = g.calibration_spread()?;
    let param = &dear.param;
    // "500000 in Go and Rust, 2800 in Python": the sizes, by language.
    let mut sizes: Vec<(String, Vec<&str>)> = Vec::new();
    for c in &g.calibrated_costs {
        let v: Vec<String> = c.values.iter().map(u64::to_string).collect();
        let v = v.join(" and ");
        match sizes.iter_mut().find(|(s, _)| *s == v) {
            Some((_, langs)) => langs.push(c.lang.title()),
            None => sizes.push((v, vec![c.lang.title()])),
        }
    }
    let sizes: Vec<String> = sizes
        .iter()
        .map(|(v, langs)| format!("{v} in {}", join_names(langs)))
        .collect();
    let costs: Vec<String> = g
        .calibrated_costs
        .iter()
        .map(|c| {
            format!(
                "{} ms in {} ({})",
                format_number(c.added_ms),
                c.lang.title(),
                c.model
            )
        })
        .collect();
    let mut text = format!(
        "{label}: {param} is sized per language to cost about the same CPU per request ({}); \
         here the least it added to a model's server CPU per request was {} (the model's \
         server CPU per request, minus its own at {param}=0).",
        sizes.join(", "),
        join_names(&costs.iter().map(String::as_str).collect::<Vec<_>>())
    );
    if let Some(unequal) = unequal_work_words(g) {
        let marked: Vec<String> = g
            .calibrated_costs
            .iter()
            .flat_map(|c| c.off_target_runs.iter())
            .map(|(run, ms)| format!("run {run} ({} ms)", format_number(*ms)))
            .collect();
        text += &format!(
            " This ranking is {unequal}; within a language it stands. Runs off target: {}.",
            marked.join(", ")
        );
    } else if spread >= CALIBRATION_SPREAD {
        text += &format!(
            " {}'s work cost {} {}'s, so across languages this ranking reflects the sizing \
             as well as the models; within a language it does not.",
            dear.lang.title(),
            format_ratio(spread),
            cheap.lang.title()
        );
    }
    Some(Finding {
        text,
        runs: g
            .calibrated_costs
            .iter()
            .flat_map(|c| c.runs.iter().copied())
            .collect(),
    })
}

/// "cpu work per request off its 1 ms target (±10%): Python 0.77 ms, Rust 1.03 ms": a
/// group whose languages did unequal work; `None` when they did not.
fn unequal_work_words(g: &Group) -> Option<String> {
    let off = g.unequal_work();
    let first = off.first()?;
    let each: Vec<String> = g
        .calibrated_costs
        .iter()
        .map(|c| format!("{} {} ms", c.lang.title(), format_number(c.median_ms)))
        .collect();
    Some(format!(
        "not comparable across languages: the {} work per request was off its {} ms target \
         (±{:.0}%) in {} ({})",
        first.param,
        format_number(first.target_ms.unwrap_or(0.0)),
        crate::results::WORK_TOLERANCE * 100.0,
        join_names(&off.iter().map(|c| c.lang.title()).collect::<Vec<_>>()),
        each.join(", ")
    ))
}

/// The open-loop groups' latency, for a server's headline: "p99 at 850 req/s offered (open
/// loop, 100 connections): go-net-http 1.2 ms to py-threads 5.1 ms".
fn open_loop_words(w: &WorkloadView) -> Vec<String> {
    w.groups
        .iter()
        .filter(|g| g.offered_rate.is_some() && !g.ranking.is_empty())
        .map(|g| {
            let best = &g.ranking[0];
            let worst = g.ranking.last().expect("not empty");
            let conns = g
                .params
                .get("connections")
                .map(|c| format!(", {c} connections"))
                .unwrap_or_default();
            let spread = if g.ranking.len() > 1 {
                format!(
                    "{} {} to {} {}",
                    best.model,
                    format_ns_fine(best.value.value),
                    worst.model,
                    format_ns_fine(worst.value.value)
                )
            } else {
                format!("{} {}", best.model, format_ns_fine(best.value.value))
            };
            format!(
                "p99 at {} req/s offered (open loop{conns}): {spread}",
                g.offered_rate.unwrap_or(0)
            )
        })
        .collect()
}

/// The group a workload's headline ranks: the one with the most concurrency models, the
/// last of them in plan order (a sweep's largest size). For a server, a closed-loop group,
/// preferring one without work sized per language (pure I/O), then one whose languages did
/// equal work: so the headline's scenario does not move with a calibration that landed on
/// target in one run and off it in the next. `None` when only models shown for scale ran.
pub fn headline_group(w: &WorkloadView) -> Option<&Group> {
    let ranked = w
        .groups
        .iter()
        .filter(|g| !g.for_scale_only && g.offered_rate.is_none());
    let chosen = ranked.max_by_key(|g| {
        (
            g.calibrated_costs.is_empty(),
            g.unequal_work().is_empty(),
            g.ranking.len(),
        )
    });
    chosen.or_else(|| w.groups.iter().find(|g| !g.for_scale_only))
}

/// One line for the end of a run: [`headline_group`]'s winner (or the models tied for
/// first), and its margin to the first model that differs. For a server: throughput from
/// the closed loop, then the latency of the open-loop groups, which measure it.
fn headline(w: &WorkloadView) -> String {
    let Some(g) = headline_group(w) else {
        return if w.groups.is_empty() {
            format!("{}: nothing valid to rank", w.workload)
        } else {
            format!(
                "{}: only models shown for scale were measured, nothing to rank",
                w.workload
            )
        };
    };
    let top: Vec<&str> = g
        .ranking
        .iter()
        .filter(|r| r.tier == 0)
        .map(|r| r.model.as_str())
        .collect();
    let lead = if top.len() == 1 && g.ranking.len() > 1 {
        format!("{} first", top[0])
    } else if top.len() == 1 {
        format!("only {} ranked", top[0])
    } else {
        format!("tied: {}", top.join(", "))
    };
    let margin = g
        .ranking
        .iter()
        .find(|r| r.tier == 1)
        .map(|next| {
            format!(
                "{} {} ahead of {}",
                if top.len() == 1 { "," } else { ";" },
                format_ratio(next.vs_best.value),
                next.model
            )
        })
        .unwrap_or_default();
    let open = open_loop_words(w);
    let latency = if open.is_empty() || g.offered_rate.is_some() {
        String::new()
    } else {
        format!(" · {}", open.join(" · "))
    };
    if let Some(unequal) = unequal_work_words(g) {
        return format!(
            "{} ({}, {} models): {unequal}{latency}",
            w.workload,
            group_label(w, g),
            g.ranking.len()
        );
    }
    // Work sized per language that did not cost the same: the margin is partly the sizing.
    let sizing = match g.calibration_spread() {
        Some((spread, dear, _)) if spread >= CALIBRATION_SPREAD => {
            let each: Vec<String> = g
                .calibrated_costs
                .iter()
                .map(|c| format!("{} {} ms", c.lang.title(), format_number(c.added_ms)))
                .collect();
            format!("; {} work per request: {}", dear.param, each.join(", "))
        }
        _ => String::new(),
    };
    let what = if w.groups.iter().any(|o| o.offered_rate.is_some()) && g.offered_rate.is_none() {
        "closed loop, "
    } else {
        ""
    };
    format!(
        "{} ({what}{}, {} models): {lead}{margin}{sizing}{latency}",
        w.workload,
        group_label(w, g),
        g.ranking.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::view::analyse;
    use crate::catalogue::Catalogue;
    use crate::fixtures;

    fn cpu(model: &str, elapsed: &[u64]) -> crate::results::RunResult {
        fixtures::cpu_parallel(model, 1_000_000, elapsed)
    }

    fn text(runs: Vec<crate::results::RunResult>) -> String {
        let file = fixtures::file(runs);
        let f = findings(&analyse(Catalogue::embedded(), &file));
        let mut out = String::new();
        for w in &f {
            for finding in &w.findings {
                out += &format!("{} {:?}\n", finding.text, finding.runs);
            }
            out += &format!("= {}\n", w.headline);
        }
        out
    }

    #[test]
    fn a_run_in_two_modes_is_reported_with_both() {
        let out = text(vec![
            fixtures::run(
                "ping-pong",
                "rust-threads",
                &[("rounds", 100_000)],
                &[
                    100_000_000,
                    231_000_000,
                    102_000_000,
                    228_000_000,
                    235_000_000,
                ],
            ),
            fixtures::run(
                "ping-pong",
                "go-channels",
                &[("rounds", 100_000)],
                &[40_000_000, 41_000_000, 40_500_000, 40_200_000, 40_800_000],
            ),
        ]);
        assert!(
            out.contains(
                "ping-pong: rust-threads has two modes: 2 samples at 101.000 ms, 3 at 231.000 ms; \
                 the median describes neither"
            ),
            "{out}"
        );
        assert!(!out.contains("go-channels has two modes"), "{out}");
    }

    #[test]
    fn the_findings_of_a_ranked_and_a_tied_workload() {
        insta::assert_snapshot!(text(vec![
            cpu(
                "rust-seq",
                &[30_000_000, 30_300_000, 29_800_000, 30_100_000, 29_900_000]
            ),
            cpu(
                "rust-threads",
                &[10_100_000, 10_150_000, 9_900_000, 10_050_000, 9_950_000]
            ),
            cpu(
                "rust-rayon",
                &[10_000_000, 10_250_000, 9_950_000, 10_100_000, 10_000_000]
            ),
            cpu(
                "rust-tokio",
                &[15_000_000, 15_100_000, 14_900_000, 15_050_000, 14_950_000]
            ),
            cpu(
                "py-seq",
                &[
                    900_000_000,
                    910_000_000,
                    890_000_000,
                    905_000_000,
                    895_000_000
                ]
            ),
        ]));
    }

    #[test]
    fn a_twice_as_fast_model_reads_as_twice_as_fast() {
        let slow = [20_000_000, 20_300_000, 19_800_000, 20_100_000, 19_900_000];
        let t = text(vec![
            cpu("rust-seq", &slow),
            cpu("rust-threads", &slow),
            cpu(
                "rust-rayon",
                &[10_000_000, 10_150_000, 9_900_000, 10_050_000, 9_950_000],
            ),
        ]);
        assert!(t.contains("rust-rayon is fastest"), "{t}");
        assert!(
            t.contains("the next, rust-threads, takes 2.00× (93.7% interval 2.00–2.00×)"),
            "{t}"
        );
        assert!(t.contains("rust-rayon runs 2.00× (93.7% interval"), "{t}");
        assert!(
            t.contains("rust-rayon first, 2.00× ahead of rust-threads"),
            "{t}"
        );
    }

    #[test]
    fn a_tie_at_the_top_is_said_and_a_single_sample_decides_nothing() {
        let t = text(vec![
            cpu("rust-seq", &[1_000_000]),
            cpu("rust-threads", &[10_900_000]),
            cpu("rust-rayon", &[10_000_000]),
        ]);
        assert!(
            t.contains("= cpu-parallel (2 CPUs, 2 models): tied: rust-rayon, rust-threads"),
            "{t}"
        );
        assert!(
            t.contains("one sample of rust-rayon and rust-threads"),
            "{t}"
        );
        assert!(!t.contains("rust-seq first"), "{t}");
    }

    #[test]
    fn work_sized_per_language_says_what_it_cost_in_each() {
        // Python's work added 0.6 ms a request, Rust's 0.85 ms: the ranking across languages
        // is partly the sizing, and the headline says so.
        let t = text(fixtures::mixed_servers(700_000_000, 880_000_000));
        assert!(
            t.contains("cpu is sized per language to cost about the same CPU per request (2800 in Python, 500000 in Rust)"),
            "{t}"
        );
        assert!(
            t.contains("was 0.6 ms in Python (py-asyncio) and 0.85 ms in Rust (rust-tokio)"),
            "{t}"
        );
        assert!(
            t.contains("Rust's work cost 1.42× Python's, so across languages"),
            "{t}"
        );
        // The headline ranks the pure-I/O group, whose scenario does not move with the
        // calibration; the sized work is the findings' business.
        assert!(!t.contains("cpu work per request:"), "{t}");
        // The finding cites both models' mixed and pure-I/O runs.
        assert!(t.contains("[1, 0, 3, 2]"), "{t}");
    }

    #[test]
    fn work_that_cost_the_same_in_each_language_is_not_a_caveat() {
        let t = text(fixtures::mixed_servers(950_000_000, 880_000_000));
        assert!(
            t.contains("was 0.85 ms in Python (py-asyncio) and 0.85 ms in Rust"),
            "{t}"
        );
        assert!(!t.contains("across languages"), "{t}");
        assert!(!t.contains("work per request:"), "{t}");
    }

    #[test]
    fn work_without_a_pure_io_run_to_subtract_is_not_costed() {
        let mut runs = fixtures::mixed_servers(700_000_000, 880_000_000);
        runs.remove(2); // rust-tokio at cpu=0
        let t = text(runs);
        assert!(!t.contains("sized per language"), "{t}");
    }

    /// A calibration to 1 ms for `lang` (the file's record of the block's sizing).
    fn calibrated(lang: &str, value: u64) -> crate::results::Calibration {
        crate::results::Calibration {
            workload: "io-server".into(),
            param: "cpu".into(),
            lang: lang.into(),
            model: String::new(),
            suite_value: value,
            value,
            added_ns: 1_000_000,
            target_ns: 1_000_000,
            base_ns: 30_000,
            from_round: 0,
        }
    }

    fn calibrated_text(py_mixed: i64, rust_mixed: i64) -> String {
        let mut file = fixtures::file(fixtures::mixed_servers(py_mixed, rust_mixed));
        file.calibration = vec![calibrated("python", 2_800), calibrated("rust", 500_000)];
        let f = findings(&analyse(Catalogue::embedded(), &file));
        f.iter()
            .flat_map(|w| {
                w.findings
                    .iter()
                    .map(|x| x.text.clone())
                    .chain([w.headline.clone()])
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn work_off_its_target_is_not_ranked_across_languages() {
        // Python's work added 0.6 ms a request against the 1 ms target: off by 40%.
        let t = calibrated_text(700_000_000, 1_030_000_000);
        assert!(
            t.contains("not comparable across languages: the cpu work per request was off its 1 ms target (±10%) in Python (Python 0.6 ms, Rust 1 ms)"),
            "{t}"
        );
        assert!(t.contains("so no model is ranked first"), "{t}");
        assert!(t.contains("Runs off target: run 1 (0.6 ms)"), "{t}");
        // The headline takes its ranking from the pure-I/O group, where the work is equal.
        assert!(
            t.contains("io-server (2 CPUs (server on 1), cpu=0, 2 models): rust-tokio first"),
            "{t}"
        );
        assert!(!t.contains("cpu>0, 2 models): py-asyncio first"), "{t}");
        // Both on target (0.95 and 1.03 ms): ranked as usual.
        let t = calibrated_text(1_050_000_000, 1_060_000_000);
        assert!(!t.contains("not comparable"), "{t}");
        assert!(!t.contains("Runs off target"), "{t}");
    }

    #[test]
    fn an_open_loop_group_is_ranked_by_p99_and_named_in_the_headline() {
        let mut runs = fixtures::mixed_servers(1_050_000_000, 1_060_000_000);
        for (model, p99) in [("py-asyncio", 9_000), ("rust-tokio", 3_000)] {
            let mut open = fixtures::server(model, 0, 100, 600, p99, 1, 1, 1);
            open.params.insert("rate".into(), 600);
            runs.push(open);
        }
        let t = text(runs);
        assert!(
            t.contains("rate=600: rust-tokio has the lowest p99 latency, at p99 3.000 ms"),
            "{t}"
        );
        assert!(t.contains("the next, py-asyncio, has a p99 3.00×"), "{t}");
        assert!(
            t.contains("p99 at 600 req/s offered (open loop, 100 connections): rust-tokio 3.000 ms to py-asyncio 9.000 ms"),
            "{t}"
        );
        assert!(t.contains("= io-server (closed loop, "), "{t}");
    }
}
