// shared-counter: the article's Arc<Mutex> sample. `units` concurrent units each add 1 to one
// shared counter `increments` times; the checksum is the final counter (units × increments
// when nothing is lost), ops = units × increments.
//
// The counter is one u64 in a BigUint64Array: on a SharedArrayBuffer for the worker-thread
// models (node-atomics adds with Atomics.add, node-racy with a plain load, add and store), on
// an ArrayBuffer of its own for node-seq. node-async counts in a plain number: at most
// 100,000 × 10^9 = 10^14, exact below 2^53.

import { availableParallelism } from "node:os";

import { Stopwatch, withUnits } from "./protocol.js";

/**
 * `increments` plain increments of counter[0]: each a load, an add and a store, with no
 * atomic instruction, so that another thread's increment landing between the load and the
 * store is lost. Every node-racy unit and node-seq run this function.
 *
 * What V8 makes of it (Node 20.20.2, `node --print-opt-code`): the optimised loop does
 * `movq r8,[r12+r11*1]; addq r8,0x1; movq [r12+r11*1],r8` per iteration, a load, add and
 * store of the element (V8 turns `+= 1n` on a BigUint64Array element into a 64-bit add), plus
 * the array's map and length checks. That the loop is not folded into one add is V8's
 * behaviour, not a guarantee: the ECMAScript memory model lets an engine merge non-atomic
 * accesses to shared memory that no atomic operation orders. The test that node-racy loses
 * updates, and the one that 10× the increments take at least 3× the time, would catch it.
 * @param {BigUint64Array} counter
 * @param {number} increments
 */
export function addPlain(counter, increments) {
  for (let i = 0; i < increments; i++) counter[0] += 1n;
}

function outcome({ units, increments }, counter, clock) {
  return { checksum: counter, elapsedNs: clock.elapsedNs(), ops: units * increments };
}

/**
 * node-seq: one thread owns the counter and does every unit's increments, one after
 * another: rust-seq's yardstick, the same increment as node-racy without the threads.
 */
function seq(args) {
  const counter = new BigUint64Array(1);
  const clock = new Stopwatch();
  for (let u = 0; u < args.units; u++) addPlain(counter, args.increments);
  return outcome(args, counter[0], clock);
}

/**
 * node-async: `units` async functions on the one event loop, each awaiting before every
 * increment, so that the units interleave at each one (the microtask queue runs them in
 * turn). No lock: between two awaits nothing else runs on the thread, so the read, add and
 * write of `counter += 1` cannot be split, and nothing is lost.
 */
async function asyncUnits(args) {
  let counter = 0;
  const clock = new Stopwatch();
  const unit = async () => {
    for (let i = 0; i < args.increments; i++) {
      await null;
      counter += 1;
    }
  };
  await Promise.all(Array.from({ length: args.units }, unit));
  return outcome(args, BigInt(counter), clock);
}

/**
 * Runs `units` worker threads of `unit` on one shared counter, waits until every one has
 * ended, and reads the counter. The gate counts arrivals (node-racy's start gate).
 */
function threads(args, unit) {
  const shared = new SharedArrayBuffer(8);
  const gate = new SharedArrayBuffer(4);
  const together = Math.min(args.units, availableParallelism());
  const clock = new Stopwatch();
  return withUnits("shared_counter", async (units) => {
    for (let u = 0; u < args.units; u++) {
      units.worker(unit, { shared, gate, together, increments: args.increments });
    }
    await units.ended(); // every increment happens before its thread's exit is seen
    return outcome(args, new BigUint64Array(shared)[0], clock);
  });
}

/** node-atomics: a worker thread per unit, each increment one Atomics.add. */
function atomics(args) {
  return threads(args, "atomic");
}

/**
 * node-racy: a worker thread per unit, each increment addPlain's load, add and store, with
 * no synchronisation at all: a data race on purpose, to show the updates it loses. The
 * checksum is whatever count survives.
 *
 * The units pass a start gate first, as go-racy's do: none increments until as many units
 * as there are CPUs (at most `units`) are running at once, each spinning. A worker thread
 * takes tens of milliseconds to start (a new V8 isolate), and a unit's 250,000 increments
 * take about a millisecond, so without the gate the units would run one after another and
 * lose nothing. The gate's wait is in the elapsed time.
 */
function racy(args) {
  return threads(args, "racy");
}

/**
 * The shared-counter workload, its Node.js models and the units they start.
 * @type {import("./protocol.js").Workload}
 */
export const WORKLOAD = {
  name: "shared-counter",
  params: [
    { name: "units", min: 1, max: 100_000 },
    { name: "increments", min: 0, max: 1_000_000_000 },
  ],
  models: [
    { id: "node-seq", run: seq },
    { id: "node-async", run: asyncUnits },
    { id: "node-atomics", run: atomics },
    { id: "node-racy", run: racy },
  ],
  units: {
    /** A node-atomics thread. */
    async atomic({ shared, increments }) {
      const counter = new BigUint64Array(shared);
      for (let i = 0; i < increments; i++) Atomics.add(counter, 0, 1n);
    },
    /** A node-racy thread: the start gate, then plain increments. */
    async racy({ shared, gate, together, increments }) {
      const arrived = new Int32Array(gate);
      Atomics.add(arrived, 0, 1);
      while (Atomics.load(arrived, 0) < together) {
        // spin, without yielding: see racy()
      }
      addPlain(new BigUint64Array(shared), increments);
    },
  },
};
