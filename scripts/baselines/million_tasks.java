import java.time.Duration;

/**
 * The Java virtual-thread program of Piotr Kołaczkowski's "How Much Memory Do You Need to
 * Run 1 Million Concurrent Tasks?" (2023, rerun 2024), written again: start N virtual
 * threads that each sleep 10 s, then join them all; its peak RSS is the figure.
 *
 * <pre>
 * javac -d target/baselines/java scripts/baselines/million_tasks.java
 * /usr/bin/time -v java -cp target/baselines/java MillionTasks 1000000
 * </pre>
 *
 * The JVM's defaults, as in the article: no heap or GC options.
 */
final class MillionTasks {
    private MillionTasks() {}

    public static void main(String[] args) throws InterruptedException {
        int tasks = Integer.parseInt(args[0]);
        Thread[] threads = new Thread[tasks];
        for (int i = 0; i < tasks; i++) {
            threads[i] = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }
}
