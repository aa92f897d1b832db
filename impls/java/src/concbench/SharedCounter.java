package concbench;

import concbench.Protocol.Args;
import concbench.Protocol.Model;
import concbench.Protocol.Outcome;
import concbench.Protocol.Param;
import concbench.Protocol.Workload;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * shared-counter: the article's Arc&lt;Mutex&gt; sample. {@code units} platform threads each add
 * 1 to one shared counter {@code increments} times; the checksum is the final counter
 * (units × increments when nothing is lost), ops = units × increments.
 */
final class SharedCounter {
    private SharedCounter() {}

    /** The shared-counter workload and its Java models. */
    static final Workload WORKLOAD = new Workload("shared-counter",
            List.of(new Param("units", 1, 100_000), new Param("increments", 0, 1_000_000_000)),
            List.of(new Model("java-seq", SharedCounter::seq),
                    new Model("java-synchronized", SharedCounter::synchronizedBlock),
                    new Model("java-lock", SharedCounter::reentrantLock),
                    new Model("java-atomic", SharedCounter::atomic),
                    new Model("java-racy", SharedCounter::racy)));

    /**
     * A counter in a plain {@code long} field. {@link #increment} is one load, one add and one
     * store of it, with no lock and no atomic instruction.
     *
     * <p>Why not {@code value++}: C2 keeps a plain field in a register across a loop and
     * stores it once at the end (the JMM lets it: nothing orders the loop against other
     * threads). Compiled, 10,000,000 plain increments took 0.4 ms, 0.04 ns each, on this
     * project's VM: the loop had become one add, and a racing unit could only lose whole
     * runs of increments (impls/README.md, "Java"). VarHandle's opaque mode is the JDK's
     * documented way to say "do each access, in program order, with no ordering towards
     * other threads": getOpaque and setOpaque are a plain mov on x86, and C2 may neither
     * drop nor merge them, nor move them out of the loop (it wraps every non-plain Unsafe
     * access in a compiler-only barrier, C2Access::needs_cpu_membar). The read-modify-write
     * is still two accesses another thread can come between: updates are lost.
     */
    static final class PlainCounter {
        /**
         * The last counter made, so that every counter escapes: C2's escape analysis turns
         * the fields of an object that never leaves its method into registers, opaque
         * accesses included (java-seq's counter ran at 0.07 ns an increment before this).
         */
        @SuppressWarnings("unused")
        private static volatile PlainCounter published;

        private long value;

        /** A new counter at 0, in memory another thread could reach. */
        static PlainCounter create() {
            PlainCounter counter = new PlainCounter();
            published = counter;
            return counter;
        }

        private static final VarHandle VALUE;

        static {
            try {
                VALUE = MethodHandles.lookup().findVarHandle(PlainCounter.class, "value", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** One unsynchronised increment: load, add 1, store. */
        void increment() {
            VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + 1);
        }

        /** The counter, read after every unit has been joined. */
        long get() {
            return value;
        }
    }

    /**
     * Starts the clock and {@code units} platform threads that each run {@code unit}, joins
     * them all, and returns the outcome with the counter {@code total} reads. Each model's
     * increment loop lives in its own unit lambda, so that an increment is the model's own
     * code; the lambdas are made by the caller, before the clock (Outcome.since says why).
     */
    private static Outcome countWith(Args args, Runnable unit, LongSupplier total)
            throws InterruptedException {
        int units = args.getInt("units");
        Thread[] started = new Thread[units];
        long start = System.nanoTime();
        for (int u = 0; u < units; u++) {
            started[u] = Thread.ofPlatform().start(unit);
        }
        for (Thread thread : started) {
            thread.join(); // orders every increment before the final read
        }
        return Outcome.since(start, total.getAsLong(), args.get("units") * args.get("increments"));
    }

    /**
     * java-seq: no concurrency: the main thread owns a {@link PlainCounter} and does every
     * unit's increments one after another, each a real load, add and store (rust-seq's
     * yardstick for the uncontended lock, at units = 1).
     */
    static Outcome seq(Args args) {
        long all = args.get("units") * args.get("increments");
        PlainCounter counter = PlainCounter.create();
        long start = System.nanoTime();
        for (long i = 0; i < all; i++) {
            counter.increment();
        }
        return Outcome.since(start, counter.get(), all);
    }

    /** java-synchronized: every increment inside {@code synchronized} on one lock object. */
    static Outcome synchronizedBlock(Args args) throws InterruptedException {
        long increments = args.get("increments");
        Object lock = new Object();
        long[] counter = new long[1];
        Runnable unit = () -> {
            for (long i = 0; i < increments; i++) {
                synchronized (lock) {
                    counter[0]++;
                }
            }
        };
        return countWith(args, unit, () -> counter[0]);
    }

    /** java-lock: every increment between lock() and unlock() of one ReentrantLock. */
    static Outcome reentrantLock(Args args) throws InterruptedException {
        long increments = args.get("increments");
        ReentrantLock lock = new ReentrantLock();
        long[] counter = new long[1];
        Runnable unit = () -> {
            for (long i = 0; i < increments; i++) {
                lock.lock();
                try {
                    counter[0]++;
                } finally {
                    lock.unlock();
                }
            }
        };
        return countWith(args, unit, () -> counter[0]);
    }

    /**
     * java-atomic: every increment is AtomicLong.incrementAndGet, one {@code lock xadd} on
     * x86, the instruction of go-atomic and rust-atomic. Not LongAdder: it spreads the
     * count over per-thread cells and sums them when read, a different algorithm (no shared
     * counter is updated), which would measure striping rather than the atomic.
     */
    static Outcome atomic(Args args) throws InterruptedException {
        long increments = args.get("increments");
        AtomicLong counter = new AtomicLong();
        Runnable unit = () -> {
            for (long i = 0; i < increments; i++) {
                counter.incrementAndGet();
            }
        };
        return countWith(args, unit, counter::get);
    }

    /**
     * java-racy: every thread increments one {@link PlainCounter} with no synchronisation:
     * a data race on purpose, to show the updates it loses. The checksum is whatever count
     * survives.
     *
     * <p>The units pass a start gate first, as go-racy's do: none increments until as many
     * units as there are CPUs (at most {@code units}) are running at once, each spinning. A
     * unit's loop is short (250,000 increments, ~0.2 ms compiled), so without the gate one
     * unit could end before the next had a CPU, and nothing would race. The spin does not
     * yield, so that the units wait on CPUs of their own. The gate's wait is in the time.
     */
    static Outcome racy(Args args) throws InterruptedException {
        long increments = args.get("increments");
        int together = Math.min(args.getInt("units"), Runtime.getRuntime().availableProcessors());
        AtomicInteger arrived = new AtomicInteger();
        PlainCounter counter = PlainCounter.create();
        Runnable unit = () -> {
            arrived.incrementAndGet();
            while (arrived.get() < together) {
                Thread.onSpinWait();
            }
            for (long i = 0; i < increments; i++) {
                counter.increment();
            }
        };
        return countWith(args, unit, counter::get);
    }
}
