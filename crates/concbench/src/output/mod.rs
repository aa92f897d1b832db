//! How results reach a person on a terminal: progress while running, tables afterwards.

pub mod progress;
pub mod terminal;
