// prime-sieve: Go's concurrent daisy-chain sieve. A generator feeds 2, 3, 4, ... into a
// channel; for each prime the main unit receives from the head of the chain, it starts a
// filter unit that drops that prime's multiples and becomes the new head, with its own new
// channel. The checksum is the sum of the first `primes` primes, ops = primes. The numbers
// stay below 2^53 (the millionth prime is 15,485,863; the sum of a million primes ~7·10^12).

import { CLOSED, Channel } from "./channel.js";
import { Stopwatch, withUnits } from "./protocol.js";

function outcome(primes, sum, elapsedNs) {
  return { checksum: BigInt(sum), elapsedNs, ops: primes };
}

/** The generator: 2, 3, 4, ... for as long as the chain takes them. */
async function generate(out) {
  for (let candidate = 2; ; candidate++) await out.send(candidate);
}

/** A filter: passes on the numbers of `source` that `prime` does not divide. */
async function sift(prime, source, out) {
  for (let c = await source.receive(); c !== CLOSED; c = await source.receive()) {
    if (c % prime !== 0) await out.send(c);
  }
}

/**
 * node-async: an async function and a Channel of capacity `buffer` (channel.js; 0 is a
 * rendezvous, as Go's unbuffered channel) per prime: py-asyncio's tasks and queues.
 *
 * No teardown: once the answer is known the chain is left parked, each function suspended
 * on a promise of its channel (it fills its channel and waits, so it stops by itself within
 * `buffer` numbers). A pending promise holds no event-loop handle, so the process exits
 * after the result line without waiting for it, as py-threads' daemon threads do.
 */
async function asyncSieve({ primes, buffer }) {
  const clock = new Stopwatch();
  let head = new Channel(buffer);
  generate(head);
  let sum = 0;
  for (let i = 0; i < primes; i++) {
    const prime = await head.receive();
    sum += prime;
    const out = new Channel(buffer);
    sift(prime, head, out);
    head = out;
  }
  return outcome(primes, sum, clock.elapsedNs());
}

/** The first stage of the generators' chain: 2, 3, 4, ... */
async function* numbers() {
  for (let candidate = 2; ; candidate++) yield candidate;
}

/** A filter stage: the numbers of `source` that `prime` does not divide. */
async function* siftGenerator(prime, source) {
  for await (const c of source) if (c % prime !== 0) yield c;
}

/** The chain of async generators, on the thread that calls it: the sum and elapsed time. */
async function generatorChain(primes) {
  const clock = new Stopwatch();
  let source = numbers();
  let sum = 0;
  for (let i = 0; i < primes; i++) {
    const { value: prime } = await source.next();
    sum += prime;
    source = siftGenerator(prime, source);
  }
  const elapsedNs = clock.elapsedNs();
  // Teardown: closing the last stage closes the whole chain, each for-await its source.
  await source.return();
  return { sum, elapsedNs };
}

/** The stack of the chain's thread: 4 MB beside the chain, and 1 KB per stage (measured:
 * ~300 bytes; a 4 MB stack held 12,000 stages, not 14,000). */
const BASE_STACK_MB = 4;
const STAGES_PER_MB = 1024;

/**
 * node-async-generators: an async generator per prime, each iterating (for await) over the
 * one before: no channels, so `buffer` is ignored (py-async-generators' chain).
 *
 * Calling next() on a suspended async generator resumes it at once, inside the call, so
 * asking the last stage for a number resumes every stage down to the first, each inside the
 * one after it: the chain is `primes` frames deep on the stack. V8's stack on the main thread
 * (984 KB) held about 3,000 stages and threw RangeError at 4,000, so the chain runs on a
 * worker thread whose stack fits it (resourceLimits.stackSizeMb); its clock starts there,
 * just before the first stage is created, and the thread's start is not timed.
 */
function asyncGenerators({ primes }) {
  const stackSizeMb = BASE_STACK_MB + Math.ceil(primes / STAGES_PER_MB);
  return withUnits("prime_sieve", async (threads) => {
    const chain = threads.worker("chain", { primes }, { resourceLimits: { stackSizeMb } });
    const { sum, elapsedNs } = await new Promise((resolve) => chain.on(resolve));
    await threads.ended();
    return outcome(primes, sum, elapsedNs);
  });
}

/**
 * The prime-sieve workload, its Node.js models and the units they start.
 * @type {import("./protocol.js").Workload}
 */
export const WORKLOAD = {
  name: "prime-sieve",
  params: [
    { name: "primes", min: 1, max: 1_000_000 },
    { name: "buffer", min: 0, max: 10_000 },
  ],
  models: [
    { id: "node-async", run: asyncSieve },
    { id: "node-async-generators", run: asyncGenerators },
  ],
  units: {
    /** node-async-generators' thread: runs the chain and posts its sum and time. */
    async chain({ primes }, link) {
      link.send(await generatorChain(primes));
    },
  },
};
