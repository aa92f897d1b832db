//! The answers of `claims`, `models`, `advise` and `compare`: each a document of one
//! section, in the formats its subcommand has.

use anyhow::Result;

use crate::analysis::advice::Advice;
use crate::analysis::claims::ClaimResult;
use crate::analysis::compare::Comparison;
use crate::analysis::models::ModelRow;
use crate::output::terminal;
use crate::report::format::{Format, Render};
use crate::report::{advice, claims_out, markdown};
use crate::results::ResultsFile;

/// The formats of every answer.
const ANSWER_FORMATS: &[Format] = &[Format::Terminal, Format::Json, Format::Md];

/// `concbench claims`: the article's claims decided on one or more results files.
pub struct ClaimsDocument<'a> {
    /// The claims, decided.
    pub claims: &'a [ClaimResult],
    /// The results files they were decided on, as the reader named them, in order.
    pub sources: Vec<String>,
    /// Those files, for the warning about blocks that ran on an unsteady machine.
    pub files: Vec<&'a ResultsFile>,
}

impl Render for ClaimsDocument<'_> {
    const COMMAND: &'static str = "claims";
    const FORMATS: &'static [Format] = ANSWER_FORMATS;

    fn render_in(&self, format: Format) -> Result<String> {
        let source = self.sources.join(", then ");
        let warning = claims_out::steadiness_warning(&self.files);
        Ok(match format {
            Format::Json => {
                serde_json::to_string_pretty(&claims_out::ClaimsJson {
                    schema: claims_out::CLAIMS_SCHEMA,
                    sources: self.sources.clone(),
                    claims: self.claims,
                })? + "\n"
            }
            Format::Md => {
                claims_out::render_claims_md(self.claims, &source, false, warning.as_deref())
            }
            _ => claims_out::render_terminal(self.claims, &source, warning.as_deref()),
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

impl Render for ModelsDocument<'_> {
    const COMMAND: &'static str = "models";
    const FORMATS: &'static [Format] = ANSWER_FORMATS;

    fn render_in(&self, format: Format) -> Result<String> {
        Ok(match format {
            Format::Json => {
                serde_json::to_string_pretty(&claims_out::ModelsJson {
                    schema: claims_out::MODELS_SCHEMA,
                    source: self.source.clone(),
                    models: self.rows,
                })? + "\n"
            }
            Format::Md => claims_out::render_models_md(self.rows, &self.source),
            _ => claims_out::render_models_terminal(self.rows, &self.source),
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
            Format::Json => advice::render_json(self.advice, &self.source)?,
            Format::Md => advice::markdown_section(self.advice),
            _ => advice::render_terminal(self.advice, &self.source),
        })
    }
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
            Format::Json => serde_json::to_string_pretty(&self.comparison.rows)? + "\n",
            Format::Md => markdown::render_compare(self.comparison),
            _ => format!(
                "{}\n{}",
                terminal::render_compare_sources(self.base, self.new),
                terminal::render_compare(self.comparison)
            ),
        })
    }
}
