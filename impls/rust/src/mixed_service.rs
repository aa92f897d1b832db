//! mixed-service: the layered asyncio + process pool advice, on every CPU. No load
//! generator: requests arrive inside the process on a timer, `rate` a second (request i at
//! (i − 1) / rate s after the schedule starts), each waits `delay_us` without holding a core
//! (the simulated upstream call), then computes `xs^cpu(i)`. The checksum is the sum of the
//! answers (mod 2^64), ops = `requests`.
//!
//! Open loop: an arrival never waits for an earlier answer, and a request's latency runs
//! from its intended arrival, so a model that falls behind shows its queue in the latency
//! instead of slowing the arrivals down (no coordinated omission). Metrics: `rps` (answers
//! per second of the schedule: from its start to the last answer), and the latency
//! percentiles `p50_us`, `p90_us`, `p99_us`, `p999_us`, `max_us` (nearest rank).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::io_server::UpstreamTimer;
use crate::protocol::{nanos, Args, Model, Outcome, Param, Workload};
use crate::xorshift::xs_k;

/// The mixed-service workload and its Rust models.
pub const WORKLOAD: Workload = Workload {
    name: "mixed-service",
    params: &[
        Param::new("rate", 1, 100_000),
        Param::new("requests", 1, 100_000),
        Param::new("delay_us", 0, 10_000_000),
        Param::new("cpu", 0, 100_000_000),
        Param::new("workers", 1, 1024),
    ],
    models: &[
        Model::new("rust-tokio", tokio_inline),
        Model::new("rust-tokio-blocking", tokio_blocking),
        Model::new("rust-tokio-rayon", tokio_rayon),
    ],
};

/// Where a tokio model computes a request's CPU part.
#[derive(Clone)]
enum CpuPart {
    /// In the request's task, on one of the runtime's worker threads.
    Inline,
    /// In `tokio::task::spawn_blocking`, on the blocking pool (capped at `workers` threads).
    Blocking,
    /// On a rayon pool of `workers` threads; the answer comes back through a oneshot channel.
    Rayon(Arc<rayon::ThreadPool>),
}

impl CpuPart {
    /// `xs^cpu(i)`, computed where this model computes it.
    async fn compute(&self, i: u64, cpu: u64) -> u64 {
        match self {
            CpuPart::Inline => xs_k(i, cpu),
            CpuPart::Blocking => tokio::task::spawn_blocking(move || xs_k(i, cpu))
                .await
                .unwrap_or_else(|e| panic!("the CPU part failed: {e}")),
            CpuPart::Rayon(pool) => {
                let (answer, answered) = oneshot::channel();
                pool.spawn(move || {
                    // The request's task waits for this answer, so the receiver is alive.
                    let _ = answer.send(xs_k(i, cpu));
                });
                answered.await.expect("rayon runs every job it is given")
            }
        }
    }
}

/// rust-tokio: the CPU part inline on the runtime's worker threads.
fn tokio_inline(args: &Args) -> Outcome {
    serve(args, |_| CpuPart::Inline)
}

/// rust-tokio-blocking: the CPU part in `spawn_blocking`.
fn tokio_blocking(args: &Args) -> Outcome {
    serve(args, |_| CpuPart::Blocking)
}

/// rust-tokio-rayon: the CPU part on a rayon pool of `workers` threads.
fn tokio_rayon(args: &Args) -> Outcome {
    serve(args, |workers| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .build()
            .unwrap_or_else(|e| panic!("cannot start the rayon pool: {e}"));
        CpuPart::Rayon(Arc::new(pool))
    })
}

/// When request `i` (from 1) arrives in a schedule that started at `start`.
fn intended_at(start: Instant, i: u64, rate: u64) -> Instant {
    start + Duration::from_nanos(((i - 1) as u128 * 1_000_000_000 / rate as u128) as u64)
}

/// The nearest-rank quantile of `sorted` (ascending, not empty) at `permille` / 1000, in
/// whole µs: the value of rank ceil(permille × n / 1000).
fn percentile_us(sorted: &[Duration], permille: usize) -> u64 {
    let rank = (permille * sorted.len()).div_ceil(1000).max(1);
    sorted[rank - 1].as_micros() as u64
}

/// The workload's metrics from every request's latency and the schedule's length (from its
/// start to the last answer).
fn service_metrics(
    mut latencies: Vec<Duration>,
    requests: u64,
    schedule: Duration,
) -> Vec<(&'static str, u64)> {
    latencies.sort_unstable();
    let rps = u128::from(requests) * 1_000_000_000 / u128::from(nanos(schedule).max(1));
    vec![
        ("rps", rps as u64),
        ("p50_us", percentile_us(&latencies, 500)),
        ("p90_us", percentile_us(&latencies, 900)),
        ("p99_us", percentile_us(&latencies, 990)),
        ("p999_us", percentile_us(&latencies, 999)),
        (
            "max_us",
            latencies.last().map_or(0, |l| l.as_micros() as u64),
        ),
    ]
}

/// Runs the schedule on a tokio runtime of `workers` worker threads: a task per request,
/// spawned at its arrival time; io-server's timerfd timer for the arrivals and the waits
/// (tokio's own sleep rounds up to its next millisecond).
fn serve(args: &Args, cpu_part: impl FnOnce(usize) -> CpuPart) -> Outcome {
    let clock = Instant::now();
    let (rate, requests, cpu) = (args.get("rate"), args.get("requests"), args.get("cpu"));
    let delay = Duration::from_micros(args.get("delay_us"));
    let workers = args.get_usize("workers");
    // The blocking pool is capped at `workers` threads: spawn_blocking's default of 512
    // would start a thread per waiting CPU part once the service falls behind.
    let runtime = tokio_io_runtime_with_blocking(workers);
    let cpu_part = cpu_part(workers);
    let (total, latencies, schedule) = runtime.block_on(async move {
        let timer = UpstreamTimer::start();
        let start = Instant::now();
        let mut handles = Vec::with_capacity(requests as usize);
        for i in 1..=requests {
            let due = intended_at(start, i, rate);
            timer
                .sleep(due.saturating_duration_since(Instant::now()))
                .await;
            // A loop that is behind spawns every request already due at once: they have
            // arrived.
            let (timer, cpu_part) = (Arc::clone(&timer), cpu_part.clone());
            handles.push(tokio::spawn(async move {
                timer.sleep(delay).await;
                let answer = cpu_part.compute(i, cpu).await;
                (answer, due.elapsed())
            }));
        }
        let mut total = 0u64;
        let mut latencies = Vec::with_capacity(handles.len());
        for handle in handles {
            let (answer, latency) = handle
                .await
                .unwrap_or_else(|e| panic!("a request failed: {e}"));
            total = total.wrapping_add(answer);
            latencies.push(latency);
        }
        (total, latencies, start.elapsed())
    });
    let elapsed = clock.elapsed();
    // The timer's driver task is still parked on its descriptor: dropped, not awaited.
    runtime.shutdown_background();
    Outcome {
        checksum: total,
        elapsed,
        ops: requests,
        metrics: service_metrics(latencies, requests, schedule),
    }
}

/// The servers' runtime (`protocol::tokio_io_runtime`: `workers` worker threads, I/O and
/// time drivers) with the blocking pool capped at `workers` threads.
fn tokio_io_runtime_with_blocking(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .max_blocking_threads(workers)
        .enable_io()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("cannot start the tokio runtime: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let ms: Vec<Duration> = (1..=1000).map(Duration::from_millis).collect();
        assert_eq!(percentile_us(&ms, 500), 500_000);
        assert_eq!(percentile_us(&ms, 990), 990_000);
        assert_eq!(percentile_us(&ms, 999), 999_000);
        let three = [1, 2, 3].map(Duration::from_micros);
        assert_eq!(percentile_us(&three, 500), 2);
        assert_eq!(percentile_us(&three, 990), 3);
        assert_eq!(percentile_us(&three[..1], 500), 1);
    }

    #[test]
    fn arrivals_follow_the_rate() {
        let start = Instant::now();
        assert_eq!(intended_at(start, 1, 300), start);
        assert_eq!(intended_at(start, 301, 300) - start, Duration::from_secs(1));
        assert_eq!(
            intended_at(start, 2, 3) - start,
            Duration::from_nanos(333_333_333)
        );
    }
}
