//! The output formats: one enum for every subcommand, each of which has a subset of them,
//! and the command line's parser that offers a subcommand only its own.

use std::ffi::OsStr;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::ValueEnum;

use crate::UsageError;

/// A document the command line prints in one of its formats: the report, the claims, the
/// models, advice, a comparison.
pub trait Render {
    /// The subcommand that prints it, for the line that refuses a format.
    const COMMAND: &'static str;
    /// The formats it has, the default first.
    const FORMATS: &'static [Format];

    /// The document in `format`, one of [`Render::FORMATS`].
    fn render_in(&self, format: Format) -> anyhow::Result<String>;

    /// The document in `format`; a format it does not have is a [`UsageError`].
    fn render(&self, format: Format) -> anyhow::Result<String> {
        if !Self::FORMATS.contains(&format) {
            return Err(UsageError(format.missing(Self::COMMAND, Self::FORMATS)).into());
        }
        self.render_in(format)
    }
}

/// What `--format` can ask for. Each subcommand has a subset; asked for a format it does
/// not have, it says so in one line ([`Format::missing`]) and exits with status 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables and text for people (`text` is the same)
    #[value(alias = "text")]
    Terminal,
    /// The same as JSON, for scripts
    Json,
    /// One self-contained HTML page: answers first, then charts, tables, the machine
    Html,
    /// GitHub-flavoured Markdown, for a pull request
    Md,
    /// One row per run × sample, with a header row
    Csv,
}

impl Format {
    /// The word `--format` takes for it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Json => "json",
            Format::Html => "html",
            Format::Md => "md",
            Format::Csv => "csv",
        }
    }

    /// The file name extension of the format, for a file written beside another.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Terminal => "txt",
            other => other.name(),
        }
    }

    /// The line that refuses it to `command`, which has only `formats`: "claims has no csv
    /// format: use terminal, json or md".
    pub fn missing(self, command: &str, formats: &[Format]) -> String {
        let names: Vec<&str> = formats.iter().map(|f| f.name()).collect();
        let choice = match names.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => "none".into(),
        };
        format!("{command} has no {} format: use {choice}", self.name())
    }

    /// The `--format` parser of a subcommand that has `formats`: its help lists only those,
    /// and any other format is refused in one line.
    pub fn among(formats: &'static [Format]) -> FormatParser {
        FormatParser(formats)
    }
}

/// Parses `--format` for a subcommand with a subset of the formats (see [`Format::among`]).
#[derive(Debug, Clone, Copy)]
pub struct FormatParser(&'static [Format]);

impl TypedValueParser for FormatParser {
    type Value = Format;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Format, clap::Error> {
        let known = value.to_str().and_then(|v| Format::from_str(v, false).ok());
        match known {
            Some(f) if self.0.contains(&f) => Ok(f),
            Some(f) => Err(clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("{}\n", f.missing(cmd.get_name(), self.0)),
            )),
            // Not a format at all: clap's own message, which lists the subcommand's.
            None => {
                let names = self.0.iter().map(|f| f.name());
                PossibleValuesParser::new(names).parse_ref(cmd, arg, value)?;
                unreachable!("a name of the list is a format")
            }
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.0.iter().filter_map(|f| f.to_possible_value()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    #[command(name = "claims")]
    struct Claims {
        #[arg(long, default_value = "terminal", value_parser = Format::among(&[Format::Terminal, Format::Json, Format::Md]))]
        format: Format,
    }

    fn parse(args: &[&str]) -> Result<Format, String> {
        Claims::try_parse_from(std::iter::once("claims").chain(args.iter().copied()))
            .map(|c| c.format)
            .map_err(|e| e.render().to_string())
    }

    #[test]
    fn a_subcommand_takes_its_formats_and_refuses_the_others_in_one_line() {
        assert_eq!(parse(&[]), Ok(Format::Terminal));
        assert_eq!(parse(&["--format", "md"]), Ok(Format::Md));
        // `text` is what compare, list and doctor called the terminal's format.
        assert_eq!(parse(&["--format", "text"]), Ok(Format::Terminal));
        let csv = parse(&["--format", "csv"]).unwrap_err();
        assert_eq!(
            csv.lines().next(),
            Some("error: claims has no csv format: use terminal, json or md"),
            "{csv}"
        );
        let xml = parse(&["--format", "xml"]).unwrap_err();
        assert!(
            xml.starts_with("error: invalid value 'xml' for '--format <FORMAT>'"),
            "{xml}"
        );
        assert!(
            xml.contains("[possible values: terminal, json, md]"),
            "{xml}"
        );
    }

    #[test]
    fn the_line_names_the_choices_in_words() {
        assert_eq!(
            Format::Csv.missing("compare", &[Format::Terminal, Format::Json]),
            "compare has no csv format: use terminal or json"
        );
        assert_eq!(Format::Html.extension(), "html");
        assert_eq!(Format::Terminal.extension(), "txt");
    }
}
