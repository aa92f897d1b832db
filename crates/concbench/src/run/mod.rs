//! Planning and executing a suite: the command line's choices turned into runs, the runs
//! executed in blocks with their samples checked and saved, and the io-server workload's
//! server handling and load generator.

pub mod io_server;
pub mod loadgen;
pub mod plan;
pub mod runner;
pub mod settle;
