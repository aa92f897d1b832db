//! worker-pool: the article's Go channel sample, scaled. A producer sends j = 1..jobs into
//! a jobs channel of capacity `buffer`; `workers` workers each send `r = 2 * xs^spin(j)` into
//! a results channel of capacity `buffer`; the main unit collects every result. The
//! checksum is `Σ r` (wrapping u64), ops = jobs.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::Instant;

use crossbeam_queue::{ArrayQueue, SegQueue};
use crossbeam_utils::Backoff;

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
        Model::new("rust-array-queue", array_queue),
        Model::new("rust-seg-queue", seg_queue),
        Model::new("rust-mutex-deque", mutex_deque),
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

/// A queue the three queue models share a pool over: they differ in the data structure
/// only, so the comparison is lock-free against locked, not blocking against spinning.
trait JobQueue: Send + Sync + 'static {
    /// Adds `v`, or gives it back when the queue is full.
    fn try_push(&self, v: u64) -> Result<(), u64>;
    /// Takes the oldest value, if any.
    fn try_pop(&self) -> Option<u64>;
}

impl JobQueue for ArrayQueue<u64> {
    fn try_push(&self, v: u64) -> Result<(), u64> {
        self.push(v)
    }
    fn try_pop(&self) -> Option<u64> {
        self.pop()
    }
}

impl JobQueue for SegQueue<u64> {
    fn try_push(&self, v: u64) -> Result<(), u64> {
        self.push(v);
        Ok(())
    }
    fn try_pop(&self) -> Option<u64> {
        self.pop()
    }
}

/// `Mutex<VecDeque>` with a capacity: the locked queue a std-only program writes.
struct LockedDeque {
    queue: Mutex<VecDeque<u64>>,
    capacity: usize,
}

impl JobQueue for LockedDeque {
    fn try_push(&self, v: u64) -> Result<(), u64> {
        let mut q = self.queue.lock().expect("queue lock poisoned");
        if q.len() >= self.capacity {
            return Err(v);
        }
        q.push_back(v);
        Ok(())
    }
    fn try_pop(&self) -> Option<u64> {
        self.queue.lock().expect("queue lock poisoned").pop_front()
    }
}

/// Pushes `v`, backing off (spin, then yield) while the queue is full.
fn push_wait(q: &impl JobQueue, mut v: u64) {
    let backoff = Backoff::new();
    while let Err(back) = q.try_push(v) {
        v = back;
        backoff.snooze();
    }
}

/// The pool over two queues of type `Q`: a producer thread pushes j = 1..jobs into `jobs`,
/// `workers` threads pop jobs and push results, the main thread pops `jobs` results. A
/// queue that is empty or full is waited on with crossbeam's `Backoff` (spin, then
/// `yield_now`), the way lock-free queues are used: they have no blocking wait. Workers end
/// when the producer has finished and the jobs queue is empty.
fn queue_pool<Q: JobQueue>(p: Params, make: impl Fn() -> Q) -> Outcome {
    let (jobs, results) = (Arc::new(make()), Arc::new(make()));
    let produced = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let workers: Vec<_> = (0..p.workers)
        .map(|_| {
            let (jobs, results, produced) = (
                Arc::clone(&jobs),
                Arc::clone(&results),
                Arc::clone(&produced),
            );
            thread::spawn(move || {
                let backoff = Backoff::new();
                loop {
                    if let Some(j) = jobs.try_pop() {
                        push_wait(&*results, p.result(j));
                        backoff.reset();
                    } else if produced.load(Ordering::Acquire) {
                        // Every job was pushed before `produced` was set: one more pop
                        // after reading it sees any job still queued.
                        match jobs.try_pop() {
                            Some(j) => push_wait(&*results, p.result(j)),
                            None => return,
                        }
                    } else {
                        backoff.snooze();
                    }
                }
            })
        })
        .collect();
    let producer = {
        let jobs = Arc::clone(&jobs);
        thread::spawn(move || {
            for j in 1..=p.jobs {
                push_wait(&*jobs, j);
            }
            produced.store(true, Ordering::Release);
        })
    };
    let backoff = Backoff::new();
    let mut checksum = 0u64;
    for _ in 0..p.jobs {
        loop {
            if let Some(r) = results.try_pop() {
                checksum = checksum.wrapping_add(r);
                backoff.reset();
                break;
            }
            backoff.snooze();
        }
    }
    let result = Outcome::since(start, checksum, p.jobs);
    for unit in std::iter::once(producer).chain(workers) {
        unit.join().expect("a unit panicked");
    }
    result
}

/// rust-array-queue: crossbeam's lock-free bounded `ArrayQueue` (capacity `buffer`) for the
/// jobs and for the results.
fn array_queue(args: &Args) -> Outcome {
    let p = Params::from(args);
    queue_pool(p, || ArrayQueue::<u64>::new(p.buffer))
}

/// rust-seg-queue: crossbeam's lock-free unbounded `SegQueue` for the jobs and the results;
/// it has no capacity, so `buffer` does not bound it (the producer may run ahead).
fn seg_queue(args: &Args) -> Outcome {
    queue_pool(Params::from(args), SegQueue::<u64>::new)
}

/// rust-mutex-deque: a `Mutex<VecDeque>` of capacity `buffer` for the jobs and the results,
/// waited on the same way: the locked yardstick for the lock-free queues.
fn mutex_deque(args: &Args) -> Outcome {
    let p = Params::from(args);
    queue_pool(p, || LockedDeque {
        queue: Mutex::new(VecDeque::with_capacity(p.buffer)),
        capacity: p.buffer,
    })
}
