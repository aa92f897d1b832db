//! `--format md`: the findings and the tables as GitHub-flavoured Markdown, to paste into a
//! pull request; and `concbench compare --format md`, the comparison's rows as a table.

use anyhow::Result;

use super::markup::{self, md_cell, Table};
use super::tables::{ranking_table, runs_table};
use super::{Exporter, Report};
use crate::analysis::compare::Comparison;
use crate::analysis::findings::group_label;
use crate::format::{format_ns, format_p, format_ratio};

/// The Markdown exporter.
pub struct Markdown;

impl Exporter for Markdown {
    fn render(&self, report: &Report) -> Result<Vec<u8>> {
        let f = report.file;
        let mut out = format!(
            "## concbench results · suite `{}` · {}\n\n",
            f.suite, f.started_at
        );
        let toolchains: Vec<String> = f
            .toolchains
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let mut about: Vec<String> = Vec::new();
        if !f.machine.cpu_model.is_empty() {
            about.push(f.machine.cpu_model.clone());
        }
        if f.machine.logical_cpus > 0 {
            about.push(format!(
                "{} CPUs ({} usable)",
                f.machine.logical_cpus,
                f.machine.allowed_cpus.len()
            ));
        }
        if !f.machine.kernel.is_empty() {
            about.push(format!("kernel {}", f.machine.kernel));
        }
        if !toolchains.is_empty() {
            about.push(toolchains.join(", "));
        }
        if !f.command.is_empty() {
            about.push(format!("`{}`", f.command.join(" ").replace('`', "'")));
        }
        if !about.is_empty() {
            out += &about.join(" · ");
            out += "\n";
        }
        if f.interrupted {
            out += "\n**The suite was interrupted: some runs were not measured.**\n";
        }
        out += "\nMedians with bootstrap 95% confidence intervals; a *tier* holds models that no \
                Mann-Whitney test separates at p < 0.05 (tier 1 is tied for best).\n";
        // Advice for a profile, when one was given (report/advice.rs).
        if let Some(advice) = &report.advice {
            out += &super::advice::markdown_section(advice);
        }
        for view in &report.analysis.workloads {
            out += &format!("\n### {} — {}\n\n", view.workload, view.title);
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
            let (caption, t) = runs_table(report, view);
            out += "\n";
            if !caption.is_empty() {
                out += &format!("Every run: `{caption}`\n\n");
            }
            out += &markup::markdown(&t);
        }
        let source = "this file";
        out += "\n";
        let warning = super::claims_out::steadiness_warning(&[report.file]);
        out +=
            &super::claims_out::render_claims_md(&report.claims, source, true, warning.as_deref());
        let measured: Vec<_> = report
            .models
            .iter()
            .filter(|r| f.runs.iter().any(|run| run.model == r.model))
            .cloned()
            .collect();
        if !measured.is_empty() {
            out += "\n";
            out += &super::claims_out::render_models_md(&measured, source);
        }
        Ok(out.into_bytes())
    }

    fn extension(&self) -> &'static str {
        "md"
    }
}

/// `concbench compare --format md`: one row per pair of runs, the geometric mean, and what
/// could not be paired.
pub fn render_compare(c: &Comparison) -> String {
    let mut t = Table {
        header: [
            "workload",
            "model",
            "cpus",
            "params",
            "base",
            "new",
            "new/base (95% CI)",
            "p",
            "change",
        ]
        .map(String::from)
        .to_vec(),
        ..Table::default()
    };
    for r in &c.rows {
        let params = |p: &std::collections::BTreeMap<String, u64>| {
            p.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut shown = params(&r.params);
        if let Some(new) = &r.new_params {
            shown += &format!(" → {}", params(new));
        }
        t.rows.push(vec![
            r.workload.clone(),
            r.model.clone(),
            format!("{}{}", r.cpus, if r.pinned { " (pinned)" } else { "" }),
            shown,
            format!("{} ({} runs)", format_ns(r.base_median_ns), r.base_samples),
            format!("{} ({} runs)", format_ns(r.new_median_ns), r.new_samples),
            format!(
                "{} ({}–{})",
                format_ratio(r.ratio),
                format_ratio(r.ci95_low).trim_end_matches('×'),
                format_ratio(r.ci95_high)
            ),
            format_p(r.p_value),
            if !r.significant {
                "~".into()
            } else if r.ratio < 1.0 {
                "faster".into()
            } else {
                "slower".into()
            },
        ]);
    }
    let mut out = markup::markdown(&t);
    if let Some(g) = c.geomean_ratio {
        out += &format!(
            "\nGeometric mean of new/base over {} rows: {}.\n",
            c.rows.len(),
            format_ratio(g)
        );
    }
    out += "\n`~`: not significant at p < 0.05 (two-sided Mann-Whitney U).\n";
    if c.too_few_samples {
        out += "\nSome pairs have too few runs for any change to reach p < 0.05: use --runs 5 \
                or more on both sides.\n";
    }
    if !c.unmatched.is_empty() {
        out += "\nNot compared:\n\n";
        for u in &c.unmatched {
            out += &format!("- {}\n", md_cell(u));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::fixtures;

    #[test]
    fn the_markdown_of_the_mixed_fixture() {
        let file = fixtures::mixed_file();
        let report = Report::new(Catalogue::embedded(), &file);
        let text = String::from_utf8(Markdown.render(&report).unwrap()).unwrap();
        insta::assert_snapshot!(text);
    }

    #[test]
    fn the_markdown_of_a_comparison() {
        let cpu = [("n", 10), ("tasks", 8), ("workers", 2)];
        let base = fixtures::file(vec![
            fixtures::run("cpu-parallel", "rust-seq", &cpu, &[100, 103, 98, 101, 99]),
            fixtures::run("cpu-parallel", "rust-rayon", &cpu, &[52, 50, 51, 55, 49]),
        ]);
        let new = fixtures::file(vec![
            fixtures::run("cpu-parallel", "rust-seq", &cpu, &[200, 206, 196, 202, 198]),
            fixtures::run("cpu-parallel", "rust-rayon", &cpu, &[52, 50, 51, 55, 49]),
            fixtures::run("cpu-parallel", "go-seq", &cpu, &[1, 2, 3]),
        ]);
        let c = crate::analysis::compare::compare(&base, &new);
        insta::assert_snapshot!(render_compare(&c));
    }
}
