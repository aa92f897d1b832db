// cpu-parallel: the article's ProcessPoolExecutor sample. Task k (0 <= k < tasks) computes
// s_k = Σ_{i < n+k} i*i (wrapping u64); the checksum is Σ_k s_k, ops = tasks, and `workers`
// is the pool size (node-seq and node-async ignore it).

import { Stopwatch, withUnits } from "./protocol.js";
import { fromHalves, wrap } from "./xorshift.js";

/**
 * The task being summed, as int32 bit patterns: [sum low, sum high, i low, i high]. One per
 * thread (each worker thread has its own copy of this module); a task runs to the end
 * without yielding, so tasks on one thread never share it.
 */
const task = new Int32Array(4);

/** Iterations per call of squaresBlock. */
const BLOCK = 1 << 16;

/**
 * `count` more steps of the task's loop: sum += i*i; i += 1, mod 2^64 on 32-bit halves
 * (xorshift.js says why halves). With i = ih·2^32 + il, i² mod 2^64 = il² + (2·ih·il mod
 * 2^32)·2^32, and il² = a²·2^32 + ab·2^17 + b² with a, b its 16-bit halves: every product
 * fits 32 bits, so Math.imul gives it exactly.
 *
 * Why blocks: V8 runs a long loop that it finds hot while inside it in on-stack-replacement
 * (OSR) code, and for this loop that code took about twice the CPU time of the same loop
 * compiled on entry to its function (~7 against ~3.5 ns a step, Node 20.20.2, measured in
 * one process: the first two 30M-step calls against the later ones). A task entered once
 * would run all of its steps in OSR code; in blocks of 65,536 steps the block function is
 * hot after a few calls and every later call enters its optimised code. A call per 65,536
 * steps costs nothing measurable; the warm-up (the first blocks, interpreted or in OSR
 * code) stays in every unit's elapsed time.
 */
function squaresBlock(count) {
  let sumLo = task[0];
  let sumHi = task[1];
  let il = task[2];
  let ih = task[3];
  for (let left = count; left > 0; left--) {
    const a = il >>> 16;
    const b = il & 0xffff;
    const ab = Math.imul(a, b);
    const bb = Math.imul(b, b);
    // il² = (a² + ab >>> 15)·2^32 + (ab << 17) + b²: the low word, then its carry.
    const lo = ((ab << 17) + bb) | 0;
    const carry = (lo ^ 0x80000000) < (bb ^ 0x80000000) ? 1 : 0; // unsigned lo < bb
    const hi = (Math.imul(a, a) + (ab >>> 15) + carry + (Math.imul(ih, il) << 1)) | 0;
    const sum = (sumLo + lo) | 0;
    sumHi = (sumHi + hi + ((sum ^ 0x80000000) < (lo ^ 0x80000000) ? 1 : 0)) | 0;
    sumLo = sum;
    il = (il + 1) | 0;
    if (il === 0) ih = (ih + 1) | 0;
  }
  task[0] = sumLo;
  task[1] = sumHi;
  task[2] = il;
  task[3] = ih;
}

/**
 * Task k's work: the sum of i*i for i < n+k, wrapping. Every model runs this function.
 * @param {number} n
 * @param {number} k
 * @returns {bigint}
 */
export function taskSum(n, k) {
  return squaresBetween(0, n + k);
}

/**
 * The sum of i*i for from <= i < to, wrapping, in calls of `block` steps: taskSum's loop
 * from any start (so that the tests can cross i = 2^32 without 2^32 steps), and in any
 * block (so that bench/warmup.js can run it as one call).
 * @param {number} from
 * @param {number} to
 * @param {number} [block]
 * @returns {bigint}
 */
export function squaresBetween(from, to, block = BLOCK) {
  task[0] = 0;
  task[1] = 0;
  task[2] = from % 2 ** 32 | 0;
  task[3] = Math.floor(from / 2 ** 32) | 0;
  for (let left = to - from; left > 0; left -= block) squaresBlock(Math.min(left, block));
  return fromHalves(task[1], task[0]);
}

function outcome(args, checksum, clock) {
  return { checksum, elapsedNs: clock.elapsedNs(), ops: args.tasks };
}

/** node-seq: a plain loop over the tasks. */
function seq(args) {
  const clock = new Stopwatch();
  let sum = 0n;
  for (let k = 0; k < args.tasks; k++) sum = wrap(sum + taskSum(args.n, k));
  return outcome(args, sum, clock);
}

/**
 * node-async: an async function per task on the one event loop, all started at once and
 * awaited with Promise.all (py-asyncio's tasks; `workers` is ignored). Each starts with an
 * await, so that the event loop's microtask queue runs the tasks, one after another: a task
 * never yields inside its loop, and one thread gives no parallelism.
 */
async function asyncTasks(args) {
  const clock = new Stopwatch();
  const run = async (k) => {
    await null;
    return taskSum(args.n, k);
  };
  const sums = await Promise.all(Array.from({ length: args.tasks }, (_, k) => run(k)));
  return outcome(args, sums.reduce((a, b) => wrap(a + b), 0n), clock);
}

/**
 * node-workers: `workers` worker threads; each claims task indices from one shared counter
 * (Atomics.add on a SharedArrayBuffer) until none is left, then posts its partial sum and
 * ends (rust-threads' scheme: an atomic index, then join).
 */
async function workerThreads(args) {
  const clock = new Stopwatch();
  return withUnits("cpu_parallel", async (units) => {
    const next = new SharedArrayBuffer(4);
    const partials = [];
    for (let w = 0; w < args.workers; w++) {
      const link = units.worker("claim", { n: args.n, tasks: args.tasks, next });
      partials.push(new Promise((resolve) => link.on(resolve)));
    }
    const sums = await Promise.all(partials);
    const result = outcome(args, sums.reduce((a, b) => wrap(a + b), 0n), clock);
    await units.ended(); // teardown: each thread ends after posting its sum
    return result;
  });
}

/**
 * node-processes: `workers` child processes (child_process.fork of this program), each
 * fed one task index at a time over its IPC pipe, answering with the task's sum
 * (go-processes' scheme); the parent hands the next index to whichever answers.
 */
async function processes(args) {
  const clock = new Stopwatch();
  return withUnits("cpu_parallel", async (units) => {
    let next = 0;
    let sum = 0n;
    const lane = async (link) => {
      for (let k = next++; k < args.tasks; k = next++) {
        // Awaited first: `sum + (await ..)` would read sum before the await, and the lanes
        // would overwrite each other's sums (a read-modify-write across an await).
        const taskResult = await link.ask(k);
        sum = wrap(sum + taskResult);
      }
    };
    const lanes = [];
    for (let w = 0; w < args.workers; w++) lanes.push(lane(units.process("serve", { n: args.n })));
    await Promise.all(lanes);
    const result = outcome(args, sum, clock);
    units.disconnect(); // teardown: each process ends when its pipe closes
    await units.ended();
    return result;
  });
}

/**
 * The cpu-parallel workload, its Node.js models and the units they start.
 * @type {import("./protocol.js").Workload}
 */
export const WORKLOAD = {
  name: "cpu-parallel",
  params: [
    { name: "tasks", min: 1, max: 1_000_000 },
    { name: "n", min: 0, max: 10_000_000_000 },
    { name: "workers", min: 1, max: 1024 },
  ],
  models: [
    { id: "node-seq", run: seq },
    { id: "node-async", run: asyncTasks },
    { id: "node-workers", run: workerThreads },
    { id: "node-processes", run: processes },
  ],
  units: {
    /** A node-workers thread: claims tasks until none is left, then posts its sum. */
    async claim({ n, tasks, next }, link) {
      const index = new Int32Array(next);
      let sum = 0n;
      for (let k = Atomics.add(index, 0, 1); k < tasks; k = Atomics.add(index, 0, 1)) {
        sum = wrap(sum + taskSum(n, k));
      }
      link.send(sum);
    },
    /** A node-processes child: answers each task index with that task's sum. */
    async serve({ n }, link) {
      link.on((k) => link.send(taskSum(n, k)));
    },
  },
};
