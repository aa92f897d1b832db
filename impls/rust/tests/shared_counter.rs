//! rust-seq really does every increment: the twin of Go's
//! `TestRacyCounterDoesEveryIncrement`.

mod common;

use common::measure;

/// rust-seq promises one load, add and store per increment (`black_box`, see its doc). With
/// the loop folded into one add, time would hardly grow with the increments; done one by
/// one, 10× the increments take about 10× as long. The fastest of a few runs of each size
/// keeps a busy machine from deciding the outcome, and 3× leaves room for fixed costs.
#[test]
fn rust_seq_does_every_increment() {
    const SMALL: u64 = 1_000_000;
    const FACTOR: u64 = 10;
    let fastest = |increments: u64| -> u64 {
        (0..3)
            .map(|_| {
                let result = measure(
                    "shared-counter",
                    "rust-seq",
                    &[("units", 1), ("increments", increments)],
                );
                assert_eq!(result["checksum"], increments.to_string(), "{result}");
                result["elapsed_ns"].as_u64().unwrap()
            })
            .min()
            .unwrap()
    };
    let (short, long) = (fastest(SMALL), fastest(SMALL * FACTOR));
    eprintln!(
        "{SMALL} increments: {short} ns ({:.2} ns each); {}: {long} ns ({:.2} ns each)",
        short as f64 / SMALL as f64,
        SMALL * FACTOR,
        long as f64 / (SMALL * FACTOR) as f64
    );
    assert!(
        long >= 3 * short,
        "{FACTOR}× the increments took only {:.1}× the time: rust-seq skips increments",
        long as f64 / short as f64
    );
}
