//! The documents the command line prints, each assembled from the sections and rendered
//! through [`Render`](super::Render): the report, and the answers of `claims`, `models`,
//! `advise` and `compare`.

pub mod answers;
pub mod report;
