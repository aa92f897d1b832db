//! What the runs say: each workload's headline and findings, and the ranking of each
//! comparison group. The terminal ends with the headlines ("In short"); the HTML page opens
//! with them as a table and folds the findings' prose away under each workload's charts.

use std::fmt::Write as _;

use crate::analysis::findings::{group_label, WorkloadFindings};
use crate::analysis::view::{Group, WorkloadView};
use crate::format::{format_ns_fine, format_p};
use crate::report::analysed::Report;
use crate::report::markup::{self, escape, slug, Table};
use crate::report::words::{estimate_with_ci, level_note};

/// A workload's findings under its table, one bullet each.
pub fn terminal(findings: Option<&WorkloadFindings>) -> String {
    findings
        .map(|f| {
            f.findings
                .iter()
                .map(|x| format!("• {}\n", x.text))
                .collect()
        })
        .unwrap_or_default()
}

/// The last lines of a run or a report: one line per workload.
pub fn terminal_in_short(findings: &[WorkloadFindings]) -> String {
    if findings.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nIn short:\n");
    for f in findings {
        out.push_str(&format!("  {}\n", f.headline));
    }
    out
}

/// How to read the Markdown report's figures, once above the workloads.
pub const MARKDOWN_LEGEND: &str = "\nMedians with distribution-free intervals, 95% unless \
another level is shown (fewer than 6 runs cannot reach 95%; one run gives no interval); a \
*tier* holds models whose ratios' intervals all hold 1 (tier 1 is tied for best). Sequential \
models and the C baselines are shown for scale, not ranked.\n";

/// A workload's heading, headline, findings and (folded) rankings, in Markdown.
pub fn markdown(report: &Report, view: &WorkloadView) -> String {
    let mut out = format!("\n### {} — {}\n\n", view.workload, view.title);
    if let Some(wf) = report.findings_of(&view.workload) {
        out += &format!("**{}**\n\n", wf.headline);
        for finding in &wf.findings {
            out += &format!("- {}\n", finding.text);
        }
    }
    for g in &view.groups {
        out += &format!(
            "\n<details><summary>Ranking, {}: by {}</summary>\n\n",
            group_label(view, g),
            g.metric
        );
        out += &markup::markdown(&ranking_table(g));
        out += "\n</details>\n";
    }
    out
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
    let mut t = Table::new([
        "rank",
        "model",
        "tier",
        &format!("{} (interval)", g.metric),
        "× the best (interval)",
        "p vs best",
        "CV",
        "runs",
    ]);
    t.langs = g
        .ranking
        .iter()
        .map(|r| r.lang.name().to_string())
        .collect();
    for r in &g.ranking {
        t.rows.push(vec![
            r.rank.to_string(),
            r.model.clone(),
            (r.tier + 1).to_string(),
            if r.value.decides() {
                format!(
                    "{} ({}–{}){}",
                    metric_text(g, r.value.value),
                    metric_text(g, r.value.ci95_low).trim_end_matches(" req/s"),
                    metric_text(g, r.value.ci95_high),
                    level_note(r.value.level)
                )
            } else {
                metric_text(g, r.value.value)
            },
            estimate_with_ci(&r.vs_best),
            r.p_vs_best.map_or_else(|| "—".into(), format_p),
            format!("{:.1}%", r.cv * 100.0),
            r.evidence.samples.to_string(),
        ]);
        t.status
            .push(if r.tier == 0 { "best" } else { "valid" }.into());
    }
    t
}

/// The anchor of a workload's section on the HTML page.
pub fn anchor(workload: &str) -> String {
    format!("w-{}", slug(workload))
}

/// The HTML page's first answer: one row per workload, its headline, linked to its section.
pub fn html_in_short(report: &Report) -> String {
    let mut out = String::from("<section id=\"in-short\"><h2>In short</h2>\n");
    if report.findings.is_empty() {
        out.push_str("<p>The file holds no run of a known workload.</p></section>\n");
        return out;
    }
    let mut t = Table::new(["workload", "what it measures", "in short"]);
    for wf in &report.findings {
        let title = report
            .analysis
            .workload(&wf.workload)
            .map(|v| v.title.clone())
            .unwrap_or_default();
        t.rows
            .push(vec![wf.workload.clone(), title, wf.headline.clone()]);
        t.links.push(anchor(&wf.workload));
    }
    out.push_str(&markup::html(&t, "in-short"));
    out.push_str("</section>\n");
    out
}

/// A workload section's heading and headline on the HTML page.
pub fn html_heading(report: &Report, view: &WorkloadView) -> String {
    let mut out = format!(
        "<h2>{} — {}</h2>\n",
        escape(&view.workload),
        escape(&view.title)
    );
    if let Some(wf) = report.findings_of(&view.workload) {
        let _ = writeln!(out, "<p class=\"headline\">{}</p>", escape(&wf.headline));
    }
    out
}

/// A workload's findings in prose, folded away under its charts, with the machine's own
/// steadiness around its block.
pub fn html_prose(report: &Report, view: &WorkloadView) -> String {
    let Some(wf) = report.findings_of(&view.workload) else {
        return String::new();
    };
    let mut out = format!(
        "<details class=\"findings\"><summary>What the runs of {} show ({} finding{})</summary>\n\
         <ul class=\"findings\">\n",
        escape(&view.workload),
        wf.findings.len(),
        if wf.findings.len() == 1 { "" } else { "s" }
    );
    for finding in &wf.findings {
        let _ = writeln!(out, "<li>{}</li>", escape(&finding.text));
    }
    out.push_str("</ul>\n");
    if let Some(cv) = view.machine_cv {
        let _ = writeln!(
            out,
            "<p class=\"sub\">The machine's own CV around this workload's block: {:.1}%{}.</p>",
            cv * 100.0,
            view.host_steal
                .map(|s| format!("; the host took {:.1}% of its CPU time (steal)", s * 100.0))
                .unwrap_or_default()
        );
    }
    out.push_str("</details>\n");
    out
}

/// A group's ranking table on the HTML page, folded under its chart.
pub fn html_ranking(view: &WorkloadView, g: &Group) -> String {
    format!(
        "<details><summary>Ranking, {}: the figures</summary>\n{}</details>\n",
        escape(&group_label(view, g)),
        markup::html(&ranking_table(g), "ranking")
    )
}

/// How to read the page's figures, for a reader new to medians and CIs.
pub const HOW_TO_READ: &str = "<p>Each workload was run by several <em>models</em> (ways of doing \
the same work in Go, Python or Rust), each in its own process, several times; every answer \
was checked against the harness's own. A figure is the <strong>median</strong> of those runs. \
The <strong>interval</strong> (the whiskers on the bars) holds the true median with the \
level shown: 95% from 6 runs, less with fewer (75% for 3), none for a single run. “× the \
best” is a model's time over the fastest's (or the best's throughput over its), with its own \
interval, paired round by round; <em>p</em> is the Mann-Whitney test of its runs against the \
best's, for reference. Two models differ only when the interval of their ratio excludes 1; \
a <strong>tier</strong> groups models that do not differ, and tier 1 is tied for best. \
Sequential models and the C baselines are shown for scale, never ranked first. The \
machine's own steadiness (below) is the floor: no run can be steadier than the machine.</p>";
