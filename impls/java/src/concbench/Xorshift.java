package concbench;

/** xorshift64 (docs/DESIGN.md, "Workloads"): the work unit of worker-pool and io-server. */
final class Xorshift {
    private Xorshift() {}

    /**
     * One step: {@code x ^= x << 13; x ^= x >>> 7; x ^= x << 17}, wrapping mod 2^64. The right
     * shift is the unsigned one ({@code >>>}): a u64 in a long's bits.
     */
    static long xs(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }

    /** {@link #xs} applied {@code k} times: {@code xsK(x, 0) = x}. */
    static long xsK(long x, long k) {
        for (; k > 0; k--) {
            x = xs(x);
        }
        return x;
    }
}
