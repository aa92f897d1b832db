//! From a results file to what it says, with no I/O: each run's summary, the warnings that
//! weaken its numbers, the analysis view (rankings, ratios, ties, speedups, per-unit
//! figures), the findings in plain sentences, the comparison of two files, and advice for a
//! workload profile. Every figure a person reads is computed here once; the terminal, the
//! reports, `compare`, `claims` and `advise` only render it.

pub mod advice;
pub mod claims;
pub mod compare;
pub mod findings;
pub mod models;
pub mod profile;
pub mod sampling;
pub mod summary;
pub mod view;
pub mod warnings;
