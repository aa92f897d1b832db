//! How results reach a person on a terminal: progress while running, tables afterwards; and
//! `list`'s catalogue as JSON for scripts.

pub mod listing;
pub mod progress;
pub mod terminal;
