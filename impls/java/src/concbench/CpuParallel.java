package concbench;

import concbench.Protocol.Args;
import concbench.Protocol.Model;
import concbench.Protocol.Outcome;
import concbench.Protocol.Param;
import concbench.Protocol.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.atomic.AtomicLong;

/**
 * cpu-parallel: the article's ProcessPoolExecutor sample. Task k (0 &lt;= k &lt; tasks) computes
 * s_k = Σ_{i &lt; n+k} i*i (wrapping u64); the checksum is Σ_k s_k, ops = tasks, and
 * {@code workers} is the pool size (java-seq ignores it).
 */
final class CpuParallel {
    private CpuParallel() {}

    /** The cpu-parallel workload and its Java models. */
    static final Workload WORKLOAD = new Workload("cpu-parallel",
            List.of(new Param("tasks", 1, 1_000_000), new Param("n", 0, 10_000_000_000L),
                    new Param("workers", 1, 1024)),
            List.of(new Model("java-seq", CpuParallel::seq),
                    new Model("java-threads", CpuParallel::threads),
                    new Model("java-virtual", CpuParallel::virtualThreads),
                    new Model("java-forkjoin", CpuParallel::forkJoin),
                    new Model("java-executor", CpuParallel::executor)));

    /**
     * Task k's work: the sum of i*i for i &lt; n+k, wrapping. C2 has no closed form for it, so
     * the time grows with n. Every model calls this one method, once per task: at the suites'
     * sizes (8 or 16 tasks) no caller runs often enough to be compiled and inline it, so every
     * model and thread runs the same compiled copies of it: the loop's on-stack-replacement
     * compilation, then the whole method's (impls/README.md, "Java").
     */
    static long taskSum(long n, long k) {
        long end = n + k;
        long sum = 0;
        for (long i = 0; i < end; i++) {
            sum += i * i;
        }
        return sum;
    }

    /** java-seq: a plain loop over the tasks on the main thread. */
    static Outcome seq(Args args) {
        long tasks = args.get("tasks");
        long n = args.get("n");
        long start = System.nanoTime();
        long sum = 0;
        for (long k = 0; k < tasks; k++) {
            sum += taskSum(n, k);
        }
        return Outcome.since(start, sum, tasks);
    }

    /**
     * java-threads: {@code workers} platform threads claim task numbers from one shared
     * AtomicLong until none is left, the scheme of rust-threads and c-threads; each leaves
     * its partial sum in its own slot, which join() makes visible to the main thread.
     */
    static Outcome threads(Args args) throws InterruptedException {
        long tasks = args.get("tasks");
        long n = args.get("n");
        int workers = args.getInt("workers");
        AtomicLong next = new AtomicLong();
        long[] partial = new long[workers];
        Thread[] units = new Thread[workers];
        long start = System.nanoTime();
        for (int w = 0; w < workers; w++) {
            units[w] = Thread.ofPlatform().start(new Claimer(n, tasks, next, partial, w));
        }
        long sum = 0;
        for (int w = 0; w < workers; w++) {
            units[w].join();
            sum += partial[w];
        }
        return Outcome.since(start, sum, tasks);
    }

    /** A java-threads worker: claims tasks until none is left, then leaves its sum in its slot. */
    private record Claimer(long n, long tasks, AtomicLong next, long[] partial, int slot) implements Runnable {
        @Override
        public void run() {
            long sum = 0;
            for (long k = next.getAndIncrement(); k < tasks; k = next.getAndIncrement()) {
                sum += taskSum(n, k);
            }
            partial[slot] = sum;
        }
    }

    /**
     * java-virtual: one virtual thread per task (JEP 444's idiom: a virtual thread per task,
     * never pooled), from Executors.newVirtualThreadPerTaskExecutor; the main thread sums
     * the futures. {@code workers} is the scheduler's pool of carrier threads, as it is
     * tokio's runtime size in rust-tokio; the scheduler starts with the first virtual thread,
     * inside the clock.
     */
    static Outcome virtualThreads(Args args) throws Exception {
        long tasks = args.get("tasks");
        long n = args.get("n");
        Protocol.useCarriers(args.getInt("workers"));
        long start = System.nanoTime();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            return sumFutures(executor, tasks, n, start);
        } // close() after the answer: every task is done by then
    }

    /**
     * java-executor: Executors.newFixedThreadPool(workers), one Callable per task, the main
     * thread sums the futures in order (py-threads' ThreadPoolExecutor, in Java).
     */
    static Outcome executor(Args args) throws Exception {
        long tasks = args.get("tasks");
        long n = args.get("n");
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(args.getInt("workers"));
        try {
            return sumFutures(pool, tasks, n, start);
        } finally {
            pool.shutdown(); // teardown, after the answer is known
        }
    }

    /** Submits every task to {@code executor} and sums their results as they come in order. */
    private static Outcome sumFutures(ExecutorService executor, long tasks, long n, long start)
            throws Exception {
        List<Future<Long>> futures = new ArrayList<>(Math.toIntExact(tasks));
        for (long k = 0; k < tasks; k++) {
            futures.add(executor.submit(new Task(n, k)));
        }
        long sum = 0;
        for (Future<Long> future : futures) {
            sum += future.get();
        }
        return Outcome.since(start, sum, tasks);
    }

    /** Task k as a Callable, for the executors. */
    private record Task(long n, long k) implements Callable<Long> {
        @Override
        public Long call() {
            return taskSum(n, k);
        }
    }

    /**
     * java-forkjoin: a ForkJoinPool of {@code workers} threads running {@link Range}, which
     * halves the task range until one task is left (rayon's par_iter, in Java).
     *
     * <p>Not a parallel stream: a stream run inside a custom pool does use that pool, but it
     * sizes its leaves from the common pool's parallelism (CPUs - 1), not from the pool's.
     */
    static Outcome forkJoin(Args args) {
        long tasks = args.get("tasks");
        long n = args.get("n");
        long start = System.nanoTime();
        ForkJoinPool pool = new ForkJoinPool(args.getInt("workers"));
        try {
            long sum = pool.invoke(new Range(n, 0, tasks));
            return Outcome.since(start, sum, tasks);
        } finally {
            pool.shutdown(); // teardown, after the answer is known
        }
    }

    /** The sum of tasks [from, to): one task computed here, more split in two and forked. */
    private static final class Range extends RecursiveTask<Long> {
        private static final long serialVersionUID = 1L;
        private final long n;
        private final long from;
        private final long to;

        Range(long n, long from, long to) {
            this.n = n;
            this.from = from;
            this.to = to;
        }

        @Override
        protected Long compute() {
            if (to - from == 1) {
                return taskSum(n, from);
            }
            long middle = from + (to - from) / 2;
            Range right = new Range(n, middle, to);
            right.fork(); // another worker may steal it
            long left = new Range(n, from, middle).compute();
            return left + right.join();
        }
    }
}
