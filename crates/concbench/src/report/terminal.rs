//! The terminal report: the header, one table per workload with its findings, and one line
//! per workload at the end: what `concbench run` prints, and `concbench report` again.

use anyhow::Result;
use comfy_table::{Cell, Table};

use super::{Exporter, Report};
use crate::analysis::view::WorkloadView;
use crate::analysis::warnings::{self, Warning};
use crate::catalogue::{Role, Workload};
use crate::format::{format_bytes, format_kb, format_ns, format_ns_fine, format_ratio};
use crate::machine::steadiness::Steadiness;
use crate::output::terminal::{new_table, right, toolchain_list};
use crate::results::{ResultsFile, RunResult};

/// The terminal exporter.
pub struct Terminal;

impl Exporter for Terminal {
    fn render(&self, report: &Report) -> Result<Vec<u8>> {
        let mut out = render_header(report.file);
        out += &render_results(report);
        out += &render_findings(report);
        Ok(out.into_bytes())
    }

    fn extension(&self) -> &'static str {
        "txt"
    }
}

/// Peak memory, or "≤ X" where wait4 can only say the model stayed under the harness's own
/// memory at fork.
fn peak_memory(s: &crate::results::Summary) -> String {
    if s.peak_rss_at_floor {
        format!("≤ {}", format_kb(s.peak_rss_kb))
    } else {
        format_kb(s.peak_rss_kb)
    }
}

/// Where and with what the results were measured: the first lines of every report.
pub fn render_header(file: &ResultsFile) -> String {
    let m = &file.machine;
    let steadiness = match (&m.steadiness_start, &m.steadiness_end) {
        (Some(before), after) => {
            let pair = |f: fn(&Steadiness) -> f64, decimals: usize| match after {
                Some(after) => format!("{:.*}% → {:.*}%", decimals, f(before), decimals, f(after)),
                None => format!("{:.*}%", decimals, f(before)),
            };
            let mut line = format!(
                "steadiness of a fixed loop ({}): CV {} on one CPU",
                if after.is_some() {
                    "before → after the runs"
                } else {
                    "before the runs"
                },
                pair(|s| s.cv * 100.0, 1)
            );
            if before.cpus > 1 {
                line += &format!(
                    "; {} speed and CV {} with all {} CPUs busy",
                    pair(|s| s.all_busy_speed * 100.0, 0),
                    pair(|s| s.all_busy_cv * 100.0, 1),
                    before.cpus
                );
            }
            let worst = after.as_ref().map_or(before.machine_cv(), |a| {
                a.machine_cv().max(before.machine_cv())
            });
            if worst > crate::machine::steadiness::UNSTEADY_CV {
                line += &format!(
                    "\nwarning: the machine itself was unsteady (CV up to {:.1}%): runs here \
                     cannot be steadier than that; run again with --wait-steady 30m to wait \
                     for a quiet spell before each block, or on a quieter machine (see \
                     `concbench doctor`)",
                    worst * 100.0
                );
            }
            line + "\n"
        }
        _ => String::new(),
    };
    format!(
        "concbench {} · suite {} · {}\nmachine: {} · {} CPUs ({} usable) · {} · kernel {} · governor {} · load {:.2} → {:.2}\n{steadiness}toolchains: {}\n",
        file.concbench_version,
        file.suite,
        file.started_at,
        m.cpu_model,
        m.logical_cpus,
        m.allowed_cpus.len(),
        format_kb(m.memory_kb),
        m.kernel,
        m.governor,
        m.load_avg_start,
        m.load_avg_end,
        toolchain_list(file)
    )
}

/// One table per workload of the report, each followed by its findings.
pub fn render_results(report: &Report) -> String {
    let mut out = String::new();
    for view in &report.analysis.workloads {
        let Some(workload) = report.catalogue.workload(&view.workload) else {
            continue;
        };
        let runs: Vec<(usize, &RunResult)> = view
            .runs
            .iter()
            .map(|&i| (i, &report.file.runs[i]))
            .collect();
        out.push_str(&format!("\n{} — {}\n", workload.name, workload.title));
        let table = Rows::new(report, workload, view, &runs);
        if workload.is_server() {
            out.push_str(&server_table(table));
        } else {
            out.push_str(&workload_table(table));
        }
        if let Some(f) = report.findings_of(&view.workload) {
            for finding in &f.findings {
                out.push_str(&format!("• {}\n", finding.text));
            }
        }
    }
    out
}

/// The last lines of a run or a report: one line per workload.
pub fn render_findings(report: &Report) -> String {
    if report.findings.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nIn short:\n");
    for f in &report.findings {
        out.push_str(&format!("  {}\n", f.headline));
    }
    out
}

/// A workload's rows with their notes: per-row notes for failures and racy findings, and
/// one note per kind of warning that names every row it applies to.
struct Rows<'a> {
    report: &'a Report<'a>,
    workload: &'a Workload,
    runs: &'a [(usize, &'a RunResult)],
    varying: Vec<&'a str>,
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
        let only: Vec<&RunResult> = runs.iter().map(|(_, r)| *r).collect();
        let (varying, fixed) = split_params(workload, &only);
        let label = |r: &RunResult| {
            let mut l = r.model.clone();
            for p in &varying {
                l += &format!(" {p}={}", r.params[*p]);
            }
            if runs
                .iter()
                .any(|(_, o)| o.cpus != r.cpus || o.pinned != r.pinned)
            {
                l += &format!(" cpus={}{}", r.cpus, if r.pinned { "" } else { " (all)" });
            }
            l
        };
        let mut notes = Vec::new();
        let mut marks = vec![Vec::new(); runs.len()];
        for (k, (i, r)) in runs.iter().enumerate() {
            if let Some(err) = &r.error {
                notes.push(format!("{}: {err}", label(r)));
                marks[k].push(notes.len());
            } else if let Some((lost, made)) = report.analysis.runs[*i].lost_updates {
                let why = if lost == 0 {
                    workload
                        .model(&r.model)
                        .and_then(|m| m.when_nothing_is_lost.clone())
                        .map(|w| format!(": {w}"))
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                notes.push(format!(
                    "{}: racy by design; lost {lost} of {made} updates (median of {} runs){why}",
                    label(r),
                    r.samples.len()
                ));
                marks[k].push(notes.len());
            }
        }
        // One note per kind of warning, naming its rows.
        let warned: Vec<Vec<Warning>> = runs
            .iter()
            .map(|(_, r)| {
                if r.racy {
                    Vec::new()
                } else {
                    warnings::for_run(r)
                }
            })
            .collect();
        let mut group = |kind: fn(&Warning) -> Option<String>, lead: String| {
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
                .map(|(k, t)| format!("{} {t}", label(runs[*k].1)))
                .collect();
            notes.push(format!("{lead}: {}", names.join("; ")));
            for (k, _) in rows {
                if !marks[k].contains(&notes.len()) {
                    marks[k].push(notes.len());
                }
            }
        };
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
        group(
            noisy,
            format!(
                "noisy (CV above {:.0}%); {}. Rows",
                warnings::NOISY_CV * 100.0,
                warnings::noise_advice(&workload.name, view.machine_cv, view.host_steal)
            ),
        );
        group(
            |w| match w {
                Warning::TooShort { median_ns, .. } => Some(format_ns(*median_ns)),
                _ => None,
            },
            format!(
                "too short (under 1 ms a run, where start-up jitter and the clock weigh): raise \
                 the size with --set {}.PARAM=VALUE. Rows",
                workload.name
            ),
        );
        group(
            |w| match w {
                Warning::Outliers { count, of } => Some(format!("{count} of {of}")),
                _ => None,
            },
            "outliers (modified z-score above 3.5; each sample's seq in the results file shows \
             what ran just before it). Rows"
                .into(),
        );
        Rows {
            report,
            workload,
            runs,
            varying,
            fixed,
            notes,
            marks,
        }
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

    /// The table with its caption above, and its legend and numbered notes below.
    fn finish(&self, table: &Table, legend: &str) -> String {
        let mut out = String::new();
        if !self.fixed.is_empty() {
            out.push_str(&format!("{}\n", self.fixed));
        }
        out.push_str(&table.to_string());
        out.push('\n');
        out.push_str(legend);
        out.push('\n');
        for (i, note) in self.notes.iter().enumerate() {
            out.push_str(&format!("({}) {note}\n", i + 1));
        }
        out
    }
}

/// The parameters that differ between rows (shown as columns), and the rest as a caption.
fn split_params<'a>(workload: &'a Workload, runs: &[&RunResult]) -> (Vec<&'a str>, String) {
    let varying: Vec<&str> = workload
        .params
        .iter()
        .map(|p| p.name.as_str())
        .filter(|p| {
            runs.iter()
                .any(|r| r.params.get(*p) != runs[0].params.get(*p))
        })
        .collect();
    let fixed: Vec<String> = workload
        .params
        .iter()
        .filter(|p| !varying.contains(&p.name.as_str()))
        .filter_map(|p| Some(format!("{}={}", p.name, runs.first()?.params.get(&p.name)?)))
        .collect();
    (varying, fixed.join(" "))
}

/// The io-server table: throughput, latency percentiles, the server's CPU and memory.
fn server_table(rows: Rows) -> String {
    let mut header: Vec<&str> = vec!["model"];
    header.extend(rows.varying.iter().copied());
    header.extend([
        "req/s",
        "p50",
        "p99",
        "p99.9",
        "max",
        "server CPU",
        "server mem",
        "mem/conn",
        "valid",
    ]);
    let mut table = new_table(header);
    for (k, (i, run)) in rows.runs.iter().enumerate() {
        let mut row: Vec<Cell> = vec![Cell::new(&run.model)];
        row.extend(
            rows.varying
                .iter()
                .map(|p| right(run.params[*p].to_string())),
        );
        match rows.report.analysis.runs[*i].server {
            None => row.extend((0..8).map(|_| Cell::new("—"))),
            Some(s) => {
                let us = |v: f64| format_ns((v.max(0.0) * 1000.0).round() as u64);
                row.push(right(format!("{:.0}", s.rps.value)));
                for q in [s.p50_us, s.p99_us, s.p999_us, s.max_us] {
                    row.push(right(us(q)));
                }
                row.push(right(
                    s.cpu_ns
                        .map_or("—".into(), |v| format_ns(v.max(0.0) as u64)),
                ));
                row.push(right(peak_memory(&run.summary)));
                row.push(right(s.mem_per_conn_bytes.map_or("—".into(), format_bytes)));
            }
        }
        row.push(Cell::new(rows.validity(k)));
        table.add_row(row);
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
        &table,
        &format!(
            "medians over the counted runs · latency from each request's intended send time · \
             server CPU: user+sys of the server process(es) · mem/conn: server memory with \
             every connection open and idle, minus before, per connection{placement}"
        ),
    )
}

fn workload_table(rows: Rows) -> String {
    let figures = |i: usize| &rows.report.analysis.runs[i];
    let runs = rows.runs;
    let show_cpus = runs
        .iter()
        .any(|(_, r)| r.cpus != runs[0].1.cpus || r.pinned);
    let has_units = !rows.workload.baseline.is_empty();
    let has_speedup = runs.iter().any(|(i, _)| figures(*i).speedup.is_some());
    let has_scaling = runs
        .iter()
        .any(|(i, r)| r.cpus > 1 && figures(*i).scaling.is_some());
    let op = &rows.workload.op;
    let work = rows.workload.work_unit.as_deref();

    let mut header: Vec<String> = vec!["model".into()];
    header.extend(rows.varying.iter().map(|p| p.to_string()));
    if show_cpus {
        header.push("cpus".into());
    }
    header.extend(["median (95% CI)".into(), format!("per {op}")]);
    if let Some(unit) = work {
        header.push(format!("per {unit}"));
    }
    if has_speedup {
        header.push("speedup".into());
    }
    header.extend(["CPU".into(), "peak mem".into()]);
    if has_units {
        header.extend(["mem/unit".into(), "spawn/unit".into()]);
    }
    if has_scaling {
        header.extend(["vs 1 CPU".into(), "efficiency".into()]);
    }
    header.push("valid".into());
    let mut table = new_table(header.iter().map(String::as_str).collect());

    let is_baseline = |run: &RunResult| {
        rows.workload
            .model(&run.model)
            .is_some_and(|m| m.role == Role::Baseline)
    };
    let has_baseline = runs.iter().any(|(_, r)| is_baseline(r));
    for (k, (i, run)) in runs.iter().enumerate() {
        let f = figures(*i);
        let mut row: Vec<Cell> = vec![Cell::new(if is_baseline(run) {
            format!("{} (baseline)", run.model)
        } else {
            run.model.clone()
        })];
        row.extend(
            rows.varying
                .iter()
                .map(|p| right(run.params[*p].to_string())),
        );
        if show_cpus {
            row.push(right(format!(
                "{}{}",
                run.cpus,
                if run.pinned { "" } else { " (all)" }
            )));
        }
        let s = &run.summary;
        let dash = || Cell::new("—");
        if run.samples.is_empty() {
            let n = 4 + usize::from(has_speedup) + usize::from(work.is_some());
            row.extend((0..n).map(|_| dash()));
            if has_units {
                row.extend([dash(), dash()]);
            }
            if has_scaling {
                row.extend([dash(), dash()]);
            }
        } else {
            let half = (s.ci95_high_ns.saturating_sub(s.ci95_low_ns)) as f64 / 2.0;
            let pct = 100.0 * half / s.median_elapsed_ns.max(1) as f64;
            row.push(right(format!(
                "{} ±{pct:.1}%",
                format_ns(s.median_elapsed_ns)
            )));
            row.push(right(if run.samples[0].ops == 0 {
                "—".into()
            } else {
                format_ns_fine(s.ns_per_op)
            }));
            if work.is_some() {
                row.push(right(f.ns_per_work.map_or("—".into(), format_ns_fine)));
            }
            if has_speedup {
                row.push(right(
                    f.speedup.map_or("—".into(), |x| format_ratio(x.value)),
                ));
            }
            row.push(right(format!("{:.0}%", s.cpu_utilisation * 100.0)));
            row.push(right(peak_memory(s)));
            if has_units {
                row.push(right(f.mem_per_unit_bytes.map_or("—".into(), format_bytes)));
                row.push(right(
                    f.spawn_per_unit_ns.map_or("—".into(), format_ns_fine),
                ));
            }
            if has_scaling {
                match f.scaling {
                    Some(sc) => {
                        row.push(right(format_ratio(sc.speedup.value)));
                        row.push(right(format!("{:.0}%", sc.efficiency * 100.0)));
                    }
                    None => row.extend([dash(), dash()]),
                }
            }
        }
        row.push(Cell::new(rows.validity(k)));
        table.add_row(row);
    }

    let legend = format!(
        "median: elapsed inside the process, over the counted runs · per {op}: median / ops{} · \
         {}CPU: (user+sys)/wall · peak mem: wait4's (≤: at or below its floor, the memory of \
         the process that forked it){}{}",
        work.map(|u| format!(" · per {u}: median / {u}s, the figure models are ranked by"))
            .unwrap_or_default(),
        if has_speedup {
            "speedup: against the same language's sequential model at the same CPUs · "
        } else {
            ""
        },
        if has_scaling {
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
    );
    rows.finish(&table, &legend)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn the_results_tables() {
        insta::assert_snapshot!(render_results(&Report::new(
            crate::catalogue::Catalogue::embedded(),
            &fixtures::mixed_file()
        )));
    }

    #[test]
    fn baselines_are_marked_and_kept_out_of_the_ranking() {
        let sizes = [("tasks", 8), ("n", 1000), ("workers", 2)];
        let file = fixtures::file(vec![
            fixtures::run("cpu-parallel", "go-seq", &sizes, &[4_000_000, 4_100_000]),
            fixtures::run(
                "cpu-parallel",
                "go-goroutines",
                &sizes,
                &[2_100_000, 2_000_000],
            ),
            fixtures::run("cpu-parallel", "c-seq", &sizes, &[3_000_000, 3_100_000]),
            fixtures::run("cpu-parallel", "c-threads", &sizes, &[1_500_000, 1_600_000]),
        ]);
        let report = Report::new(crate::catalogue::Catalogue::embedded(), &file);
        let text = render_results(&report);
        assert!(text.contains("c-seq (baseline)"), "{text}");
        assert!(text.contains("c-threads (baseline)"), "{text}");
        assert!(!text.contains("go-seq (baseline)"), "{text}");
        assert!(text.contains("not ranked with the contenders"), "{text}");
        // c-threads is the fastest run, but go-goroutines is the best contender.
        assert!(text.contains("go-goroutines is fastest"), "{text}");
        assert!(
            text.contains(
                "the baselines (not ranked; the baseline's time over the best's): c-seq "
            ),
            "{text}"
        );
        let group = &report.analysis.workloads[0].groups[0];
        let ranked: Vec<&str> = group.ranking.iter().map(|r| r.model.as_str()).collect();
        assert_eq!(ranked, ["go-goroutines", "go-seq"]);
        let baselines: Vec<&str> = group.baselines.iter().map(|b| b.model.as_str()).collect();
        assert_eq!(baselines, ["c-seq", "c-threads"]);
        // Its speedup is against C's own sequential model.
        let speedup = report.analysis.runs[3].speedup.expect("c-seq ran").value;
        assert!((speedup - 3.05 / 1.55).abs() < 1e-9, "{speedup}");
    }

    #[test]
    fn a_group_of_baselines_alone_ranks_them_among_themselves() {
        let sizes = [("units", 2), ("increments", 1000)];
        let file = fixtures::file(vec![fixtures::run(
            "shared-counter",
            "c-mutex",
            &sizes,
            &[1_000_000, 1_100_000],
        )]);
        let report = Report::new(crate::catalogue::Catalogue::embedded(), &file);
        let group = &report.analysis.workloads[0].groups[0];
        assert_eq!(group.ranking[0].model, "c-mutex");
        assert!(group.baselines.is_empty());
        assert!(render_results(&report).contains("c-mutex (baseline)"));
    }

    #[test]
    fn a_noisy_row_shows_its_spread_only_when_the_machine_was_steady() {
        // rust-seq varies 20%; a server varies in req/s, and its spread is in req/s.
        let cpu = [("tasks", 8), ("n", 1_000_000), ("workers", 2)];
        // rust-tokio, pure I/O.
        let mut server = fixtures::mixed_servers(0, 0).swap_remove(2);
        for (s, rps) in server.samples.iter_mut().zip([20_000, 30_000, 40_000]) {
            s.metrics.insert("rps".into(), rps);
        }
        fixtures::summarise(&mut server);
        let mut file = fixtures::file(vec![
            fixtures::run(
                "cpu-parallel",
                "rust-seq",
                &cpu,
                &[20_000_000, 25_000_000, 30_000_000],
            ),
            server,
        ]);
        let notes = |file: &crate::results::ResultsFile| {
            let report = Report::new(crate::catalogue::Catalogue::embedded(), file);
            render_results(&report)
                .lines()
                .filter(|l| l.starts_with("(1) noisy"))
                .map(String::from)
                .collect::<Vec<_>>()
        };
        for workload in ["cpu-parallel", "io-server"] {
            file.blocks.push(fixtures::probed_block(workload, 0.01));
        }
        let steady = notes(&file);
        assert_eq!(steady.len(), 2, "{steady:?}");
        assert!(
            steady[0].contains("the machine was steady around this block"),
            "{steady:?}"
        );
        assert!(
            steady[0].contains("rust-seq 20.0% (p10–p90 21.000 ms–29.000 ms)"),
            "{steady:?}"
        );
        assert!(
            steady[1].contains("rust-tokio 33.3% (p10–p90 22000–38000 req/s)"),
            "{steady:?}"
        );
        // Steady probes, but the host took 6% of the block's CPU time: the spread is
        // partly the host's, and the advice is to rerun, not to read the p10–p90.
        file.blocks[0].host_steal = Some(0.06);
        let stolen = notes(&file);
        assert!(
            stolen[0].contains("read steady (CV up to 1.0%), but during it the host took 6.0%"),
            "{stolen:?}"
        );
        assert!(stolen[0].ends_with("Rows: rust-seq 20.0%"), "{stolen:?}");
        assert!(
            stolen[1].contains("(p10–p90 22000–38000 req/s)"),
            "{stolen:?}"
        );
        for b in &mut file.blocks {
            b.steadiness_after = Some(fixtures::probe(0.12));
        }
        let unsteady = notes(&file);
        assert!(
            unsteady[0].contains("probe CV up to 12.0%; the host took 6.0% of its CPU time"),
            "{unsteady:?}"
        );
        assert!(unsteady[0].contains("probe CV up to 12.0%"), "{unsteady:?}");
        assert!(
            unsteady[0].ends_with("Rows: rust-seq 20.0%"),
            "{unsteady:?}"
        );
        assert!(
            unsteady[1].ends_with("Rows: rust-tokio 33.3%"),
            "{unsteady:?}"
        );
    }

    #[test]
    fn the_header_shows_the_machines_steadiness_before_and_after() {
        let mut file = fixtures::mixed_file();
        assert!(
            !render_header(&file).contains("steadiness"),
            "none measured"
        );
        let probe = |cv, busy| Steadiness {
            slices: 50,
            cv,
            slowest_over_fastest: 1.1,
            cpus: 2,
            all_busy_speed: busy,
            all_busy_cv: 0.01,
        };
        file.machine.steadiness_start = Some(probe(0.012, 0.98));
        file.machine.steadiness_end = Some(probe(0.094, 0.71));
        let header = render_header(&file);
        assert!(
            header.contains(
                "steadiness of a fixed loop (before → after the runs): CV 1.2% → 9.4% on one \
                 CPU; 98% → 71% speed and CV 1.0% → 1.0% with all 2 CPUs busy"
            ),
            "{header}"
        );
        assert!(
            header.contains("warning: the machine itself was unsteady (CV up to 9.4%)"),
            "{header}"
        );
        file.machine.steadiness_end = Some(probe(0.01, 0.99));
        assert!(!render_header(&file).contains("unsteady"));
        // Steady on one CPU, unsteady with every CPU busy: still unsteady.
        let mut both_busy = probe(0.01, 0.99);
        both_busy.all_busy_cv = 0.15;
        file.machine.steadiness_end = Some(both_busy);
        assert!(
            render_header(&file).contains("unsteady (CV up to 15.0%)"),
            "{}",
            render_header(&file)
        );
    }
}
