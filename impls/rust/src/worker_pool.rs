//! worker-pool: the article's Go channel sample, scaled. A producer sends j = 1..jobs into
//! a jobs channel of capacity `buffer`; `workers` workers each send `r = 2 * xs^spin(j)` into
//! a results channel of capacity `buffer`; the main unit collects every result. The
//! checksum is `Σ r` (wrapping u64), ops = jobs.

use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::Instant;

use crate::protocol::{tokio_runtime, Args, Model, Outcome, Param, Workload};
use crate::xorshift::xs_k;

/// The worker-pool workload and its Rust models.
pub const WORKLOAD: Workload = Workload {
    name: "worker-pool",
    params: &[
        Param::new("jobs", 1, 1_000_000_000),
        Param::new("workers", 1, 1024),
        Param::new("buffer", 1, 1_000_000),
        Param::new("spin", 0, 1_000_000),
    ],
    models: &[
        Model::new("rust-std-mpsc", std_mpsc),
        Model::new("rust-crossbeam", crossbeam),
        Model::new("rust-tokio", tokio_tasks),
    ],
};

#[derive(Clone, Copy)]
struct Params {
    jobs: u64,
    workers: usize,
    buffer: usize,
    spin: u64,
}

impl From<&Args> for Params {
    fn from(args: &Args) -> Self {
        Params {
            jobs: args.get("jobs"),
            workers: args.get_usize("workers"),
            buffer: args.get_usize("buffer"),
            spin: args.get("spin"),
        }
    }
}

impl Params {
    /// A worker's work on job `j`.
    fn result(self, j: u64) -> u64 {
        xs_k(j, self.spin).wrapping_mul(2)
    }
}

/// rust-std-mpsc: std's channels are single-consumer, so the workers share the jobs
/// receiver behind a Mutex, the usual std-only worker pool.
fn std_mpsc(args: &Args) -> Outcome {
    let p = Params::from(args);
    let (job_tx, job_rx) = mpsc::sync_channel::<u64>(p.buffer);
    let (result_tx, result_rx) = mpsc::sync_channel::<u64>(p.buffer);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let start = Instant::now();
    let workers: Vec<_> = (0..p.workers)
        .map(|_| {
            let (job_rx, result_tx) = (Arc::clone(&job_rx), result_tx.clone());
            thread::spawn(move || loop {
                // The guard is a temporary: the lock is released before the work starts.
                let job = job_rx.lock().expect("jobs lock poisoned").recv();
                match job {
                    Ok(j) => result_tx.send(p.result(j)).expect("the collector hung up"),
                    Err(mpsc::RecvError) => return, // the producer is done
                }
            })
        })
        .collect();
    drop(result_tx); // only the workers send results
    produce_and_collect(
        p,
        start,
        workers,
        move |j| job_tx.send(j).expect("every worker hung up"),
        move || result_rx.recv().expect("every worker hung up"),
    )
}

/// rust-crossbeam: crossbeam's channels are multi-consumer, so each worker holds a clone
/// of the jobs receiver.
fn crossbeam(args: &Args) -> Outcome {
    let p = Params::from(args);
    let (job_tx, job_rx) = crossbeam_channel::bounded::<u64>(p.buffer);
    let (result_tx, result_rx) = crossbeam_channel::bounded::<u64>(p.buffer);
    let start = Instant::now();
    let workers: Vec<_> = (0..p.workers)
        .map(|_| {
            let (job_rx, result_tx) = (job_rx.clone(), result_tx.clone());
            thread::spawn(move || {
                for j in job_rx {
                    result_tx.send(p.result(j)).expect("the collector hung up");
                }
            })
        })
        .collect();
    drop((job_rx, result_tx)); // only the workers receive jobs and send results
    produce_and_collect(
        p,
        start,
        workers,
        move |j| job_tx.send(j).expect("every worker hung up"),
        move || result_rx.recv().expect("every worker hung up"),
    )
}

/// What the thread models share once their workers run: a producer thread sends j =
/// 1..jobs through `send`, and the main unit collects `jobs` results through `recv`.
/// Teardown follows: the producer has closed the jobs channel, so every worker ends.
fn produce_and_collect(
    p: Params,
    start: Instant,
    workers: Vec<thread::JoinHandle<()>>,
    send: impl FnMut(u64) + Send + 'static,
    mut recv: impl FnMut() -> u64,
) -> Outcome {
    let producer = thread::spawn(move || (1..=p.jobs).for_each(send));
    let checksum = (0..p.jobs).fold(0u64, |sum, _| sum.wrapping_add(recv()));
    let result = Outcome::since(start, checksum, p.jobs);
    for unit in std::iter::once(producer).chain(workers) {
        unit.join().expect("a unit panicked");
    }
    result
}

/// rust-tokio: `workers` tasks on a runtime of `workers` threads; tokio's mpsc is
/// single-consumer too, so the workers share the jobs receiver behind a tokio Mutex (held
/// across the `recv().await`, which is what an async Mutex is for).
fn tokio_tasks(args: &Args) -> Outcome {
    let p = Params::from(args);
    let (job_tx, job_rx) = tokio::sync::mpsc::channel::<u64>(p.buffer);
    let (result_tx, mut result_rx) = tokio::sync::mpsc::channel::<u64>(p.buffer);
    let job_rx = Arc::new(tokio::sync::Mutex::new(job_rx));
    let start = Instant::now();
    let runtime = tokio_runtime(Some(p.workers));
    let checksum = runtime.block_on(async move {
        for _ in 0..p.workers {
            let (job_rx, result_tx) = (Arc::clone(&job_rx), result_tx.clone());
            tokio::spawn(async move {
                loop {
                    let job = job_rx.lock().await.recv().await;
                    let Some(j) = job else { return }; // the producer is done
                    result_tx
                        .send(p.result(j))
                        .await
                        .expect("the collector hung up");
                }
            });
        }
        drop(result_tx); // only the workers send results
        tokio::spawn(async move {
            for j in 1..=p.jobs {
                job_tx.send(j).await.expect("every worker hung up");
            }
        });
        let mut sum = 0u64;
        for _ in 0..p.jobs {
            sum = sum.wrapping_add(result_rx.recv().await.expect("every worker hung up"));
        }
        sum
    });
    let result = Outcome::since(start, checksum, p.jobs);
    drop(runtime); // teardown: the workers have ended or end at shutdown
    result
}
