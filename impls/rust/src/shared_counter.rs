//! shared-counter: the article's Rust `Arc<Mutex>` sample, scaled. `units` threads each add
//! 1 to one shared counter `increments` times; the checksum is the final counter, ops =
//! units × increments.
//!
//! Rust has no racy model, because the unsynchronised version does not compile. Threads
//! that increment a plain shared `u64` are refused: with `thread::spawn` the borrow may
//! outlive `main` and is mutable more than once (the whole program, the article's sample
//! without its `Mutex`, in scoped threads, is `impls/rust/compile_fail/scoped_counter.rs`,
//! which `concbench run` compiles and records as a compile-fail safety check),
//!
//! ```compile_fail,E0373,E0499
//! use std::thread;
//!
//! let mut counter = 0u64;
//! let mut handles = vec![];
//! for _ in 0..10 {
//!     handles.push(thread::spawn(|| counter += 1));
//! }
//! for handle in handles {
//!     handle.join().unwrap();
//! }
//! ```
//!
//! and scoped threads, which fix the lifetime, still cannot share one `&mut`:
//!
//! ```compile_fail,E0499
//! let mut counter = 0u64;
//! std::thread::scope(|s| {
//!     for _ in 0..10 {
//!         s.spawn(|| counter += 1);
//!     }
//! });
//! ```
//!
//! Sharing through an `Arc` alone gives read-only access:
//!
//! ```compile_fail,E0594
//! use std::sync::Arc;
//! use std::thread;
//!
//! let counter = Arc::new(0u64);
//! let mut handles = vec![];
//! for _ in 0..10 {
//!     let counter = Arc::clone(&counter);
//!     handles.push(thread::spawn(move || *counter += 1));
//! }
//! for handle in handles {
//!     handle.join().unwrap();
//! }
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::Instant;

use crate::protocol::{Args, Model, Outcome, Param, Workload};

/// The shared-counter workload and its Rust models.
pub const WORKLOAD: Workload = Workload {
    name: "shared-counter",
    params: &[
        Param::new("units", 1, 100_000),
        Param::new("increments", 0, 1_000_000_000),
    ],
    models: &[
        Model::new("rust-seq", seq),
        Model::new("rust-mutex-local", mutex_local),
        Model::new("rust-mutex", mutex),
        Model::new("rust-atomic", atomic),
        Model::new("rust-channel", channel),
    ],
};

#[derive(Clone, Copy)]
struct Params {
    units: u64,
    increments: u64,
}

impl From<&Args> for Params {
    fn from(args: &Args) -> Self {
        Params {
            units: args.get("units"),
            increments: args.get("increments"),
        }
    }
}

/// Spawns `units` threads running `unit` and joins them all.
fn spawn_and_join(units: u64, unit: impl Fn() + Clone + Send + 'static) {
    let handles: Vec<_> = (0..units).map(|_| thread::spawn(unit.clone())).collect();
    for handle in handles {
        handle.join().expect("a unit panicked");
    }
}

/// rust-seq: no concurrency: one thread owns a plain `u64` and does every unit's increments
/// one after another. The yardstick for the claim that an uncontended `Mutex` costs nothing
/// (rust-mutex and rust-atomic at `units = 1`).
///
/// Each increment must be a real load, add and store, as in the other models: without a
/// barrier LLVM turns the loop into one `counter = units × increments`. `black_box` is the
/// barrier: std documents it as "best effort", and rustc implements it as an empty `asm!`
/// block that is given the value's address and may read and write any memory, so the
/// compiler must store `counter` before each call and load it after (it cannot keep it in a
/// register or fold two iterations into one add). The release build's inner loop is
/// `mov %r12,0x8(%rsp); mov 0x8(%rsp),%r12; inc %r12` (objdump, rustc 1.95). The test
/// `rust_seq_does_every_increment` checks the consequence: 10× the increments take about
/// 10× as long.
fn seq(args: &Args) -> Outcome {
    let p = Params::from(args);
    let start = Instant::now();
    let mut counter = 0u64;
    for _ in 0..p.units {
        for _ in 0..p.increments {
            counter = std::hint::black_box(counter).wrapping_add(1);
        }
    }
    Outcome::since(start, counter, p.units * p.increments)
}

/// rust-mutex-local: no concurrency: one thread owns a `Mutex<u64>` that no other thread
/// ever sees (no `Arc`, no spawn) and locks it for every unit's increments, one after
/// another. What "Mutex in a single-threaded context" costs against rust-seq's plain
/// counter: std's Mutex has no single-threaded mode, so each increment pays its lock (a
/// compare-and-swap) and its unlock (a swap), uncontended. The lock is a compiler barrier,
/// so every increment loads and stores the counter, as in rust-seq.
fn mutex_local(args: &Args) -> Outcome {
    let p = Params::from(args);
    let start = Instant::now();
    let counter = Mutex::new(0u64);
    for _ in 0..p.units {
        for _ in 0..p.increments {
            *counter.lock().expect("counter lock poisoned") += 1;
        }
    }
    let total = counter.into_inner().expect("counter lock poisoned");
    Outcome::since(start, total, p.units * p.increments)
}

/// rust-mutex: the article's sample: `Arc<Mutex<u64>>`, `thread::spawn`, join; each
/// increment takes the lock.
fn mutex(args: &Args) -> Outcome {
    let p = Params::from(args);
    let counter = Arc::new(Mutex::new(0u64));
    let start = Instant::now();
    let shared = Arc::clone(&counter);
    spawn_and_join(p.units, move || {
        for _ in 0..p.increments {
            *shared.lock().expect("counter lock poisoned") += 1;
        }
    });
    let total = *counter.lock().expect("counter lock poisoned");
    Outcome::since(start, total, p.units * p.increments)
}

/// rust-atomic: `Arc<AtomicU64>` and `fetch_add`.
fn atomic(args: &Args) -> Outcome {
    let p = Params::from(args);
    let counter = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let shared = Arc::clone(&counter);
    spawn_and_join(p.units, move || {
        for _ in 0..p.increments {
            // Relaxed is enough: a read-modify-write is atomic at any ordering, so no
            // increment is lost, and join() orders every increment before the final load.
            shared.fetch_add(1, Ordering::Relaxed);
        }
    });
    let total = counter.load(Ordering::Relaxed);
    Outcome::since(start, total, p.units * p.increments)
}

/// rust-channel: the counter is owned by one thread; the units send it their increments
/// over a std mpsc channel, and it counts until every sender has hung up.
fn channel(args: &Args) -> Outcome {
    let p = Params::from(args);
    let (tx, rx) = mpsc::channel::<u64>();
    let start = Instant::now();
    let owner = thread::spawn(move || rx.iter().fold(0u64, u64::wrapping_add));
    spawn_and_join(p.units, move || {
        for _ in 0..p.increments {
            tx.send(1).expect("the owner hung up");
        }
    });
    let total = owner.join().expect("the owner panicked");
    Outcome::since(start, total, p.units * p.increments)
}
