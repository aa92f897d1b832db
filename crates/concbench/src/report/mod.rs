//! Reports: the exporters of the analysis view, one file per format behind one trait.
//!
//! An exporter renders a [`Report`] (a results file, its analysis view and its findings);
//! it computes no figure of its own.

use anyhow::Result;

pub mod advice;
pub mod analysed;
pub mod charts;
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

pub use analysed::Report;
pub use documents::answers::{AdviceDocument, ClaimsDocument, ComparisonDocument, ModelsDocument};
pub use format::{Format, Render};

/// The schema of `concbench report --format json`.
pub const ANALYSIS_SCHEMA: &str = "concbench.analysis/1";

/// Renders a report in one format.
pub trait Exporter {
    /// The report as this format's bytes.
    fn render(&self, report: &Report) -> Result<Vec<u8>>;
    /// The file name extension of the format (`json`, `html`, ...), for `--out` defaults.
    fn extension(&self) -> &'static str;
}
