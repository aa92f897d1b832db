package concbench;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * mixed-service's own checks, beside the checksum every model is held to: the metrics are
 * those of the contract, and the latency runs from each request's intended arrival, so that
 * a model that falls behind shows its queue (the open loop: no coordinated omission).
 */
final class MixedServiceCheck {
    private MixedServiceCheck() {}

    /** The checks, by name, for ConformanceTest. */
    static Map<String, ConformanceTest.Check> checks() {
        Map<String, ConformanceTest.Check> checks = new LinkedHashMap<>();
        for (Protocol.Model m : MixedService.WORKLOAD.models()) {
            checks.put("mixed-service " + m.id() + "'s latency counts the wait and the queue",
                    () -> latencyCountsTheQueue(m.id()));
        }
        checks.put("mixed-service's percentiles are nearest rank", MixedServiceCheck::nearestRank);
        return checks;
    }

    /**
     * 20 requests at 10,000/s all arrive within 2 ms; with one worker (one carrier, a pool
     * of one thread) each CPU part of 2·10^6 xorshift steps (≥ 2 ms on any CPU of today) waits
     * for those before it, so the last answer comes at least 30 ms after its arrival, and no
     * answer comes before the 1 ms wait.
     */
    private static void latencyCountsTheQueue(String model) throws Exception {
        Map<String, Long> p = ConformanceTest.params("rate", 10_000, "requests", 20, "delay_us", 1_000,
                "cpu", 2_000_000, "workers", 1);
        Program.Run run = Program.run(Program.argv("mixed-service", model, p));
        ConformanceTest.require(run.exit() == 0, run.describe());
        Map<?, ?> m = (Map<?, ?>) run.result().get("metrics");
        long p50 = metric(m, "p50_us");
        long p90 = metric(m, "p90_us");
        long p99 = metric(m, "p99_us");
        long p999 = metric(m, "p999_us");
        long max = metric(m, "max_us");
        ConformanceTest.require(p50 >= 1_000, "an answer came before the upstream wait: " + m);
        ConformanceTest.require(p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max,
                "percentiles out of order: " + m);
        ConformanceTest.require(max >= 30_000, "the queue is missing from the latency: " + m);
        ConformanceTest.require(metric(m, "rps") < 1_000, "the schedule should last until the last answer: " + m);
    }

    private static long metric(Map<?, ?> metrics, String name) {
        Object value = metrics.get(name);
        ConformanceTest.require(value instanceof BigInteger, "no metric " + name + ": " + metrics);
        return ((BigInteger) value).longValueExact();
    }

    /** Nearest rank: rank ceil(p × n / 1000), in whole µs; arrivals follow the rate exactly. */
    private static void nearestRank() {
        long[] ms = new long[1000];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = (i + 1) * 1_000_000L;
        }
        ConformanceTest.require(MixedService.percentileUs(ms, 500) == 500_000, "p50 of 1..1000 ms");
        ConformanceTest.require(MixedService.percentileUs(ms, 999) == 999_000, "p99.9 of 1..1000 ms");
        long[] three = {1_000, 2_000, 3_000};
        ConformanceTest.require(MixedService.percentileUs(three, 500) == 2, "p50 of 1, 2, 3 µs");
        ConformanceTest.require(MixedService.percentileUs(three, 990) == 3, "p99 of 1, 2, 3 µs");
        ConformanceTest.require(MixedService.intendedAt(7, 301, 300) - 7 == 1_000_000_000L, "request 301 at 300/s");
        ConformanceTest.require(MixedService.intendedAt(0, 2, 3) == 333_333_333L, "request 2 at 3/s");
    }
}
