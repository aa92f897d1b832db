//! Every run of a workload, one row each: for a terminal with numbered notes under the
//! table ([`terminal`]), and for Markdown and HTML with each row's status and notes in
//! cells ([`runs_table`]). Every figure is read from the results file or the analysis view
//! and only formatted here.

use std::fmt::Write as _;

use crate::analysis::view::{RunFigures, WorkloadView};
use crate::catalogue::Workload;
use crate::format::{format_bytes, format_kb, format_ns, format_ns_fine, format_ratio};
use crate::report::analysed::Report;
use crate::report::markup::{self, escape, Table};
use crate::report::words::{estimate_with_ci, level_note};
use crate::results::{RunResult, Status, Summary};

mod terminal;
pub use terminal::terminal;

/// A workload's runs, with their index in the file, in the file's order.
fn runs_of<'a>(report: &'a Report, view: &WorkloadView) -> Vec<(usize, &'a RunResult)> {
    view.runs
        .iter()
        .map(|&i| (i, &report.file.runs[i]))
        .collect()
}

/// The parameters that differ between a workload's runs (shown as columns), and the others
/// as `k=v` text, in the catalogue's order.
fn split_params(workload: &Workload, runs: &[(usize, &RunResult)]) -> (Vec<String>, String) {
    let Some((_, first)) = runs.first() else {
        return (Vec::new(), String::new());
    };
    let varying: Vec<String> = workload
        .params
        .iter()
        .map(|p| p.name.clone())
        .filter(|p| {
            runs.iter()
                .any(|(_, r)| r.params.get(p) != first.params.get(p))
        })
        .collect();
    let fixed: Vec<String> = workload
        .params
        .iter()
        .filter(|p| !varying.contains(&p.name))
        .filter_map(|p| Some(format!("{}={}", p.name, first.params.get(&p.name)?)))
        .collect();
    (varying, fixed.join(" "))
}

/// A run's value of parameter `p`, or a dash.
fn param(r: &RunResult, p: &str) -> String {
    r.params
        .get(p)
        .map_or_else(|| "—".into(), |v| v.to_string())
}

/// Peak memory, with "≤" where it is at the floor wait4 can see (the memory of the process
/// that forked it).
fn peak(s: &Summary) -> String {
    if s.peak_rss_at_floor {
        format!("≤ {}", format_kb(s.peak_rss_kb))
    } else {
        format_kb(s.peak_rss_kb)
    }
}

/// The word for a run's outcome, with the racy finding where there is one, and the row's
/// status class.
fn status_text(report: &Report, index: usize) -> (String, String) {
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

/// What a row's notes say: the error, the warnings the results file recorded, and two modes
/// where the view found them.
fn notes_text(r: &RunResult, f: &RunFigures, server: bool) -> String {
    let mut notes: Vec<String> = Vec::new();
    if let Some(e) = &r.error {
        notes.push(e.clone());
    }
    if !r.racy {
        notes.extend(r.warnings.iter().cloned());
    }
    if let Some(m) = &f.modes {
        notes.push(crate::analysis::findings::modes_words(m, server));
    }
    notes.join("; ")
}

/// Which figure columns a workload's table has: only those some run fills.
struct Columns {
    work: Option<String>,
    speedup: bool,
    units: bool,
    scaling: bool,
}

impl Columns {
    fn of(report: &Report, workload: &Workload, runs: &[(usize, &RunResult)]) -> Columns {
        let fig = |i: usize| &report.analysis.runs[i];
        Columns {
            work: workload.work_unit.clone(),
            speedup: runs.iter().any(|(i, _)| fig(*i).speedup.is_some()),
            units: !workload.baseline.is_empty(),
            scaling: runs.iter().any(|(i, _)| fig(*i).scaling.is_some()),
        }
    }

    fn header(&self, op: &str) -> Vec<String> {
        let mut h = vec!["median (interval)".to_string(), format!("per {op}")];
        if let Some(unit) = &self.work {
            h.push(format!("per {unit}"));
        }
        if self.speedup {
            h.push("speedup".into());
        }
        h.extend(["CPU".to_string(), "peak mem".to_string()]);
        if self.units {
            h.extend(["mem/unit".to_string(), "spawn/unit".to_string()]);
        }
        if self.scaling {
            h.extend(["vs 1 CPU (interval)".to_string(), "efficiency".to_string()]);
        }
        h
    }

    /// A measured run's figures, in the header's order.
    fn cells(&self, r: &RunResult, f: &RunFigures) -> Vec<String> {
        let dash = || "—".to_string();
        let s = &r.summary;
        let mut row = vec![
            match f.median.filter(|m| m.decides()) {
                Some(m) => format!(
                    "{} ({}–{}){}",
                    format_ns(s.median_elapsed_ns),
                    format_ns(m.ci95_low.round() as u64),
                    format_ns(m.ci95_high.round() as u64),
                    level_note(m.level)
                ),
                None => format_ns(s.median_elapsed_ns),
            },
            if r.samples[0].ops == 0 {
                dash()
            } else {
                format_ns_fine(s.ns_per_op)
            },
        ];
        if self.work.is_some() {
            row.push(f.ns_per_work.map_or_else(dash, format_ns_fine));
        }
        if self.speedup {
            row.push(f.speedup.map_or_else(dash, |x| format_ratio(x.value)));
        }
        row.push(format!("{:.0}%", s.cpu_utilisation * 100.0));
        row.push(peak(s));
        if self.units {
            row.push(f.mem_per_unit_bytes.map_or_else(dash, format_bytes));
            row.push(f.spawn_per_unit_ns.map_or_else(dash, format_ns_fine));
        }
        if self.scaling {
            match f.scaling {
                Some(sc) => {
                    let x = sc.speedup;
                    row.push(estimate_with_ci(&x));
                    row.push(format!("{:.0}%", sc.efficiency * 100.0));
                }
                None => row.extend([dash(), dash()]),
            }
        }
        row
    }
}

/// The io-server's columns after the parameters.
const SERVER_HEADER: [&str; 8] = [
    "req/s (interval)",
    "p50",
    "p99",
    "p99.9",
    "max",
    "server CPU",
    "server mem",
    "mem/conn",
];

/// An io-server run's figures, in [`SERVER_HEADER`]'s order.
fn server_cells(r: &RunResult, f: &RunFigures) -> Vec<String> {
    let dash = || "—".to_string();
    let Some(s) = f.server else {
        return (0..8).map(|_| dash()).collect();
    };
    let us = |v: f64| format_ns((v.max(0.0) * 1000.0).round() as u64);
    let mut row = vec![if s.rps.decides() {
        format!(
            "{:.0} ({:.0}–{:.0}){}",
            s.rps.value,
            s.rps.ci95_low,
            s.rps.ci95_high,
            level_note(s.rps.level)
        )
    } else {
        format!("{:.0}", s.rps.value)
    }];
    row.extend([s.p50_us, s.p99_us, s.p999_us, s.max_us].map(us));
    row.push(s.cpu_ns.map_or_else(dash, |v| format_ns(v.max(0.0) as u64)));
    row.push(peak(&r.summary));
    row.push(s.mem_per_conn_bytes.map_or_else(dash, format_bytes));
    row
}

/// One row per run of the workload, in the file's order, each ending with its status and
/// notes; and the parameters every row shares (`k=v` separated by spaces, may be empty).
pub fn runs_table(report: &Report, view: &WorkloadView) -> (String, Table) {
    let Some(workload) = report.catalogue.workload(&view.workload) else {
        return (String::new(), Table::default());
    };
    let runs = runs_of(report, view);
    let (varying, caption) = split_params(workload, &runs);
    let show_cpus = runs
        .iter()
        .any(|(_, r)| r.cpus != runs[0].1.cpus || r.pinned != runs[0].1.pinned);
    let columns = Columns::of(report, workload, &runs);
    let mut t = Table::new(["model"]);
    t.header.extend(varying.iter().cloned());
    if show_cpus {
        t.header.push("cpus".into());
    }
    if workload.is_server() {
        t.header.extend(SERVER_HEADER.map(String::from));
    } else {
        t.header.extend(columns.header(&workload.op));
    }
    for (i, r) in &runs {
        let mut row = vec![r.model.clone()];
        row.extend(varying.iter().map(|p| param(r, p)));
        if show_cpus {
            let place = if r.pinned { " (pinned)" } else { " (all)" };
            row.push(format!("{}{place}", r.cpus));
        }
        let f = &report.analysis.runs[*i];
        if workload.is_server() {
            row.extend(server_cells(r, f));
        } else if r.samples.is_empty() {
            let n = t.header.len() - row.len();
            row.extend((0..n).map(|_| "—".to_string()));
        } else {
            row.extend(columns.cells(r, f));
        }
        let (word, class) = status_text(report, *i);
        row.extend([word, notes_text(r, f, workload.is_server())]);
        t.rows.push(row);
        t.status.push(class);
        t.langs.push(r.lang.name().to_string());
    }
    t.header.extend(["status".to_string(), "notes".to_string()]);
    (caption, t)
}

/// Every run of a workload in Markdown, the shared parameters above the table.
pub fn markdown(report: &Report, view: &WorkloadView) -> String {
    let (caption, t) = runs_table(report, view);
    let mut out = String::from("\n");
    if !caption.is_empty() {
        out += &format!("Every run: `{caption}`\n\n");
    }
    out + &markup::markdown(&t)
}

/// Every run of a workload on the HTML page, folded away: the reader opens it to see one.
pub fn html(report: &Report, view: &WorkloadView) -> String {
    let (caption, t) = runs_table(report, view);
    let mut out = format!(
        "<details class=\"runs\"><summary>Every run of {} ({} run{})</summary>\n",
        escape(&view.workload),
        t.rows.len(),
        if t.rows.len() == 1 { "" } else { "s" }
    );
    if !caption.is_empty() {
        let _ = write!(
            out,
            "<p class=\"sub\">Every run had <code>{}</code>.</p>",
            escape(&caption)
        );
    }
    out.push_str(&markup::html(&t, "runs"));
    out.push_str("</details>\n");
    out
}
