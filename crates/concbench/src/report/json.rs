//! `--format json`: the analysis view, the findings, the claims, the comparison table and
//! any advice, for scripts: what the HTML and Markdown reports show, as data.

use anyhow::Result;
use serde::Serialize;

use super::{Exporter, Report, ANALYSIS_SCHEMA};
use crate::analysis::advice::Advice;
use crate::analysis::claims::ClaimResult;
use crate::analysis::findings::WorkloadFindings;
use crate::analysis::models::ModelRow;
use crate::analysis::view::Analysis;

/// The JSON exporter.
pub struct Json;

/// The document it writes.
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

impl Exporter for Json {
    fn render(&self, report: &Report) -> Result<Vec<u8>> {
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
        let mut out = serde_json::to_vec_pretty(&doc)?;
        out.push(b'\n');
        Ok(out)
    }

    fn extension(&self) -> &'static str {
        "json"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_report() {
        let file = crate::fixtures::mixed_file();
        let report = Report::new(crate::catalogue::Catalogue::embedded(), &file);
        let json = String::from_utf8(Json.render(&report).unwrap()).unwrap();
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
}
