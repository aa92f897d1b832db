//! `--format html`: one self-contained page (inline CSS and SVG, nothing fetched, no script)
//! with the findings first, a chart per comparison group and per sweep, every workload's
//! table, and the machine the numbers come from.
//!
//! Charts are drawn with plotters' SVG backend. Every figure is read from the report: the
//! view's rankings, estimates and per-run figures, the findings' sentences, and the results
//! file's own fields. Each chart is a `<figure data-chart="KIND" data-series="N">`, N being
//! its data series (reference lines such as the ideal speedup not counted), so tests and
//! scripts can find them.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::Result;

use super::charts::{self, verdict};
use super::markup::{self, escape, slug, Table};
use super::tables::{ranking_table, runs_table};
use super::{Exporter, Report};
use crate::format::format_kb;
use crate::machine::steadiness::Steadiness;

/// The HTML exporter.
pub struct Html;

/// What the page may load: nothing but its own inline styles (and data: images).
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE: &str = include_str!("templates/report.css");

fn steadiness_text(s: &Option<Steadiness>) -> String {
    match s {
        None => "—".into(),
        Some(s) => {
            let mut t = format!("CV {:.1}%", s.cv * 100.0);
            if s.cpus > 1 {
                let _ = write!(
                    t,
                    ", {:.0}% speed and CV {:.1}% with all {} CPUs busy",
                    s.all_busy_speed * 100.0,
                    s.all_busy_cv * 100.0,
                    s.cpus
                );
            }
            t
        }
    }
}

const HOW_TO_READ: &str = "<p>Each workload was run by several <em>models</em> (ways of doing \
the same work in Go, Python or Rust), each in its own process, several times; every answer \
was checked against the harness's own. A figure is the <strong>median</strong> of those runs. \
The <strong>95% CI</strong> (confidence interval, the whiskers on the bars) is where the \
median would likely fall if the runs were repeated: two models whose intervals overlap may \
not really differ. “× the best” is a model's time over the fastest's (or the best's \
throughput over its), with its own CI, and <em>p</em> is the Mann-Whitney test of its runs \
against the best's: below 0.05, the difference is unlikely to be chance. A <strong>tier</strong> \
groups models that no such test separates; tier 1 is tied for best. Few runs (3 or fewer a \
model) cannot reach p &lt; 0.05, so the ranking then goes by medians only, and says so. The \
machine's own steadiness (below) is the floor: no run can be steadier than the machine.</p>";

fn page(report: &Report) -> Result<String> {
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
    let _ = write!(
        out,
        "<header><h1>concbench report</h1><p class=\"sub\">suite <strong>{}</strong> · started \
         {}{} · concbench {} · {} · {} runs</p>",
        escape(&f.suite),
        escape(&f.started_at),
        f.finished_at
            .as_ref()
            .map(|t| format!(", finished {}", escape(t)))
            .unwrap_or_default(),
        escape(&f.concbench_version),
        escape(&f.machine.cpu_model),
        f.runs.len()
    );
    let mut langs: Vec<&str> = f.runs.iter().map(|r| r.lang.as_str()).collect();
    langs.sort_unstable();
    langs.dedup();
    out.push_str(&markup::lang_key(&langs));
    if f.interrupted {
        out.push_str(
            "<p class=\"warn\">The suite was interrupted: runs it had not measured are \
             missing or marked not run.</p>",
        );
    }
    out.push_str("</header>\n");

    // The findings first: what a reader came for.
    out.push_str("<section id=\"findings\"><h2>Findings</h2>\n");
    if report.findings.is_empty() {
        out.push_str("<p>The file holds no run of a known workload.</p>");
    }
    for wf in &report.findings {
        let view = report.analysis.workload(&wf.workload);
        let _ = write!(
            out,
            "<h3><a href=\"#w-{}\">{}</a>{}</h3>\n<p class=\"headline\">{}</p>\n<ul class=\"findings\">\n",
            slug(&wf.workload),
            escape(&wf.workload),
            view.map(|v| format!(" — {}", escape(&v.title)))
                .unwrap_or_default(),
            escape(&wf.headline)
        );
        for finding in &wf.findings {
            let _ = writeln!(out, "<li>{}</li>", escape(&finding.text));
        }
        out.push_str("</ul>\n");
        if let Some((v, cv)) = view.and_then(|v| Some((v, v.machine_cv?))) {
            let _ = writeln!(
                out,
                "<p class=\"sub\">The machine's own CV around this workload's block: {:.1}%{}.</p>",
                cv * 100.0,
                v.host_steal
                    .map(|s| format!("; the host took {:.1}% of its CPU time (steal)", s * 100.0))
                    .unwrap_or_default()
            );
        }
    }
    out.push_str("</section>\n");
    // Advice for a profile, when one was given (report/advice.rs).
    if let Some(advice) = &report.advice {
        out.push_str(&super::advice::html_section(advice));
    }
    out.push_str("<section id=\"how-to-read\"><h2>How to read this</h2>\n");
    out.push_str(HOW_TO_READ);
    out.push_str("\n</section>\n");

    for view in &report.analysis.workloads {
        let _ = writeln!(
            out,
            "<section id=\"w-{}\"><h2>{} — {}</h2>",
            slug(&view.workload),
            escape(&view.workload),
            escape(&view.title)
        );
        if let Some(wf) = report.findings_of(&view.workload) {
            let _ = writeln!(out, "<p class=\"headline\">{}</p>", escape(&wf.headline));
        }
        if view.groups.is_empty() {
            out.push_str("<p>No valid run to rank.</p>\n");
        }
        for g in &view.groups {
            out.push_str(&charts::ranking::chart(view, g)?.figure());
            out.push_str(&markup::html(&ranking_table(g), "ranking"));
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
        let _ = writeln!(out, "<h3>Every run of {}</h3>", escape(&view.workload));
        let (caption, runs) = runs_table(report, view);
        if !caption.is_empty() {
            let _ = write!(
                out,
                "<p class=\"sub\">every run: <code>{}</code></p>",
                escape(&caption)
            );
        }
        out.push_str(&markup::html(&runs, "runs"));
        out.push_str("</section>\n");
    }

    out.push_str(&claims_section(report));
    out.push_str(&models_section(report));

    // Where the numbers come from.
    let m = &f.machine;
    out.push_str(
        "<section id=\"machine\"><h2>The machine and the run</h2>\n<dl class=\"machine\">",
    );
    let mut item = |k: &str, v: String| {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), v);
    };
    item("CPU", escape(&m.cpu_model));
    item(
        "CPUs",
        format!(
            "{} logical, {} usable ({})",
            m.logical_cpus,
            m.allowed_cpus.len(),
            escape(
                &m.allowed_cpus
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        ),
    );
    item("memory", escape(&format_kb(m.memory_kb)));
    item("kernel", escape(&m.kernel));
    item("governor", escape(&m.governor));
    item("hostname", escape(&m.hostname));
    item(
        "load average",
        format!(
            "{:.2} at the start, {:.2} at the end",
            m.load_avg_start, m.load_avg_end
        ),
    );
    item(
        "steadiness (fixed loop)",
        format!(
            "before the runs: {}; after: {}",
            escape(&steadiness_text(&m.steadiness_start)),
            escape(&steadiness_text(&m.steadiness_end))
        ),
    );
    let tools: Vec<String> = f
        .toolchains
        .iter()
        .map(|(k, v)| format!("{} {}", escape(k), escape(v)))
        .collect();
    item(
        "toolchains",
        if tools.is_empty() {
            "—".into()
        } else {
            tools.join(", ")
        },
    );
    item(
        "command",
        if f.command.is_empty() {
            "—".into()
        } else {
            format!("<code>{}</code>", escape(&f.command.join(" ")))
        },
    );
    item(
        "results file",
        format!(
            "schema {}, concbench {}, suite {}",
            escape(&f.schema),
            escape(&f.concbench_version),
            escape(&f.suite)
        ),
    );
    out.push_str("</dl>\n");
    if !f.blocks.is_empty() {
        // Only a run with --wait-steady waited: the column is there when any block did.
        let waited = f.blocks.iter().any(|b| b.steady_wait_ns > 0);
        let mut header = ["block (workload)", "samples (seq)"]
            .map(String::from)
            .to_vec();
        if waited {
            header.push("waited for a steady machine".into());
        }
        header.extend(["machine before", "machine after"].map(String::from));
        // Only a kernel that counts steal gives the column.
        let steal = f.blocks.iter().any(|b| b.host_steal.is_some());
        if steal {
            header.push("host took (steal)".into());
        }
        let mut t = Table {
            header,
            ..Table::default()
        };
        for b in &f.blocks {
            let mut row = vec![
                b.workload.clone(),
                format!("{}–{}", b.first_seq, b.last_seq),
            ];
            if waited {
                row.push(match b.steady_wait_ns {
                    0 => "none".into(),
                    ns => crate::format::format_eta(Duration::from_nanos(ns)),
                });
            }
            row.extend([
                steadiness_text(&b.steadiness_before),
                steadiness_text(&b.steadiness_after),
            ]);
            if steal {
                row.push(
                    b.host_steal
                        .map_or_else(|| "–".into(), |s| format!("{:.1}%", s * 100.0)),
                );
            }
            t.rows.push(row);
            t.status
                .push(if b.machine_noisy() { "racy" } else { "" }.into());
        }
        out.push_str(
            "<h3>Steadiness per block</h3><p class=\"sub\">Each workload ran as one block; \
             the machine's own CV was probed just before and just after it, and where the \
             kernel counts steal, the share of the block's busy CPU time the host gave to \
             other guests was read (highlighted: a probe or the steal above 2%, where runs \
             cannot be steadier than the machine).</p>",
        );
        out.push_str(&markup::html(&t, "blocks"));
    }
    out.push_str("</section>\n</main>\n</body>\n</html>\n");
    Ok(out)
}

/// The article's claims: per claim its verdict and words, per test its figure, rule, reason
/// and runs.
fn claims_section(report: &Report) -> String {
    use super::claims_out::{evidence_line, tag, tally_line};
    use crate::analysis::claims::Verdict;
    if report.claims.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section id=\"claims\"><h2>The article's claims, checked</h2>\n<p>{}. Each rule is \
         data in <code>suite/claims.toml</code>; the runs are this file's.</p>\n",
        escape(&tally_line(&report.claims))
    );
    if let Some(w) = super::claims_out::steadiness_warning(&[report.file]) {
        let _ = writeln!(out, "<p class=\"warn\">{}</p>", escape(&w));
    }
    for c in report
        .claims
        .iter()
        .filter(|c| c.verdict != Verdict::NotMeasured)
    {
        let class = verdict::verdict_class(c.verdict);
        let _ = write!(
            out,
            "<div class=\"claim {class}\" id=\"claim-{}\"><p><span class=\"verdict\">{}</span> \
             <q>{}</q> <code>{}</code></p><ul>",
            slug(&c.id),
            tag(c.verdict),
            escape(&c.claim),
            escape(&c.id)
        );
        for t in &c.tests {
            let _ = write!(
                out,
                "<li>{}{}: <b>{}</b> — {}.<br><span class=\"sub\">Rule: {}</span><br>\
                 <span class=\"sub\">Why: {}</span>",
                escape(&t.what),
                if t.counts { "" } else { " (context)" },
                escape(&t.shown),
                escape(t.verdict.label()),
                escape(&t.rule),
                escape(&t.reason)
            );
            if let Some(strip) = verdict::strip(t) {
                out.push_str("<br>");
                out.push_str(&strip);
            }
            if !t.evidence.is_empty() || t.safety.is_some() || t.measure.is_some() {
                out.push_str("<details><summary>evidence</summary><ul class=\"evidence\">");
                for e in &t.evidence {
                    let _ = write!(out, "<li><code>{}</code></li>", escape(&evidence_line(e)));
                }
                if let Some(s) = &t.safety {
                    let _ = write!(
                        out,
                        "<li>checked by <code>{}</code><pre>{}</pre></li>",
                        escape(&s.command),
                        escape(&s.excerpt)
                    );
                }
                if let Some(m) = &t.measure {
                    let _ = write!(
                        out,
                        "<li>to measure: <code>{}</code>{}</li>",
                        escape(&m.command()),
                        escape(&super::claims_out::needs(m))
                    );
                }
                out.push_str("</ul></details>");
            }
            out.push_str("</li>");
        }
        out.push_str("</ul></div>\n");
    }
    let unmeasured = super::claims_out::unmeasured_lines(&report.claims);
    if !unmeasured.is_empty() {
        out.push_str("<p>Not measured in this file, and the run that would measure each:</p><ul class=\"evidence\">");
        for (id, runs) in unmeasured {
            let runs: Vec<String> = runs
                .iter()
                .map(|(cmd, needs)| format!("<code>{}</code>{}", escape(cmd), escape(needs)))
                .collect();
            let _ = write!(
                out,
                "<li><code>{}</code>: {}</li>",
                escape(&id),
                runs.join("; ")
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>\n");
    out
}

/// The comparison table: the catalogue's words per model, then the measured figures.
fn models_section(report: &Report) -> String {
    use super::claims_out::{models_figures_table, models_words_table, MODELS_SOURCES};
    // Only models the file measured: a row of dashes says nothing.
    let rows: Vec<_> = report
        .models
        .iter()
        .filter(|r| report.file.runs.iter().any(|run| run.model == r.model))
        .cloned()
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "<section id=\"models\"><h2>The comparison table, measured</h2>\n{}{}<p class=\"sub\">{}</p></section>\n",
        markup::html(&models_words_table(&rows), "models"),
        markup::html(&models_figures_table(&rows), "models"),
        escape(MODELS_SOURCES)
    )
}

impl Exporter for Html {
    fn render(&self, report: &Report) -> Result<Vec<u8>> {
        Ok(page(report)?.into_bytes())
    }

    fn extension(&self) -> &'static str {
        "html"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::fixtures;

    fn render(file: &crate::results::ResultsFile) -> String {
        let report = Report::new(Catalogue::embedded(), file);
        String::from_utf8(Html.render(&report).unwrap()).unwrap()
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
        let findings = html.find("id=\"findings\"").unwrap();
        assert!(
            findings < html.find("data-chart").unwrap(),
            "findings first"
        );
        assert!(html.contains("racy: lost"));
        // The claims and the comparison table follow the workloads: the goroutine claim is
        // decided from the spawn-idle runs, and only measured models get a row.
        let claims = html.find("id=\"claims\"").expect("a claims section");
        assert!(claims > html.find("id=\"w-spawn-idle\"").unwrap());
        assert!(html.contains("<div class=\"claim holds\" id=\"claim-goroutine-2kb\">"));
        let models = &html[html.find("id=\"models\"").expect("a models section")..];
        assert!(models.contains("<td>go-goroutines</td>"));
        assert!(!models.contains("<td>py-asyncio</td>"));
    }

    #[test]
    fn the_blocks_table_shows_a_wait_for_a_steady_machine_only_when_there_was_one() {
        let mut file = fixtures::mixed_file();
        file.blocks = vec![
            fixtures::probed_block("cpu-parallel", 0.01),
            fixtures::probed_block("spawn-idle", 0.04),
        ];
        assert!(!render(&file).contains("waited for a steady machine"));
        file.blocks[0].steady_wait_ns = 140_000_000_000;
        let html = render(&file);
        let blocks = &html[html.find("Steadiness per block").unwrap()..];
        assert!(
            blocks.contains("<th scope=\"col\">waited for a steady machine</th>"),
            "{blocks}"
        );
        assert!(blocks.contains(">2 min 20 s</td>"), "{blocks}");
        assert!(blocks.contains("<td>none</td>"), "{blocks}");
    }

    #[test]
    fn the_blocks_table_shows_the_hosts_steal_and_marks_a_block_it_took_from() {
        let mut file = fixtures::mixed_file();
        file.blocks = vec![
            fixtures::probed_block("cpu-parallel", 0.01),
            fixtures::probed_block("spawn-idle", 0.01),
        ];
        assert!(!render(&file).contains("host took (steal)"));
        file.blocks[0].host_steal = Some(0.004);
        file.blocks[1].host_steal = Some(0.07);
        let html = render(&file);
        let blocks = &html[html.find("Steadiness per block").unwrap()..];
        assert!(
            blocks.contains("<th scope=\"col\">host took (steal)</th>"),
            "{blocks}"
        );
        // Steady probes both; only the block the host took 7% from is marked.
        let row = |w: &str| {
            let at = blocks.find(&format!("<td>{w}</td>")).unwrap();
            &blocks[blocks[..at].rfind("<tr").unwrap()..at + blocks[at..].find("</tr>").unwrap()]
        };
        assert!(
            row("cpu-parallel").starts_with("<tr class=\"\">"),
            "{blocks}"
        );
        assert!(row("cpu-parallel").contains(">0.4%</td>"), "{blocks}");
        assert!(
            row("spawn-idle").starts_with("<tr class=\"racy\">"),
            "{blocks}"
        );
        assert!(row("spawn-idle").contains(">7.0%</td>"), "{blocks}");
    }
}
