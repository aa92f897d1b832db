//! The Rust claims' rules on fixture files: crossbeam's lock-free queues against a locked
//! queue, and a never-shared Mutex against a plain counter and against C's lock. Each test
//! moves a figure across a bound and sees the verdict move (or become undecided).

#[cfg(test)]
mod tests {
    use crate::analysis::claims::tests::{claim, decide_all};
    use crate::analysis::claims::Verdict;
    use crate::fixtures;
    use crate::results::RunResult;

    /// Five samples around `ns`, ±1%.
    fn around(ns: u64) -> Vec<u64> {
        [-2i64, -1, 0, 1, 2]
            .iter()
            .map(|k| (ns as i64 + k * ns as i64 / 200) as u64)
            .collect()
    }

    /// A worker-pool run of a queue model: 10^6 jobs, spin 0, `workers`, ~`ms` per run.
    fn queue(model: &str, workers: u64, ms: u64) -> RunResult {
        fixtures::run(
            "worker-pool",
            model,
            &[
                ("jobs", 1_000_000),
                ("workers", workers),
                ("buffer", 100),
                ("spin", 0),
            ],
            &around(ms * 1_000_000),
        )
    }

    /// The three queue models at 1 and 2 workers: Mutex<VecDeque> at 600 ms and 2,400 ms,
    /// ArrayQueue and SegQueue at the given times.
    fn queues(array: [u64; 2], seg: [u64; 2]) -> Vec<RunResult> {
        vec![
            queue("rust-mutex-deque", 1, 600),
            queue("rust-mutex-deque", 2, 2_400),
            queue("rust-array-queue", 1, array[0]),
            queue("rust-array-queue", 2, array[1]),
            queue("rust-seg-queue", 1, seg[0]),
            queue("rust-seg-queue", 2, seg[1]),
        ]
    }

    #[test]
    fn lock_free_queues_are_judged_against_a_locked_queue_at_one_and_most_workers() {
        // Both lock-free queues at half the locked one's time or less: holds.
        let r = decide_all(&fixtures::file(queues([300, 640], [160, 200])));
        let c = claim(&r, "crossbeam-channels");
        assert_eq!(c.verdict, Verdict::Holds, "{}", c.reason);
        let t = &c.tests[0];
        assert_eq!(t.models, ["rust-array-queue", "rust-mutex-deque"]);
        assert!(
            (t.measured.unwrap() - 640.0 / 2_400.0).abs() < 0.01,
            "{t:?}"
        );
        assert!(t.reason.contains("workers=2"), "{}", t.reason);
        // With one worker the ratio is read at workers = 1.
        let t = &c.tests[2];
        assert!((t.measured.unwrap() - 0.5).abs() < 0.01, "{t:?}");
        // ArrayQueue no better than the lock with one worker: a caveat; slower: does not hold.
        let r = decide_all(&fixtures::file(queues([600, 640], [160, 200])));
        assert_eq!(claim(&r, "crossbeam-channels").verdict, Verdict::Caveat);
        let r = decide_all(&fixtures::file(queues([900, 640], [160, 200])));
        let c = claim(&r, "crossbeam-channels");
        assert_eq!(c.verdict, Verdict::DoesNotHold, "{}", c.reason);
        // Samples of ArrayQueue spread across 0.9× the lock's: undecided, not a coin flip.
        let mut runs = queues([300, 640], [160, 200]);
        runs[3] = fixtures::run(
            "worker-pool",
            "rust-array-queue",
            &[
                ("jobs", 1_000_000),
                ("workers", 2),
                ("buffer", 100),
                ("spin", 0),
            ],
            &[
                2_000_000_000,
                2_100_000_000,
                2_160_000_000,
                2_250_000_000,
                2_400_000_000,
            ],
        );
        let r = decide_all(&fixtures::file(runs));
        let t = &claim(&r, "crossbeam-channels").tests[0];
        assert_eq!(t.verdict, Verdict::Undecided, "{}", t.reason);
        assert_eq!(t.undecided.as_ref().unwrap().bounds, [0.9]);
    }

    #[test]
    fn channels_alone_do_not_decide_the_lock_free_claim() {
        // The old evidence: crossbeam-channel against std's mpsc. Context only now.
        let r = decide_all(&fixtures::file(vec![
            fixtures::run(
                "ping-pong",
                "rust-crossbeam",
                &[("rounds", 100_000)],
                &around(1_000_000),
            ),
            fixtures::run(
                "ping-pong",
                "rust-threads",
                &[("rounds", 100_000)],
                &around(1_000_000),
            ),
        ]));
        let c = claim(&r, "crossbeam-channels");
        assert_eq!(c.verdict, Verdict::NotMeasured, "{}", c.reason);
        assert!(c.tests.iter().any(|t| !t.counts && t.measured.is_some()));
    }

    /// shared-counter at units = 1: `model` over `increments`, ~`ms` per run.
    fn counter(model: &str, increments: u64, ms: u64) -> RunResult {
        fixtures::run(
            "shared-counter",
            model,
            &[("units", 1), ("increments", increments)],
            &around(ms * 1_000_000),
        )
    }

    #[test]
    fn a_never_shared_mutex_is_judged_on_its_own_against_no_lock_and_against_c() {
        let runs = |seq_ms: u64, c_ms: u64| {
            fixtures::file(vec![
                counter("rust-seq", 100_000_000, seq_ms),
                counter("rust-mutex-local", 100_000_000, 1_800),
                counter("c-mutex-local", 100_000_000, c_ms),
            ])
        };
        // 12× a plain counter, at C's cost: no overhead does not hold, C level holds.
        let r = decide_all(&runs(150, 1_750));
        let c = claim(&r, "zero-cost-mutex");
        assert_eq!(
            c.tests[0].verdict,
            Verdict::DoesNotHold,
            "{}",
            c.tests[0].reason
        );
        assert_eq!(c.tests[1].verdict, Verdict::Holds, "{}", c.tests[1].reason);
        assert_eq!(c.verdict, Verdict::DoesNotHold);
        // A lock the optimiser removed (1.1×) holds; C twice as fast is a caveat at most.
        let r = decide_all(&runs(1_650, 900));
        let c = claim(&r, "zero-cost-mutex");
        assert_eq!(c.tests[0].verdict, Verdict::Holds, "{}", c.tests[0].reason);
        assert_eq!(
            c.tests[1].verdict,
            Verdict::DoesNotHold,
            "{}",
            c.tests[1].reason
        );
        // Runs of 250,000 increments (85 µs) are not what the test reads.
        let r = decide_all(&fixtures::file(vec![
            counter("rust-seq", 250_000, 1),
            counter("rust-mutex-local", 250_000, 4),
        ]));
        let t = &claim(&r, "zero-cost-mutex").tests[0];
        assert_eq!(t.verdict, Verdict::NotMeasured, "{}", t.reason);
    }
}
