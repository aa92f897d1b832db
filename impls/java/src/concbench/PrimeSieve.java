package concbench;

import concbench.Protocol.Args;
import concbench.Protocol.Model;
import concbench.Protocol.Outcome;
import concbench.Protocol.Param;
import concbench.Protocol.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;

/**
 * prime-sieve: Go's concurrent daisy-chain sieve. A generator feeds 2, 3, 4, ... into a queue;
 * for each prime the main thread takes from the head of the chain, it starts a filter unit
 * that drops that prime's multiples and becomes the new head, with its own new queue. Every
 * queue holds {@code buffer} numbers: an ArrayBlockingQueue of that capacity, or for 0 a
 * SynchronousQueue, a true rendezvous (impls/README.md, "prime-sieve: buffer"). The checksum
 * is the sum of the first {@code primes} primes, ops = primes.
 */
final class PrimeSieve {
    private PrimeSieve() {}

    /** The prime-sieve workload and its Java models. */
    static final Workload WORKLOAD = new Workload("prime-sieve",
            List.of(new Param("primes", 1, 1_000_000), new Param("buffer", 0, 10_000)),
            List.of(new Model("java-threads", args -> chain(args, Thread.ofPlatform())),
                    new Model("java-virtual", args -> chain(args, Thread.ofVirtual()))));

    /** A queue of the chain: {@code buffer} slots, or a rendezvous for 0. */
    private static BlockingQueue<Long> queue(int buffer) {
        return buffer == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(buffer);
    }

    /**
     * java-threads and java-virtual: a platform or virtual thread and a queue per prime,
     * with plain put and take.
     *
     * <p>Teardown, once the answer is known: the main thread interrupts every unit, Java's
     * own way to stop a thread blocked in put or take (both throw InterruptedException, also
     * when the interrupt came first), so nothing is checked on the hot path; then it joins
     * them.
     */
    static Outcome chain(Args args, Thread.Builder builder) throws InterruptedException {
        long primes = args.get("primes");
        int buffer = args.getInt("buffer");
        List<Thread> units = new ArrayList<>(Math.toIntExact(primes) + 1);
        BlockingQueue<Long> generated = queue(buffer);
        Runnable generator = () -> generate(generated);
        long start = System.nanoTime();
        units.add(builder.start(generator));
        BlockingQueue<Long> head = generated;
        long sum = 0;
        for (long i = 0; i < primes; i++) {
            long prime = head.take();
            sum += prime;
            BlockingQueue<Long> out = queue(buffer);
            units.add(builder.start(new Filter(head, out, prime)));
            head = out;
        }
        Outcome outcome = Outcome.since(start, sum, primes);
        for (Thread unit : units) {
            unit.interrupt();
        }
        for (Thread unit : units) {
            unit.join();
        }
        return outcome;
    }

    /** Puts 2, 3, 4, ... into {@code out} until interrupted. */
    private static void generate(BlockingQueue<Long> out) {
        try {
            for (long candidate = 2; ; candidate++) {
                out.put(candidate);
            }
        } catch (InterruptedException stop) {
            // the answer is known
        }
    }

    /**
     * A filter unit: passes on every number of {@code in} that {@code prime} does not divide,
     * until interrupted. A class rather than a lambda, so that no lambda is linked inside the
     * clock (Outcome.since says why).
     */
    private record Filter(BlockingQueue<Long> in, BlockingQueue<Long> out, long prime) implements Runnable {
        @Override
        public void run() {
            try {
                while (true) {
                    Long candidate = in.take();
                    if (candidate % prime != 0) {
                        out.put(candidate);
                    }
                }
            } catch (InterruptedException stop) {
                // the answer is known
            }
        }
    }
}
