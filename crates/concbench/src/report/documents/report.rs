//! The report of one results file, in every format: `concbench report` and what `run`
//! prints and writes beside its results file.

use anyhow::Result;

use crate::report::format::{Format, Render};
use crate::report::{csv, html, json, markdown, terminal, Exporter, Report};

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
        let bytes = match format {
            Format::Terminal => terminal::Terminal.render(self)?,
            Format::Json => json::Json.render(self)?,
            Format::Html => html::Html.render(self)?,
            Format::Md => markdown::Markdown.render(self)?,
            Format::Csv => csv::Csv.render(self)?,
        };
        Ok(String::from_utf8(bytes)?)
    }
}
