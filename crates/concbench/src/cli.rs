//! The command line (README.md): parse, validate, dispatch; errors become one line and an
//! exit status (0 done, 1 the work failed, 2 bad usage or input, 130 interrupted).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::catalogue::{Catalogue, Lang};
use crate::machine::Machine;
use crate::output::{listing, terminal};
use crate::report::{ClaimsDocument, ComparisonDocument, Format, ModelsDocument, Render, Report};
use crate::results::ResultsFile;
use crate::run::plan::{self, Selection, SetOverride};
use crate::run::session::{newest_results, RESULTS_DIR};
use crate::toolchain::{ToolchainOptions, Toolchains};
use crate::UsageError;

mod advise;
mod session;
pub use advise::{AdviseArgs, ProfileArgs};
pub use session::ToolchainArgs;
use session::{log_step, parse_wait};

/// Go, Python or Rust — and which concurrency model? Measured on this machine.
#[derive(Debug, Parser)]
#[command(name = "concbench", version, about, max_term_width = 100)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Workloads, models, and which toolchains are available (builds what it needs)
    List(ListArgs),
    /// Run a suite and write a results file
    Run(RunArgs),
    /// Render a results file again: tables and findings, or the analysis view as JSON
    Report(ReportArgs),
    /// Compare two results files: medians, ratio with 95% CI, Mann-Whitney U p-value
    Compare(CompareArgs),
    /// Read-only check of the machine and toolchains for benchmarking, with what to do
    Doctor(DoctorArgs),
    /// The article's claims, each checked against a results file: verdict, rule, evidence
    Claims(ClaimsArgs),
    /// The article's comparison table, one row per model, with the measured figures
    Models(ModelsArgs),
    /// Which models can do your workload on this machine, and which does it best (measured)
    Advise(AdviseArgs),
}

/// Options of `concbench claims`.
#[derive(Debug, Clone, Args)]
pub struct ClaimsArgs {
    /// The results file (default: the newest in concbench-results/)
    pub file: Option<PathBuf>,
    /// Only read FILE: claims it cannot decide stay "not measured", with the run that would
    /// measure them (by default those runs are made now, at quick size)
    #[arg(long)]
    pub no_run: bool,
    /// For the runs it makes: the most time their sampling may take in all (e.g. 2m); extra
    /// samples, where an undecided claim needs them, fill what the planned ones leave
    /// (default: the quick suite's, none; 0: none)
    #[arg(long, value_name = "DURATION", value_parser = session::parse_budget, conflicts_with = "no_run")]
    pub budget: Option<Duration>,
    /// Output format
    #[arg(long, default_value = "terminal", value_parser = Format::among(ClaimsDocument::FORMATS))]
    pub format: Format,
    /// Which Go and Python to use for the runs it makes (`--go`, `--python`).
    #[command(flatten)]
    pub toolchains: ToolchainArgs,
}

/// Options of `concbench models`.
#[derive(Debug, Clone, Args)]
pub struct ModelsArgs {
    /// The results file (default: the newest in concbench-results/)
    pub file: Option<PathBuf>,
    /// Output format
    #[arg(long, default_value = "terminal", value_parser = Format::among(ModelsDocument::FORMATS))]
    pub format: Format,
}

/// Options of `concbench doctor`.
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// Output format
    #[arg(long, default_value = "terminal", value_parser = Format::among(TERMINAL_OR_JSON))]
    pub format: Format,
}

/// Options of `concbench report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The results file to render
    pub file: PathBuf,
    /// Output format
    #[arg(long, default_value = "terminal", value_parser = Format::among(Report::FORMATS))]
    pub format: Format,
    /// Write the report to this file instead of standard output
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// A workload profile: the HTML and Markdown reports then end their findings with advice.
    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// Options of `concbench compare`.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// The results file to compare against
    pub base: PathBuf,
    /// The results file to compare
    pub new: PathBuf,
    /// Output format
    #[arg(long, default_value = "terminal", value_parser = Format::among(ComparisonDocument::FORMATS))]
    pub format: Format,
}

/// The formats of the listing commands, `list` and `doctor`.
const TERMINAL_OR_JSON: &[Format] = &[Format::Terminal, Format::Json];

/// Options of `concbench list`.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Output format
    #[arg(long, default_value = "terminal", value_parser = Format::among(TERMINAL_OR_JSON))]
    pub format: Format,
    /// Which Go and Python to use (`--go`, `--python`).
    #[command(flatten)]
    pub toolchains: ToolchainArgs,
}

/// Options of `concbench run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Suite: seed (the article's numbers), quick, standard, full
    #[arg(long, default_value = "standard")]
    pub suite: String,
    /// Only these workloads (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub workloads: Option<Vec<String>>,
    /// Only these models (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "X,Y")]
    pub models: Option<Vec<String>>,
    /// Override a parameter for every model of a workload: workload.param=value (repeatable)
    #[arg(long = "set", value_name = "WORKLOAD.PARAM=VALUE")]
    pub sets: Vec<SetOverride>,
    /// Counted runs per model (default: the suite's)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: Option<u32>,
    /// Warm-up runs per language in each workload, not counted (default: the suite's)
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub warmup: Option<u32>,
    /// Pin each run to the first N CPUs, for each N of the list (and pass workers=N)
    #[arg(long, value_delimiter = ',', value_name = "N,M")]
    pub cpus: Option<Vec<usize>>,
    /// Time limit of one run in seconds (default: the workload's)
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: Option<u64>,
    /// Before each workload's block, wait up to this long (e.g. 30m) for the machine's
    /// steadiness probe to read steady; the block runs either way
    #[arg(long, value_name = "DURATION", value_parser = parse_wait)]
    pub wait_steady: Option<Duration>,
    /// The most time the sampling may take in all (e.g. 12m, 90s): the planned samples all
    /// run, then runs a verdict or a first tier needs get extra samples until decided or the
    /// budget is spent (default: the suite's, 12m for standard; 0: no extra samples)
    #[arg(long, value_name = "DURATION", value_parser = session::parse_budget)]
    pub budget: Option<Duration>,
    /// Results file (default: concbench-results/<suite>-<time>.json)
    // The help text is also clap's: `<suite>` stays as the user should read it.
    #[allow(rustdoc::invalid_html_tags)]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Which Go and Python to use (`--go`, `--python`).
    #[command(flatten)]
    pub toolchains: ToolchainArgs,
}

/// Runs the command line and returns the process exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    2
                } else {
                    0
                };
            }
            // One line, not clap's usage block.
            let rendered = e.render().to_string();
            let mut lines = rendered.lines();
            let mut first = lines
                .next()
                .unwrap_or("bad usage")
                .trim_start_matches("error: ")
                .to_string();
            // "the following required arguments were not provided:" names them below.
            if first.ends_with(':') {
                for more in lines.take_while(|l| !l.trim().is_empty()) {
                    first = format!("{first} {}", more.trim());
                }
            }
            eprintln!("concbench: {first} (see concbench --help)");
            return 2;
        }
    };
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) if e.downcast_ref::<UsageError>().is_some() => {
            eprintln!("concbench: {e}");
            2
        }
        Err(e) => {
            eprintln!("concbench: error: {e:#}");
            1
        }
    }
}

fn dispatch(cli: Cli) -> Result<i32> {
    // A suite of one's own (CONCBENCH_SUITE) is checked before anything uses it.
    if let Err(e) = Catalogue::in_use()
        .and_then(|_| crate::catalogue::models::ModelTable::in_use())
        .and_then(|_| crate::catalogue::claims::ClaimsTable::in_use())
    {
        return Err(UsageError(format!("the suite files are not valid: {e:#}")).into());
    }
    match cli.command {
        Command::List(args) => list(&args),
        Command::Run(args) => run(&args),
        Command::Report(args) => report(&args),
        Command::Compare(args) => compare(&args),
        Command::Doctor(args) => doctor(&args),
        Command::Claims(args) => claims(&args),
        Command::Models(args) => models(&args),
        Command::Advise(args) => advise::advise(&args),
    }
}

fn doctor(args: &DoctorArgs) -> Result<i32> {
    let findings = crate::machine::doctor::examine();
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&findings)?),
        _ => print!("{}", terminal::render_doctor(&findings)),
    }
    Ok(0)
}

fn report(args: &ReportArgs) -> Result<i32> {
    let file = ResultsFile::load(&args.file)?;
    let mut report = Report::new(Catalogue::embedded(), &file);
    if let Some(profile) = advise::profile(&args.profile)? {
        report.advice = Some(crate::run::advice::for_machine(
            &profile,
            &file,
            &report.analysis,
        ));
    }
    let bytes = report.render(args.format)?.into_bytes();
    match &args.out {
        Some(path) => {
            std::fs::write(path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("concbench: report written to {}", path.display());
        }
        None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
    }
    Ok(0)
}

fn compare(args: &CompareArgs) -> Result<i32> {
    let base = ResultsFile::load(&args.base)?;
    let new = ResultsFile::load(&args.new)?;
    let comparison = crate::analysis::compare::compare_conclusions(
        Catalogue::embedded(),
        crate::analysis::claims::ClaimsTable::embedded(),
        &base,
        &new,
    );
    let document = ComparisonDocument {
        base: &base,
        new: &new,
        comparison: &comparison,
    };
    print!("{}", document.render(args.format)?);
    Ok(0)
}

/// FILE, or the newest results file in `concbench-results/`.
fn results_path(file: &Option<PathBuf>) -> Result<PathBuf> {
    if let Some(f) = file {
        return Ok(f.clone());
    }
    newest_results().ok_or_else(|| {
        UsageError(format!(
            "no results file in {RESULTS_DIR}/: run `concbench run` first, or name a results file"
        ))
        .into()
    })
}

fn claims(args: &ClaimsArgs) -> Result<i32> {
    let path = results_path(&args.file)?;
    let file = ResultsFile::load(&path)?;
    let catalogue = Catalogue::embedded();
    let session = (!args.no_run)
        .then(|| session::session(catalogue, &args.toolchains, Duration::ZERO, args.budget));
    let decided = crate::run::claims::decide(
        catalogue,
        &file,
        path.display().to_string(),
        session.as_ref(),
    )?;
    let document = ClaimsDocument {
        claims: &decided.claims,
        sources: decided.sources,
        files: std::iter::once(&file)
            .chain(decided.measured.as_ref())
            .collect(),
    };
    print!("{}", document.render(args.format)?);
    Ok(0)
}

fn models(args: &ModelsArgs) -> Result<i32> {
    let path = results_path(&args.file)?;
    let file = ResultsFile::load(&path)?;
    let report = Report::new(Catalogue::embedded(), &file);
    let document = ModelsDocument {
        rows: &report.models,
        source: path.display().to_string(),
    };
    print!("{}", document.render(args.format)?);
    Ok(0)
}

fn list(args: &ListArgs) -> Result<i32> {
    let catalogue = Catalogue::embedded();
    let opts = ToolchainOptions::new(args.toolchains.go.clone(), args.toolchains.python.clone())?;
    let toolchains = Toolchains::prepare(&opts, Lang::all(), &mut log_step);
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&listing::catalogue_json(catalogue, &toolchains))?
        ),
        _ => print!("{}", terminal::render_catalogue(catalogue, &toolchains)),
    }
    Ok(0)
}

fn run(args: &RunArgs) -> Result<i32> {
    let catalogue = Catalogue::embedded();
    let selection = Selection {
        suite: args.suite.clone(),
        workloads: args.workloads.clone(),
        models: args.models.clone(),
        sets: args.sets.clone(),
        cpus: args.cpus.clone(),
        timeout: args.timeout.map(Duration::from_secs),
        runs: args.runs,
        warmup: args.warmup,
    };
    let machine = Machine::current();
    let plan = plan::build(catalogue, &selection, machine.allowed_cpus.len())?;
    if plan.is_empty() {
        return Err(UsageError("nothing to run: the selection matches no model".into()).into());
    }
    let wait_steady = args.wait_steady.unwrap_or_default();
    let session = session::session(catalogue, &args.toolchains, wait_steady, args.budget);
    let (file, out) = session.execute(&plan, &args.suite, args.out.clone(), machine)?;
    let report = Report::new(catalogue, &file);
    print!("{}", report.render(Format::Terminal)?);
    // The same view as a page beside the results file: same stem, `.html`.
    let page = out.with_extension(Format::Html.extension());
    let page_written = match report
        .render(Format::Html)
        .and_then(|text| Ok(std::fs::write(&page, text)?))
    {
        Ok(()) => true,
        Err(e) => {
            eprintln!(
                "concbench: cannot write the HTML report {}: {e:#}",
                page.display()
            );
            false
        }
    };

    let valid = file.runs.iter().filter(|r| r.valid).count();
    let failed = file.runs.iter().filter(|r| r.status.is_failure()).count();
    let skipped = file.runs.iter().filter(|r| r.status.is_skipped()).count();
    println!(
        "\n{} runs: {valid} valid, {failed} failed, {skipped} unavailable or refused · results: {}",
        file.runs.len(),
        out.display()
    );
    if page_written {
        println!("report: {}", page.display());
    }
    if !report.claims.is_empty() {
        println!(
            "{} (`concbench claims {}` for each with its rule and runs)",
            crate::report::sections::claims::tally_line(&report.claims),
            out.display()
        );
    }
    if file.interrupted {
        eprintln!(
            "concbench: interrupted; the runs measured so far are in {}",
            out.display()
        );
        return Ok(130);
    }
    Ok(if valid == 0 || failed > 0 { 1 } else { 0 })
}
