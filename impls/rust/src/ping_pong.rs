//! ping-pong: "a context switch costs about 100 ns". Two units pass a counter back and
//! forth, each adding 1 on receipt; after `rounds` round trips the counter (the checksum)
//! is 2 × rounds, and ops = 2 × rounds hand-offs.

use std::sync::mpsc;
use std::thread;
use std::time::Instant;

use crate::protocol::{tokio_runtime, Args, Model, Outcome, Param, Workload};

/// The ping-pong workload and its Rust models.
pub const WORKLOAD: Workload = Workload {
    name: "ping-pong",
    params: &[Param::new("rounds", 1, 1_000_000_000)],
    models: &[
        Model::new("rust-threads", threads::<StdChannel>),
        Model::new("rust-threads-unbounded", threads::<StdUnbounded>),
        Model::new("rust-crossbeam", threads::<CrossbeamChannel>),
        Model::new("rust-crossbeam-unbounded", threads::<CrossbeamUnbounded>),
        Model::new("rust-tokio", tokio_tasks),
    ],
};

/// A blocking channel, so that the std and crossbeam models share one body: a rendezvous
/// (capacity 0: every send waits for its receive), as Go's unbuffered channels, or the
/// unbounded channel of the usual Rust example (a send never waits).
///
/// The rendezvous costs std and crossbeam about three context switches per hand-off
/// where the unbounded channel costs one (impls/README.md has the figures), while Go's
/// unbuffered send hands the value straight to a parked receiver; hence both kinds.
trait Channel {
    type Sender: Send + 'static;
    type Receiver: Send + 'static;
    fn channel() -> (Self::Sender, Self::Receiver);
    /// False when the other side has hung up.
    fn send(tx: &Self::Sender, counter: u64) -> bool;
    /// None when the other side has hung up.
    fn recv(rx: &Self::Receiver) -> Option<u64>;
}

/// `std::sync::mpsc::sync_channel(0)`.
struct StdChannel;

impl Channel for StdChannel {
    type Sender = mpsc::SyncSender<u64>;
    type Receiver = mpsc::Receiver<u64>;
    fn channel() -> (Self::Sender, Self::Receiver) {
        mpsc::sync_channel(0)
    }
    fn send(tx: &Self::Sender, counter: u64) -> bool {
        tx.send(counter).is_ok()
    }
    fn recv(rx: &Self::Receiver) -> Option<u64> {
        rx.recv().ok()
    }
}

/// `crossbeam_channel::bounded(0)`.
struct CrossbeamChannel;

impl Channel for CrossbeamChannel {
    type Sender = crossbeam_channel::Sender<u64>;
    type Receiver = crossbeam_channel::Receiver<u64>;
    fn channel() -> (Self::Sender, Self::Receiver) {
        crossbeam_channel::bounded(0)
    }
    fn send(tx: &Self::Sender, counter: u64) -> bool {
        tx.send(counter).is_ok()
    }
    fn recv(rx: &Self::Receiver) -> Option<u64> {
        rx.recv().ok()
    }
}

/// `std::sync::mpsc::channel()`, std's default channel.
struct StdUnbounded;

impl Channel for StdUnbounded {
    type Sender = mpsc::Sender<u64>;
    type Receiver = mpsc::Receiver<u64>;
    fn channel() -> (Self::Sender, Self::Receiver) {
        mpsc::channel()
    }
    fn send(tx: &Self::Sender, counter: u64) -> bool {
        tx.send(counter).is_ok()
    }
    fn recv(rx: &Self::Receiver) -> Option<u64> {
        rx.recv().ok()
    }
}

/// `crossbeam_channel::unbounded()`.
struct CrossbeamUnbounded;

impl Channel for CrossbeamUnbounded {
    type Sender = crossbeam_channel::Sender<u64>;
    type Receiver = crossbeam_channel::Receiver<u64>;
    fn channel() -> (Self::Sender, Self::Receiver) {
        crossbeam_channel::unbounded()
    }
    fn send(tx: &Self::Sender, counter: u64) -> bool {
        tx.send(counter).is_ok()
    }
    fn recv(rx: &Self::Receiver) -> Option<u64> {
        rx.recv().ok()
    }
}

/// rust-threads, rust-crossbeam and their -unbounded twins: two threads and a channel each
/// way. The ping thread starts each of the `rounds` round trips and returns the counter;
/// the pong thread answers until ping hangs up.
fn threads<C: Channel>(args: &Args) -> Outcome {
    let rounds = args.get("rounds");
    let (ping_tx, ping_rx) = C::channel();
    let (pong_tx, pong_rx) = C::channel();
    let start = Instant::now();
    let pong = thread::spawn(move || {
        while let Some(counter) = C::recv(&ping_rx) {
            if !C::send(&pong_tx, counter + 1) {
                return;
            }
        }
    });
    let ping = thread::spawn(move || {
        let mut counter = 0u64;
        for _ in 0..rounds {
            assert!(C::send(&ping_tx, counter), "pong hung up");
            counter = C::recv(&pong_rx).expect("pong hung up") + 1;
        }
        counter
    });
    let counter = ping.join().expect("ping panicked");
    let result = Outcome::since(start, counter, 2 * rounds);
    pong.join().expect("pong panicked"); // ping's sender is gone, so pong ends
    result
}

/// rust-tokio: two spawned tasks and a `tokio::sync::mpsc::channel(1)` each way, on
/// tokio's default multi-thread runtime.
fn tokio_tasks(args: &Args) -> Outcome {
    let rounds = args.get("rounds");
    let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u64>(1);
    let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u64>(1);
    let start = Instant::now();
    let runtime = tokio_runtime(None);
    let counter = runtime.block_on(async move {
        tokio::spawn(async move {
            while let Some(counter) = ping_rx.recv().await {
                if pong_tx.send(counter + 1).await.is_err() {
                    return;
                }
            }
        });
        let ping = tokio::spawn(async move {
            let mut counter = 0u64;
            for _ in 0..rounds {
                ping_tx.send(counter).await.expect("pong hung up");
                counter = pong_rx.recv().await.expect("pong hung up") + 1;
            }
            counter
        });
        ping.await.expect("ping panicked")
    });
    let result = Outcome::since(start, counter, 2 * rounds);
    drop(runtime); // teardown: pong ends when ping's sender is dropped
    result
}
