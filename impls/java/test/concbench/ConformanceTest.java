package concbench;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The conformance test of concbench-java, run without any test framework:
 *
 * <pre>
 * java -cp OUT/concbench-java.jar:OUT/test-classes concbench.ConformanceTest [suite/test-vectors.json]
 * </pre>
 *
 * Every workload × model runs as its own process at tiny sizes and must give the reference
 * checksum; bad input must be refused the protocol's way; java-racy must lose updates;
 * each io-server model must serve and stop on SIGTERM; mixed-service's latency must count
 * each request's wait and queue. Prints one line per failure and a
 * closing {@code N passed, N failed}; exits 1 if anything failed.
 */
public final class ConformanceTest {
    /** A check: throws (an AssertionError or anything else) when it fails. */
    @FunctionalInterface
    interface Check {
        void run() throws Exception;
    }

    /** The tiny sizes every model of each workload runs at (io-server has its own test). */
    static final Map<String, List<Map<String, Long>>> TINY = Map.of(
            "cpu-parallel", List.of(params("tasks", 1, "n", 0, "workers", 1),
                    params("tasks", 3, "n", 1000, "workers", 2), params("tasks", 9, "n", 10_000, "workers", 4)),
            "worker-pool", List.of(params("jobs", 1, "workers", 1, "buffer", 1, "spin", 0),
                    params("jobs", 1000, "workers", 3, "buffer", 7, "spin", 5)),
            "shared-counter", List.of(params("units", 1, "increments", 0),
                    params("units", 3, "increments", 1000)),
            "spawn-idle", List.of(params("units", 0), params("units", 100)),
            "ping-pong", List.of(params("rounds", 1), params("rounds", 1000)),
            "prime-sieve", List.of(params("primes", 1, "buffer", 0), params("primes", 50, "buffer", 0),
                    params("primes", 50, "buffer", 1), params("primes", 50, "buffer", 3)),
            "mixed-service", List.of(params("rate", 5_000, "requests", 40, "delay_us", 300, "cpu", 200, "workers", 2),
                    params("rate", 100_000, "requests", 1, "delay_us", 0, "cpu", 0, "workers", 1)));

    private int passed;
    private final List<String> failures = new ArrayList<>();

    private ConformanceTest() {}

    /** Runs every check; exit status 1 if any failed. */
    public static void main(String[] args) throws Exception {
        Path vectors = Path.of(args.length > 0 ? args[0] : "suite/test-vectors.json");
        ConformanceTest test = new ConformanceTest();
        test.checkReference(vectors);
        test.checkList();
        test.checkModels();
        BadInput.checks().forEach(test::check);
        Racy.checks().forEach(test::check);
        IoServerCheck.checks().forEach(test::check);
        MixedServiceCheck.checks().forEach(test::check);
        test.failures.forEach(System.out::println);
        System.out.println(test.passed + " passed, " + test.failures.size() + " failed");
        System.exit(test.failures.isEmpty() ? 0 : 1);
    }

    /** Runs one named check and records its outcome. */
    void check(String name, Check check) {
        try {
            check.run();
            passed++;
        } catch (Throwable failure) {
            failures.add("FAIL " + name + ": " + failure);
            failure.printStackTrace(); // on stderr; the summary lines stay on stdout
        }
    }

    /** Parameters from alternating names and values. */
    static Map<String, Long> params(Object... namesAndValues) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], ((Number) namesAndValues[i + 1]).longValue());
        }
        return map;
    }

    /** Throws an AssertionError saying {@code what} unless {@code ok}. */
    static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** The program's xorshift and this test's reference against suite/test-vectors.json. */
    @SuppressWarnings("unchecked")
    private void checkReference(Path vectorsFile) throws Exception {
        Map<String, Object> vectors = (Map<String, Object>) Json.parse(Files.readString(vectorsFile));
        for (Object o : (List<Object>) vectors.get("xorshift64")) {
            Map<String, Object> v = (Map<String, Object>) o;
            long x = Long.parseUnsignedLong((String) v.get("x"));
            long k = ((BigInteger) v.get("k")).longValueExact();
            String want = (String) v.get("xs_k");
            check("xorshift xs^" + k + "(" + v.get("x") + ")", () -> {
                require(Long.toUnsignedString(Xorshift.xsK(x, k)).equals(want), "program's xs_k");
                require(Long.toUnsignedString(Reference.xsK(x, k)).equals(want), "reference's xs_k");
            });
        }
        for (Object o : (List<Object>) vectors.get("cases")) {
            Map<String, Object> c = (Map<String, Object>) o;
            String workload = (String) c.get("workload");
            Map<String, Long> p = new LinkedHashMap<>();
            ((Map<String, Object>) c.get("params")).forEach((k, v) -> p.put(k, ((BigInteger) v).longValueExact()));
            if (workload.equals("io-server")) {
                continue; // the load generator's count, not a computed value
            }
            if (workload.equals("safety-kernels")) {
                continue; // Rust against C only: no Java model, no Java reference
            }
            check("reference " + workload + " " + p, () -> {
                String got = Long.toUnsignedString(Reference.checksum(workload, p));
                require(got.equals(c.get("checksum")), "got " + got + ", want " + c.get("checksum"));
            });
        }
    }

    /** --list names every model of every workload, as the program's own table has them. */
    @SuppressWarnings("unchecked")
    private void checkList() {
        check("--list", () -> {
            Program.Run run = Program.run(List.of("--list"));
            require(run.exit() == 0 && run.stderr().isEmpty(), run.describe());
            Map<String, Object> list = (Map<String, Object>) Json.parse(run.stdout().strip());
            require("java".equals(list.get("lang")), "lang: " + list);
            require(((String) list.get("runtime")).matches("jdk\\d+.*"), "runtime: " + list);
            Map<String, Object> models = (Map<String, Object>) list.get("models");
            for (Protocol.Workload w : Main.WORKLOADS) {
                List<String> ids = w.models().stream().map(Protocol.Model::id).toList();
                require(ids.equals(models.get(w.name())), w.name() + ": " + models.get(w.name()));
            }
            require(models.size() == Main.WORKLOADS.size(), "workloads: " + models.keySet());
        });
    }

    /** Every model of every workload gives the reference checksum and op count. */
    private void checkModels() {
        for (Protocol.Workload w : Main.WORKLOADS) {
            if (w.name().equals("io-server")) {
                continue;
            }
            for (Map<String, Long> p : TINY.get(w.name())) {
                for (Protocol.Model m : w.models()) {
                    check(w.name() + " " + m.id() + " " + p, () -> checkRun(w.name(), m.id(), p));
                }
            }
        }
    }

    /** Runs one model and compares its result line with the reference. */
    static void checkRun(String workload, String model, Map<String, Long> p) throws Exception {
        Program.Run run = Program.run(Program.argv(workload, model, p));
        require(run.exit() == 0, run.describe());
        Map<String, Object> result = run.result();
        long want = Reference.checksum(workload, p);
        long got = Long.parseUnsignedLong((String) result.get("checksum"));
        boolean racy = model.equals("java-racy");
        require(got == want || (racy && Long.compareUnsigned(got, want) < 0),
                "checksum " + Long.toUnsignedString(got) + ", want " + Long.toUnsignedString(want));
        require(((BigInteger) result.get("ops")).longValueExact() == Reference.ops(workload, p),
                "ops " + result.get("ops"));
        require(((BigInteger) result.get("elapsed_ns")).signum() > 0, "elapsed_ns " + result.get("elapsed_ns"));
        require(result.get("metrics") instanceof Map, "metrics " + result.get("metrics"));
        if (workload.equals("mixed-service")) {
            Map<?, ?> metrics = (Map<?, ?>) result.get("metrics");
            for (String name : List.of("rps", "p50_us", "p90_us", "p99_us", "p999_us", "max_us")) {
                require(metrics.containsKey(name), "no metric " + name + ": " + metrics);
            }
        }
        if (workload.equals("spawn-idle")) {
            Map<?, ?> metrics = (Map<?, ?>) result.get("metrics");
            require(metrics.containsKey("rss_kb") && metrics.containsKey("spawn_ns"), "metrics " + metrics);
        }
    }
}
