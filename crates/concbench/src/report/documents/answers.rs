//! The answers of `claims`, `models`, `advise` and `compare`: each a document of one
//! section, in the formats its subcommand has, with the JSON shapes scripts read.

use anyhow::Result;
use serde::Serialize;

use crate::analysis::advice::{Advice, AdvicePath};
use crate::analysis::claims::ClaimResult;
use crate::analysis::compare::Comparison;
use crate::analysis::models::ModelRow;
use crate::report::format::{Format, Render};
use crate::report::sections::{advice, claims, comparison, models, source};
use crate::results::ResultsFile;

/// The formats of every answer.
const ANSWER_FORMATS: &[Format] = &[Format::Terminal, Format::Json, Format::Md];

/// The schema of `concbench claims --format json`.
pub const CLAIMS_SCHEMA: &str = "concbench.claims/1";
/// The schema of `concbench models --format json`.
pub const MODELS_SCHEMA: &str = "concbench.models/1";
/// The schema of `concbench advise --format json`.
pub const ADVICE_SCHEMA: &str = "concbench.advice/1";

/// `concbench claims`: the article's claims decided on one or more results files.
pub struct ClaimsDocument<'a> {
    /// The claims, decided.
    pub claims: &'a [ClaimResult],
    /// The results files they were decided on, as the reader named them, in order.
    pub sources: Vec<String>,
    /// Those files, for the warning about blocks that ran on an unsteady machine.
    pub files: Vec<&'a ResultsFile>,
}

/// The claims as JSON objects, with the files they were decided on.
#[derive(Serialize)]
struct ClaimsJson<'a> {
    schema: &'static str,
    sources: &'a [String],
    claims: &'a [ClaimResult],
}

impl Render for ClaimsDocument<'_> {
    const COMMAND: &'static str = "claims";
    const FORMATS: &'static [Format] = ANSWER_FORMATS;

    fn render_in(&self, format: Format) -> Result<String> {
        let source = self.sources.join(", then ");
        let warning = source::steadiness_warning(&self.files);
        Ok(match format {
            Format::Json => {
                let doc = ClaimsJson {
                    schema: CLAIMS_SCHEMA,
                    sources: &self.sources,
                    claims: self.claims,
                };
                serde_json::to_string_pretty(&doc)? + "\n"
            }
            Format::Md => claims::markdown(self.claims, &source, false, warning.as_deref()),
            _ => claims::terminal(self.claims, &source, warning.as_deref()),
        })
    }
}

/// `concbench models`: the article's comparison table, measured.
pub struct ModelsDocument<'a> {
    /// One row per model.
    pub rows: &'a [ModelRow],
    /// The results file read, as the reader named it.
    pub source: String,
}

/// The comparison table as JSON.
#[derive(Serialize)]
struct ModelsJson<'a> {
    schema: &'static str,
    source: &'a str,
    models: &'a [ModelRow],
}

impl Render for ModelsDocument<'_> {
    const COMMAND: &'static str = "models";
    const FORMATS: &'static [Format] = ANSWER_FORMATS;

    fn render_in(&self, format: Format) -> Result<String> {
        Ok(match format {
            Format::Json => {
                let doc = ModelsJson {
                    schema: MODELS_SCHEMA,
                    source: &self.source,
                    models: self.rows,
                };
                serde_json::to_string_pretty(&doc)? + "\n"
            }
            Format::Md => models::markdown(self.rows, &self.source),
            _ => models::terminal(self.rows, &self.source),
        })
    }
}

/// `concbench advise`: advice for a workload profile.
pub struct AdviceDocument<'a> {
    /// The advice.
    pub advice: &'a Advice,
    /// The results file it stands on: path, suite and start time.
    pub source: String,
}

impl Render for AdviceDocument<'_> {
    const COMMAND: &'static str = "advise";
    const FORMATS: &'static [Format] = ANSWER_FORMATS;

    fn render_in(&self, format: Format) -> Result<String> {
        Ok(match format {
            Format::Json => advice_json(self.advice, &self.source)?,
            Format::Md => advice::markdown(self.advice),
            _ => advice::terminal(self.advice, &self.source),
        })
    }
}

/// One row of `--format json`.
#[derive(Serialize)]
struct JsonRow<'a> {
    rank: usize,
    model: &'a str,
    lang: &'a str,
    feasible: bool,
    binding: &'static str,
    headroom: Option<f64>,
    score: Option<f64>,
    reasons: &'a [String],
    figures: &'a crate::analysis::advice::KeyFigures,
    checks: &'a [crate::analysis::advice::Check],
    source: &'a str,
    evidence: &'a [crate::analysis::view::Evidence],
    /// Tied with the row above (the interval of their throughput ratio holds 1): that ratio.
    #[serde(skip_serializing_if = "Option::is_none")]
    tied_with_above: Option<crate::analysis::view::Estimate>,
}

/// `concbench advise --format json`: the rows best first, with the profile and the notes.
fn advice_json(a: &Advice, source: &str) -> Result<String> {
    let rows: Vec<JsonRow> = a
        .rows
        .iter()
        .map(|r| JsonRow {
            rank: r.rank,
            model: &r.model,
            lang: r.lang.name(),
            feasible: r.feasible,
            binding: r.binding.label(),
            headroom: r.headroom,
            score: r.score,
            reasons: &r.reasons,
            figures: &r.figures,
            checks: &r.checks,
            source: &r.source,
            evidence: &r.evidence,
            tied_with_above: r.tied_with_above,
        })
        .collect();
    let doc = serde_json::json!({
        "schema": ADVICE_SCHEMA,
        "results": source,
        "profile": a.profile,
        "path": a.path,
        "basis": a.basis,
        "memory_from": a.memory_from,
        "memory_basis": a.memory_from.map(|m| m.describe(a.path == AdvicePath::IoServer)),
        "rows": rows,
        "recommendation": a.recommendation,
        "extrapolations": a.extrapolations,
        "commands": a.commands.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "missing": a.missing,
        "left_out": a.left_out,
    });
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

/// `concbench compare`: two results files, row by row.
pub struct ComparisonDocument<'a> {
    /// The file compared against.
    pub base: &'a ResultsFile,
    /// The file compared.
    pub new: &'a ResultsFile,
    /// Their comparison.
    pub comparison: &'a Comparison,
}

impl Render for ComparisonDocument<'_> {
    const COMMAND: &'static str = "compare";
    const FORMATS: &'static [Format] = ANSWER_FORMATS;

    fn render_in(&self, format: Format) -> Result<String> {
        Ok(match format {
            Format::Json => {
                let c = self.comparison;
                let doc = serde_json::json!({
                    "schema": "concbench.compare/2",
                    "rows": c.rows,
                    "claims": c.claims,
                    "first_tiers": c.first_tiers,
                });
                serde_json::to_string_pretty(&doc)? + "\n"
            }
            Format::Md => comparison::markdown(self.comparison),
            _ => format!(
                "{}\n{}",
                comparison::sources(self.base, self.new),
                comparison::terminal(self.comparison)
            ),
        })
    }
}
