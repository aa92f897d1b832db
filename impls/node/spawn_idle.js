// spawn-idle: "2 KB stacks, tens of thousands of goroutines". Spawn `units` units that each
// block until released; once all are alive, read the resident memory (metric rss_kb);
// release them and wait for them. spawn_ns is the time from the first spawn until all are
// alive. The checksum is the number of units that finished, ops = units.

import { readFileSync } from "node:fs";

import { Stopwatch, withUnits } from "./protocol.js";

/** The resident memory of this process in kB (VmRSS of /proc/self/status). */
export function rssKb() {
  const line = readFileSync("/proc/self/status", "ascii")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  if (line === undefined) throw new Error("/proc/self/status has no VmRSS line");
  return Number(line.split(/\s+/)[1]);
}

/** A promise and the function that resolves it. */
function signal() {
  let resolve;
  const promise = new Promise((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function outcome(units, finished, spawnNs, rss, clock) {
  return {
    checksum: BigInt(finished),
    elapsedNs: clock.elapsedNs(),
    ops: units,
    metrics: { rss_kb: rss, spawn_ns: spawnNs },
  };
}

/**
 * node-async: an async function per unit, each awaiting one promise that the main async
 * function resolves to release them all. Calling an async function runs it at once up to
 * its first await, so every unit is alive, suspended in that await, when the loop that
 * calls them ends. Nothing else is kept per unit (no array of their promises): a suspended
 * unit is held only by the reaction it registered on the release promise, so its memory is
 * the unit itself, as a goroutine's is.
 */
async function asyncUnits({ units }) {
  const release = signal();
  const allFinished = signal();
  let alive = 0;
  let finished = 0;
  const unit = async () => {
    alive++;
    await release.promise;
    if (++finished === units) allFinished.resolve();
  };
  const clock = new Stopwatch();
  for (let i = 0; i < units; i++) unit();
  if (alive !== units) throw new Error(`${alive} of ${units} units are alive`);
  const spawnNs = clock.elapsedNs();
  const rss = rssKb();
  release.resolve();
  if (units > 0) await allFinished.promise;
  return outcome(units, finished, spawnNs, rss, clock);
}

/**
 * node-workers: a worker thread per unit, each saying it is alive, then blocked in
 * Atomics.wait on one shared word that the main thread sets and notifies to release them
 * all; each says it finished before it ends. A worker thread is a V8 isolate and event loop
 * of its own: megabytes, not bytes (impls/README.md, "Node.js").
 */
function workerThreads({ units }) {
  const release = new SharedArrayBuffer(4);
  const clock = new Stopwatch();
  return withUnits("spawn_idle", async (threads) => {
    const allAlive = signal();
    let alive = 0;
    let finished = 0;
    if (units === 0) allAlive.resolve();
    for (let i = 0; i < units; i++) {
      threads.worker("idle", { release }).on((news) => {
        if (news === "alive" && ++alive === units) allAlive.resolve();
        if (news === "finished") finished++;
      });
    }
    await allAlive.promise;
    const spawnNs = clock.elapsedNs();
    const rss = rssKb();
    const flag = new Int32Array(release);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    await threads.ended(); // each thread's messages come before its exit
    return outcome(units, finished, spawnNs, rss, clock);
  });
}

/**
 * The spawn-idle workload, its Node.js models and the units they start.
 * @type {import("./protocol.js").Workload}
 */
export const WORKLOAD = {
  name: "spawn-idle",
  params: [{ name: "units", min: 0, max: 10_000_000 }],
  models: [
    { id: "node-async", run: asyncUnits },
    { id: "node-workers", run: workerThreads },
  ],
  units: {
    /** A node-workers thread: alive, blocked until released, finished. */
    async idle({ release }, link) {
      const flag = new Int32Array(release);
      link.send("alive");
      Atomics.wait(flag, 0, 0);
      link.send("finished");
    },
  },
};
