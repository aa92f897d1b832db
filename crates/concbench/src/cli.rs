//! The command line (README.md): parse, validate, dispatch; errors become one line and an
//! exit status (0 done, 1 the work failed, 2 bad usage or input, 130 interrupted).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::catalogue::{Catalogue, Lang};
use crate::machine::Machine;
use crate::output::{progress, terminal};
use crate::report::{ClaimsDocument, ComparisonDocument, Format, ModelsDocument, Render, Report};
use crate::results::ResultsFile;
use crate::run::plan::{self, Selection, SetOverride};
use crate::run::runner::{self, RunConfig};
use crate::run::safety::{self, SafetyTools};
use crate::toolchain::{ToolchainOptions, Toolchains};
use crate::UsageError;

mod advise;
pub use advise::{AdviseArgs, ProfileArgs};

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

/// Which Go and Python to use.
#[derive(Debug, Clone, Args)]
pub struct ToolchainArgs {
    /// The `go` program to build with (default: `go` on PATH)
    #[arg(long, value_name = "PATH")]
    pub go: Option<PathBuf>,
    /// The Python interpreter to use, e.g. a free-threaded CPython (default: `python3` on PATH)
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
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
    /// Warm-up runs per model, not counted (default: the suite's)
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
    /// Results file (default: concbench-results/<suite>-<time>.json)
    // The help text is also clap's: `<suite>` stays as the user should read it.
    #[allow(rustdoc::invalid_html_tags)]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Which Go and Python to use (`--go`, `--python`).
    #[command(flatten)]
    pub toolchains: ToolchainArgs,
}

/// A `--wait-steady` bound: a duration in humantime's words (`90s`, `30m`, `1h`), at most a
/// day.
fn parse_wait(text: &str) -> std::result::Result<Duration, String> {
    let d = humantime::parse_duration(text)
        .map_err(|e| format!("{e}; give a duration such as 90s, 30m or 1h"))?;
    if d > Duration::from_secs(86_400) {
        return Err("at most 24h".into());
    }
    Ok(d)
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
        report.advice = Some(advise::compute(&profile, &file, &report.analysis));
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
    let comparison = crate::analysis::compare::compare(&base, &new);
    let document = ComparisonDocument {
        base: &base,
        new: &new,
        comparison: &comparison,
    };
    print!("{}", document.render(args.format)?);
    Ok(0)
}

/// The folder `run` writes results files to by default.
const RESULTS_DIR: &str = "concbench-results";

/// FILE, or the newest results file in `concbench-results/`.
fn results_path(file: &Option<PathBuf>) -> Result<PathBuf> {
    if let Some(f) = file {
        return Ok(f.clone());
    }
    let newest = std::fs::read_dir(RESULTS_DIR)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max();
    match newest {
        Some((_, path)) => Ok(path),
        None => Err(UsageError(format!(
            "no results file in {RESULTS_DIR}/: run `concbench run` first, or name a results file"
        ))
        .into()),
    }
}

fn claims(args: &ClaimsArgs) -> Result<i32> {
    use crate::analysis::claims::{self as decide, ClaimsTable};
    let path = results_path(&args.file)?;
    let file = ResultsFile::load(&path)?;
    let catalogue = Catalogue::embedded();
    let table = ClaimsTable::embedded();
    let report = Report::new(catalogue, &file);
    let mut results = report.claims.clone();
    let mut sources = vec![path.display().to_string()];
    let missing = decide::missing(&results);
    let mut measured = None;
    if !args.no_run && !missing.is_empty() {
        if let Some((quick_path, quick)) = measure_missing(catalogue, &missing, &args.toolchains)? {
            let view = crate::analysis::view::analyse(catalogue, &quick);
            let extra = decide::check(catalogue, table, &quick, &view);
            let label = quick_path.display().to_string();
            results = decide::merge(table, results, &extra, &label);
            sources.push(label);
            measured = Some(quick);
        }
    }
    let document = ClaimsDocument {
        claims: &results,
        sources,
        files: std::iter::once(&file).chain(measured.as_ref()).collect(),
    };
    print!("{}", document.render(args.format)?);
    Ok(0)
}

/// Runs, at quick size, what the claims' tests found missing; `None` when nothing can run
/// here (e.g. a test needs more CPUs than the machine has).
fn measure_missing(
    catalogue: &Catalogue,
    missing: &[crate::analysis::claims::MeasureSpec],
    toolchain_args: &ToolchainArgs,
) -> Result<Option<(PathBuf, ResultsFile)>> {
    let machine = Machine::current();
    let cpus = machine.allowed_cpus.len();
    let mut plan = Vec::new();
    for m in missing.iter().filter(|m| !m.safety && m.min_cpus <= cpus) {
        let selection = Selection {
            suite: "quick".into(),
            workloads: Some(vec![m.workload.clone()]),
            models: (!m.models.is_empty()).then(|| m.models.clone()),
            sets: m
                .sets
                .iter()
                .map(|(param, value)| SetOverride {
                    workload: m.workload.clone(),
                    param: param.clone(),
                    value: *value,
                })
                .collect(),
            cpus: None,
            timeout: None,
            runs: None,
            warmup: None,
        };
        for spec in plan::build(catalogue, &selection, cpus)? {
            if !plan.contains(&spec) {
                plan.push(spec);
            }
        }
    }
    let safety = missing.iter().any(|m| m.safety);
    if plan.is_empty() && !safety {
        return Ok(None);
    }
    eprintln!(
        "concbench: the results file cannot decide every claim; measuring {} runs at quick size{} (--no-run only reads)",
        plan.len(),
        if safety { " and making the safety checks" } else { "" }
    );
    let stamp = humantime::format_rfc3339_seconds(SystemTime::now())
        .to_string()
        .replace([':', '-'], "");
    let out = PathBuf::from(RESULTS_DIR).join(format!("claims-quick-{stamp}.json"));
    let (mut file, out) = if plan.is_empty() {
        let file = ResultsFile::new(
            "quick",
            std::env::args().collect(),
            machine,
            BTreeMap::new(),
        );
        file.write_atomic(&out)?;
        (file, out)
    } else {
        execute_plan(
            catalogue,
            &plan,
            "quick",
            Some(out),
            toolchain_args,
            machine,
            Duration::ZERO,
        )?
    };
    // A plan with shared-counter made the checks already.
    if safety && file.safety.is_empty() && !file.interrupted {
        let opts = ToolchainOptions::new(toolchain_args.go.clone(), toolchain_args.python.clone())?;
        file.safety = crate::run::safety::check_all(catalogue, &opts, &mut log_step);
        file.write_atomic(&out)?;
    }
    Ok(Some((out, file)))
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

fn log_step(msg: &str) {
    eprintln!("concbench: {msg}");
}

fn list(args: &ListArgs) -> Result<i32> {
    let catalogue = Catalogue::embedded();
    let opts = ToolchainOptions::new(args.toolchains.go.clone(), args.toolchains.python.clone())?;
    let toolchains = Toolchains::prepare(&opts, &Lang::ALL, &mut log_step);
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&catalogue_json(catalogue, &toolchains))?
        ),
        _ => print!("{}", terminal::render_catalogue(catalogue, &toolchains)),
    }
    Ok(0)
}

/// The catalogue and the toolchains as JSON, for scripts.
fn catalogue_json(catalogue: &Catalogue, toolchains: &Toolchains) -> serde_json::Value {
    use serde_json::json;
    let langs: serde_json::Map<String, serde_json::Value> = toolchains
        .langs
        .iter()
        .map(|(lang, imp)| {
            let value = match imp {
                Ok(imp) => json!({
                    "available": true,
                    "runtime": imp.runtime,
                    "program": imp.program,
                    "numpy": imp.numpy,
                }),
                Err(why) => json!({"available": false, "reason": why.reason, "hint": why.hint}),
            };
            (lang.name().to_string(), value)
        })
        .collect();
    let workloads: Vec<serde_json::Value> = catalogue
        .workloads
        .iter()
        .map(|w| {
            let models: Vec<serde_json::Value> = w
                .models
                .iter()
                .map(|m| {
                    let mut v = serde_json::to_value(m).expect("serialisable");
                    let unavailable = toolchains.implementation_for(m.lang, &w.name, &m.id).err();
                    v["available"] = json!(unavailable.is_none());
                    v["unavailable"] = json!(unavailable.map(|u| u.to_string()));
                    v
                })
                .collect();
            json!({
                "name": w.name,
                "title": w.title,
                "from": w.from,
                "op": w.op,
                "params": w.params,
                "suites": w.suites.keys().collect::<Vec<_>>(),
                "models": models,
            })
        })
        .collect();
    json!({"toolchains": langs, "workloads": workloads})
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
    let (file, out) = execute_plan(
        catalogue,
        &plan,
        &args.suite,
        args.out.clone(),
        &args.toolchains,
        machine,
        args.wait_steady.unwrap_or_default(),
    )?;
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

/// Prepares the toolchains `plan` needs, runs it with progress on stderr and writes its
/// results file to `out` (default: `concbench-results/<suite>-<time>.json`).
fn execute_plan(
    catalogue: &Catalogue,
    plan: &[crate::run::plan::RunSpec],
    suite: &str,
    out: Option<PathBuf>,
    toolchain_args: &ToolchainArgs,
    machine: Machine,
    wait_steady: Duration,
) -> Result<(ResultsFile, PathBuf)> {
    let mut langs: Vec<Lang> = plan.iter().map(|s| s.lang).collect();
    langs.sort();
    langs.dedup();
    let opts = ToolchainOptions::new(toolchain_args.go.clone(), toolchain_args.python.clone())?;
    let toolchains = Toolchains::prepare(&opts, &langs, &mut log_step);
    // The safety checks' programs are built now, with the others, so that no build runs
    // between measurements; the checks themselves run after the last block.
    let safety_tools = plan
        .iter()
        .any(|s| s.workload == safety::WORKLOAD)
        .then(|| SafetyTools::prepare(&opts, &mut log_step));

    let started = SystemTime::now();
    let out = out.unwrap_or_else(|| {
        let stamp = humantime::format_rfc3339_seconds(started)
            .to_string()
            .replace([':', '-'], "");
        PathBuf::from("concbench-results").join(format!("{suite}-{stamp}.json"))
    });
    let config = RunConfig {
        out: out.clone(),
        order_seed: started
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
        steadiness: true,
        settle: true,
        wait_steady,
    };
    let file = ResultsFile::new(
        suite,
        std::env::args().collect(),
        machine,
        toolchains.versions(),
    );
    install_interrupt_handler();
    let samples: u32 = plan.iter().map(|s| s.warmup + s.runs).sum();
    eprintln!(
        "concbench: {} runs, {samples} samples (warm-ups included) → {}",
        plan.len(),
        out.display()
    );
    let mut reporter = progress::for_stderr();
    let mut file = runner::execute(
        catalogue,
        &toolchains,
        plan,
        &config,
        file,
        reporter.as_mut(),
    )?;
    if let Some(tools) = safety_tools.filter(|_| !file.interrupted) {
        file.safety = tools.check(catalogue);
        for line in safety::summary_lines(&file.safety) {
            eprintln!("concbench: {line}");
        }
        file.write_atomic(&out)?;
    }
    Ok((file, out))
}

/// Ctrl-C stops the run in flight (its process group) and lets the runner save what it has.
fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        runner::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
        crate::exec::kill_current_run();
    });
}
