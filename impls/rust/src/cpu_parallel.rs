//! cpu-parallel: the article's process-pool sample. Task k (0 <= k < tasks) computes
//! `s_k = Σ_{i < n+k} i*i`; the checksum is `Σ_k s_k` (wrapping u64), ops = tasks.

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

use rayon::prelude::*;

use crate::protocol::{tokio_runtime, Args, Model, Outcome, Param, Workload};

/// The cpu-parallel workload and its Rust models.
pub const WORKLOAD: Workload = Workload {
    name: "cpu-parallel",
    params: &[
        Param::new("tasks", 1, 1_000_000),
        Param::new("n", 0, 10_000_000_000),
        Param::new("workers", 1, 1024),
    ],
    models: &[
        Model::new("rust-seq", seq),
        Model::new("rust-threads", threads),
        Model::new("rust-rayon", rayon_pool),
        Model::new("rust-tokio", tokio_tasks),
    ],
};

#[derive(Clone, Copy)]
struct Params {
    tasks: u64,
    n: u64,
    workers: usize,
}

impl From<&Args> for Params {
    fn from(args: &Args) -> Self {
        Params {
            tasks: args.get("tasks"),
            n: args.get("n"),
            workers: args.get_usize("workers"),
        }
    }
}

/// Task k: the sum of i*i for i < n + k, wrapping.
fn task(n: u64, k: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..n + k {
        // black_box hides i from the optimiser; without it LLVM replaces the loop by the
        // closed form of Σi², and the time would stop growing with n.
        let i = black_box(i);
        sum = sum.wrapping_add(i.wrapping_mul(i));
    }
    sum
}

/// rust-seq: a plain loop on the main thread; `workers` is ignored.
fn seq(args: &Args) -> Outcome {
    let p = Params::from(args);
    let start = Instant::now();
    let checksum = (0..p.tasks).fold(0u64, |sum, k| sum.wrapping_add(task(p.n, k)));
    Outcome::since(start, checksum, p.tasks)
}

/// rust-threads: `workers` scoped threads claim task numbers from a shared atomic index
/// until none is left; each returns its partial sum through join.
fn threads(args: &Args) -> Outcome {
    let p = Params::from(args);
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let checksum = thread::scope(|scope| {
        let workers: Vec<_> = (0..p.workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut sum = 0u64;
                    loop {
                        // Relaxed: the index only hands out distinct numbers; the results
                        // travel back through join, which synchronises.
                        let k = next.fetch_add(1, Ordering::Relaxed) as u64;
                        if k >= p.tasks {
                            return sum;
                        }
                        sum = sum.wrapping_add(task(p.n, k));
                    }
                })
            })
            .collect();
        workers.into_iter().fold(0u64, |sum, worker| {
            sum.wrapping_add(worker.join().expect("a worker thread panicked"))
        })
    });
    Outcome::since(start, checksum, p.tasks)
}

/// rust-rayon: `into_par_iter` over the tasks on a rayon pool of `workers` threads.
fn rayon_pool(args: &Args) -> Outcome {
    let p = Params::from(args);
    let start = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(p.workers)
        .build()
        .unwrap_or_else(|e| panic!("cannot build the rayon pool: {e}"));
    let checksum = pool.install(|| {
        (0..p.tasks)
            .into_par_iter()
            .map(|k| task(p.n, k))
            .reduce(|| 0, u64::wrapping_add)
    });
    let result = Outcome::since(start, checksum, p.tasks);
    drop(pool); // teardown, after the answer is known
    result
}

/// rust-tokio: one `tokio::spawn` per task on a runtime of `workers` threads; the main
/// unit awaits every JoinHandle.
fn tokio_tasks(args: &Args) -> Outcome {
    let p = Params::from(args);
    let start = Instant::now();
    let runtime = tokio_runtime(Some(p.workers));
    let checksum = runtime.block_on(async {
        let handles: Vec<_> = (0..p.tasks)
            .map(|k| tokio::spawn(async move { task(p.n, k) }))
            .collect();
        let mut sum = 0u64;
        for handle in handles {
            sum = sum.wrapping_add(handle.await.expect("a task panicked"));
        }
        sum
    });
    let result = Outcome::since(start, checksum, p.tasks);
    drop(runtime); // teardown, after the answer is known
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_sums_squares_below_n_plus_k() {
        assert_eq!(task(0, 0), 0);
        assert_eq!(task(1, 0), 0);
        assert_eq!(task(10, 0), 285);
        assert_eq!(task(9, 1), 285);
    }
}
