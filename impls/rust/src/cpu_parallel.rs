//! cpu-parallel: the article's process-pool sample. Task k (0 <= k < tasks) computes
//! `s_k = Σ_{i < n+k} i*i`; the checksum is `Σ_k s_k` (wrapping u64), ops = tasks.

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

/// Hides `x` from the optimiser while keeping it in a register. Without it LLVM replaces
/// the loop by the closed form of Σi², and the time would stop growing with n.
/// `std::hint::black_box` would also do, but it sends `x` through the stack on every
/// iteration: a store and a load that Go's loop does not do. With the loop counter made
/// opaque, `task` compiles to the same six instructions as Go's `taskSum`
/// (mov, imul, add, inc, cmp, jb).
#[inline(always)]
fn opaque(x: u64) -> u64 {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        let mut x = x;
        // SAFETY: an empty template; the register is only declared read and written.
        unsafe { std::arch::asm!("/* {0} */", inout(reg) x, options(pure, nomem, nostack)) };
        x
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        std::hint::black_box(x)
    }
}

/// Task k: the sum of i*i for i < n + k, wrapping.
///
/// Never inlined, like Go's `taskSum`: every model then runs the very same machine code for
/// the loop. Inlined into each model, its copies were laid out differently and ran at
/// different speeds (rust-threads' copy ~35% slower than rayon's): code placement, not
/// concurrency. `.cargo/config.toml` aligns loops to 32 bytes for the same reason.
#[inline(never)]
fn task(n: u64, k: u64) -> u64 {
    let end = n + k;
    let (mut sum, mut i) = (0u64, 0u64);
    while i < end {
        sum = sum.wrapping_add(i.wrapping_mul(i));
        i = opaque(i + 1);
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
