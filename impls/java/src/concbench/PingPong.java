package concbench;

import concbench.Protocol.Args;
import concbench.Protocol.Model;
import concbench.Protocol.Outcome;
import concbench.Protocol.Param;
import concbench.Protocol.Workload;
import java.util.List;
import java.util.concurrent.SynchronousQueue;

/**
 * ping-pong: "a goroutine context switch costs about 100 ns". Two units pass a counter back
 * and forth over two SynchronousQueues (Java's rendezvous, the twin of Go's unbuffered
 * channels), each adding 1 on receipt; after {@code rounds} round trips the counter (the
 * checksum) is 2 × rounds, and ops = 2 × rounds hand-offs.
 */
final class PingPong {
    private PingPong() {}

    /** The ping-pong workload and its Java models. */
    static final Workload WORKLOAD = new Workload("ping-pong",
            List.of(new Param("rounds", 1, 1_000_000_000)),
            List.of(new Model("java-threads", args -> play(args, Thread.ofPlatform())),
                    new Model("java-virtual", args -> play(args, Thread.ofVirtual()))));

    /**
     * java-threads and java-virtual: two platform or two virtual threads. Ping serves
     * {@code rounds} times and leaves the counter for the main thread, which joins it; pong
     * answers {@code rounds} times (a SynchronousQueue has no close to stop it by). Their code
     * is made before the clock starts (Outcome.since says why).
     */
    static Outcome play(Args args, Thread.Builder units) throws InterruptedException {
        long rounds = args.get("rounds");
        SynchronousQueue<Long> ping = new SynchronousQueue<>();
        SynchronousQueue<Long> pong = new SynchronousQueue<>();
        long[] counter = new long[1];
        Runnable pongUnit = () -> {
            try {
                for (long r = 0; r < rounds; r++) {
                    pong.put(ping.take() + 1);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException("pong was interrupted", e);
            }
        };
        Runnable pingUnit = () -> {
            try {
                long count = 0;
                for (long r = 0; r < rounds; r++) {
                    ping.put(count);
                    count = pong.take() + 1;
                }
                counter[0] = count;
            } catch (InterruptedException e) {
                throw new IllegalStateException("ping was interrupted", e);
            }
        };
        long start = System.nanoTime();
        Thread ponger = units.start(pongUnit);
        Thread pinger = units.start(pingUnit);
        pinger.join(); // makes counter[0] visible here
        Outcome outcome = Outcome.since(start, counter[0], 2 * rounds);
        ponger.join(); // teardown: pong has answered its last round
        return outcome;
    }
}
