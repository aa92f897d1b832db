package concbench;

import concbench.Protocol.Args;
import concbench.Protocol.Model;
import concbench.Protocol.Outcome;
import concbench.Protocol.Param;
import concbench.Protocol.Workload;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * worker-pool: the article's Go channel sample, scaled. A producer sends j = 1..jobs into a
 * jobs queue of capacity {@code buffer}; {@code workers} workers each put r = 2 * xs^spin(j)
 * into a results queue of capacity {@code buffer}; the main thread collects every result.
 * The checksum is Σ r (wrapping u64), ops = jobs. Values travel boxed (BlockingQueue&lt;Long&gt;),
 * as Java's queues carry them.
 */
final class WorkerPool {
    private WorkerPool() {}

    /** The worker-pool workload and its Java models. */
    static final Workload WORKLOAD = new Workload("worker-pool",
            List.of(new Param("jobs", 1, 1_000_000_000), new Param("workers", 1, 1024),
                    new Param("buffer", 1, 1_000_000), new Param("spin", 0, 1_000_000)),
            List.of(new Model("java-threads", args -> units(args, Thread.ofPlatform())),
                    new Model("java-virtual", args -> units(args, Thread.ofVirtual())),
                    new Model("java-executor", WorkerPool::executor)));

    /** The job that tells a worker to stop: no real job is 0 (j starts at 1). */
    private static final long STOP = 0;

    /**
     * java-threads and java-virtual: a producer unit and {@code workers} worker units started
     * by {@code units} (platform or virtual threads), over two ArrayBlockingQueues. The
     * producer ends the jobs with one STOP per worker, Java's queues having no close. The
     * units' code is made before the clock (Outcome.since says why).
     */
    static Outcome units(Args args, Thread.Builder units) throws InterruptedException {
        long jobCount = args.get("jobs");
        long spin = args.get("spin");
        int workers = args.getInt("workers");
        BlockingQueue<Long> jobs = new ArrayBlockingQueue<>(args.getInt("buffer"));
        BlockingQueue<Long> results = new ArrayBlockingQueue<>(args.getInt("buffer"));
        Runnable worker = () -> {
            try {
                for (long j = jobs.take(); j != STOP; j = jobs.take()) {
                    results.put(2 * Xorshift.xsK(j, spin));
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException("a worker was interrupted", e);
            }
        };
        Runnable producer = () -> {
            try {
                for (long j = 1; j <= jobCount; j++) {
                    jobs.put(j);
                }
                for (int w = 0; w < workers; w++) {
                    jobs.put(STOP);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException("the producer was interrupted", e);
            }
        };
        Thread[] started = new Thread[workers + 1];
        long start = System.nanoTime();
        for (int w = 0; w < workers; w++) {
            started[w] = units.start(worker);
        }
        started[workers] = units.start(producer);
        long sum = 0;
        for (long i = 0; i < jobCount; i++) {
            sum += results.take();
        }
        Outcome outcome = Outcome.since(start, sum, jobCount);
        for (Thread unit : started) {
            unit.join(); // teardown: every worker has its STOP
        }
        return outcome;
    }

    /**
     * java-executor: a ThreadPoolExecutor of {@code workers} threads whose work queue is an
     * ArrayBlockingQueue of capacity {@code buffer}; a producer thread submits one Runnable
     * per job, and each puts its result into the results queue. A full work queue makes
     * execute() reject; the handler then waits for room (put into the executor's queue), the
     * usual way to make an executor's producer block instead of failing. Every core thread
     * is started first and none times out, so a job queued that way is always taken. The
     * producer and the jobs are small classes, so that no lambda is linked inside the clock
     * (Outcome.since says why).
     */
    static Outcome executor(Args args) throws InterruptedException {
        long jobCount = args.get("jobs");
        long spin = args.get("spin");
        int workers = args.getInt("workers");
        BlockingQueue<Long> results = new ArrayBlockingQueue<>(args.getInt("buffer"));
        RejectedExecutionHandler waitForRoom = (job, pool) -> {
            try {
                pool.getQueue().put(job);
            } catch (InterruptedException e) {
                throw new IllegalStateException("the producer was interrupted", e);
            }
        };
        long start = System.nanoTime();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(args.getInt("buffer")), waitForRoom);
        pool.prestartAllCoreThreads();
        Thread producer = Thread.ofPlatform().start(new Submitter(pool, jobCount, spin, results));
        long sum = 0;
        for (long i = 0; i < jobCount; i++) {
            sum += results.take();
        }
        Outcome outcome = Outcome.since(start, sum, jobCount);
        producer.join();
        pool.shutdown(); // teardown, after the answer is known
        return outcome;
    }

    /** java-executor's producer: one Job per j = 1..jobs, each through execute(). */
    private record Submitter(ThreadPoolExecutor pool, long jobCount, long spin, BlockingQueue<Long> results)
            implements Runnable {
        @Override
        public void run() {
            for (long j = 1; j <= jobCount; j++) {
                pool.execute(new Job(j, spin, results));
            }
        }
    }

    /** One job of java-executor: puts 2 * xs^spin(j) into the results queue. */
    private record Job(long j, long spin, BlockingQueue<Long> results) implements Runnable {
        @Override
        public void run() {
            try {
                results.put(2 * Xorshift.xsK(j, spin));
            } catch (InterruptedException e) {
                throw new IllegalStateException("a worker was interrupted", e);
            }
        }
    }
}
