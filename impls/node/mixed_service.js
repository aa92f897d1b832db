// mixed-service: the layered asyncio + process pool advice, on every CPU. No load generator:
// requests arrive inside the process on a timer, `rate` a second (request i at (i - 1) / rate
// s after the schedule starts), each waits `delay_us` without holding a core (the simulated
// upstream call), then computes xs^cpu(i). The checksum is the sum of the answers (mod 2^64),
// ops = `requests`.
//
// Open loop: an arrival never waits for an earlier answer, and a request's latency runs from
// its intended arrival, so a model that falls behind shows its queue in the latency instead
// of slowing the arrivals down (no coordinated omission). Metrics: rps (answers per second of
// the schedule: from its start to the last answer), and the latency percentiles p50_us,
// p90_us, p99_us, p999_us, max_us (nearest rank).
//
// Timers: Node's count whole milliseconds from the event loop's clock, which is read once
// per loop turn (impls/README.md, "Node.js"): a timer armed late in a long turn starts from a
// stale time and can fire before its delay has passed in real time. So every wait here
// (the arrivals' and the upstream's) is `sleepUntil` a deadline on the monotonic clock: a
// timer of the whole milliseconds left, armed again if it fired early. A wait is never
// shorter than asked; it can be up to about a millisecond longer, as any Node.js timer.

import { setTimeout as sleep } from "node:timers/promises";

import { Stopwatch, withUnits } from "./protocol.js";
import { wrap, xsK } from "./xorshift.js";

/** What a pool thread is sent to end. No request is 0 (they count from 1). */
const STOP = 0;

/** Nanoseconds on the monotonic clock (process.hrtime), as an exact number (< 2^53 for
 * 104 days of uptime). */
function nowNs() {
  return Number(process.hrtime.bigint());
}

/**
 * Waits until the monotonic clock reaches `deadlineNs`, on timers: no core is held.
 * @param {number} deadlineNs
 */
export async function sleepUntil(deadlineNs) {
  for (let left = deadlineNs - nowNs(); left > 0; left = deadlineNs - nowNs()) {
    await sleep(Math.ceil(left / 1e6));
  }
}

/** When request `i` (from 1) arrives, in ns on nowNs's clock, in a schedule that started
 * at `startNs`. Exact: (i - 1) × 10^9 ≤ 10^14 < 2^53. */
export function intendedNs(startNs, i, rate) {
  return startNs + Math.floor(((i - 1) * 1e9) / rate);
}

/** The nearest-rank quantile of `sorted` (ascending ns, not empty) at `permille` / 1000, in
 * whole µs: the value of rank ceil(permille × n / 1000). */
export function percentileUs(sorted, permille) {
  const rank = Math.max(1, Math.ceil((permille * sorted.length) / 1000));
  return Math.floor(sorted[rank - 1] / 1000);
}

/** The workload's metrics from every request's latency (ns) and the schedule's length (from
 * its start to the last answer). */
export function serviceMetrics(latenciesNs, requests, scheduleNs) {
  const sorted = Float64Array.from(latenciesNs).sort();
  return {
    rps: Math.floor((requests * 1e9) / Math.max(1, scheduleNs)),
    p50_us: percentileUs(sorted, 500),
    p90_us: percentileUs(sorted, 900),
    p99_us: percentileUs(sorted, 990),
    p999_us: percentileUs(sorted, 999),
    max_us: Math.floor(sorted[sorted.length - 1] / 1000),
  };
}

/**
 * Runs the schedule on the event loop: an async function per request, started at its
 * arrival time (all those already due at once when the loop is behind: they have arrived);
 * `cpuPart(i)` is where the model computes xs^cpu(i). Returns the sum and the metrics.
 * @param {Record<string, number>} args
 * @param {(i: number) => bigint | Promise<bigint>} cpuPart
 */
async function serve(args, cpuPart) {
  const { rate, requests } = args;
  const delayNs = args.delay_us * 1000;
  const latencies = new Float64Array(requests);
  let total = 0n;
  const request = async (i, dueNs) => {
    if (delayNs > 0) await sleepUntil(nowNs() + delayNs);
    const answer = await cpuPart(i);
    latencies[i - 1] = nowNs() - dueNs;
    total = wrap(total + answer);
  };
  const started = [];
  const startNs = nowNs();
  for (let i = 1; i <= requests; i++) {
    const dueNs = intendedNs(startNs, i, rate);
    if (dueNs > nowNs()) await sleepUntil(dueNs);
    started.push(request(i, dueNs));
  }
  await Promise.all(started);
  const scheduleNs = nowNs() - startNs;
  return { total, metrics: serviceMetrics(latencies, requests, scheduleNs) };
}

/**
 * node-async: everything on the one event loop: the arrivals' and the waits' timers, and the
 * CPU part inline (every arrival and wait that is due waits meanwhile). `workers` is ignored.
 */
async function onTheLoop(args) {
  const clock = new Stopwatch();
  const { total, metrics } = await serve(args, (i) => xsK(BigInt(i), args.cpu));
  return { checksum: total, elapsedNs: clock.elapsedNs(), ops: args.requests, metrics };
}

/** What a pool thread sends once it is ready for work. */
const READY = "ready";

/**
 * A pool of worker threads fed one CPU part at a time: a part goes to an idle thread, or
 * waits in a FIFO queue until one is idle (what a pool such as piscina does, written out).
 * A thread is idle from its READY message on; `ready` resolves once every thread is.
 */
export class Pool {
  /** @param {{send: Function, on: Function}[]} links one per started thread */
  constructor(links) {
    this.idle = [];
    this.queue = [];
    let waiting = links.length;
    this.ready = new Promise((resolve) => {
      for (const link of links) {
        link.on((message) => {
          if (message === READY) {
            this.idle.push(link);
            if (--waiting === 0) resolve();
          } else {
            const answered = link.answered;
            link.answered = undefined;
            this.idle.push(link);
            answered(message);
          }
          this.dispatch();
        });
      }
    });
  }

  /** A promise of the answer to request `i` from a pool thread. */
  compute(i) {
    return new Promise((resolve) => {
      this.queue.push({ i, resolve });
      this.dispatch();
    });
  }

  /** Hands queued parts to idle threads, oldest first. */
  dispatch() {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const link = this.idle.shift();
      const { i, resolve } = this.queue.shift();
      link.answered = resolve;
      link.send(i);
    }
  }
}

/**
 * node-workers: the layered design in Node.js. The event loop takes the arrivals and the
 * waits; the CPU part goes to a pool of `workers` worker_threads (Pool), the answer back
 * through a message. The threads are started, and ready, before the schedule, as a service
 * starts its pool before taking traffic; their start is in elapsed_ns, not in the latencies.
 */
async function workerPool(args) {
  const clock = new Stopwatch();
  return withUnits("mixed_service", async (units) => {
    const links = Array.from({ length: args.workers }, () =>
      units.worker("compute", { cpu: args.cpu }),
    );
    const pool = new Pool(links);
    await pool.ready;
    const { total, metrics } = await serve(args, (i) => pool.compute(i));
    const outcome = { checksum: total, elapsedNs: clock.elapsedNs(), ops: args.requests, metrics };
    for (const link of links) link.send(STOP); // teardown
    await units.ended();
    return outcome;
  });
}

/**
 * The mixed-service workload, its Node.js models and the unit of node-workers' pool.
 * @type {import("./protocol.js").Workload}
 */
export const WORKLOAD = {
  name: "mixed-service",
  params: [
    { name: "rate", min: 1, max: 100_000 },
    { name: "requests", min: 1, max: 100_000 },
    { name: "delay_us", min: 0, max: 10_000_000 },
    { name: "cpu", min: 0, max: 100_000_000 },
    { name: "workers", min: 1, max: 1024 },
  ],
  models: [
    { id: "node-async", run: onTheLoop },
    { id: "node-workers", run: workerPool },
  ],
  units: {
    /** A pool thread: says it is ready, then answers each request i with xs^cpu(i) until STOP. */
    compute({ cpu }, link) {
      return new Promise((resolve) => {
        link.on((i) => (i === STOP ? resolve() : link.send(xsK(BigInt(i), cpu))));
        link.send(READY);
      });
    },
  },
};
