package concbench;

import concbench.Protocol.Args;
import concbench.Protocol.Model;
import concbench.Protocol.Outcome;
import concbench.Protocol.Param;
import concbench.Protocol.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * spawn-idle: "2 KB stacks, tens of thousands of goroutines". Start {@code units} units that
 * each block until released; once all are alive, read the resident memory (metric rss_kb);
 * release them and join them. spawn_ns is the time from the first start until all are
 * alive. The checksum is the number of units that finished, ops = units.
 */
final class SpawnIdle {
    private SpawnIdle() {}

    /** The spawn-idle workload and its Java models. */
    static final Workload WORKLOAD = new Workload("spawn-idle",
            List.of(new Param("units", 0, 10_000_000)),
            List.of(new Model("java-threads", args -> idle(args, Thread.ofPlatform())),
                    new Model("java-virtual", args -> idle(args, Thread.ofVirtual()))));

    /**
     * java-threads and java-virtual: {@code units} threads from {@code builder} (platform
     * threads with the JVM's default stack size, or virtual threads), all running one shared
     * Runnable, so that a unit costs its thread and nothing more: it counts itself alive,
     * then blocks in CountDownLatch.await until the main thread opens the latch. A blocked
     * virtual thread is unmounted: its stack is copied to the heap and it holds no carrier.
     */
    static Outcome idle(Args args, Thread.Builder builder) throws Exception {
        int units = args.getInt("units");
        CountDownLatch alive = new CountDownLatch(units);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong finished = new AtomicLong();
        Runnable unit = () -> {
            alive.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException("an idle unit was interrupted", e);
            }
            finished.incrementAndGet();
        };
        Thread[] started = new Thread[units];
        long start = System.nanoTime();
        for (int u = 0; u < units; u++) {
            started[u] = builder.start(unit);
        }
        alive.await();
        long spawnNs = System.nanoTime() - start;
        long rss = rssKb();
        release.countDown();
        for (Thread thread : started) {
            thread.join();
        }
        return Outcome.since(start, finished.get(), units)
                .withMetric("rss_kb", rss).withMetric("spawn_ns", spawnNs);
    }

    /** The resident memory of this process in kB (VmRSS of /proc/self/status). */
    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").strip());
            }
        }
        throw new IOException("/proc/self/status has no VmRSS line");
    }
}
