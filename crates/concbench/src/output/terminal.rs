//! Terminal tables: one per workload after a run, and the catalogue for `concbench list`.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use crate::catalogue::{Catalogue, Workload};
use crate::format::format_kb;
use crate::format::format_ns;
use crate::machine::steadiness::Steadiness;
use crate::results::{ResultsFile, RunResult};
use crate::toolchain::Toolchains;

fn new_table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    t
}

fn right(text: String) -> Cell {
    Cell::new(text).set_alignment(CellAlignment::Right)
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

/// The speedup of `run` against its language's sequential model at the same parameters
/// (the pool size aside) and CPUs.
pub fn speedup(file: &ResultsFile, workload: &Workload, run: &RunResult) -> Option<f64> {
    let lang = workload.model(&run.model)?.lang;
    let seq = workload.sequential_model(lang)?;
    let base = file.runs.iter().find(|r| {
        r.workload == run.workload
            && r.model == seq.id
            && r.cpus == run.cpus
            && r.pinned == run.pinned
            && r.valid
            && same_sizes(r, run)
    })?;
    if !run.valid || run.summary.median_elapsed_ns == 0 {
        return None;
    }
    Some(base.summary.median_elapsed_ns as f64 / run.summary.median_elapsed_ns as f64)
}

/// Parameters equal but for the pool size, which follows the CPU count in a sweep.
fn same_sizes(a: &RunResult, b: &RunResult) -> bool {
    let sizes = |r: &RunResult| {
        r.params
            .iter()
            .filter(|(k, _)| k.as_str() != "workers")
            .map(|(k, v)| (k.clone(), *v))
            .collect::<Vec<_>>()
    };
    sizes(a) == sizes(b)
}

/// Scaling of a pinned run against the same model pinned to one CPU: (speedup, parallel
/// efficiency = speedup / CPUs).
pub fn scaling(file: &ResultsFile, run: &RunResult) -> Option<(f64, f64)> {
    if !run.pinned || !run.valid || run.summary.median_elapsed_ns == 0 {
        return None;
    }
    let one = file.runs.iter().find(|r| {
        r.workload == run.workload
            && r.model == run.model
            && r.pinned
            && r.cpus == 1
            && r.baseline == run.baseline
            && r.valid
            && same_sizes(r, run)
    })?;
    let speedup = one.summary.median_elapsed_ns as f64 / run.summary.median_elapsed_ns as f64;
    Some((speedup, speedup / run.cpus as f64))
}

/// The baseline run (same model, CPUs and the workload's baseline parameters) of `run`.
fn baseline_of<'a>(
    file: &'a ResultsFile,
    workload: &Workload,
    run: &RunResult,
) -> Option<&'a RunResult> {
    if workload.baseline.is_empty() || run.baseline {
        return None;
    }
    file.runs.iter().find(|r| {
        r.baseline
            && r.workload == run.workload
            && r.model == run.model
            && r.cpus == run.cpus
            && r.pinned == run.pinned
            && r.valid
    })
}

/// Memory per unit and spawn time per unit, for workloads with a baseline (spawn-idle).
pub fn per_unit(file: &ResultsFile, workload: &Workload, run: &RunResult) -> Option<(f64, f64)> {
    let base = baseline_of(file, workload, run)?;
    let units = *run.params.get("units")? as f64;
    if units == 0.0 || !run.valid {
        return None;
    }
    let rss = |r: &RunResult| r.summary.metrics.get("rss_kb").copied().unwrap_or(0) as f64;
    let spawn = run.summary.metrics.get("spawn_ns").copied().unwrap_or(0) as f64;
    Some(((rss(run) - rss(base)) * 1024.0 / units, spawn / units))
}

/// "go go1.26.8, python 3.11.7, rust 1.95.0".
fn toolchain_list(file: &ResultsFile) -> String {
    let names: Vec<String> = file
        .toolchains
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    names.join(", ")
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
                    "; {} speed with all {} CPUs busy",
                    pair(|s| s.all_busy_speed * 100.0, 0),
                    before.cpus
                );
            }
            let worst = after.as_ref().map_or(before.cv, |a| a.cv.max(before.cv));
            if worst > crate::machine::steadiness::UNSTEADY_CV {
                line += &format!(
                    "\nwarning: the machine itself was unsteady (CV up to {:.1}%): runs here \
                     cannot be steadier than that; use --runs 10 and read medians with their \
                     CIs, or run on a quieter machine (see `concbench doctor`)",
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

/// One table per workload of `file`, with footnotes for failures and racy findings.
pub fn render_results(catalogue: &Catalogue, file: &ResultsFile) -> String {
    let mut out = String::new();
    let mut workloads: Vec<&str> = file.runs.iter().map(|r| r.workload.as_str()).collect();
    workloads.dedup();
    for name in workloads {
        let Some(workload) = catalogue.workload(name) else {
            continue;
        };
        let runs: Vec<&RunResult> = file.runs.iter().filter(|r| r.workload == name).collect();
        out.push_str(&format!("\n{} — {}\n", workload.name, workload.title));
        if workload.params.iter().any(|p| p.load) {
            out.push_str(&server_table(workload, &runs));
        } else {
            out.push_str(&workload_table(file, workload, &runs));
        }
        out.push('\n');
    }
    out
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
        .filter_map(|p| Some(format!("{}={}", p.name, runs[0].params.get(&p.name)?)))
        .collect();
    (varying, fixed.join(" "))
}

/// The marker of a run's validity, adding its reason to `notes`.
fn validity(run: &RunResult, notes: &mut Vec<String>) -> String {
    let valid = if let Some(err) = &run.error {
        notes.push(format!("{}: {err}", run.model));
        format!("✗ ({})", notes.len())
    } else if let (true, Some(lost)) = (run.racy, run.summary.lost_updates) {
        let expected: u64 = run.reference_checksum.parse().unwrap_or(0);
        notes.push(format!(
            "{}: racy by design; lost {lost} of {expected} updates (median of {} runs)",
            run.model,
            run.samples.len()
        ));
        format!("racy ({})", notes.len())
    } else if run.valid {
        "✓".into()
    } else {
        "✗".into()
    };
    if run.warnings.is_empty() {
        valid
    } else {
        notes.push(format!("{}: {}", run.model, run.warnings.join("; ")));
        format!("{valid} ⚠({})", notes.len())
    }
}

/// A table with its caption of fixed parameters above, and its legend and numbered notes
/// below.
fn finish_table(fixed: &str, table: &Table, legend: &str, notes: &[String]) -> String {
    let mut out = String::new();
    if !fixed.is_empty() {
        out.push_str(&format!("{fixed}\n"));
    }
    out.push_str(&table.to_string());
    out.push('\n');
    out.push_str(legend);
    out.push('\n');
    for (i, note) in notes.iter().enumerate() {
        out.push_str(&format!("({}) {note}\n", i + 1));
    }
    out
}

/// The io-server table: throughput, latency percentiles, the server's CPU and memory.
fn server_table(workload: &Workload, runs: &[&RunResult]) -> String {
    let (varying, fixed) = split_params(workload, runs);
    let mut header: Vec<&str> = vec!["model"];
    header.extend(varying.iter().copied());
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
    let mut notes = Vec::new();
    for run in runs {
        let mut row: Vec<Cell> = vec![Cell::new(&run.model)];
        row.extend(varying.iter().map(|p| right(run.params[*p].to_string())));
        let metric = |name: &str| run.summary.metrics.get(name).copied();
        if run.samples.is_empty() {
            row.extend((0..8).map(|_| Cell::new("—")));
        } else {
            let us = |name: &str| {
                metric(name).map_or("—".into(), |v| format_ns(v.max(0) as u64 * 1000))
            };
            row.push(right(metric("rps").map_or("—".into(), |v| v.to_string())));
            for q in ["p50_us", "p99_us", "p999_us", "max_us"] {
                row.push(right(us(q)));
            }
            row.push(right(
                metric("cpu_ns").map_or("—".into(), |v| format_ns(v.max(0) as u64)),
            ));
            row.push(right(peak_memory(&run.summary)));
            row.push(right(metric("conn_bytes").map_or("—".into(), |b| {
                format!("{:.1} KiB", b as f64 / 1024.0)
            })));
        }
        row.push(Cell::new(validity(run, &mut notes)));
        table.add_row(row);
    }
    finish_table(
        &fixed,
        &table,
        "medians over the counted runs · latency from each request's intended send time · \
         server CPU: user+sys of the server process(es) · mem/conn: server memory with every \
         connection open and idle, minus before, per connection\n",
        &notes,
    )
}

fn workload_table(file: &ResultsFile, workload: &Workload, runs: &[&RunResult]) -> String {
    let (varying, fixed) = split_params(workload, runs);
    let show_cpus = runs.iter().any(|r| r.cpus != runs[0].cpus || r.pinned);
    let has_units = !workload.baseline.is_empty();
    let has_speedup = runs.iter().any(|r| speedup(file, workload, r).is_some());
    let has_scaling = runs
        .iter()
        .any(|r| r.cpus > 1 && scaling(file, r).is_some());
    let op = &workload.op;

    let mut header: Vec<String> = vec!["model".into()];
    header.extend(varying.iter().map(|p| p.to_string()));
    if show_cpus {
        header.push("cpus".into());
    }
    let per_op = format!("per {op}");
    header.extend(["median (95% CI)".into(), per_op]);
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

    let mut notes = Vec::new();
    for run in runs {
        let mut row: Vec<Cell> = vec![Cell::new(&run.model)];
        row.extend(varying.iter().map(|p| right(run.params[*p].to_string())));
        if show_cpus {
            row.push(right(format!(
                "{}{}",
                run.cpus,
                if run.pinned { "" } else { " (all)" }
            )));
        }
        let s = &run.summary;
        if run.samples.is_empty() {
            row.extend((0..4 + usize::from(has_speedup)).map(|_| Cell::new("—")));
            if has_units {
                row.extend([Cell::new("—"), Cell::new("—")]);
            }
            if has_scaling {
                row.extend([Cell::new("—"), Cell::new("—")]);
            }
        } else {
            let half = (s.ci95_high_ns.saturating_sub(s.ci95_low_ns)) as f64 / 2.0;
            let pct = 100.0 * half / s.median_elapsed_ns.max(1) as f64;
            row.push(right(format!(
                "{} ±{pct:.1}%",
                format_ns(s.median_elapsed_ns)
            )));
            let ops = run.samples[0].ops;
            row.push(right(if ops == 0 {
                "—".into()
            } else {
                format_ns(s.ns_per_op.round() as u64)
            }));
            if has_speedup {
                row.push(right(
                    speedup(file, workload, run).map_or("—".into(), |x| format!("{x:.2}×")),
                ));
            }
            row.push(right(format!("{:.0}%", s.cpu_utilisation * 100.0)));
            row.push(right(peak_memory(s)));
            if has_units {
                match per_unit(file, workload, run) {
                    Some((bytes, ns)) => {
                        row.push(right(format!("{:.2} KiB", bytes / 1024.0)));
                        row.push(right(format_ns(ns.round() as u64)));
                    }
                    None => row.extend([Cell::new("—"), Cell::new("—")]),
                }
            }
            if has_scaling {
                match scaling(file, run) {
                    Some((x, eff)) => {
                        row.push(right(format!("{x:.2}×")));
                        row.push(right(format!("{:.0}%", eff * 100.0)));
                    }
                    None => row.extend([Cell::new("—"), Cell::new("—")]),
                }
            }
        }
        let valid = validity(run, &mut notes);
        row.push(Cell::new(valid));
        table.add_row(row);
    }

    let legend = format!(
        "median: elapsed inside the process, over the counted runs · per {op}: median / ops · \
         {}CPU: (user+sys)/wall · peak mem: wait4's (≤: at or below its floor, the memory of the process that forked it){}",
        if has_speedup {
            "speedup: against the same language's sequential model at the same CPUs · "
        } else {
            ""
        },
        if has_scaling {
            " · vs 1 CPU: the same model pinned to 1 CPU; efficiency = that / CPUs"
        } else {
            ""
        }
    );
    finish_table(&fixed, &table, &legend, &notes)
}

/// The catalogue with each model's availability, for `concbench list`.
pub fn render_catalogue(catalogue: &Catalogue, toolchains: &Toolchains) -> String {
    let mut out = String::new();
    out.push_str("Toolchains\n");
    let mut t = new_table(vec!["language", "runtime", "program"]);
    for (lang, imp) in &toolchains.langs {
        match imp {
            Ok(imp) => {
                let runtime = match &imp.numpy {
                    Some(v) => format!("{} (NumPy {v})", imp.runtime),
                    None if *lang == crate::catalogue::Lang::Python => {
                        format!("{} (no NumPy)", imp.runtime)
                    }
                    None => imp.runtime.clone(),
                };
                t.add_row(vec![
                    lang.name().to_string(),
                    runtime,
                    imp.program.display().to_string(),
                ]);
            }
            Err(why) => {
                t.add_row(vec![
                    lang.name().to_string(),
                    "unavailable".into(),
                    why.to_string(),
                ]);
            }
        }
    }
    out.push_str(&t.to_string());
    out.push('\n');
    for w in &catalogue.workloads {
        let params: Vec<String> = w
            .params
            .iter()
            .map(|p| format!("{} ({}..={})", p.name, p.min, p.max))
            .collect();
        out.push_str(&format!(
            "\n{} — {}\nfrom {} · one op = one {} · parameters: {} · suites: {}\n",
            w.name,
            w.title,
            w.from,
            w.op,
            params.join(", "),
            w.suites.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
        let mut t = new_table(vec![
            "model",
            "tool",
            "unit",
            "communication",
            "scheduling",
            "memory",
            "available",
        ]);
        for m in &w.models {
            let available = match toolchains.implementation_for(m.lang, &w.name, &m.id) {
                Ok(_) if m.racy => "yes (racy by design)".to_string(),
                Ok(_) => "yes".to_string(),
                // The language's own reason stands once, in the toolchains table.
                Err(_) if !matches!(toolchains.langs.get(&m.lang), Some(Ok(_))) => {
                    format!("no: {} unavailable", m.lang)
                }
                Err(why) => format!("no: {why}"),
            };
            t.add_row(vec![
                m.id.clone(),
                m.tool.clone(),
                m.unit.clone(),
                m.communication.clone(),
                m.scheduling.clone(),
                m.memory.clone(),
                available,
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    out
}

/// Which machine, toolchains and steadiness each side of a comparison was measured with,
/// one line each, so a cross-machine or cross-version comparison says so.
pub fn render_compare_sources(base: &ResultsFile, new: &ResultsFile) -> String {
    let line = |side: &str, f: &ResultsFile| {
        let m = &f.machine;
        let steadiness = m
            .steadiness_start
            .as_ref()
            .map(|s| format!(" · machine's own CV {:.1}%", s.cv * 100.0))
            .unwrap_or_default();
        format!(
            "{side}: {} · {} · {} CPUs · {}{steadiness}\n",
            f.started_at,
            m.cpu_model,
            m.allowed_cpus.len(),
            toolchain_list(f)
        )
    };
    let mut out = line("base", base) + &line("new ", new);
    if base.machine.cpu_model != new.machine.cpu_model
        || base.machine.allowed_cpus.len() != new.machine.allowed_cpus.len()
    {
        out += "note: the two files come from different machines; a ratio compares them too\n";
    }
    if base.toolchains != new.toolchains {
        out += "note: the toolchain versions differ; a ratio compares them too\n";
    }
    out
}

/// The comparison of two results files, benchstat-style: "~" where the change is not
/// significant.
pub fn render_compare(c: &crate::analysis::compare::Comparison) -> String {
    let mut t = new_table(vec![
        "workload",
        "model",
        "cpus",
        "base",
        "new",
        "new/base (95% CI)",
        "p",
        "change",
    ]);
    for r in &c.rows {
        let change = if r.significant {
            format!("{:+.1}%", (r.ratio - 1.0) * 100.0)
        } else {
            "~".to_string()
        };
        let cpus = format!("{}{}", r.cpus, if r.pinned { "" } else { " (all)" });
        let model = match &r.new_params {
            None => r.model.clone(),
            Some(new) => {
                let changed: Vec<String> = new
                    .iter()
                    .filter(|(k, v)| r.params.get(*k) != Some(v))
                    .map(|(k, v)| {
                        format!(
                            "{k} {}→{v}",
                            r.params.get(k).map_or("-".into(), |b| b.to_string())
                        )
                    })
                    .collect();
                format!("{} [{}]", r.model, changed.join(", "))
            }
        };
        t.add_row(vec![
            Cell::new(&r.workload),
            Cell::new(model),
            right(cpus),
            right(format_ns(r.base_median_ns)),
            right(format_ns(r.new_median_ns)),
            right(format!(
                "{:.3} [{:.3}, {:.3}]",
                r.ratio, r.ci95_low, r.ci95_high
            )),
            right(format!("{:.3}", r.p_value)),
            right(change),
        ]);
    }
    if let Some(g) = c.geomean_ratio {
        t.add_row(vec![
            Cell::new("geomean"),
            Cell::new(""),
            Cell::new(""),
            Cell::new(""),
            Cell::new(""),
            right(format!("{g:.3}")),
            Cell::new(""),
            right(format!("{:+.1}%", (g - 1.0) * 100.0)),
        ]);
    }
    let mut out = t.to_string();
    out.push('\n');
    out.push_str(&format!(
        "medians of elapsed time · new/base below 1 is faster · p: Mann-Whitney U, two-sided · \
         ~: not significant at p < {}\n",
        crate::analysis::compare::ALPHA
    ));
    if c.too_few_samples {
        out.push_str("warning: some pairs have too few runs for any change to be significant; use --runs 5 or more\n");
    }
    for u in &c.unmatched {
        out.push_str(&format!("{u}\n"));
    }
    out
}

/// `concbench doctor`'s findings.
pub fn render_doctor(findings: &[crate::machine::doctor::Finding]) -> String {
    use crate::machine::doctor::Level;
    let mut t = new_table(vec!["check", "", "finding", "what to do"]);
    for f in findings {
        let mark = match f.level {
            Level::Ok => "ok",
            Level::Note => "note",
            Level::Warn => "WARN",
        };
        t.add_row(vec![
            f.check.clone(),
            mark.to_string(),
            f.finding.clone(),
            f.advice.clone().unwrap_or_default(),
        ]);
    }
    let warnings = findings.iter().filter(|f| f.level == Level::Warn).count();
    format!("{t}\n{warnings} warning(s). concbench doctor only reads; it changed nothing.\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn run(
        workload: &str,
        model: &str,
        params: &[(&str, u64)],
        cpus: usize,
        pinned: bool,
        elapsed: &[u64],
        metrics: &[(&str, i64)],
    ) -> RunResult {
        let mut r = fixtures::run(workload, model, params, elapsed);
        r.cpus = cpus;
        r.pinned = pinned;
        r.racy = model.ends_with("racy");
        r.baseline = workload == "spawn-idle" && r.params["units"] == 0;
        let reference: u64 = r.reference_checksum.parse().unwrap();
        for (i, s) in r.samples.iter_mut().enumerate() {
            s.user_ns = s.elapsed_ns * cpus as u64 * 9 / 10;
            s.max_rss_kb += 100 * i as u64;
            s.metrics = metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            if r.racy {
                s.checksum = (reference - 1000 - i as u64).to_string();
            }
        }
        fixtures::summarise(&mut r);
        r
    }

    fn fixture() -> ResultsFile {
        let cpu = [("tasks", 8), ("n", 2_000_000), ("workers", 2)];
        let one = [("tasks", 8), ("n", 2_000_000), ("workers", 1)];
        let mut failed = run("cpu-parallel", "py-numpy", &cpu, 2, true, &[], &[]);
        failed.valid = false;
        failed.error = Some("unavailable: NumPy is not installed in the Python environment (check that pip can reach the package index, then run again)".into());
        fixtures::file(vec![
            run(
                "cpu-parallel",
                "rust-seq",
                &one,
                1,
                true,
                &[20_000_000, 20_100_000, 19_900_000],
                &[],
            ),
            run(
                "cpu-parallel",
                "rust-seq",
                &cpu,
                2,
                true,
                &[20_000_000, 20_200_000, 19_800_000],
                &[],
            ),
            run(
                "cpu-parallel",
                "rust-rayon",
                &one,
                1,
                true,
                &[20_500_000, 20_400_000, 20_600_000],
                &[],
            ),
            run(
                "cpu-parallel",
                "rust-rayon",
                &cpu,
                2,
                true,
                &[10_400_000, 10_300_000, 10_500_000],
                &[],
            ),
            failed,
            run(
                "shared-counter",
                "go-racy",
                &[("units", 4), ("increments", 250_000)],
                2,
                false,
                &[3_000_000, 3_100_000, 2_900_000],
                &[],
            ),
            run(
                "spawn-idle",
                "go-goroutines",
                &[("units", 0)],
                2,
                false,
                &[50_000, 51_000, 49_000],
                &[("rss_kb", 4_000), ("spawn_ns", 0)],
            ),
            run(
                "spawn-idle",
                "go-goroutines",
                &[("units", 100_000)],
                2,
                false,
                &[90_000_000, 91_000_000, 89_000_000],
                &[("rss_kb", 264_000), ("spawn_ns", 60_000_000)],
            ),
        ])
    }

    #[test]
    fn the_results_tables() {
        insta::assert_snapshot!(render_results(
            crate::catalogue::Catalogue::embedded(),
            &fixture()
        ));
    }

    #[test]
    fn a_comparison_names_both_sources_and_says_when_they_differ() {
        let base = fixture();
        let mut new = fixture();
        let same = render_compare_sources(&base, &new);
        assert!(
            same.starts_with("base: ") && same.contains("\nnew : "),
            "{same}"
        );
        assert!(!same.contains("note:"), "{same}");
        new.machine.cpu_model = "another CPU".into();
        new.toolchains.insert("go".into(), "go1.27.0".into());
        let differ = render_compare_sources(&base, &new);
        assert!(differ.contains("different machines"), "{differ}");
        assert!(differ.contains("toolchain versions differ"), "{differ}");
    }

    #[test]
    fn the_header_shows_the_machines_steadiness_before_and_after() {
        let mut file = fixture();
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
        };
        file.machine.steadiness_start = Some(probe(0.012, 0.98));
        file.machine.steadiness_end = Some(probe(0.094, 0.71));
        let header = render_header(&file);
        assert!(
            header.contains(
                "steadiness of a fixed loop (before → after the runs): CV 1.2% → 9.4% on one \
                 CPU; 98% → 71% speed with all 2 CPUs busy"
            ),
            "{header}"
        );
        assert!(
            header.contains("warning: the machine itself was unsteady (CV up to 9.4%)"),
            "{header}"
        );
        file.machine.steadiness_end = Some(probe(0.01, 0.99));
        assert!(!render_header(&file).contains("unsteady"));
    }

    #[test]
    fn speedup_scaling_and_memory_per_unit() {
        let file = fixture();
        let w = crate::catalogue::Catalogue::embedded()
            .workload("cpu-parallel")
            .unwrap();
        let rayon2 = &file.runs[3];
        let (x, eff) = scaling(&file, rayon2).unwrap();
        assert!((x - 20_500_000.0 / 10_400_000.0).abs() < 1e-9);
        assert!((eff - x / 2.0).abs() < 1e-12);
        let s = speedup(&file, w, rayon2).unwrap();
        assert!((s - 20_000_000.0 / 10_400_000.0).abs() < 1e-9);
        let spawn = crate::catalogue::Catalogue::embedded()
            .workload("spawn-idle")
            .unwrap();
        let (bytes, ns) = per_unit(&file, spawn, &file.runs[7]).unwrap();
        assert!((bytes - 260_000.0 * 1024.0 / 100_000.0).abs() < 1e-6);
        assert!((ns - 600.0).abs() < 1e-9);
    }

    fn cpu_run(model: &str, n: u64, elapsed: &[u64]) -> RunResult {
        fixtures::run(
            "cpu-parallel",
            model,
            &[("n", n), ("tasks", 8), ("workers", 2)],
            elapsed,
        )
    }

    #[test]
    fn the_compare_table() {
        let base = fixtures::file(vec![
            cpu_run("rust-seq", 10, &[100_000, 103_000, 98_000, 101_000, 99_000]),
            cpu_run("rust-rayon", 10, &[52_000, 50_000, 51_000, 55_000, 49_000]),
        ]);
        let new = fixtures::file(vec![
            cpu_run(
                "rust-seq",
                20,
                &[201_000, 199_000, 204_000, 198_000, 200_000],
            ),
            cpu_run("rust-rayon", 10, &[51_000, 52_000, 50_000, 54_000, 50_500]),
        ]);
        insta::assert_snapshot!(render_compare(&crate::analysis::compare::compare(
            &base, &new
        )));
    }
}
