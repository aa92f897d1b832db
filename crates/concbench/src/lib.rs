//! concbench: Go, Python or Rust — and which concurrency model? Measured on your machine.
//!
//! The harness runs the same workloads under the concurrency models of three languages, each
//! implementation in its own process, checks every answer against its own reference, and
//! measures time, CPU and memory from outside. Then it turns the numbers into answers. One
//! folder per concern, each depending only on those listed before it:
//!
//! - [`format`](mod@format): how durations and sizes read (the one formatter)
//! - [`stats`]: statistics, no I/O: descriptive figures, distribution-free intervals that
//!   carry the confidence level they really have, ratios of paired samples, decisions read
//!   from an interval, the bootstrap and the rank test
//! - [`catalogue`]: workloads, models and sizes, the comparison table's words, the claims
//!   and the advice presets (from `suite/`), the reference answers, and a selection of runs
//!   as the command line writes it
//! - [`exec`]: running one child process and measuring it from outside: the process, its
//!   CPU affinity, its memory, its report
//! - [`machine`]: what machine this is, its limits, its steadiness, and `doctor`
//! - [`toolchain`]: finding and building each language's implementations
//! - [`results`]: the versioned results file and a run's typed outcome
//! - [`analysis`]: from a results file to figures and findings, no I/O: summaries,
//!   warnings, the analysis view, findings, comparisons, the claims checked, the models
//!   table, advice for a workload profile
//! - [`run`]: planning and executing a suite: a session (toolchains, Ctrl-C, the runner,
//!   the safety checks) from a plan to its results file, the io-server's server and load
//!   generator, and the runs `claims` and `advise` make for what a results file lacks
//! - [`output`]: progress, terminal tables, and `list`'s JSON
//! - [`report`]: the documents (the report, claims, models, advice, a comparison), each in
//!   the formats its subcommand has: terminal, JSON, HTML, Markdown, CSV
//! - [`cli`]: the command line: parses, validates and dispatches
//!
//! `tests/layout.rs` fails when a module imports one that comes after it in this list.

#![warn(missing_docs)]

pub mod analysis;
pub mod catalogue;
pub mod cli;
pub mod exec;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod format;
pub mod machine;
pub mod output;
pub mod report;
pub mod results;
pub mod run;
pub mod stats;
pub mod toolchain;

/// Bad usage or bad input: the message says what is wrong and what to do; exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
