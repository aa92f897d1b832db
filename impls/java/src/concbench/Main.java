package concbench;

import java.util.List;

/**
 * concbench-java runs one concbench workload under one Java concurrency model and prints
 * one JSON line (the protocol of impls/README.md):
 *
 * <pre>
 * concbench-java &lt;workload&gt; &lt;model&gt; --&lt;param&gt;=&lt;value&gt; ...
 * concbench-java --list
 * </pre>
 */
public final class Main {
    /** Every workload this program implements, in the order --list shows them. */
    static final List<Protocol.Workload> WORKLOADS = List.of(
            CpuParallel.WORKLOAD,
            WorkerPool.WORKLOAD,
            SharedCounter.WORKLOAD,
            SpawnIdle.WORKLOAD,
            PingPong.WORKLOAD,
            PrimeSieve.WORKLOAD,
            IoServer.WORKLOAD,
            MixedService.WORKLOAD);

    private Main() {}

    /** Runs the program and exits with its status: 0 done, 1 internal failure, 2 bad input. */
    public static void main(String[] argv) {
        System.exit(Protocol.main(argv, WORKLOADS));
    }
}
