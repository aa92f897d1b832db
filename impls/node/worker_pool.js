// worker-pool: the article's Go channel sample. A producer sends j = 1..jobs into a jobs
// channel of capacity `buffer`; `workers` workers each turn j into r = 2 * xs^spin(j) and
// send r into a results channel of capacity `buffer`; a collector receives them all. The
// checksum is Σ r (wrapping u64), ops = jobs.

import { CLOSED, Channel } from "./channel.js";
import { Stopwatch, withUnits } from "./protocol.js";
import { wrap, xsK } from "./xorshift.js";

/** What a worker sends for job j: 2 * xs^spin(j) mod 2^64. */
function resultOf(job, spin) {
  return wrap(2n * xsK(BigInt(job), spin));
}

/** The job number that tells a thread or process worker to stop (jobs start at 1). */
const STOP = 0;

/**
 * node-async: a producer and `workers` workers as async functions over two Channels of
 * capacity `buffer` (channel.js), the main async function collecting: the article's sample,
 * on one event loop (py-asyncio's tasks and queues). The jobs channel is closed after the
 * last job, as in Go.
 */
async function asyncPool({ jobs, workers, buffer, spin }) {
  const jobQueue = new Channel(buffer);
  const results = new Channel(buffer);
  const clock = new Stopwatch();
  const producer = (async () => {
    for (let j = 1; j <= jobs; j++) await jobQueue.send(j);
    jobQueue.close();
  })();
  const work = async () => {
    for (let j = await jobQueue.receive(); j !== CLOSED; j = await jobQueue.receive()) {
      await results.send(resultOf(j, spin));
    }
  };
  const pool = Array.from({ length: workers }, work);
  let sum = 0n;
  for (let i = 0; i < jobs; i++) {
    const r = await results.receive();
    sum = wrap(sum + r);
  }
  const outcome = { checksum: sum, elapsedNs: clock.elapsedNs(), ops: jobs };
  await Promise.all([producer, ...pool]); // teardown: the jobs channel is closed
  return outcome;
}

/**
 * The producer and collector of node-workers and node-processes, on the main thread's event
 * loop: one message per job to a worker, one per result back. A thread or process has no
 * channel shared by several receivers (a port or a pipe joins two ends), so each worker has
 * its own queue, its port or pipe, and the bound is kept by counting: at most `buffer` jobs
 * waiting in the workers' queues plus one in each worker's hands are out at a time, as in
 * the article's jobs channel. Each result collected lets one more job go, to the worker that
 * sent it; the first jobs go round-robin. Results queue up in the main thread's port or
 * pipe, at most as many as are out.
 * @param {{jobs: number, workers: number, buffer: number}} args
 * @param {{send: Function, on: Function}[]} links
 * @returns {Promise<bigint>} the sum of the results
 */
export function produceAndCollect({ jobs, buffer }, links) {
  return new Promise((resolve) => {
    let next = 1;
    let collected = 0;
    let sum = 0n;
    for (const link of links) {
      link.on((r) => {
        sum = wrap(sum + r);
        collected++;
        if (collected === jobs) resolve(sum);
        else if (next <= jobs) link.send(next++);
      });
    }
    for (let i = 0; next <= jobs && i < buffer + links.length; i++) {
      links[i % links.length].send(next++);
    }
  });
}

/** Runs node-workers or node-processes: `start(units)` starts one worker. */
function pooled(args, start) {
  const clock = new Stopwatch();
  return withUnits("worker_pool", async (units) => {
    const links = Array.from({ length: args.workers }, () => start(units));
    const sum = await produceAndCollect(args, links);
    const outcome = { checksum: sum, elapsedNs: clock.elapsedNs(), ops: args.jobs };
    for (const link of links) link.send(STOP); // teardown
    units.disconnect();
    await units.ended();
    return outcome;
  });
}

/** node-workers: `workers` worker threads, jobs and results as messages on their ports. */
function workerThreads(args) {
  return pooled(args, (units) => units.worker("work", { spin: args.spin }));
}

/** node-processes: `workers` child processes, jobs and results as messages on their pipes. */
function processes(args) {
  return pooled(args, (units) => units.process("work", { spin: args.spin }));
}

/**
 * The worker-pool workload, its Node.js models and the units they start.
 * @type {import("./protocol.js").Workload}
 */
export const WORKLOAD = {
  name: "worker-pool",
  params: [
    { name: "jobs", min: 1, max: 1_000_000_000 },
    { name: "workers", min: 1, max: 1024 },
    { name: "buffer", min: 1, max: 1_000_000 },
    { name: "spin", min: 0, max: 1_000_000 },
  ],
  models: [
    { id: "node-async", run: asyncPool },
    { id: "node-workers", run: workerThreads },
    { id: "node-processes", run: processes },
  ],
  units: {
    /** A thread or process worker: answers each job with its result until STOP. */
    work({ spin }, link) {
      return new Promise((resolve) => {
        link.on((job) => (job === STOP ? resolve() : link.send(resultOf(job, spin))));
      });
    },
  },
};
