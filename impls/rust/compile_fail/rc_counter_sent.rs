//! The counter shared the way a single-threaded Rust program shares it: an `Rc<Cell<u64>>`,
//! reference-counted without atomics and mutable through a shared reference without a lock.
//! Ten threads each get a clone and add 1 to it.
//!
//! This program must NOT compile, and for the claim's reason: `Rc` is not `Send` (its count
//! is not atomic) and `Cell` is not `Sync`, so `thread::spawn` refuses the closure (E0277,
//! "cannot be sent between threads safely"). The closure is `move`, so no lifetime error
//! (E0373) can stand in for it. `concbench run` records the refusal as the `compile-fail`
//! safety check of `rust-racy-send`; the check is `rejected` only when rustc reports E0277
//! about sending or sharing between threads.

use std::cell::Cell;
use std::rc::Rc;
use std::thread;

fn main() {
    let counter = Rc::new(Cell::new(0u64));
    let mut handles = vec![];
    for _ in 0..10 {
        let counter = Rc::clone(&counter);
        handles.push(thread::spawn(move || {
            for _ in 0..1000 {
                counter.set(counter.get() + 1);
            }
        }));
    }
    for handle in handles {
        handle.join().unwrap();
    }
    println!("Result: {}", counter.get());
}
