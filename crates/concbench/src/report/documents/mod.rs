//! The documents the command line prints, each assembled from the sections and rendered
//! through [`Render`](crate::report::Render): the report (in every format, the HTML page
//! among them), and the answers of `claims`, `models`, `advise` and `compare`.

pub mod answers;
pub mod page;
pub mod report;
