//! concbench's Rust implementations: every workload of `suite/workloads/` under std
//! threads, rayon, crossbeam, tokio and hyper, behind the protocol of impls/README.md. One module
//! per workload, mirroring the Go and Python trees file for file.

pub mod cpu_parallel;
pub mod io_server;
pub mod mixed_service;
pub mod ping_pong;
pub mod prime_sieve;
pub mod protocol;
pub mod safety_kernels;
pub mod shared_counter;
pub mod spawn_idle;
pub mod worker_pool;
pub mod xorshift;

use protocol::Workload;

/// Every workload this program implements, in the order `--list` shows them.
pub static WORKLOADS: &[Workload] = &[
    cpu_parallel::WORKLOAD,
    worker_pool::WORKLOAD,
    shared_counter::WORKLOAD,
    spawn_idle::WORKLOAD,
    ping_pong::WORKLOAD,
    prime_sieve::WORKLOAD,
    io_server::WORKLOAD,
    mixed_service::WORKLOAD,
    safety_kernels::WORKLOAD,
];
