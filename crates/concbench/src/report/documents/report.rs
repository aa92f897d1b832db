//! The report of one results file, in every format: `concbench report`, and what `run`
//! prints and writes beside its results file. Each format assembles the same sections: where
//! the numbers come from, advice when a profile was given, each workload's findings and
//! runs, the claims, and the comparison table.

use anyhow::Result;
use serde::Serialize;

use super::page;
use crate::analysis::advice::Advice;
use crate::analysis::claims::ClaimResult;
use crate::analysis::findings::WorkloadFindings;
use crate::analysis::models::ModelRow;
use crate::analysis::view::Analysis;
use crate::report::analysed::Report;
use crate::report::format::{Format, Render};
use crate::report::sections::{advice, claims, findings, models, runs, samples, source};

/// The schema of `concbench report --format json`.
pub const ANALYSIS_SCHEMA: &str = "concbench.analysis/1";

impl Render for Report<'_> {
    const COMMAND: &'static str = "report";
    const FORMATS: &'static [Format] = &[
        Format::Terminal,
        Format::Json,
        Format::Html,
        Format::Md,
        Format::Csv,
    ];

    fn render_in(&self, format: Format) -> Result<String> {
        match format {
            Format::Terminal => Ok(terminal(self)),
            Format::Json => json(self),
            Format::Html => page::page(self),
            Format::Md => Ok(markdown(self)),
            Format::Csv => samples::csv(self),
        }
    }
}

/// The terminal's report: where the numbers come from, each workload's runs and findings,
/// and one line per workload at the end.
fn terminal(report: &Report) -> String {
    source::terminal(report.file)
        + &workloads_terminal(report)
        + &findings::terminal_in_short(&report.findings)
}

/// One table per workload of the report, each followed by its findings.
fn workloads_terminal(report: &Report) -> String {
    let mut out = String::new();
    for view in &report.analysis.workloads {
        let Some(workload) = report.catalogue.workload(&view.workload) else {
            continue;
        };
        out.push_str(&format!("\n{} — {}\n", workload.name, workload.title));
        out.push_str(&runs::terminal(report, workload, view));
        out.push_str(&findings::terminal(report.findings_of(&view.workload)));
    }
    out
}

/// The Markdown report, for a pull request: the findings and tables, the claims and the
/// comparison table.
fn markdown(report: &Report) -> String {
    let mut out = source::markdown(report.file);
    out += findings::MARKDOWN_LEGEND;
    if let Some(a) = &report.advice {
        out += &advice::markdown(a);
    }
    for view in &report.analysis.workloads {
        out += &findings::markdown(report, view);
        out += &runs::markdown(report, view);
    }
    let source = "this file";
    out += "\n";
    let warning = source::steadiness_warning(&[report.file]);
    out += &claims::markdown(&report.claims, source, true, warning.as_deref());
    let measured = report.measured_models();
    if !measured.is_empty() {
        out += "\n";
        out += &models::markdown(&measured, source);
    }
    out
}

/// The JSON report: what the HTML and Markdown reports show, as data.
#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    /// The results file's own schema, suite and start time, so the view names its source.
    source: Source<'a>,
    analysis: &'a Analysis,
    findings: &'a [WorkloadFindings],
    /// The article's claims, decided on the file (as `concbench claims --format json`).
    claims: &'a [ClaimResult],
    /// The comparison table's rows (as `concbench models --format json`).
    models: &'a [ModelRow],
    /// Advice for the profile `report` was given, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    advice: Option<&'a Advice>,
}

#[derive(Serialize)]
struct Source<'a> {
    schema: &'a str,
    suite: &'a str,
    started_at: &'a str,
    command: &'a [String],
}

/// The analysis view, the findings, the claims, the comparison table and any advice, for
/// scripts.
fn json(report: &Report) -> Result<String> {
    let doc = Document {
        schema: ANALYSIS_SCHEMA,
        source: Source {
            schema: &report.file.schema,
            suite: &report.file.suite,
            started_at: &report.file.started_at,
            command: &report.file.command,
        },
        analysis: &report.analysis,
        findings: &report.findings,
        claims: &report.claims,
        models: &report.models,
        advice: report.advice.as_ref(),
    };
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
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
        insta::assert_snapshot!(markdown(&report));
    }

    #[test]
    fn the_json_report() {
        let file = crate::fixtures::mixed_file();
        let report = Report::new(Catalogue::embedded(), &file);
        let json = json(&report).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["schema"], ANALYSIS_SCHEMA);
        // The same claims and table as the other reports.
        assert_eq!(
            value["claims"].as_array().unwrap().len(),
            report.claims.len()
        );
        assert_eq!(
            value["models"].as_array().unwrap().len(),
            report.models.len()
        );
        assert!(value["claims"][0]["verdict"].is_string());
        // Those have their own tests; the snapshot holds the view and the findings.
        let mut rest = value.clone();
        for key in ["claims", "models"] {
            rest.as_object_mut().unwrap().remove(key);
        }
        insta::assert_snapshot!(serde_json::to_string_pretty(&rest).unwrap());
    }

    #[test]
    fn the_results_tables() {
        insta::assert_snapshot!(workloads_terminal(&Report::new(
            Catalogue::embedded(),
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
        let report = Report::new(Catalogue::embedded(), &file);
        let text = workloads_terminal(&report);
        assert!(text.contains("c-seq (baseline)"), "{text}");
        assert!(text.contains("c-threads (baseline)"), "{text}");
        assert!(!text.contains("go-seq (baseline)"), "{text}");
        assert!(text.contains("not ranked with the contenders"), "{text}");
        // c-threads is the fastest run, but go-goroutines is the best contender.
        assert!(
            text.contains("go-goroutines is the only concurrency model measured here"),
            "{text}"
        );
        assert!(
            text.contains(
                "the models shown for scale (not ranked; their time over the best's): go-seq "
            ),
            "{text}"
        );
        let group = &report.analysis.workloads[0].groups[0];
        let ranked: Vec<&str> = group.ranking.iter().map(|r| r.model.as_str()).collect();
        assert_eq!(ranked, ["go-goroutines"]);
        let baselines: Vec<&str> = group.baselines.iter().map(|b| b.model.as_str()).collect();
        assert_eq!(baselines, ["go-seq", "c-seq", "c-threads"]);
        // Its speedup is against C's own sequential model, the median of the two rounds'.
        let speedup = report.analysis.runs[3].speedup.expect("c-seq ran").value;
        assert!(
            (speedup - (3.0 / 1.5 + 3.1 / 1.6) / 2.0).abs() < 1e-9,
            "{speedup}"
        );
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
        let report = Report::new(Catalogue::embedded(), &file);
        let group = &report.analysis.workloads[0].groups[0];
        assert_eq!(group.ranking[0].model, "c-mutex");
        assert!(group.baselines.is_empty());
        assert!(workloads_terminal(&report).contains("c-mutex (baseline)"));
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
            let report = Report::new(Catalogue::embedded(), file);
            workloads_terminal(&report)
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
    fn a_report_refuses_no_format_and_an_answer_refuses_those_it_lacks() {
        let file = fixtures::mixed_file();
        let report = Report::new(Catalogue::embedded(), &file);
        for &format in Report::FORMATS {
            assert!(!report.render(format).unwrap().is_empty(), "{format:?}");
        }
        let models = crate::report::ModelsDocument {
            rows: &report.models,
            source: "f.json".into(),
        };
        let refused = models.render(Format::Html).unwrap_err();
        assert!(refused.downcast_ref::<crate::UsageError>().is_some());
        assert_eq!(
            refused.to_string(),
            "models has no html format: use terminal, json or md"
        );
    }
}
