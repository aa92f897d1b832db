//! A plain Rust ping-pong, as a yardstick for concbench's ping-pong rust-threads and
//! rust-crossbeam: the main thread and one other hand a counter back and forth, each adding
//! 1, over two channels of the given kind. Prints the counter (2 x ROUNDS).
//!
//!     concbench-baselines pingpong KIND ROUNDS
//!
//! KIND: std-sync0 (`std::sync::mpsc::sync_channel(0)`), std-sync1, std-unbounded
//! (`std::sync::mpsc::channel()`), cb-bounded0 (`crossbeam_channel::bounded(0)`),
//! cb-bounded1, cb-unbounded.

use std::sync::mpsc;
use std::thread;

fn ping_pong<S, R>(
    rounds: u64,
    channel: impl Fn() -> (S, R),
    send: fn(&S, u64) -> bool,
    recv: fn(&R) -> Option<u64>,
) -> u64
where
    S: Send + 'static,
    R: Send + 'static,
{
    let (to_pong, from_ping) = channel();
    let (to_ping, from_pong) = channel();
    let pong = thread::spawn(move || {
        while let Some(n) = recv(&from_ping) {
            if !send(&to_ping, n + 1) {
                return;
            }
        }
    });
    let mut n = 0;
    for _ in 0..rounds {
        assert!(send(&to_pong, n));
        n = recv(&from_pong).unwrap() + 1;
    }
    drop(to_pong);
    pong.join().unwrap();
    n
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: concbench-baselines pingpong KIND ROUNDS";
    if args.len() != 4 || args[1] != "pingpong" {
        eprintln!("{usage}");
        std::process::exit(2);
    }
    let rounds: u64 = args[3].parse().expect(usage);
    let n = match args[2].as_str() {
        "std-sync0" => ping_pong(
            rounds,
            || mpsc::sync_channel(0),
            |s, v| s.send(v).is_ok(),
            |r| r.recv().ok(),
        ),
        "std-sync1" => ping_pong(
            rounds,
            || mpsc::sync_channel(1),
            |s, v| s.send(v).is_ok(),
            |r| r.recv().ok(),
        ),
        "std-unbounded" => ping_pong(
            rounds,
            mpsc::channel,
            |s, v| s.send(v).is_ok(),
            |r| r.recv().ok(),
        ),
        "cb-bounded0" => ping_pong(
            rounds,
            || crossbeam_channel::bounded(0),
            |s, v| s.send(v).is_ok(),
            |r| r.recv().ok(),
        ),
        "cb-bounded1" => ping_pong(
            rounds,
            || crossbeam_channel::bounded(1),
            |s, v| s.send(v).is_ok(),
            |r| r.recv().ok(),
        ),
        "cb-unbounded" => ping_pong(
            rounds,
            crossbeam_channel::unbounded,
            |s, v| s.send(v).is_ok(),
            |r| r.recv().ok(),
        ),
        other => {
            eprintln!("unknown kind {other:?}; {usage}");
            std::process::exit(2);
        }
    };
    println!("{n}");
}
