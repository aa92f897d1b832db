//! A results file analysed once: what every section reads and every document renders. Its
//! figures are computed in `analysis`; nothing here formats them.

use crate::analysis::advice::Advice;
use crate::analysis::claims::{self, ClaimResult, ClaimsTable};
use crate::analysis::findings::{self, WorkloadFindings};
use crate::analysis::models::{self, ModelRow};
use crate::analysis::view::{self, Analysis};
use crate::catalogue::models::ModelTable;
use crate::catalogue::Catalogue;
use crate::results::ResultsFile;

/// What the report renders: the file, its view, its findings, claims and models.
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
    pub advice: Option<Advice>,
}

impl<'a> Report<'a> {
    /// Analyses `file` once, for every format.
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

    /// The rows of the comparison table whose model the file measured: a row of dashes
    /// says nothing in a report.
    pub fn measured_models(&self) -> Vec<ModelRow> {
        self.models
            .iter()
            .filter(|r| self.file.runs.iter().any(|run| run.model == r.model))
            .cloned()
            .collect()
    }
}
