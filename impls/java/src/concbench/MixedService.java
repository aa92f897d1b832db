package concbench;

import concbench.Protocol.Args;
import concbench.Protocol.Model;
import concbench.Protocol.Outcome;
import concbench.Protocol.Param;
import concbench.Protocol.Workload;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * mixed-service: the layered asyncio + process pool advice, on every CPU. No load generator:
 * requests arrive inside the process on a timer, {@code rate} a second (request i at (i − 1) /
 * rate s after the schedule starts), each waits {@code delay_us} without holding a core (the
 * simulated upstream call), then computes xs^cpu(i). The checksum is the sum of the answers
 * (mod 2^64), ops = {@code requests}.
 *
 * <p>Open loop: an arrival never waits for an earlier answer, and a request's latency runs
 * from its intended arrival, so a model that falls behind shows its queue in the latency
 * instead of slowing the arrivals down (no coordinated omission). Metrics: rps (answers per
 * second of the schedule: from its start to the last answer), and the latency percentiles
 * p50_us, p90_us, p99_us, p999_us, max_us (nearest rank).
 *
 * <p>The arrivals are timed by the main (platform) thread, which sleeps until each is due
 * ({@code Thread.sleep} of the nanoseconds left: the JDK parks the thread for that long, with
 * no millisecond rounding); each request is a virtual thread whose wait is {@code
 * Thread.sleep(Duration)}, which unmounts it: the wait holds neither a core nor a carrier.
 */
final class MixedService {
    private MixedService() {}

    /** The mixed-service workload and its Java models. */
    static final Workload WORKLOAD = new Workload("mixed-service",
            List.of(new Param("rate", 1, 100_000), new Param("requests", 1, 100_000),
                    new Param("delay_us", 0, 10_000_000), new Param("cpu", 0, 100_000_000),
                    new Param("workers", 1, 1024)),
            List.of(new Model("java-virtual", MixedService::virtualThreads),
                    new Model("java-virtual-pool", MixedService::virtualThreadsAndPool)));

    /** Where a model computes request i's CPU part, xs^cpu(i). */
    @FunctionalInterface
    interface CpuPart {
        long compute(long i) throws InterruptedException, ExecutionException;
    }

    /**
     * java-virtual: a virtual thread per request, the wait and the CPU part inline on it; the
     * virtual-thread scheduler has {@code workers} carriers (as rust-tokio's runtime has
     * {@code workers} threads), so the CPU parts run on those carriers.
     */
    static Outcome virtualThreads(Args args) throws Exception {
        long cpu = args.get("cpu");
        Protocol.useCarriers(args.getInt("workers"));
        CpuPart inline = i -> Xorshift.xsK(i, cpu);
        return serve(args, inline, System.nanoTime());
    }

    /**
     * java-virtual-pool: the layered design in Java. A virtual thread per request for the
     * wait (on {@code workers} carriers), the CPU part submitted to a fixed pool of {@code
     * workers} platform threads (Executors.newFixedThreadPool), whose Future the virtual
     * thread awaits (unmounted meanwhile): rust-tokio-blocking's shape, and what the JDK's
     * guidance for virtual threads says of CPU-bound work (a bounded pool of platform threads
     * sized to the cores).
     */
    static Outcome virtualThreadsAndPool(Args args) throws Exception {
        long cpu = args.get("cpu");
        int workers = args.getInt("workers");
        Protocol.useCarriers(workers);
        long clock = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            // Started before the schedule, as a service starts its pool before taking
            // traffic; the start is in elapsed_ns, not in the latencies.
            ((ThreadPoolExecutor) pool).prestartAllCoreThreads();
            return serve(args, new Pooled(pool, cpu), clock);
        } finally {
            pool.shutdown(); // teardown, after the answer is known
        }
    }

    /**
     * java-virtual-pool's CPU part: submitted to the pool, its Future awaited. A record, not
     * a lambda, so that no lambda is linked inside the clock (Outcome.since says why).
     */
    private record Pooled(ExecutorService pool, long cpu) implements CpuPart {
        @Override
        public long compute(long i) throws InterruptedException, ExecutionException {
            return pool.submit(new XsTask(i, cpu)).get();
        }
    }

    /** One CPU part as a Callable, for the pool. */
    private record XsTask(long i, long cpu) implements Callable<Long> {
        @Override
        public Long call() {
            return Xorshift.xsK(i, cpu);
        }
    }

    /** The first virtual thread's work: none (it starts the scheduler). Made before any clock. */
    private static final Runnable NOTHING = () -> {};

    /** Every request's slots: each request writes only its own, and join() orders the writes before the reads. */
    private record Slots(long[] answers, long[] latencies) {}

    /** One request: waits, computes where the model computes, and fills its slots. */
    private record Request(int slot, long dueNanos, Duration delay, CpuPart cpuPart, Slots slots)
            implements Runnable {
        @Override
        public void run() {
            try {
                if (!delay.isZero()) {
                    Thread.sleep(delay);
                }
                slots.answers()[slot] = cpuPart.compute(slot + 1);
                slots.latencies()[slot] = System.nanoTime() - dueNanos;
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException("request " + (slot + 1) + " failed", e);
            }
        }
    }

    /** When request {@code i} (from 1) arrives, in System.nanoTime's clock, in a schedule that started at {@code start}. */
    static long intendedAt(long start, long i, long rate) {
        return start + Math.multiplyExact(i - 1, 1_000_000_000L) / rate;
    }

    /**
     * Runs the schedule: the main thread starts a virtual thread per request at its arrival
     * time (all those already due at once when it is behind: they have arrived), then joins
     * them. {@code clock} is when the model's clock started (before its pool).
     */
    private static Outcome serve(Args args, CpuPart cpuPart, long clock) throws Exception {
        long rate = args.get("rate");
        int requests = args.getInt("requests");
        Duration delay = Duration.ofNanos(args.get("delay_us") * 1_000);
        Slots slots = new Slots(new long[requests], new long[requests]);
        Thread[] started = new Thread[requests];
        Thread.Builder virtual = Thread.ofVirtual();
        // The scheduler's carriers start with the first virtual thread: started here, before
        // the schedule, as the pools of the other models are.
        virtual.start(NOTHING).join();
        long start = System.nanoTime();
        for (int i = 1; i <= requests; i++) {
            long due = intendedAt(start, i, rate);
            long ahead = due - System.nanoTime();
            if (ahead > 0) {
                Thread.sleep(Duration.ofNanos(ahead));
            }
            started[i - 1] = virtual.start(new Request(i - 1, due, delay, cpuPart, slots));
        }
        for (Thread request : started) {
            request.join();
        }
        long schedule = System.nanoTime() - start;
        long total = 0;
        for (long answer : slots.answers()) {
            total += answer; // wrapping: a u64 in a long's bits
        }
        Outcome outcome = Outcome.since(clock, total, requests);
        return new Outcome(outcome.checksum(), outcome.elapsedNs(), outcome.ops(),
                serviceMetrics(slots.latencies(), requests, schedule));
    }

    /** The nearest-rank quantile of {@code sorted} (ascending, not empty) at {@code permille} / 1000, in whole µs: the value of rank ceil(permille × n / 1000). */
    static long percentileUs(long[] sorted, int permille) {
        int rank = Math.max(1, (permille * sorted.length + 999) / 1000);
        return sorted[rank - 1] / 1_000;
    }

    /** The workload's metrics from every request's latency (ns) and the schedule's length (from its start to the last answer). */
    static Map<String, Long> serviceMetrics(long[] latencies, long requests, long scheduleNanos) {
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        Map<String, Long> metrics = new LinkedHashMap<>();
        metrics.put("rps", requests * 1_000_000_000L / Math.max(1, scheduleNanos));
        metrics.put("p50_us", percentileUs(sorted, 500));
        metrics.put("p90_us", percentileUs(sorted, 900));
        metrics.put("p99_us", percentileUs(sorted, 990));
        metrics.put("p999_us", percentileUs(sorted, 999));
        metrics.put("max_us", sorted[sorted.length - 1] / 1_000);
        return metrics;
    }
}
