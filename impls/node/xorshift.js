// Unsigned 64-bit arithmetic for the workloads: wrapping (mod 2^64) and xorshift64
// (docs/DESIGN.md, "Workloads").
//
// A JS number holds integers exactly only up to 2^53, so a u64 is either a BigInt or two
// 32-bit halves. The boundaries (parameters in, checksums and bodies out, a sum per task or
// job) are BigInts, wrapped with BigInt.asUintN(64, ..); the hot loops (xsK here, taskSum in
// cpu_parallel.js) run on 32-bit halves held in int32 numbers, which V8 keeps in machine
// registers. Measured with Node 20.20.2 (V8 11.3) on this project's 2-vCPU Xeon VM, CPU time
// after warm-up: an xorshift64 step takes ~3 ns on halves, 5-7 ns as
// `BigInt.asUintN(64, x ^ (x << 13n))` (V8 lowers that form to 64-bit machine operations)
// and ~150 ns with `& mask` (a new BigInt per operation); a step of cpu-parallel's loop
// (sum += i*i) ~3-4 ns on halves, ~13 ns with asUintN and 40-70 ns with plain BigInts. The
// halves keep the same work per step as the other languages' loops (three shifts and
// three xors; a multiply and an add), in more instructions.

/** 2^64 - 1. */
export const U64_MASK = (1n << 64n) - 1n;

/** `x` mod 2^64. */
export function wrap(x) {
  return BigInt.asUintN(64, x);
}

/** The u64 whose high and low 32 bits are the int32 bit patterns `hi` and `lo`. */
export function fromHalves(hi, lo) {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/**
 * xorshift64 applied `k` times to the u64 `x` (xs^0(x) = x): each step is
 * `x ^= x << 13; x ^= x >> 7; x ^= x << 17`, on the two halves.
 * @param {bigint} x
 * @param {number} k
 * @returns {bigint}
 */
export function xsK(x, k) {
  let hi = Number(x >> 32n) | 0;
  let lo = Number(x & 0xffffffffn) | 0;
  for (let i = 0; i < k; i++) {
    // x ^= x << 13: the high half takes the low half's top 13 bits.
    hi ^= (hi << 13) | (lo >>> 19);
    lo ^= lo << 13;
    // x ^= x >> 7: the low half takes the high half's bottom 7 bits.
    lo ^= (lo >>> 7) | (hi << 25);
    hi ^= hi >>> 7;
    // x ^= x << 17
    hi ^= (hi << 17) | (lo >>> 15);
    lo ^= lo << 17;
  }
  return fromHalves(hi, lo);
}
