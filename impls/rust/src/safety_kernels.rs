//! safety-kernels: single-threaded loops where Rust's memory safety could cost something
//! against C, written in safe, idiomatic Rust (no `unsafe`, no `get_unchecked`). The
//! `kernel` parameter picks one; each walks `len` elements `passes` times (ops = len ×
//! passes). The data are built before the clock: the xorshift stream from 1,
//! `d[0] = xs(1)` and `d[i] = xs(d[i - 1])` for i < len.
//!
//! 1. histogram (data-dependent indexing): `keys[i] = d[i] >> 52`; every pass adds 1 to
//!    `counts[keys[i]]` for each i, a bounds check on an index read from memory, which no
//!    compiler can prove in range. Checksum: `Σ_b counts[b] × (b + 1)`.
//! 2. iterator pipeline: pass r sums `v = (a[i] ^ r) × b[i]` over the pairs where v < 2^63,
//!    with `a = d` and `b[i] = xs(d[i])`, through `zip`, `map`, `filter` and `fold`.
//!    Checksum: that sum over every pass.
//! 3. shared ownership: each pass makes `len` items that each keep the shared table `d`
//!    alive through an `Arc` (one atomic increment each), then consumes them, reading
//!    `table[index] ^ r` and dropping the handle (one atomic decrement each). Checksum:
//!    `Σ_r Σ_i (d[i] ^ r)`.
//!
//! All sums wrap at 2^64.

use std::sync::Arc;
use std::time::Instant;

use crate::protocol::{Args, Model, Outcome, Param, Workload};
use crate::xorshift::xs;

/// The safety-kernels workload and its Rust model.
pub const WORKLOAD: Workload = Workload {
    name: "safety-kernels",
    params: &[
        Param::new("kernel", 1, 3),
        Param::new("len", 1, 16_777_216),
        Param::new("passes", 0, 1_000_000_000),
    ],
    models: &[Model::new("rust-seq", seq)],
};

/// The histogram's buckets: a key is the top 12 bits of a 64-bit value.
pub const BUCKETS: usize = 4096;

/// The data every kernel reads: `len` steps of the xorshift stream from 1.
pub fn data(len: usize) -> Vec<u64> {
    std::iter::successors(Some(xs(1)), |&x| Some(xs(x)))
        .take(len)
        .collect()
}

/// Kernel 1: a histogram of `keys`, `passes` times over; `Σ_b counts[b] × (b + 1)`.
pub fn histogram(keys: &[u32], passes: u64) -> u64 {
    let mut counts = vec![0u64; BUCKETS];
    for _ in 0..passes {
        for &key in keys {
            counts[key as usize] += 1;
        }
    }
    counts.iter().zip(1u64..).fold(0, |sum, (&count, bucket)| {
        sum.wrapping_add(count.wrapping_mul(bucket))
    })
}

/// Kernel 2: over every pass r, the sum of `(x ^ r) × y` for the pairs of `a` and `b` where
/// that product is below 2^63.
pub fn pipeline(a: &[u64], b: &[u64], passes: u64) -> u64 {
    (0..passes).fold(0u64, |sum, r| {
        a.iter()
            .zip(b)
            .map(|(&x, &y)| (x ^ r).wrapping_mul(y))
            .filter(|&v| v >> 63 == 0)
            .fold(sum, u64::wrapping_add)
    })
}

/// One item of kernel 3: it keeps the shared table alive for as long as it lives, as a task
/// or a queued job holding its configuration would.
struct Item {
    table: Arc<[u64]>,
    index: usize,
}

/// Kernel 3: every pass r makes one item per element of `table`, each with its own handle
/// on it, then consumes them: `Σ_r Σ_i (table[i] ^ r)`.
pub fn shared(table: &Arc<[u64]>, passes: u64) -> u64 {
    let mut items: Vec<Item> = Vec::with_capacity(table.len());
    let mut sum = 0u64;
    for r in 0..passes {
        items.extend((0..table.len()).map(|index| Item {
            table: Arc::clone(table),
            index,
        }));
        sum = items.drain(..).fold(sum, |sum, item| {
            sum.wrapping_add(item.table[item.index] ^ r)
        });
    }
    sum
}

/// rust-seq: the chosen kernel on the calling thread.
fn seq(args: &Args) -> Outcome {
    let (kernel, len, passes) = (
        args.get("kernel"),
        args.get_usize("len"),
        args.get("passes"),
    );
    let d = data(len);
    let ops = len as u64 * passes;
    match kernel {
        1 => {
            let keys: Vec<u32> = d.iter().map(|&x| (x >> 52) as u32).collect();
            let start = Instant::now();
            Outcome::since(start, histogram(&keys, passes), ops)
        }
        2 => {
            let b: Vec<u64> = d.iter().map(|&x| xs(x)).collect();
            let start = Instant::now();
            Outcome::since(start, pipeline(&d, &b, passes), ops)
        }
        _ => {
            let table: Arc<[u64]> = d.into();
            let start = Instant::now();
            Outcome::since(start, shared(&table, passes), ops)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_are_the_xorshift_stream_from_one() {
        assert_eq!(data(2), vec![1_082_269_761, 1_152_992_998_833_853_505]);
    }

    #[test]
    fn histogram_weights_each_bucket_by_its_number() {
        // Keys 0, 0, 4095: bucket 0 twice (× 1), bucket 4095 once (× 4096); two passes.
        assert_eq!(histogram(&[0, 0, 4095], 2), 2 * (2 + 4096));
        assert_eq!(histogram(&[7], 0), 0);
    }

    #[test]
    fn pipeline_keeps_the_products_below_two_to_the_63() {
        // Pass 0: 3 × 5 = 15 kept; 2^62 × 2 = 2^63 dropped. Pass 1: 2 × 5 = 10 kept,
        // (2^62 + 1) × 2 = 2^63 + 2 dropped.
        assert_eq!(pipeline(&[3, 1 << 62], &[5, 2], 2), 25);
    }

    #[test]
    fn shared_reads_every_element_each_pass_and_releases_every_handle() {
        let table: Arc<[u64]> = vec![1u64, 2, 4].into();
        // Pass 0: 1 + 2 + 4; pass 1: (1 ^ 1) + (2 ^ 1) + (4 ^ 1) = 0 + 3 + 5.
        assert_eq!(shared(&table, 2), 7 + 8);
        assert_eq!(
            Arc::strong_count(&table),
            1,
            "every item's handle was dropped"
        );
    }
}
