//! Planning and executing a suite: the command line's choices turned into runs, the runs
//! executed in blocks with their samples checked and saved, the io-server workload's
//! server handling and load generator, and the safety checks (what each language does
//! about an unsynchronised counter).

pub mod io_server;
pub mod loadgen;
pub mod plan;
pub mod runner;
pub mod safety;
pub mod settle;
pub mod steady;
