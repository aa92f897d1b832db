// io-server: "API gateways: massive connections". An HTTP/1.1 keep-alive server on 127.0.0.1
// (a port the system picks): `GET /work?id=I` waits `delay_us` without holding a core (the
// simulated upstream call), then answers xs^cpu(I) in decimal. The server says
// `{"listening": "127.0.0.1:<port>"}`, serves until SIGTERM, then reports the requests it
// answered with 200 as checksum and ops; elapsed_ns runs from listening to SIGTERM. The load
// generator lives in the harness.
//
// Both models serve with node:http. 10,000 connections need more descriptors than the usual
// soft limit of 1024: Node.js raises the soft RLIMIT_NOFILE to the hard limit at start-up
// (as Go's runtime does; checked with `ulimit -Sn 1024` and /proc/self/limits), so this file
// has nothing to add.
//
// The wait is a timer (timers/promises' setTimeout), and Node's timers count whole
// milliseconds: a delay under 1 ms becomes 1 ms, a fraction is dropped (1.5 ms waited as
// long as 1 ms: bench/timer.js), and a timer runs on the event loop's millisecond clock,
// cached once per loop turn. So the delay is rounded up to whole milliseconds, never less
// than asked; impls/README.md ("Node.js") has what a delay_us of 1000 measured.

import cluster from "node:cluster";
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

import { Stopwatch, printLine } from "./protocol.js";
import { U64_MASK, xsK } from "./xorshift.js";

/** The only address a server binds: the loopback, on a port the system picks. */
const HOST = "127.0.0.1";
/** The listen backlog: node:http's default of 511 overflows when thousands of clients
 * connect at once (each overflow costs a client a one-second SYN retry); the kernel caps
 * it at net.core.somaxconn. */
const BACKLOG = 65_535;

/**
 * What a request asks for: `{status: 200, id}` for `GET /work?id=I` (I a u64 in decimal
 * digits, the first `id` of the query), else the status that refuses it: 404 for another
 * path, 405 for another method, 400 without a good id.
 * @param {string} method
 * @param {string} target the request target, e.g. `/work?id=7`
 * @returns {{status: number, id?: bigint}}
 */
export function route(method, target) {
  const question = target.indexOf("?");
  const path = question < 0 ? target : target.slice(0, question);
  if (path !== "/work") return { status: 404 };
  if (method !== "GET") return { status: 405 };
  const query = question < 0 ? "" : target.slice(question + 1);
  const pair = query.split("&").find((p) => p.startsWith("id="));
  const text = pair === undefined ? "" : pair.slice(3);
  if (!/^[0-9]{1,20}$/.test(text) || BigInt(text) > U64_MASK) return { status: 400 };
  return { status: 200, id: BigInt(text) };
}

/** What every request of one server shares: the work it asks for and the count of answers. */
class Work {
  constructor({ delay_us: delayUs, cpu, alloc }) {
    /** Bytes each request allocates and writes, held until it is answered (0: none). */
    this.alloc = alloc ?? 0;
    /** The simulated upstream wait in whole milliseconds, rounded up; 0: none. */
    this.delayMs = Math.ceil(delayUs / 1000);
    /** xorshift64 steps of the CPU part. */
    this.cpu = cpu;
    /** Requests answered with 200 so far. */
    this.answered = 0;
  }

  /** Answers one request. */
  async handle(request, response) {
    const { status, id } = route(request.method, request.url);
    if (status !== 200) {
      const body = http.STATUS_CODES[status];
      const headers = { "Content-Type": "text/plain", "Content-Length": body.length };
      if (status === 405) headers.Allow = "GET";
      response.writeHead(status, headers).end(body);
      return;
    }
    // The request's own memory (`alloc`), every byte written, held across the wait: the
    // allocation per request that exercises the garbage collector.
    const block = this.alloc > 0 ? Buffer.alloc(this.alloc, 1) : null;
    if (this.delayMs > 0) await sleep(this.delayMs); // an awaited timer: no core held
    const body = xsK(id, this.cpu).toString();
    if (block !== null && block[block.length - 1] !== 1) throw new Error("alloc block lost");
    if (response.destroyed) return; // the client has gone: nothing was answered
    // Counted before it is sent: once the client has its answer, a SIGTERM finds it counted.
    this.answered++;
    response.writeHead(200, { "Content-Type": "text/plain", "Content-Length": body.length });
    response.end(body);
  }

  /** A node:http server of this work: HTTP/1.1 keep-alive, as node:http does by default. */
  server() {
    const server = http.createServer((request, response) => {
      this.handle(request, response).catch((error) => response.destroy(error));
    });
    // No idle timeout (node:http closes a keep-alive connection idle for 5 s), as Go's
    // net/http by default: the load generator's connections may wait longer between requests.
    server.keepAliveTimeout = 0;
    return server;
  }
}

/** Listens on 127.0.0.1, port 0; resolves with the address once listening. */
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: HOST, port: 0, backlog: BACKLOG }, () => resolve(server.address()));
  });
}

/** Stops accepting and drops every connection, idle keep-alive ones included. A request
 * still in its delay ends with the process. */
function stop(server) {
  server.close();
  server.closeAllConnections();
}

/** Resolves at the first SIGTERM. Installed before the server says it listens, so that no
 * SIGTERM can come first. */
function sigterm() {
  return new Promise((resolve) => process.once("SIGTERM", resolve));
}

/** Says where the server listens, on a line of its own: the harness waits for it. */
function announce(port) {
  printLine(JSON.stringify({ listening: `${HOST}:${port}` }));
}

/**
 * node-async: one process, node:http on its one event loop; the delay an awaited timer, the
 * CPU part inline on the loop (every other connection waits meanwhile). `workers` is
 * ignored: there is no pool.
 */
async function single(args) {
  const work = new Work(args);
  const server = work.server();
  const { port } = await listen(server);
  const stopped = sigterm();
  const clock = new Stopwatch();
  announce(port);
  await stopped;
  const outcome = { checksum: BigInt(work.answered), elapsedNs: clock.elapsedNs(), ops: work.answered };
  stop(server);
  return outcome;
}

/** How long the primary waits for a worker to report and exit before killing it. */
const WORKER_GRACE_MS = 600;

/**
 * node-cluster: node:cluster with `workers` worker processes, each running node-async's
 * server. The workers listen on 127.0.0.1 port 0 and share one port (in a cluster every
 * listen(0) of the same address gets the primary's one socket); the primary accepts the
 * connections and hands them to the workers round-robin (Node's default on Linux), and a
 * connection stays with its worker. The primary says it listens once every worker does.
 *
 * On SIGTERM the primary asks each worker for its count of answers (each stops accepting,
 * drops its connections, reports and exits), sums them, and waits for the workers' exits
 * (killing any that has not gone after 600 ms), so that none outlives the server.
 */
function clustered(args) {
  return cluster.isPrimary ? primary(args) : clusterWorker(args);
}

async function primary(args) {
  // A worker's stdout is the result line's: workers never write there.
  cluster.setupPrimary({ stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const workers = Array.from({ length: args.workers }, () => cluster.fork());
  const failed = new Promise((_, reject) => {
    cluster.on("exit", (worker, code, signal) => {
      if (!worker.stopping) reject(new Error(`cluster worker exited with ${signal ?? `status ${code}`}`));
    });
  });
  failed.catch(() => {}); // raced below; after the stop, exits are expected
  const ports = await Promise.race([
    failed,
    Promise.all(workers.map((w) => new Promise((resolve) => w.once("listening", (a) => resolve(a.port))))),
  ]);
  if (new Set(ports).size !== 1) throw new Error(`the workers listen on ports ${ports}`);
  const stopped = sigterm();
  const clock = new Stopwatch();
  announce(ports[0]);
  await Promise.race([failed, stopped]);
  const elapsedNs = clock.elapsedNs();
  const reports = workers.map((worker) => {
    worker.stopping = true;
    return new Promise((resolve) => {
      worker.once("message", (report) => resolve(report.answered));
      worker.once("exit", () => resolve(0)); // gone without a report: it answered nothing more
      worker.send({ stop: true });
    });
  });
  const answered = (await Promise.all(reports)).reduce((a, b) => a + b, 0);
  await Promise.all(workers.map((worker) => exited(worker)));
  return { checksum: BigInt(answered), elapsedNs, ops: answered };
}

/** Resolves once `worker` has exited, killing it if it has not within WORKER_GRACE_MS. */
function exited(worker) {
  if (worker.process.exitCode !== null || worker.process.signalCode !== null) return undefined;
  return new Promise((resolve) => {
    const timer = setTimeout(() => worker.process.kill("SIGKILL"), WORKER_GRACE_MS);
    worker.process.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A cluster worker: serves until the primary asks it to stop; never returns. */
async function clusterWorker(args) {
  // The primary stops the workers: a SIGTERM sent to the whole process group must not end
  // a worker before it has reported. A worker whose primary is gone exits by itself
  // (node:cluster ends a worker whose IPC channel closes).
  process.on("SIGTERM", () => {});
  const work = new Work(args);
  const server = work.server();
  process.on("message", (message) => {
    if (!message.stop) return;
    stop(server);
    process.send({ answered: work.answered }, () => process.exit(0));
  });
  await listen(server);
  return new Promise(() => {});
}

/**
 * The io-server workload and its Node.js models (a cluster's workers are no units: they
 * start main.js with the same arguments, as node:cluster does).
 * @type {import("./protocol.js").Workload}
 */
export const WORKLOAD = {
  name: "io-server",
  params: [
    { name: "delay_us", min: 0, max: 10_000_000 },
    { name: "cpu", min: 0, max: 100_000_000 },
    { name: "workers", min: 1, max: 1024 },
    { name: "alloc", min: 0, max: 100_000_000 },
  ],
  models: [
    { id: "node-async", run: single },
    { id: "node-cluster", run: clustered },
  ],
};
