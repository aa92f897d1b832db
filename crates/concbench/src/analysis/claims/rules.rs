//! The rules of the claims whose tests read new figures, on fixture files: crossbeam's
//! lock-free queues against a locked queue, a never-shared Mutex against a plain counter and
//! against C's lock, threads' overlap of I/O waits, and tail latency at a fixed offered
//! rate, and safe Rust's kernels against C's. Each test moves a figure across a bound and sees the verdict move (or become
//! undecided).

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

    /// An io-server run of `model` at `connections` (1 ms wait, cpu 0), `rate` (0: closed
    /// loop) and `alloc`, five samples: req/s, p50 and p99.9 (µs), each ±1% by sample.
    fn served(
        model: &str,
        connections: u64,
        rate: u64,
        alloc: u64,
        rps: i64,
        p50: i64,
        p999: i64,
    ) -> RunResult {
        let mut r = fixtures::run_on(
            "io-server",
            model,
            &[
                ("delay_us", 1000),
                ("cpu", 0),
                ("workers", 2),
                ("connections", connections),
                ("requests", 1000),
                ("rate", rate),
                ("alloc", alloc),
            ],
            2,
            false,
            &[1_000_000_000; 5],
            &[],
        );
        for (i, s) in r.samples.iter_mut().enumerate() {
            let k = 98 + i as i64; // 98%..102%
            for (name, v) in [
                ("rps", rps),
                ("p50_us", p50),
                ("p999_us", p999),
                ("max_us", 2 * p999),
            ] {
                s.metrics.insert(name.into(), v * k / 100);
            }
        }
        fixtures::summarise(&mut r);
        r
    }

    #[test]
    fn threads_are_judged_on_overlap_at_every_connection_count() {
        // 10, 100, 1,000 connections at 1 ms: ideals 10k, 100k, 1M req/s.
        let file = |threads_at_1000: i64| {
            let mut runs = Vec::new();
            for (c, asyncio, threads) in [
                (10, 5_000, 6_000),
                (100, 5_500, 5_000),
                (1000, 5_000, threads_at_1000),
            ] {
                runs.push(served("py-asyncio", c, 0, 0, asyncio, 1_100, 2_000));
                runs.push(served("py-threads", c, 0, 0, threads, 1_100, 2_000));
            }
            fixtures::file(runs)
        };
        let r = decide_all(&file(4_500));
        let c = claim(&r, "threads-fine-for-io");
        assert_eq!(c.verdict, Verdict::Holds, "{}", c.reason);
        // At 10 connections threads beat asyncio: py-threads is Python's best there.
        assert_eq!(c.tests[0].models, ["py-threads", "py-threads"]);
        assert!((c.tests[1].measured.unwrap() - 5_000.0 / 5_500.0).abs() < 0.01);
        // The absolute overlap is shown: 6,000 / 10,000 at 10 connections.
        assert!(
            (c.tests[3].measured.unwrap() - 0.6).abs() < 0.01,
            "{:?}",
            c.tests[3]
        );
        assert!(!c.tests[3].counts);
        // Threads falling behind at the most connections alone decides the claim.
        let r = decide_all(&file(1_500));
        let c = claim(&r, "threads-fine-for-io");
        assert_eq!(c.verdict, Verdict::DoesNotHold, "{}", c.reason);
        assert_eq!(c.tests[0].verdict, Verdict::Holds);
    }

    #[test]
    fn determinism_is_tail_over_median_at_a_fixed_rate_with_allocating_requests() {
        let runs = |rust_p999: i64, go_p999: i64| {
            vec![
                served("rust-tokio", 100, 2_000, 16_384, 2_000, 1_100, rust_p999),
                served("rust-threads", 100, 2_000, 16_384, 2_000, 1_150, 9_000),
                served("go-net-http", 100, 2_000, 16_384, 2_000, 1_100, go_p999),
                // Closed-loop bursts, where Rust's tail is worst: not read.
                served("rust-tokio", 100, 0, 16_384, 9_000, 10_000, 90_000),
                served("go-net-http", 100, 0, 16_384, 9_000, 10_000, 20_000),
            ]
        };
        // tokio 1.8× its p50, Go 4×: holds.
        let r = decide_all(&fixtures::file(runs(2_000, 4_400)));
        let c = claim(&r, "trading-rust-deterministic");
        assert_eq!(c.verdict, Verdict::Holds, "{}", c.reason);
        assert_eq!(c.tests[1].models, ["rust-tokio", "go-net-http"]);
        assert!((c.tests[0].measured.unwrap() - 2_000.0 / 1_100.0).abs() < 0.02);
        assert!(
            c.tests[0].reason.contains("rate=2,000"),
            "{}",
            c.tests[0].reason
        );
        // Go steadier than Rust: the comparison does not hold.
        let r = decide_all(&fixtures::file(runs(4_400, 2_000)));
        let c = claim(&r, "trading-rust-deterministic");
        assert_eq!(
            c.tests[1].verdict,
            Verdict::DoesNotHold,
            "{}",
            c.tests[1].reason
        );
        // Without allocating requests the test is not measured.
        let plain: Vec<RunResult> = runs(2_000, 4_400)
            .into_iter()
            .map(|mut r| {
                r.params.insert("alloc".into(), 0);
                r
            })
            .collect();
        let r = decide_all(&fixtures::file(plain));
        let c = claim(&r, "trading-rust-deterministic");
        assert_eq!(c.verdict, Verdict::NotMeasured, "{}", c.reason);
        // The CV is context: it decides nothing.
        assert!(c
            .tests
            .iter()
            .any(|t| t.metric == crate::analysis::claims::Metric::Cv && !t.counts));
    }

    /// A safety-kernels run of `model` at `kernel` (4,096 elements × 100 passes), around
    /// `ms` per run.
    fn kernel_run(model: &str, kernel: u64, ms: u64) -> RunResult {
        fixtures::run(
            "safety-kernels",
            model,
            &[("kernel", kernel), ("len", 4096), ("passes", 100)],
            &around(ms * 1_000_000),
        )
    }

    /// rust-seq at `rust[k]` ms and c-seq at 100 ms, for each kernel k = 1, 2, 3.
    fn kernels(rust: [u64; 3]) -> Vec<RunResult> {
        (1..=3)
            .flat_map(|k| {
                [
                    kernel_run("rust-seq", k, rust[k as usize - 1]),
                    kernel_run("c-seq", k, 100),
                ]
            })
            .collect()
    }

    #[test]
    fn c_level_performance_is_judged_kernel_by_kernel_on_safety_kernels() {
        // Every kernel within 1.1× of C: holds; the cpu-parallel loop is not needed.
        let r = decide_all(&fixtures::file(kernels([100, 105, 95])));
        let c = claim(&r, "c-level-performance");
        assert_eq!(c.verdict, Verdict::Holds, "{}", c.reason);
        assert_eq!(c.tests[0].models, ["rust-seq", "c-seq"]);
        assert!((c.tests[2].measured.unwrap() - 0.95).abs() < 0.01);
        assert!(
            c.tests[1].reason.contains("kernel=2"),
            "{}",
            c.tests[1].reason
        );
        assert!(
            !c.tests[3].counts,
            "cpu-parallel's identical loop is context"
        );
        // The Arc kernel at 1.3× or at 4×: a caveat (the price of safe shared ownership,
        // which C does not offer), never a refutation.
        let r = decide_all(&fixtures::file(kernels([100, 105, 130])));
        assert_eq!(claim(&r, "c-level-performance").verdict, Verdict::Caveat);
        let r = decide_all(&fixtures::file(kernels([100, 105, 400])));
        let c = claim(&r, "c-level-performance");
        assert_eq!(c.verdict, Verdict::Caveat, "{}", c.reason);
        assert_eq!(c.tests[2].verdict, Verdict::Caveat);
        // Bounds checks at 2×: the claim does not hold.
        let r = decide_all(&fixtures::file(kernels([200, 105, 100])));
        let c = claim(&r, "c-level-performance");
        assert_eq!(c.verdict, Verdict::DoesNotHold, "{}", c.reason);
        // Bounds checks at 1.2×: that kernel alone gives the caveat.
        let r = decide_all(&fixtures::file(kernels([120, 100, 100])));
        let c = claim(&r, "c-level-performance");
        assert_eq!(c.tests[0].verdict, Verdict::Caveat, "{}", c.tests[0].reason);
        assert_eq!(c.verdict, Verdict::Caveat);
    }

    #[test]
    fn an_undecided_kernel_leaves_the_claim_undecided_unless_another_decides_it() {
        // rust-seq's pipeline samples spread across 1.1× C's: that test is undecided.
        let straddling = |rust: [u64; 3]| {
            let mut runs = kernels(rust);
            runs[2] = fixtures::run(
                "safety-kernels",
                "rust-seq",
                &[("kernel", 2), ("len", 4096), ("passes", 100)],
                &[
                    96_000_000,
                    104_000_000,
                    110_000_000,
                    118_000_000,
                    126_000_000,
                ],
            );
            runs
        };
        let r = decide_all(&fixtures::file(straddling([100, 0, 100])));
        let c = claim(&r, "c-level-performance");
        assert_eq!(
            c.tests[1].verdict,
            Verdict::Undecided,
            "{}",
            c.tests[1].reason
        );
        assert_eq!(c.verdict, Verdict::Undecided, "{}", c.reason);
        // With the bounds-checked histogram at 2× the claim does not hold whatever the
        // pipeline turns out.
        let r = decide_all(&fixtures::file(straddling([200, 0, 100])));
        let c = claim(&r, "c-level-performance");
        assert_eq!(c.verdict, Verdict::DoesNotHold, "{}", c.reason);
    }

    #[test]
    fn c_level_performance_is_not_measured_by_cpu_parallel_alone() {
        let loops = vec![
            fixtures::cpu_parallel("rust-seq", 30_000_000, &around(80_000_000)),
            fixtures::cpu_parallel("c-seq", 30_000_000, &around(80_000_000)),
        ];
        let r = decide_all(&fixtures::file(loops));
        let c = claim(&r, "c-level-performance");
        assert_eq!(c.verdict, Verdict::NotMeasured, "{}", c.reason);
        assert!(c.tests[3].measured.is_some(), "the context is still shown");
        // Two kernels of three measured: at best a caveat, naming the missing one.
        let mut runs = kernels([100, 100, 100]);
        runs.truncate(4);
        let r = decide_all(&fixtures::file(runs));
        let c = claim(&r, "c-level-performance");
        assert_eq!(c.verdict, Verdict::Caveat, "{}", c.reason);
    }
}
