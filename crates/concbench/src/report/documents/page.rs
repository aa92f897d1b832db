//! The report as one self-contained HTML page (inline CSS and SVG, nothing fetched, no
//! script). It answers first: "In short" (each workload's headline), the advice when a
//! profile was given, and the claims' scoreboard with their verdict strips. Each workload's
//! charts follow, with its findings' prose and every run folded away beneath them; then the
//! comparison table and the machine the numbers come from.

use std::fmt::Write as _;

use anyhow::Result;

use crate::analysis::view::WorkloadView;
use crate::report::analysed::Report;
use crate::report::charts;
use crate::report::markup::escape;
use crate::report::sections::{advice, claims, findings, models, runs, source};

/// What the page may load: nothing but its own inline styles (and data: images).
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE: &str = include_str!("../templates/report.css");

/// The page: its head, then the sections in the order a reader wants them.
pub fn page(report: &Report) -> Result<String> {
    let f = report.file;
    let mut out = String::with_capacity(256 * 1024);
    let title = format!("concbench · suite {} · {}", f.suite, f.started_at);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&title)
    );
    out.push_str(&source::html_header(f));
    // The answers first.
    out.push_str(&findings::html_in_short(report));
    if let Some(a) = &report.advice {
        out.push_str(&advice::html(a));
    }
    let warning = source::steadiness_warning(&[f]);
    out.push_str(&claims::html(&report.claims, warning.as_deref()));
    // Then what they stand on.
    out.push_str(
        "<section id=\"how-to-read\"><details><summary>How to read the charts and tables\
         </summary>\n",
    );
    out.push_str(findings::HOW_TO_READ);
    out.push_str("\n</details></section>\n");
    for view in &report.analysis.workloads {
        out.push_str(&workload(report, view)?);
    }
    out.push_str(&models::html(&report.measured_models()));
    out.push_str(&source::html_machine(f));
    out.push_str("</main>\n</body>\n</html>\n");
    Ok(out)
}

/// A workload's section: its headline, its charts (each group's ranking with its figures
/// folded beneath, then the sweeps), then its findings and every run, folded.
fn workload(report: &Report, view: &WorkloadView) -> Result<String> {
    let mut out = format!(
        "<section id=\"{}\">{}",
        findings::anchor(&view.workload),
        findings::html_heading(report, view)
    );
    if view.groups.is_empty() {
        out.push_str("<p>No valid run to rank.</p>\n");
    }
    for g in &view.groups {
        out.push_str(&charts::ranking::chart(view, g)?.figure());
        out.push_str(&findings::html_ranking(view, g));
        if let Some(c) = charts::latency::chart(report, view, g)? {
            out.push_str(&c.figure());
        }
    }
    for c in charts::rps::charts(report, view)? {
        out.push_str(&c.figure());
    }
    if let Some(c) = charts::scaling::chart(report, view)? {
        out.push_str(&c.figure());
    }
    if let Some(c) = charts::memory::chart(report, view)? {
        out.push_str(&c.figure());
    }
    out.push_str(&findings::html_prose(report, view));
    out.push_str(&runs::html(report, view));
    out.push_str("</section>\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::fixtures;

    fn render(file: &crate::results::ResultsFile) -> String {
        page(&Report::new(Catalogue::embedded(), file)).unwrap()
    }

    #[test]
    fn the_page_is_self_contained_and_has_its_charts() {
        let html = render(&fixtures::mixed_file());
        assert!(html.contains(CSP));
        assert!(!html.contains("<script"));
        for attr in ["src=\"http", "href=\"http"] {
            assert!(!html.contains(attr), "{attr}");
        }
        // cpu-parallel: two groups (1 and 2 CPUs, pinned) and the scaling sweep; spawn-idle:
        // one group and its memory chart; shared-counter has only a racy run.
        assert_eq!(html.matches("data-chart=\"ranking\"").count(), 3, "{html}");
        assert!(html.contains("data-chart=\"scaling\" data-series=\"2\""));
        assert!(html.contains("data-chart=\"memory\" data-series=\"1\""));
        assert!(html.contains("racy: lost"));
        // The answers first: "In short", then the claims' scoreboard (the goroutine claim is
        // decided from the spawn-idle runs), then the workloads' charts.
        let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("no {s}"));
        assert!(at("id=\"in-short\"") < at("id=\"claims\""));
        assert!(
            at("<tr class=\"holds\" id=\"claim-goroutine-2kb\">") < at("id=\"w-cpu-parallel\"")
        );
        assert!(at("id=\"claims\"") < at("data-chart=\"ranking\""));
        // In short links each workload to its section.
        assert!(html.contains("<th scope=\"row\"><a href=\"#w-spawn-idle\">spawn-idle</a></th>"));
        // The findings' prose and every run are folded away under the charts.
        let spawn = &html[at("id=\"w-spawn-idle\"")..];
        let (chart, prose, runs) = (
            spawn.find("data-chart").unwrap(),
            spawn.find("<details class=\"findings\">").unwrap(),
            spawn
                .find("<details class=\"runs\"><summary>Every run of spawn-idle")
                .unwrap(),
        );
        assert!(chart < prose && prose < runs, "{spawn}");
        // Only measured models get a row of the comparison table.
        let models = &html[at("id=\"models\"")..];
        assert!(models.contains("<td>go-goroutines</td>"));
        assert!(!models.contains("<td>py-asyncio</td>"));
    }
}
