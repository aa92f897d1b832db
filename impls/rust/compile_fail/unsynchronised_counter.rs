//! The article's `Arc<Mutex>` counter without the `Mutex` (and without the `Arc`): ten
//! threads add 1 to one shared counter with no synchronisation, the way the same program is
//! written in C with pthreads (and compiles, and loses updates).
//!
//! This program must NOT compile. `concbench run` compiles it with
//! `rustc --edition 2021 --emit=metadata --crate-type bin` and records the refusal as the
//! `compile-fail` safety check (docs/results-format.md); if it ever compiles, that check
//! is `clean` and the harness's tests fail. rustc 1.95 refuses it three times over: the
//! closure borrows `counter` but `thread::spawn` may run it after `main` returns (E0373),
//! every thread would hold the same `&mut counter` at once (E0499), and `main` reads the
//! counter while the threads may still hold it (E0502). None of these is a lint that can be
//! turned off: it is the borrow checker, which every safe Rust program passes.
//!
//! What the refusal does not cover: `unsafe` code (a `static mut` counter incremented in an
//! `unsafe` block compiles, and races), which safe Rust has to opt into by name.

use std::thread;

fn main() {
    let mut counter: u64 = 0;
    let mut handles = vec![];
    for _ in 0..10 {
        let handle = thread::spawn(|| {
            for _ in 0..1000 {
                counter += 1;
            }
        });
        handles.push(handle);
    }
    for handle in handles {
        handle.join().unwrap();
    }
    println!("Result: {counter}");
}
