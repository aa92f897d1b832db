//! Reports: the exporters of the analysis view, one file per format behind one trait.
//!
//! An exporter renders a [`Report`] (a results file, its analysis view and its findings);
//! it computes no figure of its own.

use anyhow::Result;

use crate::analysis::claims::{self, ClaimResult, ClaimsTable};
use crate::analysis::findings::{self, WorkloadFindings};
use crate::analysis::models::{self, ModelRow};
use crate::analysis::view::{self, Analysis};
use crate::catalogue::models::ModelTable;
use crate::catalogue::Catalogue;
use crate::results::ResultsFile;

pub mod advice;
pub mod claims_out;
pub mod csv;
pub mod documents;
pub mod format;
pub mod html;
pub mod json;
pub mod markdown;
pub mod markup;
pub mod tables;
pub mod terminal;

pub use documents::answers::{AdviceDocument, ClaimsDocument, ComparisonDocument, ModelsDocument};
pub use format::{Format, Render};

/// The schema of `concbench report --format json`.
pub const ANALYSIS_SCHEMA: &str = "concbench.analysis/1";

/// What every exporter renders: the file, its view and its findings.
pub struct Report<'a> {
    /// The catalogue the file's workloads and models come from.
    pub catalogue: &'a Catalogue,
    /// The results file.
    pub file: &'a ResultsFile,
    /// Its analysis view.
    pub analysis: Analysis,
    /// The findings, per workload.
    pub findings: Vec<WorkloadFindings>,
    /// The article's claims, decided on this file (`suite/claims.toml`).
    pub claims: Vec<ClaimResult>,
    /// The comparison table, one row per model (`suite/models.toml` and the view).
    pub models: Vec<ModelRow>,
    /// Advice for a workload profile, when `report` was given one (HTML and Markdown show it).
    pub advice: Option<crate::analysis::advice::Advice>,
}

impl<'a> Report<'a> {
    /// Analyses `file` once, for every exporter.
    pub fn new(catalogue: &'a Catalogue, file: &'a ResultsFile) -> Report<'a> {
        let analysis = view::analyse(catalogue, file);
        let findings = findings::findings(&analysis);
        let claims = claims::check(catalogue, ClaimsTable::embedded(), file, &analysis);
        let models = models::table(catalogue, ModelTable::embedded(), file, &analysis);
        Report {
            catalogue,
            file,
            analysis,
            findings,
            claims,
            models,
            advice: None,
        }
    }

    /// The findings of one workload.
    pub fn findings_of(&self, workload: &str) -> Option<&WorkloadFindings> {
        self.findings.iter().find(|f| f.workload == workload)
    }
}

/// Renders a report in one format.
pub trait Exporter {
    /// The report as this format's bytes.
    fn render(&self, report: &Report) -> Result<Vec<u8>>;
    /// The file name extension of the format (`json`, `html`, ...), for `--out` defaults.
    fn extension(&self) -> &'static str;
}
