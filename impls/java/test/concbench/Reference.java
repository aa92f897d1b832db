package concbench;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The harness's reference checksums and op counts (crates/concbench/src/catalogue/reference.rs),
 * computed again here without any of the program's code: closed forms and plain loops. The
 * conformance test checks it against suite/test-vectors.json before trusting it.
 */
final class Reference {
    private static final BigInteger U64 = BigInteger.ONE.shiftLeft(64);

    private Reference() {}

    /** One xorshift64 step, written out again rather than taken from the program. */
    static long xs(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        return x ^ (x << 17);
    }

    /** {@link #xs} applied k times. */
    static long xsK(long x, long k) {
        for (long i = 0; i < k; i++) {
            x = xs(x);
        }
        return x;
    }

    /** Σ_{i&lt;m} i² mod 2^64, by the closed form (m−1)m(2m−1)/6. */
    static long sumOfSquaresBelow(long m) {
        if (m == 0) {
            return 0;
        }
        BigInteger b = BigInteger.valueOf(m);
        BigInteger exact = b.subtract(BigInteger.ONE).multiply(b)
                .multiply(b.shiftLeft(1).subtract(BigInteger.ONE)).divide(BigInteger.valueOf(6));
        return exact.mod(U64).longValue();
    }

    /** The sum of the first {@code count} primes, by trial division. */
    static long sumOfFirstPrimes(long count) {
        List<Long> primes = new ArrayList<>();
        long sum = 0;
        for (long candidate = 2; primes.size() < count; candidate++) {
            boolean prime = true;
            for (long p : primes) {
                if (p * p > candidate) {
                    break;
                }
                if (candidate % p == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                primes.add(candidate);
                sum += candidate;
            }
        }
        return sum;
    }

    /** The expected checksum (a u64 in a long's bits) of {@code workload} with {@code p}. */
    static long checksum(String workload, Map<String, Long> p) {
        return switch (workload) {
            case "cpu-parallel" -> {
                long sum = 0;
                for (long k = 0; k < p.get("tasks"); k++) {
                    sum += sumOfSquaresBelow(p.get("n") + k);
                }
                yield sum;
            }
            case "worker-pool" -> {
                long sum = 0;
                for (long j = 1; j <= p.get("jobs"); j++) {
                    sum += 2 * xsK(j, p.get("spin"));
                }
                yield sum;
            }
            case "shared-counter" -> p.get("units") * p.get("increments");
            case "spawn-idle" -> p.get("units");
            case "ping-pong" -> 2 * p.get("rounds");
            case "prime-sieve" -> sumOfFirstPrimes(p.get("primes"));
            case "mixed-service" -> {
                long sum = 0;
                for (long i = 1; i <= p.get("requests"); i++) {
                    sum += xsK(i, p.get("cpu"));
                }
                yield sum;
            }
            default -> throw new IllegalArgumentException("no reference checksum for " + workload);
        };
    }

    /** How many ops a run of {@code workload} with {@code p} does. */
    static long ops(String workload, Map<String, Long> p) {
        return switch (workload) {
            case "cpu-parallel" -> p.get("tasks");
            case "worker-pool" -> p.get("jobs");
            case "shared-counter" -> p.get("units") * p.get("increments");
            case "spawn-idle" -> p.get("units");
            case "ping-pong" -> 2 * p.get("rounds");
            case "prime-sieve" -> p.get("primes");
            case "mixed-service" -> p.get("requests");
            default -> throw new IllegalArgumentException("no op count for " + workload);
        };
    }
}
