//! `--format json`: the analysis view and the findings, for scripts.

use anyhow::Result;
use serde::Serialize;

use super::{Exporter, Report, ANALYSIS_SCHEMA};
use crate::analysis::findings::WorkloadFindings;
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
        insta::assert_snapshot!(json);
    }
}
