//! The cells of the tables that the HTML and Markdown reports share: one row per run of a
//! workload, and one row per ranked model of a comparison group. Every figure is read from
//! the results file or the analysis view and only formatted here.

use crate::analysis::view::{Group, WorkloadView};
use crate::format::{format_bytes, format_kb, format_ns, format_ns_fine, format_p, format_ratio};
use crate::results::{RunResult, Status};

use super::markup::Table;
use super::Report;

/// "20.000 ms (19.900 ms–20.100 ms)": a median with its bootstrap 95% CI, as stored.
fn ns_with_ci(median: u64, low: u64, high: u64) -> String {
    format!(
        "{} ({}–{})",
        format_ns(median),
        format_ns(low),
        format_ns(high)
    )
}

/// The parameters that differ between a workload's runs (shown as columns), and the others
/// as `k=v` text, in the catalogue's order.
pub fn split_params(report: &Report, view: &WorkloadView) -> (Vec<String>, String) {
    let runs: Vec<&RunResult> = view.runs.iter().map(|&i| &report.file.runs[i]).collect();
    let Some(workload) = report.catalogue.workload(&view.workload) else {
        return (Vec::new(), String::new());
    };
    let Some(first) = runs.first() else {
        return (Vec::new(), String::new());
    };
    let varying: Vec<String> = workload
        .params
        .iter()
        .map(|p| p.name.clone())
        .filter(|p| runs.iter().any(|r| r.params.get(p) != first.params.get(p)))
        .collect();
    let fixed: Vec<String> = workload
        .params
        .iter()
        .filter(|p| !varying.contains(&p.name))
        .filter_map(|p| Some(format!("{}={}", p.name, first.params.get(&p.name)?)))
        .collect();
    (varying, fixed.join(" "))
}

/// The word for a run's outcome, with the racy finding where there is one.
pub fn status_text(report: &Report, index: usize) -> (String, String) {
    let r = &report.file.runs[index];
    if let Some((lost, made)) = report.analysis.runs[index].lost_updates {
        return (
            format!("racy: lost {lost} of {made} updates"),
            "racy".into(),
        );
    }
    let class = match r.status {
        Status::Valid => "valid",
        Status::Failed | Status::TimedOut => "failed",
        Status::Unavailable | Status::Refused => "skipped",
        Status::NotRun => "skipped",
    };
    let word = if r.baseline && r.status == Status::Valid {
        "valid (baseline)".to_string()
    } else {
        r.status.label().to_string()
    };
    (word, class.into())
}

/// What a row's notes say: the error, and the warnings the results file recorded.
pub fn notes_text(r: &RunResult) -> String {
    let mut notes: Vec<String> = Vec::new();
    if let Some(e) = &r.error {
        notes.push(e.clone());
    }
    if !r.racy {
        notes.extend(r.warnings.iter().cloned());
    }
    notes.join("; ")
}

/// Peak memory, with "≤" where it is at the floor wait4 can see.
fn peak(r: &RunResult) -> String {
    if r.summary.peak_rss_at_floor {
        format!("≤ {}", format_kb(r.summary.peak_rss_kb))
    } else {
        format_kb(r.summary.peak_rss_kb)
    }
}

/// Ends a row of the runs table with its status and notes, and adds it.
fn push_row(t: &mut Table, mut row: Vec<String>, report: &Report, index: usize, r: &RunResult) {
    let (word, class) = status_text(report, index);
    row.push(word);
    row.push(notes_text(r));
    t.rows.push(row);
    t.status.push(class);
}

/// One row per run of the workload, in the file's order, and the parameters every row
/// shares (`k=v` separated by spaces, may be empty).
pub fn runs_table(report: &Report, view: &WorkloadView) -> (String, Table) {
    let Some(workload) = report.catalogue.workload(&view.workload) else {
        return (String::new(), Table::default());
    };
    let (varying, caption) = split_params(report, view);
    let runs: Vec<(usize, &RunResult)> = view
        .runs
        .iter()
        .map(|&i| (i, &report.file.runs[i]))
        .collect();
    let fig = |i: usize| &report.analysis.runs[i];
    let show_cpus = runs
        .iter()
        .any(|(_, r)| r.cpus != runs[0].1.cpus || r.pinned != runs[0].1.pinned);
    let server = workload.is_server();
    let dash = || "—".to_string();
    // Every row starts with the model, the parameters that vary, and the CPUs if they do.
    let row_start = |r: &RunResult| {
        let mut row = vec![r.model.clone()];
        row.extend(
            varying
                .iter()
                .map(|p| r.params.get(p).map_or_else(dash, |v| v.to_string())),
        );
        if show_cpus {
            row.push(format!(
                "{}{}",
                r.cpus,
                if r.pinned { " (pinned)" } else { " (all)" }
            ));
        }
        row
    };
    let mut t = Table {
        langs: runs.iter().map(|(_, r)| r.lang.clone()).collect(),
        ..Table::default()
    };
    t.header.push("model".into());
    t.header.extend(varying.iter().cloned());
    if show_cpus {
        t.header.push("cpus".into());
    }
    if server {
        t.header.extend(
            [
                "req/s (95% CI)",
                "p50",
                "p99",
                "p99.9",
                "max",
                "server CPU",
                "server mem",
                "mem/conn",
            ]
            .map(String::from),
        );
    } else {
        let has_work = workload.work_unit.is_some();
        let has_speedup = runs.iter().any(|(i, _)| fig(*i).speedup.is_some());
        let has_units = !workload.baseline.is_empty();
        let has_scaling = runs.iter().any(|(i, _)| fig(*i).scaling.is_some());
        t.header.push("median (95% CI)".into());
        t.header.push(format!("per {}", workload.op));
        if has_work {
            t.header.push(format!("per {}", workload.work_unit()));
        }
        if has_speedup {
            t.header.push("speedup".into());
        }
        t.header.extend(["CPU".to_string(), "peak mem".to_string()]);
        if has_units {
            t.header
                .extend(["mem/unit".to_string(), "spawn/unit".to_string()]);
        }
        if has_scaling {
            t.header
                .extend(["vs 1 CPU (95% CI)".to_string(), "efficiency".to_string()]);
        }
        for (i, r) in &runs {
            let f = fig(*i);
            let mut row = row_start(r);
            let s = &r.summary;
            if r.samples.is_empty() {
                let n = t.header.len() - row.len();
                row.extend((0..n).map(|_| dash()));
            } else {
                row.push(ns_with_ci(
                    s.median_elapsed_ns,
                    s.ci95_low_ns,
                    s.ci95_high_ns,
                ));
                row.push(if r.samples[0].ops == 0 {
                    dash()
                } else {
                    format_ns_fine(s.ns_per_op)
                });
                if has_work {
                    row.push(f.ns_per_work.map_or_else(dash, format_ns_fine));
                }
                if has_speedup {
                    row.push(f.speedup.map_or_else(dash, |x| format_ratio(x.value)));
                }
                row.push(format!("{:.0}%", s.cpu_utilisation * 100.0));
                row.push(peak(r));
                if has_units {
                    row.push(f.mem_per_unit_bytes.map_or_else(dash, format_bytes));
                    row.push(f.spawn_per_unit_ns.map_or_else(dash, format_ns_fine));
                }
                if has_scaling {
                    match f.scaling {
                        Some(sc) => {
                            row.push(format!(
                                "{} ({}–{})",
                                format_ratio(sc.speedup.value),
                                format_ratio(sc.speedup.ci95_low).trim_end_matches('×'),
                                format_ratio(sc.speedup.ci95_high)
                            ));
                            row.push(format!("{:.0}%", sc.efficiency * 100.0));
                        }
                        None => row.extend([dash(), dash()]),
                    }
                }
            }
            push_row(&mut t, row, report, *i, r);
        }
        t.header.extend(["status".to_string(), "notes".to_string()]);
        return (caption, t);
    }
    for (i, r) in &runs {
        let mut row = row_start(r);
        match fig(*i).server {
            None => row.extend((0..8).map(|_| dash())),
            Some(s) => {
                let us = |v: f64| format_ns((v.max(0.0) * 1000.0).round() as u64);
                row.push(format!(
                    "{:.0} ({:.0}–{:.0})",
                    s.rps.value, s.rps.ci95_low, s.rps.ci95_high
                ));
                for q in [s.p50_us, s.p99_us, s.p999_us, s.max_us] {
                    row.push(us(q));
                }
                row.push(s.cpu_ns.map_or_else(dash, |v| format_ns(v.max(0.0) as u64)));
                row.push(peak(r));
                row.push(s.mem_per_conn_bytes.map_or_else(dash, format_bytes));
            }
        }
        push_row(&mut t, row, report, *i, r);
    }
    t.header.extend(["status".to_string(), "notes".to_string()]);
    (caption, t)
}

/// The ranking metric as it reads: ns per unit of work, or requests per second.
pub fn metric_text(g: &Group, value: f64) -> String {
    if g.higher_is_better {
        format!("{value:.0} req/s")
    } else {
        format_ns_fine(value)
    }
}

/// One row per ranked model of a group: rank, tier, the metric and its ratio to the best
/// with their CIs, the p-value against the best, the CV and the samples.
pub fn ranking_table(g: &Group) -> Table {
    let mut t = Table {
        header: [
            "rank",
            "model",
            "tier",
            &format!("{} (95% CI)", g.metric),
            "× the best (95% CI)",
            "p vs best",
            "CV",
            "runs",
        ]
        .map(String::from)
        .to_vec(),
        langs: g.ranking.iter().map(|r| r.lang.clone()).collect(),
        ..Table::default()
    };
    for r in &g.ranking {
        t.rows.push(vec![
            r.rank.to_string(),
            r.model.clone(),
            (r.tier + 1).to_string(),
            format!(
                "{} ({}–{})",
                metric_text(g, r.value.value),
                metric_text(g, r.value.ci95_low).trim_end_matches(" req/s"),
                metric_text(g, r.value.ci95_high)
            ),
            format!(
                "{} ({}–{})",
                format_ratio(r.vs_best.value),
                format_ratio(r.vs_best.ci95_low).trim_end_matches('×'),
                format_ratio(r.vs_best.ci95_high)
            ),
            r.p_vs_best.map_or_else(|| "—".into(), format_p),
            format!("{:.1}%", r.cv * 100.0),
            r.evidence.samples.to_string(),
        ]);
        t.status
            .push(if r.tier == 0 { "best" } else { "valid" }.into());
    }
    t
}
