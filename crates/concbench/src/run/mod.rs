//! Planning and executing a suite: the command line's choices turned into runs, a session
//! that carries a plan from its toolchains to its results file (Ctrl-C included), the runs
//! executed in blocks with their samples checked and saved, the io-server workload's server
//! handling and load generator, the safety checks (what each language does about an
//! unsynchronised counter), and the runs `claims` and `advise` make for what a results file
//! lacks.

pub mod advice;
pub mod claims;
pub mod extra;
pub mod interrupt;
pub mod io_server;
pub mod loadgen;
pub mod offered;
pub mod plan;
pub mod runner;
pub mod safety;
pub mod server_rounds;
pub mod session;
pub mod settle;
pub mod slot;
pub mod steady;
pub mod work;

pub use interrupt::Interrupt;
pub use session::Session;
