//! concbench: Go, Python or Rust — and which concurrency model? Measured on your machine.
//!
//! The harness runs the same workloads under the concurrency models of three languages, each
//! implementation in its own process, checks every answer against its own reference, and
//! measures time, CPU and memory from outside. One module per concern:
//!
//! - [`suite`]: the catalogue of workloads, models and sizes (from `suite/`)
//! - [`plan`]: the command line's choices turned into runs
//! - [`toolchain`]: finding Go, Python and cargo, and building the implementations
//! - [`measure`]: running one child process and measuring it from outside
//! - [`protocol`]: reading an implementation's report
//! - [`reference`](mod@reference): the harness's own checksums
//! - [`io_server`]: one io-server sample: server, load, stop, checks
//! - [`loadgen`]: the io-server workload's HTTP load generator
//! - [`caps`]: limits for thread- and process-per-unit models
//! - [`runner`]: executing a plan, samples interleaved, results saved as they come
//! - [`stats`]: statistics, no I/O
//! - [`steadiness`]: how steadily this machine runs a fixed loop
//! - [`warnings`]: what weakens a run's numbers, and what to do
//! - [`results`]: the versioned results file
//! - [`compare`]: two results files, run by run, with significance tests
//! - [`machine`]: what machine a result came from
//! - [`doctor`]: a read-only check of the machine for benchmarking
//! - [`output`]: progress and tables

#![warn(missing_docs)]

pub mod caps;
pub mod cli;
pub mod compare;
pub mod doctor;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod io_server;
pub mod loadgen;
pub mod machine;
pub mod measure;
pub mod output;
pub mod plan;
pub mod protocol;
pub mod reference;
pub mod results;
pub mod runner;
pub mod stats;
pub mod steadiness;
pub mod suite;
pub mod toolchain;
pub mod warnings;

/// Bad usage or bad input: the message says what is wrong and what to do; exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
