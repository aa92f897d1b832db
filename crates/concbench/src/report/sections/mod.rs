//! The report's sections, one subject to a file, each rendering its subject in the formats
//! that show it. A section uses only what lies below it (markup, words, the analysed file
//! and the charts), never another section: the documents assemble them.

pub mod advice;
pub mod claims;
pub mod comparison;
pub mod findings;
pub mod models;
pub mod runs;
pub mod samples;
pub mod source;
