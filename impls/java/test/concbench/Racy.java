package concbench;

import static concbench.ConformanceTest.require;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * java-racy loses updates, and it and java-seq do every increment as its own load, add and
 * store (impls/README.md, "Java": what C2 does to a plain {@code value++} loop).
 */
final class Racy {
    private Racy() {}

    /** Increments of the timed in-process runs: 100 million, ≥ 12 ms at 0.12 ns each. */
    private static final long INCREMENTS = 100_000_000;
    /**
     * The least time an increment that loads and stores memory can take: one cycle of a 6 GHz
     * core (the add depends on the previous store, even where the CPU forwards it at no
     * cost), with margin. A loop C2 has kept in a register ran at 0.04 ns per increment here.
     */
    private static final double FLOOR_NS = 0.12;

    /** The checks, by name. */
    static Map<String, ConformanceTest.Check> checks() {
        Map<String, ConformanceTest.Check> checks = new LinkedHashMap<>();
        checks.put("java-racy loses updates at units=2 (up to 5 tries)", Racy::losesUpdates);
        checks.put("java-seq does every increment (compiled, >= " + FLOOR_NS + " ns each)",
                () -> everyIncrement("java-seq"));
        checks.put("java-racy does every increment (compiled, >= " + FLOOR_NS + " ns each)",
                () -> everyIncrement("java-racy"));
        return checks;
    }

    /** A few runs of units = 2 lose at least one update between them. */
    private static void losesUpdates() throws Exception {
        Map<String, Long> p = ConformanceTest.params("units", 2, "increments", 2_000_000);
        List<String> counts = new ArrayList<>();
        for (int attempt = 0; attempt < 5; attempt++) {
            Program.Run run = Program.run(Program.argv("shared-counter", "java-racy", p));
            require(run.exit() == 0, run.describe());
            long counter = Long.parseLong((String) run.result().get("checksum"));
            require(counter <= 4_000_000, "counted " + counter + " of 4,000,000");
            if (counter < 4_000_000) {
                return;
            }
            counts.add(Long.toString(counter));
        }
        throw new AssertionError("nothing lost in 5 runs: " + counts);
    }

    /**
     * Runs {@code model} at units = 1 in this JVM until C2 has compiled it, then times
     * INCREMENTS of it: a loop folded into register arithmetic would run under FLOOR_NS.
     */
    private static void everyIncrement(String model) throws Exception {
        Protocol.Model m = SharedCounter.WORKLOAD.models().stream()
                .filter(x -> x.id().equals(model)).findFirst().orElseThrow();
        Protocol.Args warm = new Protocol.Args(ConformanceTest.params("units", 1, "increments", 10_000_000));
        for (int i = 0; i < 5; i++) {
            m.run().run(warm);
        }
        Protocol.Args timed = new Protocol.Args(ConformanceTest.params("units", 1, "increments", INCREMENTS));
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            Protocol.Outcome outcome = m.run().run(timed);
            require(outcome.checksum() == INCREMENTS, "counted " + outcome.checksum());
            best = Math.min(best, outcome.elapsedNs());
        }
        double perIncrement = (double) best / INCREMENTS;
        require(perIncrement >= FLOOR_NS, String.format("%.3f ns an increment", perIncrement));
    }
}
