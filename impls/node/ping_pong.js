// ping-pong: "a goroutine context switch costs about 100 ns". Two units pass a counter back
// and forth, each adding 1 on receipt; after `rounds` round trips the counter (the checksum)
// is 2 × rounds, and ops = 2 × rounds hand-offs. The counter fits an int32: at most 2 × 10^9.

import { MessageChannel } from "node:worker_threads";

import { CLOSED, Channel } from "./channel.js";
import { Stopwatch, withUnits } from "./protocol.js";

/** What ping sends pong to end the exchange (counters are never negative). */
const STOP = -1;

function outcome(rounds, counter, clock) {
  return { checksum: BigInt(counter), elapsedNs: clock.elapsedNs(), ops: 2 * rounds };
}

/**
 * node-async: two async functions on the one event loop and two Channels of capacity 0
 * (channel.js), as Go's two unbuffered channels: each hand-off resolves the promise the
 * other side is waiting on, and the other side resumes from the microtask queue.
 */
async function asyncPingPong({ rounds }) {
  const toPong = new Channel(0);
  const toPing = new Channel(0);
  const clock = new Stopwatch();
  const pong = (async () => {
    for (let c = await toPong.receive(); c !== CLOSED; c = await toPong.receive()) {
      await toPing.send(c + 1);
    }
  })();
  const ping = (async () => {
    let counter = 0;
    for (let r = 0; r < rounds; r++) {
      await toPong.send(counter);
      counter = (await toPing.receive()) + 1;
    }
    toPong.close(); // teardown: pong ends
    return counter;
  })();
  const counter = await ping;
  const result = outcome(rounds, counter, clock);
  await pong;
  return result;
}

/**
 * node-workers: two worker threads, ping and pong, joined by a MessageChannel whose ports
 * the main thread hands over: each hand-off is a postMessage, received as a 'message' event
 * on the other thread's event loop. Ping reports the counter to the main thread.
 */
function workerThreads({ rounds }) {
  const clock = new Stopwatch();
  return withUnits("ping_pong", async (threads) => {
    const { port1, port2 } = new MessageChannel();
    threads.worker("pongPort", { port: port2 }, { transferList: [port2] });
    const ping = threads.worker("pingPort", { port: port1, rounds }, { transferList: [port1] });
    const counter = await new Promise((resolve) => ping.on(resolve));
    const result = outcome(rounds, counter, clock);
    await threads.ended();
    return result;
  });
}

/** The words of node-atomics' shared cell. */
const TURN = 0;
const VALUE = 1;
/** Whose turn it is. */
const PING = 0;
const PONG = 1;
const STOPPED = 2;

/** Blocks (Atomics.wait) while the cell's turn is `turn`; returns the new turn. */
function waitWhile(cell, turn) {
  let now = Atomics.load(cell, TURN);
  while (now === turn) {
    Atomics.wait(cell, TURN, turn);
    now = Atomics.load(cell, TURN);
  }
  return now;
}

/** Hands the turn over: stores it and wakes the thread waiting for it. */
function handOver(cell, turn) {
  Atomics.store(cell, TURN, turn);
  Atomics.notify(cell, TURN);
}

/**
 * node-atomics: two worker threads sharing one cell (an Int32Array on a SharedArrayBuffer:
 * whose turn, and the counter). Each writes the counter, hands the turn over with
 * Atomics.store and Atomics.notify, and blocks in Atomics.wait until the turn comes back:
 * each hand-off wakes a blocked thread, as rust-threads' channels do.
 */
function atomics({ rounds }) {
  const shared = new SharedArrayBuffer(8);
  const clock = new Stopwatch();
  return withUnits("ping_pong", async (threads) => {
    threads.worker("pongAtomics", { shared });
    const ping = threads.worker("pingAtomics", { shared, rounds });
    const counter = await new Promise((resolve) => ping.on(resolve));
    const result = outcome(rounds, counter, clock);
    await threads.ended();
    return result;
  });
}

/**
 * node-processes: the main process plays ping and a child process (fork) pong, over the
 * child's IPC pipe (py-processes' scheme): one message each way per round trip.
 */
function processes({ rounds }) {
  const clock = new Stopwatch();
  return withUnits("ping_pong", async (children) => {
    const pong = children.process("pongPipe", {});
    let counter = 0;
    for (let r = 0; r < rounds; r++) counter = (await pong.ask(counter)) + 1;
    const result = outcome(rounds, counter, clock);
    children.disconnect(); // teardown: pong ends when its pipe closes
    await children.ended();
    return result;
  });
}

/**
 * The ping-pong workload, its Node.js models and the units they start.
 * @type {import("./protocol.js").Workload}
 */
export const WORKLOAD = {
  name: "ping-pong",
  params: [{ name: "rounds", min: 1, max: 1_000_000_000 }],
  models: [
    { id: "node-async", run: asyncPingPong },
    { id: "node-workers", run: workerThreads },
    { id: "node-atomics", run: atomics },
    { id: "node-processes", run: processes },
  ],
  units: {
    /** node-workers' ping: serves `rounds` times over its port, then stops pong. */
    pingPort({ port, rounds }, link) {
      return new Promise((resolve) => {
        let counter = 0;
        let done = 0;
        port.on("message", (c) => {
          counter = c + 1;
          if (++done < rounds) {
            port.postMessage(counter);
            return;
          }
          port.postMessage(STOP);
          port.close();
          link.send(counter);
          resolve();
        });
        port.postMessage(counter);
      });
    },
    /** node-workers' pong: answers every counter with counter + 1 until STOP. */
    pongPort({ port }) {
      return new Promise((resolve) => {
        port.on("message", (c) => {
          if (c !== STOP) {
            port.postMessage(c + 1);
            return;
          }
          port.close();
          resolve();
        });
      });
    },
    /** node-atomics' ping. */
    async pingAtomics({ shared, rounds }, link) {
      const cell = new Int32Array(shared);
      let counter = 0;
      for (let r = 0; r < rounds; r++) {
        Atomics.store(cell, VALUE, counter);
        handOver(cell, PONG);
        waitWhile(cell, PONG);
        counter = Atomics.load(cell, VALUE) + 1;
      }
      handOver(cell, STOPPED);
      link.send(counter);
    },
    /** node-atomics' pong: adds 1 each turn until ping stops. */
    async pongAtomics({ shared }) {
      const cell = new Int32Array(shared);
      while (waitWhile(cell, PING) !== STOPPED) {
        Atomics.store(cell, VALUE, Atomics.load(cell, VALUE) + 1);
        handOver(cell, PING);
      }
    },
    /** node-processes' pong: answers every counter with counter + 1, until disconnected. */
    async pongPipe(_, link) {
      link.on((c) => link.send(c + 1));
    },
  },
};
