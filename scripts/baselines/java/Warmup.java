package concbench;

import java.util.Arrays;

/**
 * JIT warm-up, measured: runs one concbench-java model several times inside one JVM and
 * prints each run's elapsed_ns. The first run is what the protocol measures (each run a
 * process of its own, so its elapsed_ns includes the interpreter and the JIT compiling the
 * hot loop); the later ones run code the JIT has already compiled.
 *
 * <pre>
 * impls/java/build.sh target/concbench/java
 * javac -cp target/concbench/java/concbench-java.jar -d target/baselines/java scripts/baselines/java/Warmup.java
 * java -cp target/concbench/java/concbench-java.jar:target/baselines/java concbench.Warmup 5 cpu-parallel java-seq --tasks=8 --n=30000000 --workers=2
 * </pre>
 *
 * In package concbench to reach the program's package-private classes; compiled apart, run
 * with the program's jar on the same class path. Models that set a JVM-wide property once
 * (java-virtual's carriers, io-server) keep the first run's setting.
 */
public final class Warmup {
    private Warmup() {}

    /** {@code <runs> <workload> <model> --<param>=<value> ...}: one line per run. */
    public static void main(String[] argv) throws Exception {
        int runs = Integer.parseInt(argv[0]);
        Protocol.RunRequest request = (Protocol.RunRequest) Protocol.parse(Main.WORKLOADS,
                Arrays.copyOfRange(argv, 1, argv.length));
        for (int run = 1; run <= runs; run++) {
            Protocol.Outcome outcome = request.model().run().run(request.args());
            System.out.printf("run %d: elapsed_ns %d (%.1f ms), checksum %s%n", run, outcome.elapsedNs(),
                    outcome.elapsedNs() / 1e6, Long.toUnsignedString(outcome.checksum()));
        }
        System.exit(0);
    }
}
