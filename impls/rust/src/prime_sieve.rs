//! prime-sieve: Go's concurrent daisy-chain sieve. A generator feeds 2, 3, 4, ... into a
//! channel; for each prime the main unit receives from the head of the chain, it starts a
//! filter unit that drops that prime's multiples and becomes the new head, with its own new
//! channel. Every channel has capacity `buffer` (0: a rendezvous, as Go's unbuffered
//! channels). The checksum is the sum of the first `primes` primes, ops = primes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Instant;

use crate::protocol::{tokio_runtime, Args, Model, Outcome, Param, Workload};

/// The prime-sieve workload and its Rust models.
pub const WORKLOAD: Workload = Workload {
    name: "prime-sieve",
    params: &[
        Param::new("primes", 1, 1_000_000),
        Param::new("buffer", 0, 10_000),
    ],
    models: &[
        Model::new("rust-crossbeam", crossbeam),
        Model::new("rust-tokio", tokio_tasks),
    ],
};

/// rust-crossbeam: a thread and a `crossbeam_channel::bounded(buffer)` per prime
/// (`bounded(0)` is a rendezvous: a send waits for its receive).
///
/// Teardown, once the answer is known: the generator is told to stop and the head receiver
/// is dropped. Each filter then ends either when its input runs dry (the chain unwinds from
/// the generator) or when its send fails (from the head), so every thread ends after a
/// handful of hand-offs and the scope joins them all. Dropping the head alone would leave
/// the filters near the generator waiting for the next number that survives them.
fn crossbeam(args: &Args) -> Outcome {
    let primes = args.get("primes");
    let buffer = args.get_usize("buffer");
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    thread::scope(|scope| {
        let (tx, mut head) = crossbeam_channel::bounded::<u64>(buffer);
        let stop = &stop;
        scope.spawn(move || {
            for candidate in 2.. {
                if stop.load(Ordering::Relaxed) || tx.send(candidate).is_err() {
                    return;
                }
            }
        });
        let mut sum = 0u64;
        for _ in 0..primes {
            let prime = head.recv().expect("the chain ended early");
            sum = sum.wrapping_add(prime);
            let (tx, rx) = crossbeam_channel::bounded::<u64>(buffer);
            let input = std::mem::replace(&mut head, rx);
            scope.spawn(move || {
                for candidate in input {
                    if candidate % prime != 0 && tx.send(candidate).is_err() {
                        return;
                    }
                }
            });
        }
        let result = Outcome::since(start, sum, primes);
        stop.store(true, Ordering::Relaxed);
        drop(head);
        result
    })
}

/// The sending end of one link of rust-tokio's chain. tokio's mpsc has no zero capacity
/// (`channel(0)` panics), so buffer 0 is `channel(1)` whose sender, after each send,
/// waits until the value has been received (a `reserve` of the one slot, released at
/// once): a rendezvous, as Go's unbuffered send.
struct Link {
    tx: tokio::sync::mpsc::Sender<u64>,
    rendezvous: bool,
}

impl Link {
    fn new(buffer: usize) -> (Link, tokio::sync::mpsc::Receiver<u64>) {
        let (tx, rx) = tokio::sync::mpsc::channel::<u64>(buffer.max(1));
        let rendezvous = buffer == 0;
        (Link { tx, rendezvous }, rx)
    }

    /// Sends `value`; false when the receiver has gone.
    async fn send(&self, value: u64) -> bool {
        if self.tx.send(value).await.is_err() {
            return false;
        }
        !self.rendezvous || self.tx.reserve().await.is_ok()
    }
}

/// rust-tokio: a task and a `tokio::sync::mpsc::channel(buffer)` per prime (buffer 0: see
/// [`Link`]), on tokio's default multi-thread runtime. Teardown is the runtime's shutdown,
/// which drops every task.
fn tokio_tasks(args: &Args) -> Outcome {
    let primes = args.get("primes");
    let buffer = args.get_usize("buffer");
    let start = Instant::now();
    let runtime = tokio_runtime(None);
    let sum = runtime.block_on(async move {
        let (tx, mut head) = Link::new(buffer);
        tokio::spawn(async move {
            for candidate in 2.. {
                if !tx.send(candidate).await {
                    return;
                }
            }
        });
        let mut sum = 0u64;
        for _ in 0..primes {
            let prime = head.recv().await.expect("the chain ended early");
            sum = sum.wrapping_add(prime);
            let (tx, rx) = Link::new(buffer);
            let mut input = std::mem::replace(&mut head, rx);
            tokio::spawn(async move {
                while let Some(candidate) = input.recv().await {
                    if candidate % prime != 0 && !tx.send(candidate).await {
                        return;
                    }
                }
            });
        }
        sum
    });
    let result = Outcome::since(start, sum, primes);
    drop(runtime); // teardown, after the answer is known
    result
}
