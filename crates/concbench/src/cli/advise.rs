//! `concbench advise`: the profile from a preset, a file and flags; the results file; with
//! `--measure`, the runs the profile needs first; then the advice, rendered.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Args;

use super::session::{self, parse_wait, ToolchainArgs};
use crate::analysis::profile::{self, Layer, Profile, ProfileInput};
use crate::catalogue::Catalogue;
use crate::report::{AdviceDocument, Format, Render};
use crate::run::advice::{from_file, measure};
use crate::run::session::{newest_results, RESULTS_DIR};
use crate::UsageError;

/// A workload profile: a preset, a file, flags (each overriding the one before).
#[derive(Debug, Clone, Default, Args)]
pub struct ProfileArgs {
    /// Start from a preset of suite/presets.toml: gateway, data-pipeline, trading, background-jobs
    #[arg(long, value_name = "P")]
    pub preset: Option<String>,
    /// A TOML file with the profile's keys (concurrency, io_ms, cpu_ms, rate, ...)
    #[arg(long, value_name = "FILE.toml")]
    pub profile: Option<PathBuf>,
    /// Units or connections alive at once
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub concurrency: Option<f64>,
    /// Time each unit waits on I/O, ms
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub io_ms: Option<f64>,
    /// CPU work per unit, ms
    #[arg(long, value_name = "Y", allow_negative_numbers = true)]
    pub cpu_ms: Option<f64>,
    /// Requests or jobs per second to sustain
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    pub rate: Option<f64>,
    /// 99th-percentile latency target, ms
    #[arg(long, value_name = "Z", allow_negative_numbers = true)]
    pub p99_ms: Option<f64>,
    /// Memory budget of the whole service, MiB
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub memory_mb: Option<f64>,
    /// CPUs the service has (default: those the results were measured on)
    #[arg(long, value_name = "C", allow_negative_numbers = true)]
    pub cpus: Option<f64>,
    /// Only these languages (comma-separated: go, python, rust)
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub langs: Option<Vec<String>>,
    /// Only languages that prevent data races at compile time or detect them at run time
    #[arg(long)]
    pub safety_critical: bool,
}

/// Options of `concbench advise`.
#[derive(Debug, Clone, Args)]
pub struct AdviseArgs {
    /// The workload profile.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The results file to advise from (default: the newest in concbench-results/)
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// First run what the profile needs and the results lack (quick sizes), then advise
    #[arg(long)]
    pub measure: bool,
    /// With --measure: before each workload's block, wait up to this long (e.g. 30m) for the
    /// machine's steadiness probe to read steady; the block runs either way
    #[arg(long, value_name = "DURATION", value_parser = parse_wait, requires = "measure")]
    pub wait_steady: Option<Duration>,
    /// With --measure: the most time the runs' sampling may take in all (e.g. 5m); extra
    /// samples, where the advice's ranking needs them, fill what the planned ones leave
    /// (default: the suite's; 0: none)
    #[arg(long, value_name = "DURATION", value_parser = session::parse_budget, requires = "measure")]
    pub budget: Option<Duration>,
    /// Output format
    #[arg(long, default_value = "terminal", value_parser = Format::among(AdviceDocument::FORMATS))]
    pub format: Format,
    /// Which Go and Python to use (`--go`, `--python`), for `--measure`.
    #[command(flatten)]
    pub toolchains: ToolchainArgs,
}

/// The profile the arguments give, or `None` when they give none.
pub fn profile(args: &ProfileArgs) -> Result<Option<Profile>> {
    let flags = ProfileInput {
        about: None,
        concurrency: args.concurrency,
        io_ms: args.io_ms,
        cpu_ms: args.cpu_ms,
        rate: args.rate,
        p99_ms: args.p99_ms,
        memory_mb: args.memory_mb,
        cpus: args.cpus,
        langs: args.langs.clone(),
        safety_critical: args.safety_critical.then_some(true),
    };
    if args.preset.is_none() && args.profile.is_none() && flags == ProfileInput::default() {
        return Ok(None);
    }
    let mut layers: Vec<(ProfileInput, Layer)> = Vec::new();
    if let Some(name) = &args.preset {
        layers.push((profile::preset(name)?.clone(), Layer::Keys(name)));
    }
    let origin = args.profile.as_ref().map(|p| p.display().to_string());
    if let (Some(path), Some(origin)) = (&args.profile, &origin) {
        let text = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read profile {origin}: {e}")))?;
        layers.push((profile::parse_file(&text, origin)?, Layer::Keys(origin)));
    }
    layers.push((flags, Layer::Flags));
    Ok(Some(profile::build(args.preset.as_deref(), &layers)?))
}

/// `concbench advise`.
pub fn advise(args: &AdviseArgs) -> Result<i32> {
    let profile = profile(&args.profile)?.ok_or_else(|| {
        UsageError(format!(
            "advise needs a profile: --preset P ({}) or --concurrency N with --io-ms X or --cpu-ms Y",
            profile::presets().keys().cloned().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let mut path = args.results.clone().or_else(newest_results);
    if path.is_none() && !args.measure {
        let needs = if profile.io_bound() {
            "io-server"
        } else {
            "worker-pool,cpu-parallel,spawn-idle"
        };
        return Err(UsageError(format!(
            "no results file in {RESULTS_DIR}/: run `concbench run --suite quick --workloads \
             {needs}` first, give --results FILE, or add --measure"
        ))
        .into());
    }
    let mut advised = path
        .as_deref()
        .map(|p| from_file(&profile, p))
        .transpose()?;
    if args.measure {
        let wait_steady = args.wait_steady.unwrap_or_default();
        let session = session::session(
            Catalogue::embedded(),
            &args.toolchains,
            wait_steady,
            args.budget,
        );
        let lacking = advised.as_ref().map(|(_, advice)| advice);
        if let Some(out) = measure(&session, &profile, lacking)? {
            advised = Some(from_file(&profile, &out)?);
            path = Some(out);
        }
    }
    let (file, advice) = advised.expect("a results file, given or measured");
    let path = path.expect("a results file");
    let source = format!(
        "{} (suite {}, {})",
        path.display(),
        file.suite,
        file.started_at
    );
    let document = AdviceDocument {
        advice: &advice,
        source,
    };
    print!("{}", document.render(args.format)?);
    Ok(0)
}
