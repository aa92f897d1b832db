//! The article's `Arc<Mutex>` counter without the `Mutex` (and without the `Arc`): ten scoped
//! threads add 1 to one counter with no synchronisation, the way the same program is written
//! in C with pthreads (and compiles, and loses updates).
//!
//! This program must NOT compile, and for the claim's reason: every thread would hold the
//! same `&mut counter` at once (E0499, the aliasing rule: one mutable borrow at a time).
//! `std::thread::scope` guarantees the threads end before `counter` does, so no lifetime
//! error (E0373) can stand in for it. `concbench run` compiles it with
//! `rustc --edition 2021 --emit=metadata --crate-type bin` and records the refusal as the
//! `compile-fail` safety check of `rust-racy-alias` (docs/results-format.md); the check is
//! `rejected` only when rustc reports E0499.
//!
//! What the refusal does not cover: `unsafe` code (a `static mut` counter incremented in an
//! `unsafe` block compiles, and races), which safe Rust has to opt into by name.

use std::thread;

fn main() {
    let mut counter: u64 = 0;
    thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                for _ in 0..1000 {
                    counter += 1;
                }
            });
        }
    });
    println!("Result: {counter}");
}
