//! Every run of a workload for a terminal: the parameters every run shares, the table, its
//! legend, and numbered notes (errors, racy findings, one note per kind of warning that
//! names every row it applies to) that the rows' validity cells point to.

use crate::analysis::view::{RunFigures, WorkloadView};
use crate::analysis::warnings::{self, Warning};
use crate::catalogue::{Role, Workload};
use crate::format::{format_bytes, format_ns, format_ns_fine, format_ratio};
use crate::report::analysed::Report;
use crate::report::markup::{self, Table};
use crate::results::RunResult;

use super::{peak, runs_of, split_params, Columns};

/// A workload's runs as the terminal shows them, with their caption, legend and notes.
pub fn terminal(report: &Report, workload: &Workload, view: &WorkloadView) -> String {
    let runs = runs_of(report, view);
    let rows = Rows::new(report, workload, view, &runs);
    if workload.is_server() {
        server_table(&rows)
    } else {
        workload_table(&rows)
    }
}

/// A workload's rows with their notes: per-row notes for failures and racy findings, and
/// one note per kind of warning that names every row it applies to.
struct Rows<'a> {
    report: &'a Report<'a>,
    workload: &'a Workload,
    runs: &'a [(usize, &'a RunResult)],
    varying: Vec<String>,
    fixed: String,
    notes: Vec<String>,
    /// Per run (same order as `runs`), the notes its row points to.
    marks: Vec<Vec<usize>>,
}

impl<'a> Rows<'a> {
    fn new(
        report: &'a Report<'a>,
        workload: &'a Workload,
        view: &'a WorkloadView,
        runs: &'a [(usize, &'a RunResult)],
    ) -> Rows<'a> {
        let (varying, fixed) = split_params(workload, runs);
        let mut rows = Rows {
            report,
            workload,
            runs,
            varying,
            fixed,
            notes: Vec::new(),
            marks: vec![Vec::new(); runs.len()],
        };
        rows.note_failures();
        rows.note_warnings(view);
        rows.note_modes();
        rows
    }

    /// How a note names a row: its model, the parameters that vary, and its CPUs where
    /// they differ between rows.
    fn label(&self, r: &RunResult) -> String {
        let mut l = r.model.clone();
        for p in &self.varying {
            l += &format!(" {p}={}", super::param(r, p));
        }
        if self
            .runs
            .iter()
            .any(|(_, o)| o.cpus != r.cpus || o.pinned != r.pinned)
        {
            l += &format!(" cpus={}{}", r.cpus, if r.pinned { "" } else { " (all)" });
        }
        l
    }

    /// One note per failed run (its error) and per racy run (what it lost).
    fn note_failures(&mut self) {
        for (k, (i, r)) in self.runs.iter().enumerate() {
            if let Some(err) = &r.error {
                self.notes.push(format!("{}: {err}", self.label(r)));
                self.marks[k].push(self.notes.len());
            } else if let Some((lost, made)) = self.report.analysis.runs[*i].lost_updates {
                let why = if lost == 0 {
                    self.workload
                        .model(&r.model)
                        .and_then(|m| m.when_nothing_is_lost.clone())
                        .map(|w| format!(": {w}"))
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                self.notes.push(format!(
                    "{}: racy by design; lost {lost} of {made} updates (median of {} runs){why}",
                    self.label(r),
                    r.samples.len()
                ));
                self.marks[k].push(self.notes.len());
            }
        }
    }

    /// One note for the rows with a warning of one kind, led by `lead` and naming each row
    /// with what `kind` says of it.
    fn note_group(
        &mut self,
        warned: &[Vec<Warning>],
        kind: fn(&Warning) -> Option<String>,
        lead: String,
    ) {
        let rows: Vec<(usize, String)> = warned
            .iter()
            .enumerate()
            .flat_map(|(k, ws)| ws.iter().filter_map(kind).map(move |t| (k, t)))
            .collect();
        if rows.is_empty() {
            return;
        }
        let names: Vec<String> = rows
            .iter()
            .map(|(k, t)| format!("{} {t}", self.label(self.runs[*k].1)))
            .collect();
        self.notes.push(format!("{lead}: {}", names.join("; ")));
        for (k, _) in rows {
            if !self.marks[k].contains(&self.notes.len()) {
                self.marks[k].push(self.notes.len());
            }
        }
    }

    /// One note per run whose samples fall in two modes, with both.
    fn note_modes(&mut self) {
        let server = self.workload.is_server();
        for (k, (i, r)) in self.runs.iter().enumerate() {
            if let Some(m) = &self.report.analysis.runs[*i].modes {
                let words = crate::analysis::findings::modes_words(m, server);
                self.notes.push(format!("{}: {words}", self.label(r)));
                self.marks[k].push(self.notes.len());
            }
        }
    }

    /// One note per kind of warning: noisy, too short, outliers.
    fn note_warnings(&mut self, view: &WorkloadView) {
        let warned: Vec<Vec<Warning>> = self
            .runs
            .iter()
            .map(|(_, r)| {
                if r.racy {
                    Vec::new()
                } else {
                    warnings::for_run(r)
                }
            })
            .collect();
        // On an unsteady machine the spread is the machine's, and the advice is to rerun:
        // the CV names the rows. On a steady one the spread is the model's, so it is shown.
        let machine_spread =
            crate::machine::steadiness::machine_noisy(view.machine_cv, view.host_steal);
        let noisy: fn(&Warning) -> Option<String> = if machine_spread {
            |w| match w {
                Warning::Noisy { cv, .. } => Some(format!("{:.1}%", cv * 100.0)),
                _ => None,
            }
        } else {
            |w| match w {
                Warning::Noisy { cv, spread } => Some(format!("{:.1}% ({spread})", cv * 100.0)),
                _ => None,
            }
        };
        let name = &self.workload.name;
        self.note_group(
            &warned,
            noisy,
            format!(
                "noisy (CV above {:.0}%); {}. Rows",
                warnings::NOISY_CV * 100.0,
                warnings::noise_advice(name, view.machine_cv, view.host_steal)
            ),
        );
        self.note_group(
            &warned,
            |w| match w {
                Warning::TooShort { median_ns, .. } => Some(format_ns(*median_ns)),
                _ => None,
            },
            format!(
                "too short (under 1 ms a run, where start-up jitter and the clock weigh): raise \
                 the size with --set {name}.PARAM=VALUE. Rows"
            ),
        );
        self.note_group(
            &warned,
            |w| match w {
                Warning::Outliers { count, of } => Some(format!("{count} of {of}")),
                _ => None,
            },
            "outliers (modified z-score above 3.5; each sample's seq in the results file shows \
             what ran just before it). Rows"
                .into(),
        );
    }

    /// The validity cell of row `k`, with the notes it points to.
    fn validity(&self, k: usize) -> String {
        let (i, r) = self.runs[k];
        let base = if r.error.is_some() {
            "✗"
        } else if self.report.analysis.runs[i].lost_updates.is_some() {
            "racy"
        } else if r.valid {
            "✓"
        } else {
            "—"
        };
        match self.marks[k].as_slice() {
            [] => base.into(),
            marks => {
                let list: Vec<String> = marks.iter().map(|m| m.to_string()).collect();
                let warn = if r.error.is_some() || r.racy {
                    ""
                } else {
                    " ⚠"
                };
                format!("{base}{warn}({})", list.join(","))
            }
        }
    }

    /// A row's first cells: `model` and the parameters that vary (right-aligned).
    fn start(&self, model: String, r: &RunResult) -> Vec<(String, bool)> {
        let mut row = vec![(model, false)];
        row.extend(self.varying.iter().map(|p| (super::param(r, p), true)));
        row
    }

    /// The table with the shared parameters above it, and its legend and numbered notes
    /// below.
    fn finish(&self, table: &Table, legend: &str) -> String {
        let mut out = String::new();
        if !self.fixed.is_empty() {
            out.push_str(&format!("{}\n", self.fixed));
        }
        out.push_str(&markup::text(table));
        out.push('\n');
        out.push_str(legend);
        out.push('\n');
        for (i, note) in self.notes.iter().enumerate() {
            out.push_str(&format!("({}) {note}\n", i + 1));
        }
        out
    }
}

/// A server run's figures, right-aligned; a run without them has left-aligned dashes.
fn server_cells(r: &RunResult, f: &RunFigures) -> Vec<(String, bool)> {
    let Some(s) = f.server else {
        return (0..8).map(|_| ("—".to_string(), false)).collect();
    };
    let us = |v: f64| format_ns((v.max(0.0) * 1000.0).round() as u64);
    let mut cells = vec![format!("{:.0}", s.rps.value)];
    cells.extend([s.p50_us, s.p99_us, s.p999_us, s.max_us].map(us));
    cells.push(
        s.cpu_ns
            .map_or("—".into(), |v| format_ns(v.max(0.0) as u64)),
    );
    cells.push(peak(&r.summary));
    cells.push(s.mem_per_conn_bytes.map_or("—".into(), format_bytes));
    cells.into_iter().map(|c| (c, true)).collect()
}

/// The io-server table: throughput, latency percentiles, the server's CPU and memory.
fn server_table(rows: &Rows) -> String {
    let mut t = Table::new(["model"]);
    t.header.extend(rows.varying.iter().cloned());
    t.header.extend(
        [
            "req/s",
            "p50",
            "p99",
            "p99.9",
            "max",
            "server CPU",
            "server mem",
            "mem/conn",
            "valid",
        ]
        .map(String::from),
    );
    for (k, (i, run)) in rows.runs.iter().enumerate() {
        let mut row = rows.start(run.model.clone(), run);
        row.extend(server_cells(run, &rows.report.analysis.runs[*i]));
        row.push((rows.validity(k), false));
        t.push_aligned(row);
    }
    // On a small machine the load generator's own CPUs are a large share: say how many the
    // server had, once for the table.
    let mut shares: Vec<(usize, usize)> = rows
        .runs
        .iter()
        .filter_map(|(i, r)| Some((rows.report.analysis.runs[*i].server?.server_cpus, r.cpus)))
        .filter(|(server, cpus)| server < cpus)
        .collect();
    shares.sort_unstable();
    shares.dedup();
    let placement: String = shares
        .iter()
        .map(|(server, cpus)| {
            format!(
                " · on {cpus} CPUs the server had {server} and the load generator {}",
                cpus - server
            )
        })
        .collect();
    rows.finish(
        &t,
        &format!(
            "medians over the counted runs · latency from each request's intended send time · \
             server CPU: user+sys of the server process(es) · mem/conn: server memory with \
             every connection open and idle, minus before, per connection{placement}"
        ),
    )
}

/// A measured run's figures as the terminal shows them, right-aligned (the median with its
/// CI as ± a percentage, the scaling without its CI); a missing scaling is two
/// left-aligned dashes.
fn figure_cells(columns: &Columns, r: &RunResult, f: &RunFigures) -> Vec<(String, bool)> {
    let right = |s: String| (s, true);
    let dash = || ("—".to_string(), false);
    let s = &r.summary;
    let half = (s.ci95_high_ns.saturating_sub(s.ci95_low_ns)) as f64 / 2.0;
    let pct = 100.0 * half / s.median_elapsed_ns.max(1) as f64;
    let mut row = vec![
        right(format!("{} ±{pct:.1}%", format_ns(s.median_elapsed_ns))),
        right(if r.samples[0].ops == 0 {
            "—".into()
        } else {
            format_ns_fine(s.ns_per_op)
        }),
    ];
    if columns.work.is_some() {
        row.push(right(f.ns_per_work.map_or("—".into(), format_ns_fine)));
    }
    if columns.speedup {
        row.push(right(
            f.speedup.map_or("—".into(), |x| format_ratio(x.value)),
        ));
    }
    row.push(right(format!("{:.0}%", s.cpu_utilisation * 100.0)));
    row.push(right(peak(s)));
    if columns.units {
        row.push(right(f.mem_per_unit_bytes.map_or("—".into(), format_bytes)));
        row.push(right(
            f.spawn_per_unit_ns.map_or("—".into(), format_ns_fine),
        ));
    }
    if columns.scaling {
        match f.scaling {
            Some(sc) => {
                row.push(right(format_ratio(sc.speedup.value)));
                row.push(right(format!("{:.0}%", sc.efficiency * 100.0)));
            }
            None => row.extend([dash(), dash()]),
        }
    }
    row
}

/// The legend under a workload's table: what each column means.
fn legend(columns: &Columns, op: &str, has_baseline: bool) -> String {
    format!(
        "median: elapsed inside the process, over the counted runs · per {op}: median / ops{} · \
         {}CPU: (user+sys)/wall · peak mem: wait4's (≤: at or below its floor, the memory of \
         the process that forked it){}{}",
        columns
            .work
            .as_ref()
            .map(|u| format!(" · per {u}: median / {u}s, the figure models are ranked by"))
            .unwrap_or_default(),
        if columns.speedup {
            "speedup: against the same language's sequential model at the same CPUs · "
        } else {
            ""
        },
        if columns.scaling {
            " · vs 1 CPU: the same model pinned to 1 CPU; efficiency = that / CPUs"
        } else {
            ""
        },
        if has_baseline {
            " · (baseline): plain C with pthreads (cc -O2), a reference point, not ranked with \
             the contenders"
        } else {
            ""
        }
    )
}

/// Every other workload's table: time, per op and per unit of work, CPU and memory.
fn workload_table(rows: &Rows) -> String {
    let figures = |i: usize| &rows.report.analysis.runs[i];
    let runs = rows.runs;
    let show_cpus = runs
        .iter()
        .any(|(_, r)| r.cpus != runs[0].1.cpus || r.pinned);
    let mut columns = Columns::of(rows.report, rows.workload, runs);
    // The terminal shows the scaling only where a run had more than one CPU.
    columns.scaling = runs
        .iter()
        .any(|(i, r)| r.cpus > 1 && figures(*i).scaling.is_some());
    let mut t = Table::new(["model"]);
    t.header.extend(rows.varying.iter().cloned());
    if show_cpus {
        t.header.push("cpus".into());
    }
    let mut header = columns.header(&rows.workload.op);
    if columns.scaling {
        // The table has no room for the scaling's CI.
        header.truncate(header.len() - 2);
        header.extend(["vs 1 CPU".into(), "efficiency".into()]);
    }
    t.header.extend(header);
    t.header.push("valid".into());
    let is_baseline = |run: &RunResult| {
        rows.workload
            .model(&run.model)
            .is_some_and(|m| m.role == Role::Baseline)
    };
    for (k, (i, run)) in runs.iter().enumerate() {
        let model = if is_baseline(run) {
            format!("{} (baseline)", run.model)
        } else {
            run.model.clone()
        };
        let mut row = rows.start(model, run);
        if show_cpus {
            let place = if run.pinned { "" } else { " (all)" };
            row.push((format!("{}{place}", run.cpus), true));
        }
        if run.samples.is_empty() {
            let n = t.header.len() - 1 - row.len();
            row.extend((0..n).map(|_| ("—".to_string(), false)));
        } else {
            row.extend(figure_cells(&columns, run, figures(*i)));
        }
        row.push((rows.validity(k), false));
        t.push_aligned(row);
    }
    let has_baseline = runs.iter().any(|(_, r)| is_baseline(r));
    rows.finish(&t, &legend(&columns, &rows.workload.op, has_baseline))
}
