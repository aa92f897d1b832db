//! spawn-idle: "2 KB stacks, tens of thousands of goroutines". Spawn `units` units that each
//! block until released; once all are alive, read the resident memory (metric `rss_kb`);
//! release them and join. `spawn_ns` is the time from the first spawn until all are alive.
//! The checksum is the number of units that finished, ops = units.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use crate::protocol::{nanos, tokio_runtime, Args, Model, Outcome, Param, Workload};

/// The spawn-idle workload and its Rust models.
pub const WORKLOAD: Workload = Workload {
    name: "spawn-idle",
    params: &[Param::new("units", 0, 10_000_000)],
    models: &[
        Model::new("rust-threads", threads),
        Model::new("rust-tokio", tokio_tasks),
    ],
};

/// Resident memory of this process in kB (VmRSS of /proc/self/status).
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_else(|e| panic!("cannot read /proc/self/status: {e}"));
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("/proc/self/status has no VmRSS line")
}

/// The result line: the units that finished, one op per unit, and the two metrics.
fn outcome(start: Instant, units: u64, finished: u64, spawn: Duration, rss_kb: u64) -> Outcome {
    Outcome {
        metrics: vec![("rss_kb", rss_kb), ("spawn_ns", nanos(spawn))],
        ..Outcome::since(start, finished, units)
    }
}

/// Counts the units that have started, so that the main unit knows when all are alive.
struct RollCall {
    alive: AtomicU64,
    units: u64,
}

impl RollCall {
    fn new(units: u64) -> Self {
        RollCall {
            alive: AtomicU64::new(0),
            units,
        }
    }

    /// Records one more unit alive; true for the last one, which must wake the main unit.
    fn arrive(&self) -> bool {
        self.alive.fetch_add(1, Ordering::AcqRel) + 1 == self.units
    }

    /// Whether every unit has arrived.
    fn complete(&self) -> bool {
        self.alive.load(Ordering::Acquire) >= self.units
    }
}

/// What the threads share: the roll call, the main thread that the last arrival unparks,
/// and the barrier that releases them all.
struct ThreadGate {
    roll: RollCall,
    main: Thread,
    release: Barrier,
}

/// rust-threads: `std::thread::spawn` per unit (default stack size: its memory is what is
/// measured); each unit says it is alive, then blocks on a Barrier that the main thread
/// completes.
fn threads(args: &Args) -> Outcome {
    let units = args.get("units");
    let gate = Arc::new(ThreadGate {
        roll: RollCall::new(units),
        main: thread::current(),
        release: Barrier::new(args.get_usize("units") + 1),
    });
    let mut handles = Vec::with_capacity(args.get_usize("units"));
    let start = Instant::now();
    for _ in 0..units {
        let gate = Arc::clone(&gate);
        handles.push(thread::spawn(move || {
            if gate.roll.arrive() {
                gate.main.unpark();
            }
            gate.release.wait();
        }));
    }
    // park() may return spuriously, and an unpark that comes first is not lost.
    while !gate.roll.complete() {
        thread::park();
    }
    let spawn = start.elapsed();
    let rss = rss_kb();
    gate.release.wait();
    let mut finished = 0u64;
    for handle in handles {
        handle.join().expect("a unit panicked");
        finished += 1;
    }
    outcome(start, units, finished, spawn, rss)
}

/// What the tasks share: the roll call and the Notify that the last arrival signals.
struct TaskGate {
    roll: RollCall,
    all_alive: tokio::sync::Notify,
}

/// rust-tokio: `tokio::spawn` per unit on a multi-thread runtime of tokio's default size;
/// each task says it is alive, then awaits a `watch` channel that the main unit flips.
fn tokio_tasks(args: &Args) -> Outcome {
    let units = args.get("units");
    let gate = Arc::new(TaskGate {
        roll: RollCall::new(units),
        all_alive: tokio::sync::Notify::new(),
    });
    let (release_tx, release_rx) = tokio::sync::watch::channel(false);
    let mut handles = Vec::with_capacity(args.get_usize("units"));
    let start = Instant::now();
    let runtime = tokio_runtime(None);
    let (finished, spawn, rss) = runtime.block_on(async move {
        for _ in 0..units {
            let (gate, mut released) = (Arc::clone(&gate), release_rx.clone());
            handles.push(tokio::spawn(async move {
                if gate.roll.arrive() {
                    gate.all_alive.notify_one();
                }
                // The receiver was cloned before the release is sent, so changed() sees
                // the release even if this task first runs after it.
                released
                    .changed()
                    .await
                    .expect("the release sender lives until every unit is joined");
            }));
        }
        // notify_one stores a permit when nobody waits yet, so the wake-up is not lost.
        while !gate.roll.complete() {
            gate.all_alive.notified().await;
        }
        let spawn = start.elapsed();
        let rss = rss_kb();
        release_tx.send_replace(true);
        let mut finished = 0u64;
        for handle in handles {
            handle.await.expect("a unit panicked");
            finished += 1;
        }
        (finished, spawn, rss)
    });
    let result = outcome(start, units, finished, spawn, rss);
    drop(runtime); // teardown, after the answer is known
    result
}
